//! A deleted agent keeps its history: its day stays readable by account
//! credentials (`Agent/timeLine` filtered on it, `agentDashboard/counters`),
//! late call events about it are recorded, and a batch naming it is taken
//! whole — while it stays out of `Agent/list` and `Agent/live` and cannot
//! log in. An id that never existed is still refused.

mod common;

use common::{Account, TestApp};
use serde_json::{Value, json};

const CALL_EVENT: &str = "/api/v2/callEvent";
const TIMELINE: &str = "/api/v2/Agent/timeLine";
const COUNTERS: &str = "/api/v2/agentDashboard/counters";

/// 2026-11-23 00:00 UTC.
const DAY: i64 = 1_795_392_000;
/// 10:00 that day.
const T: i64 = DAY + 10 * 3600;

fn with(account: &Account, extra: &str) -> String {
    format!("{{{},{extra}}}", account.creds())
}

/// One call event at `time` as a JSON object.
fn call(call_id: &str, event: &str, agent: i64, time: i64) -> String {
    format!(
        r#"{{"callId":"{call_id}","event":"{event}","agentId":"{agent}","callerNumber":"9876543210","time":{time}}}"#
    )
}

fn accepted(accepted: usize, lst_sync: i64) -> String {
    format!(r#"{{"accepted":{accepted},"duplicates":0,"lstSync":{lst_sync},"status":"success","code":200}}"#)
}

/// Posts one call event at the clock's time `at`.
async fn call_at(app: &TestApp, account: &Account, at: i64, call_id: &str, event: &str) {
    app.clock.set(at);
    let item = call(call_id, event, 1, at);
    let reply = app.post(CALL_EVENT, &with(account, &item[1..item.len() - 1])).await.json();
    assert_eq!(reply["accepted"], 1, "{call_id} {event}: {reply}");
}

/// Asha (agent 1) answers call c1 and is deleted during it, at T+60: her
/// session and presence end then; the call's end comes later. Ben (agent 2)
/// never logs in. Returns the account.
async fn deleted_during_a_call(app: &TestApp) -> Account {
    let account = app.account().await;
    app.agent(&account, r#""name":"Asha Rao","email":"asha@example.com","password":"pass-word-1""#).await;
    app.agent(&account, r#""name":"Ben Okafor","email":"ben@example.com","password":"pass-word-1""#).await;
    app.clock.set(T);
    let ssid = app.login("asha@example.com", "pass-word-1").await;
    call_at(app, &account, T + 10, "c1", "offered").await;
    call_at(app, &account, T + 15, "c1", "answered").await;
    app.clock.set(T + 60);
    let deleted = r#"{"status":"success","code":200,"message":"Agent deleted"}"#;
    app.expect("/api/v2/Agent/delete", &with(&account, r#""agentId":1"#), deleted).await;
    call_at(app, &account, T + 120, "c1", "ended").await;
    // Her session ended with the deletion.
    app.clock.set(T + 130);
    app.expect_error("/api/v2/auth/logout", &format!(r#"{{"ssid":"{ssid}"}}"#), 1014, "Invalid token").await;
    account
}

/// Asha's day: `timeLine` filtered on her.
async fn ashas_day(app: &TestApp, account: &Account) -> Value {
    let body = with(account, r#""filter":[{"key":"date","value":"2026-11-23"},{"key":"agentId","value":"1"}]"#);
    let reply = app.post(TIMELINE, &body).await.json();
    assert_eq!(reply["status"], "success", "{reply}");
    reply
}

/// `(callId, event, time)` of a timeline's call events.
fn calls(day: &Value) -> Vec<(String, String, i64)> {
    day["event"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (e["callId"].as_str().unwrap().into(), e["event"].as_str().unwrap().into(), e["time"].as_i64().unwrap())
        })
        .collect()
}

fn c(call_id: &str, event: &str, time: i64) -> (String, String, i64) {
    (call_id.to_string(), event.to_string(), time)
}

backend_test!(the_timeline_of_an_agent_deleted_during_a_call_shows_its_day, |app| {
    let account = deleted_during_a_call(&app).await;
    app.clock.set(T + 200);
    let day = ashas_day(&app, &account).await;
    assert_eq!(
        day["data"],
        json!({"1":[
            {"state":"offline","start":DAY,"end":T,"duration":T - DAY},
            {"state":"available","start":T,"end":T + 10,"duration":10},
            {"state":"ringing","start":T + 10,"end":T + 15,"duration":5},
            // Her presence ended with the deletion, like a logout during a
            // call; the call's end is kept as a call event.
            {"state":"on_call","start":T + 15,"end":T + 60,"duration":45},
            {"state":"offline","start":T + 60,"end":T + 200,"duration":140,"reason":"deleted"},
        ]})
    );
    assert_eq!(calls(&day), vec![c("c1", "offered", T + 10), c("c1", "answered", T + 15), c("c1", "ended", T + 120)]);
    let ag: Vec<&str> = day["agEvent"].as_array().unwrap().iter().map(|e| e["event"].as_str().unwrap()).collect();
    assert_eq!(ag, ["login", "logout"]);
});

backend_test!(the_counters_of_a_deleted_agent_stay_readable, |app| {
    let account = deleted_during_a_call(&app).await;
    app.clock.set(T + 200);
    let expected = format!(
        r#"{{"message":{{"agentId":1,"date":"2026-11-23","from":{DAY},"to":{},"calls":1,"answered":1,"missed":0,"loginTime":60,"availableTime":10,"ringTime":5,"talkTime":45,"wrapUpTime":0,"breakTime":0,"staleTime":0}},"status":"success"}}"#,
        T + 200
    );
    app.expect(COUNTERS, &with(&account, r#""agentId":1"#), &expected).await;
    app.expect_error(COUNTERS, &with(&account, r#""agentId":3"#), 1003, "AgentId does not exist").await;
});

backend_test!(late_call_events_about_a_deleted_agent_are_recorded_and_a_batch_naming_it_is_taken, |app| {
    let account = deleted_during_a_call(&app).await;
    // A call the switch reports late: offered and missed before the
    // deletion, kept no earlier than the last event she has (c1's end).
    app.clock.set(T + 300);
    let late = [call("c2", "offered", 1, T + 40), call("c2", "missed", 1, T + 45)];
    app.expect(CALL_EVENT, &with(&account, &format!(r#""events":[{}]"#, late.join(","))), &accepted(2, 7)).await;
    // One batch for both agents, the deleted one and Ben.
    let both = [call("c3", "offered", 2, T + 300), call("c3", "missed", 1, T + 300)];
    app.expect(CALL_EVENT, &with(&account, &format!(r#""events":[{}]"#, both.join(","))), &accepted(2, 9)).await;
    // An id that never existed is refused on its own, and named.
    let unknown = [call("c4", "offered", 2, T + 300), call("c4", "offered", 3, T + 300)];
    let refused = r#""refused":[{"index":1,"callId":"c4","code":1503,"message":"Invalid agentId"}]"#;
    let reply = app.post(CALL_EVENT, &with(&account, &format!(r#""events":[{}]"#, unknown.join(",")))).await;
    assert_eq!(
        reply.body,
        format!(r#"{{"accepted":1,"duplicates":0,"lstSync":10,{refused},"status":"success","code":200}}"#)
    );

    let day = ashas_day(&app, &account).await;
    assert_eq!(
        calls(&day),
        vec![
            c("c1", "offered", T + 10),
            c("c1", "answered", T + 15),
            c("c1", "ended", T + 120),
            c("c2", "offered", T + 120),
            c("c2", "missed", T + 120),
            c("c3", "missed", T + 300),
        ]
    );
    // Recorded without moving her: she stays offline since her deletion.
    assert_eq!(day["data"]["1"].as_array().unwrap().last().unwrap()["start"], T + 60);
});

backend_test!(a_deleted_agent_is_neither_listed_nor_on_the_board_and_cannot_log_in, |app| {
    let account = deleted_during_a_call(&app).await;
    let listed = app.post("/api/v2/Agent/list", &with(&account, r#""quick":true"#)).await.json();
    let ids: Vec<i64> =
        listed["response"].as_array().unwrap().iter().map(|a| a["unique_id"].as_i64().unwrap()).collect();
    assert_eq!(ids, [2]);
    app.expect_error("/api/v2/Agent/list", &with(&account, r#""agentId":1"#), 1509, "Invalid agentId").await;
    let board = app.post("/api/v2/Agent/live", &with(&account, r#""agentId":2"#)).await.json();
    assert_eq!(board["response"].as_array().unwrap().len(), 1, "{board}");
    let everyone = app.post("/api/v2/Agent/live", &account_only(&account)).await.json();
    let ids: Vec<i64> =
        everyone["response"].as_array().unwrap().iter().map(|a| a["agentId"].as_i64().unwrap()).collect();
    assert_eq!(ids, [2]);
    app.expect_error("/api/v2/Agent/live", &with(&account, r#""agentId":1"#), 1509, "Invalid agentId").await;
    let login = r#"{"email":"asha@example.com","password":"pass-word-1"}"#;
    app.expect_error("/api/v2/auth/login", login, 1501, "Invalid email or password").await;
    // An id that never existed is unknown to the timeline.
    let unknown = with(&account, r#""filter":[{"key":"agentId","value":"3"}]"#);
    app.expect_error(TIMELINE, &unknown, 1509, "Invalid agentId").await;
});

fn account_only(account: &Account) -> String {
    format!("{{{}}}", account.creds())
}
