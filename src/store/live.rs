//! The event log, agents' presence snapshots, pings, the break-reason
//! catalogue and the account's live-state settings.

use crate::domain::ids::{AccountId, AgentId, GroupId};
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;

use super::sql::{Param, SqlStore, Statement, id, int, opt_int, opt_text, text};
use super::{
    AgentFilter, AgentOf, BreakReasonRow, EventQuery, Fence, LiveSettings, LiveStore, LoadedPresence, PingRow,
    PresenceRow, RecordedCall, Roster, Snapshot, StateAt, StoreError, StoreResult,
};
use crate::domain::name::name_key;
use crate::domain::presence::{Actor, CallRef, Event, Kind, Logged, Shown, State};

/// The event fields without a column of their own.
#[derive(Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Detail {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    caller_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    direction: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    did: Option<String>,
    /// The call a `wrap_up_end` closes (its id is not in `call_id`, which
    /// only telephony events fill).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    call_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    until: Option<i64>,
    /// The time the telephony reported, when the log records it later.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    reported: Option<i64>,
    /// The supervisor (agent id) behind an event of actor `supervisor`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    by: Option<i64>,
    /// The group a call event named (`CallRef::group`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    group: Option<i64>,
    /// Which ring of the agent for the call (`CallRef::attempt`; also the
    /// `attempt` column of the idempotency key); absent: the first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    attempt: Option<u32>,
    /// Which device of the agent (`CallRef::device`; also the `device`
    /// column of the idempotency key); absent: not said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    device: Option<String>,
}

fn detail_of(event: &Event) -> Option<String> {
    let mut detail = Detail { until: event.until, reported: event.reported, by: event.by, ..Detail::default() };
    if let Some(call) = &event.call {
        detail.caller_number = Some(call.caller_number.clone());
        detail.direction = Some(call.direction.clone());
        detail.did = (!call.did.is_empty()).then(|| call.did.clone());
        detail.group = call.group;
        detail.attempt = (call.attempt > 0).then_some(call.attempt);
        detail.device = (!call.device.is_empty()).then(|| call.device.clone());
        if !event.kind.names_call() {
            detail.call_id = Some(call.call_id.clone());
        }
    }
    let empty =
        detail.until.is_none() && detail.caller_number.is_none() && detail.reported.is_none() && detail.by.is_none();
    (!empty).then(|| serde_json::to_string(&detail).unwrap_or_default())
}

fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Other(anyhow::anyhow!("event log holds an unknown {what} {value:?}"))
}

/// An event-log row as `EVENT_COLUMNS` lists it.
type EventRow =
    (i64, AgentId, i64, String, String, Option<String>, Option<String>, Option<String>, String, Option<String>);

pub(super) const EVENT_COLUMNS: &str = "seq, agent_id, at, kind, actor, reason, call_id, detail, state, state_reason";

impl SqlStore {
    /// The events `select` (of `EVENT_COLUMNS`) finds, oldest first or
    /// newest first (by time, then sequence).
    pub(super) async fn fetch_events(&self, select: Statement, newest_first: bool) -> StoreResult<Vec<Logged>> {
        let rows: Vec<EventRow> = self.json_rows(select, EVENT_COLUMNS).await?;
        let mut events = rows.into_iter().map(logged_from).collect::<StoreResult<Vec<_>>>()?;
        if newest_first {
            events.sort_unstable_by_key(|l| std::cmp::Reverse((l.event.at, l.seq)));
        } else {
            events.sort_unstable_by_key(|l| l.seq);
        }
        Ok(events)
    }
}

fn logged_from(row: EventRow) -> StoreResult<Logged> {
    let (seq, agent, at, kind_text, actor_text, reason, call_id, detail, state_text, state_reason) = row;
    let kind = Kind::parse(&kind_text).ok_or_else(|| corrupt("kind", &kind_text))?;
    let actor = Actor::parse(&actor_text).ok_or_else(|| corrupt("actor", &actor_text))?;
    let state = State::parse(&state_text).ok_or_else(|| corrupt("state", &state_text))?;
    let detail: Detail = match detail {
        Some(json) => serde_json::from_str(&json).map_err(|e| StoreError::Other(e.into()))?,
        None => Detail::default(),
    };
    let call = call_id.or(detail.call_id).map(|call_id| CallRef {
        call_id,
        caller_number: detail.caller_number.unwrap_or_default(),
        direction: detail.direction.unwrap_or_default(),
        did: detail.did.unwrap_or_default(),
        group: detail.group,
        attempt: detail.attempt.unwrap_or(0),
        device: detail.device.unwrap_or_default(),
    });
    let event =
        Event { agent, at, kind, actor, reason, call, until: detail.until, reported: detail.reported, by: detail.by };
    Ok(Logged { seq, event, state, state_reason })
}

fn break_reason(row: &AnyRow) -> StoreResult<BreakReasonRow> {
    Ok(BreakReasonRow { id: int(row, "id")?, name: text(row, "name")?, max_secs: opt_int(row, "max_secs")? })
}

/// Rows bound as one JSON parameter (see `SqlStore::json_elements`).
fn to_json<T: Serialize>(rows: &T) -> StoreResult<String> {
    serde_json::to_string(rows).map_err(|e| StoreError::Other(e.into()))
}

#[async_trait]
impl LiveStore for SqlStore {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn live_settings(&self, account: &AccountId) -> StoreResult<LiveSettings> {
        let row = sqlx::query(
            "SELECT timezone, stale_after, offline_after, wrap_up_secs, country_code FROM accounts WHERE id = $1",
        )
        .bind(account)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound)?;
        Ok(LiveSettings {
            timezone: text(&row, "timezone")?,
            stale_after: int(&row, "stale_after")?,
            offline_after: int(&row, "offline_after")?,
            wrap_up_secs: int(&row, "wrap_up_secs")?,
            country_code: text(&row, "country_code")?,
        })
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn set_live_settings(&self, account: &AccountId, settings: &LiveSettings) -> StoreResult<()> {
        sqlx::query(
            "UPDATE accounts SET timezone = $2, stale_after = $3, offline_after = $4, wrap_up_secs = $5, country_code = $6
             WHERE id = $1",
        )
        .bind(account)
        .bind(&settings.timezone)
        .bind(settings.stale_after)
        .bind(settings.offline_after)
        .bind(settings.wrap_up_secs)
        .bind(&settings.country_code)
        .execute(&self.pool)
        .await?;
        // Principals carry the country code.
        self.credentials.forget_account(account);
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn presence(&self, account: &AccountId) -> StoreResult<LoadedPresence> {
        // One statement: the snapshots and the log's end as of one moment,
        // so a node that follows the log from there misses nothing and
        // applies nothing twice.
        let rows = sqlx::query(
            "SELECT a.next_event_seq, p.agent_id, p.snapshot, p.last_ping, p.mic_perm
             FROM accounts a LEFT JOIN agent_presence p ON p.account_id = a.id
             WHERE a.id = $1 ORDER BY p.agent_id",
        )
        .bind(account)
        .fetch_all(&self.pool)
        .await?;
        let next_seq = match rows.first() {
            Some(row) => int(row, "next_event_seq")?,
            None => return Err(StoreError::NotFound),
        };
        let agents = rows
            .iter()
            .filter_map(|r| match id::<Option<AgentId>>(r, "agent_id") {
                Ok(None) => None,
                Ok(Some(agent_id)) => Some((|| {
                    Ok(PresenceRow {
                        agent_id,
                        snapshot: text(r, "snapshot")?,
                        last_ping: int(r, "last_ping")?,
                        mic_perm: opt_int(r, "mic_perm")?,
                    })
                })()),
                Err(e) => Some(Err(e)),
            })
            .collect::<StoreResult<Vec<_>>>()?;
        Ok(LoadedPresence { agents, next_seq })
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn accounts_online(&self) -> StoreResult<Vec<AccountId>> {
        let rows = sqlx::query("SELECT DISTINCT account_id FROM agent_presence WHERE state <> 'offline'")
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(|r| id(r, "account_id")).collect()
    }

    #[tracing::instrument(level = "debug", skip_all, fields(events = events.len()))]
    async fn append_events(
        &self,
        account: &AccountId,
        expected_first: i64,
        fence: Option<&Fence>,
        events: &[(Event, Shown)],
        snapshots: &[Snapshot],
    ) -> StoreResult<()> {
        let mut tx = self.write_tx().await?;
        let n = events.len() as i64;
        // The account row's lock orders the account's commits: whoever
        // holds it appends right after the previous commit, so the log is
        // gapless in commit order and a follower reading by sequence
        // misses nothing.
        let row = sqlx::query(
            "UPDATE accounts SET next_event_seq = next_event_seq + $2 WHERE id = $1 RETURNING next_event_seq AS next",
        )
        .bind(account)
        .bind(n)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound)?;
        let first = int(&row, "next")? - n;
        if first != expected_first {
            // Decided on a state another node has moved on from (dropping
            // the transaction rolls the numbering back).
            return Err(StoreError::Raced);
        }
        if let Some(fence) = fence {
            let held = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT 1 AS held FROM node_leases
                 WHERE name = $1 AND holder = $2 AND epoch = $3 AND expires_at > {} FOR SHARE",
                self.now_ms_sql()
            )))
            .bind(fence.lease)
            .bind(&fence.holder)
            .bind(fence.epoch)
            .fetch_optional(&mut *tx)
            .await?;
            if held.is_none() {
                return Err(StoreError::Raced);
            }
        }
        // Rows travel as one JSON parameter per statement (see save_pings).
        let rows: Vec<_> = events
            .iter()
            .zip(first..)
            .map(|((event, shown), seq)| {
                let call = event.call.as_ref().filter(|_| event.kind.names_call());
                (
                    seq,
                    event.agent,
                    event.at,
                    event.kind.as_str(),
                    event.actor.as_str(),
                    event.reason.as_deref(),
                    call.map(|c| c.call_id.as_str()),
                    call.map(|c| c.caller_number.as_str()),
                    detail_of(event),
                    shown.state.as_str(),
                    shown.reason.as_deref(),
                    call.map_or(0, |c| c.attempt),
                    call.map_or("", |c| c.device.as_str()),
                )
            })
            .collect();
        let insert = format!(
            "INSERT INTO agent_events
                 (account_id, seq, agent_id, at, kind, actor, reason, call_id, caller_number, detail, state, state_reason,
                  attempt, device)
             SELECT $1, CAST(v.value ->> 0 AS BIGINT), CAST(v.value ->> 1 AS BIGINT), CAST(v.value ->> 2 AS BIGINT),
                    v.value ->> 3, v.value ->> 4, v.value ->> 5, v.value ->> 6, v.value ->> 7, v.value ->> 8, v.value ->> 9,
                    v.value ->> 10, CAST(v.value ->> 11 AS BIGINT), v.value ->> 12
             FROM {} AS v",
            self.json_elements("$2")
        );
        sqlx::query(sqlx::AssertSqlSafe(insert)).bind(account).bind(to_json(&rows)?).execute(&mut *tx).await?;
        if !snapshots.is_empty() {
            let rows: Vec<_> = snapshots.iter().map(|s| (s.agent, s.state.as_str(), &s.presence)).collect();
            // `WHERE true` tells SQLite's parser the ON CONFLICT is the
            // upsert's, not a join's.
            let upsert = format!(
                "INSERT INTO agent_presence (account_id, agent_id, state, snapshot)
                 SELECT $1, CAST(v.value ->> 0 AS BIGINT), v.value ->> 1, v.value ->> 2 FROM {} AS v WHERE true
                 ON CONFLICT (account_id, agent_id) DO UPDATE SET state = excluded.state, snapshot = excluded.snapshot",
                self.json_elements("$2")
            );
            sqlx::query(sqlx::AssertSqlSafe(upsert)).bind(account).bind(to_json(&rows)?).execute(&mut *tx).await?;
        }
        if self.clustered {
            // Delivered at commit, to every node's follower: a wake-up only.
            sqlx::query("SELECT pg_notify($1, $2)")
                .bind(super::cluster::LOG_CHANNEL)
                .bind(account)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn recorded_calls(&self, account: &AccountId, call_ids: &[String]) -> StoreResult<Vec<RecordedCall>> {
        if call_ids.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<[&String; 1]> = call_ids.iter().map(|id| [id]).collect();
        let mut select = Statement::new(&format!(
            "SELECT agent_id, call_id, kind, attempt, device FROM agent_events
             WHERE account_id = $1 AND call_id IN (SELECT v.value ->> 0 FROM {} AS v)",
            self.json_elements("$2")
        ));
        select.bind_first(Param::Text(account.to_string())).bind_first(Param::Text(to_json(&ids)?));
        let rows: Vec<(AgentId, String, String, u32, String)> =
            self.json_rows(select, "agent_id, call_id, kind, attempt, device").await?;
        rows.into_iter()
            .map(|(agent, call_id, kind_text, attempt, device)| {
                let kind = Kind::parse(&kind_text).ok_or_else(|| corrupt("kind", &kind_text))?;
                Ok(RecordedCall { agent, call_id, kind, attempt, device })
            })
            .collect()
    }

    #[tracing::instrument(level = "debug", skip_all, fields(pings = pings.len()))]
    async fn save_pings(&self, pings: &[PingRow]) -> StoreResult<()> {
        if pings.is_empty() {
            return Ok(());
        }
        // One statement for the whole batch, which keeps pings off the
        // per-request write path. The rows travel as one JSON parameter: a
        // statement per row made a 10,000-agent flush cost the server a
        // quarter of its CPU under a heartbeat storm, and SQLite resolves
        // bound parameters by a linear scan, so thousands of them are
        // quadratic.
        let rows: Vec<(&str, AgentId, i64, Option<i64>)> =
            pings.iter().map(|p| (p.account.as_str(), p.agent_id, p.last_ping, p.mic_perm)).collect();
        let rows = to_json(&rows)?;
        let sql = format!(
            "UPDATE agent_presence
             SET last_ping = CASE WHEN agent_presence.last_ping > CAST(v.value ->> 2 AS BIGINT)
                                  THEN agent_presence.last_ping ELSE CAST(v.value ->> 2 AS BIGINT) END,
                 mic_perm = CAST(v.value ->> 3 AS BIGINT)
             FROM {} AS v
             WHERE agent_presence.account_id = v.value ->> 0 AND agent_presence.agent_id = CAST(v.value ->> 1 AS BIGINT)",
            self.json_elements("$1")
        );
        sqlx::query(sqlx::AssertSqlSafe(sql)).bind(rows).execute(&self.pool).await?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn events(&self, account: &AccountId, query: &EventQuery) -> StoreResult<Vec<Logged>> {
        let mut select = Statement::new(&format!("SELECT {EVENT_COLUMNS} FROM agent_events WHERE account_id = $1"));
        select.bind_first(Param::Text(account.to_string()));
        select.push(" AND at >= ?", Param::Int(query.from)).push(" AND at < ?", Param::Int(query.to));
        if query.after_seq > 0 {
            select.push(" AND seq > ?", Param::Int(query.after_seq));
        }
        if let Some(agents) = &query.agents {
            select.push_sql(" AND agent_id IN ").push_list(agents);
        }
        if let Some(limit) = query.limit {
            select.push(" ORDER BY seq LIMIT ?", Param::Int(limit));
        }
        self.fetch_events(select, false).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn states_before(
        &self,
        account: &AccountId,
        agents: Option<&[AgentId]>,
        at: i64,
    ) -> StoreResult<Vec<StateAt>> {
        // One index walk per agent (agents with no earlier event drop out of
        // the join); a GROUP BY over the log instead lets the planner scan a
        // million events for one agent.
        let mut select = Statement::new(
            "SELECT e.agent_id, e.state, e.state_reason FROM agents a
             JOIN agent_events e ON e.account_id = a.account_id AND e.seq =
                 (SELECT s.seq FROM agent_events s
                  WHERE s.account_id = a.account_id AND s.agent_id = a.id AND s.at < $2
                  ORDER BY s.seq DESC LIMIT 1)
             WHERE a.account_id = $1",
        );
        select.bind_first(Param::Text(account.to_string())).bind_first(Param::Int(at));
        if let Some(agents) = agents {
            select.push_sql(" AND a.id IN ").push_list(agents);
        }
        select.push_sql(" ORDER BY a.id");
        let rows = select.query().fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| {
                let state_text = text(r, "state")?;
                Ok(StateAt {
                    agent_id: id(r, "agent_id")?,
                    state: State::parse(&state_text).ok_or_else(|| corrupt("state", &state_text))?,
                    reason: opt_text(r, "state_reason")?,
                })
            })
            .collect()
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn roster(
        &self,
        account: &AccountId,
        agent_id: Option<AgentId>,
        group_id: Option<GroupId>,
    ) -> StoreResult<Roster> {
        let directory = self.directory(account).await?;
        let picked = directory.matching(&AgentFilter { agent_id, group_id, ..AgentFilter::default() });
        Ok(Roster { directory, picked })
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn existing_agents(&self, account: &AccountId, ids: &[AgentId]) -> StoreResult<Vec<AgentId>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut wanted: Vec<[AgentId; 1]> = ids.iter().map(|id| [*id]).collect();
        wanted.sort_unstable();
        wanted.dedup();
        // One primary-key lookup per id: with `id IN (…)` SQLite's planner
        // preferred walking the account's whole name index (10,000 entries
        // for every callEvent). CROSS JOIN fixes SQLite's join order;
        // PostgreSQL plans it as an ordinary join.
        let mut select = Statement::new(&format!(
            "SELECT a.id FROM {} AS v CROSS JOIN agents a
             WHERE a.account_id = $1 AND a.id = CAST(v.value ->> 0 AS BIGINT)",
            self.json_elements("$2")
        ));
        select.bind_first(Param::Text(account.to_string())).bind_first(Param::Text(to_json(&wanted)?));
        let found: Vec<(AgentId,)> = self.json_rows(select, "id").await?;
        Ok(found.into_iter().map(|(id,)| id).collect())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn finalise_deletions(&self, now: i64) -> StoreResult<Vec<AgentOf>> {
        let rows = sqlx::query(
            "UPDATE agents SET is_deleted = 1, pre_deleted = 0
             WHERE pre_deleted = 1
               AND NOT EXISTS (SELECT 1 FROM sessions s
                               WHERE s.account_id = agents.account_id AND s.agent_id = agents.id AND s.expires_at > $1)
             RETURNING account_id, id",
        )
        .bind(now)
        .fetch_all(&self.pool)
        .await?;
        let deleted = rows
            .iter()
            .map(|r| Ok(AgentOf { account: id(r, "account_id")?, agent: id(r, "id")? }))
            .collect::<StoreResult<Vec<_>>>()?;
        for AgentOf { account, agent } in &deleted {
            self.credentials.forget_agent(account, *agent);
            self.directory.forget(account);
        }
        Ok(deleted)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn break_reasons(&self, account: &AccountId) -> StoreResult<Vec<BreakReasonRow>> {
        let rows = sqlx::query("SELECT id, name, max_secs FROM break_reasons WHERE account_id = $1 ORDER BY id")
            .bind(account)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(break_reason).collect()
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn add_break_reason(
        &self,
        account: &AccountId,
        name: &str,
        max_secs: Option<i64>,
    ) -> StoreResult<BreakReasonRow> {
        let mut tx = self.write_tx().await?;
        let id = super::sql::next_id(&mut tx, account, "next_break_id").await?;
        sqlx::query("INSERT INTO break_reasons (account_id, id, name, name_key, max_secs) VALUES ($1, $2, $3, $4, $5)")
            .bind(account)
            .bind(id)
            .bind(name)
            .bind(name_key(name))
            .bind(max_secs)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(BreakReasonRow { id, name: name.to_string(), max_secs })
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn update_break_reason(&self, account: &AccountId, reason: &BreakReasonRow) -> StoreResult<()> {
        let done = sqlx::query(
            "UPDATE break_reasons SET name = $3, name_key = $4, max_secs = $5 WHERE account_id = $1 AND id = $2",
        )
        .bind(account)
        .bind(reason.id)
        .bind(&reason.name)
        .bind(name_key(&reason.name))
        .bind(reason.max_secs)
        .execute(&self.pool)
        .await?;
        if done.rows_affected() == 0 { Err(StoreError::NotFound) } else { Ok(()) }
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn delete_break_reason(&self, account: &AccountId, id: i64) -> StoreResult<()> {
        let done = sqlx::query("DELETE FROM break_reasons WHERE account_id = $1 AND id = $2")
            .bind(account)
            .bind(id)
            .execute(&self.pool)
            .await?;
        if done.rows_affected() == 0 { Err(StoreError::NotFound) } else { Ok(()) }
    }
}
