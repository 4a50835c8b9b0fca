//! Persistence behind narrow async traits named for what the product does.
//! One SQL implementation serves SQLite and PostgreSQL; the backend is picked
//! once from the database URL scheme.

mod accounts;
mod agents;
mod directory;
pub mod postgres;
mod sql;
pub mod sqlite;
mod types;

use std::sync::Arc;

use async_trait::async_trait;

use crate::domain::agent::ReceiveCall;
pub use sql::SqlStore;
pub use types::*;

/// The three things a handler needs to know about a failed store call.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    #[error("conflicts with existing data")]
    Conflict,
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

impl From<sqlx::Error> for StoreError {
    fn from(err: sqlx::Error) -> Self {
        match err {
            sqlx::Error::RowNotFound => StoreError::NotFound,
            sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict,
            other => StoreError::Other(other.into()),
        }
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

/// Accounts, their API tokens and login sessions.
#[async_trait]
pub trait AccountStore: Send + Sync {
    /// The store answers (used by `/readyz`).
    async fn ready(&self) -> StoreResult<()>;
    /// Waits for open connections to finish and closes them (SQLite
    /// checkpoints its WAL on the last close).
    async fn close(&self);
    /// A new tenant with its first API token and the default role `1`.
    async fn create_account(&self, new: &NewAccount) -> StoreResult<Account>;
    /// Another API token for the account (rotation: add the new, revoke the old).
    async fn add_token(&self, account: &str, token_hash: &str, now: i64) -> StoreResult<()>;
    /// Revokes one token; false when the account has no such token.
    async fn revoke_token(&self, account: &str, token_hash: &str) -> StoreResult<bool>;
    async fn authenticate_token(&self, user_id: &str, token_hash: &str) -> StoreResult<Option<AuthRecord>>;
    async fn authenticate_session(&self, ssid_hash: &str, now: i64) -> StoreResult<Option<AuthRecord>>;
    /// Every admin and agent (of any account) that logs in with this email.
    async fn login_candidates(&self, email: &str) -> StoreResult<Vec<LoginCandidate>>;
    async fn create_session(&self, session: &NewSession) -> StoreResult<()>;
    /// Suspends (or reinstates) an account: its credentials answer 1039.
    async fn set_suspended(&self, account: &str, suspended: bool) -> StoreResult<()>;
    /// Ends a session; an agent whose deletion waited for its logout is deleted now.
    async fn end_session(&self, ssid_hash: &str, now: i64) -> StoreResult<bool>;
}

/// The agent directory: agents, their group mappings and CAD flags.
#[async_trait]
pub trait AgentStore: Send + Sync {
    async fn list_agents(&self, account: &str, filter: &AgentFilter, page: Page) -> StoreResult<AgentPage>;
    /// One live (not deleted) agent with its groups and working hours.
    async fn agent(&self, account: &str, agent_id: i64) -> StoreResult<Option<AgentRow>>;
    /// The ancestor path of a live (not deleted) agent, `None` if there is none.
    async fn agent_path(&self, account: &str, agent_id: i64) -> StoreResult<Option<String>>;
    /// Conflict: the email is taken in this account.
    async fn create_agent(&self, account: &str, new: &NewAgent) -> StoreResult<i64>;
    /// NotFound: no such live agent; Conflict: the new email is taken.
    async fn update_agent(&self, account: &str, agent_id: i64, changes: &AgentChanges) -> StoreResult<()>;
    async fn set_agent_status(&self, account: &str, agent_id: i64, status: i64) -> StoreResult<()>;
    /// Soft delete; an agent with a live session is only marked `preDeleted`.
    async fn delete_agent(&self, account: &str, agent_id: i64, now: i64) -> StoreResult<Deletion>;
    /// Upserts `Some`, removes `None`, all or nothing. NotFound: unknown agent.
    async fn update_group_mapping(
        &self,
        account: &str,
        agent_id: i64,
        changes: &[(i64, Option<ReceiveCall>)],
    ) -> StoreResult<()>;
    /// Sets or clears the CAD flag of every listed agent; NotFound (and no
    /// change at all) when any of them does not exist.
    async fn set_cad(&self, account: &str, agent_ids: &[i64], on: bool) -> StoreResult<()>;
}

/// Groups and roles: the account's own vocabulary for organising agents.
#[async_trait]
pub trait DirectoryStore: Send + Sync {
    /// Which of `group_ids` do not exist in the account.
    async fn missing_groups(&self, account: &str, group_ids: &[i64]) -> StoreResult<Vec<i64>>;
    /// Adds a group; a taken name gets a numeric suffix (`Sales 2`).
    async fn add_group(&self, account: &str, name: &str, status: i64) -> StoreResult<GroupRow>;
    async fn update_group(&self, account: &str, group_id: i64, name: &str, status: i64) -> StoreResult<GroupRow>;
    /// Deletes a group and every agent's mapping to it.
    async fn delete_group(&self, account: &str, group_id: i64) -> StoreResult<()>;
    async fn list_groups(&self, account: &str, filter: &GroupFilter) -> StoreResult<Vec<GroupRow>>;
    /// A role's permissions (stored form), `None` when the role does not exist.
    async fn role_permissions(&self, account: &str, role_id: i64) -> StoreResult<Option<String>>;
    async fn list_roles(&self, account: &str) -> StoreResult<Vec<RoleRow>>;
    async fn add_role(&self, account: &str, name: &str, permissions: &str) -> StoreResult<RoleRow>;
    async fn update_role(
        &self,
        account: &str,
        role_id: i64,
        name: Option<&str>,
        permissions: Option<&str>,
    ) -> StoreResult<RoleRow>;
}

pub trait Store: AccountStore + AgentStore + DirectoryStore {}
impl<T: AccountStore + AgentStore + DirectoryStore> Store for T {}

pub type SharedStore = Arc<dyn Store>;

/// Opens (creating if needed) and migrates the store the URL names.
pub async fn open(url: &str) -> anyhow::Result<SharedStore> {
    let store = if sqlite::handles(url) {
        sqlite::open(url).await?
    } else if postgres::handles(url) {
        postgres::open(url).await?
    } else {
        anyhow::bail!(
            "unsupported database URL {url:?}: use sqlite://FILE (e.g. sqlite://agentdesk.db) or postgres://USER@HOST/DB"
        );
    };
    Ok(Arc::new(store))
}
