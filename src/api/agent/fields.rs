//! An agent's fields as `Agent/create` and `Agent/update` receive them, each
//! checked in a fixed order and refused with the code the Agent table gives it.

use serde_json::Value;

use crate::api::error::{ApiError, OrRefuse, Refuse};
use crate::domain::agent::{self as rules, DID_RULE, DestType, NAME_RULE, ReceiveCall};
use crate::domain::ids::{AgentId, GroupId, RoleId};
use crate::domain::phone::rule as phone_rule;
use crate::domain::working::{WorkingError, WorkingTime, parse_working};
use crate::store::{Mapping, MappingChange};
use crate::wire::body::{A_STRING, id_value, int_value};
use crate::wire::errors::{agent as codes, global};
use crate::wire::{Body, ErrorCode};

/// Where an agent sits in the hierarchy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParentRef {
    Root,
    Agent(AgentId),
}

/// Validated but not yet checked against the store (role, parent and groups
/// must exist; the email must be free).
#[derive(Debug, Default)]
pub struct AgentInput {
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub address: Option<String>,
    pub dest_type: Option<DestType>,
    /// Raw; checked against the destination type by `destination`.
    pub dest_value: Option<String>,
    pub call_pass: Option<String>,
    pub password: Option<String>,
    pub role: Option<RoleId>,
    pub parent: Option<ParentRef>,
    pub groups: Option<Vec<Mapping>>,
    pub working: Option<Vec<WorkingTime>>,
    pub allow_did: Option<Vec<String>>,
    pub favorite: Option<String>,
    pub status: Option<i64>,
}

impl AgentInput {
    pub fn is_empty(&self) -> bool {
        self.name.is_none()
            && self.email.is_none()
            && self.phone.is_none()
            && self.address.is_none()
            && self.dest_type.is_none()
            && self.dest_value.is_none()
            && self.call_pass.is_none()
            && self.password.is_none()
            && self.role.is_none()
            && self.parent.is_none()
            && self.groups.is_none()
            && self.working.is_none()
            && self.allow_did.is_none()
            && self.favorite.is_none()
            && self.status.is_none()
    }
}

fn text_field(body: &Body, key: &str, code: ErrorCode) -> Result<Option<String>, ApiError> {
    body.text(key).map(|v| v.map(str::to_string)).or_refuse(code, key, A_STRING)
}

/// Text or a JSON number (phones and passwords arrive both ways).
fn digits_field(body: &Body, key: &str, code: ErrorCode) -> Result<Option<String>, ApiError> {
    match body.get(key) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(Value::Number(n)) if n.is_u64() => Ok(Some(n.to_string())),
        Some(_) => Err(code.at(&[key], format!("{key} must be a string or a JSON number"))),
    }
}

/// Parses every agent field present in `body`. Keys that are no agent field
/// were refused before (1521, from the endpoint's request schema `AgentFields`).
/// Each refusal names its field and what it takes (issue 27).
pub fn parse(body: &Body, country_code: &str) -> Result<AgentInput, ApiError> {
    let mut input = AgentInput::default();
    if let Some(name) = text_field(body, "name", codes::INVALID_NAME)? {
        let name = rules::valid_name(&name);
        input.name = Some(name.ok_or_else(|| codes::INVALID_NAME.at(&["name"], format!("name must be {NAME_RULE}")))?);
    }
    if let Some(email) = text_field(body, "email", global::INVALID_PARAMETER)? {
        let email = rules::valid_email(&email);
        input.email =
            Some(email.ok_or_else(|| {
                global::INVALID_PARAMETER.at(&["email"], format!("email must be {}", rules::EMAIL_RULE))
            })?);
    }
    if let Some(phone) = digits_field(body, "phone", codes::INVALID_MOBILE)? {
        let phone = rules::normalize_phone(&phone, country_code);
        input.phone = Some(phone.ok_or_else(|| {
            codes::INVALID_MOBILE.at(&["phone"], format!("phone must be {}", phone_rule(country_code)))
        })?);
    }
    if let Some(address) = text_field(body, "address", global::INVALID_PARAMETER)? {
        if address.chars().count() > rules::MAX_TEXT {
            return Err(global::INVALID_PARAMETER.at(&["address"], "address must be at most 255 characters"));
        }
        input.address = Some(address.trim().to_string());
    }
    if let Some(kind) = text_field(body, "dest_type", codes::INVALID_TYPE)? {
        let kind = DestType::parse(&kind);
        input.dest_type = Some(kind.ok_or_else(|| codes::INVALID_TYPE.at(&["dest_type"], DEST_TYPES))?);
    }
    input.dest_value = digits_field(body, "dest_value", codes::INVALID_DESTINATION)?;
    if let Some(pass) = digits_field(body, "call_pass", codes::INVALID_CALL_PASSWORD)? {
        if !rules::valid_call_password(&pass) {
            return Err(codes::INVALID_CALL_PASSWORD.at(&["call_pass"], "call_pass must be exactly 8 digits"));
        }
        input.call_pass = Some(pass);
    }
    if let Some(password) = text_field(body, "password", global::INVALID_PARAMETER)? {
        if !(8..=128).contains(&password.chars().count()) {
            return Err(global::INVALID_PARAMETER.at(&["password"], "password must be 8 to 128 characters"));
        }
        input.password = Some(password);
    }
    input.role = body.id("role").or_refuse(codes::INVALID_ROLE, "role", "a role id: a positive integer")?;
    input.parent = parse_parent(body.get("parent"))?;
    if let Some(group) = body.get("group") {
        input.groups = Some(parse_groups(group)?);
    }
    if let Some(working) = body.get("working") {
        input.working = Some(parse_working(working).map_err(|bad| {
            let code = match bad.error {
                WorkingError::Format => codes::INVALID_WORKING_TIME,
                WorkingError::Range => codes::INVALID_TIMING,
            };
            let path: Vec<&str> = std::iter::once("working").chain(bad.at.iter().map(String::as_str)).collect();
            code.at(&path, bad.takes)
        })?);
    }
    if let Some(dids) = body.get("allowDid") {
        input.allow_did = Some(parse_dids(dids)?);
    }
    if let Some(favorite) = text_field(body, "favorite", codes::INVALID_FAVORITE)? {
        if favorite.chars().count() > rules::MAX_TEXT {
            return Err(codes::INVALID_FAVORITE.at(&["favorite"], "favorite must be at most 255 characters"));
        }
        input.favorite = Some(favorite);
    }
    input.status = parse_status(body)?;
    Ok(input)
}

/// What `dest_type` takes.
const DEST_TYPES: &str = "dest_type must be MOBILE, LANDLINE or SIP";
/// What `status` takes.
pub const STATUSES: &str = "1 (active) or 0 (inactive)";

/// `status`: 1 active or 0 inactive, else 1508.
pub fn parse_status(body: &Body) -> Result<Option<i64>, ApiError> {
    match body.int("status") {
        Ok(None) => Ok(None),
        Ok(Some(s @ (0 | 1))) => Ok(Some(s)),
        _ => Err(codes::INVALID_STATUS.at(&["status"], format!("status must be {STATUSES}"))),
    }
}

/// `parent`: an agent id, or `"root"` / `",START,"` / `0` for the top level.
fn parse_parent(value: Option<&Value>) -> Result<Option<ParentRef>, ApiError> {
    match value {
        None => Ok(None),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("root") || s == rules::ROOT_PATH || s.is_empty() => {
            Ok(Some(ParentRef::Root))
        }
        Some(v) if int_value(v) == Ok(0) => Ok(Some(ParentRef::Root)),
        Some(v) => id_value(v).map(|id| Some(ParentRef::Agent(AgentId(id)))).map_err(|_| {
            codes::INVALID_PARENT
                .at(&["parent"], "parent must be an agent id, or root, \",START,\" or 0 for the top level")
        }),
    }
}

/// What a mapping of a group takes.
const A_MAPPING: &str = "{receive_call: Y or N}";

/// A whole set of mappings, as `create`/`update` take it: the mapping object
/// of `updateAgentGroupMapping` (without `null`s) or a plain list of group ids.
fn parse_groups(value: &Value) -> Result<Vec<Mapping>, ApiError> {
    if let Some(list) = value.as_array() {
        let mut groups: Vec<Mapping> = Vec::with_capacity(list.len());
        for (i, item) in list.iter().enumerate() {
            let group = GroupId(id_value(item).map_err(|_| {
                codes::INVALID_GROUP_DATA.at(&["group", &i.to_string()], "a group id must be a positive integer")
            })?);
            if !groups.iter().any(|m| m.group == group) {
                groups.push(Mapping { group, receive_call: ReceiveCall::Yes });
            }
        }
        return Ok(groups);
    }
    let keys = value.as_object().into_iter().flat_map(|o| o.keys());
    parse_group_mapping(value)?
        .into_iter()
        .zip(keys)
        .map(|(change, key)| {
            let receive_call = change.receive_call.ok_or_else(|| {
                codes::INVALID_GROUP_DATA.at(
                    &["group", key],
                    format!("a mapping here must be {A_MAPPING}; null removes one in updateAgentGroupMapping only"),
                )
            })?;
            Ok(Mapping { group: change.group, receive_call })
        })
        .collect()
}

/// Most groups one request may name.
pub const MAX_GROUPS: usize = 500;

/// `{"<groupId>": {"receive_call": "Y"|"N"} | null, …}` → upserts and removals.
pub fn parse_group_mapping(value: &Value) -> Result<Vec<MappingChange>, ApiError> {
    let bad = codes::INVALID_GROUP_DATA;
    let object = value.as_object().ok_or_else(|| {
        bad.at(
            &["group"],
            format!("group must be an object of group id to {A_MAPPING} or null, or a list of group ids"),
        )
    })?;
    if object.len() > MAX_GROUPS {
        return Err(bad.at(&["group"], format!("group takes at most {MAX_GROUPS} groups")));
    }
    object
        .iter()
        .map(|(key, mapping)| {
            let group = GroupId(
                id_value(&Value::String(key.clone()))
                    .map_err(|_| bad.at(&["group", key], "a key of group must be a group id: a positive integer"))?,
            );
            let receive_call = match mapping {
                Value::Null => None,
                Value::Object(fields) => Some(
                    fields
                        .get("receive_call")
                        .and_then(Value::as_str)
                        .and_then(ReceiveCall::parse)
                        .ok_or_else(|| bad.at(&["group", key, "receive_call"], "receive_call must be Y or N"))?,
                ),
                _ => return Err(bad.at(&["group", key], format!("a mapping must be {A_MAPPING} or null"))),
            };
            Ok(MappingChange { group, receive_call })
        })
        .collect()
}

/// `allowDid`: `""` (none) or a list of DID numbers.
fn parse_dids(value: &Value) -> Result<Vec<String>, ApiError> {
    let bad_did = |i: usize| codes::INVALID_DID.at(&["allowDid", &i.to_string()], format!("a DID must be {DID_RULE}"));
    match value {
        Value::String(s) if s.is_empty() => Ok(Vec::new()),
        Value::Array(items) if items.len() <= 100 => items
            .iter()
            .enumerate()
            .map(|(i, item)| match item {
                Value::String(s) => rules::valid_did(s).ok_or_else(|| bad_did(i)),
                Value::Number(n) => rules::valid_did(&n.to_string()).ok_or_else(|| bad_did(i)),
                _ => Err(bad_did(i)),
            })
            .collect(),
        _ => Err(codes::INVALID_DID.at(&["allowDid"], "allowDid must be \"\" or a list of at most 100 DIDs")),
    }
}

/// The stored destination for a type, 1510 when it does not fit the type
/// (`raw` is the body's `dest_value`).
pub fn destination(kind: DestType, raw: &str) -> Result<String, ApiError> {
    kind.destination(raw).ok_or_else(|| {
        codes::INVALID_DESTINATION
            .at(&["dest_value"], format!("dest_value must be {} (dest_type {})", kind.takes(), kind.as_str()))
    })
}

/// The agent's stored destination under a new type, 1510 when it does not
/// fit it (the body changed `dest_type` only).
pub fn kept_destination(kind: DestType, stored: &str) -> Result<String, ApiError> {
    kind.destination(stored).ok_or_else(|| {
        codes::INVALID_DESTINATION.at(
            &["dest_type"],
            format!("the agent's dest_value does not fit dest_type {}: send a dest_value with it", kind.as_str()),
        )
    })
}
