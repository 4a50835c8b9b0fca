//! Section `callreport` (DeepCall's Call Report, catalogue section 5;
//! issue 29): the account's finished calls over a range of days, each row
//! the call report DeepCall pushes (`domain::push_report`), so a receiver's
//! parser reads both. DeepCall's docs name the endpoints (`list`,
//! `detail`, `reportCount`) but not their fields: the request fields and
//! the page keys are ours, the page keys as `Agent/list` has them.
//!
//! Every row is folded from the event log when asked: nothing is kept
//! beside it, so a late fact corrects the report at once. A call belongs to
//! the day it rang (its first fact), in the account's time zone; a call
//! still ringing or talking is not in the report yet.
//!
//! Who may read: the account's credentials, or an agent whose role has
//! `LIST_CALL_LOG` (DeepCall's permission of this section).

use std::collections::{BTreeMap, HashMap, HashSet};

use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::Serialize;
use serde_json::{Map, Value, json};
use utoipa::ToSchema;

use super::auth::Principal;
use super::error::{ApiError, ApiResult, OrRefuse, Refuse};
use super::shared::card::phone_number;
use super::shared::day::parse_date;
use crate::AppState;
use crate::domain::agent::valid_did;
use crate::domain::calls::calls_of;
use crate::domain::ids::{AgentId, GroupId};
use crate::domain::permission::Permission;
use crate::domain::presence::Logged;
use crate::domain::push_report::{self, ReportAgent, ReportContext};
use crate::domain::timeline::day_bounds;
use crate::store::EventQuery;
use crate::wire::errors::{call_report as codes, global};
use crate::wire::{Body, reply};

/// The longest range one request may cover, in days.
pub const MAX_DAYS: i64 = 31;
/// The most facts one request folds: a range holding more is refused
/// (1503) rather than taking the server's memory.
pub const MAX_FACTS: i64 = 500_000;
/// How long before the range a call that rang in it may have begun, and
/// after it may have ended: its facts are read this far around the range
/// so a call is whole (a call of more than 6 hours is no call).
const CALL_MARGIN: i64 = 6 * 3600;
/// Calls whose facts one read fetches.
const CALLS_PER_READ: usize = 1_000;
const PAGE_SIZE: i64 = 20;
const PAGE_SIZE_MAX: i64 = 100;

/// What a request asks for.
struct Filter {
    start: i64,
    end: i64,
    agent: Option<AgentId>,
    group: Option<GroupId>,
    did: Option<String>,
    caller: Option<String>,
    direction: Option<String>,
    status: Option<String>,
}

fn date_of(body: &Body, key: &str) -> Result<Option<Date>, ApiError> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => parse_date(v)
            .map(Some)
            .map_err(|_| global::INVALID_DATE_FORMAT.at(&[key], format!("{key} must be a date, YYYY-MM-DD"))),
    }
}

/// `from`, `to` (YYYY-MM-DD, both days included, in the account's time
/// zone; `to` defaults to `from`, `from` to today) and the filters.
fn filter_of(body: &Body, tz: &TimeZone, now: i64, country_code: &str) -> Result<Filter, ApiError> {
    let today = crate::domain::timeline::date_of(now, tz).ok_or(global::INVALID_DATE_FORMAT)?;
    let from = date_of(body, "from")?.unwrap_or(today);
    let to = date_of(body, "to")?.unwrap_or(from);
    if to < from {
        return Err(codes::INVALID_RANGE.at(&["to"], "to must be on or after from"));
    }
    let days = (to - from).get_days() as i64 + 1;
    if days > MAX_DAYS {
        return Err(codes::INVALID_RANGE.at(&["to"], format!("a range covers at most {MAX_DAYS} days")));
    }
    let (start, _) = day_bounds(from, tz).ok_or(global::INVALID_DATE_FORMAT)?;
    let (_, end) = day_bounds(to, tz).ok_or(global::INVALID_DATE_FORMAT)?;
    let agent = body.id::<AgentId>("agentId").or_refuse(codes::INVALID_AGENT_ID, "agentId", "a positive integer")?;
    let group = body.id::<GroupId>("groupId").or_refuse(codes::INVALID_GROUP_ID, "groupId", "a positive integer")?;
    let did = match body.get("did") {
        None | Some(Value::Null) => None,
        Some(v) => {
            let text = v.as_str().map(str::to_string).or_else(|| v.as_u64().map(|n| n.to_string()));
            Some(
                text.and_then(|t| valid_did(t.trim()))
                    .ok_or_else(|| codes::INVALID_DID.at(&["did"], "did must be a number of 6 to 15 digits"))?,
            )
        }
    };
    let caller = match body.get("callerNumber") {
        None | Some(Value::Null) => None,
        Some(_) => Some(phone_number(body, &["callerNumber"], country_code)?),
    };
    let one_of = |key: &str, values: &[&str]| -> Result<Option<String>, ApiError> {
        match body.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if values.contains(&s.trim()) => Ok(Some(s.trim().to_string())),
            Some(_) => Err(codes::INVALID_FILTER.at(&[key], format!("{key} must be {}", values.join(" or ")))),
        }
    };
    let direction = one_of("direction", &["inbound", "outbound"])?;
    let status = one_of("status", &["answered", "missed", "abandoned"])?;
    Ok(Filter { start, end, agent, group, did, caller, direction, status })
}

/// Each call's facts, for calls that rang in `[start, end)`: an id used
/// again later is another call (`calls::calls_of`), and a call that never
/// reached an agent (left while it waited) is its queue facts.
fn calls_in(facts: Vec<Logged>, start: i64, end: i64) -> Vec<Vec<Logged>> {
    let mut calls: Vec<Vec<Logged>> =
        calls_of(&facts).into_iter().map(|call| call.facts.into_iter().cloned().collect::<Vec<Logged>>()).collect();
    let with_legs: HashSet<&str> = facts
        .iter()
        .filter(|l| l.event.kind.is_call())
        .filter_map(|l| l.event.call.as_ref())
        .map(|c| c.call_id.as_str())
        .collect();
    let mut waited: BTreeMap<&str, Vec<Logged>> = BTreeMap::new();
    for logged in facts.iter().filter(|l| l.event.kind.is_queue()) {
        if let Some(call) = logged.event.call.as_ref().filter(|c| !with_legs.contains(c.call_id.as_str())) {
            waited.entry(call.call_id.as_str()).or_default().push(logged.clone());
        }
    }
    calls.extend(waited.into_values());
    calls.retain(|facts| {
        let first = facts.iter().map(|l| l.event.happened()).min().unwrap_or(i64::MIN);
        (start..end).contains(&first)
    });
    calls
}

/// Whether a call's facts match the filter.
fn matches(facts: &[Logged], filter: &Filter) -> bool {
    let calls = || facts.iter().filter_map(|l| l.event.call.as_ref().map(|c| (l.event.agent, c)));
    filter.agent.is_none_or(|a| facts.iter().any(|l| l.event.agent == a))
        && filter.group.is_none_or(|g| calls().any(|(_, c)| c.group == Some(g.get())))
        && filter.did.as_ref().is_none_or(|d| calls().any(|(_, c)| &c.did == d))
        && filter.caller.as_ref().is_none_or(|n| calls().any(|(_, c)| &c.caller_number == n))
        && filter.direction.as_ref().is_none_or(|d| calls().next().is_some_and(|(_, c)| &c.direction == d))
}

/// The rows of the calls that match, newest first (by the time they rang).
async fn rows(state: &AppState, who: &Principal, filter: &Filter) -> Result<Vec<Value>, ApiError> {
    let query = EventQuery {
        agents: None,
        from: filter.start - CALL_MARGIN,
        to: filter.end + CALL_MARGIN,
        after_seq: 0,
        limit: Some(MAX_FACTS + 1),
    };
    let too_many = || {
        codes::TOO_MANY_FACTS
            .because(format!("the range holds more than {MAX_FACTS} facts: ask for fewer days (or one agent's calls)"))
    };
    let facts = state.store.events(&who.account, &query).await?;
    if facts.len() as i64 > MAX_FACTS {
        return Err(too_many());
    }
    // The log is read by when facts were logged; a fact told late (a PBX
    // catching up) is logged after it happened, outside the window: each
    // call seen in it is read whole by its id.
    let mut ids: Vec<String> = facts.iter().filter_map(|l| l.event.call.as_ref().map(|c| c.call_id.clone())).collect();
    ids.sort_unstable();
    ids.dedup();
    let mut whole: Vec<Logged> = Vec::with_capacity(facts.len());
    for chunk in ids.chunks(CALLS_PER_READ) {
        whole.extend(state.store.calls_events(&who.account, chunk).await?);
        if whole.len() as i64 > MAX_FACTS {
            return Err(too_many());
        }
    }
    let calls: Vec<Vec<Logged>> =
        calls_in(whole, filter.start, filter.end).into_iter().filter(|facts| matches(facts, filter)).collect();
    build_rows(state, who, calls).await.map(|rows| {
        let mut rows: Vec<Value> = rows
            .into_iter()
            .filter(|r| filter.status.as_deref().is_none_or(|s| r["callOutcome"] == json!(s)))
            .collect();
        // `callStartTime` is local and zero-padded: its text order is time order.
        rows.sort_by(|a, b| {
            (b["callStartTime"].as_str(), b["callId"].as_str())
                .cmp(&(a["callStartTime"].as_str(), a["callId"].as_str()))
        });
        rows
    })
}

/// The push reports of `calls` (those finished).
async fn build_rows(state: &AppState, who: &Principal, calls: Vec<Vec<Logged>>) -> Result<Vec<Value>, ApiError> {
    let settings = state.live.account(&who.account).await?.settings();
    let tz = TimeZone::get(&settings.timezone).unwrap_or(TimeZone::UTC);
    let mut ids: Vec<AgentId> = calls.iter().flatten().map(|l| l.event.agent).collect();
    ids.sort_unstable();
    ids.dedup();
    let mut agents = HashMap::new();
    for id in ids {
        if let Some(row) = state.store.agent(&who.account, id).await? {
            agents.insert(id, ReportAgent { name: row.name, phone: row.phone });
        }
    }
    let account = who.account.to_string();
    let ctx = ReportContext { account: &account, tz: &tz, country_code: &who.country_code, agents: &agents };
    // A call the caller left while it waited, never offered to anyone, is
    // a row too (`callOutcome` abandoned).
    Ok(calls
        .iter()
        .filter_map(|facts| push_report::build(facts, &ctx).or_else(|| push_report::abandoned(facts, &ctx)))
        .collect())
}

fn may_read(who: &Principal) -> Result<(), ApiError> {
    who.require(Permission::ListCallLog)
}

/// One page of `list`.
#[derive(Serialize, ToSchema)]
pub(in crate::api) struct ReportPage {
    /// The calls of the page, newest first: each the push report's fields
    /// without `nHDetail` (`detail` has it).
    #[schema(value_type = Vec<Object>)]
    response: Vec<Value>,
    limit: i64,
    #[serde(rename = "currentPage")]
    current_page: i64,
    #[serde(rename = "totalPages")]
    total_pages: i64,
    #[serde(rename = "totalRecords")]
    total_records: i64,
}

/// `callreport/list` `{[from], [to], [agentId], [groupId], [did],
/// [callerNumber], [direction], [status], [page], [limit]}`: the finished
/// calls that rang in the range, newest first, a page at a time.
pub async fn list(state: AppState, who: Principal, body: Body) -> ApiResult {
    may_read(&who)?;
    let tz = account_zone(&state, &who).await?;
    let filter = filter_of(&body, &tz, state.clock.now(), &who.country_code)?;
    let page = body.int_in("page", 1..=1_000_000).or_refuse(global::INVALID_PARAMETER, "page", "an integer from 1")?;
    let limit = body
        .int_in("limit", 1..=PAGE_SIZE_MAX)
        .or_refuse(global::INVALID_PARAMETER, "limit", "an integer from 1 to 100")?
        .unwrap_or(PAGE_SIZE);
    let page = page.unwrap_or(1);
    let rows = rows(&state, &who, &filter).await?;
    let total = rows.len() as i64;
    let response = rows
        .into_iter()
        .skip(((page - 1) * limit) as usize)
        .take(limit as usize)
        .map(|mut row| {
            if let Some(fields) = row.as_object_mut() {
                // Keeps the other fields in the push report's order.
                fields.shift_remove("nHDetail");
            }
            row
        })
        .collect();
    Ok(reply::listing(ReportPage {
        response,
        limit,
        current_page: page,
        total_pages: (total + limit - 1) / limit,
        total_records: total,
    }))
}

/// `reportCount`'s figures.
#[derive(Serialize, ToSchema)]
pub(in crate::api) struct ReportCount {
    /// Finished calls that rang in the range and match.
    count: i64,
    answered: i64,
    /// Rang agents, nobody answered.
    missed: i64,
    /// Left by the caller while waiting, never offered to an agent.
    abandoned: i64,
}

/// `callreport/reportCount` (the same fields as `list`, no paging): how
/// many calls `list` would show, answered and missed.
pub async fn report_count(state: AppState, who: Principal, body: Body) -> ApiResult {
    may_read(&who)?;
    let tz = account_zone(&state, &who).await?;
    let filter = filter_of(&body, &tz, state.clock.now(), &who.country_code)?;
    let rows = rows(&state, &who, &filter).await?;
    let outcome = |o: &str| rows.iter().filter(|r| r["callOutcome"] == json!(o)).count() as i64;
    Ok(reply::listing(ReportCount {
        count: rows.len() as i64,
        answered: outcome("answered"),
        missed: outcome("missed"),
        abandoned: outcome("abandoned"),
    }))
}

/// `detail`'s reply.
#[derive(Serialize, ToSchema)]
pub(in crate::api) struct ReportDetail {
    /// The push report of the call, with every leg in `nHDetail`.
    #[schema(value_type = Object)]
    response: Map<String, Value>,
}

/// `callreport/detail` `{callId}`: one finished call's report with every
/// leg (`nHDetail`); 1012 when the account has no finished call of that id.
pub async fn detail(state: AppState, who: Principal, body: Body) -> ApiResult {
    may_read(&who)?;
    let call_id = match body.get("callId") {
        Some(Value::String(s)) if !s.trim().is_empty() && s.trim().chars().count() <= 128 => s.trim().to_string(),
        Some(Value::Number(n)) => n.to_string(),
        _ => {
            return Err(
                codes::INVALID_CALL_ID.at(&["callId"], "callId is required: the call's id, 1 to 128 characters")
            );
        }
    };
    let facts = state.store.call_events(&who.account, &call_id).await?;
    let mut rows = build_rows(&state, &who, vec![facts]).await?;
    match rows.pop() {
        Some(Value::Object(response)) => Ok(reply::listing(ReportDetail { response })),
        _ => Err(global::NO_DATA_FOUND.because("no finished call of this id")),
    }
}

async fn account_zone(state: &AppState, who: &Principal) -> Result<TimeZone, ApiError> {
    let settings = state.live.account(&who.account).await?.settings();
    Ok(TimeZone::get(&settings.timezone).unwrap_or(TimeZone::UTC))
}
