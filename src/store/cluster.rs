//! What several nodes on one PostgreSQL database compare to stay one server
//! (docs/SCALING.md): the account's versions (how far its event log, its
//! directory and its credentials have moved), the pings other nodes took,
//! and the lease on work one node does for all.

use async_trait::async_trait;

use sqlx::{Any, Transaction};

use super::sql::{Backend, SqlStore, id, int, opt_int};
use super::{AccountId, AccountVersions, ClusterStore, PingRow, StoreError, StoreResult};

/// The channel a commit to an account's event log notifies on (payload:
/// the account id). Notifications only wake followers up; what happened is
/// always read from the log.
pub const LOG_CHANNEL: &str = "agentdesk_log";

/// The first key of every writer hold's advisory lock (the second is the
/// account id's hash): apart from the serving claim's one-key lock, and
/// from other programs' locks on the same database. Two accounts whose ids
/// hash alike share a hold, which only makes them wait for each other.
const WRITER_HOLD_CLASS: i32 = 0x6167_6474;

/// An account's writer hold (`ClusterStore::hold_writer`): a transaction,
/// on a connection of its own, that took the account's transaction-level
/// advisory lock. It writes nothing; ending it gives the lock up. Were the
/// node to stop while holding it, PostgreSQL ends the idle transaction
/// (`idle_in_transaction_session_timeout`, `postgres::SESSION_BOUNDS`).
pub struct WriterHold {
    held: Option<Transaction<'static, Any>>,
}

impl WriterHold {
    /// Gives the hold up. A hold whose connection was lost meanwhile is
    /// given up already (decisions taken on it that raced are taken again).
    pub async fn release(mut self) {
        if let Some(tx) = self.held.take()
            && let Err(err) = tx.commit().await
        {
            tracing::debug!(error = %err, "writer hold ended with its connection");
        }
    }
}

#[async_trait]
impl ClusterStore for SqlStore {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn account_versions(&self, account: &AccountId) -> StoreResult<AccountVersions> {
        let row =
            sqlx::query("SELECT next_event_seq, directory_version, credential_version FROM accounts WHERE id = $1")
                .bind(account)
                .fetch_optional(&self.pool)
                .await?
                .ok_or(StoreError::NotFound)?;
        Ok(AccountVersions {
            next_event_seq: int(&row, "next_event_seq")?,
            directory: int(&row, "directory_version")?,
            credentials: int(&row, "credential_version")?,
        })
    }

    fn forget_cached(&self, account: &AccountId, directory: bool, credentials: bool) {
        if directory {
            self.directory.forget(account);
        }
        if credentials {
            self.credentials.forget_account(account);
        }
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn pings_since(&self, account: &AccountId, since: i64) -> StoreResult<Vec<PingRow>> {
        let rows = sqlx::query(
            "SELECT agent_id, last_ping, mic_perm FROM agent_presence
             WHERE account_id = $1 AND last_ping > $2 AND state <> 'offline'",
        )
        .bind(account)
        .bind(since)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(PingRow {
                    account: account.clone(),
                    agent_id: id(r, "agent_id")?,
                    last_ping: int(r, "last_ping")?,
                    mic_perm: opt_int(r, "mic_perm")?,
                })
            })
            .collect()
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn hold_lease(&self, name: &str, holder: &str, ttl_ms: i64) -> StoreResult<Option<i64>> {
        // The database's clock decides who holds it: nodes' clocks may differ.
        let now = self.now_ms_sql();
        let sql = format!(
            "INSERT INTO node_leases (name, holder, epoch, expires_at) VALUES ($1, $2, 1, {now} + $3)
             ON CONFLICT (name) DO UPDATE
                SET epoch = CASE WHEN node_leases.holder = excluded.holder THEN node_leases.epoch
                                 ELSE node_leases.epoch + 1 END,
                    holder = excluded.holder,
                    expires_at = excluded.expires_at
              WHERE node_leases.holder = excluded.holder OR node_leases.expires_at < {now}
             RETURNING epoch"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(name)
            .bind(holder)
            .bind(ttl_ms)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| int(&r, "epoch")).transpose()
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn leases_held(&self, prefix: &str) -> StoreResult<i64> {
        let sql = format!(
            "SELECT COUNT(*) AS held FROM node_leases WHERE name LIKE $1 || '%' AND expires_at > {}",
            self.now_ms_sql()
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(prefix).fetch_one(&self.pool).await?;
        int(&row, "held")
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn login_failures(&self, key: &str) -> StoreResult<Option<(i64, i64)>> {
        let row = sqlx::query("SELECT failures, since FROM login_failures WHERE key = $1")
            .bind(key)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| Ok((int(&r, "failures")?, int(&r, "since")?))).transpose()
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn count_login_failure(&self, key: &str, now: i64, window: i64) -> StoreResult<i64> {
        // Failed logins are rare: sweeping on each costs nothing that matters.
        sqlx::query("DELETE FROM login_failures WHERE since <= $1").bind(now - window).execute(&self.pool).await?;
        let row = sqlx::query(
            "INSERT INTO login_failures (key, failures, since) VALUES ($1, 1, $2)
             ON CONFLICT (key) DO UPDATE
                SET failures = CASE WHEN login_failures.since + $3 <= $2 THEN 1 ELSE login_failures.failures + 1 END,
                    since = CASE WHEN login_failures.since + $3 <= $2 THEN $2 ELSE login_failures.since END
             RETURNING failures",
        )
        .bind(key)
        .bind(now)
        .bind(window)
        .fetch_one(&self.pool)
        .await?;
        int(&row, "failures")
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn hold_writer(&self, account: &AccountId) -> StoreResult<WriterHold> {
        let Some(holds) = &self.holds else {
            return Err(StoreError::Other(anyhow::anyhow!("writer holds are taken by nodes of several only")));
        };
        let mut tx = holds.begin().await?;
        sqlx::query("SELECT 1 FROM (SELECT pg_advisory_xact_lock($1, hashtext($2))) AS held")
            .bind(WRITER_HOLD_CLASS)
            .bind(account)
            .execute(&mut *tx)
            .await?;
        Ok(WriterHold { held: Some(tx) })
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn clear_login_failures(&self, key: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM login_failures WHERE key = $1").bind(key).execute(&self.pool).await?;
        Ok(())
    }
}

impl SqlStore {
    /// The database's clock in milliseconds since the epoch, as SQL.
    pub(super) fn now_ms_sql(&self) -> &'static str {
        match self.backend {
            Backend::Postgres => "CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)",
            Backend::Sqlite => "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)",
        }
    }
}

/// Wake-ups of a node's log follower: the accounts whose logs moved, as
/// PostgreSQL's notifications on [`LOG_CHANNEL`] name them. A dedicated
/// session-mode connection (a transaction-mode pooler in between would
/// lose them).
pub struct LogWakeups {
    listener: sqlx::postgres::PgListener,
}

/// What woke the follower.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Wakeup {
    /// This account's log moved.
    Account(AccountId),
    /// The connection was lost (and is being made again): notifications
    /// may have been missed, so every followed log is read again.
    Lost,
}

impl LogWakeups {
    pub async fn connect(url: &str) -> anyhow::Result<Self> {
        let mut listener = sqlx::postgres::PgListener::connect(url)
            .await
            .map_err(|e| anyhow::anyhow!("cannot listen for other nodes' commits: {e}"))?;
        listener.listen(LOG_CHANNEL).await.map_err(|e| anyhow::anyhow!("cannot listen on {LOG_CHANNEL}: {e}"))?;
        Ok(Self { listener })
    }

    /// The next wake-up. A failed reconnection is `Lost` after a pause, so
    /// a database that is down is retried once a second, not in a spin.
    pub async fn next(&mut self) -> Wakeup {
        match self.listener.try_recv().await {
            Ok(Some(notification)) => Wakeup::Account(AccountId::new(notification.payload().to_string())),
            Ok(None) => Wakeup::Lost,
            Err(err) => {
                tracing::warn!(error = %err, "lost the connection that hears other nodes' commits; reconnecting");
                tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                Wakeup::Lost
            }
        }
    }
}
