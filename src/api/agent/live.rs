//! `Agent/live`: every agent's presence right now, with counts per state.

use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};
use serde_json::{Map, Value};
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::{PartialSchema, ToSchema};

use super::super::auth::Principal;
use super::super::error::{ApiResult, OrRefuse};
use super::super::shared::rights::scope;
use super::super::shared::views::BreakDetail;
use crate::AppState;
use crate::domain::ids::AgentId;
use crate::domain::presence::State;
use crate::live::AgentLive;
use crate::store::DirectoryAgent;
use crate::wire::body::AN_ID;
use crate::wire::errors::{agent as codes, global};
use crate::wire::{Body, reply};

/// The call an agent is ringing for or talking on.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
struct CallView {
    call_id: String,
    caller_number: String,
    /// `inbound` or `outbound`.
    direction: String,
    /// Absent when the telephony named none.
    #[serde(skip_serializing_if = "String::is_empty")]
    #[schema(required = false)]
    did: String,
    /// Unix seconds: the offer while ringing, the answer once talking.
    since: i64,
}

/// One agent's presence.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
struct LiveItem<'a> {
    agent_id: i64,
    name: &'a str,
    /// 1 active / 0 switched off (the directory status, not presence).
    status: i64,
    cad: u8,
    state: State,
    /// Unix seconds the state began.
    since: i64,
    /// Seconds in this state.
    duration: i64,
    login_at: Option<i64>,
    last_ping: Option<i64>,
    mic_perm: Option<i64>,
    break_detail: Option<BreakDetail>,
    /// A break asked for during a call: it starts at hang-up.
    queued_break: Option<String>,
    #[serde(rename = "wrapETime")]
    wrap_e_time: Option<i64>,
    call: Option<CallView>,
    /// `{"<groupId>":"Y"|"N"}`: the groups and whether the agent takes their calls.
    groups: Receiving<'a>,
}

/// An agent's group mappings as `{"<groupId>":"Y"|"N"}`, written straight
/// from the directory (a map built per agent cost a tenth of a whole-account
/// board).
struct Receiving<'a>(&'a DirectoryAgent);

impl PartialSchema for Receiving<'_> {
    fn schema() -> RefOr<Schema> {
        let receive_call = ObjectBuilder::new().schema_type(Type::String).enum_values(Some(["Y", "N"]));
        ObjectBuilder::new().schema_type(Type::Object).additional_properties(Some(receive_call)).into()
    }
}

impl ToSchema for Receiving<'_> {}

impl Serialize for Receiving<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.receive_call.len()))?;
        for (group, receive_call) in self.0.receiving() {
            map.serialize_entry(&group, receive_call)?;
        }
        map.end()
    }
}

fn item<'a>(agent: &'a DirectoryAgent, live: &AgentLive, now: i64) -> LiveItem<'a> {
    let p = &live.presence;
    LiveItem {
        agent_id: agent.row.id.get(),
        name: &agent.row.name,
        status: agent.row.status,
        cad: u8::from(agent.row.cad),
        state: p.state,
        since: p.since,
        duration: if p.since > 0 { (now - p.since).max(0) } else { 0 },
        login_at: p.login_at,
        last_ping: (live.last_ping > 0).then_some(live.last_ping),
        mic_perm: live.mic_perm,
        break_detail: BreakDetail::of(p, now),
        queued_break: p.queued_break.as_ref().map(|q| q.reason.clone()),
        wrap_e_time: p.wrap_up().map(|w| w.until),
        call: p.current_leg().map(|leg| CallView {
            call_id: leg.call.call_id.clone(),
            caller_number: leg.call.caller_number.clone(),
            direction: leg.call.direction.clone(),
            did: leg.call.did.clone(),
            // Talk time counts from the answer.
            since: leg.answered.unwrap_or_else(|| leg.since()),
        }),
        groups: Receiving(agent),
    }
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(in crate::api) struct LivePayload<'a> {
    response: Vec<LiveItem<'a>>,
    /// Agents per presence state, every state listed.
    #[schema(value_type = std::collections::BTreeMap<State, usize>)]
    counts: Map<String, Value>,
    /// Unix seconds now, by the server's clock.
    server_time: i64,
}

/// `Agent/live` `{[agentId], [groupid]}`.
pub async fn live(state: AppState, who: Principal, body: Body) -> ApiResult {
    let named = body.id("agentId").or_refuse(codes::INVALID_AGENT_ID, "agentId", AN_ID)?;
    let agent = scope(&who, named)?;
    let group = body.id_any(&["groupid", "groupId"]).or_refuse(global::GROUP_ID_DOES_NOT_EXIST, "groupid", AN_ID)?;
    if let Some(g) = group
        && !state.store.missing_groups(&who.account, &[g]).await?.is_empty()
    {
        return Err(global::GROUP_ID_DOES_NOT_EXIST.into());
    }
    if let Some(n) = named
        && state.store.agent_path(&who.account, n).await?.is_none()
    {
        return Err(codes::INVALID_AGENT_ID.into());
    }
    let roster = state.store.roster(&who.account, agent, group).await?;
    let ids: Vec<AgentId> = roster.agents().map(|a| a.row.id).collect();
    let view = state.live.account(&who.account).await?.agents_among(&ids);
    let now = state.clock.now();
    let response: Vec<LiveItem> = roster.agents().zip(&view).map(|(a, live)| item(a, live, now)).collect();
    let mut counts = Map::new();
    for s in State::ALL {
        let n = response.iter().filter(|i| i.state == s).count();
        counts.insert(s.as_str().to_string(), Value::from(n));
    }
    // An agent's item is 200–300 bytes.
    let size_hint = 320 * response.len() + 256;
    Ok(reply::listing_sized(LivePayload { response, counts, server_time: now }, size_hint))
}
