//! `agentdesk demo` (and `serve --demo`) is repeatable: loading it again on
//! the same database reuses the account and prints the same credentials,
//! and the printed logins work — the supervisor lands on the board (it may
//! list roles and act on agents), the agent on the console (it may not).

use std::process::Command;

fn demo(database: &str) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_agentdesk")).args(["demo", "--database", database]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// The value after `key:` on the line that starts with it.
fn value(printed: &str, key: &str) -> String {
    let line = printed.lines().find(|l| l.trim_start().starts_with(key)).unwrap_or_else(|| panic!("{key}: {printed}"));
    line.split_once(':').unwrap().1.split_whitespace().next().unwrap().to_string()
}

#[tokio::test]
async fn loading_the_demo_again_reuses_the_account_and_prints_the_same_working_logins() {
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}", dir.path().join("demo.db").display());
    let first = demo(&database);
    let second = demo(&database);
    assert!(first.starts_with("Demo account loaded."), "{first}");
    assert!(second.starts_with("Demo account reused."), "{second}");
    assert_eq!(first.replacen("loaded", "reused", 1), second);
    for key in ["userId", "token", "supervisor", "agent", "admin"] {
        assert_eq!(value(&first, key), value(&second, key), "{key}");
    }

    // The logins work on a server over that database.
    let store = agentdesk::store::open(&database).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}/api/v2", listener.local_addr().unwrap());
    let state = agentdesk::AppState::new(store, agentdesk::ServerConfig::default());
    tokio::spawn(agentdesk::launch(state, listener, std::future::pending()));
    let client = reqwest::Client::new();
    let post = |path: &str, body: serde_json::Value| {
        let request = client.post(format!("{base}/{path}")).body(body.to_string());
        async move { request.send().await.unwrap().json::<serde_json::Value>().await.unwrap() }
    };
    let login = |email: String, password: &'static str| {
        post("auth/login", serde_json::json!({"email": email, "password": password}))
    };
    let supervisor = login(value(&first, "supervisor"), agentdesk::demo::AGENT_PASSWORD).await;
    let agent = login(value(&first, "agent"), agentdesk::demo::AGENT_PASSWORD).await;
    let admin = login(value(&first, "admin"), agentdesk::demo::ADMIN_PASSWORD).await;
    assert_eq!(admin["agentId"], serde_json::Value::Null, "{admin}");
    assert_eq!(post("Role/list", serde_json::json!({"ssid": supervisor["ssid"]})).await["status"], "success");
    let refused = post("Role/list", serde_json::json!({"ssid": agent["ssid"]})).await;
    assert_eq!(refused["code"], 1015, "{refused}");
    // The supervisor acts on the agent from the board.
    let acted = post(
        "Supervisor/breakStart",
        serde_json::json!({"ssid": supervisor["ssid"], "agentId": agent["agentId"], "reason": "Tea"}),
    )
    .await;
    assert_eq!(acted["state"], "break", "{acted}");
    // The printed token works too.
    let token = serde_json::json!({"userId": value(&first, "userId"), "token": value(&first, "token")});
    assert_eq!(post("Agent/list", token).await["totalRecords"], 20);
}
