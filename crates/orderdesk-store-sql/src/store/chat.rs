//! [`ChatStore`] on [`SqlStore`].

use async_trait::async_trait;
use orderdesk_domain::{OrderNumber, Timestamp};
use orderdesk_store::{ChatMessage, ChatStore, StoreResult};

use super::SqlStore;
use crate::{reads, Durability, SqlBackend, SqlTx};

#[async_trait]
impl<B: SqlBackend> ChatStore for SqlStore<B> {
    async fn messages_for_order(&self, number: OrderNumber) -> StoreResult<Vec<ChatMessage>> {
        reads::messages_for_order(&self.0, number).await
    }

    async fn messages_for_customer(&self, key: &str, limit: u32) -> StoreResult<Vec<ChatMessage>> {
        reads::messages_for_customer(&self.0, key, limit).await
    }

    async fn list_conversations(
        &self,
        query: &orderdesk_store::ConversationQuery,
    ) -> StoreResult<orderdesk_store::ConversationPage> {
        crate::conversations::list(&self.0, query).await
    }

    async fn conversation(&self, key: &str) -> StoreResult<Option<orderdesk_store::Conversation>> {
        crate::conversations::conversation(&self.0, key).await
    }

    async fn mark_conversation_read(
        &self,
        key: &str,
        at: Timestamp,
    ) -> StoreResult<orderdesk_store::MarkedRead> {
        let mut tx = self.0.write(Durability::Full).await?;
        let marked = crate::conversations::mark_read(&mut tx, key, at).await?;
        tx.commit().await?;
        Ok(marked)
    }

    async fn update_conversation(
        &self,
        key: &str,
        change: &orderdesk_store::ConversationChange,
        at: Timestamp,
    ) -> StoreResult<orderdesk_store::Conversation> {
        let mut tx = self.0.write(Durability::Full).await?;
        let updated = crate::conversations::update(&mut tx, key, change, at).await?;
        tx.commit().await?;
        Ok(updated)
    }
}
