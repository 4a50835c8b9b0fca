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
//! | `callEvent` events (telephony; bursts at shift start) | 10 × N/s | 40 × N/s |
//! | `agentProfile/setWebPingTime` (one every 15 s per page) | 1/s, burst 10 | 100 × N/s |
//! | everything else | N/s | 10 × N/s |
//!
//! `auth/login` (no credential yet) spends from its source address's
//! budget: N/5 per second (at least 1), burst 2 × N — a floor of a hundred
//! agents behind one NAT logs in at once, and a flood of password guesses
//! from one address costs at most N/5 argon2 checks a second (issue 24).
//!
//! A `callEvent` request costs one per event it carries (a batch of 100
//! costs 100), so batching does not multiply what a credential may send.
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
use std::net::IpAddr;
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
    /// A source address's logins.
    Source,
}

impl Scope {
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Credential => "credential",
            Scope::Account => "account",
            Scope::Source => "source",
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
    burst: NonZeroU32,
}

impl<K: Hash + Eq + Clone> Budget<K> {
    fn new(per_second: u32, burst: u32) -> Option<Self> {
        let rate = NonZeroU32::new(per_second)?;
        let burst = NonZeroU32::new(burst.max(per_second)).unwrap_or(rate);
        Some(Self { limiter: DefaultKeyedRateLimiter::keyed(Quota::per_second(rate).allow_burst(burst)), burst })
    }

    /// Spends `cost` units of the key's budget (at most a whole burst: a
    /// request bigger than that costs the burst, so it can still pass);
    /// `Err(seconds)` when they are not there.
    fn spend(&self, key: &K, cost: u32) -> Result<(), i64> {
        if self.limiter.len() > SWEEP_AT {
            self.limiter.retain_recent();
        }
        let cost = NonZeroU32::new(cost).unwrap_or(NonZeroU32::MIN).min(self.burst);
        match self.limiter.check_key_n(key, cost) {
            Ok(Ok(())) => Ok(()),
            Ok(Err(not_until)) => {
                let wait = not_until.wait_time_from(DefaultClock::default().now());
                Err((wait.as_secs_f64().ceil() as i64).max(1))
            }
            // Not reachable: the cost is at most the burst.
            Err(_) => Err(1),
        }
    }
}

struct Kind {
    credential: Budget<Spender>,
    account: Budget<String>,
}

/// Every budget at one size: the three kinds, by `Spend`, and logins by source.
struct Budgets {
    kinds: [Kind; 3],
    logins: Budget<IpAddr>,
}

/// Every budget of the server; see the module docs for their sizes.
pub struct RateLimits {
    per_credential: u32,
    /// Among how many nodes the budgets are shared.
    nodes: std::sync::atomic::AtomicU32,
    /// `None`: budgets are off (`--rate-limit 0`).
    budgets: parking_lot::RwLock<Option<Arc<Budgets>>>,
}

impl RateLimits {
    /// Budgets scaled from `per_credential` (N requests per second of one
    /// credential for ordinary endpoints); `0` turns them off.
    pub fn new(per_credential: u32) -> Self {
        Self {
            per_credential,
            nodes: std::sync::atomic::AtomicU32::new(1),
            budgets: parking_lot::RwLock::new(Self::budgets(per_credential).map(Arc::new)),
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
        *self.budgets.write() = Self::budgets(share).map(Arc::new);
    }

    fn budgets(n: u32) -> Option<Budgets> {
        let kind = |cred: (u32, u32), account: (u32, u32)| -> Option<Kind> {
            Some(Kind { credential: Budget::new(cred.0, cred.1)?, account: Budget::new(account.0, account.1)? })
        };
        let scaled = |k: u32| n.saturating_mul(k);
        let kinds = [
            kind((scaled(10), scaled(20)), (scaled(40), scaled(80)))?,
            kind((1, 10), (scaled(100), scaled(200)))?,
            kind((n, scaled(2)), (scaled(10), scaled(20)))?,
        ];
        Some(Budgets { kinds, logins: Budget::new((n / 5).max(1), scaled(2))? })
    }

    /// Spends one request of `spender` from the budgets of `spend`: the
    /// credential's first, then the account's (a credential already over
    /// its own budget does not use up its account's).
    pub fn spend(&self, spend: Spend, spender: &Spender) -> Result<(), Exhausted> {
        self.spend_n(spend, spender, 1)
    }

    /// As `spend`, `cost` units at once: a `callEvent` batch costs one per
    /// event, so batching does not multiply what a credential may send
    /// (at most a whole burst per request).
    pub fn spend_n(&self, spend: Spend, spender: &Spender, cost: u32) -> Result<(), Exhausted> {
        let Some(budgets) = self.budgets.read().clone() else { return Ok(()) };
        let kind = &budgets.kinds[spend as usize];
        kind.credential
            .spend(spender, cost)
            .map_err(|retry_after_secs| Exhausted { scope: Scope::Credential, retry_after_secs })?;
        kind.account
            .spend(&spender.0, cost)
            .map_err(|retry_after_secs| Exhausted { scope: Scope::Account, retry_after_secs })
    }

    /// Spends one login attempt of `source` (an unknown source is one
    /// address: the unspecified one), before any lookup or password check.
    pub fn spend_login(&self, source: Option<IpAddr>) -> Result<(), Exhausted> {
        let Some(budgets) = self.budgets.read().clone() else { return Ok(()) };
        let source = source.map_or(IpAddr::V6(std::net::Ipv6Addr::UNSPECIFIED), super::client_address::limit_key);
        budgets
            .logins
            .spend(&source, 1)
            .map_err(|retry_after_secs| Exhausted { scope: Scope::Source, retry_after_secs })
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
    fn a_batch_of_call_events_costs_one_per_event_and_at_most_a_burst() {
        // callEvent per credential with N = 1: 10 a second, burst 20.
        let limits = RateLimits::new(1);
        let pbx: Spender = ("1".into(), None);
        assert_eq!(limits.spend_n(Spend::CallEvent, &pbx, 15), Ok(()));
        assert_eq!(limits.spend_n(Spend::CallEvent, &pbx, 15).unwrap_err().scope, Scope::Credential);
        assert_eq!(limits.spend_n(Spend::CallEvent, &pbx, 5), Ok(()), "what is left of the burst");
        // A batch bigger than the burst costs the burst, once it is full again.
        let fresh: Spender = ("2".into(), None);
        assert_eq!(limits.spend_n(Spend::CallEvent, &fresh, 1000), Ok(()));
        assert!(limits.spend_n(Spend::CallEvent, &fresh, 1).is_err());
    }

    #[test]
    fn logins_spend_their_source_addresses_budget() {
        let limits = RateLimits::new(5);
        let (one, two): (IpAddr, IpAddr) = ("192.0.2.1".parse().unwrap(), "192.0.2.2".parse().unwrap());
        // 1 a second, burst 10.
        let spent = (0..30).filter(|_| limits.spend_login(Some(one)).is_ok()).count();
        assert_eq!(spent, 10);
        let refused = limits.spend_login(Some(one)).unwrap_err();
        assert_eq!(refused, Exhausted { scope: Scope::Source, retry_after_secs: 1 });
        assert_eq!(limits.spend_login(Some(two)), Ok(()), "another address is untouched");
        assert_eq!(limits.spend(Spend::Other, &("1".into(), None)), Ok(()), "and so are the credentials");
    }

    #[test]
    fn zero_turns_budgets_off() {
        let limits = RateLimits::new(0);
        for _ in 0..1000 {
            assert_eq!(limits.spend(Spend::Other, &("1".into(), None)), Ok(()));
            assert_eq!(limits.spend_login(None), Ok(()));
        }
    }
}
