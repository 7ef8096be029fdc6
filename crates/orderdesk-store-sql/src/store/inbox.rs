//! [`InboxStore`] on [`SqlStore`].

use async_trait::async_trait;
use chrono::Utc;
use orderdesk_store::{
    InboundOutcome, InboundRecord, InboundResult, InboxStore, NewInbound, Recorded, StoreResult,
};

use super::SqlStore;
use crate::{reads, Durability, SqlBackend, SqlTx};

#[async_trait]
impl<B: SqlBackend> InboxStore for SqlStore<B> {
    async fn record_inbound(&self, batch: &[NewInbound]) -> StoreResult<Vec<Recorded>> {
        self.0.record_inbound(batch).await
    }

    async fn pending_inbound(&self, limit: u32) -> StoreResult<Vec<InboundRecord>> {
        reads::pending_inbound(&self.0, limit).await
    }

    fn apply_limit(&self) -> usize {
        self.0.apply_limit()
    }

    async fn apply_inbound(
        &self,
        batch: &[(i64, InboundOutcome)],
    ) -> StoreResult<Vec<InboundResult>> {
        if batch.is_empty() {
            return Ok(Vec::new());
        }
        let mut tx = self.0.write(Durability::Deferred).await?;
        let results = crate::complete_inbound(&mut tx, batch, Utc::now()).await?;
        tx.commit().await?;
        Ok(results)
    }
}
