//! A day of an agent's presence, folded from the state column of its events:
//! the state intervals of `Agent/timeLine`'s `data` and the per-bucket
//! seconds of its `lineChart`.

use std::collections::{BTreeMap, HashMap};

use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::Serialize;
use utoipa::ToSchema;

use super::event::{Logged, State};
use super::ids::AgentId;

/// The smallest and largest `window` a timeline request may ask for.
pub const WINDOW_MIN: i64 = 60;
pub const WINDOW_MAX: i64 = 86_400;
pub const WINDOW_DEFAULT: i64 = 300;

/// `[start, end)` of `date` in `tz`, in Unix seconds (23 or 25 hours on DST days).
pub fn day_bounds(date: Date, tz: &TimeZone) -> Option<(i64, i64)> {
    let start = date.to_zoned_datetime(tz.clone()).ok()?.start_of_day().ok()?;
    let end = date.tomorrow().ok()?.to_zoned_datetime(tz.clone()).ok()?.start_of_day().ok()?;
    Some((start.timestamp().as_second(), end.timestamp().as_second()))
}

/// The calendar date of `at` in `tz`.
pub fn date_of(at: i64, tz: &TimeZone) -> Option<Date> {
    let ts = jiff::Timestamp::from_second(at).ok()?;
    Some(ts.to_zoned_datetime(tz.clone()).date())
}

/// One stretch of time in one state (Unix seconds; `duration` in seconds).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Interval {
    pub state: State,
    pub start: i64,
    pub end: i64,
    pub duration: i64,
    /// Why the agent entered this state (break reason, `ping_lost`, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub reason: Option<String>,
}

/// A state change: at `at` the agent entered `state` (for `reason`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub at: i64,
    pub state: State,
    pub reason: Option<String>,
}

/// The intervals between `from` and `to`, starting in `initial`, changing at
/// each of `changes` (in time order). Adjacent intervals merge only when
/// nothing shown differs (state and reason: a Tea break then a Lunch break
/// are two); empty stretches are dropped.
pub fn intervals(initial: Change, changes: &[Change], from: i64, to: i64) -> Vec<Interval> {
    let mut out: Vec<Interval> = Vec::new();
    let mut current = initial;
    let mut start = from;
    let mut push = |state: State, reason: Option<String>, start: i64, end: i64| {
        if end <= start {
            return;
        }
        match out.last_mut() {
            Some(last) if last.state == state && last.reason == reason && last.end == start => {
                last.end = end;
                last.duration = end - last.start;
            }
            _ => out.push(Interval { state, start, end, duration: end - start, reason }),
        }
    };
    for change in changes {
        let at = change.at.clamp(from, to);
        push(current.state, current.reason.clone(), start, at);
        start = at;
        current = change.clone();
    }
    push(current.state, current.reason, start, to);
    out
}

/// Each agent's day: its state at `start` (from `before`, its latest earlier
/// event), then every change the day's `logged` events made. Agents offline
/// at `start` appear only if they did something that day.
pub fn days(start: i64, before: &[(AgentId, Change)], logged: &[Logged]) -> BTreeMap<AgentId, (Change, Vec<Change>)> {
    let mut days: BTreeMap<AgentId, (Change, Vec<Change>)> = before
        .iter()
        .filter(|(_, c)| c.state != State::Offline)
        .map(|(id, c)| (*id, (Change { at: start, ..c.clone() }, Vec::new())))
        .collect();
    let at_start: HashMap<AgentId, &Change> = before.iter().map(|(id, c)| (*id, c)).collect();
    let offline = Change { at: start, state: State::Offline, reason: None };
    for l in logged {
        let id = l.event.agent;
        let day = days.entry(id).or_insert_with(|| {
            let initial = at_start.get(&id).copied().unwrap_or(&offline);
            (Change { at: start, ..initial.clone() }, Vec::new())
        });
        day.1.push(Change { at: l.event.at, state: l.state, reason: l.state_reason.clone() });
    }
    days
}

/// Seconds per state in each `window`-second bucket of `[day_start, day_end)`,
/// only for states that have any; `offline` is not charted.
pub struct LineChart {
    window: i64,
    day_start: i64,
    buckets: usize,
    seconds: Vec<(State, Vec<i64>)>,
}

impl LineChart {
    pub fn new(day_start: i64, day_end: i64, window: i64) -> Self {
        let buckets = ((day_end - day_start).max(0) + window - 1) / window;
        LineChart { window, day_start, buckets: buckets as usize, seconds: Vec::new() }
    }

    pub fn add(&mut self, interval: &Interval) {
        if interval.state == State::Offline {
            return;
        }
        let buckets = self.buckets;
        let series = match self.seconds.iter().position(|(s, _)| *s == interval.state) {
            Some(i) => &mut self.seconds[i].1,
            None => {
                self.seconds.push((interval.state, vec![0; buckets]));
                &mut self.seconds.last_mut().unwrap().1
            }
        };
        let mut t = interval.start;
        while t < interval.end {
            let bucket = ((t - self.day_start) / self.window) as usize;
            if bucket >= buckets {
                break;
            }
            let bucket_end = self.day_start + (bucket as i64 + 1) * self.window;
            let end = bucket_end.min(interval.end);
            series[bucket] += end - t;
            t = end;
        }
    }

    /// `(state, seconds per bucket)` in the order of `State::ALL`.
    pub fn series(mut self) -> Vec<(State, Vec<i64>)> {
        self.seconds.sort_by_key(|(s, _)| *s);
        self.seconds
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(at: i64, state: State) -> Change {
        Change { at, state, reason: None }
    }

    #[test]
    fn intervals_cover_the_span_and_merge_repeated_states() {
        let got = intervals(
            change(0, State::Offline),
            &[change(100, State::Available), change(150, State::Available), change(200, State::Break)],
            50,
            300,
        );
        let spans: Vec<_> = got.iter().map(|i| (i.state, i.start, i.end, i.duration)).collect();
        assert_eq!(
            spans,
            vec![(State::Offline, 50, 100, 50), (State::Available, 100, 200, 100), (State::Break, 200, 300, 100)]
        );
    }

    #[test]
    fn adjacent_intervals_with_different_reasons_stay_apart() {
        let on = |at, reason: &str| Change { at, state: State::Break, reason: Some(reason.to_string()) };
        let got = intervals(
            change(0, State::Available),
            &[on(10, "Tea"), change(12, State::Available), on(12, "Lunch"), on(13, "Lunch")],
            0,
            14,
        );
        let spans: Vec<_> = got.iter().map(|i| (i.state, i.start, i.end, i.reason.as_deref())).collect();
        assert_eq!(
            spans,
            vec![
                (State::Available, 0, 10, None),
                (State::Break, 10, 12, Some("Tea")),
                (State::Break, 12, 14, Some("Lunch")),
            ]
        );
    }

    #[test]
    fn changes_outside_the_span_are_clipped() {
        let got = intervals(change(0, State::Available), &[change(500, State::Break)], 0, 300);
        assert_eq!(got.len(), 1);
        assert_eq!((got[0].state, got[0].end), (State::Available, 300));
    }

    #[test]
    fn line_chart_splits_an_interval_across_buckets() {
        let mut chart = LineChart::new(0, 900, 300);
        chart.add(&Interval { state: State::OnCall, start: 250, end: 700, duration: 450, reason: None });
        chart.add(&Interval { state: State::Offline, start: 0, end: 250, duration: 250, reason: None });
        chart.add(&Interval { state: State::Available, start: 700, end: 900, duration: 200, reason: None });
        assert_eq!(chart.series(), vec![(State::Available, vec![0, 0, 200]), (State::OnCall, vec![50, 300, 100])]);
    }

    #[test]
    fn a_day_in_a_zone_with_daylight_saving_can_have_23_hours() {
        let tz = TimeZone::get("Europe/Berlin").unwrap();
        let (start, end) = day_bounds(jiff::civil::date(2026, 3, 29), &tz).unwrap();
        assert_eq!(end - start, 23 * 3600);
        let (start, end) = day_bounds(jiff::civil::date(2026, 11, 23), &TimeZone::UTC).unwrap();
        assert_eq!((start, end - start), (1_795_392_000, 86_400));
    }
}
