//! `Agent/timeLine`: a day of the account's (or one agent's) event log —
//! the events, each agent's state intervals and the per-bucket line chart.

use std::collections::BTreeMap;

use axum::http::StatusCode;
use jiff::civil::Date;
use serde::Serialize;
use serde_json::{Map, Value};
use utoipa::ToSchema;

use super::super::auth::Principal;
use super::super::error::{ApiError, ApiResult, Refuse};
use super::super::shared::day::{Day, parse_date};
use super::super::shared::events::EventView;
use super::super::shared::rights::scope;
use crate::AppState;
use crate::domain::ids::AgentId;
use crate::domain::presence::Logged;
use crate::domain::timeline::{Interval, LineChart, WINDOW_DEFAULT, WINDOW_MAX, WINDOW_MIN};
use crate::wire::body::id_value;
use crate::wire::errors::agent as codes;
use crate::wire::{Body, reply};

/// What the request's `filter` array asks for.
#[derive(Default)]
struct Filter {
    date: Option<Date>,
    agent: Option<AgentId>,
}

/// `filter`: `[{"key":K,"value":V}, …]`, items `{K:V}` accepted too. Keys
/// `date` (1028) and `agentId` (1509); anything else → 1502.
fn parse_filter(body: &Body) -> Result<Filter, ApiError> {
    let mut filter = Filter::default();
    let items = match body.get("filter") {
        None => return Ok(filter),
        Some(Value::Array(items)) => items,
        Some(_) => return Err(codes::INVALID_FILTER_VALUE.at(&["filter"], "filter must be a list of {key, value}")),
    };
    for (i, item) in items.iter().enumerate() {
        let at = |reason: &'static str| codes::INVALID_FILTER_VALUE.at(&["filter".to_string(), i.to_string()], reason);
        let Value::Object(map) = item else { return Err(at("a filter item must be an object {key, value}")) };
        let (key, value) = match (map.get("key"), map.get("value")) {
            (Some(Value::String(k)), Some(v)) if map.len() == 2 => (k.as_str(), v),
            _ if map.len() == 1 => map.iter().next().map(|(k, v)| (k.as_str(), v)).expect("one entry"),
            _ => return Err(at("a filter item is {\"key\":K,\"value\":V} or {K:V}")),
        };
        match key {
            "date" => filter.date = Some(parse_date(value)?),
            "agentId" | "agentid" => {
                filter.agent = Some(AgentId(id_value(value).map_err(|_| codes::INVALID_AGENT_ID)?))
            }
            _ => {
                // Point at the key itself: `key`'s value, or the `{K:V}` item's K.
                let field = if map.contains_key("value") { "key".to_string() } else { key.to_string() };
                return Err(codes::INVALID_FILTER_VALUE.at(
                    &["filter".to_string(), i.to_string(), field],
                    "unknown filter key; the keys are date and agentId",
                ));
            }
        }
    }
    Ok(filter)
}

/// A day of the log (seed 001's shape): the events, each agent's state
/// intervals and the line chart.
#[derive(Serialize, ToSchema)]
#[allow(non_snake_case)]
pub(in crate::api) struct TimelineReply<'a> {
    /// Agent events (login, logout, breaks, heartbeat, wrap-up end).
    agEvent: Vec<EventView<'a>>,
    /// Call events.
    event: Vec<EventView<'a>>,
    /// `{"<agentId>":[interval, …]}` over the day up to now.
    data: BTreeMap<String, Vec<Interval>>,
    /// `{"<state>":[seconds in that state per window of the day]}`, states
    /// with any time; offline is not charted.
    #[schema(value_type = BTreeMap<String, Vec<i64>>)]
    lineChart: Map<String, Value>,
    /// Seconds per line-chart bucket.
    window: i64,
    #[schema(schema_with = reply::success_status)]
    status: &'static str,
    #[schema(schema_with = reply::success_code)]
    code: u16,
    /// The highest sequence number returned (or the request's, when nothing is newer).
    lstSync: i64,
}

/// `Agent/timeLine` `{[filter], [window], [lstSync], [all]}`.
pub async fn timeline(state: AppState, who: Principal, body: Body) -> ApiResult {
    let filter = parse_filter(&body)?;
    let agent = scope(&who, filter.agent)?;
    // A deleted agent's history stays readable; only an id never given is unknown.
    if let Some(id) = filter.agent
        && state.store.existing_agents(&who.account, &[id]).await?.is_empty()
    {
        return Err(codes::INVALID_AGENT_ID.into());
    }
    let bad = |_| codes::INVALID_FILTER_VALUE;
    let window = body.int_in("window", WINDOW_MIN..=WINDOW_MAX).map_err(bad)?.unwrap_or(WINDOW_DEFAULT);
    let lst_sync = body.int_in("lstSync", 0..=i64::MAX).map_err(bad)?.unwrap_or(0);
    let all = body.int_in("all", 0..=1).map_err(bad)?;
    let incremental = lst_sync > 0 && all != Some(1);

    let day = Day::load(&state, &who.account, agent.map(|a| vec![a]), filter.date).await?;
    let mut chart = LineChart::new(day.start, day.end, window);
    let mut data = BTreeMap::new();
    for (id, intervals) in day.intervals() {
        intervals.iter().for_each(|i| chart.add(i));
        data.insert(id.to_string(), intervals);
    }
    let mut line_chart = Map::new();
    for (state, seconds) in chart.series() {
        line_chart.insert(state.as_str().to_string(), Value::from(seconds));
    }

    let shown: Vec<&Logged> = day.logged.iter().filter(|l| !incremental || l.seq > lst_sync).collect();
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
