//! A webhook receiver the tests run on 127.0.0.1: it records every request
//! and answers from a script (then 200 `GODBLESSYOU`, as DeepCall
//! receivers do), and verifies Standard Webhooks signatures on its own.

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use hmac::{Hmac, Mac};
use parking_lot::Mutex;
use sha2::Sha256;
use tokio::net::TcpListener;

/// One request as it arrived.
#[derive(Debug, Clone)]
pub struct Received {
    pub headers: HeaderMap,
    pub body: String,
    /// The status the receiver answered it with.
    pub answered: u16,
}

impl Received {
    pub fn header(&self, name: &str) -> &str {
        self.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("")
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

/// A scripted answer: status, a `Retry-After` (seconds) if any, and a body.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub retry_after: Option<u64>,
    pub body: &'static str,
}

impl Answer {
    pub fn status(status: u16) -> Self {
        Answer { status, retry_after: None, body: "" }
    }
}

#[derive(Default)]
struct Shared {
    received: Mutex<Vec<Received>>,
    script: Mutex<VecDeque<Answer>>,
    /// How long each answer takes (a slow receiver).
    delay: Mutex<Duration>,
    /// Requests being answered now, and the most there were at once.
    in_flight: AtomicUsize,
    most_at_once: AtomicUsize,
}

pub struct Receiver {
    /// `http://127.0.0.1:PORT/hook`.
    pub url: String,
    shared: Arc<Shared>,
    _stop: tokio::sync::oneshot::Sender<()>,
}

async fn hook(State(shared): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> Response {
    let answer =
        shared.script.lock().pop_front().unwrap_or(Answer { status: 200, retry_after: None, body: "GODBLESSYOU" });
    let body = String::from_utf8_lossy(&body).into_owned();
    shared.received.lock().push(Received { headers, body, answered: answer.status });
    let now = shared.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
    shared.most_at_once.fetch_max(now, Ordering::SeqCst);
    let delay = *shared.delay.lock();
    tokio::time::sleep(delay).await;
    shared.in_flight.fetch_sub(1, Ordering::SeqCst);
    let mut response = (StatusCode::from_u16(answer.status).unwrap(), answer.body).into_response();
    if let Some(secs) = answer.retry_after {
        response.headers_mut().insert("retry-after", secs.to_string().parse().unwrap());
    }
    response
}

impl Receiver {
    /// Listens on a fresh port.
    pub async fn start() -> Receiver {
        Self::on(TcpListener::bind("127.0.0.1:0").await.unwrap()).await
    }

    /// Listens on `port` (one a test kept free to be down first).
    pub async fn start_on(port: u16) -> Receiver {
        Self::on(TcpListener::bind(("127.0.0.1", port)).await.unwrap()).await
    }

    async fn on(listener: TcpListener) -> Receiver {
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        let shared = Arc::new(Shared::default());
        let app = Router::new().route("/hook", post(hook)).with_state(shared.clone());
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await
                .unwrap();
        });
        Receiver { url, shared, _stop: tx }
    }

    /// Answers the next requests with these, in order.
    pub fn script(&self, answers: impl IntoIterator<Item = Answer>) {
        self.shared.script.lock().extend(answers);
    }

    /// Every answer takes `delay` from now on.
    pub fn slow(&self, delay: Duration) {
        *self.shared.delay.lock() = delay;
    }

    /// The most requests it was answering at once.
    pub fn most_at_once(&self) -> usize {
        self.shared.most_at_once.load(Ordering::SeqCst)
    }

    pub fn received(&self) -> Vec<Received> {
        self.shared.received.lock().clone()
    }

    /// Waits (up to 20 s) until `n` requests have arrived; all of them.
    pub async fn wait_for(&self, n: usize) -> Vec<Received> {
        for _ in 0..400 {
            let got = self.received();
            if got.len() >= n {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("expected {n} deliveries, got {:?}", self.received());
    }
}

/// A port nothing listens on (yet): bound, then let go.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Checks a delivery the Standard Webhooks way (the recipe its libraries
/// follow): HMAC-SHA256 over `id.timestamp.body` with the base64 key after
/// `whsec_`, compared with each `v1,` signature the header lists.
pub fn signed_by(received: &Received, secret: &str) -> bool {
    let key = BASE64.decode(secret.strip_prefix("whsec_").expect("a whsec_ secret")).expect("base64 secret");
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).unwrap();
    let signed =
        format!("{}.{}.{}", received.header("webhook-id"), received.header("webhook-timestamp"), received.body);
    mac.update(signed.as_bytes());
    let expected = format!("v1,{}", BASE64.encode(mac.finalize().into_bytes()));
    received.header("webhook-signature").split(' ').any(|s| s == expected)
}
