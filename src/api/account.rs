//! Section `Account` (ours): the account's live-state settings — time zone
//! of its days, heartbeat limits, default wrap-up — and its admin password.

use serde::Serialize;
use utoipa::ToSchema;

use super::auth::{Caller, Principal};
use super::error::{ApiError, ApiResult, OrRefuse, Refuse, StoreOutcome};
use crate::AppState;
use crate::domain::secret;
use crate::limits::login_guard::{SLOW_DOWN, Verdict};
use crate::store::LiveSettings;
use crate::wire::body::A_STRING;
use crate::wire::errors::{account as codes, global};
use crate::wire::{Body, reply};

/// The account's live-state settings.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = AccountSettings)]
struct SettingsView {
    /// IANA time zone of the account's days.
    timezone: String,
    /// Seconds without a ping before `stale`.
    stale_after: i64,
    /// Seconds without a ping before `offline` (`ping_lost`).
    offline_after: i64,
    /// Wrap-up seconds after a call.
    wrap_up_time: i64,
    /// Country calling code that completes numbers given without one.
    country_code: String,
}

#[derive(Serialize, ToSchema)]
pub(in crate::api) struct Settings {
    settings: SettingsView,
}

/// A country calling code: 1–3 digits, no leading zero (`91`, `1`, `44`).
fn country_code(raw: &str) -> Option<String> {
    let ok = (1..=3).contains(&raw.len()) && raw.bytes().all(|b| b.is_ascii_digit()) && !raw.starts_with('0');
    ok.then(|| raw.to_string())
}

/// `Account/settings` `{[timezone], [staleAfter], [offlineAfter], [wrapUpTime], [countryCode]}`:
/// reads the settings; changing one needs the account's own credentials.
pub async fn settings(state: AppState, who: Principal, body: Body) -> ApiResult {
    let mut s = state.live.account(&who.account).await?.settings();
    let timezone = body.text("timezone").or_refuse(codes::INVALID_TIMEZONE, "timezone", A_STRING)?;
    let stale = body.int_in("staleAfter", 5..=3600).or_refuse(
        codes::INVALID_STALE_AFTER,
        "staleAfter",
        "an integer from 5 to 3600",
    )?;
    let offline = body.int_in("offlineAfter", 10..=86_400).or_refuse(
        codes::INVALID_OFFLINE_AFTER,
        "offlineAfter",
        "an integer from 10 to 86400",
    )?;
    let wrap = body.int_in("wrapUpTime", 0..=3600).or_refuse(
        codes::INVALID_WRAP_UP,
        "wrapUpTime",
        "an integer from 0 to 3600",
    )?;
    let code = match body.get("countryCode") {
        None => None,
        Some(v) => Some(
            crate::wire::body::int_value(v)
                .ok()
                .and_then(|n| country_code(&n.to_string()))
                .ok_or(codes::INVALID_COUNTRY_CODE)?,
        ),
    };
    let changes = timezone.is_some() || stale.is_some() || offline.is_some() || wrap.is_some() || code.is_some();
    if changes {
        if !matches!(who.caller, Caller::Owner) {
            return Err(global::PERMISSION_DENIED.into());
        }
        if let Some(tz) = timezone {
            jiff::tz::TimeZone::get(tz).map_err(|_| codes::INVALID_TIMEZONE)?;
            s.timezone = tz.to_string();
        }
        s.stale_after = stale.unwrap_or(s.stale_after);
        s.offline_after = offline.unwrap_or(s.offline_after);
        s.wrap_up_secs = wrap.unwrap_or(s.wrap_up_secs);
        s.country_code = code.unwrap_or(s.country_code);
        if s.offline_after <= s.stale_after {
            return Err(codes::INVALID_OFFLINE_AFTER.into());
        }
        state.live.set_settings(&who.account, s.clone()).await?;
    }
    let LiveSettings { timezone, stale_after, offline_after, wrap_up_secs, country_code } = s;
    Ok(reply::listing(Settings {
        settings: SettingsView { timezone, stale_after, offline_after, wrap_up_time: wrap_up_secs, country_code },
    }))
}

/// `Account/setPassword` `{password, [currentPassword]}` (ours): sets the
/// admin password (`auth/login` with the account's email; an account
/// created without one gets one). Only the account's own credentials may
/// (an agent session: 1015); through an admin session `currentPassword`
/// must match (1507), so a session left open is not a way to take the
/// account. Every other admin session ends; the caller's own stays.
/// `password`: 8–128 characters (else 1506).
pub async fn set_password(state: AppState, who: Principal, body: Body) -> ApiResult {
    if !matches!(who.caller, Caller::Owner) {
        return Err(
            global::PERMISSION_DENIED.because("only the account's token or admin session sets its admin password")
        );
    }
    let password = body
        .text("password")
        .ok()
        .flatten()
        .filter(|p| (crate::accounts::MIN_PASSWORD_CHARS..=128).contains(&p.chars().count()))
        .ok_or(codes::INVALID_PASSWORD)?
        .to_string();
    let session = body.text("ssid").ok().flatten().map(secret::token_hash);
    if session.is_some() {
        let current = body
            .text("currentPassword")
            .ok()
            .flatten()
            .ok_or_else(|| codes::WRONG_CURRENT_PASSWORD.at(&["currentPassword"], "an admin session must send it"))?
            .to_string();
        // Guesses at it are counted like failed logins, per account: a
        // session left open must not become the password at argon2's pace.
        let (guard, now) = (format!("admin password of {}", who.account), state.clock.now());
        match state.login_guard.check(None, &guard, now).await? {
            Verdict::Proceed => {}
            Verdict::SlowDown => tokio::time::sleep(SLOW_DOWN).await,
            Verdict::LockedOut(retry_after) => return Ok(crate::wire::http::too_many_requests(retry_after)),
        }
        let stored = state.store.admin_password_hash(&who.account).await?.unwrap_or_default();
        let matches = state.password_checks.run_queued(move || secret::verify_password(&current, &stored)).await?;
        if !matches {
            tracing::warn!(target: "security", event = "admin_password_refused", account = %who.account);
            state.login_guard.failed(None, &guard, now).await?;
            return Err(codes::WRONG_CURRENT_PASSWORD.into());
        }
        state.login_guard.succeeded(None, &guard).await?;
    }
    let hash = state
        .password_checks
        .run_queued(move || secret::hash_password(&password))
        .await?
        .map_err(ApiError::Internal)?;
    state.store.set_admin_password(&who.account, &hash, session.as_deref()).await.or_codes(None, None)?;
    tracing::info!(target: "security", event = "admin_password_set", account = %who.account);
    Ok(reply::done("Password updated"))
}
