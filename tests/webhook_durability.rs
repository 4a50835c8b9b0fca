//! Push survives `kill -9`: the real `agentdesk serve` (retry ladder scaled
//! down with `--webhook-retry-scale`) is killed while its receiver is down,
//! between attempts, and right after acknowledging call events it has not
//! turned into deliveries yet; restarted on the same database, with the
//! receiver back (failing, then throttling, then accepting), every call
//! report and event arrives and is accepted, one agent's events in order.
//! On SQLite always, on PostgreSQL when `AGENTDESK_TEST_POSTGRES` is set.

mod common;

use std::collections::BTreeSet;
use std::process::Command;
use std::time::Duration;

use common::receiver::{Answer, Receiver, free_port};
use common::server::Server;
use serde_json::{Value, json};

/// Without request budgets, private targets allowed, the retry ladder a thousand times shorter.
const WEBHOOK_FLAGS: &[&str] = &["--rate-limit", "0", "--webhook-allow-private", "--webhook-retry-scale", "0.001"];

struct Api {
    client: reqwest::Client,
    address: String,
    user_id: String,
    token: String,
}

impl Api {
    async fn post(&self, path: &str, mut fields: Value) -> Value {
        fields["userId"] = json!(self.user_id);
        fields["token"] = json!(self.token);
        let sent = self.client.post(format!("http://{}/api/v2/{path}", self.address)).body(fields.to_string());
        let reply: Value = sent.send().await.unwrap().json().await.unwrap();
        assert_eq!(reply["status"], "success", "{path}: {reply}");
        reply
    }

    async fn call(&self, call: &str, agent: i64) {
        let events: Vec<Value> = ["offered", "answered", "ended"]
            .iter()
            .map(|e| json!({"callId": call, "event": e, "agentId": agent, "callerNumber": "9876543210"}))
            .collect();
        self.post("callEvent", json!({"events": events})).await;
    }
}

async fn kill_between_attempts_loses_no_delivery(database: &str) {
    let created = Command::new(env!("CARGO_BIN_EXE_agentdesk"))
        .args(["account", "create", "--name", "Push", "--email", "push@x.com", "--database", database])
        .output()
        .unwrap();
    assert!(created.status.success(), "{}", String::from_utf8_lossy(&created.stderr));
    let account: Value = serde_json::from_slice(&created.stdout).unwrap();
    let server = Server::start(database, WEBHOOK_FLAGS);
    let mut api = Api {
        client: reqwest::Client::builder().timeout(Duration::from_secs(10)).build().unwrap(),
        address: server.address.clone(),
        user_id: account["userId"].as_str().unwrap().to_string(),
        token: account["token"].as_str().unwrap().to_string(),
    };
    let port = free_port();
    let events = json!(["callReport", "offered", "answered", "ended"]);
    let added =
        api.post("Webhook/add", json!({"url": format!("http://127.0.0.1:{port}/hook"), "events": events})).await;
    let webhook = added["webhookId"].as_i64().unwrap();
    let agent =
        api.post("Agent/create", json!({"name": "Asha", "email": "asha@x.com"})).await["agentId"].as_i64().unwrap();
    api.call("c1", agent).await;
    api.call("c2", agent).await;
    // The receiver is down: wait for the first refused attempts.
    let mut refused = false;
    for _ in 0..100 {
        let log = api.post("Webhook/deliveries", json!({"webhookId": webhook})).await;
        refused = log["response"].as_array().unwrap().iter().any(|d| d["attempts"].as_i64() > Some(0));
        if refused {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(refused, "no attempt was made");
    // Acknowledged, then killed before the next step can turn it into deliveries.
    api.call("c3", agent).await;
    server.kill();

    let receiver = Receiver::start_on(port).await;
    receiver.script([Answer::status(500), Answer { status: 429, retry_after: Some(1), body: "later" }]);
    let restarted = Server::start(database, WEBHOOK_FLAGS);
    api.address = restarted.address.clone();
    let expected = 3 + 9;
    let mut accepted: Vec<common::receiver::Received> = Vec::new();
    for _ in 0..600 {
        accepted = receiver.received().into_iter().filter(|r| r.answered == 200).collect();
        let ids: BTreeSet<&str> = accepted.iter().map(|r| r.header("webhook-id")).collect();
        if ids.len() >= expected {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let ids: BTreeSet<&str> = accepted.iter().map(|r| r.header("webhook-id")).collect();
    assert_eq!(ids.len(), expected, "accepted: {ids:?}");
    let reports: BTreeSet<String> = accepted
        .iter()
        .filter(|r| r.header("webhook-id").starts_with("call_"))
        .map(|r| r.json()["callId"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(reports, ["c1", "c2", "c3"].map(String::from).into_iter().collect());
    let seqs: Vec<i64> = accepted
        .iter()
        .filter(|r| r.header("webhook-id").starts_with("evt_"))
        .map(|r| r.json()["data"]["id"].as_i64().unwrap())
        .collect();
    let mut sorted = seqs.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(seqs, sorted, "one agent's events accepted once each, in order");
    assert_eq!(seqs, (1..=9).collect::<Vec<i64>>());
    assert!(
        receiver.received().iter().any(|r| r.answered == 500) && receiver.received().iter().any(|r| r.answered == 429)
    );

    let log = api.post("Webhook/deliveries", json!({"webhookId": webhook, "limit": 100})).await;
    let log = log["response"].as_array().unwrap();
    assert_eq!(log.len(), expected);
    assert!(log.iter().all(|d| d["status"] == "delivered"), "{log:?}");
    let codes: BTreeSet<String> =
        log.iter().flat_map(|d| d["log"].as_array().unwrap().iter().map(|a| a["responseCode"].to_string())).collect();
    for code in ["null", "500", "429", "200"] {
        assert!(codes.contains(code), "{code} not logged: {codes:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_loses_no_webhook_delivery_through_a_kill() {
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}", dir.path().join("push.db").display());
    kill_between_attempts_loses_no_delivery(&database).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgresql_loses_no_webhook_delivery_through_a_kill() {
    let Some(database) = common::PostgresDatabase::create().await else {
        eprintln!("skipped: AGENTDESK_TEST_POSTGRES is not set");
        return;
    };
    kill_between_attempts_loses_no_delivery(&database.url()).await;
}
