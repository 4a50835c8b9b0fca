//! `GET /api/v2/stream` (ours): the account's events as Server-Sent Events.
//! Credentials go in the query string (`?ssid=…` or `?userId=…&token=…`),
//! because a browser's `EventSource` cannot send a body or headers.
//! Starts at the present: a board opening it does not receive the account's
//! history. `Last-Event-ID` (or `?lastEventId=`) replays what followed that
//! event from the log before going live (`0`: from the start). Frames are
//! named by the event's kind; `?named=0` leaves the name out, so a plain
//! `EventSource.onmessage` receives every event. A credential holds at
//! most `limits::streams::PER_CREDENTIAL` streams at once (429 beyond), and
//! a stream ends within a minute of its credentials ending.

use std::collections::{HashMap, VecDeque};
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};
use tokio::sync::{broadcast, watch};

use super::auth::authenticate;
use super::shared::events::EventView;
use super::shared::rights::scope;
use crate::AppState;
use crate::domain::ids::{AccountId, AgentId};
use crate::domain::presence::Logged;
use crate::limits::streams::{self, StreamPlace};
use crate::live::Published;
use crate::store::EventQuery;
use crate::wire::{Body, http, reply};

/// Most events replayed on one connection; past it the stream ends and the
/// client's automatic reconnect (with `Last-Event-ID`) fetches the rest.
const REPLAY_MAX: i64 = 10_000;

/// A quiet stream checks its credentials this often (a busy one at every
/// wake-up): a session that ended, expired or was revoked stops its
/// streams within this, events or not.
const RECHECK: Duration = Duration::from_secs(60);

/// Seconds a client over its streams is told to wait (`Retry-After`).
const STREAMS_RETRY_AFTER: i64 = 5;

struct Cursor {
    state: AppState,
    /// The connection's credentials, checked again whenever the stream wakes
    /// up for new events: a revoked token or ended session stops receiving.
    credentials: Body,
    account: AccountId,
    /// Only this agent's events (an agent session without `VIEW_AGENTS`).
    only: Option<AgentId>,
    backlog: VecDeque<Logged>,
    /// The backlog was cut at `REPLAY_MAX`: end after it.
    truncated: bool,
    live: broadcast::Receiver<Arc<Published>>,
    closing: watch::Receiver<bool>,
    /// Live events received and authorised, not yet sent.
    pending: VecDeque<Arc<Published>>,
    last: i64,
    /// Frames carry `event: <kind>` (else they are all `message`).
    named: bool,
    /// This stream's place among the open ones, freed when it ends.
    _place: StreamPlace,
}

fn sse(logged: &Logged, named: bool) -> SseEvent {
    let event = SseEvent::default().id(logged.seq.to_string());
    let event = if named { event.event(logged.event.kind.as_str()) } else { event };
    event.json_data(EventView::of(logged)).unwrap_or_else(|_| SseEvent::default().comment("unserialisable event"))
}

impl Cursor {
    fn wanted(&self, p: &Published) -> bool {
        p.account == self.account && p.logged.seq > self.last && self.only.is_none_or(|a| a == p.logged.event.agent)
    }

    async fn next(mut self) -> Option<(Result<SseEvent, Infallible>, Cursor)> {
        if let Some(logged) = self.backlog.pop_front() {
            self.last = logged.seq;
            let event = sse(&logged, self.named);
            return Some((Ok(event), self));
        }
        if self.truncated {
            return None;
        }
        loop {
            while let Some(p) = self.pending.pop_front() {
                if self.wanted(&p) {
                    self.last = p.logged.seq;
                    let event = sse(&p.logged, self.named);
                    return Some((Ok(event), self));
                }
            }
            // Fell behind, or shutting down: the client reconnects and
            // resumes from the log.
            let first = tokio::select! {
                received = self.live.recv() => Some(received.ok()?),
                _ = self.closing.wait_for(|closing| *closing) => return None,
                () = tokio::time::sleep(RECHECK) => None,
            };
            let Some(first) = first else {
                // Quiet for a while: are the credentials still good?
                if authenticate(&self.state, &self.credentials).await.is_err() {
                    return None;
                }
                continue;
            };
            self.pending.push_back(first);
            loop {
                match self.live.try_recv() {
                    Ok(p) => self.pending.push_back(p),
                    Err(broadcast::error::TryRecvError::Empty) => break,
                    Err(_) => return None,
                }
            }
            // Once per wake-up, not per event: a burst costs one lookup.
            if authenticate(&self.state, &self.credentials).await.is_err() {
                return None;
            }
        }
    }
}

/// The event the client last saw, when it says: replay what followed it.
/// None: start at the present.
fn last_event_id(headers: &HeaderMap, params: &HashMap<String, String>) -> Option<i64> {
    let parse = |v: &str| v.trim().parse::<i64>().ok();
    let header = headers.get("last-event-id").and_then(|v| v.to_str().ok()).and_then(parse);
    header.or_else(|| params.get("lastEventId").and_then(|v| parse(v))).map(|id| id.max(0))
}

pub async fn stream(
    State(state): State<AppState>,
    Query(params): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let mut credentials = Map::new();
    for key in ["ssid", "userId", "token"] {
        if let Some(v) = params.get(key) {
            credentials.insert(key.to_string(), Value::String(v.clone()));
        }
    }
    let body = match Body::parse(&serde_json::to_vec(&credentials).unwrap_or_default()) {
        Ok(body) => body,
        Err(code) => return reply::error(code),
    };
    let who = match authenticate(&state, &body).await {
        Ok(who) => who,
        Err(err) => return err.into_response(),
    };
    let only = match scope(&who, None) {
        Ok(only) => only,
        Err(err) => return err.into_response(),
    };
    let Some(place) = state.streams.open(who.spender()) else {
        super::metrics::limit_hit("streams", "credential", "stream");
        tracing::info!(limit = streams::PER_CREDENTIAL, "too many event streams open");
        return http::too_many_requests(STREAMS_RETRY_AFTER);
    };
    let resume = last_event_id(&headers, &params);
    let named = params.get("named").is_none_or(|v| v.trim() != "0");
    // Subscribe before reading the log: nothing falls between the two.
    let live = state.live.subscribe();
    let backlog = match resume {
        None => Vec::new(),
        Some(after_seq) => {
            let agents = only.map(|a| vec![a]);
            let query = EventQuery { agents, from: 0, to: i64::MAX, after_seq, limit: Some(REPLAY_MAX) };
            match state.store.events(&who.account, &query).await {
                Ok(events) => events,
                Err(err) => return super::ApiError::from(err).into_response(),
            }
        }
    };
    let last = resume.unwrap_or(0);
    let truncated = backlog.len() as i64 == REPLAY_MAX;
    let closing = state.live.closing();
    let cursor = Cursor {
        state,
        credentials: body,
        account: who.account,
        only,
        backlog: backlog.into(),
        truncated,
        live,
        closing,
        pending: VecDeque::new(),
        last,
        named,
        _place: place,
    };
    let events = futures_util::stream::unfold(cursor, Cursor::next);
    Sse::new(events).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))).into_response()
}
