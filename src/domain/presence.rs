//! The presence state machine of one agent, event-sourced: `decide` turns a
//! request into events (or refuses it), `evolve` folds one event into the
//! state. Live status, timeline and counters all come from the same events.

use serde::{Deserialize, Serialize};

pub use super::event::{Actor, CallRef, Event, Kind, Logged, State};

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

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WrapInfo {
    pub call: CallRef,
    pub until: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrentCall {
    pub call: CallRef,
    pub since: i64,
}

/// How many finished calls an agent remembers, to ignore late events about them.
const RECENT_CALLS: usize = 32;

/// Everything known about an agent right now; the fold of its events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Presence {
    pub state: State,
    pub since: i64,
    pub login_at: Option<i64>,
    /// While `stale`: the state a returning heartbeat goes back to.
    pub resume: Option<State>,
    #[serde(rename = "brk")]
    pub on_break: Option<BreakInfo>,
    pub queued_break: Option<QueuedBreak>,
    pub wrap: Option<WrapInfo>,
    pub call: Option<CurrentCall>,
    /// Latest sign of life other than a ping (login, heartbeat, telephony).
    pub alive_at: i64,
    /// Time of the latest event: later events never go back before it.
    pub last_event: i64,
    pub recent_calls: Vec<String>,
}

impl Default for Presence {
    fn default() -> Self {
        Presence {
            state: State::Offline,
            since: 0,
            login_at: None,
            resume: None,
            on_break: None,
            queued_break: None,
            wrap: None,
            call: None,
            alive_at: 0,
            last_event: 0,
            recent_calls: Vec::new(),
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
    /// The state behind `stale`: what the agent is doing as far as we know.
    pub fn underlying(&self) -> State {
        match (self.state, self.resume) {
            (State::Stale, Some(s)) => s,
            (s, _) => s,
        }
    }

    pub fn logged_in(&self) -> bool {
        self.state != State::Offline
    }

    /// An event time never earlier than what the agent already did.
    fn clamp(&self, at: i64) -> i64 {
        at.max(self.last_event)
    }

    // ---- decide: requests to events ----

    /// A session of the agent started (`auth/login`).
    pub fn login(&self, agent: i64, at: i64) -> Vec<Event> {
        let at = self.clamp(at);
        match self.state {
            State::Offline => vec![Event::new(agent, at, Kind::Login, Actor::Agent)],
            State::Stale => vec![Event::new(agent, at, Kind::Heartbeat, Actor::Agent).with_reason("login")],
            _ => Vec::new(),
        }
    }

    /// The agent's session ended; `reason` says how (`agent`, `switched_off`, …).
    pub fn logout(&self, agent: i64, at: i64, actor: Actor, reason: &str) -> Vec<Event> {
        if self.state == State::Offline {
            return Vec::new();
        }
        vec![Event::new(agent, self.clamp(at), Kind::Logout, actor).with_reason(reason)]
    }

    /// A ping: only a way back from `stale`/`offline` is an event; an ordinary
    /// ping is kept in memory by the caller.
    pub fn ping(&self, agent: i64, at: i64) -> Vec<Event> {
        match self.state {
            State::Stale | State::Offline => {
                vec![Event::new(agent, self.clamp(at), Kind::Heartbeat, Actor::Agent).with_reason("ping")]
            }
            _ => Vec::new(),
        }
    }

    /// A break asked for now; during a call it waits for the hang-up.
    pub fn break_start(
        &self,
        agent: i64,
        at: i64,
        actor: Actor,
        reason: &str,
        max: Option<i64>,
    ) -> Result<Vec<Event>, Refusal> {
        let kind = match self.state {
            State::Offline | State::Stale => return Err(Refusal::NotAvailable),
            State::Break => return Err(Refusal::AlreadyOnBreak),
            State::Ringing | State::OnCall => Kind::BreakQueued,
            State::Available | State::WrapUp => Kind::BreakStart,
        };
        let mut event = Event::new(agent, self.clamp(at), kind, actor).with_reason(reason);
        event.until = max;
        Ok(vec![event])
    }

    /// Ends the break (or cancels a queued one).
    pub fn break_end(&self, agent: i64, at: i64, actor: Actor) -> Result<Vec<Event>, Refusal> {
        if let Some(b) = &self.on_break {
            return Ok(vec![Event::new(agent, self.clamp(at), Kind::BreakEnd, actor).with_reason(&b.reason)]);
        }
        if self.queued_break.is_some() {
            return Ok(vec![Event::new(agent, self.clamp(at), Kind::BreakEnd, actor).with_reason("cancelled")]);
        }
        Err(Refusal::NotOnBreak)
    }

    /// Ends wrap-up before its time.
    pub fn wrap_up_end(&self, agent: i64, at: i64, actor: Actor) -> Result<Vec<Event>, Refusal> {
        let Some(wrap) = &self.wrap else { return Err(Refusal::NotInWrapUp) };
        let mut event = Event::new(agent, self.clamp(at), Kind::WrapUpEnd, actor);
        event.call = Some(wrap.call.clone());
        Ok(vec![event])
    }

    /// A telephony event. Always recorded; it moves the agent only when it
    /// fits the agent's current state. `wrap_secs` is the wrap-up after this call.
    pub fn call_event(&self, agent: i64, at: i64, kind: Kind, call: CallRef, wrap_secs: i64) -> Vec<Event> {
        let at = self.clamp(at);
        let mut event = Event::new(agent, at, kind, Actor::Telephony);
        let ends_current = kind == Kind::Ended && self.call_effect(kind, &call.call_id).is_some();
        let missed_current = kind == Kind::Missed && self.call_effect(kind, &call.call_id).is_some();
        if ends_current && self.queued_break.is_none() && wrap_secs > 0 {
            event.until = Some(at + wrap_secs);
        }
        event.call = Some(call);
        let mut events = vec![event];
        if (ends_current || missed_current)
            && let Some(q) = &self.queued_break
        {
            // The break asked for during the call starts at hang-up.
            let mut start = Event::new(agent, at, Kind::BreakStart, Actor::System).with_reason(&q.reason);
            start.until = q.max;
            events.push(start);
        }
        events
    }

    /// The state a call event moves the agent to, if it fits at all.
    fn call_effect(&self, kind: Kind, call_id: &str) -> Option<State> {
        if self.recent_calls.iter().any(|c| c == call_id) {
            return None; // a late event about a call that is over
        }
        let current = self.call.as_ref().map(|c| c.call.call_id.as_str());
        // A stale page does not stop the phone: telephony brings the agent back.
        let idle = matches!(self.underlying(), State::Available | State::WrapUp) && self.logged_in();
        match kind {
            Kind::Offered if idle => Some(State::Ringing),
            Kind::Answered if idle || (self.state == State::Ringing && current == Some(call_id)) => {
                Some(State::OnCall)
            }
            Kind::Ended if self.state.on_the_phone() && current == Some(call_id) => Some(State::WrapUp),
            Kind::Missed if self.state == State::Ringing && current == Some(call_id) => Some(State::Available),
            _ => None,
        }
    }

    /// Timed transitions due by `now`, each at the second it fell due:
    /// wrap-up end, break overrun, heartbeat loss (`stale`, then `offline`).
    pub fn due(&self, agent: i64, now: i64, last_ping: i64, rules: &Rules) -> Vec<Event> {
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
        self.next_due(0, now, last_ping, rules).is_some()
    }

    fn next_due(&self, agent: i64, now: i64, last_ping: i64, rules: &Rules) -> Option<Event> {
        let mut candidates: Vec<Event> = Vec::new();
        if let Some(wrap) = &self.wrap {
            let mut e = Event::new(agent, wrap.until, Kind::WrapUpEnd, Actor::System);
            e.call = Some(wrap.call.clone());
            candidates.push(e);
        }
        if let Some(b) = &self.on_break
            && !b.overrun
            && let Some(due) = b.due()
        {
            candidates.push(Event::new(agent, due, Kind::BreakOverrun, Actor::System).with_reason(&b.reason));
        }
        if self.logged_in() && !self.state.on_the_phone() {
            let base = last_ping.max(self.alive_at);
            if self.state != State::Stale {
                candidates.push(Event::new(agent, base + rules.stale_after, Kind::Stale, Actor::System));
            }
            candidates.push(
                Event::new(agent, base + rules.offline_after, Kind::Offline, Actor::System).with_reason("ping_lost"),
            );
        }
        let mut next = candidates.into_iter().filter(|e| e.at <= now).min_by_key(|e| e.at)?;
        next.at = self.clamp(next.at);
        Some(next)
    }

    // ---- evolve: the fold ----

    fn enter(&mut self, state: State, at: i64) {
        if state != self.state {
            self.state = state;
            self.since = at;
        }
    }

    fn forget_call(&mut self, call_id: &str) {
        self.recent_calls.retain(|c| c != call_id);
        self.recent_calls.push(call_id.to_string());
        if self.recent_calls.len() > RECENT_CALLS {
            self.recent_calls.remove(0);
        }
    }

    /// Applies one event. Deterministic: replaying the log rebuilds the state.
    pub fn evolve(&mut self, event: &Event) {
        let at = event.at;
        self.last_event = self.last_event.max(at);
        match event.kind {
            Kind::Login => {
                let recent = std::mem::take(&mut self.recent_calls);
                *self = Presence { recent_calls: recent, last_event: self.last_event, ..Presence::default() };
                self.enter(State::Available, at);
                self.login_at = Some(at);
                self.alive_at = at;
            }
            Kind::Logout | Kind::Offline => {
                if let Some(c) = self.call.take() {
                    // Late events about this call must not start it again.
                    self.forget_call(&c.call.call_id);
                }
                self.on_break = None;
                self.queued_break = None;
                self.wrap = None;
                self.call = None;
                self.resume = None;
                self.login_at = None;
                self.enter(State::Offline, at);
            }
            Kind::Stale => {
                if self.state != State::Stale && self.logged_in() {
                    self.resume = Some(self.state);
                    self.enter(State::Stale, at);
                }
            }
            Kind::Heartbeat => {
                let back_to = match self.state {
                    State::Stale => self.resume.take().unwrap_or(State::Available),
                    State::Offline => {
                        self.login_at = Some(at);
                        State::Available
                    }
                    other => other,
                };
                self.alive_at = at;
                self.enter(back_to, at);
            }
            Kind::BreakQueued => {
                self.queued_break = Some(QueuedBreak { reason: event.reason.clone().unwrap_or_default(), max: event.until });
            }
            Kind::BreakStart => {
                self.queued_break = None;
                self.wrap = None;
                self.call = None;
                self.on_break = Some(BreakInfo {
                    reason: event.reason.clone().unwrap_or_default(),
                    started: at,
                    max: event.until,
                    overrun: false,
                });
                self.enter(State::Break, at);
            }
            Kind::BreakEnd => {
                if self.on_break.take().is_some() {
                    self.leave(State::Break, at);
                } else {
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
                    self.leave(State::WrapUp, at);
                }
            }
            Kind::Offered | Kind::Answered | Kind::Ended | Kind::Missed => self.evolve_call(event),
        }
    }

    /// Leaves `state` for `available`, also when it is the state behind `stale`.
    fn leave(&mut self, state: State, at: i64) {
        if self.state == state {
            self.enter(State::Available, at);
        } else if self.state == State::Stale && self.resume == Some(state) {
            self.resume = Some(State::Available);
        }
    }

    fn evolve_call(&mut self, event: &Event) {
        let Some(call) = &event.call else { return };
        let Some(next) = self.call_effect(event.kind, &call.call_id) else {
            if matches!(event.kind, Kind::Ended | Kind::Missed) {
                // An end that overtook its offer: the offer, when it comes, is late.
                self.forget_call(&call.call_id);
            }
            return;
        };
        let at = event.at;
        self.alive_at = at;
        self.resume = None;
        match next {
            State::Ringing | State::OnCall => {
                let since = match &self.call {
                    Some(c) if c.call.call_id == call.call_id => c.since,
                    _ => at,
                };
                self.wrap = None;
                self.call = Some(CurrentCall { call: call.clone(), since });
                if next == State::OnCall {
                    // Talk time counts from the answer.
                    self.call.as_mut().unwrap().since = at;
                }
                self.enter(next, at);
            }
            _ => {
                self.call = None;
                self.forget_call(&call.call_id);
                match event.until {
                    Some(until) if event.kind == Kind::Ended => {
                        self.wrap = Some(WrapInfo { call: call.clone(), until });
                        self.enter(State::WrapUp, at);
                    }
                    _ => self.enter(State::Available, at),
                }
            }
        }
    }
}

/// Applies `events` in order and returns the state after each one (the
/// `state` column of the log).
pub fn fold(presence: &mut Presence, events: &[Event]) -> Vec<State> {
    events
        .iter()
        .map(|e| {
            presence.evolve(e);
            presence.state
        })
        .collect()
}

#[cfg(test)]
#[path = "presence_tests.rs"]
mod tests;
