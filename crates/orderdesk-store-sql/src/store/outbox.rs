//! [`OutboxStore`] on [`SqlStore`].

use std::time::Duration;

use async_trait::async_trait;
use orderdesk_domain::Timestamp;
use orderdesk_store::{
    ChatMessage, MessageState, NewOutbound, OutboxItem, OutboxStore, StoreResult,
};

use super::SqlStore;
use crate::{Durability, SqlBackend, SqlTx};

#[async_trait]
impl<B: SqlBackend> OutboxStore for SqlStore<B> {
    async fn queue_outbound(
        &self,
        messages: &[NewOutbound],
        at: Timestamp,
    ) -> StoreResult<Vec<ChatMessage>> {
        if messages.is_empty() {
            return Ok(Vec::new());
        }
        let mut tx = self.0.write(Durability::Full).await?;
        let queued = crate::queue_outbound(&mut tx, messages, at).await?;
        tx.commit().await?;
        Ok(queued)
    }

    async fn queue_reply(&self, message: &NewOutbound, at: Timestamp) -> StoreResult<ChatMessage> {
        let mut tx = self.0.write(Durability::Full).await?;
        let queued = crate::queue_reply(&mut tx, message, at).await?;
        tx.commit().await?;
        Ok(queued)
    }

    async fn claim_outbox(
        &self,
        now: Timestamp,
        lease: Duration,
        limit: u32,
    ) -> StoreResult<Vec<OutboxItem>> {
        self.0.claim_outbox(now, lease, limit).await
    }

    async fn outbox_sent(&self, id: i64, wamid: &str, at: Timestamp) -> StoreResult<ChatMessage> {
        let mut tx = self.0.write(Durability::Full).await?;
        let message = crate::outbox_sent(&mut tx, id, wamid, at).await?;
        tx.commit().await?;
        Ok(message)
    }

    async fn outbound_text(&self, id: i64, text: &str) -> StoreResult<()> {
        let mut tx = self.0.write(Durability::Full).await?;
        crate::outbound_text(&mut tx, id, text).await?;
        tx.commit().await
    }

    async fn outbox_retry(&self, id: i64, not_before: Timestamp, error: &str) -> StoreResult<()> {
        let mut tx = self.0.write(Durability::Full).await?;
        crate::outbox_retry(&mut tx, id, not_before, error).await?;
        tx.commit().await
    }

    async fn outbox_failed(&self, id: i64, error: &str, at: Timestamp) -> StoreResult<ChatMessage> {
        let mut tx = self.0.write(Durability::Full).await?;
        let message = crate::outbox_failed(&mut tx, id, error, at).await?;
        tx.commit().await?;
        Ok(message)
    }

    async fn message_status(
        &self,
        wamid: &str,
        state: MessageState,
        at: Timestamp,
        error: Option<&str>,
    ) -> StoreResult<Option<ChatMessage>> {
        let mut tx = self.0.write(Durability::Full).await?;
        let changed = crate::message_status(&mut tx, wamid, state, at, error).await?;
        tx.commit().await?;
        Ok(changed)
    }

    async fn reserve_send_slots(
        &self,
        key: &str,
        count: u32,
        interval: Duration,
    ) -> StoreResult<Option<Duration>> {
        self.0.reserve_send_slots(key, count, interval).await
    }
}
