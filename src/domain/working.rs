//! Working hours: which weekdays and which minutes of the day (0–1439) an
//! agent works, as DeepCall's `working` entries `{wDays, from, to}`.

use serde_json::Value;

pub const DAYS: [&str; 7] = ["MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"];
pub const LAST_MINUTE: i64 = 1439;
/// More entries than this is a client bug, not a schedule.
pub const MAX_ENTRIES: usize = 21;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkingTime {
    pub days: Vec<&'static str>,
    pub from: i64,
    pub to: i64,
}

/// Why a `working` value was refused: its shape (1511) or its times (1530).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorkingError {
    Format,
    Range,
}

/// A refused `working` value: which error, where inside `working`
/// (`["0", "from"]`, empty for the whole list) and what that place takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadWorking {
    pub error: WorkingError,
    pub at: Vec<String>,
    pub takes: String,
}

/// The days a `wDays` list takes, for a refusal.
const DAY_LIST: &str = "MON, TUE, WED, THU, FRI, SAT, SUN";
/// What `from` and `to` take, for a refusal.
const MINUTES: &str = "minutes after midnight, 0 to 1439";

fn bad(error: WorkingError, at: &[&str], takes: impl Into<String>) -> BadWorking {
    BadWorking { error, at: at.iter().map(|s| s.to_string()).collect(), takes: takes.into() }
}

impl WorkingTime {
    /// Stored form of `days`: `"MON,TUE"`.
    pub fn days_text(&self) -> String {
        self.days.join(",")
    }

    pub fn from_stored(days: &str, from: i64, to: i64) -> Self {
        let days = days.split(',').filter_map(day).collect();
        Self { days, from, to }
    }
}

fn day(raw: &str) -> Option<&'static str> {
    let upper = raw.trim().to_ascii_uppercase();
    DAYS.iter().copied().find(|d| *d == upper)
}

/// `from` or `to` of entry `index`: an integer (its range is checked after both are read).
fn minute(object: &serde_json::Map<String, Value>, index: &str, key: &str) -> Result<i64, BadWorking> {
    let Some(value) = object.get(key) else {
        return Err(bad(WorkingError::Format, &[index, key], format!("{key} is required: {MINUTES}")));
    };
    value.as_i64().ok_or_else(|| bad(WorkingError::Format, &[index, key], format!("{key} must be {MINUTES}")))
}

/// Parses a `working` array. Days are de-duplicated and kept in week order;
/// `from` must not be after `to` (an entry of `0`–`0` means "no hours that day",
/// as in seed 002).
pub fn parse_working(value: &Value) -> Result<Vec<WorkingTime>, BadWorking> {
    let entries = value
        .as_array()
        .ok_or_else(|| bad(WorkingError::Format, &[], "working must be a list of {wDays, from, to}"))?;
    if entries.len() > MAX_ENTRIES {
        return Err(bad(WorkingError::Format, &[], format!("working takes at most {MAX_ENTRIES} entries")));
    }
    entries.iter().enumerate().map(|(i, entry)| parse_entry(&i.to_string(), entry)).collect()
}

fn parse_entry(index: &str, entry: &Value) -> Result<WorkingTime, BadWorking> {
    let format = WorkingError::Format;
    let object = entry.as_object().ok_or_else(|| bad(format, &[index], "an entry must be {wDays, from, to}"))?;
    let raw_days = match object.get("wDays") {
        None => return Err(bad(format, &[index, "wDays"], format!("wDays is required: a list of {DAY_LIST}"))),
        Some(Value::Array(days)) if !days.is_empty() => days,
        Some(_) => return Err(bad(format, &[index, "wDays"], format!("wDays must be a list of {DAY_LIST}"))),
    };
    let mut wanted = Vec::with_capacity(raw_days.len());
    for (j, d) in raw_days.iter().enumerate() {
        let at = j.to_string();
        wanted.push(
            d.as_str().and_then(day).ok_or_else(|| {
                bad(format, &[index, "wDays", &at], "a day must be MON, TUE, WED, THU, FRI, SAT or SUN")
            })?,
        );
    }
    let days = DAYS.iter().copied().filter(|d| wanted.contains(d)).collect();
    let from = minute(object, index, "from")?;
    let to = minute(object, index, "to")?;
    // Both read before either is checked: a shape error (1511) wins over a range error (1530).
    for (key, m) in [("from", from), ("to", to)] {
        if !(0..=LAST_MINUTE).contains(&m) {
            return Err(bad(WorkingError::Range, &[index, key], format!("{key} must be {MINUTES}")));
        }
    }
    if from > to {
        return Err(bad(WorkingError::Range, &[index, "to"], format!("to must not be before from ({from})")));
    }
    Ok(WorkingTime { days, from, to })
}

/// Whether a schedule has the agent working on `day` (`MON`…`SUN`) at
/// `minute` of the day (0–1439, both in the account's time zone). No
/// entries: no schedule, always. `to` is the last minute worked; an entry
/// of `0`–`0` works no minute (seed 002's "no hours that day").
pub fn works_at(entries: &[WorkingTime], day: &str, minute: i64) -> bool {
    entries.is_empty()
        || entries.iter().any(|w| w.to > w.from && w.days.contains(&day) && (w.from..=w.to).contains(&minute))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_schedule_holds_its_days_and_minutes_only() {
        let w = parse_working(&json!([{"wDays":["MON","TUE"],"from":540,"to":1080}])).unwrap();
        assert!(works_at(&w, "MON", 540) && works_at(&w, "TUE", 1080));
        assert!(!works_at(&w, "MON", 539) && !works_at(&w, "MON", 1081) && !works_at(&w, "WED", 600));
        assert!(works_at(&[], "SUN", 0), "no schedule: always");
        let none = parse_working(&json!([{"wDays":["MON"],"from":0,"to":0}])).unwrap();
        assert!(!works_at(&none, "MON", 0));
    }

    #[test]
    fn entries_parse_in_week_order() {
        let w = parse_working(&json!([{"wDays":["wed","TUE","TUE"],"from":60,"to":360}])).unwrap();
        assert_eq!(w, vec![WorkingTime { days: vec!["TUE", "WED"], from: 60, to: 360 }]);
        assert_eq!(parse_working(&json!([])).unwrap(), vec![]);
    }

    #[test]
    fn shape_errors_and_range_errors_are_told_apart() {
        for bad in [
            json!({}),
            json!([1]),
            json!([{"wDays":"MON","from":0,"to":1}]),
            json!([{"wDays":["XYZ"],"from":0,"to":1}]),
            json!([{"wDays":[],"from":0,"to":1}]),
            json!([{"wDays":["MON"],"from":"a","to":1}]),
            json!([{"wDays":["MON"],"to":1}]),
        ] {
            assert_eq!(parse_working(&bad).map_err(|e| e.error), Err(WorkingError::Format), "{bad}");
        }
        for bad in [
            json!([{"wDays":["MON"],"from":0,"to":1440}]),
            json!([{"wDays":["MON"],"from":-1,"to":5}]),
            json!([{"wDays":["MON"],"from":600,"to":500}]),
        ] {
            assert_eq!(parse_working(&bad).map_err(|e| e.error), Err(WorkingError::Range), "{bad}");
        }
    }
}
