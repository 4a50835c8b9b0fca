//! Accounts and their API tokens (sessions are in `sessions.rs`).

use crate::domain::ids::{AccountId, AgentId};
use async_trait::async_trait;
use sqlx::any::AnyRow;

use super::credentials::Key;
use super::sql::{SqlStore, id, int, opt_int, opt_text, text};
use super::{
    Account, AccountStore, AccountSummary, AgentAuth, AuthRecord, LoginCandidate, NewAccount, StoreError, StoreResult,
};

/// Tells a running server (maybe another process than this one) that a
/// remembered credential may have changed; see `credentials.rs`.
async fn bump_credential_epoch(tx: &mut sqlx::Transaction<'static, sqlx::Any>) -> StoreResult<()> {
    sqlx::query("UPDATE credential_epoch SET value = value + 1 WHERE id = 1").execute(&mut **tx).await?;
    Ok(())
}

impl SqlStore {
    /// The record a token's `key` resolves to: remembered, or `lookup`
    /// read from the database and then remembered.
    async fn remembered(
        &self,
        key: Key,
        lookup: impl Future<Output = StoreResult<Option<AuthRecord>>>,
    ) -> StoreResult<Option<AuthRecord>> {
        self.check_credential_epoch().await?;
        if let Some(record) = self.credentials.get(&key, 0) {
            return Ok(Some(record));
        }
        // Taken before the lookup runs (futures start when awaited).
        let ticket = self.credentials.ticket();
        let Some(record) = lookup.await? else {
            return Ok(None);
        };
        // Tokens do not expire.
        self.credentials.remember(ticket, key, &record, (i64::MAX, i64::MAX), 0);
        Ok(Some(record))
    }

    /// About once a second, learns of revocations and suspensions made by
    /// another process (the operator's command line).
    pub(super) async fn check_credential_epoch(&self) -> StoreResult<()> {
        if self.credentials.claim_epoch_check() {
            let row = sqlx::query("SELECT value FROM credential_epoch WHERE id = 1").fetch_one(&self.pool).await?;
            self.credentials.epoch_read(int(&row, "value")?);
        }
        Ok(())
    }
}

/// Tenant ids look like DeepCall's (`"29791451"`): eight random digits.
fn new_account_id() -> String {
    use rand::RngExt;
    rand::rng().random_range(10_000_000u32..100_000_000).to_string()
}

pub(super) fn auth_record(row: &AnyRow) -> StoreResult<AuthRecord> {
    let agent = match id::<Option<AgentId>>(row, "agent_id")? {
        None => None,
        Some(agent_id) => Some(AgentAuth {
            agent_id,
            active: opt_int(row, "agent_active")?.unwrap_or(0) == 1,
            role_id: id(row, "role_id")?,
            permissions: opt_text(row, "permissions")?.unwrap_or_default(),
        }),
    };
    Ok(AuthRecord {
        account_id: id(row, "account_id")?,
        suspended: int(row, "suspended")? != 0,
        country_code: text(row, "country_code")?,
        agent,
    })
}

#[async_trait]
impl AccountStore for SqlStore {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn ready(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn close(&self, now: i64) {
        // Session uses not written yet would be lost: sessions in use would
        // expire early after a restart.
        if let Err(err) = self.write_session_uses(now, true).await {
            tracing::error!(error = %err, "session uses not written at shutdown");
        }
        self.pool.close().await;
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn create_account(&self, new: &NewAccount) -> StoreResult<Account> {
        // A random id can collide with an existing one; try a few times.
        for _ in 0..5 {
            let id = new_account_id();
            let mut tx = self.write_tx().await?;
            let inserted = sqlx::query(
                "INSERT INTO accounts (id, name, email, password_hash, country_code, next_role_id, created_at)
                 VALUES ($1, $2, $3, $4, $5, 2, $6) ON CONFLICT (id) DO NOTHING",
            )
            .bind(&id)
            .bind(&new.name)
            .bind(&new.email)
            .bind(new.password_hash.as_deref())
            .bind(&new.country_code)
            .bind(new.now)
            .execute(&mut *tx)
            .await?;
            if inserted.rows_affected() == 0 {
                continue;
            }
            sqlx::query("INSERT INTO account_tokens (token_hash, account_id, created_at) VALUES ($1, $2, $3)")
                .bind(&new.token_hash)
                .bind(&id)
                .bind(new.now)
                .execute(&mut *tx)
                .await?;
            // Every account starts with role 1, the plain agent: no extra permissions.
            sqlx::query("INSERT INTO roles (account_id, id, name, permissions) VALUES ($1, 1, 'Agent', '')")
                .bind(&id)
                .execute(&mut *tx)
                .await?;
            // And the break catalogue of migration 0002 (`next_break_id` starts at 4).
            sqlx::query(
                "INSERT INTO break_reasons (account_id, id, name, name_key, max_secs)
                 VALUES ($1, 1, 'Lunch', 'lunch', 1800), ($1, 2, 'Tea', 'tea', 900), ($1, 3, 'Training', 'training', NULL)",
            )
            .bind(&id)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            return Ok(Account { id: AccountId::new(id), name: new.name.clone(), email: new.email.clone() });
        }
        Err(StoreError::Other(anyhow::anyhow!("could not allocate an account id")))
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn add_token(&self, account: &AccountId, token_hash: &str, now: i64) -> StoreResult<()> {
        // One statement: the token is added only if the account exists.
        let done = sqlx::query(
            "INSERT INTO account_tokens (token_hash, account_id, created_at) SELECT $1, id, $3 FROM accounts WHERE id = $2",
        )
        .bind(token_hash)
        .bind(account)
        .bind(now)
        .execute(&self.pool)
        .await?;
        if done.rows_affected() == 0 { Err(StoreError::NotFound) } else { Ok(()) }
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn revoke_token(&self, account: &AccountId, token_hash: &str) -> StoreResult<bool> {
        let mut tx = self.write_tx().await?;
        let done = sqlx::query("DELETE FROM account_tokens WHERE account_id = $1 AND token_hash = $2")
            .bind(account)
            .bind(token_hash)
            .execute(&mut *tx)
            .await?;
        bump_credential_epoch(&mut tx).await?;
        tx.commit().await?;
        self.credentials.forget_account(account);
        Ok(done.rows_affected() > 0)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn authenticate_token(&self, user_id: &str, token_hash: &str) -> StoreResult<Option<AuthRecord>> {
        let key = Key::Token { user_id: user_id.to_string(), token_hash: token_hash.to_string() };
        let lookup = async {
            let row = sqlx::query(
                "SELECT a.id AS account_id, a.suspended, a.country_code,
                        CAST(NULL AS BIGINT) AS agent_id, CAST(NULL AS BIGINT) AS agent_active,
                        CAST(NULL AS BIGINT) AS role_id, CAST(NULL AS TEXT) AS permissions
                 FROM account_tokens t JOIN accounts a ON a.id = t.account_id
                 WHERE t.token_hash = $1 AND a.id = $2",
            )
            .bind(token_hash)
            .bind(user_id)
            .fetch_optional(&self.pool)
            .await?;
            row.as_ref().map(auth_record).transpose()
        };
        self.remembered(key, lookup).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn login_candidates(&self, email: &str) -> StoreResult<Vec<LoginCandidate>> {
        let rows = sqlx::query(
            "SELECT id AS account_id, CAST(NULL AS BIGINT) AS agent_id, password_hash, suspended, 1 AS active
             FROM accounts WHERE email = $1 AND password_hash IS NOT NULL
             UNION ALL
             SELECT g.account_id, g.id AS agent_id, g.password_hash, a.suspended,
                    CASE WHEN g.status = 1 THEN 1 ELSE 0 END AS active
             FROM agents g JOIN accounts a ON a.id = g.account_id
             WHERE g.email = $1 AND g.is_deleted = 0 AND g.pre_deleted = 0",
        )
        .bind(email)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(LoginCandidate {
                    account_id: id(row, "account_id")?,
                    agent_id: id(row, "agent_id")?,
                    password_hash: text(row, "password_hash")?,
                    suspended: int(row, "suspended")? != 0,
                    active: int(row, "active")? == 1,
                })
            })
            .collect()
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn set_suspended(&self, account: &AccountId, suspended: bool) -> StoreResult<()> {
        let mut tx = self.write_tx().await?;
        let done = sqlx::query("UPDATE accounts SET suspended = $2 WHERE id = $1")
            .bind(account)
            .bind(suspended as i64)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        bump_credential_epoch(&mut tx).await?;
        tx.commit().await?;
        self.credentials.forget_account(account);
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn admin_email(&self, account: &AccountId) -> StoreResult<String> {
        let row = sqlx::query("SELECT email FROM accounts WHERE id = $1")
            .bind(account)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound)?;
        text(&row, "email")
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn admin_password_hash(&self, account: &AccountId) -> StoreResult<Option<String>> {
        let row = sqlx::query("SELECT password_hash FROM accounts WHERE id = $1")
            .bind(account)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound)?;
        opt_text(&row, "password_hash")
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn set_admin_password(&self, account: &AccountId, hash: &str, keep_session: Option<&str>) -> StoreResult<()> {
        let mut tx = self.write_tx().await?;
        let done = sqlx::query("UPDATE accounts SET password_hash = $2 WHERE id = $1")
            .bind(account)
            .bind(hash)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        let ended = sqlx::query(
            "DELETE FROM sessions WHERE account_id = $1 AND agent_id IS NULL AND ssid_hash <> $2 RETURNING ssid_hash",
        )
        .bind(account)
        .bind(keep_session.unwrap_or(""))
        .fetch_all(&mut *tx)
        .await?;
        // Also from the command line: a server forgets its remembered
        // sessions within a second.
        bump_credential_epoch(&mut tx).await?;
        tx.commit().await?;
        for row in &ended {
            self.session_uses.forget(&text(row, "ssid_hash")?);
        }
        self.credentials.forget_account(account);
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn list_accounts(&self) -> StoreResult<Vec<AccountSummary>> {
        let rows = sqlx::query(
            "SELECT a.id, a.name, a.email, a.suspended, a.created_at,
                    (SELECT COUNT(*) FROM agents g WHERE g.account_id = a.id AND g.is_deleted = 0) AS agents
             FROM accounts a ORDER BY a.created_at, a.id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(AccountSummary {
                    user_id: text(row, "id")?,
                    name: text(row, "name")?,
                    email: text(row, "email")?,
                    suspended: int(row, "suspended")? != 0,
                    agents: int(row, "agents")?,
                    created_at: int(row, "created_at")?,
                })
            })
            .collect()
    }
}
