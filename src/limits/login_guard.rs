//! Online password guessing is slowed down without handing strangers a way
//! to lock an agent out of work: failures are counted per source address
//! *and* email, so only the address that failed is locked out for that email.

use std::collections::HashMap;
use std::net::IpAddr;
use std::time::Duration;

use parking_lot::Mutex;

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
#[derive(Debug)]
pub struct LoginGuard {
    max_failures: u32,
    window_secs: i64,
    per_source: Mutex<HashMap<(Option<IpAddr>, String), Failures>>,
    per_email: Mutex<HashMap<String, Failures>>,
}

/// Counts one failure in `map` under `key`, starting a new window when the
/// old one is over; returns the count.
fn count<K: std::hash::Hash + Eq>(map: &mut HashMap<K, Failures>, key: K, now: i64, window: i64) -> u32 {
    if map.len() >= SWEEP_AT {
        map.retain(|_, f| f.live(now, window));
    }
    let entry = map.entry(key).or_insert(Failures { count: 0, since: now });
    if !entry.live(now, window) {
        *entry = Failures { count: 0, since: now };
    }
    entry.count += 1;
    entry.count
}

impl LoginGuard {
    pub fn new(max_failures: u32, window_secs: i64) -> Self {
        Self {
            max_failures,
            window_secs,
            per_source: Mutex::new(HashMap::new()),
            per_email: Mutex::new(HashMap::new()),
        }
    }

    /// Whether an attempt from `source` on `email` may be checked, and when.
    pub fn check(&self, source: Option<IpAddr>, email: &str, now: i64) -> Verdict {
        let key = (source, email.to_string());
        if let Some(f) = self.per_source.lock().get(&key)
            && f.count >= self.max_failures
            && f.live(now, self.window_secs)
        {
            return Verdict::LockedOut(f.since + self.window_secs - now);
        }
        match self.per_email.lock().get(email) {
            Some(f) if f.count >= self.max_failures * SLOW_DOWN_AFTER && f.live(now, self.window_secs) => {
                Verdict::SlowDown
            }
            _ => Verdict::Proceed,
        }
    }

    /// Counts a failure; `Some(seconds)` when it locks `source` out of `email`.
    pub fn failed(&self, source: Option<IpAddr>, email: &str, now: i64) -> Option<i64> {
        count(&mut self.per_email.lock(), email.to_string(), now, self.window_secs);
        let failures = count(&mut self.per_source.lock(), (source, email.to_string()), now, self.window_secs);
        (failures == self.max_failures).then_some(self.window_secs)
    }

    /// A right password from `source` clears that address's failures for the email.
    pub fn succeeded(&self, source: Option<IpAddr>, email: &str) {
        self.per_source.lock().remove(&(source, email.to_string()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: Option<IpAddr> = Some(IpAddr::V4(std::net::Ipv4Addr::new(10, 0, 0, 1)));
    const B: Option<IpAddr> = Some(IpAddr::V4(std::net::Ipv4Addr::new(10, 0, 0, 2)));

    #[test]
    fn an_address_is_locked_out_of_an_email_after_its_failures_until_the_window_ends() {
        let guard = LoginGuard::new(3, 300);
        for t in 0..3 {
            assert_eq!(guard.check(A, "a@x.com", 100 + t), Verdict::Proceed);
            assert_eq!(guard.failed(A, "a@x.com", 100 + t), (t == 2).then_some(300));
        }
        assert_eq!(guard.check(A, "a@x.com", 110), Verdict::LockedOut(290));
        assert_eq!(guard.check(A, "b@x.com", 110), Verdict::Proceed, "another email");
        assert_eq!(guard.check(B, "a@x.com", 110), Verdict::Proceed, "another address");
        assert_eq!(guard.check(A, "a@x.com", 400), Verdict::Proceed);
        guard.failed(A, "a@x.com", 400);
        assert_eq!(guard.check(A, "a@x.com", 401), Verdict::Proceed, "a new window starts after the old one");
    }

    #[test]
    fn a_success_clears_the_failures_of_its_address() {
        let guard = LoginGuard::new(2, 300);
        guard.failed(A, "a@x.com", 0);
        guard.succeeded(A, "a@x.com");
        guard.failed(A, "a@x.com", 1);
        assert_eq!(guard.check(A, "a@x.com", 2), Verdict::Proceed);
    }

    #[test]
    fn many_addresses_failing_on_one_email_slow_it_down_without_locking_it() {
        let guard = LoginGuard::new(2, 300);
        for i in 0..8u8 {
            let source = Some(IpAddr::V4(std::net::Ipv4Addr::new(10, 1, 0, i)));
            guard.failed(source, "a@x.com", 10);
        }
        assert_eq!(guard.check(A, "a@x.com", 11), Verdict::SlowDown);
        assert_eq!(guard.check(A, "b@x.com", 11), Verdict::Proceed);
        assert_eq!(guard.check(A, "a@x.com", 310), Verdict::Proceed, "the window ended");
    }
}
