//! Sticky agents (DeepCall's `Directory/setSticky`, `getSticky`,
//! `removeSticky`): a caller pinned to an agent, whom the routing decision
//! offers the caller's call first when that agent may take it, before the
//! group's order.
//!
//! A pin has a scope, as DeepCall's `type` names it: `all` (every call of
//! the caller), `cli` (calls to one of the account's numbers) and
//! `cli_group` (calls to that number routed to one group). When several
//! pins of a caller match a call, the narrowest wins.

use crate::domain::ids::{AgentId, GroupId};

/// Which calls of the caller a pin covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Scope {
    /// Calls to the number (`cli`) routed to the group.
    CliGroup,
    /// Calls to the number (`cli`), whatever the group.
    Cli,
    /// Every call of the caller.
    All,
}

impl Scope {
    pub const ALL: [Scope; 3] = [Scope::All, Scope::Cli, Scope::CliGroup];

    /// DeepCall's `type`.
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::All => "all",
            Scope::Cli => "cli",
            Scope::CliGroup => "cli_group",
        }
    }

    /// A `type` as DeepCall spells it (case ignored); `None` otherwise.
    pub fn parse(text: &str) -> Option<Scope> {
        Scope::ALL.into_iter().find(|s| s.as_str().eq_ignore_ascii_case(text.trim()))
    }
}

/// One pin of a caller, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sticky {
    pub agent: AgentId,
    pub scope: Scope,
    /// The account's number (DID, digits) for `cli` and `cli_group`; empty
    /// for `all`.
    pub cli: String,
    /// The group for `cli_group`; `None` otherwise.
    pub group: Option<GroupId>,
    /// Unix seconds after which the pin no longer applies; `None`: never
    /// (DeepCall's `-1`).
    pub expiry: Option<i64>,
}

impl Sticky {
    /// Whether the pin still applies at `now` (Unix seconds).
    pub fn live_at(&self, now: i64) -> bool {
        self.expiry.is_none_or(|end| now < end)
    }

    /// Whether the pin covers a call to `did` (digits; empty when the
    /// telephony named only the group) routed to `group`.
    pub fn covers(&self, did: &str, group: GroupId) -> bool {
        match self.scope {
            Scope::All => true,
            Scope::Cli => !did.is_empty() && self.cli == did,
            Scope::CliGroup => !did.is_empty() && self.cli == did && self.group == Some(group),
        }
    }
}

/// The agent a call to `did` routed to `group` is pinned to at `now`: the
/// narrowest live pin that covers it, `None` when none does.
pub fn pinned_agent(pins: &[Sticky], did: &str, group: GroupId, now: i64) -> Option<AgentId> {
    pins.iter().filter(|p| p.live_at(now) && p.covers(did, group)).min_by_key(|p| p.scope).map(|p| p.agent)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pin(agent: i64, scope: Scope, cli: &str, group: Option<i64>, expiry: Option<i64>) -> Sticky {
        Sticky { agent: AgentId(agent), scope, cli: cli.to_string(), group: group.map(GroupId), expiry }
    }

    #[test]
    fn types_read_as_deepcall_spells_them() {
        for s in Scope::ALL {
            assert_eq!(Scope::parse(s.as_str()), Some(s));
        }
        assert_eq!(Scope::parse(" CLI_Group "), Some(Scope::CliGroup));
        assert_eq!(Scope::parse("group"), None);
    }

    #[test]
    fn the_narrowest_live_pin_that_covers_the_call_wins() {
        let pins = [
            pin(1, Scope::All, "", None, None),
            pin(2, Scope::Cli, "8001234567", None, None),
            pin(3, Scope::CliGroup, "8001234567", Some(7), Some(100)),
        ];
        let g = GroupId;
        assert_eq!(pinned_agent(&pins, "8001234567", g(7), 50), Some(AgentId(3)));
        assert_eq!(pinned_agent(&pins, "8001234567", g(7), 100), Some(AgentId(2)), "expired at 100");
        assert_eq!(pinned_agent(&pins, "8001234567", g(8), 50), Some(AgentId(2)), "another group");
        assert_eq!(pinned_agent(&pins, "8009999999", g(7), 50), Some(AgentId(1)), "another number");
        assert_eq!(pinned_agent(&pins, "", g(7), 50), Some(AgentId(1)), "asked by group only");
        assert_eq!(pinned_agent(&pins[1..], "", g(7), 50), None);
        assert_eq!(pinned_agent(&[], "8001234567", g(7), 50), None);
    }
}
