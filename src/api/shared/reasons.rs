//! A break reason as an agent's page or a supervisor names it: one of the
//! account's catalogue, matched case-insensitively (`agentProfile/breakStart`
//! and `Supervisor/breakStart` each refuse a miss with their own code).

use crate::AppState;
use crate::api::error::ApiError;
use crate::domain::name::nfc;
use crate::store::{AccountId, BreakReasonRow};
use crate::wire::Body;

/// The catalogue's reason the body's `reason` names; `None` when it is
/// missing, not a string, or in no catalogue entry.
pub async fn named_break_reason(
    state: &AppState,
    account: &AccountId,
    body: &Body,
) -> Result<Option<BreakReasonRow>, ApiError> {
    let Some(asked) = body.text("reason").ok().flatten().map(str::trim) else { return Ok(None) };
    // Catalogue names are stored in NFC; a page may send the same letters decomposed.
    let asked = nfc(asked).to_lowercase();
    let reasons = state.store.break_reasons(account).await?;
    Ok(reasons.into_iter().find(|r| r.name.to_lowercase() == asked))
}
