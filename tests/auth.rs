//! Our `auth/login` and `auth/logout` extension: email and password to an
//! admin or agent `ssid`, sessions that end at logout or when the agent is
//! switched off.

mod common;

use agentdesk::clock::Clock;
use common::{Account, TestApp};
use serde_json::Value;

const LOGIN: &str = "/api/v2/auth/login";
const LOGOUT: &str = "/api/v2/auth/logout";
const AGENT_LIST: &str = "/api/v2/Agent/list";
const LOGGED_OUT: &str = r#"{"status":"success","code":200,"message":"Logged out"}"#;
const NO_AGENTS: &str =
    r#"{"response":[],"agtLimit":50,"currentPage":1,"totalPages":0,"totalRecords":0,"status":"success","code":200}"#;
/// `Agent/list` with `quick` for an account whose one agent is Asha.
const ASHA_QUICK: &str = concat!(
    r#"{"response":[{"name":"Asha Rao","email":"asha@example.com","unique_id":1,"status":1,"group":[]}],"#,
    r#""agtLimit":50,"currentPage":1,"totalPages":1,"totalRecords":1,"status":"success","code":200}"#
);
/// The default session lifetime of `ServerConfig`.
const SESSION_TTL: i64 = 12 * 3600;

fn login_body(email: &str, password: &str) -> String {
    format!(r#"{{"email":"{email}","password":"{password}"}}"#)
}

fn ssid_body(ssid: &str) -> String {
    format!(r#"{{"ssid":"{ssid}"}}"#)
}

/// Logs in with `body`, checks the reply's shape, key order and expiry, and
/// returns it parsed.
async fn login_reply(app: &TestApp, body: &str) -> Value {
    // The server's clock is the test's: it does not move by itself.
    let before = app.clock.now();
    let reply = app.post(LOGIN, body).await;
    let after = app.clock.now();
    let json = reply.json();
    let keys: Vec<&str> = json.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ["ssid", "expiresAt", "userId", "agentId", "status", "code"], "{}", reply.body);
    let ssid = json["ssid"].as_str().unwrap();
    assert!(ssid.len() == 40 && ssid.bytes().all(|b| b.is_ascii_hexdigit()), "ssid {ssid:?}");
    let expires_at = json["expiresAt"].as_i64().unwrap();
    assert!((before + SESSION_TTL..=after + SESSION_TTL).contains(&expires_at), "expiresAt {expires_at}");
    assert_eq!(json["status"], "success");
    assert_eq!(json["code"], 200);
    json
}

/// An account whose admin logs in as `email` / `pw-123456`.
async fn account_with_admin(app: &TestApp, email: &str) -> Account {
    let created =
        agentdesk::accounts::create_account(&app.store, "Known Center", email, Some("pw-123456")).await.unwrap();
    Account { user_id: created.user_id, token: created.token }
}

/// Role 2 of a fresh account: may read the agent directory.
async fn viewer_role(app: &TestApp, account: &Account) {
    let body = format!(r#"{{{},"name":"Viewer","permissions":["VIEW_AGENTS"]}}"#, account.creds());
    app.expect(
        "/api/v2/Role/add",
        &body,
        r#"{"roleId":"2","name":"Viewer","permissions":["VIEW_AGENTS"],"status":"success","code":200}"#,
    )
    .await;
}

backend_test!(an_admin_logs_in_with_email_and_password, |app| {
    let account = account_with_admin(&app, "known@example.com").await;
    let reply = login_reply(&app, &login_body("known@example.com", "pw-123456")).await;
    assert_eq!(reply["userId"], account.user_id.as_str());
    assert_eq!(reply["agentId"], Value::Null);
    // The admin session acts on the account with full rights.
    app.expect(AGENT_LIST, &ssid_body(reply["ssid"].as_str().unwrap()), NO_AGENTS).await;
});

backend_test!(the_login_email_is_matched_without_case_or_surrounding_spaces, |app| {
    let account = account_with_admin(&app, "Known@Example.com").await;
    let reply = login_reply(&app, &login_body("  KNOWN@example.COM ", "pw-123456")).await;
    assert_eq!(reply["userId"], account.user_id.as_str());
});

backend_test!(an_agent_logs_in_as_itself, |app| {
    let account = app.account().await;
    app.agent(&account, r#""name":"Asha Rao","email":"asha@example.com""#).await;
    let agent =
        app.agent(&account, r#""name":"Ravi Kumar","email":"ravi@example.com","password":"agent-pass-1""#).await;
    assert_eq!(agent, 2);
    let reply = login_reply(&app, &login_body("ravi@example.com", "agent-pass-1")).await;
    assert_eq!(reply["userId"], account.user_id.as_str());
    assert_eq!(reply["agentId"], 2);
    // A plain agent's session is valid but carries no directory rights.
    app.expect_error(AGENT_LIST, &ssid_body(reply["ssid"].as_str().unwrap()), 1015, "Permission denied").await;
});

backend_test!(a_wrong_password_or_an_unknown_email_is_1501_alike, |app| {
    let account = account_with_admin(&app, "known@example.com").await;
    app.agent(&account, r#""name":"Ravi Kumar","email":"ravi@example.com","password":"agent-pass-1""#).await;
    for (email, password) in [
        ("known@example.com", "pw-1234567"),
        ("known@example.com", "PW-123456"),
        ("ravi@example.com", "pw-123456"),
        ("nobody@example.com", "pw-123456"),
    ] {
        app.expect_error(LOGIN, &login_body(email, password), 1501, "Invalid email or password").await;
    }
});

backend_test!(an_account_without_an_admin_password_has_no_admin_login, |app| {
    agentdesk::accounts::create_account(&app.store, "Token Only", "tokens@example.com", None).await.unwrap();
    app.expect_error(LOGIN, &login_body("tokens@example.com", ""), 1501, "Invalid email or password").await;
    app.expect_error(LOGIN, &login_body("tokens@example.com", "pw-123456"), 1501, "Invalid email or password").await;
});

backend_test!(login_without_a_usable_email_or_password_is_1000, |app| {
    account_with_admin(&app, "known@example.com").await;
    for body in [
        r#"{"password":"pw-123456"}"#,
        r#"{"email":"","password":"pw-123456"}"#,
        r#"{"email":"known","password":"pw-123456"}"#,
        r#"{"email":42,"password":"pw-123456"}"#,
        r#"{"email":null,"password":"pw-123456"}"#,
        r#"{"email":"known@example.com"}"#,
        r#"{"email":"known@example.com","password":123456789}"#,
        r#"{}"#,
    ] {
        app.expect_error(LOGIN, body, 1000, "Invalid parameter").await;
    }
    app.expect_error(LOGIN, "", 1047, "Invalid request data").await;
});

/// Asha, with the viewer role, logged in: her id and session.
async fn asha_logged_in_as_viewer(app: &TestApp, account: &Account) -> (i64, String) {
    viewer_role(app, account).await;
    let agent = app
        .agent(account, r#""name":"Asha Rao","email":"asha@example.com","password":"agent-pass-1","role":"2""#)
        .await;
    (agent, app.login("asha@example.com", "agent-pass-1").await)
}

backend_test!(a_session_works_until_logout_and_then_is_an_invalid_token, |app| {
    account_with_admin(&app, "known@example.com").await;
    let ssid = app.login("known@example.com", "pw-123456").await;
    app.expect(AGENT_LIST, &ssid_body(&ssid), NO_AGENTS).await;
    app.expect(LOGOUT, &ssid_body(&ssid), LOGGED_OUT).await;
    app.expect_error(AGENT_LIST, &ssid_body(&ssid), 1014, "Invalid token").await;
    // A second logout of the same session finds nothing to end.
    app.expect_error(LOGOUT, &ssid_body(&ssid), 1014, "Invalid token").await;
});

backend_test!(each_login_is_its_own_session_and_ends_alone, |app| {
    account_with_admin(&app, "known@example.com").await;
    let first = app.login("known@example.com", "pw-123456").await;
    let second = app.login("known@example.com", "pw-123456").await;
    assert_ne!(first, second);
    app.expect(LOGOUT, &ssid_body(&first), LOGGED_OUT).await;
    app.expect_error(AGENT_LIST, &ssid_body(&first), 1014, "Invalid token").await;
    app.expect(AGENT_LIST, &ssid_body(&second), NO_AGENTS).await;
});

backend_test!(logout_needs_an_ssid_it_knows, |app| {
    app.expect_error(LOGOUT, "{}", 1020, "Token not found").await;
    app.expect_error(LOGOUT, r#"{"ssid":null}"#, 1020, "Token not found").await;
    app.expect_error(LOGOUT, r#"{"ssid":42}"#, 1014, "Invalid token").await;
    app.expect_error(LOGOUT, r#"{"ssid":""}"#, 1014, "Invalid token").await;
    app.expect_error(LOGOUT, &ssid_body(&"0".repeat(40)), 1014, "Invalid token").await;
    app.expect_error(LOGOUT, "[]", 1047, "Invalid request data").await;
    // An account token is not a session: it cannot be logged out.
    let account = app.account().await;
    app.expect_error(LOGOUT, &ssid_body(&account.token), 1014, "Invalid token").await;
    app.expect(AGENT_LIST, &format!("{{{}}}", account.creds()), NO_AGENTS).await;
});

backend_test!(an_inactive_agent_cannot_log_in_and_loses_its_session, |app| {
    let account = app.account().await;
    let (agent, ssid) = asha_logged_in_as_viewer(&app, &account).await;
    let list = format!(r#"{{"ssid":"{ssid}","quick":true}}"#);
    app.expect(AGENT_LIST, &list, ASHA_QUICK).await;

    let switch_off = format!(r#"{{{},"agentId":"{agent}","status":0}}"#, account.creds());
    app.expect(
        "/api/v2/Agent/changeStatus",
        &switch_off,
        r#"{"status":"success","code":200,"message":"Agent status updated"}"#,
    )
    .await;
    app.expect_error(AGENT_LIST, &list, 1014, "Invalid token").await;
    app.expect_error(LOGIN, &login_body("asha@example.com", "agent-pass-1"), 1015, "Permission denied").await;
    // A wrong password still says only that.
    app.expect_error(LOGIN, &login_body("asha@example.com", "agent-pass-2"), 1501, "Invalid email or password").await;
});

backend_test!(a_reactivated_agent_logs_in_again_but_its_old_session_stays_ended, |app| {
    let account = app.account().await;
    viewer_role(&app, &account).await;
    app.agent(&account, r#""name":"Asha Rao","email":"asha@example.com","password":"agent-pass-1","role":"2""#).await;
    let old = app.login("asha@example.com", "agent-pass-1").await;
    let status = |s: u8| format!(r#"{{{},"agentId":1,"status":{s}}}"#, account.creds());
    let updated = r#"{"status":"success","code":200,"message":"Agent status updated"}"#;
    app.expect("/api/v2/Agent/changeStatus", &status(0), updated).await;
    app.expect_error(AGENT_LIST, &ssid_body(&old), 1014, "Invalid token").await;
    app.expect("/api/v2/Agent/changeStatus", &status(1), updated).await;

    let fresh = app.login("asha@example.com", "agent-pass-1").await;
    app.expect(AGENT_LIST, &format!(r#"{{"ssid":"{fresh}","quick":true}}"#), ASHA_QUICK).await;
    // Switching an agent off revoked the session it had: switching it back
    // on must not bring that session back.
    app.expect_error(AGENT_LIST, &ssid_body(&old), 1014, "Invalid token").await;
});

backend_test!(a_deleted_agent_cannot_log_in, |app| {
    let account = app.account().await;
    app.agent(&account, r#""name":"Asha Rao","email":"asha@example.com","password":"agent-pass-1""#).await;
    let delete = format!(r#"{{{},"agentId":1}}"#, account.creds());
    app.expect("/api/v2/Agent/delete", &delete, r#"{"status":"success","code":200,"message":"Agent deleted"}"#).await;
    app.expect_error(LOGIN, &login_body("asha@example.com", "agent-pass-1"), 1501, "Invalid email or password").await;
});

backend_test!(the_admin_of_a_suspended_account_cannot_log_in, |app| {
    let account = account_with_admin(&app, "known@example.com").await;
    let ssid = app.login("known@example.com", "pw-123456").await;
    app.store.set_suspended(&account.id(), true).await.unwrap();
    app.expect_error(LOGIN, &login_body("known@example.com", "pw-123456"), 1039, "User account suspended").await;
    app.expect_error(AGENT_LIST, &ssid_body(&ssid), 1039, "User account suspended").await;
    app.store.set_suspended(&account.id(), false).await.unwrap();
    app.expect(AGENT_LIST, &ssid_body(&ssid), NO_AGENTS).await;
});

backend_test!(an_email_that_logs_in_to_several_accounts_needs_the_user_id, |app| {
    let a = app.account().await;
    let b = app.account().await;
    let fields = r#""name":"Asha Rao","email":"asha@example.com","password":"agent-pass-1""#;
    app.agent(&a, fields).await;
    app.agent(&b, fields).await;
    app.expect_error(
        LOGIN,
        &login_body("asha@example.com", "agent-pass-1"),
        1502,
        "Email belongs to several accounts: provide userId",
    )
    .await;
    let as_b = format!(r#"{{"email":"asha@example.com","password":"agent-pass-1","userId":"{}"}}"#, b.user_id);
    let reply = login_reply(&app, &as_b).await;
    assert_eq!(reply["userId"], b.user_id.as_str());
    assert_eq!(reply["agentId"], 1);
    let as_a = format!(r#"{{"email":"asha@example.com","password":"agent-pass-1","userId":{}}}"#, a.user_id);
    assert_eq!(login_reply(&app, &as_a).await["userId"], a.user_id.as_str());
    // Whatever the password: which accounts' passwords match must not show.
    let c = app.account().await;
    app.agent(&c, r#""name":"Asha Rao","email":"asha@example.com","password":"other-pass-1""#).await;
    for password in ["other-pass-1", "agent-pass-1", "no-such-pass"] {
        let refused = login_body("asha@example.com", password);
        app.expect_error(LOGIN, &refused, 1502, "Email belongs to several accounts: provide userId").await;
    }
    let as_c = format!(r#"{{"email":"asha@example.com","password":"other-pass-1","userId":"{}"}}"#, c.user_id);
    assert_eq!(login_reply(&app, &as_c).await["userId"], c.user_id.as_str());
});

backend_test!(another_tenant_cannot_learn_or_keep_guessing_a_password_through_an_agent_of_the_same_email, |app| {
    let victim = app.account().await;
    let attacker = app.account().await;
    app.agent(&victim, r#""name":"Asha Rao","email":"asha@example.com","password":"victim-pass-1""#).await;
    // The attacker's own agent, with the victim's email and a guess as password.
    let shadow = app.agent(&attacker, r#""name":"Shadow","email":"asha@example.com","password":"guess-pass-1""#).await;
    let ambiguous = "Email belongs to several accounts: provide userId";
    for guess in ["guess-pass-1", "victim-pass-1"] {
        // Right or wrong, the same answer: no oracle.
        app.expect_error(LOGIN, &login_body("asha@example.com", guess), 1502, ambiguous).await;
    }
    let at = |account: &Account, password: &str| {
        format!(r#"{{"email":"asha@example.com","password":"{password}","userId":"{}"}}"#, account.user_id)
    };
    for n in 0..5 {
        app.expect_error(LOGIN, &at(&victim, &format!("wrong-pass-{n}")), 1501, "Invalid email or password").await;
    }
    assert_eq!(app.post(LOGIN, &at(&victim, "wrong-pass-9")).await.status, reqwest::StatusCode::TOO_MANY_REQUESTS);
    // The shadow's own successful login does not clear the lockout on the victim's email.
    let update = format!(r#"{{{},"agentId":{shadow},"password":"guess-pass-2"}}"#, attacker.creds());
    app.expect("/api/v2/Agent/update", &update, r#"{"status":"success","code":200,"message":"Agent updated"}"#).await;
    assert_eq!(app.post(LOGIN, &at(&attacker, "guess-pass-2")).await.status, reqwest::StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(app.post(LOGIN, &at(&victim, "wrong-pass-10")).await.status, reqwest::StatusCode::TOO_MANY_REQUESTS);
    // Within one account, an agent cannot take the admin's email.
    let admin =
        agentdesk::accounts::create_account(&app.store, "Own", "own@example.com", Some("own-admin-1")).await.unwrap();
    let own = Account { user_id: admin.user_id, token: admin.token };
    let body = format!(r#"{{{},"name":"Shadow","email":"Own@Example.com","password":"guess-pass-1"}}"#, own.creds());
    app.expect_error("/api/v2/Agent/create", &body, 1512, "Email already exists").await;
    let plain = app.agent(&own, r#""name":"Plain","email":"plain@example.com""#).await;
    let body = format!(r#"{{{},"agentId":{plain},"email":"own@example.com"}}"#, own.creds());
    app.expect_error("/api/v2/Agent/update", &body, 1512, "Email already exists").await;
});

backend_test!(a_session_past_its_expiry_is_an_invalid_token, |app| {
    account_with_admin(&app, "known@example.com").await;
    // A second server on the same store whose sessions are over when they start.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let config = agentdesk::ServerConfig { session_ttl_secs: -1, ..common::config() };
    let state = agentdesk::AppState::new(app.store.clone(), config);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(agentdesk::launch(state, listener, async {
        let _ = stopped.await;
    }));
    let login = app.client.post(format!("{base}{LOGIN}")).body(login_body("known@example.com", "pw-123456"));
    let reply = login.send().await.unwrap();
    let ssid = reply.json::<Value>().await.unwrap()["ssid"].as_str().unwrap().to_string();
    app.expect_error(AGENT_LIST, &ssid_body(&ssid), 1014, "Invalid token").await;
    let _ = stop.send(());
});

backend_test!(an_agent_of_a_suspended_account_cannot_log_in, |app| {
    let account = app.account().await;
    app.agent(&account, r#""name":"Held","email":"held@x.com","password":"held-pass-1""#).await;
    app.store.set_suspended(&account.id(), true).await.unwrap();
    app.expect_error(LOGIN, &login_body("held@x.com", "held-pass-1"), 1039, "User account suspended").await;
    // A wrong password stays a wrong password: suspension is only told to the owner of the password.
    app.expect_error(LOGIN, &login_body("held@x.com", "wrong-pass-1"), 1501, "Invalid email or password").await;
});

// The server remembers what a credential resolves to; every change below is
// made while the credential is in use, and must show on the very next request.
backend_test!(a_credential_in_use_follows_every_change_to_its_agent_and_account_at_once, |app| {
    let account = app.account().await;
    let (agent, ssid) = asha_logged_in_as_viewer(&app, &account).await;
    let list = format!(r#"{{"ssid":"{ssid}","quick":true}}"#);
    let token = format!(r#"{{{},"quick":true}}"#, account.creds());
    app.expect(AGENT_LIST, &list, ASHA_QUICK).await;
    app.expect(AGENT_LIST, &token, ASHA_QUICK).await;

    // Another role, without the directory: refused at once; and back.
    let updated = r#"{"status":"success","code":200,"message":"Agent updated"}"#;
    let role = |r: u8| format!(r#"{{{},"agentId":{agent},"role":"{r}"}}"#, account.creds());
    app.expect("/api/v2/Agent/update", &role(1), updated).await;
    app.expect_error(AGENT_LIST, &list, 1015, "Permission denied").await;
    app.expect("/api/v2/Agent/update", &role(2), updated).await;
    app.expect(AGENT_LIST, &list, ASHA_QUICK).await;

    // The account suspended and reinstated, for its token and the session.
    app.store.set_suspended(&account.id(), true).await.unwrap();
    app.expect_error(AGENT_LIST, &list, 1039, "User account suspended").await;
    app.expect_error(AGENT_LIST, &token, 1039, "User account suspended").await;
    app.store.set_suspended(&account.id(), false).await.unwrap();
    app.expect(AGENT_LIST, &list, ASHA_QUICK).await;
    app.expect(AGENT_LIST, &token, ASHA_QUICK).await;

    // The token revoked while the session lives on.
    agentdesk::accounts::revoke_token(&app.store, &account.user_id, &account.token).await.unwrap();
    app.expect_error(AGENT_LIST, &token, 1014, "Invalid token").await;
    app.expect(AGENT_LIST, &list, ASHA_QUICK).await;
});

backend_test!(a_new_password_ends_the_agents_other_sessions, |app| {
    let account = app.account().await;
    let ravi = app.agent(&account, r#""name":"Ravi Kumar","email":"ravi@example.com","password":"agent-pass-1""#).await;
    let desk = app.login("ravi@example.com", "agent-pass-1").await;
    let phone = app.login("ravi@example.com", "agent-pass-1").await;
    let other = app.agent(&account, r#""name":"Asha Rao","email":"asha@example.com","password":"agent-pass-2""#).await;
    let asha = app.login("asha@example.com", "agent-pass-2").await;
    for ssid in [&desk, &phone, &asha] {
        assert!(app.post(AGENT_LIST, &ssid_body(ssid)).await.body.contains("1015"), "a session that works");
    }

    let change = format!(r#"{{{},"agentId":{ravi},"password":"new-pass-123"}}"#, account.creds());
    app.expect("/api/v2/Agent/update", &change, r#"{"status":"success","code":200,"message":"Agent updated"}"#).await;
    for ssid in [&desk, &phone] {
        app.expect_error(AGENT_LIST, &ssid_body(ssid), 1014, "Invalid token").await;
        app.expect_error(LOGOUT, &ssid_body(ssid), 1014, "Invalid token").await;
    }
    // Another agent's session is untouched; the old password no longer works, the new one does.
    assert!(app.post(AGENT_LIST, &ssid_body(&asha)).await.body.contains("1015"));
    app.expect_error(LOGIN, &login_body("ravi@example.com", "agent-pass-1"), 1501, "Invalid email or password").await;
    app.login("ravi@example.com", "new-pass-123").await;
    let _ = other;
});

backend_test!(a_stranger_failing_logins_from_elsewhere_does_not_lock_the_agent_out, |app| {
    let account = app.account().await;
    app.agent(&account, r#""name":"Ravi Kumar","email":"ravi@example.com","password":"agent-pass-1""#).await;
    // The stranger comes from another address (127.0.0.2 reaches the server on 127.0.0.1).
    let stranger =
        reqwest::Client::builder().local_address("127.0.0.2".parse::<std::net::IpAddr>().unwrap()).build().unwrap();
    let try_login = |password: &'static str| {
        let stranger = stranger.clone();
        let url = format!("{}{LOGIN}", app.base);
        async move {
            let reply = stranger.post(url).body(login_body("ravi@example.com", password)).send().await.unwrap();
            (reply.status().as_u16(), reply.text().await.unwrap())
        }
    };
    for _ in 0..5 {
        assert_eq!(
            try_login("guess-123").await,
            (200, r#"{"status":"error","message":"Invalid email or password","code":1501}"#.to_string())
        );
    }
    assert_eq!(try_login("agent-pass-1").await.0, 429, "the stranger's address is locked out");
    // The agent, from its own address, logs in as usual.
    app.login("ravi@example.com", "agent-pass-1").await;
});

backend_test!(
    a_connection_that_never_finishes_its_headers_is_closed,
    agentdesk::ServerConfig { header_read_timeout: std::time::Duration::from_secs(1), ..Default::default() },
    |app| {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let address = app.base.trim_start_matches("http://").to_string();
        let mut silent = tokio::net::TcpStream::connect(&address).await.unwrap();
        let mut slow = tokio::net::TcpStream::connect(&address).await.unwrap();
        slow.write_all(b"POST /api/v2/Agent/list HTTP/1.1\r\nHost: x\r\n").await.unwrap();
        let started = std::time::Instant::now();
        for socket in [&mut silent, &mut slow] {
            let mut buffer = [0u8; 256];
            let read = tokio::time::timeout(std::time::Duration::from_secs(5), socket.read(&mut buffer)).await;
            // Closed: end of stream (or a reset), never a wait past the bound.
            assert!(matches!(read, Ok(Ok(0)) | Ok(Err(_))), "{read:?}");
        }
        assert!(started.elapsed() < std::time::Duration::from_secs(4), "{:?}", started.elapsed());
        // A kept-alive connection idle after its reply is closed the same way.
        let mut idle = tokio::net::TcpStream::connect(&address).await.unwrap();
        idle.write_all(b"POST /api/v2/Agent/list HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}").await.unwrap();
        let mut reply = Vec::new();
        // The reply, then the end of the stream once the connection has idled past the bound.
        let read = tokio::time::timeout(std::time::Duration::from_secs(5), idle.read_to_end(&mut reply)).await;
        assert!(read.is_ok(), "the idle connection stayed open");
        assert!(reply.starts_with(b"HTTP/1.1 200 OK"), "{}", String::from_utf8_lossy(&reply));
        // Meanwhile and afterwards, whole requests are served.
        assert_eq!(
            app.post(AGENT_LIST, "{}").await.body,
            r#"{"status":"error","message":"Token not found","code":1020}"#
        );
    }
);

backend_test!(an_agent_changing_its_own_password_stays_logged_in_where_it_did_so, |app| {
    let account = app.account().await;
    let role = format!(r#"{{{},"name":"Lead","permissions":["VIEW_AGENTS","EDIT_AGENTS"]}}"#, account.creds());
    assert!(app.post("/api/v2/Role/add", &role).await.body.contains(r#""roleId":"2""#));
    let lead = app
        .agent(&account, r#""name":"Lead One","email":"lead@example.com","password":"lead-pass-1","role":"2""#)
        .await;
    let here = app.login("lead@example.com", "lead-pass-1").await;
    let elsewhere = app.login("lead@example.com", "lead-pass-1").await;

    let change = format!(r#"{{"ssid":"{here}","agentId":{lead},"password":"lead-pass-2"}}"#);
    app.expect("/api/v2/Agent/update", &change, r#"{"status":"success","code":200,"message":"Agent updated"}"#).await;
    app.expect_error(AGENT_LIST, &ssid_body(&elsewhere), 1014, "Invalid token").await;
    let list = app.post(AGENT_LIST, &ssid_body(&here)).await;
    assert!(list.body.contains(r#""status":"success""#), "{}", list.body);
    // Still online: the session it kept holds its presence.
    let live = app.post("/api/v2/Agent/live", &format!(r#"{{{}}}"#, account.creds())).await;
    assert!(live.body.contains(r#""state":"available""#), "{}", live.body);
    app.login("lead@example.com", "lead-pass-2").await;
});

backend_test!(the_admin_password_is_set_by_the_token_or_by_an_admin_session_that_knows_it, |app| {
    const SET: &str = "/api/v2/Account/setPassword";
    let updated = r#"{"status":"success","code":200,"message":"Password updated"}"#;
    // An account made without an admin password gets one through its token.
    let created = agentdesk::accounts::create_account(&app.store, "Center", "boss@example.com", None).await.unwrap();
    let account = Account { user_id: created.user_id, token: created.token };
    app.expect_error(LOGIN, &login_body("boss@example.com", "first-pass-1"), 1501, "Invalid email or password").await;
    let by_token = |fields: &str| format!("{{{},{fields}}}", account.creds());
    app.expect_error(SET, &by_token(r#""password":"short""#), 1506, "Invalid password: give 8 to 128 characters").await;
    app.expect(SET, &by_token(r#""password":"first-pass-1""#), updated).await;
    let first = app.login("boss@example.com", "first-pass-1").await;
    let second = app.login("boss@example.com", "first-pass-1").await;

    // Through an admin session it takes the current password.
    let by_session = |ssid: &str, fields: &str| format!(r#"{{"ssid":"{ssid}",{fields}}}"#);
    let wrong = "currentPassword does not match";
    app.expect_error(SET, &by_session(&first, r#""password":"second-pass-2""#), 1507, wrong).await;
    let guessed = by_session(&first, r#""password":"second-pass-2","currentPassword":"guess-pass-1""#);
    app.expect_error(SET, &guessed, 1507, wrong).await;
    let known = by_session(&first, r#""password":"second-pass-2","currentPassword":"first-pass-1""#);
    app.expect(SET, &known, updated).await;
    // Guesses at the current password are counted like failed logins.
    for n in 0..5 {
        let guess = by_session(&first, &format!(r#""password":"third-pass-3","currentPassword":"guess-{n}-pass""#));
        app.expect_error(SET, &guess, 1507, wrong).await;
    }
    let locked = by_session(&first, r#""password":"third-pass-3","currentPassword":"second-pass-2""#);
    assert_eq!(app.post(SET, &locked).await.status, reqwest::StatusCode::TOO_MANY_REQUESTS, "five wrong in the window");
    // The session that changed it stays; the admin's other session ended.
    app.expect(AGENT_LIST, &ssid_body(&first), NO_AGENTS).await;
    app.expect_error(AGENT_LIST, &ssid_body(&second), 1014, "Invalid token").await;
    app.expect_error(LOGIN, &login_body("boss@example.com", "first-pass-1"), 1501, "Invalid email or password").await;
    app.login("boss@example.com", "second-pass-2").await;

    // An agent session may not, whatever its role.
    let everything = r#""name":"All","permissions":["VIEW_AGENTS","EDIT_AGENTS","MANAGE_GROUPS","MANAGE_ROLES","AGENT_TO_AGENT_CALL","SUPERVISE_AGENTS"]"#;
    app.post("/api/v2/Role/add", &by_token(everything)).await;
    app.agent(&account, r#""name":"Asha","email":"asha@example.com","password":"pass-word-1","role":"2""#).await;
    let asha = app.login("asha@example.com", "pass-word-1").await;
    let taken = by_session(&asha, r#""password":"taken-over-1","currentPassword":"pass-word-1""#);
    app.expect_error(SET, &taken, 1015, "Permission denied").await;
    app.login("boss@example.com", "second-pass-2").await;
});
