//! Open-loop load: several request streams at once, each at a fixed rate
//! (agents pinging every 15 s, supervisors polling, telephony posting),
//! the way a contact center's day arrives — requests do not wait for the
//! server to be ready for them. Latency is measured from the moment a
//! request was due, not from when it was sent, so a server that falls
//! behind shows it (no coordinated omission).

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use bytes::Bytes;
use hdrhistogram::Histogram;
use http_body_util::BodyExt;
use tokio::time::Instant;

use crate::load::{Outcome, connect, histogram, request};

/// How long past the end of the day overdue requests are still sent.
const GRACE: Duration = Duration::from_secs(10);

/// One kind of traffic of the day.
#[derive(Clone)]
pub struct Stream {
    pub name: &'static str,
    pub path: &'static str,
    /// Sent in turn (each body once before any repeats).
    pub bodies: Arc<Vec<Bytes>>,
    pub good: fn(&[u8]) -> bool,
    /// Requests per second.
    pub rate: f64,
    /// Connections the stream spreads over (each sends its share of the rate).
    pub connections: usize,
}

/// Runs every stream for `duration`; one outcome per stream, in order.
pub async fn run(addr: SocketAddr, streams: &[Stream], duration: Duration) -> anyhow::Result<Vec<Outcome>> {
    let start = Instant::now() + Duration::from_millis(50);
    let end = start + duration;
    let mut per_stream = Vec::new();
    for s in streams {
        let next = Arc::new(AtomicUsize::new(0));
        let interval = Duration::from_secs_f64(s.connections as f64 / s.rate);
        let mut tasks = Vec::new();
        for c in 0..s.connections {
            // Connections are staggered so the stream's requests are evenly spaced.
            let first = start + Duration::from_secs_f64(c as f64 / s.rate);
            let (bodies, next, path, good) = (s.bodies.clone(), next.clone(), s.path, s.good);
            tasks.push(tokio::spawn(async move { paced(addr, path, bodies, next, good, first, interval, end).await }));
        }
        per_stream.push(tasks);
    }
    let mut outcomes = Vec::new();
    for tasks in per_stream {
        let mut total = Outcome { requests: 0, errors: 0, elapsed: duration, latency: histogram() };
        for task in tasks {
            let (requests, errors, latency) = task.await??;
            total.requests += requests;
            total.errors += errors;
            total.latency.add(&latency)?;
        }
        outcomes.push(total);
    }
    Ok(outcomes)
}

/// One connection sending a request every `interval` from `first` until `end`.
#[allow(clippy::too_many_arguments)]
async fn paced(
    addr: SocketAddr,
    path: &'static str,
    bodies: Arc<Vec<Bytes>>,
    next: Arc<AtomicUsize>,
    good: fn(&[u8]) -> bool,
    first: Instant,
    interval: Duration,
    end: Instant,
) -> anyhow::Result<(u64, u64, Histogram<u64>)> {
    let mut latency = histogram();
    let (mut requests, mut errors) = (0u64, 0u64);
    let mut due = first;
    let mut sender = None;
    // A server slower than the rate leaves requests overdue; past this, the
    // ones still unsent count as errors instead of stretching the run.
    let give_up = end + GRACE;
    while due < end {
        if Instant::now() >= give_up {
            let unsent = (end - due).as_secs_f64() / interval.as_secs_f64();
            errors += unsent.ceil() as u64;
            requests += unsent.ceil() as u64;
            break;
        }
        tokio::time::sleep_until(due).await;
        if sender.is_none() {
            sender = Some(connect(addr).await?);
        }
        let body = bodies[next.fetch_add(1, Ordering::Relaxed) % bodies.len()].clone();
        let request = request(path, body)?;
        let reply = match sender.as_mut().expect("connected").send_request(request).await {
            Ok(response) => {
                let status = response.status();
                response.into_body().collect().await.ok().map(|b| (status, b.to_bytes()))
            }
            Err(_) => None,
        };
        latency.saturating_record(due.elapsed().as_micros() as u64);
        requests += 1;
        match reply {
            // A 429 or 503 counts only where the stream's `good` accepts a
            // refusal (the flood scenarios: a budget spent, the password
            // gate full); every other stream wants a success body.
            Some((status, bytes)) if matches!(status.as_u16(), 200 | 429 | 503) && good(&bytes) => {}
            Some(_) => errors += 1,
            None => {
                errors += 1;
                sender = None;
            }
        }
        due += interval;
    }
    Ok((requests, errors, latency))
}
