//! The OpenAPI 3.1 document, generated from the endpoint table and the error
//! tables at start-up: what is routed is what is documented, and every reply
//! schema is derived from the type the handler serialises.

use std::sync::OnceLock;

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Map, Value, json};
use utoipa::{PartialSchema, ToSchema};

use super::routes::{ENDPOINTS, Endpoint};
use crate::wire::reply::ErrorEnvelope;
use crate::wire::{detail, reply};

/// Paths that answer 429 (with `Retry-After`) when a client tries too often.
const RATE_LIMITED: &[&str] = &["/api/v2/auth/login"];

/// A struct with a flattened part is derived as an `allOf` of inline
/// objects; on the wire it is one object, and so it is shown.
fn merged(schema: Value) -> Value {
    let Some(parts) = schema.get("allOf").and_then(Value::as_array) else { return schema };
    if !parts.iter().all(|p| p.get("properties").is_some() && p.get("$ref").is_none()) {
        return schema;
    }
    let (mut properties, mut required) = (Map::new(), Vec::new());
    for part in parts {
        properties.extend(part["properties"].as_object().cloned().unwrap_or_default());
        required.extend(part.get("required").and_then(Value::as_array).cloned().unwrap_or_default());
    }
    let mut object = json!({"type": "object", "required": required, "properties": properties});
    for (key, value) in schema.as_object().into_iter().flatten().filter(|(k, _)| *k != "allOf") {
        object[key] = value.clone();
    }
    object
}

fn operation(endpoint: &Endpoint) -> Value {
    let codes = endpoint.codes();
    let listed: Vec<String> = codes.iter().map(|c| format!("- `{}` {}", c.code, c.message)).collect();
    let schema = serde_json::to_value((endpoint.request)()).unwrap_or(Value::Null);
    // "Try it out" sends the media type's example: the request type's own.
    let example = schema.get("examples").and_then(|e| e.get(0)).cloned().unwrap_or_else(|| json!({}));
    let reply = merged(serde_json::to_value((endpoint.reply)()).unwrap_or(Value::Null));
    let mut responses = json!({
        "200": {
            "description": format!("Success envelope, or one of these application errors:\n{}", listed.join("\n")),
            "headers": {"Agentdesk-Error-Detail": {"$ref": "#/components/headers/ErrorDetail"}},
            "content": {"application/json": {"schema": {"oneOf": [reply, {"$ref": "#/components/schemas/ErrorEnvelope"}]}}}
        },
        "404": {"$ref": "#/components/responses/Transport"},
        "405": {"$ref": "#/components/responses/Transport"},
        "413": {"$ref": "#/components/responses/Transport"},
        "503": {"$ref": "#/components/responses/Transport"}
    });
    if RATE_LIMITED.contains(&endpoint.path().as_str()) {
        responses["429"] = json!({"$ref": "#/components/responses/RateLimited"});
    }
    json!({
        "tags": [endpoint.tag()],
        "summary": endpoint.summary,
        "operationId": format!("{}_{}", endpoint.tag(), endpoint.name),
        "description": format!(
            "The body is read as JSON whatever the Content-Type says. Application errors answer HTTP 200 with \
             `{{\"status\":\"error\",\"message\":M,\"code\":C}}`; the `Agentdesk-Error-Detail` header says \
             which field and why. A key the request schema does not name (besides `ssid`, `userId`, `token`) \
             answers `{}` {}.",
            endpoint.unknown_key_code().code,
            endpoint.unknown_key_code().message
        ),
        "requestBody": {
            "required": true,
            "content": {
                "application/json": {"schema": schema, "example": example},
                "text/plain": {"schema": schema, "example": example}
            }
        },
        "responses": responses,
        "x-error-codes": codes,
    })
}

/// Every named schema an endpoint refers to, and the error envelope.
fn components() -> Map<String, Value> {
    let mut named = Vec::new();
    for endpoint in ENDPOINTS {
        (endpoint.components)(&mut named);
    }
    named.push((ErrorEnvelope::name().into(), ErrorEnvelope::schema()));
    named.into_iter().map(|(name, schema)| (name, serde_json::to_value(schema).unwrap_or(Value::Null))).collect()
}

/// The Standard Webhooks headers every delivery carries.
fn webhook_headers() -> Value {
    json!([
        {"name": "webhook-id", "in": "header", "required": true, "schema": {"type": "string"},
         "description": "Stable per delivery (the same on retries and redeliveries): deduplicate on it. \
                         Events: `evt_<userId>_<event id>`."},
        {"name": "webhook-timestamp", "in": "header", "required": true, "schema": {"type": "integer"},
         "description": "Unix seconds of the attempt; reject it when more than 5 minutes off."},
        {"name": "webhook-signature", "in": "header", "required": true, "schema": {"type": "string"},
         "description": "`v1,<base64 HMAC-SHA256 of \"<webhook-id>.<webhook-timestamp>.<body>\">` keyed with the \
                         base64-decoded secret after `whsec_`; two, space-separated, during a rotation's grace period."}
    ])
}

/// What the server POSTs to subscribed URLs (section `Webhook`).
fn webhooks() -> Value {
    let accepted = json!({"2XX": {"description": "Accepted. Anything else, or no answer within 15 s, is retried: \
        at once, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h (a `Retry-After` on 429/503 replaces the delay, at most 6 h)."}});
    let report = json!({"type": "object", "required": ["callId", "userId"],
        "description": "DeepCall's push report of a finished call: the fields agentdesk knows (see the README's \
                        field-by-field mapping); the others are absent, never invented. Times are local \
                        `YYYY-MM-DD HH:MM:SS` in the account's time zone, durations seconds."});
    json!({
        "callReport": {"post": {
            "summary": "A finished call, in DeepCall's push-report shape (subscribed with `callReport`)",
            "parameters": webhook_headers(),
            "requestBody": {"required": true, "content": {
                "application/json": {"schema": report},
                "application/x-www-form-urlencoded": {"schema": {"type": "object", "required": ["push_report"],
                    "properties": {"push_report": {"type": "string", "description": "The report's JSON (format `form`)."}}}}
            }},
            "responses": accepted.clone()
        }},
        "agentEvent": {"post": {
            "summary": "An agent or call event of the log (subscribed by kind, or `*`), with the stream's id",
            "parameters": webhook_headers(),
            "requestBody": {"required": true, "content": {"application/json": {"schema": {
                "type": "object", "required": ["type", "timestamp", "userId", "data"],
                "properties": {
                    "type": {"type": "string", "description": "The event's kind (`break_start`, `ended`, …); `test` for `Webhook/test`."},
                    "timestamp": {"type": "string", "description": "When it happened, RFC 3339."},
                    "userId": {"type": "string"},
                    "data": {"type": "object", "description": "The event exactly as the stream's `data` (its `id` is the stream's event id)."}
                }
            }}}},
            "responses": accepted
        }}
    })
}

pub fn document() -> Value {
    let mut paths = Map::new();
    for endpoint in ENDPOINTS {
        paths.insert(endpoint.path(), json!({"post": operation(endpoint)}));
    }
    for (path, summary) in [
        ("/healthz", "The process serves HTTP"),
        ("/readyz", "The store answers (503 when it does not)"),
        ("/openapi.json", "This document"),
        ("/docs", "This document in Swagger UI (served from the binary, works offline)"),
        ("/metrics", "Prometheus metrics: requests, latency and errors per endpoint"),
        (
            "/api/v2/stream",
            "Server-Sent Events of the account's event log (`id` = sequence number, `event` = kind, `data` = \
             the event as in `Agent/timeLine`). Credentials in the query string: `?ssid=…` or \
             `?userId=…&token=…`; an agent session without VIEW_AGENTS sees its own events. It starts at the \
             present; with the `Last-Event-ID` header (or `?lastEventId=`) the events after that one are \
             replayed from the log first (`0`: from the start). `?named=0` leaves `event` out, so \
             `EventSource.onmessage` receives every event (the kind is in the data).",
        ),
    ] {
        paths.insert(
            path.to_string(),
            json!({"get": {"summary": summary, "responses": {"200": {"description": "OK"}}}}),
        );
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "agentdesk — DeepCall API v2",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Self-hosted call-center agent management speaking the DeepCall API v2. \
                            Credentials travel in the body: `ssid`, or `userId` + `token`."
        },
        "paths": paths,
        "webhooks": webhooks(),
        "components": {
            "schemas": components(),
            "headers": {"ErrorDetail": error_detail_header()},
            "responses": {
                "Transport": {
                    "description": "Transport-level outcome (404 unknown path, 405 not POST, 413 body over 1 MiB, \
                                    503 not answered within 30 s); `code` repeats the HTTP status",
                    "headers": {"Agentdesk-Error-Detail": {"$ref": "#/components/headers/ErrorDetail"}},
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorEnvelope"}}}
                },
                "RateLimited": {
                    "description": "Too many failed logins for this email: wait the `Retry-After` seconds",
                    "headers": {
                        "Retry-After": {"description": "Seconds to wait", "schema": {"type": "integer", "minimum": 1}},
                        "Agentdesk-Error-Detail": {"$ref": "#/components/headers/ErrorDetail"}
                    },
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorEnvelope"}}}
                }
            }
        }
    })
}

/// The `Agentdesk-Error-Detail` header as `wire::detail` writes it.
fn error_detail_header() -> Value {
    json!({
        "description": format!(
            "On every refusal (an error envelope, whatever its HTTP status): which field was refused and why, \
             for people and programs; the body stays DeepCall's envelope. A Structured Field dictionary \
             (RFC 8941): `code` (integer, the envelope's code), `field` (string, a JSON Pointer (RFC 6901) into \
             the request body, as RFC 9457 problem details point at a field; absent when no one field is at \
             fault) and `reason` (string, plain English). Printable ASCII only: other characters of a key, and \
             `%`, are percent-encoded as UTF-8; `field` is at most {} characters and `reason` {}, cut with \
             `...`. The same detail is logged with the request's `X-Request-Id`. Example: \
             `code=1502, field=\"/groupID\", reason=\"unknown key; did you mean groupid?\"`.",
            detail::MAX_FIELD,
            detail::MAX_REASON
        ),
        "schema": {"type": "string"},
        "example": "code=1502, field=\"/groupID\", reason=\"unknown key; did you mean groupid?\""
    })
}

pub async fn serve() -> Response {
    static DOCUMENT: OnceLock<Vec<u8>> = OnceLock::new();
    let bytes = DOCUMENT.get_or_init(|| serde_json::to_vec(&document()).unwrap_or_default());
    reply::raw_json(StatusCode::OK, bytes.clone())
}
