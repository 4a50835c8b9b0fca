//! One serving process per SQLite file. SQLite has no way to tell two
//! servers on one file about each other's changes, so each would decide on
//! its own stale view of the agents and both would silently diverge. A
//! second `serve` therefore refuses to start. One-shot commands (`account
//! …`, `migrate`, `backup`) do not claim the file: they may run beside the
//! server, as SQLite's own locking makes them safe.
//!
//! A PostgreSQL database is served by one server, or by nodes that all
//! know they share it (`--cluster`, docs/SCALING.md): a server alone takes
//! an exclusive session-level advisory lock, each node of a cluster a
//! shared one, so mixing the two (a node started without `--cluster` beside
//! others, which would decide on its own stale view) refuses to start.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::PathBuf;

use sqlx::postgres::PgConnection;

use super::{postgres, sqlite};

/// The advisory lock key of a serving claim on a PostgreSQL database
/// ("agentdsk" in ASCII).
const SERVING_KEY: i64 = 0x6167_656e_7464_736b;

/// Held for as long as the server runs: the lock is released when it is
/// dropped, or by the operating system when the process dies (`kill -9`
/// included), so a crash never leaves a stale claim behind.
#[derive(Debug)]
pub struct ServingClaim {
    _file: Option<File>,
    /// PostgreSQL: the session holding the advisory lock (it ends with the
    /// connection, a crash included).
    _session: Option<PgConnection>,
}

/// Claims the database for a serving process: for a SQLite file, an
/// exclusive advisory lock on `FILE.serve-lock` beside it; for PostgreSQL,
/// the advisory lock described above (`clustered`: a node of several).
/// Fails with a message saying what holds it.
pub async fn claim(url: &str, clustered: bool) -> anyhow::Result<ServingClaim> {
    if postgres::handles(url) {
        return claim_postgres(url, clustered).await;
    }
    let Some(path) = sqlite::file_of(url) else { return Ok(ServingClaim { _file: None, _session: None }) };
    // A missing directory is named as such (the store's own check), not
    // as a lock file that cannot be created in it.
    sqlite::check_path(url)?;
    let mut lock_path = path.clone().into_os_string();
    lock_path.push(".serve-lock");
    let lock_path = PathBuf::from(lock_path);
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(|e| anyhow::anyhow!("cannot create the lock file {}: {e}", lock_path.display()))?;
    match file.try_lock() {
        Ok(()) => Ok(ServingClaim { _file: Some(file), _session: None }),
        Err(TryLockError::WouldBlock) => anyhow::bail!(
            "another agentdesk server is already serving {} (SQLite allows one server per file; \
             to run several nodes, share one PostgreSQL database)",
            path.display()
        ),
        Err(TryLockError::Error(e)) => anyhow::bail!("cannot lock {}: {e}", lock_path.display()),
    }
}

async fn claim_postgres(url: &str, clustered: bool) -> anyhow::Result<ServingClaim> {
    match take_postgres(url, clustered).await? {
        Some(session) => Ok(ServingClaim { _file: None, _session: Some(session) }),
        None => anyhow::bail!("{}", held_elsewhere(clustered)),
    }
}

/// Why a claim was refused: the database is held the other way.
fn held_elsewhere(clustered: bool) -> &'static str {
    if clustered {
        "an agentdesk server started without --cluster is serving this database; \
         start every node that shares a database with --cluster"
    } else {
        "another agentdesk server is already serving this database; \
         to run several nodes on it, start every one with --cluster"
    }
}

/// A new session holding the claim; `None` when another server holds the
/// database the other way. Err: the database could not be reached.
async fn take_postgres(url: &str, clustered: bool) -> anyhow::Result<Option<PgConnection>> {
    let (mut session, at) = postgres::connect(url).await?;
    let lock = if clustered { "SELECT pg_try_advisory_lock_shared($1)" } else { "SELECT pg_try_advisory_lock($1)" };
    let (taken,): (bool,) = sqlx::query_as(lock)
        .bind(SERVING_KEY)
        .fetch_one(&mut session)
        .await
        .map_err(|e| anyhow::anyhow!("cannot claim the database at {at}: {e}"))?;
    Ok(taken.then_some(session))
}

impl ServingClaim {
    /// Keeps the claim for as long as the server runs. PostgreSQL ends a
    /// session's advisory lock with its connection (a restart, an
    /// administrator's `pg_terminate_backend`), after which a server that
    /// must be refused could start beside this one: the session is checked
    /// once a second, and when it is gone the claim is taken again on a
    /// new one (retried each second while the database is unreachable).
    /// Returns only when another server took the database in between: this
    /// one must then stop, not decide beside it. A SQLite file's lock
    /// cannot lapse (it is the process's own): never returns.
    pub async fn keep(mut self, url: &str, clustered: bool) -> anyhow::Error {
        loop {
            tokio::time::sleep(std::time::Duration::from_secs(1)).await;
            let Some(session) = self._session.as_mut() else { return std::future::pending().await };
            if sqlx::query("SELECT 1").execute(&mut *session).await.is_ok() {
                continue;
            }
            tracing::warn!("lost the database session that holds this server's claim; taking the claim again");
            self._session = loop {
                match take_postgres(url, clustered).await {
                    Ok(Some(session)) => break Some(session),
                    Ok(None) => return anyhow::anyhow!("{}", held_elsewhere(clustered)),
                    Err(err) => {
                        tracing::warn!(error = %err, "cannot take the claim again yet; retrying in a second");
                        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                    }
                }
            };
            tracing::info!("the claim is held again");
        }
    }
}
