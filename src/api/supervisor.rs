//! Section `Supervisor` (ours): the board's actions on another agent's
//! presence — start or end its break, end its wrap-up, log it out — each
//! logged with the supervisor as actor. Account credentials and admin
//! sessions act as `admin`; an agent session needs `SUPERVISE_AGENTS` and
//! acts as `supervisor`, its agent id in the event's `actorId`.

use serde::Serialize;
use utoipa::ToSchema;

use super::auth::{Caller, Principal};
use super::error::{ApiError, ApiResult};
use super::shared::reasons::named_break_reason;
use super::shared::views::BreakDetail;
use crate::AppState;
use crate::domain::ids::AgentId;
use crate::domain::permission::{Permission, Permissions};
use crate::domain::presence::{Actor, Event, Presence, Refusal, State};
use crate::wire::errors::supervisor as codes;
use crate::wire::{Body, reply};

/// Why a logout by a supervisor took the agent offline (the event's reason).
const LOGGED_OUT_BY_SUPERVISOR: &str = "supervisor";

/// Who acts, as the log records it: `admin`, or `supervisor` and its agent id.
fn actor(who: &Principal) -> (Actor, Option<i64>) {
    match who.caller {
        Caller::Owner => (Actor::Admin, None),
        Caller::Agent { id, .. } => (Actor::Supervisor, Some(id.get())),
    }
}

/// The agent acted on: `agentId` of a (not deleted) agent of the account,
/// else 1501. An agent session acts only on agents whose permissions are
/// all its own (else 1015), as for `Agent/update`: a supervisor cannot log
/// out or hold on break someone more privileged.
async fn target(state: &AppState, who: &Principal, body: &Body) -> Result<AgentId, ApiError> {
    who.require(Permission::SuperviseAgents)?;
    let id = body.id("agentId").ok().flatten().ok_or(codes::INVALID_AGENT_ID)?;
    match who.caller {
        Caller::Owner => match state.store.agent_path(&who.account, id).await? {
            Some(_) => Ok(id),
            None => Err(codes::INVALID_AGENT_ID.into()),
        },
        Caller::Agent { .. } => {
            let agent = state.store.agent(&who.account, id).await?.ok_or(codes::INVALID_AGENT_ID)?;
            let role = state.store.role_permissions(&who.account, agent.role_id).await?.unwrap_or_default();
            who.may_grant(&Permissions::from_stored(&role))?;
            Ok(id)
        }
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

/// Where the agent is after the action.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(in crate::api) struct Acted {
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

/// Decides one change of the agent's presence as the supervisor, commits
/// it, and answers where the agent is now (or the refusal's code).
async fn change(
    state: &AppState,
    who: &Principal,
    agent: AgentId,
    decide: impl Fn(&Presence, i64, Actor) -> Result<Vec<Event>, Refusal>,
) -> ApiResult {
    let (actor, by) = actor(who);
    let outcome = state
        .live
        .record(&who.account, |d| {
            let now = d.now;
            decide(d.presence(agent), now, actor).map(|mut events| {
                events.iter_mut().for_each(|e| e.by = by);
                d.apply(events)
            })
        })
        .await?;
    outcome.map_err(refusal)?;
    let live = state.live.agent(&who.account, agent).await?;
    let p = &live.presence;
    Ok(reply::listing(Acted {
        agent_id: agent.to_string(),
        state: p.state,
        since: p.since,
        break_detail: BreakDetail::of(p, state.clock.now()),
        queued_break: p.queued_break.as_ref().map(|q| q.reason.clone()),
    }))
}

/// `Supervisor/breakStart` `{agentId, reason}`: a reason of the catalogue
/// (case-insensitive); during a call the break waits for the hang-up.
pub async fn break_start(state: AppState, who: Principal, body: Body) -> ApiResult {
    let agent = target(&state, &who, &body).await?;
    let reason = named_break_reason(&state, &who.account, &body, codes::INVALID_BREAK_REASON).await?;
    change(&state, &who, agent, |p, now, actor| p.break_start(agent, now, actor, &reason.name, reason.max_secs)).await
}

/// `Supervisor/breakEnd` `{agentId}`: ends the break (or a queued one).
pub async fn break_end(state: AppState, who: Principal, body: Body) -> ApiResult {
    let agent = target(&state, &who, &body).await?;
    change(&state, &who, agent, |p, now, actor| p.break_end(agent, now, actor)).await
}

/// `Supervisor/wrapUpEnd` `{agentId}`: the agent is ready before its wrap-up is over.
pub async fn wrap_up_end(state: AppState, who: Principal, body: Body) -> ApiResult {
    let agent = target(&state, &who, &body).await?;
    change(&state, &who, agent, |p, now, actor| p.wrap_up_end(agent, now, actor)).await
}

/// `Supervisor/logout` `{agentId}`: ends every session of the agent and
/// takes it offline (reason `supervisor`); 1503 when it is offline already.
pub async fn logout(state: AppState, who: Principal, body: Body) -> ApiResult {
    let agent = target(&state, &who, &body).await?;
    state.store.end_agent_sessions(&who.account, agent).await?;
    change(&state, &who, agent, |p, now, actor| {
        let events = p.leave(agent, now, actor, LOGGED_OUT_BY_SUPERVISOR);
        if events.is_empty() { Err(Refusal::NotAvailable) } else { Ok(events) }
    })
    .await
}
