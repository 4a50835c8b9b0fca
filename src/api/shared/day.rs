//! One day of an account's event log as the timeline and the counters read
//! it: the day's bounds in the account's time zone, each agent's state when
//! it began, and the day's events.

use std::collections::{BTreeMap, HashSet};

use jiff::civil::Date;
use jiff::tz::TimeZone;

use crate::AppState;
use crate::api::error::ApiError;
use crate::domain::event::{Kind, State};
use crate::domain::ids::{AccountId, AgentId};
use crate::domain::presence::Logged;
use crate::domain::timeline::{self, Change, Interval};
use crate::store::EventQuery;
use crate::wire::errors::global;

/// `YYYY-MM-DD` and nothing else (1028).
pub fn parse_date(value: &serde_json::Value) -> Result<Date, ApiError> {
    let text = value.as_str().ok_or(global::INVALID_DATE_FORMAT)?;
    let shaped = text.len() == 10
        && text.char_indices().all(|(i, c)| if i == 4 || i == 7 { c == '-' } else { c.is_ascii_digit() });
    if !shaped {
        return Err(global::INVALID_DATE_FORMAT.into());
    }
    text.parse::<Date>().map_err(|_| global::INVALID_DATE_FORMAT.into())
}

/// A day loaded for some or all agents of an account.
pub struct Day {
    pub date: Date,
    pub start: i64,
    pub end: i64,
    /// Where the day's intervals stop: its end, or now for today.
    pub upto: i64,
    pub logged: Vec<Logged>,
    /// Each agent's state at `start`, then its changes.
    agents: BTreeMap<AgentId, (Change, Vec<Change>)>,
}

impl Day {
    /// `date` (default: today in the account's time zone) for `agents` (default: all).
    pub async fn load(
        state: &AppState,
        account: &AccountId,
        agents: Option<Vec<AgentId>>,
        date: Option<Date>,
    ) -> Result<Day, ApiError> {
        let settings = state.live.account(account).await?.settings();
        let tz = TimeZone::get(&settings.timezone).unwrap_or(TimeZone::UTC);
        let now = state.clock.now();
        let date = match date {
            Some(d) => d,
            None => timeline::date_of(now, &tz).ok_or(global::INVALID_DATE_FORMAT)?,
        };
        let (start, end) = timeline::day_bounds(date, &tz).ok_or(global::INVALID_DATE_FORMAT)?;
        let before: Vec<(AgentId, Change)> = state
            .store
            .states_before(account, agents.as_deref(), start)
            .await?
            .into_iter()
            .map(|b| (b.agent_id, Change { at: start, state: b.state, reason: b.reason }))
            .collect();
        let query = EventQuery { agents, from: start, to: end, after_seq: 0, limit: None };
        let logged = state.store.events(account, &query).await?;
        let agents = timeline::days(start, &before, &logged);
        Ok(Day { date, start, end, upto: end.min(now), logged, agents })
    }

    /// The calls of the day's facts that began the day before: the agent
    /// was ringing or talking when the day began and the day holds no offer
    /// of them. A call is counted on the day it rang (its talk seconds on
    /// each day they fall in), so a call answered before midnight and ended
    /// after it is not a second call, nor a missed one, the next day (issue
    /// 25).
    pub fn carried_calls(&self, agent: AgentId) -> HashSet<&str> {
        let on_the_phone =
            self.agents.get(&agent).is_some_and(|(first, _)| matches!(first.state, State::Ringing | State::OnCall));
        if !on_the_phone {
            return HashSet::new();
        }
        let facts =
            || self.logged.iter().filter(|l| l.event.agent == agent).filter_map(|l| Some((l, l.event.call.as_ref()?)));
        let offered: HashSet<&str> =
            facts().filter(|(l, _)| l.event.kind == Kind::Offered).map(|(_, c)| c.call_id.as_str()).collect();
        facts().map(|(_, c)| c.call_id.as_str()).filter(|id| !offered.contains(id)).collect()
    }

    /// Each agent's state intervals over the day (so far), by agent id.
    pub fn intervals(&self) -> impl Iterator<Item = (AgentId, Vec<Interval>)> + '_ {
        self.agents
            .iter()
            .filter(|_| self.upto > self.start)
            .map(|(id, (first, changes))| (*id, timeline::intervals(first.clone(), changes, self.start, self.upto)))
    }
}
