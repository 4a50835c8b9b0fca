//! The real binary: `agentdesk serve` on port 0 logs where it listens and
//! which store it uses, answers HTTP, and stops cleanly on SIGTERM — even
//! with an event stream open.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

#[tokio::test]
async fn serve_listens_answers_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}", dir.path().join("served.db").display());
    let mut child = Command::new(env!("CARGO_BIN_EXE_agentdesk"))
        .args(["serve", "--bind", "127.0.0.1:0", "--database", &database])
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let mut store_line = String::new();
    let address = loop {
        let line = lines.next().expect("server exited before listening").unwrap();
        if line.contains("store ready") {
            store_line = line.clone();
        }
        if let Some((_, rest)) = line.split_once("listening on http://") {
            break rest.split_whitespace().next().unwrap().to_string();
        }
    };
    assert!(store_line.contains("sqlite://"), "{store_line}");
    assert!(dir.path().join("served.db").exists());

    let reply = reqwest::Client::new().post(format!("http://{address}/api/v2/Agent/list")).body("{}").send().await.unwrap();
    assert_eq!(reply.text().await.unwrap(), r#"{"status":"error","message":"Token not found","code":1020}"#);

    // An open event stream must not keep the server from stopping.
    let created = Command::new(env!("CARGO_BIN_EXE_agentdesk"))
        .args(["account", "create", "--name", "Stream", "--email", "stream@x.com", "--database", &database])
        .output()
        .unwrap();
    let account: serde_json::Value = serde_json::from_slice(&created.stdout).unwrap();
    let (user_id, token) = (account["userId"].as_str().unwrap(), account["token"].as_str().unwrap());
    let mut stream = reqwest::Client::new()
        .get(format!("http://{address}/api/v2/stream?userId={user_id}&token={token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(stream.headers()["content-type"], "text/event-stream");

    let pid = child.id().to_string();
    assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(std::time::Instant::now() < deadline, "the server did not stop with a stream open");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    assert!(status.success(), "{status:?}");
    // The stream ended with the server.
    while let Ok(Some(_)) = stream.chunk().await {}
}
