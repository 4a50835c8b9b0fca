//! Section `Break` (ours): the account's catalogue of break reasons, each
//! with an optional maximum duration after which the break shows as overrun.

use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use super::auth::Principal;
use super::error::{ApiResult, StoreOutcome};
use crate::AppState;
use crate::domain::agent::valid_name;
use crate::domain::permission::Permission;
use crate::store::BreakReasonRow;
use crate::wire::errors::breaks as codes;
use crate::wire::{Body, ErrorCode, reply};

/// A break longer than a working day is a mistake.
const MAX_DURATION: i64 = 86_400;

fn reason_name(body: &Body) -> Result<String, ErrorCode> {
    body.text("name").ok().flatten().and_then(valid_name).ok_or(codes::NAME_MISSING)
}

/// `maxDuration`: seconds (1 – 86400), or `null`/`0` for no limit.
fn max_duration(value: &Value) -> Result<Option<i64>, ErrorCode> {
    match value {
        Value::Null => Ok(None),
        v => match crate::wire::body::int_value(v) {
            Ok(0) => Ok(None),
            Ok(s) if (1..=MAX_DURATION).contains(&s) => Ok(Some(s)),
            _ => Err(codes::INVALID_MAX_DURATION),
        },
    }
}

fn break_id(body: &Body) -> Result<i64, ErrorCode> {
    body.id("breakId").ok().flatten().ok_or(codes::BREAK_NOT_FOUND)
}

/// A break reason.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = BreakItem)]
pub(in crate::api) struct Item<'a> {
    break_id: i64,
    name: &'a str,
    /// Seconds; `null`: no limit.
    max_duration: Option<i64>,
}

fn item(r: &BreakReasonRow) -> Item<'_> {
    Item { break_id: r.id, name: &r.name, max_duration: r.max_secs }
}

/// `Break/list`: every principal of the account (agents pick from it).
pub async fn list(state: AppState, who: Principal, _body: Body) -> ApiResult {
    let reasons = state.store.break_reasons(&who.account).await?;
    Ok(reply::listing(BreakList { response: reasons.iter().map(item).collect() }))
}

/// The account's break reasons.
#[derive(Serialize, ToSchema)]
pub(in crate::api) struct BreakList<'a> {
    response: Vec<Item<'a>>,
}

/// `Break/add` `{name[, maxDuration]}`.
pub async fn add(state: AppState, who: Principal, body: Body) -> ApiResult {
    who.require(Permission::EditAgents)?;
    let name = reason_name(&body)?;
    let max = body.get("maxDuration").map(max_duration).transpose()?.flatten();
    let row = state.store.add_break_reason(&who.account, &name, max).await.or_codes(None, codes::NAME_TAKEN)?;
    Ok(reply::listing(item(&row)))
}

/// `Break/update` `{breakId[, name][, maxDuration]}`: fields left out stay.
pub async fn update(state: AppState, who: Principal, body: Body) -> ApiResult {
    who.require(Permission::EditAgents)?;
    let id = break_id(&body)?;
    let reasons = state.store.break_reasons(&who.account).await?;
    let mut row = reasons.into_iter().find(|r| r.id == id).ok_or(codes::BREAK_NOT_FOUND)?;
    if body.get("name").is_some() {
        row.name = reason_name(&body)?;
    }
    // `null` is a value here (no limit), not an absent field.
    if body.sent("maxDuration") {
        row.max_secs = max_duration(body.get("maxDuration").unwrap_or(&Value::Null))?;
    }
    state.store.update_break_reason(&who.account, &row).await.or_codes(codes::BREAK_NOT_FOUND, codes::NAME_TAKEN)?;
    Ok(reply::listing(item(&row)))
}

/// `Break/delete` `{breakId}`: breaks already taken keep their reason in the log.
pub async fn delete(state: AppState, who: Principal, body: Body) -> ApiResult {
    who.require(Permission::EditAgents)?;
    let id = break_id(&body)?;
    state.store.delete_break_reason(&who.account, id).await.or_codes(codes::BREAK_NOT_FOUND, None)?;
    Ok(reply::done("Break reason deleted"))
}
