//! From the event log to deliveries: each subscription's cursor is moved
//! over the events after it, in one transaction with the deliveries those
//! events produce (the events it subscribes to, and a call report for each
//! call they finish). Nothing uncommitted is read; nothing committed is
//! skipped, whatever stops the server between two steps.

use std::collections::HashMap;

use serde_json::json;

use crate::domain::event_view::EventView;
use crate::domain::presence::{Kind, Logged};
use crate::domain::push_report::{self, ReportAgent, ReportContext};
use crate::domain::webhook::{CALL_REPORT, EventFilter, Format, JSON_CONTENT, encode_report};
use crate::store::{AccountId, AgentId, EventQuery, Held, NewDelivery, SharedStore, StoreResult, WebhookRow};

/// Events read per account and step; a longer backlog is caught up over
/// several steps.
const BATCH: i64 = 500;

/// Seconds after its last fact a report of a call nobody answered waits
/// before it is sent: a sequential hunt (`callRoute`'s next agent after a
/// ring timeout or a busy phone, app_queue's retry of 5 s) rings on within
/// them, and the report then covers the whole call, not its first miss.
pub const REPORT_SETTLE: i64 = 15;

/// How long a report waits at most once the call rings again after it was
/// queued (its end replaces it): a call whose end never comes is still
/// reported, as it stood.
pub const REPORT_HELD_MAX: i64 = 86_400;

/// A call report, ready to queue.
#[derive(Clone)]
struct BuiltReport {
    /// The report's JSON.
    json: String,
    /// The sequence number of the event that finished the call.
    seq: i64,
    /// The call's key (its id, or for a later call under the same id,
    /// `id#first-sequence`).
    key: String,
    /// Whether an agent answered it.
    answered: bool,
    /// When the call's last fact happened (Unix seconds).
    last_fact: i64,
}

/// The `webhook-id` of an agent event: the account and the event's
/// sequence number, which is the event stream's `id` (and `data.id`).
pub fn event_message_id(account: &AccountId, seq: i64) -> String {
    format!("evt_{account}_{seq}")
}

/// The JSON of one agent or call event: Standard Webhooks' envelope
/// (`type`, `timestamp`) around the event exactly as the stream sends it.
fn event_body(account: &AccountId, logged: &Logged) -> String {
    let timestamp = jiff::Timestamp::from_second(logged.event.at).map(|t| t.to_string()).unwrap_or_default();
    json!({
        "type": logged.event.kind.as_str(),
        "timestamp": timestamp,
        "userId": account.to_string(),
        "data": EventView::of(logged),
    })
    .to_string()
}

/// Call reports of the calls `events` finish, by call id, built once per
/// account and step (every subscription reads the same batch).
struct Reports<'a> {
    store: &'a SharedStore,
    account: &'a AccountId,
    /// Events after this sequence number are not counted yet.
    up_to: i64,
    /// Each call's report, by the call's key (`of`).
    built: HashMap<String, Option<BuiltReport>>,
    /// The facts of each call id read so far (every call under the id).
    facts: HashMap<String, Vec<Logged>>,
    settings: Option<(jiff::tz::TimeZone, String)>,
}

impl Reports<'_> {
    /// The call's report, when `logged` finishes it.
    async fn of(&mut self, logged: &Logged) -> StoreResult<Option<BuiltReport>> {
        let ends = matches!(logged.event.kind, Kind::Ended | Kind::Missed | Kind::Abandoned);
        let Some(call) = logged.event.call.as_ref().filter(|_| ends) else {
            return Ok(None);
        };
        if !self.facts.contains_key(&call.call_id) {
            let mut events = self.store.call_events(self.account, &call.call_id).await?;
            events.retain(|l| l.seq <= self.up_to);
            self.facts.insert(call.call_id.clone(), events);
        }
        if logged.event.kind == Kind::Abandoned {
            return self.abandoned(logged).await;
        }
        // Read once per step, before the borrows of the call's facts below.
        self.load_settings().await?;
        let events = &self.facts[&call.call_id];
        // The call this event belongs to: an id used again is another call,
        // with its own report (named after its first fact after the first).
        let calls = crate::domain::calls::calls_of(events);
        let first_seq = |c: &crate::domain::calls::Call| c.facts.iter().map(|l| l.seq).min().unwrap_or(0);
        let Some(this) = calls.iter().find(|c| c.facts.iter().any(|l| l.seq == logged.seq)) else { return Ok(None) };
        let earliest = calls.iter().map(first_seq).min().unwrap_or(0);
        let key = if first_seq(this) == earliest {
            call.call_id.clone()
        } else {
            format!("{}#{}", call.call_id, first_seq(this))
        };
        if let Some(built) = self.built.get(&key) {
            return Ok(built.clone());
        }
        let Some((tz, country_code)) = &self.settings else { return Ok(None) };
        let events: Vec<Logged> = this.facts.iter().map(|l| (*l).clone()).collect();
        let finished_at = events.iter().map(|l| l.seq).max().unwrap_or(logged.seq);
        // The agents a report names (the one who took the call): a call
        // rings a few, so one lookup each.
        let mut ids: Vec<AgentId> =
            events.iter().filter(|l| l.event.kind == Kind::Answered).map(|l| l.event.agent).collect();
        ids.sort_unstable();
        ids.dedup();
        let mut agents = HashMap::new();
        for id in ids {
            if let Some(row) = self.store.agent(self.account, id).await? {
                agents.insert(id, ReportAgent { name: row.name, phone: row.phone });
            }
        }
        let account = self.account.to_string();
        let ctx = ReportContext { account: &account, tz, country_code, agents: &agents };
        let last_fact = events.iter().map(|l| l.event.happened()).max().unwrap_or(logged.event.at);
        let built = push_report::build(&events, &ctx).map(|report| BuiltReport {
            answered: report.get("callStatus") == Some(&json!(push_report::STATUS_ANSWERED)),
            json: report.to_string(),
            seq: finished_at,
            key: key.clone(),
            last_fact,
        });
        self.built.insert(key, built.clone());
        Ok(built)
    }
}

impl Reports<'_> {
    /// Reads the account's time zone and country code once per step.
    async fn load_settings(&mut self) -> StoreResult<()> {
        if self.settings.is_none() {
            let s = self.store.live_settings(self.account).await?;
            let tz = jiff::tz::TimeZone::get(&s.timezone).unwrap_or(jiff::tz::TimeZone::UTC);
            self.settings = Some((tz, s.country_code));
        }
        Ok(())
    }

    /// The report of a call the caller left while it waited, never offered
    /// to anyone (`push_report::abandoned`); a call that rang agents is
    /// reported by their missed legs.
    async fn abandoned(&mut self, logged: &Logged) -> StoreResult<Option<BuiltReport>> {
        let Some(call) = &logged.event.call else { return Ok(None) };
        let all = &self.facts[&call.call_id];
        let events = push_report::abandoned_call(all, logged.event.happened());
        // An id used before this call has it in its key, as `of` does.
        let first = events.iter().map(|l| l.seq).min().unwrap_or(logged.seq);
        let key = if all.iter().any(|l| l.seq < first) {
            format!("{}#{}", call.call_id, first)
        } else {
            call.call_id.clone()
        };
        if let Some(built) = self.built.get(&key) {
            return Ok(built.clone());
        }
        self.load_settings().await?;
        let Some((tz, country_code)) = &self.settings else { return Ok(None) };
        let account = self.account.to_string();
        let agents = HashMap::new();
        let ctx = ReportContext { account: &account, tz, country_code, agents: &agents };
        let built = push_report::abandoned(&events, &ctx).map(|report| BuiltReport {
            answered: false,
            json: report.to_string(),
            seq: logged.seq,
            key: key.clone(),
            last_fact: logged.event.happened(),
        });
        self.built.insert(key, built.clone());
        Ok(built)
    }
}

/// The deliveries `events` (after the subscription's cursor) owe it.
async fn deliveries_for(
    hook: &WebhookRow,
    events: &[&Logged],
    reports: &mut Reports<'_>,
    now: i64,
) -> StoreResult<Vec<NewDelivery>> {
    let Some(filter) = EventFilter::parse(hook.events.iter().map(String::as_str)) else { return Ok(Vec::new()) };
    let format = Format::parse(&hook.format).unwrap_or(Format::Json);
    let mut out = Vec::new();
    for logged in events {
        if filter.wants_kind(logged.event.kind) {
            out.push(NewDelivery {
                message_id: event_message_id(&hook.account, logged.seq),
                kind: logged.event.kind.as_str().to_string(),
                seq: logged.seq,
                order_key: Some(format!("agent:{}", logged.event.agent)),
                dedupe: None,
                content_type: JSON_CONTENT.to_string(),
                body: event_body(&hook.account, logged),
                next_at: now,
                created_at: now,
            });
        }
        if filter.wants_call_reports()
            && let Some(report) = reports.of(logged).await?
        {
            let (body, content_type) = encode_report(&report.json, format);
            // A call nobody answered may still ring someone else (a
            // sequential hunt): its report waits a little for that.
            let next_at = if report.answered { now } else { now.max(report.last_fact + REPORT_SETTLE) };
            out.push(NewDelivery {
                // Stable for the call and subscription: the call id may hold
                // characters a header cannot, so it is hashed.
                message_id: format!("call_{}_{}", hook.account, &crate::domain::secret::token_hash(&report.key)[..24]),
                kind: CALL_REPORT.to_string(),
                seq: report.seq,
                order_key: None,
                dedupe: Some(report.key),
                content_type: content_type.to_string(),
                body,
                next_at,
                created_at: now,
            });
        }
    }
    Ok(out)
}

/// One pass over every active subscription: moves each cursor over up to
/// `BATCH` events with the deliveries they produce. How many deliveries
/// were written.
pub async fn fan_out(store: &SharedStore, hooks: &[WebhookRow], now: i64) -> StoreResult<usize> {
    let mut by_account: HashMap<&AccountId, Vec<&WebhookRow>> = HashMap::new();
    for hook in hooks.iter().filter(|h| h.active) {
        by_account.entry(&hook.account).or_default().push(hook);
    }
    let mut written = 0;
    for (account, hooks) in by_account {
        let after_seq = hooks.iter().map(|h| h.cursor).min().unwrap_or(0);
        let query = EventQuery { agents: None, from: i64::MIN, to: i64::MAX, after_seq, limit: Some(BATCH) };
        let events = store.events(account, &query).await?;
        let Some(last) = events.last().map(|l| l.seq) else { continue };
        let mut reports =
            Reports { store, account, up_to: last, built: HashMap::new(), facts: HashMap::new(), settings: None };
        for hook in hooks {
            let mine: Vec<&Logged> = events.iter().filter(|l| l.seq > hook.cursor).collect();
            if mine.is_empty() {
                continue;
            }
            let deliveries = deliveries_for(hook, &mine, &mut reports, now).await?;
            // A call offered again: a report queued for it waits for its
            // end, which replaces it (unless it was tried already).
            let mut held: Vec<String> = mine
                .iter()
                .filter(|l| l.event.kind == Kind::Offered)
                .filter_map(|l| l.event.call.as_ref().map(|c| c.call_id.clone()))
                .collect();
            held.sort_unstable();
            held.dedup();
            let held = Held { keys: &held, until: now + REPORT_HELD_MAX };
            written += store.advance(account, hook.id, (hook.cursor, last), &deliveries, held).await?.unwrap_or(0);
        }
    }
    Ok(written)
}
