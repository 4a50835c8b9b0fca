//! `agentProfile/tags`: the agent's recent call notifications — calls it
//! missed in a time window, and whether the caller has been reached since.

use std::collections::BTreeSet;

use serde::Serialize;
use utoipa::ToSchema;

use super::super::auth::Principal;
use super::super::error::{ApiError, ApiResult, OrRefuse};
use super::super::shared::views::whole_calls;
use super::target;
use crate::AppState;
use crate::domain::calls::{self, Outcome};
use crate::store::EventQuery;
use crate::wire::body::AN_INTEGER;
use crate::wire::errors::agent_profile as codes;
use crate::wire::{Body, reply};

/// The window when `ref` is not given.
const DEFAULT_WINDOW: i64 = 86_400;
/// The furthest back `ref` may reach.
const MAX_WINDOW: i64 = 7 * 86_400;
const MAX_TAGS: usize = 100;
/// The most events read to see whether missed callers were reached since.
const CALLBACK_EVENTS_MAX: i64 = 5000;

/// A call notification; `type` is `missed_call`.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
struct Tag {
    #[serde(rename = "type")]
    kind: &'static str,
    call_id: String,
    caller_number: String,
    did: String,
    /// Unix seconds the call began.
    time: i64,
    /// 1 once a later call with the same number was answered (by anyone).
    called_back: u8,
}

/// `ref`: the Unix time the window starts at (at most 7 days back); 1511 otherwise.
fn since(body: &Body, now: i64) -> Result<i64, ApiError> {
    match body.int("ref").or_refuse(codes::INVALID_REF, "ref", AN_INTEGER)? {
        None => Ok(now - DEFAULT_WINDOW),
        Some(t) if (now - MAX_WINDOW..=now).contains(&t) => Ok(t),
        Some(_) => Err(codes::INVALID_REF.into()),
    }
}

/// `agentProfile/tags` `{[agentId], [ref]}`: missed calls since `ref`
/// (default: the last 24 hours), newest first, at most 100.
pub async fn tags(state: AppState, who: Principal, body: Body) -> ApiResult {
    let agent = target(&state, &who, &body).await?;
    let now = state.clock.now();
    let from = since(&body, now)?;
    let query = EventQuery { agents: Some(vec![agent]), from, to: now + 1, after_seq: 0, limit: None };
    let events = state.store.events(&who.account, &query).await?;
    // A withheld caller (no number) cannot be called back: no tag.
    let mut missed: Vec<_> = calls::summarise(&events, now)
        .into_iter()
        .filter(|c| c.status == Outcome::Missed && !c.caller_number.is_empty())
        .collect();
    missed.truncate(MAX_TAGS);
    let numbers: Vec<String> =
        missed.iter().map(|c| c.caller_number.clone()).collect::<BTreeSet<_>>().into_iter().collect();
    let later = state.store.caller_events(&who.account, &numbers, from, CALLBACK_EVENTS_MAX).await?;
    let reached: Vec<_> = whole_calls(&later, CALLBACK_EVENTS_MAX, now)
        .into_iter()
        .filter(|c| matches!(c.status, Outcome::Answered | Outcome::InProgress))
        .collect();
    let tags: Vec<Tag> = missed
        .into_iter()
        .map(|c| {
            let called_back = reached.iter().any(|r| r.caller_number == c.caller_number && r.time > c.time);
            Tag {
                kind: "missed_call",
                called_back: u8::from(called_back),
                call_id: c.call_id,
                caller_number: c.caller_number,
                did: c.did,
                time: c.time,
            }
        })
        .collect();
    Ok(reply::profile(Tags { agent_id: agent.to_string(), user_id: who.account.to_string(), from, to: now, tags }))
}

/// The agent's notifications in a window (Unix seconds).
#[derive(Serialize, ToSchema)]
pub(in crate::api) struct Tags {
    agent_id: String,
    user_id: String,
    from: i64,
    to: i64,
    /// Newest first, at most 100.
    tags: Vec<Tag>,
}
