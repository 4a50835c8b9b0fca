//! OpenAPI descriptions of the Directory and agentDashboard endpoints and
//! of `agentProfile/tags`.
#![allow(non_snake_case, dead_code)]

use serde_json::Value;
use utoipa::ToSchema;

use super::schemas::{Credentials, PhoneNumber};

/// A contact: its number and the values of the account's fields.
#[derive(ToSchema)]
pub struct ContactRequest {
    #[serde(flatten)]
    credentials: Credentials,
    /// The contact's number (`PhoneNumber`: 1005 when it cannot be read). `cn` is accepted too.
    contact: PhoneNumber,
    /// Field name (any case) → value; `""`/`null` clears. Standard fields are
    /// checked: Name (letters of any script with their combining marks —
    /// Unicode categories L and M — spaces, `.`, `'`, `-`; ≤ 100), Email, DOB
    /// (`dd-mm-YYYY`), Address (≤ 500), Company, Designation (≤ 100); custom
    /// fields take any text ≤ 1000. A value breaking its rule → 1513; a name
    /// the account has no field for → 1512. Values are kept in Unicode NFC
    /// (`e` + U+0301 is stored and returned as `é`); lengths count composed characters.
    contactinfo: Option<Value>,
}

#[derive(ToSchema)]
pub struct ContactInfoRequest {
    #[serde(flatten)]
    credentials: Credentials,
    /// The contact's number (`PhoneNumber`: 1005 when it cannot be read). `contact` is accepted too.
    cn: PhoneNumber,
    /// One field's name, or `all` (default).
    field: Option<String>,
}

#[derive(ToSchema)]
pub struct ContactReply {
    /// Digits with the country code.
    contact: String,
    /// Every field in the account's order (or the one asked for), `""` where unset.
    contactinfo: Value,
    /// `{createtime, updatetime, lastcalltime (null: never), totalcalls}` — calls from the event log.
    other: Value,
    status: String,
    code: i64,
}

#[derive(ToSchema)]
pub struct SetFieldsRequest {
    #[serde(flatten)]
    credentials: Credentials,
    /// 1–50 distinct names (any case) of letters, digits, spaces, `_`, `-`, `.`;
    /// not `mobile`. Standard names take their standard spelling. Values of a
    /// field left out are kept and show again if it comes back.
    fields: Vec<String>,
}

#[derive(ToSchema)]
pub struct FieldsReply {
    /// `[{name, type: "standard"|"custom"}]` in the account's order.
    fields: Vec<Value>,
    status: String,
    code: i64,
}

#[derive(ToSchema)]
pub struct CallerRequest {
    #[serde(flatten)]
    credentials: Credentials,
    /// The caller's number (`PhoneNumber`: 1005 when it cannot be read).
    callerNumber: PhoneNumber,
    /// `contactInfo`: one field's name, or `All` (default).
    field: Option<String>,
    /// `recentCalls`: calls to return, 1–50 (default 10).
    limit: Option<i64>,
}

/// Seed 003: `{"message":{"Cu":{"mobile":918302390884,"Name":"",…}},"status":"success"}`.
#[derive(ToSchema)]
pub struct ContactInfoReply {
    /// `{"Cu":{"mobile":<number>, <field>: <value>, …}}`: the fields in the
    /// account's order, `""` where unset; an unknown number has every field empty.
    message: Value,
    status: String,
}

#[derive(ToSchema)]
pub struct RecentCallsReply {
    /// Newest first: `{callId, callerNumber, direction, did, status
    /// (ringing|in_progress|answered|missed), agentId (who answered, else the
    /// last agent offered), time (first event), duration (talk seconds)}`.
    message: Vec<Value>,
    status: String,
}

#[derive(ToSchema)]
pub struct CountersRequest {
    #[serde(flatten)]
    credentials: Credentials,
    /// Needed with account credentials; an agent session may name another
    /// agent only with VIEW_AGENTS. A deleted agent is counted; an id the
    /// account never had → 1003.
    agentId: Option<String>,
    /// `YYYY-MM-DD` in the account's time zone (default today; 1028 when malformed).
    date: Option<String>,
}

#[derive(ToSchema)]
pub struct CountersReply {
    /// `{agentId, date, from, to, calls, answered, missed, loginTime,
    /// availableTime, ringTime, talkTime, wrapUpTime, breakTime, staleTime}`:
    /// counts per call id, times in seconds from the day's timeline
    /// (`loginTime` is every second not offline).
    message: Value,
    status: String,
}

#[derive(ToSchema)]
pub struct NotesAddRequest {
    #[serde(flatten)]
    credentials: Credentials,
    /// The caller's number (`PhoneNumber`: 1005 when it cannot be read).
    callerNumber: PhoneNumber,
    /// 1–2000 characters (1503).
    content: String,
    /// A call the account's log holds with this caller (1502).
    callId: String,
}

#[derive(ToSchema)]
pub struct NotesListRequest {
    #[serde(flatten)]
    credentials: Credentials,
    /// The caller's number (`PhoneNumber`: 1005 when it cannot be read).
    callerNumber: PhoneNumber,
    /// Only this call's notes.
    callId: Option<String>,
    /// 1–100 (default 20).
    limit: Option<i64>,
    /// The next page: notes older than this one.
    beforeId: Option<i64>,
}

#[derive(ToSchema)]
pub struct NoteReply {
    /// `{noteId, callerNumber, callId, content, agentId (null: the account), createdAt}`.
    message: Value,
    status: String,
}

#[derive(ToSchema)]
pub struct NotesReply {
    /// Notes newest first, as `notesAdd` returns them.
    message: Vec<Value>,
    status: String,
}

#[derive(ToSchema)]
pub struct TagsRequest {
    #[serde(flatten)]
    credentials: Credentials,
    /// With account credentials: the agent.
    agentId: Option<String>,
    /// Unix time the window starts at, at most 7 days back (default: 24 hours ago; 1511).
    r#ref: Option<i64>,
}

#[derive(ToSchema)]
pub struct TagsReply {
    /// `{agent_id, user_id, from, to, tags:[{type:"missed_call", callId,
    /// callerNumber, did, time, calledBack}]}`, newest first, at most 100;
    /// `calledBack` 1 once a later call with that number was answered.
    data: Value,
    status: String,
}
