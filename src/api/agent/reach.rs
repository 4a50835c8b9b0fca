//! Which agents and roles a principal may act on: an owner any of its
//! account's; an agent session only agents, and roles, that hold no
//! permission its own role lacks (`Principal::may_grant`), so a supervisor
//! cannot take over a more privileged agent or hand out more than it has.

use crate::AppState;
use crate::api::auth::{Caller, Principal};
use crate::api::error::{ApiError, OrRequire, Refuse};
use crate::domain::ids::{AgentId, RoleId};
use crate::domain::permission::Permissions;
use crate::store::AgentRow;
use crate::wire::Body;
use crate::wire::body::AN_ID;
use crate::wire::errors::agent as codes;

/// The agent an endpoint acts on, as it is now; 1509 when it is not an
/// agent of this account (another account's agents included).
async fn existing_agent(state: &AppState, who: &Principal, body: &Body) -> Result<AgentRow, ApiError> {
    let agent_id: AgentId = body.id("agentId").or_require(codes::INVALID_AGENT_ID, "agentId", AN_ID)?;
    state.store.agent(&who.account, agent_id).await?.ok_or_else(|| no_agent(agent_id))
}

/// 1509 for an `agentId` the account has no (live) agent of.
fn no_agent(id: AgentId) -> ApiError {
    codes::INVALID_AGENT_ID.at(&["agentId"], format!("the account has no agent {id}"))
}

/// The role exists (else 1503) and the principal may hand it out (else 1015).
pub(super) async fn grantable_role(state: &AppState, who: &Principal, role: RoleId) -> Result<(), ApiError> {
    let stored = state
        .store
        .role_permissions(&who.account, role)
        .await?
        .ok_or_else(|| codes::INVALID_ROLE.at(&["role"], format!("the account has no role {role}")))?;
    who.may_grant(&Permissions::from_stored(&stored))
}

/// The agent an endpoint changes, if the principal may act on it: 1509 when
/// it is not an agent of this account, 1015 when it is more privileged.
pub(super) async fn manageable_agent(state: &AppState, who: &Principal, body: &Body) -> Result<AgentRow, ApiError> {
    let agent = existing_agent(state, who, body).await?;
    if matches!(who.caller, Caller::Agent { .. }) {
        let stored = state.store.role_permissions(&who.account, agent.role_id).await?.unwrap_or_default();
        who.may_grant(&Permissions::from_stored(&stored))?;
    }
    Ok(agent)
}

/// For an agent session, every agent of `ids` exists (else 1509) and holds
/// no permission the session lacks (else 1015); an owner's list is left to
/// the store, whose NotFound answers 1509.
pub(super) async fn manageable_agents(state: &AppState, who: &Principal, ids: &[AgentId]) -> Result<(), ApiError> {
    if matches!(who.caller, Caller::Owner) {
        return Ok(());
    }
    let roles: std::collections::HashMap<RoleId, Permissions> = state
        .store
        .list_roles(&who.account)
        .await?
        .into_iter()
        .map(|r| (r.id, Permissions::from_stored(&r.permissions)))
        .collect();
    let mut seen = std::collections::HashSet::new();
    for &id in ids.iter().filter(|id| seen.insert(**id)) {
        let agent = state.store.agent(&who.account, id).await?.ok_or(codes::INVALID_AGENT_ID)?;
        who.may_grant(roles.get(&agent.role_id).unwrap_or(&Permissions::default()))?;
    }
    Ok(())
}

/// The id of the agent an endpoint acts on. Only an agent session needs the
/// agent read first (for its role); for an owner the store's own NotFound
/// answers 1509, so nothing is read twice.
pub(super) async fn manageable_agent_id(state: &AppState, who: &Principal, body: &Body) -> Result<AgentId, ApiError> {
    match who.caller {
        Caller::Owner => body.id("agentId").or_require(codes::INVALID_AGENT_ID, "agentId", AN_ID),
        Caller::Agent { .. } => Ok(manageable_agent(state, who, body).await?.id),
    }
}
