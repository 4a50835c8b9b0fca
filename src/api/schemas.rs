//! Request bodies as the OpenAPI document describes them, with an example
//! each ("Try it out" sends it). Handlers parse leniently from `wire::Body`;
//! these types only document what they accept. Replies are the handlers' own types.
#![allow(non_snake_case, dead_code)]

use serde_json::{Value, json};
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, Schema, SchemaType, Type};
use utoipa::{PartialSchema, ToSchema};

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
#[serde(untagged)]
#[schema(example = "0091 98765 43210")]
pub enum PhoneNumber {
    Written(String),
    Digits(u64),
}

/// Text, or a JSON number of its digits (`"12345678"`, `12345678`).
#[derive(ToSchema)]
#[serde(untagged)]
pub enum Digits {
    Text(String),
    Number(u64),
}

/// An integer as `wire::Body` reads one: a JSON number, or a string of its
/// digits matching `pattern`; `minimum` bounds the number.
fn number_or_digits(minimum: Option<i64>, pattern: &str, description: &str) -> RefOr<Schema> {
    OneOfBuilder::new()
        .item(ObjectBuilder::new().schema_type(Type::Integer).minimum(minimum))
        .item(ObjectBuilder::new().schema_type(Type::String).pattern(Some(pattern)))
        .description(Some(description))
        .into()
}

/// An id: a positive integer, as a JSON number or a string of its digits (`7`, `"7"`).
pub struct Id;

impl PartialSchema for Id {
    fn schema() -> RefOr<Schema> {
        number_or_digits(
            Some(1),
            "^[0-9]+$",
            "A positive integer, as a JSON number or a string of its digits (`7`, `\"7\"`).",
        )
    }
}

impl ToSchema for Id {}

/// An integer as a JSON number or a string of digits (`30`, `"30"`).
pub struct Integer;

impl PartialSchema for Integer {
    fn schema() -> RefOr<Schema> {
        number_or_digits(None, "^-?[0-9]+$", "An integer, as a JSON number or a string of digits (`30`, `\"30\"`).")
    }
}

impl ToSchema for Integer {}

/// A yes/no: `true`/`false`, `1`/`0`, `"1"`/`"0"` or `"true"`/`"false"`.
pub struct Flag;

impl PartialSchema for Flag {
    fn schema() -> RefOr<Schema> {
        let values =
            [json!(true), json!(false), json!(1), json!(0), json!("1"), json!("0"), json!("true"), json!("false")];
        ObjectBuilder::new()
            .schema_type(SchemaType::AnyValue)
            .enum_values(Some(values))
            .description(Some("`true`/`false`, `1`/`0`, `\"1\"`/`\"0\"` or `\"true\"`/`\"false\"`."))
            .into()
    }
}

impl ToSchema for Flag {}

/// Credentials: `ssid`, or `userId` + `token` (never both). Examples carry
/// placeholders: put your own account id and token (or session id) in.
#[derive(ToSchema)]
#[schema(examples(json!({"userId": "10000001", "token": "your-api-token"})))]
pub struct Credentials {
    /// Session id from `auth/login` (admin or agent session).
    ssid: Option<String>,
    /// The account id (string or number).
    userId: Option<Id>,
    /// The account's API token.
    token: Option<String>,
}

#[derive(ToSchema)]
#[schema(examples(json!({"email": "asha@example.com", "password": "asha-pass-2024"})))]
pub struct LoginRequest {
    email: String,
    password: String,
    /// Only needed when the email logs in to several accounts.
    userId: Option<Id>,
}

#[derive(ToSchema)]
#[schema(examples(json!({"ssid": "your-session-id"})))]
pub struct LogoutRequest {
    ssid: String,
}

#[derive(ToSchema)]
#[schema(examples(json!({"userId": "10000001", "token": "your-api-token", "page": 1, "limit": 50})))]
pub struct AgentListRequest {
    #[serde(flatten)]
    credentials: Credentials,
    /// One agent (1509 when it does not exist).
    agentId: Option<Id>,
    /// Case-insensitive substring of the name, in either Unicode spelling (it is compared in NFC).
    name: Option<String>,
    /// Only agents mapped to this group (1006 when it does not exist).
    groupid: Option<Id>,
    /// The same as `groupid`.
    groupId: Option<Id>,
    /// 1 active, 0 inactive (1508).
    status: Option<Integer>,
    /// Minimal items: name, email, unique_id, status, group.
    quick: Option<Flag>,
    /// Page number, from 1 (1502 otherwise).
    page: Option<Integer>,
    /// Page size, 1–500 (default 50); echoed as `agtLimit`.
    limit: Option<Integer>,
}

/// Working hours: minutes of the day, 0–1439, `from` ≤ `to`.
#[derive(ToSchema)]
pub struct WorkingTime {
    /// `MON` … `SUN`.
    wDays: Vec<String>,
    from: Integer,
    to: Integer,
}

/// An agent's fields; any other key is 1521.
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
    dest_value: Option<Digits>,
    /// Exactly eight digits (1519); generated and returned once when absent on create.
    call_pass: Option<Digits>,
    /// Panel password, 8–128 characters; generated and returned once when absent on create.
    password: Option<String>,
    /// Role id (1503); default role 1.
    role: Option<Id>,
    /// Parent agent id, or `root` (also `0`, `""`, `,START,`) for the top (1504, 1506).
    parent: Option<Digits>,
    /// `{"<groupId>":{"receive_call":"Y"|"N"}}` or a list of group ids (1505); replaces all mappings.
    group: Option<Value>,
    /// Working hours (1511 shape, 1530 times).
    working: Option<Vec<WorkingTime>>,
    /// `""` or a list of up to 100 DID numbers (1516).
    allowDid: Option<Value>,
    favorite: Option<String>,
    /// 1 active (default), 0 inactive (1508).
    status: Option<Integer>,
}

#[derive(ToSchema)]
#[schema(examples(json!({
    "userId": "10000001", "token": "your-api-token", "name": "Asha Rao", "email": "asha@example.com",
    "password": "asha-pass-2024", "phone": "+91 98765 43210", "dest_type": "MOBILE", "dest_value": "9876543210",
    "role": 1, "group": {"1": {"receive_call": "Y"}},
    "working": [{"wDays": ["MON", "TUE", "WED", "THU", "FRI"], "from": 540, "to": 1080}], "status": 1
})))]
pub struct AgentCreateRequest {
    #[serde(flatten)]
    credentials: Credentials,
    #[serde(flatten)]
    fields: AgentFields,
}

#[derive(ToSchema)]
#[schema(examples(json!({"userId": "10000001", "token": "your-api-token", "agentId": 1, "address": "Jaipur"})))]
pub struct AgentUpdateRequest {
    #[serde(flatten)]
    credentials: Credentials,
    /// 1509 when it is not an agent of the account.
    agentId: Id,
    #[serde(flatten)]
    fields: AgentFields,
}

#[derive(ToSchema)]
#[schema(examples(json!({"userId": "10000001", "token": "your-api-token", "agentId": 1})))]
pub struct AgentIdRequest {
    #[serde(flatten)]
    credentials: Credentials,
    /// 1509 when it is not an agent of the account.
    agentId: Id,
}

/// `Employee/profile`: one agent by its id.
#[derive(ToSchema)]
#[schema(examples(json!({"userId": "10000001", "token": "your-api-token", "empId": 1})))]
pub struct EmployeeProfileRequest {
    #[serde(flatten)]
    credentials: Credentials,
    /// The agent's id (`unique_id`); 1509 when it is not a live agent of the account. `agentId` is read too.
    empId: Id,
}

#[derive(ToSchema)]
#[schema(examples(json!({"userId": "10000001", "token": "your-api-token", "agentId": 1, "status": 1})))]
pub struct AgentStatusRequest {
    #[serde(flatten)]
    credentials: Credentials,
    agentId: Id,
    /// 1 active, 0 inactive (1508).
    status: Integer,
}

#[derive(ToSchema)]
#[schema(examples(json!({
    "userId": "10000001", "token": "your-api-token", "agentId": 1, "group": {"1": {"receive_call": "Y"}}
})))]
pub struct GroupMappingRequest {
    #[serde(flatten)]
    credentials: Credentials,
    agentId: Id,
    /// `{"<groupId>": {"receive_call": "Y"|"N"} | null}`: upsert, or remove with `null` (1505).
    group: Value,
}

#[derive(ToSchema)]
#[schema(examples(json!({"userId": "10000001", "token": "your-api-token", "agentIds": [1]})))]
pub struct AgentIdsRequest {
    #[serde(flatten)]
    credentials: Credentials,
    /// 1–1000 agent ids; any unknown id → 1509 and nothing changes.
    agentIds: Vec<Id>,
}

#[derive(ToSchema)]
#[schema(examples(json!({"userId": "10000001", "token": "your-api-token", "name": "Sales", "status": 1, "wrapUpTime": 45})))]
pub struct GroupAddRequest {
    #[serde(flatten)]
    credentials: Credentials,
    /// A taken name gets a numeric suffix (`Sales 2`).
    name: String,
    /// 1 active (default), 0 inactive.
    status: Option<Integer>,
    /// Wrap-up seconds after this group's calls (0–3600); absent: the account's.
    wrapUpTime: Option<Integer>,
    /// Routing (`callRoute`): `ringall` (default), `longest_idle`, `round_robin` or `fewest_calls`.
    strategy: Option<String>,
    /// Seconds an offer rings before the telephony asks again (5–300; default 20).
    ringTimeout: Option<Integer>,
    /// The service level threshold (1–3600 s; default 20): `Group/queue`
    /// counts the calls answered within it of arriving.
    serviceLevel: Option<Integer>,
    /// The numbers (DIDs, 6–15 digits each, at most 100) whose calls reach
    /// this group; replaces its list. A number reaches one group (1509).
    dids: Option<Vec<PhoneNumber>>,
}

#[derive(ToSchema)]
#[schema(examples(json!({
    "userId": "10000001", "token": "your-api-token", "groupId": 1, "name": "Sales India", "status": 1,
    "dids": ["8001234567"]
})))]
pub struct GroupUpdateRequest {
    #[serde(flatten)]
    credentials: Credentials,
    groupId: Id,
    /// The same as `groupId`.
    groupid: Option<Id>,
    name: String,
    /// 1 active (default), 0 inactive.
    status: Option<Integer>,
    /// Absent: unchanged; `null`: the account's applies again; 0–3600 seconds.
    wrapUpTime: Option<Integer>,
    /// Absent: unchanged; `null`: the default again. Routing (`callRoute`): `ringall` (default), `longest_idle`, `round_robin` or `fewest_calls`.
    strategy: Option<String>,
    /// Seconds an offer rings before the telephony asks again (5–300; default 20).
    ringTimeout: Option<Integer>,
    /// The service level threshold (1–3600 s; default 20): `Group/queue`
    /// counts the calls answered within it of arriving.
    serviceLevel: Option<Integer>,
    /// The numbers (DIDs, 6–15 digits each, at most 100) whose calls reach
    /// this group; replaces its list. A number reaches one group (1509).
    dids: Option<Vec<PhoneNumber>>,
}

#[derive(ToSchema)]
#[schema(examples(json!({"userId": "10000001", "token": "your-api-token", "groupId": 1})))]
pub struct GroupIdRequest {
    #[serde(flatten)]
    credentials: Credentials,
    groupId: Id,
    /// The same as `groupId`.
    groupid: Option<Id>,
}

#[derive(ToSchema)]
#[schema(examples(json!({"userId": "10000001", "token": "your-api-token"})))]
pub struct GroupListRequest {
    #[serde(flatten)]
    credentials: Credentials,
    /// One group.
    groupid: Option<Id>,
    /// The same as `groupid`.
    groupId: Option<Id>,
    /// Case-insensitive substring of the name.
    name: Option<String>,
    /// Only `{"<id>":"<name>"}`.
    quick: Option<Flag>,
    forward: Option<Flag>,
}

#[derive(ToSchema)]
#[schema(examples(json!({"userId": "10000001", "token": "your-api-token"})))]
pub struct RoleListRequest {
    #[serde(flatten)]
    credentials: Credentials,
}

#[derive(ToSchema)]
#[schema(examples(json!({
    "userId": "10000001", "token": "your-api-token", "name": "Supervisor", "permissions": ["VIEW_AGENTS", "EDIT_AGENTS"]
})))]
pub struct RoleAddRequest {
    #[serde(flatten)]
    credentials: Credentials,
    name: String,
    /// `VIEW_AGENTS`, `EDIT_AGENTS`, `MANAGE_GROUPS`, `MANAGE_ROLES`, `AGENT_TO_AGENT_CALL`, `SUPERVISE_AGENTS`.
    permissions: Option<Vec<String>>,
}

#[derive(ToSchema)]
#[schema(examples(json!({
    "userId": "10000001", "token": "your-api-token", "roleId": 2, "name": "Team lead", "permissions": ["VIEW_AGENTS"]
})))]
pub struct RoleUpdateRequest {
    #[serde(flatten)]
    credentials: Credentials,
    roleId: Id,
    /// The same as `roleId`.
    role: Option<Id>,
    name: Option<String>,
    permissions: Option<Vec<String>>,
}
