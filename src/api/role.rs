//! Section `Role`: a name and a set of permissions that decide what an agent
//! session may do beyond its own profile.

use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use super::auth::{Caller, Principal};
use super::error::{ApiError, ApiResult, Refuse, StoreOutcome};
use crate::AppState;
use crate::domain::agent::valid_name;
use crate::domain::ids::RoleId;
use crate::domain::permission::{Permission, Permissions};
use crate::store::RoleRow;
use crate::wire::errors::{global, role as codes};
use crate::wire::{Body, ErrorCode, reply};

/// A role: its id (a string, as agents show it), name and permissions.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(in crate::api) struct RoleItem {
    role_id: String,
    name: String,
    /// `VIEW_AGENTS`, `EDIT_AGENTS`, `MANAGE_GROUPS`, `MANAGE_ROLES`, `AGENT_TO_AGENT_CALL`, `SUPERVISE_AGENTS`.
    permissions: Vec<&'static str>,
}

fn item(row: RoleRow) -> RoleItem {
    RoleItem {
        role_id: row.id.to_string(),
        name: row.name,
        permissions: Permissions::from_stored(&row.permissions).names(),
    }
}

/// `permissions`: a list of permission names, each one we know.
fn permissions(value: &Value) -> Result<Permissions, ErrorCode> {
    let list = value.as_array().ok_or(codes::INVALID_PERMISSION)?;
    list.iter()
        .map(|v| v.as_str().and_then(Permission::parse).ok_or(codes::INVALID_PERMISSION))
        .collect::<Result<Vec<_>, _>>()
        .map(Permissions::new)
}

/// Whether `who` may change role `id` (to `granted`, when it names
/// permissions): always for an owner; an agent session only a role that
/// holds nothing it lacks, to permissions it holds, and never its own
/// role's permissions — a supervisor with `MANAGE_ROLES` would otherwise
/// raise itself, or every agent through role 1.
async fn may_change(
    state: &AppState,
    who: &Principal,
    id: RoleId,
    granted: Option<&Permissions>,
) -> Result<(), ApiError> {
    let Caller::Agent { role, .. } = &who.caller else { return Ok(()) };
    let stored = state.store.role_permissions(&who.account, id).await?.ok_or(codes::INVALID_ROLE)?;
    who.may_grant(&Permissions::from_stored(&stored))?;
    let Some(granted) = granted else { return Ok(()) };
    if *role == Some(id) {
        return Err(
            global::PERMISSION_DENIED.at(&["roleId"], "an agent session cannot change its own role's permissions")
        );
    }
    who.may_grant(granted)
}

fn role_id(body: &Body) -> Result<RoleId, ErrorCode> {
    body.id_any(&["roleId", "role"]).ok().flatten().ok_or(codes::INVALID_ROLE)
}

/// `Role/list`: every role of the account, by id.
pub async fn list(state: AppState, who: Principal, _body: Body) -> ApiResult {
    who.require(Permission::ViewAgents)?;
    let roles = state.store.list_roles(&who.account).await?;
    Ok(reply::listing(RoleList { response: roles.into_iter().map(item).collect() }))
}

/// Every role of the account, by id.
#[derive(Serialize, ToSchema)]
pub(in crate::api) struct RoleList {
    response: Vec<RoleItem>,
}

/// `Role/add` `{name, permissions: [...]}`. An agent session grants only
/// permissions its own role holds (else 1015).
pub async fn add(state: AppState, who: Principal, body: Body) -> ApiResult {
    who.require(Permission::ManageRoles)?;
    let name = body.text("name").ok().flatten().and_then(valid_name).ok_or(codes::NAME_MISSING)?;
    let granted = match body.get("permissions") {
        Some(v) => permissions(v)?,
        None => Permissions::default(),
    };
    who.may_grant(&granted)?;
    let role = state.store.add_role(&who.account, &name, &granted.to_stored()).await?;
    Ok(reply::listing(item(role)))
}

/// `Role/update` `{roleId, name?, permissions?}`: what it names is replaced.
/// An agent session changes only roles that hold nothing it lacks, grants
/// only what it holds, and never changes its own role's permissions (1015).
pub async fn update(state: AppState, who: Principal, body: Body) -> ApiResult {
    who.require(Permission::ManageRoles)?;
    let id = role_id(&body)?;
    let name = match body.get("name") {
        None => None,
        Some(_) => Some(body.text("name").ok().flatten().and_then(valid_name).ok_or(codes::NAME_MISSING)?),
    };
    let granted = body.get("permissions").map(permissions).transpose()?;
    may_change(&state, &who, id, granted.as_ref()).await?;
    let granted = granted.map(|p| p.to_stored());
    let role = state
        .store
        .update_role(&who.account, id, name.as_deref(), granted.as_deref())
        .await
        .or_codes(codes::INVALID_ROLE, None)?;
    Ok(reply::listing(item(role)))
}
