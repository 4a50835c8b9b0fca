//! The request body as DeepCall clients send it: JSON text under any (or no)
//! Content-Type, ids as strings or numbers. Accessors report a wrong type as
//! `Malformed` so each handler can answer the code its table assigns.

use std::borrow::Cow;

use serde_json::{Map, Value};

use super::errors::{ErrorCode, global};

/// Largest body we read; larger ones get HTTP 413.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// What `Body::id` / `id_any` read, for a refusal's detail.
pub const AN_ID: &str = "a positive integer (a JSON number or a string of digits)";
/// What `Body::int` reads.
pub const AN_INTEGER: &str = "an integer (a JSON number or a string of digits)";
/// What `Body::text` reads.
pub const A_STRING: &str = "a string";
/// What `Body::flag` reads.
pub const A_FLAG: &str = "true/false, 1/0, \"1\"/\"0\" or \"true\"/\"false\"";

/// A field was present but not of a usable type or shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Malformed;

/// The parsed JSON object of one request.
#[derive(Debug, Clone, Default)]
pub struct Body {
    fields: Map<String, Value>,
}

impl Body {
    /// Parses bytes as a JSON object whatever the Content-Type said; anything
    /// else (empty, broken, an array) is 1047 `Invalid request data`. A
    /// UTF-8 byte-order mark before the text is skipped: Windows tools
    /// (PowerShell, Notepad) write one, and JSON parsers are allowed to ignore it.
    pub fn parse(bytes: &[u8]) -> Result<Self, ErrorCode> {
        Self::parse_or_why(bytes).map_err(|_| global::INVALID_REQUEST_DATA)
    }

    /// [`Body::parse`], saying in plain English why bytes are not a body.
    pub fn parse_or_why(bytes: &[u8]) -> Result<Self, Cow<'static, str>> {
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        match serde_json::from_slice::<Value>(bytes) {
            Ok(Value::Object(fields)) if !fields.iter().any(|(k, v)| has_nul(k) || value_has_nul(v)) => {
                Ok(Self { fields })
            }
            Ok(Value::Object(_)) => Err("text may not hold the NUL character (\\u0000)".into()),
            Ok(_) => Err("the body is JSON but not an object: send {\"key\": value, ...}".into()),
            Err(_) if bytes.trim_ascii().is_empty() => Err("the body is empty: send a JSON object".into()),
            Err(e) => Err(format!("the body is not JSON: {e}").into()),
        }
    }

    /// Whether the key was sent at all, `null` included (for the few fields
    /// where `null` means "clear it").
    pub fn sent(&self, key: &str) -> bool {
        self.fields.contains_key(key)
    }

    /// The raw value; JSON `null` counts as absent, like an omitted key.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.fields.get(key).filter(|v| !v.is_null())
    }

    /// Every key and value as sent, in the order sent.
    pub fn fields(&self) -> &Map<String, Value> {
        &self.fields
    }

    /// The first of several spellings that is present (`groupid` / `groupId`).
    pub fn get_any(&self, keys: &[&str]) -> Option<&Value> {
        keys.iter().find_map(|k| self.get(k))
    }

    /// An id under the first of several spellings present (`groupId` / `groupid`).
    /// An id under the first of `keys` present, as the caller's id type
    /// (`AgentId`, `GroupId`, … or a plain `i64`).
    pub fn id_any<Id: From<i64>>(&self, keys: &[&str]) -> Result<Option<Id>, Malformed> {
        self.get_any(keys).map(|v| id_value(v).map(Id::from)).transpose()
    }

    pub fn text(&self, key: &str) -> Result<Option<&str>, Malformed> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(Malformed),
        }
    }

    /// An id under `key`, as the caller's id type (see `id_any`).
    pub fn id<Id: From<i64>>(&self, key: &str) -> Result<Option<Id>, Malformed> {
        self.get(key).map(|v| id_value(v).map(Id::from)).transpose()
    }

    /// An integer sent as a JSON number or a string of digits (`"1"`, `1`).
    pub fn int(&self, key: &str) -> Result<Option<i64>, Malformed> {
        self.get(key).map(int_value).transpose()
    }

    /// An integer within `range`; anything else (outside, not an integer) is malformed.
    pub fn int_in(&self, key: &str, range: std::ops::RangeInclusive<i64>) -> Result<Option<i64>, Malformed> {
        match self.int(key)? {
            Some(v) if !range.contains(&v) => Err(Malformed),
            other => Ok(other),
        }
    }

    /// A flag: `true`/`false`, `1`/`0` or `"1"`/`"0"`/`"true"`/`"false"`.
    pub fn flag(&self, key: &str) -> Result<Option<bool>, Malformed> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(v) => match int_value(v) {
                Ok(0) => Ok(Some(false)),
                Ok(1) => Ok(Some(true)),
                _ => match v.as_str() {
                    Some("true") => Ok(Some(true)),
                    Some("false") => Ok(Some(false)),
                    _ => Err(Malformed),
                },
            },
        }
    }
}

/// JSON may carry `\u0000`, but no text we keep may: PostgreSQL refuses it
/// and no client means it. Refusing it here keeps every field safe at once.
fn has_nul(text: &str) -> bool {
    text.contains('\0')
}

fn value_has_nul(value: &Value) -> bool {
    match value {
        Value::String(s) => has_nul(s),
        Value::Array(items) => items.iter().any(value_has_nul),
        Value::Object(fields) => fields.iter().any(|(k, v)| has_nul(k) || value_has_nul(v)),
        Value::Null | Value::Bool(_) | Value::Number(_) => false,
    }
}

/// An id: a positive integer as a JSON number or a string of digits.
pub fn id_value(value: &Value) -> Result<i64, Malformed> {
    match int_value(value) {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(Malformed),
    }
}

/// An integer as a JSON number or a string of ASCII digits (optionally signed).
pub fn int_value(value: &Value) -> Result<i64, Malformed> {
    match value {
        Value::Number(n) => n.as_i64().ok_or(Malformed),
        Value::String(s) => {
            let t = s.trim();
            let digits = t.strip_prefix('-').unwrap_or(t);
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return Err(Malformed);
            }
            t.parse().map_err(|_| Malformed)
        }
        _ => Err(Malformed),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn ids_accept_strings_and_numbers_but_not_garbage() {
        assert_eq!(id_value(&json!("7")), Ok(7));
        assert_eq!(id_value(&json!(7)), Ok(7));
        assert_eq!(id_value(&json!("7a")), Err(Malformed));
        assert_eq!(id_value(&json!(0)), Err(Malformed));
        assert_eq!(id_value(&json!(1.5)), Err(Malformed));
        assert_eq!(id_value(&json!("")), Err(Malformed));
        assert_eq!(id_value(&json!([7])), Err(Malformed));
    }

    #[test]
    fn only_a_json_object_is_a_body() {
        assert!(Body::parse(br#"{"a":1}"#).is_ok());
        for bad in
            [&b""[..], b"[]", b"{", b"null", b"\"x\"", b"ssid=abc", br#"{"a":"x\u0000"}"#, br#"{"a":[{"\u0000":1}]}"#]
        {
            assert_eq!(Body::parse(bad).unwrap_err(), global::INVALID_REQUEST_DATA);
        }
    }

    #[test]
    fn null_counts_as_absent() {
        let body = Body::parse(br#"{"agentId":null}"#).unwrap();
        assert_eq!(body.id::<i64>("agentId"), Ok(None));
    }
}
