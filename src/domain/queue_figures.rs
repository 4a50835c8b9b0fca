//! A group's figures for a day (`Group/queue`, issue 26): the calls that
//! came for it, how many were answered and abandoned, and its service
//! level, folded from the same log as everything else.
//!
//! A call belongs to the group its first fact that names one names (its
//! `queued`, an `offered` leg the routing decision made, or its
//! `abandoned`); it arrived at its first fact. Answered: some agent
//! answered it. Abandoned: the caller left (`abandoned`) and nobody
//! answered it. The service level is the share of the calls that finished
//! waiting (answered or abandoned) that were answered within the group's
//! threshold of arriving, as app_queue's `ServicelevelPerf2` counts
//! abandoned calls against it (its `ServicelevelPerf` leaves them out, which
//! flatters a queue whose callers give up).

use std::collections::{BTreeMap, HashMap};

use super::event::{Kind, Logged};

/// Seconds within which an answer counts for the service level when the
/// group sets none (app_queue's `servicelevel` is often set to 20, the
/// industry's "80/20").
pub const DEFAULT_SERVICE_LEVEL: i64 = 20;

/// One group's calls over a period.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DayFigures {
    /// Calls that came for the group.
    pub offered: u32,
    pub answered: u32,
    pub abandoned: u32,
    /// Answered within the group's threshold of arriving.
    pub answered_within: u32,
}

impl DayFigures {
    /// Percent of the calls that finished waiting answered within the
    /// threshold, to one decimal; `None` before any did.
    pub fn service_level(&self) -> Option<f64> {
        let finished = self.answered + self.abandoned;
        (finished > 0).then(|| (1000.0 * f64::from(self.answered_within) / f64::from(finished)).round() / 10.0)
    }
}

/// What one call did, as its facts tell.
#[derive(Default)]
struct CallFacts {
    group: Option<(i64, i64)>,
    arrived: Option<i64>,
    answered: Option<i64>,
    abandoned: bool,
}

/// Each group's figures from `facts` (any order; the `queued`, `offered`,
/// `answered` and `abandoned` facts of a period). `threshold`: a group's
/// service level seconds.
pub fn day_figures(facts: &[Logged], threshold: impl Fn(i64) -> i64) -> BTreeMap<i64, DayFigures> {
    let mut ordered: Vec<&Logged> = facts.iter().collect();
    ordered.sort_by_key(|l| (l.event.happened(), l.seq));
    let mut calls: HashMap<&str, CallFacts> = HashMap::new();
    for l in ordered {
        let Some(call) = &l.event.call else { continue };
        let at = l.event.happened();
        let this = calls.entry(call.call_id.as_str()).or_default();
        match l.event.kind {
            Kind::Queued | Kind::Offered | Kind::Abandoned => {
                if let (None, Some(g)) = (this.group, call.group) {
                    this.group = Some((g, at));
                }
                this.arrived = this.arrived.or(Some(at));
                this.abandoned |= l.event.kind == Kind::Abandoned;
            }
            Kind::Answered => this.answered = this.answered.or(Some(at)),
            _ => {}
        }
    }
    let mut figures: BTreeMap<i64, DayFigures> = BTreeMap::new();
    for call in calls.values() {
        let Some((group, _)) = call.group else { continue };
        let f = figures.entry(group).or_default();
        f.offered += 1;
        match (call.answered, call.arrived) {
            (Some(answered), Some(arrived)) => {
                f.answered += 1;
                if answered - arrived <= threshold(group) {
                    f.answered_within += 1;
                }
            }
            _ if call.abandoned => f.abandoned += 1,
            _ => {}
        }
    }
    figures
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::event::{Actor, CallRef, Event, State};
    use crate::domain::ids::AgentId;

    fn fact(seq: i64, agent: i64, at: i64, kind: Kind, call_id: &str, group: Option<i64>) -> Logged {
        let mut event = Event::new(AgentId(agent), at, kind, Actor::Telephony);
        event.call = Some(CallRef { call_id: call_id.into(), group, ..CallRef::default() });
        Logged { seq, event, state: State::Offline, state_reason: None }
    }

    #[test]
    fn calls_count_for_the_group_they_came_for() {
        let facts = [
            // a: queued 10 s, then answered at once: within 20 s.
            fact(1, 0, 100, Kind::Queued, "a", Some(1)),
            fact(2, 7, 110, Kind::Offered, "a", Some(1)),
            fact(3, 7, 112, Kind::Answered, "a", None),
            // b: rang 30 s before an answer: outside.
            fact(4, 7, 200, Kind::Offered, "b", Some(1)),
            fact(5, 8, 230, Kind::Answered, "b", None),
            // c: abandoned in the queue.
            fact(6, 0, 300, Kind::Queued, "c", Some(1)),
            fact(7, 0, 340, Kind::Abandoned, "c", Some(1)),
            // d: still ringing, another group.
            fact(8, 9, 400, Kind::Offered, "d", Some(2)),
            // e: no group: not counted.
            fact(9, 9, 500, Kind::Answered, "e", None),
        ];
        let figures = day_figures(&facts, |_| 20);
        assert_eq!(figures[&1], DayFigures { offered: 3, answered: 2, abandoned: 1, answered_within: 1 });
        assert_eq!(figures[&2], DayFigures { offered: 1, ..DayFigures::default() });
        assert_eq!(figures.len(), 2);
        assert_eq!(figures[&1].service_level(), Some(33.3));
        assert_eq!(figures[&2].service_level(), None);
        assert_eq!(day_figures(&facts, |_| 30)[&1].answered_within, 2);
    }

    #[test]
    fn an_answer_after_an_abandon_report_is_an_answer() {
        let facts = [
            fact(1, 7, 100, Kind::Offered, "a", Some(1)),
            fact(3, 0, 105, Kind::Abandoned, "a", Some(1)),
            fact(2, 7, 104, Kind::Answered, "a", None),
        ];
        assert_eq!(
            day_figures(&facts, |_| 20)[&1],
            DayFigures { offered: 1, answered: 1, answered_within: 1, abandoned: 0 }
        );
    }
}
