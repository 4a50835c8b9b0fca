//! Load shedding: beyond a number of API requests being handled at once, a
//! new one is answered 503 with `Retry-After` at once, instead of queueing
//! behind the others until the 30-second deadline answers it anyway. Event
//! streams are long-lived and not counted.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

#[derive(Debug)]
pub struct InFlight {
    max: usize,
    now: Arc<AtomicUsize>,
}

/// One request being handled; dropping it makes room for the next.
#[derive(Debug)]
pub struct Admitted(Arc<AtomicUsize>);

impl Drop for Admitted {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

impl InFlight {
    /// At most `max` requests at once (at least one).
    pub fn new(max: usize) -> Self {
        Self { max: max.max(1), now: Arc::new(AtomicUsize::new(0)) }
    }

    /// Room for one more request, or `None` when `max` are being handled.
    pub fn admit(&self) -> Option<Admitted> {
        let before = self.now.fetch_add(1, Ordering::AcqRel);
        let admitted = Admitted(self.now.clone());
        (before < self.max).then_some(admitted)
    }

    /// Requests being handled now.
    pub fn current(&self) -> usize {
        self.now.load(Ordering::Acquire)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_one_past_the_maximum_is_shed_and_room_comes_back() {
        let limit = InFlight::new(2);
        let a = limit.admit().expect("first");
        let _b = limit.admit().expect("second");
        assert!(limit.admit().is_none(), "third is shed");
        assert_eq!(limit.current(), 2, "a shed request does not stay counted");
        drop(a);
        assert!(limit.admit().is_some());
    }
}
