//! The embedded default: one SQLite file, WAL journal, and `synchronous=FULL`
//! so a write is on disk before it is acknowledged.

use std::path::Path;
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

/// The file a `sqlite:` URL names, refused before SQLite is asked when
/// there is none (`sqlite://`, or `:memory:`, which each pooled connection
/// would see as a database of its own) or its directory does not exist.
pub(super) fn check_path(url: &str) -> anyhow::Result<()> {
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")).unwrap_or(url);
    let path = rest.split('?').next().unwrap_or_default();
    if path.is_empty() || path == ":memory:" {
        anyhow::bail!("{url:?} names no database file: use sqlite://FILE, e.g. sqlite://agentdesk.db");
    }
    let path = Path::new(path);
    if path.is_dir() {
        anyhow::bail!("cannot open SQLite database {url}: {} is a directory", path.display());
    }
    let directory = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    if !directory.is_dir() {
        anyhow::bail!("cannot open SQLite database {url}: the directory {} does not exist", directory.display());
    }
    Ok(())
}

pub async fn open(url: &str) -> anyhow::Result<SqlStore> {
    check_path(url)?;
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
        .map_err(|e| {
            anyhow::anyhow!("cannot open SQLite database {url} (is the file or its directory read-only?): {e}")
        })?;
    if let Err(e) = ready_to_write(&pool, url).await {
        pool.close().await;
        return Err(e);
    }
    Ok(SqlStore::new(pool, Backend::Sqlite))
}

/// Migrates, then proves a write goes through: a file or directory the
/// server may read but not write would otherwise let it start and then
/// fail every write, one error each.
async fn ready_to_write(pool: &sqlx::AnyPool, url: &str) -> anyhow::Result<()> {
    MIGRATOR.run(pool).await.map_err(|e| anyhow::anyhow!("SQLite migrations failed on {url}: {e}"))?;
    for probe in ["CREATE TABLE IF NOT EXISTS agentdesk_write_check (x INTEGER)", "DROP TABLE agentdesk_write_check"] {
        sqlx::query(probe).execute(pool).await.map_err(|e| {
            anyhow::anyhow!(
                "the SQLite database {url} cannot be written (is the file or its directory read-only?): {e}"
            )
        })?;
    }
    Ok(())
}

/// Copies a SQLite database, online, with `VACUUM INTO`: one read
/// transaction, so the copy is the database as of one instant while
/// servers keep writing (WAL lets them). It is written beside `to` and
/// renamed into place once synced, so a file at `to` is always whole.
pub async fn backup(url: &str, to: &Path) -> anyhow::Result<()> {
    use sqlx::Connection;
    check_path(url)?;
    if to.exists() {
        anyhow::bail!("{} already exists: a backup is written to a new file", to.display());
    }
    let mut partial = to.as_os_str().to_owned();
    partial.push(".partial");
    let partial = std::path::PathBuf::from(partial);
    let _ = std::fs::remove_file(&partial);
    sqlx::any::install_default_drivers();
    // mode=rw: a database that is not there is an error, not a new empty file.
    let source = if url.contains('?') { format!("{url}&mode=rw") } else { format!("{url}?mode=rw") };
    let mut conn = sqlx::AnyConnection::connect(&source)
        .await
        .map_err(|e| anyhow::anyhow!("cannot open SQLite database {url}: {e}"))?;
    conn.execute("PRAGMA busy_timeout = 10000").await?;
    let copied = sqlx::query("VACUUM INTO $1").bind(partial.to_string_lossy().into_owned()).execute(&mut conn).await;
    let _ = conn.close().await;
    copied.map_err(|e| anyhow::anyhow!("backup of {url} to {} failed: {e}", to.display()))?;
    std::fs::File::open(&partial)?.sync_all()?;
    std::fs::rename(&partial, to)?;
    Ok(())
}
