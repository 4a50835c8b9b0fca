//! OpenAPI descriptions of the live-state endpoints: Agent/live,
//! Agent/timeLine, agentProfile, callEvent, Break and Account.
#![allow(non_snake_case, dead_code)]

use serde_json::Value;
use utoipa::ToSchema;

use super::schemas::{Credentials, PhoneNumber};

#[derive(ToSchema)]
pub struct AgentLiveRequest {
    #[serde(flatten)]
    credentials: Credentials,
    /// One agent (1509 when it does not exist).
    agentId: Option<String>,
    /// Only agents mapped to this group (1006 when it does not exist).
    groupid: Option<String>,
}

/// One agent's presence.
#[derive(ToSchema)]
pub struct LiveItem {
    agentId: i64,
    name: String,
    /// Directory status: 1 active, 0 switched off.
    status: i64,
    cad: i64,
    /// `offline`, `available`, `ringing`, `on_call`, `wrap_up`, `break` or `stale`.
    state: String,
    since: i64,
    /// Seconds in this state.
    duration: i64,
    loginAt: Option<i64>,
    lastPing: Option<i64>,
    micPerm: Option<i64>,
    /// `{reason, start, elapsed, maxDuration, overrun}` while on break.
    breakDetail: Option<Value>,
    /// A break asked for during a call; it starts at hang-up.
    queuedBreak: Option<String>,
    /// When the wrap-up ends.
    wrapETime: Option<i64>,
    /// `{callId, callerNumber, direction, did, since}` while ringing or on a call.
    call: Option<Value>,
    /// `{"<groupId>":"Y"|"N"}`: whether the agent takes the group's calls.
    groups: Value,
}

#[derive(ToSchema)]
pub struct AgentLiveReply {
    response: Vec<LiveItem>,
    /// Agents per state, every state listed.
    counts: Value,
    serverTime: i64,
    status: String,
    code: i64,
}

#[derive(ToSchema)]
pub struct TimelineRequest {
    #[serde(flatten)]
    credentials: Credentials,
    /// `[{"key":"date","value":"YYYY-MM-DD"},{"key":"agentId","value":"7"}]` (items `{K:V}` accepted).
    /// Days are days in the account's time zone (`Account/settings`); today by default.
    /// A deleted agent's day is answered; an id the account never had is 1509.
    filter: Option<Vec<Value>>,
    /// Bucket size of `lineChart`, 60–86400 seconds (default 300).
    window: Option<i64>,
    /// With `all` 0 (or absent): only events after this sequence number.
    lstSync: Option<i64>,
    /// 1: everything regardless of `lstSync`.
    all: Option<i64>,
}

/// One event of the log (also the `data:` of the event stream).
#[derive(ToSchema)]
pub struct EventItem {
    /// Sequence number in the account's log.
    id: i64,
    agentId: i64,
    /// login, logout, heartbeat, stale, offline, break_queued, break_start, break_end, break_overrun,
    /// wrap_up_end; calls: offered, answered, ended, missed.
    event: String,
    time: i64,
    /// The agent's state after the event.
    state: String,
    /// agent, admin, system or telephony.
    actor: String,
    /// The break's reason; for `logout`/`offline` how the agent went offline:
    /// `agent` (logged out), `session_expired` (its last session unused for the
    /// session lifetime), `session_max_age` (its last session at the absolute
    /// maximum), `switched_off`, `deleted`, `ping_lost`.
    reason: Option<String>,
    callId: Option<String>,
    callerNumber: Option<String>,
    direction: Option<String>,
    did: Option<String>,
    maxDuration: Option<i64>,
    /// `ended` (or a late `answered` of a leg already ended): when the wrap-up that follows ends.
    wrapETime: Option<i64>,
    /// A call event the log took later than the telephony said it happened
    /// (an agent's log never goes back in time): the reported Unix time.
    reportedTime: Option<i64>,
}

#[derive(ToSchema)]
pub struct TimelineReply {
    /// Agent events (login, logout, breaks, heartbeat, wrap-up end).
    agEvent: Vec<EventItem>,
    /// Call events.
    event: Vec<EventItem>,
    /// `{"<agentId>":[{"state","start","end","duration","reason"?}]}` over the day up to now.
    data: Value,
    /// `{"<state>":[seconds per window bucket of the day]}`, states with any time; offline not charted.
    lineChart: Value,
    window: i64,
    status: String,
    code: i64,
    /// The highest sequence number returned.
    lstSync: i64,
}

#[derive(ToSchema)]
pub struct ProfileRequest {
    #[serde(flatten)]
    credentials: Credentials,
    /// Needed with account credentials; an agent session may only name itself (else 1501).
    agentId: Option<String>,
}

#[derive(ToSchema)]
pub struct PingRequest {
    /// The agent's session (1503 for any other credential).
    ssid: String,
    /// Microphone permission of the page: 1/0 (or true/false).
    mic_perm: Value,
    /// The page's clock (numeric, else 1506); liveness uses the server's clock.
    ping_time: Option<Value>,
}

#[derive(ToSchema)]
pub struct PingReply {
    status: String,
    /// `{agent_id, user_id, ping_time (server seconds), mic_perm, state}`.
    data: Value,
}

#[derive(ToSchema)]
pub struct OnBreakReply {
    status: String,
    /// `{on_break: 1, breakDetail: {reason, start, elapsed, maxDuration, overrun}, agent_id, user_id}`.
    data: Value,
}

#[derive(ToSchema)]
pub struct WrapUpReply {
    status: String,
    /// `{response: 1, wrapETime, currentDuration (seconds left), callId, cNumber}`.
    data: Value,
}

#[derive(ToSchema)]
pub struct BreakStartRequest {
    #[serde(flatten)]
    credentials: Credentials,
    /// A reason of the account's catalogue (`Break/list`), any case.
    reason: String,
    agentId: Option<String>,
}

#[derive(ToSchema)]
pub struct PresenceChangeReply {
    status: String,
    /// `{agentId, state, since, breakDetail?, queuedBreak?}`.
    data: Value,
}

#[derive(ToSchema)]
pub struct CallEventItem {
    /// The telephony's call id (string or number, ≤ 128 characters).
    callId: String,
    /// `offered`, `answered`, `ended` or `missed`: a fact about this agent's
    /// leg of the call. A leg rings until answered, ended or missed; answered
    /// and not ended it holds the agent `on_call`; ended or missed without an
    /// answer it is a missed leg (no wrap-up); answered then ended it gives
    /// the wrap-up. An `answered` after a `missed` wins (it raced the ring
    /// timeout). A leg offered to an offline agent does not ring.
    event: String,
    /// The agent this leg is offered to (an agent may hold several legs);
    /// deleted agents included (their late events are recorded); an id the
    /// account never had refuses the batch (1503).
    agentId: String,
    /// The caller's number (`PhoneNumber`: 1504 when it cannot be read).
    callerNumber: PhoneNumber,
    /// `inbound` (default) or `outbound`.
    direction: Option<String>,
    did: Option<String>,
    /// Unix seconds; default now; at most 5 minutes ahead (later than now counts as now).
    time: Option<i64>,
    /// The group the call came through (1509 if unknown): its `wrapUpTime` applies, if it sets one.
    groupId: Option<String>,
}

#[derive(ToSchema)]
pub struct CallEventRequest {
    #[serde(flatten)]
    credentials: Credentials,
    /// A batch of 1–1000 events, validated all before any is applied, then
    /// applied in the order they happened (`time`; within one second offered,
    /// answered, missed, ended), so any order of the same facts ends the
    /// same; or instead the fields of one event at the top level.
    events: Option<Vec<CallEventItem>>,
}

#[derive(ToSchema)]
pub struct CallEventReply {
    /// Events applied.
    accepted: i64,
    /// Events recorded before (same callId, event and agent), not applied again.
    duplicates: i64,
    /// The last sequence number logged by this request; 0 when it logged nothing new.
    lstSync: i64,
    status: String,
    code: i64,
}

#[derive(ToSchema)]
pub struct BreakItem {
    breakId: i64,
    name: String,
    /// Seconds; `null`: no limit.
    maxDuration: Option<i64>,
}

#[derive(ToSchema)]
pub struct BreakListReply {
    response: Vec<BreakItem>,
    status: String,
    code: i64,
}

#[derive(ToSchema)]
pub struct BreakReply {
    breakId: i64,
    name: String,
    maxDuration: Option<i64>,
    status: String,
    code: i64,
}

#[derive(ToSchema)]
pub struct BreakAddRequest {
    #[serde(flatten)]
    credentials: Credentials,
    name: String,
    /// 1–86400 seconds; `0`/`null`: no limit.
    maxDuration: Option<i64>,
}

#[derive(ToSchema)]
pub struct BreakUpdateRequest {
    #[serde(flatten)]
    credentials: Credentials,
    breakId: String,
    name: Option<String>,
    maxDuration: Option<i64>,
}

#[derive(ToSchema)]
pub struct BreakIdRequest {
    #[serde(flatten)]
    credentials: Credentials,
    breakId: String,
}

#[derive(ToSchema)]
pub struct AccountSettingsRequest {
    #[serde(flatten)]
    credentials: Credentials,
    /// IANA time zone of the account's days (default `UTC`).
    timezone: Option<String>,
    /// Seconds without a ping before `stale`, 5–3600 (default 30).
    staleAfter: Option<i64>,
    /// Seconds without a ping before `offline` (`ping_lost`), above `staleAfter`, ≤ 86400 (default 90).
    offlineAfter: Option<i64>,
    /// Wrap-up seconds after a call, 0–3600 (default 30).
    wrapUpTime: Option<i64>,
    /// Country calling code that completes phone numbers given without one: 1–3 digits (default `91`).
    countryCode: Option<String>,
}

#[derive(ToSchema)]
pub struct AccountSettingsReply {
    /// `{timezone, staleAfter, offlineAfter, wrapUpTime, countryCode}`.
    settings: Value,
    status: String,
    code: i64,
}
