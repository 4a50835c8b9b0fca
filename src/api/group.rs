//! Section `Group`: the account's call groups.

use serde::Serialize;
use serde_json::{Map, Value};
use utoipa::openapi::schema::{Object, ObjectBuilder, OneOfBuilder, Type};
use utoipa::{PartialSchema, ToSchema};

use super::auth::Principal;
use super::error::{ApiError, ApiResult, OrRefuse, StoreOutcome};
use crate::AppState;
use crate::domain::agent::valid_did;
use crate::domain::agent::valid_name;
use crate::domain::permission::Permission;
use crate::domain::routing::Strategy;
use crate::store::{GroupFilter, GroupId, GroupRow, RoutingChange, StoreError};
use crate::wire::body::{A_FLAG, A_STRING, AN_ID};
use crate::wire::errors::{global, group as codes};
use crate::wire::{Body, ErrorCode, reply};

fn group_id(body: &Body) -> Result<GroupId, ErrorCode> {
    body.id_any(&["groupId", "groupid"]).ok().flatten().ok_or(codes::GROUP_ID_REQUIRED)
}

fn group_name(body: &Body) -> Result<String, ErrorCode> {
    body.text("name").ok().flatten().and_then(valid_name).ok_or(codes::NAME_MISSING)
}

fn group_status(body: &Body) -> Result<i64, ApiError> {
    Ok(body.int_in("status", 0..=1).or_refuse(codes::INVALID_STATUS, "status", "an integer from 0 to 1")?.unwrap_or(1))
}

/// Longest wrap-up a group may set, as for the account.
const MAX_WRAP_UP: i64 = 3600;

/// `wrapUpTime`: absent → `None` (leave as is); `null` → clear; seconds → set.
fn group_wrap_up(body: &Body) -> Result<Option<Option<i64>>, ErrorCode> {
    if !body.sent("wrapUpTime") {
        return Ok(None);
    }
    match body.get("wrapUpTime") {
        None => Ok(Some(None)),
        Some(v) => match crate::wire::body::int_value(v) {
            Ok(secs) if (0..=MAX_WRAP_UP).contains(&secs) => Ok(Some(Some(secs))),
            _ => Err(codes::INVALID_WRAP_UP),
        },
    }
}

/// Ring timeouts a group may set, seconds.
const RING_TIMEOUTS: std::ops::RangeInclusive<i64> = 5..=300;

/// Service level thresholds a group may set, seconds.
const SERVICE_LEVELS: std::ops::RangeInclusive<i64> = 1..=3600;

/// Numbers one group may be reached by.
const MAX_DIDS: usize = 100;

/// The routing fields of `Group/add` and `Group/update` (ours, for
/// `callRoute`): `strategy` (`ringall`, `longest_idle`, `round_robin`, `fewest_calls`),
/// `ringTimeout` (5–300 s), `serviceLevel` (1–3600 s: its queue figures
/// count the calls answered within it, `Group/queue`) and `dids` (the
/// numbers that reach the group, 6–15 digits each, replacing its list);
/// `null` restores the default (ringall, 20 s, 20 s, no numbers). Absent:
/// left as is.
fn routing_change(body: &Body) -> Result<RoutingChange, ErrorCode> {
    let mut change = RoutingChange::default();
    if body.sent("strategy") {
        change.strategy = Some(match body.get("strategy") {
            None => None,
            Some(Value::String(s)) => Some(Strategy::parse(s).ok_or(codes::INVALID_STRATEGY)?),
            Some(_) => return Err(codes::INVALID_STRATEGY),
        });
    }
    if body.sent("ringTimeout") {
        change.ring_timeout = Some(match body.get("ringTimeout") {
            None => None,
            Some(v) => match crate::wire::body::int_value(v) {
                Ok(secs) if RING_TIMEOUTS.contains(&secs) => Some(secs),
                _ => return Err(codes::INVALID_RING_TIMEOUT),
            },
        });
    }
    if body.sent("serviceLevel") {
        change.service_level = Some(match body.get("serviceLevel") {
            None => None,
            Some(v) => match crate::wire::body::int_value(v) {
                Ok(secs) if SERVICE_LEVELS.contains(&secs) => Some(secs),
                _ => return Err(codes::INVALID_SERVICE_LEVEL),
            },
        });
    }
    if body.sent("dids") {
        change.dids = Some(match body.get("dids") {
            None => Vec::new(),
            Some(Value::Array(items)) if items.len() <= MAX_DIDS => {
                let mut dids = Vec::with_capacity(items.len());
                for item in items {
                    let raw = match item {
                        Value::String(s) => s.clone(),
                        Value::Number(n) if n.is_u64() => n.to_string(),
                        _ => return Err(codes::INVALID_DIDS),
                    };
                    dids.push(valid_did(&raw).ok_or(codes::INVALID_DIDS)?);
                }
                dids.sort_unstable();
                dids.dedup();
                dids
            }
            Some(_) => return Err(codes::INVALID_DIDS),
        });
    }
    Ok(change)
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(in crate::api) struct Added {
    group_id: i64,
    /// The name as stored: a taken name comes back with its suffix.
    name: String,
}

/// `Group/add` `{name[, status][, wrapUpTime][, strategy][, ringTimeout][, dids]}`.
pub async fn add(state: AppState, who: Principal, body: Body) -> ApiResult {
    who.require(Permission::ManageGroups)?;
    let name = group_name(&body)?;
    let status = group_status(&body)?;
    let wrap_up = group_wrap_up(&body)?.flatten();
    let routing = routing_change(&body)?;
    let group = state
        .store
        .add_group(&who.account, &name, status, (wrap_up, &routing), state.clock.now())
        .await
        .or_codes(None, codes::DID_TAKEN)?;
    Ok(reply::listing(Added { group_id: group.id.get(), name: group.name }))
}

/// `Group/update` `{groupId, name[, status][, wrapUpTime][, strategy][,
/// ringTimeout][, dids]}` (`null`: the default applies again).
pub async fn update(state: AppState, who: Principal, body: Body) -> ApiResult {
    who.require(Permission::ManageGroups)?;
    let id = group_id(&body)?;
    let name = group_name(&body)?;
    let status = group_status(&body)?;
    let wrap_up = group_wrap_up(&body)?;
    let routing = routing_change(&body)?;
    state.store.update_group(&who.account, id, &name, status).await.or_codes(codes::GROUP_NOT_FOUND, None)?;
    if let Some(secs) = wrap_up {
        state.store.set_group_wrap_up(&who.account, id, secs).await?;
    }
    if routing != RoutingChange::default() {
        set_routing(&state, &who, id, &routing).await?;
    }
    Ok(reply::done("Group updated"))
}

async fn set_routing(state: &AppState, who: &Principal, id: GroupId, change: &RoutingChange) -> Result<(), ApiError> {
    match state.store.set_group_routing(&who.account, id, change).await {
        Err(StoreError::NotFound) => Err(codes::GROUP_NOT_FOUND.into()),
        Err(StoreError::Conflict) => Err(codes::DID_TAKEN.into()),
        other => Ok(other?),
    }
}

/// `Group/delete` `{groupId}`: the group and every agent's mapping to it.
pub async fn delete(state: AppState, who: Principal, body: Body) -> ApiResult {
    who.require(Permission::ManageGroups)?;
    let id = group_id(&body)?;
    state.store.delete_group(&who.account, id).await.or_codes(codes::GROUP_NOT_FOUND, None)?;
    Ok(reply::done("Group deleted"))
}

/// A group as listed.
#[derive(Serialize, ToSchema)]
struct GroupItem<'a> {
    name: &'a str,
    /// 1 active, 0 inactive.
    status: i64,
    /// Agents mapped to it.
    agents: i64,
    /// Only for a group with its own wrap-up time (seconds).
    #[serde(rename = "wrapUpTime", skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    wrap_up_time: Option<i64>,
    /// Only for a group that set its routing strategy (`callRoute`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    strategy: Option<&'a str>,
    /// Only for a group that set its ring timeout (seconds).
    #[serde(rename = "ringTimeout", skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    ring_timeout: Option<i64>,
    /// Only for a group that set its service level threshold (seconds).
    #[serde(rename = "serviceLevel", skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    service_level: Option<i64>,
    /// Only for a group some numbers (DIDs) reach.
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    dids: &'a [String],
}

/// The groups keyed by id: each a `GroupItem`, or with `quick` its name.
#[derive(Serialize, ToSchema)]
pub(in crate::api) struct GroupList {
    #[schema(schema_with = groups_by_id)]
    response: Map<String, Value>,
}

fn groups_by_id() -> Object {
    let entry: utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> =
        OneOfBuilder::new().item(GroupItem::schema()).item(String::schema()).into();
    ObjectBuilder::new().schema_type(Type::Object).additional_properties(Some(entry)).build()
}

/// `Group/list`: `response` keyed by group id; `quick` gives just names.
pub async fn list(state: AppState, who: Principal, body: Body) -> ApiResult {
    // Agents that forward calls need the groups, not the whole directory.
    if who.require(Permission::ViewAgents).is_err() {
        who.require(Permission::AgentToAgentCall)?;
    }
    let quick = body.flag("quick").or_refuse(global::INVALID_PARAMETER, "quick", A_FLAG)?.unwrap_or(false);
    body.flag("forward").or_refuse(global::INVALID_PARAMETER, "forward", A_FLAG)?;
    let filter = GroupFilter {
        group_id: body.id_any(&["groupid", "groupId"]).or_refuse(codes::GROUP_ID_REQUIRED, "groupid", AN_ID)?,
        name: body.text("name").or_refuse(global::INVALID_PARAMETER, "name", A_STRING)?.map(str::to_string),
    };
    let groups = state.store.list_groups(&who.account, &filter).await?;
    let mut dids: std::collections::HashMap<GroupId, Vec<String>> = std::collections::HashMap::new();
    if !quick {
        for (group, did) in state.store.group_dids(&who.account).await? {
            dids.entry(group).or_default().push(did);
        }
    }
    let entry = |g: &GroupRow| -> Result<Value, ApiError> {
        if quick {
            return Ok(Value::String(g.name.clone()));
        }
        serde_json::to_value(GroupItem {
            name: &g.name,
            status: g.status,
            agents: g.agents,
            wrap_up_time: g.wrap_up_secs,
            strategy: g.strategy.as_deref(),
            ring_timeout: g.ring_timeout,
            service_level: g.service_level,
            dids: dids.get(&g.id).map(Vec::as_slice).unwrap_or(&[]),
        })
        .map_err(|e| ApiError::Internal(e.into()))
    };
    let mut response = Map::new();
    for g in &groups {
        response.insert(g.id.to_string(), entry(g)?);
    }
    Ok(reply::listing(GroupList { response }))
}
