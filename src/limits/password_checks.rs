//! Password hashing and checking (argon2: about 20 ms of one core and
//! 19 MiB each, by design) run a bounded number at once. Without a bound,
//! a burst of unauthenticated logins ran one blocking thread each: 256 at
//! once from one address held every core, grew the process past 1 GiB and
//! made another tenant's requests wait seconds (issue 24). Beyond the
//! running checks a few more may wait their turn; past that a request is
//! refused at once (`Busy`, answered 503 with `Retry-After`), so what the
//! server owes is bounded in time and memory whatever arrives.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::sync::Semaphore;

/// How many checks may wait per check that runs (4 × 20 ms ≈ 80 ms of
/// waiting at most for one that gets in).
pub const WAITING_PER_RUNNING: usize = 4;

/// Refused: every place, running and waiting, is taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Busy;

/// The gate every argon2 call of the server goes through.
#[derive(Debug)]
pub struct PasswordChecks {
    running: Arc<Semaphore>,
    /// Checks admitted (running or waiting), at most `places`.
    admitted: Arc<AtomicUsize>,
    places: usize,
}

/// One admitted check; dropping it frees its place.
struct Place(Arc<AtomicUsize>);

impl Drop for Place {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

impl PasswordChecks {
    /// `at_once` checks run at once (at least one; `None`: one per core),
    /// and `WAITING_PER_RUNNING` times as many may wait.
    pub fn new(at_once: Option<usize>) -> Self {
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        let at_once = at_once.unwrap_or(cores).max(1);
        Self {
            running: Arc::new(Semaphore::new(at_once)),
            admitted: Arc::new(AtomicUsize::new(0)),
            places: at_once * (1 + WAITING_PER_RUNNING),
        }
    }

    /// Runs `work` (an unauthenticated login's check) on a blocking thread
    /// once a place is free; `Busy` at once when none is, or will be soon.
    pub async fn run<T: Send + 'static>(&self, work: impl FnOnce() -> T + Send + 'static) -> Result<T, Busy> {
        let place = Place(self.admitted.clone());
        if self.admitted.fetch_add(1, Ordering::AcqRel) >= self.places {
            return Err(Busy);
        }
        self.run_in(place, work).await
    }

    /// Runs `work` for an authenticated request (an agent's new password
    /// hashed): it waits its turn however many wait, since its credential's
    /// request budget and the request deadline already bound it, and a
    /// directory loaded by a script must not be refused halfway. It takes a
    /// place like any check, so logins see the load.
    pub async fn run_queued<T: Send + 'static>(&self, work: impl FnOnce() -> T + Send + 'static) -> Result<T, Busy> {
        let place = Place(self.admitted.clone());
        self.admitted.fetch_add(1, Ordering::AcqRel);
        self.run_in(place, work).await
    }

    async fn run_in<T: Send + 'static>(
        &self,
        place: Place,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, Busy> {
        let permit = self.running.clone().acquire_owned().await.map_err(|_| Busy)?;
        let outcome = tokio::task::spawn_blocking(move || {
            let _held = (permit, place);
            work()
        })
        .await;
        // A panic in argon2 is a bug, not a load: let it surface as one.
        Ok(outcome.unwrap_or_else(|panic| std::panic::resume_unwind(panic.into_panic())))
    }

    /// Checks admitted now (running or waiting).
    pub fn current(&self) -> usize {
        self.admitted.load(Ordering::Acquire)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn beyond_the_running_and_waiting_places_a_check_is_refused_at_once() {
        let gate = Arc::new(PasswordChecks::new(Some(1)));
        let (release, wait) = std::sync::mpsc::channel::<()>();
        let wait = Arc::new(parking_lot::Mutex::new(wait));
        // One runs (held until released), four wait.
        let held: Vec<_> = (0..5)
            .map(|_| {
                let (gate, wait) = (gate.clone(), wait.clone());
                tokio::spawn(async move { gate.run(move || wait.lock().recv().ok()).await })
            })
            .collect();
        while gate.current() < 5 {
            tokio::task::yield_now().await;
        }
        assert_eq!(gate.run(|| ()).await, Err(Busy), "the sixth finds no place");
        assert_eq!(gate.current(), 5, "a refused check keeps no place");
        for _ in 0..5 {
            release.send(()).unwrap();
        }
        for task in held {
            assert_eq!(task.await.unwrap(), Ok(Some(())));
        }
        assert_eq!(gate.current(), 0);
        assert_eq!(gate.run(|| 7).await, Ok(7), "places come back");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn authenticated_work_waits_its_turn_however_many_wait() {
        let gate = Arc::new(PasswordChecks::new(Some(1)));
        let queued: Vec<_> = (0..20)
            .map(|i| {
                let gate = gate.clone();
                tokio::spawn(async move { gate.run_queued(move || i).await })
            })
            .collect();
        for (i, task) in queued.into_iter().enumerate() {
            assert_eq!(task.await.unwrap(), Ok(i));
        }
        assert_eq!(gate.current(), 0);
    }
}
