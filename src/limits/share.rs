//! Several nodes on one database share the request budgets (`rates.rs`):
//! each node holds a `node:<name>` lease, renewed every second, and sizes
//! its budgets to its share of the nodes holding one. A node that dies
//! stops counting when its lease runs out (five seconds).

use std::sync::Arc;

use super::RateLimits;
use crate::store::SharedStore;

/// How long a node counts as alive after its last renewal.
const NODE_LEASE_MS: i64 = 5_000;

/// Keeps this node's lease and its budgets' share until `stop` resolves.
pub async fn keep_share(store: SharedStore, rates: Arc<RateLimits>, node: String, stop: impl Future<Output = ()>) {
    let lease = format!("node:{node}");
    crate::clock::each_second(stop, || async {
        let counted = async {
            store.hold_lease(&lease, &node, NODE_LEASE_MS).await?;
            store.leases_held("node:").await
        };
        match counted.await {
            Ok(nodes) => rates.share_among(u32::try_from(nodes).unwrap_or(1)),
            Err(err) => tracing::warn!(error = %err, "cannot count the nodes sharing the budgets; retrying"),
        }
    })
    .await;
}
