//! `Group/queue` (ours, issue 26): each group's queue right now — the
//! calls waiting for it, longest-waiting first — and its figures for the
//! account's day so far: calls offered, answered and abandoned, and the
//! service level (`domain::queue_figures`). A supervisor's wallboard reads
//! it beside `Agent/live`.

use jiff::tz::TimeZone;
use serde::Serialize;
use utoipa::ToSchema;

use super::auth::Principal;
use super::error::{ApiError, ApiResult, OrRefuse};
use crate::AppState;
use crate::domain::permission::Permission;
use crate::domain::queue::{QUEUE, still_waiting};
use crate::domain::queue_figures::{DEFAULT_SERVICE_LEVEL, day_figures};
use crate::domain::timeline::day_bounds;
use crate::store::GroupFilter;
use crate::wire::body::AN_ID;
use crate::wire::errors::global;
use crate::wire::{Body, reply};

/// A call waiting for the group.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
struct WaitingCall {
    call_id: String,
    /// `""` for a withheld caller.
    caller_number: String,
    /// Its place, from 1 (the next call an agent who frees up is offered).
    position: usize,
    /// Unix seconds it first queued.
    since: i64,
    /// Seconds it has waited.
    wait: i64,
}

/// One group's queue and day.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
struct GroupQueue {
    group_id: i64,
    name: String,
    /// Calls waiting now.
    waiting: usize,
    /// Seconds the longest-waiting call has waited (0: none waits).
    longest_wait: i64,
    /// Today (the account's day): calls that came for the group.
    offered: u32,
    /// Today: of those, answered by an agent.
    answered: u32,
    /// Today: of those, the caller left before an answer (or the telephony
    /// stopped waiting).
    abandoned: u32,
    /// Today: answered within `serviceLevelSecs` of arriving.
    answered_within: u32,
    /// Percent (one decimal) of today's answered and abandoned calls that
    /// were answered within `serviceLevelSecs`; `null` before any.
    service_level: Option<f64>,
    /// The group's service level threshold, seconds (`Group/update`
    /// `serviceLevel`; default 20).
    service_level_secs: i64,
    /// The calls waiting, longest first.
    calls: Vec<WaitingCall>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(in crate::api) struct QueueList {
    /// Every group (or the one asked for), by id.
    response: Vec<GroupQueue>,
    /// Unix seconds now, by the server's clock.
    server_time: i64,
}

/// `Group/queue` `{[groupId]}`: account credentials or `VIEW_AGENTS`.
pub async fn queue(state: AppState, who: Principal, body: Body) -> ApiResult {
    who.require(Permission::ViewAgents)?;
    let group_id = body.id_any(&["groupId", "groupid"]).or_refuse(global::GROUP_ID_DOES_NOT_EXIST, "groupId", AN_ID)?;
    let groups = state.store.list_groups(&who.account, &GroupFilter { group_id, name: None }).await?;
    if group_id.is_some() && groups.is_empty() {
        return Err(global::GROUP_ID_DOES_NOT_EXIST.into());
    }
    let live = state.live.account(&who.account).await?;
    let now = state.clock.now();
    let tz = TimeZone::get(&live.settings().timezone).unwrap_or(TimeZone::UTC);
    let today = tz.to_datetime(jiff::Timestamp::from_second(now).map_err(|e| ApiError::Internal(e.into()))?).date();
    let midnight = day_bounds(today, &tz).map_or(0, |(start, _)| start);
    let facts = state.store.queue_facts_since(&who.account, midnight).await?;
    let threshold =
        |g: i64| groups.iter().find(|r| r.id.get() == g).and_then(|r| r.service_level).unwrap_or(DEFAULT_SERVICE_LEVEL);
    let figures = day_figures(&facts, threshold);
    let queue = live.agent(QUEUE).presence.queue;
    let response = groups
        .iter()
        .map(|g| {
            let calls: Vec<WaitingCall> = queue
                .of_group(g.id.get(), |w| still_waiting(w, live.last_ask(&w.call.call_id), now))
                .into_iter()
                .enumerate()
                .map(|(i, w)| WaitingCall {
                    call_id: w.call.call_id.clone(),
                    caller_number: w.call.caller_number.clone(),
                    position: i + 1,
                    since: w.since,
                    wait: (now - w.since).max(0),
                })
                .collect();
            let day = figures.get(&g.id.get()).copied().unwrap_or_default();
            GroupQueue {
                group_id: g.id.get(),
                name: g.name.clone(),
                waiting: calls.len(),
                longest_wait: calls.first().map_or(0, |c| c.wait),
                offered: day.offered,
                answered: day.answered,
                abandoned: day.abandoned,
                answered_within: day.answered_within,
                service_level: day.service_level(),
                service_level_secs: threshold(g.id.get()),
                calls,
            }
        })
        .collect();
    Ok(reply::listing(QueueList { response, server_time: now }))
}
