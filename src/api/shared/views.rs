//! What several sections show the same way: the current break of an
//! agent, and the whole calls a bounded read of the log makes up.

use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::calls::{self, CallSummary};
use crate::domain::presence::{Logged, Presence};

/// `breakDetail`: the current break as the agent's page shows it.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BreakDetail {
    pub reason: String,
    /// Unix seconds.
    pub start: i64,
    /// Seconds on break so far.
    pub elapsed: i64,
    /// The reason's limit in seconds; `null`: none.
    pub max_duration: Option<i64>,
    /// 1 once the break has run past its limit.
    pub overrun: u8,
}

impl BreakDetail {
    pub fn of(presence: &Presence, now: i64) -> Option<BreakDetail> {
        let b = presence.on_break.as_ref()?;
        Some(BreakDetail {
            reason: b.reason.clone(),
            start: b.started,
            elapsed: (now - b.started).max(0),
            max_duration: b.max,
            overrun: u8::from(b.overrun || b.due().is_some_and(|due| due <= now)),
        })
    }
}

/// The calls `events` make up, newest first, without the oldest one when the
/// read was cut at `max` (its earlier events may be missing).
pub fn whole_calls(events: &[Logged], max: i64, now: i64) -> Vec<CallSummary> {
    let mut summaries = calls::summarise(events, now);
    if events.len() as i64 >= max {
        summaries.pop();
    }
    summaries
}
