//! One typed set of settings: defaults < `--config` file < `AGENTDESK_*`
//! environment < flags.

use std::fmt;
use std::path::Path;

use clap::parser::ValueSource;
use clap::{ArgMatches, Args};
use serde::Deserialize;

/// Longest and shortest session lifetimes we accept, in seconds.
const SESSION_TTL_RANGE: std::ops::RangeInclusive<i64> = 60..=30 * 86400;
/// Longest and shortest absolute session lifetimes we accept, in seconds.
const SESSION_MAX_RANGE: std::ops::RangeInclusive<i64> = 60..=365 * 86400;

/// What a `--config` TOML file may set — every setting of `serve`, under
/// its flag's name with `_` for `-`; any other key is an error.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileSettings {
    pub bind: Option<String>,
    pub database: Option<String>,
    pub session_ttl: Option<i64>,
    pub session_max: Option<i64>,
    pub rate_limit: Option<u32>,
    pub max_in_flight: Option<u32>,
    pub password_checks: Option<u32>,
    pub trusted_proxies: Option<Vec<String>>,
    pub cluster: Option<bool>,
    pub webhook_allow_private: Option<bool>,
    pub webhook_retry_scale: Option<f64>,
}

impl FileSettings {
    pub fn load(path: Option<&Path>) -> anyhow::Result<Self> {
        let Some(path) = path else {
            return Ok(Self::default());
        };
        let text = std::fs::read_to_string(path)
            .map_err(|e| anyhow::anyhow!("cannot read config file {}: {e}", path.display()))?;
        toml::from_str(&text).map_err(|e| anyhow::anyhow!("config file {}: {e}", path.display()))
    }
}

/// True when neither a flag nor the environment set it (clap fell back to
/// the default, or it has none): only then may the file decide.
fn defaulted(matches: &ArgMatches, id: &str) -> bool {
    matches!(matches.value_source(id), None | Some(ValueSource::DefaultValue))
}

/// Where the data lives: `sqlite://FILE` (default, created on start) or `postgres://…`.
#[derive(Args, Clone)]
pub struct DatabaseSettings {
    #[arg(long, env = "AGENTDESK_DATABASE", default_value = "sqlite://agentdesk.db")]
    pub database: String,
}

impl DatabaseSettings {
    /// Takes the file's database where neither a flag nor the environment set one.
    pub fn layer(&mut self, matches: &ArgMatches, file: &FileSettings) {
        if let Some(database) = file.database.as_ref().filter(|_| defaulted(matches, "database")) {
            self.database = database.clone();
        }
    }

    /// The URL without its password, for logs.
    pub fn redacted(&self) -> String {
        redact(&self.database)
    }
}

impl fmt::Debug for DatabaseSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DatabaseSettings").field("database", &self.redacted()).finish()
    }
}

#[derive(Args, Clone, Debug)]
pub struct ServeSettings {
    /// Address to listen on: `IP:PORT` or `HOST:PORT` (`localhost:8080`).
    #[arg(long, env = "AGENTDESK_BIND", default_value = "127.0.0.1:8080")]
    pub bind: String,
    #[command(flatten)]
    pub db: DatabaseSettings,
    /// Lifetime of a login session after its last use, in seconds.
    #[arg(long, env = "AGENTDESK_SESSION_TTL", default_value_t = 12 * 3600,
          value_parser = clap::value_parser!(i64).range(SESSION_TTL_RANGE))]
    pub session_ttl: i64,
    /// Longest a login session lasts however much it is used, in seconds from login.
    #[arg(long, env = "AGENTDESK_SESSION_MAX", default_value_t = 7 * 86400,
          value_parser = clap::value_parser!(i64).range(SESSION_MAX_RANGE))]
    pub session_max: i64,
    /// Requests per second one credential may send to ordinary endpoints;
    /// the telephony, ping and per-account budgets scale from it (README,
    /// "Limits"). 0 turns budgets off.
    #[arg(long, env = "AGENTDESK_RATE_LIMIT", default_value_t = 50)]
    pub rate_limit: u32,
    /// API requests handled at once; beyond it a request is answered 503
    /// with `Retry-After` at once instead of queueing.
    #[arg(long, env = "AGENTDESK_MAX_IN_FLIGHT", default_value_t = 1024,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub max_in_flight: u32,
    /// Password checks and hashes (argon2, about 20 ms and 19 MiB each)
    /// run at once; four times as many may wait, and beyond that a login
    /// is answered 503 with `Retry-After`. Default: one per core.
    #[arg(long, env = "AGENTDESK_PASSWORD_CHECKS", value_parser = clap::value_parser!(u32).range(1..=256))]
    pub password_checks: Option<u32>,
    /// Reverse proxies whose `X-Forwarded-For` names the client, for the
    /// per-address login limits and the security log: addresses or CIDR
    /// ranges, comma-separated (`127.0.0.1,10.0.0.0/8`). None by default:
    /// the header is ignored.
    #[arg(long, env = "AGENTDESK_TRUSTED_PROXIES", value_delimiter = ',', value_parser = trusted_proxy)]
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Let webhooks target loopback and private addresses (refused by
    /// default: a customer's URL must not reach the server's own network).
    #[arg(long, env = "AGENTDESK_WEBHOOK_ALLOW_PRIVATE", value_parser = clap::builder::BoolishValueParser::new(),
          default_value_t = false, num_args = 0..=1, default_missing_value = "true")]
    pub webhook_allow_private: bool,
    /// For testing: multiplies the webhook retry ladder and the switch-off
    /// window (0.001 turns 5 minutes into 1 second). 1 in production.
    #[arg(long, env = "AGENTDESK_WEBHOOK_RETRY_SCALE", default_value_t = 1.0, value_parser = retry_scale)]
    pub webhook_retry_scale: f64,
    /// Load a demo account before serving (prints its credentials).
    #[arg(long)]
    pub demo: bool,
    /// This server is one of several nodes sharing one PostgreSQL database
    /// (docs/SCALING.md); every node of it must say so. The variable takes
    /// `1`/`0` as well as `true`/`false`, `yes`/`no`, `on`/`off`.
    #[arg(long, env = "AGENTDESK_CLUSTER", value_parser = clap::builder::BoolishValueParser::new(),
          default_value_t = false, num_args = 0..=1, default_missing_value = "true")]
    pub cluster: bool,
}

impl ServeSettings {
    /// Takes the file's values where neither a flag nor the environment set them.
    pub fn layer(&mut self, matches: &ArgMatches, file: &FileSettings) -> anyhow::Result<()> {
        self.db.layer(matches, file);
        if let Some(bind) = file.bind.as_ref().filter(|_| defaulted(matches, "bind")) {
            self.bind = bind.clone();
        }
        if let Some(ttl) = file.session_ttl.filter(|_| defaulted(matches, "session_ttl")) {
            anyhow::ensure!(SESSION_TTL_RANGE.contains(&ttl), "config file: session_ttl must be 60..=2592000 seconds");
            self.session_ttl = ttl;
        }
        if let Some(max) = file.session_max.filter(|_| defaulted(matches, "session_max")) {
            anyhow::ensure!(SESSION_MAX_RANGE.contains(&max), "config file: session_max must be 60..=31536000 seconds");
            self.session_max = max;
        }
        if let Some(n) = file.rate_limit.filter(|_| defaulted(matches, "rate_limit")) {
            self.rate_limit = n;
        }
        if let Some(n) = file.max_in_flight.filter(|_| defaulted(matches, "max_in_flight")) {
            anyhow::ensure!(n >= 1, "config file: max_in_flight must be at least 1");
            self.max_in_flight = n;
        }
        if let Some(n) = file.password_checks.filter(|_| defaulted(matches, "password_checks")) {
            anyhow::ensure!((1..=256).contains(&n), "config file: password_checks must be 1..=256");
            self.password_checks = Some(n);
        }
        if let Some(list) = file.trusted_proxies.as_ref().filter(|_| defaulted(matches, "trusted_proxies")) {
            self.trusted_proxies = list
                .iter()
                .map(|raw| trusted_proxy(raw).map_err(|why| anyhow::anyhow!("config file: trusted_proxies: {why}")))
                .collect::<anyhow::Result<_>>()?;
        }
        if let Some(on) = file.cluster.filter(|_| defaulted(matches, "cluster")) {
            self.cluster = on;
        }
        if let Some(on) = file.webhook_allow_private.filter(|_| defaulted(matches, "webhook_allow_private")) {
            self.webhook_allow_private = on;
        }
        if let Some(scale) = file.webhook_retry_scale.filter(|_| defaulted(matches, "webhook_retry_scale")) {
            self.webhook_retry_scale = retry_scale(&scale.to_string())
                .map_err(|why| anyhow::anyhow!("config file: webhook_retry_scale: {why}"))?;
        }
        anyhow::ensure!(
            self.session_max >= self.session_ttl,
            "session_max ({}) must be at least session_ttl ({}): a session may not end before its idle time is up",
            self.session_max,
            self.session_ttl
        );
        Ok(())
    }
}

/// One trusted proxy: an address or a CIDR range.
fn trusted_proxy(raw: &str) -> Result<ipnet::IpNet, String> {
    crate::limits::TrustedProxies::parse_one(raw)
}

/// A retry scale: more than 0, at most 1.
fn retry_scale(raw: &str) -> Result<f64, String> {
    match raw.trim().parse::<f64>() {
        Ok(v) if v > 0.0 && v <= 1.0 => Ok(v),
        _ => Err(format!("{raw:?} is not a number in (0, 1]")),
    }
}

/// `postgres://user:secret@host/db` → `postgres://user:***@host/db`.
fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    match rest.split_once('@') {
        Some((userinfo, host)) if userinfo.contains(':') => {
            let user = userinfo.split(':').next().unwrap_or("");
            format!("{scheme}://{user}:***@{host}")
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_never_reach_the_logs() {
        assert_eq!(super::redact("postgres://app:s3cret@db:5432/x"), "postgres://app:***@db:5432/x");
        assert_eq!(super::redact("sqlite://agentdesk.db"), "sqlite://agentdesk.db");
    }
}
