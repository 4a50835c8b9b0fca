//! The real binary: `agentdesk serve` on port 0 logs where it listens and
//! which store it uses, answers HTTP, and stops cleanly on SIGTERM.

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

    let pid = child.id().to_string();
    assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    let status = child.wait().unwrap();
    assert!(status.success(), "{status:?}");
}
