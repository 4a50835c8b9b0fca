//! Several nodes on one PostgreSQL database (`--nodes`): the throughput
//! scenarios with their connections spread over N `--cluster` nodes, and
//! the cross-node lag — from a call event's answer on one node to its event
//! on another node's stream. On one machine this measures what the
//! coordination costs, not how the nodes scale: they share its cores.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::BodyExt;
use serde_json::json;

use crate::dataset::{Loaded, Size};
use crate::load::{self, Outcome, Plan, connect, histogram};
use crate::report::Row;
use crate::server::Running;
use crate::{Cli, credentials, scenarios, start_agentdesk_with};

/// Call events sent one by one for the lag, per second.
const LAG_RATE: f64 = 20.0;

/// Every row of every node count in `cli.nodes`.
pub async fn measure(
    cli: &Cli,
    binary: &std::path::Path,
    url: &str,
    data: &Loaded,
    size: Size,
    base_rps: f64,
) -> anyhow::Result<Vec<Row>> {
    let mut rows = Vec::new();
    for &n in &cli.nodes {
        eprintln!("{n} --cluster node(s)…");
        let nodes = (0..n.max(1))
            .map(|_| start_agentdesk_with(binary, url, &["--cluster", "--rate-limit", "0"]))
            .collect::<anyhow::Result<Vec<Running>>>()?;
        let addrs: Vec<SocketAddr> = nodes.iter().map(|r| r.addr).collect();
        for addr in &addrs {
            ready(*addr).await?;
        }
        let label = format!("{n} node{}", if n == 1 { "" } else { "s" });
        for s in scenarios(data, cli, size, &format!("n{n}-")).into_iter().filter(|s| cli.runs(s.name)) {
            let plan = Plan { addrs: addrs.clone(), path: s.path.to_string(), bodies: s.bodies, good: s.good };
            let seconds = if cli.smoke { 1 } else { cli.duration };
            if s.events_per_request.is_none() {
                load::run(&plan, s.connections, Duration::from_millis(seconds * 200)).await?;
            }
            let outcome = load::run(&plan, s.connections, Duration::from_secs(seconds)).await?;
            let rss = nodes.iter().map(Running::peak_rss_mib).fold(0.0, f64::max);
            let mut row = Row::new(&format!("{label} (--cluster): {}", s.name), s.connections, &outcome, base_rps, rss);
            row.events_per_second = s.events_per_request.map(|e| e as f64 * outcome.per_second());
            eprintln!(
                "  {}: {:.0} req/s, p99 {:.2} ms, {} errors",
                s.name, row.requests_per_second, row.p99_ms, row.errors
            );
            rows.push(row);
        }
        let seconds = if cli.smoke { 2.0 } else { cli.duration as f64 };
        let lag = cross_node_lag(&addrs, data, seconds, &format!("lag{n}-")).await?;
        let row = Row::new(
            &format!("{label} (--cluster): lag, answer on one node → event on another's stream"),
            1,
            &lag,
            base_rps,
            0.0,
        );
        eprintln!("  lag: p50 {:.2} ms, p99 {:.2} ms, {} lost", row.p50_ms, row.p99_ms, row.errors);
        rows.push(row);
        for node in nodes {
            node.stop();
        }
    }
    Ok(rows)
}

/// Waits for `/readyz` to answer 200 (a node has caught up).
async fn ready(addr: SocketAddr) -> anyhow::Result<()> {
    let until = Instant::now() + Duration::from_secs(60);
    while Instant::now() < until {
        if let Ok(mut sender) = connect(addr).await {
            let request = hyper::Request::get("/readyz").header("host", "bench").body(Default::default())?;
            if sender.send_request(request).await.is_ok_and(|r| r.status() == 200) {
                return Ok(());
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    anyhow::bail!("node {addr} not ready within 60 s")
}

/// Sends single call events through the first node at `LAG_RATE` for
/// `seconds` while the last node's stream is read; each event's lag is from
/// its answer (which carries its sequence number, `lstSync`) to its frame.
/// Events never heard within a second after the end count as errors.
async fn cross_node_lag(addrs: &[SocketAddr], data: &Loaded, seconds: f64, run: &str) -> anyhow::Result<Outcome> {
    let (first, last) = (addrs[0], addrs[addrs.len() - 1]);
    let heard = listen(last, data).await?;
    let mut answered: HashMap<i64, Instant> = HashMap::new();
    let started = Instant::now();
    let mut sender = connect(first).await?;
    let every = Duration::from_secs_f64(1.0 / LAG_RATE);
    let mut due = Instant::now();
    let mut c = 0;
    while started.elapsed().as_secs_f64() < seconds {
        tokio::time::sleep_until(due.into()).await;
        due += every;
        let event =
            json!({"callId": format!("{run}{c}"), "event": "offered", "agentId": 1, "callerNumber": "919800000000"});
        c += 1;
        let body = Bytes::from(credentials(data, json!({"events": [event]})).to_string());
        let reply = sender.send_request(load::request("/api/v2/callEvent", body)?).await?;
        let at = Instant::now();
        let bytes = reply.into_body().collect().await?.to_bytes();
        let answer: serde_json::Value = serde_json::from_slice(&bytes)?;
        if let Some(seq) = answer["lstSync"].as_i64().filter(|s| *s > 0) {
            answered.insert(seq, at);
        }
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let frames = heard.stop();
    let mut lag = Outcome { requests: 0, errors: 0, elapsed: started.elapsed(), latency: histogram() };
    for (seq, at) in &answered {
        lag.requests += 1;
        match frames.get(seq) {
            Some(heard_at) => lag.latency.saturating_record(heard_at.saturating_duration_since(*at).as_micros() as u64),
            None => lag.errors += 1,
        }
    }
    Ok(lag)
}

/// Reads the account's stream on `addr` in a task, noting when each event
/// id arrives in `heard`.
fn listen_task(addr: SocketAddr, query: String, heard: Shared) -> tokio::task::JoinHandle<anyhow::Result<()>> {
    tokio::spawn(async move {
        let mut sender = connect(addr).await?;
        let request = hyper::Request::get(format!("/api/v2/stream?{query}&named=0"))
            .header("host", "bench")
            .body(Default::default())?;
        let mut body = sender.send_request(request).await?.into_body();
        let mut buffer = String::new();
        while let Some(frame) = body.frame().await {
            let Ok(data) = frame?.into_data() else { continue };
            let now = Instant::now();
            buffer.push_str(&String::from_utf8_lossy(&data));
            while let Some(end) = buffer.find('\n') {
                let line: String = buffer.drain(..=end).collect();
                if let Some(id) = line.strip_prefix("id:").and_then(|v| v.trim().parse::<i64>().ok()) {
                    heard.lock().expect("not poisoned").insert(id, now);
                }
            }
        }
        Ok(())
    })
}

/// When each event id arrived.
type Shared = std::sync::Arc<std::sync::Mutex<HashMap<i64, Instant>>>;

/// A stream being read.
struct Listening {
    task: tokio::task::JoinHandle<anyhow::Result<()>>,
    heard: Shared,
}

impl Listening {
    /// Stops reading: when each event id arrived.
    fn stop(self) -> HashMap<i64, Instant> {
        self.task.abort();
        std::mem::take(&mut *self.heard.lock().expect("not poisoned"))
    }
}

async fn listen(addr: SocketAddr, data: &Loaded) -> anyhow::Result<Listening> {
    let heard = Shared::default();
    let query = format!("userId={}&token={}", data.user_id, data.token);
    let task = listen_task(addr, query, heard.clone());
    // The stream starts at the present: give it a moment to be open.
    tokio::time::sleep(Duration::from_millis(300)).await;
    Ok(Listening { task, heard })
}
