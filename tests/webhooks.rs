//! Push: webhook subscriptions (`Webhook/*`), DeepCall-shaped call reports
//! as JSON and as form `push_report=`, agent events with the stream's ids,
//! Standard Webhooks signatures checked by an independent recipe, the
//! retry ladder with `Retry-After`, ordering per agent, the delivery log,
//! redelivery, secret rotation, switching off after days of failures, and
//! private addresses refused unless allowed.

mod common;

use agentdesk::ServerConfig;
use common::receiver::{Answer, Receiver, free_port, signed_by};
use common::{Account, TestApp, error_body};
use serde_json::{Value, json};

const ADD: &str = "/api/v2/Webhook/add";
const LIST: &str = "/api/v2/Webhook/list";
const UPDATE: &str = "/api/v2/Webhook/update";
const DELETE: &str = "/api/v2/Webhook/delete";
const TEST: &str = "/api/v2/Webhook/test";
const ROTATE: &str = "/api/v2/Webhook/rotateSecret";
const DELIVERIES: &str = "/api/v2/Webhook/deliveries";
const REDELIVER: &str = "/api/v2/Webhook/redeliver";
const CALL_EVENT: &str = "/api/v2/callEvent";

/// 2026-11-23 12:00:00 UTC (accounts count in UTC unless told otherwise).
const T: i64 = 1_795_435_200;

fn body(account: &Account, fields: Value) -> String {
    let mut b = fields;
    b["userId"] = json!(account.user_id);
    b["token"] = json!(account.token);
    b.to_string()
}

/// Subscribes `url`; the webhook's id and secret.
async fn subscribe(app: &TestApp, account: &Account, url: &str, events: Value, format: &str) -> (i64, String) {
    let reply = app.post(ADD, &body(account, json!({"url": url, "events": events, "format": format}))).await.json();
    let id = reply["webhookId"].as_i64().unwrap_or_else(|| panic!("add failed: {reply}"));
    (id, reply["secret"].as_str().unwrap().to_string())
}

async fn call_events(app: &TestApp, account: &Account, events: Value) {
    let reply = app.post(CALL_EVENT, &body(account, json!({"events": events}))).await.json();
    assert_eq!(reply["status"], "success", "{reply}");
}

fn fact(call: &str, event: &str, agent: i64, time: i64) -> Value {
    json!({"callId": call, "event": event, "agentId": agent, "callerNumber": "9876543210", "time": time})
}

async fn deliveries(app: &TestApp, account: &Account, webhook: i64) -> Vec<Value> {
    let reply = app.post(DELIVERIES, &body(account, json!({"webhookId": webhook}))).await.json();
    reply["response"].as_array().unwrap_or_else(|| panic!("{reply}")).clone()
}

/// The report of the ring-all call `ring_all` makes: offered to both
/// agents at T-100 for group `g`, answered by `b` (Bilal, whose phone is
/// 98111 00102) at T-93 (missed by `a`), ended at T-33.
fn expected_report(account: &Account, a: i64, b: i64, g: i64) -> String {
    format!(
        r#"{{"callId":"call-1","userId":"{u}","cType":"inbound","did":null,"cNumber":"919876543210","cNumber10":"9876543210","masterAgent":"Bilal","masterAgentNumber":"919811100102","masterGroupId":{g},"callStatus":3,"firstAttended":"{b}","firstAnswerTime":"2026-11-23 11:58:27","lastHangupTime":"2026-11-23 11:59:27","lastFirstDuration":60,"talkDuration":60,"agentOnCallDuration":60,"nHDetail":[{{"agentId":"{a}","status":"missed","totalRingDuration":7}},{{"agentId":"{b}","status":"answered","talkDuration":60,"talkSTime":"2026-11-23 11:58:27","talkETime":"2026-11-23 11:59:27","totalRingDuration":7}}],"callOutcome":"answered","callStartTime":"2026-11-23 11:58:20"}}"#,
        u = account.user_id
    )
}

/// Everything of the ring-all call but its hang-up.
fn ring_all(a: i64, b: i64) -> Value {
    json!([
        fact("call-1", "offered", a, T - 100),
        fact("call-1", "offered", b, T - 100),
        fact("call-1", "answered", b, T - 93),
        fact("call-1", "missed", a, T - 93),
    ])
}

backend_test!(a_call_report_arrives_once_the_call_ends_signed_as_json_and_as_form_push_report, |app| {
    app.clock.set(T);
    let account = app.account().await;
    let a = app.agent(&account, r#""name":"Asha","email":"asha@x.com""#).await;
    let b = app.agent(&account, r#""name":"Bilal","email":"bilal@x.com","phone":"98111 00102""#).await;
    let group = app.group(&account, "Support").await;
    let json_receiver = Receiver::start().await;
    let form_receiver = Receiver::start().await;
    let (_, json_secret) = subscribe(&app, &account, &json_receiver.url, json!(["callReport"]), "json").await;
    let (_, form_secret) = subscribe(&app, &account, &form_receiver.url, json!(["callReport"]), "form").await;

    let mut facts = ring_all(a, b);
    for f in facts.as_array_mut().unwrap().iter_mut().filter(|f| f["event"] == "offered") {
        f["groupId"] = json!(group);
    }
    call_events(&app, &account, facts).await;
    let report = app.push_step().await;
    assert_eq!((report.queued, report.attempts), (0, 0), "the call is not over: Bilal still talks");
    call_events(&app, &account, json!([fact("call-1", "ended", b, T - 33)])).await;
    let report = app.push_step().await;
    assert_eq!((report.queued, report.attempts, report.delivered), (2, 2, 2));

    let expected = expected_report(&account, a, b, group);
    let got = json_receiver.received();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].body, expected);
    assert_eq!(got[0].header("content-type"), "application/json");
    assert_eq!(got[0].header("webhook-timestamp"), T.to_string());
    assert!(got[0].header("webhook-id").starts_with(&format!("call_{}_", account.user_id)));
    assert!(signed_by(&got[0], &json_secret), "{:?}", got[0].headers);
    assert!(!signed_by(&got[0], &form_secret), "another subscription's secret does not verify it");

    let got = form_receiver.received();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].header("content-type"), "application/x-www-form-urlencoded");
    let fields: Vec<(String, String)> = serde_urlencoded::from_str(&got[0].body).unwrap();
    assert_eq!(fields, [("push_report".to_string(), expected)]);
    assert!(signed_by(&got[0], &form_secret));

    // Late facts about the finished call do not report it twice.
    call_events(&app, &account, json!([fact("call-1", "ended", a, T - 30)])).await;
    let report = app.push_step().await;
    assert_eq!((report.queued, report.attempts), (0, 0));
    assert_eq!((json_receiver.received().len(), form_receiver.received().len()), (1, 1));

    // A call nobody answered: callStatus 2 (receivers read anything but 3
    // as not connected), and no agent to file it under. Its report waits
    // 15 s after the miss for a next ring, then goes.
    call_events(&app, &account, json!([fact("call-2", "offered", a, T - 20), fact("call-2", "missed", a, T - 5)]))
        .await;
    assert_eq!(app.push_step().await.attempts, 0, "held for a next ring until T+10");
    app.clock.set(T + 10);
    assert_eq!(app.push_step().await.delivered, 2);
    let got = json_receiver.received();
    let missed: Value = serde_json::from_str(&got.last().unwrap().body).unwrap();
    assert_eq!(
        (missed["callId"].clone(), missed["callStatus"].clone(), missed["callOutcome"].clone()),
        (json!("call-2"), json!(2), json!("missed"))
    );
    assert!(missed.get("masterAgent").is_none() && missed.get("masterAgentNumber").is_none(), "{missed}");
});

backend_test!(a_report_refused_then_failing_then_throttled_arrives_once_accepted_with_every_attempt_logged, |app| {
    app.clock.set(T);
    let account = app.account().await;
    let a = app.agent(&account, r#""name":"Asha","email":"asha@x.com""#).await;
    let port = free_port();
    let url = format!("http://127.0.0.1:{port}/hook");
    let (webhook, secret) = subscribe(&app, &account, &url, json!(["callReport"]), "json").await;
    call_events(
        &app,
        &account,
        json!([fact("c9", "offered", a, T - 100), fact("c9", "answered", a, T - 90), fact("c9", "ended", a, T - 30)]),
    )
    .await;
    // Nobody listens: refused at once.
    let report = app.push_step().await;
    assert_eq!((report.queued, report.attempts, report.delivered), (1, 1, 0));

    let receiver = Receiver::start_on(port).await;
    receiver.script([Answer::status(500), Answer { status: 429, retry_after: Some(120), body: "slow down" }]);
    let mut steps = Vec::new();
    // The ladder: 5 s after the first attempt, then 5 min; then the 429's
    // 120 s instead of the ladder's 30 min.
    for advance in [4, 1, 299, 1, 119, 1] {
        app.clock.advance(advance);
        let r = app.push_step().await;
        steps.push((r.attempts, r.delivered));
    }
    assert_eq!(steps, [(0, 0), (1, 0), (0, 0), (1, 0), (0, 0), (1, 1)]);
    assert_eq!(app.push_step().await.attempts, 0, "accepted: not sent again");

    let got = receiver.received();
    assert_eq!(got.len(), 3);
    assert!(got.iter().all(|r| r.header("webhook-id") == got[0].header("webhook-id")), "one message id");
    assert!(got.iter().all(|r| signed_by(r, &secret)));
    let log = deliveries(&app, &account, webhook).await;
    assert_eq!(log.len(), 1);
    let d = &log[0];
    assert_eq!(
        (d["event"].as_str(), d["status"].as_str(), d["attempts"].as_i64()),
        (Some("callReport"), Some("delivered"), Some(4))
    );
    assert_eq!(d["messageId"], got[0].header("webhook-id"));
    let attempts = d["log"].as_array().unwrap();
    let codes: Vec<Value> = attempts.iter().map(|a| a["responseCode"].clone()).collect();
    assert_eq!(codes, [Value::Null, json!(500), json!(429), json!(200)]);
    let times: Vec<i64> = attempts.iter().map(|a| a["time"].as_i64().unwrap()).collect();
    assert_eq!(times, [T, T + 5, T + 305, T + 425]);
    assert!(attempts[0]["excerpt"].as_str().unwrap().contains("refused"), "{}", attempts[0]);
    assert_eq!(
        (attempts[2]["excerpt"].as_str(), attempts[3]["excerpt"].as_str()),
        (Some("slow down"), Some("GODBLESSYOU"))
    );
    assert!(attempts.iter().all(|a| a["latencyMs"].as_i64().is_some_and(|ms| (0..15_000).contains(&ms))));
});

/// Reads `n` frames of the account's stream from its start: `(id, kind, data)`.
async fn stream_frames(app: &TestApp, account: &Account, n: usize) -> Vec<(i64, String, Value)> {
    let url = format!("{}/api/v2/stream?userId={}&token={}&lastEventId=0", app.base, account.user_id, account.token);
    let mut response = app.client.get(url).send().await.unwrap();
    let mut text = String::new();
    let mut frames = Vec::new();
    while frames.len() < n {
        let chunk = tokio::time::timeout(std::time::Duration::from_secs(5), response.chunk()).await.unwrap().unwrap();
        text.push_str(&String::from_utf8_lossy(&chunk.expect("the stream goes on")));
        while let Some(end) = text.find("\n\n") {
            let block: String = text.drain(..end + 2).collect();
            let field =
                |name: &str| block.lines().find_map(|l| l.strip_prefix(name).map(|v| v.trim_start().to_string()));
            if let (Some(id), Some(event), Some(data)) = (field("id:"), field("event:"), field("data:")) {
                frames.push((id.parse().unwrap(), event, serde_json::from_str(&data).unwrap()));
            }
        }
    }
    frames
}

backend_test!(one_agents_events_arrive_in_order_with_the_streams_ids_even_when_one_is_retried, |app| {
    app.clock.set(T);
    let account = app.account().await;
    let a = app.agent(&account, r#""name":"Asha","email":"asha@x.com","password":"pass-word-1""#).await;
    let ssid = app.login("asha@x.com", "pass-word-1").await;
    // Subscribed after the login: a subscription starts at the log's end.
    let receiver = Receiver::start().await;
    let (_, secret) = subscribe(&app, &account, &receiver.url, json!(["*"]), "json").await;
    receiver.script([Answer::status(500)]);
    for (path, reason) in [("breakStart", "Lunch"), ("breakEnd", ""), ("breakStart", "Tea"), ("breakEnd", "")] {
        let mut request = json!({"ssid": ssid});
        if !reason.is_empty() {
            request["reason"] = json!(reason);
        }
        let request = request.to_string();
        let reply = app.post(&format!("/api/v2/agentProfile/{path}"), &request).await.json();
        assert_eq!(reply["status"], "success", "{path}: {reply}");
        app.clock.advance(10);
    }
    let report = app.push_step().await;
    assert_eq!((report.queued, report.attempts, report.delivered), (4, 1, 0), "the rest wait for the first");
    app.clock.advance(5);
    let report = app.push_step().await;
    assert_eq!((report.attempts, report.delivered), (4, 4));

    let got = receiver.received();
    let ids: Vec<i64> = got.iter().map(|r| r.json()["data"]["id"].as_i64().unwrap()).collect();
    assert_eq!(ids[0], ids[1], "the first again, then the rest");
    let delivered = &got[1..];
    let frames = stream_frames(&app, &account, 5).await;
    assert_eq!(frames[0].1, "login", "before the subscription: not delivered");
    for (received, (id, kind, data)) in delivered.iter().zip(&frames[1..]) {
        let payload = received.json();
        assert_eq!(payload["data"], *data, "the stream's event, as the stream sends it");
        assert_eq!(
            (payload["type"].as_str().unwrap(), payload["userId"].as_str().unwrap()),
            (kind.as_str(), account.user_id.as_str())
        );
        assert_eq!(received.header("webhook-id"), format!("evt_{}_{id}", account.user_id));
        assert_eq!(payload["data"]["agentId"], a);
        assert!(signed_by(received, &secret));
    }
    let kinds: Vec<&str> = frames[1..].iter().map(|f| f.1.as_str()).collect();
    assert_eq!(kinds, ["break_start", "break_end", "break_start", "break_end"]);
});

backend_test!(
    a_private_or_loopback_url_is_refused_unless_the_operator_allows_it,
    ServerConfig { rate_limit: 0, webhook_allow_private: false, ..ServerConfig::default() },
    |app| {
        let account = app.account().await;
        for url in [
            "http://127.0.0.1:8080/hook",
            "http://localhost/hook",
            "http://api.localhost/hook",
            "http://[::1]/hook",
            "http://10.1.2.3/hook",
            "http://192.168.1.10/hook",
            "http://169.254.169.254/latest/meta-data",
            "http://[::ffff:127.0.0.1]/hook",
            // Special ranges (issue 24): NAT64, IPv4-compatible and 6to4
            // forms of loopback, site-local, documentation, benchmarking,
            // IETF protocol assignments, reserved.
            "http://[64:ff9b::7f00:1]/hook",
            "http://[::127.0.0.1]/hook",
            "http://[2002:7f00:1::]/hook",
            "http://[fec0::1]/hook",
            "http://[2001:db8::1]/hook",
            "http://198.18.0.1/hook",
            "http://192.0.0.170/hook",
            "http://240.0.0.1/hook",
        ] {
            let sent = body(&account, json!({"url": url, "events": ["callReport"]}));
            app.expect_error(ADD, &sent, 1502, "Url names a private address").await;
        }
        let (id, _) = subscribe(&app, &account, "https://93.184.216.34/push", json!(["*"]), "json").await;
        let sent = body(&account, json!({"webhookId": id, "url": "http://127.0.0.1:9/x"}));
        app.expect_error(UPDATE, &sent, 1502, "Url names a private address").await;

        // Checked again when sending: a row that names a private address
        // (written before the rule, or by hand) gets no request.
        let receiver = Receiver::start().await;
        let pool = sqlx::AnyPool::connect(&app.database).await.unwrap();
        sqlx::query("UPDATE webhooks SET url = $1").bind(&receiver.url).execute(&pool).await.unwrap();
        pool.close().await;
        let queued = app.post(TEST, &body(&account, json!({"webhookId": id}))).await.json();
        assert_eq!(queued["status"], "success", "{queued}");
        assert_eq!(app.push_step().await.attempts, 1);
        assert!(receiver.received().is_empty());
        let log = deliveries(&app, &account, id).await;
        assert_eq!(log[0]["status"], "failed");
        assert_eq!(log[0]["log"][0]["responseCode"], Value::Null);
        assert_eq!(log[0]["log"][0]["excerpt"], "refused: the url names a private address");
    }
);

backend_test!(subscriptions_are_listed_changed_and_deleted_without_their_secret_ever_shown_again, |app| {
    app.clock.set(T);
    let account = app.account().await;
    let reply = app
        .post(ADD, &body(&account, json!({"url": "https://93.184.216.34/push", "events": ["callReport", "login"]})))
        .await;
    let json = reply.json();
    let secret = json["secret"].as_str().unwrap().to_string();
    assert!(secret.starts_with("whsec_") && secret.len() == 38, "{secret}");
    let view = r#"{"webhookId":1,"url":"https://93.184.216.34/push","events":["callReport","login"],"format":"json","active":1,"createdAt":1795435200}"#;
    assert_eq!(
        reply.body,
        format!(r#"{{"webhookId":1,"secret":"{secret}","webhook":{view},"status":"success","code":200}}"#)
    );
    app.expect(LIST, &body(&account, json!({})), &format!(r#"{{"response":[{view}],"status":"success","code":200}}"#))
        .await;

    let changed = r#"{"webhookId":1,"url":"https://93.184.216.34/other","events":["*"],"format":"form","active":0,"createdAt":1795435200}"#;
    let sent = body(
        &account,
        json!({"webhookId": "1", "url": "https://93.184.216.34/other", "events": ["*"], "format": "form", "active": 0}),
    );
    app.expect(UPDATE, &sent, &format!(r#"{{"webhook":{changed},"status":"success","code":200}}"#)).await;
    let listed = app.post(LIST, &body(&account, json!({}))).await.body;
    assert!(!listed.contains(&secret) && !listed.contains("whsec_"), "{listed}");

    // Another account sees none of it.
    let other = app.account().await;
    app.expect_error(UPDATE, &body(&other, json!({"webhookId": 1, "active": 1})), 1506, "Webhook not found").await;
    app.expect(LIST, &body(&other, json!({})), r#"{"response":[],"status":"success","code":200}"#).await;

    app.expect(
        DELETE,
        &body(&account, json!({"webhookId": 1})),
        r#"{"status":"success","code":200,"message":"Webhook deleted"}"#,
    )
    .await;
    app.expect(LIST, &body(&account, json!({})), r#"{"response":[],"status":"success","code":200}"#).await;
    app.expect_error(DELETE, &body(&account, json!({"webhookId": 1})), 1506, "Webhook not found").await;
});

backend_test!(every_webhook_endpoints_bad_input_gets_the_envelope, |app| {
    let account = app.account().await;
    let (id, _) = subscribe(&app, &account, "https://93.184.216.34/push", json!(["*"]), "json").await;
    let url = "https://93.184.216.34/push";
    let cases: Vec<(&str, Value, u16, &str)> = vec![
        (ADD, json!({"events": ["*"]}), 1501, "Invalid url"),
        (ADD, json!({"url": 5, "events": ["*"]}), 1501, "Invalid url"),
        (ADD, json!({"url": "ftp://example.com/x", "events": ["*"]}), 1501, "Invalid url"),
        (ADD, json!({"url": "https://u:p@example.com/x", "events": ["*"]}), 1501, "Invalid url"),
        (ADD, json!({"url": "not a url", "events": ["*"]}), 1501, "Invalid url"),
        (ADD, json!({"url": url}), 1503, "Invalid events"),
        (ADD, json!({"url": url, "events": []}), 1503, "Invalid events"),
        (ADD, json!({"url": url, "events": "callReport"}), 1503, "Invalid events"),
        (ADD, json!({"url": url, "events": ["callReport", "nope"]}), 1503, "Invalid events"),
        (ADD, json!({"url": url, "events": [1]}), 1503, "Invalid events"),
        (ADD, json!({"url": url, "events": ["*"], "format": "xml"}), 1504, "Invalid format"),
        (ADD, json!({"url": url, "events": ["*"], "format": 1}), 1504, "Invalid format"),
        (ADD, json!({"url": url, "events": ["*"], "active": "maybe"}), 1505, "Invalid active"),
        (UPDATE, json!({}), 1506, "Webhook not found"),
        (UPDATE, json!({"webhookId": 999}), 1506, "Webhook not found"),
        (UPDATE, json!({"webhookId": id, "url": ""}), 1501, "Invalid url"),
        (UPDATE, json!({"webhookId": id, "events": ["x"]}), 1503, "Invalid events"),
        (UPDATE, json!({"webhookId": id, "format": "csv"}), 1504, "Invalid format"),
        (UPDATE, json!({"webhookId": id, "active": 2}), 1505, "Invalid active"),
        (DELETE, json!({"webhookId": "x"}), 1506, "Webhook not found"),
        (TEST, json!({"webhookId": -1}), 1506, "Webhook not found"),
        (ROTATE, json!({"webhookId": 999}), 1506, "Webhook not found"),
        (ROTATE, json!({"webhookId": id, "graceSeconds": -1}), 1000, "Invalid parameter"),
        (ROTATE, json!({"webhookId": id, "graceSeconds": 604_801}), 1000, "Invalid parameter"),
        (DELIVERIES, json!({"webhookId": 999}), 1506, "Webhook not found"),
        (DELIVERIES, json!({"webhookId": id, "limit": 0}), 1510, "Invalid beforeId or limit"),
        (DELIVERIES, json!({"webhookId": id, "limit": 101}), 1510, "Invalid beforeId or limit"),
        (DELIVERIES, json!({"webhookId": id, "beforeId": "a"}), 1510, "Invalid beforeId or limit"),
        (REDELIVER, json!({"webhookId": 999, "since": 0}), 1506, "Webhook not found"),
        (REDELIVER, json!({"webhookId": id}), 1000, "Invalid parameter"),
        (REDELIVER, json!({"webhookId": id, "since": 0, "deliveryId": 1}), 1000, "Invalid parameter"),
        (REDELIVER, json!({"webhookId": id, "deliveryId": 12345}), 1507, "Delivery not found"),
        (REDELIVER, json!({"webhookId": id, "deliveryId": "x"}), 1507, "Delivery not found"),
        (REDELIVER, json!({"webhookId": id, "since": -5}), 1508, "Invalid since"),
        (REDELIVER, json!({"webhookId": id, "since": "soon"}), 1508, "Invalid since"),
    ];
    for (path, fields, code, message) in cases {
        let sent = body(&account, fields);
        let reply = app.post(path, &sent).await;
        assert_eq!(reply.status, reqwest::StatusCode::OK, "{path} {sent}");
        assert_eq!(reply.body, error_body(code, message), "{path} {sent}");
    }
    // Only the account itself: an agent session, whatever its role, is refused.
    app.agent(&account, r#""name":"Asha","email":"asha@x.com","password":"pass-word-1""#).await;
    let ssid = app.login("asha@x.com", "pass-word-1").await;
    // Each with keys its endpoint accepts (an unknown key is refused first).
    let one = json!({"ssid": ssid, "webhookId": id});
    for (path, sent) in [
        (ADD, json!({"ssid": ssid, "url": url, "events": ["*"]})),
        (LIST, json!({"ssid": ssid})),
        (UPDATE, json!({"ssid": ssid, "webhookId": id, "url": url, "events": ["*"]})),
        (DELETE, one.clone()),
        (TEST, one.clone()),
        (ROTATE, one.clone()),
        (DELIVERIES, one.clone()),
        (REDELIVER, json!({"ssid": ssid, "webhookId": id, "since": 0})),
    ] {
        app.expect_error(path, &sent.to_string(), 1015, "Permission denied").await;
    }
    // At most 20 per account.
    for _ in 1..20 {
        subscribe(&app, &account, url, json!(["*"]), "json").await;
    }
    app.expect_error(ADD, &body(&account, json!({"url": url, "events": ["*"]})), 1509, "Too many webhooks").await;
});

backend_test!(a_rotated_secret_signs_beside_the_old_one_for_the_grace_period_only, |app| {
    app.clock.set(T);
    let account = app.account().await;
    let receiver = Receiver::start().await;
    let (id, old) = subscribe(&app, &account, &receiver.url, json!(["callReport"]), "json").await;
    let rotated = app.post(ROTATE, &body(&account, json!({"webhookId": id, "graceSeconds": 3600}))).await;
    let new = rotated.json()["secret"].as_str().unwrap().to_string();
    assert_eq!(
        rotated.body,
        format!(
            r#"{{"webhookId":{id},"secret":"{new}","previousSecretUntil":{},"status":"success","code":200}}"#,
            T + 3600
        )
    );
    assert_ne!(new, old);
    let queued = app.post(TEST, &body(&account, json!({"webhookId": id}))).await.json();
    assert_eq!(queued["status"], "success");
    app.push_step().await;
    app.clock.advance(3600);
    app.post(TEST, &body(&account, json!({"webhookId": id}))).await;
    app.push_step().await;
    let got = receiver.received();
    assert_eq!(got.len(), 2);
    assert!(signed_by(&got[0], &new) && signed_by(&got[0], &old), "both during the grace period");
    assert_eq!(got[0].header("webhook-signature").split(' ').count(), 2);
    assert!(signed_by(&got[1], &new) && !signed_by(&got[1], &old), "the new one only after it");
    assert_eq!(got[0].json()["type"], "test");
    assert_eq!(got[0].header("webhook-id"), queued["messageId"].as_str().unwrap());
});

backend_test!(a_delivery_is_redelivered_alone_or_with_every_failed_one_since_a_time, |app| {
    app.clock.set(T);
    let account = app.account().await;
    let a = app.agent(&account, r#""name":"Asha","email":"asha@x.com""#).await;
    let receiver = Receiver::start().await;
    let (id, _) = subscribe(&app, &account, &receiver.url, json!(["missed"]), "json").await;
    call_events(&app, &account, json!([fact("m1", "offered", a, T - 20), fact("m1", "missed", a, T - 10)])).await;
    app.push_step().await;
    let first = receiver.received();
    assert_eq!(first.len(), 1);
    let log = deliveries(&app, &account, id).await;
    let delivery = log[0]["deliveryId"].as_i64().unwrap();
    app.expect(
        REDELIVER,
        &body(&account, json!({"webhookId": id, "deliveryId": delivery})),
        r#"{"redelivered":1,"status":"success","code":200}"#,
    )
    .await;
    app.push_step().await;
    let again = receiver.received();
    assert_eq!(again.len(), 2);
    assert_eq!((again[1].header("webhook-id"), &again[1].body), (first[0].header("webhook-id"), &first[0].body));

    // A receiver failing for the whole ladder: given up after eight attempts.
    receiver.script((0..8).map(|_| Answer::status(503)));
    call_events(&app, &account, json!([fact("m2", "offered", a, T - 5), fact("m2", "missed", a, T)])).await;
    let mut attempts = 0;
    for wait in [0, 5, 300, 1800, 7200, 18_000, 36_000, 36_000] {
        app.clock.advance(wait);
        attempts += app.push_step().await.attempts;
    }
    assert_eq!(attempts, 8);
    let log = deliveries(&app, &account, id).await;
    assert_eq!((log[0]["status"].as_str(), log[0]["attempts"].as_i64()), (Some("failed"), Some(8)));
    app.clock.advance(36_000);
    assert_eq!(app.push_step().await.attempts, 0, "given up");
    app.expect(
        REDELIVER,
        &body(&account, json!({"webhookId": id, "since": T})),
        r#"{"redelivered":1,"status":"success","code":200}"#,
    )
    .await;
    let report = app.push_step().await;
    assert_eq!((report.attempts, report.delivered), (1, 1));
    let log = deliveries(&app, &account, id).await;
    assert_eq!((log[0]["status"].as_str(), log[0]["attempts"].as_i64()), (Some("delivered"), Some(9)));
});

backend_test!(a_subscription_failing_for_days_is_switched_off_and_says_so, |app| {
    app.clock.set(T);
    let account = app.account().await;
    let a = app.agent(&account, r#""name":"Asha","email":"asha@x.com""#).await;
    let port = free_port();
    let (id, _) = subscribe(&app, &account, &format!("http://127.0.0.1:{port}/hook"), json!(["missed"]), "json").await;
    let ladder = [0, 5, 300, 1800, 7200, 18_000, 36_000, 36_000];
    // Day one: a delivery fails for its whole ladder; the subscription stays on.
    call_events(&app, &account, json!([fact("d1", "offered", a, T - 5), fact("d1", "missed", a, T)])).await;
    for wait in ladder {
        app.clock.advance(wait);
        app.push_step().await;
    }
    let listed = app.post(LIST, &body(&account, json!({}))).await.json();
    assert_eq!(
        (listed["response"][0]["active"].as_i64(), listed["response"][0]["failingSince"].as_i64()),
        (Some(1), Some(T))
    );
    // Two days later another one fails for its ladder: failing for three days, off.
    app.clock.set(T + 2 * 86_400);
    let now = T + 2 * 86_400;
    call_events(&app, &account, json!([fact("d2", "offered", a, now - 5), fact("d2", "missed", a, now)])).await;
    for wait in ladder {
        app.clock.advance(wait);
        app.push_step().await;
    }
    let listed = app.post(LIST, &body(&account, json!({}))).await.json();
    let hook = &listed["response"][0];
    assert_eq!(hook["active"], 0, "{hook}");
    assert_eq!(hook["disabledReason"], format!("deliveries failing since {T}"));
    assert_eq!(hook["disabledAt"].as_i64(), Some(now + ladder.iter().sum::<i64>()));
    // Off: new events are not even queued; switched on, it starts afresh.
    let later = now + 99_300;
    call_events(&app, &account, json!([fact("d3", "offered", a, later), fact("d3", "missed", a, later)])).await;
    assert_eq!(app.push_step().await.queued, 0);
    let receiver = Receiver::start_on(port).await;
    let on = app.post(UPDATE, &body(&account, json!({"webhookId": id, "active": 1}))).await.json();
    assert!(on["webhook"].get("disabledReason").is_none() && on["webhook"].get("failingSince").is_none(), "{on}");
    assert_eq!(app.push_step().await.queued, 0, "what happened while off is not sent");
    assert!(receiver.received().is_empty());
});

backend_test!(two_workers_on_one_database_send_each_delivery_once, |app| {
    app.clock.set(T);
    let account = app.account().await;
    let receiver = Receiver::start().await;
    subscribe(&app, &account, &receiver.url, json!(["callReport", "offered"]), "json").await;
    let mut agents = Vec::new();
    for n in 0..6 {
        agents.push(app.agent(&account, &format!(r#""name":"Agent {n}","email":"a{n}@x.com""#)).await);
    }
    let mut facts = Vec::new();
    for (n, agent) in agents.iter().enumerate() {
        for c in 0..3 {
            let call = format!("call-{n}-{c}");
            let at = T - 100 + c * 20;
            facts.extend([fact(&call, "offered", *agent, at), fact(&call, "missed", *agent, at + 5)]);
        }
    }
    call_events(&app, &account, Value::Array(facts)).await;
    // A second node: its own worker on the same database.
    let config = agentdesk::push::PushConfig { allow_private: true, retry_scale: 1.0 };
    let other = std::sync::Arc::new(agentdesk::push::Pusher::new(app.store.clone(), app.clock.clone(), config));
    let (mine, theirs) = tokio::join!(app.push_step(), other.step());
    let theirs = theirs.unwrap();
    assert_eq!(mine.queued + theirs.queued, 36, "each event and report queued once: {mine:?} {theirs:?}");
    assert_eq!(mine.attempts + theirs.attempts, 36, "{mine:?} {theirs:?}");
    let got = receiver.received();
    let ids: std::collections::BTreeSet<&str> = got.iter().map(|r| r.header("webhook-id")).collect();
    assert_eq!((got.len(), ids.len()), (36, 36), "no duplicates");
});

backend_test!(a_slow_receiver_gets_a_few_attempts_at_once_and_holds_up_no_other, |app| {
    app.clock.set(T);
    let account = app.account().await;
    let a = app.agent(&account, r#""name":"Asha","email":"asha@x.com""#).await;
    let slow = Receiver::start().await;
    let fast = Receiver::start().await;
    slow.slow(std::time::Duration::from_millis(1500));
    subscribe(&app, &account, &slow.url, json!(["callReport"]), "json").await;
    subscribe(&app, &account, &fast.url, json!(["callReport"]), "json").await;
    let facts: Vec<Value> = (0..6)
        .flat_map(|n| {
            let call = format!("r{n}");
            [fact(&call, "offered", a, T - 100 + n * 10), fact(&call, "missed", a, T - 95 + n * 10)]
        })
        .collect();
    call_events(&app, &account, Value::Array(facts)).await;
    let push = app.push.clone();
    let step = tokio::spawn(async move { push.step().await.unwrap() });
    tokio::time::sleep(std::time::Duration::from_millis(700)).await;
    assert_eq!(fast.received().len(), 6, "the fast receiver does not wait for the slow one");
    assert_eq!(slow.received().len(), agentdesk::push::PER_HOST, "at most four at once to one host");
    let report = step.await.unwrap();
    assert_eq!((report.attempts, report.delivered), (12, 12));
    assert_eq!(slow.received().len(), 6);
    assert_eq!(slow.most_at_once(), agentdesk::push::PER_HOST);
});

backend_test!(an_https_url_is_spoken_to_in_tls_and_a_failed_handshake_is_logged, |app| {
    app.clock.set(T);
    let account = app.account().await;
    // A plain-HTTP receiver behind an https:// URL: the TLS handshake fails.
    let receiver = Receiver::start().await;
    let url = receiver.url.replace("http://", "https://");
    let (id, _) = subscribe(&app, &account, &url, json!(["callReport"]), "json").await;
    app.post(TEST, &body(&account, json!({"webhookId": id}))).await;
    assert_eq!(app.push_step().await.delivered, 0);
    let log = deliveries(&app, &account, id).await;
    let attempt = &log[0]["log"][0];
    assert_eq!(attempt["responseCode"], Value::Null);
    assert!(attempt["excerpt"].as_str().unwrap().starts_with("tls: "), "{attempt}");
    assert!(receiver.received().is_empty(), "no plain request went out");
});

backend_test!(a_sequential_hunt_is_reported_once_when_the_call_ends_not_at_its_first_miss, |app| {
    app.clock.set(T);
    let account = app.account().await;
    let a = app.agent(&account, r#""name":"Asha","email":"asha@x.com""#).await;
    let b = app.agent(&account, r#""name":"Bilal","email":"bilal@x.com""#).await;
    let receiver = Receiver::start().await;
    subscribe(&app, &account, &receiver.url, json!(["callReport"]), "json").await;
    // Asha's ring times out; the telephony asks again and rings Bilal a
    // few seconds later, each fact reported as it happens.
    app.clock.set(T + 20);
    call_events(&app, &account, json!([fact("h1", "offered", a, T), fact("h1", "missed", a, T + 20)])).await;
    assert_eq!(app.push_step().await.attempts, 0, "a miss may be followed by a next ring");
    app.clock.set(T + 22);
    call_events(&app, &account, json!([fact("h1", "offered", b, T + 22)])).await;
    app.push_step().await;
    app.clock.set(T + 25);
    call_events(&app, &account, json!([fact("h1", "answered", b, T + 25)])).await;
    app.clock.set(T + 40);
    assert_eq!(app.push_step().await.attempts, 0, "past the settling time, but the call rings on: held");
    app.clock.set(T + 85);
    call_events(&app, &account, json!([fact("h1", "ended", b, T + 85)])).await;
    let step = app.push_step().await;
    assert_eq!((step.attempts, step.delivered), (1, 1));
    let got = receiver.received();
    assert_eq!(got.len(), 1, "one report for the call");
    let report: Value = serde_json::from_str(&got[0].body).unwrap();
    assert_eq!(
        (report["callStatus"].clone(), report["firstAttended"].clone(), report["talkDuration"].clone()),
        (json!(3), json!(b.to_string()), json!(60)),
        "{report}"
    );
    assert_eq!(report["nHDetail"].as_array().map(Vec::len), Some(2), "both legs: {report}");
    // Nothing more goes later.
    app.clock.set(T + 86_400 * 2);
    assert_eq!(app.push_step().await.attempts, 0);
});

backend_test!(a_call_left_while_it_waited_in_the_queue_is_reported_abandoned, |app| {
    app.clock.set(T);
    let account = app.account().await;
    let group = app.group(&account, "Support").await;
    let update = json!({"groupId": group, "name": "Support", "dids": ["8001234567"]});
    assert_eq!(app.post("/api/v2/Group/update", &body(&account, update)).await.json()["status"], "success");
    // Its one agent is not logged in: the call waits.
    let mapping = format!(r#""name":"Asha","email":"asha@x.com","group":{{"{group}":{{"receive_call":"Y"}}}}"#);
    app.agent(&account, &mapping).await;
    let receiver = Receiver::start().await;
    subscribe(&app, &account, &receiver.url, json!(["callReport"]), "json").await;
    let ask = json!({"callId": "q-1", "did": "8001234567", "callerNumber": "9876543210"});
    let routed = app.post("/api/v2/callRoute", &body(&account, ask)).await.json();
    assert_eq!(routed["queued"], 1, "{routed}");
    app.clock.set(T + 40);
    let left = json!({"callId": "q-1", "event": "abandoned", "reason": "caller"});
    assert_eq!(app.post(CALL_EVENT, &body(&account, left)).await.json()["accepted"], 1);
    app.clock.set(T + 40 + 15);
    assert_eq!(app.push_step().await.delivered, 1);
    let got = receiver.received();
    assert_eq!(
        got[0].body,
        format!(
            r#"{{"callId":"q-1","userId":"{}","cType":"inbound","did":"8001234567","cNumber":"919876543210","cNumber10":"9876543210","masterGroupId":{group},"callStatus":2,"lastHangupTime":"2026-11-23 12:00:40","talkDuration":0,"agentOnCallDuration":0,"nHDetail":[],"callOutcome":"abandoned","callStartTime":"2026-11-23 12:00:00"}}"#,
            account.user_id
        )
    );
    // The call report lists it, and counts it apart from missed calls.
    let count = app.post("/api/v2/callreport/reportCount", &body(&account, json!({"from": "2026-11-23"}))).await;
    assert_eq!(count.body, r#"{"count":1,"answered":0,"missed":0,"abandoned":1,"status":"success","code":200}"#);
});
