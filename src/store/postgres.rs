//! PostgreSQL, for several stateless agentdesk nodes sharing one database.

use std::time::Duration;

use sqlx::any::AnyPoolOptions;
use sqlx::migrate::Migrator;

use super::sql::{Backend, SqlStore};

static MIGRATOR: Migrator = sqlx::migrate!("migrations/postgres");

pub fn handles(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

pub async fn open(url: &str) -> anyhow::Result<SqlStore> {
    sqlx::any::install_default_drivers();
    let pool = AnyPoolOptions::new()
        .max_connections(16)
        .acquire_timeout(Duration::from_secs(10))
        .connect(url)
        .await
        .map_err(|e| anyhow::anyhow!("cannot connect to PostgreSQL: {e}"))?;
    MIGRATOR.run(&pool).await.map_err(|e| anyhow::anyhow!("PostgreSQL migrations failed: {e}"))?;
    Ok(SqlStore::new(pool, Backend::Postgres))
}
