//! Section `Group`: the account's call groups.

use serde::Serialize;
use serde_json::{Map, Value};

use super::auth::authenticate;
use super::error::{ApiError, ApiResult};
use crate::domain::agent::valid_name;
use crate::domain::permission::Permission;
use crate::store::{GroupFilter, GroupRow, StoreError};
use crate::wire::errors::{global, group as codes};
use crate::wire::{reply, Body, ErrorCode};
use crate::AppState;

fn group_id(body: &Body) -> Result<i64, ErrorCode> {
    body.id_any(&["groupId", "groupid"]).ok().flatten().ok_or(codes::GROUP_ID_REQUIRED)
}

fn group_name(body: &Body) -> Result<String, ErrorCode> {
    body.text("name").ok().flatten().and_then(valid_name).ok_or(codes::NAME_MISSING)
}

fn group_status(body: &Body) -> Result<i64, ErrorCode> {
    match body.int("status") {
        Ok(None) => Ok(1),
        Ok(Some(s @ (0 | 1))) => Ok(s),
        _ => Err(codes::INVALID_STATUS),
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Added {
    group_id: i64,
    /// The name as stored: a taken name comes back with its suffix.
    name: String,
}

/// `Group/add` `{name[, status]}`.
pub async fn add(state: AppState, body: Body) -> ApiResult {
    let who = authenticate(&state, &body).await?;
    who.require(Permission::ManageGroups)?;
    let name = group_name(&body)?;
    let status = group_status(&body)?;
    let group = state.store.add_group(&who.account, &name, status).await?;
    Ok(reply::listing(Added { group_id: group.id, name: group.name }))
}

/// `Group/update` `{groupId, name[, status]}`.
pub async fn update(state: AppState, body: Body) -> ApiResult {
    let who = authenticate(&state, &body).await?;
    who.require(Permission::ManageGroups)?;
    let id = group_id(&body)?;
    let name = group_name(&body)?;
    let status = group_status(&body)?;
    match state.store.update_group(&who.account, id, &name, status).await {
        Ok(_) => Ok(reply::done("Group updated")),
        Err(StoreError::NotFound) => Err(codes::GROUP_NOT_FOUND.into()),
        Err(other) => Err(other.into()),
    }
}

/// `Group/delete` `{groupId}`: the group and every agent's mapping to it.
pub async fn delete(state: AppState, body: Body) -> ApiResult {
    let who = authenticate(&state, &body).await?;
    who.require(Permission::ManageGroups)?;
    let id = group_id(&body)?;
    match state.store.delete_group(&who.account, id).await {
        Ok(()) => Ok(reply::done("Group deleted")),
        Err(StoreError::NotFound) => Err(codes::GROUP_NOT_FOUND.into()),
        Err(other) => Err(other.into()),
    }
}

#[derive(Serialize)]
struct GroupItem<'a> {
    name: &'a str,
    status: i64,
    agents: i64,
}

/// `Group/list`: `response` keyed by group id; `quick` gives just names.
pub async fn list(state: AppState, body: Body) -> ApiResult {
    let who = authenticate(&state, &body).await?;
    // Agents that forward calls need the groups, not the whole directory.
    if who.require(Permission::ViewAgents).is_err() {
        who.require(Permission::AgentToAgentCall)?;
    }
    let quick = body.flag("quick").map_err(|_| global::INVALID_PARAMETER)?.unwrap_or(false);
    body.flag("forward").map_err(|_| global::INVALID_PARAMETER)?;
    let filter = GroupFilter {
        group_id: body.id_any(&["groupid", "groupId"]).map_err(|_| codes::GROUP_ID_REQUIRED)?,
        name: body.text("name").map_err(|_| global::INVALID_PARAMETER)?.map(str::to_string),
    };
    let groups = state.store.list_groups(&who.account, &filter).await?;
    let entry = |g: &GroupRow| -> Result<Value, ApiError> {
        if quick {
            return Ok(Value::String(g.name.clone()));
        }
        serde_json::to_value(GroupItem { name: &g.name, status: g.status, agents: g.agents })
            .map_err(|e| ApiError::Internal(e.into()))
    };
    let mut response = Map::new();
    for g in &groups {
        response.insert(g.id.to_string(), entry(g)?);
    }
    #[derive(Serialize)]
    struct Payload {
        response: Map<String, Value>,
    }
    Ok(reply::listing(Payload { response }))
}
