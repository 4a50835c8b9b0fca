//! An agent's fields as `Agent/create` and `Agent/update` receive them, each
//! checked in a fixed order and refused with the code the Agent table gives it.

use serde_json::Value;

use crate::domain::agent::{self as rules, DestType, ReceiveCall};
use crate::domain::ids::{AgentId, GroupId, RoleId};
use crate::domain::working::{WorkingError, WorkingTime, parse_working};
use crate::store::{Mapping, MappingChange};
use crate::wire::body::{id_value, int_value};
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

fn text_field(body: &Body, key: &str, code: ErrorCode) -> Result<Option<String>, ErrorCode> {
    body.text(key).map(|v| v.map(str::to_string)).map_err(|_| code)
}

/// Text or a JSON number (phones and passwords arrive both ways).
fn digits_field(body: &Body, key: &str, code: ErrorCode) -> Result<Option<String>, ErrorCode> {
    match body.get(key) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(Value::Number(n)) if n.is_u64() => Ok(Some(n.to_string())),
        Some(_) => Err(code),
    }
}

/// Parses every agent field present in `body`. Keys that are no agent field
/// were refused before (1521, from the endpoint's request schema `AgentFields`).
pub fn parse(body: &Body, country_code: &str) -> Result<AgentInput, ErrorCode> {
    let mut input = AgentInput::default();
    if let Some(name) = text_field(body, "name", codes::INVALID_NAME)? {
        input.name = Some(rules::valid_name(&name).ok_or(codes::INVALID_NAME)?);
    }
    if let Some(email) = text_field(body, "email", global::INVALID_PARAMETER)? {
        input.email = Some(rules::valid_email(&email).ok_or(global::INVALID_PARAMETER)?);
    }
    if let Some(phone) = digits_field(body, "phone", codes::INVALID_MOBILE)? {
        input.phone = Some(rules::normalize_phone(&phone, country_code).ok_or(codes::INVALID_MOBILE)?);
    }
    if let Some(address) = text_field(body, "address", global::INVALID_PARAMETER)? {
        if address.chars().count() > rules::MAX_TEXT {
            return Err(global::INVALID_PARAMETER);
        }
        input.address = Some(address.trim().to_string());
    }
    if let Some(kind) = text_field(body, "dest_type", codes::INVALID_TYPE)? {
        input.dest_type = Some(DestType::parse(&kind).ok_or(codes::INVALID_TYPE)?);
    }
    input.dest_value = digits_field(body, "dest_value", codes::INVALID_DESTINATION)?;
    if let Some(pass) = digits_field(body, "call_pass", codes::INVALID_CALL_PASSWORD)? {
        if !rules::valid_call_password(&pass) {
            return Err(codes::INVALID_CALL_PASSWORD);
        }
        input.call_pass = Some(pass);
    }
    if let Some(password) = text_field(body, "password", global::INVALID_PARAMETER)? {
        if !(8..=128).contains(&password.chars().count()) {
            return Err(global::INVALID_PARAMETER);
        }
        input.password = Some(password);
    }
    input.role = body.id("role").map_err(|_| codes::INVALID_ROLE)?;
    input.parent = parse_parent(body.get("parent"))?;
    if let Some(group) = body.get("group") {
        input.groups = Some(parse_groups(group)?);
    }
    if let Some(working) = body.get("working") {
        input.working = Some(parse_working(working).map_err(|e| match e {
            WorkingError::Format => codes::INVALID_WORKING_TIME,
            WorkingError::Range => codes::INVALID_TIMING,
        })?);
    }
    if let Some(dids) = body.get("allowDid") {
        input.allow_did = Some(parse_dids(dids)?);
    }
    if let Some(favorite) = text_field(body, "favorite", codes::INVALID_FAVORITE)? {
        if favorite.chars().count() > rules::MAX_TEXT {
            return Err(codes::INVALID_FAVORITE);
        }
        input.favorite = Some(favorite);
    }
    input.status = parse_status(body)?;
    Ok(input)
}

/// `status`: 1 active or 0 inactive, else 1508.
pub fn parse_status(body: &Body) -> Result<Option<i64>, ErrorCode> {
    match body.int("status") {
        Ok(None) => Ok(None),
        Ok(Some(s @ (0 | 1))) => Ok(Some(s)),
        _ => Err(codes::INVALID_STATUS),
    }
}

/// `parent`: an agent id, or `"root"` / `",START,"` / `0` for the top level.
fn parse_parent(value: Option<&Value>) -> Result<Option<ParentRef>, ErrorCode> {
    match value {
        None => Ok(None),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("root") || s == rules::ROOT_PATH || s.is_empty() => {
            Ok(Some(ParentRef::Root))
        }
        Some(v) if int_value(v) == Ok(0) => Ok(Some(ParentRef::Root)),
        Some(v) => id_value(v).map(|id| Some(ParentRef::Agent(AgentId(id)))).map_err(|_| codes::INVALID_PARENT),
    }
}

/// A whole set of mappings, as `create`/`update` take it: the mapping object
/// of `updateAgentGroupMapping` (without `null`s) or a plain list of group ids.
fn parse_groups(value: &Value) -> Result<Vec<Mapping>, ErrorCode> {
    if let Some(list) = value.as_array() {
        let mut groups: Vec<Mapping> = Vec::with_capacity(list.len());
        for item in list {
            let group = GroupId(id_value(item).map_err(|_| codes::INVALID_GROUP_DATA)?);
            if !groups.iter().any(|m| m.group == group) {
                groups.push(Mapping { group, receive_call: ReceiveCall::Yes });
            }
        }
        return Ok(groups);
    }
    parse_group_mapping(value)?
        .into_iter()
        .map(|change| {
            let receive_call = change.receive_call.ok_or(codes::INVALID_GROUP_DATA)?;
            Ok(Mapping { group: change.group, receive_call })
        })
        .collect()
}

/// Most groups one request may name.
pub const MAX_GROUPS: usize = 500;

/// `{"<groupId>": {"receive_call": "Y"|"N"} | null, …}` → upserts and removals.
pub fn parse_group_mapping(value: &Value) -> Result<Vec<MappingChange>, ErrorCode> {
    let object = value.as_object().ok_or(codes::INVALID_GROUP_DATA)?;
    if object.len() > MAX_GROUPS {
        return Err(codes::INVALID_GROUP_DATA);
    }
    object
        .iter()
        .map(|(key, mapping)| {
            let group = GroupId(id_value(&Value::String(key.clone())).map_err(|_| codes::INVALID_GROUP_DATA)?);
            let receive_call = match mapping {
                Value::Null => None,
                Value::Object(fields) => Some(
                    fields
                        .get("receive_call")
                        .and_then(Value::as_str)
                        .and_then(ReceiveCall::parse)
                        .ok_or(codes::INVALID_GROUP_DATA)?,
                ),
                _ => return Err(codes::INVALID_GROUP_DATA),
            };
            Ok(MappingChange { group, receive_call })
        })
        .collect()
}

/// `allowDid`: `""` (none) or a list of DID numbers.
fn parse_dids(value: &Value) -> Result<Vec<String>, ErrorCode> {
    match value {
        Value::String(s) if s.is_empty() => Ok(Vec::new()),
        Value::Array(items) if items.len() <= 100 => items
            .iter()
            .map(|item| match item {
                Value::String(s) => rules::valid_did(s).ok_or(codes::INVALID_DID),
                Value::Number(n) => rules::valid_did(&n.to_string()).ok_or(codes::INVALID_DID),
                _ => Err(codes::INVALID_DID),
            })
            .collect(),
        _ => Err(codes::INVALID_DID),
    }
}

/// The stored destination for a type, 1510 when it does not fit the type.
pub fn destination(kind: DestType, raw: &str) -> Result<String, ErrorCode> {
    kind.destination(raw).ok_or(codes::INVALID_DESTINATION)
}
