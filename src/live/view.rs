//! One account's live view: each agent's presence, last ping and mic
//! permission, and the account's rules. Locked briefly, never across I/O.

use std::collections::HashMap;
use std::sync::Arc;

use parking_lot::Mutex;

use super::batch::Pending;
use crate::domain::presence::{Logged, Presence, Rules, State};
use crate::domain::queue::QUEUE;
use crate::store::{AccountVersions, AgentId, LiveSettings, PingRow};

#[derive(Debug, Clone, Default)]
pub struct AgentLive {
    pub presence: Presence,
    pub last_ping: i64,
    pub mic_perm: Option<i64>,
    pub(super) ping_dirty: bool,
}

impl AgentLive {
    /// What a board shows: the agent's presence without its finished legs
    /// (kept to recognise late facts, up to 16 an agent, most of a
    /// whole-account copy).
    fn for_board(&self) -> AgentLive {
        let mut presence = self.presence.clone_without_legs();
        presence.legs = self.presence.legs.iter().filter(|l| l.active()).cloned().collect();
        AgentLive { presence, last_ping: self.last_ping, mic_perm: self.mic_perm, ping_dirty: false }
    }
}

struct Inner {
    settings: LiveSettings,
    agents: HashMap<AgentId, AgentLive>,
    /// The sequence number of the last event the agents' presences hold.
    applied: i64,
    /// The account's versions when this node last compared them (several
    /// nodes only).
    seen: Option<AccountVersions>,
}

impl Inner {
    fn rules(&self) -> Rules {
        Rules { stale_after: self.settings.stale_after, offline_after: self.settings.offline_after }
    }
}

/// Asks remembered before old ones are looked for and forgotten.
const ASKS_PRUNE_AT: usize = 4_096;

pub struct AccountLive {
    /// Held by a `Draft` from decision until it joins a batch: one decision
    /// at a time.
    pub(super) writer: Arc<tokio::sync::Mutex<()>>,
    /// Changes decided but not yet durable (see `batch.rs`).
    pub(super) pending: Pending,
    /// Comparisons with the database's versions (several nodes only).
    pub(super) refreshes: Refreshes,
    /// The account's writer hold, while this node holds it (several nodes
    /// only; `hold.rs`).
    pub(super) held: Mutex<Option<super::hold::Held>>,
    inner: Mutex<Inner>,
    /// When this node was last asked about each waiting call (`callRoute`),
    /// by call id: the telephony asks about a queued call every second or
    /// so, and one it stopped asking about no longer holds its place
    /// (`asked_since`). This node's memory only, not the log's.
    asks: Mutex<HashMap<String, i64>>,
    /// Outbound dials refused (DNC, blacklist) by call id, with when: the
    /// call's later facts are refused too (`barred`). This node's memory.
    barred: Mutex<HashMap<String, (i64, crate::domain::caller_marks::Bar)>>,
}

/// Comparisons of one account's versions, one at a time: requests that
/// arrive while one is under way wait for the next and share it, so a
/// busy account costs a node one read per round trip, not one per request.
#[derive(Default)]
pub(super) struct Refreshes {
    /// How many comparisons have started (each counts itself before it
    /// reads).
    pub(super) started: std::sync::atomic::AtomicU64,
    /// Held through a comparison; holds the number of the last one that
    /// completed.
    pub(super) turn: tokio::sync::Mutex<u64>,
}

impl AccountLive {
    /// `next_seq`: the log's next sequence number when `agents` were read.
    pub(super) fn new(settings: LiveSettings, agents: HashMap<AgentId, AgentLive>, next_seq: i64) -> Self {
        AccountLive {
            writer: Arc::new(tokio::sync::Mutex::new(())),
            pending: Pending::new(next_seq),
            refreshes: Refreshes::default(),
            held: Mutex::new(None),
            inner: Mutex::new(Inner { settings, agents, applied: next_seq - 1, seen: None }),
            asks: Mutex::new(HashMap::new()),
            barred: Mutex::new(HashMap::new()),
        }
    }

    /// The sequence number of the last event the view holds.
    pub fn applied(&self) -> i64 {
        self.inner.lock().applied
    }

    /// Notes that the telephony asked about `call_id` at `now`; forgets
    /// asks older than `keep` seconds.
    pub fn asked(&self, call_id: &str, now: i64, keep: i64) {
        let mut asks = self.asks.lock();
        if asks.len() >= ASKS_PRUNE_AT {
            asks.retain(|_, at| *at >= now - keep);
        }
        asks.insert(call_id.to_string(), now);
    }

    /// Notes that a dial of `call_id` was refused at `now` for `bar`.
    pub fn bar_call(&self, call_id: &str, now: i64, bar: crate::domain::caller_marks::Bar) {
        use crate::domain::caller_marks::BARRED_CALL_MEMORY;
        let mut barred = self.barred.lock();
        if barred.len() >= ASKS_PRUNE_AT {
            barred.retain(|_, (at, _)| *at >= now - BARRED_CALL_MEMORY);
        }
        barred.insert(call_id.to_string(), (now, bar));
    }

    /// Why a dial of `call_id` was refused within the memory, if it was.
    pub fn barred_call(&self, call_id: &str, now: i64) -> Option<crate::domain::caller_marks::Bar> {
        use crate::domain::caller_marks::BARRED_CALL_MEMORY;
        self.barred.lock().get(call_id).filter(|(at, _)| *at >= now - BARRED_CALL_MEMORY).map(|(_, bar)| *bar)
    }

    /// When this node was last asked about `call_id`, if it kept it.
    pub fn last_ask(&self, call_id: &str) -> Option<i64> {
        self.asks.lock().get(call_id).copied()
    }

    /// The account's versions as this node last compared them.
    pub(super) fn seen(&self) -> Option<AccountVersions> {
        self.inner.lock().seen
    }

    /// Records versions compared; each only grows, so a slower request
    /// that read older ones does not set them back.
    pub(super) fn saw(&self, versions: AccountVersions) {
        let mut inner = self.inner.lock();
        inner.seen = Some(match inner.seen {
            None => versions,
            Some(seen) => AccountVersions {
                next_event_seq: seen.next_event_seq.max(versions.next_event_seq),
                directory: seen.directory.max(versions.directory),
                credentials: seen.credentials.max(versions.credentials),
            },
        });
    }

    /// Folds events another node logged (in sequence order, each right
    /// after the last applied) into the presences: the same `evolve` that
    /// decided them, so every node's view is the same fold of one log.
    pub(super) fn fold(&self, logged: &[Logged]) {
        let mut inner = self.inner.lock();
        for l in logged {
            debug_assert_eq!(l.seq, inner.applied + 1, "the log is followed without a gap");
            let agent = inner.agents.entry(l.event.agent).or_default();
            let shown = agent.presence.evolve(&l.event);
            debug_assert_eq!(shown.state, l.state, "the fold agrees with the deciding node");
            inner.applied = l.seq;
        }
    }

    /// Takes pings other nodes stored: an agent's last ping is the latest
    /// any node took.
    pub(super) fn merge_pings(&self, rows: &[PingRow]) {
        let mut inner = self.inner.lock();
        for row in rows {
            let agent = inner.agents.entry(row.agent_id).or_default();
            if row.last_ping > agent.last_ping {
                agent.last_ping = row.last_ping;
                agent.mic_perm = row.mic_perm.or(agent.mic_perm);
            }
        }
    }

    pub fn settings(&self) -> LiveSettings {
        self.inner.lock().settings.clone()
    }

    pub(super) fn set_settings(&self, settings: LiveSettings) {
        self.inner.lock().settings = settings;
    }

    pub fn rules(&self) -> Rules {
        self.inner.lock().rules()
    }

    /// Adds each agent's state to `counts`.
    pub(super) fn tally(&self, counts: &mut HashMap<State, usize>) {
        // Agent 0 is the queue (`domain::queue`), no agent.
        for (_, agent) in self.inner.lock().agents.iter().filter(|(id, _)| **id != QUEUE) {
            *counts.entry(agent.presence.state).or_default() += 1;
        }
    }

    /// An agent never seen is offline.
    pub fn agent(&self, agent: AgentId) -> AgentLive {
        self.inner.lock().agents.get(&agent).cloned().unwrap_or_default()
    }

    /// The agent's presence as the writers see it: including changes
    /// decided but not yet durable.
    pub(super) fn decided(&self, agent: AgentId) -> Presence {
        self.pending.presence(agent).unwrap_or_else(|| self.agent(agent).presence)
    }

    /// What a board shows of the agents `ids` names, in that order (an
    /// agent never seen is offline): one lock, and only these agents copied,
    /// without their finished legs.
    pub fn agents_among(&self, ids: &[AgentId]) -> Vec<AgentLive> {
        let inner = self.inner.lock();
        ids.iter().map(|id| inner.agents.get(id).map(AgentLive::for_board).unwrap_or_default()).collect()
    }

    /// Records a ping; `Some(state)` when nothing else has to happen, `None`
    /// when the ping changes the agent's state (back from stale/offline).
    pub(super) fn ping(&self, agent: AgentId, now: i64, mic_perm: i64) -> Option<State> {
        let mut inner = self.inner.lock();
        let entry = inner.agents.entry(agent).or_default();
        if matches!(entry.presence.state, State::Stale | State::Offline) {
            return None;
        }
        entry.last_ping = entry.last_ping.max(now);
        entry.mic_perm = Some(mic_perm);
        entry.ping_dirty = true;
        Some(entry.presence.state)
    }

    /// This node's batch is durable: its agents' presences, up to `last`
    /// (the batch's last sequence number).
    pub(super) fn apply(&self, presences: impl Iterator<Item = (AgentId, Presence)>, last: i64) {
        let mut inner = self.inner.lock();
        for (id, presence) in presences {
            inner.agents.entry(id).or_default().presence = presence;
        }
        inner.applied = inner.applied.max(last);
    }

    /// Agents with a timed transition due by `now`.
    pub(super) fn due_agents(&self, now: i64) -> Vec<AgentId> {
        let inner = self.inner.lock();
        let rules = inner.rules();
        let mut due: Vec<AgentId> = inner
            .agents
            .iter()
            .filter(|(_, a)| a.presence.is_due(now, a.last_ping, &rules))
            .map(|(id, _)| *id)
            .collect();
        due.sort_unstable();
        due
    }

    pub(super) fn take_dirty_pings(&self) -> Vec<(AgentId, i64, Option<i64>)> {
        let mut inner = self.inner.lock();
        inner
            .agents
            .iter_mut()
            .filter(|(_, a)| a.ping_dirty)
            .map(|(id, a)| {
                a.ping_dirty = false;
                (*id, a.last_ping, a.mic_perm)
            })
            .collect()
    }

    pub(super) fn mark_ping_dirty(&self, agent: AgentId) {
        if let Some(a) = self.inner.lock().agents.get_mut(&agent) {
            a.ping_dirty = true;
        }
    }
}
