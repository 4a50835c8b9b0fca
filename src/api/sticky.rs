//! Sticky agents, in section `Directory` as DeepCall names them
//! (`setSticky`, `getSticky`, `removeSticky`; catalogue section 5): a
//! caller pinned to an agent, whom `callRoute` offers the caller's calls
//! first when that agent may take them (`domain::sticky`).
//!
//! Who may pin: the account's credentials, an agent session with
//! `EDIT_AGENTS`, or an agent pinning a caller to itself (and removing only
//! its own pins). Anyone of the account may read the pins.

use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use super::auth::{Caller, Principal};
use super::error::{ApiError, ApiResult};
use super::shared::card::phone_number;
use crate::AppState;
use crate::domain::agent::valid_did;
use crate::domain::ids::{AgentId, GroupId};
use crate::domain::permission::Permission;
use crate::domain::sticky::{Scope, Sticky};
use crate::wire::body::{id_value, int_value};
use crate::wire::errors::{directory as codes, global};
use crate::wire::{Body, ErrorCode, reply};

/// A pin as the Directory shows it.
#[derive(Serialize, ToSchema)]
pub(in crate::api) struct StickyView {
    #[serde(rename = "agentId")]
    agent_id: i64,
    /// `all`, `cli` or `cli_group`.
    #[serde(rename = "type")]
    kind: &'static str,
    /// The account's number (digits) for `cli` and `cli_group`, else `""`.
    cli: String,
    /// The group for `cli_group`, else `null`.
    groupid: Option<i64>,
    /// Unix seconds when the pin ends; `-1`: never.
    expiry: i64,
}

fn view(pin: &Sticky) -> StickyView {
    StickyView {
        agent_id: pin.agent.get(),
        kind: pin.scope.as_str(),
        cli: pin.cli.clone(),
        groupid: pin.group.map(GroupId::get),
        expiry: pin.expiry.unwrap_or(-1),
    }
}

/// A caller's live pins, narrowest scope first.
#[derive(Serialize, ToSchema)]
pub(in crate::api) struct StickyList {
    /// The caller (digits with the country code).
    contact: String,
    sticky: Vec<StickyView>,
}

/// How many pins `removeSticky` removed.
#[derive(Serialize, ToSchema)]
pub(in crate::api) struct StickyRemoved {
    contact: String,
    removed: u64,
}

/// Whether `who` may pin callers to (or unpin them from) `agent`.
fn may_pin(who: &Principal, agent: AgentId) -> Result<(), ApiError> {
    match &who.caller {
        Caller::Agent { id, .. } if *id == agent => Ok(()),
        _ => who.require(Permission::EditAgents),
    }
}

fn scope_of(body: &Body, required: bool) -> Result<Option<Scope>, ErrorCode> {
    match body.get("type") {
        None | Some(Value::Null) if !required => Ok(None),
        Some(Value::String(s)) => Scope::parse(s).map(Some).ok_or(codes::INVALID_TYPE),
        _ => Err(codes::INVALID_TYPE),
    }
}

fn group_of(body: &Body) -> Result<Option<GroupId>, ErrorCode> {
    match body.get_any(&["groupid", "groupId"]) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => id_value(v).map(|g| Some(GroupId(g))).map_err(|_| codes::GROUP_ID_DOES_NOT_EXIST),
    }
}

/// `cli` read as a number (digits); 1505 when it cannot be one.
fn cli_of(body: &Body) -> Result<Option<String>, ErrorCode> {
    let raw = match body.get("cli") {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::String(s)) => valid_did(s.trim()),
        Some(Value::Number(n)) if n.is_u64() => valid_did(&n.to_string()),
        Some(_) => None,
    };
    raw.map(Some).ok_or(codes::CLI_DOES_NOT_EXIST)
}

/// `cli` as the account's number (digits); 1505 when it is not one.
async fn account_number(state: &AppState, who: &Principal, body: &Body) -> Result<Option<String>, ApiError> {
    let Some(did) = cli_of(body)? else { return Ok(None) };
    match state.store.did_group(&who.account, &did).await? {
        Some(_) => Ok(Some(did)),
        None => Err(codes::CLI_DOES_NOT_EXIST.into()),
    }
}

/// `expiry`: absent or `-1` never; else a Unix time still ahead (1508 when
/// it is below -1 or already past, 1509 when it is no integer).
fn expiry_of(body: &Body, now: i64) -> Result<Option<i64>, ErrorCode> {
    let at = match body.get("expiry") {
        None | Some(Value::Null) => return Ok(None),
        Some(v) => int_value(v).map_err(|_| codes::EXPIRY_NOT_INTEGER)?,
    };
    match at {
        -1 => Ok(None),
        at if at > now => Ok(Some(at)),
        _ => Err(codes::EXPIRY_TOO_SMALL),
    }
}

/// `Directory/setSticky` `{contact, agentId, type, [cli], [groupid],
/// [expiry]}`: pins the caller to the agent for the scope `type` names
/// (`cli` and `cli_group` need `cli`, one of the account's numbers;
/// `cli_group` also `groupid`, a group the agent is mapped to). A pin of
/// the same scope (and number, group) is replaced. Errors: 1501 agentId,
/// 1502 type, 1505 cli, 1506 groupid, 1507 agent not in the group, 1508 /
/// 1509 expiry, 1005 contact.
pub async fn set_sticky(state: AppState, who: Principal, body: Body) -> ApiResult {
    let contact = phone_number(&body, &["contact", "cn"], &who.country_code)?;
    let agent_id = match body.get("agentId") {
        Some(v) => AgentId(id_value(v).map_err(|_| codes::STICKY_AGENT_ERROR)?),
        None => return Err(codes::STICKY_AGENT_ERROR.into()),
    };
    may_pin(&who, agent_id)?;
    let scope = scope_of(&body, true)?.ok_or(codes::INVALID_TYPE)?;
    let now = state.clock.now();
    let expiry = expiry_of(&body, now)?;
    let agent = state.store.agent(&who.account, agent_id).await?.ok_or(codes::STICKY_AGENT_ERROR)?;
    let (cli, group) = match scope {
        Scope::All => (String::new(), None),
        Scope::Cli => (account_number(&state, &who, &body).await?.ok_or(codes::CLI_DOES_NOT_EXIST)?, None),
        Scope::CliGroup => {
            let cli = account_number(&state, &who, &body).await?.ok_or(codes::CLI_DOES_NOT_EXIST)?;
            let group = group_of(&body)?.ok_or(codes::GROUP_ID_DOES_NOT_EXIST)?;
            if state.store.route_group(&who.account, group).await?.is_none() {
                return Err(codes::GROUP_ID_DOES_NOT_EXIST.into());
            }
            if !agent.groups.iter().any(|g| g.id == group) {
                return Err(codes::AGENT_NOT_IN_GROUP.into());
            }
            (cli, Some(group))
        }
    };
    let pin = Sticky { agent: agent.id, scope, cli, group, expiry };
    state.store.set_sticky(&who.account, &contact, &pin, now).await?;
    Ok(reply::listing(StickyList { contact, sticky: vec![view(&pin)] }))
}

/// `Directory/getSticky` `{contact}`: the caller's pins still in force,
/// narrowest first (an empty list when there are none).
pub async fn get_sticky(state: AppState, who: Principal, body: Body) -> ApiResult {
    let contact = phone_number(&body, &["contact", "cn"], &who.country_code)?;
    let now = state.clock.now();
    let pins = state.store.stickies(&who.account, &contact).await?;
    let sticky = pins.iter().filter(|p| p.live_at(now)).map(view).collect();
    Ok(reply::listing(StickyList { contact, sticky }))
}

/// `Directory/removeSticky` `{contact, [type], [cli], [groupid]}`: removes
/// the caller's pins (those of `type`, number and group when given); an
/// agent session without `EDIT_AGENTS` removes only pins to itself. 1012
/// when nothing matched.
pub async fn remove_sticky(state: AppState, who: Principal, body: Body) -> ApiResult {
    let contact = phone_number(&body, &["contact", "cn"], &who.country_code)?;
    let scope = scope_of(&body, false)?;
    let cli = cli_of(&body)?;
    let group = group_of(&body)?;
    let own = match &who.caller {
        Caller::Agent { id, permissions, .. } if !permissions.allows(Permission::EditAgents) => Some(*id),
        _ => None,
    };
    let removed = state.store.remove_stickies(&who.account, &contact, scope, cli.as_deref(), group, own).await?;
    if removed == 0 {
        return Err(global::NO_DATA_FOUND.into());
    }
    Ok(reply::listing(StickyRemoved { contact, removed }))
}
