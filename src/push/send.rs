//! One HTTP attempt of one delivery: Standard Webhooks headers, a timeout,
//! no redirects, and no private address unless the operator allows them —
//! checked on the name as written and on every address it resolves to,
//! at the moment of connecting.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

use crate::domain::webhook::{ATTEMPT_TIMEOUT, is_private, names_private_host};

/// The answer's first bytes kept in the delivery log.
pub const EXCERPT_BYTES: usize = 256;

/// What one attempt got.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// `None`: no HTTP answer (refused, timed out, private address).
    pub status: Option<u16>,
    /// Seconds from a `Retry-After` header (delta-seconds form).
    pub retry_after: Option<u64>,
    pub excerpt: String,
    pub latency_ms: i64,
}

impl Answer {
    pub fn success(&self) -> bool {
        self.status.is_some_and(|s| (200..300).contains(&s))
    }
}

/// Resolves names like the system does, then drops private addresses: a
/// public name that resolves to the server's own network is refused.
struct PublicOnly;

impl Resolve for PublicOnly {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_string();
        Box::pin(async move {
            let found: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let public: Vec<SocketAddr> = found.into_iter().filter(|a| !is_private(a.ip())).collect();
            if public.is_empty() {
                return Err(format!("{host} resolves only to private addresses").into());
            }
            let addrs: Addrs = Box::new(public.into_iter());
            Ok(addrs)
        })
    }
}

/// The HTTP client deliveries go out with.
pub fn client(allow_private: bool) -> reqwest::Client {
    let mut builder = reqwest::Client::builder()
        .timeout(ATTEMPT_TIMEOUT)
        .connect_timeout(ATTEMPT_TIMEOUT)
        // A redirect could lead anywhere, a private address included: a
        // 3xx is an answer like any other non-2xx.
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("agentdesk-webhooks/", env!("CARGO_PKG_VERSION")))
        .pool_max_idle_per_host(4);
    if !allow_private {
        builder = builder.dns_resolver(Arc::new(PublicOnly));
    }
    builder.build().unwrap_or_else(|_| reqwest::Client::new())
}

/// The headers and body of one attempt.
pub struct Message<'a> {
    pub url: &'a str,
    pub message_id: &'a str,
    pub timestamp: i64,
    pub signature: &'a str,
    pub content_type: &'a str,
    pub body: &'a str,
}

/// Sends `message` once.
pub async fn attempt(client: &reqwest::Client, allow_private: bool, message: &Message<'_>) -> Answer {
    let started = Instant::now();
    let refused = |why: String| Answer { status: None, retry_after: None, excerpt: why, latency_ms: 0 };
    let Ok(url) = reqwest::Url::parse(message.url) else { return refused("invalid url".into()) };
    if !allow_private && names_private_host(&url) {
        return refused("refused: the url names a private address".into());
    }
    let sent = client
        .post(url)
        .header("content-type", message.content_type)
        .header("webhook-id", message.message_id)
        .header("webhook-timestamp", message.timestamp.to_string())
        .header("webhook-signature", message.signature)
        .body(message.body.to_string())
        .send()
        .await;
    let mut response = match sent {
        Ok(response) => response,
        Err(err) => {
            let mut answer = refused(error_text(&err));
            answer.latency_ms = started.elapsed().as_millis() as i64;
            return answer;
        }
    };
    let status = response.status().as_u16();
    let retry_after =
        response.headers().get("retry-after").and_then(|v| v.to_str().ok()).and_then(|v| v.trim().parse::<u64>().ok());
    // Only the first bytes: a receiver answering megabytes costs nothing more.
    let mut excerpt = Vec::new();
    while excerpt.len() < EXCERPT_BYTES {
        match response.chunk().await {
            Ok(Some(chunk)) => excerpt.extend_from_slice(&chunk[..chunk.len().min(EXCERPT_BYTES - excerpt.len())]),
            _ => break,
        }
    }
    Answer {
        status: Some(status),
        retry_after,
        excerpt: String::from_utf8_lossy(&excerpt).into_owned(),
        latency_ms: started.elapsed().as_millis() as i64,
    }
}

/// What went wrong, in words for the delivery log (the whole cause chain:
/// "connection refused" is under reqwest's own "error sending request").
fn error_text(err: &reqwest::Error) -> String {
    let mut text = if err.is_timeout() { "timed out".to_string() } else { err.to_string() };
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text.chars().take(EXCERPT_BYTES).collect()
}
