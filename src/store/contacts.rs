//! Contacts, the account's contact fields and notes; a caller's calls are
//! read from the event log by its `caller_number` column.

use crate::domain::ids::AccountId;
use async_trait::async_trait;
use sqlx::any::AnyRow;

use super::live::EVENT_COLUMNS;
use super::sql::{Param, SqlStore, Statement, id, int, next_id, opt_int, opt_text, text};
use super::{CallerStats, ContactRow, ContactStore, NewNote, NoteQuery, NoteRow, StoreError, StoreResult};
use crate::domain::presence::Logged;

fn contact_row(row: &AnyRow) -> StoreResult<ContactRow> {
    Ok(ContactRow {
        number: text(row, "number")?,
        info: text(row, "info")?,
        created_at: int(row, "created_at")?,
        updated_at: int(row, "updated_at")?,
        version: int(row, "version")?,
    })
}

fn note_row(row: &AnyRow) -> StoreResult<NoteRow> {
    Ok(NoteRow {
        id: int(row, "id")?,
        caller_number: text(row, "caller_number")?,
        call_id: text(row, "call_id")?,
        content: text(row, "content")?,
        agent_id: id(row, "agent_id")?,
        created_at: int(row, "created_at")?,
    })
}

#[async_trait]
impl ContactStore for SqlStore {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn contact_fields(&self, account: &AccountId) -> StoreResult<Option<Vec<String>>> {
        let row = sqlx::query("SELECT contact_fields FROM accounts WHERE id = $1")
            .bind(account)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound)?;
        match opt_text(&row, "contact_fields")? {
            None => Ok(None),
            Some(json) => serde_json::from_str(&json).map(Some).map_err(|e| StoreError::Other(e.into())),
        }
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn set_contact_fields(&self, account: &AccountId, names: &[String]) -> StoreResult<()> {
        let json = serde_json::to_string(names).map_err(|e| StoreError::Other(e.into()))?;
        sqlx::query("UPDATE accounts SET contact_fields = $2 WHERE id = $1")
            .bind(account)
            .bind(json)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn contact(&self, account: &AccountId, number: &str) -> StoreResult<Option<ContactRow>> {
        let row = sqlx::query(
            "SELECT number, info, created_at, updated_at, version FROM contacts WHERE account_id = $1 AND number = $2",
        )
        .bind(account)
        .bind(number)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(contact_row).transpose()
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn create_contact(&self, account: &AccountId, contact: &ContactRow) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO contacts (account_id, number, info, created_at, updated_at, version) VALUES ($1, $2, $3, $4, $5, 0)",
        )
        .bind(account)
        .bind(&contact.number)
        .bind(&contact.info)
        .bind(contact.created_at)
        .bind(contact.updated_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn update_contact(&self, account: &AccountId, contact: &ContactRow) -> StoreResult<()> {
        let done = sqlx::query(
            "UPDATE contacts SET info = $3, updated_at = $4, version = version + 1
             WHERE account_id = $1 AND number = $2 AND version = $5",
        )
        .bind(account)
        .bind(&contact.number)
        .bind(&contact.info)
        .bind(contact.updated_at)
        .bind(contact.version)
        .execute(&self.pool)
        .await?;
        if done.rows_affected() == 0 { Err(StoreError::Conflict) } else { Ok(()) }
    }

    #[tracing::instrument(level = "debug", skip_all, fields(numbers = numbers.len()))]
    async fn caller_events(
        &self,
        account: &AccountId,
        numbers: &[String],
        from: i64,
        limit: i64,
    ) -> StoreResult<Vec<Logged>> {
        if numbers.is_empty() {
            return Ok(Vec::new());
        }
        let mut select = Statement::new(&format!(
            "SELECT {EVENT_COLUMNS} FROM agent_events WHERE account_id = $1 AND caller_number IN ("
        ));
        select.bind_first(Param::Text(account.to_string()));
        for (i, number) in numbers.iter().enumerate() {
            select.push(if i == 0 { "?" } else { ",?" }, Param::Text(number.clone()));
        }
        select.push(") AND at >= ?", Param::Int(from));
        select.push(" ORDER BY at DESC, seq DESC LIMIT ?", Param::Int(limit));
        self.fetch_events(select, true).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn search_contacts(
        &self,
        account: &AccountId,
        digits: &str,
        offset: i64,
        limit: i64,
    ) -> StoreResult<(Vec<ContactRow>, i64)> {
        // Digits only (the caller checks): no LIKE wildcard to escape.
        let pattern = format!("%{digits}%");
        let total = sqlx::query("SELECT COUNT(*) AS n FROM contacts WHERE account_id = $1 AND number LIKE $2")
            .bind(account)
            .bind(&pattern)
            .fetch_one(&self.pool)
            .await?;
        let rows = sqlx::query(
            "SELECT number, info, created_at, updated_at, version FROM contacts
             WHERE account_id = $1 AND number LIKE $2 ORDER BY number LIMIT $3 OFFSET $4",
        )
        .bind(account)
        .bind(&pattern)
        .bind(limit)
        .bind(offset)
        .fetch_all(&self.pool)
        .await?;
        Ok((rows.iter().map(contact_row).collect::<StoreResult<_>>()?, int(&total, "n")?))
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn caller_stats(&self, account: &AccountId, number: &str) -> StoreResult<CallerStats> {
        let row = sqlx::query(
            "SELECT COUNT(DISTINCT call_id) AS calls, MAX(at) AS last_at FROM agent_events
             WHERE account_id = $1 AND caller_number = $2",
        )
        .bind(account)
        .bind(number)
        .fetch_one(&self.pool)
        .await?;
        Ok(CallerStats { calls: int(&row, "calls")?, last_call_at: opt_int(&row, "last_at")? })
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn call_with_caller(&self, account: &AccountId, call_id: &str, number: &str) -> StoreResult<bool> {
        let row = sqlx::query(
            "SELECT seq FROM agent_events WHERE account_id = $1 AND call_id = $2 AND caller_number = $3 LIMIT 1",
        )
        .bind(account)
        .bind(call_id)
        .bind(number)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.is_some())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn add_note(&self, account: &AccountId, note: &NewNote) -> StoreResult<NoteRow> {
        let mut tx = self.write_tx().await?;
        let id = next_id(&mut tx, account, "next_note_id").await?;
        sqlx::query(
            "INSERT INTO notes (account_id, id, caller_number, call_id, content, agent_id, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(account)
        .bind(id)
        .bind(&note.caller_number)
        .bind(&note.call_id)
        .bind(&note.content)
        .bind(note.agent_id)
        .bind(note.created_at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(NoteRow {
            id,
            caller_number: note.caller_number.clone(),
            call_id: note.call_id.clone(),
            content: note.content.clone(),
            agent_id: note.agent_id,
            created_at: note.created_at,
        })
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn notes(&self, account: &AccountId, query: &NoteQuery) -> StoreResult<Vec<NoteRow>> {
        let mut select = Statement::new(
            "SELECT id, caller_number, call_id, content, agent_id, created_at FROM notes
             WHERE account_id = $1",
        );
        select.bind_first(Param::Text(account.to_string()));
        select.push(" AND caller_number = ?", Param::Text(query.caller_number.clone()));
        if let Some(call_id) = &query.call_id {
            select.push(" AND call_id = ?", Param::Text(call_id.clone()));
        }
        if let Some(before) = query.before_id {
            select.push(" AND id < ?", Param::Int(before));
        }
        select.push(" ORDER BY id DESC LIMIT ?", Param::Int(query.limit));
        let rows = select.query().fetch_all(&self.pool).await?;
        rows.iter().map(note_row).collect()
    }
}
