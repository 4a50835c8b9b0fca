//! The end of a session ends the agent's presence at once: a session unused
//! for its lifetime (`--session-ttl`, counted from its last use) or at its
//! absolute maximum (`--session-max`) takes the agent offline at the second
//! it ended, with the reason, however late the background step notices; an
//! agent with two tabs stays online while either lives; switching an agent
//! off or deleting it ends its presence too.

mod common;

use agentdesk::store::AgentId;
use common::{Account, TestApp};
use serde_json::{Value, json};

const LIVE: &str = "/api/v2/Agent/live";
const TIMELINE: &str = "/api/v2/Agent/timeLine";
const PING: &str = "/api/v2/agentProfile/setWebPingTime";
const LOGOUT: &str = "/api/v2/auth/logout";
const LOGGED_OUT: &str = r#"{"status":"success","code":200,"message":"Logged out"}"#;

/// 2026-11-23 00:00 UTC.
const DAY: i64 = 1_795_392_000;
/// 10:00 that day.
const T: i64 = DAY + 10 * 3600;
/// The session lifetime after a use, and the absolute maximum, of these tests.
const TTL: i64 = 600;
const MAX: i64 = 3600;

fn short_sessions() -> agentdesk::ServerConfig {
    agentdesk::ServerConfig { session_ttl_secs: TTL, session_max_secs: MAX, ..common::config() }
}

fn with(account: &Account, extra: &str) -> String {
    format!("{{{},{extra}}}", account.creds())
}

fn session(ssid: &str, extra: &str) -> String {
    if extra.is_empty() { format!(r#"{{"ssid":"{ssid}"}}"#) } else { format!(r#"{{"ssid":"{ssid}",{extra}}}"#) }
}

/// An account whose heartbeat rule never fires within these tests (stale
/// after an hour), with agent 1, Asha, logged in at `T`; returns her ssid.
async fn asha_logged_in(app: &TestApp) -> (Account, String) {
    let account = app.account().await;
    let settings =
        app.post("/api/v2/Account/settings", &with(&account, r#""staleAfter":3600,"offlineAfter":7200"#)).await;
    assert_eq!(settings.json()["status"], "success", "{}", settings.body);
    app.agent(&account, r#""name":"Asha Rao","email":"asha@example.com","password":"pass-word-1""#).await;
    app.clock.set(T);
    let ssid = app.login("asha@example.com", "pass-word-1").await;
    (account, ssid)
}

/// Moves the clock to `at` and runs the background step there.
async fn step_at(app: &TestApp, at: i64) {
    app.clock.set(at);
    app.step().await;
}

async fn ping(app: &TestApp, ssid: &str) {
    let reply = app.post(PING, &session(ssid, r#""mic_perm":1"#)).await.json();
    assert_eq!(reply["status"], "success", "{reply}");
}

/// Agent 1's `(state, since)` on the live board.
async fn board(app: &TestApp, account: &Account) -> (String, i64) {
    let reply = app.post(LIVE, &with(account, r#""agentId":1"#)).await.json();
    let item = &reply["response"][0];
    (item["state"].as_str().unwrap_or_else(|| panic!("{reply}")).to_string(), item["since"].as_i64().unwrap())
}

/// Agent 1's day: its `data` intervals and its agent events as `(event, time, actor, reason)`.
async fn day(app: &TestApp, account: &Account) -> (Value, Vec<(String, i64, String, String)>) {
    let body = with(account, r#""filter":[{"key":"date","value":"2026-11-23"},{"key":"agentId","value":"1"}]"#);
    let reply = app.post(TIMELINE, &body).await.json();
    let events = reply["agEvent"]
        .as_array()
        .unwrap_or_else(|| panic!("{reply}"))
        .iter()
        .map(|e| {
            let text = |k: &str| e[k].as_str().unwrap_or("").to_string();
            (text("event"), e["time"].as_i64().unwrap(), text("actor"), text("reason"))
        })
        .collect();
    (reply["data"]["1"].clone(), events)
}

/// The stored expiry of every session in the server's database.
async fn stored_expiries(app: &TestApp) -> Vec<i64> {
    use sqlx::Connection;
    sqlx::any::install_default_drivers();
    let mut db = sqlx::AnyConnection::connect(&app.database).await.unwrap();
    let rows: Vec<(i64,)> =
        sqlx::query_as("SELECT expires_at FROM sessions ORDER BY expires_at").fetch_all(&mut db).await.unwrap();
    rows.into_iter().map(|(at,)| at).collect()
}

fn event(kind: &str, time: i64, actor: &str, reason: &str) -> (String, i64, String, String) {
    (kind.to_string(), time, actor.to_string(), reason.to_string())
}

/// The day so far (until `now`) of an agent online from `T` to `end`, then
/// offline for `reason` (an interval of no length is not shown).
fn online_until(end: i64, now: i64, reason: &str) -> Value {
    let mut day = vec![
        json!({"state":"offline","start":DAY,"end":T,"duration":T - DAY}),
        json!({"state":"available","start":T,"end":end,"duration":end - T}),
    ];
    if now > end {
        day.push(json!({"state":"offline","start":end,"end":now,"duration":now - end,"reason":reason}));
    }
    Value::Array(day)
}

backend_test!(an_unused_session_takes_its_agent_offline_at_the_second_it_expired, short_sessions(), |app| {
    let (account, ssid) = asha_logged_in(&app).await;
    step_at(&app, T + TTL - 1).await;
    assert_eq!(board(&app, &account).await, ("available".to_string(), T));
    // The step notices twenty seconds late; the logout is logged at the expiry.
    step_at(&app, T + TTL + 20).await;
    assert_eq!(board(&app, &account).await, ("offline".to_string(), T + TTL));
    let (data, events) = day(&app, &account).await;
    assert_eq!(data, online_until(T + TTL, T + TTL + 20, "session_expired"));
    assert_eq!(events, vec![event("login", T, "agent", ""), event("logout", T + TTL, "system", "session_expired")]);
    app.expect_error(PING, &session(&ssid, r#""mic_perm":1"#), 1014, "Invalid token").await;
    app.expect_error(LOGOUT, &session(&ssid, ""), 1014, "Invalid token").await;
    // Its presence ended, the session is gone.
    assert_eq!(stored_expiries(&app).await, Vec::<i64>::new());
});

backend_test!(an_expired_session_cannot_be_logged_out_before_the_step_ends_it_at_its_second, short_sessions(), |app| {
    let (account, ssid) = asha_logged_in(&app).await;
    app.clock.set(T + TTL + 5);
    app.expect_error(LOGOUT, &session(&ssid, ""), 1014, "Invalid token").await;
    step_at(&app, T + TTL + 6).await;
    let (data, _) = day(&app, &account).await;
    assert_eq!(data, online_until(T + TTL, T + TTL + 6, "session_expired"));
});

backend_test!(
    a_session_used_every_minute_outlives_its_lifetime_and_expires_a_lifetime_after_its_last_use,
    short_sessions(),
    |app| {
        let (account, ssid) = asha_logged_in(&app).await;
        let last_use = T + 1200;
        for at in (T + 60..=last_use).step_by(60) {
            app.clock.set(at);
            ping(&app, &ssid).await;
            app.step().await;
        }
        assert_eq!(board(&app, &account).await, ("available".to_string(), T));
        step_at(&app, last_use + TTL - 1).await;
        assert_eq!(board(&app, &account).await, ("available".to_string(), T));
        step_at(&app, last_use + TTL).await;
        assert_eq!(board(&app, &account).await, ("offline".to_string(), last_use + TTL));
        let (data, events) = day(&app, &account).await;
        assert_eq!(data, online_until(last_use + TTL, last_use + TTL, "session_expired"));
        assert_eq!(events.last(), Some(&event("logout", last_use + TTL, "system", "session_expired")));
    }
);

backend_test!(any_request_with_the_session_counts_as_a_use, short_sessions(), |app| {
    let (account, ssid) = asha_logged_in(&app).await;
    app.clock.set(T + 500);
    let reply = app.post("/api/v2/agentProfile/agentOnBreak", &session(&ssid, "")).await;
    assert_eq!(reply.json()["code"], 1502, "{}", reply.body);
    step_at(&app, T + 500 + TTL - 1).await;
    assert_eq!(board(&app, &account).await, ("available".to_string(), T));
    step_at(&app, T + 500 + TTL).await;
    assert_eq!(board(&app, &account).await, ("offline".to_string(), T + 500 + TTL));
});

backend_test!(a_use_not_yet_written_keeps_the_session_when_its_credential_is_read_afresh, short_sessions(), |app| {
    let (account, ssid) = asha_logged_in(&app).await;
    app.clock.set(T + 500);
    ping(&app, &ssid).await;
    // A change to the agent makes the server read her session from the
    // database again, where the use at T+500 is not written yet.
    let updated = r#"{"status":"success","code":200,"message":"Agent updated"}"#;
    app.expect("/api/v2/Agent/update", &with(&account, r#""agentId":1,"name":"Asha R""#), updated).await;
    app.clock.set(T + TTL + 100);
    ping(&app, &ssid).await;
    step_at(&app, T + TTL + 101).await;
    assert_eq!(board(&app, &account).await, ("available".to_string(), T));
});

backend_test!(a_ping_does_not_write_the_session_until_its_stored_expiry_comes_within_five_minutes, |app| {
    let (_, ssid) = asha_logged_in(&app).await;
    let ttl = agentdesk::ServerConfig::default().session_ttl_secs;
    assert_eq!(stored_expiries(&app).await, [T + ttl]);
    for at in [T + 60, T + 3600, T + ttl - 301] {
        app.clock.set(at);
        ping(&app, &ssid).await;
        app.step().await;
        assert_eq!(stored_expiries(&app).await, [T + ttl], "at {at}");
    }
    // Within five minutes of the stored expiry the latest use is written.
    app.clock.set(T + ttl - 299);
    app.step().await;
    assert_eq!(stored_expiries(&app).await, [T + ttl - 301 + ttl]);
});

backend_test!(a_session_in_use_ends_at_its_absolute_maximum, short_sessions(), |app| {
    let (account, ssid) = asha_logged_in(&app).await;
    for at in (T + 60..T + MAX).step_by(60) {
        app.clock.set(at);
        ping(&app, &ssid).await;
        app.step().await;
    }
    assert_eq!(board(&app, &account).await, ("available".to_string(), T));
    step_at(&app, T + MAX + 3).await;
    assert_eq!(board(&app, &account).await, ("offline".to_string(), T + MAX));
    let (data, events) = day(&app, &account).await;
    assert_eq!(data, online_until(T + MAX, T + MAX + 3, "session_max_age"));
    assert_eq!(events.last(), Some(&event("logout", T + MAX, "system", "session_max_age")));
    app.expect_error(PING, &session(&ssid, r#""mic_perm":1"#), 1014, "Invalid token").await;
});

backend_test!(an_agent_stays_online_while_either_of_two_tabs_lives, short_sessions(), |app| {
    let (account, _first) = asha_logged_in(&app).await;
    app.clock.set(T + 300);
    let second = app.login("asha@example.com", "pass-word-1").await;
    // The first tab expires at T+600: the second keeps her online.
    step_at(&app, T + TTL + 10).await;
    assert_eq!(board(&app, &account).await, ("available".to_string(), T));
    ping(&app, &second).await;
    // The second expires a lifetime after its last use.
    step_at(&app, T + TTL + 10 + TTL + 5).await;
    assert_eq!(board(&app, &account).await, ("offline".to_string(), T + TTL + 10 + TTL));
    let (data, events) = day(&app, &account).await;
    assert_eq!(data, online_until(T + 2 * TTL + 10, T + 2 * TTL + 15, "session_expired"));
    assert_eq!(
        events,
        vec![event("login", T, "agent", ""), event("logout", T + 2 * TTL + 10, "system", "session_expired")]
    );
});

backend_test!(two_tabs_expiring_before_the_step_notices_end_at_the_later_second, short_sessions(), |app| {
    let (account, _first) = asha_logged_in(&app).await;
    app.clock.set(T + 120);
    app.login("asha@example.com", "pass-word-1").await;
    step_at(&app, T + 2 * TTL).await;
    assert_eq!(board(&app, &account).await, ("offline".to_string(), T + 120 + TTL));
});

backend_test!(logging_out_one_of_two_tabs_keeps_the_agent_online, short_sessions(), |app| {
    let (account, first) = asha_logged_in(&app).await;
    app.clock.set(T + 60);
    let second = app.login("asha@example.com", "pass-word-1").await;
    app.clock.set(T + 120);
    app.expect(LOGOUT, &session(&first, ""), LOGGED_OUT).await;
    assert_eq!(board(&app, &account).await, ("available".to_string(), T));
    ping(&app, &second).await;
    app.clock.set(T + 180);
    app.expect(LOGOUT, &session(&second, ""), LOGGED_OUT).await;
    assert_eq!(board(&app, &account).await, ("offline".to_string(), T + 180));
    let (data, events) = day(&app, &account).await;
    assert_eq!(data, online_until(T + 180, T + 180, "agent"));
    assert_eq!(events, vec![event("login", T, "agent", ""), event("logout", T + 180, "agent", "agent")]);
});

backend_test!(
    switching_an_agent_off_by_update_takes_it_offline_at_once_and_ends_its_sessions,
    short_sessions(),
    |app| {
        let (account, ssid) = asha_logged_in(&app).await;
        app.clock.set(T + 45);
        let updated = r#"{"status":"success","code":200,"message":"Agent updated"}"#;
        app.expect("/api/v2/Agent/update", &with(&account, r#""agentId":1,"status":0"#), updated).await;
        assert_eq!(board(&app, &account).await, ("offline".to_string(), T + 45));
        let (_, events) = day(&app, &account).await;
        assert_eq!(events.last(), Some(&event("logout", T + 45, "admin", "switched_off")));
        // Switched on again, the old session stays ended.
        app.expect("/api/v2/Agent/update", &with(&account, r#""agentId":1,"status":1"#), updated).await;
        app.expect_error(PING, &session(&ssid, r#""mic_perm":1"#), 1014, "Invalid token").await;
    }
);

backend_test!(deleting_a_logged_in_agent_ends_its_session_and_presence_at_once, short_sessions(), |app| {
    let (account, ssid) = asha_logged_in(&app).await;
    app.clock.set(T + 10);
    let deleted = r#"{"status":"success","code":200,"message":"Agent deleted"}"#;
    app.expect("/api/v2/Agent/delete", &with(&account, r#""agentId":1"#), deleted).await;
    // Its console's next ping is refused: the session is gone, not kept
    // alive by the pings.
    app.expect_error(PING, &session(&ssid, r#""mic_perm":1"#), 1014, "Invalid token").await;
    app.expect_error("/api/v2/Agent/list", &with(&account, r#""agentId":1"#), 1509, "Invalid agentId").await;
    app.expect_error(LIVE, &with(&account, r#""agentId":1"#), 1509, "Invalid agentId").await;
    app.expect_error(
        "/api/v2/auth/login",
        r#"{"email":"asha@example.com","password":"pass-word-1"}"#,
        1501,
        "Invalid email or password",
    )
    .await;
    // Its day stays readable: offline since the deletion, by the admin.
    step_at(&app, T + 30).await;
    let (data, events) = day(&app, &account).await;
    assert_eq!(data, online_until(T + 10, T + 30, "deleted"));
    assert_eq!(events.last(), Some(&event("logout", T + 10, "admin", "deleted")));
});

backend_test!(deleting_an_agent_whose_session_just_expired_takes_it_offline_at_once, short_sessions(), |app| {
    let (account, _ssid) = asha_logged_in(&app).await;
    // Expired at T+600; the step has not run since.
    app.clock.set(T + TTL + 1);
    let deleted = r#"{"status":"success","code":200,"message":"Agent deleted"}"#;
    app.expect("/api/v2/Agent/delete", &with(&account, r#""agentId":1"#), deleted).await;
    let (data, events) = day(&app, &account).await;
    assert_eq!(data, online_until(T + TTL + 1, T + TTL + 1, "deleted"));
    assert_eq!(events.last(), Some(&event("logout", T + TTL + 1, "admin", "deleted")));
});

backend_test!(a_heartbeat_lost_before_the_session_expired_is_what_took_the_agent_offline, short_sessions(), |app| {
    let account = app.account().await;
    app.agent(&account, r#""name":"Asha Rao","email":"asha@example.com","password":"pass-word-1""#).await;
    app.clock.set(T);
    app.login("asha@example.com", "pass-word-1").await;
    // No ping at all: stale at T+30, offline at T+90, long before the
    // session expires at T+600 — all noticed at once.
    step_at(&app, T + TTL + 50).await;
    assert_eq!(board(&app, &account).await, ("offline".to_string(), T + 90));
    let (_, events) = day(&app, &account).await;
    let expected = vec![
        event("login", T, "agent", ""),
        event("stale", T + 30, "system", ""),
        event("offline", T + 90, "system", "ping_lost"),
    ];
    assert_eq!(events, expected);
});

backend_test!(
    a_session_that_expired_while_the_server_was_down_ends_the_presence_at_its_second,
    short_sessions(),
    |app| {
        use agentdesk::domain::presence::State;
        let (account, _ssid) = asha_logged_in(&app).await;
        // Another server on the same database starts an hour later.
        let clock = std::sync::Arc::new(agentdesk::clock::ManualClock::new(T + 3600));
        let restarted = agentdesk::live::Live::new(app.store.clone(), clock);
        restarted.start().await.unwrap();
        assert_eq!(restarted.step().await.unwrap().events, 1);
        let asha = restarted.agent(&account.id(), AgentId(1)).await.unwrap().presence;
        assert_eq!((asha.state, asha.since), (State::Offline, T + TTL));
    }
);
