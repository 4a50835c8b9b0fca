//! Several nodes on one PostgreSQL database behave as one server
//! (docs/SCALING.md): three real `agentdesk serve --cluster` processes on
//! one fresh database play a contact center's morning, every request sent
//! to the next node in turn:
//!
//! - a server without `--cluster` refuses to join them;
//! - settings and directory writes on one node are read on the others at
//!   the very next request; so are breaks, calls and logouts;
//! - a ring-all call's legs arrive through different nodes, a retry
//!   through another node is a duplicate, one call event sent to all three
//!   at once is recorded once;
//! - concurrent breaks of one agent through all nodes end as if they had
//!   gone through one: every acknowledged change is one event, and the
//!   agent's breaks alternate;
//! - sustained call events into one account through all nodes at once are
//!   all accepted, though the nodes' batches race;
//! - pings sent only to nodes that do not keep the time keep an agent
//!   alive; timed transitions (wrap-up end, stale, offline) happen once, at
//!   their due second, even when the node keeping the time is killed with
//!   SIGKILL in the middle (another takes over), and for an account only
//!   another node ever served;
//! - event streams open on all three nodes carry the same events in
//!   sequence order without gap or duplicate, within a second of their
//!   commit on another node, and a restarted node resumes a stream with
//!   `Last-Event-ID`.
//!
//! PostgreSQL only: it needs `AGENTDESK_TEST_POSTGRES` (skipped without).

mod common;

use std::collections::HashMap;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use common::server::{Server, create_account, wait_ready};
use common::sse::{EventStream, Frame};
use parking_lot::Mutex;
use serde_json::{Value, json};
use tokio::time::Instant;

/// Nodes with the default request budgets, shared among them.
const CLUSTER: &[&str] = &["--cluster"];
/// The default `--rate-limit`: a credential's ordinary requests per second.
const RATE_LIMIT: usize = 50;
/// Account settings of the scenario: short, so timers fire within it.
const STALE_AFTER: i64 = 5;
const OFFLINE_AFTER: i64 = 10;
const WRAP_UP: i64 = 2;

/// The scenario's account on three nodes.
struct Floor {
    client: reqwest::Client,
    /// Each node's base URL (a killed node's stays until it restarts).
    bases: Mutex<Vec<String>>,
    user_id: String,
    token: String,
    /// The node the next request goes to.
    turn: Mutex<usize>,
    /// Nodes not to send to (killed).
    down: Mutex<Vec<usize>>,
}

impl Floor {
    fn next(&self) -> usize {
        let down = self.down.lock().clone();
        let mut turn = self.turn.lock();
        loop {
            let node = *turn % 3;
            *turn += 1;
            if !down.contains(&node) {
                return node;
            }
        }
    }

    /// POSTs `body` to one node: the status and the body as text.
    async fn send_to(&self, node: usize, path: &str, body: &Value) -> (u16, String) {
        let url = format!("{}/api/v2/{path}", self.bases.lock()[node]);
        let reply = self.client.post(url).body(body.to_string()).send().await.unwrap();
        (reply.status().as_u16(), reply.text().await.unwrap())
    }

    /// POSTs to one node and wants a success envelope.
    async fn ok_at(&self, node: usize, path: &str, body: &Value) -> Value {
        let (status, text) = self.send_to(node, path, body).await;
        let reply: Value = serde_json::from_str(&text).unwrap_or_else(|_| panic!("{path}: {status} {text}"));
        assert!(status == 200 && reply["status"] == "success", "node {node} {path} {body}: {status} {text}");
        reply
    }

    /// POSTs to the next node in turn and wants a success envelope.
    async fn ok(&self, path: &str, body: &Value) -> Value {
        self.ok_at(self.next(), path, body).await
    }

    /// `fields` with the account's credentials.
    fn owner(&self, mut fields: Value) -> Value {
        fields["userId"] = json!(self.user_id);
        fields["token"] = json!(self.token);
        fields
    }

    fn stream_query(&self) -> String {
        format!("userId={}&token={}", self.user_id, self.token)
    }

    /// Agent/live of one agent as `node` answers it.
    async fn live_at(&self, node: usize, agent: i64) -> Value {
        let reply = self.ok_at(node, "Agent/live", &self.owner(json!({"agentId": agent}))).await;
        reply["response"][0].clone()
    }
}

/// A stream's frames as they arrive, with when.
#[derive(Clone, Default)]
struct Heard(Arc<Mutex<Vec<(Frame, Instant)>>>);

impl Heard {
    /// Reads `stream` into the list until the stream ends.
    fn listen(&self, mut stream: EventStream) -> tokio::task::JoinHandle<()> {
        let heard = self.clone();
        tokio::spawn(async move {
            while let Some(frame) = stream.next_until(Instant::now() + Duration::from_secs(3600)).await {
                heard.0.lock().push((frame, Instant::now()));
            }
        })
    }

    fn frames(&self) -> Vec<Frame> {
        self.0.lock().iter().map(|(f, _)| f.clone()).collect()
    }

    /// When the frame with this id arrived.
    fn arrival(&self, id: i64) -> Option<Instant> {
        self.0.lock().iter().find(|(f, _)| f.id == Some(id)).map(|(_, at)| *at)
    }

    /// Waits up to `wait` for a frame `matches` accepts; its data.
    async fn wait_for(&self, wait: Duration, matches: impl Fn(&Value) -> bool) -> Option<Value> {
        let deadline = Instant::now() + wait;
        loop {
            if let Some(found) = self.frames().iter().map(Frame::json).find(|d| matches(d)) {
                return Some(found);
            }
            if Instant::now() > deadline {
                return None;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// Every frame's (id, event, agent) for comparisons.
fn summary(frames: &[Frame]) -> Vec<(i64, String, i64)> {
    frames
        .iter()
        .map(|f| (f.id(), f.event.clone().unwrap_or_default(), f.json()["agentId"].as_i64().unwrap()))
        .collect()
}

fn events_of(frames: &[Frame], agent: i64) -> Vec<Value> {
    frames.iter().map(Frame::json).filter(|d| d["agentId"] == agent).collect()
}

/// Runs `serve` without `--cluster` beside the nodes: it must exit at once
/// with a message, not serve.
fn a_lone_server_is_refused(database: &str) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_agentdesk"))
        .args(["serve", "--bind", "127.0.0.1:0", "--database", database])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("a server without --cluster started beside the nodes");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut said = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut said).unwrap();
    assert!(!status.success());
    assert!(
        said.contains("an agentdesk server started without --cluster is serving this database")
            || said.contains("another agentdesk server is already serving this database; to run several nodes on it, start every one with --cluster"),
        "{said}"
    );
}

/// The process id in the timers lease's holder (`host-pid-random`).
async fn timekeeper(database: &str) -> Option<u32> {
    use sqlx::Connection;
    let mut db = sqlx::PgConnection::connect(database).await.unwrap();
    let holder: Option<(String,)> =
        sqlx::query_as("SELECT holder FROM node_leases WHERE name = 'timers' AND expires_at > EXTRACT(EPOCH FROM clock_timestamp()) * 1000")
            .fetch_optional(&mut db)
            .await
            .unwrap();
    holder.and_then(|(h,)| h.rsplit('-').nth(1).and_then(|pid| pid.parse().ok()))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_nodes_on_one_database_answer_as_one_server() {
    let Some(database) = common::PostgresDatabase::create().await else {
        eprintln!("skipped: AGENTDESK_TEST_POSTGRES is not set");
        return;
    };
    let url = database.url();
    let (user_id, token) = create_account(&url, "Floor", "floor@example.com");
    let mut nodes: Vec<Option<Server>> = (0..3).map(|_| Some(Server::start(&url, CLUSTER))).collect();
    a_lone_server_is_refused(&url);
    let client = reqwest::Client::builder().timeout(Duration::from_secs(20)).build().unwrap();
    let bases: Vec<String> = nodes.iter().map(|n| n.as_ref().unwrap().base()).collect();
    for base in &bases {
        wait_ready(base).await;
    }
    let floor = Floor {
        client: client.clone(),
        bases: Mutex::new(bases.clone()),
        user_id,
        token,
        turn: Mutex::new(0),
        down: Mutex::new(vec![]),
    };

    // Streams on every node, from the present (the log is empty); their
    // client has no overall timeout.
    let streaming = reqwest::Client::new();
    let mut heard: Vec<Heard> = Vec::new();
    let mut listeners = Vec::new();
    for base in &bases {
        let h = Heard::default();
        listeners.push(h.listen(EventStream::open(&streaming, base, &floor.stream_query(), None).await));
        heard.push(h);
    }

    // ---- settings and the directory: read on every other node at once ----
    let set = floor.ok_at(0, "Account/settings", &floor.owner(json!({"timezone": "Asia/Kolkata"}))).await;
    for node in [1, 2] {
        assert_eq!(floor.ok_at(node, "Account/settings", &floor.owner(json!({}))).await, set, "node {node}");
    }
    let mut ids: HashMap<&str, i64> = HashMap::new();
    for (i, name) in ["asha", "ben", "chen", "dev", "eve"].into_iter().enumerate() {
        let fields = json!({"name": name, "email": format!("{name}@example.com"), "password": "pass-word-1"});
        let node = i % 3;
        let created = floor.ok_at(node, "Agent/create", &floor.owner(fields)).await;
        let id = created["agentId"].as_i64().unwrap();
        ids.insert(name, id);
        for other in [(node + 1) % 3, (node + 2) % 3] {
            let listed = floor.ok_at(other, "Agent/list", &floor.owner(json!({"page": 1, "limit": 50}))).await;
            let names: Vec<&str> = listed["response"]
                .as_array()
                .unwrap_or_else(|| panic!("{listed}"))
                .iter()
                .map(|a| a["name"].as_str().unwrap())
                .collect();
            assert!(names.contains(&name), "node {other} lists {names:?} right after {name} was created on {node}");
        }
    }
    let agent = |name: &str| ids[name];

    // ---- logins, each on another node ----
    let mut ssids: HashMap<&str, String> = HashMap::new();
    for name in ["asha", "ben", "chen", "dev"] {
        let login = json!({"email": format!("{name}@example.com"), "password": "pass-word-1"});
        ssids.insert(name, floor.ok("auth/login", &login).await["ssid"].as_str().unwrap().to_string());
    }
    let session = |name: &str, mut fields: Value| {
        fields["ssid"] = json!(ssids[name]);
        fields
    };

    // ---- a break on one node is a break on the others at the next request ----
    let started = floor.ok_at(1, "agentProfile/breakStart", &session("asha", json!({"reason": "Tea"}))).await;
    let answered = Instant::now();
    let on_break = floor.ok_at(2, "agentProfile/agentOnBreak", &session("asha", json!({}))).await;
    assert_eq!(on_break["data"]["breakDetail"]["reason"], "Tea", "{on_break} after {started}");
    assert_eq!(floor.live_at(0, agent("asha")).await["state"], "break");
    // … and on every node's stream within a second.
    let tea = heard[1]
        .wait_for(Duration::from_secs(5), |d| d["event"] == "break_start" && d["agentId"] == agent("asha"))
        .await
        .expect("the break on node 1's stream");
    let tea_id = tea["id"].as_i64().unwrap();
    for (node, h) in heard.iter().enumerate() {
        h.wait_for(Duration::from_secs(5), |d| d["id"] == tea_id).await.expect("the break on every stream");
        let lag = h.arrival(tea_id).unwrap().saturating_duration_since(answered);
        assert!(lag < Duration::from_secs(1), "node {node} heard the break {lag:?} after it was answered");
    }

    // ---- a ring-all call whose legs arrive through different nodes ----
    let fact = |call: &str, event: &str, who: &str| {
        floor.owner(json!({"callId": call, "event": event, "agentId": agent(who), "callerNumber": "9876543210"}))
    };
    let (ben_leg, chen_leg) = (fact("ring-1", "offered", "ben"), fact("ring-1", "offered", "chen"));
    let (ben_offered, chen_offered) =
        tokio::join!(floor.ok_at(0, "callEvent", &ben_leg), floor.ok_at(1, "callEvent", &chen_leg));
    assert_eq!((ben_offered["accepted"].clone(), chen_offered["accepted"].clone()), (json!(1), json!(1)));
    floor.ok_at(2, "callEvent", &fact("ring-1", "answered", "ben")).await;
    floor.ok_at(0, "callEvent", &fact("ring-1", "ended", "chen")).await;
    let retried = floor.ok_at(1, "callEvent", &fact("ring-1", "answered", "ben")).await;
    assert_eq!((retried["accepted"].clone(), retried["duplicates"].clone()), (json!(0), json!(1)), "{retried}");
    for node in 0..3 {
        let ben = floor.live_at(node, agent("ben")).await;
        assert_eq!((ben["state"].clone(), ben["call"]["callId"].clone()), (json!("on_call"), json!("ring-1")));
        assert_eq!(floor.live_at(node, agent("chen")).await["state"], "available");
    }
    // One call event sent to all three nodes at once is recorded once.
    let ring_2 = fact("ring-2", "offered", "chen");
    let copies = futures_util::future::join_all((0..3).map(|node| floor.send_to(node, "callEvent", &ring_2))).await;
    let (mut accepted, mut duplicates) = (0, 0);
    for (status, text) in &copies {
        assert_eq!(*status, 200, "{text}");
        let reply: Value = serde_json::from_str(text).unwrap();
        accepted += reply["accepted"].as_i64().unwrap_or_else(|| panic!("{text}"));
        duplicates += reply["duplicates"].as_i64().unwrap_or_else(|| panic!("{text}"));
    }
    assert_eq!((accepted, duplicates), (1, 2), "{copies:?}");
    floor.ok("callEvent", &fact("ring-2", "ended", "chen")).await;

    // ---- concurrent breaks of one agent through every node ----
    let changes = futures_util::future::join_all((0..12).map(|i| {
        let (path, fields) = if i % 2 == 0 {
            ("agentProfile/breakStart", session("dev", json!({"reason": "Lunch"})))
        } else {
            ("agentProfile/breakEnd", session("dev", json!({})))
        };
        let node = i % 3;
        let floor = &floor;
        async move { (path, floor.send_to(node, path, &fields).await) }
    }))
    .await;
    let mut acknowledged: HashMap<&str, usize> = HashMap::new();
    for (path, (status, text)) in &changes {
        let reply: Value = serde_json::from_str(text).unwrap();
        if reply["status"] == "success" {
            *acknowledged.entry(path).or_default() += 1;
        } else {
            // A refusal is one a single server gives too: already on break, or not on one.
            assert!(
                [
                    r#"{"status":"error","message":"Agent already on break","code":1510}"#,
                    r#"{"status":"error","message":"On break is : 0","code":1502}"#
                ]
                .contains(&text.as_str()),
                "{path}: {status} {text}"
            );
        }
    }

    // ---- sustained call events into one account through every node ----
    // Each node's batches race the others' for the account's log; every
    // request is still accepted, as one server would accept it. (The bench
    // drives one account through several nodes at full speed.)
    let (busy_user, busy_token) = create_account(&url, "Busy", "busy@example.com");
    let busy = |mut fields: Value| {
        fields["userId"] = json!(busy_user);
        fields["token"] = json!(busy_token);
        fields
    };
    let mut busy_agents = Vec::new();
    for i in 0..4 {
        let fields =
            json!({"name": format!("busy {i}"), "email": format!("b{i}@busy.example"), "password": "pass-word-1"});
        busy_agents.push(floor.ok_at(i % 3, "Agent/create", &busy(fields)).await["agentId"].as_i64().unwrap());
    }
    let senders = (0..6).map(|sender| {
        let (client, base, agents) = (client.clone(), bases[sender % 3].clone(), busy_agents.clone());
        let creds = busy(json!({}));
        tokio::spawn(async move {
            let mut replies = Vec::new();
            let until = Instant::now() + Duration::from_secs(2);
            let mut batch = 0;
            while Instant::now() < until {
                let events: Vec<Value> = (0..10)
                    .flat_map(|i| {
                        let (call, agent) = (format!("busy-{sender}-{batch}-{i}"), agents[i % agents.len()]);
                        ["offered", "missed"].map(|event| {
                            json!({"callId": call, "event": event, "agentId": agent, "callerNumber": "9876543210"})
                        })
                    })
                    .collect();
                let mut body = creds.clone();
                body["events"] = json!(events);
                let reply =
                    client.post(format!("{base}/api/v2/callEvent")).body(body.to_string()).send().await.unwrap();
                replies.push((reply.status().as_u16(), reply.text().await.unwrap()));
                batch += 1;
                // Within the account's telephony budget, which counts events:
                // two senders per node, 20 events each every 300 ms, are 133
                // events/s against a node's share of 167.
                tokio::time::sleep(Duration::from_millis(300)).await;
            }
            replies
        })
    });
    let mut sent = 0;
    for replies in futures_util::future::join_all(senders).await {
        for (status, text) in replies.unwrap() {
            let reply: Value = serde_json::from_str(&text).unwrap_or_else(|_| panic!("{status} {text}"));
            assert_eq!(
                (status, reply["accepted"].clone(), reply["duplicates"].clone()),
                (200, json!(20), json!(0)),
                "{text}"
            );
            sent += 1;
        }
    }
    assert!(sent >= 6, "every sender had at least one answer");

    // ---- heartbeats and timers, with the time keeper killed midway ----
    let first_keeper = timekeeper(&url).await.expect("a node keeps the time");
    // Ben and Chen ping once a second, only ever through a node that does
    // not keep the time: alive only if pings are shared.
    let pids: Vec<u32> = nodes.iter().map(|n| n.as_ref().unwrap().pid()).collect();
    let pinger = {
        let (client, bases, url) = (client.clone(), bases.clone(), url.clone());
        let down = Arc::new(Mutex::new(Vec::<usize>::new()));
        let sessions = [ssids["ben"].clone(), ssids["chen"].clone()];
        let pinger_down = down.clone();
        let task = tokio::spawn(async move {
            loop {
                let keeper = timekeeper(&url).await;
                let down = pinger_down.lock().clone();
                let node = (0..3).find(|n| !down.contains(n) && keeper != Some(pids[*n])).unwrap();
                for ssid in &sessions {
                    let body = json!({"ssid": ssid, "mic_perm": 1}).to_string();
                    let sent = client.post(format!("{}/api/v2/agentProfile/setWebPingTime", bases[node])).body(body);
                    let reply = sent.send().await.unwrap();
                    assert_eq!(reply.status(), 200);
                }
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        });
        (task, down)
    };
    // Short timers from now on, set on one node, used by all.
    let settings = json!({"staleAfter": STALE_AFTER, "offlineAfter": OFFLINE_AFTER, "wrapUpTime": WRAP_UP});
    floor.ok("Account/settings", &floor.owner(settings)).await;
    // Ben hangs up: wrap-up, ended by the timer.
    floor.ok("callEvent", &fact("ring-1", "ended", "ben")).await;
    // An account served by one node only, not the time keeper: its timers
    // still run there.
    let keeper_node = nodes.iter().position(|n| n.as_ref().is_some_and(|s| s.pid() == first_keeper)).unwrap();
    let quiet_node = (keeper_node + 1) % 3;
    let (quiet_user, quiet_token) = create_account(&url, "Quiet", "quiet@example.com");
    let quiet = |mut fields: Value| {
        fields["userId"] = json!(quiet_user);
        fields["token"] = json!(quiet_token);
        fields
    };
    floor.ok_at(quiet_node, "Account/settings", &quiet(json!({"staleAfter": STALE_AFTER, "offlineAfter": 60}))).await;
    let fay = json!({"name": "fay", "email": "fay@quiet.example", "password": "pass-word-1"});
    let fay = floor.ok_at(quiet_node, "Agent/create", &quiet(fay)).await["agentId"].as_i64().unwrap();
    let login = json!({"email": "fay@quiet.example", "password": "pass-word-1"});
    floor.ok_at(quiet_node, "auth/login", &login).await;
    let deadline = Instant::now() + Duration::from_secs(STALE_AFTER as u64 + 5);
    loop {
        let live = floor.ok_at(quiet_node, "Agent/live", &quiet(json!({"agentId": fay}))).await;
        if live["response"][0]["state"] == "stale" {
            break;
        }
        assert!(Instant::now() < deadline, "an account the time keeper never served did not go stale: {live}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    // Eve logs in and never pings: stale and offline at their due seconds.
    let login = json!({"email": "eve@example.com", "password": "pass-word-1"});
    floor.ok("auth/login", &login).await;
    let eve_login = heard[2]
        .wait_for(Duration::from_secs(5), |d| d["event"] == "login" && d["agentId"] == agent("eve"))
        .await
        .expect("eve's login on the stream");
    let logged_in_at = eve_login["time"].as_i64().unwrap();
    let killed = keeper_node;
    // The kill comes under load: call events through every node, the one
    // about to die included; each one answered must be in the log after.
    let loading = {
        let (client, bases, fact_body) = (client.clone(), bases.clone(), fact("", "offered", "dev"));
        tokio::spawn(async move {
            let mut acked = Vec::new();
            let until = Instant::now() + Duration::from_secs(3);
            let mut i = 0;
            while Instant::now() < until {
                let mut body = fact_body.clone();
                body["callId"] = json!(format!("load-{i}"));
                let sent = client.post(format!("{}/api/v2/callEvent", bases[i % 3])).body(body.to_string()).send();
                if let Ok(reply) = sent.await
                    && let Ok(text) = reply.text().await
                    && serde_json::from_str::<Value>(&text).is_ok_and(|r| r["accepted"] == 1)
                {
                    acked.push(format!("load-{i}"));
                }
                i += 1;
            }
            acked
        })
    };
    tokio::time::sleep(Duration::from_secs(1)).await;
    nodes[killed].take().unwrap().kill();
    floor.down.lock().push(killed);
    pinger.1.lock().push(killed);
    let survivors: Vec<usize> = (0..3).filter(|n| *n != killed).collect();
    let acked_under_kill = loading.await.unwrap();
    tokio::time::sleep(Duration::from_secs(OFFLINE_AFTER as u64 + 4)).await;
    let new_keeper = timekeeper(&url).await.expect("another node took the time over");
    assert_ne!(new_keeper, first_keeper);

    // ---- a logout on one node is refused on the others at the next request ----
    floor.ok_at(survivors[0], "auth/logout", &json!({"ssid": ssids["asha"]})).await;
    let refused = floor.send_to(survivors[1], "agentProfile/agentOnBreak", &session("asha", json!({}))).await;
    assert_eq!(refused, (200, r#"{"status":"error","message":"Invalid token","code":1014}"#.to_string()));

    // ---- the killed node comes back and resumes its stream ----
    nodes[killed] = Some(Server::start(&url, CLUSTER));
    let restarted = nodes[killed].as_ref().unwrap().base();
    floor.bases.lock()[killed] = restarted.clone();
    wait_ready(&restarted).await;
    let resumed = Heard::default();
    let last_heard_on_killed = heard[killed].frames().last().and_then(|f| f.id);
    let resume_at = last_heard_on_killed.map(|id| id.to_string()).unwrap_or_else(|| "0".to_string());
    let stream = EventStream::open(&streaming, &restarted, &floor.stream_query(), Some(&resume_at)).await;
    listeners.push(resumed.listen(stream));
    // One more change, through the restarted node.
    floor.ok_at(killed, "agentProfile/breakStart", &session("ben", json!({"reason": "Lunch"}))).await;
    let last = heard[survivors[0]]
        .wait_for(Duration::from_secs(5), |d| d["event"] == "break_start" && d["agentId"] == agent("ben"))
        .await
        .expect("ben's break on a survivor's stream")["id"]
        .as_i64()
        .unwrap();
    for h in [&heard[survivors[0]], &heard[survivors[1]], &resumed] {
        h.wait_for(Duration::from_secs(5), |d| d["id"] == last).await.expect("every stream hears the last event");
    }

    // ---- every stream: the same events, in order, without gap or duplicate ----
    let all = heard[survivors[0]].frames();
    assert_eq!(summary(&all), summary(&heard[survivors[1]].frames()), "the survivors' streams differ");
    let ids_heard: Vec<i64> = all.iter().map(Frame::id).collect();
    assert_eq!(ids_heard, (1..=ids_heard.len() as i64).collect::<Vec<_>>(), "gapless from the first event");
    let before_kill = heard[killed].frames();
    assert_eq!(summary(&before_kill), summary(&all[..before_kill.len()]), "the killed node's stream is a prefix");
    assert_eq!(
        summary(&resumed.frames()),
        summary(&all[before_kill.len()..]),
        "the restarted node resumes right after the last event its stream carried"
    );

    // Every call event answered around the kill is in the log, once.
    assert!(acked_under_kill.len() >= 10, "only {} call events answered around the kill", acked_under_kill.len());
    for call in &acked_under_kill {
        let logged = all.iter().map(Frame::json).filter(|d| d["callId"] == call.as_str()).count();
        assert_eq!(logged, 1, "{call} was answered, then logged {logged} times");
    }

    // Dev's concurrent breaks: one event per acknowledged change, alternating.
    let dev: Vec<String> = events_of(&all, agent("dev"))
        .iter()
        .map(|d| d["event"].as_str().unwrap().to_string())
        .filter(|e| e.starts_with("break_"))
        .collect();
    assert_eq!(dev.iter().filter(|e| *e == "break_start").count(), acknowledged["agentProfile/breakStart"], "{dev:?}");
    assert_eq!(
        dev.iter().filter(|e| *e == "break_end").count(),
        acknowledged.get("agentProfile/breakEnd").copied().unwrap_or(0)
    );
    assert!(dev.windows(2).all(|w| w[0] != w[1]), "breaks alternate: {dev:?}");

    // Ben's wrap-up ended by the timer once, at its due second.
    let ben = events_of(&all, agent("ben"));
    let hung_up = ben.iter().find(|d| d["event"] == "ended" && d["state"] == "wrap_up").expect("ben's wrap-up");
    let wrap_ends: Vec<&Value> = ben.iter().filter(|d| d["event"] == "wrap_up_end").collect();
    assert_eq!(wrap_ends.len(), 1, "{ben:?}");
    let due = hung_up["time"].as_i64().unwrap() + WRAP_UP;
    assert!((wrap_ends[0]["time"].as_i64().unwrap() - due).abs() <= 1, "wrap-up ended at {} not {due}", wrap_ends[0]);

    // Eve: stale and offline once each, at their due seconds, across the kill.
    let eve: Vec<(String, i64)> = events_of(&all, agent("eve"))
        .iter()
        .map(|d| (d["event"].as_str().unwrap().to_string(), d["time"].as_i64().unwrap()))
        .collect();
    let kinds: Vec<&str> = eve.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(kinds, ["login", "stale", "offline"], "{eve:?}");
    assert!(
        (eve[1].1 - (logged_in_at + STALE_AFTER)).abs() <= 1,
        "stale at {} for a login at {logged_in_at}",
        eve[1].1
    );
    assert!(
        (eve[2].1 - (logged_in_at + OFFLINE_AFTER)).abs() <= 1,
        "offline at {} for a login at {logged_in_at}",
        eve[2].1
    );

    // Ben and Chen pinged only nodes that do not keep the time, and never went stale.
    for name in ["ben", "chen"] {
        let events = events_of(&all, agent(name));
        assert!(events.iter().all(|d| d["event"] != "stale" && d["event"] != "offline"), "{name}: {events:?}");
    }

    // ---- failed logins and request budgets count across the nodes ----
    let wrong = json!({"email": "eve@example.com", "password": "not-her-password"});
    for attempt in 0..5 {
        let refused = floor.send_to(attempt % 3, "auth/login", &wrong).await;
        let expected = r#"{"status":"error","message":"Invalid email or password","code":1501}"#;
        assert_eq!(refused, (200, expected.to_string()), "attempt {attempt}");
    }
    let right = json!({"email": "eve@example.com", "password": "pass-word-1"});
    for node in 0..3 {
        let locked = floor.send_to(node, "auth/login", &right).await;
        let expected = r#"{"status":"error","message":"Too many requests","code":429}"#;
        assert_eq!(locked, (429, expected.to_string()), "node {node} after five failures spread over the nodes");
    }
    // Dev floods every node at once: one budget (N/s, burst 2N) in all.
    let asks = session("dev", json!({}));
    let flood_started = Instant::now();
    let flood = futures_util::future::join_all(
        (0..6 * RATE_LIMIT).map(|i| floor.send_to(i % 3, "agentProfile/agentOnBreak", &asks)),
    )
    .await;
    let seconds = flood_started.elapsed().as_secs_f64().ceil() as usize;
    let answered = flood.iter().filter(|(status, _)| *status == 200).count();
    let refused = flood.iter().filter(|(status, _)| *status == 429).count();
    assert_eq!(answered + refused, flood.len(), "{flood:?}");
    // Each node's share is a third, rounded up: burst ⌈2N/3⌉… plus what
    // refills meanwhile.
    let share = RATE_LIMIT.div_ceil(3);
    let most = 3 * (2 * share + share * seconds);
    assert!(answered <= most, "{answered} answered of {} in {seconds} s: the budget was not shared", flood.len());
    assert!(answered >= 2 * share, "{answered} answered");

    pinger.0.abort();
    for listener in listeners {
        listener.abort();
    }
}
