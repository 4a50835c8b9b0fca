//! Batch commit: changes of one account are decided one after another (each
//! on the state the previous one left), but made durable together. A change
//! that has been decided joins the account's open batch and gives up the
//! writer turn at once; whoever then gets the flush turn writes the whole
//! open batch in one transaction — one fsync for every change that queued
//! behind the previous flush — and answers them all. Nobody is answered
//! before their change is durable, and readers see a change only then.
//!
//! Between decision and durability a change lives in the writers' overlay,
//! which the next drafts read through, so they decide on top of it. If a
//! batch's transaction fails, every change decided on top of it (the next
//! open batch) fails too, and the overlay is emptied: nothing that failed
//! is visible or acknowledged.
//!
//! Each batch knows the sequence number its first event must get: the
//! log's end as this node's writers saw it. When another node appended in
//! between, the store refuses the batch (`Raced`) and its changes are
//! decided again on the latest state (`Live::record`).

use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::sync::{Arc, OnceLock};

use parking_lot::Mutex;

use crate::domain::presence::{Event, Logged, Presence, Shown};
use crate::store::{AgentId, Fence, RecordedCall, StoreError};

/// How a batch ended: every event it logged, numbered, or why it failed.
pub(super) type Outcome = OnceLock<Result<Arc<Vec<Logged>>, Failed>>;

/// Why a batch was not made durable, as each change in it is told.
#[derive(Debug, Clone)]
pub(super) struct Failed {
    pub why: String,
    pub kind: FailedKind,
}

/// What a failed batch's changes are told.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum FailedKind {
    /// The database refused the write (1032).
    Refused,
    /// The database did not answer (worth retrying: 503).
    Unavailable,
    /// Another node appended first: decide again on the latest state.
    Raced,
}

impl Failed {
    /// The store's error, told to every change of the batch.
    pub fn from_store(err: &StoreError) -> Self {
        let why = format!("the change could not be made durable: {err}");
        let kind = match err {
            StoreError::Unavailable(_) => FailedKind::Unavailable,
            StoreError::Raced => FailedKind::Raced,
            _ => FailedKind::Refused,
        };
        Self { why, kind }
    }

    pub fn to_store(&self) -> StoreError {
        match self.kind {
            FailedKind::Unavailable => StoreError::Unavailable(self.why.clone()),
            FailedKind::Raced => StoreError::Raced,
            FailedKind::Refused => StoreError::Other(anyhow::anyhow!("{}", self.why)),
        }
    }
}

/// A change's place in a batch: the outcome to wait for and which of the
/// batch's events are its own.
pub(super) struct Place {
    pub outcome: Arc<Outcome>,
    pub events: Range<usize>,
}

/// Changes made durable in one transaction.
#[derive(Default)]
pub(super) struct Batch {
    pub id: u64,
    /// The sequence number its first event must get.
    pub first: i64,
    /// Set when a change in it is a timed transition (`Live::step`): the
    /// batch is written only while this node holds the timers lease.
    pub fence: Option<Fence>,
    /// A change in it was decided before other nodes' events were folded
    /// in (`followed`) and missed them: the batch is `Raced` without being
    /// written.
    pub stale: bool,
    pub events: Vec<(Event, Shown)>,
    /// Each touched agent's presence after the batch's last change to it.
    pub agents: HashMap<AgentId, Presence>,
    pub outcome: Arc<Outcome>,
}

impl Batch {
    /// The calls the batch records.
    pub fn calls(&self) -> impl Iterator<Item = RecordedCall> + '_ {
        self.events.iter().filter(|(e, _)| e.kind.names_call()).filter_map(|(e, _)| {
            e.call.as_ref().map(|c| RecordedCall {
                agent: e.agent,
                call_id: c.call_id.clone(),
                kind: e.kind,
                attempt: c.attempt,
                device: c.device.clone(),
            })
        })
    }
}

#[derive(Default)]
struct Staged {
    /// Each agent's latest presence not yet durable, and the batch holding it.
    overlay: HashMap<AgentId, (Presence, u64)>,
    /// Calls recorded by batches not yet durable: a retry is a duplicate
    /// before its first copy reaches the log.
    calls: HashSet<RecordedCall>,
    open: Batch,
    /// The sequence number the next staged event gets: the log's end as
    /// this node knows it, plus what is staged.
    next_seq: i64,
    /// The outcome of the batch staged into last (open or being written).
    last: Option<Arc<Outcome>>,
}

/// One account's changes between decision and durability.
pub(super) struct Pending {
    state: Mutex<Staged>,
    /// Held while a batch is written: one flush at a time, in order.
    pub flush_turn: tokio::sync::Mutex<()>,
}

impl Pending {
    /// Nothing pending; the log's next sequence number is `next_seq`.
    pub fn new(next_seq: i64) -> Self {
        Self { state: Mutex::new(Staged { next_seq, ..Staged::default() }), flush_turn: tokio::sync::Mutex::new(()) }
    }

    fn lock(&self) -> parking_lot::MutexGuard<'_, Staged> {
        self.state.lock()
    }

    /// The agent's presence as decided, durable or not.
    pub fn presence(&self, agent: AgentId) -> Option<Presence> {
        self.lock().overlay.get(&agent).map(|(p, _)| p.clone())
    }

    /// What batches not yet durable record of these calls (every agent,
    /// kind and attempt).
    pub fn recorded(&self, call_ids: &[String]) -> Vec<RecordedCall> {
        let state = self.lock();
        state.calls.iter().filter(|k| call_ids.contains(&k.call_id)).cloned().collect()
    }

    /// The sequence number the next staged event would get: a draft notes
    /// it when it begins (`stage` compares).
    pub fn next_seq(&self) -> i64 {
        self.lock().next_seq
    }

    /// Adds a decided change to the open batch (under the writer turn);
    /// `base`: `next_seq` when the change began deciding.
    pub fn stage(
        &self,
        agents: Vec<(AgentId, Presence)>,
        events: Vec<(Event, Shown)>,
        fence: Option<Fence>,
        base: i64,
    ) -> Place {
        let mut state = self.lock();
        let id = state.open.id;
        if base != state.next_seq {
            state.open.stale = true;
        }
        if state.open.events.is_empty() {
            state.open.first = state.next_seq;
        }
        state.next_seq += events.len() as i64;
        if fence.is_some() {
            state.open.fence = fence;
        }
        for (agent, presence) in agents {
            state.overlay.insert(agent, (presence.clone(), id));
            state.open.agents.insert(agent, presence);
        }
        for (event, _) in &events {
            if let (true, Some(call)) = (event.kind.names_call(), &event.call) {
                state.calls.insert(RecordedCall {
                    agent: event.agent,
                    call_id: call.call_id.clone(),
                    kind: event.kind,
                    attempt: call.attempt,
                    device: call.device.clone(),
                });
            }
        }
        let start = state.open.events.len();
        state.open.events.extend(events);
        state.last = Some(state.open.outcome.clone());
        Place { outcome: state.open.outcome.clone(), events: start..state.open.events.len() }
    }

    /// The outcome a decision that read the overlay depends on: the batch
    /// staged into last, while anything staged is not yet durable (each
    /// batch fails when the one before it did, so the last one's outcome
    /// answers for all). `None`: everything decided is durable.
    pub fn last_staged(&self) -> Option<Arc<Outcome>> {
        let state = self.lock();
        if state.overlay.is_empty() && state.open.events.is_empty() { None } else { state.last.clone() }
    }

    /// Other nodes' events up to `applied` were folded in: with nothing
    /// staged, the next change continues the log from there (with
    /// something staged, that was decided on an older state and will be
    /// refused as `Raced`, which resets this).
    pub fn followed(&self, applied: i64) {
        let mut state = self.lock();
        if state.open.events.is_empty() && state.overlay.is_empty() {
            state.next_seq = state.next_seq.max(applied + 1);
        }
    }

    /// Closes the open batch for writing; a new one takes further changes.
    pub fn take_open(&self) -> Batch {
        let mut state = self.lock();
        let next = Batch { id: state.open.id + 1, ..Batch::default() };
        std::mem::replace(&mut state.open, next)
    }

    /// The batch is durable: what it decided is no longer pending (unless a
    /// later batch changed it again).
    pub fn settle(&self, batch: &Batch) {
        let mut state = self.lock();
        state.overlay.retain(|_, (_, id)| *id != batch.id);
        for call in batch.calls() {
            state.calls.remove(&call);
        }
    }

    /// The batch failed: forgets everything pending and fails the open
    /// batch too, whose changes were decided on top of the failed one
    /// (call under the writer turn, so nothing is staged meanwhile); the
    /// next change continues the log after `applied`, the last event the
    /// view holds.
    pub fn fail_open(&self, failed: &Failed, applied: i64) {
        let open = {
            let mut state = self.lock();
            state.overlay.clear();
            state.calls.clear();
            state.next_seq = applied + 1;
            let next = Batch { id: state.open.id + 1, ..Batch::default() };
            std::mem::replace(&mut state.open, next)
        };
        let _ = open.outcome.set(Err(failed.clone()));
    }
}

/// Fails a taken batch that ends without an outcome (a panic mid-flush):
/// its callers get an error instead of waiting forever.
pub(super) struct Unanswered(pub Arc<Outcome>);

impl Drop for Unanswered {
    fn drop(&mut self) {
        let why = "the batch's flush was interrupted".to_string();
        let _ = self.0.set(Err(Failed { why, kind: FailedKind::Refused }));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every change of a batch the database did not take hears why, and a
    /// database that did not answer stays "unavailable" (503 with
    /// Retry-After), never a refusal (1032).
    #[test]
    fn a_failed_batch_keeps_whether_the_database_answered() {
        let down = Failed::from_store(&StoreError::Unavailable("pool timed out".into()));
        assert!(matches!(down.to_store(), StoreError::Unavailable(why) if why.contains("pool timed out")));
        let refused = Failed::from_store(&StoreError::Conflict);
        assert!(matches!(refused.to_store(), StoreError::Other(_)));
        let raced = Failed::from_store(&StoreError::Raced);
        assert_eq!(raced.kind, FailedKind::Raced);
        assert!(matches!(raced.to_store(), StoreError::Raced), "decided again, never answered 1032");
    }

    /// A change decided while other nodes' events were folded in (the log's
    /// end moved under it) must not be written as if it had seen them.
    #[test]
    fn a_change_that_missed_a_catch_up_makes_its_batch_stale() {
        let pending = Pending::new(11);
        let base = pending.next_seq();
        pending.followed(14);
        pending.stage(Vec::new(), Vec::new(), None, base);
        assert!(pending.take_open().stale);
        let base = pending.next_seq();
        assert_eq!(base, 15);
        pending.stage(Vec::new(), Vec::new(), None, base);
        assert!(!pending.take_open().stale, "decided on the latest: written");
    }
}
