//! The routing decision's latency (issue 26): callers in a closed loop ask
//! `callRoute` whom to ring for a new call of one of the groups (every group
//! `longest_idle`), then report the offer `missed`, so the agent is free for
//! the next call; only the decision is timed. The decision reads the
//! group's agents and logs the offer in one change of the account.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::BodyExt;
use serde_json::{Value, json};

use crate::dataset::Loaded;
use crate::load::{self, Outcome};

/// Every group rings its longest idle agent (one offer per decision).
pub async fn prepare(addr: SocketAddr, data: &Loaded) -> anyhow::Result<()> {
    for (i, group) in data.groups.iter().enumerate() {
        let body = json!({"userId": data.user_id, "token": data.token, "groupId": group,
            "name": format!("Team {i:02}"), "strategy": "longest_idle"});
        let reply: Value = serde_json::from_slice(&load::post(addr, "/api/v2/Group/update", body).await?)?;
        anyhow::ensure!(reply["status"] == "success", "Group/update: {reply}");
    }
    Ok(())
}

/// `callers` in a closed loop for `duration`; `tag` names this run's calls
/// apart from another run's on the same database.
pub async fn measure(
    addr: SocketAddr,
    data: &Loaded,
    callers: usize,
    duration: Duration,
    tag: &str,
) -> anyhow::Result<Outcome> {
    let next = Arc::new(AtomicUsize::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..callers {
        let (next, stop, tag) = (next.clone(), stop.clone(), tag.to_string());
        let (user_id, token, groups) = (data.user_id.clone(), data.token.clone(), data.groups.clone());
        tasks.push(tokio::spawn(async move {
            let mut sender = load::connect(addr).await?;
            let (mut latency, mut requests, mut errors) = (load::histogram(), 0u64, 0u64);
            while !stop.load(Ordering::Relaxed) {
                let n = next.fetch_add(1, Ordering::Relaxed);
                let call = format!("route-{tag}-{n}");
                let ask = json!({"userId": user_id, "token": token, "callId": call,
                    "groupId": groups[n % groups.len()], "callerNumber": format!("9195{n:08}")});
                let sent = Instant::now();
                let reply =
                    sender.send_request(load::request("/api/v2/callRoute", Bytes::from(ask.to_string()))?).await?;
                let body = reply.into_body().collect().await?.to_bytes();
                latency.record(sent.elapsed().as_micros().max(1) as u64)?;
                requests += 1;
                let answer: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
                let Some(offered) = answer["agents"].as_array() else {
                    errors += 1;
                    continue;
                };
                // Free the agents again: the offer is missed.
                let events: Vec<Value> = offered
                    .iter()
                    .map(|a| json!({"callId": call, "agentId": a["agentId"], "event": "missed"}))
                    .collect();
                if !events.is_empty() {
                    let missed = json!({"userId": user_id, "token": token, "events": events});
                    let reply = sender
                        .send_request(load::request("/api/v2/callEvent", Bytes::from(missed.to_string()))?)
                        .await?;
                    reply.into_body().collect().await?;
                }
            }
            anyhow::Ok((latency, requests, errors))
        }));
    }
    tokio::time::sleep(duration).await;
    stop.store(true, Ordering::Relaxed);
    let mut outcome = Outcome { requests: 0, errors: 0, elapsed: started.elapsed(), latency: load::histogram() };
    for task in tasks {
        let (latency, requests, errors) = task.await??;
        outcome.latency.add(latency)?;
        outcome.requests += requests;
        outcome.errors += errors;
    }
    Ok(outcome)
}
