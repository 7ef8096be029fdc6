//! [`OpsStore`] on [`SqlStore`].

use async_trait::async_trait;
use orderdesk_domain::Timestamp;
use orderdesk_store::{OpsStore, StoreResult};

use super::SqlStore;
use crate::{Durability, SqlBackend, SqlTx};

#[async_trait]
impl<B: SqlBackend> OpsStore for SqlStore<B> {
    async fn migrate(&self) -> StoreResult<()> {
        self.0.migrate().await
    }

    async fn ping(&self) -> StoreResult<()> {
        self.0.ping().await
    }

    async fn ops_status(&self) -> StoreResult<orderdesk_store::OpsStatus> {
        self.0.ops_status().await
    }

    async fn record_webhook_verified(&self, at: Timestamp) -> StoreResult<()> {
        let mut tx = self.0.write(Durability::Full).await?;
        crate::ops_status::record_webhook_verified(&mut tx, at).await?;
        tx.commit().await
    }

    async fn watch_instances(
        &self,
        on_change: &(dyn Fn() + Send + Sync),
        on_inbox: &(dyn Fn() + Send + Sync),
    ) -> StoreResult<()> {
        self.0.watch_instances(on_change, on_inbox).await
    }

    async fn try_processing_lease(&self) -> StoreResult<Option<orderdesk_store::ProcessingLease>> {
        self.0.try_processing_lease().await
    }

    async fn migrate_unless_busy(&self) -> StoreResult<bool> {
        self.0.migrate_unless_busy().await
    }
}
