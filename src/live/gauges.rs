//! What the live view tells an operator's graphs, as Prometheus metrics
//! (served at `/metrics` with the API's own):
//!
//! - `agentdesk_agents{state}`: agents per presence state, over the agents
//!   the view holds (every agent that has logged in, of the accounts loaded;
//!   an agent that never logged in is not counted), set at every step;
//! - `agentdesk_events_appended_total`: events made durable in the log;
//! - `agentdesk_decisions_retaken_total`: decisions another node's append
//!   raced, taken again (several nodes: stays 0 while every node holds an
//!   account's writer hold to decide, `hold.rs`);
//! - `agentdesk_ping_flush_lag_seconds`: at the latest ping flush, how old
//!   the oldest ping it wrote was (pings are kept in memory and written
//!   once a second; a growing lag means the flush falls behind);
//! - `agentdesk_pings_flushed_total`: agents' latest pings written;
//! - `agentdesk_stream_subscribers`: event streams open on this server.

use std::collections::HashMap;

use crate::domain::presence::State;

/// Publishes the agents per state (every state, zeros included) and the
/// number of open event streams.
pub(super) fn publish(states: &HashMap<State, usize>, subscribers: usize) {
    for state in State::ALL {
        let n = states.get(&state).copied().unwrap_or(0);
        metrics::gauge!("agentdesk_agents", "state" => state.as_str()).set(n as f64);
    }
    metrics::gauge!("agentdesk_stream_subscribers").set(subscribers as f64);
}

pub(super) fn events_appended(n: usize) {
    metrics::counter!("agentdesk_events_appended_total").increment(n as u64);
}

/// A decision raced by another node's append is taken again.
pub(super) fn decision_retaken() {
    metrics::counter!("agentdesk_decisions_retaken_total").increment(1);
}

/// A ping flush wrote `rows` pings, the oldest received `lag_secs` ago.
pub(super) fn pings_flushed(rows: usize, lag_secs: i64) {
    metrics::counter!("agentdesk_pings_flushed_total").increment(rows as u64);
    metrics::gauge!("agentdesk_ping_flush_lag_seconds").set(lag_secs.max(0) as f64);
}
