//! Section `agentProfile` on the agent's own live state: the heartbeat of
//! its page (`setWebPingTime`) and the refusals and replies of `breakStart`,
//! `breakEnd` and `wrapUpEnd` — exact bodies on a clock the test moves.

mod common;

use common::{Account, TestApp};
use serde_json::{Value, json};

const PING: &str = "/api/v2/agentProfile/setWebPingTime";
const BREAK_START: &str = "/api/v2/agentProfile/breakStart";
const BREAK_END: &str = "/api/v2/agentProfile/breakEnd";
const WRAP_UP_END: &str = "/api/v2/agentProfile/wrapUpEnd";
const LIVE: &str = "/api/v2/Agent/live";
const TIMELINE: &str = "/api/v2/Agent/timeLine";

/// 2026-11-23 10:00 UTC.
const T: i64 = 1_795_392_000 + 10 * 3600;

/// What `breakEnd` answers when there is no break: the seed's bytes.
const NOT_ON_BREAK: &str = r#"{"status":"error","message":"On break is : 0","code":1502}"#;

fn with(account: &Account, extra: &str) -> String {
    if extra.is_empty() { format!("{{{}}}", account.creds()) } else { format!("{{{},{extra}}}", account.creds()) }
}

fn session(ssid: &str, extra: &str) -> String {
    if extra.is_empty() { format!(r#"{{"ssid":"{ssid}"}}"#) } else { format!(r#"{{"ssid":"{ssid}",{extra}}}"#) }
}

/// An account with agent 1 (Asha, logged in at `T`) and agent 2 (Ben, never
/// logged in); returns Asha's ssid.
async fn team(app: &TestApp) -> (Account, String) {
    let account = app.account().await;
    app.agent(&account, r#""name":"Asha Rao","email":"asha@example.com","password":"pass-word-1""#).await;
    app.agent(&account, r#""name":"Ben Okafor","email":"ben@example.com","password":"pass-word-1""#).await;
    app.clock.set(T);
    let ssid = app.login("asha@example.com", "pass-word-1").await;
    (account, ssid)
}

/// Agent 1 as `Agent/live` shows it.
async fn asha(app: &TestApp, account: &Account) -> Value {
    let reply = app.post(LIVE, &with(account, r#""agentId":1"#)).await.json();
    reply["response"][0].clone()
}

async fn ping(app: &TestApp, ssid: &str, mic: &str) -> Value {
    let reply = app.post(PING, &session(ssid, &format!(r#""mic_perm":{mic}"#))).await.json();
    assert_eq!(reply["status"], "success", "{reply}");
    reply
}

// ---- setWebPingTime ----

backend_test!(set_web_ping_time_needs_an_agent_session_and_a_valid_mic_perm, |app| {
    let (account, ssid) = team(&app).await;
    let owner = [with(&account, r#""mic_perm":1"#), with(&account, r#""mic_perm":1,"agentId":1"#)];
    for body in &owner {
        app.expect_error(PING, body, 1503, "SSID not valid for setWebPingTime").await;
    }
    for fields in ["", r#""mic_perm":null"#, r#""ping_time":1795428000000"#] {
        app.expect_error(PING, &session(&ssid, fields), 1505, "Missing required parameters:mic_perm").await;
    }
    for mic in [r#""maybe""#, "2", "-1", "0.5", "[1]", r#""""#] {
        let body = session(&ssid, &format!(r#""mic_perm":{mic}"#));
        app.expect_error(PING, &body, 1001, "Invalid data type").await;
    }
    for time in [r#""abc""#, "true", "[1]", r#"{"t":1}"#] {
        let body = session(&ssid, &format!(r#""mic_perm":1,"ping_time":{time}"#));
        app.expect_error(PING, &body, 1506, "Cannot update [ping_time] as it is of incompatible type").await;
    }
    let other = session(&ssid, r#""mic_perm":1,"agentId":"2""#);
    app.expect_error(PING, &other, 1501, "Agent id not match").await;
    // None of the refused pings counted.
    assert_eq!(asha(&app, &account).await["lastPing"], Value::Null);
});

backend_test!(a_ping_answers_with_the_server_clock_whatever_the_pages_clock_says, |app| {
    let (account, ssid) = team(&app).await;
    app.clock.set(T + 7);
    let uid = &account.user_id;
    let body = session(&ssid, r#""mic_perm":1,"ping_time":1234"#);
    let expected = format!(
        r#"{{"status":"success","data":{{"agent_id":"1","user_id":"{uid}","ping_time":{},"mic_perm":1,"state":"available"}}}}"#,
        T + 7
    );
    app.expect(PING, &body, &expected).await;
    for (mic, as_int) in [("true", 1), (r#""0""#, 0), (r#""true""#, 1), ("false", 0), ("0", 0)] {
        let reply = ping(&app, &ssid, mic).await;
        assert_eq!(reply["data"]["mic_perm"], as_int, "{mic}");
    }
    let named = app.post(PING, &session(&ssid, r#""mic_perm":1,"agentId":1,"ping_time":"1795428007000""#)).await.json();
    assert_eq!(named["data"]["ping_time"], T + 7);
});

backend_test!(pings_every_twenty_seconds_keep_an_agent_from_going_stale, |app| {
    let (account, ssid) = team(&app).await;
    for k in 1..=15 {
        app.clock.set(T + 20 * k - 10);
        app.step().await;
        assert_eq!(asha(&app, &account).await["state"], "available", "before ping {k}");
        app.clock.set(T + 20 * k);
        app.step().await;
        assert_eq!(ping(&app, &ssid, "1").await["data"]["state"], "available", "ping {k}");
        app.step().await;
    }
    let now = asha(&app, &account).await;
    assert_eq!((now["state"].clone(), now["since"].clone()), (json!("available"), json!(T)));
    // Without its page the agent goes stale 30 s after the last ping.
    app.clock.set(T + 300 + 29);
    app.step().await;
    assert_eq!(asha(&app, &account).await["state"], "available");
    app.clock.set(T + 300 + 30);
    app.step().await;
    assert_eq!(asha(&app, &account).await["state"], "stale");
});

backend_test!(pings_append_nothing_to_the_event_log, |app| {
    let (account, ssid) = team(&app).await;
    let body = with(&account, r#""filter":[{"date":"2026-11-23"}]"#);
    let before = app.post(TIMELINE, &body).await.json();
    assert_eq!(before["lstSync"], 1, "{before}");
    for k in 1..=10 {
        app.clock.set(T + 5 * k);
        ping(&app, &ssid, "1").await;
        app.step().await;
    }
    let after = app.post(TIMELINE, &body).await.json();
    assert_eq!(after["lstSync"], 1);
    assert_eq!(after["agEvent"], before["agEvent"]);
});

backend_test!(agent_live_shows_the_latest_ping_and_mic_permission, |app| {
    let (account, ssid) = team(&app).await;
    app.clock.set(T + 5);
    ping(&app, &ssid, "1").await;
    let first = asha(&app, &account).await;
    assert_eq!((first["lastPing"].clone(), first["micPerm"].clone()), (json!(T + 5), json!(1)));
    app.clock.set(T + 15);
    ping(&app, &ssid, "0").await;
    app.step().await;
    let latest = asha(&app, &account).await;
    assert_eq!((latest["lastPing"].clone(), latest["micPerm"].clone()), (json!(T + 15), json!(0)));
    assert_eq!(latest["state"], "available");
});

// ---- breakStart / breakEnd / wrapUpEnd ----

backend_test!(break_start_answers_the_tea_break_with_its_limit, |app| {
    let (_, ssid) = team(&app).await;
    app.clock.set(T + 3);
    let since = T + 3;
    let expected = format!(
        r#"{{"status":"success","data":{{"agentId":"1","state":"break","since":{since},"breakDetail":{{"reason":"Tea","start":{since},"elapsed":0,"maxDuration":900,"overrun":0}}}}}}"#
    );
    app.expect(BREAK_START, &session(&ssid, r#""reason":"Tea""#), &expected).await;
    app.clock.set(T + 20);
    let ended = format!(r#"{{"status":"success","data":{{"agentId":"1","state":"available","since":{}}}}}"#, T + 20);
    app.expect(BREAK_END, &session(&ssid, ""), &ended).await;
});

backend_test!(a_break_reason_matches_without_case_and_shows_the_catalogues_spelling, |app| {
    let (account, ssid) = team(&app).await;
    let reply = app.post(BREAK_START, &session(&ssid, r#""reason":"  tRAINING ""#)).await.json();
    assert_eq!(
        reply["data"]["breakDetail"],
        json!({"reason":"Training","start":T,"elapsed":0,"maxDuration":null,"overrun":0})
    );
    app.post(BREAK_END, &session(&ssid, "")).await;
    app.post("/api/v2/Break/add", &with(&account, r#""name":"Sobremesa","maxDuration":60"#)).await;
    let owner = app.post(BREAK_START, &with(&account, r#""agentId":"1","reason":"SOBREMESA""#)).await.json();
    assert_eq!(owner["data"]["breakDetail"]["reason"], "Sobremesa", "{owner}");
    assert_eq!(asha(&app, &account).await["breakDetail"]["reason"], "Sobremesa");
    // A reason written with a combining accent finds the catalogue's composed name.
    app.post(BREAK_END, &with(&account, r#""agentId":"1""#)).await;
    app.post("/api/v2/Break/add", &with(&account, "\"name\":\"Caf\u{e9}\"")).await;
    let decomposed = app.post(BREAK_START, &session(&ssid, "\"reason\":\"cafe\u{301}\"")).await.json();
    assert_eq!(decomposed["data"]["breakDetail"]["reason"], "Caf\u{e9}", "{decomposed}");
});

backend_test!(break_start_refuses_an_unknown_reason_an_absent_agent_and_a_second_break, |app| {
    let (account, ssid) = team(&app).await;
    for fields in [r#""reason":"Nap""#, r#""reason":"""#, "", r#""reason":5"#, r#""reason":"Tea break""#] {
        app.expect_error(BREAK_START, &session(&ssid, fields), 1508, "Invalid break reason").await;
    }
    // Ben never logged in.
    app.expect_error(BREAK_START, &with(&account, r#""agentId":2,"reason":"Tea""#), 1509, "Agent is not logged in")
        .await;
    for fields in [r#""reason":"Tea""#, r#""agentId":99,"reason":"Tea""#, r#""agentId":"x","reason":"Tea""#] {
        app.expect_error(BREAK_START, &with(&account, fields), 1507, "Invalid agentId").await;
    }
    assert_eq!(app.post(BREAK_START, &session(&ssid, r#""reason":"Tea""#)).await.json()["data"]["state"], "break");
    app.expect_error(BREAK_START, &session(&ssid, r#""reason":"tea""#), 1510, "Agent already on break").await;
    app.expect_error(BREAK_START, &with(&account, r#""agentId":1,"reason":"Tea""#), 1510, "Agent already on break")
        .await;
    assert_eq!(asha(&app, &account).await["breakDetail"]["reason"], "Tea");
    // Another reason switches the break in one request.
    let switched = app.post(BREAK_START, &session(&ssid, r#""reason":"Lunch""#)).await.json();
    assert_eq!(
        (switched["data"]["state"].clone(), switched["data"]["breakDetail"]["reason"].clone()),
        (json!("break"), json!("Lunch"))
    );
});

backend_test!(a_stale_agent_cannot_start_a_break, |app| {
    let (account, ssid) = team(&app).await;
    app.clock.set(T + 30);
    app.step().await;
    assert_eq!(asha(&app, &account).await["state"], "stale");
    app.expect_error(BREAK_START, &session(&ssid, r#""reason":"Tea""#), 1509, "Agent is not logged in").await;
});

backend_test!(break_end_and_wrap_up_end_refuse_when_there_is_nothing_to_end, |app| {
    let (account, ssid) = team(&app).await;
    let reply = app.post(BREAK_END, &session(&ssid, "")).await;
    assert_eq!(reply.body, NOT_ON_BREAK);
    app.expect(BREAK_END, &with(&account, r#""agentId":2"#), NOT_ON_BREAK).await;
    app.expect_error(WRAP_UP_END, &session(&ssid, ""), 1504, "Agent not in wrap time").await;
    app.expect_error(WRAP_UP_END, &with(&account, r#""agentId":"1""#), 1504, "Agent not in wrap time").await;
    for path in [BREAK_END, WRAP_UP_END] {
        app.expect_error(path, &with(&account, ""), 1507, "Invalid agentId").await;
        app.expect_error(path, &with(&account, r#""agentId":99"#), 1507, "Invalid agentId").await;
    }
    // A break ended once cannot be ended again.
    app.post(BREAK_START, &session(&ssid, r#""reason":"Lunch""#)).await;
    let ended = app.post(BREAK_END, &with(&account, r#""agentId":1"#)).await.json();
    assert_eq!(ended, json!({"status":"success","data":{"agentId":"1","state":"available","since":T}}));
    app.expect(BREAK_END, &session(&ssid, ""), NOT_ON_BREAK).await;
});

backend_test!(only_a_ping_that_brings_a_stale_agent_back_is_logged, |app| {
    let (account, ssid) = team(&app).await;
    app.clock.set(T + 40);
    app.step().await;
    assert_eq!(asha(&app, &account).await["state"], "stale");
    assert_eq!(ping(&app, &ssid, "1").await["data"]["state"], "available");
    let body = with(&account, r#""filter":[{"date":"2026-11-23"}]"#);
    let timeline = app.post(TIMELINE, &body).await.json();
    let events: Vec<(String, i64)> = timeline["agEvent"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["event"].as_str().unwrap().to_string(), e["time"].as_i64().unwrap()))
        .collect();
    let expected = [("login", T), ("stale", T + 30), ("heartbeat", T + 40)];
    assert_eq!(events, expected.map(|(e, t)| (e.to_string(), t)));
    assert_eq!(timeline["agEvent"][2]["reason"], "ping");
});
