//! Remembered credentials: the principal behind a session or an API token,
//! so that a heartbeat or a break does not cost a four-table lookup.
//!
//! Correctness rests on two rules:
//! - every write of this store that could change what a credential resolves
//!   to (logout, token revocation, suspension, an agent switched off, deleted
//!   or given another role, a role's permissions, the account's country code)
//!   forgets the affected entries *after* it commits, and bumps a generation;
//! - a lookup that missed remembers its answer only if the generation did not
//!   move while it read the database, so an answer read before a change can
//!   never be remembered after it.
//!
//! Operators revoke tokens and suspend accounts from the command line, in
//! another process. Those two writes also bump the database's
//! `credential_epoch`; a running server compares it at most once per
//! [`EPOCH_CHECK`] and forgets everything when it moved, so such a change
//! reaches a running server within about a second.

use crate::domain::ids::{AccountId, AgentId};
use parking_lot::Mutex;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use super::AuthRecord;

/// How stale an out-of-process revocation or suspension may be.
pub const EPOCH_CHECK: Duration = Duration::from_secs(1);

/// Bound on remembered credentials (≈ 250 bytes each); past it, lookups
/// still answer, from the database.
const MAX_ENTRIES: usize = 100_000;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(super) enum Key {
    Session(String),
    Token { user_id: String, token_hash: String },
}

struct Entry {
    record: AuthRecord,
    /// When a session expires unless used again; each use moves it (see
    /// `session_uses.rs`). Tokens never expire (`i64::MAX`).
    expires_at: i64,
    /// The furthest a session's use may move `expires_at`.
    ends_at: i64,
}

struct Remembered {
    entries: HashMap<Key, Entry>,
    /// The database's `credential_epoch` when last compared.
    epoch: Option<i64>,
    epoch_checked: Option<Instant>,
}

pub(super) struct CredentialCache {
    generation: AtomicU64,
    inner: Mutex<Remembered>,
}

/// A lookup's ticket: the generation it saw before reading the database.
#[derive(Clone, Copy)]
pub(super) struct Generation(u64);

impl CredentialCache {
    pub(super) fn new() -> Self {
        Self {
            generation: AtomicU64::new(0),
            inner: Mutex::new(Remembered { entries: HashMap::new(), epoch: None, epoch_checked: None }),
        }
    }

    fn lock(&self) -> parking_lot::MutexGuard<'_, Remembered> {
        // Entries are plain data: a panic elsewhere cannot leave them half-made.
        self.inner.lock()
    }

    /// Whether this caller should compare the database epoch now; at most
    /// one caller per [`EPOCH_CHECK`] is told yes.
    pub(super) fn claim_epoch_check(&self) -> bool {
        let mut inner = self.lock();
        if inner.epoch_checked.is_some_and(|at| at.elapsed() < EPOCH_CHECK) {
            return false;
        }
        inner.epoch_checked = Some(Instant::now());
        true
    }

    /// Takes the database's epoch; forgets everything when it moved.
    pub(super) fn epoch_read(&self, epoch: i64) {
        let mut inner = self.lock();
        if inner.epoch.is_some_and(|seen| seen != epoch) {
            inner.entries.clear();
            self.generation.fetch_add(1, Ordering::SeqCst);
        }
        inner.epoch = Some(epoch);
    }

    /// Call before reading the database on a miss.
    pub(super) fn ticket(&self) -> Generation {
        Generation(self.generation.load(Ordering::SeqCst))
    }

    pub(super) fn get(&self, key: &Key, now: i64) -> Option<AuthRecord> {
        let inner = self.lock();
        let entry = inner.entries.get(key)?;
        (entry.expires_at > now).then(|| entry.record.clone())
    }

    /// A use of a remembered session that has not expired: its expiry moves
    /// to `now + ttl` (never past its end, never back). Returns the record
    /// and the new expiry.
    pub(super) fn use_session(&self, key: &Key, now: i64, ttl: i64) -> Option<(AuthRecord, i64)> {
        let mut inner = self.lock();
        let entry = inner.entries.get_mut(key).filter(|e| e.expires_at > now)?;
        entry.expires_at = entry.expires_at.max((now + ttl).min(entry.ends_at));
        Some((entry.record.clone(), entry.expires_at))
    }

    /// Remembers a record that lets its holder in, with its `(expires_at,
    /// ends_at)`; a refusal (suspended account, agent switched off) is
    /// always read afresh, so lifting it takes effect at once.
    pub(super) fn remember(&self, ticket: Generation, key: Key, record: &AuthRecord, lifetime: (i64, i64), now: i64) {
        if !record.lets_in() {
            return;
        }
        let (expires_at, ends_at) = lifetime;
        let mut inner = self.lock();
        if self.generation.load(Ordering::SeqCst) != ticket.0 {
            return;
        }
        if inner.entries.len() >= MAX_ENTRIES {
            inner.entries.retain(|_, e| e.expires_at > now);
            if inner.entries.len() >= MAX_ENTRIES {
                return;
            }
        }
        inner.entries.insert(key, Entry { record: record.clone(), expires_at, ends_at });
    }

    fn forget_where(&self, doomed: impl Fn(&Entry) -> bool) {
        let mut inner = self.lock();
        inner.entries.retain(|_, e| !doomed(e));
        // Inside the lock: a lookup that missed before this cannot remember
        // what it read.
        self.generation.fetch_add(1, Ordering::SeqCst);
    }

    /// Everything of one account: suspension, a token revoked, a role's
    /// permissions, the country code.
    pub(super) fn forget_account(&self, account: &AccountId) {
        self.forget_where(|e| e.record.account_id == *account);
    }

    /// One agent's sessions: switched off, deleted, another role, logged out.
    pub(super) fn forget_agent(&self, account: &AccountId, agent_id: AgentId) {
        self.forget_where(|e| {
            e.record.account_id == *account && e.record.agent.as_ref().is_some_and(|a| a.agent_id == agent_id)
        });
    }

    pub(super) fn forget(&self, key: &Key) {
        let mut inner = self.lock();
        inner.entries.remove(key);
        self.generation.fetch_add(1, Ordering::SeqCst);
    }
}
