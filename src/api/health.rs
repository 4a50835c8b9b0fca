//! Liveness and readiness for load balancers and orchestrators.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::json;

use crate::AppState;
use crate::wire::reply;

/// The process serves HTTP.
pub async fn healthz() -> Response {
    reply::json(StatusCode::OK, &json!({"status": "ok"}))
}

/// The store answers and the live view has caught up with the log (a node
/// of several: its follower's first pass); 503 otherwise, so a balancer
/// stops (or does not yet start) sending traffic.
pub async fn readyz(State(state): State<AppState>) -> Response {
    if !state.live.caught_up() {
        return reply::json(StatusCode::SERVICE_UNAVAILABLE, &json!({"status": "catching up"}));
    }
    match state.store.ready().await {
        Ok(()) => reply::json(StatusCode::OK, &json!({"status": "ready"})),
        Err(err) => {
            tracing::warn!(error = %err, "store not ready");
            reply::json(StatusCode::SERVICE_UNAVAILABLE, &json!({"status": "unavailable"}))
        }
    }
}
