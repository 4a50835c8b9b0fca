//! Groups and roles.

use crate::domain::ids::{AccountId, GroupId, RoleId};
use async_trait::async_trait;
use sqlx::any::AnyRow;
use sqlx::{Any, Transaction};

use super::routing::apply_routing;
use super::sql::{
    Param, SqlStore, Statement, contains_pattern, id, int, lock_account, next_id, opt_int, opt_text, text,
};
use super::{DirectoryStore, GroupFilter, GroupRow, RoleRow, RoutingChange, StoreError, StoreResult};
use crate::domain::name::name_key;

const GROUP_COLUMNS: &str = "g.id, g.name, g.status, g.wrap_up_secs, g.strategy, g.ring_timeout, g.service_level,
    (SELECT COUNT(*) FROM group_members m WHERE m.account_id = g.account_id AND m.group_id = g.id) AS agents";

fn group_row(row: &AnyRow) -> StoreResult<GroupRow> {
    Ok(GroupRow {
        id: id(row, "id")?,
        name: text(row, "name")?,
        status: int(row, "status")?,
        agents: int(row, "agents")?,
        wrap_up_secs: opt_int(row, "wrap_up_secs")?,
        strategy: opt_text(row, "strategy")?,
        ring_timeout: opt_int(row, "ring_timeout")?,
        service_level: opt_int(row, "service_level")?,
    })
}

fn role_row(row: &AnyRow) -> StoreResult<RoleRow> {
    Ok(RoleRow { id: id(row, "id")?, name: text(row, "name")?, permissions: text(row, "permissions")? })
}

/// `name`, or `name 2`, `name 3`, … — the first not used by another group.
async fn free_group_name(
    tx: &mut Transaction<'_, Any>,
    account: &AccountId,
    name: &str,
    except: Option<GroupId>,
) -> StoreResult<String> {
    let rows = sqlx::query(
        "SELECT id, name_key FROM call_groups WHERE account_id = $1 AND SUBSTR(name_key, 1, LENGTH($2)) = $2",
    )
    .bind(account)
    .bind(name_key(name))
    .fetch_all(&mut **tx)
    .await?;
    let mut taken = Vec::with_capacity(rows.len());
    for row in &rows {
        if Some(id(row, "id")?) != except {
            taken.push(text(row, "name_key")?);
        }
    }
    let mut candidate = name.to_string();
    let mut n = 2;
    while taken.contains(&name_key(&candidate)) {
        candidate = format!("{name} {n}");
        n += 1;
    }
    Ok(candidate)
}

async fn group_by_id(tx: &mut Transaction<'_, Any>, account: &AccountId, group_id: GroupId) -> StoreResult<GroupRow> {
    let sql = format!("SELECT {GROUP_COLUMNS} FROM call_groups g WHERE g.account_id = $1 AND g.id = $2");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(account)
        .bind(group_id)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(StoreError::NotFound)?;
    group_row(&row)
}

#[async_trait]
impl DirectoryStore for SqlStore {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn missing_groups(&self, account: &AccountId, group_ids: &[GroupId]) -> StoreResult<Vec<GroupId>> {
        if group_ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut s = Statement::new("SELECT id FROM call_groups WHERE account_id = ");
        s.push("?", account.into()).push_sql(" AND id IN ").push_list(group_ids);
        let mut found = Vec::new();
        for row in s.query().fetch_all(&self.pool).await? {
            found.push(id(&row, "id")?);
        }
        Ok(group_ids.iter().copied().filter(|id| !found.contains(id)).collect())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn add_group(
        &self,
        account: &AccountId,
        name: &str,
        status: i64,
        (wrap_up_secs, routing): (Option<i64>, &RoutingChange),
        now: i64,
    ) -> StoreResult<GroupRow> {
        let mut tx = self.write_tx().await?;
        // Taking the id first locks the account row, so two adds of one name
        // cannot both find it free.
        let id = GroupId(next_id(&mut tx, account, "next_group_id").await?);
        let name = free_group_name(&mut tx, account, name, None).await?;
        sqlx::query(
            "INSERT INTO call_groups (account_id, id, name, name_key, status, created_at, wrap_up_secs)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(account)
        .bind(id)
        .bind(&name)
        .bind(name_key(&name))
        .bind(status)
        .bind(now)
        .bind(wrap_up_secs)
        .execute(&mut *tx)
        .await?;
        // In the same transaction: a group deleted or a number taken by
        // another request meanwhile cannot leave half of it behind.
        apply_routing(&mut tx, account, id, routing).await?;
        tx.commit().await?;
        self.directory.forget(account);
        let strategy = routing.strategy.flatten().map(|s| s.as_str().to_string());
        let ring_timeout = routing.ring_timeout.flatten();
        let service_level = routing.service_level.flatten();
        Ok(GroupRow { id, name, status, agents: 0, wrap_up_secs, strategy, ring_timeout, service_level })
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn update_group(
        &self,
        account: &AccountId,
        group_id: GroupId,
        name: &str,
        status: i64,
    ) -> StoreResult<GroupRow> {
        let mut tx = self.write_tx().await?;
        lock_account(&mut tx, account).await?;
        group_by_id(&mut tx, account, group_id).await?;
        let name = free_group_name(&mut tx, account, name, Some(group_id)).await?;
        sqlx::query("UPDATE call_groups SET name = $3, name_key = $4, status = $5 WHERE account_id = $1 AND id = $2")
            .bind(account)
            .bind(group_id)
            .bind(&name)
            .bind(name_key(&name))
            .bind(status)
            .execute(&mut *tx)
            .await?;
        let row = group_by_id(&mut tx, account, group_id).await?;
        tx.commit().await?;
        self.directory.forget(account);
        Ok(row)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn delete_group(&self, account: &AccountId, group_id: GroupId) -> StoreResult<()> {
        let mut tx = self.write_tx().await?;
        let done = sqlx::query("DELETE FROM call_groups WHERE account_id = $1 AND id = $2")
            .bind(account)
            .bind(group_id)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        sqlx::query("DELETE FROM group_members WHERE account_id = $1 AND group_id = $2")
            .bind(account)
            .bind(group_id)
            .execute(&mut *tx)
            .await?;
        // Its numbers reach no group any more: free for another.
        sqlx::query("DELETE FROM group_dids WHERE account_id = $1 AND group_id = $2")
            .bind(account)
            .bind(group_id)
            .execute(&mut *tx)
            .await?;
        // Pins to calls routed to it cover nothing any more.
        sqlx::query("DELETE FROM sticky_agents WHERE account_id = $1 AND scope = 'cli_group' AND group_id = $2")
            .bind(account)
            .bind(group_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        self.directory.forget(account);
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn set_group_wrap_up(&self, account: &AccountId, group_id: GroupId, secs: Option<i64>) -> StoreResult<()> {
        let done = sqlx::query("UPDATE call_groups SET wrap_up_secs = $3 WHERE account_id = $1 AND id = $2")
            .bind(account)
            .bind(group_id)
            .bind(secs)
            .execute(&self.pool)
            .await?;
        if done.rows_affected() == 0 { Err(StoreError::NotFound) } else { Ok(()) }
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn list_groups(&self, account: &AccountId, filter: &GroupFilter) -> StoreResult<Vec<GroupRow>> {
        let mut s = Statement::new(&format!("SELECT {GROUP_COLUMNS} FROM call_groups g WHERE g.account_id = "));
        s.push("?", account.into());
        if let Some(id) = filter.group_id {
            s.push(" AND g.id = ?", id.into());
        }
        if let Some(name) = &filter.name {
            s.push(" AND g.name_key LIKE ? ESCAPE '\\'", Param::Text(contains_pattern(name)));
        }
        s.push_sql(" ORDER BY g.id");
        s.query().fetch_all(&self.pool).await?.iter().map(group_row).collect()
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn role_permissions(&self, account: &AccountId, role_id: RoleId) -> StoreResult<Option<String>> {
        let row = sqlx::query("SELECT permissions FROM roles WHERE account_id = $1 AND id = $2")
            .bind(account)
            .bind(role_id)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| text(&r, "permissions")).transpose()
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn list_roles(&self, account: &AccountId) -> StoreResult<Vec<RoleRow>> {
        sqlx::query("SELECT id, name, permissions FROM roles WHERE account_id = $1 ORDER BY id")
            .bind(account)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(role_row)
            .collect()
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn add_role(&self, account: &AccountId, name: &str, permissions: &str) -> StoreResult<RoleRow> {
        let mut tx = self.write_tx().await?;
        let id = RoleId(next_id(&mut tx, account, "next_role_id").await?);
        sqlx::query("INSERT INTO roles (account_id, id, name, permissions) VALUES ($1, $2, $3, $4)")
            .bind(account)
            .bind(id)
            .bind(name)
            .bind(permissions)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        self.directory.forget(account);
        Ok(RoleRow { id, name: name.to_string(), permissions: permissions.to_string() })
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn update_role(
        &self,
        account: &AccountId,
        role_id: RoleId,
        name: Option<&str>,
        permissions: Option<&str>,
    ) -> StoreResult<RoleRow> {
        let row = sqlx::query(
            "UPDATE roles SET name = COALESCE($3, name), permissions = COALESCE($4, permissions)
             WHERE account_id = $1 AND id = $2 RETURNING id, name, permissions",
        )
        .bind(account)
        .bind(role_id)
        .bind(name)
        .bind(permissions)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound)?;
        // Every session of an agent with this role carries its permissions.
        self.credentials.forget_account(account);
        self.directory.forget(account);
        role_row(&row)
    }
}
