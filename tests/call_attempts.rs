//! A call that rings the same agent again, and a call id used again (issue
//! 25, 4–5): each ring is an attempt, so idempotency catches retries and
//! not new rings. A queue's retry rings the agent again; a transfer that
//! comes back rings, talks and wraps up again and its talk adds up; a call
//! id a restarted PBX uses again for another caller, or days later, is a
//! new call; a retried offer carrying its own time is still a duplicate;
//! and the routing decision offers a call again to an agent who missed it.

mod common;

use common::{Account, TestApp};
use serde_json::{Value, json};

const CALL_EVENT: &str = "/api/v2/callEvent";

/// 2026-11-23 10:00 UTC.
const T: i64 = 1_795_428_000;
const DAY: i64 = 86_400;

fn creds(account: &Account, mut body: Value) -> String {
    body["userId"] = json!(account.user_id);
    body["token"] = json!(account.token);
    body.to_string()
}

/// `(accepted, duplicates)` of one event.
async fn send(app: &TestApp, account: &Account, fields: Value) -> (i64, i64) {
    let reply = app.post(CALL_EVENT, &creds(account, fields)).await.json();
    (reply["accepted"].as_i64().unwrap_or(-1), reply["duplicates"].as_i64().unwrap_or(-1))
}

async fn state(app: &TestApp, account: &Account, agent: i64) -> String {
    let live = app.post("/api/v2/Agent/live", &creds(account, json!({"agentId": agent}))).await.json();
    live["response"][0]["state"].as_str().unwrap_or_else(|| panic!("{live}")).to_string()
}

/// `recentCalls` of a caller: `(callId, status, duration)` newest first.
async fn calls_of(app: &TestApp, account: &Account, caller: &str) -> Vec<(String, String, i64)> {
    let reply =
        app.post("/api/v2/agentDashboard/recentCalls", &creds(account, json!({"callerNumber": caller}))).await.json();
    reply["message"]
        .as_array()
        .unwrap_or_else(|| panic!("{reply}"))
        .iter()
        .map(|c| {
            (
                c["callId"].as_str().unwrap().into(),
                c["status"].as_str().unwrap().into(),
                c["duration"].as_i64().unwrap(),
            )
        })
        .collect()
}

async fn counters(app: &TestApp, account: &Account, agent: i64) -> Value {
    app.post("/api/v2/agentDashboard/counters", &creds(account, json!({"agentId": agent}))).await.json()["message"]
        .clone()
}

/// An account with agents Asha (and Ben) logged in at `T`, online for hours
/// without a heartbeat.
async fn floor(app: &TestApp) -> (Account, i64, i64) {
    floor_at(app, T).await
}

async fn floor_at(app: &TestApp, at: i64) -> (Account, i64, i64) {
    app.clock.set(at);
    let account = app.account().await;
    let settings = creds(&account, json!({"staleAfter": 3600, "offlineAfter": 86400}));
    assert_eq!(app.post("/api/v2/Account/settings", &settings).await.json()["status"], "success");
    let a = app.agent(&account, r#""name":"Asha Rao","email":"asha@example.com","password":"pass-word-1""#).await;
    let b = app.agent(&account, r#""name":"Ben Okafor","email":"ben@example.com","password":"pass-word-1""#).await;
    app.login("asha@example.com", "pass-word-1").await;
    app.login("ben@example.com", "pass-word-1").await;
    (account, a, b)
}

fn fact(call: &str, agent: i64, event: &str, caller: &str) -> Value {
    json!({"callId": call, "agentId": agent, "event": event, "callerNumber": caller})
}

backend_test!(a_queue_retry_rings_the_agent_again_and_a_retried_offer_with_its_time_is_a_duplicate, |app| {
    let (account, a, _) = floor(&app).await;
    app.clock.set(T + 10);
    assert_eq!(send(&app, &account, fact("c1", a, "offered", "9811100101")).await, (1, 0));
    app.clock.set(T + 30);
    assert_eq!(send(&app, &account, fact("c1", a, "missed", "9811100101")).await, (1, 0));
    // The telephony retries its first offer, with the time it happened.
    let mut late = fact("c1", a, "offered", "9811100101");
    late["time"] = json!(T + 10);
    assert_eq!(send(&app, &account, late).await, (0, 1), "a copy of the first offer");
    assert_eq!(state(&app, &account, a).await, "available");
    // The queue rings Asha again: a new attempt.
    app.clock.set(T + 40);
    assert_eq!(send(&app, &account, fact("c1", a, "offered", "9811100101")).await, (1, 0));
    assert_eq!(state(&app, &account, a).await, "ringing");
    app.clock.set(T + 45);
    assert_eq!(send(&app, &account, fact("c1", a, "answered", "9811100101")).await, (1, 0));
    assert_eq!(send(&app, &account, fact("c1", a, "answered", "9811100101")).await, (0, 1), "a retried answer");
    app.clock.set(T + 75);
    assert_eq!(send(&app, &account, fact("c1", a, "ended", "9811100101")).await, (1, 0));
    assert_eq!(state(&app, &account, a).await, "wrap_up");
    // One call, answered after a missed ring.
    assert_eq!(calls_of(&app, &account, "9811100101").await, vec![("c1".into(), "answered".into(), 30)]);
    let c = counters(&app, &account, a).await;
    assert_eq!(
        (c["calls"].clone(), c["answered"].clone(), c["talkTime"].clone()),
        (json!(1), json!(1), json!(30)),
        "{c}"
    );
});

backend_test!(a_transfer_that_comes_back_rings_talks_and_wraps_up_again_and_its_talk_adds_up, |app| {
    let (account, a, b) = floor(&app).await;
    let caller = "9811100101";
    app.clock.set(T + 10);
    send(&app, &account, fact("c2", a, "offered", caller)).await;
    send(&app, &account, fact("c2", a, "answered", caller)).await;
    app.clock.set(T + 12);
    send(&app, &account, fact("c2", a, "ended", caller)).await;
    send(&app, &account, fact("c2", b, "offered", caller)).await;
    app.clock.set(T + 20);
    send(&app, &account, fact("c2", b, "missed", caller)).await;
    // Back to Asha, in wrap-up from the first hang-up.
    assert_eq!(send(&app, &account, fact("c2", a, "offered", caller)).await, (1, 0));
    assert_eq!(state(&app, &account, a).await, "ringing");
    app.clock.set(T + 21);
    assert_eq!(send(&app, &account, fact("c2", a, "answered", caller)).await, (1, 0));
    assert_eq!(state(&app, &account, a).await, "on_call");
    app.clock.set(T + 24);
    assert_eq!(send(&app, &account, fact("c2", a, "ended", caller)).await, (1, 0));
    let live = app.post("/api/v2/Agent/live", &creds(&account, json!({"agentId": a}))).await.json();
    assert_eq!(
        (live["response"][0]["state"].clone(), live["response"][0]["wrapETime"].clone()),
        (json!("wrap_up"), json!(T + 24 + 30)),
        "wrap-up from the last hang-up: {live}"
    );
    assert_eq!(calls_of(&app, &account, caller).await, vec![("c2".into(), "answered".into(), 5)]);
    assert_eq!(counters(&app, &account, a).await["talkTime"], 5);
});

backend_test!(a_call_id_used_again_for_another_caller_or_days_later_is_a_new_call, |app| {
    // Call 1001 two days ago…
    let (account, a, _) = floor_at(&app, T - 2 * DAY).await;
    for event in ["offered", "answered"] {
        send(&app, &account, fact("1001", a, event, "9811100101")).await;
    }
    app.clock.set(T - 2 * DAY + 60);
    send(&app, &account, fact("1001", a, "ended", "9811100101")).await;
    // … and today, from another caller: a new call that rings.
    app.clock.set(T);
    app.step().await;
    app.login("asha@example.com", "pass-word-1").await;
    app.clock.set(T + 100);
    assert_eq!(send(&app, &account, fact("1001", a, "offered", "9811100102")).await, (1, 0));
    assert_eq!(state(&app, &account, a).await, "ringing");
    app.clock.set(T + 130);
    send(&app, &account, fact("1001", a, "missed", "9811100102")).await;
    assert_eq!(calls_of(&app, &account, "9811100102").await, vec![("1001".into(), "missed".into(), 0)]);
    assert_eq!(calls_of(&app, &account, "9811100101").await, vec![("1001".into(), "answered".into(), 60)]);
    // A restarted PBX numbers calls from 7 again within the day.
    app.clock.set(T + 200);
    for event in ["offered", "answered"] {
        send(&app, &account, fact("7", a, event, "9811100103")).await;
    }
    app.clock.set(T + 220);
    send(&app, &account, fact("7", a, "ended", "9811100103")).await;
    app.clock.set(T + 300);
    assert_eq!(send(&app, &account, fact("7", a, "offered", "9811100104")).await, (1, 0));
    app.clock.set(T + 301);
    assert_eq!(send(&app, &account, fact("7", a, "answered", "9811100104")).await, (1, 0));
    app.clock.set(T + 311);
    assert_eq!(send(&app, &account, fact("7", a, "ended", "9811100104")).await, (1, 0));
    assert_eq!(calls_of(&app, &account, "9811100103").await, vec![("7".into(), "answered".into(), 20)]);
    assert_eq!(calls_of(&app, &account, "9811100104").await, vec![("7".into(), "answered".into(), 10)]);
    let c = counters(&app, &account, a).await;
    assert_eq!((c["calls"].clone(), c["answered"].clone(), c["missed"].clone()), (json!(3), json!(2), json!(1)), "{c}");
});

backend_test!(routing_offers_a_call_again_to_the_agent_who_missed_it_once_nobody_else_is_left, |app| {
    let (account, a, _) = floor(&app).await;
    let group = app.group(&account, "Solo").await;
    let mapping = creds(&account, json!({"agentId": a, "group": {group.to_string(): {"receive_call": "Y"}}}));
    assert_eq!(app.post("/api/v2/Agent/updateAgentGroupMapping", &mapping).await.json()["status"], "success");
    let ask = creds(&account, json!({"callId": "q1", "groupId": group, "callerNumber": "9811100101"}));
    let offered =
        |reply: &Value| reply["agents"].as_array().unwrap().iter().map(|a| a["agentId"].clone()).collect::<Vec<_>>();
    app.clock.set(T + 10);
    assert_eq!(offered(&app.post("/api/v2/callRoute", &ask).await.json()), vec![json!(a)]);
    app.clock.set(T + 30);
    send(&app, &account, fact("q1", a, "missed", "9811100101")).await;
    // Not rung again at once (app_queue's retry: 5 s)…
    app.clock.set(T + 31);
    let resting = app.post("/api/v2/callRoute", &ask).await.json();
    assert_eq!((offered(&resting), resting["queued"].clone()), (vec![], json!(1)), "{resting}");
    // … but nobody else is in the group: the caller waits for Asha, who rings again.
    app.clock.set(T + 35);
    let again = app.post("/api/v2/callRoute", &ask).await.json();
    assert_eq!(offered(&again), vec![json!(a)], "{again}");
    assert_eq!(state(&app, &account, a).await, "ringing");
    // The telephony's facts need not repeat the caller: the call is found
    // by its number with all of them.
    app.clock.set(T + 36);
    let answered = json!({"callId": "q1", "agentId": a, "event": "answered"});
    assert_eq!(send(&app, &account, answered).await, (1, 0));
    assert_eq!(state(&app, &account, a).await, "on_call");
    app.clock.set(T + 46);
    assert_eq!(send(&app, &account, json!({"callId": "q1", "agentId": a, "event": "ended"})).await, (1, 0));
    assert_eq!(calls_of(&app, &account, "9811100101").await, vec![("q1".into(), "answered".into(), 10)]);
});

backend_test!(rings_told_in_batches_with_their_times_are_rings_and_a_clock_a_little_behind_is_not_a_late_fact, |app| {
    let (account, a, _) = floor(&app).await;
    let timed = |call: &str, event: &str, at: i64| json!({"callId": call, "agentId": a, "event": event, "callerNumber": "9811100101", "time": at});
    let batch = |events: Vec<Value>| {
        let mut body = json!({"events": events});
        body["userId"] = json!(account.user_id);
        body["token"] = json!(account.token);
        body.to_string()
    };
    app.clock.set(T + 200);
    let first = app
        .post(CALL_EVENT, &batch(vec![timed("b1", "offered", T + 100), timed("b1", "missed", T + 120)]))
        .await
        .json();
    assert_eq!(first["accepted"], 2, "{first}");
    // The queue rings Asha again; the telephony tells the ring in one batch.
    let again = app
        .post(CALL_EVENT, &batch(vec![timed("b1", "offered", T + 130), timed("b1", "answered", T + 131)]))
        .await
        .json();
    assert_eq!(again["accepted"], 2, "a new ring, not a retry: {again}");
    assert_eq!(state(&app, &account, a).await, "on_call");
    // The same batch sent again is a retry.
    let retry = app
        .post(CALL_EVENT, &batch(vec![timed("b1", "offered", T + 130), timed("b1", "answered", T + 131)]))
        .await
        .json();
    assert_eq!(retry["duplicates"], 2, "{retry}");
    // A hang-up the telephony times a second before the ring it ends (its
    // clock a little behind ours) ends that ring, not the earlier one.
    let ended = app.post(CALL_EVENT, &batch(vec![timed("b1", "ended", T + 129)])).await.json();
    assert_eq!(ended["accepted"], 1, "{ended}");
    assert_eq!(state(&app, &account, a).await, "wrap_up");
});

backend_test!(a_call_missed_while_the_agent_was_offline_can_still_be_routed_to_it, |app| {
    let (account, a, _) = floor(&app).await;
    // A PBX reports a miss for Asha while agentdesk has her offline.
    let out = app.post("/api/v2/Supervisor/logout", &creds(&account, json!({"agentId": a}))).await.json();
    assert_eq!(out["status"], "success", "{out}");
    app.clock.set(T + 10);
    assert_eq!(send(&app, &account, fact("m1", a, "missed", "9811100101")).await, (1, 0));
    app.login("asha@example.com", "pass-word-1").await;
    let group = app.group(&account, "Solo").await;
    let mapping = creds(&account, json!({"agentId": a, "group": {group.to_string(): {"receive_call": "Y"}}}));
    app.post("/api/v2/Agent/updateAgentGroupMapping", &mapping).await;
    app.clock.set(T + 20);
    let ask = creds(&account, json!({"callId": "m1", "groupId": group}));
    let reply = app.post("/api/v2/callRoute", &ask).await.json();
    assert_eq!(reply["agents"][0]["agentId"], a, "{reply}");
    assert_eq!(state(&app, &account, a).await, "ringing");
    // Her leaving now misses the ring without a clash in the log.
    let out = app.post("/api/v2/Supervisor/logout", &creds(&account, json!({"agentId": a}))).await.json();
    assert_eq!(out["status"], "success", "{out}");
});
