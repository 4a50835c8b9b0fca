//! Request bodies of the live-state endpoints as the OpenAPI document
//! describes them, with examples: Agent/live, Agent/timeLine, agentProfile,
//! callEvent, Break and Account.
#![allow(non_snake_case, dead_code)]

use serde_json::Value;
use utoipa::ToSchema;

use super::schemas::{Credentials, Flag, Id, Integer, PhoneNumber};

#[derive(ToSchema)]
#[schema(examples(json!({"userId": "10000001", "token": "your-api-token"})))]
pub struct AgentLiveRequest {
    #[serde(flatten)]
    credentials: Credentials,
    /// One agent (1509 when it does not exist).
    agentId: Option<Id>,
    /// Only agents mapped to this group (1006 when it does not exist).
    groupid: Option<Id>,
    /// The same as `groupid`.
    groupId: Option<Id>,
}

#[derive(ToSchema)]
#[schema(examples(json!({
    "userId": "10000001", "token": "your-api-token", "filter": [{"key": "agentId", "value": "1"}], "window": 300
})))]
pub struct TimelineRequest {
    #[serde(flatten)]
    credentials: Credentials,
    /// `[{"key":"date","value":"YYYY-MM-DD"},{"key":"agentId","value":"7"}]` (items `{K:V}` accepted).
    /// Days are days in the account's time zone (`Account/settings`); today by default.
    /// A deleted agent's day is answered; an id the account never had is 1509.
    filter: Option<Vec<Value>>,
    /// Bucket size of `lineChart`, 60–86400 seconds (default 300).
    window: Option<Integer>,
    /// With `all` 0 (or absent): only events after this sequence number.
    lstSync: Option<Integer>,
    /// 1: everything regardless of `lstSync`.
    all: Option<Integer>,
}

#[derive(ToSchema)]
#[schema(examples(json!({"userId": "10000001", "token": "your-api-token", "agentId": 1})))]
pub struct ProfileRequest {
    #[serde(flatten)]
    credentials: Credentials,
    /// Needed with account credentials (1507 when missing or unknown); an
    /// agent session may only name itself (else 1501).
    agentId: Option<Id>,
}

/// The heartbeat of an agent's page: its own session only.
#[derive(ToSchema)]
#[schema(examples(json!({"ssid": "your-agent-session-id", "mic_perm": 1})))]
pub struct PingRequest {
    /// The agent's session (1503 for any other credential).
    ssid: String,
    /// Microphone permission of the page (1505 when missing).
    mic_perm: Flag,
    /// The page's clock (numeric, else 1506); liveness uses the server's clock.
    ping_time: Option<Value>,
    /// The session's own agent, if named (another one: 1501).
    agentId: Option<Id>,
}

#[derive(ToSchema)]
#[schema(examples(json!({"userId": "10000001", "token": "your-api-token", "agentId": 1, "reason": "Lunch"})))]
pub struct BreakStartRequest {
    #[serde(flatten)]
    credentials: Credentials,
    /// A reason of the account's catalogue (`Break/list`), any case (1508).
    reason: String,
    /// As in the other agentProfile endpoints.
    agentId: Option<Id>,
}

#[derive(ToSchema)]
pub struct CallEventItem {
    /// The telephony's call id (string or number, ≤ 128 characters).
    callId: Value,
    /// `offered`, `answered`, `ended` or `missed`: a fact about this agent's
    /// leg of the call. A leg rings until answered, ended or missed; answered
    /// and not ended it holds the agent `on_call`; ended or missed without an
    /// answer it is a missed leg (no wrap-up); answered then ended it gives
    /// the wrap-up. An `answered` after a `missed` wins (it raced the ring
    /// timeout). A leg offered to an offline agent does not ring.
    ///
    /// `abandoned`: the call's, not a leg's (no `agentId`, or 0): the caller
    /// left before anyone answered, while the call waited in its group's
    /// queue or while agents rang (their legs' `missed` are reported
    /// besides). It leaves the queue and counts as abandoned in the group's
    /// figures (`Group/queue`); its group is `groupId`, else the one the
    /// call waited for or rang through.
    event: String,
    /// The agent this leg is offered to (an agent may hold several legs);
    /// deleted agents included (their late events are recorded); an id the
    /// account never had refuses the batch (1503). Absent (or 0) for
    /// `abandoned`, and only then.
    agentId: Option<Id>,
    /// `abandoned` only (1513 otherwise): `caller` (default: the caller
    /// hung up) or `timeout` (the telephony stopped waiting for an agent,
    /// app_queue's `EXITWITHTIMEOUT`).
    reason: Option<String>,
    /// The caller id as the PBX has it: a number in any written form, a
    /// `sip:`/`tel:` URI, an extension (up to 8 plain characters, kept as
    /// written), or `anonymous`/empty/absent for a withheld caller (kept as
    /// `""`). Never refused for its content; 1504 only for a value of
    /// another JSON type.
    callerNumber: Option<PhoneNumber>,
    /// `inbound` (default) or `outbound`.
    direction: Option<String>,
    /// The number called: 6–15 digits (1506).
    did: Option<PhoneNumber>,
    /// Unix seconds, on the telephony's clock (see `sentAt`); default now.
    /// Without `sentAt`, a batch timed after now moves back whole so its
    /// latest fact is now (a clock running fast); more than a day ahead is
    /// 1507.
    time: Option<Integer>,
    /// The group the call came through (1509 if the account has no such
    /// group, unless the agent's leg came through it: deleted during the
    /// call): its `wrapUpTime` applies, if it sets one.
    groupId: Option<Id>,
    /// Which ring of this agent for this call (0 the first, up to 1000),
    /// when the telephony numbers them: facts then join their ring in any
    /// order. Absent: inferred (an `offered` after the agent's leg ended
    /// rings again). 1510 if not such a number.
    attempt: Option<Integer>,
    /// Which of the agent's devices the fact is about (≤ 128 characters;
    /// 1512 if not), when its phones ring at once (a registrar forking to
    /// a desk phone and a softphone): the leg is answered when one device
    /// answers, ends when that device ends (the others' cancellation is not
    /// a hang-up: no wrap-up while the agent talks), and is missed when
    /// every device stopped ringing unanswered.
    device: Option<String>,
}

/// `Group/queue`: every group, or one.
#[derive(ToSchema)]
#[schema(examples(json!({"userId": "10000001", "token": "your-api-token", "groupId": 1})))]
pub struct GroupQueueRequest {
    #[serde(flatten)]
    credentials: Credentials,
    /// One group (1006 if the account has no such group); absent: all.
    groupId: Option<Id>,
    /// The same as `groupId`.
    groupid: Option<Id>,
}

/// `callRoute`: a call that arrived for a group, or for a number (DID)
/// that reaches one.
#[derive(ToSchema)]
#[schema(examples(json!({
    "userId": "10000001", "token": "your-api-token",
    "callId": "a84b4c76e66710@pbx", "groupId": 1, "callerNumber": "sip:+919876543210@trunk.example.net"
})))]
pub struct CallRouteRequest {
    #[serde(flatten)]
    credentials: Credentials,
    /// The telephony's call id (string or number, ≤ 128 characters): the
    /// same one its `callEvent` facts carry.
    callId: Value,
    /// The group the call is for; else `did` names it.
    groupId: Option<Id>,
    /// The number called (6–15 digits), mapped to a group with `Group/update`
    /// `dids`; recorded on the offered legs.
    did: Option<PhoneNumber>,
    /// The caller id as the PBX has it (read as `callEvent` reads it).
    callerNumber: Option<PhoneNumber>,
}

/// A batch of events, or the fields of one event at the top level.
#[derive(ToSchema)]
#[serde(untagged)]
#[schema(examples(json!({
    "userId": "10000001", "token": "your-api-token",
    "events": [
        {"callId": "c-1001", "event": "offered", "agentId": 1, "callerNumber": "+91 99887 76655", "direction": "inbound"},
        {"callId": "c-1001", "event": "answered", "agentId": 1, "callerNumber": "+91 99887 76655", "direction": "inbound"},
        {"callId": "c-1001", "event": "ended", "agentId": 1, "callerNumber": "+91 99887 76655", "direction": "inbound"}
    ]
})))]
pub enum CallEventRequest {
    Batch(#[schema(inline)] CallEventBatch),
    Single(#[schema(inline)] SingleCallEvent),
}

#[derive(ToSchema)]
pub struct CallEventBatch {
    #[serde(flatten)]
    credentials: Credentials,
    /// A batch of 1–1000 events, applied in the order they happened
    /// (`time`; within one second offered, answered, missed, ended), so any
    /// order of the same facts ends the same. A wrong event is refused on
    /// its own and named in the answer's `refused`; the others apply.
    events: Vec<CallEventItem>,
    /// The telephony's clock when it sent the request (Unix seconds; 1511
    /// if not): every `time` is read on agentdesk's clock by the difference,
    /// so a PBX whose clock runs minutes fast or slow still gives true
    /// durations (as Segment's tracking API corrects `timestamp` by `sentAt`).
    /// A difference of one second is whole-second rounding: no correction.
    sentAt: Option<Integer>,
}

/// One event, its fields at the top level.
#[derive(ToSchema)]
pub struct SingleCallEvent {
    #[serde(flatten)]
    credentials: Credentials,
    #[serde(flatten)]
    event: CallEventItem,
    /// The telephony's clock when it sent the request (Unix seconds; 1511
    /// if not): `time` is read on agentdesk's clock by the difference
    /// (more than one second: less is rounding).
    sentAt: Option<Integer>,
}

#[derive(ToSchema)]
#[schema(examples(json!({"userId": "10000001", "token": "your-api-token", "name": "Coaching", "maxDuration": 1200})))]
pub struct BreakAddRequest {
    #[serde(flatten)]
    credentials: Credentials,
    name: String,
    /// 1–86400 seconds; `0`/`null`: no limit.
    maxDuration: Option<Integer>,
}

#[derive(ToSchema)]
#[schema(examples(json!({"userId": "10000001", "token": "your-api-token", "breakId": 4, "maxDuration": 900})))]
pub struct BreakUpdateRequest {
    #[serde(flatten)]
    credentials: Credentials,
    breakId: Id,
    name: Option<String>,
    /// 1–86400 seconds; `0`/`null`: no limit.
    maxDuration: Option<Integer>,
}

#[derive(ToSchema)]
#[schema(examples(json!({"userId": "10000001", "token": "your-api-token", "breakId": 4})))]
pub struct BreakIdRequest {
    #[serde(flatten)]
    credentials: Credentials,
    breakId: Id,
}

/// Without a setting to change it only reads them.
#[derive(ToSchema)]
#[schema(examples(json!({"userId": "10000001", "token": "your-api-token", "wrapUpTime": 30, "countryCode": "91"})))]
pub struct AccountSettingsRequest {
    #[serde(flatten)]
    credentials: Credentials,
    /// IANA time zone of the account's days (default `UTC`).
    timezone: Option<String>,
    /// Seconds without a ping before `stale`, 5–3600 (default 30).
    staleAfter: Option<Integer>,
    /// Seconds without a ping before `offline` (`ping_lost`), above `staleAfter`, ≤ 86400 (default 90).
    offlineAfter: Option<Integer>,
    /// Wrap-up seconds after a call, 0–3600 (default 30).
    wrapUpTime: Option<Integer>,
    /// Country calling code that completes phone numbers given without one: 1–3 digits (default `91`).
    countryCode: Option<Integer>,
}

#[derive(ToSchema)]
#[schema(examples(json!({"userId": "10000001", "token": "your-api-token", "password": "new-admin-pass-1"})))]
pub struct AccountPasswordRequest {
    #[serde(flatten)]
    credentials: Credentials,
    /// The new admin password, 8–128 characters.
    password: String,
    /// The password now: required with an admin session (`ssid`), not with the account's token.
    currentPassword: Option<String>,
}

#[derive(ToSchema)]
#[schema(examples(json!({"userId": "10000001", "token": "your-api-token", "agentId": 1})))]
pub struct SupervisorRequest {
    #[serde(flatten)]
    credentials: Credentials,
    /// The agent acted on (1501 when missing, unknown or deleted).
    agentId: Id,
}

#[derive(ToSchema)]
#[schema(examples(json!({"userId": "10000001", "token": "your-api-token", "agentId": 1, "reason": "Lunch"})))]
pub struct SupervisorBreakRequest {
    #[serde(flatten)]
    credentials: Credentials,
    /// The agent acted on (1501 when missing, unknown or deleted).
    agentId: Id,
    /// A reason of the account's catalogue (`Break/list`), any case (1502).
    reason: String,
}

/// `callreport/list` and `reportCount`: a range of days and its filters.
#[derive(ToSchema)]
#[schema(examples(json!({"userId": "10000001", "token": "your-api-token", "from": "2026-11-01", "to": "2026-11-30", "status": "answered", "page": 1, "limit": 20})))]
pub struct CallReportRequest {
    #[serde(flatten)]
    credentials: Credentials,
    /// The first day, `YYYY-MM-DD` in the account's time zone (default today; 1028).
    from: Option<String>,
    /// The last day, included (default `from`; before it or more than 31 days on: 1501).
    to: Option<String>,
    /// Only calls that rang this agent (1502).
    agentId: Option<Id>,
    /// Only calls that came through this group (1503).
    groupId: Option<Id>,
    /// Only calls to (or, outbound, from) this number of the account (1504).
    did: Option<String>,
    /// Only calls with this caller (`PhoneNumber`: 1005).
    callerNumber: Option<PhoneNumber>,
    /// `inbound` or `outbound` (1505).
    direction: Option<String>,
    /// `answered`, `missed` (rang agents, nobody answered) or `abandoned`
    /// (left while waiting in a queue, never offered; 1505).
    status: Option<String>,
    /// `list` only: from 1 (default 1).
    page: Option<Integer>,
    /// `list` only: 1–100 (default 20).
    limit: Option<Integer>,
}

/// `callreport/detail`: one call.
#[derive(ToSchema)]
#[schema(examples(json!({"userId": "10000001", "token": "your-api-token", "callId": "c-1001"})))]
pub struct CallReportDetailRequest {
    #[serde(flatten)]
    credentials: Credentials,
    /// The call's id (1507 when missing; 1012 when the account has no finished call of it).
    callId: String,
}
