//! A node that stops in the middle of a write (SIGSTOP: a paused VM, a
//! process stuck, a half-open connection after a partition) does not hold
//! up the other nodes of its database: PostgreSQL ends its session, idle
//! in a transaction, after a few seconds and releases the account's rows,
//! and the other node's writes to the same account are answered within
//! the bound (issue 24). The stopped node, continued, answers again.
//!
//! PostgreSQL only: it needs `AGENTDESK_TEST_POSTGRES` (skipped without).

mod common;

use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use common::server::{Server, create_account, wait_ready};
use serde_json::{Value, json};
use sqlx::Connection;
use tokio::time::Instant;

/// PostgreSQL ends a session idle in a transaction after 5 s
/// (`store::postgres::SESSION_BOUNDS`); a write waiting behind it is then
/// answered in well under this.
const BOUND: Duration = Duration::from_secs(9);

fn signal(pid: u32, which: &str) {
    let status = Command::new("kill").args([which, &pid.to_string()]).status().unwrap();
    assert!(status.success(), "kill {which} {pid}");
}

/// Sessions of the node `pid` that hold a transaction open while idle.
async fn idle_in_transaction(database: &str, pid: u32) -> i64 {
    let mut db = sqlx::PgConnection::connect(database).await.unwrap();
    let (n,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM pg_stat_activity WHERE application_name = $1 AND state = 'idle in transaction'",
    )
    .bind(format!("agentdesk/{pid}"))
    .fetch_one(&mut db)
    .await
    .unwrap();
    n
}

/// One `callEvent` batch of `n` calls offered to and missed by `agents`.
fn batch(user_id: &str, token: &str, tag: &str, agents: &[i64], n: usize) -> Value {
    let events: Vec<Value> = (0..n)
        .flat_map(|i| {
            let (call, agent) = (format!("{tag}-{i}"), agents[i % agents.len()]);
            [
                json!({"callId": call, "agentId": agent, "event": "offered", "callerNumber": "9876543210"}),
                json!({"callId": call, "agentId": agent, "event": "missed", "callerNumber": "9876543210"}),
            ]
        })
        .collect();
    json!({"userId": user_id, "token": token, "events": events})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_stopped_in_the_middle_of_a_write_holds_up_no_other_node() {
    let Some(database) = common::PostgresDatabase::create().await else {
        eprintln!("skipped: AGENTDESK_TEST_POSTGRES is not set");
        return;
    };
    let url = database.url();
    let (user_id, token) = create_account(&url, "Floor", "floor@example.com");
    let flags = ["--cluster", "--rate-limit", "0"];
    let (frozen, healthy) = (Server::start(&url, &flags), Server::start(&url, &flags));
    let client = reqwest::Client::builder().timeout(Duration::from_secs(60)).build().unwrap();
    let post = move |base: String, path: &'static str, body: Value| {
        let client = client.clone();
        async move {
            let reply = client.post(format!("{base}/api/v2/{path}")).body(body.to_string()).send().await?;
            reply.json::<Value>().await
        }
    };
    for base in [frozen.base(), healthy.base()] {
        wait_ready(&base).await;
    }
    let mut agents = Vec::new();
    for i in 0..20 {
        let fields = json!({"userId": user_id, "token": token, "name": format!("Agent {i}"), "email": format!("a{i}@example.com")});
        let created = post(healthy.base(), "Agent/create", fields).await.unwrap();
        agents.push(created["agentId"].as_i64().unwrap_or_else(|| panic!("{created}")));
    }

    // Writers keep the stopping node busy with the account's writes.
    let running = Arc::new(AtomicBool::new(true));
    let writers: Vec<_> = (0..6)
        .map(|w| {
            let (post, base, running) = (post.clone(), frozen.base(), running.clone());
            let (user_id, token, agents) = (user_id.clone(), token.clone(), agents.clone());
            tokio::spawn(async move {
                let mut round = 0;
                while running.load(Ordering::Relaxed) {
                    let _ =
                        post(base.clone(), "callEvent", batch(&user_id, &token, &format!("w{w}r{round}"), &agents, 20))
                            .await;
                    round += 1;
                }
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(500)).await;

    // Stop it until it is caught holding a transaction (the case that held
    // every other node up), at most 40 tries.
    let mut caught = false;
    for _ in 0..40 {
        signal(frozen.pid(), "-STOP");
        tokio::time::sleep(Duration::from_millis(150)).await;
        if idle_in_transaction(&url, frozen.pid()).await > 0 {
            caught = true;
            break;
        }
        signal(frozen.pid(), "-CONT");
        tokio::time::sleep(Duration::from_millis(100 + rand_ms())).await;
    }
    assert!(caught, "the node was never stopped inside a transaction in 40 tries");

    // The other node writes to the same account within the bound.
    let started = Instant::now();
    let reply = post(healthy.base(), "callEvent", batch(&user_id, &token, "healthy", &agents, 5)).await.unwrap();
    let took = started.elapsed();
    assert_eq!(reply["accepted"], 10, "{reply}");
    assert!(took < BOUND, "the healthy node's write waited {took:?} behind the stopped one");
    eprintln!("the healthy node's write was answered in {took:?}");
    let board = post(healthy.base(), "Agent/live", json!({"userId": user_id, "token": token})).await.unwrap();
    assert_eq!(board["status"], "success", "{board}");

    // Continued, the stopped node answers again (its ended session is
    // replaced by a new one).
    signal(frozen.pid(), "-CONT");
    running.store(false, Ordering::Relaxed);
    for writer in writers {
        writer.await.unwrap();
    }
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let reply = post(frozen.base(), "callEvent", batch(&user_id, &token, "back", &agents, 1)).await;
        if reply.as_ref().is_ok_and(|r| r["accepted"] == 2) {
            break;
        }
        assert!(Instant::now() < deadline, "the continued node never wrote again: {reply:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// A few milliseconds of jitter, so stops fall at different points of a write.
fn rand_ms() -> u64 {
    u64::from(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos() % 97)
}
