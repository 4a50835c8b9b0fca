//! Account managers, the do-not-call list and the blacklist of numbers
//! (`domain::caller_marks`): `contact_marks` and `caller_blocks`.

use async_trait::async_trait;

use super::sql::{Param, SqlStore, Statement, id, opt_int, text};
use super::{AccountId, AgentId, CallerMarkStore, StoreResult};
use crate::domain::caller_marks::CallerMarks;

/// The entry of `marks` for `contact`, added when missing.
fn entry<'a>(marks: &'a mut Vec<(String, CallerMarks)>, contact: &str) -> &'a mut CallerMarks {
    let at = match marks.iter().position(|(c, _)| c == contact) {
        Some(at) => at,
        None => {
            marks.push((contact.to_string(), CallerMarks::default()));
            marks.len() - 1
        }
    };
    &mut marks[at].1
}

/// `SELECT … WHERE account_id = $1 AND contact IN (…)`.
fn select_of(sql: &str, account: &AccountId, contacts: &[String]) -> Statement {
    let mut select = Statement::new(sql);
    select.bind_first(Param::Text(account.to_string()));
    select.push_sql(" AND contact IN (");
    for (i, contact) in contacts.iter().enumerate() {
        select.push(if i == 0 { "?" } else { ",?" }, Param::Text(contact.clone()));
    }
    select.push_sql(")");
    select
}

#[async_trait]
impl CallerMarkStore for SqlStore {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn caller_marks(&self, account: &AccountId, contacts: &[String]) -> StoreResult<Vec<(String, CallerMarks)>> {
        let mut marks: Vec<(String, CallerMarks)> = Vec::new();
        if contacts.is_empty() {
            return Ok(marks);
        }
        let select = select_of(
            "SELECT contact, account_manager, dnc FROM contact_marks WHERE account_id = $1",
            account,
            contacts,
        );
        for row in select.query().fetch_all(&self.pool).await? {
            let mark = entry(&mut marks, &text(&row, "contact")?);
            mark.account_manager = id::<Option<AgentId>>(&row, "account_manager")?;
            mark.dnc = opt_int(&row, "dnc")?;
        }
        let select = select_of("SELECT contact, did FROM caller_blocks WHERE account_id = $1", account, contacts);
        for row in select.query().fetch_all(&self.pool).await? {
            entry(&mut marks, &text(&row, "contact")?).blocked.push(text(&row, "did")?);
        }
        for (_, mark) in &mut marks {
            mark.blocked.sort_unstable();
        }
        // A row whose marks were all taken off is no mark.
        marks.retain(|(_, m)| m.account_manager.is_some() || m.dnc.is_some() || !m.blocked.is_empty());
        Ok(marks)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn set_account_manager(
        &self,
        account: &AccountId,
        contact: &str,
        agent: Option<AgentId>,
        now: i64,
    ) -> StoreResult<bool> {
        let mut tx = self.write_tx().await?;
        let before = sqlx::query("SELECT account_manager FROM contact_marks WHERE account_id = $1 AND contact = $2")
            .bind(account)
            .bind(contact)
            .fetch_optional(&mut *tx)
            .await?;
        let had = match before {
            Some(row) => id::<Option<AgentId>>(&row, "account_manager")?.is_some(),
            None => false,
        };
        sqlx::query(
            "INSERT INTO contact_marks (account_id, contact, account_manager, dnc, updated_at)
             VALUES ($1, $2, $3, NULL, $4)
             ON CONFLICT (account_id, contact)
             DO UPDATE SET account_manager = excluded.account_manager, updated_at = excluded.updated_at",
        )
        .bind(account)
        .bind(contact)
        .bind(agent)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(had)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn set_dnc(&self, account: &AccountId, contact: &str, dnc: Option<i64>, now: i64) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO contact_marks (account_id, contact, account_manager, dnc, updated_at)
             VALUES ($1, $2, NULL, $3, $4)
             ON CONFLICT (account_id, contact)
             DO UPDATE SET dnc = excluded.dnc, updated_at = excluded.updated_at",
        )
        .bind(account)
        .bind(contact)
        .bind(dnc)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn block_caller(&self, account: &AccountId, contact: &str, dids: &[String], now: i64) -> StoreResult<()> {
        let mut tx = self.write_tx().await?;
        let everywhere =
            sqlx::query("SELECT 1 AS found FROM caller_blocks WHERE account_id = $1 AND contact = $2 AND did = ''")
                .bind(account)
                .bind(contact)
                .fetch_optional(&mut *tx)
                .await?
                .is_some();
        if everywhere {
            // Every number is barred already: nothing is wider.
            return Ok(());
        }
        if dids.iter().any(String::is_empty) {
            sqlx::query("DELETE FROM caller_blocks WHERE account_id = $1 AND contact = $2")
                .bind(account)
                .bind(contact)
                .execute(&mut *tx)
                .await?;
        }
        let mut dids: Vec<&str> = dids.iter().map(String::as_str).collect();
        if dids.contains(&"") {
            dids = vec![""];
        }
        for did in dids {
            sqlx::query(
                "INSERT INTO caller_blocks (account_id, contact, did, created_at) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (account_id, contact, did) DO NOTHING",
            )
            .bind(account)
            .bind(contact)
            .bind(did)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn unblock_caller(&self, account: &AccountId, contact: &str, dids: Option<&[String]>) -> StoreResult<u64> {
        let mut delete = Statement::new("DELETE FROM caller_blocks WHERE account_id = $1 AND contact = $2");
        delete.bind_first(Param::Text(account.to_string())).bind_first(Param::Text(contact.to_string()));
        if let Some(dids) = dids {
            if dids.is_empty() {
                return Ok(0);
            }
            delete.push_sql(" AND did IN (");
            for (i, did) in dids.iter().enumerate() {
                delete.push(if i == 0 { "?" } else { ",?" }, Param::Text(did.clone()));
            }
            delete.push_sql(")");
        }
        Ok(delete.query().execute(&self.pool).await?.rows_affected())
    }
}
