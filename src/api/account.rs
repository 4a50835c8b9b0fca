//! Section `Account` (ours): the account's live-state settings — time zone
//! of its days, heartbeat limits, default wrap-up.

use serde::Serialize;

use super::auth::{authenticate, Actor};
use super::error::ApiResult;
use crate::store::LiveSettings;
use crate::wire::errors::{account as codes, global};
use crate::wire::{reply, Body};
use crate::AppState;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SettingsView {
    timezone: String,
    stale_after: i64,
    offline_after: i64,
    wrap_up_time: i64,
}

/// `Account/settings` `{[timezone], [staleAfter], [offlineAfter], [wrapUpTime]}`:
/// reads the settings; changing one needs the account's own credentials.
pub async fn settings(state: AppState, body: Body) -> ApiResult {
    let who = authenticate(&state, &body).await?;
    let mut s = state.live.account(&who.account).await?.settings();
    let timezone = body.text("timezone").map_err(|_| codes::INVALID_TIMEZONE)?;
    let stale = body.int_in("staleAfter", 5..=3600).map_err(|_| codes::INVALID_STALE_AFTER)?;
    let offline = body.int_in("offlineAfter", 10..=86_400).map_err(|_| codes::INVALID_OFFLINE_AFTER)?;
    let wrap = body.int_in("wrapUpTime", 0..=3600).map_err(|_| codes::INVALID_WRAP_UP)?;
    let changes = timezone.is_some() || stale.is_some() || offline.is_some() || wrap.is_some();
    if changes {
        if !matches!(who.actor, Actor::Owner) {
            return Err(global::PERMISSION_DENIED.into());
        }
        if let Some(tz) = timezone {
            jiff::tz::TimeZone::get(tz).map_err(|_| codes::INVALID_TIMEZONE)?;
            s.timezone = tz.to_string();
        }
        s.stale_after = stale.unwrap_or(s.stale_after);
        s.offline_after = offline.unwrap_or(s.offline_after);
        s.wrap_up_secs = wrap.unwrap_or(s.wrap_up_secs);
        if s.offline_after <= s.stale_after {
            return Err(codes::INVALID_OFFLINE_AFTER.into());
        }
        state.live.set_settings(&who.account, s.clone()).await?;
    }
    let LiveSettings { timezone, stale_after, offline_after, wrap_up_secs } = s;
    #[derive(Serialize)]
    struct Payload {
        settings: SettingsView,
    }
    Ok(reply::listing(Payload {
        settings: SettingsView { timezone, stale_after, offline_after, wrap_up_time: wrap_up_secs },
    }))
}
