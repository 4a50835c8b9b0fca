//! Server-Sent Events as a client reads them: an open `/api/v2/stream`,
//! frame by frame.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::Value;
use tokio::time::{Instant, timeout_at};

/// How long a test waits for frames it expects.
pub const WAIT: Duration = Duration::from_secs(5);
/// How long a test listens to be sure nothing more arrives.
pub const QUIET: Duration = Duration::from_millis(400);

/// One Server-Sent Event as it arrived.
#[derive(Debug, Clone)]
pub struct Frame {
    pub id: Option<i64>,
    pub event: Option<String>,
    pub data: Option<String>,
}

impl Frame {
    pub fn id(&self) -> i64 {
        self.id.unwrap_or_else(|| panic!("frame without id: {self:?}"))
    }

    pub fn json(&self) -> Value {
        let data = self.data.as_deref().unwrap_or_else(|| panic!("frame without data: {self:?}"));
        serde_json::from_str(data).unwrap_or_else(|e| panic!("data is not JSON ({e}): {data}"))
    }

    /// Parses one `\n\n`-terminated block; `None` when it held only comments.
    fn parse(block: &str) -> Option<Frame> {
        let mut frame = Frame { id: None, event: None, data: None };
        let mut any = false;
        for line in block.lines() {
            if line.is_empty() || line.starts_with(':') {
                continue;
            }
            let (field, value) = line.split_once(':').unwrap_or((line, ""));
            let value = value.strip_prefix(' ').unwrap_or(value).to_string();
            any = true;
            match field {
                "id" => frame.id = Some(value.parse().unwrap_or_else(|_| panic!("id is not a number: {line}"))),
                "event" => frame.event = Some(value),
                "data" => {
                    // Several `data:` lines join with a newline.
                    frame.data = Some(match frame.data.take() {
                        Some(before) => format!("{before}\n{value}"),
                        None => value,
                    })
                }
                _ => {}
            }
        }
        any.then_some(frame)
    }
}

/// An open event stream, read chunk by chunk.
pub struct EventStream {
    response: reqwest::Response,
    buffer: Vec<u8>,
    /// The stream's body ended.
    ended: bool,
}

impl EventStream {
    /// Opens `GET {base}/api/v2/stream?<query>` (with `Last-Event-ID` when
    /// given) and expects a 200 `text/event-stream`.
    pub async fn open(client: &reqwest::Client, base: &str, query: &str, last_event_id: Option<&str>) -> EventStream {
        let mut request = client.get(format!("{base}/api/v2/stream?{query}"));
        if let Some(id) = last_event_id {
            request = request.header("last-event-id", id);
        }
        let response = tokio::time::timeout(WAIT, request.send()).await.expect("stream answers in time").unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let content_type = response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("");
        assert!(content_type.starts_with("text/event-stream"), "content-type {content_type:?}");
        EventStream { response, buffer: Vec::new(), ended: false }
    }

    /// Takes the next complete frame out of the buffer, skipping comment-only ones.
    fn take_frame(&mut self) -> Option<Frame> {
        loop {
            let end = self.buffer.windows(2).position(|w| w == b"\n\n")?;
            let block: Vec<u8> = self.buffer.drain(..end + 2).collect();
            let text = String::from_utf8(block).expect("frames are UTF-8").replace('\r', "");
            if let Some(frame) = Frame::parse(&text) {
                return Some(frame);
            }
        }
    }

    /// Reads until a frame is complete; `None` at `deadline` or when the
    /// body ended (or its connection broke).
    pub async fn next_until(&mut self, deadline: Instant) -> Option<Frame> {
        loop {
            if let Some(frame) = self.take_frame() {
                return Some(frame);
            }
            if self.ended {
                return None;
            }
            match timeout_at(deadline, self.response.chunk()).await {
                Err(_) => return None,
                Ok(Ok(Some(chunk))) => self.buffer.extend_from_slice(&chunk),
                Ok(Ok(None)) => self.ended = true,
                // The connection broke (the server died): the stream ended.
                Ok(Err(_)) => self.ended = true,
            }
        }
    }

    /// The next `n` frames, within `WAIT`.
    pub async fn frames(&mut self, n: usize) -> Vec<Frame> {
        let deadline = Instant::now() + WAIT;
        let mut frames = Vec::new();
        while frames.len() < n {
            match self.next_until(deadline).await {
                Some(frame) => frames.push(frame),
                None => panic!("expected {n} frames, got {} (ended: {}): {frames:?}", frames.len(), self.ended),
            }
        }
        frames
    }

    /// Nothing more arrives for a while.
    pub async fn expect_quiet(&mut self) {
        if let Some(frame) = self.next_until(Instant::now() + QUIET).await {
            panic!("unexpected frame: {frame:?}");
        }
    }
}
