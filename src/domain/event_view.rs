//! How one logged event looks on the wire: in `timeLine`'s `agEvent` and
//! `event` arrays, in the event stream and in webhook deliveries.

use serde::Serialize;
use utoipa::ToSchema;

use super::event::{Kind, Logged, State};

/// One event of the log (also the `data:` of the event stream).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EventView<'a> {
    /// The event's sequence number in the account's log (`lstSync`, `Last-Event-ID`).
    pub id: i64,
    /// 0 for the queue's facts (`queued`, `dequeued`, `abandoned`: no agent).
    pub agent_id: i64,
    /// login, logout, logout_queued, heartbeat, stale, offline, break_queued, break_start,
    /// break_end, break_overrun, wrap_up_end; calls: offered, answered, ended, missed;
    /// the queue's: queued, dequeued, abandoned.
    pub event: &'static str,
    /// Unix seconds.
    pub time: i64,
    /// The agent's state after the event (absent for the queue's facts).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub state: Option<State>,
    /// The queue's facts: the group the call waits for (or left).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub group_id: Option<i64>,
    /// agent, admin, supervisor, system or telephony.
    pub actor: &'static str,
    /// Actor `supervisor`: the supervisor's agent id.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub actor_id: Option<i64>,
    /// The break's reason; `abandoned`: `caller` (hung up) or `timeout` (the
    /// telephony stopped waiting); for `logout`/`offline` how the agent went offline:
    /// `agent` (logged out), `session_expired` (its last session unused for the
    /// session lifetime), `session_max_age` (its last session at the absolute
    /// maximum), `switched_off`, `password_changed`, `deleted`, `ping_lost`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub reason: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub call_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub caller_number: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub direction: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub did: Option<&'a str>,
    /// A call event about one of the agent's devices (`callEvent`'s `device`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub device: Option<&'a str>,
    /// `break_start` / `break_queued`: the reason's limit in seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub max_duration: Option<i64>,
    /// `ended` (or a late `answered` of a leg that ended already): when
    /// the wrap-up that follows ends.
    #[serde(rename = "wrapETime", skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub wrap_e_time: Option<i64>,
    /// A call event logged later than the telephony said it happened: the
    /// reported time (`time` is then when the agent's log took it).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub reported_time: Option<i64>,
}

impl<'a> EventView<'a> {
    pub fn of(logged: &'a Logged) -> Self {
        let e = &logged.event;
        let call = e.call.as_ref();
        let is_break = matches!(e.kind, Kind::BreakStart | Kind::BreakQueued);
        EventView {
            id: logged.seq,
            agent_id: e.agent.get(),
            event: e.kind.as_str(),
            time: e.at,
            state: (!e.kind.is_queue()).then_some(logged.state),
            group_id: call.and_then(|c| c.group).filter(|_| e.kind.is_queue()),
            actor: e.actor.as_str(),
            actor_id: e.by,
            reason: e.reason.as_deref(),
            call_id: call.map(|c| c.call_id.as_str()),
            caller_number: call.map(|c| c.caller_number.as_str()),
            direction: call.map(|c| c.direction.as_str()),
            did: call.map(|c| c.did.as_str()).filter(|d| !d.is_empty()),
            device: call.map(|c| c.device.as_str()).filter(|d| !d.is_empty()),
            max_duration: e.until.filter(|_| is_break),
            wrap_e_time: e.until.filter(|_| e.kind.is_call() && e.kind != Kind::Offered),
            reported_time: e.reported,
        }
    }
}
