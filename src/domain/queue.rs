//! The account's call queue (issue 26, item 3): a call that finds nobody
//! who may take it waits for its group, and agents who free up are offered
//! the longest-waiting call of their groups first.
//!
//! The queue is a fold of the one event log like every agent's presence:
//! its facts are logged under agent id 0 (`QUEUE`), which no agent ever
//! has (ids start at 1), and its state is agent 0's presence (`Presence::
//! queue`), so it is batched, made durable, snapshotted, followed by other
//! nodes and streamed by the same path as every other event. Its facts:
//!
//! - `queued`: nobody may take the call now; it waits for its group
//!   (app_queue's `ENTERQUEUE`, mod_callcenter's member `Waiting`);
//! - `dequeued`: an agent was offered the call (the `offered` leg of the
//!   same decision says whom); offered and missed, it queues again and
//!   keeps its place, as an app_queue caller keeps its position while
//!   members ring;
//! - `abandoned`: the caller left before anyone answered, from the queue or
//!   while agents rang (app_queue's `ABANDON`, mod_callcenter's
//!   `Abandoned`), or the telephony stopped waiting (`reason` `timeout`,
//!   app_queue's `EXITWITHTIMEOUT`).

use serde::{Deserialize, Serialize};

use super::event::{Actor, CallRef, Event, Kind};
use super::ids::AgentId;

/// Where the queue's facts are logged: agent id 0, which is no agent.
pub const QUEUE: AgentId = AgentId(0);

/// Seconds a call may wait before the queue forgets it as lost (a
/// telephony that never said the caller left): an hour, twelve times the
/// shipped Kamailio configuration's longest wait.
pub const WAIT_LIMIT: i64 = 3_600;

/// Calls that may wait in one account's queues at once: the queue is part
/// of a snapshot written with every change to it, so it is bounded; a call
/// beyond is refused (`callRoute` 1510) and the telephony answers the
/// caller itself.
pub const MAX_WAITING: usize = 1_000;

/// Seconds a waiting call may go without the telephony asking about it
/// (`callRoute`) before it no longer holds its place or counts as waiting:
/// the telephony asks about every second, and one that stopped asking
/// without reporting `abandoned` lost its caller. Asks are a node's memory,
/// not the log's: with several nodes, a call's asks go to one node
/// (docs/TELEPHONY.md).
pub const QUEUE_SILENCE: i64 = 10;

/// Whether a waiting call still holds its place at `now`: asked about
/// (`last_ask`, this node's memory) within `QUEUE_SILENCE`, or, never
/// asked about here (another node queued it, or this one restarted),
/// queued within it.
pub fn still_waiting(waiting: &Waiting, last_ask: Option<i64>, now: i64) -> bool {
    last_ask.unwrap_or(waiting.since).max(waiting.since) >= now - QUEUE_SILENCE
}

/// Calls offered out of the queue that it remembers, to give one that
/// comes back its place.
const LEFT_KEPT: usize = 64;

/// The calls waiting in an account's groups.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Queue {
    /// Calls waiting, longest-waiting first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub waiting: Vec<Waiting>,
    /// Calls offered out of the queue lately, oldest first: one that queues
    /// again (its offer missed) waits from its first `queued`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    left: Vec<Waiting>,
}

/// One call waiting for a group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Waiting {
    /// The call id, the caller and the group (`call.group`).
    pub call: CallRef,
    /// When it first queued (Unix seconds).
    pub since: i64,
}

impl Waiting {
    /// The group it waits for.
    pub fn group(&self) -> Option<i64> {
        self.call.group
    }
}

impl Queue {
    /// Whether another call may start waiting.
    pub fn is_full(&self) -> bool {
        self.waiting.len() >= MAX_WAITING
    }

    pub fn is_empty(&self) -> bool {
        self.waiting.is_empty() && self.left.is_empty()
    }

    /// The call waiting under this id, if any.
    pub fn find(&self, call_id: &str) -> Option<&Waiting> {
        self.waiting.iter().find(|w| w.call.call_id == call_id)
    }

    /// Folds one of the queue's facts; other kinds change nothing.
    pub fn evolve(&mut self, event: &Event) {
        let Some(call) = &event.call else { return };
        let id = call.call_id.as_str();
        match event.kind {
            Kind::Queued => {
                if self.find(id).is_some() {
                    return;
                }
                let since = match self.left.iter().position(|w| w.call.call_id == id && w.call.group == call.group) {
                    Some(i) => self.left.remove(i).since,
                    None => event.at,
                };
                let mut call = call.clone();
                call.device = String::new();
                self.waiting.push(Waiting { call, since });
                self.waiting.sort_by_key(|w| w.since);
            }
            Kind::Dequeued => {
                if let Some(i) = self.waiting.iter().position(|w| w.call.call_id == id) {
                    let left = self.waiting.remove(i);
                    self.left.push(left);
                    if self.left.len() > LEFT_KEPT {
                        self.left.remove(0);
                    }
                }
            }
            Kind::Abandoned => {
                self.waiting.retain(|w| w.call.call_id != id);
                self.left.retain(|w| w.call.call_id != id);
            }
            _ => return,
        }
        // A call the telephony never said the end of is not kept forever.
        self.waiting.retain(|w| w.since > event.at - WAIT_LIMIT);
        self.left.retain(|w| w.since > event.at - WAIT_LIMIT);
    }

    /// Since when the call waits, or would if it queued at `now`: a call
    /// offered out of the queue lately keeps its first `queued` time.
    pub fn waits_since(&self, call_id: &str, group: i64, now: i64) -> i64 {
        let known = self.waiting.iter().chain(self.left.iter().rev()).find(|w| w.call.call_id == call_id);
        known.filter(|w| w.group() == Some(group)).map_or(now, |w| w.since)
    }

    /// The calls waiting longer than one that waits (or would) since
    /// `since`: those that first queued before it, or at the same second
    /// and are in the queue already.
    pub fn ahead_of(&self, call_id: &str, since: i64) -> impl Iterator<Item = &Waiting> {
        self.waiting.iter().filter(move |w| w.call.call_id != call_id && w.since <= since)
    }

    /// Which entry into the queue the call's latest is (`CallRef::attempt`
    /// of its facts, part of their idempotency key): waiting or offered
    /// out of the queue lately; `None` when the queue does not know it.
    pub fn entry(&self, call_id: &str) -> Option<u32> {
        let known = self.waiting.iter().chain(self.left.iter().rev()).find(|w| w.call.call_id == call_id);
        known.map(|w| w.call.attempt)
    }

    /// The fact `kind` of the queue about `call` at `at`, as the call's
    /// entry `entry`.
    pub fn fact(kind: Kind, at: i64, call: &CallRef, entry: u32, reason: Option<&str>) -> Event {
        let mut event = Event::new(QUEUE, at, kind, Actor::Telephony);
        let mut call = call.clone();
        call.attempt = entry;
        call.device = String::new();
        event.call = Some(call);
        event.reason = reason.map(str::to_string);
        event
    }

    /// The calls waiting for `group` that `alive` keeps (still asked
    /// about), longest-waiting first.
    pub fn of_group(&self, group: i64, alive: impl Fn(&Waiting) -> bool) -> Vec<&Waiting> {
        self.waiting.iter().filter(|w| w.group() == Some(group) && alive(w)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fact(kind: Kind, at: i64, call_id: &str, group: i64) -> Event {
        let mut e = Event::new(QUEUE, at, kind, Actor::Telephony);
        e.call = Some(CallRef { call_id: call_id.into(), group: Some(group), ..CallRef::default() });
        e
    }

    fn ids(q: &Queue) -> Vec<(&str, i64)> {
        q.waiting.iter().map(|w| (w.call.call_id.as_str(), w.since)).collect()
    }

    #[test]
    fn calls_wait_in_the_order_they_came() {
        let mut q = Queue::default();
        for e in [fact(Kind::Queued, 10, "a", 1), fact(Kind::Queued, 12, "b", 1), fact(Kind::Queued, 12, "a", 1)] {
            q.evolve(&e);
        }
        assert_eq!(ids(&q), [("a", 10), ("b", 12)]);
        assert_eq!(q.of_group(1, |w| w.call.call_id != "a").len(), 1);
        assert!(q.of_group(2, |_| true).is_empty());
    }

    #[test]
    fn a_call_offered_and_missed_keeps_its_place() {
        let mut q = Queue::default();
        for e in [
            fact(Kind::Queued, 10, "a", 1),
            fact(Kind::Queued, 11, "b", 1),
            fact(Kind::Dequeued, 20, "a", 1),
            fact(Kind::Queued, 45, "a", 1),
        ] {
            q.evolve(&e);
        }
        assert_eq!(ids(&q), [("a", 10), ("b", 11)]);
        assert_eq!((q.entry("a"), q.entry("c")), (Some(0), None));
    }

    #[test]
    fn an_abandoned_call_leaves_for_good() {
        let mut q = Queue::default();
        for e in [
            fact(Kind::Queued, 10, "a", 1),
            fact(Kind::Dequeued, 20, "a", 1),
            fact(Kind::Abandoned, 25, "a", 1),
            fact(Kind::Queued, 30, "a", 1),
        ] {
            q.evolve(&e);
        }
        // The id used again later is a new call: it waits from its own queueing.
        assert_eq!(ids(&q), [("a", 30)]);
        q.evolve(&fact(Kind::Abandoned, 31, "a", 1));
        assert!(q.is_empty());
    }

    #[test]
    fn a_call_never_ended_is_forgotten_after_a_day() {
        let mut q = Queue::default();
        q.evolve(&fact(Kind::Queued, 10, "a", 1));
        q.evolve(&fact(Kind::Queued, 10 + WAIT_LIMIT, "b", 1));
        assert_eq!(ids(&q), [("b", 10 + WAIT_LIMIT)]);
    }
}
