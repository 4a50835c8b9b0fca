//! `POST /api/v2/callRoute` (ours, issue 26): the telephony asks whom to
//! offer a call that arrived for a group (or a number that reaches one).
//! The answer is the agents to ring, in order, and the offers are logged in
//! the same decision (each agent's `offered` leg), so two calls deciding at
//! once — on one node or on several — are never offered the same agent.
//! Asking again for the same call (after a ring timeout, a busy or a
//! declined offer) offers the agents it was not offered yet, and once every
//! eligible agent was, offers it to them again (each ring an attempt).
//!
//! Eligible: mapped to the group with `receive_call` `Y`, switched on,
//! `available` with no break asked for, and inside its working hours (in
//! the account's time zone) when it has any. The group's strategy orders
//! them (`domain::routing`); a caller pinned to one of them
//! (`Directory/setSticky`, `domain::sticky`), or failing a pin whose account
//! manager one is (`Directory/setAM`), is offered to that agent alone
//! first. A caller blacklisted on the number it called (`Directory/
//! Blacklist`) is offered to nobody (1511).
//!
//! Nobody free: the call waits in its group's queue (`domain::queue`; the
//! `queued` fact is logged by the same decision) and is told its place.
//! Calls that waited longer come first: a call behind others is offered the
//! agent after theirs (or, ringall, nobody until none is ahead), and an
//! agent of several groups is kept for a call waiting longer in another of
//! them. A waiting call that gets agents leaves the queue (`dequeued`).

use std::collections::HashMap;

use jiff::tz::TimeZone;
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use super::auth::{Caller, Principal};
use super::call_event::{CALL_ID, CALLER};
use super::caller_marks::marks_of;
use super::error::{ApiError, ApiResult, OrRefuse, Refuse};
use crate::AppState;
use crate::domain::agent::{DID_RULE, valid_did};
use crate::domain::caller::CallerId;
use crate::domain::caller_marks::CallerMarks;
use crate::domain::ids::{AgentId, GroupId};
use crate::domain::presence::{CallRef, Kind};
use crate::domain::queue::{QUEUE, QUEUE_SILENCE, Queue, Waiting, still_waiting};
use crate::domain::routing::{Candidate, Strategy, choose_behind};
use crate::domain::sticky::pinned_agent;
use crate::domain::timeline::day_bounds;
use crate::domain::working::{DAYS, works_at};
use crate::store::{AgentRow, RouteGroup};
use crate::wire::body::AN_ID;
use crate::wire::errors::{call_route as codes, global};
use crate::wire::{Body, ErrorCode, reply};

const MAX_CALL_ID: usize = 128;

/// Seconds after an agent let a call go (missed it) before the same call
/// may ring it again: app_queue's `retry` (default 5 s), so a one-agent
/// queue with a busy phone does not ring it in a loop.
pub const RETRY_AFTER: i64 = 5;

/// Seconds past a ring timeout before agentdesk takes an offer the
/// telephony never reported on as missed: the telephony's own report comes
/// first.
pub const RING_MARGIN: i64 = 10;

/// Seconds an offer rings when the group sets no ring timeout.
pub const DEFAULT_RING_TIMEOUT: i64 = 20;

/// An agent to ring, and where (seed 002's `dest_type`/`dest_value`: `SIP`
/// and the extension the phone registers as).
#[derive(Serialize, ToSchema)]
pub(in crate::api) struct Offer {
    #[serde(rename = "agentId")]
    agent_id: i64,
    dest_type: String,
    dest_value: String,
}

/// The decision.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(in crate::api) struct Routed {
    call_id: String,
    group_id: i64,
    /// `ringall`, `longest_idle`, `round_robin` or `fewest_calls`.
    strategy: &'static str,
    /// Seconds to ring the offered agents before asking again.
    ring_timeout: i64,
    /// The agents to ring, in order (all at once for `ringall`, else one);
    /// empty when nobody may take the call now.
    agents: Vec<Offer>,
    /// 1 when nobody may take the call now: it waits for the group (the
    /// telephony asks again about every second, or reports `abandoned`),
    /// else 0.
    queued: i64,
    /// Queued: the call's place among the calls waiting for the group,
    /// from 1 (longest waiting); else 0.
    position: i64,
}

/// What one decision chose.
struct Decision {
    /// The agents offered the call (logged), in order.
    chosen: Vec<AgentId>,
    /// Nobody: the call's place in the group's queue, from 1; else 0.
    position: usize,
}

/// The call as asked about.
struct Ask {
    call_id: String,
    group: Option<GroupId>,
    did: String,
    caller_number: String,
}

fn parse(body: &Body, country_code: &str) -> Result<Ask, ApiError> {
    let call_id = match body.get("callId") {
        Some(Value::String(s)) if !s.trim().is_empty() && s.trim().chars().count() <= MAX_CALL_ID => {
            s.trim().to_string()
        }
        Some(Value::Number(n)) => n.to_string(),
        None => return Err(codes::INVALID_CALL_ID.required("callId", CALL_ID)),
        Some(_) => return Err(codes::INVALID_CALL_ID.at(&["callId"], format!("callId must be {CALL_ID}"))),
    };
    let group = body.id("groupId").or_refuse(codes::INVALID_GROUP_ID, "groupId", AN_ID)?;
    let bad_did = || codes::INVALID_DID.at(&["did"], format!("did must be {DID_RULE}"));
    let did = match body.get("did") {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => valid_did(s.trim()).ok_or_else(bad_did)?,
        Some(Value::Number(n)) if n.is_u64() => valid_did(&n.to_string()).ok_or_else(bad_did)?,
        Some(_) => return Err(bad_did()),
    };
    if group.is_none() && did.is_empty() {
        return Err(codes::GROUP_OR_DID_REQUIRED.at(&["groupId"], format!("groupId (or did) is required: {AN_ID}")));
    }
    // As in callEvent: a withheld or unreadable caller id never stops a call.
    let caller_number = match body.get("callerNumber") {
        None | Some(Value::Null) => CallerId::Withheld,
        Some(Value::String(raw)) => CallerId::read(Some(raw), country_code),
        Some(Value::Number(n)) if n.is_u64() => CallerId::read(Some(&n.to_string()), country_code),
        Some(_) => {
            return Err(codes::INVALID_CALLER_NUMBER.at(&["callerNumber"], format!("callerNumber must be {CALLER}")));
        }
    }
    .stored();
    Ok(Ask { call_id, group, did, caller_number })
}

/// Whether the agent may be offered calls at `now` by its switch and its
/// working hours (in the account's time zone).
fn on_duty(agent: &AgentRow, now: &jiff::civil::DateTime) -> bool {
    let day = DAYS[now.weekday().to_monday_zero_offset() as usize];
    let minute = i64::from(now.hour()) * 60 + i64::from(now.minute());
    agent.status == 1 && works_at(&agent.working, day, minute)
}

/// `callRoute` `{callId, groupId | did, [callerNumber]}`: account
/// credentials only (the telephony integration).
pub async fn call_route(state: AppState, who: Principal, body: Body) -> ApiResult {
    if !matches!(who.caller, Caller::Owner) {
        return Err(global::PERMISSION_DENIED.into());
    }
    let ask = parse(&body, &who.country_code)?;
    let group_id = match ask.group {
        Some(g) => g,
        None => state
            .store
            .did_group(&who.account, &ask.did)
            .await?
            .ok_or_else(|| codes::UNKNOWN_DID.at(&["did"], "no group of the account answers this did"))?,
    };
    let group: RouteGroup = state.store.route_group(&who.account, group_id).await?.ok_or_else(|| match ask.group {
        Some(g) => global::GROUP_ID_DOES_NOT_EXIST.at(&["groupId"], format!("the account has no group {g}")),
        None => global::GROUP_ID_DOES_NOT_EXIST.into(),
    })?;
    if group.status != 1 {
        return Err(codes::GROUP_INACTIVE.into());
    }
    // A caller blacklisted on this number (or every one) is offered to
    // nobody (`Directory/Blacklist`); a withheld caller has no marks.
    let marks = if ask.caller_number.is_empty() {
        CallerMarks::default()
    } else {
        marks_of(&state, &who.account, &ask.caller_number).await?
    };
    if marks.blocked_on(&ask.did, &who.country_code) {
        return Err(codes::CALLER_BLACKLISTED
            .at(&["callerNumber"], "a caller not blacklisted on this number (Directory/Blacklist)"));
    }
    let account_live = state.live.account(&who.account).await?;
    let timezone = account_live.settings().timezone;
    let tz = TimeZone::get(&timezone).unwrap_or(TimeZone::UTC);
    let now =
        tz.to_datetime(jiff::Timestamp::from_second(state.clock.now()).map_err(|e| ApiError::Internal(e.into()))?);
    let receiving = state.store.receiving_agents(&who.account, group.id).await?;
    if receiving.is_empty() {
        // Nobody could ever take it: the telephony's own fallback, not a
        // queue that waits for nobody.
        return Err(codes::NO_AGENTS.into());
    }
    let agents: Vec<AgentRow> = receiving.into_iter().filter(|a| on_duty(a, &now)).collect();
    account_live.asked(&ask.call_id, state.clock.now(), QUEUE_SILENCE);
    // The agents of the other groups calls wait for: an agent the call
    // could take is kept for a call that waited longer in another of its
    // groups (read here; a group whose first call queues meanwhile is
    // looked at on the next ask).
    let mut other_groups: Vec<i64> =
        account_live.agent(QUEUE).presence.queue.waiting.iter().filter_map(|w| w.group()).collect();
    other_groups.sort_unstable();
    other_groups.dedup();
    let mut agents_of: HashMap<i64, Vec<AgentId>> = HashMap::new();
    for g in other_groups.into_iter().filter(|g| *g != group.id.get()) {
        let ids = state.store.receiving_agents(&who.account, GroupId(g)).await?.iter().map(|a| a.id).collect();
        agents_of.insert(g, ids);
    }
    // Only `fewest_calls` orders by today's calls (since midnight in the
    // account's time zone).
    let calls_today: Vec<(AgentId, u32)> = if group.strategy == Strategy::FewestCalls {
        let ids: Vec<AgentId> = agents.iter().map(|a| a.id).collect();
        let midnight = day_bounds(now.date(), &tz).map_or(0, |(start, _)| start);
        state.store.answered_calls_since(&who.account, &ids, midnight).await?
    } else {
        Vec::new()
    };
    // The agent the caller is pinned to (`Directory/setSticky`) rings
    // first, alone, when it may take the call and was not rung for it yet.
    // A withheld caller (stored as "") has no pins.
    // Failing a pin, the caller's account manager (`Directory/setAM`).
    let pinned = if !ask.caller_number.is_empty() {
        let pins = state.store.stickies(&who.account, &ask.caller_number).await?;
        pinned_agent(&pins, &ask.did, group.id, state.clock.now()).or(marks.account_manager)
    } else {
        None
    };
    let call = CallRef {
        call_id: ask.call_id.clone(),
        caller_number: ask.caller_number,
        direction: "inbound".to_string(),
        device: String::new(),
        did: ask.did,
        group: Some(group.id.get()),
        attempt: 0,
    };
    // Rings of this call the agents' snapshots no longer keep (a call id
    // used again days later): the log knows their attempts.
    let recorded = state.store.recorded_calls(&who.account, std::slice::from_ref(&call.call_id)).await?;
    let ring_timeout = group.ring_timeout.unwrap_or(DEFAULT_RING_TIMEOUT);
    let decided = state
        .live
        .record(&who.account, |draft| -> Result<Decision, ErrorCode> {
            // Talked on right now: nothing to route (a call that comes back
            // later, after a transfer or under a reused id, is routed anew).
            // Any agent who had a leg of it: one who left the group meanwhile
            // may still be talking on it.
            let mut had_legs: Vec<AgentId> =
                agents.iter().map(|a| a.id).chain(recorded.iter().map(|r| r.agent)).collect();
            had_legs.sort_unstable();
            had_legs.dedup();
            let answered = had_legs.iter().any(|&a| {
                draft
                    .presence(a)
                    .legs
                    .iter()
                    .any(|l| l.call.call_id == call.call_id && l.active() && l.answered.is_some())
            });
            if answered {
                return Err(codes::ALREADY_ANSWERED);
            }
            // The calls waiting longer than this one (all that wait, for a
            // call not queued yet) and still asked about are served first.
            let queue = draft.presence(QUEUE).queue.clone();
            let decided_at = draft.now;
            let alive = |w: &Waiting| still_waiting(w, account_live.last_ask(&w.call.call_id), decided_at);
            let mine = queue.waiting.iter().position(|w| w.call.call_id == call.call_id);
            let since = queue.waits_since(&call.call_id, group.id.get(), decided_at);
            let longer: Vec<&Waiting> = match mine {
                // Waiting already: those before it (the queue's order).
                Some(i) => queue.waiting[..i].iter().filter(|w| alive(w)).collect(),
                None => queue.ahead_of(&call.call_id, since).filter(|w| alive(w)).collect(),
            };
            let ahead = longer.iter().filter(|w| w.group() == Some(group.id.get())).count();
            let kept: Vec<AgentId> =
                longer.iter().filter_map(|w| w.group().and_then(|g| agents_of.get(&g))).flatten().copied().collect();
            // Agents not offered this call yet come first; once every
            // eligible agent was, they are offered it again (as app_queue
            // goes round its members), each ring a new attempt.
            let (mut untried, mut tried) = (Vec::new(), Vec::new());
            let mut last: Option<(i64, AgentId)> = None;
            for a in &agents {
                let presence = draft.presence(a.id);
                if let Some(at) = presence.last_offer_in(group.id.get()) {
                    last = last.max(Some((at, a.id)));
                }
                if presence.routable() && !kept.contains(&a.id) {
                    let calls = calls_today.iter().find(|(id, _)| *id == a.id).map_or(0, |(_, n)| *n);
                    let candidate = Candidate { agent: a.id, idle_since: presence.idle_since(), calls_today: calls };
                    let leg = presence.latest_leg(&call.call_id);
                    let rang = leg.is_some() || recorded.iter().any(|r| r.agent == a.id && r.kind == Kind::Offered);
                    // An agent who just let this call go is not rung again
                    // at once (app_queue's `retry`).
                    let resting = leg.and_then(|l| l.last_fact()).is_some_and(|t| draft.now < t + RETRY_AFTER);
                    if !rang {
                        untried.push(candidate)
                    } else if !resting {
                        tried.push(candidate)
                    }
                }
            }
            let chosen = match pinned.filter(|p| ahead == 0 && untried.iter().any(|c| c.agent == *p)) {
                Some(agent) => vec![agent],
                None => {
                    let candidates = if untried.is_empty() { tried } else { untried };
                    choose_behind(group.strategy, candidates, last.map(|(_, a)| a), ahead)
                }
            };
            let now = draft.now;
            if chosen.is_empty() {
                if mine.is_none() && queue.is_full() {
                    return Err(codes::QUEUE_FULL);
                }
                if mine.is_none() {
                    // Entries of the call the queue no longer knows are in
                    // the log.
                    let logged = recorded.iter().filter(|r| r.agent == QUEUE && r.kind == Kind::Queued).count();
                    let entry = queue.entry(&call.call_id).map_or(0, |e| e + 1).max(logged as u32);
                    draft.apply(vec![Queue::fact(Kind::Queued, now, &call, entry, None)]);
                }
                return Ok(Decision { chosen, position: ahead + 1 });
            }
            if let Some(waiting) = mine.map(|i| &queue.waiting[i]) {
                draft.apply(vec![Queue::fact(Kind::Dequeued, now, &waiting.call, waiting.call.attempt, None)]);
            }
            let wrap_secs = group.wrap_up_secs.unwrap_or(draft.wrap_up_secs);
            for &agent in &chosen {
                let earlier: Vec<(u32, Kind)> =
                    recorded.iter().filter(|r| r.agent == agent).map(|r| (r.attempt, r.kind)).collect();
                let mut ring = call.clone();
                ring.attempt = draft.presence(agent).attempt_for(&call.call_id, Kind::Offered, None, &earlier);
                let mut offered = draft.presence(agent).call_event(agent, now, Kind::Offered, ring, wrap_secs);
                // If the telephony never reports on this ring, it stops at
                // the ring timeout and a margin (missed, `ring_timeout`).
                if let Some(offer) = offered.iter_mut().find(|e| e.kind == Kind::Offered) {
                    offer.until = Some(now + ring_timeout + RING_MARGIN);
                }
                draft.apply(offered);
            }
            Ok(Decision { chosen, position: 0 })
        })
        .await??;
    let offers = decided
        .chosen
        .iter()
        .filter_map(|id| agents.iter().find(|a| a.id == *id))
        .map(|a| Offer { agent_id: a.id.get(), dest_type: a.dest_type.clone(), dest_value: a.dest_value.clone() })
        .collect::<Vec<_>>();
    let queued = i64::from(offers.is_empty());
    Ok(reply::listing(Routed {
        call_id: ask.call_id,
        group_id: group.id.get(),
        strategy: group.strategy.as_str(),
        ring_timeout,
        agents: offers,
        queued,
        position: decided.position as i64,
    }))
}
