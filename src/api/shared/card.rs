//! The contact card as every section reads it: the account's fields in its
//! order, a phone number from a request, a contact's stored values, and the
//! card of the fields asked for.

use serde_json::{Map, Value};

use crate::AppState;
use crate::api::error::ApiError;
use crate::domain::contact::{self, Fields, Values};
use crate::domain::ids::AccountId;
use crate::domain::phone::normalize_phone;
use crate::store::{ContactRow, StoreError};
use crate::wire::Body;
use crate::wire::errors::global;

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
/// string or number → 1001, not a number we can complete → 1005.
pub fn phone_number(body: &Body, keys: &[&str], country_code: &str) -> Result<String, ApiError> {
    let raw = match body.get_any(keys) {
        None => return Err(global::INVALID_PARAMETER.into()),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) if n.is_u64() => n.to_string(),
        Some(_) => return Err(global::INVALID_DATA_TYPE.into()),
    };
    normalize_phone(&raw, country_code).ok_or_else(|| global::INVALID_CONTACT_NUMBER.into())
}

/// A contact's values as stored (a JSON object of field key → text).
pub fn values_of(row: &ContactRow) -> Result<Values, ApiError> {
    serde_json::from_str(&row.info).map_err(|e| ApiError::from(StoreError::Other(e.into())))
}

/// `field`: one field's name, or absent / `All` / `all` for every field.
/// Returns the fields to show; an unknown name is `unknown`'s error.
pub fn selected<'a>(fields: &'a Fields, body: &Body, unknown: ApiError) -> Result<Vec<&'a contact::Field>, ApiError> {
    match body.get("field") {
        None => Ok(fields.iter().collect()),
        Some(Value::String(s)) if s.trim().eq_ignore_ascii_case("all") => Ok(fields.iter().collect()),
        Some(Value::String(s)) => fields.find(s).map(|f| vec![f]).ok_or(unknown),
        Some(_) => Err(global::INVALID_DATA_TYPE.into()),
    }
}

/// The values of `shown` fields in their order, `""` where unset.
pub fn card(shown: &[&contact::Field], values: &Values) -> Map<String, Value> {
    shown.iter().map(|f| (f.name.clone(), Value::String(values.get(&f.key()).cloned().unwrap_or_default()))).collect()
}
