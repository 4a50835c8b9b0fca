//! A refusal's log line carries the request id the client got back and the
//! same detail as the header, so a report quoting the id finds its cause;
//! a "no" to a question about an agent's state is not a refusal worth a line.
//! Its own test binary: it installs the process's log subscriber.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

use common::error_body;

/// Everything the server logged in this process.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn captured() -> &'static Captured {
    static LOG: OnceLock<Captured> = OnceLock::new();
    LOG.get_or_init(|| {
        let log = Captured::default();
        let writer = log.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_env_filter("info")
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .finish();
        tracing::subscriber::set_global_default(subscriber).expect("the only subscriber");
        log
    })
}

backend_test!(a_refusal_is_logged_with_its_request_id_and_detail, |app| {
    let log = captured();
    let account = app.account().await;
    let reply = app.post("/api/v2/Agent/live", &format!(r#"{{{},"groupID":1}}"#, account.creds())).await;
    assert_eq!(reply.body, error_body(1502, "Invalid filter value"));
    let id = reply.header("x-request-id").to_string();
    assert_eq!(id.len(), 36, "a request id: {id:?}");
    let text = String::from_utf8(log.0.lock().unwrap().clone()).unwrap();
    let line = text
        .lines()
        .find(|l| l.contains(&id) && l.contains("request refused"))
        .unwrap_or_else(|| panic!("no line for {id}:\n{text}"));
    assert!(line.contains(r#"code=1502 field="/groupID" reason=unknown key; did you mean groupid?"#), "{line}");
    assert!(line.contains("path=/api/v2/Agent/live"), "{line}");
    assert!(!line.contains(&account.token), "credentials are never logged: {line}");

    // A key as long as a body may be is logged no longer than the header shows it.
    let key = "k".repeat(100_000);
    let reply = app.post("/api/v2/Agent/live", &format!(r#"{{{},"{key}":1}}"#, account.creds())).await;
    let id = reply.header("x-request-id").to_string();
    let text = String::from_utf8(log.0.lock().unwrap().clone()).unwrap();
    let line = text.lines().find(|l| l.contains(&id) && l.contains("request refused")).expect("its line");
    assert!(line.contains(&format!(r#"field="/{}" reason="#, "k".repeat(127))), "{line}");
    assert!(line.len() < 600, "{} bytes", line.len());

    // "Not on break" answers a question: the header says so, the log does not.
    let agent = app.agent(&account, r#""name":"Asha","email":"asha@example.com","password":"pass-word-1""#).await;
    let reply =
        app.post("/api/v2/agentProfile/agentOnBreak", &format!(r#"{{{},"agentId":{agent}}}"#, account.creds())).await;
    assert_eq!(reply.body, error_body(1502, "On break is : 0"));
    assert_eq!(reply.header("agentdesk-error-detail"), r#"code=1502, reason="On break is : 0""#);
    let id = reply.header("x-request-id").to_string();
    let text = String::from_utf8(log.0.lock().unwrap().clone()).unwrap();
    assert!(!text.lines().any(|l| l.contains(&id)), "no info line for a no:\n{text}");
});
