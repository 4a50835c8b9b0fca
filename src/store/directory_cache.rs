//! Each account's agent directory held in memory, for the reads supervisors
//! repeat all day: the live board (every agent with its groups) and list
//! pages (a name filter reads every agent's name). Read from the database,
//! they cost ≈ 10 ms for 10,000 agents; from here, a walk over a vector.
//!
//! Correctness rests on the rules the remembered credentials follow
//! (`credentials.rs`):
//! - every write of this store to an account's agents, their group mappings
//!   or working hours, its groups or its roles forgets the account's
//!   directory *after* it commits, and moves the account's version;
//! - a load remembers what it read only if the account's version did not
//!   move while it read, so a directory read before a change can never be
//!   remembered after it.
//!
//! Only this process writes the directory (the operator's command line
//! creates accounts and manages credentials, never agents), as it is the
//! only process that decides agents' presence.

use crate::domain::ids::AccountId;
use std::collections::HashMap;
use std::sync::Arc;

use parking_lot::Mutex;

use super::{AccountDirectory, AgentFilter, DirectoryAgent};
use crate::domain::name::name_key;

/// Bound on the agents held over all accounts (≈ 1 KiB each); a directory
/// that would pass it is read for its request and not kept.
const MAX_AGENTS: usize = 1_000_000;

/// Bounds on the list filters remembered per directory and on the agent
/// positions they hold (4 bytes each); past either, they are dropped.
const MAX_FILTERS: usize = 1024;
const MAX_MATCHED: usize = 1_000_000;

/// Which agents each recent filter (a list page's, a team board's) matched,
/// by position. Supervisors page through one filter and poll one board; a
/// name filter is a substring match no index answers, so it walks every
/// agent once per directory instead of once a page. A directory never
/// changes (a change replaces it), so neither do these.
#[derive(Debug, Default)]
pub(super) struct Matching(Mutex<HashMap<AgentFilter, Arc<[u32]>>>);

impl AccountDirectory {
    pub(super) fn matching(&self, filter: &AgentFilter) -> Arc<[u32]> {
        let needle = filter.name.as_deref().map(name_key);
        if let Some(id) = filter.agent_id {
            // One agent: found by id, not remembered (every agent reading
            // its own board would crowd the supervisors' filters out).
            let found = self.agents.binary_search_by_key(&id, |a| a.row.id).ok();
            return found
                .filter(|&i| wanted(&self.agents[i], filter, needle.as_deref()))
                .map(|i| i as u32)
                .into_iter()
                .collect();
        }
        let remembered = self.matching.0.lock().get(filter).cloned();
        if let Some(found) = remembered {
            return found;
        }
        let found: Arc<[u32]> = (0..self.agents.len() as u32)
            .filter(|&i| wanted(&self.agents[i as usize], filter, needle.as_deref()))
            .collect();
        let mut memo = self.matching.0.lock();
        if memo.len() >= MAX_FILTERS || memo.values().map(|m| m.len()).sum::<usize>() + found.len() > MAX_MATCHED {
            memo.clear();
        }
        memo.insert(filter.clone(), found.clone());
        found
    }
}

/// Whether a directory agent is one `filter` asks for (`needle`: the name
/// filter, lowercased as names are keyed).
fn wanted(agent: &DirectoryAgent, filter: &AgentFilter, needle: Option<&str>) -> bool {
    filter.agent_id.is_none_or(|id| agent.row.id == id)
        && needle.is_none_or(|n| agent.name_key.contains(n))
        && filter.status.is_none_or(|s| agent.row.status == s)
        && filter.group_id.is_none_or(|g| agent.row.groups.iter().any(|group| group.id == g))
}

#[derive(Default)]
struct Slot {
    /// Moves on every change of the account's directory.
    version: u64,
    directory: Option<Arc<AccountDirectory>>,
}

#[derive(Default)]
struct Held {
    accounts: HashMap<String, Slot>,
    agents: usize,
}

pub(super) struct DirectoryCache {
    inner: Mutex<Held>,
    max_agents: usize,
    /// One load at a time: the supervisors polling when a directory changes
    /// wait for one read of it instead of each reading every agent.
    pub(super) loading: tokio::sync::Mutex<()>,
}

/// A load's ticket: the account's version before it read the database.
pub(super) struct Version(u64);

impl DirectoryCache {
    pub(super) fn new() -> Self {
        Self::bounded(MAX_AGENTS)
    }

    fn bounded(max_agents: usize) -> Self {
        Self { inner: Mutex::default(), max_agents, loading: tokio::sync::Mutex::new(()) }
    }

    fn lock(&self) -> parking_lot::MutexGuard<'_, Held> {
        // Plain data: a panic elsewhere cannot leave it half-made.
        self.inner.lock()
    }

    /// The account's directory, or the ticket to load it with.
    pub(super) fn get(&self, account: &AccountId) -> Result<Arc<AccountDirectory>, Version> {
        let held = self.lock();
        match held.accounts.get(account.as_str()) {
            Some(Slot { directory: Some(directory), .. }) => Ok(directory.clone()),
            Some(slot) => Err(Version(slot.version)),
            None => Err(Version(0)),
        }
    }

    pub(super) fn remember(&self, account: &AccountId, ticket: Version, directory: &Arc<AccountDirectory>) {
        let mut held = self.lock();
        let version = held.accounts.get(account.as_str()).map_or(0, |s| s.version);
        if version != ticket.0 || held.agents + directory.agents.len() > self.max_agents {
            return;
        }
        held.agents += directory.agents.len();
        let slot = held.accounts.entry(account.to_string()).or_default();
        slot.directory = Some(directory.clone());
    }

    /// Call after a write to the account's directory commits.
    pub(super) fn forget(&self, account: &AccountId) {
        let mut held = self.lock();
        let slot = held.accounts.entry(account.to_string()).or_default();
        slot.version += 1;
        let dropped = slot.directory.take().map_or(0, |d| d.agents.len());
        held.agents -= dropped;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ids::AgentId;

    fn directory(agents: usize) -> Arc<AccountDirectory> {
        let agent = DirectoryAgent::sample();
        Arc::new(AccountDirectory::new(vec![agent; agents]))
    }

    #[test]
    fn a_load_that_raced_a_change_is_not_remembered() {
        let cache = DirectoryCache::new();
        let Err(ticket) = cache.get(&AccountId::new("a")) else { panic!("nothing held yet") };
        cache.forget(&AccountId::new("a"));
        cache.remember(&AccountId::new("a"), ticket, &directory(1));
        let Err(ticket) = cache.get(&AccountId::new("a")) else { panic!("a stale directory was remembered") };
        cache.remember(&AccountId::new("a"), ticket, &directory(2));
        assert_eq!(cache.get(&AccountId::new("a")).ok().map(|d| d.agents.len()), Some(2));
        // Other accounts are untouched by a change.
        cache.forget(&AccountId::new("b"));
        assert!(cache.get(&AccountId::new("a")).is_ok());
        cache.forget(&AccountId::new("a"));
        assert!(cache.get(&AccountId::new("a")).is_err());
        assert_eq!(cache.lock().agents, 0);
    }

    #[test]
    fn a_filter_walks_the_directory_once() {
        let named = |id: i64, name: &str| {
            let id = AgentId(id);
            let mut agent = DirectoryAgent::sample();
            agent.row.id = id;
            agent.name_key = name.to_string();
            agent
        };
        let directory = AccountDirectory::new(vec![named(1, "asha"), named(2, "bela"), named(3, "sasha")]);
        let filter = AgentFilter { name: Some("ShA".into()), ..AgentFilter::default() };
        let first = directory.matching(&filter);
        assert_eq!(&first[..], [0, 2]);
        assert!(Arc::ptr_eq(&first, &directory.matching(&filter)), "remembered");
        let bela = AgentFilter { agent_id: Some(AgentId(2)), ..AgentFilter::default() };
        assert_eq!(&directory.matching(&bela)[..], [1]);
        let not_bela = AgentFilter { name: Some("sha".into()), ..bela };
        assert!(directory.matching(&not_bela).is_empty());
        assert_eq!(directory.matching.0.lock().len(), 1, "one agent is found by id, not remembered");
        for n in 0..MAX_FILTERS {
            directory.matching(&AgentFilter { name: Some(format!("nobody {n}")), ..AgentFilter::default() });
        }
        assert!(directory.matching.0.lock().len() <= MAX_FILTERS);
    }

    #[test]
    fn the_bound_counts_agents_over_all_accounts() {
        let cache = DirectoryCache::bounded(10);
        let Err(ticket) = cache.get(&AccountId::new("big")) else { unreachable!() };
        cache.remember(&AccountId::new("big"), ticket, &directory(10));
        let Err(ticket) = cache.get(&AccountId::new("small")) else { unreachable!() };
        cache.remember(&AccountId::new("small"), ticket, &directory(1));
        assert!(cache.get(&AccountId::new("small")).is_err(), "past the bound a directory is not kept");
        cache.forget(&AccountId::new("big"));
        let Err(ticket) = cache.get(&AccountId::new("small")) else { unreachable!() };
        cache.remember(&AccountId::new("small"), ticket, &directory(1));
        assert!(cache.get(&AccountId::new("small")).is_ok());
    }
}
