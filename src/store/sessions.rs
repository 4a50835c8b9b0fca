//! Login sessions: created at login, kept alive by use (each use moves the
//! expiry to the use plus the session lifetime, within an absolute end set
//! at login), ended by a logout or found expired by the background step.

use crate::domain::ids::{AccountId, AgentId};
use async_trait::async_trait;
use sqlx::{Any, Transaction};

use super::accounts::auth_record;
use super::credentials::Key;
use super::sql::{SqlStore, id, int, text};
use super::{AuthRecord, EndedSession, ExpiredSession, NewSession, SessionStore, StoreError, StoreResult};

impl SqlStore {
    /// Whether the agent has a session alive at `now`, counting uses not
    /// written yet (a deletion waits for it; another tab keeps it online).
    pub(super) async fn logged_in(
        &self,
        tx: &mut Transaction<'_, Any>,
        account: &AccountId,
        agent: AgentId,
        now: i64,
    ) -> StoreResult<bool> {
        let rows = sqlx::query("SELECT ssid_hash, expires_at FROM sessions WHERE account_id = $1 AND agent_id = $2")
            .bind(account)
            .bind(agent)
            .fetch_all(&mut **tx)
            .await?;
        for row in &rows {
            if self.session_uses.expiry(&text(row, "ssid_hash")?, int(row, "expires_at")?) > now {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Writes the expiries that uses moved and that are due (see
    /// `session_uses.rs`; `all` at shutdown), in one statement.
    pub(super) async fn write_session_uses(&self, now: i64, all: bool) -> StoreResult<usize> {
        let rows = self.session_uses.to_write(now, all);
        if rows.is_empty() {
            return Ok(0);
        }
        let json = serde_json::to_string(&rows).map_err(|e| StoreError::Other(e.into()))?;
        // Never backwards: another process's write may be later.
        let sql = format!(
            "UPDATE sessions SET expires_at = CAST(v.value ->> 1 AS BIGINT) FROM {} AS v
             WHERE sessions.ssid_hash = v.value ->> 0 AND sessions.expires_at < CAST(v.value ->> 1 AS BIGINT)",
            self.json_elements("$1")
        );
        sqlx::query(sqlx::AssertSqlSafe(sql)).bind(json).execute(&self.pool).await?;
        self.session_uses.written(&rows);
        Ok(rows.len())
    }
}

#[async_trait]
impl SessionStore for SqlStore {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn create_session(&self, session: &NewSession) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO sessions (ssid_hash, account_id, agent_id, created_at, expires_at, ends_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&session.ssid_hash)
        .bind(&session.account_id)
        .bind(session.agent_id)
        .bind(session.now)
        .bind(session.expires_at)
        .bind(session.ends_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn authenticate_session(&self, ssid_hash: &str, now: i64, ttl: i64) -> StoreResult<Option<AuthRecord>> {
        self.check_credential_epoch().await?;
        let key = Key::Session(ssid_hash.to_string());
        if let Some((record, expires_at)) = self.credentials.use_session(&key, now, ttl) {
            self.session_uses.used(ssid_hash, expires_at, None);
            return Ok(Some(record));
        }
        // Taken before the lookup runs.
        let ticket = self.credentials.ticket();
        let row = sqlx::query(
            "SELECT a.id AS account_id, a.suspended, a.country_code, s.agent_id, s.expires_at, s.ends_at,
                    CASE WHEN g.status = 1 AND g.is_deleted = 0 AND g.pre_deleted = 0 THEN 1 ELSE 0 END AS agent_active,
                    g.role_id, r.permissions
             FROM sessions s
             JOIN accounts a ON a.id = s.account_id
             LEFT JOIN agents g ON g.account_id = s.account_id AND g.id = s.agent_id
             LEFT JOIN roles r ON r.account_id = g.account_id AND r.id = g.role_id
             WHERE s.ssid_hash = $1",
        )
        .bind(ssid_hash)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        // The database may be behind this process's latest use of it.
        let stored = int(&row, "expires_at")?;
        let expires_at = self.session_uses.expiry(ssid_hash, stored);
        if expires_at <= now {
            return Ok(None);
        }
        let record = auth_record(&row)?;
        if record.lets_in() {
            let ends_at = int(&row, "ends_at")?;
            let expires_at = expires_at.max((now + ttl).min(ends_at));
            self.session_uses.used(ssid_hash, expires_at, Some(stored));
            self.credentials.remember(ticket, key, &record, (expires_at, ends_at), now);
        }
        Ok(Some(record))
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn end_session(&self, ssid_hash: &str, now: i64) -> StoreResult<Option<EndedSession>> {
        let mut tx = self.write_tx().await?;
        let row = sqlx::query("DELETE FROM sessions WHERE ssid_hash = $1 RETURNING account_id, agent_id, expires_at")
            .bind(ssid_hash)
            .fetch_optional(&mut *tx)
            .await?;
        // An expired session is left to `expire_sessions`, which ends the
        // agent's presence at the second it expired.
        let Some(row) =
            row.filter(|r| int(r, "expires_at").is_ok_and(|at| self.session_uses.expiry(ssid_hash, at) > now))
        else {
            return Ok(None);
        };
        let mut ended =
            EndedSession { account_id: id(&row, "account_id")?, agent_id: id(&row, "agent_id")?, last_of_agent: false };
        let mut finalised = false;
        if let Some(agent_id) = ended.agent_id {
            let account = &ended.account_id;
            ended.last_of_agent = !self.logged_in(&mut tx, account, agent_id, now).await?;
            if ended.last_of_agent {
                // A deletion that waited for the agent's last session happens now.
                let deleted = sqlx::query(
                    "UPDATE agents SET is_deleted = 1, pre_deleted = 0 WHERE account_id = $1 AND id = $2 AND pre_deleted = 1",
                )
                .bind(account)
                .bind(agent_id)
                .execute(&mut *tx)
                .await?;
                finalised = deleted.rows_affected() > 0;
            }
        }
        tx.commit().await?;
        self.session_uses.forget(ssid_hash);
        if finalised {
            // Only then: a logout that deletes nobody leaves the directory
            // as it was (a shift's end is thousands of logouts).
            self.directory.forget(&ended.account_id);
        }
        match ended.agent_id {
            Some(agent_id) => self.credentials.forget_agent(&ended.account_id, agent_id),
            None => self.credentials.forget(&Key::Session(ssid_hash.to_string())),
        }
        Ok(Some(ended))
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn expired_sessions(&self, now: i64) -> StoreResult<Vec<ExpiredSession>> {
        self.write_session_uses(now, false).await?;
        let rows = sqlx::query(
            "SELECT ssid_hash, account_id, agent_id, expires_at, ends_at FROM sessions WHERE expires_at <= $1",
        )
        .bind(now)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let (at, ends_at) = (int(row, "expires_at")?, int(row, "ends_at")?);
                Ok(ExpiredSession {
                    ssid_hash: text(row, "ssid_hash")?,
                    account_id: id(row, "account_id")?,
                    agent_id: id(row, "agent_id")?,
                    at,
                    reached_max: at >= ends_at,
                })
            })
            .collect()
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn end_agent_sessions(&self, account: &AccountId, agent_id: AgentId) -> StoreResult<u64> {
        let mut tx = self.write_tx().await?;
        let rows = sqlx::query("DELETE FROM sessions WHERE account_id = $1 AND agent_id = $2 RETURNING ssid_hash")
            .bind(account)
            .bind(agent_id)
            .fetch_all(&mut *tx)
            .await?;
        let deleted = sqlx::query(
            "UPDATE agents SET is_deleted = 1, pre_deleted = 0 WHERE account_id = $1 AND id = $2 AND pre_deleted = 1",
        )
        .bind(account)
        .bind(agent_id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        for row in &rows {
            self.session_uses.forget(&text(row, "ssid_hash")?);
        }
        self.credentials.forget_agent(account, agent_id);
        if deleted.rows_affected() > 0 {
            self.directory.forget(account);
        }
        Ok(rows.len() as u64)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn agent_has_session(&self, account: &AccountId, agent_id: AgentId, now: i64) -> StoreResult<bool> {
        let mut tx = self.pool.begin().await?;
        let alive = self.logged_in(&mut tx, account, agent_id, now).await?;
        tx.commit().await?;
        Ok(alive)
    }

    #[tracing::instrument(level = "debug", skip_all, fields(sessions = ssid_hashes.len()))]
    async fn remove_expired_sessions(&self, ssid_hashes: &[String], now: i64) -> StoreResult<()> {
        if ssid_hashes.is_empty() {
            return Ok(());
        }
        let hashes: Vec<[&String; 1]> = ssid_hashes.iter().map(|h| [h]).collect();
        let json = serde_json::to_string(&hashes).map_err(|e| StoreError::Other(e.into()))?;
        let sql = format!(
            "DELETE FROM sessions WHERE expires_at <= $2 AND ssid_hash IN (SELECT v.value ->> 0 FROM {} AS v)",
            self.json_elements("$1")
        );
        sqlx::query(sqlx::AssertSqlSafe(sql)).bind(json).bind(now).execute(&self.pool).await?;
        for hash in ssid_hashes {
            self.session_uses.forget(hash);
            self.credentials.forget(&Key::Session(hash.clone()));
        }
        Ok(())
    }
}
