//! The checkout conversation of one order: what the bot is waiting for next
//! (`awaiting_address → awaiting_payment → awaiting_note_choice →
//! (awaiting_note_text) → complete`, DESIGN §2) and the pure state machine
//! that moves it.
//!
//! The machine is one function, [`advance`]: given the order's
//! [`CheckoutState`], one [`CheckoutInput`] (a form submission, a payment
//! event, a button tap, a text, a timer) and the business's
//! [`CheckoutSettings`], it returns a [`CheckoutOutcome`] (the new step, the
//! fields to write, the stage moves to make, the [`Reply`] intents to send) or
//! a typed [`CheckoutRefusal`]. It never looks at a clock or a database, so the
//! engine can run it inside the transaction that applies its outcome, and the
//! tests can walk every step against every input.
//!
//! ```
//! use orderdesk_domain::{advance, CheckoutInput, CheckoutSettings, CheckoutState, CheckoutStep,
//!     OrderNumber, Reply};
//!
//! let order = CheckoutState::new(OrderNumber::FIRST);
//! let out = advance(&order, CheckoutInput::AddressSubmitted, &CheckoutSettings::default())?;
//! assert_eq!(out.step, CheckoutStep::AwaitingPayment);
//! assert_eq!(out.replies, [Reply::ThankForAddress, Reply::AskPayment { cod_offered: false }]);
//! # Ok::<(), orderdesk_domain::CheckoutRefusal>(())
//! ```

mod button;
mod machine;
mod model;
mod written;

use serde::{Deserialize, Serialize};

pub use button::{ButtonAction, ButtonId, MAX_BUTTON_ID_LEN};
pub use machine::{advance, due_timer, recovery_due, MAX_ADDRESS_AS_TYPED};

/// The reply-button id of "Talk to a person": the same for every order, so
/// a tap on an old one still reaches a person.
pub const HANDOVER_BUTTON_ID: &str = "handover";
pub use model::{
    CheckoutChanges, CheckoutInput, CheckoutOutcome, CheckoutRefusal, CheckoutSettings,
    CheckoutState, OnNewerCart, PaymentChoice, Reply,
};
pub use written::{
    parse_duration, parse_flag, parse_schedule, WrittenCheckout, MAX_RECOVERY_STEPS,
};

/// What the bot is waiting for next on an order (the order JSON's
/// `checkout_step`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CheckoutStep {
    /// The customer has been sent the hosted address form.
    AwaitingAddress,
    /// The customer has been sent the payment request (a link, or Pay now /
    /// Cash on delivery buttons).
    AwaitingPayment,
    /// The customer has been asked to add a note or skip.
    AwaitingNoteChoice,
    /// The customer chose to add a note; their next text is the note.
    AwaitingNoteText,
    /// Nothing more to ask: the order is (being) confirmed.
    Complete,
}

impl CheckoutStep {
    /// Every step, in the order a checkout walks them.
    pub const ALL: [CheckoutStep; 5] = [
        Self::AwaitingAddress,
        Self::AwaitingPayment,
        Self::AwaitingNoteChoice,
        Self::AwaitingNoteText,
        Self::Complete,
    ];

    /// The snake_case id, as stored and as the API shows it.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::AwaitingAddress => "awaiting_address",
            Self::AwaitingPayment => "awaiting_payment",
            Self::AwaitingNoteChoice => "awaiting_note_choice",
            Self::AwaitingNoteText => "awaiting_note_text",
            Self::Complete => "complete",
        }
    }

    /// The step named by a snake_case id, or `None`.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == s)
    }

    /// Whether this is one of the two note steps, which only an order with an
    /// address and a settled payment reaches.
    pub fn is_note_step(&self) -> bool {
        matches!(self, Self::AwaitingNoteChoice | Self::AwaitingNoteText)
    }
}

impl std::fmt::Display for CheckoutStep {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests;
