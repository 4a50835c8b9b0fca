//! What a PBX writes as the caller, as it writes it (issue 25, 1–3): a
//! withheld number (`anonymous`, `Restricted`, empty, or none), an internal
//! extension, a SIP or tel URI. Every one of them lets the call's events
//! apply — the agent who answers is `on_call`, not routable — and the
//! caller is kept as read: withheld is empty and never called back, an
//! extension as written, a URI by its number. An event that does not repeat
//! the caller keeps the one its leg knows.

mod common;

use common::{Account, TestApp};
use serde_json::{Value, json};

const CALL_EVENT: &str = "/api/v2/callEvent";

/// 2026-11-23 10:00 UTC.
const T: i64 = 1_795_428_000;

async fn event(app: &TestApp, account: &Account, fields: Value) -> Value {
    let mut body = fields;
    body["userId"] = json!(account.user_id);
    body["token"] = json!(account.token);
    let reply = app.post(CALL_EVENT, &body.to_string()).await.json();
    assert_eq!(reply["accepted"], 1, "{body}: {reply}");
    reply
}

async fn live(app: &TestApp, account: &Account, agent: i64) -> Value {
    let body = json!({"userId": account.user_id, "token": account.token, "agentId": agent});
    app.post("/api/v2/Agent/live", &body.to_string()).await.json()["response"][0].clone()
}

/// `(state, the call's callerNumber)` on the board.
async fn board(app: &TestApp, account: &Account, agent: i64) -> (String, Value) {
    let row = live(app, account, agent).await;
    (row["state"].as_str().unwrap().to_string(), row["call"]["callerNumber"].clone())
}

async fn asha(app: &TestApp) -> (Account, i64) {
    app.clock.set(T);
    let account = app.account().await;
    let agent = app.agent(&account, r#""name":"Asha Rao","email":"asha@example.com","password":"pass-word-1""#).await;
    app.login("asha@example.com", "pass-word-1").await;
    (account, agent)
}

backend_test!(a_withheld_caller_rings_and_talks_is_counted_and_gets_no_callback_tag, |app| {
    let (account, a) = asha(&app).await;
    for (n, withheld) in [json!("anonymous"), json!("Restricted"), json!(""), Value::Null].into_iter().enumerate() {
        let call = format!("w{n}");
        app.clock.set(T + 100 * n as i64 + 10);
        let mut offered = json!({"callId": call, "agentId": a, "event": "offered"});
        if !withheld.is_null() {
            offered["callerNumber"] = withheld.clone();
        }
        event(&app, &account, offered).await;
        assert_eq!(board(&app, &account, a).await, ("ringing".into(), json!("")), "{withheld}");
        // The answer does not repeat it either.
        app.clock.set(T + 100 * n as i64 + 15);
        event(&app, &account, json!({"callId": call, "agentId": a, "event": "answered"})).await;
        assert_eq!(board(&app, &account, a).await, ("on_call".into(), json!("")), "{withheld}");
        app.clock.set(T + 100 * n as i64 + 45);
        event(&app, &account, json!({"callId": call, "agentId": a, "event": "ended", "callerNumber": withheld})).await;
        assert_eq!(board(&app, &account, a).await.0, "wrap_up");
    }
    // A withheld caller missed: counted as missed, but nobody can call it back.
    app.clock.set(T + 1000);
    event(&app, &account, json!({"callId": "w9", "agentId": a, "event": "offered", "callerNumber": "anonymous"})).await;
    event(&app, &account, json!({"callId": "w9", "agentId": a, "event": "missed"})).await;
    let body = json!({"userId": account.user_id, "token": account.token, "agentId": a});
    let counters = app.post("/api/v2/agentDashboard/counters", &body.to_string()).await.json();
    let c = &counters["message"];
    assert_eq!(
        (c["calls"].clone(), c["answered"].clone(), c["missed"].clone()),
        (json!(5), json!(4), json!(1)),
        "{counters}"
    );
    assert_eq!(c["talkTime"], 4 * 30, "{counters}");
    let tags = app.post("/api/v2/agentProfile/tags", &body.to_string()).await.json();
    assert_eq!(tags["data"]["tags"], json!([]), "{tags}");
});

backend_test!(an_extension_is_kept_as_written_and_a_uri_gives_its_number, |app| {
    let (account, a) = asha(&app).await;
    let cases = [
        ("1002", "1002"),
        ("cc800", "cc800"),
        ("sip:+919876543210@trunk.example.net", "919876543210"),
        ("tel:+91-98765-43210", "919876543210"),
        ("sip:09876543210@10.0.0.5;user=phone", "919876543210"),
    ];
    for (n, (written, kept)) in cases.iter().enumerate() {
        let call = format!("x{n}");
        app.clock.set(T + 100 * n as i64 + 10);
        event(&app, &account, json!({"callId": call, "agentId": a, "event": "offered", "callerNumber": written})).await;
        assert_eq!(board(&app, &account, a).await, ("ringing".into(), json!(kept)), "{written}");
        // An answer without the caller keeps the one the leg knows.
        event(&app, &account, json!({"callId": call, "agentId": a, "event": "answered"})).await;
        assert_eq!(board(&app, &account, a).await, ("on_call".into(), json!(kept)), "{written}");
        app.clock.set(T + 100 * n as i64 + 20);
        event(&app, &account, json!({"callId": call, "agentId": a, "event": "ended"})).await;
    }
    // The number read from a URI finds the caller's calls.
    let body = json!({"userId": account.user_id, "token": account.token, "callerNumber": "9876543210"});
    let recent = app.post("/api/v2/agentDashboard/recentCalls", &body.to_string()).await.json();
    let ids: Vec<&str> = recent["message"].as_array().unwrap().iter().map(|c| c["callId"].as_str().unwrap()).collect();
    assert_eq!(ids, ["x4", "x3", "x2"], "{recent}");
});

backend_test!(an_outbound_dial_nobody_answered_is_no_answer_not_a_missed_call, |app| {
    let (account, a) = asha(&app).await;
    let dial = |event: &str| json!({"callId": "o1", "agentId": a, "event": event, "callerNumber": "9811100202", "direction": "outbound"});
    app.clock.set(T + 10);
    event(&app, &account, dial("offered")).await;
    app.clock.set(T + 40);
    event(&app, &account, dial("ended")).await;
    let body = json!({"userId": account.user_id, "token": account.token, "agentId": a});
    let counters = app.post("/api/v2/agentDashboard/counters", &body.to_string()).await.json();
    let c = &counters["message"];
    assert_eq!(
        (c["calls"].clone(), c["answered"].clone(), c["missed"].clone()),
        (json!(1), json!(0), json!(0)),
        "{counters}"
    );
    let tags = app.post("/api/v2/agentProfile/tags", &body.to_string()).await.json();
    assert_eq!(tags["data"]["tags"], json!([]), "no callback for a number the agent dialled: {tags}");
    let asked = json!({"userId": account.user_id, "token": account.token, "callerNumber": "9811100202"});
    let recent = app.post("/api/v2/agentDashboard/recentCalls", &asked.to_string()).await.json();
    assert_eq!(recent["message"][0]["status"], "no_answer", "{recent}");
    assert_eq!(recent["message"][0]["direction"], "outbound", "{recent}");
    // An inbound call nobody answered is still missed.
    app.clock.set(T + 60);
    event(&app, &account, json!({"callId": "i1", "agentId": a, "event": "offered", "callerNumber": "9811100203"}))
        .await;
    event(&app, &account, json!({"callId": "i1", "agentId": a, "event": "missed"})).await;
    let counters = app.post("/api/v2/agentDashboard/counters", &body.to_string()).await.json();
    assert_eq!(counters["message"]["missed"], 1, "{counters}");
});

backend_test!(a_leg_keeps_the_group_it_was_offered_for_when_the_hang_up_does_not_name_it, |app| {
    let (account, a) = asha(&app).await;
    let ben = app.agent(&account, r#""name":"Ben Okafor","email":"ben@example.com","password":"pass-word-1""#).await;
    app.login("ben@example.com", "pass-word-1").await;
    let creds = json!({"userId": account.user_id, "token": account.token});
    let add = |name: &str, wrap: i64| {
        let mut body = creds.clone();
        body["name"] = json!(name);
        body["wrapUpTime"] = json!(wrap);
        body.to_string()
    };
    let billing = app.post("/api/v2/Group/add", &add("Billing", 5)).await.json()["groupId"].as_i64().unwrap();
    let support = app.post("/api/v2/Group/add", &add("Support", 20)).await.json()["groupId"].as_i64().unwrap();
    let leg = |agent: i64, ev: &str, group: Option<i64>| {
        let mut e = json!({"callId": "g1", "agentId": agent, "event": ev, "callerNumber": "9811100101"});
        if let Some(g) = group {
            e["groupId"] = json!(g);
        }
        e
    };
    // Billing's call: offered and answered naming Billing, ended without it.
    app.clock.set(T + 10);
    event(&app, &account, leg(a, "offered", Some(billing))).await;
    event(&app, &account, leg(a, "answered", Some(billing))).await;
    // Transferred to Support: Ben's leg is offered for Support …
    app.clock.set(T + 40);
    event(&app, &account, leg(a, "ended", None)).await;
    event(&app, &account, leg(ben, "offered", Some(support))).await;
    event(&app, &account, leg(ben, "answered", None)).await;
    app.clock.set(T + 100);
    event(&app, &account, leg(ben, "ended", None)).await;
    // … each agent's wrap-up is its leg's group's, not the account's 30 s.
    assert_eq!(live(&app, &account, a).await["wrapETime"], json!(T + 40 + 5));
    let row = live(&app, &account, ben).await;
    assert_eq!((row["state"].clone(), row["wrapETime"].clone()), (json!("wrap_up"), json!(T + 100 + 20)));
});

backend_test!(a_call_being_transferred_is_in_progress_until_the_next_leg_ends, |app| {
    let (account, a) = asha(&app).await;
    let ben = app.agent(&account, r#""name":"Ben Okafor","email":"ben@example.com","password":"pass-word-1""#).await;
    app.login("ben@example.com", "pass-word-1").await;
    let leg =
        |agent: i64, ev: &str| json!({"callId": "c3", "agentId": agent, "event": ev, "callerNumber": "9811100101"});
    let recent = || async {
        let asked = json!({"userId": account.user_id, "token": account.token, "callerNumber": "9811100101"});
        let reply = app.post("/api/v2/agentDashboard/recentCalls", &asked.to_string()).await.json();
        (reply["message"][0]["status"].clone(), reply["message"][0]["duration"].clone())
    };
    app.clock.set(T + 10);
    event(&app, &account, leg(a, "offered")).await;
    event(&app, &account, leg(a, "answered")).await;
    // Two seconds in, Asha transfers: in one batch her leg ends and Ben's rings.
    app.clock.set(T + 12);
    let mut batch = json!({"userId": account.user_id, "token": account.token});
    batch["events"] = json!([leg(a, "ended"), leg(ben, "offered")]);
    let reply = app.post(CALL_EVENT, &batch.to_string()).await.json();
    assert_eq!(reply["accepted"], 2, "{reply}");
    assert_eq!(recent().await, (json!("in_progress"), json!(2)), "the caller waits on the line");
    app.clock.set(T + 15);
    event(&app, &account, leg(ben, "answered")).await;
    app.clock.set(T + 45);
    event(&app, &account, leg(ben, "ended")).await;
    assert_eq!(recent().await, (json!("answered"), json!(32)));
});

backend_test!(a_logout_during_a_talk_waits_for_the_hang_up_and_every_view_gives_the_same_talk, |app| {
    app.clock.set(T);
    let account = app.account().await;
    let a = app.agent(&account, r#""name":"Asha Rao","email":"asha@example.com","password":"pass-word-1""#).await;
    let ben = app.agent(&account, r#""name":"Ben Okafor","email":"ben@example.com","password":"pass-word-1""#).await;
    let ben_ssid = app.login("ben@example.com", "pass-word-1").await;
    let leg = |agent: i64, call: &str, ev: &str| json!({"callId": call, "agentId": agent, "event": ev, "callerNumber": "9811100101"});
    // Asha (two tabs) answers; two seconds in she logs out of both.
    let tabs = [app.login("asha@example.com", "pass-word-1").await, app.login("asha@example.com", "pass-word-1").await];
    app.clock.set(T + 10);
    event(&app, &account, leg(a, "c9", "offered")).await;
    event(&app, &account, leg(a, "c9", "answered")).await;
    app.clock.set(T + 12);
    for s in tabs {
        let out = app.post("/api/v2/auth/logout", &json!({"ssid": s}).to_string()).await.json();
        assert_eq!(out["status"], "success", "{out}");
    }
    // She is still on the phone: on_call, not routable, until the hang-up.
    assert_eq!(board(&app, &account, a).await.0, "on_call");
    app.clock.set(T + 14);
    event(&app, &account, leg(a, "c9", "ended")).await;
    let row = live(&app, &account, a).await;
    assert_eq!((row["state"].clone(), row["wrapETime"].clone()), (json!("offline"), Value::Null), "{row}");
    // Every view: 4 seconds of talk.
    let asked = json!({"userId": account.user_id, "token": account.token, "callerNumber": "9811100101"});
    let recent = app.post("/api/v2/agentDashboard/recentCalls", &asked.to_string()).await.json();
    assert_eq!(
        (recent["message"][0]["callId"].clone(), recent["message"][0]["duration"].clone()),
        (json!("c9"), json!(4))
    );
    let body = json!({"userId": account.user_id, "token": account.token, "agentId": a});
    let counters = app.post("/api/v2/agentDashboard/counters", &body.to_string()).await.json();
    assert_eq!(counters["message"]["talkTime"], 4, "{counters}");
    let asked = json!({"userId": account.user_id, "token": account.token, "filter": [{"key": "agentId", "value": a.to_string()}]});
    let timeline = app.post("/api/v2/Agent/timeLine", &asked.to_string()).await.json();
    let kinds: Vec<&Value> = timeline["agEvent"].as_array().unwrap().iter().map(|e| &e["event"]).collect();
    assert!(kinds.ends_with(&[&json!("logout_queued"), &json!("logout")]), "{timeline}");
    // A supervisor's logout of Ben while he talks waits the same way; a
    // leg ringing for him meanwhile is missed at once.
    app.clock.set(T + 20);
    event(&app, &account, leg(ben, "c10", "offered")).await;
    event(&app, &account, leg(ben, "c10", "answered")).await;
    event(&app, &account, leg(ben, "c11", "offered")).await;
    let out = app.post("/api/v2/Supervisor/logout", &body_for(&account, ben)).await.json();
    assert_eq!(out["status"], "success", "{out}");
    assert_eq!(board(&app, &account, ben).await.0, "on_call");
    let gone = app.post("/api/v2/agentProfile/agentOnBreak", &json!({"ssid": ben_ssid}).to_string()).await.json();
    assert_eq!(gone["code"], 1014, "his sessions end at once: {gone}");
    app.clock.set(T + 30);
    event(&app, &account, leg(ben, "c10", "ended")).await;
    assert_eq!(board(&app, &account, ben).await.0, "offline");
    let missed = event_raw(&app, &account, leg(ben, "c11", "missed")).await;
    assert_eq!(missed["duplicates"], 1, "the ringing leg was missed when he left: {missed}");
});

fn body_for(account: &Account, agent: i64) -> String {
    json!({"userId": account.user_id, "token": account.token, "agentId": agent}).to_string()
}

async fn event_raw(app: &TestApp, account: &Account, fields: Value) -> Value {
    let mut body = fields;
    body["userId"] = json!(account.user_id);
    body["token"] = json!(account.token);
    app.post(CALL_EVENT, &body.to_string()).await.json()
}
