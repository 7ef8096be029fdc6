//! Kinds of events in the global event log; the SSE `event:` field.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
pub enum EventKind {
    #[serde(rename = "order.created")]
    OrderCreated,
    #[serde(rename = "order.updated")]
    OrderUpdated,
    #[serde(rename = "order.status_changed")]
    OrderStatusChanged,
    #[serde(rename = "payment.updated")]
    PaymentUpdated,
    #[serde(rename = "message.received")]
    MessageReceived,
    #[serde(rename = "message.sent")]
    MessageSent,
    #[serde(rename = "message.status")]
    MessageStatus,
    /// A customer's conversation changed (a message either way, read,
    /// assigned, handed over or back, marked done).
    #[serde(rename = "conversation.updated")]
    ConversationUpdated,
}

impl EventKind {
    pub const ALL: [EventKind; 8] = [
        Self::OrderCreated,
        Self::OrderUpdated,
        Self::OrderStatusChanged,
        Self::PaymentUpdated,
        Self::MessageReceived,
        Self::MessageSent,
        Self::MessageStatus,
        Self::ConversationUpdated,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            Self::OrderCreated => "order.created",
            Self::OrderUpdated => "order.updated",
            Self::OrderStatusChanged => "order.status_changed",
            Self::PaymentUpdated => "payment.updated",
            Self::MessageReceived => "message.received",
            Self::MessageSent => "message.sent",
            Self::MessageStatus => "message.status",
            Self::ConversationUpdated => "conversation.updated",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_match_serde() {
        for k in EventKind::ALL {
            assert_eq!(EventKind::parse(k.as_str()), Some(k));
            assert_eq!(serde_json::to_value(k).unwrap(), k.as_str());
        }
    }
}
