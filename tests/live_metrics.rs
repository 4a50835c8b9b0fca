//! What `/metrics` tells an operator about the live view: agents per state,
//! events appended, pings flushed and how late, event streams open.
//!
//! One test in a binary of its own: the metrics recorder is process-wide,
//! and gauges set by servers of other tests running at once would make the
//! figures read here anyone's.

mod common;

use common::{Backend, TestApp};

const T: i64 = 1_750_000_000;

async fn metrics(app: &TestApp) -> String {
    app.client.get(format!("{}/metrics", app.base)).send().await.unwrap().text().await.unwrap()
}

/// The value of the sample whose name and labels are exactly `series`.
fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines().find_map(|l| l.strip_prefix(series)?.strip_prefix(' ')?.trim().parse().ok())
}

#[tokio::test]
async fn the_live_view_is_graphed_agents_per_state_events_pings_and_streams() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let account = app.account().await;
    for (name, email) in [("Asha Rao", "asha@x.com"), ("Ben Okafor", "ben@x.com")] {
        app.agent(&account, &format!(r#""name":"{name}","email":"{email}","password":"pass-word-1""#)).await;
    }
    app.clock.set(T);
    let asha = app.login("asha@x.com", "pass-word-1").await;
    app.login("ben@x.com", "pass-word-1").await;
    let reply = app.post("/api/v2/agentProfile/breakStart", &format!(r#"{{"ssid":"{asha}","reason":"Tea"}}"#)).await;
    assert!(reply.body.contains("success"), "{}", reply.body);
    let before = sample(&metrics(&app).await, "agentdesk_events_appended_total").unwrap_or(0.0);

    app.clock.set(T + 5);
    app.post("/api/v2/agentProfile/setWebPingTime", &format!(r#"{{"ssid":"{asha}","mic_perm":1}}"#)).await;
    let stream =
        app.client.get(format!("{}/api/v2/stream?userId={}&token={}", app.base, account.user_id, account.token));
    let stream = stream.send().await.unwrap();
    app.clock.set(T + 8);
    app.step().await;

    let text = metrics(&app).await;
    assert_eq!(sample(&text, r#"agentdesk_agents{state="break"}"#), Some(1.0), "{text}");
    assert_eq!(sample(&text, r#"agentdesk_agents{state="available"}"#), Some(1.0), "{text}");
    assert_eq!(sample(&text, r#"agentdesk_agents{state="on_call"}"#), Some(0.0), "{text}");
    assert_eq!(sample(&text, "agentdesk_stream_subscribers"), Some(1.0), "{text}");
    assert_eq!(sample(&text, "agentdesk_ping_flush_lag_seconds"), Some(3.0), "pinged at T+5, flushed at T+8: {text}");
    assert!(sample(&text, "agentdesk_pings_flushed_total").unwrap_or(0.0) >= 1.0, "{text}");

    let reply = app.post("/api/v2/agentProfile/breakEnd", &format!(r#"{{"ssid":"{asha}"}}"#)).await;
    assert!(reply.body.contains("success"), "{}", reply.body);
    let after = sample(&metrics(&app).await, "agentdesk_events_appended_total").unwrap();
    assert_eq!(after - before, 1.0, "one break_end appended");
    drop(stream);
}
