//! Several nodes on one database: an account's changes are decided by one
//! node at a time, the one holding the account's writer hold
//! (`ClusterStore::hold_writer`). Nodes that want it queue for it in the
//! database, and the holder decides on the log as it stands — it caught up
//! on taking the hold — so its batches do not race: one account's writes
//! through several nodes go at about one node's rate instead of starving
//! in retries (issue 24). Decisions stay checked against the log's end as
//! they are written (`batch.rs`): a hold lost with its connection costs a
//! retry, never a wrong log.
//!
//! A node keeps the hold while it has more to decide, up to `SLICE`, then
//! gives it up behind its last batch and queues again, so the others take
//! their turns; an idle node gives it up at once.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::OwnedMutexGuard;

use super::{AccountLive, Live};
use crate::store::cluster::WriterHold;
use crate::store::{AccountId, StoreResult};

/// How long a node keeps deciding under one take of an account's writer
/// hold while it has more to decide.
const SLICE: Duration = Duration::from_millis(20);

/// The writer hold this node holds for an account, and since when.
pub(super) struct Held {
    hold: WriterHold,
    since: Instant,
}

impl Live {
    /// The account's writer turn, with its writer hold held (several nodes
    /// only): taken, and the view caught up with what other nodes logged,
    /// when this node did not hold it; given up and taken again when this
    /// node's slice is over, once what it decided under it is durable.
    pub(super) async fn held_turn(
        &self,
        account: &AccountId,
        live: &Arc<AccountLive>,
    ) -> StoreResult<OwnedMutexGuard<()>> {
        loop {
            let turn = live.writer.clone().lock_owned().await;
            let slice_over = live.held.lock().as_ref().map(|h| h.since.elapsed() >= SLICE);
            match slice_over {
                Some(false) => return Ok(turn),
                Some(true) => {
                    if let Some(outcome) = live.pending.last_staged() {
                        // Decided under the hold: written before it is given
                        // up, or another node would decide beside it. The
                        // turn is given up meanwhile (a failed flush takes it).
                        drop(turn);
                        self.flush_until(account, live, &outcome).await?;
                        continue;
                    }
                    let held = live.held.lock().take();
                    if let Some(held) = held {
                        held.hold.release().await;
                    }
                }
                None => {}
            }
            let hold = self.store.hold_writer(account).await?;
            // What other nodes logged before this node's turn. The catch-up
            // takes the flush turn under the writer turn, the reverse of a
            // failing flush (which takes the writer turn under the flush
            // turn): safe because nothing is staged here — not holding the
            // hold, this node staged nothing since it gave the hold up.
            debug_assert!(live.pending.last_staged().is_none(), "staged without the writer hold");
            self.catch_up(account, live).await?;
            *live.held.lock() = Some(Held { hold, since: Instant::now() });
            return Ok(turn);
        }
    }
}

impl AccountLive {
    /// Whether this node holds the account's writer hold.
    pub(super) fn holds_writer(&self) -> bool {
        self.held.lock().is_some()
    }

    /// Gives the writer hold up when nothing is being decided or waits to
    /// be written: called after each change, and each second for changes
    /// abandoned undecided. When something is, that change's own call
    /// looks again.
    pub(super) async fn release_if_idle(self: Arc<Self>) {
        let Ok(_turn) = self.writer.clone().try_lock_owned() else { return };
        if self.pending.last_staged().is_some() {
            return;
        }
        let held = self.held.lock().take();
        if let Some(held) = held {
            held.hold.release().await;
        }
    }
}
