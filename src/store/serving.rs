//! One serving process per SQLite file. SQLite has no way to tell two
//! servers on one file about each other's changes, so each would decide on
//! its own stale view of the agents and both would silently diverge. A
//! second `serve` therefore refuses to start. One-shot commands (`account
//! …`, `migrate`, `backup`) do not claim the file: they may run beside the
//! server, as SQLite's own locking makes them safe.
//!
//! PostgreSQL needs no claim here: several nodes may share one database.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::PathBuf;

use super::sqlite;

/// Held for as long as the server runs: the lock is released when it is
/// dropped, or by the operating system when the process dies (`kill -9`
/// included), so a crash never leaves a stale claim behind.
#[derive(Debug)]
pub struct ServingClaim {
    _file: Option<File>,
}

/// Claims the database for a serving process: for a SQLite file, an
/// exclusive advisory lock on `FILE.serve-lock` beside it. Fails with a
/// message naming the file when another `serve` holds it.
pub fn claim(url: &str) -> anyhow::Result<ServingClaim> {
    let Some(path) = sqlite::file_of(url) else { return Ok(ServingClaim { _file: None }) };
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
        Ok(()) => Ok(ServingClaim { _file: Some(file) }),
        Err(TryLockError::WouldBlock) => anyhow::bail!(
            "another agentdesk server is already serving {} (SQLite allows one server per file; \
             to run several nodes, share one PostgreSQL database)",
            path.display()
        ),
        Err(TryLockError::Error(e)) => anyhow::bail!("cannot lock {}: {e}", lock_path.display()),
    }
}
