//! What an agent session may do beyond its own profile, granted through its
//! role. Account tokens and admin sessions have every permission.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Permission {
    /// Read the agent directory: `Agent/list`, `Group/list`, `Role/list`.
    ViewAgents,
    /// Create, change, delete agents and their group mappings and CAD flags.
    EditAgents,
    /// Add, rename and delete groups.
    ManageGroups,
    /// Add and change roles.
    ManageRoles,
    /// List groups to forward a call to another agent (DeepCall's name).
    AgentToAgentCall,
    /// Change other agents' presence from the board (ours): start and end
    /// their breaks, end their wrap-ups, log them out.
    SuperviseAgents,
    /// Read the call report (`callreport`: every call of the account, its
    /// numbers and agents): DeepCall's name for it.
    ListCallLog,
}

impl Permission {
    pub const ALL: [Permission; 7] = [
        Permission::ViewAgents,
        Permission::EditAgents,
        Permission::ManageGroups,
        Permission::ManageRoles,
        Permission::AgentToAgentCall,
        Permission::SuperviseAgents,
        Permission::ListCallLog,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Permission::ViewAgents => "VIEW_AGENTS",
            Permission::EditAgents => "EDIT_AGENTS",
            Permission::ManageGroups => "MANAGE_GROUPS",
            Permission::ManageRoles => "MANAGE_ROLES",
            Permission::AgentToAgentCall => "AGENT_TO_AGENT_CALL",
            Permission::SuperviseAgents => "SUPERVISE_AGENTS",
            Permission::ListCallLog => "LIST_CALL_LOG",
        }
    }

    pub fn parse(name: &str) -> Option<Permission> {
        Self::ALL.into_iter().find(|p| p.name() == name)
    }
}

impl fmt::Display for Permission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A role's set of permissions, stored as a comma-separated list of names.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Permissions(Vec<Permission>);

impl Permissions {
    pub fn new(mut list: Vec<Permission>) -> Self {
        list.sort_by_key(|p| p.name());
        list.dedup();
        Self(list)
    }

    pub fn allows(&self, permission: Permission) -> bool {
        self.0.contains(&permission)
    }

    /// Every permission of `other` is also one of ours.
    pub fn covers(&self, other: &Permissions) -> bool {
        other.0.iter().all(|p| self.allows(*p))
    }

    pub fn names(&self) -> Vec<&'static str> {
        self.0.iter().map(|p| p.name()).collect()
    }

    /// Storage form; unknown names (from a newer version) are skipped.
    pub fn from_stored(text: &str) -> Self {
        Self::new(text.split(',').filter_map(|n| Permission::parse(n.trim())).collect())
    }

    pub fn to_stored(&self) -> String {
        self.names().join(",")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_form_round_trips_and_ignores_unknown_names() {
        let p = Permissions::from_stored("EDIT_AGENTS,NOPE,VIEW_AGENTS,EDIT_AGENTS");
        assert_eq!(p.to_stored(), "EDIT_AGENTS,VIEW_AGENTS");
        assert!(p.allows(Permission::ViewAgents));
        assert!(!p.allows(Permission::ManageRoles));
        assert!(p.covers(&Permissions::from_stored("VIEW_AGENTS")));
        assert!(p.covers(&Permissions::default()));
        assert!(!p.covers(&Permissions::from_stored("VIEW_AGENTS,MANAGE_ROLES")));
    }
}
