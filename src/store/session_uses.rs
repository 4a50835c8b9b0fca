//! Sliding session lifetimes: each use of a session moves its expiry to the
//! use plus the session lifetime. Writing that on every request would put a
//! write on the ping path, so the latest expiry of each session lives here
//! and reaches the database in batches, ahead of time.
//!
//! The rule that keeps the database exact about which sessions are alive:
//! a session's stored expiry is rewritten (to the latest) as soon as it is
//! less than [`WRITE_AHEAD`] away, and the background step does that every
//! second. So a stored expiry in the past always means the session really
//! expired, the step can find expired sessions in the database alone, and a
//! crash or restart never ends a session in use unless the server stays down
//! longer than [`WRITE_AHEAD`]. A session in use costs one write per
//! session lifetime (less five minutes), not one per request.

use parking_lot::Mutex;
use std::collections::HashMap;

/// How far ahead of now a session in use keeps its stored expiry, in seconds.
pub const WRITE_AHEAD: i64 = 300;

#[derive(Debug, Clone, Copy)]
struct Slide {
    /// The expiry the latest use gave it (Unix seconds).
    latest: i64,
    /// The expiry the database holds, as far as this process knows.
    stored: i64,
}

/// The sessions used while this process ran, by `ssid_hash`.
#[derive(Default)]
pub(super) struct SessionUses {
    inner: Mutex<HashMap<String, Slide>>,
}

impl SessionUses {
    fn lock(&self) -> parking_lot::MutexGuard<'_, HashMap<String, Slide>> {
        // Plain numbers: a panic elsewhere cannot leave them half-made.
        self.inner.lock()
    }

    /// A use moved the session's expiry to `latest`; `stored` is the
    /// database's value when the caller just read it (`None`: not read).
    pub(super) fn used(&self, ssid_hash: &str, latest: i64, stored: Option<i64>) {
        let mut slides = self.lock();
        if let Some(slide) = slides.get_mut(ssid_hash) {
            slide.latest = slide.latest.max(latest);
            if let Some(stored) = stored {
                slide.stored = slide.stored.max(stored);
            }
            return;
        }
        // Unknown stored value: written at the next flush.
        let stored = stored.unwrap_or(i64::MIN);
        slides.insert(ssid_hash.to_string(), Slide { latest: latest.max(stored), stored });
    }

    /// The session's expiry: the database's `stored` value or a later one
    /// its uses gave it and that is not written yet.
    pub(super) fn expiry(&self, ssid_hash: &str, stored: i64) -> i64 {
        self.lock().get(ssid_hash).map_or(stored, |slide| slide.latest.max(stored))
    }

    /// `(ssid_hash, expiry)` to write now: every session whose stored
    /// expiry is behind its latest and less than [`WRITE_AHEAD`] after
    /// `now` (or, with `all`, every one behind, at shutdown). Sessions past
    /// their expiry with nothing left to write are forgotten.
    pub(super) fn to_write(&self, now: i64, all: bool) -> Vec<(String, i64)> {
        let mut slides = self.lock();
        slides.retain(|_, slide| slide.latest > now || slide.latest > slide.stored);
        slides
            .iter()
            .filter(|(_, slide)| slide.latest > slide.stored && (all || slide.stored < now + WRITE_AHEAD))
            .map(|(hash, slide)| (hash.clone(), slide.latest))
            .collect()
    }

    /// `rows` (from `to_write`) are in the database now.
    pub(super) fn written(&self, rows: &[(String, i64)]) {
        let mut slides = self.lock();
        for (hash, expiry) in rows {
            if let Some(slide) = slides.get_mut(hash) {
                slide.stored = slide.stored.max(*expiry);
            }
        }
    }

    /// The session ended (logout, expiry): nothing of it is written any more.
    pub(super) fn forget(&self, ssid_hash: &str) {
        self.lock().remove(ssid_hash);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: i64 = 1_000_000;

    #[test]
    fn a_use_is_written_only_once_its_stored_expiry_comes_within_the_write_ahead() {
        let uses = SessionUses::default();
        // Logged in at T with a 3600 s lifetime, used at T+60.
        uses.used("s", T + 3660, Some(T + 3600));
        assert_eq!(uses.expiry("s", T + 3600), T + 3660);
        assert!(uses.to_write(T + 60, false).is_empty());
        // Five minutes before the stored expiry it is written.
        let rows = uses.to_write(T + 3600 - WRITE_AHEAD + 1, false);
        assert_eq!(rows, vec![("s".to_string(), T + 3660)]);
        uses.written(&rows);
        assert!(uses.to_write(T + 3600 - WRITE_AHEAD + 2, false).is_empty());
    }

    #[test]
    fn at_shutdown_every_use_not_written_is_written() {
        let uses = SessionUses::default();
        uses.used("s", T + 3660, Some(T + 3600));
        assert_eq!(uses.to_write(T + 60, true), vec![("s".to_string(), T + 3660)]);
    }

    #[test]
    fn a_use_never_moves_the_expiry_back() {
        let uses = SessionUses::default();
        uses.used("s", T + 500, Some(T + 400));
        uses.used("s", T + 450, None);
        assert_eq!(uses.expiry("s", T + 400), T + 500);
        // A stored value later than what this process saw wins.
        assert_eq!(uses.expiry("s", T + 900), T + 900);
    }

    #[test]
    fn a_use_whose_stored_value_is_unknown_is_written_at_the_next_flush() {
        let uses = SessionUses::default();
        uses.used("s", T + 3600, None);
        assert_eq!(uses.to_write(T, false), vec![("s".to_string(), T + 3600)]);
    }

    #[test]
    fn expired_sessions_are_written_first_and_then_forgotten() {
        let uses = SessionUses::default();
        uses.used("s", T + 100, Some(T + 50));
        // Past its latest expiry, still behind in the database: the exact
        // second it expired is written.
        let rows = uses.to_write(T + 200, false);
        assert_eq!(rows, vec![("s".to_string(), T + 100)]);
        uses.written(&rows);
        assert!(uses.to_write(T + 200, false).is_empty());
        assert_eq!(uses.expiry("s", T + 50), T + 50);
    }

    #[test]
    fn an_ended_session_is_forgotten() {
        let uses = SessionUses::default();
        uses.used("s", T + 100, Some(T + 50));
        uses.forget("s");
        assert!(uses.to_write(T, true).is_empty());
    }
}
