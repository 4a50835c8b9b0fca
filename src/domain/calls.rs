//! Calls as a caller or an agent saw them, summarised from the telephony
//! events of the log: who answered, how long they talked, or that nobody did.

use std::collections::HashMap;

use serde::Serialize;

use super::event::{Kind, Logged};

/// How a call went, for one agent or for the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Offered, nothing else yet.
    Ringing,
    /// Answered, not ended yet.
    InProgress,
    Answered,
    /// Not answered: a `missed`, or an `ended` (caller hung up) while ringing.
    Missed,
}

/// One call, folded from its events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CallSummary {
    pub call_id: String,
    pub caller_number: String,
    pub direction: String,
    pub did: String,
    pub status: Outcome,
    /// Who answered; otherwise the last agent it was offered to.
    pub agent_id: i64,
    /// When the first event about it happened.
    pub time: i64,
    /// Seconds from answer to hang-up (0 when not answered; so far when still talking).
    pub duration: i64,
}

#[derive(Default)]
struct Fold {
    first: i64,
    last_agent: i64,
    answered: Option<(i64, i64)>,
    ended: Option<i64>,
    not_answered: bool,
}

/// Summarises `events` (any order, any agents) per call, newest call first.
/// `now` measures a call still in progress.
pub fn summarise<'a>(events: impl IntoIterator<Item = &'a Logged>, now: i64) -> Vec<CallSummary> {
    let mut folds: HashMap<&str, (Fold, &'a Logged)> = HashMap::new();
    let mut ordered: Vec<&'a Logged> = events.into_iter().filter(|l| l.event.kind.is_call()).collect();
    ordered.sort_by_key(|l| (l.event.at, l.seq));
    for l in &ordered {
        let Some(call) = &l.event.call else { continue };
        let (fold, _) = folds.entry(call.call_id.as_str()).or_insert_with(|| {
            (Fold { first: l.event.at, ..Fold::default() }, l)
        });
        match l.event.kind {
            Kind::Answered => fold.answered = fold.answered.or(Some((l.event.agent, l.event.at))),
            Kind::Ended => {
                fold.ended = Some(l.event.at);
                fold.not_answered = true;
            }
            Kind::Missed => fold.not_answered = true,
            _ => {}
        }
        fold.last_agent = l.event.agent;
    }
    let mut calls: Vec<CallSummary> = folds
        .into_iter()
        .map(|(call_id, (f, first))| {
            let call = first.event.call.as_ref().expect("call events carry their call");
            let (status, agent_id, duration) = match f.answered {
                Some((agent, at)) => match f.ended {
                    Some(end) => (Outcome::Answered, agent, (end - at).max(0)),
                    None => (Outcome::InProgress, agent, (now - at).max(0)),
                },
                None if f.not_answered => (Outcome::Missed, f.last_agent, 0),
                None => (Outcome::Ringing, f.last_agent, 0),
            };
            CallSummary {
                call_id: call_id.to_string(),
                caller_number: call.caller_number.clone(),
                direction: call.direction.clone(),
                did: call.did.clone(),
                status,
                agent_id,
                time: f.first,
                duration,
            }
        })
        .collect();
    calls.sort_by(|a, b| b.time.cmp(&a.time).then_with(|| b.call_id.cmp(&a.call_id)));
    calls
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::event::{Actor, CallRef, Event, State};

    fn ev(seq: i64, agent: i64, at: i64, kind: Kind, call: &str) -> Logged {
        let mut event = Event::new(agent, at, kind, Actor::Telephony);
        event.call = Some(CallRef {
            call_id: call.to_string(),
            caller_number: "919876543210".to_string(),
            direction: "inbound".to_string(),
            did: String::new(),
        });
        Logged { seq, event, state: State::Available }
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
        assert_eq!((calls[0].status, calls[0].agent_id, calls[0].duration, calls[0].time), (Outcome::Answered, 2, 25, 100));
    }
}
