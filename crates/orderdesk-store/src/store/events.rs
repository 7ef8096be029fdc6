//! The [`EventLogStore`] part of [`crate::Store`].

use async_trait::async_trait;
use orderdesk_domain::Timestamp;

use crate::{PrunedEvents, StoreResult, StoredEvent};

/// The global event log: reading it in order, and its retention.
#[async_trait]
pub trait EventLogStore: Send + Sync {
    /// Events with `seq > after`, in `seq` order. Never returns an event while
    /// a lower sequence number could still appear (commit order must equal
    /// sequence order), so a reader resuming from the last id it saw misses
    /// nothing.
    ///
    /// # Errors
    /// `Unavailable` or `Other` on database failure.
    async fn events_since(&self, after: i64, limit: u32) -> StoreResult<Vec<StoredEvent>>;

    /// The highest committed event sequence, 0 when the log is empty.
    ///
    /// # Errors
    /// `Unavailable` or `Other` on database failure.
    async fn last_event_seq(&self) -> StoreResult<i64>;

    /// Retention: deletes the log's oldest events, from its start up to (not
    /// including) the first event at or after `before`, and remembers the
    /// highest sequence number deleted (see
    /// [`EventLogStore::events_pruned_through`]). Sequence numbers are never reused.
    ///
    /// # Errors
    /// `Unavailable` or `Other` on database failure; nothing is deleted then.
    async fn prune_events(&self, before: Timestamp) -> StoreResult<PrunedEvents>;

    /// The highest event sequence number ever pruned (0 if none): a reader
    /// resuming from below it has missed events it can no longer get.
    ///
    /// # Errors
    /// `Unavailable` or `Other` on database failure.
    async fn events_pruned_through(&self) -> StoreResult<i64>;
}
