//! Webhook subscriptions, their deliveries and attempts (`WebhookStore`).
//! Claims are safe with several nodes on one PostgreSQL database: a
//! delivery is taken with `FOR UPDATE SKIP LOCKED` and a lease, and a
//! cursor moves only from the value its mover read.

use async_trait::async_trait;

use super::live::EVENT_COLUMNS;
use super::sql::{Backend, Param, SqlStore, Statement, int, opt_int, text};
use super::webhook_rows::{WEBHOOK_COLUMNS, due, insert_delivery, log_end, to_json, webhook};
use super::{
    AccountId, Attempt, AttemptOutcome, DeliveryRow, DueDelivery, Held, NewDelivery, Redelivery, StoreError,
    StoreResult, WebhookRow, WebhookStore,
};
use crate::domain::presence::Logged;

#[async_trait]
impl WebhookStore for SqlStore {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn add_webhook(&self, account: &AccountId, new: &WebhookRow, max: i64) -> StoreResult<WebhookRow> {
        let mut tx = self.write_tx().await?;
        let id = super::sql::next_id(&mut tx, account, "next_webhook_id").await?;
        let count = sqlx::query("SELECT COUNT(*) AS n FROM webhooks WHERE account_id = $1")
            .bind(account)
            .fetch_one(&mut *tx)
            .await?;
        if int(&count, "n")? >= max {
            return Err(StoreError::Conflict);
        }
        let cursor = log_end(&mut tx, account).await?;
        let row = WebhookRow { account: account.clone(), id, cursor, ..new.clone() };
        sqlx::query(
            "INSERT INTO webhooks (account_id, id, url, events, format, active, secret, cursor, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(account)
        .bind(id)
        .bind(&row.url)
        .bind(to_json(&row.events)?)
        .bind(&row.format)
        .bind(i64::from(row.active))
        .bind(&row.secret)
        .bind(cursor)
        .bind(row.created_at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(row)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn webhooks(&self, account: &AccountId) -> StoreResult<Vec<WebhookRow>> {
        let sql = format!("SELECT {WEBHOOK_COLUMNS} FROM webhooks WHERE account_id = $1 ORDER BY id");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(account).fetch_all(&self.pool).await?;
        rows.iter().map(webhook).collect()
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn all_webhooks(&self) -> StoreResult<Vec<WebhookRow>> {
        let sql = format!("SELECT {WEBHOOK_COLUMNS} FROM webhooks ORDER BY account_id, id");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(&self.pool).await?;
        rows.iter().map(webhook).collect()
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn update_webhook(&self, row: &WebhookRow, restart: bool) -> StoreResult<()> {
        let mut tx = self.write_tx().await?;
        let done = sqlx::query(
            "UPDATE webhooks SET url = $3, events = $4, format = $5, active = $6, secret = $7, previous_secret = $8,
                 previous_until = $9
             WHERE account_id = $1 AND id = $2",
        )
        .bind(&row.account)
        .bind(row.id)
        .bind(&row.url)
        .bind(to_json(&row.events)?)
        .bind(&row.format)
        .bind(i64::from(row.active))
        .bind(&row.secret)
        .bind(row.previous_secret.as_deref())
        .bind(row.previous_until)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        if restart {
            let cursor = log_end(&mut tx, &row.account).await?;
            sqlx::query(
                "UPDATE webhooks SET cursor = $3, failing_since = NULL, disabled_reason = NULL, disabled_at = NULL
                 WHERE account_id = $1 AND id = $2",
            )
            .bind(&row.account)
            .bind(row.id)
            .bind(cursor)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn delete_webhook(&self, account: &AccountId, id: i64) -> StoreResult<()> {
        let mut tx = self.write_tx().await?;
        let done = sqlx::query("DELETE FROM webhooks WHERE account_id = $1 AND id = $2")
            .bind(account)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        sqlx::query(
            "DELETE FROM webhook_attempts WHERE delivery_id IN
                 (SELECT id FROM webhook_deliveries WHERE account_id = $1 AND webhook_id = $2)",
        )
        .bind(account)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM webhook_deliveries WHERE account_id = $1 AND webhook_id = $2")
            .bind(account)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn call_events(&self, account: &AccountId, call_id: &str) -> StoreResult<Vec<Logged>> {
        let mut select =
            Statement::new(&format!("SELECT {EVENT_COLUMNS} FROM agent_events WHERE account_id = $1 AND call_id = $2"));
        select.bind_first(Param::Text(account.to_string())).bind_first(Param::Text(call_id.to_string()));
        self.fetch_events(select, false).await
    }

    #[tracing::instrument(level = "debug", skip_all, fields(calls = call_ids.len()))]
    async fn calls_events(&self, account: &AccountId, call_ids: &[String]) -> StoreResult<Vec<Logged>> {
        if call_ids.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<[&String; 1]> = call_ids.iter().map(|id| [id]).collect();
        let mut select = Statement::new(&format!(
            "SELECT {EVENT_COLUMNS} FROM agent_events
             WHERE account_id = $1 AND call_id IN (SELECT v.value ->> 0 FROM {} AS v)",
            self.json_elements("$2")
        ));
        select.bind_first(Param::Text(account.to_string())).bind_first(Param::Text(to_json(&ids)?));
        self.fetch_events(select, false).await
    }

    #[tracing::instrument(level = "debug", skip_all, fields(deliveries = deliveries.len()))]
    async fn advance(
        &self,
        account: &AccountId,
        id: i64,
        (from, to): (i64, i64),
        deliveries: &[NewDelivery],
        held: Held<'_>,
    ) -> StoreResult<Option<usize>> {
        let mut tx = self.write_tx().await?;
        // First, so the row lock orders the movers: a second one waits here,
        // then finds the cursor moved and writes nothing.
        let moved = sqlx::query("UPDATE webhooks SET cursor = $4 WHERE account_id = $1 AND id = $2 AND cursor = $3")
            .bind(account)
            .bind(id)
            .bind(from)
            .bind(to)
            .execute(&mut *tx)
            .await?;
        if moved.rows_affected() == 0 {
            return Ok(None);
        }
        for key in held.keys {
            sqlx::query(
                "UPDATE webhook_deliveries SET next_at = $4
                 WHERE account_id = $1 AND webhook_id = $2 AND dedupe = $3 AND status = 'pending' AND attempts = 0",
            )
            .bind(account)
            .bind(id)
            .bind(key)
            .bind(held.until)
            .execute(&mut *tx)
            .await?;
        }
        let mut written = 0;
        for delivery in deliveries {
            written += usize::from(insert_delivery(&mut tx, account, id, delivery).await?.is_some());
        }
        tx.commit().await?;
        Ok(Some(written))
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn enqueue(&self, account: &AccountId, id: i64, delivery: &NewDelivery) -> StoreResult<i64> {
        let mut tx = self.write_tx().await?;
        let exists = sqlx::query("SELECT 1 AS one FROM webhooks WHERE account_id = $1 AND id = $2")
            .bind(account)
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
        if exists.is_none() {
            return Err(StoreError::NotFound);
        }
        let delivery_id = insert_delivery(&mut tx, account, id, delivery).await?.ok_or(StoreError::Conflict)?;
        tx.commit().await?;
        Ok(delivery_id)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn claim_due(
        &self,
        now: i64,
        lease_until: i64,
        limit: i64,
        skip: &[String],
    ) -> StoreResult<Vec<DueDelivery>> {
        let lock = match self.backend {
            Backend::Postgres => " FOR UPDATE OF d SKIP LOCKED",
            Backend::Sqlite => "",
        };
        let skip_rows: Vec<[&String; 1]> = skip.iter().map(|s| [s]).collect();
        let sql = format!(
            "UPDATE webhook_deliveries SET lease_until = $2
             WHERE lease_until <= $1 AND id IN (
                 SELECT d.id FROM webhook_deliveries d
                 JOIN webhooks w ON w.account_id = d.account_id AND w.id = d.webhook_id
                 WHERE d.status = 'pending' AND d.next_at <= $1 AND d.lease_until <= $1
                   AND (w.active = 1 OR d.kind = 'test')
                   AND d.account_id || ':' || CAST(d.webhook_id AS TEXT) NOT IN (SELECT v.value ->> 0 FROM {} AS v)
                   AND NOT EXISTS (
                       SELECT 1 FROM webhook_deliveries e
                       WHERE e.webhook_id = d.webhook_id AND e.account_id = d.account_id
                         AND e.order_key = d.order_key AND e.status = 'pending' AND e.seq < d.seq)
                 ORDER BY d.next_at, d.id LIMIT $3{lock})
             RETURNING id, account_id, webhook_id, message_id, kind, content_type, body, attempts, tries",
            self.json_elements("$4")
        );
        let mut tx = self.write_tx().await?;
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(now)
            .bind(lease_until)
            .bind(limit)
            .bind(to_json(&skip_rows)?)
            .fetch_all(&mut *tx)
            .await?;
        tx.commit().await?;
        let mut claimed = rows.iter().map(due).collect::<StoreResult<Vec<_>>>()?;
        claimed.sort_by_key(|d| d.id);
        Ok(claimed)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn release(&self, ids: &[i64]) -> StoreResult<()> {
        if ids.is_empty() {
            return Ok(());
        }
        let mut update = Statement::new("UPDATE webhook_deliveries SET lease_until = 0 WHERE id IN ");
        update.push_list(ids);
        update.query().execute(&self.pool).await?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn record_attempt(
        &self,
        delivery: &DueDelivery,
        attempt: &Attempt,
        outcome: AttemptOutcome,
    ) -> StoreResult<bool> {
        let mut tx = self.write_tx().await?;
        sqlx::query(
            "INSERT INTO webhook_attempts (delivery_id, n, at, status_code, latency_ms, excerpt)
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
        )
        .bind(delivery.id)
        .bind(delivery.attempts + 1)
        .bind(attempt.at)
        .bind(attempt.status_code)
        .bind(attempt.latency_ms)
        .bind(&attempt.excerpt)
        .execute(&mut *tx)
        .await?;
        let (status, next_at) = match outcome {
            AttemptOutcome::Delivered => ("delivered", attempt.at),
            AttemptOutcome::RetryAt(at) => ("pending", at),
            AttemptOutcome::GiveUp { .. } => ("failed", attempt.at),
        };
        sqlx::query(
            "UPDATE webhook_deliveries SET status = $2, next_at = $3, attempts = attempts + 1, tries = tries + 1,
                 lease_until = 0
             WHERE id = $1",
        )
        .bind(delivery.id)
        .bind(status)
        .bind(next_at)
        .execute(&mut *tx)
        .await?;
        // The failure record: cleared by a success, started by the first failure after one.
        let failing = if outcome == AttemptOutcome::Delivered {
            sqlx::query("UPDATE webhooks SET failing_since = NULL WHERE account_id = $1 AND id = $2")
                .bind(&delivery.account)
                .bind(delivery.webhook_id)
        } else {
            sqlx::query(
                "UPDATE webhooks SET failing_since = COALESCE(failing_since, $3) WHERE account_id = $1 AND id = $2",
            )
            .bind(&delivery.account)
            .bind(delivery.webhook_id)
            .bind(attempt.at)
        };
        failing.execute(&mut *tx).await?;
        let mut disabled = false;
        if let AttemptOutcome::GiveUp { disable_if_failing_since } = outcome
            && delivery.kind != "test"
        {
            let off = sqlx::query(
                "UPDATE webhooks SET active = 0, disabled_at = $3,
                     disabled_reason = 'deliveries failing since ' || CAST(failing_since AS TEXT)
                 WHERE account_id = $1 AND id = $2 AND active = 1 AND failing_since <= $4",
            )
            .bind(&delivery.account)
            .bind(delivery.webhook_id)
            .bind(attempt.at)
            .bind(disable_if_failing_since)
            .execute(&mut *tx)
            .await?;
            disabled = off.rows_affected() > 0;
        }
        tx.commit().await?;
        Ok(disabled)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn deliveries(&self, account: &AccountId, id: i64, before: i64, limit: i64) -> StoreResult<Vec<DeliveryRow>> {
        let before = if before <= 0 { i64::MAX } else { before };
        let rows = sqlx::query(
            "SELECT id, message_id, kind, seq, status, attempts, next_at, created_at FROM webhook_deliveries
             WHERE account_id = $1 AND webhook_id = $2 AND id < $3 ORDER BY id DESC LIMIT $4",
        )
        .bind(account)
        .bind(id)
        .bind(before)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        let mut deliveries = Vec::with_capacity(rows.len());
        for r in &rows {
            let status = text(r, "status")?;
            deliveries.push(DeliveryRow {
                id: int(r, "id")?,
                message_id: text(r, "message_id")?,
                kind: text(r, "kind")?,
                seq: int(r, "seq")?,
                next_at: (status == "pending").then(|| int(r, "next_at")).transpose()?,
                status,
                attempts: int(r, "attempts")?,
                created_at: int(r, "created_at")?,
                log: Vec::new(),
            });
        }
        let ids: Vec<i64> = deliveries.iter().map(|d| d.id).collect();
        if ids.is_empty() {
            return Ok(deliveries);
        }
        let mut select = Statement::new(
            "SELECT delivery_id, at, status_code, latency_ms, excerpt FROM webhook_attempts WHERE delivery_id IN ",
        );
        select.push_list(&ids).push_sql(" ORDER BY delivery_id, n");
        for r in select.query().fetch_all(&self.pool).await? {
            let delivery_id = int(&r, "delivery_id")?;
            let attempt = Attempt {
                at: int(&r, "at")?,
                status_code: opt_int(&r, "status_code")?,
                latency_ms: int(&r, "latency_ms")?,
                excerpt: text(&r, "excerpt")?,
            };
            if let Some(d) = deliveries.iter_mut().find(|d| d.id == delivery_id) {
                d.log.push(attempt);
            }
        }
        Ok(deliveries)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn redeliver(&self, account: &AccountId, id: i64, which: Redelivery, now: i64) -> StoreResult<u64> {
        let (filter, value) = match which {
            Redelivery::One(delivery) => ("id = $4", delivery),
            Redelivery::FailedSince(since) => ("status = 'failed' AND created_at >= $4", since),
        };
        let sql = format!(
            "UPDATE webhook_deliveries SET status = 'pending', tries = 0, next_at = $3, lease_until = 0
             WHERE account_id = $1 AND webhook_id = $2 AND {filter}"
        );
        let done = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(account)
            .bind(id)
            .bind(now)
            .bind(value)
            .execute(&self.pool)
            .await?;
        if done.rows_affected() == 0 && matches!(which, Redelivery::One(_)) {
            return Err(StoreError::NotFound);
        }
        Ok(done.rows_affected())
    }
}
