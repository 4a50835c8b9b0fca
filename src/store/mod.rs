//! Persistence behind narrow async traits named for what the product does.
//! One SQL implementation serves SQLite and PostgreSQL; the backend is picked
//! once from the database URL scheme.

mod accounts;
mod agents;
mod contacts;
mod credentials;
mod directory;
mod directory_cache;
mod live;
pub mod postgres;
mod session_uses;
mod sessions;
mod sql;
pub mod sqlite;
mod types;

use std::sync::Arc;

use async_trait::async_trait;

use crate::domain::agent::ReceiveCall;
use crate::domain::presence::{Event, Kind, Logged, Shown, State};
pub use sql::SqlStore;
pub use types::*;

/// The things a handler needs to know about a failed store call.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    #[error("conflicts with existing data")]
    Conflict,
    /// The database did not answer: no connection within the pool's wait,
    /// or the connection itself failed. Worth retrying later (HTTP 503).
    #[error("the database is unavailable: {0}")]
    Unavailable(String),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

impl From<sqlx::Error> for StoreError {
    fn from(err: sqlx::Error) -> Self {
        match err {
            sqlx::Error::RowNotFound => StoreError::NotFound,
            sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict,
            sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => {
                StoreError::Unavailable(err.to_string())
            }
            other => StoreError::Other(other.into()),
        }
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

/// Accounts and their API tokens.
#[async_trait]
pub trait AccountStore: Send + Sync {
    /// The store answers (used by `/readyz`).
    async fn ready(&self) -> StoreResult<()>;
    /// Writes what is kept in memory for later (session uses, as of `now`),
    /// waits for open connections to finish and closes them (SQLite
    /// checkpoints its WAL on the last close).
    async fn close(&self, now: i64);
    /// A new tenant with its first API token and the default role `1`.
    async fn create_account(&self, new: &NewAccount) -> StoreResult<Account>;
    /// Another API token for the account (rotation: add the new, revoke the old).
    async fn add_token(&self, account: &str, token_hash: &str, now: i64) -> StoreResult<()>;
    /// Revokes one token; false when the account has no such token.
    async fn revoke_token(&self, account: &str, token_hash: &str) -> StoreResult<bool>;
    async fn authenticate_token(&self, user_id: &str, token_hash: &str) -> StoreResult<Option<AuthRecord>>;
    /// Every admin and agent (of any account) that logs in with this email.
    async fn login_candidates(&self, email: &str) -> StoreResult<Vec<LoginCandidate>>;
    /// Suspends (or reinstates) an account: its credentials answer 1039.
    async fn set_suspended(&self, account: &str, suspended: bool) -> StoreResult<()>;
}

/// Login sessions. A session expires when unused for the session lifetime
/// (each use moves its expiry), and at the latest at the end fixed at login.
#[async_trait]
pub trait SessionStore: Send + Sync {
    async fn create_session(&self, session: &NewSession) -> StoreResult<()>;
    /// Who is behind a session alive at `now` (Unix seconds); a use that
    /// lets its holder in moves the expiry to `now + ttl` (seconds), never
    /// past the session's end and never back. Kept in memory and written in
    /// batches by `expired_sessions`, so the ping path does not write.
    async fn authenticate_session(&self, ssid_hash: &str, now: i64, ttl: i64) -> StoreResult<Option<AuthRecord>>;
    /// Ends a session alive at `now` (logout), telling whether it was its
    /// agent's last live one; an agent whose deletion waited for that is
    /// deleted now. `None`: no such session, or it has expired.
    async fn end_session(&self, ssid_hash: &str, now: i64) -> StoreResult<Option<EndedSession>>;
    /// The background step's part: writes the expiries uses moved (those
    /// due; then the database alone tells which sessions expired) and lists
    /// the sessions expired by `now`.
    async fn expired_sessions(&self, now: i64) -> StoreResult<Vec<ExpiredSession>>;
    /// Ends every session of the agent at once (a supervisor logged it
    /// out); an agent whose deletion waited for its last session is deleted
    /// now. How many sessions there were (expired ones included).
    async fn end_agent_sessions(&self, account: &str, agent_id: i64) -> StoreResult<u64>;
    /// Whether the agent has a session alive at `now` (another tab).
    async fn agent_has_session(&self, account: &str, agent_id: i64, now: i64) -> StoreResult<bool>;
    /// Removes the listed sessions that are still expired at `now` (once
    /// their agents' presence has ended).
    async fn remove_expired_sessions(&self, ssid_hashes: &[String], now: i64) -> StoreResult<()>;
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
    /// Switching it off (`status` 0) ends its sessions, as `set_agent_status` does.
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
    async fn add_group(&self, account: &str, name: &str, status: i64, now: i64) -> StoreResult<GroupRow>;
    async fn update_group(&self, account: &str, group_id: i64, name: &str, status: i64) -> StoreResult<GroupRow>;
    /// Deletes a group and every agent's mapping to it.
    async fn delete_group(&self, account: &str, group_id: i64) -> StoreResult<()>;
    async fn list_groups(&self, account: &str, filter: &GroupFilter) -> StoreResult<Vec<GroupRow>>;
    /// Sets (or with `None` clears) the group's own wrap-up time. NotFound: no such group.
    async fn set_group_wrap_up(&self, account: &str, group_id: i64, secs: Option<i64>) -> StoreResult<()>;
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

/// Live agent state: the event log and what is derived from it durably.
#[async_trait]
pub trait LiveStore: Send + Sync {
    async fn live_settings(&self, account: &str) -> StoreResult<LiveSettings>;
    async fn set_live_settings(&self, account: &str, settings: &LiveSettings) -> StoreResult<()>;
    /// Every agent of the account that has a presence snapshot.
    async fn presence(&self, account: &str) -> StoreResult<Vec<PresenceRow>>;
    /// Accounts with an agent not offline: their live state is loaded at start.
    async fn accounts_online(&self) -> StoreResult<Vec<String>>;
    /// Appends `events` (each with the state it leaves its agent in) and the
    /// agents' new snapshots in one transaction; returns the first sequence
    /// number given (the rest follow in order).
    async fn append_events(
        &self,
        account: &str,
        events: &[(Event, Shown)],
        snapshots: &[(i64, State, String)],
    ) -> StoreResult<i64>;
    /// `(agent, call id, kind)` already logged for any of `call_ids`.
    async fn recorded_calls(&self, account: &str, call_ids: &[String]) -> StoreResult<Vec<(i64, String, Kind)>>;
    /// Latest pings, in one transaction.
    async fn save_pings(&self, pings: &[PingRow]) -> StoreResult<()>;
    async fn events(&self, account: &str, query: &EventQuery) -> StoreResult<Vec<Logged>>;
    /// Each agent's state before `at` (agents without earlier events are absent).
    async fn states_before(&self, account: &str, agents: Option<&[i64]>, at: i64) -> StoreResult<Vec<StateAt>>;
    /// Live agents with their CAD flag and group mappings, by id: all of
    /// them, one, or one group's.
    async fn roster(&self, account: &str, agent_id: Option<i64>, group_id: Option<i64>) -> StoreResult<Roster>;
    /// Which of `ids` are agents of the account, soft-deleted ones included:
    /// a deleted agent keeps its history (its day stays readable, late call
    /// events about it are recorded). An id never given is absent.
    async fn existing_agents(&self, account: &str, ids: &[i64]) -> StoreResult<Vec<i64>>;
    /// Deletes the `preDeleted` agents none of whose sessions is still valid.
    async fn finalise_deletions(&self, now: i64) -> StoreResult<Vec<(String, i64)>>;
    async fn break_reasons(&self, account: &str) -> StoreResult<Vec<BreakReasonRow>>;
    /// Conflict: the name is taken.
    async fn add_break_reason(&self, account: &str, name: &str, max_secs: Option<i64>) -> StoreResult<BreakReasonRow>;
    /// NotFound or Conflict (name taken).
    async fn update_break_reason(&self, account: &str, reason: &BreakReasonRow) -> StoreResult<()>;
    async fn delete_break_reason(&self, account: &str, id: i64) -> StoreResult<()>;
}

/// The Directory's contacts, the account's contact fields, notes on calls,
/// and a caller's calls from the event log.
#[async_trait]
pub trait ContactStore: Send + Sync {
    /// The account's contact field names in its order; `None`: never arranged.
    async fn contact_fields(&self, account: &str) -> StoreResult<Option<Vec<String>>>;
    async fn set_contact_fields(&self, account: &str, names: &[String]) -> StoreResult<()>;
    async fn contact(&self, account: &str, number: &str) -> StoreResult<Option<ContactRow>>;
    /// Conflict: the number is already a contact.
    async fn create_contact(&self, account: &str, contact: &ContactRow) -> StoreResult<()>;
    /// Writes `info`/`updated_at` if the stored version is still `contact.version`
    /// (then bumps it); Conflict when another update came first.
    async fn update_contact(&self, account: &str, contact: &ContactRow) -> StoreResult<()>;
    /// The newest call events with any of `numbers` as caller, at or after
    /// `from`, at most `limit`, newest first.
    async fn caller_events(&self, account: &str, numbers: &[String], from: i64, limit: i64)
    -> StoreResult<Vec<Logged>>;
    async fn caller_stats(&self, account: &str, number: &str) -> StoreResult<CallerStats>;
    /// Whether the log holds call `call_id` with `number` as caller.
    async fn call_with_caller(&self, account: &str, call_id: &str, number: &str) -> StoreResult<bool>;
    async fn add_note(&self, account: &str, note: &NewNote) -> StoreResult<NoteRow>;
    async fn notes(&self, account: &str, query: &NoteQuery) -> StoreResult<Vec<NoteRow>>;
}

pub trait Store: AccountStore + SessionStore + AgentStore + DirectoryStore + LiveStore + ContactStore {}
impl<T: AccountStore + SessionStore + AgentStore + DirectoryStore + LiveStore + ContactStore> Store for T {}

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
