//! The real binary: `agentdesk serve` on port 0 logs where it listens and
//! which store it uses, answers HTTP, and stops cleanly on SIGTERM — even
//! with an event stream open. Operators' command-line changes reach it.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// `agentdesk serve` on port 0: the process, the address it listens on and
/// the log line naming its store.
// The caller owns the child and stops it (by SIGTERM, or `KillOnDrop`); a
// read that fails here means it already exited.
#[allow(clippy::zombie_processes)]
fn serve(database: &str) -> (Child, String, String) {
    serve_at(database, "127.0.0.1:0")
}

/// As `serve`, listening on `bind`.
#[allow(clippy::zombie_processes)]
fn serve_at(database: &str, bind: &str) -> (Child, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_agentdesk"))
        .args(["serve", "--bind", bind, "--database", database])
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let mut store_line = String::new();
    loop {
        let line = lines.next().expect("server exited before listening").unwrap();
        if line.contains("store ready") {
            store_line = line.clone();
        }
        if let Some((_, rest)) = line.split_once("listening on http://") {
            let address = rest.split_whitespace().next().unwrap().to_string();
            // Keep draining the log so the server never blocks writing it.
            std::thread::spawn(move || lines.for_each(drop));
            return (child, address, store_line);
        }
    }
}

#[tokio::test]
async fn serve_listens_answers_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}", dir.path().join("served.db").display());
    let (mut child, address, store_line) = serve(&database);
    assert!(store_line.contains("sqlite://"), "{store_line}");
    assert!(dir.path().join("served.db").exists());

    let reply =
        reqwest::Client::new().post(format!("http://{address}/api/v2/Agent/list")).body("{}").send().await.unwrap();
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

fn agentdesk(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_agentdesk")).args(args).output().unwrap()
}

/// Posts `body` to `path` until the answer is `expected`, for at most 5 s: the
/// change comes from another process, which the server learns of within
/// about a second.
async fn answers_soon(address: &str, path: &str, body: &str, expected: &str) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        let reply = reqwest::Client::new().post(format!("http://{address}{path}")).body(body.to_string()).send().await;
        let text = reply.unwrap().text().await.unwrap();
        if text == expected {
            return;
        }
        assert!(std::time::Instant::now() < deadline, "{path} still answers {text}, not {expected}");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn a_running_server_learns_of_tokens_revoked_and_accounts_suspended_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}", dir.path().join("operated.db").display());
    let created = agentdesk(&["account", "create", "--name", "Ops", "--email", "ops@x.com", "--database", &database]);
    let account: serde_json::Value = serde_json::from_slice(&created.stdout).unwrap();
    let user_id = account["userId"].as_str().unwrap().to_string();
    let old = account["token"].as_str().unwrap().to_string();
    let added = agentdesk(&["account", "token-add", "--user-id", &user_id, "--database", &database]);
    let new: serde_json::Value = serde_json::from_slice(&added.stdout).unwrap();
    let new = new["token"].as_str().unwrap().to_string();

    let (child, address, _) = serve(&database);
    // Stopped however the test ends.
    let _server = KillOnDrop(child);
    let list = "/api/v2/Agent/list";
    let as_token = |token: &str| format!(r#"{{"userId":"{user_id}","token":"{token}"}}"#);
    let empty = r#"{"response":[],"agtLimit":50,"currentPage":1,"totalPages":0,"totalRecords":0,"status":"success","code":200}"#;
    // Both tokens work, and the server now remembers them.
    answers_soon(&address, list, &as_token(&old), empty).await;
    answers_soon(&address, list, &as_token(&new), empty).await;

    let revoked =
        agentdesk(&["account", "token-revoke", "--user-id", &user_id, "--token", &old, "--database", &database]);
    assert!(revoked.status.success());
    answers_soon(&address, list, &as_token(&old), r#"{"status":"error","message":"Invalid token","code":1014}"#).await;
    answers_soon(&address, list, &as_token(&new), empty).await;

    assert!(agentdesk(&["account", "suspend", "--user-id", &user_id, "--database", &database]).status.success());
    let suspended = r#"{"status":"error","message":"User account suspended","code":1039}"#;
    answers_soon(&address, list, &as_token(&new), suspended).await;
    assert!(agentdesk(&["account", "reinstate", "--user-id", &user_id, "--database", &database]).status.success());
    answers_soon(&address, list, &as_token(&new), empty).await;
}

struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn a_session_use_not_yet_written_is_written_when_the_server_stops() {
    use sqlx::Connection;
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}", dir.path().join("sessions.db").display());
    let created = agentdesk(&[
        "account",
        "create",
        "--name",
        "Ops",
        "--email",
        "ops@x.com",
        "--password",
        "ops-pass-1",
        "--database",
        &database,
    ]);
    assert!(created.status.success());
    let (mut child, address, _) = serve(&database);
    let client = reqwest::Client::new();
    let login = client
        .post(format!("http://{address}/api/v2/auth/login"))
        .body(r#"{"email":"ops@x.com","password":"ops-pass-1"}"#);
    let session: serde_json::Value = login.send().await.unwrap().json().await.unwrap();
    let (ssid, issued_expiry) = (session["ssid"].as_str().unwrap(), session["expiresAt"].as_i64().unwrap());
    // A use a second later moves the expiry: kept in memory, far from due.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let used = client.post(format!("http://{address}/api/v2/Agent/list")).body(format!(r#"{{"ssid":"{ssid}"}}"#));
    assert_eq!(used.send().await.unwrap().json::<serde_json::Value>().await.unwrap()["status"], "success");

    assert!(Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap().success());
    assert!(child.wait().unwrap().success());
    sqlx::any::install_default_drivers();
    let mut db = sqlx::AnyConnection::connect(&database).await.unwrap();
    let (stored,): (i64,) = sqlx::query_as("SELECT expires_at FROM sessions").fetch_one(&mut db).await.unwrap();
    assert!(stored > issued_expiry, "stored {stored}, issued {issued_expiry}");
}

#[tokio::test]
async fn a_host_name_is_a_bind_address() {
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}", dir.path().join("named.db").display());
    let (child, address, _) = serve_at(&database, "localhost:0");
    let _server = KillOnDrop(child);
    let ready = reqwest::get(format!("http://{address}/healthz")).await.unwrap();
    assert_eq!(ready.status(), reqwest::StatusCode::OK);
}
