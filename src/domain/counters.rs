//! An agent's totals for a day, read off the same intervals and call events
//! as its timeline, so the dashboard and the timeline can never disagree.

use serde::Serialize;
use utoipa::ToSchema;

use super::calls::{CallSummary, Outcome};
use super::event::State;
use super::timeline::Interval;

/// Calls counted per call id; times in seconds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Counters {
    pub calls: usize,
    pub answered: usize,
    pub missed: usize,
    /// Every second not offline (stale included: the agent was still logged in).
    pub login_time: i64,
    pub available_time: i64,
    pub ring_time: i64,
    pub talk_time: i64,
    pub wrap_up_time: i64,
    pub break_time: i64,
    pub stale_time: i64,
}

/// Totals of one agent's day: `intervals` from its timeline, `calls` summarised
/// from its own call events (a ring-all call another agent took is missed here).
pub fn count(intervals: &[Interval], calls: &[CallSummary]) -> Counters {
    let mut c = Counters { calls: calls.len(), ..Counters::default() };
    for call in calls {
        match call.status {
            Outcome::Answered | Outcome::InProgress => c.answered += 1,
            Outcome::Missed => c.missed += 1,
            // Counted as a call, neither answered nor missed.
            Outcome::Ringing | Outcome::NoAnswer => {}
        }
    }
    for i in intervals {
        let slot = match i.state {
            State::Offline => continue,
            State::Available => &mut c.available_time,
            State::Ringing => &mut c.ring_time,
            State::OnCall => &mut c.talk_time,
            State::WrapUp => &mut c.wrap_up_time,
            State::Break => &mut c.break_time,
            State::Stale => &mut c.stale_time,
        };
        *slot += i.duration;
        c.login_time += i.duration;
    }
    c
}
