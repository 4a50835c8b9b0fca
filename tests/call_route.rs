//! The routing decision (`callRoute`, issue 26): whom the telephony offers
//! a call to. Only eligible agents (mapped to receive the group's calls,
//! switched on, available with no break asked for, inside their working
//! hours), in the group's order, each offered in the same decision (its
//! `offered` leg rings), so two calls never get the same agent; asked again
//! for the same call, the agents it was not offered yet.

mod common;

use common::{Account, TestApp};
use serde_json::{Value, json};

const ROUTE: &str = "/api/v2/callRoute";

/// 2026-11-23 (a Monday) 10:00 UTC.
const T: i64 = 1_795_428_000;

fn with_creds(account: &Account, mut body: Value) -> String {
    body["userId"] = json!(account.user_id);
    body["token"] = json!(account.token);
    body.to_string()
}

async fn route(app: &TestApp, account: &Account, fields: Value) -> Value {
    app.post(ROUTE, &with_creds(account, fields)).await.json()
}

/// The agent ids a decision offered.
fn offered(reply: &Value) -> Vec<i64> {
    reply["agents"]
        .as_array()
        .unwrap_or_else(|| panic!("{reply}"))
        .iter()
        .map(|a| a["agentId"].as_i64().unwrap())
        .collect()
}

async fn call(app: &TestApp, account: &Account, call: &str, agent: i64, event: &str) {
    let body =
        with_creds(account, json!({"callId": call, "agentId": agent, "event": event, "callerNumber": "9811100101"}));
    let reply = app.post("/api/v2/callEvent", &body).await.json();
    assert_eq!(reply["accepted"], 1, "{call} {event}: {reply}");
}

async fn state(app: &TestApp, account: &Account, agent: i64) -> String {
    let body = with_creds(account, json!({"agentId": agent}));
    let live = app.post("/api/v2/Agent/live", &body).await.json();
    live["response"][0]["state"].as_str().unwrap_or_else(|| panic!("{live}")).to_string()
}

/// A group "Sales" reached by 8001234567 with `strategy`, and agents
/// 1001–1003 mapped to it, each logged in at `T + n` (1001 first).
async fn floor(app: &TestApp, strategy: &str) -> (Account, i64, Vec<i64>) {
    app.clock.set(T);
    let account = app.account().await;
    // The tests' agents send no heartbeat: they stay online for hours.
    let settings = with_creds(&account, json!({"staleAfter": 3600, "offlineAfter": 86400}));
    assert_eq!(app.post("/api/v2/Account/settings", &settings).await.json()["status"], "success");
    let group = app.group(&account, "Sales").await;
    let update =
        json!({"groupId": group, "name": "Sales", "strategy": strategy, "ringTimeout": 15, "dids": ["8001234567"]});
    let reply = app.post("/api/v2/Group/update", &with_creds(&account, update)).await.json();
    assert_eq!(reply["status"], "success", "{reply}");
    let mut agents = Vec::new();
    for n in 1..=3 {
        let fields = format!(
            r#""name":"Agent {n}","email":"a{n}@example.com","password":"pass-word-1","dest_type":"SIP","dest_value":"100{n}","group":{{"{group}":{{"receive_call":"Y"}}}}"#
        );
        agents.push(app.agent(&account, &fields).await);
    }
    for n in 1..=3 {
        app.clock.set(T + n);
        app.login(&format!("a{n}@example.com"), "pass-word-1").await;
    }
    app.clock.set(T + 10);
    (account, group, agents)
}

backend_test!(ring_all_offers_every_available_agent_once_and_they_ring, |app| {
    let (account, group, agents) = floor(&app, "ringall").await;
    let reply =
        route(&app, &account, json!({"callId": "c1", "did": "800-123-4567", "callerNumber": "anonymous"})).await;
    let expected = json!({
        "callId": "c1", "groupId": group, "strategy": "ringall", "ringTimeout": 15,
        "agents": [
            {"agentId": agents[0], "dest_type": "SIP", "dest_value": "1001"},
            {"agentId": agents[1], "dest_type": "SIP", "dest_value": "1002"},
            {"agentId": agents[2], "dest_type": "SIP", "dest_value": "1003"}
        ],
        "queued": 0, "position": 0, "status": "success", "code": 200
    });
    assert_eq!(reply, expected);
    for &a in &agents {
        assert_eq!(state(&app, &account, a).await, "ringing");
    }
    // A second call meanwhile finds nobody: every agent rings for the first.
    let second = route(&app, &account, json!({"callId": "c2", "groupId": group})).await;
    assert_eq!((offered(&second), second["queued"].clone()), (vec![], json!(1)), "{second}");
    // Agent 2 answers; the others' legs are missed (cancelled), and they
    // are offered the second call, which agent 2 is not.
    call(&app, &account, "c1", agents[1], "answered").await;
    call(&app, &account, "c1", agents[0], "missed").await;
    call(&app, &account, "c1", agents[2], "missed").await;
    assert_eq!(state(&app, &account, agents[0]).await, "available", "a cancelled leg gives no wrap-up");
    let again = route(&app, &account, json!({"callId": "c2", "groupId": group})).await;
    assert_eq!(offered(&again), vec![agents[0], agents[2]], "{again}");
    // Asking for a call already answered is refused.
    app.expect_error(
        ROUTE,
        &with_creds(&account, json!({"callId": "c1", "groupId": group})),
        1508,
        "Call already answered",
    )
    .await;
});

backend_test!(longest_idle_offers_one_agent_at_a_time_and_the_next_on_asking_again, |app| {
    let (account, group, agents) = floor(&app, "longest_idle").await;
    // Agent 1 has been available longest (logged in first).
    let first = route(&app, &account, json!({"callId": "c1", "groupId": group})).await;
    assert_eq!(offered(&first), vec![agents[0]], "{first}");
    // It does not answer: the telephony reports the miss and asks again.
    app.clock.set(T + 30);
    call(&app, &account, "c1", agents[0], "missed").await;
    let next = route(&app, &account, json!({"callId": "c1", "groupId": group})).await;
    assert_eq!(offered(&next), vec![agents[1]], "agent 1 was offered this call already: {next}");
    call(&app, &account, "c1", agents[1], "answered").await;
    app.clock.set(T + 90);
    call(&app, &account, "c1", agents[1], "ended").await;
    // Agent 2 talked last: idle the shortest once its wrap-up (30 s) ends;
    // agent 1's missed ring does not reset its idle time.
    app.clock.set(T + 200);
    app.step().await;
    assert_eq!(state(&app, &account, agents[1]).await, "available");
    let order: Vec<i64> = {
        let mut got = Vec::new();
        for n in 0..3 {
            let reply = route(&app, &account, json!({"callId": format!("d{n}"), "groupId": group})).await;
            got.extend(offered(&reply));
        }
        got
    };
    assert_eq!(order, vec![agents[0], agents[2], agents[1]]);
});

backend_test!(round_robin_goes_on_from_where_the_group_left_off, |app| {
    let (account, group, agents) = floor(&app, "round_robin").await;
    let mut order = Vec::new();
    for n in 0..4 {
        app.clock.set(T + 20 + 20 * n);
        let id = format!("r{n}");
        let reply = route(&app, &account, json!({"callId": id, "groupId": group})).await;
        let got = offered(&reply);
        assert_eq!(got.len(), 1, "{reply}");
        order.push(got[0]);
        call(&app, &account, &id, got[0], "missed").await;
    }
    assert_eq!(order, vec![agents[0], agents[1], agents[2], agents[0]]);
});

/// A call `id` the agent answers at `at` and hangs up 20 s later.
async fn talk(app: &TestApp, account: &Account, id: &str, agent: i64, at: i64) {
    app.clock.set(at);
    call(app, account, id, agent, "offered").await;
    call(app, account, id, agent, "answered").await;
    app.clock.set(at + 20);
    call(app, account, id, agent, "ended").await;
}

backend_test!(fewest_calls_offers_whoever_answered_fewest_today_then_the_longest_idle, |app| {
    let (account, group, agents) = floor(&app, "fewest_calls").await;
    // Agents 1 and 2 took two calls each, agent 3 one, and last: the
    // longest idle is agent 1, the least busy agent 3.
    talk(&app, &account, "a1", agents[0], T + 100).await;
    talk(&app, &account, "a2", agents[0], T + 200).await;
    talk(&app, &account, "b1", agents[1], T + 300).await;
    talk(&app, &account, "b2", agents[1], T + 400).await;
    talk(&app, &account, "c1", agents[2], T + 500).await;
    app.clock.set(T + 600);
    app.step().await;
    let reply = route(&app, &account, json!({"callId": "n1", "groupId": group})).await;
    assert_eq!((offered(&reply), reply["strategy"].clone()), (vec![agents[2]], json!("fewest_calls")), "{reply}");
    // A missed ring is no call taken: agent 3 is still the least busy,
    // but it is not rung again for the same call; of the others (two calls
    // each) agent 1 has been idle longest.
    call(&app, &account, "n1", agents[2], "missed").await;
    let reply = route(&app, &account, json!({"callId": "n1", "groupId": group})).await;
    assert_eq!(offered(&reply), vec![agents[0]], "{reply}");
    call(&app, &account, "n1", agents[0], "missed").await;
    // The next day (00:30 UTC, the account's zone) nobody has a call yet:
    // the longest idle first.
    app.clock.set(T + 14 * 3600 + 1800);
    let reply = route(&app, &account, json!({"callId": "n2", "groupId": group})).await;
    assert_eq!(offered(&reply), vec![agents[0]], "agent 1's last wrap-up ended first: {reply}");
});

backend_test!(agents_on_a_break_in_wrap_up_not_receiving_or_off_hours_are_never_offered, |app| {
    let (account, group, agents) = floor(&app, "ringall").await;
    // Agent 1 on a break; agent 2 in wrap-up after a call.
    let body = with_creds(&account, json!({"agentId": agents[0], "reason": "Tea"}));
    assert_eq!(app.post("/api/v2/Supervisor/breakStart", &body).await.json()["status"], "success");
    call(&app, &account, "x", agents[1], "offered").await;
    call(&app, &account, "x", agents[1], "answered").await;
    call(&app, &account, "x", agents[1], "ended").await;
    assert_eq!(state(&app, &account, agents[1]).await, "wrap_up");
    let reply = route(&app, &account, json!({"callId": "c1", "groupId": group})).await;
    assert_eq!(offered(&reply), vec![agents[2]], "{reply}");
    call(&app, &account, "c1", agents[2], "missed").await;
    // Agent 3 mapped with receive_call N, then out of its working hours.
    let mapping =
        with_creds(&account, json!({"agentId": agents[2], "group": {group.to_string(): {"receive_call": "N"}}}));
    assert_eq!(app.post("/api/v2/Agent/updateAgentGroupMapping", &mapping).await.json()["status"], "success");
    let reply = route(&app, &account, json!({"callId": "c2", "groupId": group})).await;
    assert_eq!(offered(&reply), Vec::<i64>::new(), "{reply}");
    let mapping =
        with_creds(&account, json!({"agentId": agents[2], "group": {group.to_string(): {"receive_call": "Y"}}}));
    app.post("/api/v2/Agent/updateAgentGroupMapping", &mapping).await;
    // Monday 10:00 UTC is outside 11:00–18:00.
    let hours = with_creds(
        &account,
        json!({"agentId": agents[2], "working": [{"wDays": ["MON", "TUE"], "from": 660, "to": 1080}]}),
    );
    assert_eq!(app.post("/api/v2/Agent/update", &hours).await.json()["status"], "success", "working hours");
    let reply = route(&app, &account, json!({"callId": "c3", "groupId": group})).await;
    assert_eq!(offered(&reply), Vec::<i64>::new(), "out of hours: {reply}");
    app.clock.set(T + 3600 + 60);
    let reply = route(&app, &account, json!({"callId": "c4", "groupId": group})).await;
    assert!(offered(&reply).contains(&agents[2]), "in hours at 11:01: {reply}");
});

backend_test!(bad_asks_get_the_envelope, |app| {
    let (account, group, _) = floor(&app, "ringall").await;
    let cases = [
        (json!({"groupId": group}), 1501, "Invalid callId"),
        (json!({"callId": "", "groupId": group}), 1501, "Invalid callId"),
        (json!({"callId": "c", "groupId": "x"}), 1502, "Invalid groupId"),
        (json!({"callId": "c", "did": "12"}), 1503, "Invalid did"),
        (json!({"callId": "c", "groupId": group, "callerNumber": {}}), 1504, "Invalid callerNumber"),
        (json!({"callId": "c"}), 1505, "Give groupId or did"),
        (json!({"callId": "c", "did": "8009999999"}), 1506, "No group for this did"),
        (json!({"callId": "c", "groupId": 999}), 1006, "GroupId does not exist"),
    ];
    for (body, code, message) in cases {
        app.expect_error(ROUTE, &with_creds(&account, body), code, message).await;
    }
    let off = json!({"groupId": group, "name": "Sales", "status": 0});
    app.post("/api/v2/Group/update", &with_creds(&account, off)).await;
    app.expect_error(ROUTE, &with_creds(&account, json!({"callId": "c", "groupId": group})), 1507, "Group is inactive")
        .await;
    // Another tenant's group is not there; an agent's session may not ask.
    let other = app.account().await;
    app.expect_error(
        ROUTE,
        &with_creds(&other, json!({"callId": "c", "groupId": group})),
        1006,
        "GroupId does not exist",
    )
    .await;
    let ssid = app.login("a1@example.com", "pass-word-1").await;
    let body = json!({"ssid": ssid, "callId": "c", "groupId": group}).to_string();
    app.expect_error(ROUTE, &body, 1015, "Permission denied").await;
});

backend_test!(a_group_shows_its_routing_and_a_number_reaches_one_group, |app| {
    let (account, group, _) = floor(&app, "longest_idle").await;
    let list = app.post("/api/v2/Group/list", &with_creds(&account, json!({}))).await.json();
    let item = &list["response"][group.to_string()];
    assert_eq!(
        (item["strategy"].clone(), item["ringTimeout"].clone(), item["dids"].clone()),
        (json!("longest_idle"), json!(15), json!(["8001234567"])),
        "{list}"
    );
    let other = app.group(&account, "Support").await;
    let cases = [
        (json!({"strategy": "random"}), 1506, "Invalid strategy"),
        (json!({"ringTimeout": 2}), 1507, "Invalid ringTimeout"),
        (json!({"dids": "8001234567"}), 1508, "Invalid dids"),
        (json!({"dids": ["12"]}), 1508, "Invalid dids"),
        (json!({"dids": ["+91 8001234567", "8001234567"]}), 1509, "A did in dids reaches another group"),
    ];
    for (mut body, code, message) in cases {
        body["groupId"] = json!(other);
        body["name"] = json!("Support");
        app.expect_error("/api/v2/Group/update", &with_creds(&account, body), code, message).await;
    }
    // A group added with a number another group has is not added at all
    // (it was, without its routing, before the add became one transaction).
    let taken = json!({"name": "Billing", "wrapUpTime": 10, "strategy": "round_robin", "dids": ["8001234567"]});
    app.expect_error("/api/v2/Group/add", &with_creds(&account, taken), 1509, "A did in dids reaches another group")
        .await;
    let list = app.post("/api/v2/Group/list", &with_creds(&account, json!({}))).await.json();
    assert!(!list.to_string().contains("Billing"), "{list}");
    let added = json!({"name": "Billing", "wrapUpTime": 10, "strategy": "round_robin", "dids": ["8009990000"]});
    let billing = app.post("/api/v2/Group/add", &with_creds(&account, added)).await.json();
    let id = billing["groupId"].to_string();
    let list = app.post("/api/v2/Group/list", &with_creds(&account, json!({}))).await.json();
    assert_eq!(
        list["response"][id.as_str()],
        json!({"name": "Billing", "status": 1, "agents": 0, "wrapUpTime": 10, "strategy": "round_robin", "dids": ["8009990000"]}),
        "{list}"
    );
    // Back to the defaults: nothing extra is listed.
    let reset = json!({"groupId": group, "name": "Sales", "strategy": null, "ringTimeout": null, "dids": null});
    app.post("/api/v2/Group/update", &with_creds(&account, reset)).await;
    let list = app.post("/api/v2/Group/list", &with_creds(&account, json!({}))).await.json();
    assert_eq!(list["response"][group.to_string()], json!({"name": "Sales", "status": 1, "agents": 3}), "{list}");
});

backend_test!(an_offer_the_telephony_never_reports_on_stops_ringing_after_the_ring_timeout, |app| {
    let (account, group, agents) = floor(&app, "longest_idle").await;
    let reply = route(&app, &account, json!({"callId": "lost", "groupId": group})).await;
    assert_eq!(offered(&reply), vec![agents[0]]);
    // The proxy's answer was lost: no fact ever comes. Ring timeout 15 s,
    // and a 10 s margin for the telephony's own report.
    app.clock.set(T + 10 + 24);
    app.step().await;
    assert_eq!(state(&app, &account, agents[0]).await, "ringing");
    app.clock.set(T + 10 + 25);
    app.step().await;
    assert_eq!(state(&app, &account, agents[0]).await, "available");
    // Logged as missed by the system, and the telephony's late word on it is a duplicate.
    let late = with_creds(&account, json!({"callId": "lost", "agentId": agents[0], "event": "missed"}));
    assert_eq!(app.post("/api/v2/callEvent", &late).await.json()["duplicates"], 1);
});

backend_test!(a_deleted_groups_numbers_reach_nothing_and_are_free_again, |app| {
    let (account, group, _) = floor(&app, "ringall").await;
    let deleted = app.post("/api/v2/Group/delete", &with_creds(&account, json!({"groupId": group}))).await.json();
    assert_eq!(deleted["status"], "success", "{deleted}");
    app.expect_error(
        ROUTE,
        &with_creds(&account, json!({"callId": "c", "did": "8001234567"})),
        1506,
        "No group for this did",
    )
    .await;
    let other = app.group(&account, "Support").await;
    let take = json!({"groupId": other, "name": "Support", "dids": ["8001234567"]});
    assert_eq!(app.post("/api/v2/Group/update", &with_creds(&account, take)).await.json()["status"], "success");
});

const SET_STICKY: &str = "/api/v2/Directory/setSticky";

async fn sticky(app: &TestApp, account: &Account, path: &str, fields: Value) -> Value {
    app.post(&format!("/api/v2/Directory/{path}"), &with_creds(account, fields)).await.json()
}

backend_test!(a_sticky_caller_rings_its_agent_alone_first_then_the_group, |app| {
    let (account, group, agents) = floor(&app, "ringall").await;
    // The caller as a CRM writes it; the telephony sends it without the
    // country code.
    let set =
        sticky(&app, &account, "setSticky", json!({"contact": "+91 98111 00101", "agentId": agents[2], "type": "all"}))
            .await;
    let expected = json!({
        "contact": "919811100101",
        "sticky": [{"agentId": agents[2], "type": "all", "cli": "", "groupid": null, "expiry": -1}],
        "status": "success", "code": 200
    });
    assert_eq!(set, expected);
    let ask = json!({"callId": "s1", "did": "8001234567", "callerNumber": "9811100101"});
    let first = route(&app, &account, ask.clone()).await;
    assert_eq!(offered(&first), vec![agents[2]], "the pinned agent alone: {first}");
    // It does not answer: the group's order, without it.
    app.clock.set(T + 30);
    call(&app, &account, "s1", agents[2], "missed").await;
    let next = route(&app, &account, ask).await;
    assert_eq!(offered(&next), vec![agents[0], agents[1]], "{next}");
    call(&app, &account, "s1", agents[0], "missed").await;
    call(&app, &account, "s1", agents[1], "missed").await;
    // Another caller: the whole group. A withheld one too.
    app.clock.set(T + 60);
    let other = route(&app, &account, json!({"callId": "s2", "groupId": group, "callerNumber": "9811100199"})).await;
    assert_eq!(offered(&other).len(), 3, "{other}");
    for &a in &agents {
        call(&app, &account, "s2", a, "missed").await;
    }
    // The pinned agent on a break: the caller goes to the group at once.
    let body = with_creds(&account, json!({"agentId": agents[2], "reason": "Tea"}));
    assert_eq!(app.post("/api/v2/Supervisor/breakStart", &body).await.json()["status"], "success");
    let busy = route(&app, &account, json!({"callId": "s3", "groupId": group, "callerNumber": "9811100101"})).await;
    assert_eq!(offered(&busy), vec![agents[0], agents[1]], "{busy}");
});

backend_test!(the_narrowest_sticky_in_force_wins_and_pins_are_read_and_removed, |app| {
    let (account, group, agents) = floor(&app, "longest_idle").await;
    let caller = "9811100101";
    let all = json!({"contact": caller, "agentId": agents[2], "type": "all"});
    assert_eq!(sticky(&app, &account, "setSticky", all).await["status"], "success");
    let narrow = json!({"contact": caller, "agentId": agents[1], "type": "CLI_GROUP", "cli": "800-123-4567",
        "groupid": group.to_string(), "expiry": T + 100});
    assert_eq!(sticky(&app, &account, "setSticky", narrow).await["status"], "success");
    let pins = sticky(&app, &account, "getSticky", json!({"cn": caller})).await;
    let expected = json!({
        "contact": "919811100101",
        "sticky": [
            {"agentId": agents[1], "type": "cli_group", "cli": "8001234567", "groupid": group, "expiry": T + 100},
            {"agentId": agents[2], "type": "all", "cli": "", "groupid": null, "expiry": -1}
        ],
        "status": "success", "code": 200
    });
    assert_eq!(pins, expected);
    // The call to the number, for the group: the narrow pin.
    let reply = route(&app, &account, json!({"callId": "p1", "did": "8001234567", "callerNumber": caller})).await;
    assert_eq!(offered(&reply), vec![agents[1]], "{reply}");
    call(&app, &account, "p1", agents[1], "missed").await;
    // Asked by group alone (no number): only `all` covers it.
    let reply = route(&app, &account, json!({"callId": "p2", "groupId": group, "callerNumber": caller})).await;
    assert_eq!(offered(&reply), vec![agents[2]], "{reply}");
    call(&app, &account, "p2", agents[2], "missed").await;
    // At its expiry the narrow pin is gone: `all` again, and not listed.
    app.clock.set(T + 100);
    let reply = route(&app, &account, json!({"callId": "p3", "did": "8001234567", "callerNumber": caller})).await;
    assert_eq!(offered(&reply), vec![agents[2]], "{reply}");
    let pins = sticky(&app, &account, "getSticky", json!({"contact": caller})).await;
    assert_eq!(pins["sticky"].as_array().map(Vec::len), Some(1), "{pins}");
    // Setting a scope again replaces its pin.
    let again = json!({"contact": caller, "agentId": agents[0], "type": "all", "expiry": "-1"});
    assert_eq!(sticky(&app, &account, "setSticky", again).await["sticky"][0]["agentId"], agents[0]);
    // An agent without EDIT_AGENTS pins callers to itself only, and removes
    // only its own pins.
    let ssid = app.login("a2@example.com", "pass-word-1").await;
    let mine = json!({"ssid": ssid, "contact": "9811100555", "agentId": agents[1], "type": "all"});
    assert_eq!(app.post(SET_STICKY, &mine.to_string()).await.json()["status"], "success");
    let theirs = json!({"ssid": ssid, "contact": "9811100555", "agentId": agents[0], "type": "all"});
    app.expect_error(SET_STICKY, &theirs.to_string(), 1015, "Permission denied").await;
    let remove = json!({"ssid": ssid, "contact": caller, "type": "all"});
    app.expect_error("/api/v2/Directory/removeSticky", &remove.to_string(), 1012, "No data found").await;
    let removed = sticky(&app, &account, "removeSticky", json!({"contact": caller, "type": "all"})).await;
    assert_eq!(removed, json!({"contact": "919811100101", "removed": 1, "status": "success", "code": 200}));
    let removed = sticky(&app, &account, "removeSticky", json!({"contact": caller})).await;
    assert_eq!(removed["removed"], 1, "the expired narrow pin: {removed}");
    let pins = sticky(&app, &account, "getSticky", json!({"contact": caller})).await;
    assert_eq!(pins["sticky"], json!([]));
    // Deleting the agent unpins its callers.
    let body = with_creds(&account, json!({"agentId": agents[1]}));
    assert_eq!(app.post("/api/v2/Agent/delete", &body).await.json()["status"], "success");
    let pins = sticky(&app, &account, "getSticky", json!({"contact": "9811100555"})).await;
    assert_eq!(pins["sticky"], json!([]));
});

backend_test!(bad_pins_get_the_directory_codes, |app| {
    let (account, group, agents) = floor(&app, "ringall").await;
    let other = app.group(&account, "Billing").await;
    let c = "9811100101";
    let cases = [
        (json!({"contact": c, "type": "all"}), 1501, "Sticky agent error"),
        (json!({"contact": c, "agentId": 999, "type": "all"}), 1501, "Sticky agent error"),
        (json!({"contact": c, "agentId": "x", "type": "all"}), 1501, "Sticky agent error"),
        (json!({"contact": c, "agentId": agents[0]}), 1502, "Type is not valid"),
        (json!({"contact": c, "agentId": agents[0], "type": "group"}), 1502, "Type is not valid"),
        (json!({"contact": c, "agentId": agents[0], "type": "cli"}), 1505, "CLI does not exist"),
        (json!({"contact": c, "agentId": agents[0], "type": "cli", "cli": "8009999999"}), 1505, "CLI does not exist"),
        (
            json!({"contact": c, "agentId": agents[0], "type": "cli_group", "cli": "8001234567"}),
            1506,
            "Group ID does not exist",
        ),
        (
            json!({"contact": c, "agentId": agents[0], "type": "cli_group", "cli": "8001234567", "groupid": 999}),
            1506,
            "Group ID does not exist",
        ),
        (
            json!({"contact": c, "agentId": agents[0], "type": "cli_group", "cli": "8001234567", "groupid": other}),
            1507,
            "Agent does not exist in the given group ID",
        ),
        (
            json!({"contact": c, "agentId": agents[0], "type": "all", "expiry": -2}),
            1508,
            "Expiry must be greater than or equal to -1",
        ),
        (
            json!({"contact": c, "agentId": agents[0], "type": "all", "expiry": T}),
            1508,
            "Expiry must be greater than or equal to -1",
        ),
        (
            json!({"contact": c, "agentId": agents[0], "type": "all", "expiry": "soon"}),
            1509,
            "Expiry must be integer value",
        ),
        (
            json!({"contact": c, "agentId": agents[0], "type": "all", "expiry": 1.5}),
            1509,
            "Expiry must be integer value",
        ),
        (json!({"contact": "abc", "agentId": agents[0], "type": "all"}), 1005, "Invalid contact number"),
        (json!({"agentId": agents[0], "type": "all"}), 1000, "Invalid parameter"),
    ];
    for (body, code, message) in cases {
        app.expect_error(SET_STICKY, &with_creds(&account, body), code, message).await;
    }
    app.expect_error(
        "/api/v2/Directory/removeSticky",
        &with_creds(&account, json!({"contact": c, "type": "x"})),
        1502,
        "Type is not valid",
    )
    .await;
    let pins = sticky(&app, &account, "getSticky", json!({"contact": c})).await;
    assert_eq!(pins["sticky"], json!([]), "nothing was pinned");
    let _ = group;
});
