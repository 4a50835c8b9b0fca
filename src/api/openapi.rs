//! The OpenAPI 3.1 document, generated from the endpoint table and the error
//! tables at start-up: what is routed is what is documented.

use std::sync::OnceLock;

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{json, Map, Value};

use super::routes::{Endpoint, ENDPOINTS};
use crate::wire::reply;

fn operation(endpoint: &Endpoint) -> Value {
    let codes = endpoint.codes();
    let listed: Vec<String> = codes.iter().map(|c| format!("- `{}` {}", c.code, c.message)).collect();
    let schema = serde_json::to_value((endpoint.request)()).unwrap_or(Value::Null);
    let reply = serde_json::to_value((endpoint.reply)()).unwrap_or(Value::Null);
    json!({
        "tags": [endpoint.tag()],
        "summary": endpoint.summary,
        "operationId": format!("{}_{}", endpoint.tag(), endpoint.name),
        "description": "The body is read as JSON whatever the Content-Type says. Application errors answer \
                        HTTP 200 with `{\"status\":\"error\",\"message\":M,\"code\":C}`.",
        "requestBody": {
            "required": true,
            "content": {
                "application/json": {"schema": schema},
                "text/plain": {"schema": schema}
            }
        },
        "responses": {
            "200": {
                "description": format!("Success envelope, or one of these application errors:\n{}", listed.join("\n")),
                "content": {"application/json": {"schema": {"oneOf": [reply, {"$ref": "#/components/schemas/ErrorEnvelope"}]}}}
            },
            "404": {"$ref": "#/components/responses/Transport"},
            "405": {"$ref": "#/components/responses/Transport"},
            "413": {"$ref": "#/components/responses/Transport"}
        },
        "x-error-codes": codes,
    })
}

/// Every named schema an endpoint refers to, and the error envelope.
fn components() -> Map<String, Value> {
    let mut named = Vec::new();
    for endpoint in ENDPOINTS {
        (endpoint.components)(&mut named);
    }
    let mut schemas: Map<String, Value> =
        named.into_iter().map(|(name, schema)| (name, serde_json::to_value(schema).unwrap_or(Value::Null))).collect();
    schemas.insert(
        "ErrorEnvelope".to_string(),
        json!({
            "type": "object",
            "required": ["status", "message", "code"],
            "properties": {
                "status": {"const": "error"},
                "message": {"type": "string"},
                "code": {"type": "integer"}
            }
        }),
    );
    schemas
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
             `?userId=…&token=…`; an agent session without VIEW_AGENTS sees its own events. Resume with the \
             `Last-Event-ID` header (or `?lastEventId=`): missed events are replayed from the log first.",
        ),
    ] {
        paths.insert(path.to_string(), json!({"get": {"summary": summary, "responses": {"200": {"description": "OK"}}}}));
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
        "components": {
            "schemas": components(),
            "responses": {
                "Transport": {
                    "description": "Transport-level outcome; `code` repeats the HTTP status",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorEnvelope"}}}
                }
            }
        }
    })
}

pub async fn serve() -> Response {
    static DOCUMENT: OnceLock<Vec<u8>> = OnceLock::new();
    let bytes = DOCUMENT.get_or_init(|| serde_json::to_vec(&document()).unwrap_or_default());
    reply::raw_json(StatusCode::OK, bytes.clone())
}
