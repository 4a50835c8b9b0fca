//! The load generator: a fixed number of keep-alive HTTP/1.1 connections,
//! each sending the next request as soon as the previous reply is read
//! (closed loop), latencies in an HDR histogram.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use hdrhistogram::Histogram;
use http_body_util::{BodyExt, Full};
use hyper::Request;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

/// What a scenario sends and how a reply is judged.
#[derive(Clone)]
pub struct Plan {
    /// The nodes the connections spread over (connection i to node i mod n).
    pub addrs: Vec<SocketAddr>,
    pub path: String,
    /// Sent in turn across all connections (each body once before any repeats).
    pub bodies: Arc<Vec<Bytes>>,
    /// Whether a 200 reply's body is a good answer (not an error envelope, …).
    pub good: fn(&[u8]) -> bool,
}

/// What a run measured.
pub struct Outcome {
    pub requests: u64,
    pub errors: u64,
    pub elapsed: Duration,
    /// Latency in microseconds.
    pub latency: Histogram<u64>,
}

impl Outcome {
    pub fn per_second(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64()
    }

    pub fn millis(&self, quantile: f64) -> f64 {
        self.latency.value_at_quantile(quantile) as f64 / 1000.0
    }
}

pub fn histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 60_000_000, 3).expect("valid histogram bounds")
}

/// A keep-alive HTTP/1.1 connection to `addr`.
pub async fn connect(addr: SocketAddr) -> anyhow::Result<hyper::client::conn::http1::SendRequest<Full<Bytes>>> {
    let stream = TcpStream::connect(addr).await?;
    stream.set_nodelay(true)?;
    let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(conn);
    Ok(sender)
}

/// A JSON `POST` of `body` to `path`.
pub fn request(path: &str, body: Bytes) -> anyhow::Result<Request<Full<Bytes>>> {
    Ok(Request::post(path).header("host", "bench").header("content-type", "application/json").body(Full::new(body))?)
}

/// Runs `plan` on `connections` connections for `duration`.
pub async fn run(plan: &Plan, connections: usize, duration: Duration) -> anyhow::Result<Outcome> {
    let started = Instant::now();
    let deadline = started + duration;
    let next = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::with_capacity(connections);
    for c in 0..connections {
        let (plan, next) = (plan.clone(), next.clone());
        let addr = plan.addrs[c % plan.addrs.len()];
        tasks.push(tokio::spawn(async move { connection(plan, addr, next, deadline).await }));
    }
    let mut total = Outcome { requests: 0, errors: 0, elapsed: Duration::ZERO, latency: histogram() };
    for task in tasks {
        let (requests, errors, latency) = task.await??;
        total.requests += requests;
        total.errors += errors;
        total.latency.add(&latency)?;
    }
    total.elapsed = started.elapsed();
    Ok(total)
}

/// One connection's closed loop; reconnects if the server closes it.
async fn connection(
    plan: Plan,
    addr: SocketAddr,
    next: Arc<AtomicUsize>,
    deadline: Instant,
) -> anyhow::Result<(u64, u64, Histogram<u64>)> {
    let mut latency = histogram();
    let (mut requests, mut errors) = (0u64, 0u64);
    'connect: while Instant::now() < deadline {
        let mut sender = connect(addr).await?;
        while Instant::now() < deadline {
            let body = plan.bodies[next.fetch_add(1, Ordering::Relaxed) % plan.bodies.len()].clone();
            let request = request(&plan.path, body)?;
            let sent = Instant::now();
            let Ok(response) = sender.send_request(request).await else {
                errors += 1;
                continue 'connect;
            };
            let status = response.status();
            let bytes = match response.into_body().collect().await {
                Ok(b) => b.to_bytes(),
                Err(_) => {
                    errors += 1;
                    continue 'connect;
                }
            };
            latency.saturating_record(sent.elapsed().as_micros() as u64);
            requests += 1;
            if status != 200 || !(plan.good)(&bytes) {
                errors += 1;
            }
        }
    }
    Ok((requests, errors, latency))
}

/// One request outside any measurement (setting up a scenario); the reply's body.
pub async fn post(addr: SocketAddr, path: &str, body: serde_json::Value) -> anyhow::Result<Bytes> {
    let response = connect(addr).await?.send_request(request(path, Bytes::from(body.to_string()))?).await?;
    anyhow::ensure!(response.status() == 200, "{path} answered {}", response.status());
    Ok(response.into_body().collect().await?.to_bytes())
}

/// A reply that is not an error envelope.
pub fn success(body: &[u8]) -> bool {
    !contains(body, br#""status":"error""#)
}

pub fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}
