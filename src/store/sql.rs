//! The SQL behind every store trait, written once for SQLite and PostgreSQL:
//! both accept `$N` placeholders, `RETURNING`, `ON CONFLICT` and partial
//! indexes, so only connecting and migrating differ (`sqlite.rs`, `postgres.rs`).

use sqlx::any::{AnyArguments, AnyRow};
use sqlx::query::Query;
use sqlx::{Any, AnyPool, AssertSqlSafe, Row};

use std::sync::Arc;

use super::credentials::CredentialCache;
use super::directory_cache::DirectoryCache;
use super::session_uses::SessionUses;
use super::{AccountId, AgentId, GroupId, StoreError, StoreResult};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Clone)]
pub struct SqlStore {
    pub(super) pool: AnyPool,
    pub(super) backend: Backend,
    pub(super) credentials: Arc<CredentialCache>,
    pub(super) directory: Arc<DirectoryCache>,
    pub(super) session_uses: Arc<SessionUses>,
    /// Several nodes share the database (PostgreSQL): commits to the event
    /// log notify the others (`cluster.rs`).
    pub(super) clustered: bool,
    /// Connections that hold accounts' writer holds (several nodes only),
    /// apart from the pool: a node waiting for holds never takes the
    /// connections its own writes need.
    pub(super) holds: Option<AnyPool>,
}

impl SqlStore {
    pub(super) fn new(pool: AnyPool, backend: Backend) -> Self {
        Self {
            pool,
            backend,
            credentials: Arc::new(CredentialCache::new()),
            directory: Arc::new(DirectoryCache::new()),
            session_uses: Arc::new(SessionUses::default()),
            clustered: false,
            holds: None,
        }
    }

    /// A transaction that will write. SQLite takes the write lock up front
    /// (`BEGIN IMMEDIATE`): a deferred transaction that reads first could fail
    /// with SQLITE_BUSY when it upgrades, instead of waiting its turn.
    pub(super) async fn write_tx(&self) -> StoreResult<sqlx::Transaction<'static, Any>> {
        let tx = match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        };
        Ok(tx)
    }
}

/// A bind value for statements assembled at run time (filters, `IN` lists).
#[derive(Debug, Clone)]
pub(super) enum Param {
    Int(i64),
    Text(String),
}

impl From<i64> for Param {
    fn from(v: i64) -> Self {
        Param::Int(v)
    }
}

impl From<AgentId> for Param {
    fn from(id: AgentId) -> Self {
        Param::Int(id.0)
    }
}

impl From<GroupId> for Param {
    fn from(id: GroupId) -> Self {
        Param::Int(id.0)
    }
}

impl From<&AccountId> for Param {
    fn from(id: &AccountId) -> Self {
        Param::Text(id.to_string())
    }
}

/// Builds a statement whose `WHERE` clause depends on the request, numbering
/// placeholders as it goes.
#[derive(Debug, Default)]
pub(super) struct Statement {
    pub sql: String,
    params: Vec<Param>,
}

impl Statement {
    pub fn new(sql: &str) -> Self {
        Self { sql: sql.to_string(), params: Vec::new() }
    }

    /// Appends `sql` with its one `?` replaced by the next placeholder.
    pub fn push(&mut self, sql: &str, param: Param) -> &mut Self {
        self.params.push(param);
        let placeholder = format!("${}", self.params.len());
        self.sql.push_str(&sql.replacen('?', &placeholder, 1));
        self
    }

    /// Binds the next of the placeholders the SQL given to `new` already
    /// names (`$1`, then `$2`, …).
    pub fn bind_first(&mut self, param: Param) -> &mut Self {
        self.params.push(param);
        self
    }

    pub fn push_sql(&mut self, sql: &str) -> &mut Self {
        self.sql.push_str(sql);
        self
    }

    /// Appends `(…)` with one placeholder per id.
    pub fn push_list<Id: Copy + Into<Param>>(&mut self, ids: &[Id]) -> &mut Self {
        self.sql.push('(');
        for (i, id) in ids.iter().enumerate() {
            if i > 0 {
                self.sql.push(',');
            }
            self.push("?", (*id).into());
        }
        self.sql.push(')');
        self
    }

    pub fn query(&self) -> Query<'_, Any, AnyArguments> {
        let mut query = sqlx::query(AssertSqlSafe(self.sql.as_str()));
        for param in &self.params {
            query = match param {
                Param::Int(v) => query.bind(*v),
                Param::Text(v) => query.bind(v.as_str()),
            };
        }
        query
    }
}

impl SqlStore {
    /// Runs `select` (which names `columns`, in that order) and returns its
    /// rows, as the database folded them into one JSON array of arrays, in
    /// no particular order: callers that need one sort what they get (an
    /// ordered aggregate cost SQLite an ephemeral B-tree, a quarter of its
    /// time on a 2,000-event day). Bulk reads (a day of events, a whole
    /// roster) go this way: one value crosses the driver instead of
    /// thousands of rows, each of which would otherwise be a separate message
    /// between the driver's threads and a decode per column (≈ 10 µs a row
    /// with SQLite).
    pub(super) async fn json_rows<T: serde::de::DeserializeOwned>(
        &self,
        mut select: Statement,
        columns: &str,
    ) -> StoreResult<Vec<T>> {
        let folded = match self.backend {
            Backend::Sqlite => format!("SELECT json_group_array(json_array({columns})) AS rows"),
            Backend::Postgres => format!("SELECT COALESCE(json_agg(json_build_array({columns})), '[]')::text AS rows"),
        };
        select.sql = format!("{folded} FROM ({}) rows_to_fold", select.sql);
        let row = select.query().fetch_one(&self.pool).await?;
        let json = opt_text(&row, "rows")?.unwrap_or_default();
        if json.is_empty() {
            return Ok(Vec::new());
        }
        serde_json::from_str(&json).map_err(|e| StoreError::Other(anyhow::anyhow!("folded rows: {e}")))
    }

    /// A table of the elements of the JSON array bound to `placeholder`, one
    /// row each in a column `value` (`value ->> 0` is its first item on both
    /// backends). Bulk writes bind their rows this way: one parameter instead
    /// of one per field, and the same statement text whatever their number.
    pub(super) fn json_elements(&self, placeholder: &str) -> String {
        match self.backend {
            Backend::Sqlite => format!("json_each({placeholder})"),
            Backend::Postgres => format!("json_array_elements(CAST({placeholder} AS JSON))"),
        }
    }
}

/// What names are compared by (unique group and break names, name filters):
/// lower-cased by the server, any script, the same on both backends
/// (SQLite's LOWER() only folds ASCII).
/// `LIKE` pattern for a case-insensitive substring match (used with `ESCAPE '\'`).
pub(super) fn contains_pattern(needle: &str) -> String {
    let mut pattern = String::from("%");
    for c in needle.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

pub(super) fn text(row: &AnyRow, column: &str) -> StoreResult<String> {
    row.try_get::<String, _>(column).map_err(StoreError::from)
}

pub(super) fn opt_text(row: &AnyRow, column: &str) -> StoreResult<Option<String>> {
    row.try_get::<Option<String>, _>(column).map_err(StoreError::from)
}

pub(super) fn int(row: &AnyRow, column: &str) -> StoreResult<i64> {
    row.try_get::<i64, _>(column).map_err(StoreError::from)
}

pub(super) fn opt_int(row: &AnyRow, column: &str) -> StoreResult<Option<i64>> {
    row.try_get::<Option<i64>, _>(column).map_err(StoreError::from)
}

/// A column read as one of the domain's ids (`AgentId`, `AccountId`, …) or
/// an `Option` of one.
pub(super) fn id<T>(row: &AnyRow, column: &str) -> StoreResult<T>
where
    T: for<'r> sqlx::Decode<'r, Any> + sqlx::Type<Any>,
{
    row.try_get::<T, _>(column).map_err(StoreError::from)
}

/// Serialises the account's writers that read before they write (PostgreSQL
/// row lock; SQLite already holds the database write lock).
pub(super) async fn lock_account(tx: &mut sqlx::Transaction<'_, Any>, account: &AccountId) -> StoreResult<()> {
    sqlx::query("UPDATE accounts SET next_group_id = next_group_id WHERE id = $1")
        .bind(account)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Takes the next per-account number (`next_agent_id`, …) inside `tx`.
pub(super) async fn next_id(
    tx: &mut sqlx::Transaction<'_, Any>,
    account: &AccountId,
    counter: &'static str,
) -> StoreResult<i64> {
    let sql = format!("UPDATE accounts SET {counter} = {counter} + 1 WHERE id = $1 RETURNING {counter} - 1 AS id");
    let row = sqlx::query(AssertSqlSafe(sql)).bind(account).fetch_one(&mut **tx).await?;
    int(&row, "id")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_number_their_placeholders() {
        let mut s = Statement::new("SELECT 1 WHERE a = $1");
        s.params.push(Param::Int(1));
        s.push(" AND b = ?", Param::Text("x".into())).push_sql(" AND c IN ").push_list(&[4, 5]);
        assert_eq!(s.sql, "SELECT 1 WHERE a = $1 AND b = $2 AND c IN ($3,$4)");
    }

    #[test]
    fn like_patterns_escape_wildcards() {
        assert_eq!(contains_pattern("A_b%"), "%a\\_b\\%%");
    }
}
