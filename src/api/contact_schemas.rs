//! Request bodies of the Directory and agentDashboard endpoints and of
//! `agentProfile/tags` as the OpenAPI document describes them, with examples.
#![allow(non_snake_case, dead_code)]

use serde_json::Value;
use utoipa::ToSchema;

use super::schemas::{Credentials, Id, Integer, PhoneNumber};

/// A contact: its number and the values of the account's fields.
#[derive(ToSchema)]
#[schema(examples(json!({
    "userId": "10000001", "token": "your-api-token", "contact": "+91 99887 76655",
    "contactinfo": {"Name": "Ravi Kumar", "Email": "ravi@example.com", "Company": "Acme"}
})))]
pub struct ContactRequest {
    #[serde(flatten)]
    credentials: Credentials,
    /// The contact's number (`PhoneNumber`: 1005 when it cannot be read).
    contact: PhoneNumber,
    /// The same as `contact`.
    cn: Option<PhoneNumber>,
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
#[schema(examples(json!({"userId": "10000001", "token": "your-api-token", "cn": "+91 99887 76655", "field": "all"})))]
pub struct ContactInfoRequest {
    #[serde(flatten)]
    credentials: Credentials,
    /// The contact's number (`PhoneNumber`: 1005 when it cannot be read).
    cn: PhoneNumber,
    /// The same as `cn`.
    contact: Option<PhoneNumber>,
    /// One field's name, or `all` (default).
    field: Option<String>,
}

#[derive(ToSchema)]
#[schema(examples(json!({"userId": "10000001", "token": "your-api-token", "fields": ["Name", "Email", "Company", "Notes"]})))]
pub struct SetFieldsRequest {
    #[serde(flatten)]
    credentials: Credentials,
    /// 1–50 distinct names (any case) of letters, digits, spaces, `_`, `-`, `.`;
    /// not `mobile`. Standard names take their standard spelling. Values of a
    /// field left out are kept and show again if it comes back.
    fields: Vec<String>,
}

#[derive(ToSchema)]
#[schema(examples(json!({"userId": "10000001", "token": "your-api-token", "callerNumber": "+91 99887 76655"})))]
pub struct CallerRequest {
    #[serde(flatten)]
    credentials: Credentials,
    /// The caller's number (`PhoneNumber`: 1005 when it cannot be read).
    callerNumber: PhoneNumber,
    /// `contactInfo`: one field's name, or `All` (default).
    field: Option<String>,
    /// `recentCalls`: calls to return, 1–50 (default 10).
    limit: Option<Integer>,
}

#[derive(ToSchema)]
#[schema(examples(json!({"userId": "10000001", "token": "your-api-token", "agentId": 1})))]
pub struct CountersRequest {
    #[serde(flatten)]
    credentials: Credentials,
    /// Needed with account credentials; an agent session may name another
    /// agent only with VIEW_AGENTS. A deleted agent is counted; an id the
    /// account never had → 1003.
    agentId: Option<Id>,
    /// `YYYY-MM-DD` in the account's time zone (default today; 1028 when malformed).
    date: Option<String>,
}

#[derive(ToSchema)]
#[schema(examples(json!({
    "userId": "10000001", "token": "your-api-token", "callerNumber": "+91 99887 76655", "callId": "c-1001",
    "content": "Asked for a callback about the renewal"
})))]
pub struct NotesAddRequest {
    #[serde(flatten)]
    credentials: Credentials,
    /// The caller's number (`PhoneNumber`: 1005 when it cannot be read).
    callerNumber: PhoneNumber,
    /// 1–2000 characters (1503).
    content: String,
    /// A call the account's log holds with this caller (1502); string or number.
    callId: Value,
}

#[derive(ToSchema)]
#[schema(examples(json!({"userId": "10000001", "token": "your-api-token", "callerNumber": "+91 99887 76655", "limit": 20})))]
pub struct NotesListRequest {
    #[serde(flatten)]
    credentials: Credentials,
    /// The caller's number (`PhoneNumber`: 1005 when it cannot be read).
    callerNumber: PhoneNumber,
    /// Only this call's notes; string or number.
    callId: Option<Value>,
    /// 1–100 (default 20).
    limit: Option<Integer>,
    /// The next page: notes older than this one.
    beforeId: Option<Id>,
}

#[derive(ToSchema)]
#[schema(examples(json!({"userId": "10000001", "token": "your-api-token", "agentId": 1})))]
pub struct TagsRequest {
    #[serde(flatten)]
    credentials: Credentials,
    /// With account credentials: the agent (1507 when missing or unknown).
    agentId: Option<Id>,
    /// Unix time the window starts at, at most 7 days back (default: 24 hours ago; 1511).
    r#ref: Option<Integer>,
}

/// `Directory/setSticky`: pin a caller to an agent.
#[derive(ToSchema)]
#[schema(examples(json!({
    "userId": "10000001", "token": "your-api-token", "contact": "+91 99887 76655",
    "agentId": 1, "type": "cli_group", "cli": "8001234567", "groupid": 1, "expiry": -1
})))]
pub struct SetStickyRequest {
    #[serde(flatten)]
    credentials: Credentials,
    /// The caller (`PhoneNumber`: 1005 when it cannot be read).
    contact: PhoneNumber,
    /// The same as `contact`.
    cn: Option<PhoneNumber>,
    /// The agent calls are offered to first (1501 when it is not a live agent of the account).
    agentId: Id,
    /// `all` (every call of the caller), `cli` (calls to the number `cli`) or
    /// `cli_group` (calls to `cli` routed to `groupid`); 1502 otherwise.
    #[schema(example = "all")]
    r#type: String,
    /// One of the account's numbers (a group's `dids`): needed by `cli` and `cli_group` (1505).
    cli: Option<PhoneNumber>,
    /// A group the agent is mapped to: needed by `cli_group` (1506, 1507). `groupId` is read too.
    groupid: Option<Id>,
    /// Unix seconds when the pin ends, ahead of now; `-1` or absent: never (1508, 1509).
    expiry: Option<Integer>,
}

/// `Directory/getSticky`: a caller's pins.
#[derive(ToSchema)]
#[schema(examples(json!({"userId": "10000001", "token": "your-api-token", "contact": "+91 99887 76655"})))]
pub struct GetStickyRequest {
    #[serde(flatten)]
    credentials: Credentials,
    /// The caller (`PhoneNumber`: 1005 when it cannot be read).
    contact: PhoneNumber,
    /// The same as `contact`.
    cn: Option<PhoneNumber>,
}

/// `Directory/removeSticky`: unpin a caller.
#[derive(ToSchema)]
#[schema(examples(json!({"userId": "10000001", "token": "your-api-token", "contact": "+91 99887 76655", "type": "cli_group"})))]
pub struct RemoveStickyRequest {
    #[serde(flatten)]
    credentials: Credentials,
    /// The caller (`PhoneNumber`: 1005 when it cannot be read).
    contact: PhoneNumber,
    /// The same as `contact`.
    cn: Option<PhoneNumber>,
    /// Only pins of this scope (`all`, `cli`, `cli_group`; 1502 otherwise); absent: every scope.
    r#type: Option<String>,
    /// Only pins of this number.
    cli: Option<PhoneNumber>,
    /// Only pins of this group. `groupId` is read too.
    groupid: Option<Id>,
}

/// `Directory/getFields`: the account's fields, or one contact's values of some.
#[derive(ToSchema)]
#[schema(examples(json!({"userId": "10000001", "token": "your-api-token", "contact": "+91 99887 76655", "project": "Name,Email"})))]
pub struct GetFieldsRequest {
    #[serde(flatten)]
    credentials: Credentials,
    /// A contact (`PhoneNumber`: 1005; 1012 when it is none); absent: the account's field list.
    contact: Option<PhoneNumber>,
    /// The same as `contact`.
    cn: Option<PhoneNumber>,
    /// With `contact`: field names separated by commas (any case), or `all` (the default); 1512 for a name the account has no field for.
    project: Option<String>,
}

/// `Directory/search`: contacts by the digits of their number.
#[derive(ToSchema)]
#[schema(examples(json!({"userId": "10000001", "token": "your-api-token", "contact": "98877", "project": "all", "page": 1, "limit": 20})))]
pub struct SearchRequest {
    #[serde(flatten)]
    credentials: Credentials,
    /// 3 to 15 digits found anywhere in the number (spaces, `+`, `-`, brackets dropped); 1005 otherwise.
    contact: String,
    /// The same as `contact`.
    cn: Option<String>,
    /// Field names separated by commas (any case), or `all` (the default); 1512 for an unknown one.
    project: Option<String>,
    /// From 1 (default 1).
    page: Option<Integer>,
    /// 1–100 (default 20).
    limit: Option<Integer>,
}

/// `Directory/setAM`: give a number an account manager.
#[derive(ToSchema)]
#[schema(examples(json!({"userId": "10000001", "token": "your-api-token", "contact": "+91 99887 76655", "AcManId": 1})))]
pub struct SetAccountManagerRequest {
    #[serde(flatten)]
    credentials: Credentials,
    /// The number (`PhoneNumber`: 1005 when it cannot be read); it need not be a contact.
    contact: PhoneNumber,
    /// The same as `contact`.
    cn: Option<PhoneNumber>,
    /// The agent (1503 when it is not a live agent of the account). `acManId` is read too.
    AcManId: Id,
    /// The same as `AcManId`.
    acManId: Option<Id>,
}

/// `Directory/unsetAm`, `getDnc`: one number.
#[derive(ToSchema)]
#[schema(examples(json!({"userId": "10000001", "token": "your-api-token", "contact": "+91 99887 76655"})))]
pub struct NumberRequest {
    #[serde(flatten)]
    credentials: Credentials,
    /// The number (`PhoneNumber`: 1005 when it cannot be read).
    contact: PhoneNumber,
    /// The same as `contact`.
    cn: Option<PhoneNumber>,
}

/// `setDnc`: put a number on the do-not-call list, or take it off.
#[derive(ToSchema)]
#[schema(examples(json!({"userId": "10000001", "token": "your-api-token", "contact": "+91 99000 00002", "dnc": -1})))]
pub struct SetDncRequest {
    #[serde(flatten)]
    credentials: Credentials,
    /// The number (`PhoneNumber`: 1005 when it cannot be read); it need not be a contact.
    contact: PhoneNumber,
    /// The same as `contact`.
    cn: Option<PhoneNumber>,
    /// `0` off the list, `-1` for ever, or a Unix time ahead of now (1508 below -1 or past, 1509 not an integer, 1510 missing).
    dnc: Integer,
}

/// `Directory/Blacklist`: bar a caller on the account's numbers, or lift it.
#[derive(ToSchema)]
#[schema(examples(json!({"userId": "10000001", "token": "your-api-token", "contact": "+91 99000 00001", "DID": ["8001234567"], "RESET": false})))]
pub struct BlacklistRequest {
    #[serde(flatten)]
    credentials: Credentials,
    /// The caller (`PhoneNumber`: 1005 when it cannot be read); it need not be a contact.
    contact: PhoneNumber,
    /// The same as `contact`.
    cn: Option<PhoneNumber>,
    /// The account's numbers (a group's `dids`; 1505 otherwise), or `["all"]`; absent or `[]`: every number.
    DID: Option<Vec<String>>,
    /// The same as `DID`.
    did: Option<Vec<String>>,
    /// `true` (or 1): take the caller off those numbers (every one when `DID` is absent) instead.
    RESET: Option<bool>,
    /// The same as `RESET`.
    reset: Option<bool>,
}
