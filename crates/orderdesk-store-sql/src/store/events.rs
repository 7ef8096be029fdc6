//! [`EventLogStore`] on [`SqlStore`].

use async_trait::async_trait;
use orderdesk_domain::Timestamp;
use orderdesk_store::{EventLogStore, PrunedEvents, StoreResult, StoredEvent};

use super::SqlStore;
use crate::{reads, SqlBackend};

#[async_trait]
impl<B: SqlBackend> EventLogStore for SqlStore<B> {
    async fn events_since(&self, after: i64, limit: u32) -> StoreResult<Vec<StoredEvent>> {
        reads::events_since(&self.0, after, limit).await
    }

    async fn last_event_seq(&self) -> StoreResult<i64> {
        self.0.last_event_seq().await
    }

    async fn prune_events(&self, before: Timestamp) -> StoreResult<PrunedEvents> {
        self.0.prune_events(before).await
    }

    async fn events_pruned_through(&self) -> StoreResult<i64> {
        reads::events_pruned_through(&self.0).await
    }
}
