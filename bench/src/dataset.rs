//! The benchmark's contact center, written straight into a fresh database
//! through agentdesk's own store (the API would spend minutes hashing
//! passwords): one account, its groups and agents, a session and a login for
//! every agent, some on break, and a month of history for some of them.

use std::sync::Arc;
use std::time::Instant;

use agentdesk::clock::{Clock, SystemClock};
use agentdesk::domain::agent::{DestType, ROOT_PATH, ReceiveCall};
use agentdesk::domain::presence::{Actor, CallRef, Event, Kind, Shown, State};
use agentdesk::domain::secret;
use agentdesk::live::Live;
use agentdesk::store::{AccountId, AgentId, Mapping, NewAgent, NewSession, RoleId, RoutingChange, SharedStore};

/// The size of the contact center.
#[derive(Debug, Clone, Copy)]
pub struct Size {
    pub agents: usize,
    pub groups: usize,
    /// Agents with a month of history.
    pub history_agents: usize,
    pub history_days: i64,
    /// Calls per agent-day of history (four events each).
    pub calls_per_day: usize,
    /// Calls in the one busy agent-day the timeline scenario reads.
    pub busy_day_calls: usize,
}

/// What the scenarios need to address the data.
#[derive(Clone)]
pub struct Loaded {
    pub user_id: String,
    pub token: String,
    /// Agent `i + 1`'s session id.
    pub ssids: Vec<String>,
    /// The busy agent-day: agent 1, this date (UTC).
    pub busy_date: String,
    pub events: usize,
    pub groups: Vec<i64>,
}

const DAY: i64 = 86_400;

fn progress(what: &str, done: usize, total: usize, started: Instant) {
    eprint!("\r  {what}: {done}/{total} ({:.0} s)   ", started.elapsed().as_secs_f64());
    if done == total {
        eprintln!();
    }
}

pub async fn load(store: &SharedStore, size: Size) -> anyhow::Result<Loaded> {
    let clock = SystemClock;
    let now = clock.now();
    let account = agentdesk::accounts::create_account(store, "Bench Center", "bench@agentdesk.local", None).await?;
    let id = &AccountId::new(account.user_id.clone());
    let mut groups = Vec::new();
    for g in 0..size.groups {
        groups.push(store.add_group(id, &format!("Team {g:02}"), 1, (None, &RoutingChange::default()), now).await?.id);
    }
    // One hash for every agent: hashing is what the dataset need not measure.
    let password_hash = secret::hash_password("bench-agent-pw")?;
    let started = Instant::now();
    let mut ssids = Vec::with_capacity(size.agents);
    for i in 0..size.agents {
        let agent = NewAgent {
            name: format!("Agent {i:05} {}", ["Rao", "Shah", "Iyer", "Khan", "Das"][i % 5]),
            email: format!("agent{i}@bench.agentdesk.local"),
            phone: format!("91{}", 9_000_000_000u64 + i as u64),
            address: String::new(),
            dest_type: DestType::Mobile,
            dest_value: format!("{}", 9_000_000_000u64 + i as u64),
            call_pass_hash: password_hash.clone(),
            password_hash: password_hash.clone(),
            role_id: RoleId(1),
            parent_path: ROOT_PATH.to_string(),
            favorite: String::new(),
            allow_did: Vec::new(),
            status: 1,
            groups: vec![Mapping { group: groups[i % groups.len()], receive_call: ReceiveCall::Yes }],
            working: Vec::new(),
            create_by: id.to_string(),
            create_by_type: String::new(),
            now,
        };
        let agent_id = store.create_agent(id, &agent).await?;
        let ssid = secret::new_token();
        let session = NewSession {
            ssid_hash: secret::token_hash(&ssid),
            account_id: id.clone(),
            agent_id: Some(agent_id),
            now,
            expires_at: now + 7 * DAY,
            ends_at: now + 7 * DAY,
        };
        store.create_session(&session).await?;
        ssids.push(ssid);
        if (i + 1) % 500 == 0 || i + 1 == size.agents {
            progress("agents and sessions", i + 1, size.agents, started);
        }
    }
    let events = history(store, id, size, now).await?;
    // The single-endpoint scenarios send no pings, yet every agent must stay
    // logged in throughout: the heartbeat rules are widened for them (the
    // mixed day restores the defaults and pings for real).
    let mut settings = store.live_settings(id).await?;
    settings.stale_after = 3_600;
    settings.offline_after = 86_400;
    store.set_live_settings(id, &settings).await?;
    log_in_everyone(store, id, size.agents).await?;
    let busy = jiff::Timestamp::from_second(now - DAY)?.to_zoned_datetime(jiff::tz::TimeZone::UTC).date();
    Ok(Loaded {
        user_id: account.user_id,
        token: account.token,
        ssids,
        busy_date: busy.to_string(),
        events,
        groups: groups.into_iter().map(|g| g.get()).collect(),
    })
}

/// Every agent logs in; every tenth goes on a tea break.
async fn log_in_everyone(store: &SharedStore, account: &AccountId, agents: usize) -> anyhow::Result<()> {
    let started = Instant::now();
    let live = Live::new(store.clone(), Arc::new(SystemClock));
    live.record(account, |d| {
        for agent in (1..=agents as i64).map(AgentId) {
            let now = d.now;
            let login = d.presence(agent).login(agent, now);
            d.apply(login);
            if agent.get() % 10 == 0 {
                let on_break =
                    d.presence(agent).break_start(agent, now, Actor::Agent, "Tea", Some(900)).unwrap_or_default();
                d.apply(on_break);
            }
        }
    })
    .await?;
    progress("logins", agents, agents, started);
    Ok(())
}

/// One agent-day: login at 09:00, `calls` calls (offered, answered, ended,
/// wrap-up end), a tea break, logout — each event with the state it leaves.
fn agent_day(agent: AgentId, day_start: i64, calls: usize, tag: &str, out: &mut Vec<(Event, Shown)>) {
    let mut t = day_start + 9 * 3600;
    // The reason shown with a state is the break's, or how the agent went offline.
    let push = |out: &mut Vec<(Event, Shown)>, e: Event, state: State| {
        let reason = matches!(state, State::Break | State::Offline).then(|| e.reason.clone()).flatten();
        out.push((e, Shown { state, reason }));
    };
    push(out, Event::new(agent, t, Kind::Login, Actor::Agent), State::Available);
    // Calls fill the shift; a busy day squeezes them closer.
    let spacing = ((8 * 3600) / (calls as i64 + 1)).max(20);
    for n in 0..calls {
        let call = CallRef {
            call_id: format!("{tag}-{agent}-{n}"),
            caller_number: format!("9198{:08}", (agent.get() * 7919 + n as i64) % 100_000_000),
            direction: "inbound".to_string(),
            did: String::new(),
            group: None,
            attempt: 0,
            device: String::new(),
        };
        let mut event = |at: i64, kind: Kind, actor: Actor, state: State| {
            let mut e = Event::new(agent, at, kind, actor);
            if kind.is_call() {
                e.call = Some(call.clone());
            }
            if kind == Kind::Ended {
                e.until = Some(at + 5);
            }
            push(out, e, state);
        };
        event(t + 1, Kind::Offered, Actor::Telephony, State::Ringing);
        event(t + 3, Kind::Answered, Actor::Telephony, State::OnCall);
        let end = t + 3 + (spacing - 10).max(6);
        event(end, Kind::Ended, Actor::Telephony, State::WrapUp);
        event(end + 5, Kind::WrapUpEnd, Actor::System, State::Available);
        t += spacing;
        if n == calls / 2 {
            let mut b = Event::new(agent, t, Kind::BreakStart, Actor::Agent);
            b.reason = Some("Tea".to_string());
            push(out, b, State::Break);
            push(out, Event::new(agent, t + 600, Kind::BreakEnd, Actor::Agent), State::Available);
            t += 600;
        }
    }
    let mut logout = Event::new(agent, t.max(day_start + 17 * 3600), Kind::Logout, Actor::Agent);
    logout.reason = Some("agent".to_string());
    push(out, logout, State::Offline);
}

/// The month of history, appended oldest day first in batches.
async fn history(store: &SharedStore, account: &AccountId, size: Size, now: i64) -> anyhow::Result<usize> {
    let today = now - now.rem_euclid(DAY);
    let started = Instant::now();
    let mut batch = Vec::new();
    let mut total = 0;
    // Appended as one writer: each batch continues the log where it ends.
    let mut next_seq = store.account_versions(account).await?.next_event_seq;
    let days = size.history_days;
    for d in (1..=days).rev() {
        let day_start = today - d * DAY;
        for agent in 1..=size.history_agents.min(size.agents) as i64 {
            let calls = if agent == 1 && d == 1 { size.busy_day_calls } else { size.calls_per_day };
            agent_day(AgentId(agent), day_start, calls, &format!("h{d}"), &mut batch);
            if batch.len() >= 20_000 {
                total += batch.len();
                store.append_events(account, next_seq, None, &batch, &[]).await?;
                next_seq += batch.len() as i64;
                batch.clear();
            }
        }
        progress("history days", (days - d + 1) as usize, days as usize, started);
    }
    total += batch.len();
    if !batch.is_empty() {
        store.append_events(account, next_seq, None, &batch, &[]).await?;
    }
    eprintln!("  {total} history events in {:.0} s", started.elapsed().as_secs_f64());
    Ok(total)
}
