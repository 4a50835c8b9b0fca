//! Prometheus metrics at `GET /metrics`: requests and latency per DeepCall
//! endpoint, application errors per code, and requests refused by a limit.
//! Labels come from the endpoint table, never from the request path, so
//! their number is bounded.

use std::collections::HashMap;
use std::sync::OnceLock;
use std::time::Instant;

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use metrics::{Counter, Histogram};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};

use super::error::{ApiError, ApiResult};
use super::routes::{ENDPOINTS, Endpoint};

const LATENCY_BUCKETS: &[f64] = &[0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5];

/// The process-wide recorder, installed on first use (one per process, however
/// many servers a test suite starts).
pub fn handle() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let recorder =
            PrometheusBuilder::new().set_buckets(LATENCY_BUCKETS).expect("static buckets are valid").build_recorder();
        let handle = recorder.handle();
        if metrics::set_global_recorder(recorder).is_err() {
            tracing::warn!("a metrics recorder was already installed; /metrics will stay empty");
        }
        handle
    })
}

/// An endpoint's request counters and latency histogram, registered once:
/// looking them up per request hashed and copied their labels every time
/// (a few per cent of a heartbeat's cost).
struct Handles {
    succeeded: Counter,
    failed: Counter,
    seconds: Histogram,
}

impl Handles {
    fn of(endpoint: &Endpoint) -> Self {
        let labels =
            |outcome: &'static str| [("section", endpoint.tag()), ("endpoint", endpoint.name), ("outcome", outcome)];
        Handles {
            succeeded: metrics::counter!("agentdesk_api_requests_total", &labels("success")),
            failed: metrics::counter!("agentdesk_api_requests_total", &labels("error")),
            seconds: metrics::histogram!("agentdesk_api_request_seconds", &labels("")[..2]),
        }
    }
}

fn handles(endpoint: &Endpoint) -> Option<&'static Handles> {
    static ALL: OnceLock<HashMap<(&'static str, &'static str), Handles>> = OnceLock::new();
    let all = ALL.get_or_init(|| {
        // The recorder first: handles made before it would count nowhere.
        handle();
        ENDPOINTS.iter().map(|e| ((e.section, e.name), Handles::of(e))).collect()
    });
    all.get(&(endpoint.section, endpoint.name))
}

/// Counts one handled request and, for an application error, its code.
pub fn record(endpoint: &Endpoint, result: &ApiResult, started: Instant) {
    if let Some(handles) = handles(endpoint) {
        if result.is_ok() { &handles.succeeded } else { &handles.failed }.increment(1);
        handles.seconds.record(started.elapsed().as_secs_f64());
    }
    let code = match result {
        Ok(_) => return,
        Err(ApiError::Code(code, _)) => code.code,
        Err(ApiError::Internal(_)) => crate::wire::errors::global::INTERNAL.code,
        Err(ApiError::Unavailable(_)) => 503,
    };
    metrics::counter!("agentdesk_api_errors_total", "code" => code.to_string()).increment(1);
}

/// Counts a request refused by a limit: `limit` is `rate` (a budget spent,
/// `scope` credential or account, `budget` callEvent/ping/other) or
/// `in_flight` (shed at once).
pub fn limit_hit(limit: &'static str, scope: &'static str, budget: &'static str) {
    metrics::counter!("agentdesk_limit_refusals_total", "limit" => limit, "scope" => scope, "budget" => budget)
        .increment(1);
}

pub async fn serve() -> Response {
    let mut response = handle().render().into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"));
    response
}
