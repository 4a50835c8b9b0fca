//! Section `Group`: the account's call groups.

use serde::Serialize;
use serde_json::{Map, Value};
use utoipa::openapi::schema::{Object, ObjectBuilder, OneOfBuilder, Type};
use utoipa::{PartialSchema, ToSchema};

use super::auth::Principal;
use super::error::{ApiError, ApiResult, OrRefuse, StoreOutcome};
use crate::AppState;
use crate::domain::agent::valid_name;
use crate::domain::permission::Permission;
use crate::store::{GroupFilter, GroupId, GroupRow};
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

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(in crate::api) struct Added {
    group_id: i64,
    /// The name as stored: a taken name comes back with its suffix.
    name: String,
}

/// `Group/add` `{name[, status][, wrapUpTime]}`.
pub async fn add(state: AppState, who: Principal, body: Body) -> ApiResult {
    who.require(Permission::ManageGroups)?;
    let name = group_name(&body)?;
    let status = group_status(&body)?;
    let wrap_up = group_wrap_up(&body)?.flatten();
    let group = state.store.add_group(&who.account, &name, status, state.clock.now()).await?;
    if wrap_up.is_some() {
        state.store.set_group_wrap_up(&who.account, group.id, wrap_up).await?;
    }
    Ok(reply::listing(Added { group_id: group.id.get(), name: group.name }))
}

/// `Group/update` `{groupId, name[, status][, wrapUpTime]}` (`wrapUpTime`
/// `null`: the account's applies again).
pub async fn update(state: AppState, who: Principal, body: Body) -> ApiResult {
    who.require(Permission::ManageGroups)?;
    let id = group_id(&body)?;
    let name = group_name(&body)?;
    let status = group_status(&body)?;
    let wrap_up = group_wrap_up(&body)?;
    state.store.update_group(&who.account, id, &name, status).await.or_codes(codes::GROUP_NOT_FOUND, None)?;
    if let Some(secs) = wrap_up {
        state.store.set_group_wrap_up(&who.account, id, secs).await?;
    }
    Ok(reply::done("Group updated"))
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
    let entry = |g: &GroupRow| -> Result<Value, ApiError> {
        if quick {
            return Ok(Value::String(g.name.clone()));
        }
        serde_json::to_value(GroupItem {
            name: &g.name,
            status: g.status,
            agents: g.agents,
            wrap_up_time: g.wrap_up_secs,
        })
        .map_err(|e| ApiError::Internal(e.into()))
    };
    let mut response = Map::new();
    for g in &groups {
        response.insert(g.id.to_string(), entry(g)?);
    }
    Ok(reply::listing(GroupList { response }))
}
