//! A finished call as DeepCall's "push report" shows it to its receivers
//! (field names from public receiver code: see the README's mapping), made
//! from the call's events in the log. Only what the log knows is filled;
//! the rest of DeepCall's fields (IVR, hold, recordings, numbers dialled)
//! are left out rather than invented.

use std::collections::{BTreeMap, HashMap};

use jiff::tz::TimeZone;
use serde_json::{Map, Value, json};

use super::calls::{Outcome, summarise};
use super::event::Logged;
use super::ids::AgentId;
use super::leg::{Leg, LegStatus};

/// Legs listed in `nHDetail` at most: keeps a report's size bounded.
pub const MAX_LEGS: usize = 100;

/// What a report needs besides the call's events.
pub struct ReportContext<'a> {
    /// The account's id (`userId`).
    pub account: &'a str,
    /// The account's time zone: DeepCall's times are local, without a zone.
    pub tz: &'a TimeZone,
    /// The account's country calling code (`cNumber10` drops it).
    pub country_code: &'a str,
    /// The agents of the call's legs that still exist (a deleted agent is
    /// missing: its id stands in for its name).
    pub agents: &'a HashMap<AgentId, ReportAgent>,
}

/// An agent as a report names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportAgent {
    pub name: String,
    /// Digits with the country code; empty when the agent has none.
    pub phone: String,
}

/// `callStatus` of an answered call: DeepCall's answered sample, and what
/// receivers test for (`status == 3` answered, anything else not connected).
pub const STATUS_ANSWERED: i64 = 3;
/// `callStatus` of a call nobody answered (ours: DeepCall's value for it is
/// not known; receivers read any value but 3 as not connected).
pub const STATUS_NOT_ANSWERED: i64 = 2;

/// Whether the call these events are about is over: answered and every
/// answered leg ended, or missed with no leg still ringing for an agent
/// who can be rung (`calls::summarise`'s outcomes).
pub fn finished(events: &[Logged]) -> bool {
    let calls = summarise(events, i64::MAX);
    calls.len() == 1 && matches!(calls[0].status, Outcome::Answered | Outcome::Missed | Outcome::NoAnswer)
}

/// `YYYY-MM-DD HH:MM:SS` in the account's zone, as DeepCall writes times.
fn local(at: i64, tz: &TimeZone) -> String {
    jiff::Timestamp::from_second(at)
        .map(|ts| ts.to_zoned_datetime(tz.clone()).strftime("%Y-%m-%d %H:%M:%S").to_string())
        .unwrap_or_default()
}

/// The number without the account's country code (DeepCall's `cNumber10`,
/// the ten digits of an Indian mobile); a number in another country keeps
/// its last ten digits.
fn national(number: &str, country_code: &str) -> String {
    match number.strip_prefix(country_code) {
        Some(rest) if !rest.is_empty() && rest.len() >= number.len().min(10) => rest.to_string(),
        _ => number[number.len().saturating_sub(10)..].to_string(),
    }
}

/// Each agent's leg, folded from its facts (any order).
fn legs(events: &[Logged]) -> Vec<(AgentId, Leg)> {
    let mut ordered: Vec<&Logged> = events.iter().filter(|l| l.event.kind.is_call()).collect();
    ordered.sort_by_key(|l| (l.event.happened(), l.seq));
    // One leg per agent and attempt (a call may ring an agent again).
    let mut legs: BTreeMap<(AgentId, u32), Leg> = BTreeMap::new();
    for l in ordered {
        let Some(call) = &l.event.call else { continue };
        legs.entry((l.event.agent, call.attempt)).or_insert_with(|| Leg::new(call.clone())).record_on(
            l.event.kind,
            l.event.happened(),
            &call.device,
        );
    }
    let mut legs: Vec<(AgentId, Leg)> = legs.into_iter().map(|((agent, _), leg)| (agent, leg)).collect();
    legs.sort_by_key(|(agent, leg)| (leg.since(), *agent));
    legs
}

/// A leg's hang-up: when it ended, or was missed.
fn hangup(leg: &Leg) -> Option<i64> {
    leg.ended.into_iter().chain(leg.missed).min()
}

fn leg_detail(agent: AgentId, leg: &Leg, tz: &TimeZone) -> Value {
    let mut detail = Map::new();
    detail.insert("agentId".into(), json!(agent.to_string()));
    let answered = leg.status() == LegStatus::Talked;
    detail.insert("status".into(), json!(if answered { "answered" } else { "missed" }));
    if let Some((start, end)) = leg.talk(i64::MAX).filter(|_| answered) {
        detail.insert("talkDuration".into(), json!(end - start));
        detail.insert("talkSTime".into(), json!(local(start, tz)));
        detail.insert("talkETime".into(), json!(local(end, tz)));
    }
    if let Some(offered) = leg.offered {
        let stopped = leg.answered.or_else(|| hangup(leg)).unwrap_or(offered);
        detail.insert("totalRingDuration".into(), json!((stopped - offered).max(0)));
    }
    Value::Object(detail)
}

/// The push report of one finished call (`events`: all of its events, any
/// agents, any order), as a JSON object in DeepCall's field order; `None`
/// when the events hold no call or it is not finished.
pub fn build(events: &[Logged], ctx: &ReportContext<'_>) -> Option<Value> {
    if !finished(events) {
        return None;
    }
    let legs = legs(events);
    let (_, first_leg) = legs.first()?;
    let call = &first_leg.call;
    let talked: Vec<&(AgentId, Leg)> = legs.iter().filter(|(_, l)| l.status() == LegStatus::Talked).collect();
    let first_answer = talked.iter().filter_map(|(a, l)| l.answered.map(|t| (t, *a))).min();
    let summary = summarise(events, i64::MAX).into_iter().next()?;
    let mut report = Map::new();
    report.insert("callId".into(), json!(call.call_id));
    report.insert("userId".into(), json!(ctx.account));
    report.insert("cType".into(), json!(call.direction));
    report.insert("did".into(), if call.did.is_empty() { Value::Null } else { json!(call.did) });
    report.insert("cNumber".into(), json!(call.caller_number));
    report.insert("cNumber10".into(), json!(national(&call.caller_number, ctx.country_code)));
    if let Some((answered_at, agent)) = first_answer {
        // Receivers file the call under the agent who took it: its name and
        // number (a CRM matches its user by `masterAgentNumber`).
        let known = ctx.agents.get(&agent);
        report.insert("masterAgent".into(), json!(known.map_or_else(|| agent.to_string(), |a| a.name.clone())));
        if let Some(a) = known.filter(|a| !a.phone.is_empty()) {
            report.insert("masterAgentNumber".into(), json!(a.phone));
        }
        let group = talked.iter().filter(|(a, _)| *a == agent).find_map(|(_, l)| l.call.group);
        if let Some(group) = group {
            report.insert("masterGroupId".into(), json!(group));
        }
        report.insert("callStatus".into(), json!(STATUS_ANSWERED));
        report.insert("firstAttended".into(), json!(agent.to_string()));
        report.insert("firstAnswerTime".into(), json!(local(answered_at, ctx.tz)));
        if let Some(last) = legs.iter().filter_map(|(_, l)| hangup(l)).max() {
            report.insert("lastHangupTime".into(), json!(local(last, ctx.tz)));
            report.insert("lastFirstDuration".into(), json!((last - answered_at).max(0)));
        }
    } else {
        report.insert("callStatus".into(), json!(STATUS_NOT_ANSWERED));
        if let Some(last) = legs.iter().filter_map(|(_, l)| hangup(l)).max() {
            report.insert("lastHangupTime".into(), json!(local(last, ctx.tz)));
        }
    }
    report.insert("talkDuration".into(), json!(summary.duration));
    let on_call: i64 = talked.iter().filter_map(|(_, l)| l.talk(i64::MAX)).map(|(s, e)| e - s).sum();
    report.insert("agentOnCallDuration".into(), json!(on_call));
    let details: Vec<Value> = legs.iter().take(MAX_LEGS).map(|(a, l)| leg_detail(*a, l, ctx.tz)).collect();
    report.insert("nHDetail".into(), Value::Array(details));
    // Ours: how the call ended, for missed calls DeepCall's status is not known for.
    let outcome = if first_answer.is_some() { "answered" } else { "missed" };
    report.insert("callOutcome".into(), json!(outcome));
    report.insert("callStartTime".into(), json!(local(summary.time, ctx.tz)));
    Some(Value::Object(report))
}

/// How long before its `abandoned` fact a call abandoned while waiting may
/// have begun: the queue forgets a call after an hour (`queue::WAIT_LIMIT`).
const ABANDONED_WITHIN: i64 = crate::domain::queue::WAIT_LIMIT;

/// The facts of the call an `abandoned` fact at `at` ends: those of its
/// id from the hour before it on (an id used again days ago is another
/// call).
pub fn abandoned_call(events: &[Logged], at: i64) -> Vec<Logged> {
    events.iter().filter(|l| (at - ABANDONED_WITHIN..=at).contains(&l.event.happened())).cloned().collect()
}

/// The push report of a call the caller left while it waited in a queue,
/// never offered to an agent (`events`: the call's facts, `abandoned_call`);
/// `None` when an agent's leg is among them (its missed legs report it, as
/// any call nobody answered) or the caller did not leave. The fields of a
/// call nobody answered (`callStatus` 2), `masterGroupId` the group it
/// waited for, no legs, and ours: `callOutcome` `abandoned`.
pub fn abandoned(events: &[Logged], ctx: &ReportContext<'_>) -> Option<Value> {
    if events.iter().any(|l| l.event.kind.is_call()) {
        return None;
    }
    let left = events.iter().filter(|l| l.event.kind == super::event::Kind::Abandoned).max_by_key(|l| l.seq)?;
    // The call as it arrived (`queued`: the number it called, its group);
    // the telephony's `abandoned` need not repeat them.
    let first = events.iter().min_by_key(|l| (l.event.happened(), l.seq)).unwrap_or(left);
    let call = first.event.call.as_ref().or(left.event.call.as_ref())?;
    let arrived = first.event.happened();
    let mut report = Map::new();
    report.insert("callId".into(), json!(call.call_id));
    report.insert("userId".into(), json!(ctx.account));
    report.insert("cType".into(), json!(if call.direction.is_empty() { "inbound" } else { &call.direction }));
    report.insert("did".into(), if call.did.is_empty() { Value::Null } else { json!(call.did) });
    report.insert("cNumber".into(), json!(call.caller_number));
    report.insert("cNumber10".into(), json!(national(&call.caller_number, ctx.country_code)));
    if let Some(group) = call.group {
        report.insert("masterGroupId".into(), json!(group));
    }
    report.insert("callStatus".into(), json!(STATUS_NOT_ANSWERED));
    report.insert("lastHangupTime".into(), json!(local(left.event.happened(), ctx.tz)));
    report.insert("talkDuration".into(), json!(0));
    report.insert("agentOnCallDuration".into(), json!(0));
    report.insert("nHDetail".into(), json!([]));
    report.insert("callOutcome".into(), json!("abandoned"));
    report.insert("callStartTime".into(), json!(local(arrived, ctx.tz)));
    Some(Value::Object(report))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::event::{Actor, CallRef, Event, Kind, State};

    fn ev(seq: i64, agent: i64, at: i64, kind: Kind) -> Logged {
        let mut event = Event::new(AgentId(agent), at, kind, Actor::Telephony);
        event.call = Some(CallRef {
            call_id: "c-9".into(),
            caller_number: "919876543210".into(),
            direction: "inbound".into(),
            did: String::new(),
            group: Some(7),
            attempt: 0,
            device: String::new(),
        });
        Logged { seq, event, state: State::Available, state_reason: None }
    }

    #[test]
    fn a_ring_all_answered_by_the_second_agent_is_reported_with_both_legs() {
        let tz = TimeZone::get("Asia/Kolkata").unwrap();
        let agents = HashMap::from([(AgentId(2), ReportAgent { name: "Bilal".into(), phone: "919811100102".into() })]);
        let ctx = ReportContext { account: "100", tz: &tz, country_code: "91", agents: &agents };
        // 2025-11-30 10:00:00 IST = 1764477000.
        let t = 1_764_477_000;
        let mut events = vec![
            ev(1, 1, t, Kind::Offered),
            ev(2, 2, t, Kind::Offered),
            ev(3, 2, t + 7, Kind::Answered),
            ev(4, 1, t + 7, Kind::Missed),
        ];
        assert!(build(&events, &ctx).is_none(), "agent 2 still talks");
        events.push(ev(5, 2, t + 67, Kind::Ended));
        let report = build(&events, &ctx).unwrap();
        assert_eq!(
            report.to_string(),
            r#"{"callId":"c-9","userId":"100","cType":"inbound","did":null,"cNumber":"919876543210","cNumber10":"9876543210","masterAgent":"Bilal","masterAgentNumber":"919811100102","masterGroupId":7,"callStatus":3,"firstAttended":"2","firstAnswerTime":"2025-11-30 10:00:07","lastHangupTime":"2025-11-30 10:01:07","lastFirstDuration":60,"talkDuration":60,"agentOnCallDuration":60,"nHDetail":[{"agentId":"1","status":"missed","totalRingDuration":7},{"agentId":"2","status":"answered","talkDuration":60,"talkSTime":"2025-11-30 10:00:07","talkETime":"2025-11-30 10:01:07","totalRingDuration":7}],"callOutcome":"answered","callStartTime":"2025-11-30 10:00:00"}"#
        );
    }

    #[test]
    fn a_deleted_agent_is_named_by_its_id_without_a_number() {
        let tz = TimeZone::UTC;
        let agents = HashMap::new();
        let ctx = ReportContext { account: "100", tz: &tz, country_code: "91", agents: &agents };
        let events = [ev(1, 4, 100, Kind::Offered), ev(2, 4, 103, Kind::Answered), ev(3, 4, 130, Kind::Ended)];
        let report = build(&events, &ctx).unwrap();
        assert_eq!((report["masterAgent"].clone(), report["callStatus"].clone()), (json!("4"), json!(3)));
        assert!(report.get("masterAgentNumber").is_none());
    }

    #[test]
    fn a_missed_call_has_no_answer_fields() {
        let tz = TimeZone::UTC;
        let agents = HashMap::new();
        let ctx = ReportContext { account: "100", tz: &tz, country_code: "91", agents: &agents };
        let events = [ev(1, 1, 100, Kind::Offered), ev(2, 1, 130, Kind::Missed)];
        let report = build(&events, &ctx).unwrap();
        assert_eq!((report["callOutcome"].clone(), report["callStatus"].clone()), (json!("missed"), json!(2)));
        assert!(report.get("masterAgent").is_none() && report.get("firstAnswerTime").is_none());
        assert_eq!(report["nHDetail"][0]["totalRingDuration"], 30);
        assert_eq!(national("14155550100", "91"), "4155550100");
    }
}
