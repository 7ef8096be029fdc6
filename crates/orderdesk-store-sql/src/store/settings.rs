//! [`SettingsStore`] on [`SqlStore`].

use async_trait::async_trait;
use orderdesk_domain::Timestamp;
use orderdesk_store::{MessageTemplate, SettingsStore, StoreResult};

use super::SqlStore;
use crate::{reads, Durability, SqlBackend, SqlTx};

#[async_trait]
impl<B: SqlBackend> SettingsStore for SqlStore<B> {
    async fn message_templates(&self) -> StoreResult<Vec<MessageTemplate>> {
        reads::message_templates(&self.0).await
    }

    async fn put_message_template(&self, t: &MessageTemplate) -> StoreResult<()> {
        let mut tx = self.0.write(Durability::Full).await?;
        crate::put_message_template(&mut tx, t).await?;
        tx.commit().await
    }

    async fn stored_settings(&self) -> StoreResult<Vec<orderdesk_store::StoredSetting>> {
        crate::stored_settings(&self.0).await
    }

    async fn put_settings(
        &self,
        changes: &[orderdesk_store::SettingChange],
        at: Timestamp,
        by: &str,
    ) -> StoreResult<()> {
        let mut tx = self.0.write(Durability::Full).await?;
        crate::put_settings(&mut tx, changes, at, by).await?;
        tx.commit().await
    }
}
