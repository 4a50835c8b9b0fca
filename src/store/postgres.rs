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

/// Connects and migrates. One connection is tried first (`connect`), so
/// a server that is down is one clear error instead of a pool retrying
/// silently until its own wait is up.
pub async fn open(url: &str, clustered: bool) -> anyhow::Result<SqlStore> {
    let (first, at) = connect(url).await?;
    let _ = first.close().await;
    sqlx::any::install_default_drivers();
    let pool = AnyPoolOptions::new()
        .max_connections(16)
        .acquire_timeout(Duration::from_secs(10))
        .connect(url)
        .await
        .map_err(|e| anyhow::anyhow!("cannot connect to PostgreSQL at {at}: {e}"))?;
    MIGRATOR.run(&pool).await.map_err(|e| anyhow::anyhow!("PostgreSQL migrations failed: {e}"))?;
    let mut store = SqlStore::new(pool, Backend::Postgres);
    store.clustered = clustered;
    Ok(store)
}
