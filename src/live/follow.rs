//! Several nodes on one database (docs/SCALING.md): how a node's view stays
//! the fold of the one log every node appends to.
//!
//! - Before a request is answered, the account's versions are compared
//!   (one primary-key read, `refresh`): the node forgets the directory or
//!   the credentials another node changed, reloads the live settings, and
//!   folds in the events other nodes logged. So a client sees every change
//!   acknowledged before it sent the request, whichever node took it.
//! - A follower task folds other nodes' events in as they commit, woken by
//!   PostgreSQL notifications, and once a second compares every account it
//!   holds (which also catches up after a lost notification connection),
//!   so event streams on every node carry every event within a second.
//!   Events reach the stream in sequence order: a node publishes its own
//!   and others' events under one turn per account, each right after the
//!   previous one.
//! - Decisions of an account are taken by one node at a time (its writer
//!   hold, `hold.rs`); one whose batch another node raced all the same (a
//!   hold lost with its connection) is taken again after catching up
//!   (`retake`).

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use super::{AccountLive, Live, Published};
use crate::store::cluster::{LogWakeups, Wakeup};
use crate::store::{AccountId, EventQuery, StoreError, StoreResult};

/// Events read from the log per query while catching up.
const CATCH_UP_PAGE: i64 = 5_000;

/// How long a decision other nodes keep racing is taken again before the
/// request is told to retry later (503): a third of the request deadline.
/// Each race means another node's change landed, so the account makes
/// progress however many nodes write to it; a count of races as the bound
/// refused requests under sustained writes to one account through three
/// nodes, where a decision can lose many times in a row.
const RACING_FOR: Duration = Duration::from_secs(10);

/// How often, and since when, one decision was raced by other nodes'
/// appends (`Live::decide`).
#[derive(Debug, Default)]
pub(super) struct Races {
    count: u32,
    first: Option<Instant>,
}

/// The longest pause, in milliseconds, between two takes of a raced
/// decision.
const MAX_PAUSE_MS: u64 = 20;

/// Pings other nodes stored within this many seconds are taken each time
/// (each node writes its pings once a second).
const PING_WINDOW: i64 = 3;

impl Live {
    /// Compares the account's versions with what this node holds and
    /// brings its view up to them (see the module doc), with a read that
    /// began after this call did: concurrent calls for one account share
    /// one read (`Refreshes`). Returns whether credentials resolved from
    /// memory since `mark` (`credentials_mark`) may be stale and must be
    /// resolved again. NotFound: no such account.
    pub async fn refresh(&self, account: &AccountId, mark: u64) -> StoreResult<bool> {
        let live = self.account(account).await?;
        let arrived = live.refreshes.started.load(Ordering::SeqCst);
        let mut completed = live.refreshes.turn.lock().await;
        // Any comparison numbered past `arrived` read the versions after
        // this call began: what it found holds for this call too.
        if *completed <= arrived {
            let number = live.refreshes.started.fetch_add(1, Ordering::SeqCst) + 1;
            self.compare(account, &live).await?;
            *completed = number;
        }
        drop(completed);
        Ok(self.credentials_forgotten.load(Ordering::SeqCst) != mark)
    }

    /// Taken before credentials are resolved from this node's memory, and
    /// given to `refresh`, which says whether they were forgotten since.
    pub fn credentials_mark(&self) -> u64 {
        self.credentials_forgotten.load(Ordering::SeqCst)
    }

    /// One comparison of `refresh`, under the account's refresh turn.
    async fn compare(&self, account: &AccountId, live: &AccountLive) -> StoreResult<()> {
        let versions = self.store.account_versions(account).await?;
        let seen = live.seen();
        let directory_moved = seen.is_none_or(|s| s.directory != versions.directory);
        let credentials_moved = seen.is_none_or(|s| s.credentials != versions.credentials);
        // Forgotten before the versions are recorded as seen: a request
        // that finds them seen finds the caches forgotten too.
        self.store.forget_cached(account, directory_moved, credentials_moved);
        if credentials_moved {
            // After the forgetting: a caller whose mark is older resolves
            // again, one whose mark is newer resolved from the database.
            self.credentials_forgotten.fetch_add(1, Ordering::SeqCst);
        }
        if directory_moved && seen.is_some() {
            live.set_settings(self.store.live_settings(account).await?);
        }
        live.saw(versions);
        if versions.next_event_seq - 1 > live.applied() {
            self.catch_up(account, live).await?;
        }
        Ok(())
    }

    /// Folds the events the log holds beyond what the view holds, in
    /// sequence order, and publishes them to the event stream; how many.
    pub(super) async fn catch_up(&self, account: &AccountId, live: &AccountLive) -> StoreResult<usize> {
        // This node's own flushes publish under the same turn.
        let _flushing = live.pending.flush_turn.lock().await;
        let mut folded = 0;
        loop {
            let query = EventQuery {
                agents: None,
                from: i64::MIN,
                to: i64::MAX,
                after_seq: live.applied(),
                limit: Some(CATCH_UP_PAGE),
            };
            let logged = self.store.events(account, &query).await?;
            live.fold(&logged);
            for l in &logged {
                // Nobody listening is fine.
                let _ = self.stream.send(Arc::new(Published { account: account.clone(), logged: l.clone() }));
            }
            folded += logged.len();
            if (logged.len() as i64) < CATCH_UP_PAGE {
                break;
            }
        }
        live.pending.followed(live.applied());
        Ok(folded)
    }

    /// After a commit answered `Raced`: catches up with the log so the
    /// decision can be taken again, pausing a little first from the second
    /// race on (nodes racing for one account spread out). The pause comes
    /// before the catch-up: a decision taken on what the log held before a
    /// pause would race whatever other nodes appended during it. Raced
    /// once the decision has been racing for `RACING_FOR`: the request is
    /// answered 503, worth retrying.
    pub(super) async fn retake(&self, account: &AccountId, races: &mut Races) -> StoreResult<()> {
        races.count += 1;
        super::gauges::decision_retaken();
        if races.first.get_or_insert_with(Instant::now).elapsed() > RACING_FOR {
            return Err(StoreError::Raced);
        }
        if races.count > 1 {
            use rand::RngExt;
            let most = (u64::from(races.count) * 2).min(MAX_PAUSE_MS);
            let pause = rand::rng().random_range(0..=most);
            tokio::time::sleep(Duration::from_millis(pause)).await;
        }
        let live = self.account(account).await?;
        self.catch_up(account, &live).await?;
        Ok(())
    }

    /// Takes the pings other nodes stored lately into the account's view.
    pub(super) async fn take_pings(&self, account: &AccountId, live: &AccountLive, now: i64) -> StoreResult<()> {
        let rows = self.store.pings_since(account, now - PING_WINDOW).await?;
        live.merge_pings(&rows);
        Ok(())
    }

    /// Every account this node holds, brought up to the database.
    async fn follow_all(&self) -> StoreResult<()> {
        let now = self.clock.now();
        for (account, live) in self.loaded() {
            self.refresh(&account, self.credentials_mark()).await?;
            self.take_pings(&account, &live, now).await?;
        }
        Ok(())
    }
}

/// A node's follower (see the module doc), until `stop` resolves. The node
/// counts as caught up (`Live::caught_up`) after its first full pass.
pub async fn follow(live: Arc<Live>, mut wakeups: LogWakeups, stop: impl std::future::Future<Output = ()>) {
    // The listener gets its own task: a notification is never lost to a
    // tick that fires while it is being read.
    let (woken, mut wakes) = tokio::sync::mpsc::channel::<Wakeup>(1024);
    let listening = tokio::spawn(async move {
        loop {
            let wake = wakeups.next().await;
            if woken.send(wake).await.is_err() {
                break;
            }
        }
    });
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    tokio::pin!(stop);
    loop {
        tokio::select! {
            _ = &mut stop => break,
            Some(first) = wakes.recv() => {
                // A burst of commits costs one pass per account.
                let mut accounts = BTreeSet::new();
                let mut lost = false;
                let mut wake = Some(first);
                while let Some(w) = wake {
                    match w {
                        Wakeup::Account(account) => { accounts.insert(account); }
                        Wakeup::Lost => lost = true,
                    }
                    wake = wakes.try_recv().ok();
                }
                let result = if lost {
                    // Whatever was missed: every account with agents online
                    // (as at start), then everything held.
                    match live.start().await {
                        Ok(()) => live.follow_all().await,
                        Err(err) => Err(err),
                    }
                } else {
                    follow_some(&live, &accounts).await
                };
                if let Err(err) = result {
                    tracing::warn!(error = %err, "following other nodes' commits failed; retrying");
                }
            }
            _ = tick.tick() => match live.follow_all().await {
                Ok(()) => live.caught_up.store(true, Ordering::Relaxed),
                Err(err) => tracing::warn!(error = %err, "following other nodes' commits failed; retrying next second"),
            },
        }
    }
    listening.abort();
}

/// Catches up the accounts in `woken`; one this node does not hold yet is
/// loaded (as it is now): its stream may have subscribers soon, and the
/// timers run on whichever node keeps the time.
async fn follow_some(live: &Live, woken: &BTreeSet<AccountId>) -> StoreResult<()> {
    for account in woken {
        let held = live.accounts.lock().get(account).cloned();
        match held {
            Some(view) => {
                live.catch_up(account, &view).await?;
            }
            None => {
                live.account(account).await?;
            }
        }
    }
    Ok(())
}
