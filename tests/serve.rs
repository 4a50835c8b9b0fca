//! The real binary: `agentdesk serve` on port 0 logs where it listens and
//! which store it uses, answers HTTP, and stops cleanly on SIGTERM — even
//! with an event stream open. Operators' command-line changes reach it.

mod common;

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

/// Two servers on one SQLite file would each decide on their own view of
/// the agents and silently diverge: the second refuses to start, naming the
/// file, while one-shot commands still run beside the first. Once the first
/// is gone (even killed), a server starts again.
#[tokio::test]
async fn a_second_server_on_one_sqlite_file_refuses_to_start() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("one.db");
    let database = format!("sqlite://{}", file.display());
    let (first, _address, _) = serve(&database);
    let mut first = KillOnDrop(first);

    let said = refused_to_start(&database).await;
    assert!(said.contains("another agentdesk server is already serving"), "{said}");
    assert!(said.contains(&file.display().to_string()), "{said}");

    let created =
        agentdesk(&["account", "create", "--name", "Beside", "--email", "beside@x.com", "--database", &database]);
    assert!(created.status.success(), "{}", String::from_utf8_lossy(&created.stderr));

    first.0.kill().unwrap();
    first.0.wait().unwrap();
    let (again, _, _) = serve(&database);
    drop(KillOnDrop(again));
}

/// Starts `serve` on `database` and waits (at most 10 s) for it to refuse
/// to start; what it said.
async fn refused_to_start(database: &str) -> String {
    let mut second = KillOnDrop(
        Command::new(env!("CARGO_BIN_EXE_agentdesk"))
            .args(["serve", "--bind", "127.0.0.1:0", "--database", database])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let status = loop {
        if let Some(status) = second.0.try_wait().unwrap() {
            break status;
        }
        assert!(std::time::Instant::now() < deadline, "a second server started and kept running");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    assert!(!status.success(), "a second server started");
    let mut said = String::new();
    std::io::Read::read_to_string(&mut second.0.stderr.take().unwrap(), &mut said).unwrap();
    said
}

/// A fresh PostgreSQL database (dropped with the first value), its URL and
/// its name; `None` (the test is skipped) without `AGENTDESK_TEST_POSTGRES`.
async fn fresh_postgres() -> Option<(common::PostgresDatabase, String, String)> {
    let Some(database) = common::PostgresDatabase::create().await else {
        eprintln!("skipped: AGENTDESK_TEST_POSTGRES is not set");
        return None;
    };
    let url = database.url();
    let name = url.rsplit('/').next().unwrap().to_string();
    Some((database, url, name))
}

/// Runs `statements` as the test PostgreSQL server's administrator.
async fn as_admin(statements: &[String]) {
    use sqlx::Connection;
    let admin = std::env::var("AGENTDESK_TEST_POSTGRES").unwrap();
    let mut conn = sqlx::PgConnection::connect(&admin).await.unwrap();
    for statement in statements {
        sqlx::query(sqlx::AssertSqlSafe(statement.clone())).execute(&mut conn).await.unwrap();
    }
}

/// PostgreSQL ends a session's advisory lock with its connection: a server
/// whose connections were all terminated takes its claim back within a
/// second or two, so a second server started afterwards is still refused.
#[tokio::test]
async fn a_claim_lost_with_its_connection_is_taken_again() {
    let Some((_database, url, name)) = fresh_postgres().await else { return };
    let (child, _address, _) = serve(&url);
    let _first = KillOnDrop(child);
    as_admin(&[format!("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'")]).await;
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    let said = refused_to_start(&url).await;
    assert!(said.contains("another agentdesk server is already serving this database"), "{said}");
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

/// The ids of an account's agents as the server at `address` lists them (up to 500).
async fn agent_ids(address: &str, user_id: &str, token: &str) -> Vec<i64> {
    let body = format!(r#"{{"userId":"{user_id}","token":"{token}","limit":500}}"#);
    let reply = reqwest::Client::new().post(format!("http://{address}/api/v2/Agent/list")).body(body).send().await;
    let reply: serde_json::Value = reply.unwrap().json().await.unwrap();
    let agents = reply["response"].as_array().unwrap_or_else(|| panic!("{reply}"));
    let mut ids: Vec<i64> = agents.iter().map(|a| a["unique_id"].as_i64().unwrap()).collect();
    ids.sort();
    ids
}

#[tokio::test]
async fn a_backup_taken_while_the_server_writes_restores_with_every_write_before_it() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}", dir.path().join("live.db").display());
    let created =
        agentdesk(&["account", "create", "--name", "Backed", "--email", "backed@x.com", "--database", &database]);
    let account: serde_json::Value = serde_json::from_slice(&created.stdout).unwrap();
    let user_id = account["userId"].as_str().unwrap().to_string();
    let token = account["token"].as_str().unwrap().to_string();
    let (child, address, _) = serve(&database);
    let server = KillOnDrop(child);

    // One writer creates agents one after another: what it has seen
    // acknowledged is always a prefix of the ids 1, 2, 3, …
    let acknowledged = Arc::new(AtomicI64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (acknowledged, stop, address, creds) =
            (acknowledged.clone(), stop.clone(), address.clone(), format!(r#""userId":"{user_id}","token":"{token}""#));
        tokio::spawn(async move {
            let client = reqwest::Client::new();
            let mut n = 0;
            while !stop.load(Ordering::SeqCst) {
                n += 1;
                let body = format!(r#"{{{creds},"name":"Agent {n}","email":"a{n}@x.com"}}"#);
                let reply = client.post(format!("http://{address}/api/v2/Agent/create")).body(body).send().await;
                let reply: serde_json::Value = reply.unwrap().json().await.unwrap();
                assert_eq!(reply["agentId"].as_i64(), Some(n), "{reply}");
                acknowledged.store(n, Ordering::SeqCst);
            }
        })
    };
    while acknowledged.load(Ordering::SeqCst) < 20 {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let backup = dir.path().join("backup.db");
    let before = acknowledged.load(Ordering::SeqCst);
    let taken = tokio::task::spawn_blocking({
        let (database, backup) = (database.clone(), backup.to_str().unwrap().to_string());
        move || agentdesk(&["backup", "--to", &backup, "--database", &database])
    })
    .await
    .unwrap();
    let after = acknowledged.load(Ordering::SeqCst);
    assert!(taken.status.success(), "{}", String::from_utf8_lossy(&taken.stderr));
    // The server kept writing during and after the backup.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    stop.store(true, Ordering::SeqCst);
    writer.await.unwrap();
    let written = acknowledged.load(Ordering::SeqCst);
    assert!(written > after, "writes went on after the backup: {written} vs {after}");
    drop(server);

    // A second backup never overwrites a file.
    let again = agentdesk(&["backup", "--to", backup.to_str().unwrap(), "--database", &database]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"), "{again:?}");

    // Restore: the copy is a database of its own; a server on it has the
    // account and every agent acknowledged before the backup began, as one
    // consistent prefix.
    let restored = dir.path().join("restored.db");
    std::fs::copy(&backup, &restored).unwrap();
    let restored = format!("sqlite://{}", restored.display());
    let listed = agentdesk(&["account", "list", "--database", &restored]);
    let line: serde_json::Value = serde_json::from_slice(&listed.stdout).unwrap();
    assert_eq!((line["userId"].as_str(), line["email"].as_str()), (Some(user_id.as_str()), Some("backed@x.com")));
    let (child, address, _) = serve(&restored);
    let _restored_server = KillOnDrop(child);
    let ids = agent_ids(&address, &user_id, &token).await;
    let count = ids.len() as i64;
    eprintln!("backup: acknowledged {before} before, {after} after, {count} in the copy, {written} in all");
    assert!(before <= count && count <= after + 1, "{before} <= {count} <= {after} + 1");
    assert_eq!(ids, (1..=count).collect::<Vec<_>>());
}

#[test]
fn backup_of_postgresql_says_to_use_pg_dump() {
    let dir = tempfile::tempdir().unwrap();
    let to = dir.path().join("x.dump");
    let refused = agentdesk(&["backup", "--to", to.to_str().unwrap(), "--database", "postgres://u@127.0.0.1:1/db"]);
    assert!(!refused.status.success());
    let text = String::from_utf8_lossy(&refused.stderr);
    assert!(text.contains("back up PostgreSQL with its own tools: pg_dump --format=custom"), "{text}");
    assert!(!to.exists());
}

/// `AGENTDESK_CLUSTER=1` (as docs/SCALING.md writes it) turns cluster mode
/// on: on SQLite that is refused with its own line, not a parse error.
#[test]
fn agentdesk_cluster_1_means_cluster_mode() {
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}", dir.path().join("one.db").display());
    for on in ["1", "true", "yes"] {
        let refused = Command::new(env!("CARGO_BIN_EXE_agentdesk"))
            .args(["serve", "--database", &database, "--bind", "127.0.0.1:0"])
            .env("AGENTDESK_CLUSTER", on)
            .output()
            .unwrap();
        assert!(!refused.status.success());
        let text = String::from_utf8_lossy(&refused.stderr);
        assert!(text.contains("--cluster needs PostgreSQL: a SQLite file is served by one process"), "{on}: {text}");
    }
}

#[test]
fn account_list_prints_one_json_line_per_account() {
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}", dir.path().join("list.db").display());
    assert_eq!(agentdesk(&["account", "list", "--database", &database]).stdout, b"");
    let mut ids = Vec::new();
    for (name, email) in [("First", "first@x.com"), ("Second", "second@x.com")] {
        let created = agentdesk(&["account", "create", "--name", name, "--email", email, "--database", &database]);
        let created: serde_json::Value = serde_json::from_slice(&created.stdout).unwrap();
        ids.push(created["userId"].as_str().unwrap().to_string());
    }
    assert!(agentdesk(&["account", "suspend", "--user-id", &ids[1], "--database", &database]).status.success());
    let listed = agentdesk(&["account", "list", "--database", &database]);
    assert!(listed.status.success());
    let text = String::from_utf8(listed.stdout).unwrap();
    let lines: Vec<serde_json::Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 2, "{text}");
    let mut seen: Vec<(String, String, String, bool, i64)> = lines
        .iter()
        .map(|l| {
            let keys: Vec<&str> = l.as_object().unwrap().keys().map(String::as_str).collect();
            assert_eq!(keys, ["userId", "name", "email", "suspended", "agents", "createdAt"]);
            (
                l["userId"].as_str().unwrap().into(),
                l["name"].as_str().unwrap().into(),
                l["email"].as_str().unwrap().into(),
                l["suspended"].as_bool().unwrap(),
                l["agents"].as_i64().unwrap(),
            )
        })
        .collect();
    seen.sort_by(|a, b| a.1.cmp(&b.1));
    assert_eq!(
        seen,
        [
            (ids[0].clone(), "First".into(), "first@x.com".into(), false, 0),
            (ids[1].clone(), "Second".into(), "second@x.com".into(), true, 0)
        ]
    );
}

/// As `serve`, with `RUST_LOG=debug`, keeping every log line the server writes.
#[allow(clippy::zombie_processes)]
fn serve_logged(database: &str) -> (Child, String, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_agentdesk"))
        .args(["serve", "--bind", "127.0.0.1:0", "--database", database])
        .env("RUST_LOG", "debug")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let log = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    loop {
        let line = lines.next().expect("server exited before listening").unwrap();
        let listening =
            line.split_once("listening on http://").map(|(_, r)| r.split_whitespace().next().unwrap().to_string());
        log.lock().unwrap().push(line);
        if let Some(address) = listening {
            let kept = log.clone();
            std::thread::spawn(move || lines.for_each(|l| kept.lock().unwrap().push(l.unwrap_or_default())));
            return (child, address, log);
        }
    }
}

/// The security events (`event=…`) among log lines, in order.
fn security_events(lines: &[String]) -> Vec<String> {
    lines
        .iter()
        .filter(|l| l.contains(" security: "))
        .filter_map(|l| l.split("event=\"").nth(1).and_then(|r| r.split('"').next()).map(str::to_string))
        .collect()
}

#[tokio::test]
async fn security_events_are_logged_without_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}", dir.path().join("audited.db").display());
    let run = |args: &[&str]| {
        let output = Command::new(env!("CARGO_BIN_EXE_agentdesk"))
            .args(args)
            .args(["--database", &database])
            .env("RUST_LOG", "debug")
            .output()
            .unwrap();
        assert!(output.status.success(), "{args:?}: {}", String::from_utf8_lossy(&output.stderr));
        (String::from_utf8(output.stdout).unwrap(), String::from_utf8(output.stderr).unwrap())
    };
    let (created, mut cli_log) =
        run(&["account", "create", "--name", "Audit", "--email", "boss@x.com", "--password", "admin-secret-1"]);
    let account: serde_json::Value = serde_json::from_str(&created).unwrap();
    let user_id = account["userId"].as_str().unwrap().to_string();
    let token = account["token"].as_str().unwrap().to_string();
    let (added, log) = run(&["account", "token-add", "--user-id", &user_id]);
    cli_log += &log;
    let added: serde_json::Value = serde_json::from_str(&added).unwrap();
    let second = added["token"].as_str().unwrap().to_string();
    for args in [
        &["account", "token-revoke", "--user-id", &user_id, "--token", &second][..],
        &["account", "suspend", "--user-id", &user_id],
        &["account", "reinstate", "--user-id", &user_id],
    ] {
        cli_log += &run(args).1;
    }
    let cli_lines: Vec<String> = cli_log.lines().map(str::to_string).collect();
    assert_eq!(
        security_events(&cli_lines),
        ["account_created", "token_added", "token_revoked", "account_suspended", "account_reinstated"]
    );

    let (child, address, server_log) = serve_logged(&database);
    let _server = KillOnDrop(child);
    let client = reqwest::Client::new();
    let post = |path: &str, body: String| {
        let request = client.post(format!("http://{address}/api/v2/{path}")).body(body);
        async move { request.send().await.unwrap().text().await.unwrap() }
    };
    let creds = format!(r#""userId":"{user_id}","token":"{token}""#);
    let created =
        post("Agent/create", format!(r#"{{{creds},"name":"Ravi","email":"ravi@x.com","password":"agent-secret-1"}}"#))
            .await;
    assert!(created.contains(r#""agentId":1"#), "{created}");
    for _ in 0..5 {
        post("auth/login", r#"{"email":"ravi@x.com","password":"wrong-guess-1"}"#.into()).await;
    }
    assert!(post("auth/login", r#"{"email":"ravi@x.com","password":"agent-secret-1"}"#.into()).await.contains("429"));
    let login = post("auth/login", r#"{"email":"boss@x.com","password":"admin-secret-1"}"#.into()).await;
    let ssid = serde_json::from_str::<serde_json::Value>(&login).unwrap()["ssid"].as_str().unwrap().to_string();
    let changed = post("Agent/update", format!(r#"{{"ssid":"{ssid}","agentId":1,"password":"agent-secret-2"}}"#)).await;
    assert!(changed.contains("Agent updated"), "{changed}");
    post("auth/logout", format!(r#"{{"ssid":"{ssid}"}}"#)).await;
    // The log is written as it happens; give the last line a moment.
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let server_lines = server_log.lock().unwrap().clone();
    assert_eq!(
        security_events(&server_lines),
        [
            "login_failed",
            "login_failed",
            "login_failed",
            "login_failed",
            "login_failed",
            "login_locked_out",
            "login_refused",
            "login",
            "password_changed",
            "logout"
        ],
        "{server_lines:#?}"
    );
    let failed = server_lines.iter().find(|l| l.contains("login_failed")).unwrap();
    assert!(failed.contains("email=ravi@x.com") && failed.contains("source=127.0.0.1"), "{failed}");
    let refused = server_lines.iter().find(|l| l.contains("login_refused")).unwrap();
    assert!(refused.contains("reason=\"locked_out\""), "{refused}");

    // No secret anywhere in either log: not a password, a token or a session id.
    let logs = [cli_lines, server_lines].concat().join("\n");
    for secret in [&token, &second, &ssid, "admin-secret-1", "agent-secret-1", "agent-secret-2", "wrong-guess-1"] {
        assert!(!logs.contains(secret), "{secret} is in the log");
    }
}

#[tokio::test]
async fn postgresql_backs_up_with_pg_dump_and_restores_with_pg_restore_as_the_readme_says() {
    let (Some(source), Some(target)) =
        (common::PostgresDatabase::create().await, common::PostgresDatabase::create().await)
    else {
        eprintln!("skipped: AGENTDESK_TEST_POSTGRES is not set");
        return;
    };
    let (source, target) = (source.url(), target.url());
    let created =
        agentdesk(&["account", "create", "--name", "Dumped", "--email", "dumped@x.com", "--database", &source]);
    let account: serde_json::Value = serde_json::from_slice(&created.stdout).unwrap();
    let (user_id, token) = (account["userId"].as_str().unwrap(), account["token"].as_str().unwrap());
    let (child, address, _) = serve(&source);
    let _server = KillOnDrop(child);
    let body = format!(r#"{{"userId":"{user_id}","token":"{token}","name":"Kept Agent","email":"kept@x.com"}}"#);
    let reply = reqwest::Client::new().post(format!("http://{address}/api/v2/Agent/create")).body(body).send().await;
    assert!(reply.unwrap().text().await.unwrap().contains(r#""agentId":1"#));

    // Online, while the server runs, as the README says.
    let dir = tempfile::tempdir().unwrap();
    let dump = dir.path().join("agentdesk.dump");
    let dumped = Command::new("pg_dump")
        .args(["--format=custom", &format!("--file={}", dump.display()), &source])
        .output()
        .expect("pg_dump is installed with PostgreSQL");
    assert!(dumped.status.success(), "{}", String::from_utf8_lossy(&dumped.stderr));
    let restored = Command::new("pg_restore")
        .args(["--no-owner", &format!("--dbname={target}"), dump.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(restored.status.success(), "{}", String::from_utf8_lossy(&restored.stderr));

    let (child, address, _) = serve(&target);
    let _restored_server = KillOnDrop(child);
    assert_eq!(agent_ids(&address, user_id, token).await, [1]);
}

/// A database that refuses connections (not accepting any, as during a
/// failover or an administrator's maintenance) is the 503 envelope with
/// `Retry-After`, never a 1032: a balancer passes the request on to another
/// node, a client retries.
#[tokio::test]
async fn a_database_refusing_connections_is_answered_503_not_1032() {
    let Some((_database, url, name)) = fresh_postgres().await else { return };
    let (user_id, token) = common::server::create_account(&url, "Refused", "refused@x.com");
    let (child, address, _) = serve(&url);
    let _server = KillOnDrop(child);
    // Ready first: a database lost while the server is still starting
    // stops the start-up instead.
    let client = reqwest::Client::new();
    let until = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while client.get(format!("http://{address}/readyz")).send().await.map(|r| r.status().as_u16()).ok() != Some(200) {
        assert!(std::time::Instant::now() < until, "the server never became ready");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }

    as_admin(&[
        format!("ALTER DATABASE {name} ALLOW_CONNECTIONS false"),
        format!("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"),
    ])
    .await;
    let body = format!(r#"{{"userId":"{user_id}","token":"{token}"}}"#);
    let reply = client.post(format!("http://{address}/api/v2/Agent/list")).body(body).send().await.unwrap();
    let status = reply.status().as_u16();
    let retry_after = reply.headers().get("retry-after").map(|v| v.to_str().unwrap().to_string());
    assert_eq!(
        (status, retry_after, reply.text().await.unwrap()),
        (503, Some("1".to_string()), common::error_body(503, "Service unavailable"))
    );
    as_admin(&[format!("ALTER DATABASE {name} ALLOW_CONNECTIONS true")]).await;
}
