//! Agents, their group mappings, working hours and CAD flags.

use crate::domain::ids::{AccountId, AgentId, RoleId};
use std::sync::Arc;

use async_trait::async_trait;
use sqlx::any::AnyRow;
use sqlx::{Any, Transaction};

use super::sql::{Param, SqlStore, Statement, id, int, next_id, opt_text, text};
use super::{
    AccountDirectory, AgentChanges, AgentFilter, AgentGroup, AgentPage, AgentRow, AgentStore, DirectoryAgent, Mapping,
    MappingChange, NewAgent, Page, StoreError, StoreResult,
};
use crate::domain::agent::child_path;
use crate::domain::name::name_key;
use crate::domain::working::WorkingTime;

const AGENT_COLUMNS: &str = "a.id, a.name, a.favorite, a.email, a.phone, a.address, a.dest_type, a.dest_value,
    a.role_id, r.name AS role_name, a.parent_path, a.create_date, a.create_by, a.create_by_type, a.allow_did,
    a.status, a.is_deleted, a.pre_deleted, a.cad";

/// `SELECT <what> FROM agents a …` for one account's live agents (or just
/// the one named), with their role's name as `r.name`.
fn filtered(what: &str, account: &AccountId, agent_id: Option<AgentId>) -> Statement {
    let mut s = Statement::new(&format!(
        "SELECT {what} FROM agents a
         LEFT JOIN roles r ON r.account_id = a.account_id AND r.id = a.role_id
         WHERE a.is_deleted = 0"
    ));
    s.push(" AND a.account_id = ?", account.into());
    if let Some(id) = agent_id {
        s.push(" AND a.id = ?", id.into());
    }
    s
}

fn allow_did_text(dids: &[String]) -> String {
    dids.join(",")
}

fn agent_row(row: &AnyRow) -> StoreResult<AgentRow> {
    let allow_did = text(row, "allow_did")?;
    Ok(AgentRow {
        id: id(row, "id")?,
        name: text(row, "name")?,
        favorite: text(row, "favorite")?,
        email: text(row, "email")?,
        phone: text(row, "phone")?,
        address: text(row, "address")?,
        dest_type: text(row, "dest_type")?,
        dest_value: text(row, "dest_value")?,
        role_id: id(row, "role_id")?,
        role_name: opt_text(row, "role_name")?,
        parent_path: text(row, "parent_path")?,
        create_date: int(row, "create_date")?,
        create_by: text(row, "create_by")?,
        create_by_type: text(row, "create_by_type")?,
        allow_did: allow_did.split(',').filter(|d| !d.is_empty()).map(str::to_string).collect(),
        status: int(row, "status")?,
        is_deleted: int(row, "is_deleted")? != 0,
        pre_deleted: int(row, "pre_deleted")? != 0,
        cad: int(row, "cad")? != 0,
        groups: Vec::new(),
        working: Vec::new(),
    })
}

impl SqlStore {
    /// The account's directory, from memory when nothing changed since it
    /// was last read (see `directory_cache.rs`).
    pub(super) async fn directory(&self, account: &AccountId) -> StoreResult<Arc<AccountDirectory>> {
        if let Ok(directory) = self.directory.get(account) {
            return Ok(directory);
        }
        let _one_load = self.directory.loading.lock().await;
        let ticket = match self.directory.get(account) {
            Ok(directory) => return Ok(directory),
            Err(ticket) => ticket,
        };
        let directory = Arc::new(AccountDirectory::new(self.read_agents(account, None).await?));
        self.directory.remember(account, ticket, &directory);
        Ok(directory)
    }

    /// Every live agent of the account (or just the one named) with its
    /// groups and working hours: three reads, merged by agent id.
    async fn read_agents(&self, account: &AccountId, agent_id: Option<AgentId>) -> StoreResult<Vec<DirectoryAgent>> {
        let mut select = filtered(&format!("{AGENT_COLUMNS}, a.name_key"), account, agent_id);
        select.push_sql(" ORDER BY a.id");
        let mut agents = Vec::new();
        for row in select.query().fetch_all(&self.pool).await? {
            agents.push(DirectoryAgent {
                row: agent_row(&row)?,
                receive_call: Vec::new(),
                name_key: text(&row, "name_key")?,
            });
        }
        if agents.is_empty() {
            return Ok(agents);
        }
        let at = |agents: &[DirectoryAgent], id: AgentId| agents.binary_search_by_key(&id, |a| a.row.id).ok();
        let narrowed = |sql: &str, order: &str| {
            let mut s = Statement::new(sql);
            s.bind_first(account.into());
            if let Some(id) = agent_id {
                s.push(" AND agent_id = ?", id.into());
            }
            s.push_sql(order);
            s
        };

        let groups = narrowed(
            "SELECT m.agent_id, m.group_id, m.receive_call, g.name FROM group_members m
             LEFT JOIN call_groups g ON g.account_id = m.account_id AND g.id = m.group_id
             WHERE m.account_id = $1",
            " ORDER BY m.agent_id, m.position",
        );
        for row in groups.query().fetch_all(&self.pool).await? {
            if let Some(i) = at(&agents, id(&row, "agent_id")?) {
                agents[i].row.groups.push(AgentGroup { id: id(&row, "group_id")?, name: opt_text(&row, "name")? });
                agents[i].receive_call.push(text(&row, "receive_call")?);
            }
        }

        let working = narrowed(
            "SELECT agent_id, days, from_minute, to_minute FROM working_hours WHERE account_id = $1",
            " ORDER BY agent_id, position",
        );
        for row in working.query().fetch_all(&self.pool).await? {
            if let Some(i) = at(&agents, id(&row, "agent_id")?) {
                let entry =
                    WorkingTime::from_stored(&text(&row, "days")?, int(&row, "from_minute")?, int(&row, "to_minute")?);
                agents[i].row.working.push(entry);
            }
        }
        Ok(agents)
    }
}

/// The agent must exist and not be deleted; its current parent path.
async fn live_agent_path(tx: &mut Transaction<'_, Any>, account: &AccountId, agent_id: AgentId) -> StoreResult<String> {
    let row = sqlx::query("SELECT parent_path FROM agents WHERE account_id = $1 AND id = $2 AND is_deleted = 0")
        .bind(account)
        .bind(agent_id)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(StoreError::NotFound)?;
    text(&row, "parent_path")
}

async fn end_agent_sessions(tx: &mut Transaction<'_, Any>, account: &AccountId, agent_id: AgentId) -> StoreResult<()> {
    sqlx::query("DELETE FROM sessions WHERE account_id = $1 AND agent_id = $2")
        .bind(account)
        .bind(agent_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

async fn replace_groups(
    tx: &mut Transaction<'_, Any>,
    account: &AccountId,
    agent_id: AgentId,
    groups: &[Mapping],
) -> StoreResult<()> {
    sqlx::query("DELETE FROM group_members WHERE account_id = $1 AND agent_id = $2")
        .bind(account)
        .bind(agent_id)
        .execute(&mut **tx)
        .await?;
    for (position, mapping) in groups.iter().enumerate() {
        sqlx::query(
            "INSERT INTO group_members (account_id, agent_id, group_id, receive_call, position) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(account)
        .bind(agent_id)
        .bind(mapping.group)
        .bind(mapping.receive_call.as_str())
        .bind(position as i64 + 1)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

async fn replace_working(
    tx: &mut Transaction<'_, Any>,
    account: &AccountId,
    agent_id: AgentId,
    working: &[WorkingTime],
) -> StoreResult<()> {
    sqlx::query("DELETE FROM working_hours WHERE account_id = $1 AND agent_id = $2")
        .bind(account)
        .bind(agent_id)
        .execute(&mut **tx)
        .await?;
    for (position, w) in working.iter().enumerate() {
        sqlx::query(
            "INSERT INTO working_hours (account_id, agent_id, position, days, from_minute, to_minute)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(account)
        .bind(agent_id)
        .bind(position as i64)
        .bind(w.days_text())
        .bind(w.from)
        .bind(w.to)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// `UPDATE agents SET …` for the fields a partial update names; `None` when
/// it names none of the agent row's own columns.
fn update_statement(account: &AccountId, agent_id: AgentId, changes: &AgentChanges) -> Option<Statement> {
    let texts = [
        ("name", changes.name.clone()),
        ("name_key", changes.name.as_deref().map(name_key)),
        ("email", changes.email.clone()),
        ("phone", changes.phone.clone()),
        ("address", changes.address.clone()),
        ("dest_type", changes.dest_type.map(|d| d.as_str().to_string())),
        ("dest_value", changes.dest_value.clone()),
        ("call_pass_hash", changes.call_pass_hash.clone()),
        ("password_hash", changes.password_hash.clone()),
        ("parent_path", changes.parent_path.clone()),
        ("favorite", changes.favorite.clone()),
        ("allow_did", changes.allow_did.as_deref().map(allow_did_text)),
    ];
    let ints = [("role_id", changes.role_id.map(RoleId::get)), ("status", changes.status)];
    let sets: Vec<(&str, Param)> = texts
        .into_iter()
        .filter_map(|(c, v)| v.map(|v| (c, Param::Text(v))))
        .chain(ints.into_iter().filter_map(|(c, v)| v.map(|v| (c, Param::Int(v)))))
        .collect();
    if sets.is_empty() {
        return None;
    }
    let mut s = Statement::new("UPDATE agents SET ");
    for (i, (column, param)) in sets.into_iter().enumerate() {
        if i > 0 {
            s.push_sql(", ");
        }
        s.push(&format!("{column} = ?"), param);
    }
    s.push(" WHERE account_id = ?", account.into());
    s.push(" AND id = ?", agent_id.into());
    Some(s)
}

#[async_trait]
impl AgentStore for SqlStore {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn list_agents(&self, account: &AccountId, filter: &AgentFilter, page: Page) -> StoreResult<AgentPage> {
        // From the directory in memory: a name filter is a substring match,
        // which no index answers, so the database would read every agent.
        let directory = self.directory(account).await?;
        let matching = directory.matching(filter);
        let skip = usize::try_from((page.number - 1).saturating_mul(page.size)).unwrap_or(usize::MAX);
        let take = usize::try_from(page.size).unwrap_or(0);
        let agents = matching.iter().skip(skip).take(take).map(|&i| directory.agents[i as usize].row.clone()).collect();
        let total = matching.len();
        Ok(AgentPage { agents, total: total as i64 })
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn agent(&self, account: &AccountId, agent_id: AgentId) -> StoreResult<Option<AgentRow>> {
        Ok(self.read_agents(account, Some(agent_id)).await?.pop().map(|a| a.row))
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn agent_path(&self, account: &AccountId, agent_id: AgentId) -> StoreResult<Option<String>> {
        let row = sqlx::query("SELECT parent_path FROM agents WHERE account_id = $1 AND id = $2 AND is_deleted = 0")
            .bind(account)
            .bind(agent_id)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| text(&r, "parent_path")).transpose()
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn create_agent(&self, account: &AccountId, new: &NewAgent) -> StoreResult<AgentId> {
        let mut tx = self.write_tx().await?;
        let id = AgentId(next_id(&mut tx, account, "next_agent_id").await?);
        sqlx::query(
            "INSERT INTO agents (account_id, id, name, email, phone, address, dest_type, dest_value, call_pass_hash,
                password_hash, role_id, parent_path, favorite, allow_did, status, create_date, create_by, create_by_type,
                name_key)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)",
        )
        .bind(account)
        .bind(id)
        .bind(&new.name)
        .bind(&new.email)
        .bind(&new.phone)
        .bind(&new.address)
        .bind(new.dest_type.as_str())
        .bind(&new.dest_value)
        .bind(&new.call_pass_hash)
        .bind(&new.password_hash)
        .bind(new.role_id)
        .bind(&new.parent_path)
        .bind(&new.favorite)
        .bind(allow_did_text(&new.allow_did))
        .bind(new.status)
        .bind(new.now)
        .bind(&new.create_by)
        .bind(&new.create_by_type)
        .bind(name_key(&new.name))
        .execute(&mut *tx)
        .await?;
        replace_groups(&mut tx, account, id, &new.groups).await?;
        replace_working(&mut tx, account, id, &new.working).await?;
        tx.commit().await?;
        self.directory.forget(account);
        Ok(id)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn update_agent(&self, account: &AccountId, agent_id: AgentId, changes: &AgentChanges) -> StoreResult<()> {
        let mut tx = self.write_tx().await?;
        let old_path = live_agent_path(&mut tx, account, agent_id).await?;
        if let Some(update) = update_statement(account, agent_id, changes) {
            update.query().execute(&mut *tx).await?;
        }
        if let Some(new_path) = &changes.parent_path {
            // Descendants keep their place under this agent: rewrite the
            // prefix of every path that passes through it.
            let old_prefix = child_path(&old_path, agent_id);
            let new_prefix = child_path(new_path, agent_id);
            sqlx::query(
                "UPDATE agents SET parent_path = $3 || SUBSTR(parent_path, LENGTH($4) + 1)
                 WHERE account_id = $1 AND id <> $2 AND SUBSTR(parent_path, 1, LENGTH($4)) = $4",
            )
            .bind(account)
            .bind(agent_id)
            .bind(&new_prefix)
            .bind(&old_prefix)
            .execute(&mut *tx)
            .await?;
        }
        if let Some(groups) = &changes.groups {
            replace_groups(&mut tx, account, agent_id, groups).await?;
        }
        if let Some(working) = &changes.working {
            replace_working(&mut tx, account, agent_id, working).await?;
        }
        if changes.status == Some(0) {
            // Switched off, as by `changeStatus`: its sessions end for good.
            end_agent_sessions(&mut tx, account, agent_id).await?;
        } else if changes.password_hash.is_some() {
            // Whoever knew the old password is logged out with it.
            sqlx::query("DELETE FROM sessions WHERE account_id = $1 AND agent_id = $2 AND ssid_hash <> $3")
                .bind(account)
                .bind(agent_id)
                .bind(changes.keep_session.as_deref().unwrap_or(""))
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        // Its role or status may have changed.
        self.credentials.forget_agent(account, agent_id);
        self.directory.forget(account);
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn set_agent_status(&self, account: &AccountId, agent_id: AgentId, status: i64) -> StoreResult<()> {
        let mut tx = self.write_tx().await?;
        let done = sqlx::query("UPDATE agents SET status = $3 WHERE account_id = $1 AND id = $2 AND is_deleted = 0")
            .bind(account)
            .bind(agent_id)
            .bind(status)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        if status == 0 {
            // Switching an agent off ends its sessions for good: switching it
            // back on must not revive a session someone may have copied.
            end_agent_sessions(&mut tx, account, agent_id).await?;
        }
        tx.commit().await?;
        self.credentials.forget_agent(account, agent_id);
        self.directory.forget(account);
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn delete_agent(&self, account: &AccountId, agent_id: AgentId, now: i64) -> StoreResult<bool> {
        let mut tx = self.write_tx().await?;
        live_agent_path(&mut tx, account, agent_id).await?;
        let logged_in = self.logged_in(&mut tx, account, agent_id, now).await?;
        sqlx::query("UPDATE agents SET is_deleted = 1, pre_deleted = 0 WHERE account_id = $1 AND id = $2")
            .bind(account)
            .bind(agent_id)
            .execute(&mut *tx)
            .await?;
        end_agent_sessions(&mut tx, account, agent_id).await?;
        // Its callers are no longer pinned to it.
        sqlx::query("DELETE FROM sticky_agents WHERE account_id = $1 AND agent_id = $2")
            .bind(account)
            .bind(agent_id)
            .execute(&mut *tx)
            .await?;
        // Nor is it their account manager any more.
        sqlx::query("UPDATE contact_marks SET account_manager = NULL WHERE account_id = $1 AND account_manager = $2")
            .bind(account)
            .bind(agent_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        self.credentials.forget_agent(account, agent_id);
        self.directory.forget(account);
        Ok(logged_in)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn update_group_mapping(
        &self,
        account: &AccountId,
        agent_id: AgentId,
        changes: &[MappingChange],
    ) -> StoreResult<()> {
        let mut tx = self.write_tx().await?;
        live_agent_path(&mut tx, account, agent_id).await?;
        for change in changes {
            let query = match change.receive_call {
                // A new mapping goes last; an existing one keeps its place.
                Some(receive) => sqlx::query(
                    "INSERT INTO group_members (account_id, agent_id, group_id, receive_call, position)
                     SELECT $1, $2, $3, $4, COALESCE(MAX(position), 0) + 1 FROM group_members
                     WHERE account_id = $1 AND agent_id = $2
                     ON CONFLICT (account_id, agent_id, group_id) DO UPDATE SET receive_call = excluded.receive_call",
                )
                .bind(account)
                .bind(agent_id)
                .bind(change.group)
                .bind(receive.as_str()),
                None => {
                    sqlx::query("DELETE FROM group_members WHERE account_id = $1 AND agent_id = $2 AND group_id = $3")
                        .bind(account)
                        .bind(agent_id)
                        .bind(change.group)
                }
            };
            query.execute(&mut *tx).await?;
        }
        tx.commit().await?;
        self.directory.forget(account);
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn set_cad(&self, account: &AccountId, agent_ids: &[AgentId], on: bool) -> StoreResult<()> {
        let mut ids = agent_ids.to_vec();
        ids.sort_unstable();
        ids.dedup();
        let mut tx = self.write_tx().await?;
        let mut update = Statement::new("UPDATE agents SET cad = ");
        update.push("?", Param::Int(on as i64));
        update.push(" WHERE is_deleted = 0 AND account_id = ?", account.into());
        update.push_sql(" AND id IN ").push_list(&ids);
        let done = update.query().execute(&mut *tx).await?;
        if done.rows_affected() != ids.len() as u64 {
            // Dropping the transaction rolls it back: nothing changes.
            return Err(StoreError::NotFound);
        }
        tx.commit().await?;
        self.directory.forget(account);
        Ok(())
    }
}
