//! The delivery state machine of a chat message: where a message is, and
//! which WhatsApp status moves an outbound one on. Statuses arrive late,
//! out of order and repeated, so the rule is a rank, never a sequence.

use serde::{Deserialize, Serialize};

/// Where a chat message is. Inbound messages are `received`; outbound ones
/// go `queued → sending → sent → delivered → read`, or end `failed`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageState {
    Received,
    Queued,
    Sending,
    Sent,
    Delivered,
    Read,
    Failed,
}

impl MessageState {
    pub const ALL: [MessageState; 7] = [
        Self::Received,
        Self::Queued,
        Self::Sending,
        Self::Sent,
        Self::Delivered,
        Self::Read,
        Self::Failed,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Received => "received",
            Self::Queued => "queued",
            Self::Sending => "sending",
            Self::Sent => "sent",
            Self::Delivered => "delivered",
            Self::Read => "read",
            Self::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.as_str() == s)
    }

    /// How far an outbound message got: `queued < sending < sent < failed <
    /// delivered < read`. A failure overrides only a message not yet known
    /// to have arrived; a delivery or read receipt is proof that it did.
    /// `None` for `received`, which is not a delivery state.
    pub fn rank(&self) -> Option<u8> {
        match self {
            Self::Received => None,
            Self::Queued => Some(0),
            Self::Sending => Some(1),
            Self::Sent => Some(2),
            Self::Failed => Some(3),
            Self::Delivered => Some(4),
            Self::Read => Some(5),
        }
    }

    /// Whether a delivery status `to` moves an outbound message on from
    /// `self`. Statuses arrive out of order and repeated; a later state is
    /// never undone by an earlier one, and a repeat changes nothing.
    pub fn advances_to(&self, to: MessageState) -> bool {
        match (self.rank(), to.rank()) {
            (Some(from), Some(to)) => to > from,
            _ => false,
        }
    }
}

impl std::fmt::Display for MessageState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::MessageState::*;

    #[test]
    fn a_status_only_moves_a_message_forward() {
        assert!(Queued.advances_to(Sent));
        assert!(Sent.advances_to(Read));
        assert!(Sent.advances_to(Failed), "a failure after the send is news");
        assert!(Failed.advances_to(Delivered), "a receipt proves arrival");
        assert!(!Read.advances_to(Delivered), "late receipts undo nothing");
        assert!(!Delivered.advances_to(Failed));
        assert!(!Sent.advances_to(Sent), "a repeat changes nothing");
        assert!(
            !Received.advances_to(Read),
            "inbound messages have no delivery"
        );
        assert!(!Queued.advances_to(Received));
    }

    #[test]
    fn every_state_reads_back_from_its_stored_name() {
        for state in super::MessageState::ALL {
            assert_eq!(super::MessageState::parse(state.as_str()), Some(state));
        }
        assert_eq!(super::MessageState::parse("pending"), None);
    }
}
