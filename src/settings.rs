//! One typed set of settings: defaults < `AGENTDESK_*` environment < flags.

use std::fmt;
use std::net::SocketAddr;

use clap::Args;

/// Where the data lives: `sqlite://FILE` (default, created on start) or `postgres://…`.
#[derive(Args, Clone)]
pub struct DatabaseSettings {
    #[arg(long, env = "AGENTDESK_DATABASE", default_value = "sqlite://agentdesk.db")]
    pub database: String,
}

impl DatabaseSettings {
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
    /// Address to listen on.
    #[arg(long, env = "AGENTDESK_BIND", default_value = "127.0.0.1:8080")]
    pub bind: SocketAddr,
    #[command(flatten)]
    pub db: DatabaseSettings,
    /// Lifetime of a login session, in seconds.
    #[arg(long, env = "AGENTDESK_SESSION_TTL", default_value_t = 12 * 3600,
          value_parser = clap::value_parser!(i64).range(60..=30 * 86400))]
    pub session_ttl: i64,
    /// Load a demo account before serving (prints its credentials).
    #[arg(long)]
    pub demo: bool,
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
