//! Event streams open at once: a few per credential (a supervisor's tabs, a
//! console and its reconnect) and a bound for the whole server. A stream is
//! long-lived and outside the requests in flight, so without this one agent
//! session could hold thousands open (issue 24).

use std::collections::HashMap;
use std::sync::Arc;

use parking_lot::Mutex;

use super::rates::Spender;

/// Streams one credential may hold open at once.
pub const PER_CREDENTIAL: usize = 8;
/// Streams the server holds open at once.
pub const PER_SERVER: usize = 20_000;

#[derive(Debug, Default)]
struct Counts {
    by_credential: HashMap<Spender, usize>,
    total: usize,
}

/// The streams open now, per credential and in all.
#[derive(Debug, Clone)]
pub struct OpenStreams {
    counts: Arc<Mutex<Counts>>,
    per_credential: usize,
    per_server: usize,
}

/// One open stream; dropping it (the connection closed) frees its place.
#[derive(Debug)]
pub struct StreamPlace {
    counts: Arc<Mutex<Counts>>,
    holder: Spender,
}

impl Drop for StreamPlace {
    fn drop(&mut self) {
        let mut counts = self.counts.lock();
        counts.total -= 1;
        if let Some(n) = counts.by_credential.get_mut(&self.holder) {
            *n -= 1;
            if *n == 0 {
                counts.by_credential.remove(&self.holder);
            }
        }
    }
}

impl Default for OpenStreams {
    fn default() -> Self {
        Self::new(PER_CREDENTIAL, PER_SERVER)
    }
}

impl OpenStreams {
    pub fn new(per_credential: usize, per_server: usize) -> Self {
        Self { counts: Arc::default(), per_credential, per_server }
    }

    /// A place for one more stream of `holder`, or `None` when it holds
    /// `PER_CREDENTIAL` already or the server `PER_SERVER`.
    pub fn open(&self, holder: Spender) -> Option<StreamPlace> {
        let mut counts = self.counts.lock();
        let held = counts.by_credential.get(&holder).copied().unwrap_or(0);
        if held >= self.per_credential || counts.total >= self.per_server {
            return None;
        }
        counts.total += 1;
        counts.by_credential.insert(holder.clone(), held + 1);
        Some(StreamPlace { counts: self.counts.clone(), holder })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_credential_holds_a_few_streams_and_the_server_a_bounded_number() {
        let streams = OpenStreams::new(2, 3);
        let asha: Spender = ("1".into(), Some(1));
        let (a, _b) = (streams.open(asha.clone()).unwrap(), streams.open(asha.clone()).unwrap());
        assert!(streams.open(asha.clone()).is_none(), "a third of one credential");
        let _ben = streams.open(("1".into(), Some(2))).unwrap();
        assert!(streams.open(("2".into(), None)).is_none(), "the server is full");
        drop(a);
        assert!(streams.open(asha).is_some(), "a closed stream frees its place");
    }
}
