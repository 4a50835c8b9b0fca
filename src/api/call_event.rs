//! `POST /api/v2/callEvent` (ours): telephony events in, one or a batch of
//! up to 1000, all durable before the reply. A fact that is wrong is refused
//! on its own and named in the answer (`refused`); the batch's other facts
//! apply (a connector's batch loses only what is wrong: issue 25). A request
//! none of whose facts can be taken is refused as a whole, with the first
//! refusal's code. Idempotent on (`callId`, `event`) per agent and attempt
//! (each ring of an agent for a call, `Presence::attempt_for`): a retry is
//! counted as a duplicate, not applied twice; a new ring is applied.

use std::collections::{HashMap, HashSet};

use serde::Serialize;
use serde_json::{Map, Value};
use utoipa::ToSchema;

use super::auth::{Caller, Principal};
use super::error::{ApiError, ApiResult, Refuse};
use crate::AppState;
use crate::domain::agent::{DID_RULE, valid_did};
use crate::domain::caller::CallerId;
use crate::domain::caller_marks::{Bar, CallerMarks};
use crate::domain::ids::{AccountId, AgentId, GroupId};
use crate::domain::presence::{CallRef, Event, Kind};
use crate::domain::queue::{QUEUE, Queue};
use crate::live::Draft;
use crate::store::GroupFilter;
use crate::store::RecordedCall;
use crate::wire::body::{AN_ID, id_value, int_value};
use crate::wire::errors::{call_event as codes, global};
use crate::wire::{Body, ErrorCode, reply};

pub const MAX_BATCH: usize = 1000;
const MAX_CALL_ID: usize = 128;
/// A `time` further ahead of ours than this (seconds) is not a clock running
/// fast but a wrong value: that fact is refused (1507).
const MAX_CLOCK_AHEAD: i64 = 86_400;
/// Seconds `sentAt` may differ from our clock before it counts as a clock
/// running apart (see `parse_body`).
const SENT_AT_ROUNDING: i64 = 1;

/// Rings of one agent for one call a telephony may number.
const MAX_ATTEMPT: i64 = 1000;

struct CallInput {
    /// Its place in the request's `events` (0 for a single event).
    index: usize,
    agent: AgentId,
    kind: Kind,
    call: CallRef,
    /// When it happened, if the telephony said so, on our clock (`sentAt`
    /// corrected; never after now once the batch is read, `in_our_time`).
    at: Option<i64>,
    /// The group the call came through: its wrap-up time applies, if it sets one.
    group: Option<GroupId>,
    /// Which ring of the agent this is, when the telephony numbers them
    /// (`attempt`); else inferred (`Presence::attempt_for`).
    attempt: Option<u32>,
    /// `abandoned`: `caller` (hung up before an answer) or `timeout` (the
    /// telephony stopped waiting for an agent).
    reason: Option<&'static str>,
}

/// Why a call was abandoned, as `callEvent`'s `reason` takes it.
const ABANDON_REASONS: [&str; 2] = ["caller", "timeout"];

fn text_field<'a>(item: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    item.get(key).and_then(Value::as_str).map(str::trim)
}

/// A number given as a JSON string or (as telephony systems often send it) a JSON number.
fn number_field(item: &Map<String, Value>, key: &str) -> Option<String> {
    match item.get(key)? {
        Value::String(s) => Some(s.trim().to_string()),
        Value::Number(n) if n.is_u64() => Some(n.to_string()),
        _ => None,
    }
}

/// Why one fact was refused: its code, the key at fault and what it takes
/// (the header's detail; the answer's `refused` keeps code and message).
#[derive(Debug, Clone)]
struct Why {
    code: ErrorCode,
    key: &'static str,
    takes: String,
}

impl Why {
    fn new(code: ErrorCode, key: &'static str, takes: impl Into<String>) -> Self {
        Self { code, key, takes: takes.into() }
    }
}

/// What the keys of a fact take, said in its refusals.
pub(super) const CALL_ID: &str = "a string of 1 to 128 characters or a number";
const EVENTS: &str = "offered, answered, ended, missed or abandoned";
const TIME: &str = "Unix seconds, a positive integer at most a day ahead of our clock";
const ATTEMPT: &str = "an integer from 0 to 1000";
pub(super) const CALLER: &str =
    "a string or a JSON number (a phone number, an extension, a SIP or tel URI, or anonymous)";

/// One fact. `offset`: seconds to add to its `time` to read it on our clock
/// (`sentAt`'s correction, else 0).
fn parse_item(
    index: usize,
    item: &Map<String, Value>,
    country_code: &str,
    now: i64,
    offset: i64,
) -> Result<CallInput, Why> {
    let call_id = match item.get("callId") {
        Some(Value::String(s)) if !s.trim().is_empty() && s.trim().chars().count() <= MAX_CALL_ID => {
            s.trim().to_string()
        }
        Some(Value::Number(n)) => n.to_string(),
        None | Some(Value::Null) => {
            return Err(Why::new(codes::INVALID_CALL_ID, "callId", format!("callId is required: {CALL_ID}")));
        }
        _ => return Err(Why::new(codes::INVALID_CALL_ID, "callId", format!("callId must be {CALL_ID}"))),
    };
    let kind = match text_field(item, "event") {
        None if matches!(item.get("event"), None | Some(Value::Null)) => {
            return Err(Why::new(codes::INVALID_EVENT, "event", format!("event is required: {EVENTS}")));
        }
        raw => raw
            .and_then(Kind::parse)
            .filter(|k| k.is_call() || *k == Kind::Abandoned)
            .ok_or_else(|| Why::new(codes::INVALID_EVENT, "event", format!("event must be {EVENTS}")))?,
    };
    // An abandoned call is the queue's fact: no agent (absent, null or 0).
    let agent = match (kind, item.get("agentId")) {
        (Kind::Abandoned, None | Some(Value::Null)) => QUEUE,
        (Kind::Abandoned, Some(v)) if int_value(v) == Ok(0) => QUEUE,
        (Kind::Abandoned, Some(_)) => {
            let takes = "agentId must be absent, null or 0 for abandoned: it is the queue's fact, not an agent's";
            return Err(Why::new(codes::INVALID_AGENT_ID, "agentId", takes));
        }
        (_, None | Some(Value::Null)) => {
            return Err(Why::new(codes::INVALID_AGENT_ID, "agentId", format!("agentId is required: {AN_ID}")));
        }
        (_, Some(v)) => AgentId(
            id_value(v)
                .map_err(|_| Why::new(codes::INVALID_AGENT_ID, "agentId", format!("agentId must be {AN_ID}")))?,
        ),
    };
    let reason = match (kind, item.get("reason")) {
        (_, None | Some(Value::Null)) => None,
        (Kind::Abandoned, Some(Value::String(r))) => {
            Some(ABANDON_REASONS.into_iter().find(|k| *k == r.trim()).ok_or_else(bad_reason)?)
        }
        (_, Some(_)) => return Err(bad_reason()),
    };
    // A caller id never stops a call's events: withheld, an extension or a
    // URI is read (`CallerId`); only a value no telephony writes (an object,
    // a list, a flag) is refused.
    let caller_number = match item.get("callerNumber") {
        None | Some(Value::Null) => CallerId::Withheld,
        Some(Value::String(raw)) => CallerId::read(Some(raw), country_code),
        Some(Value::Number(n)) if n.is_u64() => CallerId::read(Some(&n.to_string()), country_code),
        Some(_) => {
            let takes = format!("callerNumber must be {CALLER}");
            return Err(Why::new(codes::INVALID_CALLER_NUMBER, "callerNumber", takes));
        }
    }
    .stored();
    let direction = match item.get("direction") {
        None | Some(Value::Null) => "inbound".to_string(),
        Some(Value::String(d)) if matches!(d.trim(), "inbound" | "outbound") => d.trim().to_string(),
        Some(_) => {
            return Err(Why::new(codes::INVALID_DIRECTION, "direction", "direction must be inbound or outbound"));
        }
    };
    let did = match item.get("did") {
        None | Some(Value::Null) => String::new(),
        Some(_) => number_field(item, "did")
            .as_deref()
            .and_then(valid_did)
            .ok_or_else(|| Why::new(codes::INVALID_DID, "did", format!("did must be {DID_RULE}")))?,
    };
    let at = match item.get("time") {
        None | Some(Value::Null) => None,
        Some(v) => match int_value(v).map(|t| (t, t.saturating_add(offset))) {
            Ok((t, ours)) if t > 0 && ours > 0 && ours <= now + MAX_CLOCK_AHEAD => Some(ours),
            _ => return Err(Why::new(codes::INVALID_TIME, "time", format!("time must be {TIME}"))),
        },
    };
    let group = match item.get("groupId") {
        None | Some(Value::Null) => None,
        Some(v) => Some(GroupId(
            id_value(v)
                .map_err(|_| Why::new(codes::INVALID_GROUP_ID, "groupId", format!("groupId must be {AN_ID}")))?,
        )),
    };
    let attempt = match item.get("attempt") {
        None | Some(Value::Null) => None,
        Some(v) => match int_value(v) {
            Ok(n) if (0..=MAX_ATTEMPT).contains(&n) => Some(n as u32),
            _ => return Err(Why::new(codes::INVALID_ATTEMPT, "attempt", format!("attempt must be {ATTEMPT}"))),
        },
    };
    let device = match item.get("device") {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) if !s.trim().is_empty() && s.trim().chars().count() <= MAX_CALL_ID => {
            s.trim().to_string()
        }
        Some(Value::Number(n)) if n.is_u64() => n.to_string(),
        Some(_) => {
            return Err(Why::new(
                codes::INVALID_DEVICE,
                "device",
                "device must be a string of 1 to 128 characters or a whole number",
            ));
        }
    };
    let call = CallRef { call_id, caller_number, direction, did, group: group.map(GroupId::get), attempt: 0, device };
    Ok(CallInput { index, agent, kind, call, at, group, attempt, reason })
}

fn bad_reason() -> Why {
    Why::new(codes::INVALID_REASON, "reason", "reason is only for abandoned, and must be caller or timeout")
}

/// A fact refused on its own, named in the answer; the others apply.
#[derive(Debug, Serialize, ToSchema)]
pub(in crate::api) struct Refused {
    /// Its place in `events` (from 0).
    index: usize,
    /// Its `callId`, when one could be read.
    #[serde(rename = "callId", skip_serializing_if = "Option::is_none")]
    call_id: Option<String>,
    /// The code it would get alone (`1501`–`1510`).
    code: u16,
    message: &'static str,
    /// The key at fault and what it takes, for the header when the whole
    /// request is refused for it.
    #[serde(skip)]
    why: Why,
}

/// The request's facts, read.
struct Facts {
    inputs: Vec<CallInput>,
    refused: Vec<Refused>,
}

impl Facts {
    fn refuse(&mut self, index: usize, call_id: Option<String>, why: Why) {
        self.refused.push(Refused { index, call_id, code: why.code.code, message: why.code.message, why });
    }
}

/// The events of the body: `{"events":[…]}` or one event's fields, each
/// read on its own. Refused as a whole: `events` that is not a list of 1–1000
/// objects (1508), a `sentAt` that is not Unix seconds (1511), one event
/// that is wrong.
fn parse_body(body: &Body, country_code: &str, now: i64) -> Result<Facts, ApiError> {
    let sent_at = match body.get("sentAt") {
        None | Some(Value::Null) => None,
        Some(v) => Some(int_value(v).ok().filter(|&t| t > 0).ok_or_else(|| {
            codes::INVALID_SENT_AT.at(&["sentAt"], "sentAt must be Unix seconds (a positive integer) when it was sent")
        })?),
    };
    // The telephony's clock read on ours: every `time` moves by its offset.
    // Both clocks are read in whole seconds and the request takes a moment
    // to arrive, so a second's difference is rounding, not a clock running
    // apart: moving one batch by it and the next not cut a 2.01 s talk to
    // 1 s (found by tests/sip/load_check.py at 40 calls a second).
    let offset = sent_at.map(|t| now - t).filter(|d| d.abs() > SENT_AT_ROUNDING).unwrap_or(0);
    let items: Vec<Map<String, Value>> = match body.get("events") {
        Some(Value::Array(items)) if (1..=MAX_BATCH).contains(&items.len()) => items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                item.as_object().cloned().ok_or_else(|| {
                    codes::INVALID_EVENTS.at(&["events", &i.to_string()], "an event must be an object of its fields")
                })
            })
            .collect::<Result<_, _>>()?,
        Some(_) => {
            return Err(codes::INVALID_EVENTS.at(&["events"], "events must be a list of 1 to 1000 event objects"));
        }
        None => {
            let mut single = Map::new();
            for key in [
                "callId",
                "event",
                "agentId",
                "callerNumber",
                "direction",
                "did",
                "time",
                "groupId",
                "attempt",
                "device",
                "reason",
            ] {
                if let Some(v) = body.get(key) {
                    single.insert(key.to_string(), v.clone());
                }
            }
            let one = parse_item(0, &single, country_code, now, offset).map_err(|why| explained(&why, None))?;
            let mut facts = Facts { inputs: vec![one], refused: Vec::new() };
            in_our_time(&mut facts.inputs, now, sent_at.is_some());
            return Ok(facts);
        }
    };
    let mut facts = Facts { inputs: Vec::with_capacity(items.len()), refused: Vec::new() };
    for (index, item) in items.iter().enumerate() {
        match parse_item(index, item, country_code, now, offset) {
            Ok(input) => facts.inputs.push(input),
            Err(why) => {
                let call_id = match item.get("callId") {
                    Some(Value::String(s)) => Some(s.trim().chars().take(MAX_CALL_ID).collect()),
                    Some(Value::Number(n)) => Some(n.to_string()),
                    _ => None,
                };
                facts.refuse(index, call_id, why);
            }
        }
    }
    in_our_time(&mut facts.inputs, now, sent_at.is_some());
    Ok(facts)
}

/// A fact's refusal with the field at fault and what it takes (issue 27):
/// `index` is the fact's place in `events`, `None` for a body that is one event.
fn explained(why: &Why, index: Option<usize>) -> ApiError {
    match index {
        Some(i) => why.code.at(&["events", &i.to_string(), why.key], why.takes.clone()),
        None => why.code.at(&[why.key], why.takes.clone()),
    }
}

/// Times read on our clock. Without `sentAt`, a batch told as happening
/// after now comes from a clock running fast: the whole batch moves back
/// so its latest fact is now (the spans between its facts — a talk, a ring
/// — are kept; before, each was cut to now and a talk reported in one
/// batch lasted 0 s). A clock running slow cannot be told from late facts
/// without `sentAt`. What is still after now (network delay after the
/// `sentAt` correction) is now.
fn in_our_time(inputs: &mut [CallInput], now: i64, corrected: bool) {
    let ahead = inputs.iter().filter_map(|i| i.at).max().map_or(0, |latest| latest - now);
    let shift = if corrected { 0 } else { ahead.max(0) };
    for input in inputs.iter_mut() {
        input.at = input.at.map(|t| (t - shift).clamp(1, now));
    }
}

/// Every group of the account with its own wrap-up time.
type GroupWrapUps = Vec<(GroupId, Option<i64>)>;

async fn group_wrap_ups(state: &AppState, account: &AccountId) -> Result<GroupWrapUps, ApiError> {
    let groups = state.store.list_groups(account, &GroupFilter::default()).await?;
    Ok(groups.iter().map(|g| (g.id, g.wrap_up_secs)).collect())
}

/// The groups' wrap-up times when the events name a group (`None`: none
/// does, read only if a leg's own group needs them).
async fn wrap_ups(
    state: &AppState,
    account: &AccountId,
    inputs: &[CallInput],
) -> Result<Option<GroupWrapUps>, ApiError> {
    if inputs.iter().all(|i| i.group.is_none()) {
        return Ok(None);
    }
    Ok(Some(group_wrap_ups(state, account).await?))
}

/// The group the agent's leg of the call came through (while it is active;
/// else the one its latest leg of the call came through: a call ringing the
/// agent again comes through the same group).
fn leg_group(presence: &crate::domain::presence::Presence, call: &CallRef) -> Option<GroupId> {
    let this = presence.legs.iter().find(|l| l.call.same_leg(call) && l.active()).and_then(|l| l.call.group);
    this.or_else(|| presence.latest_leg(&call.call_id).and_then(|l| l.call.group)).map(GroupId)
}

/// The legs a batch repeats whole: when every fact a batch holds of an
/// agent's leg of a call — two or more, the offer among them — is recorded
/// for that leg's latest attempt, and the offer is not told as happening
/// after that attempt ended (`ends`), the batch is a retry of it (a
/// telephony resending a request whose answer it lost), not a new ring: its
/// facts are duplicates of that attempt. A lone `offered` after the leg
/// finished rings again (`Presence::attempt_for`).
fn retried_legs<'a>(
    inputs: &'a [CallInput],
    seen: &HashSet<RecordedCall>,
    ends: &HashMap<(AgentId, &'a str), i64>,
) -> HashMap<(AgentId, &'a str), u32> {
    let mut kinds: HashMap<(AgentId, &'a str), Vec<(Kind, &'a str)>> = HashMap::new();
    let mut rang_after_end = HashSet::new();
    for input in inputs {
        let leg = (input.agent, input.call.call_id.as_str());
        kinds.entry(leg).or_default().push((input.kind, input.call.device.as_str()));
        if input.kind == Kind::Offered
            && let (Some(t), Some(end)) = (input.at, ends.get(&leg))
            && t > *end
        {
            rang_after_end.insert(leg);
        }
    }
    kinds
        .into_iter()
        .filter(|(leg, kinds)| {
            kinds.len() > 1 && kinds.iter().any(|(k, _)| *k == Kind::Offered) && !rang_after_end.contains(leg)
        })
        .filter_map(|((agent, call_id), kinds)| {
            let latest = seen.iter().filter(|k| k.agent == agent && k.call_id == call_id).map(|k| k.attempt).max()?;
            let whole = kinds.iter().all(|&(kind, device)| {
                let key = RecordedCall {
                    agent,
                    call_id: call_id.to_string(),
                    kind,
                    attempt: latest,
                    device: device.to_string(),
                };
                seen.contains(&key)
            });
            whole.then_some(((agent, call_id), latest))
        })
        .collect()
}

/// The queue's `abandoned` fact of `input` (the caller left before anyone
/// answered), with its idempotency key; `None` when it is recorded already.
/// The group is the one the fact names, else the one the call waits (or
/// waited) for, else the one its latest leg came through.
fn abandoned(draft: &mut Draft, input: &CallInput, seen: &HashSet<RecordedCall>) -> Option<(RecordedCall, Event)> {
    let id = input.call.call_id.as_str();
    let (entry, known) = {
        let queue = &draft.presence(QUEUE).queue;
        (queue.entry(id), queue.find(id).map(|w| w.call.clone()))
    };
    let recorded_before = seen.iter().any(|k| k.agent == QUEUE && k.call_id == id && k.kind == Kind::Abandoned);
    // Not in the queue any more but abandoned before: a retry (a call id
    // used again, abandoned while ringing, is taken for one).
    if entry.is_none() && recorded_before {
        return None;
    }
    let key = RecordedCall {
        agent: QUEUE,
        call_id: id.to_string(),
        kind: Kind::Abandoned,
        attempt: entry.unwrap_or(0),
        device: String::new(),
    };
    if seen.contains(&key) {
        return None;
    }
    let mut call = input.call.clone();
    let rung: Vec<AgentId> = seen.iter().filter(|k| k.call_id == id && k.agent != QUEUE).map(|k| k.agent).collect();
    let leg_group = rung.into_iter().find_map(|a| draft.presence(a).latest_leg(id).and_then(|l| l.call.group));
    call.group = input.group.map(GroupId::get).or(known.as_ref().and_then(|c| c.group)).or(leg_group);
    if call.caller_number.is_empty() {
        call.caller_number = known.map(|c| c.caller_number).unwrap_or_default();
    }
    let now = draft.now;
    let at = draft.presence(QUEUE).last_event.max(now);
    let mut event = Queue::fact(Kind::Abandoned, at, &call, key.attempt, Some(input.reason.unwrap_or("caller")));
    event.reported = input.at.filter(|t| *t < at);
    Some((key, event))
}

/// What a batch did.
#[derive(Serialize, ToSchema)]
pub(in crate::api) struct Accepted {
    /// Events applied now.
    accepted: usize,
    /// Events already recorded before (telephony retries), not applied again.
    duplicates: usize,
    /// The last sequence number given, for `lstSync` / `Last-Event-ID`; 0 when nothing new was logged.
    #[serde(rename = "lstSync")]
    lst_sync: i64,
    /// The facts refused on their own (only when there are any): the rest
    /// of the batch was taken.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    refused: Vec<Refused>,
}

/// A batch is a set of facts: applied in the order they happened (facts
/// of one second in the order a leg goes through them), so any order of
/// the same facts in a batch ends the same. Events without a `time`
/// happen now, after those with one.
fn in_time_order(mut inputs: Vec<CallInput>) -> Vec<CallInput> {
    let rank = |k: Kind| match k {
        Kind::Offered => 0,
        Kind::Answered => 1,
        Kind::Missed => 2,
        _ => 3,
    };
    inputs.sort_by_key(|i| (i.at.unwrap_or(i64::MAX), rank(i.kind)));
    inputs
}

/// The calls of the batch that dial a number on the DNC list or one
/// blacklisted on the calling number, by call id, with why: every fact of
/// such a call in the batch is refused, whatever order they came in (an
/// `ended` before its `offered`). One read, none when the batch dials nobody.
async fn barred_calls(
    state: &AppState,
    who: &Principal,
    inputs: &[CallInput],
) -> Result<HashMap<String, Bar>, ApiError> {
    let dials = || {
        inputs.iter().filter(|i| i.agent != QUEUE && i.call.direction == "outbound" && !i.call.caller_number.is_empty())
    };
    let mut numbers: Vec<String> = dials().map(|i| i.call.caller_number.clone()).collect();
    numbers.sort_unstable();
    numbers.dedup();
    let now = state.clock.now();
    let marks: HashMap<String, CallerMarks> =
        state.store.caller_marks(&who.account, &numbers).await?.into_iter().collect();
    let mut barred = HashMap::new();
    for dial in dials() {
        let Some(marks) = marks.get(&dial.call.caller_number) else { continue };
        let bar = if marks.on_dnc(now) {
            Some(Bar::Dnc)
        } else {
            marks.blocked_on(&dial.call.did, &who.country_code).then_some(Bar::Blacklist)
        };
        if let Some(bar) = bar {
            barred.entry(dial.call.call_id.clone()).or_insert(bar);
        }
    }
    Ok(barred)
}

/// `callEvent`: account credentials only (the telephony integration).
pub async fn call_event(state: AppState, who: Principal, body: Body) -> ApiResult {
    if !matches!(who.caller, Caller::Owner) {
        return Err(global::PERMISSION_DENIED.into());
    }
    let now = state.clock.now();
    let batched = body.get("events").is_some();
    let mut facts = parse_body(&body, &who.country_code, now)?;
    let mut agents: Vec<AgentId> = facts.inputs.iter().map(|i| i.agent).filter(|a| *a != QUEUE).collect();
    agents.sort_unstable();
    agents.dedup();
    let existing = state.store.existing_agents(&who.account, &agents).await?;
    if existing.len() != agents.len() {
        let (known, unknown): (Vec<CallInput>, Vec<CallInput>) =
            facts.inputs.into_iter().partition(|i| i.agent == QUEUE || existing.contains(&i.agent));
        facts.inputs = known;
        for input in unknown {
            let takes = format!("the account has no agent {}", input.agent);
            facts.refuse(input.index, Some(input.call.call_id), Why::new(codes::INVALID_AGENT_ID, "agentId", takes));
        }
    }
    if facts.inputs.is_empty()
        && let Some(first) = facts.refused.iter().min_by_key(|r| r.index)
    {
        return Err(explained(&first.why, batched.then_some(first.index)));
    }
    // The groups' wrap-ups as known before deciding; a run reads them
    // itself when a leg's group needs them.
    let known_at_start = wrap_ups(&state, &who.account, &facts.inputs).await?;
    let inputs = in_time_order(std::mem::take(&mut facts.inputs));
    let barred = barred_calls(&state, &who, &inputs).await?;
    let account_live = state.live.account(&who.account).await?;
    let mut call_ids: Vec<String> = inputs.iter().map(|i| i.call.call_id.clone()).collect();
    call_ids.sort_unstable();
    call_ids.dedup();
    // Another node may have recorded some of these calls meanwhile: a
    // raced batch is decided again, duplicates counted afresh.
    let ((duplicates, refused_here), logged) = state
        .live
        .decide(&who.account, |mut draft| {
            let (state, who, inputs, call_ids, barred, account_live) =
                (&state, &who, &inputs, &call_ids, &barred, &account_live);
            let mut known_wrap_ups = known_at_start.clone();
            Box::pin(async move {
                // Under the account's writer turn: what is recorded cannot change meanwhile.
                let mut seen: HashSet<RecordedCall> =
                    state.live.recorded_calls(&draft, call_ids).await?.into_iter().collect();
                // When each leg the batch names ended, as the agent's snapshot keeps it.
                let mut ends: HashMap<(AgentId, &str), i64> = HashMap::new();
                for input in inputs {
                    let leg = draft.presence(input.agent).latest_leg(&input.call.call_id);
                    if let Some(end) = leg.and_then(|l| l.ended.into_iter().chain(l.missed).max()) {
                        ends.insert((input.agent, input.call.call_id.as_str()), end);
                    }
                }
                let retried = retried_legs(inputs, &seen, &ends);
                let mut duplicates = 0;
                let mut refused_here: Vec<(&CallInput, ErrorCode)> = Vec::new();
                for input in inputs {
                    if input.agent == QUEUE {
                        if let Some(g) = input.group {
                            if known_wrap_ups.is_none() {
                                known_wrap_ups = Some(group_wrap_ups(state, &who.account).await?);
                            }
                            if !known_wrap_ups.iter().flatten().any(|(id, _)| *id == g) {
                                refused_here.push((input, codes::INVALID_GROUP_ID));
                                continue;
                            }
                        }
                        match abandoned(&mut draft, input, &seen) {
                            Some((key, event)) => {
                                seen.insert(key);
                                draft.apply(vec![event]);
                            }
                            None => duplicates += 1,
                        }
                        continue;
                    }
                    // The group this event names, else the one its leg was offered
                    // for. A group the account no longer has is taken only from a
                    // leg that came through it (deleted during the call: its
                    // wrap-up is gone with it, the account's applies).
                    let leg_group = leg_group(draft.presence(input.agent), &input.call);
                    let group = input.group.or(leg_group);
                    if group.is_some() && known_wrap_ups.is_none() {
                        known_wrap_ups = Some(group_wrap_ups(state, &who.account).await?);
                    }
                    let group_known = group.and_then(|g| known_wrap_ups.iter().flatten().find(|(id, _)| *id == g));
                    if input.group.is_some() && group_known.is_none() && input.group != leg_group {
                        refused_here.push((input, codes::INVALID_GROUP_ID));
                        continue;
                    }
                    // An outbound call to a number on the DNC list or the
                    // blacklist is refused when it would begin a leg: the
                    // telephony reports the dial before placing it and does
                    // not place a refused one. A leg already under way (the
                    // number marked during the call) goes on being told.
                    // The refused dial's later facts (answered, ended: they
                    // need not repeat the number) are refused too, for as
                    // long as this node remembers the refusal.
                    let begins_leg = draft.presence(input.agent).latest_leg(&input.call.call_id).is_none()
                        && !seen.iter().any(|k| k.agent == input.agent && k.call_id == input.call.call_id);
                    if begins_leg {
                        let marked = barred.get(input.call.call_id.as_str()).copied();
                        if let Some(bar) = marked.or_else(|| account_live.barred_call(&input.call.call_id, draft.now)) {
                            account_live.bar_call(&input.call.call_id, draft.now, bar);
                            let code = match bar {
                                Bar::Dnc => codes::NUMBER_ON_DNC,
                                Bar::Blacklist => codes::NUMBER_BLACKLISTED,
                            };
                            refused_here.push((input, code));
                            continue;
                        }
                    }
                    // Which ring of this agent the fact is about (a call may ring it
                    // again); then whether that fact is recorded already.
                    let recorded: Vec<(u32, Kind)> = seen
                        .iter()
                        .filter(|k| k.agent == input.agent && k.call_id == input.call.call_id)
                        .map(|k| (k.attempt, k.kind))
                        .collect();
                    let attempt = match (input.attempt, retried.get(&(input.agent, input.call.call_id.as_str()))) {
                        (Some(n), _) | (None, Some(&n)) => n,
                        (None, None) => draft.presence(input.agent).attempt_for(
                            &input.call.call_id,
                            input.kind,
                            input.at,
                            &recorded,
                        ),
                    };
                    let mut call = input.call.clone();
                    call.attempt = attempt;
                    // A fact that does not repeat the caller (or the DID) is logged
                    // with the one its leg knows, so the call's every fact finds it
                    // (a caller's recentCalls reads the log by number).
                    if let Some(leg) = draft.presence(input.agent).latest_leg(&call.call_id) {
                        if call.caller_number.is_empty() {
                            call.caller_number = leg.call.caller_number.clone();
                        }
                        if call.did.is_empty() {
                            call.did = leg.call.did.clone();
                        }
                    }
                    let key = RecordedCall {
                        agent: input.agent,
                        call_id: call.call_id.clone(),
                        kind: input.kind,
                        attempt,
                        device: call.device.clone(),
                    };
                    if !seen.insert(key) {
                        duplicates += 1;
                        continue;
                    }
                    let at = input.at.unwrap_or(draft.now);
                    let wrap_secs = group_known.and_then(|(_, w)| *w).unwrap_or(draft.wrap_up_secs);
                    let events = draft.presence(input.agent).call_event(input.agent, at, input.kind, call, wrap_secs);
                    draft.apply(events);
                }
                Ok::<_, ApiError>((draft, (duplicates, refused_here)))
            })
        })
        .await?;
    let taken = inputs.len() - refused_here.len();
    for (input, code) in refused_here {
        let why = match code {
            c if c == codes::NUMBER_ON_DNC => {
                Why::new(code, "callerNumber", "a number off the do-not-call list (Directory/setDnc)")
            }
            c if c == codes::NUMBER_BLACKLISTED => {
                Why::new(code, "callerNumber", "a number not blacklisted on this did (Directory/Blacklist)")
            }
            _ => Why::new(code, "groupId", format!("the account has no group {}", input.group.map_or(0, GroupId::get))),
        };
        facts.refuse(input.index, Some(input.call.call_id.clone()), why);
    }
    facts.refused.sort_by_key(|r| r.index);
    // A request none of whose facts could be taken is refused whole, with
    // the first refusal's code (a single event's is its own).
    if taken == 0
        && let Some(first) = facts.refused.first()
    {
        return Err(explained(&first.why, batched.then_some(first.index)));
    }
    let calls = logged.iter().filter(|l| l.event.kind.names_call()).count();
    let lst_sync = logged.last().map(|l| l.seq).unwrap_or(0);
    Ok(reply::listing(Accepted { accepted: calls, duplicates, lst_sync, refused: facts.refused }))
}
