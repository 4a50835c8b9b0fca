//! The `agentdesk` command as an operator scripts it: `account create` prints
//! exactly one JSON line on stdout, failures print nothing there and exit
//! non-zero, `migrate` prepares a database file.

use std::path::Path;
use std::process::{Command, Output};

use agentdesk::domain::secret;
use serde_json::Value;

/// Runs the real binary with a clean environment for its own settings; logs
/// are turned up to show that they never reach stdout.
fn agentdesk(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_agentdesk"))
        .args(args)
        .env_remove("AGENTDESK_DATABASE")
        .env_remove("AGENTDESK_ACCOUNT_PASSWORD")
        .env("RUST_LOG", "debug")
        .output()
        .expect("the agentdesk binary runs")
}

fn sqlite_url(dir: &Path, file: &str) -> String {
    format!("sqlite://{}", dir.join(file).display())
}

fn stdout(output: &Output) -> &str {
    std::str::from_utf8(&output.stdout).unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn create(name: &str, email: &str, password: Option<&str>, database: &str) -> Output {
    let mut args = vec!["account", "create", "--name", name, "--email", email];
    if let Some(password) = password {
        args.extend(["--password", password]);
    }
    args.extend(["--database", database]);
    agentdesk(&args)
}

/// The one line `account create` prints: `{"userId":…,"token":…}`, checked.
fn created_credentials(output: &Output) -> (String, String) {
    assert!(output.status.success(), "exit {:?}, stderr: {}", output.status, stderr(output));
    let text = stdout(output);
    assert_eq!(text.lines().count(), 1, "stdout: {text:?}");
    assert!(text.ends_with('\n'), "stdout: {text:?}");
    let json: Value = serde_json::from_str(text.trim_end()).unwrap_or_else(|e| panic!("not JSON ({e}): {text:?}"));
    let object = json.as_object().expect("a JSON object");
    let keys: Vec<&str> = object.keys().map(String::as_str).collect();
    assert_eq!(keys, ["userId", "token"]);
    let user_id = object["userId"].as_str().expect("userId is a string").to_string();
    let token = object["token"].as_str().expect("token is a string").to_string();
    assert!(user_id.len() == 8 && user_id.bytes().all(|b| b.is_ascii_digit()), "userId {user_id:?}");
    assert!(!user_id.starts_with('0'), "userId {user_id:?}");
    assert!(token.len() == 40 && token.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')), "token {token:?}");
    (user_id, token)
}

fn assert_failed_quietly(output: &Output) {
    assert!(!output.status.success(), "expected failure, stdout: {:?}", stdout(output));
    assert_eq!(stdout(output), "", "nothing on stdout when the command fails");
}

#[tokio::test]
async fn account_create_prints_one_json_line_whose_token_and_password_work() {
    let dir = tempfile::tempdir().unwrap();
    let database = sqlite_url(dir.path(), "a.db");
    let output = create("N", "e@x.com", Some("pw-123456"), &database);
    let (user_id, token) = created_credentials(&output);
    assert!(dir.path().join("a.db").exists());

    // What was printed is what the server will accept.
    let store = agentdesk::store::open(&database).await.unwrap();
    let record = store.authenticate_token(&user_id, &secret::token_hash(&token)).await.unwrap();
    assert_eq!(record.expect("the printed token authenticates").account_id, user_id);
    assert!(store.authenticate_token(&user_id, &secret::token_hash("0".repeat(40).as_str())).await.unwrap().is_none());
    let logins = store.login_candidates("e@x.com").await.unwrap();
    assert_eq!(logins.len(), 1);
    assert_eq!(logins[0].account_id, user_id);
    assert_eq!(logins[0].agent_id, None);
    assert!(secret::verify_password("pw-123456", &logins[0].password_hash));
    // Neither secret is stored in clear.
    assert_ne!(logins[0].password_hash, "pw-123456");
}

#[test]
fn each_account_gets_its_own_id_and_token() {
    let dir = tempfile::tempdir().unwrap();
    let database = sqlite_url(dir.path(), "a.db");
    let first = created_credentials(&create("First", "first@x.com", None, &database));
    let second = created_credentials(&create("Second", "second@x.com", None, &database));
    assert_ne!(first.0, second.0);
    assert_ne!(first.1, second.1);
}

#[test]
fn creating_an_account_with_a_taken_email_fails_with_nothing_on_stdout() {
    let dir = tempfile::tempdir().unwrap();
    let database = sqlite_url(dir.path(), "a.db");
    created_credentials(&create("N", "e@x.com", Some("pw-123456"), &database));
    for email in ["e@x.com", "E@X.com"] {
        let again = create("Other", email, Some("pw-123456"), &database);
        assert_failed_quietly(&again);
        assert!(stderr(&again).contains("already exists"), "stderr: {}", stderr(&again));
    }
}

#[test]
fn account_create_refuses_bad_input_with_a_reason_on_stderr() {
    let dir = tempfile::tempdir().unwrap();
    let database = sqlite_url(dir.path(), "a.db");
    let short = create("N", "e@x.com", Some("short"), &database);
    assert_failed_quietly(&short);
    assert!(stderr(&short).contains("at least 8 characters"), "stderr: {}", stderr(&short));
    let bad_email = create("N", "not-an-email", Some("pw-123456"), &database);
    assert_failed_quietly(&bad_email);
    assert!(stderr(&bad_email).contains("is not an email address"), "stderr: {}", stderr(&bad_email));
    let blank_name = create("   ", "e@x.com", Some("pw-123456"), &database);
    assert_failed_quietly(&blank_name);
    // The refused attempts left the email free.
    created_credentials(&create("N", "e@x.com", Some("pw-123456"), &database));
}

#[tokio::test]
async fn the_admin_password_can_come_from_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    let database = sqlite_url(dir.path(), "a.db");
    let run = |email: &str, password: &str| {
        Command::new(env!("CARGO_BIN_EXE_agentdesk"))
            .args(["account", "create", "--name", "N", "--email", email, "--database", &database])
            .env("AGENTDESK_ACCOUNT_PASSWORD", password)
            .output()
            .unwrap()
    };
    // The environment's password is checked like the flag's.
    assert_failed_quietly(&run("e@x.com", "short"));
    let (user_id, _) = created_credentials(&run("e@x.com", "pw-from-env"));
    let store = agentdesk::store::open(&database).await.unwrap();
    let logins = store.login_candidates("e@x.com").await.unwrap();
    assert_eq!(logins.len(), 1);
    assert_eq!(logins[0].account_id, user_id);
    assert!(secret::verify_password("pw-from-env", &logins[0].password_hash));
}

#[tokio::test]
async fn an_account_created_without_a_password_has_no_admin_login() {
    let dir = tempfile::tempdir().unwrap();
    let database = sqlite_url(dir.path(), "a.db");
    created_credentials(&create("N", "e@x.com", None, &database));
    let store = agentdesk::store::open(&database).await.unwrap();
    assert!(store.login_candidates("e@x.com").await.unwrap().is_empty());
}

#[test]
fn migrate_creates_the_database_file_and_can_run_again() {
    let dir = tempfile::tempdir().unwrap();
    let database = sqlite_url(dir.path(), "b.db");
    let output = agentdesk(&["migrate", "--database", &database]);
    assert!(output.status.success(), "stderr: {}", stderr(&output));
    assert_eq!(stdout(&output), "");
    assert!(dir.path().join("b.db").is_file());
    let again = agentdesk(&["migrate", "--database", &database]);
    assert!(again.status.success(), "stderr: {}", stderr(&again));
    // The migrated file is ready for accounts.
    created_credentials(&create("N", "e@x.com", None, &database));
}

#[test]
fn an_unsupported_database_url_is_a_clear_error() {
    let output = agentdesk(&["migrate", "--database", "mysql://localhost/agentdesk"]);
    assert_failed_quietly(&output);
    assert!(stderr(&output).contains("unsupported database URL"), "stderr: {}", stderr(&output));
}

#[tokio::test]
async fn tokens_rotate_and_accounts_suspend_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let database = sqlite_url(dir.path(), "a.db");
    let (user_id, old) = created_credentials(&create("Rotating", "rot@x.com", None, &database));
    let (same_user, new) =
        created_credentials(&agentdesk(&["account", "token-add", "--user-id", &user_id, "--database", &database]));
    assert_eq!(same_user, user_id);
    assert_ne!(new, old);

    let revoke = |token: &str| {
        agentdesk(&["account", "token-revoke", "--user-id", &user_id, "--token", token, "--database", &database])
    };
    let revoked = revoke(&old);
    assert!(revoked.status.success(), "{}", stderr(&revoked));
    assert_eq!(stdout(&revoked), "");
    assert_failed_quietly(&revoke(&old));
    assert_failed_quietly(&agentdesk(&["account", "token-add", "--user-id", "12345678", "--database", &database]));

    // What the database now says (a store opened afresh remembers nothing;
    // how a running server learns of these changes is in serve.rs).
    let auth = |token: String| {
        let (database, user_id) = (database.clone(), user_id.clone());
        async move {
            let store = agentdesk::store::open(&database).await.unwrap();
            store.authenticate_token(&user_id, &secret::token_hash(&token)).await.unwrap()
        }
    };
    assert!(auth(old.clone()).await.is_none(), "a revoked token no longer authenticates");
    assert!(!auth(new.clone()).await.expect("the new token works").suspended);

    assert!(agentdesk(&["account", "suspend", "--user-id", &user_id, "--database", &database]).status.success());
    assert!(auth(new.clone()).await.unwrap().suspended);
    assert!(agentdesk(&["account", "reinstate", "--user-id", &user_id, "--database", &database]).status.success());
    assert!(!auth(new.clone()).await.unwrap().suspended);
}

#[test]
fn a_config_file_sets_what_the_environment_and_flags_leave_unset() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("agentdesk.toml");
    std::fs::write(&config, format!("database = \"{}\"\nsession_ttl = 3600\n", sqlite_url(dir.path(), "from-file.db")))
        .unwrap();
    let config = config.to_str().unwrap();

    assert!(agentdesk(&["migrate", "--config", config]).status.success());
    assert!(dir.path().join("from-file.db").exists(), "the file chose the database");

    let from_env = Command::new(env!("CARGO_BIN_EXE_agentdesk"))
        .args(["migrate", "--config", config])
        .env("AGENTDESK_DATABASE", sqlite_url(dir.path(), "from-env.db"))
        .output()
        .unwrap();
    assert!(from_env.status.success());
    assert!(dir.path().join("from-env.db").exists(), "the environment beats the file");

    let flag = sqlite_url(dir.path(), "from-flag.db");
    created_credentials(&agentdesk(&[
        "account",
        "create",
        "--name",
        "F",
        "--email",
        "f@x.com",
        "--config",
        config,
        "--database",
        &flag,
    ]));
    assert!(dir.path().join("from-flag.db").exists(), "a flag beats the file");

    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "databse = \"sqlite://typo.db\"\n").unwrap();
    let refused = agentdesk(&["migrate", "--config", bad.to_str().unwrap()]);
    assert_failed_quietly(&refused);
    assert!(stderr(&refused).contains("unknown field"), "{}", stderr(&refused));
}

/// Runs `agentdesk serve` with `args`, expecting it to refuse to start; a
/// server that starts instead is stopped after ten seconds.
fn serve_refused(args: &[&str]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_agentdesk"))
        .arg("serve")
        .args(if args.contains(&"--bind") { &[][..] } else { &["--bind", "127.0.0.1:0"][..] })
        .args(args)
        .env_remove("AGENTDESK_SESSION_TTL")
        .env_remove("AGENTDESK_SESSION_MAX")
        // A refusal must not show a backtrace even when they are asked for.
        .env("RUST_BACKTRACE", "1")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the agentdesk binary runs");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while child.try_wait().unwrap().is_none() {
        if std::time::Instant::now() > deadline {
            child.kill().unwrap();
            panic!("the server started: {args:?}");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    child.wait_with_output().unwrap()
}

#[test]
fn a_session_maximum_out_of_range_or_shorter_than_the_session_lifetime_stops_the_start() {
    let dir = tempfile::tempdir().unwrap();
    let database = sqlite_url(dir.path(), "a.db");
    let shorter = serve_refused(&["--database", &database, "--session-ttl", "7200", "--session-max", "3600"]);
    assert_failed_quietly(&shorter);
    assert!(
        stderr(&shorter).contains("session_max (3600) must be at least session_ttl (7200)"),
        "{}",
        stderr(&shorter)
    );

    let too_short = serve_refused(&["--database", &database, "--session-max", "59"]);
    assert_failed_quietly(&too_short);
    assert!(stderr(&too_short).contains("--session-max"), "{}", stderr(&too_short));

    let config = dir.path().join("agentdesk.toml");
    std::fs::write(&config, "session_max = 31536001\n").unwrap();
    let from_file = serve_refused(&["--database", &database, "--config", config.to_str().unwrap()]);
    assert_failed_quietly(&from_file);
    assert!(stderr(&from_file).contains("session_max must be 60..=31536000 seconds"), "{}", stderr(&from_file));
}

/// The lines of stderr that report an error: a refusal is exactly one,
/// without a backtrace.
fn the_one_error_line(output: &Output) -> String {
    let text = stderr(output);
    let errors: Vec<&str> = text.lines().filter(|l| l.contains("error") || l.contains("ERROR")).collect();
    assert_eq!(errors.len(), 1, "one error line, not {}: {text}", errors.len());
    assert!(!text.contains("backtrace") && !text.contains("panicked"), "{text}");
    errors[0].to_string()
}

#[test]
fn an_unreachable_postgresql_is_one_line_naming_its_host_port_and_cause_within_seconds() {
    let started = std::time::Instant::now();
    let refused = serve_refused(&["--database", "postgres://postgres@127.0.0.1:1/agentdesk"]);
    assert_failed_quietly(&refused);
    assert!(started.elapsed() < std::time::Duration::from_secs(5), "{:?}", started.elapsed());
    let line = the_one_error_line(&refused);
    assert!(line.contains("cannot connect to PostgreSQL at 127.0.0.1:1: Connection refused"), "{line}");

    // A server that accepts the connection and never answers.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = silent.local_addr().unwrap().port();
    let started = std::time::Instant::now();
    let hung = serve_refused(&["--database", &format!("postgres://postgres@127.0.0.1:{port}/agentdesk")]);
    assert_failed_quietly(&hung);
    assert!(started.elapsed() < std::time::Duration::from_secs(9), "{:?}", started.elapsed());
    let line = the_one_error_line(&hung);
    assert!(
        line.contains(&format!("cannot connect to PostgreSQL at 127.0.0.1:{port}: no answer within 5 s")),
        "{line}"
    );
}

#[test]
fn a_port_in_use_is_one_line_naming_the_address() {
    let dir = tempfile::tempdir().unwrap();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = taken.local_addr().unwrap().to_string();
    let refused = serve_refused(&["--database", &sqlite_url(dir.path(), "a.db"), "--bind", &address]);
    assert_failed_quietly(&refused);
    let line = the_one_error_line(&refused);
    assert!(line.contains(&format!("cannot listen on {address}: Address already in use")), "{line}");
}

#[test]
fn a_missing_or_unwritable_sqlite_database_is_one_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing");
    let refused = serve_refused(&["--database", &sqlite_url(&missing, "a.db")]);
    assert_failed_quietly(&refused);
    let line = the_one_error_line(&refused);
    assert!(line.contains(&format!("the directory {} does not exist", missing.display())), "{line}");

    // A database the server may read but not write.
    let database = sqlite_url(dir.path(), "a.db");
    assert!(agentdesk(&["migrate", "--database", &database]).status.success());
    let refused = serve_refused(&["--database", &format!("{database}?mode=ro")]);
    assert_failed_quietly(&refused);
    let line = the_one_error_line(&refused);
    assert!(line.contains("cannot be written (is the file or its directory read-only?)"), "{line}");
    assert!(line.contains("attempt to write a readonly database"), "{line}");

    // A read-only directory (only where permissions bind: not for root).
    let locked = dir.path().join("locked");
    std::fs::create_dir(&locked).unwrap();
    let mut permissions = std::fs::metadata(&locked).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut permissions, 0o555);
    std::fs::set_permissions(&locked, permissions).unwrap();
    if std::fs::write(locked.join("probe"), b"").is_err() {
        let refused = serve_refused(&["--database", &sqlite_url(&locked, "a.db")]);
        assert_failed_quietly(&refused);
        assert!(the_one_error_line(&refused).contains("read-only"), "{}", stderr(&refused));
    }
}

#[test]
fn a_sqlite_url_without_a_path_is_refused_before_listening() {
    for url in ["sqlite://", "sqlite:", "sqlite::memory:", "sqlite://?mode=rwc"] {
        let refused = serve_refused(&["--database", url]);
        assert_failed_quietly(&refused);
        assert!(!stderr(&refused).contains("listening"), "{url}: {}", stderr(&refused));
        let line = the_one_error_line(&refused);
        assert!(line.contains("names no database file: use sqlite://FILE"), "{url}: {line}");
    }
}

#[test]
fn one_shot_commands_leave_no_wal_or_shm_files_behind() {
    let dir = tempfile::tempdir().unwrap();
    let database = sqlite_url(dir.path(), "a.db");
    let files = || {
        let mut names: Vec<String> =
            std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
        names.sort();
        names
    };
    assert!(agentdesk(&["migrate", "--database", &database]).status.success());
    assert_eq!(files(), ["a.db"], "after migrate");
    let (user_id, token) = created_credentials(&create("N", "wal@x.com", None, &database));
    assert_eq!(files(), ["a.db"], "after account create");
    let steps: [&[&str]; 5] = [
        &["account", "token-add", "--user-id", &user_id],
        &["account", "token-revoke", "--user-id", &user_id, "--token", &token],
        &["account", "suspend", "--user-id", &user_id],
        &["account", "reinstate", "--user-id", &user_id],
        &["demo"],
    ];
    for args in steps {
        let output = agentdesk(&[args, &["--database", &database]].concat());
        assert!(output.status.success(), "{args:?}: {}", stderr(&output));
        assert_eq!(files(), ["a.db"], "after {args:?}");
    }
    let copy = dir.path().join("copy.db");
    let backup = agentdesk(&["backup", "--to", copy.to_str().unwrap(), "--database", &database]);
    assert!(backup.status.success(), "{}", stderr(&backup));
    assert_eq!(files(), ["a.db", "copy.db"], "after backup");
}

#[tokio::test]
async fn the_admin_password_is_set_or_reset_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let database = sqlite_url(dir.path(), "a.db");
    let (user_id, _) = created_credentials(&create("N", "e@x.com", None, &database));
    let set = |extra: &[&str]| {
        let mut args = vec!["account", "set-password", "--user-id", &user_id, "--database", &database];
        args.extend_from_slice(extra);
        agentdesk(&args)
    };
    // Given: checked like account create's, never echoed.
    assert_failed_quietly(&set(&["--password", "short"]));
    let given = set(&["--password", "given-pass-1"]);
    assert!(given.status.success(), "{}", stderr(&given));
    assert_eq!(stdout(&given), format!("{{\"userId\":\"{user_id}\"}}\n"));
    let store = agentdesk::store::open(&database).await.unwrap();
    let hash = |store: agentdesk::store::SharedStore| async move {
        store.login_candidates("e@x.com").await.unwrap()[0].password_hash.clone()
    };
    assert!(secret::verify_password("given-pass-1", &hash(store.clone()).await));
    // Not given: a new one is made and printed once.
    let made = set(&[]);
    assert!(made.status.success(), "{}", stderr(&made));
    let printed: serde_json::Value = serde_json::from_str(stdout(&made)).unwrap();
    assert_eq!(printed["userId"], user_id.as_str());
    let password = printed["password"].as_str().unwrap();
    assert!(password.len() >= 8, "{password}");
    assert!(secret::verify_password(password, &hash(store.clone()).await));
    assert!(stderr(&made).contains("admin_password_set"), "{}", stderr(&made));
    // An account that does not exist is a clear error.
    let none = agentdesk(&["account", "set-password", "--user-id", "12345678", "--database", &database]);
    assert_failed_quietly(&none);
    assert!(stderr(&none).contains("no account 12345678"), "{}", stderr(&none));
}

#[test]
fn the_config_file_takes_every_setting_of_serve_and_checks_each() {
    let dir = tempfile::tempdir().unwrap();
    let database = sqlite_url(dir.path(), "a.db");
    let every = format!(
        "bind = \"127.0.0.1:0\"\ndatabase = \"{database}\"\nsession_ttl = 3600\nsession_max = 7200\nrate_limit = 7\n\
         max_in_flight = 64\ncluster = false\nwebhook_allow_private = false\nwebhook_retry_scale = 1.0\n\
         trusted_proxies = [\"127.0.0.1\", \"10.0.0.0/8\"]\n"
    );
    let config = dir.path().join("agentdesk.toml");
    for (last, refusal) in [
        ("password_checks = 0", "config file: password_checks must be 1..=256"),
        ("password_checks = 2\nmax_in_flight_typo = 1", "unknown field `max_in_flight_typo`"),
    ] {
        std::fs::write(&config, format!("{every}{last}\n")).unwrap();
        let refused = serve_refused(&["--config", config.to_str().unwrap()]);
        assert_failed_quietly(&refused);
        assert!(stderr(&refused).contains(refusal), "{last}: {}", stderr(&refused));
    }
    std::fs::write(&config, every.replace("webhook_retry_scale = 1.0", "webhook_retry_scale = 2.0")).unwrap();
    let refused = serve_refused(&["--config", config.to_str().unwrap()]);
    assert!(stderr(&refused).contains("config file: webhook_retry_scale"), "{}", stderr(&refused));
    std::fs::write(&config, format!("database = \"{database}\"\ntrusted_proxies = [\"proxy.local\"]\n")).unwrap();
    let refused = serve_refused(&["--config", config.to_str().unwrap()]);
    assert!(stderr(&refused).contains("config file: trusted_proxies"), "{}", stderr(&refused));
    // A flag still wins over the file's value.
    std::fs::write(&config, format!("{every}password_checks = 0\n")).unwrap();
    let mut server = Command::new(env!("CARGO_BIN_EXE_agentdesk"))
        .args(["serve", "--config", config.to_str().unwrap(), "--password-checks", "2"])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufRead::lines(std::io::BufReader::new(server.stderr.take().unwrap()));
    let listening = lines.by_ref().take(50).any(|l| l.is_ok_and(|l| l.contains("listening on")));
    server.kill().unwrap();
    server.wait().unwrap();
    assert!(listening, "the flag's --password-checks 2 overrides the file's 0");
}
