//! The end of a session other than a logout: when an agent's last live
//! session expires (unused for the session lifetime, or at its absolute
//! end), the agent goes offline at that second, as a logout would take it.

use std::collections::BTreeMap;

use super::Live;
use crate::domain::presence::Actor;
use crate::store::StoreError;
use crate::store::{AccountId, AgentId, ExpiredSession, Fence, StoreResult};

/// The logout reason of a session that went unused for its lifetime.
const SESSION_EXPIRED: &str = "session_expired";
/// The logout reason of a session that reached its absolute maximum.
const SESSION_MAX_AGE: &str = "session_max_age";

/// How one agent's sessions ended: the second the last one expired, and
/// whether that was its absolute maximum.
#[derive(Debug, Clone, Copy)]
struct LastEnd {
    at: i64,
    reached_max: bool,
}

/// Each agent's last expired session, by account and agent.
fn last_ends(expired: &[ExpiredSession]) -> BTreeMap<&AccountId, BTreeMap<AgentId, LastEnd>> {
    let mut accounts: BTreeMap<&AccountId, BTreeMap<AgentId, LastEnd>> = BTreeMap::new();
    for session in expired {
        let Some(agent) = session.agent_id else { continue };
        let end = LastEnd { at: session.at, reached_max: session.reached_max };
        let last = accounts.entry(&session.account_id).or_default().entry(agent).or_insert(end);
        if end.at > last.at {
            *last = end;
        }
    }
    accounts
}

impl Live {
    /// The background step's part for sessions: agents left without a live
    /// session by `now` go offline at the second their last one expired;
    /// how many events that logged. The expired sessions are removed only
    /// afterwards, so a step that fails half-way is finished by the next.
    pub(super) async fn end_expired_sessions(&self, now: i64, fence: Option<&Fence>) -> StoreResult<usize> {
        let expired = self.store.expired_sessions(now).await?;
        if expired.is_empty() {
            return Ok(0);
        }
        let mut logged = 0;
        let mut failed = Vec::new();
        for (account, agents) in last_ends(&expired) {
            // One account's failure must not keep every other account's
            // sessions (and timers) waiting: its sessions stay expired and
            // are taken again next second.
            match self.end_sessions_in(account, &agents, now, fence).await {
                Ok(n) => logged += n,
                Err(err) => {
                    tracing::error!(%account, error = %err, "ending expired sessions failed; retrying next second");
                    failed.push(account.clone());
                }
            }
        }
        let hashes: Vec<String> =
            expired.into_iter().filter(|s| !failed.contains(&s.account_id)).map(|s| s.ssid_hash).collect();
        self.store.remove_expired_sessions(&hashes, now).await?;
        Ok(logged)
    }

    /// `end_expired_sessions` for one account: its agents' last session ends.
    async fn end_sessions_in(
        &self,
        account: &AccountId,
        agents: &BTreeMap<AgentId, LastEnd>,
        now: i64,
        fence: Option<&Fence>,
    ) -> StoreResult<usize> {
        let ((), events) = self
            .decide(account, |mut draft| {
                Box::pin(async move {
                    draft.fence = fence.cloned();
                    for (&agent, end) in agents {
                        // Asked under the writer turn: a login that opens another
                        // session now either is seen here or logs in after this.
                        if self.store.agent_has_session(account, agent, now).await? {
                            continue;
                        }
                        // What fell due before the session ended happened first (a
                        // heartbeat loss, a wrap-up's end), each at its own second.
                        let last_ping = draft.live.agent(agent).last_ping;
                        let rules = draft.rules;
                        let earlier = draft.presence(agent).due(agent, end.at, last_ping, &rules);
                        draft.apply(earlier);
                        let reason = if end.reached_max { SESSION_MAX_AGE } else { SESSION_EXPIRED };
                        let logout = draft.presence(agent).logout(agent, end.at, Actor::System, reason);
                        draft.apply(logout);
                    }
                    Ok::<_, StoreError>((draft, ()))
                })
            })
            .await?;
        Ok(events.len())
    }
}
