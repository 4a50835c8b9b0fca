//! What a real PBX sends that the happy path never does (issue 25): a
//! supervisor's logout while the phone rings, then the answer; a group
//! deleted during a call, then the hang-up naming it; a call answered
//! before the account's midnight and ended after it; a PBX whose clock runs
//! minutes slow or fast. Live state, counters, `recentCalls` and the
//! timeline must give the same call every time.

mod common;

use common::{Account, TestApp, error_body};
use serde_json::{Value, json};

const CALL_EVENT: &str = "/api/v2/callEvent";

/// 2026-11-23 10:00 UTC (the account's days are UTC days).
const T: i64 = 1_795_428_000;
/// 2026-11-24 00:00 UTC.
const MIDNIGHT: i64 = 1_795_478_400;

async fn post(app: &TestApp, account: &Account, path: &str, fields: Value) -> Value {
    let mut body = fields;
    body["userId"] = json!(account.user_id);
    body["token"] = json!(account.token);
    app.post(path, &body.to_string()).await.json()
}

/// One fact, accepted.
async fn event(app: &TestApp, account: &Account, fields: Value) {
    let reply = post(app, account, CALL_EVENT, fields.clone()).await;
    assert_eq!(reply["accepted"], 1, "{fields}: {reply}");
}

async fn live(app: &TestApp, account: &Account, agent: i64) -> Value {
    post(app, account, "/api/v2/Agent/live", json!({"agentId": agent})).await["response"][0].clone()
}

/// `(calls, answered, missed, talkTime)` of the agent's day (today when `date` is null).
async fn counted(app: &TestApp, account: &Account, agent: i64, date: Value) -> (Value, Value, Value, Value) {
    let mut asked = json!({"agentId": agent});
    if !date.is_null() {
        asked["date"] = date;
    }
    let c = post(app, account, "/api/v2/agentDashboard/counters", asked).await["message"].clone();
    (c["calls"].clone(), c["answered"].clone(), c["missed"].clone(), c["talkTime"].clone())
}

/// `(status, duration)` of the caller's newest call.
async fn recent(app: &TestApp, account: &Account) -> (Value, Value) {
    let r = post(app, account, "/api/v2/agentDashboard/recentCalls", json!({"callerNumber": "9811100101"})).await;
    (r["message"][0]["status"].clone(), r["message"][0]["duration"].clone())
}

/// The agent's timeline kinds (agent events) of today.
async fn kinds(app: &TestApp, account: &Account, agent: i64) -> Vec<Value> {
    let asked = json!({"filter": [{"key": "agentId", "value": agent.to_string()}]});
    let day = post(app, account, "/api/v2/Agent/timeLine", asked).await;
    day["agEvent"].as_array().unwrap().iter().map(|e| e["event"].clone()).collect()
}

async fn asha(app: &TestApp, at: i64) -> (Account, i64, String) {
    app.clock.set(at);
    let account = app.account().await;
    let agent = app.agent(&account, r#""name":"Asha Rao","email":"asha@example.com","password":"pass-word-1""#).await;
    let ssid = app.login("asha@example.com", "pass-word-1").await;
    (account, agent, ssid)
}

fn fact(call: &str, agent: i64, kind: &str) -> Value {
    json!({"callId": call, "agentId": agent, "event": kind, "callerNumber": "9811100101"})
}

backend_test!(a_supervisor_logout_while_the_phone_rings_then_the_answer_is_a_talk_and_then_offline, |app| {
    let (account, a, ssid) = asha(&app, T).await;
    app.clock.set(T + 10);
    event(&app, &account, fact("c1", a, "offered")).await;
    app.clock.set(T + 12);
    let out = post(&app, &account, "/api/v2/Supervisor/logout", json!({"agentId": a})).await;
    assert_eq!(out["status"], "success", "{out}");
    // Her sessions end at once; her phone still rings: she may be picking up.
    let gone = app.post("/api/v2/agentProfile/agentOnBreak", &json!({"ssid": ssid}).to_string()).await.json();
    assert_eq!(gone["code"], 1014, "{gone}");
    assert_eq!(live(&app, &account, a).await["state"], "ringing");
    // She did: the answer is a talk like any other (it was lost before:
    // offline while talking, the call missed, the talk 0 s).
    app.clock.set(T + 14);
    event(&app, &account, fact("c1", a, "answered")).await;
    assert_eq!(live(&app, &account, a).await["state"], "on_call");
    assert_eq!(recent(&app, &account).await, (json!("in_progress"), json!(0)));
    app.clock.set(T + 44);
    event(&app, &account, fact("c1", a, "ended")).await;
    let row = live(&app, &account, a).await;
    assert_eq!((row["state"].clone(), row["wrapETime"].clone()), (json!("offline"), Value::Null), "{row}");
    assert_eq!(recent(&app, &account).await, (json!("answered"), json!(30)));
    assert_eq!(counted(&app, &account, a, Value::Null).await, (json!(1), json!(1), json!(0), json!(30)));
    assert_eq!(kinds(&app, &account, a).await, [json!("login"), json!("logout_queued"), json!("logout")]);
    // Asked again while it waits, the logout is at once (the hang-up may never come).
    let ssid = app.login("asha@example.com", "pass-word-1").await;
    assert!(!ssid.is_empty());
    app.clock.set(T + 50);
    event(&app, &account, fact("c2", a, "offered")).await;
    post(&app, &account, "/api/v2/Supervisor/logout", json!({"agentId": a})).await;
    assert_eq!(live(&app, &account, a).await["state"], "ringing");
    post(&app, &account, "/api/v2/Supervisor/logout", json!({"agentId": a})).await;
    assert_eq!(live(&app, &account, a).await["state"], "offline");
});

backend_test!(a_group_deleted_during_a_call_does_not_stop_its_hang_up, |app| {
    let (account, a, _) = asha(&app, T).await;
    let billing = post(&app, &account, "/api/v2/Group/add", json!({"name": "Billing", "wrapUpTime": 5})).await;
    let g = billing["groupId"].as_i64().unwrap_or_else(|| panic!("{billing}"));
    app.clock.set(T + 10);
    let mut offered = fact("c1", a, "offered");
    offered["groupId"] = json!(g);
    event(&app, &account, offered).await;
    event(&app, &account, json!({"callId": "c1", "agentId": a, "event": "answered", "groupId": g})).await;
    let deleted = post(&app, &account, "/api/v2/Group/delete", json!({"groupId": g})).await;
    assert_eq!(deleted["status"], "success", "{deleted}");
    // The hang-up still names it: taken (it was 1509, and she stayed on_call
    // for ever); its wrap-up went with the group, the account's applies.
    app.clock.set(T + 40);
    event(&app, &account, json!({"callId": "c1", "agentId": a, "event": "ended", "groupId": g})).await;
    let row = live(&app, &account, a).await;
    assert_eq!((row["state"].clone(), row["wrapETime"].clone()), (json!("wrap_up"), json!(T + 40 + 30)), "{row}");
    assert_eq!(recent(&app, &account).await, (json!("answered"), json!(30)));
    // A new call naming it is refused: the group is gone.
    let mut new_call = fact("c2", a, "offered");
    new_call["groupId"] = json!(g);
    let reply = post(&app, &account, CALL_EVENT, new_call).await;
    assert_eq!(reply.to_string(), error_body(1509, "Invalid groupId"));
});

backend_test!(a_call_across_midnight_is_counted_on_the_day_it_rang_and_its_talk_on_both, |app| {
    let (account, a, _) = asha(&app, MIDNIGHT - 3600).await;
    app.clock.set(MIDNIGHT - 40);
    event(&app, &account, fact("c1", a, "offered")).await;
    app.clock.set(MIDNIGHT - 30);
    event(&app, &account, fact("c1", a, "answered")).await;
    app.clock.set(MIDNIGHT + 30);
    event(&app, &account, fact("c1", a, "ended")).await;
    // One call of 60 s: counted on the 23rd, its talk split at midnight. The
    // 24th counted it again, as missed (it held an `ended` and no answer).
    assert_eq!(recent(&app, &account).await, (json!("answered"), json!(60)));
    assert_eq!(counted(&app, &account, a, json!("2026-11-23")).await, (json!(1), json!(1), json!(0), json!(30)));
    assert_eq!(counted(&app, &account, a, Value::Null).await, (json!(0), json!(0), json!(0), json!(30)));
    // A call that rings after midnight is the 24th's.
    app.clock.set(MIDNIGHT + 100);
    event(&app, &account, fact("c2", a, "offered")).await;
    event(&app, &account, fact("c2", a, "missed")).await;
    assert_eq!(counted(&app, &account, a, Value::Null).await, (json!(1), json!(0), json!(1), json!(30)));
});

backend_test!(a_pbx_clock_minutes_slow_or_fast_gives_true_times_when_it_sends_sent_at, |app| {
    let (account, a, _) = asha(&app, T).await;
    // A PBX 3 minutes slow, then one 10 minutes fast: each says its clock.
    for (n, skew) in [-180i64, 600].into_iter().enumerate() {
        let base = T + 1000 * (n as i64 + 1);
        let call = format!("c{n}");
        for (after, kind) in [(0, "offered"), (10, "answered"), (40, "ended")] {
            app.clock.set(base + after);
            let pbx = base + after + skew;
            let mut f = fact(&call, a, kind);
            f["time"] = json!(pbx);
            f["sentAt"] = json!(pbx);
            event(&app, &account, f).await;
            if kind == "answered" {
                let row = live(&app, &account, a).await;
                assert_eq!((row["state"].clone(), row["since"].clone()), (json!("on_call"), json!(base + 10)), "{row}");
            }
        }
        let row = live(&app, &account, a).await;
        let wrap = (row["state"].clone(), row["since"].clone(), row["wrapETime"].clone());
        assert_eq!(wrap, (json!("wrap_up"), json!(base + 40), json!(base + 70)), "skew {skew}: {row}");
        assert_eq!(recent(&app, &account).await, (json!("answered"), json!(30)), "skew {skew}");
        app.clock.set(base + 100);
        app.step().await;
    }
    assert_eq!(counted(&app, &account, a, Value::Null).await, (json!(2), json!(2), json!(0), json!(60)));
    // A clock in step, its requests read a second apart by rounding (built
    // at x.99, taken at x+1.01): no correction, the talk is the PBX's 31 s.
    let base = T + 4000;
    for (now, at, kind) in [(base, base, "offered"), (base + 10, base + 9, "answered"), (base + 40, base + 40, "ended")]
    {
        app.clock.set(now);
        let mut f = fact("c8", a, kind);
        f["time"] = json!(at);
        f["sentAt"] = json!(at);
        event(&app, &account, f).await;
    }
    assert_eq!(recent(&app, &account).await, (json!("answered"), json!(31)));
    app.clock.set(base + 100);
    app.step().await;
    // Without `sentAt`, a batch timed ahead moves back whole: its talk stays 30 s.
    app.clock.set(T + 5000);
    let ahead = T + 5000 + 600;
    let batch: Vec<Value> = [(0, "offered"), (10, "answered"), (40, "ended")]
        .into_iter()
        .map(|(after, kind)| {
            let mut f = fact("c9", a, kind);
            f["time"] = json!(ahead - 40 + after);
            f
        })
        .collect();
    let reply = post(&app, &account, CALL_EVENT, json!({"events": batch})).await;
    assert_eq!(reply["accepted"], 3, "{reply}");
    assert_eq!(recent(&app, &account).await, (json!("answered"), json!(30)));
    assert_eq!(live(&app, &account, a).await["wrapETime"], json!(T + 5000 + 30));
    // A `sentAt` that is not Unix seconds refuses the request.
    for wrong in [json!("now"), json!(0), json!(-5), json!(1.5), json!({})] {
        let mut f = fact("c10", a, "offered");
        f["sentAt"] = wrong.clone();
        let reply = post(&app, &account, CALL_EVENT, f).await;
        assert_eq!(reply.to_string(), error_body(1511, "Invalid sentAt"), "{wrong}");
        let reply =
            post(&app, &account, CALL_EVENT, json!({"events": [fact("c10", a, "offered")], "sentAt": wrong})).await;
        assert_eq!(reply.to_string(), error_body(1511, "Invalid sentAt"), "{wrong}");
    }
});

backend_test!(a_call_ringing_two_devices_of_one_agent_ends_with_the_device_that_answered, |app| {
    let (account, a, _) = asha(&app, T).await;
    let on = |kind: &str, device: &str| {
        let mut f = fact("c1", a, kind);
        f["device"] = json!(device);
        f
    };
    // The registrar forks to her desk phone and her softphone.
    app.clock.set(T + 10);
    let both =
        post(&app, &account, CALL_EVENT, json!({"events": [on("offered", "desk"), on("offered", "soft")]})).await;
    assert_eq!(both["accepted"], 2, "each device's ring is a fact: {both}");
    // The desk phone gives up (busy): the softphone still rings.
    event(&app, &account, on("missed", "desk")).await;
    assert_eq!(live(&app, &account, a).await["state"], "ringing");
    // She answers on the softphone; the desk phone's cancellation arrives as
    // `ended` (it put her in wrap-up while she talked).
    app.clock.set(T + 15);
    event(&app, &account, on("answered", "soft")).await;
    event(&app, &account, on("ended", "desk")).await;
    assert_eq!(live(&app, &account, a).await["state"], "on_call");
    app.clock.set(T + 75);
    event(&app, &account, on("ended", "soft")).await;
    let row = live(&app, &account, a).await;
    assert_eq!((row["state"].clone(), row["wrapETime"].clone()), (json!("wrap_up"), json!(T + 105)), "{row}");
    assert_eq!(recent(&app, &account).await, (json!("answered"), json!(60)));
    assert_eq!(counted(&app, &account, a, Value::Null).await, (json!(1), json!(1), json!(0), json!(60)));
    // Each device's fact is kept once: the same again are duplicates.
    let again = post(&app, &account, CALL_EVENT, json!({"events": [on("ended", "desk"), on("ended", "soft")]})).await;
    assert_eq!((again["accepted"].clone(), again["duplicates"].clone()), (json!(0), json!(2)), "{again}");
    // Unanswered on both: missed when the last one stops ringing.
    app.clock.set(T + 200);
    let ring = |kind: &str, device: &str| {
        let mut f = fact("c2", a, kind);
        f["device"] = json!(device);
        f
    };
    post(&app, &account, CALL_EVENT, json!({"events": [ring("offered", "desk"), ring("offered", "soft")]})).await;
    event(&app, &account, ring("missed", "soft")).await;
    assert_eq!(live(&app, &account, a).await["state"], "ringing");
    event(&app, &account, ring("missed", "desk")).await;
    assert_eq!(live(&app, &account, a).await["state"], "available");
    assert_eq!(counted(&app, &account, a, Value::Null).await, (json!(2), json!(1), json!(1), json!(60)));
    // A device that is not a short text is refused.
    for wrong in [json!(""), json!({}), json!(true), json!("x".repeat(129))] {
        let mut f = fact("c3", a, "offered");
        f["device"] = wrong.clone();
        let reply = post(&app, &account, CALL_EVENT, f).await;
        assert_eq!(reply.to_string(), error_body(1512, "Invalid device"), "{wrong}");
    }
});
