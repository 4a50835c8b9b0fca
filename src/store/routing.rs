//! What the routing decision reads and what configures it: a group's
//! strategy and ring timeout, the numbers (DIDs) that reach each group, and
//! the agents mapped to a group to receive its calls.

use async_trait::async_trait;

use super::live::EVENT_COLUMNS;
use super::sql::{Param, SqlStore, Statement, id, int, opt_int, opt_text, text};
use super::{AccountId, AgentId, AgentRow, GroupId, RouteGroup, RoutingChange, RoutingStore, StoreError, StoreResult};
use crate::domain::presence::Logged;
use crate::domain::routing::Strategy;
use crate::domain::sticky::{Scope, Sticky};

#[async_trait]
impl RoutingStore for SqlStore {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn route_group(&self, account: &AccountId, group: GroupId) -> StoreResult<Option<RouteGroup>> {
        let row = sqlx::query(
            "SELECT id, status, strategy, ring_timeout, wrap_up_secs FROM call_groups WHERE account_id = $1 AND id = $2",
        )
        .bind(account)
        .bind(group)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            let strategy = opt_text(&r, "strategy")?;
            Ok(RouteGroup {
                id: id(&r, "id")?,
                status: int(&r, "status")?,
                strategy: strategy.as_deref().and_then(Strategy::parse).unwrap_or_default(),
                ring_timeout: opt_int(&r, "ring_timeout")?,
                wrap_up_secs: opt_int(&r, "wrap_up_secs")?,
            })
        })
        .transpose()
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn did_group(&self, account: &AccountId, did: &str) -> StoreResult<Option<GroupId>> {
        let row = sqlx::query("SELECT group_id FROM group_dids WHERE account_id = $1 AND did = $2")
            .bind(account)
            .bind(did)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| id(&r, "group_id")).transpose()
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn group_dids(&self, account: &AccountId) -> StoreResult<Vec<(GroupId, String)>> {
        let rows = sqlx::query("SELECT group_id, did FROM group_dids WHERE account_id = $1 ORDER BY group_id, did")
            .bind(account)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(|r| Ok((id(r, "group_id")?, text(r, "did")?))).collect()
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn receiving_agents(&self, account: &AccountId, group: GroupId) -> StoreResult<Vec<AgentRow>> {
        let directory = self.directory(account).await?;
        Ok(directory
            .agents
            .iter()
            .filter(|a| a.receiving().any(|(g, rc)| g == group && rc == "Y"))
            .map(|a| a.row.clone())
            .collect())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn answered_calls_since(
        &self,
        account: &AccountId,
        agents: &[AgentId],
        since: i64,
    ) -> StoreResult<Vec<(AgentId, u32)>> {
        if agents.is_empty() {
            return Ok(Vec::new());
        }
        let wanted: Vec<[AgentId; 1]> = agents.iter().map(|a| [*a]).collect();
        let wanted = serde_json::to_string(&wanted).map_err(|e| StoreError::Other(e.into()))?;
        // One range of the (account, agent, at) index per agent, as in
        // `existing_agents`: never the account's whole day.
        let mut select = Statement::new(&format!(
            "SELECT e.agent_id, COUNT(DISTINCT e.call_id) AS calls FROM {} AS v CROSS JOIN agent_events e
             WHERE e.account_id = $1 AND e.agent_id = CAST(v.value ->> 0 AS BIGINT) AND e.at >= $3
               AND e.kind = 'answered'
             GROUP BY e.agent_id",
            self.json_elements("$2")
        ));
        select
            .bind_first(Param::Text(account.to_string()))
            .bind_first(Param::Text(wanted))
            .bind_first(Param::Int(since));
        self.json_rows(select, "agent_id, calls").await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn queue_facts_since(&self, account: &AccountId, since: i64) -> StoreResult<Vec<Logged>> {
        // The (account, at) index: the account's day, its call facts only.
        let mut select = Statement::new(&format!(
            "SELECT {EVENT_COLUMNS} FROM agent_events
             WHERE account_id = $1 AND at >= $2 AND kind IN ('queued', 'offered', 'answered', 'abandoned')"
        ));
        select.bind_first(Param::Text(account.to_string())).bind_first(Param::Int(since));
        self.fetch_events(select, false).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn stickies(&self, account: &AccountId, contact: &str) -> StoreResult<Vec<Sticky>> {
        let rows = sqlx::query(
            "SELECT scope, cli, group_id, agent_id, expiry FROM sticky_agents WHERE account_id = $1 AND contact = $2",
        )
        .bind(account)
        .bind(contact)
        .fetch_all(&self.pool)
        .await?;
        let mut pins = rows
            .iter()
            .map(|r| {
                let scope = text(r, "scope")?;
                let scope = Scope::parse(&scope)
                    .ok_or_else(|| StoreError::Other(anyhow::anyhow!("unknown sticky scope {scope}")))?;
                let group = int(r, "group_id")?;
                Ok(Sticky {
                    agent: id(r, "agent_id")?,
                    scope,
                    cli: text(r, "cli")?,
                    group: (group != 0).then_some(GroupId(group)),
                    expiry: opt_int(r, "expiry")?,
                })
            })
            .collect::<StoreResult<Vec<Sticky>>>()?;
        pins.sort_by(|a, b| (a.scope, &a.cli, a.group).cmp(&(b.scope, &b.cli, b.group)));
        Ok(pins)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn set_sticky(&self, account: &AccountId, contact: &str, pin: &Sticky, now: i64) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO sticky_agents (account_id, contact, scope, cli, group_id, agent_id, expiry, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
             ON CONFLICT (account_id, contact, scope, cli, group_id)
             DO UPDATE SET agent_id = excluded.agent_id, expiry = excluded.expiry, updated_at = excluded.updated_at",
        )
        .bind(account)
        .bind(contact)
        .bind(pin.scope.as_str())
        .bind(&pin.cli)
        .bind(pin.group.map_or(0, GroupId::get))
        .bind(pin.agent)
        .bind(pin.expiry)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn remove_stickies(
        &self,
        account: &AccountId,
        contact: &str,
        scope: Option<Scope>,
        cli: Option<&str>,
        group: Option<GroupId>,
        agent: Option<AgentId>,
    ) -> StoreResult<u64> {
        let mut delete = Statement::new("DELETE FROM sticky_agents WHERE account_id = $1 AND contact = $2");
        delete.bind_first(Param::Text(account.to_string())).bind_first(Param::Text(contact.to_string()));
        if let Some(scope) = scope {
            delete.push(" AND scope = ?", Param::Text(scope.as_str().to_string()));
        }
        if let Some(cli) = cli {
            delete.push(" AND cli = ?", Param::Text(cli.to_string()));
        }
        if let Some(group) = group {
            delete.push(" AND group_id = ?", Param::Int(group.get()));
        }
        if let Some(agent) = agent {
            delete.push(" AND agent_id = ?", Param::Int(agent.get()));
        }
        Ok(delete.query().execute(&self.pool).await?.rows_affected())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn set_group_routing(&self, account: &AccountId, group: GroupId, change: &RoutingChange) -> StoreResult<()> {
        let mut tx = self.write_tx().await?;
        let exists = sqlx::query("SELECT 1 AS found FROM call_groups WHERE account_id = $1 AND id = $2")
            .bind(account)
            .bind(group)
            .fetch_optional(&mut *tx)
            .await?;
        if exists.is_none() {
            return Err(StoreError::NotFound);
        }
        apply_routing(&mut tx, account, group, change).await?;
        tx.commit().await?;
        self.directory.forget(account);
        Ok(())
    }
}

/// Applies a routing change to a group inside `tx` (the group exists).
/// Conflict: a number reaches another group already.
pub(super) async fn apply_routing(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    account: &AccountId,
    group: GroupId,
    change: &RoutingChange,
) -> StoreResult<()> {
    if let Some(strategy) = change.strategy {
        sqlx::query("UPDATE call_groups SET strategy = $3 WHERE account_id = $1 AND id = $2")
            .bind(account)
            .bind(group)
            .bind(strategy.map(Strategy::as_str))
            .execute(&mut **tx)
            .await?;
    }
    if let Some(secs) = change.ring_timeout {
        sqlx::query("UPDATE call_groups SET ring_timeout = $3 WHERE account_id = $1 AND id = $2")
            .bind(account)
            .bind(group)
            .bind(secs)
            .execute(&mut **tx)
            .await?;
    }
    if let Some(secs) = change.service_level {
        sqlx::query("UPDATE call_groups SET service_level = $3 WHERE account_id = $1 AND id = $2")
            .bind(account)
            .bind(group)
            .bind(secs)
            .execute(&mut **tx)
            .await?;
    }
    if let Some(dids) = &change.dids {
        sqlx::query("DELETE FROM group_dids WHERE account_id = $1 AND group_id = $2")
            .bind(account)
            .bind(group)
            .execute(&mut **tx)
            .await?;
        for did in dids {
            let taken = sqlx::query("SELECT group_id FROM group_dids WHERE account_id = $1 AND did = $2")
                .bind(account)
                .bind(did)
                .fetch_optional(&mut **tx)
                .await?;
            if taken.is_some() {
                return Err(StoreError::Conflict);
            }
            sqlx::query("INSERT INTO group_dids (account_id, did, group_id) VALUES ($1, $2, $3)")
                .bind(account)
                .bind(did)
                .bind(group)
                .execute(&mut **tx)
                .await?;
        }
    }
    Ok(())
}
