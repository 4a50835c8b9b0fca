//! The event stream (`GET /api/v2/stream`, Server-Sent Events): its frames,
//! resuming with `Last-Event-ID`, who sees which events; and that what the
//! API acknowledged survives a restart of the live view.

mod common;

use agentdesk::store::AgentId;
use std::sync::Arc;

use agentdesk::clock::ManualClock;
use agentdesk::domain::presence::State;
use agentdesk::live::Live;
use common::sse::{EventStream, Frame, QUIET};
use common::{Account, TestApp, error_body};
use reqwest::StatusCode;
use serde_json::Value;
use tokio::time::Instant;

const BREAK_START: &str = "/api/v2/agentProfile/breakStart";
const BREAK_END: &str = "/api/v2/agentProfile/breakEnd";
const PING: &str = "/api/v2/agentProfile/setWebPingTime";
const ROLE_ADD: &str = "/api/v2/Role/add";

/// 2026-11-23 12:00:00 UTC: the time the tests start their day at.
const T: i64 = 1_795_435_200;

/// Opens the stream of `app` with `query` (see `EventStream::open`).
async fn open(app: &TestApp, query: &str, last_event_id: Option<&str>) -> EventStream {
    EventStream::open(&app.client, &app.base, query, last_event_id).await
}

fn token_query(account: &Account) -> String {
    format!("userId={}&token={}", account.user_id, account.token)
}

/// An agent of `account` that can log in; returns its id.
async fn agent(app: &TestApp, account: &Account, name: &str, email: &str) -> i64 {
    app.agent(account, &format!(r#""name":"{name}","email":"{email}","password":"pass-word-1""#)).await
}

async fn profile(app: &TestApp, path: &str, ssid: &str, fields: &str) -> Value {
    let reply = app.post(path, &format!(r#"{{"ssid":"{ssid}"{fields}}}"#)).await.json();
    assert_eq!(reply["status"], "success", "{path}: {reply}");
    reply
}

async fn tea_break(app: &TestApp, ssid: &str) {
    profile(app, BREAK_START, ssid, r#","reason":"Tea""#).await;
}

/// `(id, event, agentId)` of each frame.
fn summary(frames: &[Frame]) -> Vec<(i64, String, i64)> {
    frames
        .iter()
        .map(|f| {
            let data = f.json();
            (f.id(), f.event.clone().unwrap_or_default(), data["agentId"].as_i64().unwrap_or(-1))
        })
        .collect()
}

fn ev(id: i64, event: &str, agent: i64) -> (i64, String, i64) {
    (id, event.to_string(), agent)
}

// ---- the stream ----

backend_test!(the_stream_delivers_each_event_as_a_frame_whose_data_is_the_events_json, |app| {
    let account = app.account().await;
    let asha = agent(&app, &account, "Asha Rao", "asha@example.com").await;
    app.clock.set(T);
    let mut stream = open(&app, &token_query(&account), None).await;

    let ssid = app.login("asha@example.com", "pass-word-1").await;
    app.clock.set(T + 7);
    tea_break(&app, &ssid).await;

    let frames = stream.frames(2).await;
    assert_eq!(frames[0].id, Some(1), "{frames:?}");
    assert_eq!(frames[0].event.as_deref(), Some("login"));
    assert_eq!(
        frames[0].data.as_deref(),
        Some(
            format!(r#"{{"id":1,"agentId":{asha},"event":"login","time":{T},"state":"available","actor":"agent"}}"#)
                .as_str()
        )
    );
    assert_eq!(frames[1].id, Some(2), "{frames:?}");
    assert_eq!(frames[1].event.as_deref(), Some("break_start"));
    let t = T + 7;
    assert_eq!(
        frames[1].data.as_deref(),
        Some(
            format!(
                r#"{{"id":2,"agentId":{asha},"event":"break_start","time":{t},"state":"break","actor":"agent","reason":"Tea","maxDuration":900}}"#
            )
            .as_str()
        )
    );
    stream.expect_quiet().await;
});

backend_test!(a_new_connection_without_last_event_id_starts_at_the_present, |app| {
    let account = app.account().await;
    let asha = agent(&app, &account, "Asha Rao", "asha@example.com").await;
    app.clock.set(T);
    let ssid = app.login("asha@example.com", "pass-word-1").await;
    app.clock.set(T + 60);
    tea_break(&app, &ssid).await;

    // The login and the break are history: a board opening now gets neither.
    let mut stream = open(&app, &token_query(&account), None).await;
    stream.expect_quiet().await;
    app.clock.set(T + 120);
    profile(&app, BREAK_END, &ssid, "").await;
    assert_eq!(summary(&stream.frames(1).await), vec![ev(3, "break_end", asha)]);
    stream.expect_quiet().await;
});

backend_test!(last_event_id_zero_replays_the_whole_log_then_goes_live, |app| {
    let account = app.account().await;
    let asha = agent(&app, &account, "Asha Rao", "asha@example.com").await;
    app.clock.set(T);
    let ssid = app.login("asha@example.com", "pass-word-1").await;
    app.clock.set(T + 60);
    tea_break(&app, &ssid).await;

    let mut stream = open(&app, &token_query(&account), Some("0")).await;
    let replayed = stream.frames(2).await;
    assert_eq!(summary(&replayed), vec![ev(1, "login", asha), ev(2, "break_start", asha)]);
    // The replayed frame is the same JSON as a live one.
    assert_eq!(replayed[1].json()["time"], T + 60);
    assert_eq!(replayed[1].json()["maxDuration"], 900);

    app.clock.set(T + 120);
    profile(&app, BREAK_END, &ssid, "").await;
    let live = stream.frames(1).await;
    assert_eq!(summary(&live), vec![ev(3, "break_end", asha)]);
    stream.expect_quiet().await;
});

backend_test!(with_named_0_frames_carry_no_event_name_so_onmessage_receives_them, |app| {
    let account = app.account().await;
    let asha = agent(&app, &account, "Asha Rao", "asha@example.com").await;
    app.clock.set(T);
    let mut stream = open(&app, &format!("{}&named=0", token_query(&account)), None).await;
    app.login("asha@example.com", "pass-word-1").await;
    let frames = stream.frames(1).await;
    assert_eq!(frames[0].id, Some(1), "{frames:?}");
    assert_eq!(frames[0].event, None, "{frames:?}");
    // The kind is still in the data.
    assert_eq!(frames[0].json()["event"], "login");
    assert_eq!(frames[0].json()["agentId"], asha);
});

// ---- resuming ----

/// Three events in the log: login (1), break_start (2), break_end (3).
async fn three_events(app: &TestApp) -> (Account, i64, String) {
    let account = app.account().await;
    let asha = agent(app, &account, "Asha Rao", "asha@example.com").await;
    app.clock.set(T);
    let ssid = app.login("asha@example.com", "pass-word-1").await;
    app.clock.set(T + 60);
    tea_break(app, &ssid).await;
    app.clock.set(T + 120);
    profile(app, BREAK_END, &ssid, "").await;
    (account, asha, ssid)
}

/// Resumes after event 1: 2 and 3 from the log, then 4 live, each once.
async fn resume_after_event_one(app: &TestApp, query_suffix: &str, header: Option<&str>) {
    let (account, asha, ssid) = three_events(app).await;
    let query = format!("{}{query_suffix}", token_query(&account));
    let mut stream = open(app, &query, header).await;
    let replayed = stream.frames(2).await;
    assert_eq!(summary(&replayed), vec![ev(2, "break_start", asha), ev(3, "break_end", asha)]);

    app.clock.set(T + 180);
    tea_break(app, &ssid).await;
    let live = stream.frames(1).await;
    assert_eq!(summary(&live), vec![ev(4, "break_start", asha)]);
    assert_eq!(live[0].json()["time"], T + 180);
    stream.expect_quiet().await;
}

backend_test!(the_last_event_id_header_resumes_after_that_event_without_gaps_or_duplicates, |app| {
    resume_after_event_one(&app, "", Some("1")).await;
});

backend_test!(the_last_event_id_query_parameter_resumes_like_the_header, |app| {
    resume_after_event_one(&app, "&lastEventId=1", None).await;
});

backend_test!(resuming_after_the_latest_event_replays_nothing, |app| {
    let (account, asha, ssid) = three_events(&app).await;
    let mut stream = open(&app, &token_query(&account), Some("3")).await;
    stream.expect_quiet().await;
    app.clock.set(T + 180);
    tea_break(&app, &ssid).await;
    assert_eq!(summary(&stream.frames(1).await), vec![ev(4, "break_start", asha)]);
});

// ---- who sees what ----

backend_test!(a_stream_without_credentials_or_with_a_wrong_token_is_refused, |app| {
    let account = app.account().await;
    let get = |query: String| {
        let url = format!("{}/api/v2/stream{query}", app.base);
        let client = app.client.clone();
        async move {
            let response = client.get(url).send().await.unwrap();
            let status = response.status();
            let content_type =
                response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
            (status, content_type, response.text().await.unwrap())
        }
    };
    let not_found = error_body(1020, "Token not found");
    let invalid = error_body(1014, "Invalid token");
    for (query, expected) in [
        (String::new(), &not_found),
        (format!("?userId={}", account.user_id), &not_found),
        (format!("?userId={}&token=wrong-token", account.user_id), &invalid),
        ("?ssid=no-such-session".to_string(), &invalid),
    ] {
        let (status, content_type, body) = get(query.clone()).await;
        assert_eq!(status, StatusCode::OK, "{query}");
        assert_eq!(content_type, "application/json; charset=utf-8", "{query}");
        assert_eq!(&body, expected, "{query}");
    }
});

backend_test!(an_agent_session_without_view_agents_sees_only_its_own_events, |app| {
    let account = app.account().await;
    let asha = agent(&app, &account, "Asha Rao", "asha@example.com").await;
    let ben = agent(&app, &account, "Ben Okafor", "ben@example.com").await;
    app.clock.set(T);
    let asha_ssid = app.login("asha@example.com", "pass-word-1").await; // 1
    let ben_ssid = app.login("ben@example.com", "pass-word-1").await; // 2

    let mut stream = open(&app, &format!("ssid={asha_ssid}"), Some("0")).await;
    app.clock.set(T + 30);
    tea_break(&app, &ben_ssid).await; // 3, Ben's
    tea_break(&app, &asha_ssid).await; // 4, Asha's

    // Ben's login (replayed) and break (live) are skipped: Asha's break
    // follows her login directly.
    let frames = stream.frames(2).await;
    assert_eq!(summary(&frames), vec![ev(1, "login", asha), ev(4, "break_start", asha)]);
    stream.expect_quiet().await;
    // Ben's events are there: the account's own stream has all four.
    let mut all = open(&app, &token_query(&account), Some("0")).await;
    assert_eq!(
        summary(&all.frames(4).await),
        vec![ev(1, "login", asha), ev(2, "login", ben), ev(3, "break_start", ben), ev(4, "break_start", asha)]
    );
});

backend_test!(an_agent_session_with_view_agents_sees_every_agent, |app| {
    let account = app.account().await;
    let role = app
        .post(ROLE_ADD, &format!(r#"{{{},"name":"Supervisor","permissions":["VIEW_AGENTS"]}}"#, account.creds()))
        .await;
    assert_eq!(role.json()["roleId"], "2", "{}", role.body);
    let lead = app
        .agent(&account, r#""name":"Lena Park","email":"lena@example.com","password":"pass-word-1","role":"2""#)
        .await;
    let ben = agent(&app, &account, "Ben Okafor", "ben@example.com").await;
    app.clock.set(T);
    let lead_ssid = app.login("lena@example.com", "pass-word-1").await; // 1
    let mut stream = open(&app, &format!("ssid={lead_ssid}"), Some("0")).await;
    let ben_ssid = app.login("ben@example.com", "pass-word-1").await; // 2
    tea_break(&app, &ben_ssid).await; // 3
    let frames = stream.frames(3).await;
    assert_eq!(summary(&frames), vec![ev(1, "login", lead), ev(2, "login", ben), ev(3, "break_start", ben)]);
});

backend_test!(another_accounts_events_never_arrive, |app| {
    let ours = app.account().await;
    let theirs = app.account().await;
    let our_agent = agent(&app, &ours, "Asha Rao", "asha@example.com").await;
    agent(&app, &theirs, "Ben Okafor", "ben@example.com").await;
    app.clock.set(T);
    // Their log already has events 1 and 2 when we connect.
    let their_ssid = app.login("ben@example.com", "pass-word-1").await;
    tea_break(&app, &their_ssid).await;

    let mut ours_stream = open(&app, &token_query(&ours), None).await;
    let mut theirs_stream = open(&app, &token_query(&theirs), Some("0")).await;
    assert_eq!(summary(&theirs_stream.frames(2).await).len(), 2);

    // Their events 3 and 4, then our event 1: ours sees only its own.
    profile(&app, BREAK_END, &their_ssid, "").await;
    tea_break(&app, &their_ssid).await;
    app.login("asha@example.com", "pass-word-1").await;
    let frames = ours_stream.frames(1).await;
    assert_eq!(summary(&frames), vec![ev(1, "login", our_agent)]);
    ours_stream.expect_quiet().await;
    // …and theirs only theirs.
    let frames = theirs_stream.frames(2).await;
    assert_eq!(frames.iter().map(Frame::id).collect::<Vec<_>>(), vec![3, 4]);
    theirs_stream.expect_quiet().await;
});

/// A stream checks its credentials again whenever new events wake it: a
/// token revoked meanwhile (or a session that ended, or an agent switched
/// off) stops receiving the account's events.
async fn revoked_token_stream(app: TestApp) {
    let account = app.account().await;
    agent(&app, &account, "Asha Rao", "asha@example.com").await;
    app.clock.set(T);
    let mut stream = open(&app, &token_query(&account), None).await;
    let ssid = app.login("asha@example.com", "pass-word-1").await;
    assert_eq!(stream.frames(1).await[0].id(), 1);

    agentdesk::accounts::revoke_token(&app.store, &account.user_id, &account.token).await.unwrap();
    // The revoked token is refused from now on…
    let reply = app.client.get(format!("{}/api/v2/stream?{}", app.base, token_query(&account))).send().await.unwrap();
    assert_eq!(reply.text().await.unwrap(), error_body(1014, "Invalid token"));
    // …so the stream it opened must not go on reading the account's events.
    tea_break(&app, &ssid).await;
    if let Some(frame) = stream.next_until(Instant::now() + QUIET).await {
        panic!("a revoked token still receives events: {frame:?}");
    }
}

backend_test!(a_stream_opened_with_a_token_that_is_then_revoked_delivers_nothing_more, |app| {
    revoked_token_stream(app).await;
});

// ---- durability ----

backend_test!(a_restarted_live_view_shows_the_presence_the_api_acknowledged, |app| {
    let account = app.account().await;
    let asha = agent(&app, &account, "Asha Rao", "asha@example.com").await;
    app.clock.set(T);
    let ssid = app.login("asha@example.com", "pass-word-1").await;
    app.clock.set(T + 45);
    tea_break(&app, &ssid).await;

    let before = app.live.agent(&account.id(), AgentId(asha)).await.unwrap();
    let restarted = Live::new(app.store.clone(), Arc::new(ManualClock::new(T + 50)));
    let after = restarted.agent(&account.id(), AgentId(asha)).await.unwrap();
    assert_eq!(after.presence.state, State::Break);
    let on_break = after.presence.on_break.clone().expect("on break after the restart");
    assert_eq!(on_break.reason, "Tea");
    assert_eq!(on_break.started, T + 45);
    assert_eq!(on_break.max, Some(900));
    assert_eq!(after.presence.login_at, Some(T));
    assert_eq!(after.presence, before.presence);
});

backend_test!(pings_are_batched_in_memory_and_written_by_the_flush, |app| {
    let account = app.account().await;
    let asha = agent(&app, &account, "Asha Rao", "asha@example.com").await;
    app.clock.set(T);
    let ssid = app.login("asha@example.com", "pass-word-1").await;
    tea_break(&app, &ssid).await;

    let stored = |app: &TestApp| {
        let store = app.store.clone();
        let account = account.id();
        async move {
            let rows = store.presence(&account).await.unwrap();
            let row = rows.agents.into_iter().find(|r| r.agent_id == AgentId(asha)).expect("a presence row");
            (row.last_ping, row.mic_perm)
        }
    };
    // Logged in, never pinged.
    assert_eq!(stored(&app).await, (0, None));

    app.clock.set(T + 10);
    let reply = profile(&app, PING, &ssid, r#","mic_perm":1"#).await;
    assert_eq!(reply["data"]["ping_time"], T + 10, "{reply}");
    assert_eq!(stored(&app).await, (0, None), "a ping is not written per request");
    let memory = app.live.agent(&account.id(), AgentId(asha)).await.unwrap();
    assert_eq!((memory.last_ping, memory.mic_perm), (T + 10, Some(1)));
    assert_eq!(app.live.flush_pings().await.unwrap(), 1);
    assert_eq!(stored(&app).await, (T + 10, Some(1)));

    app.clock.set(T + 20);
    profile(&app, PING, &ssid, r#","mic_perm":0"#).await;
    app.clock.set(T + 30);
    profile(&app, PING, &ssid, r#","mic_perm":0"#).await;
    assert_eq!(stored(&app).await, (T + 10, Some(1)), "still the flushed value");
    assert_eq!(app.live.flush_pings().await.unwrap(), 1, "one row per agent, however many pings");
    assert_eq!(stored(&app).await, (T + 30, Some(0)));
    // Nothing new: nothing to write.
    assert_eq!(app.live.flush_pings().await.unwrap(), 0);

    // A restarted view knows the flushed mic permission.
    let restarted = Live::new(app.store.clone(), Arc::new(ManualClock::new(T + 35)));
    let after = restarted.agent(&account.id(), AgentId(asha)).await.unwrap();
    assert_eq!(after.mic_perm, Some(0));
    assert_eq!(after.presence.state, State::Break);
});

backend_test!(a_large_ping_flush_is_written_whole, |app| {
    use agentdesk::store::PingRow;
    let account = app.account().await;
    let asha = agent(&app, &account, "Asha Rao", "asha@example.com").await;
    let ben = agent(&app, &account, "Ben Okafor", "ben@example.com").await;
    app.clock.set(T);
    app.login("asha@example.com", "pass-word-1").await;
    app.login("ben@example.com", "pass-word-1").await;
    // 1,201 rows: Asha first, Ben last, agents without a presence row
    // between them.
    let row =
        |agent_id, mic_perm| PingRow { account: account.id(), agent_id: AgentId(agent_id), last_ping: T + 7, mic_perm };
    let mut rows = vec![row(asha, Some(1))];
    rows.extend((0..1199).map(|i| row(100_000 + i, None)));
    rows.push(row(ben, Some(0)));
    app.store.save_pings(&rows).await.unwrap();
    let mut stored: Vec<_> = app
        .store
        .presence(&account.id())
        .await
        .unwrap()
        .agents
        .into_iter()
        .map(|r| (r.agent_id.get(), r.last_ping, r.mic_perm))
        .collect();
    stored.sort();
    assert_eq!(stored, [(asha, T + 7, Some(1)), (ben, T + 7, Some(0))]);
});

backend_test!(a_restart_forgives_the_downtime_before_an_agent_goes_stale, |app| {
    let account = app.account().await;
    let asha = agent(&app, &account, "Asha Rao", "asha@example.com").await;
    app.clock.set(T);
    let ssid = app.login("asha@example.com", "pass-word-1").await;
    app.clock.set(T + 10);
    profile(&app, PING, &ssid, r#","mic_perm":1"#).await;
    app.live.flush_pings().await.unwrap();
    let rules = app.store.live_settings(&account.id()).await.unwrap();
    let (stale_after, offline_after) = (rules.stale_after, rules.offline_after);
    assert!(stale_after > 1 && offline_after > stale_after, "{stale_after} {offline_after}");

    // The server was down for hours.
    let restart = T + 6 * 3600;
    let clock = Arc::new(ManualClock::new(restart));
    let restarted = Live::new(app.store.clone(), clock.clone());
    restarted.start().await.unwrap();

    let report = restarted.step().await.unwrap();
    assert_eq!(report.events, 0, "{report:?}");
    let now = restarted.agent(&account.id(), AgentId(asha)).await.unwrap();
    assert_eq!(now.presence.state, State::Available);

    clock.set(restart + stale_after - 1);
    assert_eq!(restarted.step().await.unwrap().events, 0);
    assert_eq!(restarted.agent(&account.id(), AgentId(asha)).await.unwrap().presence.state, State::Available);

    clock.set(restart + stale_after);
    assert_eq!(restarted.step().await.unwrap().events, 1);
    let stale = restarted.agent(&account.id(), AgentId(asha)).await.unwrap();
    assert_eq!(stale.presence.state, State::Stale);
    assert_eq!(stale.presence.since, restart + stale_after);

    clock.set(restart + offline_after);
    assert_eq!(restarted.step().await.unwrap().events, 1);
    assert_eq!(restarted.agent(&account.id(), AgentId(asha)).await.unwrap().presence.state, State::Offline);
});

backend_test!(a_restart_loaded_on_first_use_also_forgives_the_downtime, |app| {
    let account = app.account().await;
    let asha = agent(&app, &account, "Asha Rao", "asha@example.com").await;
    app.clock.set(T);
    app.login("asha@example.com", "pass-word-1").await;

    // Down for hours, but less than a session lifetime (a session that
    // expired meanwhile ends the agent's presence: tests/sessions.rs).
    let restart = T + 6 * 3600;
    let clock = Arc::new(ManualClock::new(restart));
    let restarted = Live::new(app.store.clone(), clock.clone());
    // No `start`: the account loads when first asked about.
    assert_eq!(restarted.agent(&account.id(), AgentId(asha)).await.unwrap().presence.state, State::Available);
    restarted.step().await.unwrap();
    assert_eq!(restarted.agent(&account.id(), AgentId(asha)).await.unwrap().presence.state, State::Available);
    let stale_after = app.store.live_settings(&account.id()).await.unwrap().stale_after;
    clock.set(restart + stale_after);
    restarted.step().await.unwrap();
    assert_eq!(restarted.agent(&account.id(), AgentId(asha)).await.unwrap().presence.state, State::Stale);
});

backend_test!(one_credential_holds_at_most_eight_streams_and_a_closed_one_frees_its_place, |app| {
    let account = app.account().await;
    agent(&app, &account, "Asha Rao", "asha@example.com").await;
    let ssid = app.login("asha@example.com", "pass-word-1").await;
    let query = format!("ssid={ssid}");
    let mut open_streams = Vec::new();
    for _ in 0..8 {
        open_streams.push(open(&app, &query, None).await);
    }
    let refused = app.client.get(format!("{}/api/v2/stream?{query}", app.base)).send().await.unwrap();
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(refused.headers()["retry-after"], "5");
    assert_eq!(refused.text().await.unwrap(), error_body(429, "Too many requests"));
    // Another credential of the same account is not held back.
    let owner = open(&app, &token_query(&account), None).await;
    // A stream closed by its client frees its place.
    drop(open_streams.pop());
    let deadline = Instant::now() + std::time::Duration::from_secs(5);
    loop {
        let again = app.client.get(format!("{}/api/v2/stream?{query}", app.base)).send().await.unwrap();
        if again.status() == StatusCode::OK {
            break;
        }
        assert!(Instant::now() < deadline, "the closed stream's place never came back");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    drop(owner);
});
