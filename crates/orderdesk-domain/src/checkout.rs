//! The checkout step of an order: what the bot is waiting for next.
//! `awaiting_address → awaiting_payment → awaiting_note_choice →
//! (awaiting_note_text) → complete`.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CheckoutStep {
    AwaitingAddress,
    AwaitingPayment,
    AwaitingNoteChoice,
    AwaitingNoteText,
    Complete,
}

impl CheckoutStep {
    pub const ALL: [CheckoutStep; 5] = [
        Self::AwaitingAddress,
        Self::AwaitingPayment,
        Self::AwaitingNoteChoice,
        Self::AwaitingNoteText,
        Self::Complete,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            Self::AwaitingAddress => "awaiting_address",
            Self::AwaitingPayment => "awaiting_payment",
            Self::AwaitingNoteChoice => "awaiting_note_choice",
            Self::AwaitingNoteText => "awaiting_note_text",
            Self::Complete => "complete",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for s in CheckoutStep::ALL {
            assert_eq!(CheckoutStep::parse(s.as_str()), Some(s));
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
        }
    }
}
