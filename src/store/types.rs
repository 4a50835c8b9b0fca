//! Rows in and out of the store: plain data, no wire quirks.

use crate::domain::agent::{DestType, ReceiveCall};
use crate::domain::event::{Kind, State};
use crate::domain::ids::{AccountId, AgentId, GroupId, RoleId};
use crate::domain::working::WorkingTime;

#[derive(Debug, Clone)]
pub struct NewAccount {
    pub name: String,
    pub email: String,
    pub password_hash: Option<String>,
    pub token_hash: String,
    /// Completes phone numbers given without one (`91` for India).
    pub country_code: String,
    pub now: i64,
}

#[derive(Debug, Clone)]
pub struct Account {
    pub id: AccountId,
    pub name: String,
    pub email: String,
}

/// One account as `account list` shows it.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountSummary {
    pub user_id: String,
    pub name: String,
    pub email: String,
    pub suspended: bool,
    /// Agents not deleted.
    pub agents: i64,
    /// Unix seconds.
    pub created_at: i64,
}

/// Who a credential belongs to, as the store knows it.
#[derive(Debug, Clone)]
pub struct AuthRecord {
    pub account_id: AccountId,
    pub suspended: bool,
    pub country_code: String,
    /// Present for an agent session.
    pub agent: Option<AgentAuth>,
}

impl AuthRecord {
    /// Whether the credential lets its holder in: the account is not
    /// suspended and the agent, if any, is switched on and not deleted.
    pub fn lets_in(&self) -> bool {
        !self.suspended && self.agent.as_ref().is_none_or(|a| a.active)
    }
}

#[derive(Debug, Clone)]
pub struct AgentAuth {
    pub agent_id: AgentId,
    /// Active (`status` 1) and neither deleted nor waiting to be.
    pub active: bool,
    /// The agent's role (`None` when its row is gone).
    pub role_id: Option<RoleId>,
    /// The role's permissions, stored form.
    pub permissions: String,
}

#[derive(Debug, Clone)]
pub struct LoginCandidate {
    pub account_id: AccountId,
    pub agent_id: Option<AgentId>,
    pub password_hash: String,
    /// The account is suspended (1039).
    pub suspended: bool,
    /// For an agent: switched on (`status` 1).
    pub active: bool,
}

#[derive(Debug, Clone)]
pub struct NewSession {
    pub ssid_hash: String,
    pub account_id: AccountId,
    pub agent_id: Option<AgentId>,
    pub now: i64,
    /// Unix seconds when it expires unless used: each use moves this to
    /// the use plus the session lifetime, never past `ends_at`.
    pub expires_at: i64,
    /// Unix seconds when it ends however much it is used.
    pub ends_at: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct AgentFilter {
    pub agent_id: Option<AgentId>,
    /// Case-insensitive substring of the name.
    pub name: Option<String>,
    pub group_id: Option<GroupId>,
    pub status: Option<i64>,
}

#[derive(Debug, Clone, Copy)]
pub struct Page {
    pub number: i64,
    pub size: i64,
}

#[derive(Debug, Clone)]
pub struct AgentPage {
    pub agents: Vec<AgentRow>,
    pub total: i64,
}

#[derive(Debug, Clone)]
pub struct AgentRow {
    pub id: AgentId,
    pub name: String,
    pub favorite: String,
    pub email: String,
    pub phone: String,
    pub address: String,
    pub dest_type: String,
    pub dest_value: String,
    pub role_id: RoleId,
    pub role_name: Option<String>,
    pub parent_path: String,
    pub create_date: i64,
    pub create_by: String,
    pub create_by_type: String,
    pub allow_did: Vec<String>,
    pub status: i64,
    pub is_deleted: bool,
    pub pre_deleted: bool,
    pub cad: bool,
    /// Mapped groups in the order they were added.
    pub groups: Vec<AgentGroup>,
    pub working: Vec<WorkingTime>,
}

#[derive(Debug, Clone)]
pub struct NewAgent {
    pub name: String,
    pub email: String,
    pub phone: String,
    pub address: String,
    pub dest_type: DestType,
    pub dest_value: String,
    pub call_pass_hash: String,
    pub password_hash: String,
    pub role_id: RoleId,
    pub parent_path: String,
    pub favorite: String,
    pub allow_did: Vec<String>,
    pub status: i64,
    pub groups: Vec<Mapping>,
    pub working: Vec<WorkingTime>,
    pub create_by: String,
    pub create_by_type: String,
    pub now: i64,
}

/// A partial update: `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct AgentChanges {
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub address: Option<String>,
    pub dest_type: Option<DestType>,
    pub dest_value: Option<String>,
    pub call_pass_hash: Option<String>,
    pub password_hash: Option<String>,
    pub role_id: Option<RoleId>,
    pub parent_path: Option<String>,
    pub favorite: Option<String>,
    pub allow_did: Option<Vec<String>>,
    pub status: Option<i64>,
    /// Replaces every mapping of the agent.
    pub groups: Option<Vec<Mapping>>,
    pub working: Option<Vec<WorkingTime>>,
    /// With a new `password_hash` the agent's sessions end, all but this one
    /// (the ssid hash of the agent's own session that made the change).
    pub keep_session: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct GroupFilter {
    pub group_id: Option<GroupId>,
    pub name: Option<String>,
}

#[derive(Debug, Clone)]
pub struct GroupRow {
    pub id: GroupId,
    pub name: String,
    pub status: i64,
    pub agents: i64,
    /// The group's own wrap-up seconds; `None`: the account's.
    pub wrap_up_secs: Option<i64>,
    /// The routing strategy it set (`None`: ringall).
    pub strategy: Option<String>,
    /// The ring timeout it set, seconds (`None`: the default).
    pub ring_timeout: Option<i64>,
    /// The service level threshold it set, seconds (`None`: the default).
    pub service_level: Option<i64>,
}

/// A group as the routing decision reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteGroup {
    pub id: GroupId,
    /// 1 active, 0 inactive (an inactive group is offered no calls).
    pub status: i64,
    pub strategy: crate::domain::routing::Strategy,
    /// Seconds an offer rings before the telephony asks again; `None`: the
    /// default.
    pub ring_timeout: Option<i64>,
    /// The group's own wrap-up seconds; `None`: the account's.
    pub wrap_up_secs: Option<i64>,
}

/// A change of a group's routing: each `Some` is set (an inner `None`
/// clears it back to the default); `dids` replaces the group's numbers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RoutingChange {
    pub strategy: Option<Option<crate::domain::routing::Strategy>>,
    pub ring_timeout: Option<Option<i64>>,
    pub service_level: Option<Option<i64>>,
    pub dids: Option<Vec<String>>,
}

#[derive(Debug, Clone)]
pub struct RoleRow {
    pub id: RoleId,
    pub name: String,
    pub permissions: String,
}

/// An account's rules for live state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveSettings {
    /// IANA name (`Asia/Kolkata`); days of the timeline are days there.
    pub timezone: String,
    pub stale_after: i64,
    pub offline_after: i64,
    /// Wrap-up after a call, unless the call's group sets its own.
    pub wrap_up_secs: i64,
    /// Completes phone numbers given without one (`91`).
    pub country_code: String,
}

/// An agent's stored presence: the snapshot written with its latest event,
/// and the latest ping flushed since.
#[derive(Debug, Clone)]
pub struct PresenceRow {
    pub agent_id: AgentId,
    pub snapshot: String,
    pub last_ping: i64,
    pub mic_perm: Option<i64>,
}

/// Every agent of an account that has a presence snapshot, read in one
/// statement with the account's next event sequence number: the snapshots
/// hold every event numbered below it and none after.
#[derive(Debug, Clone)]
pub struct LoadedPresence {
    pub agents: Vec<PresenceRow>,
    pub next_seq: i64,
}

/// How far an account has moved, as several nodes compare it
/// (`ClusterStore::account_versions`): the next event sequence number, and
/// versions of its directory (agents, groups, roles, hours, live settings)
/// and of what its credentials resolve to. Each only grows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccountVersions {
    pub next_event_seq: i64,
    pub directory: i64,
    pub credentials: i64,
}

/// Who may decide timed transitions: the holder of the timers lease at
/// this epoch (`ClusterStore::hold_lease`). A batch carrying a fence is
/// written only while the lease is still theirs at that epoch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fence {
    pub lease: &'static str,
    pub holder: String,
    pub epoch: i64,
}

#[derive(Debug, Clone)]
pub struct PingRow {
    pub account: AccountId,
    pub agent_id: AgentId,
    pub last_ping: i64,
    pub mic_perm: Option<i64>,
}

/// Which events of the log to read.
#[derive(Debug, Clone, Default)]
pub struct EventQuery {
    /// `None`: every agent of the account.
    pub agents: Option<Vec<AgentId>>,
    /// `[from, to)` in Unix seconds.
    pub from: i64,
    pub to: i64,
    /// Only events with a higher sequence number.
    pub after_seq: i64,
    pub limit: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BreakReasonRow {
    pub id: i64,
    pub name: String,
    /// Longest the break may last; `None`: no limit.
    pub max_secs: Option<i64>,
}

/// An account's live (not deleted) agents as the directory reads show them,
/// by id.
#[derive(Debug)]
pub struct AccountDirectory {
    pub agents: Vec<DirectoryAgent>,
    /// Which agents each recent list filter matched (see `directory_cache.rs`).
    pub(super) matching: super::directory_cache::Matching,
}

impl AccountDirectory {
    pub(super) fn new(agents: Vec<DirectoryAgent>) -> Self {
        Self { agents, matching: Default::default() }
    }
}

#[derive(Debug, Clone)]
pub struct DirectoryAgent {
    pub row: AgentRow,
    /// Each mapping's `receive_call` (`Y`/`N`), in the order of `row.groups`.
    pub receive_call: Vec<String>,
    /// The name as name filters match it.
    pub(super) name_key: String,
}

impl DirectoryAgent {
    /// `(group id, receive_call)` in the order the mappings were added.
    pub fn receiving(&self) -> impl Iterator<Item = (GroupId, &str)> {
        self.row.groups.iter().zip(&self.receive_call).map(|(group, rc)| (group.id, rc.as_str()))
    }

    #[cfg(test)]
    pub(super) fn sample() -> Self {
        let row = AgentRow {
            id: AgentId(1),
            name: String::new(),
            favorite: String::new(),
            email: String::new(),
            phone: String::new(),
            address: String::new(),
            dest_type: String::new(),
            dest_value: String::new(),
            role_id: RoleId(1),
            role_name: None,
            parent_path: String::new(),
            create_date: 0,
            create_by: String::new(),
            create_by_type: String::new(),
            allow_did: Vec::new(),
            status: 1,
            is_deleted: false,
            pre_deleted: false,
            cad: false,
            groups: Vec::new(),
            working: Vec::new(),
        };
        Self { row, receive_call: Vec::new(), name_key: String::new() }
    }
}

/// What `Agent/live` shows of the agents besides their presence: the ones a
/// reader picked, by id.
pub struct Roster {
    pub(super) directory: std::sync::Arc<AccountDirectory>,
    /// Positions in `directory.agents`.
    pub(super) picked: std::sync::Arc<[u32]>,
}

impl Roster {
    pub fn agents(&self) -> impl ExactSizeIterator<Item = &DirectoryAgent> {
        self.picked.iter().map(|&i| &self.directory.agents[i as usize])
    }
}

/// An agent's state before a moment: where its latest earlier event left it.
#[derive(Debug, Clone)]
pub struct StateAt {
    pub agent_id: AgentId,
    pub state: State,
    /// The reason shown with the state (break reason, why offline).
    pub reason: Option<String>,
}

/// A session that `end_session` closed.
#[derive(Debug, Clone)]
pub struct EndedSession {
    pub account_id: AccountId,
    pub agent_id: Option<AgentId>,
    /// It was the agent's last live session: the agent's presence ends
    /// with it (another tab keeps the agent online).
    pub last_of_agent: bool,
}

/// A session past its expiry, found by `expired_sessions`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpiredSession {
    pub ssid_hash: String,
    pub account_id: AccountId,
    /// `None` for an admin session.
    pub agent_id: Option<AgentId>,
    /// Unix seconds when it expired.
    pub at: i64,
    /// It reached the absolute maximum (`ends_at`) rather than going
    /// unused for the session lifetime.
    pub reached_max: bool,
}

/// A contact of the Directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactRow {
    /// Digits with the country code.
    pub number: String,
    /// JSON object: lower-case field name → value.
    pub info: String,
    pub created_at: i64,
    pub updated_at: i64,
    /// Bumped by each update; an update naming an older version conflicts.
    pub version: i64,
}

/// How often, and when last, a number called or was called.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CallerStats {
    pub calls: i64,
    pub last_call_at: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct NewNote {
    pub caller_number: String,
    pub call_id: String,
    pub content: String,
    /// `None`: written with the account's own credentials.
    pub agent_id: Option<AgentId>,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteRow {
    pub id: i64,
    pub caller_number: String,
    pub call_id: String,
    pub content: String,
    pub agent_id: Option<AgentId>,
    pub created_at: i64,
}

/// Which notes of a number to read, newest first.
#[derive(Debug, Clone)]
pub struct NoteQuery {
    pub caller_number: String,
    pub call_id: Option<String>,
    /// Only notes with a smaller id (the next page).
    pub before_id: Option<i64>,
    pub limit: i64,
}

/// A group an agent is mapped to, as the directory shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentGroup {
    pub id: GroupId,
    /// `None` when the group row is gone.
    pub name: Option<String>,
}

/// An agent's mapping to a group: whether calls of the group ring it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mapping {
    pub group: GroupId,
    pub receive_call: ReceiveCall,
}

/// One change of `update_group_mapping`: the mapping upserted, or with
/// `receive_call: None` removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MappingChange {
    pub group: GroupId,
    pub receive_call: Option<ReceiveCall>,
}

/// An agent's presence snapshot written with its latest event: the state it
/// is in and the whole presence as JSON (see `live::view`).
#[derive(Debug, Clone)]
pub struct Snapshot {
    pub agent: AgentId,
    pub state: State,
    pub presence: String,
}

/// A call event already in the log (one per agent, call, kind and attempt).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RecordedCall {
    pub agent: AgentId,
    pub call_id: String,
    pub kind: Kind,
    /// Which ring of the agent for the call (`CallRef::attempt`).
    pub attempt: u32,
    /// Which of its devices (`CallRef::device`; `""`: not said).
    pub device: String,
}

/// An agent named across accounts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentOf {
    pub account: AccountId,
    pub agent: AgentId,
}
