//! Which agents a reader may see, whatever the section: an owner or a
//! `VIEW_AGENTS` role sees all of them, any other agent only itself.

use crate::api::auth::{Caller, Principal};
use crate::api::error::ApiError;
use crate::domain::ids::AgentId;
use crate::domain::permission::Permission;
use crate::wire::errors::global;

/// The agents a reader may see: all of them for an owner or a `VIEW_AGENTS`
/// role; otherwise only itself (naming another agent → 1015).
pub fn scope(who: &Principal, named: Option<AgentId>) -> Result<Option<AgentId>, ApiError> {
    match &who.caller {
        Caller::Agent { id, .. } if who.require(Permission::ViewAgents).is_err() => match named {
            None => Ok(Some(*id)),
            Some(n) if n == *id => Ok(Some(n)),
            Some(_) => Err(global::PERMISSION_DENIED.into()),
        },
        _ => Ok(named),
    }
}
