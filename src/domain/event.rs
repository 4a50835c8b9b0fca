//! The vocabulary of the event log: presence states, event kinds, actors,
//! and one event as decided and as logged.

use crate::domain::ids::AgentId;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Where an agent is, as supervisors see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum State {
    Offline,
    Available,
    Ringing,
    OnCall,
    WrapUp,
    Break,
    /// Logged in, but the agent's page stopped pinging.
    Stale,
}

impl State {
    pub const ALL: [State; 7] =
        [State::Offline, State::Available, State::Ringing, State::OnCall, State::WrapUp, State::Break, State::Stale];

    pub fn as_str(self) -> &'static str {
        match self {
            State::Offline => "offline",
            State::Available => "available",
            State::Ringing => "ringing",
            State::OnCall => "on_call",
            State::WrapUp => "wrap_up",
            State::Break => "break",
            State::Stale => "stale",
        }
    }

    pub fn parse(text: &str) -> Option<State> {
        State::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

/// What happened, as recorded in the event log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Login,
    Logout,
    /// A logout asked for during a talk: the agent leaves when it ends.
    LogoutQueued,
    /// Heartbeat came back after `stale` or `offline`.
    Heartbeat,
    Stale,
    Offline,
    BreakQueued,
    BreakStart,
    BreakEnd,
    BreakOverrun,
    WrapUpEnd,
    Offered,
    Answered,
    Ended,
    Missed,
    /// The queue's facts (`domain::queue`), logged under agent 0: the call
    /// waits for its group.
    Queued,
    /// An agent was offered a waiting call.
    Dequeued,
    /// The caller left before anyone answered.
    Abandoned,
}

impl Kind {
    pub const ALL: [Kind; 18] = [
        Kind::Login,
        Kind::Logout,
        Kind::LogoutQueued,
        Kind::Heartbeat,
        Kind::Stale,
        Kind::Offline,
        Kind::BreakQueued,
        Kind::BreakStart,
        Kind::BreakEnd,
        Kind::BreakOverrun,
        Kind::WrapUpEnd,
        Kind::Offered,
        Kind::Answered,
        Kind::Ended,
        Kind::Missed,
        Kind::Queued,
        Kind::Dequeued,
        Kind::Abandoned,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Login => "login",
            Kind::Logout => "logout",
            Kind::LogoutQueued => "logout_queued",
            Kind::Heartbeat => "heartbeat",
            Kind::Stale => "stale",
            Kind::Offline => "offline",
            Kind::BreakQueued => "break_queued",
            Kind::BreakStart => "break_start",
            Kind::BreakEnd => "break_end",
            Kind::BreakOverrun => "break_overrun",
            Kind::WrapUpEnd => "wrap_up_end",
            Kind::Offered => "offered",
            Kind::Answered => "answered",
            Kind::Ended => "ended",
            Kind::Missed => "missed",
            Kind::Queued => "queued",
            Kind::Dequeued => "dequeued",
            Kind::Abandoned => "abandoned",
        }
    }

    pub fn parse(text: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == text)
    }

    /// Telephony events (`event` in the timeline); the rest are agent events (`agEvent`).
    pub fn is_call(self) -> bool {
        matches!(self, Kind::Offered | Kind::Answered | Kind::Ended | Kind::Missed)
    }

    /// The queue's facts (`domain::queue`), logged under agent 0.
    pub fn is_queue(self) -> bool {
        matches!(self, Kind::Queued | Kind::Dequeued | Kind::Abandoned)
    }

    /// Facts about one call, kept with its id (the log's `call_id`
    /// column, part of a telephony fact's idempotency key): an agent's leg
    /// facts and the queue's.
    pub fn names_call(self) -> bool {
        self.is_call() || self.is_queue()
    }
}

/// Who caused an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Actor {
    Agent,
    Admin,
    /// An agent whose role holds `SUPERVISE_AGENTS`, acting on another
    /// agent (the event's `by` says who).
    Supervisor,
    System,
    Telephony,
}

impl Actor {
    pub fn as_str(self) -> &'static str {
        match self {
            Actor::Agent => "agent",
            Actor::Admin => "admin",
            Actor::Supervisor => "supervisor",
            Actor::System => "system",
            Actor::Telephony => "telephony",
        }
    }

    pub fn parse(text: &str) -> Option<Actor> {
        [Actor::Agent, Actor::Admin, Actor::Supervisor, Actor::System, Actor::Telephony]
            .into_iter()
            .find(|a| a.as_str() == text)
    }
}

/// The call an event is about.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CallRef {
    pub call_id: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub caller_number: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub direction: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub did: String,
    /// The group (`groupId`) the call came through for this leg: its
    /// wrap-up time applies at hang-up, also when the hang-up does not name
    /// it again (issue 25).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<i64>,
    /// Which ring of this agent for this call, from 0: a call offered to
    /// the same agent again (a queue's retry, a transfer that comes back)
    /// or a call id used again for a new call rings a new attempt (issue
    /// 25). Part of a telephony fact's idempotency key.
    #[serde(default, rename = "n", skip_serializing_if = "is_first")]
    pub attempt: u32,
    /// Which of the agent's devices the fact is about, when the telephony
    /// says (a registrar forking to a desk phone and a softphone): part of
    /// a fact's idempotency key; not of the leg's (`leg::Device`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub device: String,
}

fn is_first(attempt: &u32) -> bool {
    *attempt == 0
}

impl CallRef {
    /// Whether both name the same leg: the same call and attempt.
    pub fn same_leg(&self, other: &CallRef) -> bool {
        self.call_id == other.call_id && self.attempt == other.attempt
    }

    /// Only the id and the group: what a finished leg needs to recognise
    /// late facts (an agent's snapshot keeps up to 16 of them) and round
    /// robin routing to know where its group left off.
    pub fn id_only(&mut self) {
        self.caller_number = String::new();
        self.direction = String::new();
        self.did = String::new();
    }
}

/// One entry of the event log, before it gets its sequence number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub agent: AgentId,
    pub at: i64,
    pub kind: Kind,
    pub actor: Actor,
    /// Break reason, logout reason (`agent`, `ping_lost`, `switched_off`, …).
    pub reason: Option<String>,
    pub call: Option<CallRef>,
    /// `break_start`/`break_queued`: the reason's maximum seconds;
    /// `ended`: when wrap-up ends (absent: no wrap-up).
    pub until: Option<i64>,
    /// A telephony event reported as earlier than the agent's latest event:
    /// the time the telephony gave (Unix seconds). `at` is then the time the
    /// log records it at — an agent's log never goes back in time — while
    /// the call's own figures (talk seconds, wrap-up end) use this one.
    pub reported: Option<i64>,
    /// Actor `supervisor`: the agent id of the supervisor who acted.
    pub by: Option<i64>,
}

impl Event {
    pub fn new(agent: AgentId, at: i64, kind: Kind, actor: Actor) -> Self {
        Self { agent, at, kind, actor, reason: None, call: None, until: None, reported: None, by: None }
    }

    /// When it happened, as far as we know: the reported time, else `at`.
    pub fn happened(&self) -> i64 {
        self.reported.unwrap_or(self.at)
    }

    pub(super) fn with_reason(mut self, reason: &str) -> Self {
        self.reason = Some(reason.to_string());
        self
    }
}

/// Where an event left the agent: its state and the reason shown with it
/// (the break's reason, why it went offline: `agent`, `ping_lost`, …).
/// Adjacent timeline intervals merge only when both are equal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shown {
    pub state: State,
    pub reason: Option<String>,
}

/// An event as the log holds it: numbered, with where it left the agent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Logged {
    pub seq: i64,
    pub event: Event,
    pub state: State,
    /// The reason shown with `state` (see `Shown`).
    pub state_reason: Option<String>,
}
