//! After the checkout: the customer confirming a cash-on-delivery order
//! before staff may approve it ([`cod`]), and the rating asked after
//! delivery ([`feedback`]). Both talk through buttons whose ids name the
//! order, like the checkout's (`crate::checkout::button`): a tap days later
//! is answered from the order it names.
//!
//! Ids (a contract with every message already sent; never rename):
//! `cod:confirm:{order}`, `cod:cancel:{order}`, `rate:{1–5}:{order}`.

pub mod cod;
pub mod feedback;
#[cfg(test)]
mod tests;

use crate::checkout::MAX_BUTTON_ID_LEN;
use crate::OrderNumber;

pub use cod::{CodAnswer, CodConfirmation, CodDecision, CodTimer, CodUnconfirmed};
pub use feedback::{
    rating_summary, Feedback, FeedbackInput, FeedbackState, FeedbackStep, RatingSummary,
};

/// A tap on one of the follow-up buttons or list rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FollowupTap {
    /// Confirm / Cancel on the cash-on-delivery question.
    Cod {
        answer: CodAnswer,
        order: OrderNumber,
    },
    /// A row of the rating list. `value` is what the id says, which may be
    /// outside 1–5 (an id from elsewhere): the rule decides.
    Rate { value: u32, order: OrderNumber },
}

impl FollowupTap {
    /// The id as sent to WhatsApp.
    pub fn encode(&self) -> String {
        match self {
            Self::Cod { answer, order } => format!("cod:{}:{order}", answer.as_str()),
            Self::Rate { value, order } => format!("rate:{value}:{order}"),
        }
    }

    /// The order the tap is about.
    pub fn order(&self) -> OrderNumber {
        match self {
            Self::Cod { order, .. } | Self::Rate { order, .. } => *order,
        }
    }

    /// Reads an id [`FollowupTap::encode`] wrote; anything else is `None`
    /// (the canonical spelling only: no leading zeros, signs or spaces).
    pub fn parse(s: &str) -> Option<Self> {
        if s.len() > MAX_BUTTON_ID_LEN {
            return None;
        }
        let mut parts = s.split(':');
        let (kind, middle, number) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() {
            return None;
        }
        let order = OrderNumber::new(digits(number)?)?;
        let tap = match kind {
            "cod" => Self::Cod {
                answer: CodAnswer::parse(middle)?,
                order,
            },
            "rate" => Self::Rate {
                value: u32::try_from(digits(middle)?).ok()?,
                order,
            },
            _ => return None,
        };
        (tap.encode() == s).then_some(tap)
    }
}

/// A run of ASCII digits as a number (at most 9, so it fits).
fn digits(s: &str) -> Option<i64> {
    if s.is_empty() || s.len() > 9 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// An on/off setting (`ORDERDESK_COD_CONFIRM`): `on`, `off`, `true`,
/// `false`.
///
/// # Errors
/// Anything else, saying what is allowed.
pub fn parse_switch(raw: &str) -> Result<bool, String> {
    match raw.trim().to_ascii_lowercase().as_str() {
        "on" | "true" => Ok(true),
        "off" | "false" => Ok(false),
        other => Err(format!("`{other}` is not on or off")),
    }
}

/// A delay that can be turned off (`ORDERDESK_FEEDBACK_AFTER`): `off`, or
/// a positive duration such as `24h` (see `checkout::parse_duration`).
///
/// # Errors
/// Anything else, or zero.
pub fn parse_delay_or_off(raw: &str) -> Result<Option<chrono::Duration>, String> {
    if raw.trim().eq_ignore_ascii_case("off") {
        return Ok(None);
    }
    parse_delay(raw).map(Some)
}

/// A positive duration such as `12h` (`ORDERDESK_COD_CONFIRM_WAIT`).
///
/// # Errors
/// Not a duration, or zero.
pub fn parse_delay(raw: &str) -> Result<chrono::Duration, String> {
    match crate::checkout::parse_duration(raw) {
        Some(d) if d > chrono::Duration::zero() => Ok(d),
        _ => Err(format!(
            "`{}` is not a positive duration such as 90s, 30m, 12h or 2d",
            raw.trim()
        )),
    }
}
