//! Request bodies of section `Webhook` as the OpenAPI document describes
//! them, with examples that work in order on a fresh account.
#![allow(non_snake_case, dead_code)]

use utoipa::ToSchema;

use super::schemas::{Credentials, Flag, Id, Integer};

#[derive(ToSchema)]
#[schema(examples(json!({
    "userId": "10000001", "token": "your-api-token", "url": "https://crm.example.com/deepcall/push",
    "events": ["callReport", "break_start", "break_end"], "format": "json"
})))]
pub struct WebhookAddRequest {
    #[serde(flatten)]
    credentials: Credentials,
    /// `http` or `https`, at most 2,000 characters, no user or password in
    /// it. Loopback and private addresses (as written, or as the name
    /// resolves) are refused (1502) unless the server runs with
    /// `--webhook-allow-private`.
    url: String,
    /// `callReport` (DeepCall's push report after every finished call),
    /// event kinds of the event stream (`login`, `logout`, `logout_queued`, `heartbeat`,
    /// `stale`, `offline`, `break_queued`, `break_start`, `break_end`,
    /// `break_overrun`, `wrap_up_end`, `offered`, `answered`, `ended`,
    /// `missed`; the queue's `queued`, `dequeued`, `abandoned`), or `["*"]`
    /// for all of them.
    events: Vec<String>,
    /// How call reports are sent: `json` (the report is the body; default)
    /// or `form` (`push_report=<the report>` form-encoded). Events are JSON.
    format: Option<String>,
    /// 1 (default): deliver; 0: keep the subscription but send nothing.
    active: Option<Flag>,
}

#[derive(ToSchema)]
#[schema(examples(json!({"userId": "10000001", "token": "your-api-token", "webhookId": 1, "format": "form"})))]
pub struct WebhookUpdateRequest {
    #[serde(flatten)]
    credentials: Credentials,
    webhookId: Id,
    /// As in `Webhook/add`; fields left out stay as they are.
    url: Option<String>,
    events: Option<Vec<String>>,
    format: Option<String>,
    /// Switching a subscription on again (also one the server switched
    /// off) starts it at the log's current end: what happened while it was
    /// off is not sent.
    active: Option<Flag>,
}

#[derive(ToSchema)]
#[schema(examples(json!({"userId": "10000001", "token": "your-api-token", "webhookId": 1})))]
pub struct WebhookIdRequest {
    #[serde(flatten)]
    credentials: Credentials,
    webhookId: Id,
}

#[derive(ToSchema)]
#[schema(examples(json!({"userId": "10000001", "token": "your-api-token", "webhookId": 1, "graceSeconds": 86400})))]
pub struct WebhookRotateRequest {
    #[serde(flatten)]
    credentials: Credentials,
    webhookId: Id,
    /// How long the old secret keeps signing beside the new one, 0–604800
    /// seconds (default 86400).
    graceSeconds: Option<Integer>,
}

#[derive(ToSchema)]
#[schema(examples(json!({"userId": "10000001", "token": "your-api-token", "webhookId": 1, "limit": 20})))]
pub struct WebhookDeliveriesRequest {
    #[serde(flatten)]
    credentials: Credentials,
    webhookId: Id,
    /// Only deliveries with a smaller id (the next page); newest first.
    beforeId: Option<Id>,
    /// 1–100 (default 20).
    limit: Option<Integer>,
}

#[derive(ToSchema)]
#[schema(examples(json!({"userId": "10000001", "token": "your-api-token", "webhookId": 1, "since": 0})))]
pub struct WebhookRedeliverRequest {
    #[serde(flatten)]
    credentials: Credentials,
    webhookId: Id,
    /// One delivery, whatever became of it …
    deliveryId: Option<Id>,
    /// … or every failed one created at or after this time (Unix seconds).
    /// Exactly one of the two (else 1000).
    since: Option<Integer>,
}
