//! The application state every handler gets: the store, the live view,
//! the clock, the configuration and the in-memory limits. It sits above
//! `api`, `live` and `store` and is built once at start-up.

use std::sync::Arc;

use crate::clock::{Clock, SystemClock};
use crate::limits::{InFlight, LoginGuard, OpenStreams, PasswordChecks, RateLimits};
use crate::live;
use crate::push::{PushConfig, Pusher};
use crate::store::SharedStore;

/// Server-wide knobs the handlers read.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// How long a login session lasts after its last use.
    pub session_ttl_secs: i64,
    /// How long a login session lasts at most, from login, however much it is used.
    pub session_max_secs: i64,
    /// Failed logins of one email before it is locked out …
    pub login_max_failures: u32,
    /// … for the rest of this window.
    pub login_window_secs: i64,
    /// Requests per second of one credential to ordinary endpoints; every
    /// other budget scales from it (`limits::rates`). 0: no budgets.
    pub rate_limit: u32,
    /// API requests handled at once before new ones are shed (503).
    pub max_in_flight: u32,
    /// Reverse proxies whose `X-Forwarded-For` names the client
    /// (`limits::client_address`); none by default.
    pub trusted_proxies: crate::limits::TrustedProxies,
    /// Password checks and hashes (argon2) run at once; `None`: one per
    /// core. Four times as many may wait; beyond, 503 (`limits::password_checks`).
    pub password_checks: Option<u32>,
    /// How long a connection may take to send a request's headers in full
    /// before it is closed.
    pub header_read_timeout: std::time::Duration,
    /// One of several nodes sharing a PostgreSQL database (`--cluster`).
    pub cluster: bool,
    /// Webhooks may target loopback and private addresses (refused otherwise).
    pub webhook_allow_private: bool,
    /// Multiplies the webhook retry ladder and switch-off window: 1 in
    /// production; a test shortens them with a small value.
    pub webhook_retry_scale: f64,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            session_ttl_secs: 12 * 3600,
            session_max_secs: 7 * 86400,
            login_max_failures: 5,
            login_window_secs: 300,
            rate_limit: 50,
            max_in_flight: 1024,
            trusted_proxies: Default::default(),
            password_checks: None,
            header_read_timeout: std::time::Duration::from_secs(30),
            cluster: false,
            webhook_allow_private: false,
            webhook_retry_scale: 1.0,
        }
    }
}

/// What every handler gets: the store, the live view, the clock and the
/// configuration. Cloned for every request, so it is one reference count
/// rather than one per part.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

pub struct Shared {
    pub store: SharedStore,
    pub live: Arc<live::Live>,
    pub clock: Arc<dyn Clock>,
    pub settings: Arc<ServerConfig>,
    pub login_guard: Arc<LoginGuard>,
    pub rates: Arc<RateLimits>,
    pub in_flight: Arc<InFlight>,
    pub password_checks: Arc<PasswordChecks>,
    /// Event streams open now (`limits::streams`).
    pub streams: OpenStreams,
    /// The webhook delivery worker (its loop runs beside the live one).
    pub push: Arc<Pusher>,
}

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

impl AppState {
    pub fn new(store: SharedStore, settings: ServerConfig) -> Self {
        Self::with_clock(store, settings, Arc::new(SystemClock))
    }

    /// With a clock of the caller's choosing (tests and simulations).
    pub fn with_clock(store: SharedStore, settings: ServerConfig, clock: Arc<dyn Clock>) -> Self {
        let (max_failures, window) = (settings.login_max_failures, settings.login_window_secs);
        let login_guard = if settings.cluster {
            LoginGuard::shared(max_failures, window, store.clone())
        } else {
            LoginGuard::new(max_failures, window)
        };
        let mut live = live::Live::new(store.clone(), clock.clone());
        if settings.cluster {
            live = live.in_cluster(node_name());
        }
        let live = Arc::new(live);
        let rates = Arc::new(RateLimits::new(settings.rate_limit));
        let in_flight = Arc::new(InFlight::new(settings.max_in_flight as usize));
        let password_checks = Arc::new(PasswordChecks::new(settings.password_checks.map(|n| n as usize)));
        let push_config =
            PushConfig { allow_private: settings.webhook_allow_private, retry_scale: settings.webhook_retry_scale };
        let push = Arc::new(Pusher::new(store.clone(), clock.clone(), push_config));
        Self(Arc::new(Shared {
            store,
            live,
            clock,
            settings: Arc::new(settings),
            login_guard: Arc::new(login_guard),
            rates,
            in_flight,
            password_checks,
            streams: OpenStreams::default(),
            push,
        }))
    }
}

/// This process's name among the nodes of a cluster (in the timers lease):
/// host, process id and a random part, so a restarted node is a new one.
fn node_name() -> String {
    use rand::RngExt;
    let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "node".to_string());
    format!("{host}-{}-{:08x}", std::process::id(), rand::rng().random::<u32>())
}
