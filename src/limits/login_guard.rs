//! Online password guessing is slowed down per email: after a few failed
//! logins within a window, that email answers 429 until the window ends.

use parking_lot::Mutex;
use std::collections::HashMap;

/// Emails tracked before old entries are swept out.
const SWEEP_AT: usize = 10_000;

#[derive(Debug, Clone, Copy)]
struct Failures {
    count: u32,
    since: i64,
}

#[derive(Debug)]
pub struct LoginGuard {
    max_failures: u32,
    window_secs: i64,
    failures: Mutex<HashMap<String, Failures>>,
}

impl LoginGuard {
    pub fn new(max_failures: u32, window_secs: i64) -> Self {
        Self { max_failures, window_secs, failures: Mutex::new(HashMap::new()) }
    }

    fn with<T>(&self, f: impl FnOnce(&mut HashMap<String, Failures>) -> T) -> T {
        let mut map = self.failures.lock();
        f(&mut map)
    }

    /// `Err(seconds)` while the email is locked out.
    pub fn check(&self, email: &str, now: i64) -> Result<(), i64> {
        self.with(|map| match map.get(email) {
            Some(f) if f.count >= self.max_failures && now < f.since + self.window_secs => {
                Err(f.since + self.window_secs - now)
            }
            _ => Ok(()),
        })
    }

    pub fn failed(&self, email: &str, now: i64) {
        self.with(|map| {
            if map.len() >= SWEEP_AT {
                map.retain(|_, f| now < f.since + self.window_secs);
            }
            let entry = map.entry(email.to_string()).or_insert(Failures { count: 0, since: now });
            if now >= entry.since + self.window_secs {
                *entry = Failures { count: 0, since: now };
            }
            entry.count += 1;
        });
    }

    pub fn succeeded(&self, email: &str) {
        self.with(|map| map.remove(email));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_email_is_locked_after_its_failures_until_the_window_ends() {
        let guard = LoginGuard::new(3, 300);
        for t in 0..3 {
            assert_eq!(guard.check("a@x.com", 100 + t), Ok(()));
            guard.failed("a@x.com", 100 + t);
        }
        assert_eq!(guard.check("a@x.com", 110), Err(290));
        assert_eq!(guard.check("b@x.com", 110), Ok(()));
        assert_eq!(guard.check("a@x.com", 400), Ok(()));
        guard.failed("a@x.com", 400);
        assert_eq!(guard.check("a@x.com", 401), Ok(()), "a new window starts after the old one");
    }

    #[test]
    fn a_success_clears_the_failures() {
        let guard = LoginGuard::new(2, 300);
        guard.failed("a@x.com", 0);
        guard.succeeded("a@x.com");
        guard.failed("a@x.com", 1);
        assert_eq!(guard.check("a@x.com", 2), Ok(()));
    }
}
