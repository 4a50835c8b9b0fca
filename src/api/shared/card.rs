//! The contact card as every section reads it: the account's fields in its
//! order, a phone number from a request, a contact's stored values, and the
//! card of the fields asked for.

use serde_json::{Map, Value};

use crate::AppState;
use crate::api::error::{ApiError, Refuse};
use crate::domain::contact::{self, Fields, Values};
use crate::domain::ids::AccountId;
use crate::domain::phone::{normalize_phone, rule};
use crate::store::{ContactRow, StoreError};
use crate::wire::errors::global;
use crate::wire::{Body, ErrorCode};

/// The account's contact fields in its order (the standard ones until it arranges them).
pub async fn account_fields(state: &AppState, account: &AccountId) -> Result<Fields, ApiError> {
    match state.store.contact_fields(account).await? {
        None => Ok(Fields::standard()),
        // Stored lists were checked when set; one that no longer parses is corrupt.
        Some(names) => Fields::parse(names.iter().map(String::as_str))
            .map_err(|_| ApiError::from(StoreError::Other(anyhow::anyhow!("stored contact fields do not parse")))),
    }
}

/// A phone number from the first of `keys` present: missing → 1000, not a
/// string or number → 1001, not a number we can complete → 1005. Each
/// refusal names the key read (the first of `keys` when none is there) and
/// the number rule.
pub fn phone_number(body: &Body, keys: &[&str], country_code: &str) -> Result<String, ApiError> {
    let Some((key, value)) = keys.iter().find_map(|k| body.get(k).map(|v| (*k, v))) else {
        let key = keys.first().copied().unwrap_or("contact");
        let also: String = keys.iter().skip(1).map(|k| format!(" (or {k})")).collect();
        return Err(global::INVALID_PARAMETER.at(&[key], format!("{key}{also} is required: a phone number")));
    };
    let raw = match value {
        Value::String(s) => s.clone(),
        Value::Number(n) if n.is_u64() => n.to_string(),
        _ => {
            return Err(global::INVALID_DATA_TYPE
                .at(&[key], format!("{key} must be a phone number as a string or a JSON number")));
        }
    };
    normalize_phone(&raw, country_code)
        .ok_or_else(|| global::INVALID_CONTACT_NUMBER.at(&[key], format!("{key} must be {}", rule(country_code))))
}

/// A contact's values as stored (a JSON object of field key → text).
pub fn values_of(row: &ContactRow) -> Result<Values, ApiError> {
    serde_json::from_str(&row.info).map_err(|e| ApiError::from(StoreError::Other(e.into())))
}

/// `field`: one field's name, or absent / `All` / `all` for every field.
/// Returns the fields to show; an unknown name is refused with `unknown`,
/// listing the account's fields.
pub fn selected<'a>(fields: &'a Fields, body: &Body, unknown: ErrorCode) -> Result<Vec<&'a contact::Field>, ApiError> {
    match body.get("field") {
        None => Ok(fields.iter().collect()),
        Some(Value::String(s)) if s.trim().eq_ignore_ascii_case("all") => Ok(fields.iter().collect()),
        Some(Value::String(s)) => fields.find(s).map(|f| vec![f]).ok_or_else(|| {
            unknown.at(&["field"], format!("not a contact field of the account; one of All, {}", names(fields)))
        }),
        Some(_) => Err(global::INVALID_DATA_TYPE.at(&["field"], "field must be a string: a field's name or All")),
    }
}

/// The account's field names in its order, for a refusal: `Name, Email, …`.
pub fn names(fields: &Fields) -> String {
    fields.iter().map(|f| f.name.as_str()).collect::<Vec<_>>().join(", ")
}

/// The values of `shown` fields in their order, `""` where unset.
pub fn card(shown: &[&contact::Field], values: &Values) -> Map<String, Value> {
    shown.iter().map(|f| (f.name.clone(), Value::String(values.get(&f.key()).cloned().unwrap_or_default()))).collect()
}
