//! A break reason as an agent's page or a supervisor names it: one of the
//! account's catalogue, matched case-insensitively (`agentProfile/breakStart`
//! and `Supervisor/breakStart` each refuse a miss with their own code).

use crate::AppState;
use crate::api::error::{ApiError, Refuse};
use crate::domain::name::nfc;
use crate::store::{AccountId, BreakReasonRow};
use crate::wire::{Body, ErrorCode};

/// The catalogue's reason the body's `reason` names; refused with
/// `unknown` when it is missing, not a string, or in no catalogue entry,
/// the detail listing the catalogue's names.
pub async fn named_break_reason(
    state: &AppState,
    account: &AccountId,
    body: &Body,
    unknown: ErrorCode,
) -> Result<BreakReasonRow, ApiError> {
    let reasons = state.store.break_reasons(account).await?;
    // The refusal lists what the account's catalogue takes (issue 27).
    let names = || reasons.iter().map(|r| r.name.as_str()).collect::<Vec<_>>().join(", ");
    let Some(asked) = body.text("reason").ok().flatten().map(str::trim).filter(|r| !r.is_empty()) else {
        return Err(unknown.at(&["reason"], format!("reason is required: one of {}", names())));
    };
    // Catalogue names are stored in NFC; a page may send the same letters decomposed.
    let wanted = nfc(asked).to_lowercase();
    match reasons.iter().find(|r| r.name.to_lowercase() == wanted) {
        Some(found) => Ok(found.clone()),
        None => Err(unknown.at(&["reason"], format!("not a break reason of the account; one of {}", names()))),
    }
}
