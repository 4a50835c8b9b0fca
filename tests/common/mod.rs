//! Test harness: the real server on port 0 with a database of its own
//! (a temporary SQLite file, or a fresh PostgreSQL database when
//! `AGENTDESK_TEST_POSTGRES` names a server), spoken to over HTTP.
#![allow(dead_code)]

pub mod receiver;

use std::sync::Arc;

use agentdesk::clock::ManualClock;
use agentdesk::live::Live;
use agentdesk::store::{self, SharedStore};
use agentdesk::{AppState, ServerConfig, accounts};
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde_json::Value;
use sqlx::Connection;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

pub mod server;
pub mod sse;

/// Names the PostgreSQL server (any database on it) the suite may create databases on.
pub const POSTGRES_ENV: &str = "AGENTDESK_TEST_POSTGRES";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub struct TestApp {
    pub base: String,
    /// The server's database URL, for tests that tamper with it.
    pub database: String,
    pub client: reqwest::Client,
    pub store: SharedStore,
    /// The server's clock: it moves only when a test moves it.
    pub clock: Arc<ManualClock>,
    pub live: Arc<Live>,
    /// The webhook worker: tests run its `step` instead of its loop.
    pub push: Arc<agentdesk::push::Pusher>,
    _shutdown: oneshot::Sender<()>,
    _dir: Option<tempfile::TempDir>,
}

/// A test's PostgreSQL database goes when the test ends, passed or failed.
impl Drop for TestApp {
    fn drop(&mut self) {
        let Some(name) =
            self.database.strip_prefix("postgres").and_then(|u| u.rsplit_once('/')).map(|(_, n)| n.to_string())
        else {
            return;
        };
        let Ok(admin) = std::env::var(POSTGRES_ENV) else { return };
        // Its own thread and runtime: Drop cannot await, and the test's
        // runtime may be the one blocked here.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            runtime.block_on(async {
                let mut admin = sqlx::PgConnection::connect(&admin).await?;
                sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")))
                    .execute(&mut admin)
                    .await
            })
        });
        if let Ok(Err(e)) = dropped.join() {
            eprintln!("test database {} not dropped: {e}", self.database);
        }
    }
}

/// An account's API credentials.
#[derive(Debug, Clone)]
pub struct Account {
    pub user_id: String,
    pub token: String,
}

impl Account {
    /// The account's id as the library's types take it.
    pub fn id(&self) -> agentdesk::store::AccountId {
        agentdesk::store::AccountId::new(self.user_id.clone())
    }

    /// `"userId":"…","token":"…"` to splice into a JSON body.
    pub fn creds(&self) -> String {
        format!(r#""userId":"{}","token":"{}""#, self.user_id, self.token)
    }
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    pub fn header(&self, name: &str) -> &str {
        self.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("")
    }
}

/// The exact bytes of an error envelope.
pub fn error_body(code: u16, message: &str) -> String {
    format!(r#"{{"status":"error","message":"{message}","code":{code}}}"#)
}

async fn postgres_url() -> Option<String> {
    let base = std::env::var(POSTGRES_ENV).ok().filter(|v| !v.is_empty())?;
    let name = format!("agentdesk_t_{}", &agentdesk::domain::secret::new_token()[..12]);
    let mut admin = sqlx::PgConnection::connect(&base)
        .await
        .unwrap_or_else(|e| panic!("{POSTGRES_ENV} is set but PostgreSQL is unreachable: {e}"));
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&mut admin).await.unwrap();
    let (server, _db) = base.rsplit_once('/').expect("postgres URL has a database");
    Some(format!("{server}/{name}"))
}

/// The server's defaults without request budgets: tests send bursts from
/// one credential that no client would (a simulated day in milliseconds);
/// the budgets have tests of their own (`tests/limits.rs`).
/// Webhooks may reach the tests' receivers on 127.0.0.1.
pub fn config() -> ServerConfig {
    ServerConfig { rate_limit: 0, webhook_allow_private: true, ..ServerConfig::default() }
}

impl TestApp {
    /// `None` when the backend is PostgreSQL and no server was named.
    pub async fn spawn(backend: Backend) -> Option<TestApp> {
        Self::spawn_with(backend, config()).await
    }

    /// As `spawn`, with the server's knobs (session lifetimes, …) given.
    pub async fn spawn_with(backend: Backend, config: ServerConfig) -> Option<TestApp> {
        let (url, dir) = match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().unwrap();
                (format!("sqlite://{}", dir.path().join("agentdesk.db").display()), Some(dir))
            }
            Backend::Postgres => (postgres_url().await?, None),
        };
        let store = store::open(&url).await.expect("store opens");
        let database = url.clone();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (tx, rx) = oneshot::channel::<()>();
        let clock = Arc::new(ManualClock::new(agentdesk::clock::now()));
        let state = AppState::with_clock(store.clone(), config, clock.clone());
        let live = state.live.clone();
        let push = state.push.clone();
        tokio::spawn(agentdesk::launch(state, listener, async {
            let _ = rx.await;
        }));
        Some(TestApp {
            base,
            database,
            client: reqwest::Client::new(),
            store,
            clock,
            live,
            push,
            _shutdown: tx,
            _dir: dir,
        })
    }

    /// Runs the background step once at the clock's current time.
    pub async fn step(&self) -> agentdesk::live::StepReport {
        self.live.step().await.expect("background step")
    }

    /// Runs the webhook worker's step once at the clock's current time.
    pub async fn push_step(&self) -> agentdesk::push::PushReport {
        self.push.step().await.expect("webhook step")
    }

    pub async fn account(&self) -> Account {
        let n = agentdesk::domain::secret::new_token();
        let created = accounts::create_account(
            &self.store,
            "Test Center",
            &format!("admin{}@test.example", &n[..10]),
            Some("admin-pass-1"),
        )
        .await
        .unwrap();
        Account { user_id: created.user_id, token: created.token }
    }

    /// POSTs raw bytes with the given Content-Type (`None`: no header at all).
    pub async fn post_as(&self, path: &str, content_type: Option<&str>, body: &str) -> Reply {
        let mut request = self.client.post(format!("{}{}", self.base, path)).body(body.to_string());
        if let Some(ct) = content_type {
            request = request.header("content-type", ct);
        }
        let response = request.send().await.unwrap();
        Reply { status: response.status(), headers: response.headers().clone(), body: response.text().await.unwrap() }
    }

    /// POSTs a JSON text the way the DeepCall samples do (text/plain).
    pub async fn post(&self, path: &str, body: &str) -> Reply {
        self.post_as(path, Some("text/plain"), body).await
    }

    /// POSTs and expects HTTP 200 with exactly `expected` as the body.
    pub async fn expect(&self, path: &str, body: &str, expected: &str) {
        let reply = self.post(path, body).await;
        assert_eq!(reply.status, StatusCode::OK, "{path} {body}");
        assert_eq!(reply.body, expected, "{path} {body}");
    }

    /// POSTs and expects the error envelope with `code` and `message`.
    pub async fn expect_error(&self, path: &str, body: &str, code: u16, message: &str) {
        self.expect(path, body, &error_body(code, message)).await;
    }

    /// Creates an agent and returns its id.
    pub async fn agent(&self, account: &Account, fields: &str) -> i64 {
        let body = format!("{{{},{fields}}}", account.creds());
        let reply = self.post("/api/v2/Agent/create", &body).await.json();
        reply["agentId"].as_i64().unwrap_or_else(|| panic!("create failed: {reply}"))
    }

    pub async fn group(&self, account: &Account, name: &str) -> i64 {
        let body = format!(r#"{{{},"name":"{name}"}}"#, account.creds());
        let reply = self.post("/api/v2/Group/add", &body).await.json();
        reply["groupId"].as_i64().unwrap_or_else(|| panic!("group add failed: {reply}"))
    }

    /// Logs in and returns the ssid.
    pub async fn login(&self, email: &str, password: &str) -> String {
        let body = format!(r#"{{"email":"{email}","password":"{password}"}}"#);
        let reply = self.post("/api/v2/auth/login", &body).await.json();
        reply["ssid"].as_str().unwrap_or_else(|| panic!("login failed: {reply}")).to_string()
    }
}

/// Defines one test per backend: `name::sqlite` always, `name::postgres`
/// when `AGENTDESK_TEST_POSTGRES` is set (and then a dead server fails it).
/// `backend_test!(name, config, |app| …)` gives the server a `ServerConfig`.
#[macro_export]
macro_rules! backend_test {
    ($name:ident, |$app:ident| $body:block) => {
        backend_test!($name, $crate::common::config(), |$app| $body);
    };
    ($name:ident, $config:expr, |$app:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test]
            async fn sqlite() {
                let $app = $crate::common::TestApp::spawn_with($crate::common::Backend::Sqlite, $config).await.unwrap();
                $body
            }

            #[tokio::test]
            async fn postgres() {
                let Some($app) = $crate::common::TestApp::spawn_with($crate::common::Backend::Postgres, $config).await
                else {
                    eprintln!("skipped: {} is not set", $crate::common::POSTGRES_ENV);
                    return;
                };
                $body
            }
        }
    };
}

/// A fresh PostgreSQL database on the server `AGENTDESK_TEST_POSTGRES`
/// names, dropped with this (for tests that run the real binary);
/// `None` when no server is named.
pub struct PostgresDatabase {
    admin: String,
    name: String,
}

impl PostgresDatabase {
    pub async fn create() -> Option<Self> {
        use sqlx::Connection;
        let admin = std::env::var("AGENTDESK_TEST_POSTGRES").ok().filter(|v| !v.is_empty())?;
        let mut conn = sqlx::PgConnection::connect(&admin).await.expect("PostgreSQL reachable");
        let name = format!("agentdesk_t_{}", &agentdesk::domain::secret::new_token()[..12]);
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&mut conn).await.unwrap();
        Some(Self { admin, name })
    }

    pub fn url(&self) -> String {
        format!("{}/{}", self.admin.rsplit_once('/').unwrap().0, self.name)
    }
}

impl Drop for PostgresDatabase {
    fn drop(&mut self) {
        let (admin, name) = (self.admin.clone(), self.name.clone());
        let _ = std::thread::spawn(move || {
            use sqlx::Connection;
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            runtime.block_on(async {
                let mut conn = sqlx::PgConnection::connect(&admin).await.unwrap();
                let drop = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                let _ = sqlx::query(sqlx::AssertSqlSafe(drop)).execute(&mut conn).await;
            })
        })
        .join();
    }
}
