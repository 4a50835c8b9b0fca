//! Calls as a caller or an agent saw them, summarised from the telephony
//! events of the log: who answered, how long they talked, or that nobody did.
//! Fed one agent's events, each call is that agent's leg (a ring-all call
//! another agent took is missed for this one).

use std::collections::HashMap;

use serde::Serialize;
use utoipa::ToSchema;

use super::event::{CallRef, Kind, Logged, State};
use super::ids::AgentId;
use super::leg::{Leg, LegStatus};

/// How a call went, for one agent or for the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// A leg still rings for an agent who was online when it was offered.
    Ringing,
    /// A leg is answered and not ended yet, or one was answered and another
    /// rings now (a transfer).
    InProgress,
    /// Every leg answered has ended.
    Answered,
    /// No leg was ever answered, and none rings for an agent who can be
    /// rung (a leg offered to an offline agent never rings).
    Missed,
    /// An outbound call nobody answered: the agent dialled and the other end
    /// did not pick up. Not a missed call — nobody waits to be called back
    /// (issue 25: it counted as missed and gave a callback tag).
    NoAnswer,
}

/// One call, folded from the facts about all its legs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CallSummary {
    pub call_id: String,
    pub caller_number: String,
    pub direction: String,
    pub did: String,
    pub status: Outcome,
    /// The first agent who answered; otherwise the last it was offered to.
    pub agent_id: i64,
    /// When its first fact happened (Unix seconds).
    pub time: i64,
    /// Talk seconds: while at least one leg was answered and not ended (0
    /// when never answered; so far when still talking).
    pub duration: i64,
}

/// One agent's leg of a call, and whether the agent could be rung.
struct AgentLeg {
    agent: AgentId,
    leg: Leg,
    reachable: bool,
}

/// Summarises `events` (any order, any agents) per call, newest call first:
/// each agent's facts make its leg (`leg.rs`), the legs make the call.
/// `now` measures a call still in progress.
pub fn summarise<'a>(events: impl IntoIterator<Item = &'a Logged>, now: i64) -> Vec<CallSummary> {
    let mut summaries: Vec<CallSummary> = calls_of(events).into_iter().map(|call| summary(call.legs, now)).collect();
    summaries.sort_by(|a, b| b.time.cmp(&a.time).then_with(|| b.call_id.cmp(&a.call_id)));
    summaries
}

/// One call: each agent's legs (one per attempt) and the facts they fold.
pub struct Call<'a> {
    legs: Vec<AgentLeg>,
    /// The call's facts, oldest first.
    pub facts: Vec<&'a Logged>,
}

/// The calls `events` (any order, any agents) hold, each with its facts: an
/// id used again for a new call (`starts_another`) is another call. Each
/// call's first fact comes first, and so does the first call of an id.
pub fn calls_of<'a>(events: impl IntoIterator<Item = &'a Logged>) -> Vec<Call<'a>> {
    let mut calls: HashMap<&'a str, Vec<Call<'a>>> = HashMap::new();
    // Oldest first: a call's number, direction and DID are those of its first fact.
    let mut ordered: Vec<&'a Logged> = events.into_iter().filter(|l| l.event.kind.is_call()).collect();
    ordered.sort_by_key(|l| (l.event.happened(), l.seq));
    let same = |g: &AgentLeg, l: &Logged, call: &CallRef| g.agent == l.event.agent && g.leg.call.same_leg(call);
    for l in ordered {
        let Some(call) = &l.event.call else { continue };
        let instances = calls.entry(call.call_id.as_str()).or_default();
        let found = instances.iter().rposition(|c| c.legs.iter().any(|g| same(g, l, call)));
        let at = match found {
            Some(i) => i,
            None => {
                if instances.last().is_none_or(|c| starts_another(&c.legs, l)) {
                    instances.push(Call { legs: Vec::new(), facts: Vec::new() });
                }
                instances.len() - 1
            }
        };
        let this = &mut instances[at];
        this.facts.push(l);
        let index = match this.legs.iter().position(|g| same(g, l, call)) {
            Some(i) => i,
            None => {
                this.legs.push(AgentLeg { agent: l.event.agent, leg: Leg::new(call.clone()), reachable: false });
                this.legs.len() - 1
            }
        };
        let g = &mut this.legs[index];
        g.leg.record_on(l.event.kind, l.event.happened(), &call.device);
        // An offer logged while the agent was offline did not ring it.
        g.reachable |= l.event.kind == Kind::Offered && l.state != State::Offline;
    }
    calls.into_values().flatten().collect()
}

/// How long after its last fact a call's id may ring again as the same
/// call (a queue's retry, a transfer that comes back); later, it is a new
/// call under a reused id (a PBX restart).
const SAME_CALL_WITHIN: i64 = 3600;

/// Whether a fact that opens a leg the call does not have yet (`l`) is a
/// new call under the same id: every leg so far is over, and the caller is
/// another or the last fact is long past (issue 25).
fn starts_another(legs: &[AgentLeg], l: &Logged) -> bool {
    let (Some(call), Some(first)) = (&l.event.call, legs.first()) else { return false };
    if legs.iter().any(|g| g.leg.active()) {
        return false;
    }
    let last = legs.iter().filter_map(|g| g.leg.last_fact()).max().unwrap_or(i64::MIN);
    let caller = &first.leg.call.caller_number;
    let other_caller = !caller.is_empty() && !call.caller_number.is_empty() && *caller != call.caller_number;
    other_caller || l.event.happened() > last.saturating_add(SAME_CALL_WITHIN)
}

fn summary(mut legs: Vec<AgentLeg>, now: i64) -> CallSummary {
    // Oldest leg first, so "first" and "last" follow the call's own times.
    legs.sort_by_key(|g| (g.leg.since(), g.agent));
    let status_of = |g: &AgentLeg| g.leg.status();
    let answered: Vec<&AgentLeg> = legs.iter().filter(|g| g.leg.answered.is_some()).collect();
    let ringing = legs.iter().any(|g| g.reachable && status_of(g) == LegStatus::Ringing);
    let status = if answered.iter().any(|g| status_of(g) == LegStatus::Talking) {
        Outcome::InProgress
    } else if !answered.is_empty() && ringing {
        // Answered, and now ringing another agent: a transfer, the caller
        // still on the line (issue 25: it read as finished).
        Outcome::InProgress
    } else if !answered.is_empty() {
        Outcome::Answered
    } else if ringing {
        Outcome::Ringing
    } else if legs[0].leg.call.direction == "outbound" {
        Outcome::NoAnswer
    } else {
        Outcome::Missed
    };
    // `summary` is only called with at least one leg.
    let agent_id = match answered.iter().min_by_key(|g| (g.leg.answered, g.agent)) {
        Some(first) => first.agent.get(),
        None => legs.last().map_or(0, |g| g.agent.get()),
    };
    let first = &legs[0].leg;
    CallSummary {
        call_id: first.call.call_id.clone(),
        caller_number: first.call.caller_number.clone(),
        direction: first.call.direction.clone(),
        did: first.call.did.clone(),
        status,
        agent_id,
        time: legs.iter().map(|g| g.leg.since()).min().unwrap_or_default(),
        duration: union_seconds(answered.iter().filter_map(|g| g.leg.talk(now)).collect()),
    }
}

/// Seconds covered by at least one of `spans` (`[start, end)`).
fn union_seconds(mut spans: Vec<(i64, i64)>) -> i64 {
    spans.sort_unstable();
    let mut total = 0;
    let mut covered_to = i64::MIN;
    for (start, end) in spans {
        let start = start.max(covered_to);
        if end > start {
            total += end - start;
            covered_to = end;
        }
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::event::{Actor, CallRef, Event};

    fn ev(seq: i64, agent: i64, at: i64, kind: Kind, call: &str) -> Logged {
        let mut event = Event::new(AgentId(agent), at, kind, Actor::Telephony);
        event.call = Some(CallRef {
            call_id: call.to_string(),
            caller_number: "919876543210".to_string(),
            direction: "inbound".to_string(),
            did: String::new(),
            group: None,
            attempt: 0,
            device: String::new(),
        });
        Logged { seq, event, state: State::Available, state_reason: None }
    }

    #[test]
    fn each_call_gets_its_outcome_and_talk_time() {
        let events = [
            ev(1, 1, 100, Kind::Offered, "a"),
            ev(2, 1, 105, Kind::Answered, "a"),
            ev(3, 1, 165, Kind::Ended, "a"),
            ev(4, 2, 200, Kind::Offered, "b"),
            ev(5, 2, 220, Kind::Missed, "b"),
            ev(6, 1, 300, Kind::Offered, "c"),
            ev(7, 1, 310, Kind::Ended, "c"),
            ev(8, 2, 400, Kind::Offered, "d"),
            ev(9, 2, 402, Kind::Answered, "d"),
            ev(10, 1, 500, Kind::Offered, "e"),
        ];
        let calls = summarise(&events, 450);
        let got: Vec<(&str, Outcome, i64, i64)> =
            calls.iter().map(|c| (c.call_id.as_str(), c.status, c.agent_id, c.duration)).collect();
        assert_eq!(
            got,
            [
                ("e", Outcome::Ringing, 1, 0),
                ("d", Outcome::InProgress, 2, 48),
                ("c", Outcome::Missed, 1, 0),
                ("b", Outcome::Missed, 2, 0),
                ("a", Outcome::Answered, 1, 60),
            ]
        );
    }

    #[test]
    fn ring_all_is_answered_by_whoever_took_it_whatever_the_order() {
        let events = [
            ev(4, 2, 105, Kind::Answered, "x"),
            ev(1, 1, 100, Kind::Offered, "x"),
            ev(2, 2, 100, Kind::Offered, "x"),
            ev(3, 1, 105, Kind::Missed, "x"),
            ev(5, 2, 130, Kind::Ended, "x"),
        ];
        let calls = summarise(&events, 1000);
        assert_eq!(calls.len(), 1);
        assert_eq!(
            (calls[0].status, calls[0].agent_id, calls[0].duration, calls[0].time),
            (Outcome::Answered, 2, 25, 100)
        );
    }

    #[test]
    fn a_call_is_in_progress_until_its_last_answered_leg_ends_and_talk_is_counted_once() {
        // A transfers to B at 130; B consults C from 150 to 170 (C's leg overlaps B's).
        let mut events = vec![
            ev(1, 1, 100, Kind::Answered, "t"),
            ev(2, 2, 125, Kind::Offered, "t"),
            ev(3, 2, 130, Kind::Answered, "t"),
            ev(4, 1, 130, Kind::Ended, "t"),
            ev(5, 3, 150, Kind::Answered, "t"),
            ev(6, 3, 170, Kind::Ended, "t"),
        ];
        let calls = summarise(&events, 180);
        assert_eq!((calls[0].status, calls[0].agent_id, calls[0].duration), (Outcome::InProgress, 1, 80));
        events.push(ev(7, 2, 200, Kind::Ended, "t"));
        let calls = summarise(&events, 999);
        assert_eq!((calls[0].status, calls[0].agent_id, calls[0].duration), (Outcome::Answered, 1, 100));
    }

    #[test]
    fn a_leg_offered_to_an_offline_agent_does_not_ring() {
        let mut offline = ev(1, 1, 100, Kind::Offered, "o");
        offline.state = State::Offline;
        assert_eq!(summarise(&[offline.clone()], 200)[0].status, Outcome::Missed);
        let online = ev(2, 2, 100, Kind::Offered, "o");
        assert_eq!(summarise(&[offline.clone(), online], 200)[0].status, Outcome::Ringing, "another leg still rings");
        let answered = ev(3, 1, 110, Kind::Answered, "o");
        assert_eq!(
            summarise(&[offline, answered], 200)[0].status,
            Outcome::InProgress,
            "the telephony says it was answered"
        );
    }

    #[test]
    fn union_seconds_counts_overlaps_once() {
        assert_eq!(union_seconds(vec![(0, 10), (5, 15), (20, 25), (21, 22)]), 20);
        assert_eq!(union_seconds(vec![]), 0);
    }
}
