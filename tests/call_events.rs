//! `callEvent`: telephony events in. Every validation code with its exact
//! body (alone and inside a batch), batches that lose only their wrong
//! facts, each named, the exact success
//! envelope, idempotency, one call offered to several agents, events out of
//! order, event times, agents who are offline, who may post at all, and the
//! wrap-up that follows a call — observed through `Agent/live` and
//! `Agent/timeLine`.

mod common;

use common::{Account, TestApp, error_body};
use serde_json::{Value, json};

const CALL_EVENT: &str = "/api/v2/callEvent";
const LIVE: &str = "/api/v2/Agent/live";
const TIMELINE: &str = "/api/v2/Agent/timeLine";
const SETTINGS: &str = "/api/v2/Account/settings";
const PING: &str = "/api/v2/agentProfile/setWebPingTime";

/// 2026-11-23 10:00 UTC; accounts count their days in UTC unless told otherwise.
const T0: i64 = 1_795_392_000 + 10 * 3600;

/// `{<creds>,<fields>}`.
fn with_creds(account: &Account, fields: &str) -> String {
    format!("{{{},{fields}}}", account.creds())
}

/// One call event as a JSON object.
fn item(call_id: &str, event: &str, agent: i64) -> String {
    format!(r#"{{"callId":"{call_id}","event":"{event}","agentId":"{agent}","callerNumber":"9876543210"}}"#)
}

/// One call event given as the body's own fields.
fn single(account: &Account, call_id: &str, event: &str, agent: i64) -> String {
    let item = item(call_id, event, agent);
    with_creds(account, &item[1..item.len() - 1])
}

/// `{<creds>,"events":[…]}`.
fn batch(account: &Account, items: &[String]) -> String {
    with_creds(account, &format!(r#""events":[{}]"#, items.join(",")))
}

/// The exact success envelope.
fn accepted(accepted: usize, duplicates: usize, lst_sync: i64) -> String {
    format!(r#"{{"accepted":{accepted},"duplicates":{duplicates},"lstSync":{lst_sync},"status":"success","code":200}}"#)
}

/// The success envelope of a batch some of whose facts were refused.
fn accepted_but(accepted: usize, duplicates: usize, lst_sync: i64, refused: &str) -> String {
    format!(
        r#"{{"accepted":{accepted},"duplicates":{duplicates},"lstSync":{lst_sync},"refused":{refused},"status":"success","code":200}}"#
    )
}

/// A valid event for `agent` (with direction and did) with `key` set to
/// `value`, or left out when `value` is `None`.
fn altered(agent: i64, key: &str, value: Option<Value>) -> Value {
    let mut event = json!({"callId":"c1","event":"offered","agentId":agent.to_string(),
        "callerNumber":"9876543210","direction":"inbound","did":"8045678901"});
    match value {
        Some(v) => event[key] = v,
        None => {
            event.as_object_mut().unwrap().remove(key);
        }
    }
    event
}

/// `event`'s fields spliced into a body with the account's credentials.
fn single_of(account: &Account, event: &Value) -> String {
    let mut body = event.clone();
    body["userId"] = json!(account.user_id);
    body["token"] = json!(account.token);
    body.to_string()
}

/// `events` as a batch body.
fn batch_of(account: &Account, events: &[Value]) -> String {
    json!({"userId":account.user_id,"token":account.token,"events":events}).to_string()
}

/// The event with `key` changed is refused with `code`, both alone and in a
/// batch of nothing else (a batch none of whose facts can be taken is
/// refused whole; one with good facts beside it: see
/// `a_batch_loses_only_its_wrong_facts_each_named`).
async fn expect_refused(
    app: &TestApp,
    account: &Account,
    agent: i64,
    key: &str,
    value: Option<Value>,
    code: u16,
    message: &str,
) {
    let bad = altered(agent, key, value);
    app.expect_error(CALL_EVENT, &single_of(account, &bad), code, message).await;
    app.expect_error(CALL_EVENT, &batch_of(account, &[bad.clone(), bad]), code, message).await;
}

/// An account whose clock reads `T0`, with one agent who never logged in.
async fn setup(app: &TestApp) -> (Account, i64) {
    app.clock.set(T0);
    let account = app.account().await;
    let agent = app.agent(&account, r#""name":"Asha Rao","email":"asha@example.com""#).await;
    (account, agent)
}

/// Creates an agent with a password and logs it in (now); returns its id and ssid.
async fn logged_in(app: &TestApp, account: &Account, name: &str, email: &str) -> (i64, String) {
    let fields = format!(r#""name":"{name}","email":"{email}","password":"pass-word-1""#);
    let id = app.agent(account, &fields).await;
    let ssid = app.login(email, "pass-word-1").await;
    (id, ssid)
}

/// The agent's entry in `Agent/live`.
async fn live(app: &TestApp, account: &Account, agent: i64) -> Value {
    let reply = app.post(LIVE, &with_creds(account, &format!(r#""agentId":{agent}"#))).await.json();
    assert_eq!(reply["status"], "success", "{reply}");
    reply["response"][0].clone()
}

/// Today's (the server clock's day) timeline of the account.
async fn timeline(app: &TestApp, account: &Account) -> Value {
    let reply = app.post(TIMELINE, &format!("{{{}}}", account.creds())).await.json();
    assert_eq!(reply["status"], "success", "{reply}");
    reply
}

/// Today's telephony events (`event` of the timeline).
async fn calls(app: &TestApp, account: &Account) -> Vec<Value> {
    timeline(app, account).await["event"].as_array().unwrap().clone()
}

/// `(callId, event, agentId, state)` of each telephony event.
async fn call_summary(app: &TestApp, account: &Account) -> Vec<(String, String, i64, String)> {
    calls(app, account)
        .await
        .iter()
        .map(|e| {
            (
                e["callId"].as_str().unwrap().to_string(),
                e["event"].as_str().unwrap().to_string(),
                e["agentId"].as_i64().unwrap(),
                e["state"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn summary(rows: &[(&str, &str, i64, &str)]) -> Vec<(String, String, i64, String)> {
    rows.iter().map(|(c, e, a, s)| (c.to_string(), e.to_string(), *a, s.to_string())).collect()
}

async fn set_wrap_up(app: &TestApp, account: &Account, seconds: i64) {
    let reply = app.post(SETTINGS, &with_creds(account, &format!(r#""wrapUpTime":{seconds}"#))).await.json();
    assert_eq!(reply["settings"]["wrapUpTime"], seconds, "{reply}");
}

// ---- validation ----

backend_test!(a_call_id_that_is_missing_empty_or_longer_than_128_characters_is_refused_with_1501, |app| {
    let (account, agent) = setup(&app).await;
    for value in [
        None,
        Some(json!("")),
        Some(json!("   ")),
        Some(json!("x".repeat(129))),
        Some(json!(null)),
        Some(json!(true)),
        Some(json!({})),
    ] {
        expect_refused(&app, &account, agent, "callId", value, 1501, "Invalid callId").await;
    }
    assert_eq!(calls(&app, &account).await, Vec::<Value>::new());

    // 128 characters are fine, a number is taken as its digits, blanks around are trimmed.
    let long = "x".repeat(128);
    for call_id in [json!(long), json!(42), json!("  c-7  ")] {
        let reply = app.post(CALL_EVENT, &single_of(&account, &altered(agent, "callId", Some(call_id)))).await;
        assert_eq!(reply.json()["accepted"], 1, "{}", reply.body);
    }
    let ids: Vec<Value> = calls(&app, &account).await.iter().map(|e| e["callId"].clone()).collect();
    assert_eq!(ids, vec![json!(long), json!("42"), json!("c-7")]);
});

/// The README promises `callId` "up to 128 characters".
async fn a_call_id_of_128_non_ascii_characters(app: TestApp) {
    let (account, agent) = setup(&app).await;
    let call_id = "é".repeat(128);
    let body = single_of(&account, &altered(agent, "callId", Some(json!(call_id))));
    app.expect(CALL_EVENT, &body, &accepted(1, 0, 1)).await;
    assert_eq!(calls(&app, &account).await[0]["callId"], json!(call_id));
    expect_refused(&app, &account, agent, "callId", Some(json!("é".repeat(129))), 1501, "Invalid callId").await;
}

backend_test!(a_call_id_of_128_non_ascii_characters_is_accepted, |app| {
    a_call_id_of_128_non_ascii_characters(app).await;
});

backend_test!(an_event_kind_that_is_not_a_call_event_is_refused_with_1502, |app| {
    let (account, agent) = setup(&app).await;
    for value in ["ringing", "login", "logout", "break_start", "wrap_up_end", "OFFERED", ""] {
        expect_refused(&app, &account, agent, "event", Some(json!(value)), 1502, "Invalid event").await;
    }
    for value in [None, Some(json!(null)), Some(json!(1))] {
        expect_refused(&app, &account, agent, "event", value, 1502, "Invalid event").await;
    }
    assert_eq!(calls(&app, &account).await, Vec::<Value>::new());

    for (n, kind) in ["offered", "answered", "ended", " missed "].into_iter().enumerate() {
        let body = single_of(&account, &altered(agent, "event", Some(json!(kind))));
        app.expect(CALL_EVENT, &body, &accepted(1, 0, n as i64 + 1)).await;
    }
    let kinds: Vec<Value> = calls(&app, &account).await.iter().map(|e| e["event"].clone()).collect();
    assert_eq!(kinds, vec![json!("offered"), json!("answered"), json!("ended"), json!("missed")]);
});

backend_test!(a_missing_or_malformed_agent_id_is_refused_with_1503, |app| {
    let (account, agent) = setup(&app).await;
    let values = [
        None,
        Some(json!("abc")),
        Some(json!("7a")),
        Some(json!("")),
        Some(json!("0")),
        Some(json!(0)),
        Some(json!(-1)),
    ];
    for value in values.into_iter().chain([Some(json!(1.5)), Some(json!(null)), Some(json!(true))]) {
        expect_refused(&app, &account, agent, "agentId", value, 1503, "Invalid agentId").await;
    }
    assert_eq!(calls(&app, &account).await, Vec::<Value>::new());
    // The id as a number is the same agent.
    app.expect(CALL_EVENT, &single_of(&account, &altered(agent, "agentId", Some(json!(agent)))), &accepted(1, 0, 1))
        .await;
    assert_eq!(calls(&app, &account).await[0]["agentId"], agent);
});

backend_test!(an_unknown_agent_and_another_accounts_agent_get_the_same_1503, |app| {
    let (ours, our_agent) = setup(&app).await;
    let theirs = app.account().await;
    // Ids count per account: their second agent has an id we do not have.
    app.agent(&theirs, r#""name":"Ben Okafor","email":"ben@example.com""#).await;
    let their_agent = app.agent(&theirs, r#""name":"Chen Wei","email":"chen@example.com""#).await;
    assert_ne!(their_agent, our_agent);
    let missing = their_agent + 1000;
    let expected = error_body(1503, "Invalid agentId");
    for id in [their_agent, missing] {
        let alone = app.post(CALL_EVENT, &single(&ours, "c1", "offered", id)).await;
        assert_eq!(alone.status, 200);
        assert_eq!(alone.body, expected, "agent {id}");
        // In a batch of nothing else: the batch is refused.
        let only = app.post(CALL_EVENT, &batch(&ours, &[item("c1", "offered", id), item("c1", "ended", id)])).await;
        assert_eq!(only.body, expected, "agent {id} in a batch");
    }
    assert_eq!(calls(&app, &ours).await, Vec::<Value>::new());
    // Beside a fact of our own agent, only theirs is refused, and named.
    let mixed = batch(&ours, &[item("c1", "offered", our_agent), item("c1", "offered", their_agent)]);
    let refused = r#"[{"index":1,"callId":"c1","code":1503,"message":"Invalid agentId"}]"#;
    app.expect(CALL_EVENT, &mixed, &accepted_but(1, 0, 1, refused)).await;
    assert_eq!(calls(&app, &ours).await.len(), 1);
    assert_eq!(calls(&app, &theirs).await, Vec::<Value>::new());
    assert_eq!(live(&app, &ours, our_agent).await["state"], "offline");
});

backend_test!(a_caller_id_is_read_as_a_number_an_extension_or_withheld_and_never_stops_the_event, |app| {
    let (account, agent) = setup(&app).await;
    // Only a value no telephony writes is refused.
    for value in [json!({"n": 1}), json!([9876543210u64]), json!(true), json!(-5)] {
        expect_refused(&app, &account, agent, "callerNumber", Some(value), 1504, "Invalid callerNumber").await;
    }
    assert_eq!(calls(&app, &account).await, Vec::<Value>::new());

    // Ten digits get the account's country code, a trunk 0 is replaced,
    // 11–15 digits stay, a URI gives its user part; a short plain id is an
    // extension kept as written; anything else is a withheld caller.
    let callers = [
        (Some(json!("9876543210")), "919876543210"),
        (Some(json!("+91 98765-43210")), "919876543210"),
        (Some(json!("09876543210")), "919876543210"),
        (Some(json!("(0141) 222 3333")), "911412223333"),
        (Some(json!("14155550123")), "14155550123"),
        (Some(json!(9876543210u64)), "919876543210"),
        (Some(json!("sip:+919876543210@trunk.example.net")), "919876543210"),
        (Some(json!("tel:+91-98765-43210")), "919876543210"),
        (Some(json!("sip:09876543210@10.0.0.5;user=phone")), "919876543210"),
        (Some(json!("12345")), "12345"),
        (Some(json!("cc800")), "cc800"),
        (Some(json!("anonymous")), ""),
        (Some(json!("Restricted")), ""),
        (Some(json!("")), ""),
        (None, ""),
        (Some(json!(null)), ""),
        (Some(json!("98765abcde")), ""),
        (Some(json!("987654321")), ""),
        (Some(json!("1234567890123456")), ""),
        (Some(json!("+")), ""),
    ];
    for (n, (caller, _)) in callers.iter().enumerate() {
        let mut event = altered(agent, "callerNumber", caller.clone());
        event["callId"] = json!(format!("c{n}"));
        app.expect(CALL_EVENT, &single_of(&account, &event), &accepted(1, 0, n as i64 + 1)).await;
    }
    let stored: Vec<Value> = calls(&app, &account).await.iter().map(|e| e["callerNumber"].clone()).collect();
    assert_eq!(stored, callers.iter().map(|(_, kept)| json!(kept)).collect::<Vec<_>>());
});

backend_test!(a_direction_other_than_inbound_or_outbound_is_refused_with_1505, |app| {
    let (account, agent) = setup(&app).await;
    for value in [json!("sideways"), json!("Inbound"), json!("OUTBOUND"), json!(""), json!(1), json!(true)] {
        expect_refused(&app, &account, agent, "direction", Some(value), 1505, "Invalid direction").await;
    }
    assert_eq!(calls(&app, &account).await, Vec::<Value>::new());

    // Left out or null: inbound.
    let directions = [
        (Some(json!("outbound")), "outbound"),
        (None, "inbound"),
        (Some(json!(null)), "inbound"),
        (Some(json!("inbound")), "inbound"),
    ];
    for (n, (value, _)) in directions.iter().enumerate() {
        let mut event = altered(agent, "direction", value.clone());
        event["callId"] = json!(format!("c{n}"));
        app.expect(CALL_EVENT, &single_of(&account, &event), &accepted(1, 0, n as i64 + 1)).await;
    }
    let stored: Vec<Value> = calls(&app, &account).await.iter().map(|e| e["direction"].clone()).collect();
    assert_eq!(stored, directions.iter().map(|(_, d)| json!(d)).collect::<Vec<_>>());
});

backend_test!(a_did_that_is_not_6_to_15_digits_is_refused_with_1506, |app| {
    let (account, agent) = setup(&app).await;
    for value in [json!("12345"), json!("1234567890123456"), json!("80456abc"), json!(""), json!(true), json!({})] {
        expect_refused(&app, &account, agent, "did", Some(value), 1506, "Invalid did").await;
    }
    assert_eq!(calls(&app, &account).await, Vec::<Value>::new());

    // Punctuation is dropped; left out or null: no did at all.
    let dids =
        [Some(json!("123456")), Some(json!("080-4567 8901")), Some(json!("123456789012345")), None, Some(json!(null))];
    for (n, did) in dids.into_iter().enumerate() {
        let mut event = altered(agent, "did", did);
        event["callId"] = json!(format!("c{n}"));
        app.expect(CALL_EVENT, &single_of(&account, &event), &accepted(1, 0, n as i64 + 1)).await;
    }
    let stored: Vec<Value> = calls(&app, &account).await.iter().map(|e| e["did"].clone()).collect();
    assert_eq!(stored, vec![json!("123456"), json!("08045678901"), json!("123456789012345"), Value::Null, Value::Null]);
});

backend_test!(a_time_that_is_not_a_number_negative_or_over_a_day_ahead_is_refused_with_1507, |app| {
    let (account, agent) = setup(&app).await;
    let values =
        [json!("soon"), json!("2026-11-23T10:00:00Z"), json!(""), json!(-5), json!("-5"), json!(0), json!(1.5)];
    let ahead = T0 + 86_401;
    for value in values.into_iter().chain([json!(ahead), json!(ahead.to_string()), json!(true)]) {
        expect_refused(&app, &account, agent, "time", Some(value), 1507, "Invalid time").await;
    }
    assert_eq!(calls(&app, &account).await, Vec::<Value>::new());

    // A past time (also as digits in a string) is kept; one ahead (a clock
    // running fast, up to a day) is now.
    let times =
        [(json!((T0 - 60).to_string()), T0 - 60), (json!(T0 + 300), T0), (json!(T0 + 86_400), T0), (json!(null), T0)];
    for (n, (value, _)) in times.iter().enumerate() {
        let mut event = altered(agent, "time", Some(value.clone()));
        event["callId"] = json!(format!("c{n}"));
        app.expect(CALL_EVENT, &single_of(&account, &event), &accepted(1, 0, n as i64 + 1)).await;
    }
    let stored: Vec<Value> = calls(&app, &account).await.iter().map(|e| e["time"].clone()).collect();
    assert_eq!(stored, times.iter().map(|(_, t)| json!(t)).collect::<Vec<_>>());
});

backend_test!(events_that_are_not_an_array_of_1_to_1000_events_are_refused_with_1508, |app| {
    let (account, agent) = setup(&app).await;
    let message = "Invalid events: give 1 to 1000";
    let one = item("c1", "offered", agent);
    let too_many: Vec<String> = (0..1001).map(|n| item(&format!("c{n}"), "offered", agent)).collect();
    for events in [
        one.clone(),
        r#""c1""#.to_string(),
        "5".to_string(),
        "[]".to_string(),
        format!("[{}]", too_many.join(",")),
        format!("[{one},1]"),
        format!(r#"[{one},"x"]"#),
        format!("[[{one}]]"),
    ] {
        let body = with_creds(&account, &format!(r#""events":{events}"#));
        app.expect_error(CALL_EVENT, &body, 1508, message).await;
    }
    // `null` counts as left out (as everywhere): the body is then one event, without a callId.
    app.expect_error(CALL_EVENT, &with_creds(&account, r#""events":null"#), 1501, "Invalid callId").await;
    assert_eq!(calls(&app, &account).await, Vec::<Value>::new());

    // 1000 is the most one batch may carry.
    app.expect(CALL_EVENT, &batch(&account, &too_many[..1000]), &accepted(1000, 0, 1000)).await;
    assert_eq!(calls(&app, &account).await.len(), 1000);
});

// ---- batches, the reply, idempotency ----

backend_test!(a_batch_loses_only_its_wrong_facts_each_named, |app| {
    app.clock.set(T0);
    let account = app.account().await;
    let (agent, _) = logged_in(&app, &account, "Asha Rao", "asha@example.com").await;
    let wrong = [
        (
            r#"{"callId":"c1","event":"ended","agentId":"AGENT","callerNumber":{"n":98765}}"#,
            1504,
            "Invalid callerNumber",
        ),
        (r#"{"callId":"c1","event":"ringing","agentId":"AGENT","callerNumber":"9876543210"}"#, 1502, "Invalid event"),
        (r#"{"callId":"c1","event":"ended","agentId":"999999","callerNumber":"9876543210"}"#, 1503, "Invalid agentId"),
        (r#"{"callId":"c1","event":"ended","agentId":"AGENT","time":"later"}"#, 1507, "Invalid time"),
        (r#"{"callId":"c1","event":"ended","agentId":"AGENT","groupId":777}"#, 1509, "Invalid groupId"),
        (r#"{"event":"ended","agentId":"AGENT"}"#, 1501, "Invalid callId"),
    ];
    // A connector's batch: an offer, every kind of wrong fact, an answer.
    let mut items = vec![item("c1", "offered", agent)];
    items.extend(wrong.iter().map(|(w, _, _)| w.replace("AGENT", &agent.to_string())));
    items.push(item("c1", "answered", agent));
    let named: Vec<String> = wrong
        .iter()
        .enumerate()
        .map(|(n, (_, code, message))| {
            let call_id = if *code == 1501 { String::new() } else { r#""callId":"c1","#.to_string() };
            format!(r#"{{"index":{},{call_id}"code":{code},"message":"{message}"}}"#, n + 1)
        })
        .collect();
    let refused = format!("[{}]", named.join(","));
    app.expect(CALL_EVENT, &batch(&account, &items), &accepted_but(2, 0, 3, &refused)).await;
    // The good facts applied: Asha talks.
    let now = live(&app, &account, agent).await;
    assert_eq!((now["state"].clone(), now["call"]["callId"].clone()), (json!("on_call"), json!("c1")));
    assert_eq!(call_summary(&app, &account).await.len(), 2);
    // Sent again, the good facts are duplicates; the wrong ones named again.
    app.expect(CALL_EVENT, &batch(&account, &items), &accepted_but(0, 2, 0, &refused)).await;
});

backend_test!(the_success_reply_is_exactly_accepted_duplicates_lst_sync_status_code, |app| {
    app.clock.set(T0);
    let account = app.account().await;
    let (agent, _) = logged_in(&app, &account, "Asha Rao", "asha@example.com").await; // event 1: login
    app.expect(CALL_EVENT, &single(&account, "c1", "offered", agent), &accepted(1, 0, 2)).await;
    app.expect(
        CALL_EVENT,
        &batch(&account, &[item("c1", "answered", agent), item("c1", "ended", agent)]),
        &accepted(2, 0, 4),
    )
    .await;
    // A retried event next to a new one: only the new one is logged.
    let mixed = [item("c1", "ended", agent), item("c2", "offered", agent)];
    let reply = app.post(CALL_EVENT, &batch(&account, &mixed)).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.body, accepted(1, 1, 5));
    assert!(reply.header("content-type").starts_with("application/json"), "{}", reply.header("content-type"));
    assert_eq!(timeline(&app, &account).await["lstSync"], 5);
});

backend_test!(the_same_call_event_sent_twice_is_recorded_once, |app| {
    app.clock.set(T0);
    let account = app.account().await;
    let (agent, _) = logged_in(&app, &account, "Asha Rao", "asha@example.com").await;
    app.expect(CALL_EVENT, &single(&account, "c1", "offered", agent), &accepted(1, 0, 2)).await;
    app.clock.advance(5);
    // The retry is a duplicate even with other details: the first record stands.
    app.expect(CALL_EVENT, &single(&account, "c1", "offered", agent), &accepted(0, 1, 0)).await;
    let other = with_creds(
        &account,
        &format!(
            r#""callId":"c1","event":"offered","agentId":{agent},"callerNumber":"14155550123","direction":"outbound""#
        ),
    );
    app.expect(CALL_EVENT, &other, &accepted(0, 1, 0)).await;
    let events = calls(&app, &account).await;
    assert_eq!(
        events,
        vec![json!({"id":2,"agentId":agent,"event":"offered","time":T0,"state":"ringing","actor":"telephony",
            "callId":"c1","callerNumber":"919876543210","direction":"inbound"})]
    );
    let now = live(&app, &account, agent).await;
    assert_eq!((now["state"].clone(), now["since"].clone()), (json!("ringing"), json!(T0)));
});

backend_test!(a_repeated_event_inside_one_batch_counts_as_a_duplicate, |app| {
    app.clock.set(T0);
    let account = app.account().await;
    let (agent, _) = logged_in(&app, &account, "Asha Rao", "asha@example.com").await;
    let items = [
        item("c1", "offered", agent),
        item("c1", "offered", agent),
        item("c1", "answered", agent),
        item("c1", "answered", agent),
    ];
    app.expect(CALL_EVENT, &batch(&account, &items), &accepted(2, 2, 3)).await;
    assert_eq!(
        call_summary(&app, &account).await,
        summary(&[("c1", "offered", agent, "ringing"), ("c1", "answered", agent, "on_call")])
    );
    assert_eq!(live(&app, &account, agent).await["state"], "on_call");
});

backend_test!(a_retried_batch_is_all_duplicates, |app| {
    app.clock.set(T0);
    let account = app.account().await;
    let (agent, _) = logged_in(&app, &account, "Asha Rao", "asha@example.com").await;
    let items = [item("c1", "offered", agent), item("c1", "answered", agent), item("c1", "ended", agent)];
    app.expect(CALL_EVENT, &batch(&account, &items), &accepted(3, 0, 4)).await;
    let before = live(&app, &account, agent).await;
    assert_eq!((before["state"].clone(), before["wrapETime"].clone()), (json!("wrap_up"), json!(T0 + 30)));
    app.clock.advance(10);
    app.expect(CALL_EVENT, &batch(&account, &items), &accepted(0, 3, 0)).await;
    assert_eq!(
        call_summary(&app, &account).await,
        summary(&[
            ("c1", "offered", agent, "ringing"),
            ("c1", "answered", agent, "on_call"),
            ("c1", "ended", agent, "wrap_up")
        ])
    );
    let after = live(&app, &account, agent).await;
    assert_eq!(
        (after["state"].clone(), after["since"].clone(), after["wrapETime"].clone()),
        (json!("wrap_up"), json!(T0), json!(T0 + 30))
    );
});

// ---- what the events do ----

backend_test!(a_call_offered_to_two_agents_at_once_is_recorded_for_each_and_rings_both, |app| {
    app.clock.set(T0);
    let account = app.account().await;
    let (asha, _) = logged_in(&app, &account, "Asha Rao", "asha@example.com").await;
    let (ben, _) = logged_in(&app, &account, "Ben Okafor", "ben@example.com").await;
    app.clock.advance(10);
    app.expect(
        CALL_EVENT,
        &batch(&account, &[item("c1", "offered", asha), item("c1", "offered", ben)]),
        &accepted(2, 0, 4),
    )
    .await;
    for agent in [asha, ben] {
        let now = live(&app, &account, agent).await;
        assert_eq!(now["state"], "ringing", "{now}");
        assert_eq!(
            now["call"],
            json!({"callId":"c1","callerNumber":"919876543210","direction":"inbound","since":T0 + 10}),
            "{now}"
        );
    }
    // The same offer sent again for either agent is a duplicate.
    app.expect(CALL_EVENT, &single(&account, "c1", "offered", ben), &accepted(0, 1, 0)).await;
    // Asha picks up; Ben's ringing ends as missed.
    app.clock.advance(5);
    app.expect(
        CALL_EVENT,
        &batch(&account, &[item("c1", "answered", asha), item("c1", "missed", ben)]),
        &accepted(2, 0, 6),
    )
    .await;
    assert_eq!(live(&app, &account, asha).await["state"], "on_call");
    assert_eq!(live(&app, &account, ben).await["state"], "available");
    assert_eq!(
        call_summary(&app, &account).await,
        summary(&[
            ("c1", "offered", asha, "ringing"),
            ("c1", "offered", ben, "ringing"),
            ("c1", "answered", asha, "on_call"),
            ("c1", "missed", ben, "available"),
        ])
    );
});

backend_test!(an_end_that_overtakes_its_offer_and_answer_is_one_talked_leg_whatever_the_order, |app| {
    app.clock.set(T0);
    let account = app.account().await;
    let (agent, _) = logged_in(&app, &account, "Asha Rao", "asha@example.com").await;
    app.clock.advance(10);
    app.expect(CALL_EVENT, &single(&account, "c1", "ended", agent), &accepted(1, 0, 2)).await;
    let now = live(&app, &account, agent).await;
    assert_eq!(
        (now["state"].clone(), now["since"].clone(), now["wrapETime"].clone()),
        (json!("available"), json!(T0), Value::Null)
    );
    // The late offer of the call that is over does not ring the agent; its
    // late answer says the agent talked on it: the leg is over, and the
    // wrap-up from its hang-up (T0+10, 30 s) follows.
    app.clock.advance(2);
    app.expect(CALL_EVENT, &single(&account, "c1", "offered", agent), &accepted(1, 0, 3)).await;
    let now = live(&app, &account, agent).await;
    assert_eq!(
        (now["state"].clone(), now["since"].clone(), now["call"].clone()),
        (json!("available"), json!(T0), Value::Null)
    );
    app.expect(CALL_EVENT, &single(&account, "c1", "answered", agent), &accepted(1, 0, 4)).await;
    let now = live(&app, &account, agent).await;
    assert_eq!(
        (now["state"].clone(), now["since"].clone(), now["call"].clone(), now["wrapETime"].clone()),
        (json!("wrap_up"), json!(T0 + 12), Value::Null, json!(T0 + 40))
    );
    assert_eq!(
        call_summary(&app, &account).await,
        summary(&[
            ("c1", "ended", agent, "available"),
            ("c1", "offered", agent, "available"),
            ("c1", "answered", agent, "wrap_up")
        ])
    );
    // The next call rings as usual, also during the wrap-up.
    app.expect(CALL_EVENT, &single(&account, "c2", "offered", agent), &accepted(1, 0, 5)).await;
    assert_eq!(live(&app, &account, agent).await["state"], "ringing");
});

backend_test!(the_events_time_is_used_and_a_time_ahead_of_the_server_is_taken_as_now, |app| {
    app.clock.set(T0);
    let account = app.account().await;
    let (agent, _) = logged_in(&app, &account, "Asha Rao", "asha@example.com").await;
    app.clock.set(T0 + 100);
    let with_time = |call: &str, event: &str, time: Value| {
        with_creds(
            &account,
            &format!(
                r#""callId":"{call}","event":"{event}","agentId":{agent},"callerNumber":"9876543210","time":{time}"#
            ),
        )
    };
    app.expect(CALL_EVENT, &with_time("c1", "offered", json!(T0 + 50)), &accepted(1, 0, 2)).await;
    let now = live(&app, &account, agent).await;
    assert_eq!(
        (now["state"].clone(), now["since"].clone(), now["call"]["since"].clone()),
        (json!("ringing"), json!(T0 + 50), json!(T0 + 50))
    );
    // 300 s ahead of the server is tolerated and recorded as the server's now.
    app.expect(CALL_EVENT, &with_time("c1", "answered", json!(T0 + 100 + 300)), &accepted(1, 0, 3)).await;
    let now = live(&app, &account, agent).await;
    assert_eq!((now["state"].clone(), now["since"].clone()), (json!("on_call"), json!(T0 + 100)));
    // Digits in a string are a time too.
    app.clock.set(T0 + 200);
    app.expect(CALL_EVENT, &with_time("c1", "ended", json!((T0 + 150).to_string())), &accepted(1, 0, 4)).await;
    let now = live(&app, &account, agent).await;
    assert_eq!(
        (now["state"].clone(), now["since"].clone(), now["wrapETime"].clone()),
        (json!("wrap_up"), json!(T0 + 150), json!(T0 + 180))
    );
    // Never before what the agent already did: an earlier time is moved up to the last event.
    app.expect(CALL_EVENT, &with_time("c2", "offered", json!(T0 + 120)), &accepted(1, 0, 5)).await;
    let times: Vec<(Value, Value)> =
        calls(&app, &account).await.iter().map(|e| (e["event"].clone(), e["time"].clone())).collect();
    assert_eq!(
        times,
        vec![
            (json!("offered"), json!(T0 + 50)),
            (json!("answered"), json!(T0 + 100)),
            (json!("ended"), json!(T0 + 150)),
            (json!("offered"), json!(T0 + 150)),
        ]
    );
    let ended = &calls(&app, &account).await[2];
    assert_eq!(ended["wrapETime"], T0 + 180);
});

backend_test!(calls_for_an_agent_who_never_logged_in_are_recorded_and_leave_it_offline, |app| {
    let (account, agent) = setup(&app).await;
    let items = [item("c1", "offered", agent), item("c1", "answered", agent), item("c1", "ended", agent)];
    app.expect(CALL_EVENT, &batch(&account, &items), &accepted(3, 0, 3)).await;
    app.expect(CALL_EVENT, &single(&account, "c2", "offered", agent), &accepted(1, 0, 4)).await;
    app.clock.advance(3600);
    app.step().await;
    let now = live(&app, &account, agent).await;
    assert_eq!(
        (now["state"].clone(), now["loginAt"].clone(), now["call"].clone(), now["wrapETime"].clone()),
        (json!("offline"), Value::Null, Value::Null, Value::Null)
    );
    let day = timeline(&app, &account).await;
    assert_eq!(day["agEvent"], json!([]), "no login, wrap-up or heartbeat events");
    assert_eq!(
        call_summary(&app, &account).await,
        summary(&[
            ("c1", "offered", agent, "offline"),
            ("c1", "answered", agent, "offline"),
            ("c1", "ended", agent, "offline"),
            ("c2", "offered", agent, "offline"),
        ])
    );
    let ended = &day["event"][2];
    assert_eq!(ended["wrapETime"], Value::Null, "{ended}");
});

backend_test!(an_agent_session_is_refused_with_permission_denied_even_with_a_role, |app| {
    app.clock.set(T0);
    let account = app.account().await;
    let (plain, plain_ssid) = logged_in(&app, &account, "Asha Rao", "asha@example.com").await;
    let role = app
        .post(
            "/api/v2/Role/add",
            &with_creds(
                &account,
                r#""name":"Supervisor","permissions":["VIEW_AGENTS","EDIT_AGENTS","MANAGE_GROUPS","MANAGE_ROLES","AGENT_TO_AGENT_CALL"]"#,
            ),
        )
        .await
        .json();
    let role_id = role["roleId"].as_str().unwrap_or_else(|| panic!("role add failed: {role}")).to_string();
    let fields =
        format!(r#""name":"Ben Okafor","email":"ben@example.com","password":"pass-word-1","role":"{role_id}""#);
    let lead = app.agent(&account, &fields).await;
    let lead_ssid = app.login("ben@example.com", "pass-word-1").await;
    for (ssid, agent) in [(&plain_ssid, plain), (&lead_ssid, lead)] {
        let one = format!(
            r#"{{"ssid":"{ssid}","callId":"c1","event":"offered","agentId":"{agent}","callerNumber":"9876543210"}}"#
        );
        app.expect_error(CALL_EVENT, &one, 1015, "Permission denied").await;
        let many = format!(r#"{{"ssid":"{ssid}","events":[{}]}}"#, item("c1", "offered", agent));
        app.expect_error(CALL_EVENT, &many, 1015, "Permission denied").await;
    }
    assert_eq!(calls(&app, &account).await, Vec::<Value>::new());
    assert_eq!(live(&app, &account, plain).await["state"], "available");
    assert_eq!(live(&app, &account, lead).await["state"], "available");
});

backend_test!(wrap_up_after_a_call_lasts_the_accounts_wrap_up_time, |app| {
    app.clock.set(T0);
    let account = app.account().await;
    set_wrap_up(&app, &account, 45).await;
    let (agent, ssid) = logged_in(&app, &account, "Asha Rao", "asha@example.com").await;
    app.clock.set(T0 + 10);
    app.expect(CALL_EVENT, &single(&account, "c1", "offered", agent), &accepted(1, 0, 2)).await;
    app.clock.set(T0 + 15);
    app.expect(CALL_EVENT, &single(&account, "c1", "answered", agent), &accepted(1, 0, 3)).await;
    let hang_up = T0 + 100;
    app.clock.set(hang_up);
    app.expect(CALL_EVENT, &single(&account, "c1", "ended", agent), &accepted(1, 0, 4)).await;
    let now = live(&app, &account, agent).await;
    assert_eq!(
        (now["state"].clone(), now["since"].clone(), now["wrapETime"].clone(), now["call"].clone()),
        (json!("wrap_up"), json!(hang_up), json!(hang_up + 45), Value::Null)
    );
    assert_eq!(calls(&app, &account).await[2]["wrapETime"], hang_up + 45);

    // The agent's page keeps pinging through the wrap-up.
    for at in [hang_up + 20, hang_up + 40, hang_up + 44] {
        app.clock.set(at);
        app.step().await;
        let ping = app.post(PING, &format!(r#"{{"ssid":"{ssid}","mic_perm":1}}"#)).await.json();
        assert_eq!(ping["status"], "success", "{ping}");
        assert_eq!(live(&app, &account, agent).await["state"], "wrap_up", "at +{}", at - hang_up);
    }
    app.clock.set(hang_up + 45);
    app.step().await;
    let now = live(&app, &account, agent).await;
    assert_eq!(
        (now["state"].clone(), now["since"].clone(), now["wrapETime"].clone()),
        (json!("available"), json!(hang_up + 45), Value::Null)
    );
    let day = timeline(&app, &account).await;
    let wrap_end = day["agEvent"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        (wrap_end["event"].clone(), wrap_end["time"].clone(), wrap_end["actor"].clone(), wrap_end["callId"].clone()),
        (json!("wrap_up_end"), json!(hang_up + 45), json!("system"), json!("c1"))
    );
});

backend_test!(with_a_wrap_up_time_of_0_the_agent_is_available_at_hang_up, |app| {
    app.clock.set(T0);
    let account = app.account().await;
    set_wrap_up(&app, &account, 0).await;
    let (agent, _) = logged_in(&app, &account, "Asha Rao", "asha@example.com").await;
    app.clock.set(T0 + 10);
    app.expect(CALL_EVENT, &single(&account, "c1", "offered", agent), &accepted(1, 0, 2)).await;
    app.clock.set(T0 + 15);
    app.expect(CALL_EVENT, &single(&account, "c1", "answered", agent), &accepted(1, 0, 3)).await;
    app.clock.set(T0 + 60);
    app.expect(CALL_EVENT, &single(&account, "c1", "ended", agent), &accepted(1, 0, 4)).await;
    let now = live(&app, &account, agent).await;
    assert_eq!(
        (now["state"].clone(), now["since"].clone(), now["wrapETime"].clone(), now["call"].clone()),
        (json!("available"), json!(T0 + 60), Value::Null, Value::Null)
    );
    let ended = calls(&app, &account).await[2].clone();
    assert_eq!(
        ended,
        json!({"id":4,"agentId":agent,"event":"ended","time":T0 + 60,"state":"available","actor":"telephony",
            "callId":"c1","callerNumber":"919876543210","direction":"inbound"})
    );
    let day = timeline(&app, &account).await;
    let kinds: Vec<&Value> = day["agEvent"].as_array().unwrap().iter().map(|e| &e["event"]).collect();
    assert_eq!(kinds, vec![&json!("login")], "no wrap_up_end without a wrap-up");
});

// ---- group commit ----

backend_test!(concurrent_call_events_are_each_recorded_once_even_when_retried_in_flight, |app| {
    app.clock.set(T0);
    let account = app.account().await;
    let (agent, _) = logged_in(&app, &account, "Asha Rao", "asha@example.com").await;
    // 20 calls, each offered and missed, each batch sent three times at
    // once: 60 requests in flight together, decided one after another and
    // made durable in groups.
    let bodies: Vec<String> = (0..20)
        .flat_map(|c| {
            let body =
                batch(&account, &[item(&format!("c{c}"), "offered", agent), item(&format!("c{c}"), "missed", agent)]);
            [body.clone(), body.clone(), body]
        })
        .collect();
    let replies = futures_util::future::join_all(bodies.iter().map(|b| app.post(CALL_EVENT, b))).await;
    let mut sequences = Vec::new();
    let (mut accepted_events, mut duplicate_events) = (0, 0);
    for reply in &replies {
        let json = reply.json();
        assert_eq!(json["status"], "success", "{}", reply.body);
        let (a, d) = (json["accepted"].as_i64().unwrap(), json["duplicates"].as_i64().unwrap());
        assert!((a, d) == (2, 0) || (a, d) == (0, 2), "a batch is recorded whole or is a whole retry: {}", reply.body);
        accepted_events += a;
        duplicate_events += d;
        if a > 0 {
            sequences.push(json["lstSync"].as_i64().unwrap());
        }
    }
    assert_eq!((accepted_events, duplicate_events), (40, 80));
    sequences.sort_unstable();
    sequences.dedup();
    assert_eq!(sequences.len(), 20, "every accepted batch got its own sequence numbers: {sequences:?}");

    let mut recorded = call_summary(&app, &account).await;
    assert_eq!(recorded.len(), 40);
    recorded.sort();
    recorded.dedup_by(|a, b| (&a.0, &a.1) == (&b.0, &b.1));
    assert_eq!(recorded.len(), 40, "no call event is in the log twice");
    assert_eq!(live(&app, &account, agent).await["state"], "available");
});

/// Makes the log refuse any event of call `poison`, as a failing disk or a
/// lost database connection would refuse a write.
async fn poison_the_log(app: &TestApp) {
    use sqlx::Connection;
    sqlx::any::install_default_drivers();
    let mut db = sqlx::AnyConnection::connect(&app.database).await.unwrap();
    let statements: &[&str] = if app.database.starts_with("sqlite") {
        &["CREATE TRIGGER poison BEFORE INSERT ON agent_events WHEN NEW.call_id = 'poison'
           BEGIN SELECT RAISE(ABORT, 'poisoned'); END"]
    } else {
        &[
            "CREATE FUNCTION poison() RETURNS trigger AS $$ BEGIN
               IF NEW.call_id = 'poison' THEN RAISE EXCEPTION 'poisoned'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql",
            "CREATE TRIGGER poison BEFORE INSERT ON agent_events FOR EACH ROW EXECUTE FUNCTION poison()",
        ]
    };
    for sql in statements {
        sqlx::query(sqlx::AssertSqlSafe(*sql)).execute(&mut db).await.unwrap();
    }
}

backend_test!(a_change_that_cannot_be_made_durable_is_refused_and_leaves_nothing_behind, |app| {
    app.clock.set(T0);
    let account = app.account().await;
    let (agent, _) = logged_in(&app, &account, "Asha Rao", "asha@example.com").await;
    poison_the_log(&app).await;
    // Answered, it would put the agent on a call.
    app.expect_error(CALL_EVENT, &single(&account, "poison", "answered", agent), 1032, "Internal server error").await;
    // Neither the board nor the next decision sees the refused call…
    assert_eq!(live(&app, &account, agent).await["state"], "available");
    app.clock.advance(5);
    app.expect(CALL_EVENT, &single(&account, "c1", "offered", agent), &accepted(1, 0, 2)).await;
    app.expect(CALL_EVENT, &single(&account, "c1", "answered", agent), &accepted(1, 0, 3)).await;
    assert_eq!(
        call_summary(&app, &account).await,
        summary(&[("c1", "offered", agent, "ringing"), ("c1", "answered", agent, "on_call")])
    );
    assert_eq!(live(&app, &account, agent).await["state"], "on_call");
    // …and, never recorded, it is no duplicate either: still refused, not skipped.
    app.expect_error(CALL_EVENT, &single(&account, "poison", "ended", agent), 1032, "Internal server error").await;
});
