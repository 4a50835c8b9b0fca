//! Online password guessing is slowed down without handing strangers a way
//! to lock an agent out of work: failures are counted per source address
//! *and* email, so only the address that failed is locked out for that email.
//! Several nodes on one database count them there, together.

use std::collections::HashMap;
use std::net::IpAddr;
use std::time::Duration;

use parking_lot::Mutex;

use crate::store::{SharedStore, StoreResult};

/// Entries tracked (per map) before old ones are swept out.
const SWEEP_AT: usize = 10_000;

/// Failures of one email from all addresses together, as a multiple of the
/// per-address limit, beyond which every attempt on that email waits
/// `SLOW_DOWN` before its password is checked. A guesser spread over many
/// addresses is slowed; the agent, whose right password still works, only
/// waits.
const SLOW_DOWN_AFTER: u32 = 4;
pub const SLOW_DOWN: Duration = Duration::from_secs(1);

#[derive(Debug, Clone, Copy)]
struct Failures {
    count: u32,
    since: i64,
}

impl Failures {
    fn live(&self, now: i64, window: i64) -> bool {
        now < self.since + window
    }
}

/// What to do with a login attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Check the password now.
    Proceed,
    /// Check it after `SLOW_DOWN`: the email is under attack from many addresses.
    SlowDown,
    /// 429: this address failed too often for this email; retry after so many seconds.
    LockedOut(i64),
}

/// Failed logins per (source address, email), and per email for the slow-down.
pub struct LoginGuard {
    max_failures: u32,
    window_secs: i64,
    counts: Counts,
}

/// Where failures are counted: this process's memory, or the database
/// several nodes share (a guesser spreading attempts over the nodes is
/// counted once).
enum Counts {
    Memory(Mutex<HashMap<String, Failures>>),
    Shared(SharedStore),
}

/// The key of one address's failures on one email (an IPv6 address by its
/// /64, `client_address::limit_key`).
fn source_key(source: Option<IpAddr>, email: &str) -> String {
    let source = source.map_or_else(|| "-".to_string(), |s| super::client_address::limit_key(s).to_string());
    format!("source {source} {email}")
}

/// The key of every address's failures on one email.
fn email_key(email: &str) -> String {
    format!("email {email}")
}

impl Counts {
    async fn get(&self, key: &str) -> StoreResult<Option<Failures>> {
        match self {
            Counts::Memory(map) => Ok(map.lock().get(key).copied()),
            Counts::Shared(store) => Ok(store
                .login_failures(key)
                .await?
                .map(|(count, since)| Failures { count: u32::try_from(count).unwrap_or(u32::MAX), since })),
        }
    }

    /// Counts one failure under `key`, starting a new window when the old
    /// one is over; returns the count.
    async fn count(&self, key: String, now: i64, window: i64) -> StoreResult<u32> {
        match self {
            Counts::Memory(map) => {
                let mut map = map.lock();
                if map.len() >= SWEEP_AT {
                    map.retain(|_, f| f.live(now, window));
                }
                let entry = map.entry(key).or_insert(Failures { count: 0, since: now });
                if !entry.live(now, window) {
                    *entry = Failures { count: 0, since: now };
                }
                entry.count += 1;
                Ok(entry.count)
            }
            Counts::Shared(store) => {
                let count = store.count_login_failure(&key, now, window).await?;
                Ok(u32::try_from(count).unwrap_or(u32::MAX))
            }
        }
    }

    async fn clear(&self, key: &str) -> StoreResult<()> {
        match self {
            Counts::Memory(map) => {
                map.lock().remove(key);
                Ok(())
            }
            Counts::Shared(store) => store.clear_login_failures(key).await,
        }
    }
}

impl LoginGuard {
    /// Failures counted in this process's memory.
    pub fn new(max_failures: u32, window_secs: i64) -> Self {
        Self { max_failures, window_secs, counts: Counts::Memory(Mutex::new(HashMap::new())) }
    }

    /// Failures counted in the database several nodes share.
    pub fn shared(max_failures: u32, window_secs: i64, store: SharedStore) -> Self {
        Self { max_failures, window_secs, counts: Counts::Shared(store) }
    }

    /// Whether an attempt from `source` on `email` may be checked, and when.
    pub async fn check(&self, source: Option<IpAddr>, email: &str, now: i64) -> StoreResult<Verdict> {
        if let Some(f) = self.counts.get(&source_key(source, email)).await?
            && f.count >= self.max_failures
            && f.live(now, self.window_secs)
        {
            return Ok(Verdict::LockedOut(f.since + self.window_secs - now));
        }
        Ok(match self.counts.get(&email_key(email)).await? {
            Some(f) if f.count >= self.max_failures * SLOW_DOWN_AFTER && f.live(now, self.window_secs) => {
                Verdict::SlowDown
            }
            _ => Verdict::Proceed,
        })
    }

    /// Counts a failure; `Some(seconds)` when it locks `source` out of `email`.
    pub async fn failed(&self, source: Option<IpAddr>, email: &str, now: i64) -> StoreResult<Option<i64>> {
        self.counts.count(email_key(email), now, self.window_secs).await?;
        let failures = self.counts.count(source_key(source, email), now, self.window_secs).await?;
        Ok((failures == self.max_failures).then_some(self.window_secs))
    }

    /// A right password from `source` clears that address's failures for the email.
    pub async fn succeeded(&self, source: Option<IpAddr>, email: &str) -> StoreResult<()> {
        self.counts.clear(&source_key(source, email)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: Option<IpAddr> = Some(IpAddr::V4(std::net::Ipv4Addr::new(10, 0, 0, 1)));
    const B: Option<IpAddr> = Some(IpAddr::V4(std::net::Ipv4Addr::new(10, 0, 0, 2)));

    #[tokio::test]
    async fn an_address_is_locked_out_of_an_email_after_its_failures_until_the_window_ends() {
        let guard = LoginGuard::new(3, 300);
        for t in 0..3 {
            assert_eq!(guard.check(A, "a@x.com", 100 + t).await.unwrap(), Verdict::Proceed);
            assert_eq!(guard.failed(A, "a@x.com", 100 + t).await.unwrap(), (t == 2).then_some(300));
        }
        assert_eq!(guard.check(A, "a@x.com", 110).await.unwrap(), Verdict::LockedOut(290));
        assert_eq!(guard.check(A, "b@x.com", 110).await.unwrap(), Verdict::Proceed, "another email");
        assert_eq!(guard.check(B, "a@x.com", 110).await.unwrap(), Verdict::Proceed, "another address");
        assert_eq!(guard.check(A, "a@x.com", 400).await.unwrap(), Verdict::Proceed);
        guard.failed(A, "a@x.com", 400).await.unwrap();
        assert_eq!(
            guard.check(A, "a@x.com", 401).await.unwrap(),
            Verdict::Proceed,
            "a new window starts after the old one"
        );
    }

    #[tokio::test]
    async fn a_success_clears_the_failures_of_its_address() {
        let guard = LoginGuard::new(2, 300);
        guard.failed(A, "a@x.com", 0).await.unwrap();
        guard.succeeded(A, "a@x.com").await.unwrap();
        guard.failed(A, "a@x.com", 1).await.unwrap();
        assert_eq!(guard.check(A, "a@x.com", 2).await.unwrap(), Verdict::Proceed);
    }

    #[tokio::test]
    async fn many_addresses_failing_on_one_email_slow_it_down_without_locking_it() {
        let guard = LoginGuard::new(2, 300);
        for i in 0..8u8 {
            let source = Some(IpAddr::V4(std::net::Ipv4Addr::new(10, 1, 0, i)));
            guard.failed(source, "a@x.com", 10).await.unwrap();
        }
        assert_eq!(guard.check(A, "a@x.com", 11).await.unwrap(), Verdict::SlowDown);
        assert_eq!(guard.check(A, "b@x.com", 11).await.unwrap(), Verdict::Proceed);
        assert_eq!(guard.check(A, "a@x.com", 310).await.unwrap(), Verdict::Proceed, "the window ended");
    }
}
