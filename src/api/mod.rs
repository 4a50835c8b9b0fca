//! The HTTP surface: one module per DeepCall section plus our extensions.
//! Every API path goes through `dispatch`, which owns the transport rules
//! (methods, body size, lenient JSON) before a handler sees the request.

mod accepted;
mod account;
mod agent;
mod agent_dashboard;
mod agent_profile;
mod auth;
mod breaks;
mod call_event;
mod call_report;
mod call_route;
mod caller_marks;
mod contact_schemas;
mod directory;
mod error;
mod group;
mod group_queue;
mod health;
mod live_schemas;
mod metrics;
pub mod openapi;
mod pages;
mod role;
mod routes;
mod schemas;
mod shared;
mod sticky;
mod stream;
mod supervisor;
mod webhook;
mod webhook_schemas;

use axum::Router;
use axum::body::Body as HttpBody;
use std::net::SocketAddr;

use axum::Extension;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderMap, Method};
use axum::response::Response;
use axum::routing::{any, get};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer};
use tower_http::trace::TraceLayer;
use utoipa_swagger_ui::{Config, SwaggerUi};

pub use auth::{Caller, Principal};
pub use error::ApiError;
pub use routes::{ENDPOINTS, Endpoint};

use crate::AppState;
use crate::limits::rates::Spend;
use crate::wire::errors::global;
use crate::wire::{Body, Detail, detail, http, reply};

pub fn router(state: AppState) -> Router {
    metrics::handle();
    // The docs page is served from the binary (vendored Swagger UI): it works offline.
    let docs = Router::from(SwaggerUi::new("/docs").config(Config::new(["/openapi.json"])))
        .layer(axum::middleware::map_response(pages::docs_headers));
    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(metrics::serve))
        .route("/openapi.json", get(openapi::serve))
        .merge(docs)
        .route("/", get(pages::index))
        .route("/web/{*file}", get(pages::asset))
        .route("/api/v2/stream", get(stream::stream))
        .route("/api/v2/{endpoint}", any(dispatch_top))
        .route("/api/v2/{endpoint}/", any(dispatch_top))
        .route("/api/v2/{section}/{endpoint}", any(dispatch))
        .route("/api/v2/{section}/{endpoint}/", any(dispatch))
        .fallback(fallback)
        .with_state(state)
        // Innermost first: a panic becomes an envelope, which still gets the
        // CORS headers, and is logged inside the span that carries the request id.
        .layer(CatchPanicLayer::custom(http::panic_response))
        .layer(axum::middleware::from_fn(http::deadline))
        .layer(axum::middleware::map_response(http::cors_headers))
        // Inside the request's span: the refusal's log line carries the request id.
        .layer(axum::middleware::map_response(detail::announce))
        .layer(TraceLayer::new_for_http().make_span_with(request_span))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(SetRequestIdLayer::x_request_id(RandomRequestId))
        .layer(axum::middleware::map_request(bounded_request_id))
}

/// Longest `x-request-id` a client's own is kept at.
const MAX_REQUEST_ID: usize = 128;

/// A client's `x-request-id` is logged and echoed only when it is short
/// printable ASCII without spaces (a UUID, a trace id); any other is
/// replaced by one of ours, so a client cannot write what it likes into
/// the log lines of its requests.
async fn bounded_request_id(mut request: axum::http::Request<HttpBody>) -> axum::http::Request<HttpBody> {
    let acceptable = |v: &axum::http::HeaderValue| {
        let bytes = v.as_bytes();
        !bytes.is_empty() && bytes.len() <= MAX_REQUEST_ID && bytes.iter().all(|b| b.is_ascii_graphic())
    };
    if request.headers().get("x-request-id").is_some_and(|v| !acceptable(v)) {
        request.headers_mut().remove("x-request-id");
    }
    request
}

/// Request ids in UUID v4 form, drawn from the thread's generator: the
/// stock maker asks the kernel for each one, a system call per request.
#[derive(Clone, Copy)]
struct RandomRequestId;

impl MakeRequestId for RandomRequestId {
    fn make_request_id<B>(&mut self, _: &axum::http::Request<B>) -> Option<RequestId> {
        use rand::RngExt;
        let random: u128 = rand::rng().random();
        // Version 4, variant 10xx.
        let bits = (random & !(0xF << 76) | (0x4 << 76)) & !(0x3 << 62) | (0x2 << 62);
        let id = format!(
            "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
            bits >> 96,
            (bits >> 80) & 0xFFFF,
            (bits >> 64) & 0xFFFF,
            (bits >> 48) & 0xFFFF,
            bits & 0xFFFF_FFFF_FFFF
        );
        axum::http::HeaderValue::from_str(&id).ok().map(RequestId::new)
    }
}

/// One span per request, named by its `x-request-id` so a logged 1032 can be
/// matched to the client's report. Bodies are never logged: they carry credentials.
fn request_span(request: &axum::http::Request<HttpBody>) -> tracing::Span {
    let id = request.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-");
    // `account` and `agent` are filled in once the credentials are known.
    tracing::info_span!(
        "request",
        method = %request.method(),
        path = %request.uri().path(),
        request_id = %id,
        account = tracing::field::Empty,
        agent = tracing::field::Empty,
    )
}

/// Anything no route matched: a preflight on an API path still gets its 204.
async fn fallback(method: Method, uri: axum::http::Uri) -> Response {
    if method == Method::OPTIONS && uri.path().starts_with("/api/") { http::preflight() } else { http::not_found() }
}

/// A path right under `/api/v2/` (`callEvent`).
async fn dispatch_top(
    state: State<AppState>,
    Path(name): Path<String>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    method: Method,
    headers: HeaderMap,
    body: HttpBody,
) -> Response {
    dispatch(state, Path((String::new(), name)), peer, method, headers, body).await
}

async fn dispatch(
    State(state): State<AppState>,
    Path((section, name)): Path<(String, String)>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    method: Method,
    headers: HeaderMap,
    body: HttpBody,
) -> Response {
    if method == Method::OPTIONS {
        return http::preflight();
    }
    let Some(endpoint) = routes::find(&section, &name) else {
        return http::not_found();
    };
    if method != Method::POST {
        return http::method_not_allowed();
    }
    let Some(_admitted) = state.in_flight.admit() else {
        metrics::limit_hit("in_flight", "server", "any");
        return ApiError::Unavailable("too many requests in flight".into()).into_response();
    };
    let bytes = match http::read_body(&headers, body).await {
        Ok(bytes) => bytes,
        Err(response) => return response,
    };
    let body = match Body::parse_or_why(&bytes) {
        Ok(body) => body,
        Err(why) => return reply::error_with(global::INVALID_REQUEST_DATA, Detail::why(why)),
    };
    let started = std::time::Instant::now();
    let result = match endpoint.handler {
        routes::Handler::Open(handler) => match known_keys(endpoint, &body) {
            Err(refused) => Err(refused),
            Ok(()) => {
                let source =
                    peer.map(|Extension(ConnectInfo(peer))| state.settings.trusted_proxies.client(peer.ip(), &headers));
                handler(state, source, body).await
            }
        },
        routes::Handler::Authenticated(handler) => match auth::authenticate(&state, &body).await {
            Ok(who) => {
                let spend = budget_of(endpoint);
                if let Err(exhausted) = state.rates.spend_n(spend, &who.spender(), cost_of(spend, &body)) {
                    metrics::limit_hit("rate", exhausted.scope.as_str(), spend.as_str());
                    tracing::info!(budget = spend.as_str(), scope = exhausted.scope.as_str(), "request budget spent");
                    return http::too_many_requests(exhausted.retry_after_secs);
                }
                match access_first(endpoint, &who, &body).and_then(|()| known_keys(endpoint, &body)) {
                    Ok(()) => handler(state, who, body).await,
                    Err(refused) => Err(refused),
                }
            }
            Err(refused) => Err(refused),
        },
    };
    metrics::record(endpoint, &result, started);
    if cfg!(debug_assertions)
        && let Err(ApiError::Code(code, _)) = &result
    {
        // The table is the contract: a code it does not list is a bug in
        // the handler or the table, and debug builds (the tests) say so loudly.
        assert!(
            endpoint.declares(*code),
            "{} answered {} {:?}, which its table does not list",
            endpoint.path(),
            code.code,
            code.message
        );
    }
    match result {
        Ok(response) => response,
        Err(error) => error.into_response(),
    }
}

/// Refuses a body with a key the endpoint's request schema does not name,
/// with the endpoint's code for it. Checked after the credentials, so a
/// caller without access learns nothing of the schema it could not read anyway.
fn known_keys(endpoint: &Endpoint, body: &Body) -> Result<(), ApiError> {
    match accepted::unknown_key(endpoint, body.fields()) {
        None => Ok(()),
        Some(detail) => Err(ApiError::Code(endpoint.unknown_key_code(), Some(detail))),
    }
}

/// Refusals about who may act that come before the body's keys are looked
/// at: an agent session naming another agent in `agentProfile` (1501).
fn access_first(endpoint: &Endpoint, who: &Principal, body: &Body) -> Result<(), ApiError> {
    match endpoint.section {
        "agentProfile" => agent_profile::names_another_agent(who, body),
        _ => Ok(()),
    }
}

/// Which request budget an endpoint spends from (`limits::rates`). The
/// routing decision is the telephony's, like its call events: a proxy asks
/// again every second for each waiting call.
fn budget_of(endpoint: &Endpoint) -> Spend {
    match (endpoint.section, endpoint.name) {
        ("", "callEvent" | "callRoute") => Spend::CallEvent,
        ("agentProfile", "setWebPingTime") => Spend::Ping,
        _ => Spend::Other,
    }
}

/// What a request costs of its budget: a `callEvent` batch one per event
/// it carries (its `events` list, else the one event it is), else one.
fn cost_of(spend: Spend, body: &Body) -> u32 {
    match (spend, body.get("events")) {
        (Spend::CallEvent, Some(serde_json::Value::Array(events))) => events.len().clamp(1, u32::MAX as usize) as u32,
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request_id() -> String {
        let request = axum::http::Request::new(());
        let id = RandomRequestId.make_request_id(&request).expect("an id");
        id.header_value().to_str().unwrap().to_string()
    }

    #[test]
    fn request_ids_are_random_version_4_uuids() {
        let id = request_id();
        let groups: Vec<&str> = id.split('-').collect();
        assert_eq!(groups.iter().map(|g| g.len()).collect::<Vec<_>>(), [8, 4, 4, 4, 12], "{id}");
        assert!(id.chars().all(|c| c == '-' || c.is_ascii_hexdigit() && !c.is_ascii_uppercase()), "{id}");
        assert!(groups[2].starts_with('4'), "version 4: {id}");
        assert!(groups[3].starts_with(['8', '9', 'a', 'b']), "RFC 4122 variant: {id}");
        assert_ne!(request_id(), id);
    }
}
