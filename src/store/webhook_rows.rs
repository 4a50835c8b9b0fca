//! Rows of the webhook tables as `WebhookStore` reads and writes them: the
//! column lists, the row mappers, and the writes several methods share.

use sqlx::any::AnyRow;

use super::sql::{id, int, opt_int, opt_text, text};
use super::{AccountId, DueDelivery, NewDelivery, StoreError, StoreResult, WebhookRow};

pub(super) const WEBHOOK_COLUMNS: &str = "account_id, id, url, events, format, active, secret, previous_secret, \
                                          previous_until, cursor, failing_since, disabled_reason, disabled_at, created_at";

pub(super) fn webhook(row: &AnyRow) -> StoreResult<WebhookRow> {
    let events = text(row, "events")?;
    Ok(WebhookRow {
        account: id(row, "account_id")?,
        id: int(row, "id")?,
        url: text(row, "url")?,
        events: serde_json::from_str(&events).map_err(|e| StoreError::Other(e.into()))?,
        format: text(row, "format")?,
        active: int(row, "active")? != 0,
        secret: text(row, "secret")?,
        previous_secret: opt_text(row, "previous_secret")?,
        previous_until: opt_int(row, "previous_until")?,
        cursor: int(row, "cursor")?,
        failing_since: opt_int(row, "failing_since")?,
        disabled_reason: opt_text(row, "disabled_reason")?,
        disabled_at: opt_int(row, "disabled_at")?,
        created_at: int(row, "created_at")?,
    })
}

pub(super) fn due(row: &AnyRow) -> StoreResult<DueDelivery> {
    Ok(DueDelivery {
        id: int(row, "id")?,
        account: id(row, "account_id")?,
        webhook_id: int(row, "webhook_id")?,
        message_id: text(row, "message_id")?,
        kind: text(row, "kind")?,
        content_type: text(row, "content_type")?,
        body: text(row, "body")?,
        attempts: int(row, "attempts")?,
        tries: int(row, "tries")?,
    })
}

pub(super) fn to_json<T: serde::Serialize>(value: &T) -> StoreResult<String> {
    serde_json::to_string(value).map_err(|e| StoreError::Other(e.into()))
}

/// The log's current end: the last sequence number the account has given.
pub(super) async fn log_end(tx: &mut sqlx::Transaction<'_, sqlx::Any>, account: &AccountId) -> StoreResult<i64> {
    let row = sqlx::query("SELECT next_event_seq - 1 AS last FROM accounts WHERE id = $1")
        .bind(account)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(StoreError::NotFound)?;
    int(&row, "last")
}

pub(super) async fn insert_delivery(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    account: &AccountId,
    webhook_id: i64,
    d: &NewDelivery,
) -> StoreResult<Option<i64>> {
    // `WHERE true`: SQLite's parser needs it to read ON CONFLICT as the upsert's.
    // A call report queued again for the same call (it finished again: a
    // sequential hunt rang on after a miss) replaces one nobody has tried
    // to send yet; one already tried stays as it was.
    let row = sqlx::query(
        "INSERT INTO webhook_deliveries
             (account_id, webhook_id, message_id, kind, seq, order_key, dedupe, content_type, body, status, next_at,
              created_at)
         SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, 'pending', $10, $11 WHERE true
         ON CONFLICT (account_id, webhook_id, dedupe) WHERE dedupe IS NOT NULL
         DO UPDATE SET seq = excluded.seq, content_type = excluded.content_type, body = excluded.body,
                       next_at = excluded.next_at
         WHERE webhook_deliveries.status = 'pending' AND webhook_deliveries.attempts = 0
           AND webhook_deliveries.lease_until <= excluded.created_at
         RETURNING id",
    )
    .bind(account)
    .bind(webhook_id)
    .bind(&d.message_id)
    .bind(&d.kind)
    .bind(d.seq)
    .bind(d.order_key.as_deref())
    .bind(d.dedupe.as_deref())
    .bind(&d.content_type)
    .bind(&d.body)
    .bind(d.next_at)
    .bind(d.created_at)
    .fetch_optional(&mut **tx)
    .await?;
    row.map(|r| int(&r, "id")).transpose()
}
