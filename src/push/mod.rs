//! Push: the delivery worker. Each step turns new events into deliveries
//! (`fanout.rs`), claims the deliveries that are due and sends them
//! (`send.rs`), at most a few at once per target host so one slow receiver
//! holds up only itself. `step` is public for tests; `run` is the loop.

mod fanout;
mod send;

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use parking_lot::Mutex;

use crate::clock::Clock;
use crate::domain::webhook::{self, ATTEMPT_TIMEOUT, DISABLE_AFTER};
use crate::store::{AccountId, Attempt, AttemptOutcome, DueDelivery, SharedStore, StoreResult, WebhookRow};
pub use fanout::event_message_id;
pub use send::Answer;

/// Attempts in flight at once per target host (and node).
pub const PER_HOST: usize = 4;
/// Deliveries claimed per step.
const CLAIM: i64 = 64;
/// How long a claim holds a delivery: longer than an attempt can take, so
/// only a node that died mid-send lets another node retry it.
const LEASE: i64 = ATTEMPT_TIMEOUT.as_secs() as i64 * 4;
/// Claims within one `step` at most (one after each attempt that ends).
const MAX_STARTS: usize = 10_000;

/// How the worker behaves (from the server's settings).
#[derive(Debug, Clone, Copy)]
pub struct PushConfig {
    /// Deliver to loopback and private addresses too.
    pub allow_private: bool,
    /// Multiplies the retry ladder and the switch-off window (1 in
    /// production; tests shorten them).
    pub retry_scale: f64,
}

/// The delivery worker of one server process (`AppState::push`): its store,
/// its clock, the sender and the attempts in flight per target host.
pub struct Pusher {
    store: SharedStore,
    clock: Arc<dyn Clock>,
    sender: send::Sender,
    config: PushConfig,
    /// Attempts in flight per target host.
    in_flight: Mutex<HashMap<String, usize>>,
}

/// What one `step` did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct PushReport {
    /// Deliveries written from new events.
    pub queued: usize,
    /// Attempts made, and how many of them were accepted (2xx).
    pub attempts: usize,
    pub delivered: usize,
}

type Send = Pin<Box<dyn Future<Output = bool> + std::marker::Send>>;

/// The host (and port) attempts are counted by.
fn host_of(url: &str) -> String {
    url::Url::parse(url)
        .map(|u| format!("{}:{}", u.host_str().unwrap_or_default(), u.port_or_known_default().unwrap_or(0)))
        .unwrap_or_default()
}

fn key(account: &AccountId, id: i64) -> String {
    format!("{account}:{id}")
}

impl Pusher {
    /// A worker over `store`, reading time from `clock`.
    pub fn new(store: SharedStore, clock: Arc<dyn Clock>, config: PushConfig) -> Self {
        let sender = send::Sender::new(config.allow_private);
        Pusher { store, clock, sender, config, in_flight: Mutex::new(HashMap::new()) }
    }

    /// How it was configured (the API checks URLs by the same rule).
    pub fn config(&self) -> PushConfig {
        self.config
    }

    /// Writes the deliveries new events owe, then claims the due ones and
    /// starts sending them; the returned futures each make one attempt and
    /// record it (true when it was accepted).
    async fn start_due(self: &Arc<Self>, report: &mut PushReport) -> StoreResult<Vec<Send>> {
        let now = self.clock.now();
        let hooks = self.store.all_webhooks().await?;
        // No subscription, nothing to claim: an idle server does not take
        // SQLite's write lock every second for nothing.
        if hooks.is_empty() {
            return Ok(Vec::new());
        }
        report.queued += fanout::fan_out(&self.store, &hooks, now).await?;
        let hooks: HashMap<String, WebhookRow> = hooks.into_iter().map(|h| (key(&h.account, h.id), h)).collect();
        let busy: Vec<String> = {
            let in_flight = self.in_flight.lock();
            hooks
                .iter()
                .filter(|(_, h)| in_flight.get(&host_of(&h.url)).is_some_and(|n| *n >= PER_HOST))
                .map(|(k, _)| k.clone())
                .collect()
        };
        let claimed = self.store.claim_due(now, now + LEASE, CLAIM, &busy).await?;
        let mut sends: Vec<Send> = Vec::new();
        let mut released = Vec::new();
        for delivery in claimed {
            let Some(hook) = hooks.get(&key(&delivery.account, delivery.webhook_id)) else {
                released.push(delivery.id);
                continue;
            };
            let host = host_of(&hook.url);
            {
                let mut in_flight = self.in_flight.lock();
                let n = in_flight.entry(host.clone()).or_default();
                if *n >= PER_HOST {
                    released.push(delivery.id);
                    continue;
                }
                *n += 1;
            }
            let pusher = self.clone();
            let hook = hook.clone();
            sends.push(Box::pin(async move {
                let accepted = pusher.deliver(&hook, &delivery).await;
                if let Some(n) = pusher.in_flight.lock().get_mut(&host) {
                    *n = n.saturating_sub(1);
                }
                accepted
            }));
        }
        self.store.release(&released).await?;
        Ok(sends)
    }

    /// One attempt of `delivery` to `hook`, recorded with its outcome.
    async fn deliver(&self, hook: &WebhookRow, delivery: &DueDelivery) -> bool {
        let timestamp = self.clock.now();
        let secrets = hook.signing_secrets(timestamp);
        let signature = webhook::signature(&secrets, &delivery.message_id, timestamp, delivery.body.as_bytes());
        let message = send::Message {
            url: &hook.url,
            message_id: &delivery.message_id,
            timestamp,
            signature: &signature,
            content_type: &delivery.content_type,
            body: &delivery.body,
        };
        let answer = self.sender.attempt(&message).await;
        let now = self.clock.now();
        let outcome = self.outcome(delivery, &answer, now);
        let attempt = Attempt {
            at: timestamp,
            status_code: answer.status.map(i64::from),
            latency_ms: answer.latency_ms,
            excerpt: answer.excerpt.clone(),
        };
        match self.store.record_attempt(delivery, &attempt, outcome).await {
            Ok(true) => tracing::warn!(
                account = %delivery.account, webhook = delivery.webhook_id,
                "webhook switched off: its deliveries have failed for days"
            ),
            Ok(false) => {}
            // Unrecorded, the lease runs out and the delivery is tried again.
            Err(err) => tracing::error!(error = %err, delivery = delivery.id, "recording a webhook attempt failed"),
        }
        answer.success()
    }

    fn outcome(&self, delivery: &DueDelivery, answer: &Answer, now: i64) -> AttemptOutcome {
        if answer.success() {
            return AttemptOutcome::Delivered;
        }
        let window = (DISABLE_AFTER as f64 * self.config.retry_scale) as i64;
        let give_up = AttemptOutcome::GiveUp { disable_if_failing_since: now - window };
        // A test is one attempt: its answer is what the caller wants to see.
        if delivery.kind == "test" {
            return give_up;
        }
        let asked = answer.retry_after.filter(|_| matches!(answer.status, Some(429 | 503)));
        let tries = u32::try_from(delivery.tries + 1).unwrap_or(u32::MAX);
        match webhook::retry_delay(tries, asked, self.config.retry_scale) {
            Some(delay) => AttemptOutcome::RetryAt(now + delay as i64),
            None => give_up,
        }
    }

    /// Turns new events into deliveries and sends what is due, as `run`
    /// does: whenever an attempt ends, what became due or free (the next of
    /// an agent's events, a host with room again) starts; it returns when
    /// nothing is left to send now, every attempt awaited.
    pub async fn step(self: &Arc<Self>) -> StoreResult<PushReport> {
        let mut report = PushReport::default();
        // Spawned, as in `run`: an attempt recording its outcome must not
        // wait for this task (SQLite's one writer would be held meanwhile).
        let mut running = tokio::task::JoinSet::new();
        let mut started = Ok(());
        for _ in 0..MAX_STARTS {
            match self.start_due(&mut report).await {
                Ok(sends) => {
                    report.attempts += sends.len();
                    sends.into_iter().for_each(|send| {
                        running.spawn(send);
                    });
                }
                Err(err) => {
                    started = Err(err);
                    break;
                }
            }
            match running.join_next().await {
                Some(accepted) => report.delivered += usize::from(accepted.unwrap_or(false)),
                None => break,
            }
        }
        while let Some(accepted) = running.join_next().await {
            report.delivered += usize::from(accepted.unwrap_or(false));
        }
        started.map(|()| report)
    }
}

/// The worker's loop until `stop`: every second, and at once whenever an
/// attempt ends (the next of that agent's deliveries may go), new events
/// become deliveries and due deliveries start. Attempts run side by side,
/// so a receiver that takes its 15 seconds delays only its own. At stop,
/// attempts in flight may finish (within their timeout).
pub async fn run(pusher: Arc<Pusher>, stop: impl Future<Output = ()>) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut sends = tokio::task::JoinSet::new();
    tokio::pin!(stop);
    loop {
        tokio::select! {
            _ = &mut stop => break,
            _ = tick.tick() => {},
            Some(_) = sends.join_next(), if !sends.is_empty() => {},
        }
        let mut report = PushReport::default();
        match pusher.start_due(&mut report).await {
            Ok(started) => started.into_iter().for_each(|send| {
                sends.spawn(send);
            }),
            Err(err) => tracing::error!(error = %err, "webhook step failed; retrying next second"),
        }
    }
    let drained = tokio::time::timeout(ATTEMPT_TIMEOUT, async { while sends.join_next().await.is_some() {} }).await;
    if drained.is_err() {
        tracing::warn!("webhook attempts still running at shutdown: they are retried after their lease");
    }
}
