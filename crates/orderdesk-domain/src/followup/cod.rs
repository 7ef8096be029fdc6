//! Cash-on-delivery confirmation: a COD order is asked "Confirm / Cancel"
//! when its checkout completes (`ORDERDESK_COD_CONFIRM`); staff may not
//! approve it while the question is open; no answer after the wait brings
//! one reminder, and no answer after the reminder cancels the order with
//! the reason [`NOT_CONFIRMED`] or flags it for a call
//! (`ORDERDESK_COD_UNCONFIRMED`). Returns to origin are a COD seller's
//! costliest loss: this is where an unwanted order is caught before it
//! ships.

use serde::{Deserialize, Serialize};

use crate::OrderStatus;

/// The cancellation reason of an order nobody confirmed.
pub const NOT_CONFIRMED: &str = "not confirmed";
/// The cancellation reason of an order the customer cancelled here.
pub const CUSTOMER_CANCELLED: &str = "cancelled by the customer";

/// Where an order's confirmation stands (`cod_confirmation` in its JSON).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CodConfirmation {
    /// The question was sent; no answer yet.
    Asked,
    /// No answer after the wait: the one reminder was sent.
    Reminded,
    /// The customer tapped Confirm.
    Confirmed,
    /// The customer tapped Cancel: the order was cancelled.
    Declined,
    /// No answer after the reminder: the order was cancelled.
    NotConfirmed,
    /// No answer after the reminder: staff should call the customer.
    CallNeeded,
}

impl CodConfirmation {
    pub const ALL: [CodConfirmation; 6] = [
        Self::Asked,
        Self::Reminded,
        Self::Confirmed,
        Self::Declined,
        Self::NotConfirmed,
        Self::CallNeeded,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Asked => "asked",
            Self::Reminded => "reminded",
            Self::Confirmed => "confirmed",
            Self::Declined => "declined",
            Self::NotConfirmed => "not_confirmed",
            Self::CallNeeded => "call_needed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// Whether the customer still owes an answer.
    pub fn is_open(&self) -> bool {
        matches!(self, Self::Asked | Self::Reminded)
    }

    /// How staff read it on the order page.
    pub fn label(&self) -> &'static str {
        match self {
            Self::Asked => "Asked, waiting for the customer",
            Self::Reminded => "Reminded, waiting for the customer",
            Self::Confirmed => "Confirmed by the customer",
            Self::Declined => "Cancelled by the customer",
            Self::NotConfirmed => "Not confirmed: cancelled",
            Self::CallNeeded => "Not confirmed: call the customer",
        }
    }
}

/// What an unanswered order comes to (`ORDERDESK_COD_UNCONFIRMED`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CodUnconfirmed {
    /// Cancel it with the reason [`NOT_CONFIRMED`].
    #[default]
    Cancel,
    /// Keep it and flag it for staff to call the customer.
    Call,
}

impl CodUnconfirmed {
    /// `cancel` or `call`.
    ///
    /// # Errors
    /// Anything else, with what is allowed.
    pub fn parse(s: &str) -> Result<Self, String> {
        match s.trim() {
            "cancel" => Ok(Self::Cancel),
            "call" => Ok(Self::Call),
            other => Err(format!("`{other}` is not cancel or call")),
        }
    }
}

/// The customer's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CodAnswer {
    Confirm,
    Cancel,
}

impl CodAnswer {
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Confirm => "confirm",
            Self::Cancel => "cancel",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Confirm, Self::Cancel]
            .into_iter()
            .find(|a| a.as_str() == s)
    }
}

/// What an answer, or a timer, does to the order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodDecision {
    /// Record the confirmation and thank the customer; staff may approve.
    Confirm,
    /// Cancel the order (a legal move from its stage) with this reason and
    /// record the new state.
    Cancel {
        reason: &'static str,
        state: CodConfirmation,
    },
    /// Send the one reminder.
    Remind,
    /// Keep the order, flag it for a call.
    FlagForCall,
    /// Nothing changes. For a tap the customer is told the order's stage
    /// (a stale or repeated tap is answered, never silent).
    Nothing,
}

/// Whether the question should be asked of an order that just completed
/// its checkout.
pub fn should_ask(enabled: bool, cod: bool, state: Option<CodConfirmation>) -> bool {
    enabled && cod && state.is_none()
}

/// What a Confirm or Cancel tap does. Only an order still `confirmed`
/// (waiting for staff) with the question asked can be answered; once staff
/// approved it or it was cancelled, a tap changes nothing. A Cancel after a
/// Confirm is still honoured while staff have not approved: the customer
/// changed their mind before anything shipped.
pub fn answer(
    state: Option<CodConfirmation>,
    status: OrderStatus,
    answer: CodAnswer,
) -> CodDecision {
    let Some(state) = state else {
        return CodDecision::Nothing;
    };
    if status != OrderStatus::Confirmed {
        return CodDecision::Nothing;
    }
    match (state, answer) {
        (
            CodConfirmation::Asked | CodConfirmation::Reminded | CodConfirmation::CallNeeded,
            CodAnswer::Confirm,
        ) => CodDecision::Confirm,
        (
            CodConfirmation::Asked
            | CodConfirmation::Reminded
            | CodConfirmation::CallNeeded
            | CodConfirmation::Confirmed,
            CodAnswer::Cancel,
        ) => CodDecision::Cancel {
            reason: CUSTOMER_CANCELLED,
            state: CodConfirmation::Declined,
        },
        (CodConfirmation::Confirmed, CodAnswer::Confirm)
        | (CodConfirmation::Declined | CodConfirmation::NotConfirmed, _) => CodDecision::Nothing,
    }
}

/// The two timers of an open question.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CodTimer {
    /// The wait after asking ran out.
    Remind,
    /// The wait after the reminder ran out.
    Expire,
}

/// What a due timer does: remind once, then cancel or flag. An order staff
/// moved on (held, approved by a call flag, cancelled) or the customer
/// answered is left alone.
pub fn timer_due(
    state: Option<CodConfirmation>,
    status: OrderStatus,
    timer: CodTimer,
    unconfirmed: CodUnconfirmed,
) -> CodDecision {
    if status != OrderStatus::Confirmed {
        return CodDecision::Nothing;
    }
    match (state, timer, unconfirmed) {
        (Some(CodConfirmation::Asked), CodTimer::Remind, _) => CodDecision::Remind,
        (
            Some(CodConfirmation::Asked | CodConfirmation::Reminded),
            CodTimer::Expire,
            CodUnconfirmed::Cancel,
        ) => CodDecision::Cancel {
            reason: NOT_CONFIRMED,
            state: CodConfirmation::NotConfirmed,
        },
        (
            Some(CodConfirmation::Asked | CodConfirmation::Reminded),
            CodTimer::Expire,
            CodUnconfirmed::Call,
        ) => CodDecision::FlagForCall,
        _ => CodDecision::Nothing,
    }
}

/// Why staff may not approve the order yet, if so: the customer has not
/// answered the question. A call flag does not block: staff approving
/// after the call is their confirmation.
pub fn approval_blocked(state: Option<CodConfirmation>) -> Option<&'static str> {
    state.filter(CodConfirmation::is_open).map(|_| {
        "the customer has not confirmed this cash-on-delivery order yet; wait for their answer or cancel it"
    })
}
