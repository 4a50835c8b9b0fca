//! The routing decision (`callRoute`, issue 26): which of a group's agents
//! a call is offered to, and in which order. Pure: the API gathers the
//! group's agents with what each one's presence says, this orders them.
//!
//! The strategies are the ones contact-center software names, with their
//! semantics side by side:
//!
//! | agentdesk | Asterisk `app_queue` | FreeSWITCH `mod_callcenter` | who is offered |
//! |---|---|---|---|
//! | `ringall` | `ringall` | `ring-all` | every eligible agent at once; the first to answer takes it |
//! | `longest_idle` | `leastrecent` | `longest-idle-agent` | the agent idle longest: since the end of its last talk or wrap-up this session, else since its login (unanswered rings and breaks do not count) |
//! | `round_robin` | `rrmemory` | `round-robin` | the next agent by id after the one this group offered a call to last |
//! | `fewest_calls` | `fewestcalls` | `agent-with-fewest-calls` | the agent who answered the fewest calls today (the account's day), the longest idle of those |
//!
//! app_queue and mod_callcenter count a member's calls since it was added
//! or its figures were reset; agentdesk counts the calls the agent answered
//! since midnight in the account's time zone, from the event log, so a
//! restart or a second login the same day changes nothing.
//!
//! Sequential strategies offer one agent per decision; when it does not
//! answer within the group's ring timeout the telephony asks again and the
//! next one is offered (agents already offered this call are left out).

use crate::domain::ids::AgentId;

/// How a group orders the agents it offers a call to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Strategy {
    /// Every eligible agent rings at once.
    #[default]
    RingAll,
    /// The agent idle longest rings.
    LongestIdle,
    /// Agents ring in turn, by id, from where the group left off.
    RoundRobin,
    /// The agent with the fewest answered calls today rings.
    FewestCalls,
}

impl Strategy {
    pub const ALL: [Strategy; 4] =
        [Strategy::RingAll, Strategy::LongestIdle, Strategy::RoundRobin, Strategy::FewestCalls];

    /// The name on the wire and in the store.
    pub fn as_str(self) -> &'static str {
        match self {
            Strategy::RingAll => "ringall",
            Strategy::LongestIdle => "longest_idle",
            Strategy::RoundRobin => "round_robin",
            Strategy::FewestCalls => "fewest_calls",
        }
    }

    /// A name as `as_str` gives it (case ignored); `None` for anything else.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str().eq_ignore_ascii_case(name.trim()))
    }

    /// Whether one decision offers the call to every eligible agent.
    pub fn rings_all(self) -> bool {
        self == Strategy::RingAll
    }
}

/// An agent the call may be offered to now: eligible already (mapped to
/// the group to receive calls, switched on, available, inside its working
/// hours, not offered this call before).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub agent: AgentId,
    /// Unix seconds since when the agent has been idle.
    pub idle_since: i64,
    /// Calls the agent answered today (only `fewest_calls` reads it).
    pub calls_today: u32,
}

/// The agents to offer the call to, in order: every candidate for
/// `ringall` (longest idle first, so a telephony that rings in order rings
/// fairly), one otherwise. `last_offered`: the agent this group offered a
/// call to most recently (round robin goes on after it).
pub fn choose(strategy: Strategy, candidates: Vec<Candidate>, last_offered: Option<AgentId>) -> Vec<AgentId> {
    choose_behind(strategy, candidates, last_offered, 0)
}

/// `choose` for a call with `ahead` calls waiting longer for the group
/// (the queue, `domain::queue`): they are served first, each by the next
/// agent in the strategy's order, so this call is offered the agent after
/// theirs; with `ringall` (the first call takes everyone) it waits until
/// none is ahead.
pub fn choose_behind(
    strategy: Strategy,
    candidates: Vec<Candidate>,
    last_offered: Option<AgentId>,
    ahead: usize,
) -> Vec<AgentId> {
    let ordered = order(strategy, candidates, last_offered);
    if strategy.rings_all() {
        return if ahead == 0 { ordered } else { Vec::new() };
    }
    ordered.into_iter().skip(ahead).take(1).collect()
}

/// Every candidate in the strategy's order.
fn order(strategy: Strategy, mut candidates: Vec<Candidate>, last_offered: Option<AgentId>) -> Vec<AgentId> {
    match strategy {
        Strategy::RingAll | Strategy::LongestIdle => candidates.sort_by_key(|c| (c.idle_since, c.agent)),
        Strategy::RoundRobin => {
            // By id, starting after the agent offered a call last.
            let after = last_offered.unwrap_or(AgentId(i64::MIN));
            candidates.sort_by_key(|c| (c.agent <= after, c.agent));
        }
        Strategy::FewestCalls => candidates.sort_by_key(|c| (c.calls_today, c.idle_since, c.agent)),
    }
    candidates.into_iter().map(|c| c.agent).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: i64) -> AgentId {
        AgentId(n)
    }

    fn candidates(idle: &[(i64, i64)]) -> Vec<Candidate> {
        idle.iter().map(|&(agent, idle_since)| Candidate { agent: id(agent), idle_since, calls_today: 0 }).collect()
    }

    #[test]
    fn names_round_trip_and_unknown_ones_are_refused() {
        for s in Strategy::ALL {
            assert_eq!(Strategy::parse(s.as_str()), Some(s));
        }
        assert_eq!(Strategy::parse(" RingAll "), Some(Strategy::RingAll));
        assert_eq!(Strategy::parse("random"), None);
        assert_eq!(Strategy::parse(""), None);
    }

    #[test]
    fn ring_all_offers_everyone_longest_idle_first() {
        let got = choose(Strategy::RingAll, candidates(&[(3, 50), (1, 70), (2, 50)]), None);
        assert_eq!(got, vec![id(2), id(3), id(1)]);
    }

    #[test]
    fn longest_idle_offers_one_agent() {
        let got = choose(Strategy::LongestIdle, candidates(&[(3, 50), (1, 70), (2, 40)]), None);
        assert_eq!(got, vec![id(2)]);
    }

    #[test]
    fn round_robin_goes_on_after_the_last_offered_and_wraps() {
        let all = candidates(&[(5, 0), (2, 0), (9, 0)]);
        assert_eq!(choose(Strategy::RoundRobin, all.clone(), None), vec![id(2)]);
        assert_eq!(choose(Strategy::RoundRobin, all.clone(), Some(id(2))), vec![id(5)]);
        assert_eq!(choose(Strategy::RoundRobin, all.clone(), Some(id(6))), vec![id(9)]);
        assert_eq!(choose(Strategy::RoundRobin, all, Some(id(9))), vec![id(2)]);
    }

    #[test]
    fn fewest_calls_offers_the_least_busy_then_the_longest_idle() {
        let with = |calls: &[(i64, i64, u32)]| -> Vec<Candidate> {
            calls
                .iter()
                .map(|&(a, idle_since, calls_today)| Candidate { agent: id(a), idle_since, calls_today })
                .collect()
        };
        assert_eq!(choose(Strategy::FewestCalls, with(&[(1, 10, 4), (2, 90, 1), (3, 50, 2)]), None), vec![id(2)]);
        assert_eq!(choose(Strategy::FewestCalls, with(&[(1, 10, 4), (2, 90, 1), (3, 50, 1)]), None), vec![id(3)]);
        assert_eq!(choose(Strategy::FewestCalls, with(&[(7, 50, 0), (3, 50, 0)]), Some(id(3))), vec![id(3)]);
    }

    #[test]
    fn a_call_behind_others_gets_the_agent_after_theirs() {
        let all = candidates(&[(3, 50), (1, 70), (2, 40)]);
        assert_eq!(choose_behind(Strategy::LongestIdle, all.clone(), None, 1), vec![id(3)]);
        assert_eq!(choose_behind(Strategy::LongestIdle, all.clone(), None, 3), vec![]);
        assert_eq!(choose_behind(Strategy::RoundRobin, all.clone(), Some(id(2)), 1), vec![id(1)]);
        assert_eq!(choose_behind(Strategy::RingAll, all.clone(), None, 1), vec![]);
        assert_eq!(choose_behind(Strategy::RingAll, all, None, 0), vec![id(2), id(3), id(1)]);
    }

    #[test]
    fn nobody_eligible_is_nobody_offered() {
        for s in Strategy::ALL {
            assert!(choose(s, Vec::new(), Some(id(1))).is_empty());
        }
    }
}
