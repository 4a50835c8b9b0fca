//! One leg of a call: the call as offered to one agent, and the facts the
//! telephony reported about it. A leg's status is a function of the *set*
//! of its facts, so any order of the same facts gives the same leg — the
//! rule both an agent's presence and a call's summary are folded with.

use serde::{Deserialize, Serialize};

use super::event::{CallRef, Kind};

/// Where a leg stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LegStatus {
    /// Offered, nothing else yet.
    Ringing,
    /// Answered and not ended (an answer wins over a `missed` that raced it).
    Talking,
    /// Answered, then ended.
    Talked,
    /// Ended or missed without an answer: the losers of a ring-all, a caller
    /// who hung up while it rang, the PBX cancelling the other legs.
    Missed,
}

/// One leg: each fact's time (Unix seconds, as the telephony reported it;
/// the earliest wins when a fact is repeated). Agents' snapshots hold up
/// to 32 of these and are written with every change of the agent, so the
/// stored keys are one letter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Leg {
    #[serde(rename = "c")]
    pub call: CallRef,
    #[serde(rename = "o", default, skip_serializing_if = "Option::is_none")]
    pub offered: Option<i64>,
    #[serde(rename = "a", default, skip_serializing_if = "Option::is_none")]
    pub answered: Option<i64>,
    #[serde(rename = "e", default, skip_serializing_if = "Option::is_none")]
    pub ended: Option<i64>,
    #[serde(rename = "m", default, skip_serializing_if = "Option::is_none")]
    pub missed: Option<i64>,
    /// The agent left (logout, heartbeat lost) while the leg was active: it
    /// is kept to recognise late facts but no longer holds the agent.
    #[serde(rename = "x", default, skip_serializing_if = "std::ops::Not::not")]
    pub closed: bool,
    /// Offered by the routing decision: when it stops ringing if the
    /// telephony never says (`callRoute`'s ring timeout and a margin).
    #[serde(rename = "r", default, skip_serializing_if = "Option::is_none")]
    pub ring_until: Option<i64>,
}

impl Leg {
    pub fn new(call: CallRef) -> Self {
        Leg { call, offered: None, answered: None, ended: None, missed: None, closed: false, ring_until: None }
    }

    /// Records one fact (`offered`, `answered`, `ended`, `missed`) at `at`.
    pub fn record(&mut self, kind: Kind, at: i64) {
        let slot = match kind {
            Kind::Offered => &mut self.offered,
            Kind::Answered => &mut self.answered,
            Kind::Ended => &mut self.ended,
            Kind::Missed => &mut self.missed,
            _ => return,
        };
        *slot = Some(slot.map_or(at, |t| t.min(at)));
    }

    pub fn status(&self) -> LegStatus {
        match (self.answered, self.ended) {
            (Some(_), Some(_)) => LegStatus::Talked,
            (Some(_), None) => LegStatus::Talking,
            (None, Some(_)) => LegStatus::Missed,
            (None, None) if self.missed.is_some() => LegStatus::Missed,
            (None, None) => LegStatus::Ringing,
        }
    }

    /// Whether the leg holds its agent: it rings or is talked on.
    pub fn active(&self) -> bool {
        !self.closed && matches!(self.status(), LegStatus::Ringing | LegStatus::Talking)
    }

    /// When the leg began: its offer, else its first fact.
    pub fn since(&self) -> i64 {
        self.offered
            .or_else(|| [self.answered, self.ended, self.missed].into_iter().flatten().min())
            .unwrap_or_default()
    }

    /// Whether it holds a fact of this kind.
    pub fn has(&self, kind: Kind) -> bool {
        match kind {
            Kind::Offered => self.offered.is_some(),
            Kind::Answered => self.answered.is_some(),
            Kind::Ended => self.ended.is_some(),
            Kind::Missed => self.missed.is_some(),
            _ => false,
        }
    }

    /// The time of its latest fact.
    pub fn last_fact(&self) -> Option<i64> {
        [self.offered, self.answered, self.ended, self.missed].into_iter().flatten().max()
    }

    /// `[answer, hang-up)` of a leg that was talked on; a leg still talking
    /// ends at `now`.
    pub fn talk(&self, now: i64) -> Option<(i64, i64)> {
        let answered = self.answered?;
        Some((answered, self.ended.unwrap_or(now).max(answered)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leg(facts: &[(Kind, i64)]) -> Leg {
        let mut leg = Leg::new(CallRef::default());
        facts.iter().for_each(|(k, at)| leg.record(*k, *at));
        leg
    }

    #[test]
    fn a_leg_is_the_set_of_its_facts_whatever_their_order() {
        let facts = [(Kind::Offered, 100), (Kind::Missed, 110), (Kind::Answered, 109), (Kind::Ended, 170)];
        let mut orders = vec![facts.to_vec()];
        for i in 0..facts.len() {
            let mut o = facts.to_vec();
            o.rotate_left(i);
            orders.push(o.clone());
            o.reverse();
            orders.push(o);
        }
        for order in orders {
            let l = leg(&order);
            assert_eq!((l.status(), l.talk(999), l.since()), (LegStatus::Talked, Some((109, 170)), 100), "{order:?}");
        }
    }

    #[test]
    fn each_status_follows_from_the_facts() {
        assert_eq!(leg(&[(Kind::Offered, 1)]).status(), LegStatus::Ringing);
        assert_eq!(leg(&[(Kind::Offered, 1), (Kind::Ended, 5)]).status(), LegStatus::Missed);
        assert_eq!(leg(&[(Kind::Offered, 1), (Kind::Missed, 5)]).status(), LegStatus::Missed);
        assert_eq!(leg(&[(Kind::Missed, 5), (Kind::Answered, 4)]).status(), LegStatus::Talking);
        assert_eq!(leg(&[(Kind::Answered, 4)]).since(), 4);
        assert_eq!(leg(&[(Kind::Answered, 4), (Kind::Ended, 3)]).talk(0), Some((4, 4)));
    }

    #[test]
    fn a_repeated_fact_keeps_its_earliest_time() {
        let l = leg(&[(Kind::Answered, 10), (Kind::Answered, 8), (Kind::Answered, 12)]);
        assert_eq!(l.answered, Some(8));
    }
}
