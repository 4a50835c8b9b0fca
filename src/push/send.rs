//! One HTTP attempt of one delivery: Standard Webhooks headers, one
//! timeout for the whole exchange, no redirects, and no private address
//! unless the operator allows them — the name is resolved here, checked,
//! and the connection made to the address that passed, so a second DNS
//! answer cannot lead it elsewhere.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Instant;

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::rustls::pki_types::ServerName;
use tokio_rustls::rustls::{ClientConfig, RootCertStore};

use crate::domain::webhook::{ATTEMPT_TIMEOUT, is_private, names_private_host};

/// The answer's first bytes kept in the delivery log.
pub const EXCERPT_BYTES: usize = 256;

const USER_AGENT: &str = concat!("agentdesk-webhooks/", env!("CARGO_PKG_VERSION"));

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

/// The headers and body of one attempt.
pub struct Message<'a> {
    pub url: &'a str,
    pub message_id: &'a str,
    pub timestamp: i64,
    pub signature: &'a str,
    pub content_type: &'a str,
    pub body: &'a str,
}

trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

/// Makes attempts: plain HTTP, or HTTPS checked against Mozilla's roots.
pub struct Sender {
    allow_private: bool,
    tls: TlsConnector,
}

impl Sender {
    pub fn new(allow_private: bool) -> Self {
        let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
        let roots = RootCertStore { roots: webpki_roots::TLS_SERVER_ROOTS.to_vec() };
        let mut config = ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map(|b| b.with_root_certificates(roots).with_no_client_auth())
            .unwrap_or_else(|_| {
                // ring supports the default versions; this is not reached.
                ClientConfig::builder().with_root_certificates(RootCertStore::empty()).with_no_client_auth()
            });
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Sender { allow_private, tls: TlsConnector::from(Arc::new(config)) }
    }

    /// Sends `message` once, within `ATTEMPT_TIMEOUT`.
    pub async fn attempt(&self, message: &Message<'_>) -> Answer {
        let started = Instant::now();
        let outcome = tokio::time::timeout(ATTEMPT_TIMEOUT, self.exchange(message)).await;
        let latency_ms = started.elapsed().as_millis() as i64;
        match outcome {
            Ok(Ok((status, retry_after, excerpt))) => Answer { status: Some(status), retry_after, excerpt, latency_ms },
            Ok(Err(why)) => Answer { status: None, retry_after: None, excerpt: why, latency_ms },
            Err(_) => Answer { status: None, retry_after: None, excerpt: "timed out".into(), latency_ms },
        }
    }

    /// The addresses to try: the URL's own, or what its name resolves to,
    /// private ones left out unless allowed.
    async fn addresses(&self, url: &url::Url) -> Result<Vec<SocketAddr>, String> {
        let port = url.port_or_known_default().ok_or("invalid url")?;
        if !self.allow_private && names_private_host(url) {
            return Err("refused: the url names a private address".into());
        }
        let found: Vec<SocketAddr> = match url.host() {
            Some(url::Host::Ipv4(ip)) => vec![SocketAddr::new(IpAddr::V4(ip), port)],
            Some(url::Host::Ipv6(ip)) => vec![SocketAddr::new(IpAddr::V6(ip), port)],
            Some(url::Host::Domain(name)) => tokio::net::lookup_host((name, port))
                .await
                .map_err(|e| format!("cannot resolve {name}: {e}"))?
                .collect(),
            None => return Err("invalid url".into()),
        };
        let allowed: Vec<SocketAddr> =
            found.into_iter().filter(|a| self.allow_private || !is_private(a.ip())).collect();
        if allowed.is_empty() {
            return Err("refused: the url resolves only to private addresses".into());
        }
        Ok(allowed)
    }

    /// Connects (TLS for `https`) to the first address that answers.
    async fn connect(&self, url: &url::Url, addresses: &[SocketAddr]) -> Result<Box<dyn Io>, String> {
        let mut last = String::from("no address");
        for address in addresses {
            match TcpStream::connect(address).await {
                Ok(tcp) => {
                    let _ = tcp.set_nodelay(true);
                    if url.scheme() != "https" {
                        return Ok(Box::new(tcp));
                    }
                    let host = url.host_str().unwrap_or_default().trim_start_matches('[').trim_end_matches(']');
                    let name = ServerName::try_from(host.to_string()).map_err(|e| format!("tls: {e}"))?;
                    let tls = self.tls.connect(name, tcp).await.map_err(|e| format!("tls: {e}"))?;
                    return Ok(Box::new(tls));
                }
                Err(e) => last = format!("connecting to {address}: {e}"),
            }
        }
        Err(last)
    }

    /// One request and the start of its answer: status, `Retry-After`, excerpt.
    async fn exchange(&self, m: &Message<'_>) -> Result<(u16, Option<u64>, String), String> {
        let url = url::Url::parse(m.url).map_err(|_| "invalid url".to_string())?;
        let addresses = self.addresses(&url).await?;
        let io = self.connect(&url, &addresses).await?;
        let (mut sender, connection) =
            hyper::client::conn::http1::handshake(TokioIo::new(io)).await.map_err(|e| format!("http: {e}"))?;
        tokio::spawn(async move {
            let _ = connection.await;
        });
        let host = match url.port() {
            Some(port) => format!("{}:{port}", url.host_str().unwrap_or_default()),
            None => url.host_str().unwrap_or_default().to_string(),
        };
        let target = match url.query() {
            Some(query) => format!("{}?{query}", url.path()),
            None => url.path().to_string(),
        };
        let request = hyper::Request::post(target)
            .header("host", host)
            .header("user-agent", USER_AGENT)
            .header("content-type", m.content_type)
            .header("webhook-id", m.message_id)
            .header("webhook-timestamp", m.timestamp.to_string())
            .header("webhook-signature", m.signature)
            .body(Full::new(Bytes::from(m.body.to_string())))
            .map_err(|e| format!("request: {e}"))?;
        let response = sender.send_request(request).await.map_err(|e| format!("http: {e}"))?;
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        // Only the first bytes: a receiver answering megabytes costs nothing more.
        let mut body = response.into_body();
        let mut excerpt = Vec::new();
        while excerpt.len() < EXCERPT_BYTES {
            match body.frame().await {
                Some(Ok(frame)) => {
                    if let Some(data) = frame.data_ref() {
                        excerpt.extend_from_slice(&data[..data.len().min(EXCERPT_BYTES - excerpt.len())]);
                    }
                }
                _ => break,
            }
        }
        Ok((status, retry_after, String::from_utf8_lossy(&excerpt).into_owned()))
    }
}
