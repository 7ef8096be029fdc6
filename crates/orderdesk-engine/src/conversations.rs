//! The conversation desk's use-cases: list conversations, read one's
//! thread, reply with no order needed (the same 24-hour rule as the order
//! chat), mark read (with WhatsApp read receipts, so the customer sees
//! blue ticks), assign, mark done, hand over to a person and back.

use chrono::Utc;
use orderdesk_store::{
    ChatMessage, Conversation, ConversationChange, ConversationPage, ConversationQuery, StoreError,
};
use orderdesk_whatsapp::MarkRead;
use tracing::instrument;

use crate::{Engine, EngineError, LiveGraph, ReplyError};

/// Most messages one thread read returns (the newest ones).
const THREAD_LIMIT: u32 = 500;

/// Sends WhatsApp read receipts for the messages staff read.
#[derive(Clone)]
pub struct ReadReceipts {
    graph: LiveGraph,
}

impl ReadReceipts {
    pub fn new(graph: LiveGraph) -> Self {
        Self { graph }
    }

    /// Marks `wamid` (and, as WhatsApp does, every earlier message of the
    /// chat) read. A failure is logged: the desk's own read mark stands,
    /// and the customer's ticks turn blue with the next receipt.
    async fn send(&self, wamid: &str) {
        // No number or token yet: nothing can be sent, nothing to report.
        let Some(graph) = self.graph.current() else {
            return;
        };
        let sent = match MarkRead::new(wamid) {
            Ok(read) => graph.mark_read(&read).await.map_err(|e| e.to_string()),
            Err(e) => Err(e.to_string()),
        };
        if let Err(e) = sent {
            tracing::warn!(error = %e, %wamid, "could not send a read receipt");
        }
    }
}

impl Engine {
    /// A page of conversations, needing a reply first.
    ///
    /// # Errors
    /// A store failure.
    pub async fn conversations(
        &self,
        query: &ConversationQuery,
    ) -> Result<ConversationPage, EngineError> {
        Ok(self.store.list_conversations(query).await?)
    }

    /// The conversation of the customer keyed (or with `wa_id`) `key`.
    ///
    /// # Errors
    /// `Store(NotFound)` when nobody by that id ever wrote or was written to.
    pub async fn conversation(&self, key: &str) -> Result<Conversation, EngineError> {
        self.store
            .conversation(key)
            .await?
            .ok_or(EngineError::Store(StoreError::NotFound))
    }

    /// The conversation's messages (orders or none), oldest first.
    ///
    /// # Errors
    /// `Store(NotFound)` for an unknown conversation.
    pub async fn conversation_messages(&self, key: &str) -> Result<Vec<ChatMessage>, EngineError> {
        let c = self.conversation(key).await?;
        Ok(self
            .store
            .messages_for_customer(&c.key, THREAD_LIMIT)
            .await?)
    }

    /// Queues a staff reply to the conversation's customer, under their
    /// open order if they have one, and counts what they wrote before it as
    /// answered (one transaction, announced as `conversation.updated`).
    ///
    /// # Errors
    /// `Reply(OutsideWindow)` 24 hours after they last wrote,
    /// `Reply(Invalid)` for text WhatsApp would refuse, `Store(NotFound)`.
    #[instrument(skip_all)]
    pub async fn reply_to_conversation(
        &self,
        key: &str,
        text: String,
    ) -> Result<ChatMessage, EngineError> {
        let c = self.conversation(key).await?;
        if c.customer.wa_id.is_none() && c.customer.user_id.is_none() {
            return Err(ReplyError::NoRecipient.into());
        }
        let queued = self
            .queue_staff_text(
                &c.key,
                c.customer.wa_id.as_deref(),
                c.customer.user_id.as_deref(),
                c.order_number,
                text,
            )
            .await?;
        self.bus.poke();
        Ok(queued)
    }

    /// Marks the conversation read and tells WhatsApp, so the customer's
    /// messages turn blue-ticked. Marking it read again changes nothing and
    /// sends nothing.
    ///
    /// # Errors
    /// `Store(NotFound)` for an unknown conversation.
    pub async fn mark_conversation_read(&self, key: &str) -> Result<Conversation, EngineError> {
        let marked = self.store.mark_conversation_read(key, Utc::now()).await?;
        if let (Some(wamid), Some(receipts)) = (&marked.newest_wamid, &self.receipts) {
            receipts.send(wamid).await;
        }
        self.bus.poke();
        Ok(marked.conversation)
    }

    /// Staff's change to a conversation (assign, done, hand back).
    ///
    /// # Errors
    /// `Store(NotFound)` for an unknown conversation.
    pub async fn change_conversation(
        &self,
        key: &str,
        change: &ConversationChange,
    ) -> Result<Conversation, EngineError> {
        let c = self
            .store
            .update_conversation(key, change, Utc::now())
            .await?;
        self.bus.poke();
        Ok(c)
    }
}
