//! Calls as real telephony sends them: one leg per agent offered a call
//! (ring-all), several legs per agent (a consult while the customer holds),
//! answers racing the ring timeout, the same facts in any order — and the
//! chosen states that outlive calls and heartbeat gaps. Each case is checked
//! through `Agent/live`, `Agent/timeLine`, `recentCalls` and `counters`.

mod common;

use common::{Account, TestApp};
use serde_json::{Value, json};

const CALL_EVENT: &str = "/api/v2/callEvent";
const LIVE: &str = "/api/v2/Agent/live";
const TIMELINE: &str = "/api/v2/Agent/timeLine";
const RECENT: &str = "/api/v2/agentDashboard/recentCalls";
const COUNTERS: &str = "/api/v2/agentDashboard/counters";
const PING: &str = "/api/v2/agentProfile/setWebPingTime";
const BREAK_START: &str = "/api/v2/agentProfile/breakStart";
const BREAK_END: &str = "/api/v2/agentProfile/breakEnd";

/// 2026-11-23 10:00 UTC; accounts count their days in UTC unless told otherwise.
const T0: i64 = 1_795_392_000 + 10 * 3600;

fn with_creds(account: &Account, fields: &str) -> String {
    format!("{{{},{fields}}}", account.creds())
}

/// One fact about `agent`'s leg of `call`, at `time` (omitted: now).
fn fact(call: &str, event: &str, agent: i64, time: Option<i64>) -> Value {
    let mut e = json!({"callId":call,"event":event,"agentId":agent,"callerNumber":"9876543210"});
    if let Some(t) = time {
        e["time"] = json!(t);
    }
    if call.starts_with("out") {
        e["direction"] = json!("outbound");
    }
    e
}

async fn send(app: &TestApp, account: &Account, events: &[Value]) {
    let body = json!({"userId":account.user_id,"token":account.token,"events":events}).to_string();
    let reply = app.post(CALL_EVENT, &body).await.json();
    assert_eq!(reply["accepted"], events.len(), "{reply}");
}

/// An agent with a session, logged in now.
async fn agent(app: &TestApp, account: &Account, name: &str, email: &str) -> (i64, String) {
    let id = app.agent(account, &format!(r#""name":"{name}","email":"{email}","password":"pass-word-1""#)).await;
    (id, app.login(email, "pass-word-1").await)
}

async fn live(app: &TestApp, account: &Account, agent: i64) -> Value {
    let reply = app.post(LIVE, &with_creds(account, &format!(r#""agentId":{agent}"#))).await.json();
    reply["response"][0].clone()
}

/// `(state, since, current call id, wrapETime)` of the agent's live entry.
async fn where_is(app: &TestApp, account: &Account, agent: i64) -> (Value, Value, Value, Value) {
    let l = live(app, account, agent).await;
    (l["state"].clone(), l["since"].clone(), l["call"]["callId"].clone(), l["wrapETime"].clone())
}

fn at(state: &str, since: i64, call: Option<&str>, wrap_until: Option<i64>) -> (Value, Value, Value, Value) {
    (json!(state), json!(since), json!(call), json!(wrap_until))
}

/// `(callId, status, agentId, time, duration)` of each call of the number, newest first.
async fn recent(app: &TestApp, account: &Account) -> Vec<(String, String, i64, i64, i64)> {
    let reply = app.post(RECENT, &with_creds(account, r#""callerNumber":"9876543210""#)).await.json();
    reply["message"]
        .as_array()
        .unwrap_or_else(|| panic!("{reply}"))
        .iter()
        .map(|c| {
            let s = |k: &str| c[k].as_str().unwrap().to_string();
            let n = |k: &str| c[k].as_i64().unwrap();
            (s("callId"), s("status"), n("agentId"), n("time"), n("duration"))
        })
        .collect()
}

fn call(id: &str, status: &str, agent: i64, time: i64, duration: i64) -> (String, String, i64, i64, i64) {
    (id.to_string(), status.to_string(), agent, time, duration)
}

/// The agent's counters for today.
async fn counters(app: &TestApp, account: &Account, agent: i64) -> Value {
    let reply = app.post(COUNTERS, &with_creds(account, &format!(r#""agentId":{agent}"#))).await.json();
    reply["message"].clone()
}

/// `(calls, answered, missed)` of the agent's counters.
async fn call_counts(app: &TestApp, account: &Account, agent: i64) -> (Value, Value, Value) {
    let c = counters(app, account, agent).await;
    (c["calls"].clone(), c["answered"].clone(), c["missed"].clone())
}

/// The agent's intervals today, as `(state, start, end, reason)`.
async fn intervals(app: &TestApp, account: &Account, agent: i64) -> Vec<(String, i64, i64, Option<String>)> {
    let body = with_creds(account, &format!(r#""filter":[{{"key":"agentId","value":"{agent}"}}]"#));
    let reply = app.post(TIMELINE, &body).await.json();
    reply["data"][agent.to_string()]
        .as_array()
        .unwrap_or_else(|| panic!("{reply}"))
        .iter()
        .map(|i| {
            (
                i["state"].as_str().unwrap().to_string(),
                i["start"].as_i64().unwrap(),
                i["end"].as_i64().unwrap(),
                i["reason"].as_str().map(str::to_string),
            )
        })
        .collect()
}

fn span(state: &str, start: i64, end: i64, reason: Option<&str>) -> (String, i64, i64, Option<String>) {
    (state.to_string(), start, end, reason.map(str::to_string))
}

backend_test!(the_losers_of_a_ring_all_are_available_at_once_and_missed_it, |app| {
    app.clock.set(T0);
    let account = app.account().await;
    let (asha, _) = agent(&app, &account, "Asha Rao", "asha@example.com").await;
    let (ben, _) = agent(&app, &account, "Ben Okafor", "ben@example.com").await;
    send(&app, &account, &[fact("c1", "offered", asha, None), fact("c1", "offered", ben, None)]).await;
    app.clock.advance(5);
    send(&app, &account, &[fact("c1", "answered", asha, None)]).await;
    app.clock.advance(1);
    // The PBX cancels the other leg with a plain `ended`.
    send(&app, &account, &[fact("c1", "ended", ben, None)]).await;
    assert_eq!(where_is(&app, &account, ben).await, at("available", T0 + 6, None, None));
    assert_eq!(where_is(&app, &account, asha).await, at("on_call", T0 + 5, Some("c1"), None));
    assert_eq!(recent(&app, &account).await, vec![call("c1", "in_progress", asha, T0, 1)]);
    app.clock.advance(54);
    send(&app, &account, &[fact("c1", "ended", asha, None)]).await;
    assert_eq!(where_is(&app, &account, asha).await, at("wrap_up", T0 + 60, None, Some(T0 + 90)));
    assert_eq!(recent(&app, &account).await, vec![call("c1", "answered", asha, T0, 55)]);
    assert_eq!(call_counts(&app, &account, ben).await, (json!(1), json!(0), json!(1)));
    assert_eq!(call_counts(&app, &account, asha).await, (json!(1), json!(1), json!(0)));
    assert_eq!(
        intervals(&app, &account, ben).await,
        vec![
            span("offline", T0 - 36_000, T0, None),
            span("ringing", T0, T0 + 6, None),
            span("available", T0 + 6, T0 + 60, None),
        ],
        "logged in and rung in the same second; no wrap-up for a leg the agent never talked on"
    );
});

backend_test!(a_consult_call_keeps_the_agent_on_the_phone_until_its_last_leg_ends, |app| {
    app.clock.set(T0);
    let account = app.account().await;
    let (asha, _) = agent(&app, &account, "Asha Rao", "asha@example.com").await;
    send(&app, &account, &[fact("in-1", "offered", asha, None)]).await;
    app.clock.advance(2);
    send(&app, &account, &[fact("in-1", "answered", asha, None)]).await;
    app.clock.advance(20);
    send(&app, &account, &[fact("out-1", "offered", asha, None)]).await;
    assert_eq!(where_is(&app, &account, asha).await, at("on_call", T0 + 2, Some("in-1"), None));
    app.clock.advance(3);
    send(&app, &account, &[fact("out-1", "answered", asha, None)]).await;
    assert_eq!(where_is(&app, &account, asha).await, at("on_call", T0 + 2, Some("out-1"), None));
    app.clock.advance(15);
    send(&app, &account, &[fact("in-1", "ended", asha, None)]).await;
    assert_eq!(where_is(&app, &account, asha).await, at("on_call", T0 + 2, Some("out-1"), None));
    // The agent talks on out-1 a while longer: no wrap-up for in-1 meanwhile.
    app.clock.advance(40);
    app.step().await;
    assert_eq!(where_is(&app, &account, asha).await, at("on_call", T0 + 2, Some("out-1"), None));
    send(&app, &account, &[fact("out-1", "ended", asha, None)]).await;
    assert_eq!(where_is(&app, &account, asha).await, at("wrap_up", T0 + 80, None, Some(T0 + 110)));
    assert_eq!(counters(&app, &account, asha).await["talkTime"], 78);
    assert_eq!(call_counts(&app, &account, asha).await, (json!(2), json!(2), json!(0)));
});

backend_test!(an_answer_that_raced_the_ring_timeout_is_applied, |app| {
    app.clock.set(T0);
    let account = app.account().await;
    let (asha, _) = agent(&app, &account, "Asha Rao", "asha@example.com").await;
    send(&app, &account, &[fact("c1", "offered", asha, Some(T0))]).await;
    app.clock.advance(20);
    send(&app, &account, &[fact("c1", "missed", asha, Some(T0 + 20))]).await;
    assert_eq!(where_is(&app, &account, asha).await, at("available", T0 + 20, None, None));
    assert_eq!(recent(&app, &account).await, vec![call("c1", "missed", asha, T0, 0)]);
    app.clock.advance(1);
    send(&app, &account, &[fact("c1", "answered", asha, Some(T0 + 19))]).await;
    assert_eq!(where_is(&app, &account, asha).await, at("on_call", T0 + 20, Some("c1"), None));
    assert_eq!(live(&app, &account, asha).await["call"]["since"], T0 + 19, "talk counts from the answer");
    assert_eq!(recent(&app, &account).await, vec![call("c1", "in_progress", asha, T0, 2)]);
    app.clock.advance(60);
    send(&app, &account, &[fact("c1", "ended", asha, None)]).await;
    assert_eq!(where_is(&app, &account, asha).await, at("wrap_up", T0 + 81, None, Some(T0 + 111)));
    assert_eq!(recent(&app, &account).await, vec![call("c1", "answered", asha, T0, 62)]);
    assert_eq!(call_counts(&app, &account, asha).await, (json!(1), json!(1), json!(0)));
    // The timeline shows when the log learnt of the answer, and the time the telephony gave.
    let events = app.post(TIMELINE, &format!("{{{}}}", account.creds())).await.json()["event"].clone();
    let answered = events.as_array().unwrap().iter().find(|e| e["event"] == "answered").unwrap().clone();
    assert_eq!((answered["time"].clone(), answered["reportedTime"].clone()), (json!(T0 + 20), json!(T0 + 19)));
});

backend_test!(a_break_and_its_start_survive_a_heartbeat_gap, |app| {
    app.clock.set(T0);
    let account = app.account().await;
    let settings = with_creds(&account, r#""staleAfter":5,"offlineAfter":10"#);
    assert_eq!(app.post("/api/v2/Account/settings", &settings).await.json()["status"], "success");
    let (asha, ssid) = agent(&app, &account, "Asha Rao", "asha@example.com").await;
    let ping = format!(r#"{{"ssid":"{ssid}","mic_perm":1}}"#);
    app.post(PING, &ping).await;
    app.post(BREAK_START, &format!(r#"{{"ssid":"{ssid}","reason":"Lunch"}}"#)).await;
    for _ in 0..12 {
        app.clock.advance(1);
        app.step().await;
    }
    assert_eq!(where_is(&app, &account, asha).await, at("offline", T0 + 10, None, None));
    assert_eq!(live(&app, &account, asha).await["breakDetail"]["start"], T0, "the gap is shown over the kept break");
    app.post(PING, &ping).await;
    let now = live(&app, &account, asha).await;
    assert_eq!((now["state"].clone(), now["since"].clone()), (json!("break"), json!(T0 + 12)));
    assert_eq!(now["breakDetail"], json!({"reason":"Lunch","start":T0,"elapsed":12,"maxDuration":1800,"overrun":0}));
    assert_eq!(
        intervals(&app, &account, asha).await,
        vec![
            span("offline", T0 - 36_000, T0, None),
            span("break", T0, T0 + 5, Some("Lunch")),
            span("stale", T0 + 5, T0 + 10, None),
            span("offline", T0 + 10, T0 + 12, Some("ping_lost")),
        ],
        "the returned break starts now: the day so far ends here"
    );
});

backend_test!(two_breaks_with_different_reasons_are_two_intervals, |app| {
    app.clock.set(T0);
    let account = app.account().await;
    let (asha, ssid) = agent(&app, &account, "Asha Rao", "asha@example.com").await;
    let start = |reason: &str| format!(r#"{{"ssid":"{ssid}","reason":"{reason}"}}"#);
    let end = format!(r#"{{"ssid":"{ssid}"}}"#);
    app.post(BREAK_START, &start("Tea")).await;
    app.clock.advance(2);
    app.post(BREAK_END, &end).await;
    app.post(BREAK_START, &start("Lunch")).await;
    app.clock.advance(2);
    app.post(BREAK_END, &end).await;
    app.clock.advance(1);
    // Switching from one reason to another in one request: no moment available.
    app.post(BREAK_START, &start("Tea")).await;
    app.clock.advance(3);
    app.post(BREAK_START, &start("Lunch")).await;
    app.clock.advance(1);
    assert_eq!(
        intervals(&app, &account, asha).await,
        vec![
            span("offline", T0 - 36_000, T0, None),
            span("break", T0, T0 + 2, Some("Tea")),
            span("break", T0 + 2, T0 + 4, Some("Lunch")),
            span("available", T0 + 4, T0 + 5, None),
            span("break", T0 + 5, T0 + 8, Some("Tea")),
            span("break", T0 + 8, T0 + 9, Some("Lunch")),
        ]
    );
    assert_eq!(counters(&app, &account, asha).await["breakTime"], 8);
});

backend_test!(a_call_taken_during_a_break_is_talk_and_the_break_goes_on_after_it, |app| {
    app.clock.set(T0);
    let account = app.account().await;
    let (asha, ssid) = agent(&app, &account, "Asha Rao", "asha@example.com").await;
    app.post(BREAK_START, &format!(r#"{{"ssid":"{ssid}","reason":"Training"}}"#)).await;
    app.clock.advance(10);
    send(&app, &account, &[fact("out-1", "answered", asha, None)]).await;
    assert_eq!(where_is(&app, &account, asha).await, at("on_call", T0 + 10, Some("out-1"), None));
    app.clock.advance(30);
    send(&app, &account, &[fact("out-1", "ended", asha, None)]).await;
    assert_eq!(where_is(&app, &account, asha).await, at("break", T0 + 40, None, None));
    assert_eq!(live(&app, &account, asha).await["breakDetail"]["start"], T0);
    let c = counters(&app, &account, asha).await;
    assert_eq!(
        (c["talkTime"].clone(), c["breakTime"].clone(), c["answered"].clone()),
        (json!(30), json!(10), json!(1))
    );
});

backend_test!(a_call_offered_to_an_agent_who_cannot_be_rung_never_shows_as_ringing, |app| {
    app.clock.set(T0);
    let account = app.account().await;
    let (asha, ssid) = agent(&app, &account, "Asha Rao", "asha@example.com").await;
    let ben = app.agent(&account, r#""name":"Ben Okafor","email":"ben@example.com""#).await;
    // Ben never logged in: the offer is recorded, the call is missed at once.
    send(&app, &account, &[fact("c1", "offered", ben, None)]).await;
    assert_eq!(where_is(&app, &account, ben).await.0, "offline");
    assert_eq!(recent(&app, &account).await, vec![call("c1", "missed", ben, T0, 0)]);
    // Asha logs out while c2 rings for her: she may be picking up, so the
    // ring goes on (at most 60 s); nobody answering, her leg is missed and
    // she goes.
    app.clock.advance(10);
    send(&app, &account, &[fact("c2", "offered", asha, None)]).await;
    assert_eq!(recent(&app, &account).await[0], call("c2", "ringing", asha, T0 + 10, 0));
    app.clock.advance(2);
    app.post("/api/v2/auth/logout", &format!(r#"{{"ssid":"{ssid}"}}"#)).await;
    assert_eq!(where_is(&app, &account, asha).await.0, "ringing");
    app.clock.advance(59);
    app.step().await;
    assert_eq!(recent(&app, &account).await[0], call("c2", "ringing", asha, T0 + 10, 0));
    app.clock.advance(1);
    app.step().await;
    assert_eq!(where_is(&app, &account, asha).await.0, "offline");
    assert_eq!(recent(&app, &account).await[0], call("c2", "missed", asha, T0 + 10, 0));
    let events = app.post(TIMELINE, &format!("{{{}}}", account.creds())).await.json()["event"].clone();
    let left = events.as_array().unwrap().iter().find(|e| e["event"] == "missed").unwrap().clone();
    assert_eq!(
        (left["actor"].clone(), left["reason"].clone(), left["time"].clone()),
        (json!("system"), json!("agent_left"), json!(T0 + 72))
    );
    assert_eq!(call_counts(&app, &account, asha).await, (json!(1), json!(0), json!(1)));
    // The telephony's own `missed`, arriving later, is a duplicate of that fact.
    let reply = app
        .post(
            CALL_EVENT,
            &json!({"userId":account.user_id,"token":account.token,"events":[fact("c2", "missed", asha, None)]})
                .to_string(),
        )
        .await
        .json();
    assert_eq!((reply["accepted"].clone(), reply["duplicates"].clone()), (json!(0), json!(1)));
});

// ---- the same facts in any order ----

/// A small deterministic generator for the orders (xorshift).
struct Orders(u64);

impl Orders {
    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            items.swap(i, (self.0 % (i as u64 + 1)) as usize);
        }
    }
}

/// One morning's facts for agents a, b, c (all times given): a ring-all
/// call c1 that b answers (a's leg missed, c's cancelled); an answer of a's
/// call c2 that raced its ring timeout; b's outbound consult out-1 while on
/// c1; a queue's call c3 that rings c, is missed, rings c again and is
/// answered; and c4, which c transfers to a (who misses it) and takes back.
/// The rings of c3 and c4 are numbered (`attempt`), so they join their
/// rings in any order. Then c5, a withheld caller (`anonymous` on the
/// offer, nothing on the rest) b answers.
fn morning(a: i64, b: i64, c: i64) -> Vec<Value> {
    let t = |s: i64| Some(T0 + s);
    let ring = |call: &str, event: &str, agent: i64, at: i64, attempt: u32| {
        let mut f = fact(call, event, agent, t(at));
        f["attempt"] = json!(attempt);
        f
    };
    vec![
        ring("c3", "offered", c, 110, 0),
        ring("c3", "missed", c, 120, 0),
        ring("c3", "offered", c, 125, 1),
        ring("c3", "answered", c, 126, 1),
        ring("c3", "ended", c, 140, 1),
        ring("c4", "offered", c, 141, 0),
        ring("c4", "answered", c, 141, 0),
        ring("c4", "ended", c, 143, 0),
        ring("c4", "offered", a, 143, 0),
        ring("c4", "missed", a, 150, 0),
        ring("c4", "offered", c, 150, 1),
        ring("c4", "answered", c, 151, 1),
        ring("c4", "ended", c, 154, 1),
        fact("c1", "offered", a, t(10)),
        fact("c1", "offered", b, t(10)),
        fact("c1", "offered", c, t(10)),
        fact("c1", "answered", b, t(15)),
        fact("c1", "missed", a, t(15)),
        fact("c1", "ended", c, t(15)),
        fact("c1", "ended", b, t(75)),
        fact("c2", "offered", a, t(20)),
        fact("c2", "missed", a, t(40)),
        fact("c2", "answered", a, t(39)),
        fact("c2", "ended", a, t(100)),
        fact("out-1", "answered", b, t(30)),
        fact("out-1", "ended", b, t(50)),
        withheld(fact("c5", "offered", b, t(160)), Some("anonymous")),
        withheld(fact("c5", "answered", b, t(162)), None),
        withheld(fact("c5", "ended", b, t(169)), None),
    ]
}

/// The fact with the caller withheld as a PBX writes it (`anonymous`), or left out.
fn withheld(mut fact: Value, written: Option<&str>) -> Value {
    match written {
        Some(w) => fact["callerNumber"] = json!(w),
        None => {
            fact.as_object_mut().unwrap().remove("callerNumber");
        }
    }
    fact
}

/// A fresh account whose agents a, b, c logged in at `T0`, and their morning's facts.
async fn morning_desk(app: &TestApp, round: usize) -> (Account, Vec<(i64, String)>, Vec<Value>) {
    app.clock.set(T0);
    let account = app.account().await;
    let mut agents = Vec::new();
    for name in ["a", "b", "c"] {
        agents.push(agent(app, &account, &format!("Agent {name}"), &format!("{name}{round}@example.com")).await);
    }
    let facts = morning(agents[0].0, agents[1].0, agents[2].0);
    (account, agents, facts)
}

/// The agents' pages ping now, then the background step runs: timed
/// transitions (wrap-up ends) are logged, no heartbeat is lost.
async fn settle(app: &TestApp, agents: &[(i64, String)]) {
    for (_, ssid) in agents {
        app.post(PING, &format!(r#"{{"ssid":"{ssid}","mic_perm":1}}"#)).await;
    }
    app.step().await;
}

/// Everything the views say about the morning once it is over.
async fn outcome(app: &TestApp, account: &Account, agents: &[(i64, String)]) -> Value {
    let mut states = Vec::new();
    for (id, _) in agents {
        let l = live(app, account, *id).await;
        let c = counters(app, account, *id).await;
        states.push(json!({"state":l["state"],"call":l["call"],"wrapETime":l["wrapETime"],
            "calls":c["calls"],"answered":c["answered"],"missed":c["missed"]}));
    }
    let recent: Vec<Value> = recent(app, account).await.into_iter().map(|c| json!([c.0, c.1, c.3, c.4])).collect();
    json!({"agents":states,"recentCalls":recent})
}

backend_test!(the_same_facts_in_any_order_end_the_same_in_every_view, |app| {
    let seed = std::env::var("AGENTDESK_ORDER_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(0x9e37_79b9_7f4a_7c15);
    let mut orders = Orders(seed);
    for round in 0..8 {
        let (account, agents, mut facts) = morning_desk(&app, round).await;
        orders.shuffle(&mut facts);
        // The facts arrive after the morning, one request each, in this order.
        app.clock.set(T0 + 200);
        for f in &facts {
            send(&app, &account, std::slice::from_ref(f)).await;
        }
        settle(&app, &agents).await;
        let got = outcome(&app, &account, &agents).await;
        let expected = json!({
            "agents":[
                {"state":"available","call":null,"wrapETime":null,"calls":3,"answered":1,"missed":2},
                {"state":"available","call":null,"wrapETime":null,"calls":3,"answered":3,"missed":0},
                {"state":"available","call":null,"wrapETime":null,"calls":3,"answered":2,"missed":1}],
            "recentCalls":[["c4","answered",T0 + 141,5],["c3","answered",T0 + 110,14],["out-1","answered",T0 + 30,20],
                ["c2","answered",T0 + 20,61],["c1","answered",T0 + 10,60]]});
        assert_eq!(got, expected, "round {round}, seed {seed}: {facts:?}");
    }
});

backend_test!(a_batch_is_a_set_of_facts_applied_in_the_order_they_happened, |app| {
    let mut orders = Orders(7);
    let mut first: Option<Vec<Value>> = None;
    for round in 0..6 {
        let (account, agents, mut facts) = morning_desk(&app, round).await;
        orders.shuffle(&mut facts);
        app.clock.set(T0 + 200);
        send(&app, &account, &facts).await;
        settle(&app, &agents).await;
        // Every interval of every agent, the same whatever the order in the batch.
        let mut days = Vec::new();
        for (id, _) in &agents {
            days.push(json!(intervals(&app, &account, *id).await));
            days.push(counters(&app, &account, *id).await);
        }
        match &first {
            None => first = Some(days),
            Some(expected) => assert_eq!(&days, expected, "round {round}: {facts:?}"),
        }
    }
    let days = first.unwrap();
    // Agent b: ringing from 10, on c1 from 15 (and out-1 30–50), c1 ends at
    // 75: wrap-up to 105 — ended between the batch's facts, at its own
    // second, not when the next call (c5 at 160) came — then c5 until 169
    // and its wrap-up to 199.
    assert_eq!(
        days[2],
        json!([
            ["offline", T0 - 36_000, T0, null],
            ["available", T0, T0 + 10, null],
            ["ringing", T0 + 10, T0 + 15, null],
            ["on_call", T0 + 15, T0 + 75, null],
            ["wrap_up", T0 + 75, T0 + 105, null],
            ["available", T0 + 105, T0 + 160, null],
            ["ringing", T0 + 160, T0 + 162, null],
            ["on_call", T0 + 162, T0 + 169, null],
            ["wrap_up", T0 + 169, T0 + 199, null],
            ["available", T0 + 199, T0 + 200, null],
        ])
    );
});
