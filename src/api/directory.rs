//! Section `Directory`: the account's contacts — a number with the values of
//! the account's contact fields — and the arrangement of those fields.

use serde::Serialize;
use serde_json::{Map, Value};
use utoipa::ToSchema;

use super::auth::{Caller, Principal};
use super::caller_marks::{MarksView, marks_of};
use super::error::{ApiError, ApiResult, OrRefuse, Refuse};
use super::shared::card::{account_fields, card, names, phone_number, selected, values_of};
use crate::AppState;
use crate::domain::contact::{self, BadValue, Fields, Values};
use crate::domain::ids::AccountId;
use crate::store::{ContactRow, StoreError};
use crate::wire::errors::{directory as codes, global};
use crate::wire::{Body, reply};

/// Values in their stored form (a JSON object).
fn encode(values: &Values) -> Result<String, ApiError> {
    serde_json::to_string(values).map_err(|e| ApiError::from(StoreError::Other(e.into())))
}

/// `contactinfo` of a request: field name → text (numbers taken as their
/// digits, `null` clears); anything else → 1001.
fn changes(body: &Body) -> Result<Vec<(String, String)>, ApiError> {
    let info = match body.get("contactinfo") {
        None => return Ok(Vec::new()),
        Some(Value::Object(info)) => info,
        Some(_) => return Err(global::INVALID_PARAMETER.at(&["contactinfo"], format!("contactinfo must be {INFO}"))),
    };
    info.iter()
        .map(|(name, value)| {
            let text = match value {
                Value::String(s) => s.clone(),
                Value::Number(n) => n.to_string(),
                Value::Null => String::new(),
                _ => {
                    return Err(global::INVALID_DATA_TYPE
                        .at(&["contactinfo", name], "a contact field's value must be text, a number or null"));
                }
            };
            Ok((name.clone(), text))
        })
        .collect()
}

/// What `contactinfo` takes.
const INFO: &str = "an object of contact field name to text";

/// Applies the changes; a refusal names `/contactinfo/<field>` and lists the
/// account's fields (unknown field) or says the field's rule (invalid value).
fn apply(fields: &Fields, values: &mut Values, changes: &[(String, String)]) -> Result<(), ApiError> {
    contact::apply(fields, values, changes).map_err(|e| {
        let at = ["contactinfo", e.name.as_str()];
        match e.bad {
            BadValue::UnknownField => {
                codes::UNKNOWN_FIELD.at(&at, format!("not a contact field of the account; one of {}", names(fields)))
            }
            BadValue::Invalid => codes::INVALID_FIELD_VALUE.at(&at, format!("{} must be {}", e.name, e.takes)),
        }
    })
}

/// The reply of `create`, `update` and `getInfo`: the contact in the shape
/// DeepCall's create body has (`contact`, `contactinfo`, `other`).
async fn contact_reply(
    state: &AppState,
    account: &AccountId,
    row: &ContactRow,
    shown: &[&contact::Field],
) -> ApiResult {
    let stats = state.store.caller_stats(account, &row.number).await?;
    let marks = marks_of(state, account, &row.number).await?;
    Ok(reply::listing(ContactView {
        contact: &row.number,
        contactinfo: card(shown, &values_of(row)?),
        other: Other {
            createtime: row.created_at,
            updatetime: row.updated_at,
            lastcalltime: stats.last_call_at,
            totalcalls: stats.calls,
            marks: MarksView::of(&marks, state.clock.now()),
        },
    }))
}

/// A contact: its number, the values of the account's fields and its calls.
#[derive(Serialize, ToSchema)]
pub(in crate::api) struct ContactView<'a> {
    /// Digits with the country code.
    contact: &'a str,
    /// Every field in the account's order (or the one asked for), `""` where unset.
    #[schema(value_type = std::collections::BTreeMap<String, String>)]
    contactinfo: Map<String, Value>,
    other: Other,
}

/// When the contact was made and changed, and its calls from the event log (Unix seconds).
#[derive(Serialize, ToSchema)]
#[schema(as = ContactStats)]
struct Other {
    createtime: i64,
    updatetime: i64,
    /// When the number last called or was called; `null`: never.
    lastcalltime: Option<i64>,
    totalcalls: i64,
    /// Its account manager, DNC entry and blacklist (`setAM`, `setDnc`, `Blacklist`).
    #[serde(flatten)]
    marks: MarksView,
}

/// `Directory/create` `{contact, [contactinfo]}`: any principal of the account.
pub async fn create(state: AppState, who: Principal, body: Body) -> ApiResult {
    let number = phone_number(&body, &["contact", "cn"], &who.country_code)?;
    let fields = account_fields(&state, &who.account).await?;
    let mut values = Values::new();
    apply(&fields, &mut values, &changes(&body)?)?;
    let now = state.clock.now();
    let info = encode(&values)?;
    let row = ContactRow { number, info, created_at: now, updated_at: now, version: 0 };
    match state.store.create_contact(&who.account, &row).await {
        Ok(_) => {}
        Err(StoreError::Conflict) => {
            return Err(codes::CONTACT_EXISTS.because("the account has a contact with this number already: use update"));
        }
        Err(other) => return Err(other.into()),
    }
    contact_reply(&state, &who.account, &row, &fields.iter().collect::<Vec<_>>()).await
}

/// `Directory/update` `{contact, contactinfo}`: the named fields change
/// (`""`/`null` clears one), the rest stay. No `contactinfo` → 1000;
/// unknown contact → 1012.
pub async fn update(state: AppState, who: Principal, body: Body) -> ApiResult {
    let number = phone_number(&body, &["contact", "cn"], &who.country_code)?;
    if body.get("contactinfo").is_none() {
        return Err(global::INVALID_PARAMETER.required("contactinfo", INFO));
    }
    let changes = changes(&body)?;
    let fields = account_fields(&state, &who.account).await?;
    // Retried until it lands: a conflict means another update of the same
    // contact landed first, so every round makes progress however many
    // writers there are (a fixed number of attempts failed once ten updates
    // raced); the request deadline bounds a writer that keeps losing.
    loop {
        let mut row = state.store.contact(&who.account, &number).await?.ok_or(global::NO_DATA_FOUND)?;
        let mut values = values_of(&row)?;
        apply(&fields, &mut values, &changes)?;
        row.info = encode(&values)?;
        row.updated_at = state.clock.now();
        match state.store.update_contact(&who.account, &row).await {
            Ok(()) => return contact_reply(&state, &who.account, &row, &fields.iter().collect::<Vec<_>>()).await,
            // Another update landed since the read: apply ours on top of it.
            Err(StoreError::Conflict) => continue,
            Err(other) => return Err(other.into()),
        }
    }
}

/// `Directory/getInfo` `{cn | contact, [field]}`: unknown contact → 1012.
pub async fn get_info(state: AppState, who: Principal, body: Body) -> ApiResult {
    let number = phone_number(&body, &["cn", "contact"], &who.country_code)?;
    let fields = account_fields(&state, &who.account).await?;
    let shown = selected(&fields, &body, codes::UNKNOWN_FIELD)?;
    let row = state.store.contact(&who.account, &number).await?.ok_or(global::NO_DATA_FOUND)?;
    contact_reply(&state, &who.account, &row, &shown).await
}

/// A contact field.
#[derive(Serialize, ToSchema)]
struct FieldView {
    name: String,
    /// `standard` (checked: Name, Email, Address, Company, Designation, DOB) or `custom`.
    #[serde(rename = "type")]
    kind: &'static str,
}

/// The account's contact fields in its order.
#[derive(Serialize, ToSchema)]
pub(in crate::api) struct FieldList {
    fields: Vec<FieldView>,
}

fn fields_reply(fields: &Fields) -> ApiResult {
    let fields = fields.iter().map(|f| FieldView { name: f.name.clone(), kind: f.kind() }).collect();
    Ok(reply::listing(FieldsReply::List(FieldList { fields })))
}

/// `getFields`' reply: the account's field list, or (asked with `contact`)
/// that contact's values.
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
pub(in crate::api) enum FieldsReply {
    List(FieldList),
    Contact(ContactFields),
}

/// `project`: the fields to show — comma-separated names (or a list of
/// them), `all` or absent for every field. An unknown name → 1512 naming it.
fn projected<'a>(fields: &'a Fields, body: &Body) -> Result<Vec<&'a contact::Field>, ApiError> {
    let names: Vec<String> = match body.get("project") {
        None | Some(Value::Null) => return Ok(fields.iter().collect()),
        Some(Value::String(s)) => s.split(',').map(|n| n.trim().to_string()).filter(|n| !n.is_empty()).collect(),
        Some(Value::Array(items)) => items.iter().map(|v| v.as_str().unwrap_or("").trim().to_string()).collect(),
        Some(_) => return Err(global::INVALID_DATA_TYPE.at(&["project"], PROJECT_TAKES)),
    };
    if names.is_empty() || names.iter().any(|n| n.eq_ignore_ascii_case("all")) {
        return Ok(fields.iter().collect());
    }
    let mut named: Vec<&str> = Vec::with_capacity(names.len());
    for name in &names {
        let field = fields.find(name).ok_or_else(|| {
            let known: Vec<&str> = fields.iter().map(|f| f.name.as_str()).collect();
            codes::UNKNOWN_FIELD
                .at(&["project"], format!("no contact field {name:?}; the account has {}", known.join(", ")))
        })?;
        named.push(&field.name);
    }
    // In the account's order, as every card is.
    Ok(fields.iter().filter(|f| named.contains(&f.name.as_str())).collect())
}

const PROJECT_TAKES: &str = "project takes field names separated by commas, or all";

/// A contact as `search` and `getFields` show it.
#[derive(Serialize, ToSchema)]
pub(in crate::api) struct ContactFields {
    /// Digits with the country code.
    contact: String,
    /// The fields `project` names, in the account's order, `""` where unset.
    #[schema(value_type = std::collections::BTreeMap<String, String>)]
    contactinfo: Map<String, Value>,
}

/// `Directory/getFields` (also `getFields`): without `contact`, the
/// account's contact fields in its order; with `contact` (and `project`),
/// that contact's values of those fields (1012: not a contact).
pub async fn get_fields(state: AppState, who: Principal, body: Body) -> ApiResult {
    let fields = account_fields(&state, &who.account).await?;
    if body.get_any(&["contact", "cn"]).is_none() {
        return fields_reply(&fields);
    }
    let number = phone_number(&body, &["contact", "cn"], &who.country_code)?;
    let shown = projected(&fields, &body)?;
    let row = state.store.contact(&who.account, &number).await?.ok_or(global::NO_DATA_FOUND)?;
    Ok(reply::listing(FieldsReply::Contact(ContactFields {
        contactinfo: card(&shown, &values_of(&row)?),
        contact: row.number,
    })))
}

/// Digits a search needs at least, and may have at most (a whole number).
const SEARCH_DIGITS: std::ops::RangeInclusive<usize> = 3..=15;
/// `search`'s page size when none is asked for, and its most.
const SEARCH_LIMIT: i64 = 20;
const SEARCH_LIMIT_MAX: i64 = 100;

/// One page of `search`.
#[derive(Serialize, ToSchema)]
pub(in crate::api) struct SearchPage {
    /// By number.
    contacts: Vec<ContactFields>,
    limit: i64,
    #[serde(rename = "currentPage")]
    current_page: i64,
    #[serde(rename = "totalPages")]
    total_pages: i64,
    #[serde(rename = "totalRecords")]
    total_records: i64,
}

/// `Directory/search` `{contact, [project], [page], [limit]}`: the
/// account's contacts whose number holds the digits of `contact` (3 to 15;
/// spaces, `+`, `-` and brackets are dropped; else 1005), by number, with
/// the fields `project` names. `page` from 1, `limit` 1–100 (default 20).
pub async fn search(state: AppState, who: Principal, body: Body) -> ApiResult {
    const DIGITS_TAKE: &str = "contact takes 3 to 15 digits of a number (spaces, +, - and brackets are dropped)";
    let digits = match body.get_any(&["contact", "cn"]) {
        Some(Value::String(s)) => s.chars().filter(|c| !matches!(c, ' ' | '+' | '-' | '(' | ')')).collect(),
        Some(Value::Number(n)) if n.is_u64() => n.to_string(),
        None => return Err(global::INVALID_PARAMETER.at(&["contact"], "contact is required; it takes 3 to 15 digits")),
        Some(_) => return Err(global::INVALID_CONTACT_NUMBER.at(&["contact"], DIGITS_TAKE)),
    };
    let digits: String = digits;
    if !SEARCH_DIGITS.contains(&digits.len()) || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(global::INVALID_CONTACT_NUMBER.at(&["contact"], DIGITS_TAKE));
    }
    let page = body.int_in("page", 1..=1_000_000).or_refuse(global::INVALID_PARAMETER, "page", "an integer from 1")?;
    let limit = body
        .int_in("limit", 1..=SEARCH_LIMIT_MAX)
        .or_refuse(global::INVALID_PARAMETER, "limit", "an integer from 1 to 100")?
        .unwrap_or(SEARCH_LIMIT);
    let page = page.unwrap_or(1);
    let fields = account_fields(&state, &who.account).await?;
    let shown = projected(&fields, &body)?;
    let (rows, total) = state.store.search_contacts(&who.account, &digits, (page - 1) * limit, limit).await?;
    let contacts = rows
        .iter()
        .map(|row| Ok(ContactFields { contact: row.number.clone(), contactinfo: card(&shown, &values_of(row)?) }))
        .collect::<Result<Vec<_>, ApiError>>()?;
    Ok(reply::listing(SearchPage {
        contacts,
        limit,
        current_page: page,
        total_pages: (total + limit - 1) / limit,
        total_records: total,
    }))
}

/// What `setFields`'s `fields` takes.
const FIELD_LIST_TAKES: &str =
    "a list of 1 to 50 distinct names of letters, digits, spaces, _, - and ., at most 40 characters each, not mobile";

/// `Directory/setFields` `{fields:[name, …]}`: the whole list, in order
/// (account credentials only). Values of a field left out are kept, hidden,
/// and show again if it comes back.
pub async fn set_fields(state: AppState, who: Principal, body: Body) -> ApiResult {
    if !matches!(who.caller, Caller::Owner) {
        return Err(global::PERMISSION_DENIED.into());
    }
    let refused = || codes::INVALID_FIELDS.at(&["fields"], format!("fields must be {FIELD_LIST_TAKES}"));
    let names = match body.get("fields") {
        Some(Value::Array(items)) => {
            items.iter().map(|v| v.as_str().ok_or_else(refused)).collect::<Result<Vec<&str>, _>>()?
        }
        None => return Err(codes::INVALID_FIELDS.required("fields", FIELD_LIST_TAKES)),
        Some(_) => return Err(refused()),
    };
    let fields = Fields::parse(names).map_err(|_| refused())?;
    state.store.set_contact_fields(&who.account, &fields.names()).await?;
    fields_reply(&fields)
}
