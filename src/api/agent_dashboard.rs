//! Section `agentDashboard`: what an agent's page shows around a call — the
//! caller's contact card, their recent calls and notes — and the agent's
//! own totals for the day. Payload under `message`.

use serde::Serialize;
use serde_json::{Map, Value};
use utoipa::ToSchema;

use super::auth::{Caller, Principal};
use super::caller_marks::{MarksView, marks_of};
use super::error::{ApiError, ApiResult, OrRefuse};
use super::shared::card::{account_fields, card, phone_number, selected, values_of};
use super::shared::day::{Day, parse_date};
use super::shared::views::whole_calls;
use crate::AppState;
use crate::domain::calls;
use crate::domain::counters::{self, Counters};
use crate::domain::ids::AgentId;
use crate::domain::permission::Permission;
use crate::store::{NewNote, NoteQuery, NoteRow};
use crate::wire::body::{AN_ID, id_value};
use crate::wire::errors::{agent_dashboard as codes, global};
use crate::wire::{Body, reply};

/// The most call events `recentCalls` reads; the calls they make up are enough
/// for any page, and the read stays bounded however often a number called.
const RECENT_EVENTS_MAX: i64 = 1000;
const RECENT_DEFAULT: i64 = 10;
const RECENT_MAX: i64 = 50;
const NOTE_MAX_CHARS: usize = 2000;
const NOTES_DEFAULT: i64 = 20;
const NOTES_MAX: i64 = 100;

fn caller(body: &Body, who: &Principal) -> Result<String, ApiError> {
    phone_number(body, &["callerNumber"], &who.country_code)
}

/// A bounded integer option; anything else is 1000.
fn limit(body: &Body, key: &str, default: i64, max: i64) -> Result<i64, ApiError> {
    Ok(body
        .int_in(key, 1..=max)
        .or_refuse(global::INVALID_PARAMETER, key, &format!("an integer from 1 to {max}"))?
        .unwrap_or(default))
}

/// `agentDashboard/contactInfo` `{callerNumber, [field]}`: seed 003's card.
/// An unknown number gets the same card with every field empty.
pub async fn contact_info(state: AppState, who: Principal, body: Body) -> ApiResult {
    let number = caller(&body, &who)?;
    let fields = account_fields(&state, &who.account).await?;
    let shown = selected(&fields, &body, global::INVALID_PARAMETER)?;
    let values = match state.store.contact(&who.account, &number).await? {
        Some(row) => values_of(&row)?,
        None => Default::default(),
    };
    let mut cu = Map::new();
    // `mobile` is a JSON number in the captured card; normalised numbers are
    // at most 15 digits, so they always fit.
    let mobile = number.parse::<u64>().map(Value::from).unwrap_or_else(|_| Value::String(number.clone()));
    cu.insert("mobile".to_string(), mobile);
    cu.extend(card(&shown, &values));
    // The number's marks beside the card, only where it has one: seed
    // 003's card stays byte for byte what DeepCall answers.
    let marks = MarksView::of(&marks_of(&state, &who.account, &number).await?, state.clock.now());
    Ok(reply::dashboard(ContactCard {
        Cu: cu,
        AcManId: marks.account_manager,
        dnc: (marks.dnc != 0).then_some(marks.dnc),
        blacklist: (!marks.blacklist.is_empty()).then_some(marks.blacklist),
    }))
}

/// Seed 003's card: `{"Cu":{"mobile":918302390884,"Name":"",…}}`.
#[derive(Serialize, ToSchema)]
#[allow(non_snake_case)]
pub(in crate::api) struct ContactCard {
    /// `mobile` (the number, a JSON number), then the account's fields in
    /// its order, `""` where unset; an unknown number has every field empty.
    #[schema(schema_with = card_schema)]
    Cu: Map<String, Value>,
    /// The number's account manager (`Directory/setAM`); only when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    AcManId: Option<i64>,
    /// On the do-not-call list: `-1` for ever, or the Unix time it ends; only when on it.
    #[serde(skip_serializing_if = "Option::is_none")]
    dnc: Option<i64>,
    /// The account's numbers it is blacklisted on (`["all"]`: every one); only when it is.
    #[serde(skip_serializing_if = "Option::is_none")]
    blacklist: Option<Vec<String>>,
}

fn card_schema() -> utoipa::openapi::schema::Object {
    use utoipa::PartialSchema;
    utoipa::openapi::schema::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::Object)
        .property("mobile", u64::schema())
        .required("mobile")
        .additional_properties(Some(String::schema()))
        .build()
}

/// `agentDashboard/recentCalls` `{callerNumber, [limit]}`: the number's last
/// calls (any agent of the account), newest first.
pub async fn recent_calls(state: AppState, who: Principal, body: Body) -> ApiResult {
    let number = caller(&body, &who)?;
    let limit = limit(&body, "limit", RECENT_DEFAULT, RECENT_MAX)?;
    let events = state.store.caller_events(&who.account, &[number], 0, RECENT_EVENTS_MAX).await?;
    let mut calls = whole_calls(&events, RECENT_EVENTS_MAX, state.clock.now());
    calls.truncate(limit as usize);
    Ok(reply::dashboard(calls))
}

/// The agent whose totals are asked for: an agent session's own, another
/// only with `VIEW_AGENTS` (1015); the account names one (missing 1000,
/// unknown 1003).
async fn counted_agent(state: &AppState, who: &Principal, body: &Body) -> Result<AgentId, ApiError> {
    let named = match body.get("agentId") {
        None => None,
        Some(v) => Some(AgentId(id_value(v).map_err(|_| global::AGENT_ID_DOES_NOT_EXIST)?)),
    };
    let id = match (&who.caller, named) {
        (Caller::Agent { id, .. }, None) => return Ok(*id),
        (Caller::Agent { id, .. }, Some(n)) if n == *id => return Ok(n),
        (Caller::Agent { .. }, Some(n)) => {
            who.require(Permission::ViewAgents)?;
            n
        }
        (Caller::Owner, None) => return Err(global::INVALID_PARAMETER.into()),
        (Caller::Owner, Some(n)) => n,
    };
    // A deleted agent's days stay countable.
    if state.store.existing_agents(&who.account, &[id]).await?.is_empty() {
        return Err(global::AGENT_ID_DOES_NOT_EXIST.into());
    }
    Ok(id)
}

/// `agentDashboard/counters` `{[agentId], [date]}`: the agent's totals for
/// the day (today in the account's time zone, up to now), from the same
/// intervals and call events as its timeline. A call is counted on the
/// day it rang; its talk, ring and wrap-up seconds on the days they fall in.
pub async fn counters(state: AppState, who: Principal, body: Body) -> ApiResult {
    let agent = counted_agent(&state, &who, &body).await?;
    let date = body.get("date").map(parse_date).transpose()?;
    let day = Day::load(&state, &who.account, Some(vec![agent]), date).await?;
    let intervals = day.intervals().find(|(id, _)| *id == agent).map(|(_, i)| i).unwrap_or_default();
    let carried = day.carried_calls(agent);
    let mut calls = calls::summarise(&day.logged, state.clock.now());
    calls.retain(|c| !carried.contains(c.call_id.as_str()));
    Ok(reply::dashboard(DayCounters {
        agent_id: agent.get(),
        date: day.date.to_string(),
        from: day.start,
        to: day.upto.max(day.start),
        counters: counters::count(&intervals, &calls),
    }))
}

/// An agent's totals for a day: calls counted per call id, times in seconds
/// from the day's timeline.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(in crate::api) struct DayCounters {
    agent_id: i64,
    /// `YYYY-MM-DD` in the account's time zone.
    date: String,
    /// The span counted: the day's start, and its end or now.
    from: i64,
    to: i64,
    #[serde(flatten)]
    counters: Counters,
}

/// A note on a caller and one of its calls.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(in crate::api) struct NoteView<'a> {
    note_id: i64,
    caller_number: &'a str,
    call_id: &'a str,
    content: &'a str,
    /// Who wrote it; `null`: the account itself.
    agent_id: Option<i64>,
    /// Unix seconds.
    created_at: i64,
}

fn note_view(n: &NoteRow) -> NoteView<'_> {
    NoteView {
        note_id: n.id,
        caller_number: &n.caller_number,
        call_id: &n.call_id,
        content: &n.content,
        agent_id: n.agent_id.map(AgentId::get),
        created_at: n.created_at,
    }
}

/// `callId` as a string or a number; missing → 1000, anything else → 1001.
fn call_id(body: &Body) -> Result<Option<String>, ApiError> {
    match body.get("callId") {
        None => Ok(None),
        Some(Value::String(s)) if !s.trim().is_empty() => Ok(Some(s.trim().to_string())),
        Some(Value::Number(n)) => Ok(Some(n.to_string())),
        Some(Value::String(_)) => Err(codes::INVALID_CALL_ID.into()),
        Some(_) => Err(global::INVALID_DATA_TYPE.into()),
    }
}

/// `agentDashboard/notesAdd` `{callerNumber, content, callId}`: the call must
/// be one the account's log holds with that caller (else 1502).
pub async fn notes_add(state: AppState, who: Principal, body: Body) -> ApiResult {
    let number = caller(&body, &who)?;
    // Composed (NFC) like every other text: `é` typed as `e` + accent is
    // one character, stored and counted as one (issue 25).
    let content = match body.get("content") {
        None => return Err(global::INVALID_PARAMETER.into()),
        Some(Value::String(s)) => crate::domain::name::nfc(s.trim()),
        Some(_) => return Err(global::INVALID_DATA_TYPE.into()),
    };
    if content.is_empty() || content.chars().count() > NOTE_MAX_CHARS {
        return Err(codes::INVALID_CONTENT.into());
    }
    let call_id = call_id(&body)?.ok_or(global::INVALID_PARAMETER)?;
    if !state.store.call_with_caller(&who.account, &call_id, &number).await? {
        return Err(codes::INVALID_CALL_ID.into());
    }
    let agent_id = match who.caller {
        Caller::Agent { id, .. } => Some(id),
        Caller::Owner => None,
    };
    let note = NewNote { caller_number: number, call_id, content, agent_id, created_at: state.clock.now() };
    let row = state.store.add_note(&who.account, &note).await?;
    Ok(reply::dashboard(note_view(&row)))
}

/// `agentDashboard/notesList` (ours) `{callerNumber, [callId], [limit], [beforeId]}`:
/// the number's notes, newest first; `beforeId` pages on.
pub async fn notes_list(state: AppState, who: Principal, body: Body) -> ApiResult {
    let number = caller(&body, &who)?;
    let call_id = call_id(&body)?;
    let limit = limit(&body, "limit", NOTES_DEFAULT, NOTES_MAX)?;
    let before_id = body.id("beforeId").or_refuse(global::INVALID_PARAMETER, "beforeId", AN_ID)?;
    let query = NoteQuery { caller_number: number, call_id, before_id, limit };
    let notes = state.store.notes(&who.account, &query).await?;
    Ok(reply::dashboard(notes.iter().map(note_view).collect::<Vec<_>>()))
}
