//! Rows of the push side: subscriptions, the deliveries they owe, attempts.

use crate::domain::ids::AccountId;

/// One subscription as stored. `secret` never leaves the server after the
/// reply that created or rotated it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookRow {
    pub account: AccountId,
    pub id: i64,
    pub url: String,
    /// `callReport`, event kinds, or `*`.
    pub events: Vec<String>,
    /// `json` or `form`.
    pub format: String,
    pub active: bool,
    pub secret: String,
    /// The secret before the last rotation, and until when it still signs (Unix seconds).
    pub previous_secret: Option<String>,
    pub previous_until: Option<i64>,
    /// The last event sequence already turned into deliveries.
    pub cursor: i64,
    /// First failed attempt since the last success (Unix seconds).
    pub failing_since: Option<i64>,
    /// Why, and when, the server switched it off.
    pub disabled_reason: Option<String>,
    pub disabled_at: Option<i64>,
    pub created_at: i64,
}

impl WebhookRow {
    /// The secrets that sign at `now`: the current one, and the previous one
    /// during its grace period.
    pub fn signing_secrets(&self, now: i64) -> Vec<&str> {
        let mut secrets = vec![self.secret.as_str()];
        if let (Some(previous), Some(until)) = (&self.previous_secret, self.previous_until)
            && now < until
        {
            secrets.push(previous);
        }
        secrets
    }
}

/// A delivery to write: one event or call report for one subscription.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDelivery {
    /// The `webhook-id` header.
    pub message_id: String,
    /// An event kind, `callReport` or `test`.
    pub kind: String,
    /// The event sequence it reports.
    pub seq: i64,
    /// Deliveries sharing a key go one at a time, in `seq` order.
    pub order_key: Option<String>,
    /// At most one delivery per subscription and key (a call report: its call id).
    pub dedupe: Option<String>,
    pub content_type: String,
    pub body: String,
    /// First attempt due (Unix seconds).
    pub next_at: i64,
    /// When it was queued (Unix seconds).
    pub created_at: i64,
}

/// Call reports that wait again because their call rings on: the untried
/// deliveries of these `dedupe` keys wait until `until` (Unix seconds).
#[derive(Debug, Clone, Copy)]
pub struct Held<'a> {
    pub keys: &'a [String],
    pub until: i64,
}

/// A delivery claimed for sending.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueDelivery {
    pub id: i64,
    pub account: AccountId,
    pub webhook_id: i64,
    pub message_id: String,
    pub kind: String,
    pub content_type: String,
    pub body: String,
    /// Attempts ever made, and in the current run of the ladder.
    pub attempts: i64,
    pub tries: i64,
}

/// One attempt's result, for the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    pub at: i64,
    /// `None`: no HTTP answer.
    pub status_code: Option<i64>,
    pub latency_ms: i64,
    pub excerpt: String,
}

/// What becomes of a delivery after an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttemptOutcome {
    Delivered,
    /// Try again at this time (Unix seconds).
    RetryAt(i64),
    /// The ladder is spent: switch the subscription off if it has been
    /// failing since this time or earlier.
    GiveUp {
        disable_if_failing_since: i64,
    },
}

/// A delivery as the log shows it, newest first, with its attempts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryRow {
    pub id: i64,
    pub message_id: String,
    pub kind: String,
    pub seq: i64,
    pub status: String,
    pub attempts: i64,
    /// When the next attempt is due (pending only).
    pub next_at: Option<i64>,
    pub created_at: i64,
    pub log: Vec<Attempt>,
}

/// Which deliveries `redeliver` sends again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Redelivery {
    /// This one, whatever became of it.
    One(i64),
    /// Every failed one created at or after this time (Unix seconds).
    FailedSince(i64),
}
