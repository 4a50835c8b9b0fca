//! Transport-level quirks: the CORS headers every captured response carries,
//! and JSON envelopes for everything axum would otherwise answer in plain text.

use std::any::Any;

use axum::body::Body as HttpBody;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use http_body_util::BodyExt;

use super::body::MAX_BODY_BYTES;
use super::detail::Detail;
use super::reply;

const ALLOW_METHODS: &str = "POST, GET, OPTIONS, PATCH, DELETE";
// No space after the comma: that is how the captured responses spell it.
const ALLOW_HEADERS: &str = "X-Requested-With,content-type";

/// Adds the CORS headers of the captured DeepCall responses, but one: the
/// captures also say `Access-Control-Allow-Credentials: true`, which beside
/// `Allow-Origin: *` browsers refuse anyway (so no client can rely on it)
/// and which invites a reflected origin later; credentials travel in the
/// body here, never in cookies.
pub async fn cors_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    headers.insert(header::ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static(ALLOW_METHODS));
    headers.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, HeaderValue::from_static(ALLOW_HEADERS));
    headers.insert(header::VARY, HeaderValue::from_static("Origin"));
    response
}

/// `OPTIONS` preflight: 204 with the CORS headers (added by `cors_headers`).
pub fn preflight() -> Response {
    StatusCode::NO_CONTENT.into_response()
}

pub fn not_found() -> Response {
    reply::transport_error(
        StatusCode::NOT_FOUND,
        "Not found",
        "no endpoint at this path: API calls are POST /api/v2/<Section>/<endpoint> (see /openapi.json)",
    )
}

pub fn method_not_allowed() -> Response {
    let mut response = reply::transport_error(
        StatusCode::METHOD_NOT_ALLOWED,
        "Method not allowed",
        "an API path answers POST (and OPTIONS) only",
    );
    response.headers_mut().insert(header::ALLOW, HeaderValue::from_static("POST, OPTIONS"));
    response
}

pub fn payload_too_large() -> Response {
    reply::transport_error(
        StatusCode::PAYLOAD_TOO_LARGE,
        "Request body too large",
        format!("the body is over {MAX_BODY_BYTES} bytes"),
    )
}

/// Longest a request may take before it is answered 503.
pub const REQUEST_DEADLINE: std::time::Duration = std::time::Duration::from_secs(30);

/// Answers 503 with an envelope when a request outlives `REQUEST_DEADLINE`
/// (a stuck database must not hold clients forever). A write that was in
/// flight is either committed or rolled back whole: transactions are dropped,
/// never half-applied.
pub async fn deadline(request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    match tokio::time::timeout(REQUEST_DEADLINE, next.run(request)).await {
        Ok(response) => response,
        Err(_) => {
            tracing::warn!("request exceeded its deadline");
            reply::transport_error(
                StatusCode::SERVICE_UNAVAILABLE,
                "Service unavailable",
                format!("the request took over {} seconds; it was not applied, retry it", REQUEST_DEADLINE.as_secs()),
            )
        }
    }
}

/// Rate limited: 429 with `Retry-After` in seconds.
pub fn too_many_requests(retry_after_secs: i64) -> Response {
    let wait = retry_after_secs.max(1);
    let why = format!("the request budget of this credential is spent; retry after {wait} seconds");
    let mut response = reply::transport_error(StatusCode::TOO_MANY_REQUESTS, "Too many requests", why);
    if let Ok(value) = HeaderValue::from_str(&wait.to_string()) {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
}

/// How much of a refused body is still read and thrown away. A client that
/// writes its whole body before reading the reply would otherwise meet a
/// socket closed under it (a broken pipe or a reset) instead of the 413:
/// reading the rest lets the reply arrive and the connection live on.
pub const DRAIN_MAX_BYTES: usize = 16 * 1024 * 1024;

/// How long the rest of a refused body may take to arrive.
pub const DRAIN_MAX_TIME: std::time::Duration = std::time::Duration::from_secs(10);

/// Reads the whole body, refusing more than `MAX_BODY_BYTES` with a 413
/// envelope. The rest of a refused body is read and discarded (up to
/// `DRAIN_MAX_BYTES` within `DRAIN_MAX_TIME`) before the reply; a body
/// larger or slower than that gets its 413 with `Connection: close`.
pub async fn read_body(headers: &HeaderMap, mut body: HttpBody) -> Result<axum::body::Bytes, Response> {
    let declared =
        headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > DRAIN_MAX_BYTES) {
        return Err(closing(payload_too_large()));
    }
    let mut kept = Vec::with_capacity(declared.unwrap_or(0).min(MAX_BODY_BYTES));
    // A length already over the limit skips straight to discarding.
    let mut seen = if declared.is_some_and(|n| n > MAX_BODY_BYTES) { MAX_BODY_BYTES + 1 } else { 0 };
    while seen <= MAX_BODY_BYTES {
        match body.frame().await {
            None => return Ok(kept.into()),
            Some(Ok(frame)) => {
                if let Some(data) = frame.data_ref() {
                    seen += data.len();
                    if seen <= MAX_BODY_BYTES {
                        kept.extend_from_slice(data);
                    }
                }
            }
            // A client that hangs up mid-body gets the same answer as a broken body.
            Some(Err(_)) => {
                let why = Detail::why("the body ended before its end (the connection broke while sending it)");
                return Err(reply::error_with(super::errors::global::INVALID_REQUEST_DATA, why));
            }
        }
    }
    drop(kept);
    match tokio::time::timeout(DRAIN_MAX_TIME, drain(body, DRAIN_MAX_BYTES)).await {
        Ok(true) => Err(payload_too_large()),
        Ok(false) | Err(_) => Err(closing(payload_too_large())),
    }
}

/// Reads and discards the body; true when it ended within `limit` bytes.
async fn drain(mut body: HttpBody, limit: usize) -> bool {
    let mut seen = 0usize;
    while let Some(frame) = body.frame().await {
        let Ok(frame) = frame else { return false };
        seen += frame.data_ref().map_or(0, |d| d.len());
        if seen > limit {
            return false;
        }
    }
    true
}

/// The reply is the connection's last: the rest of the request is not read.
fn closing(mut response: Response) -> Response {
    response.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
    response
}

/// Last resort for a panic in a handler: log it, answer 1032, keep serving.
pub fn panic_response(panic: Box<dyn Any + Send + 'static>) -> Response {
    let detail = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("unknown panic");
    tracing::error!(panic = detail, "handler panicked");
    internal_error()
}

/// 1032: what went wrong is in the server's log, under the request's id.
pub fn internal_error() -> Response {
    let why = Detail::why("internal error; the server log has it under this response's X-Request-Id");
    reply::error_with(super::errors::global::INTERNAL, why)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_panic_becomes_the_1032_envelope() {
        let response = panic_response(Box::new("boom"));
        assert_eq!(response.status(), StatusCode::OK);
        let body = axum::body::to_bytes(response.into_body(), 1024).await.unwrap();
        assert_eq!(&body[..], br#"{"status":"error","message":"Internal server error","code":1032}"#);
    }

    #[tokio::test]
    async fn too_many_requests_says_when_to_retry() {
        let response = too_many_requests(42);
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(response.headers()[header::RETRY_AFTER], "42");
    }
}
