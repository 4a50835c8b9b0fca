//! PostgreSQL: one server, or several nodes sharing one database
//! (docs/SCALING.md).

use std::str::FromStr;
use std::time::Duration;

use sqlx::Connection;
use sqlx::any::AnyPoolOptions;
use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnectOptions, PgConnection};

use super::sql::{Backend, SqlStore};

static MIGRATOR: Migrator = sqlx::migrate!("migrations/postgres");

pub fn handles(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

/// How long start-up waits for PostgreSQL's first answer.
pub const CONNECT_WAIT: Duration = Duration::from_secs(5);

/// One connection, tried for at most `CONNECT_WAIT`: a server that is down
/// or unreachable is one error naming its host, port and the cause. Also
/// answers `host:port` for later messages.
pub(super) async fn connect(url: &str) -> anyhow::Result<(PgConnection, String)> {
    let options = PgConnectOptions::from_str(url).map_err(|e| anyhow::anyhow!("invalid PostgreSQL URL: {e}"))?;
    let at = format!("{}:{}", options.get_host(), options.get_port());
    match tokio::time::timeout(CONNECT_WAIT, PgConnection::connect_with(&options)).await {
        Err(_) => anyhow::bail!("cannot connect to PostgreSQL at {at}: no answer within {} s", CONNECT_WAIT.as_secs()),
        Ok(Err(sqlx::Error::Io(cause))) => anyhow::bail!("cannot connect to PostgreSQL at {at}: {cause}"),
        Ok(Err(cause)) => anyhow::bail!("cannot connect to PostgreSQL at {at}: {cause}"),
        Ok(Ok(connection)) => Ok((connection, at)),
    }
}

/// What every pooled session of a node is bounded by, so a node that stops
/// in the middle of a write (SIGSTOP, a paused VM, a partition) cannot hold
/// an account's rows from the other nodes for longer than a few seconds
/// (issue 24): PostgreSQL ends a session idle in a transaction after 5 s,
/// releasing its locks; a lock not had within 8 s and a statement running
/// for 25 s (under the 30 s request deadline) are given up, and answered
/// 503 (`not_there_now`). Dead peers are found by TCP keepalives within
/// about 25 s. `application_name` names the node's process in
/// `pg_stat_activity`.
pub const SESSION_BOUNDS: &[(&str, &str)] = &[
    ("idle_in_transaction_session_timeout", "5s"),
    ("lock_timeout", "8s"),
    ("statement_timeout", "25s"),
    ("tcp_keepalives_idle", "10"),
    ("tcp_keepalives_interval", "5"),
    ("tcp_keepalives_count", "3"),
];

/// This process's name in `pg_stat_activity`.
pub fn application_name() -> String {
    format!("agentdesk/{}", std::process::id())
}

/// Connects and migrates. One connection is tried first (`connect`), so
/// a server that is down is one clear error instead of a pool retrying
/// silently until its own wait is up; it runs the migrations, unbounded
/// (a migration of a large table may take longer than a request may).
pub async fn open(url: &str, clustered: bool) -> anyhow::Result<SqlStore> {
    let (mut first, at) = connect(url).await?;
    MIGRATOR.run(&mut first).await.map_err(|e| anyhow::anyhow!("PostgreSQL migrations failed: {e}"))?;
    let _ = first.close().await;
    sqlx::any::install_default_drivers();
    let pool = bounded_pool(16)
        .connect(url)
        .await
        .map_err(|e| anyhow::anyhow!("cannot connect to PostgreSQL at {at}: {e}"))?;
    let holds = if clustered { Some(bounded_pool(WRITER_HOLDS).connect_lazy(url)?) } else { None };
    let mut store = SqlStore::new(pool, Backend::Postgres);
    store.clustered = clustered;
    store.holds = holds;
    Ok(store)
}

/// How many accounts' writer holds a node holds or waits for at once
/// (`ClusterStore::hold_writer`); more wait for a connection.
const WRITER_HOLDS: u32 = 8;

/// A pool of `size` connections, each named and bounded (`SESSION_BOUNDS`).
fn bounded_pool(size: u32) -> AnyPoolOptions {
    AnyPoolOptions::new().max_connections(size).acquire_timeout(Duration::from_secs(10)).after_connect(
        |connection, _| {
            Box::pin(async move {
                let mut settings = format!("SET application_name = '{}'", application_name());
                for (name, value) in SESSION_BOUNDS {
                    settings.push_str(&format!("; SET {name} = '{value}'"));
                }
                sqlx::raw_sql(sqlx::AssertSqlSafe(settings)).execute(connection).await?;
                Ok(())
            })
        },
    )
}
