//! The values the checkout machine reads and returns. The rules live in
//! `machine.rs`; this file only says what each value means.

use chrono::Duration;
use serde::{Deserialize, Serialize};

use super::CheckoutStep;
use crate::{Order, OrderNumber, OrderStatus, PaymentMethod, PaymentStatus, TransitionRequest};

/// How the customer chose to pay, as far as the checkout cares: the engine
/// records `Online` as the configured provider's [`PaymentMethod`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentChoice {
    /// Through the provider's payment page.
    Online,
    /// Cash on delivery: settled for confirmation without a payment.
    Cod,
}

impl PaymentChoice {
    /// The choice an order's stored method stands for.
    pub fn of(method: PaymentMethod) -> Self {
        match method {
            PaymentMethod::Cod => Self::Cod,
            _ => Self::Online,
        }
    }
}

/// What the checkout machine needs to know about one order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckoutState {
    /// The order's number; button ids must name it.
    pub number: OrderNumber,
    /// The order's stage. Only `placed` and `abandoned` orders are in checkout.
    pub status: OrderStatus,
    /// What the bot is waiting for.
    pub step: CheckoutStep,
    /// The order's payment status.
    pub payment_status: PaymentStatus,
    /// The payment method chosen so far, if any.
    pub payment_method: Option<PaymentChoice>,
    /// Whether a delivery address has been given.
    pub has_address: bool,
    /// The customer's note, once given.
    pub note: Option<String>,
    /// Whether the customer has been nudged since the checkout last moved.
    pub nudged: bool,
    /// A newer order of the same customer, once one exists: free text and
    /// timers belong to that one, and this one is no longer asked for a note.
    pub superseded_by: Option<OrderNumber>,
    /// Messages at this step the bot could not use, so far.
    pub off_script: u32,
    /// What the customer typed at the address step instead of using the form.
    pub address_as_typed: Option<String>,
}

impl CheckoutState {
    /// A fresh order, just made from a cart.
    pub fn new(number: OrderNumber) -> Self {
        Self {
            number,
            status: OrderStatus::Placed,
            step: CheckoutStep::AwaitingAddress,
            payment_status: PaymentStatus::Pending,
            payment_method: None,
            has_address: false,
            note: None,
            nudged: false,
            superseded_by: None,
            off_script: 0,
            address_as_typed: None,
        }
    }

    /// The checkout view of a stored order. `nudged` and `superseded_by` are
    /// not part of [`Order`]; the caller fills them in from where it keeps
    /// them (`superseded_by` is the customer's newest order, when newer).
    pub fn from_order(order: &Order) -> Self {
        Self {
            number: order.number,
            status: order.status,
            step: order.checkout_step,
            payment_status: order.payment_status,
            payment_method: order.payment_method.map(PaymentChoice::of),
            has_address: order.address.is_some(),
            note: order.note.clone(),
            nudged: false,
            superseded_by: None,
            off_script: order.off_script,
            address_as_typed: order.address_as_typed.clone(),
        }
    }

    /// The state once `outcome` has been applied, as the engine will store it.
    pub fn after(&self, outcome: &CheckoutOutcome) -> Self {
        let c = &outcome.changes;
        Self {
            number: self.number,
            status: outcome.moves.last().map_or(self.status, |m| m.to),
            step: outcome.step,
            payment_status: c.payment_status.unwrap_or(self.payment_status),
            payment_method: c.payment_method.or(self.payment_method),
            has_address: self.has_address || c.address_accepted,
            note: c.note.clone().or_else(|| self.note.clone()),
            nudged: c.nudged.unwrap_or(self.nudged),
            superseded_by: c.superseded_by.or(self.superseded_by),
            off_script: c.off_script.unwrap_or(self.off_script),
            address_as_typed: c
                .address_as_typed
                .clone()
                .or_else(|| self.address_as_typed.clone()),
        }
    }
}

/// One thing that happened to an order's checkout.
///
/// Routing is the engine's: a tap goes to the order its [`super::ButtonId`]
/// names, a form submission or payment event to the order it belongs to, and
/// free text or [`CheckoutInput::CustomerReturned`] to the customer's newest
/// order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckoutInput {
    /// The order was just made from a cart: start the conversation.
    CartReceived,
    /// The hosted address form was submitted (the address itself is the
    /// engine's to store).
    AddressSubmitted,
    /// The provider reports the order paid.
    PaymentSucceeded,
    /// The provider reports a payment attempt failed.
    PaymentFailed,
    /// The provider reports the payment link expired.
    PaymentExpired,
    /// The customer tapped a reply button; `id` is the id WhatsApp echoed.
    ButtonTapped {
        /// The button id, ideally one [`super::ButtonId::encode`] made.
        id: String,
    },
    /// The customer sent a text.
    Text {
        /// The text as sent.
        body: String,
    },
    /// The same customer sent a new cart, which became order `newer`. Given
    /// to each of their older orders still placed or abandoned, in the unit
    /// of work that makes the new order.
    CartReplaced {
        /// The new order's number.
        newer: OrderNumber,
    },
    /// The checkout has been idle for the nudge delay ([`super::due_timer`]).
    NudgeDue,
    /// The checkout has been idle for the abandonment delay.
    AbandonDue,
    /// The customer wrote something that is neither text, a tap nor a cart
    /// (an image, a location, a sticker), or came back some other way.
    CustomerReturned,
}

/// What to do with a customer's older order when they send a newer cart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OnNewerCart {
    /// Leave it placed: its own links and buttons still work, and the
    /// abandonment timer ends it if it is never continued (DESIGN §2).
    KeepOlder,
    /// Abandon it at once; its buttons then answer that it was replaced.
    AbandonOlder,
}

/// The business's checkout settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckoutSettings {
    /// Offer cash on delivery (`COD_ENABLED`).
    pub cod_enabled: bool,
    /// Idle time before the one nudge; no nudge when not shorter than
    /// `abandon_after`.
    pub nudge_after: Duration,
    /// Idle time before the order is abandoned.
    pub abandon_after: Duration,
    /// The later steps of the cart-recovery schedule after the nudge: idle
    /// times (since the checkout last moved) at which the customer is
    /// reminded again, ascending, each after `nudge_after`; steps after
    /// `abandon_after` remind of the abandoned (resumable) cart. Past the
    /// 24-hour window a step goes as the approved template or not at all.
    pub recovery_later: Vec<Duration>,
    /// What a newer cart does to an older order still in checkout.
    pub on_newer_cart: OnNewerCart,
}

impl Default for CheckoutSettings {
    /// No COD, nudge after 1 h, remind again at 23 h and 48 h, abandon
    /// after 24 h, keep older orders.
    fn default() -> Self {
        Self {
            cod_enabled: false,
            nudge_after: Duration::hours(1),
            abandon_after: Duration::hours(24),
            recovery_later: vec![Duration::hours(23), Duration::hours(48)],
            on_newer_cart: OnNewerCart::KeepOlder,
        }
    }
}

/// Fields of the order to write. Payment and address details are the
/// engine's; the machine only says they are accepted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CheckoutChanges {
    /// Store the submitted address.
    pub address_accepted: bool,
    /// The customer's note, trimmed.
    pub note: Option<String>,
    /// The payment method the customer chose.
    pub payment_method: Option<PaymentChoice>,
    /// The payment status to record. A success is recorded from `failed` or
    /// `expired` too (the customer retried on the same page): money received
    /// is a fact, even if the payment table would pass through `pending`.
    pub payment_status: Option<PaymentStatus>,
    /// The new value of [`CheckoutState::nudged`].
    pub nudged: Option<bool>,
    /// The newer order that replaced this one.
    pub superseded_by: Option<OrderNumber>,
    /// The new count of messages at this step the bot could not use (0
    /// again once the checkout moves).
    pub off_script: Option<u32>,
    /// What the customer typed at the address step so far, to keep.
    pub address_as_typed: Option<String>,
}

impl CheckoutChanges {
    /// Whether there is nothing to write.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// A message the bot should send about this order. Intents only: the
/// wording, language and WhatsApp shape belong to the template layer.
///
/// A lead-in ([`Reply::Reprompt`], [`Reply::Nudge`], [`Reply::WelcomeBack`])
/// is always followed by the question it leads into, which the template
/// layer may fold into one message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Reply {
    /// "Add delivery address": `cta_url` to the hosted form.
    AskAddress,
    /// Thanks for the address.
    ThankForAddress,
    /// The address was changed (before the payment step passed).
    AddressUpdated,
    /// The payment request: Pay now / Cash on delivery buttons when
    /// `cod_offered`, otherwise the payment link (a fresh one if the last
    /// failed or expired).
    AskPayment {
        /// Offer cash on delivery next to paying now.
        cod_offered: bool,
    },
    /// The payment arrived.
    PaymentReceived,
    /// The payment attempt failed.
    PaymentFailed,
    /// The payment link expired.
    PaymentExpired,
    /// Cash on delivery is noted.
    CodAccepted,
    /// Cash on delivery is no longer offered (the setting changed after the
    /// buttons were sent).
    CodUnavailable,
    /// The note question: "Add a note" / "Skip" buttons.
    AskNote,
    /// "Type your note."
    AskNoteText,
    /// The note is saved.
    NoteSaved,
    /// The order is confirmed.
    OrderConfirmed,
    /// That question was already answered.
    AlreadyDone,
    /// The order is closed (cancelled, rejected, returned, archived).
    OrderClosed {
        /// The order's stage.
        status: OrderStatus,
    },
    /// This order was replaced by the customer's newer cart.
    Superseded {
        /// The newer order.
        newer: OrderNumber,
    },
    /// Lead-in: "Sorry, I need you to use the button for this step."
    Reprompt {
        /// The step being asked again.
        step: CheckoutStep,
    },
    /// Lead-in: the one reminder of an unfinished checkout.
    Nudge,
    /// Lead-in: the customer is back on an abandoned order.
    WelcomeBack,
    /// Lead-in: what the customer typed at the address step is kept for
    /// the team; the form is asked for once more.
    AddressKept,
    /// The bot could not use two messages at this step: a "Talk to a
    /// person" reply button (id [`super::HANDOVER_BUTTON_ID`]).
    OfferHandover {
        /// The step the customer is stuck at.
        step: CheckoutStep,
    },
}

/// What [`super::advance`] decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckoutOutcome {
    /// The checkout step afterwards (unchanged if nothing moved).
    pub step: CheckoutStep,
    /// Fields to write.
    pub changes: CheckoutChanges,
    /// Stage moves to make, in order, each through
    /// [`crate::plan_transition`]. At most two: a resume
    /// (`abandoned → placed`) may be followed by the completion
    /// (`placed → confirmed`).
    pub moves: Vec<TransitionRequest>,
    /// Messages to send, in order.
    pub replies: Vec<Reply>,
    /// The checkout moved forward: restart its idle clock, from which the
    /// nudge and the abandonment are measured.
    pub progressed: bool,
}

impl CheckoutOutcome {
    /// Whether the input changed nothing and needs no answer.
    pub fn is_noop(&self, before: &CheckoutState) -> bool {
        self.step == before.step
            && self.changes.is_empty()
            && self.moves.is_empty()
            && self.replies.is_empty()
            && !self.progressed
    }
}

/// Why an input cannot be applied to this order. Each one means the input
/// was sent to the wrong order; nothing changes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckoutRefusal {
    /// A button id names another order: route taps by their id.
    #[error("the button is for order #{named}, not order #{number}")]
    WrongOrder {
        /// The order the input was given to.
        number: OrderNumber,
        /// The order the button names.
        named: OrderNumber,
    },
    /// Free text or a return belongs to the customer's newest order; an
    /// abandoned, replaced order is not resumed by the address form either.
    #[error("order #{number} was replaced by order #{newer}")]
    Superseded {
        /// The order the input was given to.
        number: OrderNumber,
        /// The customer's newer order.
        newer: OrderNumber,
    },
    /// The address is editable only until the payment step has passed
    /// (DESIGN §3, `/address/{token}`).
    #[error("the address of order #{number} can no longer be changed: the order is {status}, checkout {step}")]
    AddressLocked {
        /// The order.
        number: OrderNumber,
        /// Its stage.
        status: OrderStatus,
        /// Its checkout step.
        step: CheckoutStep,
    },
    /// A cart can only be replaced by a later one.
    #[error("order #{newer} is not newer than order #{number}")]
    NotNewer {
        /// The order the input was given to.
        number: OrderNumber,
        /// The order said to replace it.
        newer: OrderNumber,
    },
}
