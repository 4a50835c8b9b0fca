//! The queue (issue 26, item 3): a call that finds nobody who may take it
//! waits for its group; agents who free up are offered the longest-waiting
//! call of their groups first; a caller who leaves is `abandoned`; and
//! `Group/queue` shows each group's waiting calls and its day's figures
//! (offered, answered, abandoned, service level), all folded from the log.

mod common;

use common::{Account, TestApp};
use serde_json::{Value, json};

const ROUTE: &str = "/api/v2/callRoute";
const EVENT: &str = "/api/v2/callEvent";
const QUEUE: &str = "/api/v2/Group/queue";

/// 2026-11-23 (a Monday) 10:00 UTC.
const T: i64 = 1_795_428_000;

fn with_creds(account: &Account, mut body: Value) -> String {
    body["userId"] = json!(account.user_id);
    body["token"] = json!(account.token);
    body.to_string()
}

async fn route(app: &TestApp, account: &Account, at: i64, call: &str, group: i64) -> Value {
    app.clock.set(at);
    let body = json!({"callId": call, "groupId": group, "callerNumber": format!("98111{:05}", at - T)});
    app.post(ROUTE, &with_creds(account, body)).await.json()
}

/// What a decision said: the agents offered, `queued` and `position`.
fn decided(reply: &Value) -> (Vec<i64>, i64, i64) {
    let agents = reply["agents"].as_array().unwrap_or_else(|| panic!("{reply}"));
    let ids = agents.iter().map(|a| a["agentId"].as_i64().unwrap()).collect();
    (ids, reply["queued"].as_i64().unwrap(), reply["position"].as_i64().unwrap())
}

async fn fact(app: &TestApp, account: &Account, at: i64, fields: Value) -> Value {
    app.clock.set(at);
    app.post(EVENT, &with_creds(account, fields)).await.json()
}

async fn leg(app: &TestApp, account: &Account, at: i64, call: &str, agent: i64, event: &str) {
    let reply = fact(app, account, at, json!({"callId": call, "agentId": agent, "event": event})).await;
    assert_eq!(reply["accepted"], 1, "{call} {event}: {reply}");
}

async fn queue_of(app: &TestApp, account: &Account, at: i64, group: i64) -> Value {
    app.clock.set(at);
    app.post(QUEUE, &with_creds(account, json!({"groupId": group}))).await.json()
}

/// A group with `strategy`, no wrap-up, and `n` agents (1001…) mapped to
/// it, logged in at `T + 1`…; returns the group and the agents.
async fn floor(app: &TestApp, account: &Account, name: &str, strategy: &str, n: i64) -> (i64, Vec<i64>) {
    app.clock.set(T);
    let settings = with_creds(account, json!({"staleAfter": 3600, "offlineAfter": 86400}));
    assert_eq!(app.post("/api/v2/Account/settings", &settings).await.json()["status"], "success");
    let group = app.group(account, name).await;
    let update = json!({"groupId": group, "name": name, "strategy": strategy, "wrapUpTime": 0});
    let reply = app.post("/api/v2/Group/update", &with_creds(account, update)).await.json();
    assert_eq!(reply["status"], "success", "{reply}");
    let mut agents = Vec::new();
    for i in 1..=n {
        let fields = format!(
            r#""name":"{name} {i}","email":"{name}{i}@example.com","password":"pass-word-1","dest_type":"SIP","dest_value":"100{i}","group":{{"{group}":{{"receive_call":"Y"}}}}"#
        );
        agents.push(app.agent(account, &fields).await);
    }
    for i in 1..=n {
        app.clock.set(T + i);
        app.login(&format!("{name}{i}@example.com"), "pass-word-1").await;
    }
    (group, agents)
}

/// A `longest_idle` group whose one agent answered call `c0` at `T + 11`
/// (routed at `T + 10`): the group and the agent.
async fn one_agent_talking(app: &TestApp, account: &Account) -> (i64, i64) {
    let (group, agents) = floor(app, account, "sales", "longest_idle", 1).await;
    let a1 = agents[0];
    assert_eq!(decided(&route(app, account, T + 10, "c0", group).await), (vec![a1], 0, 0));
    leg(app, account, T + 11, "c0", a1, "answered").await;
    (group, a1)
}

backend_test!(a_waiting_call_is_offered_first_when_an_agent_frees_up, |app| {
    let account = app.account().await;
    let (group, a1) = one_agent_talking(&app, &account).await;
    // Nobody free: the calls wait, in the order they came.
    assert_eq!(decided(&route(&app, &account, T + 12, "q1", group).await), (vec![], 1, 1));
    assert_eq!(decided(&route(&app, &account, T + 14, "q2", group).await), (vec![], 1, 2));
    let expected = json!({
        "response": [{
            "groupId": group, "name": "sales", "waiting": 2, "longestWait": 3,
            "offered": 3, "answered": 1, "abandoned": 0, "answeredWithin": 1,
            "serviceLevel": 100.0, "serviceLevelSecs": 20,
            "calls": [
                {"callId": "q1", "callerNumber": "919811100012", "position": 1, "since": T + 12, "wait": 3},
                {"callId": "q2", "callerNumber": "919811100014", "position": 2, "since": T + 14, "wait": 1}
            ]
        }],
        "serverTime": T + 15, "status": "success", "code": 200
    });
    assert_eq!(queue_of(&app, &account, T + 15, group).await, expected);
    // The agent frees up. The second call asks first: the first is served
    // first all the same (it still asks: its place holds).
    leg(&app, &account, T + 20, "c0", a1, "ended").await;
    assert_eq!(decided(&route(&app, &account, T + 20, "q2", group).await), (vec![], 1, 2));
    assert_eq!(decided(&route(&app, &account, T + 21, "q1", group).await), (vec![a1], 0, 0));
    assert_eq!(decided(&route(&app, &account, T + 22, "q2", group).await), (vec![], 1, 1));
    leg(&app, &account, T + 25, "q1", a1, "answered").await;
    // The second caller gives up; the telephony's retry is a duplicate.
    let abandoned = json!({"callId": "q2", "event": "abandoned"});
    let first = fact(&app, &account, T + 30, abandoned.clone()).await;
    assert_eq!((first["accepted"].clone(), first["duplicates"].clone()), (json!(1), json!(0)), "{first}");
    let again = fact(&app, &account, T + 31, abandoned).await;
    assert_eq!((again["accepted"].clone(), again["duplicates"].clone()), (json!(0), json!(1)), "{again}");
    let after = queue_of(&app, &account, T + 32, group).await;
    let figures = &after["response"][0];
    assert_eq!(
        [&figures["waiting"], &figures["longestWait"], &figures["offered"], &figures["answered"]],
        [&json!(0), &json!(0), &json!(3), &json!(2)],
        "{after}"
    );
    assert_eq!(
        [&figures["abandoned"], &figures["answeredWithin"], &figures["serviceLevel"], &figures["calls"]],
        [&json!(1), &json!(2), &json!(66.7), &json!([])],
        "{after}"
    );
});

backend_test!(a_call_offered_from_the_queue_and_missed_keeps_its_place, |app| {
    let account = app.account().await;
    let (group, a1) = one_agent_talking(&app, &account).await;
    assert_eq!(decided(&route(&app, &account, T + 12, "q1", group).await), (vec![], 1, 1));
    assert_eq!(decided(&route(&app, &account, T + 14, "q2", group).await), (vec![], 1, 2));
    leg(&app, &account, T + 20, "c0", a1, "ended").await;
    assert_eq!(decided(&route(&app, &account, T + 20, "q1", group).await), (vec![a1], 0, 0));
    // Agent 1 lets it ring out; the call asks again while the agent rests
    // (app_queue's retry): it waits again, ahead of the later call.
    leg(&app, &account, T + 22, "q1", a1, "missed").await;
    assert_eq!(decided(&route(&app, &account, T + 23, "q1", group).await), (vec![], 1, 1));
    assert_eq!(decided(&route(&app, &account, T + 24, "q2", group).await), (vec![], 1, 2));
    let calls = queue_of(&app, &account, T + 24, group).await["response"][0]["calls"].clone();
    assert_eq!(calls[0]["since"], T + 12, "it waits from when it first queued: {calls}");
    // Rested, the agent is offered it again (its second ring), not q2.
    assert_eq!(decided(&route(&app, &account, T + 28, "q2", group).await), (vec![], 1, 2));
    assert_eq!(decided(&route(&app, &account, T + 28, "q1", group).await), (vec![a1], 0, 0));
});

backend_test!(a_call_the_telephony_stopped_asking_about_loses_its_place, |app| {
    let account = app.account().await;
    let (group, a1) = one_agent_talking(&app, &account).await;
    assert_eq!(decided(&route(&app, &account, T + 12, "lost", group).await), (vec![], 1, 1));
    assert_eq!(decided(&route(&app, &account, T + 14, "q2", group).await), (vec![], 1, 2));
    assert_eq!(decided(&route(&app, &account, T + 21, "q2", group).await), (vec![], 1, 2));
    // "lost" is not asked about again (a telephony that dropped it without
    // saying): 10 s later it no longer holds anyone up, nor counts as
    // waiting.
    leg(&app, &account, T + 30, "c0", a1, "ended").await;
    let shown = queue_of(&app, &account, T + 30, group).await;
    assert_eq!(shown["response"][0]["calls"][0]["callId"], "q2", "{shown}");
    assert_eq!(shown["response"][0]["waiting"], 1, "{shown}");
    assert_eq!(decided(&route(&app, &account, T + 30, "q2", group).await), (vec![a1], 0, 0));
});

backend_test!(an_agent_of_two_groups_goes_to_the_call_that_waited_longer, |app| {
    let account = app.account().await;
    let (sales, a1) = one_agent_talking(&app, &account).await;
    let support = app.group(&account, "support").await;
    let map = json!({"agentId": a1, "group": {sales.to_string(): {"receive_call": "Y"}, support.to_string(): {"receive_call": "Y"}}});
    let reply = app.post("/api/v2/Agent/updateAgentGroupMapping", &with_creds(&account, map)).await.json();
    assert_eq!(reply["status"], "success", "{reply}");
    assert_eq!(decided(&route(&app, &account, T + 12, "s1", sales).await), (vec![], 1, 1));
    leg(&app, &account, T + 20, "c0", a1, "ended").await;
    // A support call arrives as the agent frees up: the sales call has
    // waited longer, so the agent is kept for it.
    assert_eq!(decided(&route(&app, &account, T + 20, "p1", support).await), (vec![], 1, 1));
    assert_eq!(decided(&route(&app, &account, T + 21, "s1", sales).await), (vec![a1], 0, 0));
    let both = app.post(QUEUE, &with_creds(&account, json!({}))).await.json();
    let waiting: Vec<(i64, i64)> = both["response"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| (g["groupId"].as_i64().unwrap(), g["waiting"].as_i64().unwrap()))
        .collect();
    assert_eq!(waiting, [(sales, 0), (support, 1)], "{both}");
});

backend_test!(an_abandon_while_agents_ring_counts_for_the_group_they_rang_for, |app| {
    let account = app.account().await;
    let (group, agents) = floor(&app, &account, "sales", "ringall", 2).await;
    assert_eq!(decided(&route(&app, &account, T + 10, "r1", group).await), (agents.clone(), 0, 0));
    // The caller hangs up while both phones ring: the legs are missed, the
    // call abandoned (the telephony names no group: the legs' is taken).
    for &a in &agents {
        leg(&app, &account, T + 14, "r1", a, "missed").await;
    }
    let gone = fact(&app, &account, T + 14, json!({"callId": "r1", "event": "abandoned", "reason": "caller"})).await;
    assert_eq!(gone["accepted"], 1, "{gone}");
    let figures = queue_of(&app, &account, T + 15, group).await["response"][0].clone();
    assert_eq!(
        [&figures["offered"], &figures["answered"], &figures["abandoned"], &figures["serviceLevel"]],
        [&json!(1), &json!(0), &json!(1), &json!(0.0)],
        "{figures}"
    );
});

backend_test!(queue_requests_that_cannot_be_taken_are_refused, |app| {
    let account = app.account().await;
    let (group, agents) = floor(&app, &account, "sales", "ringall", 1).await;
    let empty = app.group(&account, "nobody").await;
    app.clock.set(T + 10);
    app.expect_error(
        ROUTE,
        &with_creds(&account, json!({"callId": "x", "groupId": empty})),
        1509,
        "No agent of the group receives calls",
    )
    .await;
    let abandoned = |extra: Value| {
        let mut body = json!({"callId": "x", "event": "abandoned"});
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        with_creds(&account, body)
    };
    app.expect_error(EVENT, &abandoned(json!({"agentId": agents[0]})), 1503, "Invalid agentId").await;
    let reason = app.post(EVENT, &abandoned(json!({"reason": "bored"}))).await;
    assert_eq!(reason.json()["code"], 1513, "{}", reason.body);
    assert_eq!(
        reason.header("agentdesk-error-detail"),
        r#"code=1513, field="/reason", reason="reason is only for abandoned, and must be caller or timeout""#
    );
    let on_a_leg =
        with_creds(&account, json!({"callId": "x", "event": "missed", "agentId": agents[0], "reason": "caller"}));
    assert_eq!(app.post(EVENT, &on_a_leg).await.json()["code"], 1513);
    app.expect_error(EVENT, &abandoned(json!({"groupId": 999})), 1509, "Invalid groupId").await;
    let update = json!({"groupId": group, "name": "sales", "serviceLevel": 0});
    app.expect_error("/api/v2/Group/update", &with_creds(&account, update), 1510, "Invalid serviceLevel").await;
    app.expect_error(QUEUE, &with_creds(&account, json!({"groupId": 999})), 1006, "GroupId does not exist").await;
    // An agent without VIEW_AGENTS sees no queue.
    let ssid = app.login("sales1@example.com", "pass-word-1").await;
    let denied = app.post(QUEUE, &json!({"ssid": ssid}).to_string()).await.json();
    assert_eq!(denied["code"], 1015, "{denied}");
});

backend_test!(a_group_sets_its_service_level_threshold, |app| {
    let account = app.account().await;
    let (group, agents) = floor(&app, &account, "sales", "ringall", 1).await;
    let update = json!({"groupId": group, "name": "sales", "serviceLevel": 5});
    assert_eq!(app.post("/api/v2/Group/update", &with_creds(&account, update)).await.json()["status"], "success");
    let listed = app.post("/api/v2/Group/list", &with_creds(&account, json!({"groupId": group}))).await.json();
    assert_eq!(listed["response"][group.to_string()]["serviceLevel"], 5, "{listed}");
    assert_eq!(decided(&route(&app, &account, T + 10, "c1", group).await), (agents.clone(), 0, 0));
    leg(&app, &account, T + 17, "c1", agents[0], "answered").await;
    let figures = queue_of(&app, &account, T + 18, group).await["response"][0].clone();
    assert_eq!(
        [&figures["answered"], &figures["answeredWithin"], &figures["serviceLevel"], &figures["serviceLevelSecs"]],
        [&json!(1), &json!(0), &json!(0.0), &json!(5)],
        "{figures}"
    );
});

backend_test!(one_accounts_queue_holds_at_most_a_thousand_calls, |app| {
    let account = app.account().await;
    let (group, _) = one_agent_talking(&app, &account).await;
    for n in 1..=1000 {
        let reply = route(&app, &account, T + 12, &format!("w{n}"), group).await;
        assert_eq!(reply["position"], n, "{reply}");
    }
    app.expect_error(
        ROUTE,
        &with_creds(&account, json!({"callId": "one-too-many", "groupId": group})),
        1510,
        "Too many calls waiting",
    )
    .await;
    // A call that leaves makes room; one already waiting still asks.
    let gone = fact(&app, &account, T + 13, json!({"callId": "w1", "event": "abandoned"})).await;
    assert_eq!(gone["accepted"], 1, "{gone}");
    assert_eq!(decided(&route(&app, &account, T + 13, "w2", group).await), (vec![], 1, 1));
    assert_eq!(decided(&route(&app, &account, T + 13, "one-too-many", group).await), (vec![], 1, 1000));
});
