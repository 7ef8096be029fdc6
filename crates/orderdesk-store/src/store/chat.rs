//! The [`ChatStore`] part of [`crate::Store`].

use async_trait::async_trait;
use orderdesk_domain::{OrderNumber, Timestamp};

use crate::{
    ChatMessage, Conversation, ConversationChange, ConversationPage, ConversationQuery, MarkedRead,
    StoreResult,
};

/// The chat as staff read it: messages by order or customer, and conversations.
#[async_trait]
pub trait ChatStore: Send + Sync {
    /// The order's chat messages, both ways, oldest first (empty for an
    /// unknown order).
    ///
    /// # Errors
    /// `Unavailable` or `Other` on database failure.
    async fn messages_for_order(&self, number: OrderNumber) -> StoreResult<Vec<ChatMessage>>;

    /// The customer's latest `limit` chat messages, both ways, oldest first.
    ///
    /// # Errors
    /// `Unavailable` or `Other` on database failure.
    async fn messages_for_customer(&self, key: &str, limit: u32) -> StoreResult<Vec<ChatMessage>>;

    /// A page of conversations (one per customer), needing a reply first,
    /// then the newest message first. Every transaction that stores a
    /// message keeps its customer's conversation and appends a
    /// `conversation.updated` event with it.
    ///
    /// # Errors
    /// `Unavailable` or `Other` on database failure.
    async fn list_conversations(&self, query: &ConversationQuery) -> StoreResult<ConversationPage>;

    /// The conversation of the customer keyed `key`, or whose `wa_id` is `key`.
    ///
    /// # Errors
    /// `Unavailable` or `Other` on database failure.
    async fn conversation(&self, key: &str) -> StoreResult<Option<Conversation>>;

    /// Marks every message of the conversation read at `at` (unread 0) and
    /// returns the newest customer message read by this call, for the read
    /// receipt. A second call finds nothing unread, changes nothing and
    /// appends no event.
    ///
    /// # Errors
    /// `NotFound` when there is no such conversation.
    async fn mark_conversation_read(&self, key: &str, at: Timestamp) -> StoreResult<MarkedRead>;

    /// Applies staff's change to a conversation (assignee, done, handover)
    /// and appends a `conversation.updated` event when anything changed.
    ///
    /// # Errors
    /// `NotFound` when there is no such conversation.
    async fn update_conversation(
        &self,
        key: &str,
        change: &ConversationChange,
        at: Timestamp,
    ) -> StoreResult<Conversation>;
}
