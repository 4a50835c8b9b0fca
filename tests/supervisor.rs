//! Section `Supervisor`: the board's actions on another agent's presence
//! (break start and end, wrap-up end, logout), who may take them, and how
//! the log records the supervisor as their actor.

mod common;

use common::{Account, TestApp};
use serde_json::Value;

const BREAK_START: &str = "/api/v2/Supervisor/breakStart";
const BREAK_END: &str = "/api/v2/Supervisor/breakEnd";
const WRAP_UP_END: &str = "/api/v2/Supervisor/wrapUpEnd";
const LOGOUT: &str = "/api/v2/Supervisor/logout";
const LIVE: &str = "/api/v2/Agent/live";
const TIMELINE: &str = "/api/v2/Agent/timeLine";
const PING: &str = "/api/v2/agentProfile/setWebPingTime";
const CALL_EVENT: &str = "/api/v2/callEvent";

/// 2026-11-23 10:00 UTC.
const T: i64 = 1_795_392_000 + 10 * 3600;

fn with(account: &Account, extra: &str) -> String {
    format!("{{{},{extra}}}", account.creds())
}

fn session(ssid: &str, extra: &str) -> String {
    format!(r#"{{"ssid":"{ssid}",{extra}}}"#)
}

/// Agent 1 Lena (role 2: the given permissions), agent 2 Asha (logged in
/// at `T`), agent 3 Ben (never logged in); Lena's and Asha's ssids.
async fn floor(app: &TestApp, permissions: &str) -> (Account, String, String) {
    let account = app.account().await;
    let role =
        app.post("/api/v2/Role/add", &with(&account, &format!(r#""name":"Lead","permissions":[{permissions}]"#))).await;
    assert_eq!(role.json()["roleId"], "2", "{}", role.body);
    app.agent(&account, r#""name":"Lena Park","email":"lena@example.com","password":"pass-word-1","role":"2""#).await;
    app.agent(&account, r#""name":"Asha Rao","email":"asha@example.com","password":"pass-word-1""#).await;
    app.agent(&account, r#""name":"Ben Okafor","email":"ben@example.com","password":"pass-word-1""#).await;
    app.clock.set(T);
    let lena = app.login("lena@example.com", "pass-word-1").await;
    let asha = app.login("asha@example.com", "pass-word-1").await;
    (account, lena, asha)
}

async fn live(app: &TestApp, account: &Account, agent: i64) -> Value {
    app.post(LIVE, &with(account, &format!(r#""agentId":{agent}"#))).await.json()["response"][0].clone()
}

/// Agent `agent`'s events today as (event, actor, actorId, reason).
async fn events(app: &TestApp, account: &Account, agent: i64) -> Vec<(String, String, Value, Value)> {
    let filter = format!(r#""filter":[{{"key":"agentId","value":"{agent}"}}]"#);
    let timeline = app.post(TIMELINE, &with(account, &filter)).await.json();
    timeline["agEvent"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let text = |k: &str| e[k].as_str().unwrap().to_string();
            (text("event"), text("actor"), e["actorId"].clone(), e["reason"].clone())
        })
        .collect()
}

backend_test!(a_supervisor_starts_and_ends_an_agents_break_and_the_log_names_the_supervisor, |app| {
    let (account, lena, _) = floor(&app, r#""VIEW_AGENTS","SUPERVISE_AGENTS""#).await;
    app.clock.set(T + 60);
    app.expect(
        BREAK_START,
        &session(&lena, r#""agentId":2,"reason":"tea""#),
        &format!(
            r#"{{"agentId":"2","state":"break","since":{},"breakDetail":{{"reason":"Tea","start":{},"elapsed":0,"maxDuration":900,"overrun":0}},"status":"success","code":200}}"#,
            T + 60,
            T + 60
        ),
    )
    .await;
    app.clock.set(T + 90);
    app.expect(
        BREAK_END,
        &session(&lena, r#""agentId":"2""#),
        &format!(r#"{{"agentId":"2","state":"available","since":{},"status":"success","code":200}}"#, T + 90),
    )
    .await;
    assert_eq!(live(&app, &account, 2).await["state"], "available");
    let lena_id = Value::from(1);
    assert_eq!(
        events(&app, &account, 2).await,
        vec![
            ("login".into(), "agent".into(), Value::Null, Value::Null),
            ("break_start".into(), "supervisor".into(), lena_id.clone(), Value::from("Tea")),
            ("break_end".into(), "supervisor".into(), lena_id, Value::from("Tea")),
        ]
    );
});

backend_test!(account_credentials_act_as_admin_without_an_actor_id, |app| {
    let (account, _, _) = floor(&app, r#""VIEW_AGENTS""#).await;
    let reply = app.post(BREAK_START, &with(&account, r#""agentId":2,"reason":"Lunch""#)).await.json();
    assert_eq!(reply["state"], "break", "{reply}");
    let last = events(&app, &account, 2).await.pop().unwrap();
    assert_eq!(last, ("break_start".into(), "admin".into(), Value::Null, Value::from("Lunch")));
});

backend_test!(an_agent_session_without_supervise_agents_is_refused_and_nothing_changes, |app| {
    let (account, lena, asha) = floor(&app, r#""VIEW_AGENTS","EDIT_AGENTS""#).await;
    for (path, extra) in [
        (BREAK_START, r#""agentId":2,"reason":"Tea""#),
        (BREAK_END, r#""agentId":2"#),
        (WRAP_UP_END, r#""agentId":2"#),
        (LOGOUT, r#""agentId":2"#),
    ] {
        app.expect_error(path, &session(&lena, extra), 1015, "Permission denied").await;
        // An agent may not act on itself through the board either.
        app.expect_error(path, &session(&asha, r#""agentId":2"#), 1015, "Permission denied").await;
    }
    assert_eq!(live(&app, &account, 2).await["state"], "available");
});

backend_test!(bad_targets_reasons_and_states_get_their_codes, |app| {
    let (account, lena, _) = floor(&app, r#""SUPERVISE_AGENTS""#).await;
    let other = app.account().await;
    let s = |extra: &str| session(&lena, extra);
    for extra in [r#""reason":"Tea""#, r#""agentId":99,"reason":"Tea""#, r#""agentId":"x","reason":"Tea""#] {
        app.expect_error(BREAK_START, &s(extra), 1501, "Invalid agentId").await;
    }
    // Another account's agent 2 is not ours to touch.
    app.expect_error(BREAK_END, &with(&other, r#""agentId":2"#), 1501, "Invalid agentId").await;
    app.expect_error(BREAK_START, &s(r#""agentId":2,"reason":"Nap""#), 1502, "Invalid break reason").await;
    app.expect_error(BREAK_START, &s(r#""agentId":2"#), 1502, "Invalid break reason").await;
    app.expect_error(BREAK_START, &s(r#""agentId":3,"reason":"Tea""#), 1503, "Agent is not logged in").await;
    app.expect_error(LOGOUT, &s(r#""agentId":3"#), 1503, "Agent is not logged in").await;
    app.expect_error(BREAK_END, &s(r#""agentId":2"#), 1505, "Agent not on break").await;
    app.expect_error(WRAP_UP_END, &s(r#""agentId":2"#), 1506, "Agent not in wrap time").await;
    app.post(BREAK_START, &s(r#""agentId":2,"reason":"Tea""#)).await;
    app.expect_error(BREAK_START, &s(r#""agentId":2,"reason":"Tea""#), 1504, "Agent already on break").await;
    assert_eq!(live(&app, &account, 2).await["breakDetail"]["reason"], "Tea");
});

backend_test!(a_supervisor_ends_an_agents_wrap_up, |app| {
    let (account, lena, _) = floor(&app, r#""SUPERVISE_AGENTS""#).await;
    for event in ["offered", "answered", "ended"] {
        let body =
            with(&account, &format!(r#""callId":"c1","agentId":2,"event":"{event}","callerNumber":"9876543210""#));
        assert_eq!(app.post(CALL_EVENT, &body).await.json()["status"], "success");
    }
    assert_eq!(live(&app, &account, 2).await["state"], "wrap_up");
    app.clock.set(T + 5);
    let reply = app.post(WRAP_UP_END, &session(&lena, r#""agentId":2"#)).await.json();
    assert_eq!(reply["state"], "available", "{reply}");
    let last = events(&app, &account, 2).await.pop().unwrap();
    assert_eq!(last, ("wrap_up_end".into(), "supervisor".into(), Value::from(1), Value::Null));
});

backend_test!(a_supervisor_logs_an_agent_out_ending_its_sessions, |app| {
    let (account, lena, asha) = floor(&app, r#""SUPERVISE_AGENTS""#).await;
    app.clock.set(T + 30);
    app.expect(
        LOGOUT,
        &session(&lena, r#""agentId":2"#),
        &format!(r#"{{"agentId":"2","state":"offline","since":{},"status":"success","code":200}}"#, T + 30),
    )
    .await;
    assert_eq!(live(&app, &account, 2).await["state"], "offline");
    let last = events(&app, &account, 2).await.pop().unwrap();
    assert_eq!(last, ("logout".into(), "supervisor".into(), Value::from(1), Value::from("supervisor")));
    // The agent's page is logged out: its session is gone.
    app.expect_error(PING, &session(&asha, r#""mic_perm":1"#), 1014, "Invalid token").await;
    app.expect_error(LOGOUT, &session(&lena, r#""agentId":2"#), 1503, "Agent is not logged in").await;
});

backend_test!(a_supervisor_may_not_act_on_a_more_privileged_agent, |app| {
    let (account, lena, _) = floor(&app, r#""SUPERVISE_AGENTS""#).await;
    let role = app
        .post("/api/v2/Role/add", &with(&account, r#""name":"Head","permissions":["SUPERVISE_AGENTS","EDIT_AGENTS"]"#))
        .await;
    assert_eq!(role.json()["roleId"], "3", "{}", role.body);
    app.agent(&account, r#""name":"Omar Haddad","email":"omar@example.com","password":"pass-word-1","role":"3""#).await;
    app.login("omar@example.com", "pass-word-1").await;
    for (path, extra) in [(BREAK_START, r#""agentId":4,"reason":"Tea""#), (LOGOUT, r#""agentId":4"#)] {
        app.expect_error(path, &session(&lena, extra), 1015, "Permission denied").await;
    }
    assert_eq!(live(&app, &account, 4).await["state"], "available");
    // A deleted agent is not there for a supervisor either.
    app.post("/api/v2/Agent/delete", &with(&account, r#""agentId":3"#)).await;
    app.expect_error(BREAK_START, &session(&lena, r#""agentId":3,"reason":"Tea""#), 1501, "Invalid agentId").await;
    // The account may.
    assert_eq!(app.post(LOGOUT, &with(&account, r#""agentId":4"#)).await.json()["state"], "offline");
});
