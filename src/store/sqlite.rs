//! The embedded default: one SQLite file, WAL journal, and `synchronous=FULL`
//! so a write is on disk before it is acknowledged.

use std::time::Duration;

use sqlx::Executor;
use sqlx::any::AnyPoolOptions;
use sqlx::migrate::Migrator;

use super::sql::{Backend, SqlStore};

static MIGRATOR: Migrator = sqlx::migrate!("migrations/sqlite");

pub fn handles(url: &str) -> bool {
    url.starts_with("sqlite:")
}

/// The file a `sqlite:` URL names (`sqlite://FILE`, `sqlite:FILE`, with or
/// without `?options`); `None` for an in-memory database or another scheme.
pub fn file_of(url: &str) -> Option<std::path::PathBuf> {
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or_default();
    if path.is_empty() || path == ":memory:" || url.contains("mode=memory") {
        return None;
    }
    Some(std::path::PathBuf::from(path))
}

/// `sqlite://FILE` (relative to the working directory), created if missing.
fn connect_url(url: &str) -> String {
    if url.contains("mode=") {
        url.to_string()
    } else if url.contains('?') {
        format!("{url}&mode=rwc")
    } else {
        format!("{url}?mode=rwc")
    }
}

pub async fn open(url: &str) -> anyhow::Result<SqlStore> {
    sqlx::any::install_default_drivers();
    let pool = AnyPoolOptions::new()
        .max_connections(8)
        .acquire_timeout(Duration::from_secs(10))
        .after_connect(|conn, _meta| {
            Box::pin(async move {
                // Durability first: WAL with FULL sync survives power loss;
                // busy_timeout makes concurrent writers queue instead of failing.
                conn.execute("PRAGMA journal_mode = WAL").await?;
                conn.execute("PRAGMA synchronous = FULL").await?;
                conn.execute("PRAGMA busy_timeout = 10000").await?;
                conn.execute("PRAGMA foreign_keys = ON").await?;
                Ok(())
            })
        })
        .connect(&connect_url(url))
        .await
        .map_err(|e| anyhow::anyhow!("cannot open SQLite database {url}: {e}"))?;
    MIGRATOR.run(&pool).await.map_err(|e| anyhow::anyhow!("SQLite migrations failed: {e}"))?;
    Ok(SqlStore::new(pool, Backend::Sqlite))
}
