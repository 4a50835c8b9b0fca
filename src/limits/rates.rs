//! Request budgets, so that one credential (a runaway script, a telephony
//! integration replaying a day) cannot raise everyone else's latency.
//!
//! Each request of an authenticated endpoint spends from two budgets: its
//! credential's (an account's own token or admin session, or one agent's
//! session) and its account's. Three kinds of request have budgets of their
//! own, sized for how they are used:
//!
//! | kind | per credential | per account |
//! |---|---|---|
//! | `callEvent` (telephony; bursts at shift start) | 10 × N/s | 40 × N/s |
//! | `agentProfile/setWebPingTime` (one every 15 s per page) | 1/s, burst 10 | 100 × N/s |
//! | everything else | N/s | 10 × N/s |
//!
//! N is `--rate-limit` (default 50); bursts are twice the rate unless the
//! table says otherwise; `--rate-limit 0` turns budgets off. Budgets are a
//! token bucket (GCRA, the `governor` crate) in the process's memory.
//!
//! Several nodes on one database (`--cluster`) share each budget: a node
//! sizes its buckets to its share, the budget divided by the nodes alive
//! (rounded up; `share.rs` keeps the count). Behind a balancer that spreads
//! requests, a credential gets its budget across the nodes together.

use std::hash::Hash;
use std::num::NonZeroU32;
use std::sync::Arc;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};

/// Keys tracked per budget before idle ones are swept out.
const SWEEP_AT: usize = 100_000;

/// Which budget a request spends from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Spend {
    CallEvent,
    Ping,
    Other,
}

impl Spend {
    /// Label for logs and metrics.
    pub fn as_str(self) -> &'static str {
        match self {
            Spend::CallEvent => "callEvent",
            Spend::Ping => "ping",
            Spend::Other => "other",
        }
    }
}

/// Who spends: the account, and the agent when the credential is an
/// agent's session (`None`: the account's own token or admin session).
pub type Spender = (String, Option<i64>);

/// Which budget ran out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Credential,
    Account,
}

impl Scope {
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Credential => "credential",
            Scope::Account => "account",
        }
    }
}

/// A refused request: which budget, and whole seconds until it may retry (≥ 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Exhausted {
    pub scope: Scope,
    pub retry_after_secs: i64,
}

struct Budget<K: Hash + Eq + Clone> {
    limiter: DefaultKeyedRateLimiter<K>,
}

impl<K: Hash + Eq + Clone> Budget<K> {
    fn new(per_second: u32, burst: u32) -> Option<Self> {
        let rate = NonZeroU32::new(per_second)?;
        let burst = NonZeroU32::new(burst.max(per_second)).unwrap_or(rate);
        Some(Self { limiter: DefaultKeyedRateLimiter::keyed(Quota::per_second(rate).allow_burst(burst)) })
    }

    /// `Err(seconds)` when the key's budget is spent.
    fn spend(&self, key: &K) -> Result<(), i64> {
        if self.limiter.len() > SWEEP_AT {
            self.limiter.retain_recent();
        }
        self.limiter.check_key(key).map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            (wait.as_secs_f64().ceil() as i64).max(1)
        })
    }
}

struct Kind {
    credential: Budget<Spender>,
    account: Budget<String>,
}

/// Every budget of the server; see the module docs for their sizes.
pub struct RateLimits {
    per_credential: u32,
    /// Among how many nodes the budgets are shared.
    nodes: std::sync::atomic::AtomicU32,
    /// `None`: budgets are off (`--rate-limit 0`).
    kinds: parking_lot::RwLock<Option<Arc<[Kind; 3]>>>,
}

impl RateLimits {
    /// Budgets scaled from `per_credential` (N requests per second of one
    /// credential for ordinary endpoints); `0` turns them off.
    pub fn new(per_credential: u32) -> Self {
        Self {
            per_credential,
            nodes: std::sync::atomic::AtomicU32::new(1),
            kinds: parking_lot::RwLock::new(Self::kinds(per_credential).map(Arc::new)),
        }
    }

    /// The budgets are shared among `nodes` nodes now: each bucket is sized
    /// anew to this node's share (a change starts them full).
    pub fn share_among(&self, nodes: u32) {
        let nodes = nodes.max(1);
        if self.nodes.swap(nodes, std::sync::atomic::Ordering::Relaxed) == nodes || self.per_credential == 0 {
            return;
        }
        let share = self.per_credential.div_ceil(nodes);
        *self.kinds.write() = Self::kinds(share).map(Arc::new);
    }

    fn kinds(n: u32) -> Option<[Kind; 3]> {
        let kind = |cred: (u32, u32), account: (u32, u32)| -> Option<Kind> {
            Some(Kind { credential: Budget::new(cred.0, cred.1)?, account: Budget::new(account.0, account.1)? })
        };
        let scaled = |k: u32| n.saturating_mul(k);
        Some([
            kind((scaled(10), scaled(20)), (scaled(40), scaled(80)))?,
            kind((1, 10), (scaled(100), scaled(200)))?,
            kind((n, scaled(2)), (scaled(10), scaled(20)))?,
        ])
    }

    /// Spends one request of `spender` from the budgets of `spend`: the
    /// credential's first, then the account's (a credential already over
    /// its own budget does not use up its account's).
    pub fn spend(&self, spend: Spend, spender: &Spender) -> Result<(), Exhausted> {
        let Some(kinds) = self.kinds.read().clone() else { return Ok(()) };
        let kind = &kinds[spend as usize];
        kind.credential
            .spend(spender)
            .map_err(|retry_after_secs| Exhausted { scope: Scope::Credential, retry_after_secs })?;
        kind.account.spend(&spender.0).map_err(|retry_after_secs| Exhausted { scope: Scope::Account, retry_after_secs })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_credential_gets_its_burst_then_waits_and_others_are_untouched() {
        let limits = RateLimits::new(1);
        let asha: Spender = ("1".into(), Some(1));
        let ben: Spender = ("1".into(), Some(2));
        assert_eq!(limits.spend(Spend::Other, &asha), Ok(()));
        assert_eq!(limits.spend(Spend::Other, &asha), Ok(()));
        let refused = limits.spend(Spend::Other, &asha).unwrap_err();
        assert_eq!(refused, Exhausted { scope: Scope::Credential, retry_after_secs: 1 });
        // Pings and telephony have budgets of their own.
        assert_eq!(limits.spend(Spend::Ping, &asha), Ok(()));
        assert_eq!(limits.spend(Spend::CallEvent, &asha), Ok(()));
        assert_eq!(limits.spend(Spend::Other, &ben), Ok(()));
    }

    #[test]
    fn an_account_budget_holds_across_its_credentials() {
        let limits = RateLimits::new(1);
        // The account's ordinary budget: 10/s, burst 20.
        let spent = (1..=30).filter(|agent| limits.spend(Spend::Other, &("7".into(), Some(*agent))).is_ok()).count();
        assert_eq!(spent, 20);
        let refused = limits.spend(Spend::Other, &("7".into(), Some(99))).unwrap_err();
        assert_eq!(refused.scope, Scope::Account);
        assert_eq!(limits.spend(Spend::Other, &("8".into(), None)), Ok(()), "another account is untouched");
    }

    #[test]
    fn three_nodes_each_allow_a_third_rounded_up() {
        let limits = RateLimits::new(3);
        limits.share_among(3);
        // A credential's ordinary budget on this node: 1/s, burst 2.
        let asha: Spender = ("1".into(), Some(1));
        let spent = (0..10).filter(|_| limits.spend(Spend::Other, &asha).is_ok()).count();
        assert_eq!(spent, 2);
        limits.share_among(1);
        let spent = (0..10).filter(|_| limits.spend(Spend::Other, &asha).is_ok()).count();
        assert_eq!(spent, 6, "alone again: the whole budget, burst 6");
    }

    #[test]
    fn zero_turns_budgets_off() {
        let limits = RateLimits::new(0);
        for _ in 0..1000 {
            assert_eq!(limits.spend(Spend::Other, &("1".into(), None)), Ok(()));
        }
    }
}
