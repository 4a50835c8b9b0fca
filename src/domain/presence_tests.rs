//! Unit tests of the presence state machine, transition by transition:
//! each test decides events from a state, folds them, and checks both the
//! events (what the log records) and the state they lead to.

use super::*;

const AGENT: AgentId = AgentId(7);
const RULES: Rules = Rules { stale_after: 30, offline_after: 90 };
/// A start time far from zero, so that clamping to `last_event` never hides a bug.
const T: i64 = 1_000;

fn call(id: &str) -> CallRef {
    CallRef {
        call_id: id.into(),
        caller_number: "+33123456789".into(),
        direction: "inbound".into(),
        did: String::new(),
        group: None,
        attempt: 0,
        device: String::new(),
    }
}

/// The state behind `stale`.
fn underlying(p: &Presence) -> State {
    Presence { heartbeat: Heartbeat::Fresh, ..p.clone() }.shown().state
}

/// The call a board shows: its id and since when (the answer, else the offer).
fn current(p: &Presence) -> Option<(String, i64)> {
    p.current_leg().map(|l| (l.call.call_id.clone(), l.answered.unwrap_or_else(|| l.since())))
}

/// Whether a finished leg of the call is remembered (to recognise late facts).
fn remembered(p: &Presence, call_id: &str) -> bool {
    p.legs.iter().any(|l| l.call.call_id == call_id && !l.active())
}

/// Folds decided events into `p` and hands them back for inspection.
fn apply(p: &mut Presence, events: Vec<Event>) -> Vec<Event> {
    fold(p, &events);
    events
}

fn kinds(events: &[Event]) -> Vec<Kind> {
    events.iter().map(|e| e.kind).collect()
}

fn event(at: i64, kind: Kind, actor: Actor) -> Event {
    Event::new(AGENT, at, kind, actor)
}

fn call_event(at: i64, kind: Kind, id: &str) -> Event {
    let mut e = event(at, kind, Actor::Telephony);
    e.call = Some(call(id));
    e
}

/// One agent's presence plus everything recorded so far, for replay checks.
struct Desk {
    p: Presence,
    log: Vec<Event>,
    /// The state after each logged event, as `fold` reports it.
    states: Vec<State>,
}

impl Desk {
    fn new() -> Self {
        Desk { p: Presence::default(), log: Vec::new(), states: Vec::new() }
    }

    fn logged_in(at: i64) -> Self {
        let mut desk = Desk::new();
        desk.login(at);
        desk
    }

    /// Offered at `at`, answered five seconds later.
    fn on_call(at: i64, id: &str) -> Self {
        let mut desk = Desk::logged_in(at - 100);
        desk.call(at, Kind::Offered, id, 0);
        desk.call(at + 5, Kind::Answered, id, 0);
        assert_eq!(desk.p.state, State::OnCall);
        desk
    }

    fn apply(&mut self, events: Vec<Event>) -> Vec<Event> {
        let before = self.p.clone();
        let events = apply(&mut self.p, events);
        let mut check = before;
        self.states.extend(fold(&mut check, &events).into_iter().map(|s| s.state));
        self.log.extend(events.iter().cloned());
        events
    }

    fn login(&mut self, at: i64) -> Vec<Event> {
        let events = self.p.login(AGENT, at);
        self.apply(events)
    }

    fn logout(&mut self, at: i64) -> Vec<Event> {
        let events = self.p.logout(AGENT, at, Actor::Agent, "agent");
        self.apply(events)
    }

    fn leave(&mut self, at: i64) -> Vec<Event> {
        let events = self.p.leave(AGENT, at, Actor::Agent, "agent");
        self.apply(events)
    }

    fn ping(&mut self, at: i64) -> Vec<Event> {
        let events = self.p.ping(AGENT, at);
        self.apply(events)
    }

    fn break_start(&mut self, at: i64, reason: &str, max: Option<i64>) -> Result<Vec<Event>, Refusal> {
        let events = self.p.break_start(AGENT, at, Actor::Agent, reason, max)?;
        Ok(self.apply(events))
    }

    fn break_end(&mut self, at: i64) -> Result<Vec<Event>, Refusal> {
        let events = self.p.break_end(AGENT, at, Actor::Agent)?;
        Ok(self.apply(events))
    }

    fn wrap_up_end(&mut self, at: i64) -> Result<Vec<Event>, Refusal> {
        let events = self.p.wrap_up_end(AGENT, at, Actor::Agent)?;
        Ok(self.apply(events))
    }

    fn call(&mut self, at: i64, kind: Kind, id: &str, wrap_secs: i64) -> Vec<Event> {
        let events = self.p.call_event(AGENT, at, kind, call(id), wrap_secs);
        self.apply(events)
    }

    fn due(&mut self, now: i64, last_ping: i64) -> Vec<Event> {
        let events = self.p.due(AGENT, now, last_ping, &RULES);
        self.apply(events)
    }

    /// Goes stale through the heartbeat rules: last ping at `last_ping`, ticked at its stale limit.
    fn go_stale(&mut self, last_ping: i64) {
        let base = last_ping.max(self.p.alive_at);
        let events = self.due(base + RULES.stale_after, last_ping);
        assert_eq!(kinds(&events), vec![Kind::Stale]);
        assert_eq!(self.p.state, State::Stale);
    }

    /// The presence after the decided events so far, with only `last_event` moved to `at`:
    /// what an event that changes nothing leaves behind.
    fn unchanged_but_last_event(&self, at: i64) -> Presence {
        Presence { last_event: at, ..self.p.clone() }
    }

    /// The same, for a telephony fact about an online agent: a sign of life too.
    fn unchanged_but_heard_from(&self, at: i64) -> Presence {
        Presence { last_event: at, alive_at: at, ..self.p.clone() }
    }
}

// ---- login ----

#[test]
fn logging_in_from_offline_makes_the_agent_available() {
    let mut desk = Desk::new();
    let events = desk.login(T);
    assert_eq!(events, vec![event(T, Kind::Login, Actor::Agent)]);
    assert_eq!(desk.p.state, State::Available);
    assert_eq!(desk.p.since, T);
    assert_eq!(desk.p.login_at, Some(T));
    assert_eq!(desk.p.alive_at, T);
    assert_eq!(desk.p.last_event, T);
    assert!(desk.p.logged_in());
}

#[test]
fn logging_in_again_while_available_records_nothing() {
    let mut desk = Desk::logged_in(T);
    let before = desk.p.clone();
    assert!(desk.login(T + 50).is_empty());
    assert_eq!(desk.p, before);
}

#[test]
fn logging_in_again_during_a_break_or_a_call_records_nothing() {
    let mut desk = Desk::logged_in(T);
    desk.break_start(T + 10, "lunch", None).unwrap();
    assert!(desk.p.login(AGENT, T + 20).is_empty());

    let desk = Desk::on_call(T, "c1");
    assert!(desk.p.login(AGENT, T + 20).is_empty());
}

#[test]
fn logging_in_while_stale_is_a_heartbeat_back_to_the_previous_state() {
    let mut desk = Desk::logged_in(T);
    desk.go_stale(T);
    assert_eq!(underlying(&desk.p), State::Available);

    let events = desk.login(T + 40);
    assert_eq!(events, vec![event(T + 40, Kind::Heartbeat, Actor::Agent).with_reason("login")]);
    assert_eq!(desk.p.state, State::Available);
    assert_eq!(desk.p.since, T + 40);
    assert_eq!(desk.p.heartbeat, Heartbeat::Fresh);
    assert_eq!(desk.p.login_at, Some(T), "the session goes on: login time unchanged");
    assert_eq!(desk.p.alive_at, T + 40);
}

#[test]
fn logging_in_while_stale_on_a_break_goes_back_to_the_break() {
    let mut desk = Desk::logged_in(T);
    desk.break_start(T + 10, "lunch", Some(3600)).unwrap();
    desk.go_stale(T + 10);
    assert_eq!(underlying(&desk.p), State::Break);

    let events = desk.login(T + 60);
    assert_eq!(kinds(&events), vec![Kind::Heartbeat]);
    assert_eq!(desk.p.state, State::Break);
    let brk = desk.p.on_break.as_ref().unwrap();
    assert_eq!((brk.reason.as_str(), brk.started, brk.max), ("lunch", T + 10, Some(3600)));
}

// ---- logout ----

fn assert_logged_out(p: &Presence, at: i64) {
    assert_eq!(p.state, State::Offline);
    assert_eq!(p.since, at);
    assert_eq!(p.login_at, None);
    assert_eq!(p.on_break, None);
    assert_eq!(p.queued_break, None);
    assert_eq!(p.wrap, None);
    assert_eq!(current(p), None);
    assert_eq!(p.heartbeat, Heartbeat::Fresh);
    assert!(!p.logged_in());
}

/// Offline because the page stopped pinging: the session and a chosen break remain.
fn assert_heartbeat_lost(p: &Presence, at: i64) {
    assert_eq!((p.state, p.since), (State::Offline, at));
    assert_eq!(p.shown().reason.as_deref(), Some("ping_lost"));
    assert_eq!(p.login_at, None);
    assert_eq!(p.wrap, None);
    assert_eq!(current(p), None);
    assert_eq!(p.heartbeat, Heartbeat::Lost);
}

#[test]
fn a_heartbeat_gap_during_a_break_keeps_the_break_with_its_start() {
    let mut desk = Desk::logged_in(T);
    desk.break_start(T + 10, "lunch", Some(3600)).unwrap();
    let brk = desk.p.on_break.clone();
    desk.due(T + 200, T + 10);
    assert_eq!(kinds(&desk.log[2..]), vec![Kind::Stale, Kind::Offline]);
    assert_heartbeat_lost(&desk.p, T + 100);
    assert_eq!(desk.p.on_break, brk, "the break waits for the agent");
    let events = desk.ping(T + 300);
    assert_eq!(kinds(&events), vec![Kind::Heartbeat]);
    assert_eq!((desk.p.state, desk.p.since, desk.p.login_at), (State::Break, T + 300, Some(T + 300)));
    assert_eq!(desk.p.on_break, brk, "the same break, with its original start");
    assert_eq!(desk.p.shown().reason.as_deref(), Some("lunch"));
}

#[test]
fn logging_in_after_a_heartbeat_gap_goes_back_to_the_break() {
    let mut desk = Desk::logged_in(T);
    desk.break_start(T + 10, "lunch", None).unwrap();
    desk.due(T + 200, T + 10);
    desk.login(T + 300);
    assert_eq!(desk.p.state, State::Break);
    assert_eq!(desk.p.on_break.as_ref().unwrap().started, T + 10);
}

#[test]
fn a_queued_break_survives_a_heartbeat_gap() {
    let mut desk = Desk::logged_in(T);
    desk.call(T + 5, Kind::Offered, "c1", 0);
    desk.break_start(T + 6, "lunch", None).unwrap();
    desk.call(T + 8, Kind::Missed, "c1", 0);
    assert_eq!(desk.p.state, State::Break, "started when the ringing stopped");
    desk.due(T + 200, T);
    desk.ping(T + 201);
    assert_eq!((desk.p.state, desk.p.on_break.as_ref().unwrap().started), (State::Break, T + 8));
}

#[test]
fn the_end_of_the_session_ends_a_break_kept_through_a_heartbeat_gap() {
    let mut desk = Desk::logged_in(T);
    desk.break_start(T + 10, "lunch", None).unwrap();
    desk.due(T + 200, T + 10);
    let events = desk.logout(T + 300);
    assert_eq!(kinds(&events), vec![Kind::Logout]);
    assert_logged_out(&desk.p, T + 300);
    desk.login(T + 400);
    assert_eq!(desk.p.state, State::Available, "a new session starts afresh");
}

#[test]
fn logging_out_from_available_goes_offline() {
    let mut desk = Desk::logged_in(T);
    let events = desk.logout(T + 100);
    assert_eq!(events, vec![event(T + 100, Kind::Logout, Actor::Agent).with_reason("agent")]);
    assert_logged_out(&desk.p, T + 100);
}

#[test]
fn logging_out_keeps_the_actor_and_the_reason_given() {
    let desk = Desk::logged_in(T);
    let events = desk.p.logout(AGENT, T + 5, Actor::Admin, "switched_off");
    assert_eq!(events, vec![event(T + 5, Kind::Logout, Actor::Admin).with_reason("switched_off")]);
}

#[test]
fn logging_out_during_a_break_clears_the_break() {
    let mut desk = Desk::logged_in(T);
    desk.break_start(T + 10, "lunch", Some(600)).unwrap();
    desk.logout(T + 20);
    assert_logged_out(&desk.p, T + 20);
}

#[test]
fn logging_out_during_a_call_clears_the_call_and_the_queued_break() {
    let mut desk = Desk::on_call(T, "c1");
    desk.break_start(T + 10, "lunch", None).unwrap();
    assert!(desk.p.queued_break.is_some());
    desk.logout(T + 20);
    assert_logged_out(&desk.p, T + 20);
}

#[test]
fn logging_out_while_ringing_clears_the_call() {
    let mut desk = Desk::logged_in(T);
    desk.call(T + 10, Kind::Offered, "c1", 0);
    assert_eq!(desk.p.state, State::Ringing);
    desk.logout(T + 20);
    assert_logged_out(&desk.p, T + 20);
}

#[test]
fn logging_out_during_wrap_up_clears_the_wrap_up() {
    let mut desk = Desk::on_call(T, "c1");
    desk.call(T + 60, Kind::Ended, "c1", 30);
    assert_eq!(desk.p.state, State::WrapUp);
    desk.logout(T + 70);
    assert_logged_out(&desk.p, T + 70);
    // Nothing left to fall due.
    assert!(desk.p.due(AGENT, T + 1000, T + 1000, &RULES).is_empty());
}

#[test]
fn logging_out_while_stale_goes_offline() {
    let mut desk = Desk::logged_in(T);
    desk.break_start(T, "lunch", None).unwrap();
    desk.go_stale(T);
    desk.logout(T + 40);
    assert_logged_out(&desk.p, T + 40);
}

#[test]
fn logging_out_while_offline_records_nothing() {
    let mut desk = Desk::new();
    assert!(desk.logout(T).is_empty());
    assert_eq!(desk.p, Presence::default());

    let mut desk = Desk::logged_in(T);
    desk.logout(T + 10);
    let before = desk.p.clone();
    assert!(desk.logout(T + 20).is_empty());
    assert_eq!(desk.p, before);
}

// ---- ping ----

#[test]
fn a_ping_while_logged_in_and_fresh_records_nothing() {
    let desk = Desk::logged_in(T);
    assert!(desk.p.ping(AGENT, T + 10).is_empty());

    let mut desk = Desk::logged_in(T);
    desk.break_start(T + 1, "lunch", None).unwrap();
    assert!(desk.p.ping(AGENT, T + 10).is_empty());

    let desk = Desk::on_call(T, "c1");
    assert!(desk.p.ping(AGENT, T + 10).is_empty());
}

#[test]
fn a_ping_while_stale_goes_back_to_the_state_before_stale() {
    let mut desk = Desk::logged_in(T);
    desk.go_stale(T);
    let events = desk.ping(T + 45);
    assert_eq!(events, vec![event(T + 45, Kind::Heartbeat, Actor::Agent).with_reason("ping")]);
    assert_eq!(desk.p.state, State::Available);
    assert_eq!(desk.p.since, T + 45);
    assert_eq!(desk.p.heartbeat, Heartbeat::Fresh);
    assert_eq!(desk.p.alive_at, T + 45);
}

#[test]
fn a_ping_while_stale_on_a_break_keeps_the_same_break() {
    let mut desk = Desk::logged_in(T);
    desk.break_start(T + 10, "lunch", Some(3600)).unwrap();
    let brk = desk.p.on_break.clone();
    desk.go_stale(T + 10);
    assert_eq!(desk.p.on_break, brk, "going stale keeps the break");

    let events = desk.ping(T + 50);
    assert_eq!(kinds(&events), vec![Kind::Heartbeat]);
    assert_eq!(desk.p.state, State::Break);
    assert_eq!(desk.p.on_break, brk);
    assert_eq!(desk.p.on_break.as_ref().unwrap().started, T + 10);
}

#[test]
fn a_ping_while_stale_in_wrap_up_goes_back_to_wrap_up() {
    let mut desk = Desk::on_call(T, "c1");
    desk.call(T + 60, Kind::Ended, "c1", 120);
    desk.go_stale(T);
    assert_eq!(underlying(&desk.p), State::WrapUp);
    desk.ping(T + 100);
    assert_eq!(desk.p.state, State::WrapUp);
    assert_eq!(desk.p.wrap.as_ref().unwrap().until, T + 180);
}

#[test]
fn a_ping_while_offline_logs_the_agent_back_in() {
    let mut desk = Desk::new();
    let events = desk.ping(T);
    assert_eq!(events, vec![event(T, Kind::Heartbeat, Actor::Agent).with_reason("ping")]);
    assert_eq!(desk.p.state, State::Available);
    assert_eq!(desk.p.since, T);
    assert_eq!(desk.p.login_at, Some(T));
    assert_eq!(desk.p.alive_at, T);
}

#[test]
fn a_ping_after_the_heartbeat_was_lost_logs_the_agent_back_in() {
    let mut desk = Desk::logged_in(T);
    desk.due(T + 200, T);
    assert_eq!(desk.p.state, State::Offline);
    let events = desk.ping(T + 300);
    assert_eq!(kinds(&events), vec![Kind::Heartbeat]);
    assert_eq!(desk.p.state, State::Available);
    assert_eq!(desk.p.login_at, Some(T + 300));
}

// ---- heartbeat loss ----

#[test]
fn nothing_is_due_one_second_before_the_stale_limit() {
    let desk = Desk::logged_in(T);
    assert!(desk.p.due(AGENT, T + 29, T, &RULES).is_empty());
}

#[test]
fn the_agent_goes_stale_exactly_at_the_stale_limit() {
    let mut desk = Desk::logged_in(T);
    let events = desk.due(T + 30, T);
    assert_eq!(events, vec![event(T + 30, Kind::Stale, Actor::System)]);
    assert_eq!(desk.p.state, State::Stale);
    assert_eq!(desk.p.since, T + 30);
    assert_eq!(underlying(&desk.p), State::Available);
    assert_eq!(desk.p.login_at, Some(T), "stale is still logged in");
    assert!(desk.p.logged_in());
    assert_eq!(underlying(&desk.p), State::Available);
}

#[test]
fn a_late_tick_dates_stale_at_the_second_it_fell_due() {
    let desk = Desk::logged_in(T);
    assert_eq!(desk.p.due(AGENT, T + 45, T, &RULES), vec![event(T + 30, Kind::Stale, Actor::System)]);
}

#[test]
fn a_long_silence_yields_stale_then_offline_each_at_its_own_second() {
    let mut desk = Desk::logged_in(T);
    let events = desk.due(T + 200, T);
    assert_eq!(
        events,
        vec![
            event(T + 30, Kind::Stale, Actor::System),
            event(T + 90, Kind::Offline, Actor::System).with_reason("ping_lost"),
        ]
    );
    assert_eq!(desk.states, vec![State::Available, State::Stale, State::Offline]);
    assert_heartbeat_lost(&desk.p, T + 90);
    assert_eq!(desk.p.on_break, None);
}

#[test]
fn a_stale_agent_goes_offline_exactly_at_the_offline_limit() {
    let mut desk = Desk::logged_in(T);
    desk.go_stale(T);
    assert!(desk.due(T + 89, T).is_empty());
    assert_eq!(desk.p.state, State::Stale);
    let events = desk.due(T + 90, T);
    assert_eq!(events, vec![event(T + 90, Kind::Offline, Actor::System).with_reason("ping_lost")]);
    assert_eq!(desk.p.state, State::Offline);
    // Offline for good: nothing more falls due.
    assert!(desk.due(T + 10_000, T).is_empty());
}

#[test]
fn a_recent_ping_keeps_the_agent_fresh() {
    let desk = Desk::logged_in(T);
    assert!(desk.p.due(AGENT, T + 1000, T + 980, &RULES).is_empty());
    assert_eq!(desk.p.due(AGENT, T + 1010, T + 980, &RULES), vec![event(T + 1010, Kind::Stale, Actor::System)]);
}

#[test]
fn an_agent_on_the_phone_never_goes_stale() {
    let mut desk = Desk::logged_in(T);
    desk.call(T + 10, Kind::Offered, "c1", 0);
    assert_eq!(desk.p.state, State::Ringing);
    assert!(desk.p.due(AGENT, T + 100_000, T, &RULES).is_empty());

    desk.call(T + 20, Kind::Answered, "c1", 0);
    assert_eq!(desk.p.state, State::OnCall);
    assert!(desk.p.due(AGENT, T + 100_000, T, &RULES).is_empty());
}

#[test]
fn a_login_counts_as_a_sign_of_life() {
    // The last ping is from an earlier session; the login is newer.
    let desk = Desk::logged_in(T);
    assert!(desk.p.due(AGENT, T + 29, T - 500, &RULES).is_empty());
    assert_eq!(desk.p.due(AGENT, T + 30, T - 500, &RULES), vec![event(T + 30, Kind::Stale, Actor::System)]);
}

#[test]
fn a_call_counts_as_a_sign_of_life() {
    // No ping since the login; a call ends at T + 600.
    let mut desk = Desk::logged_in(T);
    desk.call(T + 10, Kind::Offered, "c1", 0);
    desk.call(T + 20, Kind::Answered, "c1", 0);
    desk.call(T + 600, Kind::Ended, "c1", 0);
    assert_eq!(desk.p.state, State::Available);
    assert_eq!(desk.p.alive_at, T + 600);
    assert!(desk.p.due(AGENT, T + 629, T, &RULES).is_empty());
    assert_eq!(desk.p.due(AGENT, T + 630, T, &RULES), vec![event(T + 630, Kind::Stale, Actor::System)]);
}

#[test]
fn a_heartbeat_counts_as_a_sign_of_life() {
    let mut desk = Desk::logged_in(T);
    desk.go_stale(T);
    desk.ping(T + 60);
    // Even if the caller's in-memory ping was lost, the heartbeat event dates the agent.
    assert!(desk.p.due(AGENT, T + 89, T, &RULES).is_empty());
    assert_eq!(desk.p.due(AGENT, T + 90, T, &RULES), vec![event(T + 90, Kind::Stale, Actor::System)]);
}

#[test]
fn an_offline_agent_has_nothing_due() {
    let desk = Desk::new();
    assert!(desk.p.due(AGENT, T + 100_000, 0, &RULES).is_empty());
}

#[test]
fn timed_transitions_come_out_in_time_order() {
    // A 60 s break with no ping after T: stale at T+30, overrun at T+60, offline at T+90.
    let mut desk = Desk::logged_in(T);
    desk.break_start(T, "coffee", Some(60)).unwrap();
    let events = desk.due(T + 500, T);
    assert_eq!(
        events,
        vec![
            event(T + 30, Kind::Stale, Actor::System),
            event(T + 60, Kind::BreakOverrun, Actor::System).with_reason("coffee"),
            event(T + 90, Kind::Offline, Actor::System).with_reason("ping_lost"),
        ]
    );
    assert_heartbeat_lost(&desk.p, T + 90);
    assert_eq!(desk.p.on_break.as_ref().map(|b| (b.reason.as_str(), b.overrun)), Some(("coffee", true)));
}

#[test]
fn a_wrap_up_that_ends_while_stale_resumes_to_available() {
    let mut desk = Desk::on_call(T, "c1");
    desk.call(T + 60, Kind::Ended, "c1", 45); // wrap-up until T+105; last sign of life T+60
    let events = desk.due(T + 110, T);
    assert_eq!(
        events,
        vec![event(T + 90, Kind::Stale, Actor::System), {
            let mut e = event(T + 105, Kind::WrapUpEnd, Actor::System);
            e.call = Some(call("c1"));
            e
        }]
    );
    assert_eq!(desk.p.state, State::Stale);
    assert_eq!(underlying(&desk.p), State::Available);
    assert_eq!(desk.p.wrap, None);
    desk.ping(T + 120);
    assert_eq!(desk.p.state, State::Available);
}

// ---- breaks ----

#[test]
fn a_break_from_available_starts_at_once() {
    let mut desk = Desk::logged_in(T);
    let events = desk.break_start(T + 10, "lunch", Some(1800)).unwrap();
    let mut expected = event(T + 10, Kind::BreakStart, Actor::Agent).with_reason("lunch");
    expected.until = Some(1800);
    assert_eq!(events, vec![expected]);
    assert_eq!(desk.p.state, State::Break);
    assert_eq!(desk.p.since, T + 10);
    assert_eq!(
        desk.p.on_break,
        Some(BreakInfo { reason: "lunch".into(), started: T + 10, max: Some(1800), overrun: false })
    );
    assert_eq!(desk.p.on_break.as_ref().unwrap().due(), Some(T + 1810));
}

#[test]
fn a_break_without_maximum_has_no_due_time() {
    let mut desk = Desk::logged_in(T);
    let events = desk.break_start(T + 10, "training", None).unwrap();
    assert_eq!(events[0].until, None);
    assert_eq!(desk.p.on_break.as_ref().unwrap().due(), None);
    assert!(desk.p.due(AGENT, T + 100_000, T + 100_000, &RULES).is_empty());
}

#[test]
fn a_break_from_wrap_up_ends_the_wrap_up() {
    let mut desk = Desk::on_call(T, "c1");
    desk.call(T + 60, Kind::Ended, "c1", 30);
    assert_eq!(desk.p.state, State::WrapUp);
    let events = desk.break_start(T + 70, "lunch", None).unwrap();
    assert_eq!(kinds(&events), vec![Kind::BreakStart]);
    assert_eq!(desk.p.state, State::Break);
    assert_eq!(desk.p.since, T + 70);
    assert_eq!(desk.p.wrap, None);
    // The wrap-up's end no longer falls due.
    assert!(desk.p.due(AGENT, T + 90, T + 90, &RULES).is_empty());
}

#[test]
fn a_break_is_refused_while_offline() {
    let desk = Desk::new();
    assert_eq!(desk.p.break_start(AGENT, T, Actor::Agent, "lunch", None), Err(Refusal::NotAvailable));
}

#[test]
fn a_break_is_refused_while_stale() {
    let mut desk = Desk::logged_in(T);
    desk.go_stale(T);
    assert_eq!(desk.p.break_start(AGENT, T + 40, Actor::Agent, "lunch", None), Err(Refusal::NotAvailable));
}

#[test]
fn the_same_break_again_is_refused_while_on_it() {
    let mut desk = Desk::logged_in(T);
    desk.break_start(T + 10, "lunch", None).unwrap();
    assert_eq!(desk.p.break_start(AGENT, T + 20, Actor::Agent, "lunch", None), Err(Refusal::AlreadyOnBreak));
    assert_eq!(desk.p.on_break.as_ref().unwrap().started, T + 10);
}

#[test]
fn another_break_reason_switches_at_once_without_a_moment_available() {
    let mut desk = Desk::logged_in(T);
    desk.break_start(T + 10, "tea", Some(900)).unwrap();
    let events = desk.break_start(T + 20, "lunch", Some(1800)).unwrap();
    assert_eq!(kinds(&events), vec![Kind::BreakStart]);
    assert_eq!(desk.states, vec![State::Available, State::Break, State::Break]);
    assert_eq!((desk.p.since, desk.p.shown().reason.as_deref()), (T + 20, Some("lunch")));
    let brk = desk.p.on_break.as_ref().unwrap();
    assert_eq!((brk.reason.as_str(), brk.started, brk.max), ("lunch", T + 20, Some(1800)));
}

#[test]
fn a_break_asked_for_during_a_call_is_queued() {
    let mut desk = Desk::on_call(T, "c1");
    let before = desk.p.clone();
    let events = desk.break_start(T + 30, "lunch", Some(900)).unwrap();
    let mut expected = event(T + 30, Kind::BreakQueued, Actor::Agent).with_reason("lunch");
    expected.until = Some(900);
    assert_eq!(events, vec![expected]);
    assert_eq!(desk.p.state, State::OnCall);
    assert_eq!(desk.p.since, before.since);
    assert_eq!(current(&desk.p), current(&before));
    assert_eq!(desk.p.on_break, None);
    assert_eq!(desk.p.queued_break, Some(QueuedBreak { reason: "lunch".into(), max: Some(900) }));
}

#[test]
fn a_break_asked_for_while_ringing_is_queued() {
    let mut desk = Desk::logged_in(T);
    desk.call(T + 10, Kind::Offered, "c1", 0);
    let events = desk.break_start(T + 12, "lunch", None).unwrap();
    assert_eq!(kinds(&events), vec![Kind::BreakQueued]);
    assert_eq!(desk.p.state, State::Ringing);
    assert!(desk.p.queued_break.is_some());
}

#[test]
fn a_break_asked_for_during_a_call_starts_at_hang_up() {
    let mut desk = Desk::on_call(T, "c1");
    desk.break_start(T + 30, "lunch", Some(900)).unwrap();
    // The account gives 30 s of wrap-up, but the queued break replaces it.
    let events = desk.call(T + 120, Kind::Ended, "c1", 30);
    let mut start = event(T + 120, Kind::BreakStart, Actor::System).with_reason("lunch");
    start.until = Some(900);
    assert_eq!(events, vec![call_event(T + 120, Kind::Ended, "c1"), start]);
    assert_eq!(events[0].until, None, "no wrap-up before a queued break");
    assert_eq!(desk.p.state, State::Break);
    assert_eq!(desk.p.since, T + 120);
    assert_eq!(
        desk.p.on_break,
        Some(BreakInfo { reason: "lunch".into(), started: T + 120, max: Some(900), overrun: false })
    );
    assert_eq!(desk.p.queued_break, None);
    assert_eq!(desk.p.wrap, None);
    assert_eq!(current(&desk.p), None);
    assert!(remembered(&desk.p, "c1"));
}

#[test]
fn a_break_asked_for_while_ringing_starts_when_the_call_is_missed() {
    let mut desk = Desk::logged_in(T);
    desk.call(T + 10, Kind::Offered, "c1", 0);
    desk.break_start(T + 12, "coffee", Some(300)).unwrap();
    let events = desk.call(T + 25, Kind::Missed, "c1", 30);
    let mut start = event(T + 25, Kind::BreakStart, Actor::System).with_reason("coffee");
    start.until = Some(300);
    assert_eq!(events, vec![call_event(T + 25, Kind::Missed, "c1"), start]);
    assert_eq!(desk.p.state, State::Break);
    assert_eq!(desk.p.on_break.as_ref().unwrap().started, T + 25);
    assert_eq!(desk.p.queued_break, None);
}

#[test]
fn a_queued_break_waits_for_its_own_call_to_end() {
    let mut desk = Desk::on_call(T, "c1");
    desk.break_start(T + 30, "lunch", None).unwrap();
    let events = desk.call(T + 40, Kind::Ended, "other", 30);
    assert_eq!(kinds(&events), vec![Kind::Ended]);
    assert_eq!(desk.p.state, State::OnCall);
    assert!(desk.p.queued_break.is_some());
}

#[test]
fn ending_a_break_makes_the_agent_available() {
    let mut desk = Desk::logged_in(T);
    desk.break_start(T + 10, "lunch", None).unwrap();
    let events = desk.break_end(T + 500).unwrap();
    assert_eq!(events, vec![event(T + 500, Kind::BreakEnd, Actor::Agent).with_reason("lunch")]);
    assert_eq!(desk.p.state, State::Available);
    assert_eq!(desk.p.since, T + 500);
    assert_eq!(desk.p.on_break, None);
}

#[test]
fn ending_a_queued_break_cancels_it() {
    let mut desk = Desk::on_call(T, "c1");
    desk.break_start(T + 30, "lunch", None).unwrap();
    let before = desk.p.clone();
    let events = desk.break_end(T + 40).unwrap();
    assert_eq!(events, vec![event(T + 40, Kind::BreakEnd, Actor::Agent).with_reason("cancelled")]);
    assert_eq!(desk.p.queued_break, None);
    assert_eq!(desk.p.state, State::OnCall);
    assert_eq!(desk.p.since, before.since);
    assert_eq!(current(&desk.p), current(&before));
    // The hang-up now leads to an ordinary wrap-up.
    let events = desk.call(T + 60, Kind::Ended, "c1", 30);
    assert_eq!(kinds(&events), vec![Kind::Ended]);
    assert_eq!(events[0].until, Some(T + 90));
    assert_eq!(desk.p.state, State::WrapUp);
}

#[test]
fn ending_a_break_when_there_is_none_is_refused() {
    let desk = Desk::new();
    assert_eq!(desk.p.break_end(AGENT, T, Actor::Agent), Err(Refusal::NotOnBreak));
    let desk = Desk::logged_in(T);
    assert_eq!(desk.p.break_end(AGENT, T + 1, Actor::Agent), Err(Refusal::NotOnBreak));
    let desk = Desk::on_call(T, "c1");
    assert_eq!(desk.p.break_end(AGENT, T + 10, Actor::Agent), Err(Refusal::NotOnBreak));
    let mut desk = Desk::on_call(T, "c1");
    desk.call(T + 60, Kind::Ended, "c1", 30);
    assert_eq!(desk.p.break_end(AGENT, T + 70, Actor::Agent), Err(Refusal::NotOnBreak));
}

#[test]
fn ending_a_break_while_stale_resumes_to_available() {
    let mut desk = Desk::logged_in(T);
    desk.break_start(T, "lunch", None).unwrap();
    desk.go_stale(T);
    let events = desk.break_end(T + 40).unwrap();
    assert_eq!(kinds(&events), vec![Kind::BreakEnd]);
    assert_eq!(desk.p.state, State::Stale);
    assert_eq!(underlying(&desk.p), State::Available);
    assert_eq!(desk.p.on_break, None);
    desk.ping(T + 50);
    assert_eq!(desk.p.state, State::Available);
}

// ---- break overrun ----

#[test]
fn a_break_overruns_exactly_at_its_maximum() {
    let mut desk = Desk::logged_in(T);
    desk.break_start(T, "lunch", Some(600)).unwrap();
    assert!(desk.due(T + 599, T + 599).is_empty());
    let events = desk.due(T + 600, T + 600);
    assert_eq!(events, vec![event(T + 600, Kind::BreakOverrun, Actor::System).with_reason("lunch")]);
    assert_eq!(desk.p.state, State::Break);
    assert_eq!(desk.p.since, T, "an overrun does not restart the break");
    let brk = desk.p.on_break.as_ref().unwrap();
    assert!(brk.overrun);
    assert_eq!(brk.started, T);
}

#[test]
fn a_late_tick_dates_the_overrun_at_the_second_it_fell_due() {
    let desk = {
        let mut desk = Desk::logged_in(T);
        desk.break_start(T, "lunch", Some(600)).unwrap();
        desk
    };
    assert_eq!(
        desk.p.due(AGENT, T + 700, T + 700, &RULES),
        vec![event(T + 600, Kind::BreakOverrun, Actor::System).with_reason("lunch")]
    );
}

#[test]
fn a_break_overruns_only_once() {
    let mut desk = Desk::logged_in(T);
    desk.break_start(T, "lunch", Some(600)).unwrap();
    assert_eq!(kinds(&desk.due(T + 600, T + 600)), vec![Kind::BreakOverrun]);
    assert!(desk.due(T + 601, T + 601).is_empty());
    assert!(desk.due(T + 5000, T + 5000).is_empty());
    assert_eq!(desk.p.state, State::Break);
}

#[test]
fn a_new_break_can_overrun_again() {
    let mut desk = Desk::logged_in(T);
    desk.break_start(T, "coffee", Some(60)).unwrap();
    desk.due(T + 60, T + 60);
    desk.break_end(T + 70).unwrap();
    desk.break_start(T + 80, "coffee", Some(60)).unwrap();
    assert!(!desk.p.on_break.as_ref().unwrap().overrun);
    assert_eq!(
        desk.due(T + 140, T + 140),
        vec![event(T + 140, Kind::BreakOverrun, Actor::System).with_reason("coffee")]
    );
}

// ---- calls and wrap-up ----

#[test]
fn an_offered_call_rings_and_its_answer_puts_the_agent_on_call() {
    let mut desk = Desk::logged_in(T);
    let events = desk.call(T + 10, Kind::Offered, "c1", 30);
    assert_eq!(events, vec![call_event(T + 10, Kind::Offered, "c1")]);
    assert_eq!(desk.p.state, State::Ringing);
    assert_eq!(desk.p.since, T + 10);
    assert_eq!(current(&desk.p), Some(("c1".to_string(), T + 10)));
    assert_eq!(desk.p.alive_at, T + 10);

    let events = desk.call(T + 18, Kind::Answered, "c1", 30);
    assert_eq!(events, vec![call_event(T + 18, Kind::Answered, "c1")]);
    assert_eq!(desk.p.state, State::OnCall);
    assert_eq!(desk.p.since, T + 18);
    assert_eq!(current(&desk.p), Some(("c1".to_string(), T + 18)), "talk time counts from the answer");
}

#[test]
fn hanging_up_starts_the_wrap_up() {
    let mut desk = Desk::on_call(T, "c1");
    let events = desk.call(T + 120, Kind::Ended, "c1", 30);
    let mut expected = call_event(T + 120, Kind::Ended, "c1");
    expected.until = Some(T + 150);
    assert_eq!(events, vec![expected]);
    assert_eq!(desk.p.state, State::WrapUp);
    assert_eq!(desk.p.since, T + 120);
    assert_eq!(desk.p.wrap, Some(WrapInfo { call: call("c1"), until: T + 150 }));
    assert_eq!(current(&desk.p), None);
    assert!(remembered(&desk.p, "c1"));
}

#[test]
fn the_wrap_up_ends_exactly_at_its_time() {
    let mut desk = Desk::on_call(T, "c1");
    desk.call(T + 120, Kind::Ended, "c1", 30);
    let until = T + 150;
    assert!(desk.due(until - 1, until - 1).is_empty());
    let events = desk.due(until, until);
    let mut expected = event(until, Kind::WrapUpEnd, Actor::System);
    expected.call = Some(call("c1"));
    assert_eq!(events, vec![expected]);
    assert_eq!(desk.p.state, State::Available);
    assert_eq!(desk.p.since, until);
    assert_eq!(desk.p.wrap, None);
    assert!(desk.due(until + 10, until + 10).is_empty());
}

#[test]
fn a_late_tick_still_ends_the_wrap_up_at_its_time() {
    let mut desk = Desk::on_call(T, "c1");
    desk.call(T + 120, Kind::Ended, "c1", 30);
    let until = T + 150;
    let events = desk.due(until + 3000, until + 3000);
    assert_eq!(kinds(&events), vec![Kind::WrapUpEnd]);
    assert_eq!(events[0].at, until);
    assert_eq!(desk.p.state, State::Available);
    assert_eq!(desk.p.since, until);
}

#[test]
fn the_agent_can_end_the_wrap_up_early() {
    let mut desk = Desk::on_call(T, "c1");
    desk.call(T + 120, Kind::Ended, "c1", 30);
    let events = desk.wrap_up_end(T + 130).unwrap();
    let mut expected = event(T + 130, Kind::WrapUpEnd, Actor::Agent);
    expected.call = Some(call("c1"));
    assert_eq!(events, vec![expected]);
    assert_eq!(desk.p.state, State::Available);
    assert_eq!(desk.p.since, T + 130);
    assert_eq!(desk.p.wrap, None);
    // The original end time no longer falls due.
    assert!(desk.due(T + 150, T + 150).is_empty());
}

#[test]
fn ending_the_wrap_up_outside_wrap_up_is_refused() {
    let desk = Desk::new();
    assert_eq!(desk.p.wrap_up_end(AGENT, T, Actor::Agent), Err(Refusal::NotInWrapUp));
    let desk = Desk::logged_in(T);
    assert_eq!(desk.p.wrap_up_end(AGENT, T + 1, Actor::Agent), Err(Refusal::NotInWrapUp));
    let desk = Desk::on_call(T, "c1");
    assert_eq!(desk.p.wrap_up_end(AGENT, T + 10, Actor::Agent), Err(Refusal::NotInWrapUp));
    let mut desk = Desk::logged_in(T);
    desk.break_start(T + 1, "lunch", None).unwrap();
    assert_eq!(desk.p.wrap_up_end(AGENT, T + 10, Actor::Agent), Err(Refusal::NotInWrapUp));
}

#[test]
fn a_call_without_wrap_up_time_goes_straight_back_to_available() {
    let mut desk = Desk::on_call(T, "c1");
    let events = desk.call(T + 120, Kind::Ended, "c1", 0);
    assert_eq!(events, vec![call_event(T + 120, Kind::Ended, "c1")]);
    assert_eq!(events[0].until, None);
    assert_eq!(desk.p.state, State::Available);
    assert_eq!(desk.p.since, T + 120);
    assert_eq!(desk.p.wrap, None);
    assert_eq!(current(&desk.p), None);
}

#[test]
fn a_call_ended_while_still_ringing_is_missed_without_wrap_up() {
    let mut desk = Desk::logged_in(T);
    desk.call(T + 10, Kind::Offered, "c1", 0);
    let events = desk.call(T + 15, Kind::Ended, "c1", 20);
    assert_eq!(events, vec![call_event(T + 15, Kind::Ended, "c1")], "the caller hung up: no wrap-up");
    assert_eq!(desk.p.state, State::Available);
    assert_eq!(desk.p.since, T + 15);
    assert_eq!(desk.p.legs[0].status(), LegStatus::Missed);
}

#[test]
fn a_missed_call_makes_the_agent_available_again() {
    let mut desk = Desk::logged_in(T);
    desk.call(T + 10, Kind::Offered, "c1", 0);
    let events = desk.call(T + 30, Kind::Missed, "c1", 30);
    assert_eq!(events, vec![call_event(T + 30, Kind::Missed, "c1")]);
    assert_eq!(desk.p.state, State::Available);
    assert_eq!(desk.p.since, T + 30);
    assert_eq!(current(&desk.p), None);
    assert_eq!(desk.p.wrap, None, "no wrap-up after a missed call");
    assert!(remembered(&desk.p, "c1"));
}

#[test]
fn an_offer_during_wrap_up_rings_and_an_unanswered_one_goes_back_to_the_wrap_up() {
    let mut desk = Desk::on_call(T, "c1");
    desk.call(T + 60, Kind::Ended, "c1", 30);
    desk.call(T + 70, Kind::Offered, "c2", 30);
    assert_eq!(desk.p.state, State::Ringing);
    assert_eq!(current(&desk.p).unwrap().0, "c2");
    assert_eq!(desk.p.wrap_up(), None, "hidden behind the ringing leg");
    desk.call(T + 75, Kind::Missed, "c2", 30);
    assert_eq!(desk.p.state, State::WrapUp);
    assert_eq!(desk.p.wrap_up().map(|w| w.until), Some(T + 90));
}

#[test]
fn an_offer_during_wrap_up_that_is_answered_drops_the_wrap_up() {
    let mut desk = Desk::on_call(T, "c1");
    desk.call(T + 60, Kind::Ended, "c1", 30);
    desk.call(T + 70, Kind::Offered, "c2", 30);
    desk.call(T + 72, Kind::Answered, "c2", 30);
    assert_eq!(desk.p.state, State::OnCall);
    assert_eq!(desk.p.wrap, None);
    assert!(desk.due(T + 100, T + 100).is_empty(), "the dropped wrap-up does not fall due");
}

#[test]
fn a_call_answered_during_a_break_is_talk_and_the_break_resumes_at_hang_up() {
    let mut desk = Desk::logged_in(T);
    desk.break_start(T + 10, "lunch", Some(600)).unwrap();
    let brk = desk.p.on_break.clone();
    desk.call(T + 20, Kind::Offered, "c1", 30);
    assert_eq!(desk.p.state, State::Ringing);
    let events = desk.call(T + 25, Kind::Answered, "out1", 30);
    assert_eq!(events, vec![call_event(T + 25, Kind::Answered, "out1")]);
    assert_eq!((desk.p.state, desk.p.since), (State::OnCall, T + 25));
    desk.call(T + 26, Kind::Missed, "c1", 30);
    assert_eq!(desk.p.state, State::OnCall);
    let events = desk.call(T + 90, Kind::Ended, "out1", 30);
    assert_eq!(events, vec![call_event(T + 90, Kind::Ended, "out1")], "no wrap-up: the agent is on a break");
    assert_eq!((desk.p.state, desk.p.since), (State::Break, T + 90));
    assert_eq!(desk.p.shown().reason.as_deref(), Some("lunch"));
    assert_eq!(desk.p.on_break, brk, "the same break, with its start");
    assert_eq!(desk.p.alive_at, T + 90, "the telephony proves the agent is there");
}

#[test]
fn call_events_for_an_offline_agent_are_recorded_but_change_nothing() {
    let mut desk = Desk::new();
    for (at, kind) in [(T, Kind::Offered), (T + 5, Kind::Answered), (T + 60, Kind::Ended)] {
        let expected = desk.unchanged_but_last_event(at);
        let events = desk.call(at, kind, "c1", 30);
        assert_eq!(events, vec![call_event(at, kind, "c1")]);
        assert_eq!(desk.p, expected);
    }
    assert_eq!(desk.p.state, State::Offline);
}

#[test]
fn an_answer_for_a_call_already_over_is_the_same_talk() {
    let mut desk = Desk::on_call(T, "c1");
    desk.call(T + 60, Kind::Ended, "c1", 0);
    assert_eq!(desk.p.state, State::Available);
    let expected = desk.unchanged_but_heard_from(T + 70);
    let events = desk.call(T + 70, Kind::Answered, "c1", 0);
    assert_eq!(events, vec![call_event(T + 70, Kind::Answered, "c1")]);
    assert_eq!(desk.p, expected, "the leg keeps its first answer");
    // Nor does a late offer for it change anything.
    let expected = desk.unchanged_but_heard_from(T + 71);
    desk.call(T + 71, Kind::Offered, "c1", 0);
    assert_eq!(desk.p, expected);
}

#[test]
fn an_answer_that_raced_the_ring_timeout_puts_the_agent_on_the_call() {
    let mut desk = Desk::logged_in(T);
    desk.call(T + 10, Kind::Offered, "c1", 30);
    desk.call(T + 30, Kind::Missed, "c1", 30);
    assert_eq!(desk.p.state, State::Available);
    let events = desk.call(T + 29, Kind::Answered, "c1", 30);
    let mut expected = call_event(T + 30, Kind::Answered, "c1");
    expected.reported = Some(T + 29);
    assert_eq!(events, vec![expected], "logged at the agent's latest time, with the time the telephony gave");
    assert_eq!((desk.p.state, desk.p.since), (State::OnCall, T + 30));
    assert_eq!(current(&desk.p), Some(("c1".to_string(), T + 29)), "talk counts from the reported answer");
    let events = desk.call(T + 90, Kind::Ended, "c1", 30);
    assert_eq!(events[0].until, Some(T + 120));
    assert_eq!(desk.p.state, State::WrapUp);
}

#[test]
fn an_answer_that_arrives_after_its_end_gives_the_wrap_up_still_due() {
    let mut desk = Desk::logged_in(T);
    desk.call(T + 10, Kind::Offered, "c1", 30);
    desk.call(T + 70, Kind::Ended, "c1", 30);
    assert_eq!(desk.p.state, State::Available, "so far a caller who hung up while it rang");
    let events = desk.call(T + 15, Kind::Answered, "c1", 30);
    assert_eq!((events[0].at, events[0].reported, events[0].until), (T + 70, Some(T + 15), Some(T + 100)));
    assert_eq!((desk.p.state, desk.p.since), (State::WrapUp, T + 70));
    assert_eq!(desk.p.legs[0].talk(0), Some((T + 15, T + 70)));
    // Too late for any wrap-up: the facts are kept, the state does not move.
    let mut desk = Desk::logged_in(T);
    desk.call(T + 10, Kind::Offered, "c1", 30);
    desk.call(T + 70, Kind::Ended, "c1", 30);
    desk.call(T + 200, Kind::Offered, "c2", 30);
    desk.call(T + 205, Kind::Missed, "c2", 30);
    let events = desk.call(T + 15, Kind::Answered, "c1", 30);
    assert_eq!(events[0].until, None);
    assert_eq!(desk.p.state, State::Available);
}

#[test]
fn a_duplicate_end_during_wrap_up_changes_nothing() {
    let mut desk = Desk::on_call(T, "c1");
    desk.call(T + 60, Kind::Ended, "c1", 30);
    let expected = desk.unchanged_but_heard_from(T + 61);
    let events = desk.call(T + 61, Kind::Ended, "c1", 30);
    assert_eq!(events[0].until, None, "a duplicate end sets no new wrap-up");
    assert_eq!(desk.p, expected);
}

#[test]
fn an_end_for_another_call_is_a_missed_leg_and_leaves_the_state_alone() {
    let mut desk = Desk::on_call(T, "c1");
    let events = desk.call(T + 30, Kind::Ended, "c2", 30);
    assert_eq!(events, vec![call_event(T + 30, Kind::Ended, "c2")]);
    assert_eq!((desk.p.state, desk.p.since), (State::OnCall, T + 5));
    assert!(remembered(&desk.p, "c2"));

    let mut desk = Desk::logged_in(T);
    desk.call(T + 30, Kind::Ended, "c9", 30);
    assert_eq!((desk.p.state, desk.p.since), (State::Available, T));
}

#[test]
fn an_answer_without_an_offer_is_an_outbound_call() {
    let mut desk = Desk::logged_in(T);
    let events = desk.call(T + 10, Kind::Answered, "out1", 30);
    assert_eq!(events, vec![call_event(T + 10, Kind::Answered, "out1")]);
    assert_eq!(desk.p.state, State::OnCall);
    assert_eq!(desk.p.since, T + 10);
    assert_eq!(current(&desk.p), Some(("out1".to_string(), T + 10)));
    desk.call(T + 100, Kind::Ended, "out1", 30);
    assert_eq!(desk.p.state, State::WrapUp);
}

#[test]
fn a_consult_call_keeps_the_agent_on_the_phone_until_the_last_leg_ends() {
    let mut desk = Desk::on_call(T, "in1");
    desk.call(T + 20, Kind::Offered, "out1", 30);
    assert_eq!(desk.p.state, State::OnCall, "a ringing consult does not hide the talk");
    desk.call(T + 25, Kind::Answered, "out1", 30);
    assert_eq!(current(&desk.p), Some(("out1".to_string(), T + 25)), "the newest leg talked on");
    let events = desk.call(T + 60, Kind::Ended, "in1", 30);
    assert_eq!(events[0].until, None, "the wrap-up follows the last leg talked on");
    assert_eq!((desk.p.state, desk.p.since), (State::OnCall, T + 5), "still talking on out1");
    assert_eq!(desk.p.wrap, None);
    desk.call(T + 120, Kind::Ended, "out1", 30);
    assert_eq!((desk.p.state, desk.p.since), (State::WrapUp, T + 120));
    assert_eq!(desk.p.wrap_up().map(|w| (w.call.call_id.as_str(), w.until)), Some(("out1", T + 150)));
}

#[test]
fn a_ring_all_loser_is_available_at_once() {
    let mut desk = Desk::logged_in(T);
    desk.call(T + 10, Kind::Offered, "c1", 30);
    let events = desk.call(T + 14, Kind::Ended, "c1", 30);
    assert_eq!(events[0].until, None);
    assert_eq!((desk.p.state, desk.p.since), (State::Available, T + 14));
    assert_eq!(desk.p.legs[0].status(), LegStatus::Missed);
}

#[test]
fn a_duplicate_answer_keeps_the_talk_time() {
    let mut desk = Desk::on_call(T, "c1");
    let since = current(&desk.p).unwrap().1;
    let expected = desk.unchanged_but_heard_from(T + 40);
    desk.call(T + 40, Kind::Answered, "c1", 0);
    assert_eq!(desk.p, expected);
    assert_eq!(current(&desk.p).unwrap().1, since);
}

#[test]
fn finished_legs_are_bounded_and_survive_a_new_login() {
    let mut desk = Desk::logged_in(T);
    for i in 0..40 {
        let at = T + 10 * (i + 1);
        let id = format!("c{i}");
        desk.call(at, Kind::Answered, &id, 0);
        desk.call(at + 5, Kind::Ended, &id, 0);
    }
    let ids = |p: &Presence| p.legs.iter().map(|l| l.call.call_id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&desk.p).len(), FINISHED_LEGS);
    assert_eq!(ids(&desk.p).first().map(String::as_str), Some(format!("c{}", 40 - FINISHED_LEGS).as_str()));
    assert_eq!(ids(&desk.p).last().map(String::as_str), Some("c39"));
    desk.logout(T + 1000);
    desk.login(T + 1100);
    assert_eq!(ids(&desk.p).len(), FINISHED_LEGS);
    // A late answer for a call of the previous session is the same finished talk.
    desk.call(T + 1110, Kind::Answered, "c39", 0);
    assert_eq!(desk.p.state, State::Available);
}

#[test]
fn a_leg_still_ringing_when_the_agent_leaves_is_missed() {
    let mut desk = Desk::logged_in(T);
    desk.call(T + 10, Kind::Offered, "c1", 30);
    let events = desk.logout(T + 12);
    let mut missed = event(T + 12, Kind::Missed, Actor::System).with_reason("agent_left");
    missed.call = Some(call("c1"));
    assert_eq!(events, vec![missed, event(T + 12, Kind::Logout, Actor::Agent).with_reason("agent")]);
    assert_eq!(desk.p.legs[0].status(), LegStatus::Missed);
    assert_logged_out(&desk.p, T + 12);
}

#[test]
fn a_leg_cut_by_a_logout_no_longer_holds_the_agent() {
    let mut desk = Desk::on_call(T, "c1");
    desk.logout(T + 30);
    desk.login(T + 40);
    desk.call(T + 50, Kind::Answered, "c1", 30);
    assert_eq!(desk.p.state, State::Available, "the leg was closed when the agent left");
}

#[test]
fn active_legs_are_bounded() {
    let mut desk = Desk::logged_in(T);
    for i in 0..(ACTIVE_LEGS as i64 + 4) {
        desk.call(T + i, Kind::Offered, &format!("c{i}"), 0);
    }
    assert_eq!(desk.p.legs.iter().filter(|l| l.active()).count(), ACTIVE_LEGS);
    assert_eq!(current(&desk.p).unwrap().0, format!("c{}", ACTIVE_LEGS + 3));
}

// ---- time never goes backwards ----

#[test]
fn event_times_never_go_backwards() {
    let mut desk = Desk::logged_in(T);
    let last = T + 500;
    desk.call(last, Kind::Offered, "c1", 0);
    let at = |events: Vec<Event>| events.iter().map(|e| e.at).collect::<Vec<_>>();

    assert_eq!(at(desk.call(T + 10, Kind::Answered, "c1", 0)), vec![last]);
    assert_eq!(current(&desk.p).unwrap().1, T + 10, "talk counts from the answer the telephony reported");
    assert_eq!(at(desk.break_start(T + 20, "lunch", Some(60)).unwrap()), vec![last]);
    assert_eq!(at(desk.call(T + 30, Kind::Ended, "c1", 30)), vec![last, last], "ended and the queued break's start");
    assert_eq!(desk.p.on_break.as_ref().unwrap().started, last);
    assert_eq!(at(desk.break_end(T + 40).unwrap()), vec![last]);
    assert_eq!(at(desk.call(T + 50, Kind::Answered, "c2", 30)), vec![last]);
    let ended = desk.call(T + 60, Kind::Ended, "c2", 30);
    assert_eq!((ended[0].at, ended[0].reported), (last, Some(T + 60)));
    assert_eq!(ended[0].until, None, "its wrap-up was over before the hang-up was heard of");
    assert_eq!(desk.p.state, State::Available);
    assert_eq!(at(desk.call(T + 61, Kind::Answered, "c3", 30)), vec![last]);
    let ended = desk.call(last + 10, Kind::Ended, "c3", 30);
    assert_eq!(ended[0].until, Some(last + 40), "wrap-up counts from the hang-up");
    assert_eq!(at(desk.wrap_up_end(T + 70).unwrap()), vec![last + 10]);
    let last = last + 10;
    assert_eq!(at(desk.logout(T + 80)), vec![last]);
    assert_eq!(at(desk.ping(T + 90)), vec![last]);
    desk.logout(T + 95);
    assert_eq!(at(desk.login(T + 99)), vec![last]);

    assert_eq!(desk.p.last_event, last);
    assert!(desk.log.windows(2).all(|w| w[0].at <= w[1].at));
}

#[test]
fn a_timed_transition_noticed_late_is_never_dated_before_the_last_event() {
    // A break at T+50 moves the agent's clock but is no sign of life.
    let mut desk = Desk::logged_in(T);
    desk.break_start(T + 50, "tea", None).unwrap();
    assert_eq!(desk.p.alive_at, T);
    let events = desk.due(T + 200, T);
    assert_eq!(
        events,
        vec![
            event(T + 50, Kind::Stale, Actor::System),
            event(T + 90, Kind::Offline, Actor::System).with_reason("ping_lost"),
        ]
    );
}

#[test]
fn an_event_folded_out_of_order_does_not_move_the_clock_back() {
    let mut p = Presence::default();
    apply(&mut p, vec![event(T + 100, Kind::Login, Actor::Agent)]);
    apply(&mut p, vec![event(T, Kind::Stale, Actor::System)]);
    assert_eq!(p.last_event, T + 100);
}

// ---- replay ----

/// A long day: every kind of event, timed transitions, out-of-order telephony.
fn long_day() -> Desk {
    let mut d = Desk::new();
    d.login(T);
    d.call(T + 10, Kind::Offered, "c1", 20);
    d.call(T + 15, Kind::Answered, "c1", 20);
    d.break_start(T + 30, "lunch", Some(120)).unwrap();
    d.call(T + 90, Kind::Ended, "c1", 20); // → break at T+90
    d.call(T + 95, Kind::Answered, "c1", 20); // late duplicate, ignored
    d.due(T + 210, T + 210); // overrun at T+210
    d.break_end(T + 250).unwrap();
    d.call(T + 260, Kind::Offered, "c2", 20);
    d.call(T + 270, Kind::Missed, "c2", 20);
    d.call(T + 280, Kind::Answered, "out1", 20);
    d.call(T + 290, Kind::Offered, "c3", 20); // a second leg while talking
    d.call(T + 295, Kind::Missed, "c3", 20);
    d.call(T + 300, Kind::Ended, "out1", 20); // wrap-up until T+320
    d.due(T + 400, T + 400); // wrap-up end at T+320
    d.break_start(T + 410, "coffee", None).unwrap();
    d.due(T + 1000, T + 420); // stale at T+450, offline at T+510
    d.ping(T + 1100); // back, on the same break
    d.break_end(T + 1105).unwrap();
    d.call(T + 1110, Kind::Offered, "c4", 0);
    d.break_start(T + 1111, "coffee", Some(300)).unwrap();
    d.break_end(T + 1112).unwrap(); // cancels the queued break
    d.call(T + 1120, Kind::Answered, "c4", 0);
    d.call(T + 1180, Kind::Ended, "c4", 0);
    d.call(T + 1100, Kind::Ended, "c4", 0); // duplicate, from the past
    d.due(T + 1210, T + 1150); // stale at T+1210
    d.login(T + 1220); // heartbeat back
    d.call(T + 1230, Kind::Answered, "out2", 60);
    d.call(T + 1240, Kind::Ended, "out2", 60);
    d.wrap_up_end(T + 1250).unwrap();
    d.logout(T + 1300);
    d.login(T + 2000);
    d.break_start(T + 2010, "training", Some(30)).unwrap();
    d.due(T + 2100, T + 2100);
    d.logout(T + 2200);
    d.login(T + 3000);
    d.call(T + 3010, Kind::Offered, "c5", 20);
    d.call(T + 3011, Kind::Answered, "c5", 20);
    d.leave(T + 3020); // waits for the talk
    d.call(T + 3040, Kind::Ended, "c5", 20); // → offline, no wrap-up
    d
}

#[test]
fn a_logout_during_a_talk_waits_for_the_hang_up() {
    let mut d = Desk::logged_in(T);
    d.call(T + 10, Kind::Offered, "c1", 30);
    d.call(T + 12, Kind::Answered, "c1", 30);
    d.call(T + 13, Kind::Offered, "c2", 30);
    let queued = d.leave(T + 20);
    assert_eq!(kinds(&queued), vec![Kind::Missed, Kind::LogoutQueued], "the ringing leg is missed at once");
    assert_eq!(d.p.state, State::OnCall);
    let ended = d.call(T + 30, Kind::Ended, "c1", 30);
    assert_eq!(kinds(&ended), vec![Kind::Ended, Kind::Logout]);
    assert_eq!(ended[0].until, None, "no wrap-up for an agent who left");
    assert_eq!((d.p.state, d.p.offline_reason.as_deref()), (State::Offline, Some("agent")));
    // Not talking: a logout at once.
    let mut d = Desk::logged_in(T);
    assert_eq!(kinds(&d.leave(T + 5)), vec![Kind::Logout]);
    // Asked again while it waits (the hang-up was lost): at once.
    let mut d = Desk::logged_in(T);
    d.call(T + 10, Kind::Offered, "c1", 30);
    d.call(T + 12, Kind::Answered, "c1", 30);
    assert_eq!(kinds(&d.leave(T + 20)), vec![Kind::LogoutQueued]);
    assert_eq!(kinds(&d.leave(T + 600)), vec![Kind::Logout]);
    assert_eq!(d.p.state, State::Offline);
    // Logged in again meanwhile: called off, the agent stays after the talk.
    let mut d = Desk::logged_in(T);
    d.call(T + 10, Kind::Offered, "c1", 30);
    d.call(T + 12, Kind::Answered, "c1", 30);
    d.leave(T + 20);
    assert_eq!(kinds(&d.login(T + 25)), vec![Kind::Heartbeat]);
    let ended = d.call(T + 30, Kind::Ended, "c1", 30);
    assert_eq!(kinds(&ended), vec![Kind::Ended]);
    assert_eq!(d.p.state, State::WrapUp);
}

#[test]
fn the_long_day_goes_through_every_kind_of_event() {
    let desk = long_day();
    // The queue's facts are no agent's (`domain::queue` folds them).
    for kind in Kind::ALL.into_iter().filter(|k| !k.is_queue()) {
        assert!(desk.log.iter().any(|e| e.kind == kind), "no {kind:?} in the long day");
    }
    assert_eq!(desk.p.state, State::Offline);
}

#[test]
fn replaying_the_whole_log_rebuilds_the_same_presence() {
    let desk = long_day();
    let mut replayed = Presence::default();
    let states: Vec<State> = fold(&mut replayed, &desk.log).into_iter().map(|s| s.state).collect();
    assert_eq!(replayed, desk.p);
    assert_eq!(states, desk.states);
    assert_eq!(states.len(), desk.log.len());
}

#[test]
fn replaying_any_prefix_of_the_log_rebuilds_the_state_of_that_moment() {
    let desk = long_day();
    for n in 0..=desk.log.len() {
        let mut replayed = Presence::default();
        fold(&mut replayed, &desk.log[..n]);
        let expected = if n == 0 { State::Offline } else { desk.states[n - 1] };
        assert_eq!(replayed.state, expected, "after {n} events");
    }
}

#[test]
fn the_log_of_the_long_day_never_goes_back_in_time() {
    let desk = long_day();
    assert!(desk.log.windows(2).all(|w| w[0].at <= w[1].at), "{:#?}", desk.log);
}

// ---- calls whose events overtake each other ----

#[test]
fn an_end_that_overtakes_its_offer_does_not_leave_the_agent_ringing_forever() {
    let mut desk = Desk::logged_in(T);
    desk.call(T + 10, Kind::Ended, "c1", 30);
    desk.call(T + 11, Kind::Offered, "c1", 30);
    desk.due(T + 100_000, T + 100_000);
    assert_ne!(desk.p.state, State::Ringing);
}
