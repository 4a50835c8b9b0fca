//! The in-memory live view of every agent, kept by the one path that changes
//! it: `begin` → decide on a draft → `commit` (events durable first, then
//! memory, then the event stream; changes that queue up meanwhile are made
//! durable together, see `batch.rs`). Pings stay in memory and are flushed in
//! batches by `step`, which also fires timed transitions.
//!
//! With several nodes on one database (`in_cluster`, docs/SCALING.md) the
//! view also folds in what other nodes logged (`follow.rs`), a decision
//! another node raced is taken again on the latest state, and the timed
//! transitions are one node's work at a time (the timers lease).

mod batch;
mod follow;
mod gauges;
mod hold;
mod sessions;
mod view;

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};

use parking_lot::Mutex;

use tokio::sync::{OwnedMutexGuard, broadcast, watch};

use crate::clock::Clock;
use crate::domain::presence::{Actor, Event, Logged, Presence, Rules, Shown, State};
use crate::store::{
    AccountId, AgentId, AgentOf, Fence, LiveSettings, PingRow, RecordedCall, SharedStore, Snapshot, StoreError,
    StoreResult,
};
use follow::Races;
pub use follow::follow;
pub use view::{AccountLive, AgentLive};

/// An event as the stream carries it: the account it belongs to, numbered.
#[derive(Debug, Clone)]
pub struct Published {
    pub account: AccountId,
    pub logged: Logged,
}

/// How many events the stream buffers for a slow subscriber before it has
/// to reconnect (and catch up from the log with `Last-Event-ID`).
const STREAM_BUFFER: usize = 8192;

pub struct Live {
    store: SharedStore,
    clock: Arc<dyn Clock>,
    accounts: Mutex<HashMap<AccountId, Arc<AccountLive>>>,
    stream: broadcast::Sender<Arc<Published>>,
    /// When `step` last looked for deletions that waited for a logout.
    deletions_checked: AtomicI64,
    /// Turns true when the server shuts down: open event streams end, so
    /// draining the connections does not wait for them forever.
    closing: watch::Sender<bool>,
    /// This node's name among several sharing the database; `None`: the
    /// only server.
    node: Option<String>,
    /// The view has caught up with the log since start (`/readyz`).
    caught_up: AtomicBool,
    /// Counts the times `refresh` found an account's credentials moved
    /// and forgot them (several nodes only; see `credentials_mark`).
    credentials_forgotten: AtomicU64,
}

/// The lease on timed transitions, session expiries and deletions: one
/// node does them for all (`ClusterStore::hold_lease`).
const TIMERS_LEASE: &str = "timers";

/// How long the timers lease lasts unless renewed (every step, once a
/// second): a node that dies is replaced within this.
const TIMERS_LEASE_MS: i64 = 5_000;

/// Deletions waiting for a logout are looked for this often (a scan of the
/// agents table), not at every step.
const DELETIONS_EVERY: i64 = 30;

/// What one `step` did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct StepReport {
    /// Timed transitions logged (session ends, stale, offline, wrap-up end,
    /// overrun, deletions).
    pub events: usize,
    pub pings_flushed: usize,
}

impl Live {
    pub fn new(store: SharedStore, clock: Arc<dyn Clock>) -> Self {
        let (stream, _) = broadcast::channel(STREAM_BUFFER);
        Live {
            store,
            clock,
            accounts: Mutex::new(HashMap::new()),
            stream,
            deletions_checked: AtomicI64::new(i64::MIN),
            closing: watch::channel(false).0,
            node: None,
            // Alone, the view is read from the database as it is needed: it
            // is always the log's latest.
            caught_up: AtomicBool::new(true),
            credentials_forgotten: AtomicU64::new(0),
        }
    }

    /// This server is one node of several on one PostgreSQL database:
    /// requests compare the account's versions first (`refresh`), the
    /// follower folds in other nodes' events, and timed transitions need
    /// the timers lease. `node` names this node in the lease.
    pub fn in_cluster(mut self, node: String) -> Self {
        self.node = Some(node);
        // Caught up by the follower's first pass.
        self.caught_up = AtomicBool::new(false);
        self
    }

    /// Whether this server is one node of several.
    pub fn clustered(&self) -> bool {
        self.node.is_some()
    }

    /// This node's name among several (`None`: the only server).
    pub fn node(&self) -> Option<&str> {
        self.node.as_deref()
    }

    /// The view caught up with the log since start: a node is ready for
    /// requests only then (`/readyz`).
    pub fn caught_up(&self) -> bool {
        self.caught_up.load(Ordering::Relaxed)
    }

    pub fn now(&self) -> i64 {
        self.clock.now()
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Published>> {
        self.stream.subscribe()
    }

    /// Resolves once the server is shutting down.
    pub fn closing(&self) -> watch::Receiver<bool> {
        self.closing.subscribe()
    }

    /// Ends every open event stream (at shutdown).
    pub fn close_streams(&self) {
        self.closing.send_replace(true);
    }

    /// Loads the accounts that have agents online, so their timers run
    /// before anyone asks. Alone, pings missed while the server was down are
    /// forgiven: the heartbeat clock restarts now (see `account`).
    pub async fn start(&self) -> StoreResult<()> {
        for account in self.store.accounts_online().await? {
            self.account(&account).await?;
        }
        Ok(())
    }

    /// The account's live view, loaded from the store on first use.
    pub async fn account(&self, account: &AccountId) -> StoreResult<Arc<AccountLive>> {
        if let Some(live) = self.accounts.lock().get(account) {
            return Ok(live.clone());
        }
        let settings = self.store.live_settings(account).await?;
        let loaded = self.store.presence(account).await?;
        let now = self.clock.now();
        let mut agents = HashMap::new();
        for row in loaded.agents {
            let presence = serde_json::from_str::<Presence>(&row.snapshot)
                .map_err(|e| StoreError::Other(anyhow::anyhow!(e)))?
                .upgrade();
            // Alone, a load follows a restart: pings missed while the server
            // was down are forgiven. A node of several loads what the others
            // kept serving: the stored ping is the latest any node took.
            let forgive = presence.logged_in() && !self.clustered();
            let last_ping = if forgive { row.last_ping.max(now) } else { row.last_ping };
            agents.insert(row.agent_id, AgentLive { presence, last_ping, mic_perm: row.mic_perm, ping_dirty: false });
        }
        let loaded = Arc::new(AccountLive::new(settings, agents, loaded.next_seq));
        // Two first requests may load at once; the first one in wins.
        let mut accounts = self.accounts.lock();
        Ok(accounts.entry(account.clone()).or_insert(loaded).clone())
    }

    /// New settings take effect at once.
    pub async fn set_settings(&self, account: &AccountId, settings: LiveSettings) -> StoreResult<()> {
        let live = self.account(account).await?;
        let _writer = live.writer.clone().lock_owned().await;
        self.store.set_live_settings(account, &settings).await?;
        live.set_settings(settings);
        Ok(())
    }

    /// Starts a change of the account's agents: changes of one account are
    /// serialised, so each decides on the state the previous one left.
    async fn begin(&self, account: &AccountId) -> StoreResult<Draft> {
        let live = self.account(account).await?;
        let guard = if self.clustered() {
            self.held_turn(account, &live).await?
        } else {
            live.writer.clone().lock_owned().await
        };
        let rules = live.rules();
        let wrap_up_secs = live.settings().wrap_up_secs;
        let base = live.pending.next_seq();
        Ok(Draft {
            account: account.clone(),
            live,
            _guard: guard,
            now: self.clock.now(),
            rules,
            wrap_up_secs,
            agents: HashMap::new(),
            events: Vec::new(),
            fence: None,
            base,
        })
    }

    /// Makes the draft's events durable, then visible (memory, stream), and
    /// returns them numbered. The writer turn is given up as soon as the
    /// change has joined the account's open batch.
    ///
    /// A decision that logs nothing (a refusal, or nothing to change) is
    /// answered once the changes it may have read from the overlay are
    /// durable: if their batch is raced or fails, the refusal was decided on
    /// a state that never was, and is taken again (`Raced`) or fails with it
    /// — a node never refuses on a state it does not then report (issue 24).
    async fn commit(&self, draft: Draft) -> StoreResult<Vec<Logged>> {
        let live = draft.live.clone();
        let committed = self.commit_held(draft).await;
        if live.holds_writer() {
            tokio::spawn(live.release_if_idle());
        }
        committed
    }

    /// `commit`, before the writer hold is looked at.
    async fn commit_held(&self, draft: Draft) -> StoreResult<Vec<Logged>> {
        let Draft { account, live, _guard: turn, agents, events, fence, base, .. } = draft;
        if events.is_empty() {
            let Some(outcome) = live.pending.last_staged() else { return Ok(Vec::new()) };
            drop(turn);
            self.flush_until(&account, &live, &outcome).await?;
            return match outcome.get() {
                Some(Ok(_)) => Ok(Vec::new()),
                Some(Err(failed)) => Err(failed.to_store()),
                None => Err(StoreError::Other(anyhow::anyhow!("the batch decided on was never written"))),
            };
        }
        let touched: Vec<(AgentId, Presence)> = {
            let mut ids: Vec<AgentId> = events.iter().map(|(e, _)| e.agent).collect();
            ids.sort_unstable();
            ids.dedup();
            ids.into_iter().map(|id| (id, agents[&id].clone())).collect()
        };
        let ticket = live.pending.stage(touched, events, fence, base);
        drop(turn);
        self.flush_until(&account, &live, &ticket.outcome).await?;
        match ticket.outcome.get() {
            Some(Ok(logged)) => Ok(logged[ticket.events].to_vec()),
            Some(Err(failed)) => Err(failed.to_store()),
            None => Err(StoreError::Other(anyhow::anyhow!("the change's batch was never written"))),
        }
    }

    /// Waits until `outcome` is set, writing the open batch if nobody has
    /// (`outcome` is its own or an earlier batch's).
    async fn flush_until(
        &self,
        account: &AccountId,
        live: &Arc<AccountLive>,
        outcome: &Arc<batch::Outcome>,
    ) -> StoreResult<()> {
        // Its own task: a caller that goes away (a client disconnecting, the
        // request deadline) must not stop a flush half-way, which others'
        // answers depend on.
        let (store, stream, outcome) = (self.store.clone(), self.stream.clone(), outcome.clone());
        let (account, live) = (account.clone(), live.clone());
        let flush = tokio::spawn(async move {
            let _flushing = live.pending.flush_turn.lock().await;
            if outcome.get().is_none() {
                flush_batch(&store, &stream, &account, &live).await;
            }
        });
        flush.await.map_err(|e| StoreError::Other(anyhow::anyhow!("batch commit task: {e}")))
    }

    /// Commits a draft decided in a loop: `Some(events)` once durable,
    /// `None` when another node raced it — caught up since (`retake`), so
    /// the caller decides again. Raced once that happened too often.
    async fn commit_or_retake(&self, draft: Draft, races: &mut Races) -> StoreResult<Option<Vec<Logged>>> {
        let account = draft.account.clone();
        match self.commit(draft).await {
            Ok(events) => Ok(Some(events)),
            Err(StoreError::Raced) => {
                self.retake(&account, races).await?;
                Ok(None)
            }
            Err(err) => Err(err),
        }
    }

    /// What is recorded already of these calls — every `(agent, call id,
    /// kind, attempt)` — in a batch not yet durable, or in the log. Pending
    /// batches are asked first: a batch that becomes durable in between is
    /// then found in the log.
    pub async fn recorded_calls(&self, draft: &Draft, call_ids: &[String]) -> StoreResult<Vec<RecordedCall>> {
        let mut found = draft.live.pending.recorded(call_ids);
        found.extend(self.store.recorded_calls(&draft.account, call_ids).await?);
        Ok(found)
    }

    /// Decides and commits one change of the account's agents: the one way
    /// every change of presence is made (an API request, a timed
    /// transition, a session's end, a routing decision).
    ///
    /// `decide` gets the draft under the account's writer turn, on the
    /// state the previous change left: it reads it, applies the change's
    /// events and hands it back with what its caller wants to know (a
    /// refusal included). Its error drops the draft with nothing logged.
    /// The events are then made durable and visible (`commit`); when another
    /// node raced them, `decide` runs again on the latest state (each run
    /// starts afresh, so it must not keep what an earlier run counted).
    /// Returns its answer and the events as logged.
    ///
    /// The draft goes in and out by value, as a boxed future: an async
    /// closure borrowing it could not be shown to be `Send`.
    pub async fn decide<'env, R, E: From<StoreError>>(
        &self,
        account: &AccountId,
        mut decide: impl FnMut(Draft) -> Deciding<'env, R, E>,
    ) -> Result<(R, Vec<Logged>), E> {
        let mut races = Races::default();
        loop {
            let draft = self.begin(account).await?;
            let (draft, answer) = decide(draft).await?;
            if let Some(events) = self.commit_or_retake(draft, &mut races).await? {
                return Ok((answer, events));
            }
        }
    }

    /// `decide` for a change decided without waiting on anything.
    pub async fn record<R: Send>(&self, account: &AccountId, decide: impl FnMut(&mut Draft) -> R) -> StoreResult<R> {
        Ok(self.record_and_log(account, decide).await?.0)
    }

    /// `record`, with the events as logged.
    async fn record_and_log<R: Send>(
        &self,
        account: &AccountId,
        mut decide: impl FnMut(&mut Draft) -> R,
    ) -> StoreResult<(R, Vec<Logged>)> {
        self.decide(account, |mut draft| {
            let answer = decide(&mut draft);
            Box::pin(std::future::ready(Ok::<_, StoreError>((draft, answer))))
        })
        .await
    }

    /// A session of the agent started.
    pub async fn login(&self, account: &AccountId, agent: AgentId) -> StoreResult<()> {
        self.record(account, |d| {
            let now = d.now;
            let events = d.presence(agent).login(agent, now);
            d.apply(events);
        })
        .await
    }

    /// The agent left (its last session ended by its own logout): during a
    /// talk the logout waits for the talk to end (`Presence::leave`); how
    /// many events that logged.
    pub async fn leave(&self, account: &AccountId, agent: AgentId, actor: Actor, reason: &str) -> StoreResult<usize> {
        self.record(account, |d| {
            let now = d.now;
            let events = d.presence(agent).leave(agent, now, actor, reason);
            let n = events.len();
            d.apply(events);
            n
        })
        .await
    }

    /// The agent's session ended (`reason`: `agent`, `switched_off`, …);
    /// how many events that logged (0 when the agent was offline already).
    pub async fn logout(&self, account: &AccountId, agent: AgentId, actor: Actor, reason: &str) -> StoreResult<usize> {
        self.record(account, |d| {
            let now = d.now;
            let events = d.presence(agent).logout(agent, now, actor, reason);
            let n = events.len();
            d.apply(events);
            n
        })
        .await
    }

    /// A ping from the agent's page: memory only, unless it brings the agent
    /// back from `stale`/`offline` (then it is an event like any other).
    pub async fn ping(&self, account: &AccountId, agent: AgentId, mic_perm: i64) -> StoreResult<State> {
        let live = self.account(account).await?;
        let now = self.clock.now();
        if let Some(state) = live.ping(agent, now, mic_perm) {
            return Ok(state);
        }
        let state = self
            .record(account, |d| {
                let events = d.presence(agent).ping(agent, now);
                d.apply(events);
                d.presence(agent).state
            })
            .await?;
        live.ping(agent, now, mic_perm);
        Ok(state)
    }

    /// The agent's presence as the view holds it.
    pub async fn agent(&self, account: &AccountId, agent: AgentId) -> StoreResult<AgentLive> {
        Ok(self.account(account).await?.agent(agent))
    }

    /// One pass of the background work: expired sessions ended, timed
    /// transitions due by now (each logged at the second it fell due), pings
    /// flushed, deletions that waited for a logout finalised.
    pub async fn step(&self) -> StoreResult<StepReport> {
        let mut report = StepReport::default();
        let now = self.clock.now();
        // First, whatever fails below: a change abandoned undecided (an
        // error) looked at no hold.
        for (_, live) in self.loaded() {
            if live.holds_writer() {
                live.release_if_idle().await;
            }
        }
        let fence = self.timers_fence().await?;
        if self.clustered() && fence.is_none() {
            // Another node keeps the time; this one still writes what it
            // alone knows: session uses and pings.
            self.store.expired_sessions(now).await?;
        } else {
            // Sessions that expired: first, so an agent whose session ended
            // before its heartbeat was lost goes offline for that reason.
            report.events += self.end_expired_sessions(now, fence.as_ref()).await?;
            report.events += self.fire_due(now, fence.as_ref()).await?;
            let last = self.deletions_checked.load(Ordering::Relaxed);
            if now.saturating_sub(last) >= DELETIONS_EVERY {
                self.deletions_checked.store(now, Ordering::Relaxed);
                for AgentOf { account, agent } in self.store.finalise_deletions(now).await? {
                    report.events += self.logout(&account, agent, Actor::System, "deleted").await?;
                }
            }
        }
        report.pings_flushed = self.flush_pings().await?;
        let accounts = self.loaded();
        let mut states = HashMap::new();
        for (_, live) in &accounts {
            live.tally(&mut states);
        }
        gauges::publish(&states, self.stream.receiver_count());
        Ok(report)
    }

    /// The accounts whose live view this node holds.
    fn loaded(&self) -> Vec<(AccountId, Arc<AccountLive>)> {
        self.accounts.lock().iter().map(|(k, v)| (k.clone(), v.clone())).collect()
    }

    /// Alone: no fence. In a cluster: takes or keeps the timers lease;
    /// `Some` while this node holds it.
    async fn timers_fence(&self) -> StoreResult<Option<Fence>> {
        let Some(node) = &self.node else { return Ok(None) };
        let epoch = self.store.hold_lease(TIMERS_LEASE, node, TIMERS_LEASE_MS).await?;
        Ok(epoch.map(|epoch| Fence { lease: TIMERS_LEASE, holder: node.clone(), epoch }))
    }

    /// Logs the timed transitions due by `now`, each at the second it fell
    /// due; how many events that logged.
    async fn fire_due(&self, now: i64, fence: Option<&Fence>) -> StoreResult<usize> {
        let mut logged = 0;
        for (account, live) in &self.loaded() {
            if live.due_agents(now).is_empty() {
                continue;
            }
            // One account's failure (its hold not had, a refused write) must
            // not stop every other account's timers: it is taken again next
            // second.
            match self.fire_due_in(account, live, now, fence).await {
                Ok(n) => logged += n,
                Err(err) => tracing::error!(%account, error = %err, "timed transitions failed; retrying next second"),
            }
        }
        Ok(logged)
    }

    /// `fire_due` for one account.
    async fn fire_due_in(
        &self,
        account: &AccountId,
        live: &Arc<AccountLive>,
        now: i64,
        fence: Option<&Fence>,
    ) -> StoreResult<usize> {
        if self.clustered() {
            // The heartbeat is decided on the latest ping any node took.
            self.take_pings(account, live, now).await?;
        }
        let ((), events) = self
            .record_and_log(account, |draft| {
                draft.fence = fence.cloned();
                // Asked again under the writer turn: a change may have landed meanwhile.
                for agent in live.due_agents(now) {
                    let last_ping = live.agent(agent).last_ping;
                    let rules = draft.rules;
                    let events = draft.presence(agent).due(agent, now, last_ping, &rules);
                    draft.apply(events);
                }
            })
            .await?;
        Ok(events.len())
    }

    /// Writes the pings received since the last flush, in one transaction.
    pub async fn flush_pings(&self) -> StoreResult<usize> {
        let accounts = self.loaded();
        let mut rows: Vec<PingRow> = Vec::new();
        for (account, live) in &accounts {
            rows.extend(live.take_dirty_pings().into_iter().map(|(agent_id, last_ping, mic_perm)| PingRow {
                account: account.clone(),
                agent_id,
                last_ping,
                mic_perm,
            }));
        }
        if let Err(err) = self.store.save_pings(&rows).await {
            // Not lost: marked dirty again for the next flush.
            for row in &rows {
                if let Some(live) = accounts.iter().find(|(a, _)| *a == row.account) {
                    live.1.mark_ping_dirty(row.agent_id);
                }
            }
            return Err(err);
        }
        if let Some(oldest) = rows.iter().map(|r| r.last_ping).min() {
            gauges::pings_flushed(rows.len(), self.clock.now() - oldest);
        }
        Ok(rows.len())
    }
}

/// One run of a `Live::decide`: the draft handed back with the answer.
pub type Deciding<'env, R, E> = Pin<Box<dyn Future<Output = Result<(Draft, R), E>> + Send + 'env>>;

/// A pending change of one account's agents, holding the account's writer
/// turn until it is committed or dropped.
pub struct Draft {
    pub account: AccountId,
    live: Arc<AccountLive>,
    _guard: OwnedMutexGuard<()>,
    /// The time the change is decided at.
    pub now: i64,
    pub rules: Rules,
    pub wrap_up_secs: i64,
    agents: HashMap<AgentId, Presence>,
    events: Vec<(Event, Shown)>,
    /// A timed transition's: written only under the timers lease.
    fence: Option<Fence>,
    /// Where the log ended, as this node knew, when the draft began: other
    /// nodes' events folded in while it decided make it stale (`batch.rs`).
    base: i64,
}

impl Draft {
    /// The agent's presence including this draft's changes.
    pub fn presence(&mut self, agent: AgentId) -> &Presence {
        let live = &self.live;
        self.agents.entry(agent).or_insert_with(|| live.decided(agent))
    }

    /// Folds `events` into the draft.
    pub fn apply(&mut self, events: Vec<Event>) {
        for event in events {
            self.presence(event.agent);
            let presence = self.agents.get_mut(&event.agent).expect("just loaded");
            let shown = presence.evolve(&event);
            self.events.push((event, shown));
        }
    }
}

/// Writes the account's open batch in one transaction (under the flush
/// turn) and answers everyone in it. However it ends — even by a panic —
/// the batch gets an outcome, so nobody waits for it forever.
async fn flush_batch(
    store: &SharedStore,
    stream: &broadcast::Sender<Arc<Published>>,
    account: &AccountId,
    live: &AccountLive,
) {
    let batch = live.pending.take_open();
    let _settled = batch::Unanswered(batch.outcome.clone());
    let written = async {
        if batch.stale {
            return Err(StoreError::Raced);
        }
        let snapshots = batch
            .agents
            .iter()
            .map(|(id, p)| {
                let json = serde_json::to_string(p).map_err(|e| StoreError::Other(e.into()))?;
                Ok(Snapshot { agent: *id, state: p.state, presence: json })
            })
            .collect::<StoreResult<Vec<_>>>()?;
        store.append_events(account, batch.first, batch.fence.as_ref(), &batch.events, &snapshots).await
    };
    match written.await {
        Ok(()) => {
            let logged: Vec<Logged> = batch
                .events
                .iter()
                .zip(batch.first..)
                .map(|((event, shown), seq)| Logged {
                    seq,
                    event: event.clone(),
                    state: shown.state,
                    state_reason: shown.reason.clone(),
                })
                .collect();
            let last = batch.first + batch.events.len() as i64 - 1;
            live.apply(batch.agents.iter().map(|(id, p)| (*id, p.clone())), last);
            live.pending.settle(&batch);
            for l in &logged {
                // Nobody listening is fine.
                let _ = stream.send(Arc::new(Published { account: account.clone(), logged: l.clone() }));
            }
            gauges::events_appended(logged.len());
            let _ = batch.outcome.set(Ok(Arc::new(logged)));
        }
        Err(err) => {
            let failed = batch::Failed::from_store(&err);
            if failed.kind == batch::FailedKind::Raced {
                tracing::debug!(%account, events = batch.events.len(), "another node appended first; deciding again");
            } else {
                tracing::error!(%account, error = %err, events = batch.events.len(), "batch commit failed");
            }
            let _turn = live.writer.clone().lock_owned().await;
            live.pending.fail_open(&failed, live.applied());
            let _ = batch.outcome.set(Err(failed));
        }
    }
}

/// The thin loop around `step`: once a second until `stop` resolves, then a
/// last flush of pings.
pub async fn run(live: Arc<Live>, stop: impl std::future::Future<Output = ()>) {
    crate::clock::each_second(stop, || async {
        if let Err(err) = live.step().await {
            tracing::error!(error = %err, "live step failed; retrying next second");
        }
    })
    .await;
    if let Err(err) = live.flush_pings().await {
        tracing::error!(error = %err, "final ping flush failed");
    }
}
