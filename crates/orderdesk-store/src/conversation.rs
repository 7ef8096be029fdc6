//! Conversations: one per customer, with or without an order, as the inbox
//! lists them and the `conversation.updated` event carries them.

use orderdesk_domain::{OrderNumber, Timestamp};
use serde::{Deserialize, Serialize};

use crate::Direction;

/// Who the conversation is with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConversationCustomer {
    pub wa_id: Option<String>,
    pub user_id: Option<String>,
    pub name: Option<String>,
}

/// The newest message of a conversation, either way.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LastMessage {
    pub text: String,
    pub at: Timestamp,
    pub direction: Direction,
}

/// One customer's conversation (the API's `conversations[]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conversation {
    /// The customer's key (`user_id` or `wa_id`), which the
    /// `/api/v1/conversations/{wa_id}` routes also accept.
    pub key: String,
    pub customer: ConversationCustomer,
    pub last_message: LastMessage,
    /// The customer's messages staff have not read.
    pub unread: i64,
    pub needs_reply: bool,
    pub handover: bool,
    /// The staff user's email, or `None`.
    pub assignee: Option<String>,
    /// The customer's latest open order (not closed or archived), if any.
    pub order_number: Option<OrderNumber>,
}

/// Where a page of conversations ends, to start the next one after.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConversationCursor {
    pub needs_reply: bool,
    pub last_at: Timestamp,
    pub key: String,
}

impl ConversationCursor {
    /// The cursor just past `c`.
    pub fn after(c: &Conversation) -> Self {
        Self {
            needs_reply: c.needs_reply,
            last_at: c.last_message.at,
            key: c.key.clone(),
        }
    }
}

/// Which assignee to list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AssigneeFilter {
    /// Nobody is assigned.
    Nobody,
    /// This staff user (email, compared lower-cased).
    Email(String),
}

/// Filters and position for listing conversations: needing a reply first,
/// then the newest message first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConversationQuery {
    pub needs_reply: Option<bool>,
    pub assignee: Option<AssigneeFilter>,
    /// A substring of the customer's name (case-insensitive), `wa_id` or
    /// `user_id`, or of anything they wrote.
    pub q: Option<String>,
    /// 1–200.
    pub limit: u32,
    pub after: Option<ConversationCursor>,
}

/// One page of conversations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConversationPage {
    pub conversations: Vec<Conversation>,
    /// Where the next page starts; `None` on the last.
    pub next: Option<ConversationCursor>,
}

/// What marking a conversation read did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MarkedRead {
    pub conversation: Conversation,
    /// The newest of the customer's messages read just now (its `wamid`),
    /// for the WhatsApp read receipt; `None` when nothing was unread.
    pub newest_wamid: Option<String>,
}

/// A change staff (or the bot, for a handover) make to a conversation;
/// `None` fields stay as they are.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConversationChange {
    /// `Some(None)` unassigns; emails are stored lower-cased.
    pub assignee: Option<Option<String>>,
    /// Everything the customer wrote so far counts as answered.
    pub done: bool,
    /// Hands the customer to a person (`true`) or back to the bot (`false`).
    pub handover: Option<bool>,
}
