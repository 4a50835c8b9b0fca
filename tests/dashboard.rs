//! `agentDashboard` recentCalls / notesAdd / notesList / counters and `agentProfile/tags`:
//! exact bodies from scripted calls on the manual clock, error codes, and tenant isolation.

mod common;

use agentdesk::clock::Clock;
use common::{Account, TestApp};

const RECENT: &str = "/api/v2/agentDashboard/recentCalls";
const NOTES_ADD: &str = "/api/v2/agentDashboard/notesAdd";
const NOTES_LIST: &str = "/api/v2/agentDashboard/notesList";
const COUNTERS: &str = "/api/v2/agentDashboard/counters";
const TAGS: &str = "/api/v2/agentProfile/tags";
const CALL_EVENT: &str = "/api/v2/callEvent";
const PING: &str = "/api/v2/agentProfile/setWebPingTime";

/// 2026-11-23 00:00 UTC (accounts count days in UTC by default).
const DAY: i64 = 1_795_392_000;
/// 10:00 that day.
const T: i64 = DAY + 36_000;
const NUMBER: &str = "919876543210";
const EMPTY: &str = r#"{"message":[],"status":"success"}"#;

/// `{<creds>,<extra>}` (or just the credentials).
fn with(account: &Account, extra: &str) -> String {
    if extra.is_empty() { format!("{{{}}}", account.creds()) } else { format!("{{{},{extra}}}", account.creds()) }
}

/// `{"ssid":…,<extra>}`.
fn session(ssid: &str, extra: &str) -> String {
    if extra.is_empty() { format!(r#"{{"ssid":"{ssid}"}}"#) } else { format!(r#"{{"ssid":"{ssid}",{extra}}}"#) }
}

/// The dashboard envelope around `payload`.
fn dashboard(payload: &str) -> String {
    format!(r#"{{"message":{payload},"status":"success"}}"#)
}

/// A JSON array of already serialised items.
fn list(items: &[String]) -> String {
    format!("[{}]", items.join(","))
}

/// Creates an agent that can log in (password `pass-word-1`); returns its id.
async fn agent(app: &TestApp, account: &Account, name: &str, email: &str) -> i64 {
    app.agent(account, &format!(r#""name":"{name}","email":"{email}","password":"pass-word-1""#)).await
}

/// Creates and logs in an agent at the clock's time; returns its id and ssid.
async fn logged_in(app: &TestApp, account: &Account, name: &str, email: &str) -> (i64, String) {
    let id = agent(app, account, name, email).await;
    (id, app.login(email, "pass-word-1").await)
}

/// Posts one call event (now, with DID 8045678901 unless `extra` says otherwise) and checks it was taken.
async fn call(app: &TestApp, account: &Account, agent: i64, call_id: &str, kind: &str, number: &str, extra: &str) {
    let fields = format!(r#""callId":"{call_id}","event":"{kind}","agentId":{agent},"callerNumber":"{number}"{extra}"#);
    let fields = if extra.contains("did") { fields } else { format!(r#"{fields},"did":"8045678901""#) };
    let reply = app.post(CALL_EVENT, &with(account, &fields)).await.json();
    assert_eq!(reply["accepted"], 1, "{call_id} {kind}: {reply}");
}

/// Sets the clock to `at` and posts the call event there.
async fn call_at(app: &TestApp, account: &Account, at: i64, agent: i64, call_id: &str, kind: &str) {
    app.clock.set(at);
    call(app, account, agent, call_id, kind, "9876543210", "").await;
}

/// One `recentCalls` entry of `NUMBER`.
fn entry(call_id: &str, direction: &str, did: &str, status: &str, agent: i64, time: i64, duration: i64) -> String {
    format!(
        r#"{{"callId":"{call_id}","callerNumber":"{NUMBER}","direction":"{direction}","did":"{did}","status":"{status}","agentId":{agent},"time":{time},"duration":{duration}}}"#
    )
}

/// One note as `notesAdd` / `notesList` show it.
fn note(id: i64, number: &str, call_id: &str, content: &str, agent: Option<i64>, at: i64) -> String {
    let agent = agent.map_or("null".to_string(), |a| a.to_string());
    let content = serde_json::to_string(content).unwrap();
    format!(
        r#"{{"noteId":{id},"callerNumber":"{number}","callId":"{call_id}","content":{content},"agentId":{agent},"createdAt":{at}}}"#
    )
}

/// Counter values in reply order: calls, answered, missed, loginTime, availableTime,
/// ringTime, talkTime, wrapUpTime, breakTime, staleTime.
fn counters(agent: i64, date: &str, from: i64, to: i64, v: [i64; 10]) -> String {
    dashboard(&format!(
        r#"{{"agentId":{agent},"date":"{date}","from":{from},"to":{to},"calls":{},"answered":{},"missed":{},"loginTime":{},"availableTime":{},"ringTime":{},"talkTime":{},"wrapUpTime":{},"breakTime":{},"staleTime":{}}}"#,
        v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9]
    ))
}

/// One `agentProfile/tags` entry.
fn tag(call_id: &str, number: &str, time: i64, called_back: u8) -> String {
    format!(
        r#"{{"type":"missed_call","callId":"{call_id}","callerNumber":"{number}","did":"8045678901","time":{time},"calledBack":{called_back}}}"#
    )
}

fn tags_body(agent: i64, account: &Account, from: i64, to: i64, tags: &[String]) -> String {
    format!(
        r#"{{"status":"success","data":{{"agent_id":"{agent}","user_id":"{}","from":{from},"to":{to},"tags":{}}}}}"#,
        account.user_id,
        list(tags)
    )
}

/// Moves the clock to `to` in steps of at most 20 s, running the background
/// step and pinging from the agent's page at each stop, as a live page would.
async fn walk(app: &TestApp, ssid: &str, to: i64) {
    loop {
        let next = (app.clock.now() + 20).min(to);
        app.clock.set(next);
        app.step().await;
        let reply = app.post(PING, &session(ssid, r#""mic_perm":1"#)).await.json();
        assert_eq!(reply["status"], "success", "{reply}");
        if next == to {
            return;
        }
    }
}

/// A role with `permissions` (JSON strings); returns its id.
async fn role(app: &TestApp, account: &Account, name: &str, permissions: &str) -> String {
    let reply = app
        .post("/api/v2/Role/add", &with(account, &format!(r#""name":"{name}","permissions":[{permissions}]"#)))
        .await;
    let reply = reply.json();
    reply["roleId"].as_str().unwrap_or_else(|| panic!("role add failed: {reply}")).to_string()
}

// ---- recentCalls ----

/// Six calls of 9876543210 between Asha and Ben (plus one of another number); the clock ends at T+600.
async fn six_calls(app: &TestApp, account: &Account, asha: i64, ben: i64) {
    call_at(app, account, T, asha, "c1", "offered").await;
    call_at(app, account, T + 5, asha, "c1", "answered").await;
    call_at(app, account, T + 65, asha, "c1", "ended").await;
    call_at(app, account, T + 100, ben, "c2", "offered").await;
    call_at(app, account, T + 120, ben, "c2", "missed").await;
    app.clock.set(T + 200);
    call(app, account, asha, "c3", "offered", "9876543210", r#","direction":"outbound","did":"123456""#).await;
    call_at(app, account, T + 210, asha, "c3", "ended").await;
    // Ring-all: offered to both, Ben answers, Asha's ringing ends as missed.
    call_at(app, account, T + 300, asha, "c4", "offered").await;
    call_at(app, account, T + 300, ben, "c4", "offered").await;
    call_at(app, account, T + 305, ben, "c4", "answered").await;
    call_at(app, account, T + 305, asha, "c4", "missed").await;
    call_at(app, account, T + 400, ben, "c4", "ended").await;
    call_at(app, account, T + 500, asha, "c5", "offered").await;
    call_at(app, account, T + 510, asha, "c5", "answered").await;
    // Ben is not logged in: an offer to an offline agent does not ring.
    call_at(app, account, T + 550, ben, "c6", "offered").await;
    app.clock.set(T + 560);
    call(app, account, asha, "x1", "offered", "14155550123", "").await;
    app.clock.set(T + 600);
}

fn six_entries(asha: i64, ben: i64, now: i64) -> Vec<String> {
    vec![
        entry("c6", "inbound", "8045678901", "missed", ben, T + 550, 0),
        entry("c5", "inbound", "8045678901", "in_progress", asha, T + 500, now - (T + 510)),
        entry("c4", "inbound", "8045678901", "answered", ben, T + 300, 95),
        entry("c3", "outbound", "123456", "no_answer", asha, T + 200, 0),
        entry("c2", "inbound", "8045678901", "missed", ben, T + 100, 0),
        entry("c1", "inbound", "8045678901", "answered", asha, T, 60),
    ]
}

backend_test!(recent_calls_lists_each_call_of_the_number_newest_first_with_its_outcome, |app| {
    app.clock.set(T);
    let account = app.account().await;
    let asha = agent(&app, &account, "Asha Rao", "asha@example.com").await;
    let ben = agent(&app, &account, "Ben Okafor", "ben@example.com").await;
    six_calls(&app, &account, asha, ben).await;
    let body = with(&account, r#""callerNumber":"9876543210""#);
    app.expect(RECENT, &body, &dashboard(&list(&six_entries(asha, ben, T + 600)))).await;
    // The call in progress keeps growing with the clock.
    app.clock.set(T + 700);
    app.expect(RECENT, &body, &dashboard(&list(&six_entries(asha, ben, T + 700)))).await;
    // Its end fixes the duration.
    call_at(&app, &account, T + 730, asha, "c5", "ended").await;
    app.clock.set(T + 900);
    let mut ended = six_entries(asha, ben, T + 700);
    ended[1] = entry("c5", "inbound", "8045678901", "answered", asha, T + 500, 220);
    app.expect(RECENT, &body, &dashboard(&list(&ended))).await;
});

backend_test!(recent_calls_takes_a_limit_of_1_to_50_and_refuses_anything_else_with_1000, |app| {
    app.clock.set(T);
    let account = app.account().await;
    let asha = agent(&app, &account, "Asha Rao", "asha@example.com").await;
    let ben = agent(&app, &account, "Ben Okafor", "ben@example.com").await;
    six_calls(&app, &account, asha, ben).await;
    let all = six_entries(asha, ben, T + 600);
    for (limit, n) in [("1", 1), ("\"2\"", 2), ("50", 6)] {
        let body = with(&account, &format!(r#""callerNumber":"9876543210","limit":{limit}"#));
        app.expect(RECENT, &body, &dashboard(&list(&all[..n]))).await;
    }
    for limit in ["0", "51", r#""x""#, "-1", "1.5"] {
        let body = with(&account, &format!(r#""callerNumber":"9876543210","limit":{limit}"#));
        app.expect_error(RECENT, &body, 1000, "Invalid parameter").await;
    }
});

backend_test!(recent_calls_finds_the_same_calls_however_the_number_is_spelled, |app| {
    app.clock.set(T);
    let account = app.account().await;
    let asha = agent(&app, &account, "Asha Rao", "asha@example.com").await;
    let ben = agent(&app, &account, "Ben Okafor", "ben@example.com").await;
    six_calls(&app, &account, asha, ben).await;
    let expected = dashboard(&list(&six_entries(asha, ben, T + 600)));
    let spellings = [
        r#""9876543210""#,
        r#""+91 98765-43210""#,
        r#""09876543210""#,
        r#""919876543210""#,
        "919876543210",
        r#""(98765) 432.10""#,
    ];
    for number in spellings {
        app.expect(RECENT, &with(&account, &format!(r#""callerNumber":{number}"#)), &expected).await;
    }
    // A number without calls has an empty list.
    app.expect(RECENT, &with(&account, r#""callerNumber":"9123456789""#), EMPTY).await;
});

backend_test!(recent_calls_refuses_a_missing_mistyped_or_malformed_number, |app| {
    let account = app.account().await;
    for fields in ["", r#""callerNumber":null"#, r#""limit":5"#] {
        app.expect_error(RECENT, &with(&account, fields), 1000, "Invalid parameter").await;
    }
    for value in ["{}", "true", "[\"9876543210\"]", "-9876543210"] {
        let body = with(&account, &format!(r#""callerNumber":{value}"#));
        app.expect_error(RECENT, &body, 1001, "Invalid data type").await;
    }
    for value in ["12345", "98765abcde", "1234567890123456", "0987654321", ""] {
        let body = with(&account, &format!(r#""callerNumber":"{value}""#));
        app.expect_error(RECENT, &body, 1005, "Invalid contact number").await;
    }
});

// ---- notes ----

/// An account with Asha (logged in) and calls c1, c3 of 9876543210 and c2 of 14155550123.
async fn noted(app: &TestApp) -> (Account, i64, String) {
    app.clock.set(T);
    let account = app.account().await;
    let (asha, ssid) = logged_in(app, &account, "Asha Rao", "asha@example.com").await;
    call(app, &account, asha, "c1", "offered", "9876543210", "").await;
    call(app, &account, asha, "c2", "offered", "14155550123", "").await;
    call(app, &account, asha, "c3", "offered", "09876543210", "").await;
    (account, asha, ssid)
}

fn add(content: &str, call_id: &str) -> String {
    format!(r#""callerNumber":"9876543210","content":{},"callId":"{call_id}""#, serde_json::to_string(content).unwrap())
}

backend_test!(notes_add_replies_with_the_note_and_who_wrote_it, |app| {
    let (account, asha, ssid) = noted(&app).await;
    let expected = note(1, NUMBER, "c1", "Wants a refund", None, T);
    app.expect(NOTES_ADD, &with(&account, &add("Wants a refund", "c1")), &dashboard(&expected)).await;
    app.clock.set(T + 60);
    let expected = note(2, NUMBER, "c3", "Called back, \"sorted\" ✓", Some(asha), T + 60);
    app.expect(NOTES_ADD, &session(&ssid, &add("Called back, \"sorted\" ✓", "c3")), &dashboard(&expected)).await;
    // 2000 characters are fine, whatever their bytes.
    let long = "é".repeat(2000);
    let body = with(&account, &format!(r#""callerNumber":"14155550123","content":"{long}","callId":"c2""#));
    app.expect(NOTES_ADD, &body, &dashboard(&note(3, "14155550123", "c2", &long, None, T + 60))).await;
    // Typed decomposed (e + combining acute), the same 2000 characters: kept composed.
    let decomposed = "e\u{301}".repeat(2000);
    let body = with(&account, &add(&decomposed, "c1"));
    app.expect(NOTES_ADD, &body, &dashboard(&note(4, NUMBER, "c1", &long, None, T + 60))).await;
});

backend_test!(notes_add_refuses_missing_mistyped_or_bad_content_and_unknown_calls, |app| {
    let (account, _, ssid) = noted(&app).await;
    let missing = [
        r#""callerNumber":"9876543210","callId":"c1""#,
        r#""callerNumber":"9876543210","content":"Hi""#,
        r#""content":"Hi","callId":"c1""#,
    ];
    for fields in missing {
        app.expect_error(NOTES_ADD, &with(&account, fields), 1000, "Invalid parameter").await;
    }
    for content in ["5", "true", r#"["Hi"]"#] {
        let body = with(&account, &format!(r#""callerNumber":"9876543210","content":{content},"callId":"c1""#));
        app.expect_error(NOTES_ADD, &body, 1001, "Invalid data type").await;
    }
    for content in [String::new(), "   \n\t ".to_string(), "a".repeat(2001)] {
        app.expect_error(NOTES_ADD, &with(&account, &add(&content, "c1")), 1503, "Invalid content").await;
    }
    // A call the log does not hold, or holds with another caller.
    for call_id in ["nope", "c2"] {
        app.expect_error(NOTES_ADD, &with(&account, &add("Hi", call_id)), 1502, "Invalid callId").await;
        app.expect_error(NOTES_ADD, &session(&ssid, &add("Hi", call_id)), 1502, "Invalid callId").await;
    }
    app.expect(NOTES_LIST, &with(&account, r#""callerNumber":"9876543210""#), EMPTY).await;
});

backend_test!(notes_list_pages_newest_first_and_filters_by_call, |app| {
    let (account, asha, ssid) = noted(&app).await;
    let mut notes = Vec::new();
    for (n, call_id) in ["c1", "c3", "c1", "c3", "c1"].into_iter().enumerate() {
        let at = T + 10 * n as i64;
        app.clock.set(at);
        let fields = add(&format!("Note {n}"), call_id);
        // Even notes by the account, odd ones by Asha's session.
        let (body, by) =
            if n % 2 == 0 { (with(&account, &fields), None) } else { (session(&ssid, &fields), Some(asha)) };
        let expected = note(n as i64 + 1, NUMBER, call_id, &format!("Note {n}"), by, at);
        app.expect(NOTES_ADD, &body, &dashboard(&expected)).await;
        notes.push(expected);
    }
    let newest_first: Vec<String> = notes.iter().rev().cloned().collect();
    let listed = |extra: &str| with(&account, &format!(r#""callerNumber":"+91 98765 43210"{extra}"#));
    app.expect(NOTES_LIST, &listed(""), &dashboard(&list(&newest_first))).await;
    app.expect(NOTES_LIST, &session(&ssid, r#""callerNumber":"9876543210""#), &dashboard(&list(&newest_first))).await;
    let c1 = [notes[4].clone(), notes[2].clone(), notes[0].clone()];
    app.expect(NOTES_LIST, &listed(r#","callId":"c1""#), &dashboard(&list(&c1))).await;
    app.expect(NOTES_LIST, &listed(r#","limit":2"#), &dashboard(&list(&newest_first[..2]))).await;
    app.expect(NOTES_LIST, &listed(r#","limit":2,"beforeId":4"#), &dashboard(&list(&newest_first[2..4]))).await;
    app.expect(NOTES_LIST, &listed(r#","limit":2,"beforeId":2"#), &dashboard(&list(&newest_first[4..]))).await;
    app.expect(NOTES_LIST, &listed(r#","callId":"c1","beforeId":5"#), &dashboard(&list(&c1[1..]))).await;
    app.expect(NOTES_LIST, &listed(r#","limit":"100""#), &dashboard(&list(&newest_first))).await;
    for limit in ["0", "101", r#""x""#] {
        app.expect_error(NOTES_LIST, &listed(&format!(r#","limit":{limit}"#)), 1000, "Invalid parameter").await;
    }
    app.expect(NOTES_LIST, &with(&account, r#""callerNumber":"14155550123""#), EMPTY).await;
});

// ---- counters ----

backend_test!(counters_refuse_a_missing_unknown_foreign_or_forbidden_agent_and_a_bad_date, |app| {
    app.clock.set(T);
    let account = app.account().await;
    let (plain, plain_ssid) = logged_in(&app, &account, "Asha Rao", "asha@example.com").await;
    let other = app.agent(&account, r#""name":"Ben Okafor","email":"ben@example.com""#).await;
    let viewer = role(&app, &account, "Viewer", r#""VIEW_AGENTS""#).await;
    let fields = format!(r#""name":"Sup","email":"sup@example.com","password":"pass-word-1","role":"{viewer}""#);
    let sup = app.agent(&account, &fields).await;
    let sup_ssid = app.login("sup@example.com", "pass-word-1").await;
    // Another account's agent whose id this account does not have.
    let theirs = app.account().await;
    let mut foreign = 0;
    for n in 0..4 {
        foreign = app.agent(&theirs, &format!(r#""name":"Chen Wei","email":"chen{n}@example.com""#)).await;
    }
    assert!(foreign > sup && sup > other, "ids count per account");

    app.expect_error(COUNTERS, &with(&account, ""), 1000, "Invalid parameter").await;
    for id in [foreign.to_string(), "999".to_string(), "\"999\"".to_string()] {
        let body = with(&account, &format!(r#""agentId":{id}"#));
        app.expect_error(COUNTERS, &body, 1003, "AgentId does not exist").await;
    }
    for id in [other, 999] {
        let body = session(&plain_ssid, &format!(r#""agentId":{id}"#));
        app.expect_error(COUNTERS, &body, 1015, "Permission denied").await;
    }
    app.expect_error(COUNTERS, &session(&sup_ssid, r#""agentId":999"#), 1003, "AgentId does not exist").await;

    // Ten seconds after the login, everybody allowed sees the same totals.
    app.clock.set(T + 10);
    let expected = counters(plain, "2026-11-23", DAY, T + 10, [0, 0, 0, 10, 10, 0, 0, 0, 0, 0]);
    let plain_id = format!(r#""agentId":{plain}"#);
    for body in [
        session(&plain_ssid, ""),
        session(&plain_ssid, &plain_id),
        session(&sup_ssid, &plain_id),
        with(&account, &plain_id),
    ] {
        app.expect(COUNTERS, &body, &expected).await;
    }
    for date in [r#""2026-13-01""#, r#""2026-02-30""#, r#""23-11-2026""#, r#""2026/11/23""#, "20261123", r#""""#] {
        let body = with(&account, &format!(r#"{plain_id},"date":{date}"#));
        app.expect_error(COUNTERS, &body, 1028, "Invalid date format").await;
        app.expect_error(COUNTERS, &session(&plain_ssid, &format!(r#""date":{date}"#)), 1028, "Invalid date format")
            .await;
    }
});

backend_test!(counters_add_up_a_scripted_day_to_the_second, |app| {
    app.clock.set(T);
    let account = app.account().await;
    let (asha, ssid) = logged_in(&app, &account, "Asha Rao", "asha@example.com").await;
    let number = "9876543210";
    walk(&app, &ssid, T + 100).await;
    call(&app, &account, asha, "c1", "offered", number, "").await;
    walk(&app, &ssid, T + 110).await;
    call(&app, &account, asha, "c1", "answered", number, "").await;
    walk(&app, &ssid, T + 230).await;
    call(&app, &account, asha, "c1", "ended", number, "").await;
    // The 30 s wrap-up ends on its own at T+260.
    walk(&app, &ssid, T + 400).await;
    call(&app, &account, asha, "c2", "offered", number, "").await;
    walk(&app, &ssid, T + 420).await;
    call(&app, &account, asha, "c2", "missed", number, "").await;
    walk(&app, &ssid, T + 500).await;
    let reply = app.post("/api/v2/agentProfile/breakStart", &session(&ssid, r#""reason":"Tea""#)).await.json();
    assert_eq!(reply["data"]["state"], "break", "{reply}");
    walk(&app, &ssid, T + 800).await;
    let reply = app.post("/api/v2/agentProfile/breakEnd", &session(&ssid, "")).await.json();
    assert_eq!(reply["data"]["state"], "available", "{reply}");
    walk(&app, &ssid, T + 900).await;

    // available 100 + 140 + 80 + 100, ringing 10 + 20, talking 120, wrap-up 30, break 300.
    let expected = counters(asha, "2026-11-23", DAY, T + 900, [2, 1, 1, 900, 420, 30, 120, 30, 300, 0]);
    app.expect(COUNTERS, &session(&ssid, ""), &expected).await;
    app.expect(COUNTERS, &with(&account, &format!(r#""agentId":"{asha}","date":"2026-11-23""#)), &expected).await;
    // The day before: nothing happened.
    let before = counters(asha, "2026-11-22", DAY - 86_400, DAY, [0; 10]);
    app.expect(COUNTERS, &session(&ssid, r#""date":"2026-11-22""#), &before).await;
});

// ---- agentProfile/tags ----

/// Asha (logged in) misses m1 (9876543210) and m2 (14155550123, caller hung up), answers a1;
/// later Ben answers 9876543210 and misses 14155550123. The clock ends at T+500.
async fn missed_calls(app: &TestApp) -> (Account, i64, i64, String) {
    app.clock.set(T);
    let account = app.account().await;
    let (asha, ssid) = logged_in(app, &account, "Asha Rao", "asha@example.com").await;
    let ben = agent(app, &account, "Ben Okafor", "ben@example.com").await;
    let steps: [(i64, i64, &str, &str, &str); 12] = [
        (100, asha, "m1", "offered", "9876543210"),
        (110, asha, "m1", "missed", "9876543210"),
        (200, asha, "m2", "offered", "14155550123"),
        (205, asha, "m2", "ended", "14155550123"),
        (300, asha, "a1", "offered", "9123456789"),
        (305, asha, "a1", "answered", "9123456789"),
        (350, asha, "a1", "ended", "9123456789"),
        (400, ben, "b1", "offered", "09876543210"),
        (402, ben, "b1", "answered", "09876543210"),
        (420, ben, "b1", "ended", "09876543210"),
        (450, ben, "b2", "offered", "14155550123"),
        (460, ben, "b2", "missed", "14155550123"),
    ];
    for (at, agent, call_id, kind, number) in steps {
        app.clock.set(T + at);
        call(app, &account, agent, call_id, kind, number, "").await;
    }
    app.clock.set(T + 500);
    (account, asha, ben, ssid)
}

backend_test!(tags_list_missed_calls_newest_first_and_whether_the_caller_was_reached_since, |app| {
    let (account, asha, _, ssid) = missed_calls(&app).await;
    let now = T + 500;
    let both = [tag("m2", "14155550123", T + 200, 0), tag("m1", NUMBER, T + 100, 1)];
    let expected = tags_body(asha, &account, now - 86_400, now, &both);
    app.expect(TAGS, &session(&ssid, ""), &expected).await;
    app.expect(TAGS, &session(&ssid, &format!(r#""agentId":"{asha}""#)), &expected).await;
    app.expect(TAGS, &with(&account, &format!(r#""agentId":{asha}"#)), &expected).await;
    // A window starting after m1 leaves it out; seven days back is the furthest.
    let after_m1 = tags_body(asha, &account, T + 150, now, &both[..1]);
    app.expect(TAGS, &session(&ssid, &format!(r#""ref":{}"#, T + 150)), &after_m1).await;
    app.expect(TAGS, &session(&ssid, &format!(r#""ref":"{}""#, T + 150)), &after_m1).await;
    let week = now - 7 * 86_400;
    app.expect(TAGS, &session(&ssid, &format!(r#""ref":{week}"#)), &tags_body(asha, &account, week, now, &both)).await;
    app.expect(TAGS, &session(&ssid, &format!(r#""ref":{now}"#)), &tags_body(asha, &account, now, now, &[])).await;
    for r in [(week - 1).to_string(), (now + 1).to_string(), r#""x""#.to_string(), "1.5".to_string()] {
        app.expect_error(TAGS, &session(&ssid, &format!(r#""ref":{r}"#)), 1511, "Invalid ref").await;
    }
});

backend_test!(tags_need_an_agent_id_with_account_credentials_and_an_agent_sees_only_its_own, |app| {
    let (account, _, ben, ssid) = missed_calls(&app).await;
    app.expect_error(TAGS, &with(&account, ""), 1507, "Invalid agentId").await;
    app.expect_error(TAGS, &with(&account, r#""agentId":999"#), 1507, "Invalid agentId").await;
    app.expect_error(TAGS, &session(&ssid, &format!(r#""agentId":{ben}"#)), 1501, "Agent id not match").await;
    // Ben's own missed call, not yet returned.
    let now = T + 500;
    let expected = tags_body(ben, &account, now - 86_400, now, &[tag("b2", "14155550123", T + 450, 0)]);
    app.expect(TAGS, &with(&account, &format!(r#""agentId":{ben}"#)), &expected).await;
});

// ---- tenant isolation ----

backend_test!(another_account_sees_none_of_the_calls_notes_or_agents_of_this_one, |app| {
    app.clock.set(T);
    let ours = app.account().await;
    let asha = agent(&app, &ours, "Asha Rao", "asha@example.com").await;
    call(&app, &ours, asha, "c1", "offered", "9876543210", "").await;
    call(&app, &ours, asha, "c1", "missed", "9876543210", "").await;
    let ours_note = note(1, NUMBER, "c1", "Ours", None, T);
    app.expect(NOTES_ADD, &with(&ours, &add("Ours", "c1")), &dashboard(&ours_note)).await;

    let theirs = app.account().await;
    let number = r#""callerNumber":"9876543210""#;
    app.expect(RECENT, &with(&theirs, number), EMPTY).await;
    app.expect(NOTES_LIST, &with(&theirs, number), EMPTY).await;
    app.expect(NOTES_LIST, &with(&theirs, &format!(r#"{number},"callId":"c1""#)), EMPTY).await;
    app.expect_error(NOTES_ADD, &with(&theirs, &add("Theirs", "c1")), 1502, "Invalid callId").await;
    let agent_id = format!(r#""agentId":{asha}"#);
    app.expect_error(COUNTERS, &with(&theirs, &agent_id), 1003, "AgentId does not exist").await;
    app.expect_error(TAGS, &with(&theirs, &agent_id), 1507, "Invalid agentId").await;

    // Ours is untouched.
    let missed = entry("c1", "inbound", "8045678901", "missed", asha, T, 0);
    app.expect(RECENT, &with(&ours, number), &dashboard(&list(&[missed]))).await;
    app.expect(NOTES_LIST, &with(&ours, number), &dashboard(&list(&[ours_note]))).await;
});
