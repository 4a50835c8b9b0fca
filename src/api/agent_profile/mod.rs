//! Section `agentProfile`: the agent's own live state — heartbeat, breaks,
//! wrap-up. An agent session acts on itself; an owner names the agent.

use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use super::auth::{Caller, Principal};
use super::error::{ApiError, ApiResult, OrRefuse, Refuse};
use super::shared::reasons::named_break_reason;
use super::shared::views::BreakDetail;
use crate::AppState;
use crate::domain::ids::AgentId;
use crate::domain::presence::{Actor as EventActor, Event, Presence, Refusal, State};
use crate::live::AgentLive;
use crate::wire::body::AN_ID;
use crate::wire::errors::{agent_profile as codes, global};
use crate::wire::{Body, reply};

/// An agent session naming another agent → 1501. Dispatch asks this before
/// it looks at the body's keys: who may act comes before what the body says.
pub(super) fn names_another_agent(who: &Principal, body: &Body) -> Result<(), ApiError> {
    if let Caller::Agent { id, .. } = who.caller
        && let Ok(Some(named)) = body.id::<AgentId>("agentId")
        && named != id
    {
        return Err(codes::AGENT_MISMATCH.into());
    }
    Ok(())
}

/// The agent a request is about: an agent session's own (naming another →
/// 1501), or the `agentId` an owner names (unknown → 1507).
pub(super) async fn target(state: &AppState, who: &Principal, body: &Body) -> Result<AgentId, ApiError> {
    let named = body.id("agentId").or_refuse(codes::INVALID_AGENT_ID, "agentId", AN_ID)?;
    match who.caller {
        Caller::Agent { id, .. } => names_another_agent(who, body).map(|()| id),
        Caller::Owner => {
            let id = named.ok_or(codes::INVALID_AGENT_ID)?;
            match state.store.agent_path(&who.account, id).await? {
                Some(_) => Ok(id),
                None => Err(codes::INVALID_AGENT_ID.into()),
            }
        }
    }
}

fn event_actor(who: &Principal) -> EventActor {
    match who.caller {
        Caller::Agent { .. } => EventActor::Agent,
        Caller::Owner => EventActor::Admin,
    }
}

fn refusal(r: Refusal) -> ApiError {
    match r {
        Refusal::NotAvailable => codes::NOT_LOGGED_IN.into(),
        Refusal::AlreadyOnBreak => codes::ALREADY_ON_BREAK.into(),
        Refusal::NotOnBreak => codes::NOT_ON_BREAK.into(),
        Refusal::NotInWrapUp => codes::NOT_IN_WRAP_UP.into(),
    }
}

/// `mic_perm`: 1/0, `true`/`false` or `"1"`/`"0"`.
fn mic_perm(value: &Value) -> Option<i64> {
    match value {
        Value::Bool(b) => Some(i64::from(*b)),
        Value::Number(n) => n.as_i64().filter(|v| matches!(v, 0 | 1)),
        Value::String(s) => match s.trim() {
            "1" | "true" => Some(1),
            "0" | "false" => Some(0),
            _ => None,
        },
        _ => None,
    }
}

/// `ping_time`, when sent, is the page's own clock: numeric or 1506. The
/// server's clock decides liveness (a page's clock may be wrong).
fn ping_time_is_numeric(value: &Value) -> bool {
    match value {
        Value::Number(_) => true,
        Value::String(s) => s.trim().parse::<f64>().is_ok_and(f64::is_finite),
        _ => false,
    }
}

/// `agentProfile/setWebPingTime` `{ssid, mic_perm[, ping_time]}`: the
/// heartbeat of an agent's page. Kept in memory and flushed in batches.
pub async fn set_web_ping_time(state: AppState, who: Principal, body: Body) -> ApiResult {
    let Caller::Agent { .. } = who.caller else { return Err(codes::PING_NEEDS_AGENT_SESSION.into()) };
    let agent = target(&state, &who, &body).await?;
    let mic = mic_perm(body.get("mic_perm").ok_or(codes::MIC_PERM_MISSING)?).ok_or(global::INVALID_DATA_TYPE)?;
    if let Some(t) = body.get("ping_time")
        && !ping_time_is_numeric(t)
    {
        return Err(codes::PING_TIME_TYPE.into());
    }
    let presence = state.live.ping(&who.account, agent, mic).await?;
    let data = Ping {
        agent_id: agent.to_string(),
        user_id: who.account.to_string(),
        ping_time: state.clock.now(),
        mic_perm: mic,
        state: presence,
    };
    Ok(reply::profile(data))
}

/// The heartbeat as taken.
#[derive(Serialize, ToSchema)]
pub(in crate::api) struct Ping {
    agent_id: String,
    user_id: String,
    /// The server's Unix seconds (liveness follows the server's clock).
    ping_time: i64,
    mic_perm: i64,
    state: State,
}

/// `agentProfile/agentOnBreak`: the break, or 1502 `On break is : 0`.
pub async fn agent_on_break(state: AppState, who: Principal, body: Body) -> ApiResult {
    let agent = target(&state, &who, &body).await?;
    let live = state.live.agent(&who.account, agent).await?;
    let detail = BreakDetail::of(&live.presence, state.clock.now()).ok_or_else(|| codes::NOT_ON_BREAK.answered_no())?;
    Ok(reply::profile(OnBreak {
        on_break: 1,
        break_detail: detail,
        agent_id: agent.to_string(),
        user_id: who.account.to_string(),
    }))
}

/// The agent's break (`on_break` is always 1: not on break is 1502).
#[derive(Serialize, ToSchema)]
pub(in crate::api) struct OnBreak {
    on_break: u8,
    #[serde(rename = "breakDetail")]
    break_detail: BreakDetail,
    agent_id: String,
    user_id: String,
}

/// `agentProfile/checkAgentInWrapUp`: the wrap-up, or 1504.
pub async fn check_agent_in_wrap_up(state: AppState, who: Principal, body: Body) -> ApiResult {
    let agent = target(&state, &who, &body).await?;
    let live = state.live.agent(&who.account, agent).await?;
    let now = state.clock.now();
    // A wrap-up whose end has passed is over, even before the background step logs it.
    let wrap = live
        .presence
        .wrap_up()
        .filter(|w| w.until > now)
        .cloned()
        .ok_or_else(|| codes::NOT_IN_WRAP_UP.answered_no())?;
    Ok(reply::profile(WrapUp {
        response: 1,
        wrap_e_time: wrap.until,
        current_duration: wrap.until - now,
        call_id: wrap.call.call_id,
        c_number: wrap.call.caller_number,
    }))
}

/// The agent's wrap-up (`response` is always 1: not in wrap-up is 1504).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(in crate::api) struct WrapUp {
    response: u8,
    /// Unix seconds the wrap-up ends.
    #[serde(rename = "wrapETime")]
    wrap_e_time: i64,
    /// Seconds left.
    current_duration: i64,
    call_id: String,
    /// The caller's number.
    c_number: String,
}

/// What the break and wrap-up extensions answer: where the agent is now.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(in crate::api) struct Changed {
    agent_id: String,
    state: State,
    /// Unix seconds the state began.
    since: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    break_detail: Option<BreakDetail>,
    /// A break asked for during a call: it starts at hang-up.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    queued_break: Option<String>,
}

fn changed(agent: AgentId, live: &AgentLive, now: i64) -> Changed {
    let p = &live.presence;
    Changed {
        agent_id: agent.to_string(),
        state: p.state,
        since: p.since,
        break_detail: BreakDetail::of(p, now),
        queued_break: p.queued_break.as_ref().map(|q| q.reason.clone()),
    }
}

/// Decides one change of the agent's presence, commits it, and answers
/// where the agent is now (or the refusal's code).
async fn change(
    state: &AppState,
    who: &Principal,
    agent: AgentId,
    decide: impl Fn(&Presence, i64, EventActor) -> Result<Vec<Event>, Refusal>,
) -> ApiResult {
    let actor = event_actor(who);
    let outcome = state
        .live
        .record(&who.account, |d| {
            let now = d.now;
            decide(d.presence(agent), now, actor).map(|events| d.apply(events))
        })
        .await?;
    outcome.map_err(refusal)?;
    let live = state.live.agent(&who.account, agent).await?;
    Ok(reply::profile(changed(agent, &live, state.clock.now())))
}

/// `agentProfile/breakStart` `{reason}`: a reason of the account's catalogue
/// (case-insensitive); during a call the break waits for the hang-up.
pub async fn break_start(state: AppState, who: Principal, body: Body) -> ApiResult {
    let agent = target(&state, &who, &body).await?;
    let reason = named_break_reason(&state, &who.account, &body, codes::INVALID_BREAK_REASON).await?;
    change(&state, &who, agent, |p, now, actor| p.break_start(agent, now, actor, &reason.name, reason.max_secs)).await
}

/// `agentProfile/breakEnd`: ends the break (or cancels a queued one); 1502 when there is none.
pub async fn break_end(state: AppState, who: Principal, body: Body) -> ApiResult {
    let agent = target(&state, &who, &body).await?;
    change(&state, &who, agent, |p, now, actor| p.break_end(agent, now, actor)).await
}

/// `agentProfile/wrapUpEnd`: the agent is ready before its wrap-up time is up; 1504 when not in wrap-up.
pub async fn wrap_up_end(state: AppState, who: Principal, body: Body) -> ApiResult {
    let agent = target(&state, &who, &body).await?;
    change(&state, &who, agent, |p, now, actor| p.wrap_up_end(agent, now, actor)).await
}

mod tags;
pub(in crate::api) use tags::Tags;
pub use tags::tags;
