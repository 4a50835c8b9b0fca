//! Persistence behind narrow async traits named for what the product does.
//! One SQL implementation serves SQLite and PostgreSQL; the backend is picked
//! once from the database URL scheme.
//!
//! Ids are typed (`AccountId`, `AgentId`, `GroupId`, `RoleId`) and rows are
//! named structs. Each method's docstring names the outcomes particular to
//! it (`NotFound`, `Conflict`, `None`); any method may also answer
//! `Unavailable` (the database did not answer: HTTP 503) or `Other` (it
//! refused: 1032).

mod accounts;
mod agents;
mod caller_marks;
pub mod cluster;
mod contacts;
mod credentials;
mod directory;
mod directory_cache;
mod ids;
mod live;
pub mod postgres;
mod routing;
pub mod serving;
mod session_uses;
mod sessions;
mod sql;
pub mod sqlite;
mod types;
mod webhook_rows;
mod webhook_types;
mod webhooks;

use std::sync::Arc;

use async_trait::async_trait;

use crate::domain::caller_marks::CallerMarks;
pub use crate::domain::ids::{AccountId, AgentId, GroupId, RoleId};
use crate::domain::presence::{Event, Logged, Shown};
use crate::domain::sticky::{Scope, Sticky};
pub use sql::SqlStore;
pub use types::*;
pub use webhook_types::*;

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
    /// Another node appended to the account's event log after this node
    /// decided (or the timers lease a batch was fenced by moved on): the
    /// decision is retaken on the latest state (`live`), never answered.
    #[error("another node changed the account first")]
    Raced,
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
            sqlx::Error::Database(ref db) if db.code().is_some_and(|c| not_there_now(&c, db.message())) => {
                StoreError::Unavailable(err.to_string())
            }
            other => StoreError::Other(other.into()),
        }
    }
}

/// PostgreSQL's answers that say the database is not there for now, not
/// that the request was wrong (SQLSTATE, PostgreSQL docs, appendix A):
/// connection exceptions (class 08), too many connections (53300), an
/// administrator or crash shutdown or a server starting up (57P01–57P03),
/// a database not accepting connections (55000 with that message), and the
/// session's own bounds (`postgres::SESSION_BOUNDS`): a lock not had within
/// `lock_timeout` (55P03), a statement over `statement_timeout` (57014), a
/// session ended for idling in a transaction (25P03).
/// Nothing was applied and another node or a later try may succeed: 503.
fn not_there_now(code: &str, message: &str) -> bool {
    code.starts_with("08")
        || matches!(code, "53300" | "57P01" | "57P02" | "57P03" | "55P03" | "57014" | "25P03")
        || (code == "55000" && message.contains("accepting connections"))
}

pub type StoreResult<T> = Result<T, StoreError>;

/// Accounts and their API tokens.
#[async_trait]
pub trait AccountStore: Send + Sync {
    /// The store answers (used by `/readyz`). Unavailable: it does not.
    async fn ready(&self) -> StoreResult<()>;
    /// Writes what is kept in memory for later (session uses, as of `now`),
    /// waits for open connections to finish and closes them (SQLite
    /// checkpoints its WAL on the last close).
    async fn close(&self, now: i64);
    /// A new tenant (a fresh random id) with its first API token and the
    /// default role `1`.
    async fn create_account(&self, new: &NewAccount) -> StoreResult<Account>;
    /// Another API token for the account (rotation: add the new, revoke the
    /// old). NotFound: no such account.
    async fn add_token(&self, account: &AccountId, token_hash: &str, now: i64) -> StoreResult<()>;
    /// Revokes one token; false when the account has no such token.
    async fn revoke_token(&self, account: &AccountId, token_hash: &str) -> StoreResult<bool>;
    /// Who the API token (`user_id` as the client sent it, the token's
    /// hash) belongs to; `None` when no such token exists. A suspended
    /// account is returned (`suspended`) so the caller can answer 1039.
    async fn authenticate_token(&self, user_id: &str, token_hash: &str) -> StoreResult<Option<AuthRecord>>;
    /// Every admin and agent (of any account) that logs in with this email;
    /// empty when none does.
    async fn login_candidates(&self, email: &str) -> StoreResult<Vec<LoginCandidate>>;
    /// Suspends (or reinstates) an account: its credentials answer 1039.
    /// NotFound: no such account.
    async fn set_suspended(&self, account: &AccountId, suspended: bool) -> StoreResult<()>;
    /// Every account, oldest first, with its count of agents not deleted.
    async fn list_accounts(&self) -> StoreResult<Vec<AccountSummary>>;
    /// The account's own (admin) email. NotFound: no such account.
    async fn admin_email(&self, account: &AccountId) -> StoreResult<String>;
    /// The admin password's hash: `Some(None)` when the account has none
    /// (no admin login). NotFound: no such account.
    async fn admin_password_hash(&self, account: &AccountId) -> StoreResult<Option<String>>;
    /// Sets the admin password (its hash) and ends every admin session of
    /// the account but `keep_session` (an ssid hash: the session that made
    /// the change). NotFound: no such account.
    async fn set_admin_password(&self, account: &AccountId, hash: &str, keep_session: Option<&str>) -> StoreResult<()>;
}

/// Login sessions. A session expires when unused for the session lifetime
/// (each use moves its expiry), and at the latest at the end fixed at login.
#[async_trait]
pub trait SessionStore: Send + Sync {
    /// Records a session opened by a login (its hash only; the `ssid` itself
    /// is never stored).
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
    async fn end_agent_sessions(&self, account: &AccountId, agent_id: AgentId) -> StoreResult<u64>;
    /// Whether the agent has a session alive at `now` (another tab).
    async fn agent_has_session(&self, account: &AccountId, agent_id: AgentId, now: i64) -> StoreResult<bool>;
    /// Removes the listed sessions that are still expired at `now` (once
    /// their agents' presence has ended).
    async fn remove_expired_sessions(&self, ssid_hashes: &[String], now: i64) -> StoreResult<()>;
}

/// The agent directory: agents, their group mappings and CAD flags.
#[async_trait]
pub trait AgentStore: Send + Sync {
    /// One page of the account's live agents matching `filter`, by id, with
    /// the number matching in all pages. An empty page past the end.
    async fn list_agents(&self, account: &AccountId, filter: &AgentFilter, page: Page) -> StoreResult<AgentPage>;
    /// One live (not deleted) agent with its groups and working hours;
    /// `None` when there is no such live agent.
    async fn agent(&self, account: &AccountId, agent_id: AgentId) -> StoreResult<Option<AgentRow>>;
    /// The ancestor path of a live (not deleted) agent, `None` if there is none.
    async fn agent_path(&self, account: &AccountId, agent_id: AgentId) -> StoreResult<Option<String>>;
    /// The new agent's id. Conflict: the email is taken in this account.
    async fn create_agent(&self, account: &AccountId, new: &NewAgent) -> StoreResult<AgentId>;
    /// NotFound: no such live agent; Conflict: the new email is taken.
    /// Switching it off (`status` 0) ends its sessions, as `set_agent_status` does;
    /// a new password ends them all but `changes.keep_session`.
    async fn update_agent(&self, account: &AccountId, agent_id: AgentId, changes: &AgentChanges) -> StoreResult<()>;
    /// Switches an agent on (`1`) or off (`0`, which ends its sessions).
    /// NotFound: no such live agent.
    async fn set_agent_status(&self, account: &AccountId, agent_id: AgentId, status: i64) -> StoreResult<()>;
    /// Soft delete (`isDeleted` 1, history kept) that ends every session of
    /// the agent with it; whether it had a live one. NotFound: no such live agent.
    async fn delete_agent(&self, account: &AccountId, agent_id: AgentId, now: i64) -> StoreResult<bool>;
    /// Applies each change (a mapping upserted, or removed), all or
    /// nothing. NotFound: unknown agent.
    async fn update_group_mapping(
        &self,
        account: &AccountId,
        agent_id: AgentId,
        changes: &[MappingChange],
    ) -> StoreResult<()>;
    /// Sets or clears the CAD flag of every listed agent; NotFound (and no
    /// change at all) when any of them does not exist.
    async fn set_cad(&self, account: &AccountId, agent_ids: &[AgentId], on: bool) -> StoreResult<()>;
}

/// Groups and roles: the account's own vocabulary for organising agents.
#[async_trait]
pub trait DirectoryStore: Send + Sync {
    /// Which of `group_ids` do not exist in the account.
    async fn missing_groups(&self, account: &AccountId, group_ids: &[GroupId]) -> StoreResult<Vec<GroupId>>;
    /// Adds a group with its wrap-up time and routing, all or nothing; a
    /// taken name gets a numeric suffix (`Sales 2`). Conflict: one of
    /// `routing.dids` reaches another group already (nothing is added).
    async fn add_group(
        &self,
        account: &AccountId,
        name: &str,
        status: i64,
        settings: (Option<i64>, &RoutingChange),
        now: i64,
    ) -> StoreResult<GroupRow>;
    /// Renames and switches a group; the row as it now is (a taken name
    /// gets a numeric suffix). NotFound: no such group.
    async fn update_group(
        &self,
        account: &AccountId,
        group_id: GroupId,
        name: &str,
        status: i64,
    ) -> StoreResult<GroupRow>;
    /// Deletes a group, every agent's mapping to it and the numbers (DIDs) that
    /// reached it. NotFound: no such group.
    async fn delete_group(&self, account: &AccountId, group_id: GroupId) -> StoreResult<()>;
    /// The account's groups matching `filter`, by id (empty when none).
    async fn list_groups(&self, account: &AccountId, filter: &GroupFilter) -> StoreResult<Vec<GroupRow>>;
    /// Sets (or with `None` clears) the group's own wrap-up time. NotFound: no such group.
    async fn set_group_wrap_up(&self, account: &AccountId, group_id: GroupId, secs: Option<i64>) -> StoreResult<()>;
    /// A role's permissions (stored form), `None` when the role does not exist.
    async fn role_permissions(&self, account: &AccountId, role_id: RoleId) -> StoreResult<Option<String>>;
    /// Every role of the account, by id.
    async fn list_roles(&self, account: &AccountId) -> StoreResult<Vec<RoleRow>>;
    /// The new role with its id (names need not be unique).
    async fn add_role(&self, account: &AccountId, name: &str, permissions: &str) -> StoreResult<RoleRow>;
    /// Changes what is `Some`; the row as it now is. NotFound: no such role.
    async fn update_role(
        &self,
        account: &AccountId,
        role_id: RoleId,
        name: Option<&str>,
        permissions: Option<&str>,
    ) -> StoreResult<RoleRow>;
}

/// What the routing decision (`callRoute`) reads, and its configuration.
#[async_trait]
pub trait RoutingStore: Send + Sync {
    /// The group's routing settings; `None`: no such group.
    async fn route_group(&self, account: &AccountId, group: GroupId) -> StoreResult<Option<RouteGroup>>;
    /// The group a dialled number (DID, as stored: digits) reaches.
    async fn did_group(&self, account: &AccountId, did: &str) -> StoreResult<Option<GroupId>>;
    /// Every group's numbers: `(group, did)` by group, then number.
    async fn group_dids(&self, account: &AccountId) -> StoreResult<Vec<(GroupId, String)>>;
    /// The live agents mapped to the group with `receive_call` `Y`, by id
    /// (switched off ones too: the decision leaves them out).
    async fn receiving_agents(&self, account: &AccountId, group: GroupId) -> StoreResult<Vec<AgentRow>>;
    /// How many calls each of `agents` answered at or after `since` (Unix
    /// seconds), a call answered on several attempts once; agents without
    /// any are left out. What is durable: a call answered within the last
    /// moment may not be counted yet (`fewest_calls` orders by it).
    async fn answered_calls_since(
        &self,
        account: &AccountId,
        agents: &[AgentId],
        since: i64,
    ) -> StoreResult<Vec<(AgentId, u32)>>;
    /// The facts a group's day figures are folded from (`domain::
    /// queue_figures`): every `queued`, `offered`, `answered` and
    /// `abandoned` logged at or after `since` (Unix seconds).
    async fn queue_facts_since(&self, account: &AccountId, since: i64) -> StoreResult<Vec<Logged>>;
    /// The caller's pins (`contact`: digits as stored), expired ones too,
    /// narrowest scope first.
    async fn stickies(&self, account: &AccountId, contact: &str) -> StoreResult<Vec<Sticky>>;
    /// Pins the caller for the pin's scope (`cli`, group): a pin of the same
    /// scope is replaced. `now`: Unix seconds, kept as its time.
    async fn set_sticky(&self, account: &AccountId, contact: &str, pin: &Sticky, now: i64) -> StoreResult<()>;
    /// Removes the caller's pins of `scope` (every scope when `None`; with
    /// `cli`/`group`/`agent` only those of that number/group/agent); how many.
    async fn remove_stickies(
        &self,
        account: &AccountId,
        contact: &str,
        scope: Option<Scope>,
        cli: Option<&str>,
        group: Option<GroupId>,
        agent: Option<AgentId>,
    ) -> StoreResult<u64>;
    /// Applies the change, all or nothing. NotFound: no such group;
    /// Conflict: a number reaches another group already.
    async fn set_group_routing(&self, account: &AccountId, group: GroupId, change: &RoutingChange) -> StoreResult<()>;
}

/// Live agent state: the event log and what is derived from it durably.
#[async_trait]
pub trait LiveStore: Send + Sync {
    /// The account's rules for live state (defaults until it sets its own).
    async fn live_settings(&self, account: &AccountId) -> StoreResult<LiveSettings>;
    /// Replaces them (for an unknown account, nothing changes).
    async fn set_live_settings(&self, account: &AccountId, settings: &LiveSettings) -> StoreResult<()>;
    /// Every agent of the account that has a presence snapshot, with the
    /// log's next sequence number read in the same statement. NotFound: no
    /// such account.
    async fn presence(&self, account: &AccountId) -> StoreResult<LoadedPresence>;
    /// Accounts with an agent not offline: their live state is loaded at start.
    async fn accounts_online(&self) -> StoreResult<Vec<AccountId>>;
    /// Appends `events` (each with the state it leaves its agent in) and the
    /// agents' new snapshots in one transaction, numbering them from
    /// `expected_first` on (the sequence number the deciding node saw as
    /// the log's next). Raced: the log had moved past it (another node
    /// appended first), or `fence`'s lease is no longer held at its epoch;
    /// nothing is written. Conflict: a call event is already logged (the
    /// unique index on agent, call and kind). With several nodes, the
    /// commit notifies `cluster::LOG_CHANNEL`.
    async fn append_events(
        &self,
        account: &AccountId,
        expected_first: i64,
        fence: Option<&Fence>,
        events: &[(Event, Shown)],
        snapshots: &[Snapshot],
    ) -> StoreResult<()>;
    /// The call events already logged for any of `call_ids`.
    async fn recorded_calls(&self, account: &AccountId, call_ids: &[String]) -> StoreResult<Vec<RecordedCall>>;
    /// Latest pings, in one transaction; a stored ping that is later (taken
    /// by another node) stays.
    async fn save_pings(&self, pings: &[PingRow]) -> StoreResult<()>;
    /// The account's events `query` selects, in sequence order.
    async fn events(&self, account: &AccountId, query: &EventQuery) -> StoreResult<Vec<Logged>>;
    /// Each agent's state before `at` (agents without earlier events are absent).
    async fn states_before(
        &self,
        account: &AccountId,
        agents: Option<&[AgentId]>,
        at: i64,
    ) -> StoreResult<Vec<StateAt>>;
    /// Live agents with their CAD flag and group mappings, by id: all of
    /// them, one, or one group's.
    async fn roster(
        &self,
        account: &AccountId,
        agent_id: Option<AgentId>,
        group_id: Option<GroupId>,
    ) -> StoreResult<Roster>;
    /// Which of `ids` are agents of the account, soft-deleted ones included:
    /// a deleted agent keeps its history (its day stays readable, late call
    /// events about it are recorded). An id never given is absent.
    async fn existing_agents(&self, account: &AccountId, ids: &[AgentId]) -> StoreResult<Vec<AgentId>>;
    /// Deletes the `preDeleted` agents none of whose sessions is still
    /// valid at `now`, and names them.
    async fn finalise_deletions(&self, now: i64) -> StoreResult<Vec<AgentOf>>;
    /// The account's break reasons, by id.
    async fn break_reasons(&self, account: &AccountId) -> StoreResult<Vec<BreakReasonRow>>;
    /// Conflict: the name is taken.
    async fn add_break_reason(
        &self,
        account: &AccountId,
        name: &str,
        max_secs: Option<i64>,
    ) -> StoreResult<BreakReasonRow>;
    /// NotFound or Conflict (name taken).
    async fn update_break_reason(&self, account: &AccountId, reason: &BreakReasonRow) -> StoreResult<()>;
    /// NotFound: no such reason.
    async fn delete_break_reason(&self, account: &AccountId, id: i64) -> StoreResult<()>;
}

/// What several nodes on one database compare (`cluster.rs`,
/// docs/SCALING.md).
#[async_trait]
pub trait ClusterStore: Send + Sync {
    /// How far the account's log, directory and credentials have moved.
    /// NotFound: no such account.
    async fn account_versions(&self, account: &AccountId) -> StoreResult<AccountVersions>;
    /// Forgets what this process remembers of the account: its directory,
    /// its credentials (another node changed them).
    fn forget_cached(&self, account: &AccountId, directory: bool, credentials: bool);
    /// The pings of the account's agents not offline stored later than
    /// `since` (Unix seconds): taken by any node.
    async fn pings_since(&self, account: &AccountId, since: i64) -> StoreResult<Vec<PingRow>>;
    /// Takes or keeps the lease `name` for `holder` for `ttl_ms` more
    /// milliseconds of the database's clock; `Some(epoch)` while `holder`
    /// has it (the epoch grows at each change of holder), `None` while
    /// another holder's lease runs.
    async fn hold_lease(&self, name: &str, holder: &str, ttl_ms: i64) -> StoreResult<Option<i64>>;
    /// How many leases named `prefix…` are held now: the nodes alive, when
    /// each holds `node:<name>`.
    async fn leases_held(&self, prefix: &str) -> StoreResult<i64>;
    /// Failed logins counted under `key`: `(count, since)` (Unix seconds).
    async fn login_failures(&self, key: &str) -> StoreResult<Option<(i64, i64)>>;
    /// Counts one failed login under `key` at `now`, starting a new window
    /// of `window` seconds when the last one is over; the count. Rows of
    /// windows long over are swept out on the way.
    async fn count_login_failure(&self, key: &str, now: i64, window: i64) -> StoreResult<i64>;
    /// Forgets the failures under `key` (a right password).
    async fn clear_login_failures(&self, key: &str) -> StoreResult<()>;
    /// Waits for the account's writer hold (several nodes only): while a
    /// node holds it, no other node decides changes of the account's
    /// agents, so decisions queue instead of racing (issue 24). The hold
    /// ends with `WriterHold::release`, or with the holder: a node that
    /// stops holding it loses it within the database's idle bound.
    /// Unavailable (503) when the hold is not had within the lock bound.
    async fn hold_writer(&self, account: &AccountId) -> StoreResult<cluster::WriterHold>;
}

/// The Directory's contacts, the account's contact fields, notes on calls,
/// and a caller's calls from the event log.
#[async_trait]
pub trait ContactStore: Send + Sync {
    /// The account's contact field names in its order; `None`: never arranged.
    async fn contact_fields(&self, account: &AccountId) -> StoreResult<Option<Vec<String>>>;
    /// Replaces the account's contact field names and their order.
    async fn set_contact_fields(&self, account: &AccountId, names: &[String]) -> StoreResult<()>;
    /// The contact with this number (digits with country code), if any.
    async fn contact(&self, account: &AccountId, number: &str) -> StoreResult<Option<ContactRow>>;
    /// Conflict: the number is already a contact.
    async fn create_contact(&self, account: &AccountId, contact: &ContactRow) -> StoreResult<()>;
    /// Writes `info`/`updated_at` if the stored version is still `contact.version`
    /// (then bumps it); Conflict when another update came first.
    async fn update_contact(&self, account: &AccountId, contact: &ContactRow) -> StoreResult<()>;
    /// The newest call events with any of `numbers` as caller, at or after
    /// `from`, at most `limit`, newest first.
    async fn caller_events(
        &self,
        account: &AccountId,
        numbers: &[String],
        from: i64,
        limit: i64,
    ) -> StoreResult<Vec<Logged>>;
    /// How many calls the log holds with `number` as caller, and the latest.
    async fn caller_stats(&self, account: &AccountId, number: &str) -> StoreResult<CallerStats>;
    /// Whether the log holds call `call_id` with `number` as caller.
    async fn call_with_caller(&self, account: &AccountId, call_id: &str, number: &str) -> StoreResult<bool>;
    /// The contacts whose number holds `digits`, by number: at most `limit`
    /// from `offset`, and how many there are in all.
    async fn search_contacts(
        &self,
        account: &AccountId,
        digits: &str,
        offset: i64,
        limit: i64,
    ) -> StoreResult<(Vec<ContactRow>, i64)>;
    /// The note as stored, with its id.
    async fn add_note(&self, account: &AccountId, note: &NewNote) -> StoreResult<NoteRow>;
    /// The notes `query` selects, newest first (empty when none).
    async fn notes(&self, account: &AccountId, query: &NoteQuery) -> StoreResult<Vec<NoteRow>>;
}

/// What the account says about numbers beyond their cards
/// (`domain::caller_marks`): account managers, the do-not-call list and the
/// blacklist. `contact`: digits as the number rule stores them.
#[async_trait]
pub trait CallerMarkStore: Send + Sync {
    /// The marks of each of `contacts` that has any (others are left out).
    async fn caller_marks(&self, account: &AccountId, contacts: &[String]) -> StoreResult<Vec<(String, CallerMarks)>>;
    /// Sets (or, `None`, clears) the number's account manager; whether it
    /// had one before. `now`: Unix seconds.
    async fn set_account_manager(
        &self,
        account: &AccountId,
        contact: &str,
        agent: Option<AgentId>,
        now: i64,
    ) -> StoreResult<bool>;
    /// Sets (or, `None`, clears) the number's DNC entry: `-1` or a Unix time.
    async fn set_dnc(&self, account: &AccountId, contact: &str, dnc: Option<i64>, now: i64) -> StoreResult<()>;
    /// Blacklists the number on `dids` (`""`: every number, which replaces
    /// the others; a number while every number is barred changes nothing).
    async fn block_caller(&self, account: &AccountId, contact: &str, dids: &[String], now: i64) -> StoreResult<()>;
    /// Takes the number off the blacklist for `dids` (every entry when
    /// `None`); how many entries went.
    async fn unblock_caller(&self, account: &AccountId, contact: &str, dids: Option<&[String]>) -> StoreResult<u64>;
}

/// Push: the account's webhook subscriptions and the deliveries they owe.
/// The event log is the outbox: a subscription's cursor is the last event
/// turned into deliveries, moved in the transaction that writes them.
#[async_trait]
pub trait WebhookStore: Send + Sync {
    /// The new subscription; its cursor is the log's current end (it
    /// receives what happens from now on). `max` subscriptions per account
    /// at most: Conflict beyond it.
    async fn add_webhook(&self, account: &AccountId, new: &WebhookRow, max: i64) -> StoreResult<WebhookRow>;
    /// The account's subscriptions, by id.
    async fn webhooks(&self, account: &AccountId) -> StoreResult<Vec<WebhookRow>>;
    /// Every subscription of every account (the delivery worker's view).
    async fn all_webhooks(&self) -> StoreResult<Vec<WebhookRow>>;
    /// Writes url, events, format, active and the secrets. Switched on from
    /// off (`restart`), it starts again at the log's current end and its
    /// failure record is cleared. NotFound: no such subscription.
    async fn update_webhook(&self, row: &WebhookRow, restart: bool) -> StoreResult<()>;
    /// Removes a subscription with its deliveries and their attempts.
    /// NotFound: no such subscription.
    async fn delete_webhook(&self, account: &AccountId, id: i64) -> StoreResult<()>;
    /// One call's events (every agent's legs), in sequence order.
    async fn call_events(&self, account: &AccountId, call_id: &str) -> StoreResult<Vec<Logged>>;
    /// Every fact of each of `call_ids` (every agent's legs and the
    /// queue's), in no particular order: a call whole, however late its
    /// facts were logged.
    async fn calls_events(&self, account: &AccountId, call_ids: &[String]) -> StoreResult<Vec<Logged>>;
    /// Moves the cursor from `cursor.0` to `cursor.1` and writes `deliveries` in one
    /// transaction; how many were written, or `None` (and nothing written)
    /// when the cursor is no longer at `cursor.0` (another node moved it). A
    /// delivery whose `dedupe` key the subscription already has replaces it
    /// while nobody has tried to send it, else is skipped. First, the
    /// `held` reports wait (a call that rings on: its report waits for its
    /// end).
    async fn advance(
        &self,
        account: &AccountId,
        id: i64,
        cursor: (i64, i64),
        deliveries: &[NewDelivery],
        held: Held<'_>,
    ) -> StoreResult<Option<usize>>;
    /// Queues one delivery now (a test). NotFound: no such subscription.
    async fn enqueue(&self, account: &AccountId, id: i64, delivery: &NewDelivery) -> StoreResult<i64>;
    /// Claims up to `limit` deliveries due at `now` until `lease_until`:
    /// pending, not held by a sender, of a subscription that is on (tests
    /// go anyway), not of `skip` (`"account:id"` of subscriptions whose
    /// target is busy), and the first pending one of their order key.
    /// Each is claimed by one caller, whichever node it runs on.
    async fn claim_due(&self, now: i64, lease_until: i64, limit: i64, skip: &[String])
    -> StoreResult<Vec<DueDelivery>>;
    /// Gives claimed deliveries back unsent.
    async fn release(&self, ids: &[i64]) -> StoreResult<()>;
    /// Logs an attempt and applies its outcome to the delivery and its
    /// subscription's failure record; true when the subscription was
    /// switched off by it.
    async fn record_attempt(
        &self,
        delivery: &DueDelivery,
        attempt: &Attempt,
        outcome: AttemptOutcome,
    ) -> StoreResult<bool>;
    /// The subscription's deliveries, newest first, at most `limit`, with
    /// ids below `before` (0: from the newest), each with its attempts.
    async fn deliveries(&self, account: &AccountId, id: i64, before: i64, limit: i64) -> StoreResult<Vec<DeliveryRow>>;
    /// Sends deliveries again from the start of the ladder, now; how many.
    /// NotFound: `One` names no delivery of this subscription.
    async fn redeliver(&self, account: &AccountId, id: i64, which: Redelivery, now: i64) -> StoreResult<u64>;
}

pub trait Store:
    AccountStore
    + SessionStore
    + AgentStore
    + DirectoryStore
    + RoutingStore
    + LiveStore
    + ContactStore
    + CallerMarkStore
    + ClusterStore
    + WebhookStore
{
}
impl<
    T: AccountStore
        + SessionStore
        + AgentStore
        + DirectoryStore
        + RoutingStore
        + LiveStore
        + ContactStore
        + CallerMarkStore
        + ClusterStore
        + WebhookStore,
> Store for T
{
}

pub type SharedStore = Arc<dyn Store>;

/// Writes a consistent copy of the database the URL names to `to`, while
/// servers keep working on it. SQLite only: PostgreSQL has `pg_dump`.
pub async fn backup(url: &str, to: &std::path::Path) -> anyhow::Result<()> {
    if sqlite::handles(url) {
        sqlite::backup(url, to).await
    } else if postgres::handles(url) {
        anyhow::bail!(
            "agentdesk backup copies SQLite databases; back up PostgreSQL with its own tools: \
             pg_dump --format=custom --file=FILE DATABASE_URL (restore with pg_restore --dbname=DATABASE_URL FILE)"
        )
    } else {
        anyhow::bail!("unsupported database URL {url:?}: use sqlite://FILE (e.g. sqlite://agentdesk.db)")
    }
}

/// Opens (creating if needed) and migrates the store the URL names, for
/// one serving process (or a one-shot command).
pub async fn open(url: &str) -> anyhow::Result<SharedStore> {
    open_as(url, false).await
}

/// Like `open`; `clustered`: this server is one of several nodes sharing a
/// PostgreSQL database (docs/SCALING.md), refused for SQLite.
pub async fn open_as(url: &str, clustered: bool) -> anyhow::Result<SharedStore> {
    let store = if sqlite::handles(url) {
        anyhow::ensure!(
            !clustered,
            "--cluster needs PostgreSQL: a SQLite file is served by one process (use postgres://USER@HOST/DB)"
        );
        sqlite::open(url).await?
    } else if postgres::handles(url) {
        postgres::open(url, clustered).await?
    } else {
        anyhow::bail!(
            "unsupported database URL {url:?}: use sqlite://FILE (e.g. sqlite://agentdesk.db) or postgres://USER@HOST/DB"
        );
    };
    Ok(Arc::new(store))
}
