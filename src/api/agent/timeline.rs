//! `Agent/timeLine`: a day of the account's (or one agent's) event log —
//! the events, each agent's state intervals and the per-bucket line chart.

use std::collections::{BTreeMap, HashMap};

use axum::http::StatusCode;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::Serialize;
use serde_json::{Map, Value};

use super::super::auth::authenticate;
use super::super::error::{ApiError, ApiResult};
use super::super::events::EventView;
use super::live::scope;
use crate::domain::presence::{Logged, State};
use crate::domain::timeline::{self, interval_reason, Change, Interval, LineChart, WINDOW_DEFAULT, WINDOW_MAX, WINDOW_MIN};
use crate::store::EventQuery;
use crate::wire::body::id_value;
use crate::wire::errors::{agent as codes, global};
use crate::wire::{reply, Body};
use crate::AppState;

/// What the request's `filter` array asks for.
#[derive(Default)]
struct Filter {
    date: Option<Date>,
    agent: Option<i64>,
}

/// `YYYY-MM-DD` and nothing else (1028).
fn parse_date(value: &Value) -> Result<Date, ApiError> {
    let text = value.as_str().ok_or(global::INVALID_DATE_FORMAT)?;
    let shaped = text.len() == 10
        && text.char_indices().all(|(i, c)| if i == 4 || i == 7 { c == '-' } else { c.is_ascii_digit() });
    if !shaped {
        return Err(global::INVALID_DATE_FORMAT.into());
    }
    text.parse::<Date>().map_err(|_| global::INVALID_DATE_FORMAT.into())
}

/// `filter`: `[{"key":K,"value":V}, …]`, items `{K:V}` accepted too. Keys
/// `date` (1028) and `agentId` (1509); anything else → 1502.
fn parse_filter(body: &Body) -> Result<Filter, ApiError> {
    let mut filter = Filter::default();
    let items = match body.get("filter") {
        None => return Ok(filter),
        Some(Value::Array(items)) => items,
        Some(_) => return Err(codes::INVALID_FILTER_VALUE.into()),
    };
    for item in items {
        let Value::Object(map) = item else { return Err(codes::INVALID_FILTER_VALUE.into()) };
        let (key, value) = match (map.get("key"), map.get("value")) {
            (Some(Value::String(k)), Some(v)) if map.len() == 2 => (k.as_str(), v),
            _ if map.len() == 1 => map.iter().next().map(|(k, v)| (k.as_str(), v)).expect("one entry"),
            _ => return Err(codes::INVALID_FILTER_VALUE.into()),
        };
        match key {
            "date" => filter.date = Some(parse_date(value)?),
            "agentId" | "agentid" => filter.agent = Some(id_value(value).map_err(|_| codes::INVALID_AGENT_ID)?),
            _ => return Err(codes::INVALID_FILTER_VALUE.into()),
        }
    }
    Ok(filter)
}

#[derive(Serialize)]
#[allow(non_snake_case)]
struct TimelineReply<'a> {
    agEvent: Vec<EventView<'a>>,
    event: Vec<EventView<'a>>,
    data: BTreeMap<String, Vec<Interval>>,
    lineChart: Map<String, Value>,
    window: i64,
    status: &'static str,
    code: u16,
    /// The highest sequence number returned (or the request's, when nothing is newer).
    lstSync: i64,
}

/// `Agent/timeLine` `{[filter], [window], [lstSync], [all]}`.
pub async fn timeline(state: AppState, body: Body) -> ApiResult {
    let who = authenticate(&state, &body).await?;
    let filter = parse_filter(&body)?;
    let agent = scope(&who, filter.agent)?;
    if let Some(id) = filter.agent
        && state.store.agent_path(&who.account, id).await?.is_none()
    {
        return Err(codes::INVALID_AGENT_ID.into());
    }
    let bad = |_| codes::INVALID_FILTER_VALUE;
    let window = body.int_in("window", WINDOW_MIN..=WINDOW_MAX).map_err(bad)?.unwrap_or(WINDOW_DEFAULT);
    let lst_sync = body.int_in("lstSync", 0..=i64::MAX).map_err(bad)?.unwrap_or(0);
    let all = body.int_in("all", 0..=1).map_err(bad)?;
    let incremental = lst_sync > 0 && all != Some(1);

    let settings = state.live.account(&who.account).await?.settings();
    let tz = TimeZone::get(&settings.timezone).unwrap_or(TimeZone::UTC);
    let now = state.clock.now();
    let date = match filter.date {
        Some(d) => d,
        None => timeline::date_of(now, &tz).ok_or(global::INVALID_DATE_FORMAT)?,
    };
    let (start, end) = timeline::day_bounds(date, &tz).ok_or(global::INVALID_DATE_FORMAT)?;
    let agents = agent.map(|a| vec![a]);
    let before = state.store.states_before(&who.account, agents.as_deref(), start).await?;
    let query = EventQuery { agents, from: start, to: end, after_seq: 0, limit: None };
    let logged = state.store.events(&who.account, &query).await?;

    // Each agent's day: its state at midnight, then every change. Agents
    // offline at midnight appear only if they did something that day.
    let midnight: HashMap<i64, Change> = before
        .iter()
        .map(|b| (b.agent_id, Change { at: start, state: b.state, reason: interval_reason(b.kind, b.reason.as_deref()) }))
        .collect();
    let mut days: BTreeMap<i64, (Change, Vec<Change>)> = midnight
        .iter()
        .filter(|(_, c)| c.state != State::Offline)
        .map(|(id, c)| (*id, (c.clone(), Vec::new())))
        .collect();
    let offline = Change { at: start, state: State::Offline, reason: None };
    for l in &logged {
        let id = l.event.agent;
        let day = days.entry(id).or_insert_with(|| (midnight.get(&id).unwrap_or(&offline).clone(), Vec::new()));
        let reason = interval_reason(l.event.kind, l.event.reason.as_deref());
        day.1.push(Change { at: l.event.at, state: l.state, reason });
    }
    let upto = end.min(now);
    let mut chart = LineChart::new(start, end, window);
    let mut data = BTreeMap::new();
    for (id, (first, changes)) in &days {
        if upto <= start {
            break;
        }
        let intervals = timeline::intervals(first.clone(), changes, start, upto);
        intervals.iter().for_each(|i| chart.add(i));
        data.insert(id.to_string(), intervals);
    }
    let mut line_chart = Map::new();
    for (state, seconds) in chart.series() {
        line_chart.insert(state.as_str().to_string(), Value::from(seconds));
    }

    let shown: Vec<&Logged> = logged.iter().filter(|l| !incremental || l.seq > lst_sync).collect();
    let lst_sync_out = shown.iter().map(|l| l.seq).max().unwrap_or(lst_sync);
    let (calls, agent_events): (Vec<&Logged>, Vec<&Logged>) = shown.into_iter().partition(|l| l.event.kind.is_call());
    let payload = TimelineReply {
        agEvent: agent_events.into_iter().map(EventView::of).collect(),
        event: calls.into_iter().map(EventView::of).collect(),
        data,
        lineChart: line_chart,
        window,
        status: "success",
        code: 200,
        lstSync: lst_sync_out,
    };
    Ok(reply::json(StatusCode::OK, &payload))
}
