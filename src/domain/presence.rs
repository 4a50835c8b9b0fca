//! The presence state machine of one agent, event-sourced: `decide` turns a
//! request into events (or refuses it), `evolve` folds one event into the
//! state. Live status, timeline and counters all come from the same events.
//!
//! The state shown is layered, highest first: `offline` (no session, or the
//! heartbeat was lost); `on_call` (a leg answered and not ended); `ringing`
//! (a leg ringing); `stale` (the page stopped pinging); `break` (chosen by
//! the agent or a supervisor); `wrap_up` (after a leg the agent talked on);
//! `available`. A lower layer outlives the ones above it: a break survives a
//! call taken during it and a heartbeat gap, a wrap-up survives an offer
//! that is not answered.

use super::ids::AgentId;
use super::queue::Queue;
use serde::{Deserialize, Serialize};

pub use super::event::{Actor, CallRef, Event, Kind, Logged, Shown, State};
pub use super::leg::{Leg, LegStatus};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BreakInfo {
    pub reason: String,
    pub started: i64,
    /// Maximum seconds for this reason, if the catalogue sets one.
    pub max: Option<i64>,
    pub overrun: bool,
}

impl BreakInfo {
    pub fn due(&self) -> Option<i64> {
        self.max.map(|m| self.started + m)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueuedBreak {
    pub reason: String,
    pub max: Option<i64>,
}

/// A logout asked for during a talk or a ring (issue 25): the agent stays
/// `on_call` (or ringing) and leaves when the call ends, so every view says
/// the same talk time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueuedLogout {
    pub actor: Actor,
    pub reason: String,
    /// Asked while the phone only rang: the logout happens at this time
    /// (Unix seconds) unless the agent answered by then, as the telephony
    /// may never report the ring's end.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<i64>,
}

/// How long a logout asked while the agent's phone rings waits for the
/// answer (seconds), when the ring has no deadline of its own: a
/// telephony's longest usual ring timeout (app_queue's and mod_callcenter's
/// defaults are 15 and 60 s).
pub const LEAVE_RING_WAIT: i64 = 60;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WrapInfo {
    pub call: CallRef,
    pub until: i64,
}

/// How the agent's page is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Heartbeat {
    #[default]
    Fresh,
    /// No ping for `stale_after` seconds.
    Stale,
    /// No ping for `offline_after` seconds: shown offline, but a break the
    /// agent chose is kept for when the page comes back.
    Lost,
}

/// Finished legs remembered per agent, to recognise late facts about them
/// (minutes of a busy agent's calls; late facts come within seconds).
const FINISHED_LEGS: usize = 16;
/// Legs one agent may hold at once; beyond, the oldest is let go (a PBX
/// that never ends its legs must not grow a snapshot without bound).
const ACTIVE_LEGS: usize = 16;

/// Seconds a telephony's clock may run behind agentdesk's before a fact it
/// times before the agent's latest ring counts as a late fact of an earlier
/// ring (`Presence::attempt_for`).
pub const CLOCK_SLACK: i64 = 2;

/// Everything known about an agent right now; the fold of its events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Presence {
    pub state: State,
    /// When `state` (or the reason shown with it) last changed.
    pub since: i64,
    /// Online since; `None` while offline.
    pub login_at: Option<i64>,
    #[serde(default)]
    pub heartbeat: Heartbeat,
    /// While offline: why (`agent`, `ping_lost`, `switched_off`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offline_reason: Option<String>,
    #[serde(rename = "brk")]
    pub on_break: Option<BreakInfo>,
    pub queued_break: Option<QueuedBreak>,
    #[serde(default, rename = "ql", skip_serializing_if = "Option::is_none")]
    pub queued_logout: Option<QueuedLogout>,
    pub wrap: Option<WrapInfo>,
    /// The agent's legs, oldest first: the active ones and the last
    /// finished ones.
    #[serde(default)]
    pub legs: Vec<Leg>,
    /// Latest sign of life other than a ping (login, heartbeat, telephony).
    pub alive_at: i64,
    /// Time of the latest event: later events never go back before it.
    pub last_event: i64,
    /// When the agent last finished work on a call: the end of its wrap-up,
    /// or of the talk when none followed. Longest idle routing counts from
    /// it (`idle_since`).
    #[serde(default, rename = "we", skip_serializing_if = "Option::is_none")]
    pub work_ended: Option<i64>,
    /// Agent 0's presence only (it is no agent): the account's call queue
    /// (`domain::queue`).
    #[serde(default, rename = "q", skip_serializing_if = "Queue::is_empty")]
    pub queue: Queue,
    /// Snapshots written before legs existed held one call here.
    #[serde(default, rename = "call", skip_serializing)]
    legacy_call: Option<LegacyCall>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
struct LegacyCall {
    call: CallRef,
    since: i64,
}

impl Default for Presence {
    fn default() -> Self {
        Presence {
            state: State::Offline,
            since: 0,
            login_at: None,
            heartbeat: Heartbeat::Fresh,
            offline_reason: None,
            on_break: None,
            queued_break: None,
            queued_logout: None,
            wrap: None,
            legs: Vec::new(),
            alive_at: 0,
            last_event: 0,
            work_ended: None,
            queue: Queue::default(),
            legacy_call: None,
        }
    }
}

/// Why a request cannot change the agent's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Offline or stale: log in / reconnect first.
    NotAvailable,
    AlreadyOnBreak,
    NotOnBreak,
    NotInWrapUp,
}

/// The account's timing rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rules {
    pub stale_after: i64,
    pub offline_after: i64,
}

impl Default for Rules {
    fn default() -> Self {
        Rules { stale_after: 30, offline_after: 90 }
    }
}

impl Presence {
    /// A snapshot written by an earlier version, in today's terms: its one
    /// call becomes a leg, its `stale` a stale heartbeat.
    pub fn upgrade(mut self) -> Self {
        if let Some(old) = self.legacy_call.take() {
            let mut leg = Leg::new(old.call);
            leg.record(Kind::Offered, old.since);
            if self.state == State::OnCall {
                leg.record(Kind::Answered, old.since);
            }
            self.legs.push(leg);
        }
        if self.state == State::Stale {
            self.heartbeat = Heartbeat::Stale;
        }
        self
    }

    /// A copy without the legs, for views that pick the ones they show.
    pub fn clone_without_legs(&self) -> Presence {
        Presence {
            state: self.state,
            since: self.since,
            login_at: self.login_at,
            heartbeat: self.heartbeat,
            offline_reason: self.offline_reason.clone(),
            on_break: self.on_break.clone(),
            queued_break: self.queued_break.clone(),
            queued_logout: self.queued_logout.clone(),
            wrap: self.wrap.clone(),
            legs: Vec::new(),
            alive_at: self.alive_at,
            last_event: self.last_event,
            work_ended: self.work_ended,
            queue: self.queue.clone(),
            legacy_call: None,
        }
    }

    /// Whether a call may be offered to the agent now: available (not
    /// ringing, on a call, in wrap-up, on a break, stale or offline) with no
    /// break asked for.
    pub fn routable(&self) -> bool {
        self.shown().state == State::Available && self.queued_break.is_none()
    }

    /// Since when the agent has been idle (Unix seconds): the end of its
    /// last talk or wrap-up in this session, else its login. A ring it did
    /// not answer, or a break, does not make it any less idle (as
    /// `app_queue`'s last hang-up and `mod_callcenter`'s last bridge end).
    /// Meaningful while `routable`.
    pub fn idle_since(&self) -> i64 {
        let login = self.login_at.unwrap_or(self.since);
        self.work_ended.filter(|&t| t >= login).unwrap_or(login)
    }

    /// Which attempt of the agent's legs of the call a telephony fact is
    /// about (issue 25): the latest one, except that an `offered` after it
    /// finished rings a new attempt — a queue's retry, a transfer that comes
    /// back, a call id used again — unless the telephony's own time for it
    /// is no later than that attempt's end (a late copy of its offer, or the
    /// offer of a leg whose other facts came first). A fact told as
    /// happening well before the latest ring (by more than `CLOCK_SLACK`: a
    /// telephony clock a little behind ours is not a late fact) belongs to
    /// the ring of then, unless that ring has it already. `recorded`: the
    /// attempts and kinds the log holds of these legs, for legs no longer
    /// kept here (or never: facts about an agent offline). Without a
    /// `time`, a copy of an offer sent again after its leg finished rings
    /// anew: telephony that retries should send `time`.
    pub fn attempt_for(&self, call_id: &str, kind: Kind, told_at: Option<i64>, recorded: &[(u32, Kind)]) -> u32 {
        let kept = || self.legs.iter().filter(|l| l.call.call_id == call_id);
        let latest = kept().map(|l| l.call.attempt).chain(recorded.iter().map(|(a, _)| *a)).max();
        let Some(n) = latest else { return 0 };
        let leg = kept().find(|l| l.call.attempt == n);
        let has = |attempt: u32, kind: Kind| {
            recorded.contains(&(attempt, kind)) || kept().any(|l| l.call.attempt == attempt && l.has(kind))
        };
        if kind != Kind::Offered {
            if let (Some(t), Some(rang)) = (told_at, leg.and_then(|l| l.offered))
                && t + CLOCK_SLACK < rang
                && let Some(then) = kept().filter(|l| l.offered.is_some_and(|o| o <= t)).map(|l| l.call.attempt).max()
                && !has(then, kind)
            {
                return then;
            }
            return n;
        }
        let finished = match leg {
            Some(l) => !l.active(),
            None => recorded.iter().any(|&(a, k)| a == n && matches!(k, Kind::Missed | Kind::Ended)),
        };
        if !finished {
            return n;
        }
        let end = leg.and_then(|l| l.ended.into_iter().chain(l.missed).max());
        match (told_at, end) {
            (Some(t), Some(end)) if t <= end => n,
            (None, _) if leg.is_some() && !has(n, Kind::Offered) => n,
            _ => n + 1,
        }
    }

    /// The agent's newest leg (latest attempt) of the call, if one is kept.
    pub fn latest_leg(&self, call_id: &str) -> Option<&Leg> {
        self.legs.iter().filter(|l| l.call.call_id == call_id).max_by_key(|l| l.call.attempt)
    }

    /// When the agent was last offered a call of `group` (legs keep their
    /// group): round robin goes on after the latest.
    pub fn last_offer_in(&self, group: i64) -> Option<i64> {
        self.legs.iter().filter(|l| l.call.group == Some(group)).filter_map(|l| l.offered).max()
    }

    pub fn logged_in(&self) -> bool {
        self.login_at.is_some()
    }

    /// Whether a leg rings for the agent or is talked on.
    pub fn on_the_phone(&self) -> bool {
        self.legs.iter().any(Leg::active)
    }

    /// The call a board shows: the newest leg talked on, else the newest ringing.
    pub fn current_leg(&self) -> Option<&Leg> {
        let active = || self.legs.iter().rev().filter(|l| l.active());
        active().find(|l| l.status() == LegStatus::Talking).or_else(|| active().next())
    }

    /// The wrap-up the agent is in, also behind `stale` (not behind a call or a break).
    pub fn wrap_up(&self) -> Option<&WrapInfo> {
        let underneath = self.logged_in() && !self.on_the_phone() && self.on_break.is_none();
        self.wrap.as_ref().filter(|_| underneath)
    }

    /// The state and reason the layers show (see the module's note).
    pub fn shown(&self) -> Shown {
        let (state, reason) = if !self.logged_in() {
            (State::Offline, self.offline_reason.clone())
        } else if self.legs.iter().any(|l| l.active() && l.status() == LegStatus::Talking) {
            (State::OnCall, None)
        } else if self.on_the_phone() {
            (State::Ringing, None)
        } else if self.heartbeat == Heartbeat::Stale {
            (State::Stale, None)
        } else if let Some(b) = &self.on_break {
            (State::Break, Some(b.reason.clone()))
        } else if self.wrap.is_some() {
            (State::WrapUp, None)
        } else {
            (State::Available, None)
        };
        Shown { state, reason }
    }

    /// An event time never earlier than what the agent already did.
    fn clamp(&self, at: i64) -> i64 {
        at.max(self.last_event)
    }

    /// The leg of this attempt of the call, if one is kept.
    fn leg(&self, call: &CallRef) -> Option<&Leg> {
        self.legs.iter().find(|l| l.call.same_leg(call))
    }

    // ---- decide: requests to events ----

    /// A session of the agent started (`auth/login`).
    pub fn login(&self, agent: AgentId, at: i64) -> Vec<Event> {
        let at = self.clamp(at);
        if !self.logged_in() {
            vec![Event::new(agent, at, Kind::Login, Actor::Agent)]
        } else if self.heartbeat == Heartbeat::Stale || self.queued_logout.is_some() {
            // Also back before a logout queued during a talk happened: it
            // is called off.
            vec![Event::new(agent, at, Kind::Heartbeat, Actor::Agent).with_reason("login")]
        } else {
            Vec::new()
        }
    }

    /// The agent's session ended; `reason` says how (`agent`, `switched_off`, …).
    /// Also ends a break kept through a lost heartbeat. A leg still ringing
    /// is recorded as missed (actor `system`, reason `agent_left`): an agent
    /// who left cannot be rung, and the call must not show as ringing for it.
    pub fn logout(&self, agent: AgentId, at: i64, actor: Actor, reason: &str) -> Vec<Event> {
        let chosen = self.on_break.is_some() || self.queued_break.is_some();
        if !self.logged_in() && !chosen {
            return Vec::new();
        }
        let at = self.clamp(at);
        let mut events = self.missed_for_leaving(agent, at);
        events.push(Event::new(agent, at, Kind::Logout, actor).with_reason(reason));
        events
    }

    /// A logout the agent or a supervisor asked for: during a talk it waits
    /// for the talk to end (`logout_queued`; legs still ringing are missed
    /// at once), so live state, timeline, counters and the call's own
    /// duration agree on the talk (issue 25). While the phone only rings it
    /// waits for that ring (the agent may be picking up: an answer then is
    /// a talk like any other), at most until the ring's deadline or
    /// `LEAVE_RING_WAIT` (the logout queued carries it as `until`).
    /// Otherwise — or asked again while one waits, as the hang-up may never
    /// come — `logout`. A login meanwhile calls it off.
    pub fn leave(&self, agent: AgentId, at: i64, actor: Actor, reason: &str) -> Vec<Event> {
        let talking = self.legs.iter().any(|l| l.active() && l.status() == LegStatus::Talking);
        if !self.logged_in() || !self.on_the_phone() {
            return self.logout(agent, at, actor, reason);
        }
        if self.queued_logout.is_some() {
            // Asked again while it waits (the hang-up may never come): now.
            return self.logout(agent, at, actor, reason);
        }
        let at = self.clamp(at);
        if !talking {
            let deadline = self.legs.iter().filter(|l| l.active()).filter_map(|l| l.ring_until).max();
            let mut queued = Event::new(agent, at, Kind::LogoutQueued, actor).with_reason(reason);
            queued.until = Some(deadline.unwrap_or(at + LEAVE_RING_WAIT).max(at));
            return vec![queued];
        }
        let mut events = self.missed_for_leaving(agent, at);
        events.push(Event::new(agent, at, Kind::LogoutQueued, actor).with_reason(reason));
        events
    }

    /// A leg still ringing for an agent who leaves is missed (actor
    /// `system`, reason `agent_left`).
    fn missed_for_leaving(&self, agent: AgentId, at: i64) -> Vec<Event> {
        self.legs
            .iter()
            .filter(|l| l.active() && l.status() == LegStatus::Ringing)
            .map(|l| {
                let mut missed = Event::new(agent, at, Kind::Missed, Actor::System).with_reason("agent_left");
                missed.call = Some(l.call.clone());
                missed
            })
            .collect()
    }

    /// A ping: only a way back from `stale`/`offline` is an event; an ordinary
    /// ping is kept in memory by the caller.
    pub fn ping(&self, agent: AgentId, at: i64) -> Vec<Event> {
        if self.logged_in() && self.heartbeat != Heartbeat::Stale {
            return Vec::new();
        }
        vec![Event::new(agent, self.clamp(at), Kind::Heartbeat, Actor::Agent).with_reason("ping")]
    }

    /// A break asked for now; during a call it waits for the hang-up. On a
    /// break already, another reason switches to it at once (the same
    /// reason is refused).
    pub fn break_start(
        &self,
        agent: AgentId,
        at: i64,
        actor: Actor,
        reason: &str,
        max: Option<i64>,
    ) -> Result<Vec<Event>, Refusal> {
        if !self.logged_in() || self.heartbeat == Heartbeat::Stale {
            return Err(Refusal::NotAvailable);
        }
        if self.on_break.as_ref().is_some_and(|b| b.reason == reason) {
            return Err(Refusal::AlreadyOnBreak);
        }
        let kind = if self.on_the_phone() { Kind::BreakQueued } else { Kind::BreakStart };
        let mut event = Event::new(agent, self.clamp(at), kind, actor).with_reason(reason);
        event.until = max;
        Ok(vec![event])
    }

    /// Ends the break (or cancels a queued one).
    pub fn break_end(&self, agent: AgentId, at: i64, actor: Actor) -> Result<Vec<Event>, Refusal> {
        if let Some(b) = &self.on_break {
            return Ok(vec![Event::new(agent, self.clamp(at), Kind::BreakEnd, actor).with_reason(&b.reason)]);
        }
        if self.queued_break.is_some() {
            return Ok(vec![Event::new(agent, self.clamp(at), Kind::BreakEnd, actor).with_reason("cancelled")]);
        }
        Err(Refusal::NotOnBreak)
    }

    /// Ends wrap-up before its time.
    pub fn wrap_up_end(&self, agent: AgentId, at: i64, actor: Actor) -> Result<Vec<Event>, Refusal> {
        let Some(wrap) = &self.wrap else { return Err(Refusal::NotInWrapUp) };
        let mut event = Event::new(agent, self.clamp(at), Kind::WrapUpEnd, actor);
        event.call = Some(wrap.call.clone());
        Ok(vec![event])
    }

    /// A telephony fact about the agent's leg of `call`, which happened at
    /// `at`. Always recorded; it moves an agent who is online (an offline
    /// agent cannot be rung). `wrap_secs` is the wrap-up after this call,
    /// which follows once the leg was talked on and has ended.
    pub fn call_event(&self, agent: AgentId, at: i64, kind: Kind, call: CallRef, wrap_secs: i64) -> Vec<Event> {
        // A wrap-up that ended before this fact happened (facts told late,
        // in one batch: the timer has not run between them) ends first, at
        // its own second, so the fact does not find the agent in it.
        if let Some(end) = self.wrap_end_by(agent, at) {
            let mut after = self.clone();
            after.evolve(&end);
            let mut events = vec![end];
            events.extend(after.call_event(agent, at, kind, call, wrap_secs));
            return events;
        }
        let logged_at = self.clamp(at);
        let mut event = Event::new(agent, logged_at, kind, Actor::Telephony);
        event.reported = (at < logged_at).then_some(at);
        if !self.logged_in() {
            event.call = Some(call);
            return vec![event];
        }
        let mut leg = self.leg(&call).cloned().unwrap_or_else(|| Leg::new(call.clone()));
        let was = leg.status();
        leg.record_on(kind, at, &call.device);
        // While another leg is talked on, its own hang-up gives the wrap-up.
        let talking_elsewhere =
            self.legs.iter().any(|l| !l.call.same_leg(&call) && l.active() && l.status() == LegStatus::Talking);
        if was != LegStatus::Talked
            && leg.status() == LegStatus::Talked
            && !leg.closed
            && !talking_elsewhere
            && self.on_break.is_none()
            && self.queued_break.is_none()
            && self.queued_logout.is_none()
            && wrap_secs > 0
        {
            // From the hang-up the telephony reported, however late it came.
            let until = leg.ended.unwrap_or(at) + wrap_secs;
            event.until = (until > logged_at).then_some(until);
        }
        let on_the_phone_after = leg.active() || self.legs.iter().any(|l| !l.call.same_leg(&call) && l.active());
        event.call = Some(call);
        let mut events = vec![event];
        if self.on_the_phone()
            && !on_the_phone_after
            && let Some(q) = &self.queued_logout
        {
            // The logout asked for during the talk happens now.
            events.push(Event::new(agent, logged_at, Kind::Logout, q.actor).with_reason(&q.reason));
            return events;
        }
        if self.on_the_phone()
            && !on_the_phone_after
            && let Some(q) = &self.queued_break
        {
            // The break asked for during the call starts when the agent is free.
            let mut start = Event::new(agent, logged_at, Kind::BreakStart, Actor::System).with_reason(&q.reason);
            start.until = q.max;
            events.push(start);
        }
        events
    }

    /// The end of the agent's wrap-up when it fell due by `at`.
    fn wrap_end_by(&self, agent: AgentId, at: i64) -> Option<Event> {
        let wrap = self.wrap.as_ref().filter(|w| w.until <= at)?;
        let mut end = Event::new(agent, self.clamp(wrap.until), Kind::WrapUpEnd, Actor::System);
        end.call = Some(wrap.call.clone());
        Some(end)
    }

    /// Timed transitions due by `now`, each at the second it fell due:
    /// wrap-up end, break overrun, heartbeat loss (`stale`, then `offline`).
    pub fn due(&self, agent: AgentId, now: i64, last_ping: i64, rules: &Rules) -> Vec<Event> {
        let mut presence = self.clone();
        let mut events = Vec::new();
        // Each step applies the earliest due transition; a handful suffice.
        for _ in 0..8 {
            let Some(event) = presence.next_due(agent, now, last_ping, rules) else { break };
            presence.evolve(&event);
            events.push(event);
        }
        events
    }

    /// Whether `due` would return anything (without building the events).
    pub fn is_due(&self, now: i64, last_ping: i64, rules: &Rules) -> bool {
        // The agent only names the events built, which are dropped here.
        self.next_due(AgentId(0), now, last_ping, rules).is_some()
    }

    fn next_due(&self, agent: AgentId, now: i64, last_ping: i64, rules: &Rules) -> Option<Event> {
        let mut candidates: Vec<Event> = Vec::new();
        if let Some(wrap) = &self.wrap {
            let mut e = Event::new(agent, wrap.until, Kind::WrapUpEnd, Actor::System);
            e.call = Some(wrap.call.clone());
            candidates.push(e);
        }
        if self.logged_in() {
            if let Some(b) = &self.on_break
                && !b.overrun
                && let Some(due) = b.due()
            {
                candidates.push(Event::new(agent, due, Kind::BreakOverrun, Actor::System).with_reason(&b.reason));
            }
            if !self.on_the_phone() {
                let base = last_ping.max(self.alive_at);
                if self.heartbeat == Heartbeat::Fresh {
                    candidates.push(Event::new(agent, base + rules.stale_after, Kind::Stale, Actor::System));
                }
                candidates.push(
                    Event::new(agent, base + rules.offline_after, Kind::Offline, Actor::System)
                        .with_reason("ping_lost"),
                );
            }
        }
        // A logout asked while the phone rang, and nobody answered by its
        // deadline: the rings left are missed, then the agent leaves.
        let talking = self.legs.iter().any(|l| l.active() && l.status() == LegStatus::Talking);
        if let Some(q) = &self.queued_logout
            && let Some(until) = q.until
            && !talking
        {
            let leaving = match self.missed_for_leaving(agent, until).into_iter().next() {
                Some(missed) => missed,
                None => Event::new(agent, until, Kind::Logout, q.actor).with_reason(&q.reason),
            };
            candidates.push(leaving);
        }
        // A leg the routing decision offered and the telephony never
        // reported on (its answer was lost, the proxy restarted) stops
        // ringing at its deadline.
        for leg in self.legs.iter().filter(|l| l.active() && l.status() == LegStatus::Ringing) {
            if let Some(until) = leg.ring_until {
                let mut e = Event::new(agent, until, Kind::Missed, Actor::System).with_reason("ring_timeout");
                e.call = Some(leg.call.clone());
                candidates.push(e);
            }
        }
        let mut next = candidates.into_iter().filter(|e| e.at <= now).min_by_key(|e| e.at)?;
        next.at = self.clamp(next.at);
        Some(next)
    }

    // ---- evolve: the fold ----

    /// Active legs stop holding the agent (it left); they are remembered.
    fn close_legs(&mut self) {
        for leg in self.legs.iter_mut().filter(|l| l.active()) {
            leg.closed = true;
            leg.call.id_only();
        }
    }

    /// Keeps the newest active and finished legs within their bounds.
    fn prune_legs(&mut self) {
        let active = self.legs.iter().filter(|l| l.active()).count();
        if active > ACTIVE_LEGS {
            let mut extra = active - ACTIVE_LEGS;
            for leg in self.legs.iter_mut().filter(|l| l.active()) {
                if extra == 0 {
                    break;
                }
                leg.closed = true;
                leg.call.id_only();
                extra -= 1;
            }
        }
        let finished = self.legs.iter().filter(|l| !l.active()).count();
        let mut extra = finished.saturating_sub(FINISHED_LEGS);
        self.legs.retain(|l| {
            let drop = extra > 0 && !l.active();
            extra -= usize::from(drop);
            !drop
        });
    }

    /// Applies one event. Deterministic: replaying the log rebuilds the state.
    /// Returns where the event left the agent (the log's `state` and
    /// `state_reason`).
    pub fn evolve(&mut self, event: &Event) -> Shown {
        let at = event.at;
        let before = self.shown();
        self.last_event = self.last_event.max(at);
        match event.kind {
            Kind::LogoutQueued => {
                self.queued_logout = Some(QueuedLogout {
                    actor: event.actor,
                    reason: event.reason.clone().unwrap_or_default(),
                    until: event.until,
                });
            }
            Kind::Login => {
                self.queued_logout = None;
                if self.heartbeat != Heartbeat::Lost {
                    self.on_break = None;
                    self.queued_break = None;
                }
                self.wrap = None;
                self.login_at = Some(at);
                self.heartbeat = Heartbeat::Fresh;
                self.offline_reason = None;
                self.alive_at = at;
            }
            Kind::Logout | Kind::Offline => {
                self.queued_logout = None;
                self.close_legs();
                if event.kind == Kind::Logout {
                    self.on_break = None;
                    self.queued_break = None;
                    self.heartbeat = Heartbeat::Fresh;
                } else {
                    self.heartbeat = Heartbeat::Lost;
                }
                self.wrap = None;
                self.login_at = None;
                self.offline_reason = event.reason.clone();
            }
            Kind::Stale => {
                if self.logged_in() && !self.on_the_phone() {
                    self.heartbeat = Heartbeat::Stale;
                }
            }
            Kind::Heartbeat => {
                // A live session again: a logout queued during a talk is off.
                self.queued_logout = None;
                if !self.logged_in() {
                    self.login_at = Some(at);
                    self.offline_reason = None;
                }
                self.heartbeat = Heartbeat::Fresh;
                self.alive_at = at;
            }
            Kind::BreakQueued => {
                self.queued_break =
                    Some(QueuedBreak { reason: event.reason.clone().unwrap_or_default(), max: event.until });
            }
            Kind::BreakStart => {
                self.queued_break = None;
                if self.wrap.take().is_some() {
                    self.work_ended = Some(at);
                }
                self.on_break = Some(BreakInfo {
                    reason: event.reason.clone().unwrap_or_default(),
                    started: at,
                    max: event.until,
                    overrun: false,
                });
            }
            Kind::BreakEnd => {
                if self.on_break.take().is_none() {
                    self.queued_break = None;
                }
            }
            Kind::BreakOverrun => {
                if let Some(b) = &mut self.on_break {
                    b.overrun = true;
                }
            }
            Kind::WrapUpEnd => {
                if self.wrap.take().is_some() {
                    self.work_ended = Some(at);
                }
            }
            Kind::Offered | Kind::Answered | Kind::Ended | Kind::Missed => self.evolve_call(event),
            Kind::Queued | Kind::Dequeued | Kind::Abandoned => self.queue.evolve(event),
        }
        let after = self.shown();
        if after != before {
            self.since = at;
        }
        self.state = after.state;
        after
    }

    fn evolve_call(&mut self, event: &Event) {
        let Some(call) = &event.call else { return };
        if !self.logged_in() {
            return; // recorded only: an offline agent cannot be rung
        }
        let index = match self.legs.iter().position(|l| l.call.same_leg(call)) {
            Some(i) => i,
            None => {
                self.legs.push(Leg::new(call.clone()));
                self.legs.len() - 1
            }
        };
        let leg = &mut self.legs[index];
        let ended_before = leg.ended.is_some();
        leg.record_on(event.kind, event.happened(), &call.device);
        // A later event that does not repeat the caller (withheld there, or
        // left out) keeps the one the leg knows.
        let mut call = call.clone();
        if call.caller_number.is_empty() {
            call.caller_number = leg.call.caller_number.clone();
        }
        call.group = call.group.or(leg.call.group);
        // The device is the fact's, not the leg's.
        call.device = String::new();
        if leg.active() {
            // Also a leg that comes back (an answer that raced its timeout).
            leg.call = call.clone();
        } else {
            leg.call.id_only();
        }
        let talking = leg.active() && leg.status() == LegStatus::Talking;
        // The telephony proves the agent is there.
        self.heartbeat = Heartbeat::Fresh;
        self.alive_at = self.alive_at.max(event.at);
        if talking {
            // Talking again: the after-call work of an earlier call is over.
            self.wrap = None;
        }
        if event.kind == Kind::Offered {
            // An offer the routing decision made rings until its deadline.
            if let Some(until) = event.until {
                self.legs[index].ring_until = Some(until);
            }
        } else if let Some(until) = event.until {
            self.wrap = Some(WrapInfo { call, until });
        } else if event.kind == Kind::Ended && !ended_before && leg.answered.is_some() && self.wrap.is_none() {
            // A talk with no wrap-up after it: the work ends with the talk.
            self.work_ended = Some(event.happened());
        }
        self.prune_legs();
    }
}

/// Applies `events` in order and returns where each one left the agent
/// (the `state` and `state_reason` columns of the log).
pub fn fold(presence: &mut Presence, events: &[Event]) -> Vec<Shown> {
    events.iter().map(|e| presence.evolve(e)).collect()
}

#[cfg(test)]
#[path = "presence_tests.rs"]
mod tests;
