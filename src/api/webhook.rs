//! Section `Webhook` (ours): the account's push subscriptions — call
//! reports in DeepCall's push-report shape and agent/call events, signed
//! the Standard Webhooks way — and their delivery log. Account credentials
//! only (an account token or admin session).

use std::time::Duration;

use serde::Serialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

use super::auth::{Caller, Principal};
use super::error::{ApiError, ApiResult, StoreOutcome};
use crate::AppState;
use crate::domain::webhook::{self, EventFilter, Format, JSON_CONTENT, encode_report, new_secret};
use crate::store::{DeliveryRow, NewDelivery, Redelivery, WebhookRow};
use crate::wire::errors::{global, webhook as codes};
use crate::wire::{Body, ErrorCode, reply};

/// Subscriptions per account at most.
pub const MAX_WEBHOOKS: i64 = 20;
/// How long a rotated-out secret keeps signing by default, and at most.
const DEFAULT_GRACE: i64 = 86_400;
const MAX_GRACE: i64 = 7 * 86_400;
/// How long `add`/`update` wait for a name to resolve before taking it as is
/// (the sender checks it again at every attempt).
const RESOLVE_WAIT: Duration = Duration::from_secs(2);

/// A subscription as `list` shows it: never its secret.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(in crate::api) struct WebhookView {
    webhook_id: i64,
    url: String,
    events: Vec<String>,
    /// `json` or `form` (call reports as `push_report=`).
    format: String,
    /// 1: delivering; 0: off (by a request, or by the server after days of failures).
    active: i64,
    /// Unix seconds.
    created_at: i64,
    /// The first failed attempt since the last success (Unix seconds).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    failing_since: Option<i64>,
    /// Why the server switched it off, and when (Unix seconds).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    disabled_reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    disabled_at: Option<i64>,
    /// Until when the secret before the last rotation still signs (Unix seconds).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    previous_secret_until: Option<i64>,
}

fn view(row: &WebhookRow, now: i64) -> WebhookView {
    WebhookView {
        webhook_id: row.id,
        url: row.url.clone(),
        events: row.events.clone(),
        format: row.format.clone(),
        active: i64::from(row.active),
        created_at: row.created_at,
        failing_since: row.failing_since,
        disabled_reason: row.disabled_reason.clone(),
        disabled_at: row.disabled_at,
        previous_secret_until: row.previous_until.filter(|until| *until > now && row.previous_secret.is_some()),
    }
}

/// Only the account itself manages where its data goes.
fn require_owner(who: &Principal) -> Result<(), ApiError> {
    match who.caller {
        Caller::Owner => Ok(()),
        Caller::Agent { .. } => Err(global::PERMISSION_DENIED.into()),
    }
}

/// The URL, checked: well formed (1501), and not a private target unless
/// the server allows them (1502): neither as written nor as it resolves
/// now. A name that does not resolve now is taken; each attempt checks again.
async fn checked_url(state: &AppState, raw: Option<&Value>) -> Result<String, ErrorCode> {
    let raw = raw.and_then(Value::as_str).map(str::trim).ok_or(codes::INVALID_URL)?;
    let url = webhook::valid_url(raw).ok_or(codes::INVALID_URL)?;
    if state.push.config().allow_private {
        return Ok(url.to_string());
    }
    if webhook::names_private_host(&url) {
        return Err(codes::PRIVATE_URL);
    }
    if let Some(url::Host::Domain(name)) = url.host() {
        let port = url.port_or_known_default().unwrap_or(443);
        let lookup = tokio::time::timeout(RESOLVE_WAIT, tokio::net::lookup_host((name, port))).await;
        if let Ok(Ok(mut addresses)) = lookup
            && addresses.any(|a| webhook::is_private(a.ip()))
        {
            return Err(codes::PRIVATE_URL);
        }
    }
    Ok(url.to_string())
}

fn events(value: Option<&Value>) -> Result<Vec<String>, ErrorCode> {
    let items = value.and_then(Value::as_array).ok_or(codes::INVALID_EVENTS)?;
    let names: Option<Vec<&str>> = items.iter().map(Value::as_str).collect();
    let filter = names.and_then(EventFilter::parse).ok_or(codes::INVALID_EVENTS)?;
    Ok(filter.names().to_vec())
}

fn format(body: &Body) -> Result<Option<Format>, ErrorCode> {
    match body.get("format") {
        None => Ok(None),
        Some(v) => v.as_str().and_then(Format::parse).map(Some).ok_or(codes::INVALID_FORMAT),
    }
}

/// The subscription `webhookId` names (1506 when the account has none such).
async fn named(state: &AppState, who: &Principal, body: &Body) -> Result<WebhookRow, ApiError> {
    let id: i64 = body.id("webhookId").ok().flatten().ok_or(codes::WEBHOOK_NOT_FOUND)?;
    let hooks = state.store.webhooks(&who.account).await?;
    Ok(hooks.into_iter().find(|h| h.id == id).ok_or(codes::WEBHOOK_NOT_FOUND)?)
}

/// A new subscription: its id and its signing secret (shown this once).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(in crate::api) struct Added {
    webhook_id: i64,
    /// `whsec_<base64>`: verify `webhook-signature` with it. Never shown again.
    secret: String,
    webhook: WebhookView,
}

/// `Webhook/add` `{url, events[, format][, active]}`.
pub async fn add(state: AppState, who: Principal, body: Body) -> ApiResult {
    require_owner(&who)?;
    let url = checked_url(&state, body.get("url")).await?;
    let events = events(body.get("events"))?;
    let format = format(&body)?.unwrap_or(Format::Json);
    let active = body.flag("active").map_err(|_| codes::INVALID_ACTIVE)?.unwrap_or(true);
    let now = state.clock.now();
    let new = WebhookRow {
        account: who.account.clone(),
        id: 0,
        url,
        events,
        format: format.as_str().to_string(),
        active,
        secret: new_secret(),
        previous_secret: None,
        previous_until: None,
        cursor: 0,
        failing_since: None,
        disabled_reason: None,
        disabled_at: None,
        created_at: now,
    };
    let row = state.store.add_webhook(&who.account, &new, MAX_WEBHOOKS).await.or_codes(None, codes::TOO_MANY)?;
    tracing::info!(target: "security", event = "webhook_added", account = %who.account, webhook = row.id);
    Ok(reply::listing(Added { webhook_id: row.id, secret: row.secret.clone(), webhook: view(&row, now) }))
}

/// The account's subscriptions.
#[derive(Serialize, ToSchema)]
pub(in crate::api) struct WebhookList {
    response: Vec<WebhookView>,
}

/// `Webhook/list`.
pub async fn list(state: AppState, who: Principal, _body: Body) -> ApiResult {
    require_owner(&who)?;
    let now = state.clock.now();
    let hooks = state.store.webhooks(&who.account).await?;
    Ok(reply::listing(WebhookList { response: hooks.iter().map(|h| view(h, now)).collect() }))
}

/// One subscription as it now is.
#[derive(Serialize, ToSchema)]
pub(in crate::api) struct Updated {
    webhook: WebhookView,
}

/// `Webhook/update` `{webhookId[, url][, events][, format][, active]}`.
pub async fn update(state: AppState, who: Principal, body: Body) -> ApiResult {
    require_owner(&who)?;
    let mut row = named(&state, &who, &body).await?;
    if body.sent("url") {
        row.url = checked_url(&state, body.get("url")).await?;
    }
    if body.sent("events") {
        row.events = events(body.get("events"))?;
    }
    if let Some(format) = format(&body)? {
        row.format = format.as_str().to_string();
    }
    let was_active = row.active;
    row.active = body.flag("active").map_err(|_| codes::INVALID_ACTIVE)?.unwrap_or(row.active);
    let restart = row.active && !was_active;
    state.store.update_webhook(&row, restart).await.or_codes(codes::WEBHOOK_NOT_FOUND, None)?;
    let now = state.clock.now();
    let row = named(&state, &who, &body).await?;
    Ok(reply::listing(Updated { webhook: view(&row, now) }))
}

/// `Webhook/delete` `{webhookId}`: with its deliveries and their log.
pub async fn delete(state: AppState, who: Principal, body: Body) -> ApiResult {
    require_owner(&who)?;
    let row = named(&state, &who, &body).await?;
    state.store.delete_webhook(&who.account, row.id).await.or_codes(codes::WEBHOOK_NOT_FOUND, None)?;
    Ok(reply::done("Webhook deleted"))
}

/// A queued delivery.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(in crate::api) struct Queued {
    /// See its attempt in `Webhook/deliveries`.
    delivery_id: i64,
    /// Its `webhook-id` header.
    message_id: String,
}

/// `Webhook/test` `{webhookId}`: one delivery of type `test` now (within a
/// second), even to a subscription that is off; one attempt, no retries.
pub async fn test(state: AppState, who: Principal, body: Body) -> ApiResult {
    require_owner(&who)?;
    let row = named(&state, &who, &body).await?;
    let now = state.clock.now();
    let message_id = format!("test_{}_{}", row.account, crate::domain::secret::new_token());
    let payload = json!({
        "type": "test",
        "timestamp": jiff::Timestamp::from_second(now).map(|t| t.to_string()).unwrap_or_default(),
        "userId": row.account.to_string(),
        "data": {"webhookId": row.id},
    })
    .to_string();
    // A form subscription is tested the way its call reports come.
    let format = Format::parse(&row.format).unwrap_or(Format::Json);
    let (body_text, content_type) =
        if format == Format::Form { encode_report(&payload, format) } else { (payload, JSON_CONTENT) };
    let delivery = NewDelivery {
        message_id: message_id.clone(),
        kind: "test".into(),
        seq: 0,
        order_key: None,
        dedupe: None,
        content_type: content_type.to_string(),
        body: body_text,
        next_at: now,
        created_at: now,
    };
    let delivery_id =
        state.store.enqueue(&who.account, row.id, &delivery).await.or_codes(codes::WEBHOOK_NOT_FOUND, None)?;
    Ok(reply::listing(Queued { delivery_id, message_id }))
}

/// A rotated secret.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(in crate::api) struct Rotated {
    webhook_id: i64,
    /// The new `whsec_…` secret, shown this once.
    secret: String,
    /// Until then (Unix seconds) deliveries carry a signature by the old
    /// secret too (two `v1,…` in `webhook-signature`).
    previous_secret_until: i64,
}

/// `Webhook/rotateSecret` `{webhookId[, graceSeconds]}`.
pub async fn rotate_secret(state: AppState, who: Principal, body: Body) -> ApiResult {
    require_owner(&who)?;
    let mut row = named(&state, &who, &body).await?;
    let grace =
        body.int_in("graceSeconds", 0..=MAX_GRACE).map_err(|_| global::INVALID_PARAMETER)?.unwrap_or(DEFAULT_GRACE);
    let now = state.clock.now();
    row.previous_secret = Some(std::mem::replace(&mut row.secret, new_secret()));
    row.previous_until = Some(now + grace);
    state.store.update_webhook(&row, false).await.or_codes(codes::WEBHOOK_NOT_FOUND, None)?;
    tracing::info!(target: "security", event = "webhook_secret_rotated", account = %who.account, webhook = row.id);
    Ok(reply::listing(Rotated { webhook_id: row.id, secret: row.secret, previous_secret_until: now + grace }))
}

/// One attempt of a delivery.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(in crate::api) struct AttemptView {
    /// Unix seconds.
    time: i64,
    /// The HTTP status the receiver answered; `null`: no answer (refused,
    /// timed out, a private address).
    response_code: Option<i64>,
    latency_ms: i64,
    /// The first 256 bytes of the answer, or what went wrong.
    excerpt: String,
}

/// One delivery of the log.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(in crate::api) struct DeliveryView {
    delivery_id: i64,
    /// Its `webhook-id` header (agent events: `evt_<userId>_<event id>`).
    message_id: String,
    /// The event kind, `callReport` or `test`.
    event: String,
    /// The event's id in the stream (a call report: the event that finished the call).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    event_id: Option<i64>,
    /// `pending`, `delivered`, or `failed` (the retry ladder spent).
    status: String,
    attempts: i64,
    /// Pending: when the next attempt is due (Unix seconds).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    next_attempt: Option<i64>,
    /// Unix seconds.
    created_at: i64,
    log: Vec<AttemptView>,
}

fn delivery_view(d: DeliveryRow) -> DeliveryView {
    DeliveryView {
        delivery_id: d.id,
        message_id: d.message_id,
        event: d.kind,
        event_id: (d.seq > 0).then_some(d.seq),
        status: d.status,
        attempts: d.attempts,
        next_attempt: d.next_at,
        created_at: d.created_at,
        log: d
            .log
            .into_iter()
            .map(|a| AttemptView {
                time: a.at,
                response_code: a.status_code,
                latency_ms: a.latency_ms,
                excerpt: a.excerpt,
            })
            .collect(),
    }
}

/// A page of the delivery log.
#[derive(Serialize, ToSchema)]
pub(in crate::api) struct DeliveryList {
    response: Vec<DeliveryView>,
}

/// `Webhook/deliveries` `{webhookId[, beforeId][, limit]}`: newest first.
pub async fn deliveries(state: AppState, who: Principal, body: Body) -> ApiResult {
    require_owner(&who)?;
    let row = named(&state, &who, &body).await?;
    let before: i64 = body.id("beforeId").map_err(|_| codes::INVALID_PAGE)?.unwrap_or(0);
    let limit = body.int_in("limit", 1..=100).map_err(|_| codes::INVALID_PAGE)?.unwrap_or(20);
    let rows = state.store.deliveries(&who.account, row.id, before, limit).await?;
    Ok(reply::listing(DeliveryList { response: rows.into_iter().map(delivery_view).collect() }))
}

/// How many deliveries go again.
#[derive(Serialize, ToSchema)]
pub(in crate::api) struct Redelivered {
    redelivered: u64,
}

/// `Webhook/redeliver` `{webhookId, deliveryId}` or `{webhookId, since}`:
/// from the start of the retry ladder, now, with the same `webhook-id`.
pub async fn redeliver(state: AppState, who: Principal, body: Body) -> ApiResult {
    require_owner(&who)?;
    let row = named(&state, &who, &body).await?;
    let which = match (body.get("deliveryId"), body.get("since")) {
        (Some(_), None) => Redelivery::One(body.id("deliveryId").ok().flatten().ok_or(codes::DELIVERY_NOT_FOUND)?),
        (None, Some(_)) => {
            Redelivery::FailedSince(body.int_in("since", 0..=i64::MAX).ok().flatten().ok_or(codes::INVALID_SINCE)?)
        }
        _ => return Err(global::INVALID_PARAMETER.into()),
    };
    let now = state.clock.now();
    let redelivered =
        state.store.redeliver(&who.account, row.id, which, now).await.or_codes(codes::DELIVERY_NOT_FOUND, None)?;
    Ok(reply::listing(Redelivered { redelivered }))
}
