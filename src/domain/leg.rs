//! One leg of a call: the call as offered to one agent, and the facts the
//! telephony reported about it. A leg's status is a function of the *set*
//! of its facts, so any order of the same facts gives the same leg — the
//! rule both an agent's presence and a call's summary are folded with.
//!
//! A leg may ring several devices of its agent at once (a desk phone and a
//! softphone registered as one extension: the registrar forks). Facts that
//! name their `device` are kept per device, and the leg's own facts follow
//! from them: it is answered when any device answers, ends when the device
//! that answered ends (the others' cancellation is not a hang-up), and is
//! missed when every device stopped ringing unanswered (issue 25).

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
    /// The facts per device, once one names its device (the facts that
    /// named none under `""`); the four times above then follow from them.
    #[serde(rename = "d", default, skip_serializing_if = "Vec::is_empty")]
    pub devices: Vec<Device>,
}

/// One device's facts of a leg.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Device {
    #[serde(rename = "i")]
    pub id: String,
    /// When it was offered, answered, ended, missed (Unix seconds, the
    /// earliest of each).
    #[serde(rename = "t")]
    pub times: [Option<i64>; 4],
}

const OFFERED: usize = 0;
const ANSWERED: usize = 1;
const ENDED: usize = 2;
const MISSED: usize = 3;

impl Device {
    fn slot(&mut self, kind: Kind) -> Option<&mut Option<i64>> {
        let index = match kind {
            Kind::Offered => OFFERED,
            Kind::Answered => ANSWERED,
            Kind::Ended => ENDED,
            Kind::Missed => MISSED,
            _ => return None,
        };
        Some(&mut self.times[index])
    }

    /// When it stopped ringing or was hung up, if it did.
    fn finished(&self) -> Option<i64> {
        [self.times[ENDED], self.times[MISSED]].into_iter().flatten().min()
    }
}

fn earliest(slot: &mut Option<i64>, at: i64) {
    *slot = Some(slot.map_or(at, |t| t.min(at)));
}

impl Leg {
    /// A leg of `call` (facts name their device; the leg does not).
    pub fn new(mut call: CallRef) -> Self {
        call.device = String::new();
        Leg {
            call,
            offered: None,
            answered: None,
            ended: None,
            missed: None,
            closed: false,
            ring_until: None,
            devices: Vec::new(),
        }
    }

    /// Records one fact (`offered`, `answered`, `ended`, `missed`) at `at`.
    pub fn record(&mut self, kind: Kind, at: i64) {
        self.record_on(kind, at, "");
    }

    /// Records one fact about `device` (`""`: the leg as a whole) at `at`.
    pub fn record_on(&mut self, kind: Kind, at: i64, device: &str) {
        if device.is_empty() && self.devices.is_empty() {
            let mut whole = self.as_device();
            if let Some(slot) = whole.slot(kind) {
                earliest(slot, at);
            }
            [self.offered, self.answered, self.ended, self.missed] = whole.times;
            return;
        }
        if self.devices.is_empty() {
            // The first fact naming a device: what came before was the leg's.
            let whole = self.as_device();
            if whole != (Device::default()) {
                self.devices.push(whole);
            }
        }
        let index = match self.devices.iter().position(|d| d.id == device) {
            Some(i) => i,
            None => {
                self.devices.push(Device { id: device.to_string(), ..Device::default() });
                self.devices.len() - 1
            }
        };
        if let Some(slot) = self.devices[index].slot(kind) {
            earliest(slot, at);
        }
        self.follow_devices();
    }

    /// The leg's own facts as the device `""`.
    fn as_device(&self) -> Device {
        Device { id: String::new(), times: [self.offered, self.answered, self.ended, self.missed] }
    }

    /// The leg's four times from its devices' facts.
    fn follow_devices(&mut self) {
        let all = || self.devices.iter();
        let whole = all().find(|d| d.id.is_empty());
        let earliest_of = |i: usize| all().filter_map(|d| d.times[i]).min();
        self.offered = earliest_of(OFFERED);
        let answer =
            all().filter(|d| d.times[ANSWERED].is_some()).min_by_key(|d| (d.times[ANSWERED], !d.id.is_empty()));
        self.answered = answer.and_then(|d| d.times[ANSWERED]);
        self.missed = earliest_of(MISSED);
        self.ended = match answer {
            // Answered without a device: any hang-up ends it.
            Some(d) if d.id.is_empty() => earliest_of(ENDED),
            // Answered on a device: its own hang-up, or the leg's.
            Some(d) => [d.times[ENDED], whole.and_then(|w| w.times[ENDED])].into_iter().flatten().min(),
            None => None,
        };
        if answer.is_none() {
            // Unanswered: over when the leg as a whole is, or when every
            // device rung has stopped ringing (the latest of them).
            let over = whole.and_then(Device::finished).or_else(|| {
                let rung: Vec<&Device> = all().filter(|d| !d.id.is_empty()).collect();
                let every = !rung.is_empty() && rung.iter().all(|d| d.finished().is_some());
                every.then(|| rung.iter().filter_map(|d| d.finished()).max()).flatten()
            });
            self.missed = over;
        }
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

    /// The facts in their order, each rotation and each reversed.
    fn orders_of<T: Clone>(facts: &[T]) -> Vec<Vec<T>> {
        let mut orders = vec![facts.to_vec()];
        for i in 0..facts.len() {
            let mut o = facts.to_vec();
            o.rotate_left(i);
            orders.push(o.clone());
            o.reverse();
            orders.push(o);
        }
        orders
    }

    #[test]
    fn a_leg_is_the_set_of_its_facts_whatever_their_order() {
        let facts = [(Kind::Offered, 100), (Kind::Missed, 110), (Kind::Answered, 109), (Kind::Ended, 170)];
        let orders = orders_of(&facts);
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

    fn forked(facts: &[(Kind, i64, &str)]) -> Leg {
        let mut leg = Leg::new(CallRef::default());
        facts.iter().for_each(|(k, at, d)| leg.record_on(*k, *at, d));
        leg
    }

    #[test]
    fn a_leg_ringing_two_devices_is_the_set_of_their_facts_whatever_their_order() {
        use Kind::*;
        // The desk phone and the softphone ring; the softphone answers; the
        // desk phone's cancellation comes as `ended` (issue 25).
        let facts = [(Offered, 100, "desk"), (Offered, 100, "soft"), (Answered, 105, "soft"), (Ended, 105, "desk")];
        let orders = orders_of(&facts);
        for order in &orders {
            let l = forked(order);
            assert_eq!((l.status(), l.talk(130), l.since()), (LegStatus::Talking, Some((105, 130)), 100), "{order:?}");
            let mut done = l.clone();
            done.record_on(Ended, 160, "soft");
            assert_eq!((done.status(), done.talk(999)), (LegStatus::Talked, Some((105, 160))), "{order:?}");
        }
        // Unanswered: ringing until every device stopped, missed at the last.
        let one = forked(&[(Offered, 100, "desk"), (Offered, 100, "soft"), (Missed, 102, "desk")]);
        assert_eq!(one.status(), LegStatus::Ringing);
        let both =
            forked(&[(Offered, 100, "desk"), (Offered, 100, "soft"), (Missed, 102, "desk"), (Ended, 120, "soft")]);
        assert_eq!((both.status(), both.missed), (LegStatus::Missed, Some(120)));
        // A fact about the leg as a whole (no device) ends it as before.
        let whole = forked(&[(Offered, 100, "desk"), (Offered, 100, "soft"), (Missed, 110, "")]);
        assert_eq!(whole.status(), LegStatus::Missed);
        let hung_up = forked(&[(Offered, 100, ""), (Answered, 105, "soft"), (Ended, 150, "")]);
        assert_eq!((hung_up.status(), hung_up.talk(999)), (LegStatus::Talked, Some((105, 150))));
    }

    #[test]
    fn a_repeated_fact_keeps_its_earliest_time() {
        let l = leg(&[(Kind::Answered, 10), (Kind::Answered, 8), (Kind::Answered, 12)]);
        assert_eq!(l.answered, Some(8));
    }
}
