//! Request budgets and load shedding, black-box on both backends: one
//! credential over its budget is answered 429 with `Retry-After` and the
//! envelope while other credentials, and its own telephony and heartbeat
//! budgets, are untouched; beyond the requests in flight the server answers
//! 503 at once; both are counted in `/metrics`.

mod common;

use std::time::Duration;

use common::{TestApp, error_body};
use reqwest::StatusCode;

/// What `/metrics` says now.
async fn metrics(app: &TestApp) -> String {
    app.client.get(format!("{}/metrics", app.base)).send().await.unwrap().text().await.unwrap()
}

const LIST: &str = "/api/v2/Agent/list";
const PING: &str = "/api/v2/agentProfile/setWebPingTime";

/// One request per second per credential for ordinary endpoints, burst 2
/// (the account's budget across its credentials is unit-tested in
/// `limits::rates`).
fn one_per_second() -> agentdesk::ServerConfig {
    agentdesk::ServerConfig { rate_limit: 1, ..common::config() }
}

backend_test!(a_credential_over_its_budget_waits_and_others_do_not, one_per_second(), |app| {
    let account = app.account().await;
    app.agent(&account, r#""name":"Asha Rao","email":"asha@x.com","password":"pass-word-1""#).await;
    let ssid = app.login("asha@x.com", "pass-word-1").await;
    let owner = format!("{{{}}}", account.creds());
    // `app.agent` above spent one request of the owner's budget (burst 2).
    assert_eq!(app.post(LIST, &owner).await.status, StatusCode::OK);
    let refused = app.post(LIST, &owner).await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(refused.body, error_body(429, "Too many requests"));
    assert_eq!(refused.header("retry-after"), "1");

    // The agent's session is another credential; its heartbeat has a budget
    // of its own, which the owner's spent budget does not touch.
    let ping = format!(r#"{{"ssid":"{ssid}","mic_perm":1}}"#);
    assert_eq!(app.post(PING, &ping).await.status, StatusCode::OK);
    let on_break = format!(r#"{{"ssid":"{ssid}"}}"#);
    app.expect_error("/api/v2/agentProfile/agentOnBreak", &on_break, 1502, "On break is : 0").await;

    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(app.post(LIST, &owner).await.status, StatusCode::OK, "the budget refills");

    let metrics = metrics(&app).await;
    assert!(
        metrics.contains(r#"agentdesk_limit_refusals_total{limit="rate",scope="credential",budget="other"}"#),
        "{metrics}"
    );
});

backend_test!(
    beyond_the_requests_in_flight_the_server_sheds_at_once,
    agentdesk::ServerConfig { max_in_flight: 1, ..common::config() },
    |app| {
        let account = app.account().await;
        let body = format!("{{{}}}", account.creds());
        let replies = futures_util::future::join_all((0..40).map(|_| app.post(LIST, &body))).await;
        let shed: Vec<_> = replies.iter().filter(|r| r.status == StatusCode::SERVICE_UNAVAILABLE).collect();
        assert!(!shed.is_empty(), "40 requests at once with room for one: some are shed");
        for reply in &shed {
            assert_eq!(reply.header("retry-after"), "1");
            assert_eq!(reply.body, error_body(503, "Service unavailable"));
        }
        assert!(replies.iter().all(|r| r.status == StatusCode::OK || r.status == StatusCode::SERVICE_UNAVAILABLE));
        // Room comes back: one at a time, every request is answered.
        assert_eq!(app.post(LIST, &body).await.status, StatusCode::OK);
        let metrics = metrics(&app).await;
        assert!(metrics.contains(r#"agentdesk_limit_refusals_total{limit="in_flight""#), "{metrics}");
    }
);
