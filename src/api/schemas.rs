//! Request bodies as the OpenAPI document describes them. Handlers parse
//! leniently from `wire::Body`; these types exist to document the contract.
#![allow(non_snake_case, dead_code)]

use serde_json::Value;
use utoipa::ToSchema;

/// A phone number as people write it — a string, or a JSON number of its
/// digits — kept as digits with the country code (`918442021533`). Spaces,
/// dashes, dots and parentheses are ignored.
///
/// - A leading `+`, or the international access code `00`, says the country
///   code is written: the 11–15 digits after it are the number
///   (`+91 98765-43210`, `0091 98765 43210` → `919876543210`), and a trunk
///   `(0)` right after the country code is dropped (`+44 (0)20 7946 0958`,
///   `0044 20 7946 0958` → `442079460958`).
/// - Otherwise ten digits get the account's country code (`Account/settings`
///   `countryCode`, default `91`: `98765 43210` → `919876543210`), a trunk
///   `0` before ten digits is replaced by it (`098765 43210`), and 11–15
///   digits not starting with `0` are taken as international (`14155550123`).
///
/// Refused with the endpoint's number code: letters or other signs, a `+`
/// that does not lead, a `(0)` with no written country code before it
/// (`(0)20 7946 0958`, `44 (0)20 7946 0958`), and `+`/`00` followed by
/// anything but 11–15 digits (`0091`, `00 98765 43210`).
#[derive(ToSchema)]
#[schema(example = "0091 98765 43210")]
pub struct PhoneNumber(String);

/// Credentials: `ssid`, or `userId` + `token` (never both).
#[derive(ToSchema)]
pub struct Credentials {
    /// Session id from `auth/login` (admin or agent session).
    ssid: Option<String>,
    /// The account id (string or number).
    userId: Option<String>,
    /// The account's API token.
    token: Option<String>,
}

#[derive(ToSchema)]
pub struct LoginRequest {
    email: String,
    password: String,
    /// Only needed when the email logs in to several accounts.
    userId: Option<String>,
}

#[derive(ToSchema)]
pub struct LogoutRequest {
    ssid: String,
}

#[derive(ToSchema)]
pub struct AgentListRequest {
    #[serde(flatten)]
    credentials: Credentials,
    /// One agent (1509 when it does not exist).
    agentId: Option<String>,
    /// Case-insensitive substring of the name, in either Unicode spelling (it is compared in NFC).
    name: Option<String>,
    /// Only agents mapped to this group (1006 when it does not exist).
    groupid: Option<String>,
    /// 1 active, 0 inactive.
    status: Option<i64>,
    /// Minimal items: name, email, unique_id, status, group.
    quick: Option<bool>,
    /// Page number, from 1.
    page: Option<i64>,
    /// Page size, 1–500 (default 50); echoed as `agtLimit`.
    limit: Option<i64>,
}

/// Working hours: minutes of the day, 0–1439, `from` ≤ `to`.
#[derive(ToSchema)]
pub struct WorkingTime {
    /// `MON` … `SUN`.
    wDays: Vec<String>,
    from: i64,
    to: i64,
}

#[derive(ToSchema)]
pub struct AgentFields {
    /// Required on create; 1–100 characters of any script, no control
    /// characters (1515). Kept in Unicode NFC: a decomposed `e` + U+0301 is stored as `é`.
    name: Option<String>,
    /// Required on create; unique among the account's agents (1512).
    email: Option<String>,
    /// The agent's phone, read by the `PhoneNumber` rule (1514).
    phone: Option<PhoneNumber>,
    address: Option<String>,
    /// `MOBILE` (default), `LANDLINE` or `SIP` (1513).
    dest_type: Option<String>,
    /// Number digits, or a SIP user/URI for `SIP` (1510).
    dest_value: Option<String>,
    /// Exactly eight digits (1519); generated and returned once when absent on create.
    call_pass: Option<String>,
    /// Panel password, 8–128 characters; generated and returned once when absent on create.
    password: Option<String>,
    /// Role id (1503); default role 1.
    role: Option<String>,
    /// Parent agent id, or `root` (1504, 1506).
    parent: Option<String>,
    /// `{"<groupId>":{"receive_call":"Y"|"N"}}` or a list of group ids (1505); replaces all mappings.
    group: Option<Value>,
    /// Working hours (1511 shape, 1530 times).
    working: Option<Vec<WorkingTime>>,
    /// `""` or a list of DID numbers (1516).
    allowDid: Option<Vec<String>>,
    favorite: Option<String>,
    /// 1 active (default), 0 inactive (1508).
    status: Option<i64>,
}

#[derive(ToSchema)]
pub struct AgentCreateRequest {
    #[serde(flatten)]
    credentials: Credentials,
    #[serde(flatten)]
    fields: AgentFields,
}

#[derive(ToSchema)]
pub struct AgentUpdateRequest {
    #[serde(flatten)]
    credentials: Credentials,
    agentId: String,
    #[serde(flatten)]
    fields: AgentFields,
}

#[derive(ToSchema)]
pub struct AgentIdRequest {
    #[serde(flatten)]
    credentials: Credentials,
    agentId: String,
}

#[derive(ToSchema)]
pub struct AgentStatusRequest {
    #[serde(flatten)]
    credentials: Credentials,
    agentId: String,
    /// 1 active, 0 inactive (1508).
    status: i64,
}

#[derive(ToSchema)]
pub struct GroupMappingRequest {
    #[serde(flatten)]
    credentials: Credentials,
    agentId: String,
    /// `{"<groupId>": {"receive_call": "Y"|"N"} | null}`: upsert, or remove with `null`.
    group: Value,
}

#[derive(ToSchema)]
pub struct AgentIdsRequest {
    #[serde(flatten)]
    credentials: Credentials,
    /// 1–1000 agent ids; any unknown id → 1509 and nothing changes.
    agentIds: Vec<String>,
}

#[derive(ToSchema)]
pub struct GroupAddRequest {
    #[serde(flatten)]
    credentials: Credentials,
    /// A taken name gets a numeric suffix (`Sales 2`).
    name: String,
    status: Option<i64>,
    /// Wrap-up seconds after this group's calls (0–3600); absent: the account's.
    wrapUpTime: Option<i64>,
}

#[derive(ToSchema)]
pub struct GroupUpdateRequest {
    #[serde(flatten)]
    credentials: Credentials,
    groupId: String,
    name: String,
    status: Option<i64>,
    /// Absent: unchanged; `null`: the account's applies again; 0–3600 seconds.
    wrapUpTime: Option<i64>,
}

#[derive(ToSchema)]
pub struct GroupIdRequest {
    #[serde(flatten)]
    credentials: Credentials,
    groupId: String,
}

#[derive(ToSchema)]
pub struct GroupListRequest {
    #[serde(flatten)]
    credentials: Credentials,
    groupid: Option<String>,
    /// Case-insensitive substring of the name.
    name: Option<String>,
    /// Only `{"<id>":"<name>"}`.
    quick: Option<bool>,
    forward: Option<bool>,
}

#[derive(ToSchema)]
pub struct RoleListRequest {
    #[serde(flatten)]
    credentials: Credentials,
}

#[derive(ToSchema)]
pub struct RoleAddRequest {
    #[serde(flatten)]
    credentials: Credentials,
    name: String,
    /// `VIEW_AGENTS`, `EDIT_AGENTS`, `MANAGE_GROUPS`, `MANAGE_ROLES`, `AGENT_TO_AGENT_CALL`.
    permissions: Option<Vec<String>>,
}

#[derive(ToSchema)]
pub struct RoleUpdateRequest {
    #[serde(flatten)]
    credentials: Credentials,
    roleId: String,
    name: Option<String>,
    permissions: Option<Vec<String>>,
}

// ---- Replies. Every success of Agent/Group/Role ends with `"status":"success","code":200`.

/// `{"status":"success","code":200,"message":M}` — the reply of write endpoints.
#[derive(ToSchema)]
pub struct DoneReply {
    status: String,
    code: i64,
    message: String,
}

#[derive(ToSchema)]
pub struct WorkingItem {
    wDays: Vec<String>,
    from: i64,
    to: i64,
    agentId: i64,
}

/// One agent, in seed 002's key order; `password` is never sent and
/// `call_pass` is always `"********"`.
#[derive(ToSchema)]
pub struct AgentItem {
    name: String,
    favorite: String,
    email: String,
    phone: String,
    address: String,
    dest_type: String,
    dest_value: String,
    call_pass: String,
    role: String,
    parent: String,
    create_date: i64,
    create_by: String,
    create_by_type: String,
    user_id: String,
    unique_id: i64,
    /// `""` or a list of DIDs.
    allowDid: Value,
    status: i64,
    isDeleted: i64,
    preDeleted: i64,
    group: Vec<i64>,
    working: Vec<WorkingItem>,
    /// `[{"<groupId>":"<name>"}]`; `"Unknown group (<id>)"` for a group that is gone.
    groupNames: Vec<Value>,
    roleName: String,
    /// Ours: the CAD flag (0/1).
    cad: i64,
}

#[derive(ToSchema)]
pub struct AgentListReply {
    /// Items as `AgentItem`, or with `quick` only `name, email, unique_id, status, group`.
    response: Vec<AgentItem>,
    /// The page size.
    agtLimit: i64,
    currentPage: i64,
    totalPages: i64,
    totalRecords: i64,
    status: String,
    code: i64,
}

#[derive(ToSchema)]
pub struct AgentCreateReply {
    agentId: i64,
    /// Present only when generated: shown this once.
    password: Option<String>,
    /// Present only when generated: shown this once.
    call_pass: Option<String>,
    status: String,
    code: i64,
}

#[derive(ToSchema)]
pub struct GroupAddReply {
    groupId: i64,
    /// As stored, with its suffix when the name was taken.
    name: String,
    status: String,
    code: i64,
}

#[derive(ToSchema)]
pub struct GroupListReply {
    /// `{"<groupId>":{"name":…,"status":…,"agents":…}}`, or with `quick` `{"<groupId>":"<name>"}`.
    response: Value,
    status: String,
    code: i64,
}

#[derive(ToSchema)]
pub struct RoleItem {
    roleId: String,
    name: String,
    permissions: Vec<String>,
}

#[derive(ToSchema)]
pub struct RoleListReply {
    response: Vec<RoleItem>,
    status: String,
    code: i64,
}

#[derive(ToSchema)]
pub struct RoleReply {
    roleId: String,
    name: String,
    permissions: Vec<String>,
    status: String,
    code: i64,
}

#[derive(ToSchema)]
pub struct LoginReply {
    /// Shown once; send it as `ssid`.
    ssid: String,
    /// Unix seconds when the session expires if it is not used again: every
    /// request with the `ssid` (pings included) moves it to that second plus
    /// the session lifetime (`--session-ttl`), up to `--session-max` after login.
    expiresAt: i64,
    userId: String,
    /// The agent the session acts as; `null` for an admin session.
    agentId: Option<i64>,
    status: String,
    code: i64,
}
