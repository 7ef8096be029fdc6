//! The ids of the reply buttons the checkout sends.
//!
//! WhatsApp hands a tapped button's id back verbatim, days later if the
//! customer scrolls up, so the id names both the action and the order:
//! `{action}:{order number}`, e.g. `note:add:1001`, `note:skip:1001`,
//! `pay:online:1001`, `pay:cod:1001`. That lets a stale or repeated tap be
//! routed to the order it was sent for and answered from that order's state,
//! instead of acting on whatever order the customer happens to be in now.
//!
//! The format is a contract with every message already sent: never rename an
//! action; add new ones instead.

use crate::OrderNumber;

/// WhatsApp's limit on a reply button id, in characters.
pub const MAX_BUTTON_ID_LEN: usize = 256;

/// What a checkout button asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ButtonAction {
    /// "Add a note": the customer will type one.
    AddNote,
    /// "Skip": no note.
    SkipNote,
    /// "Pay now": send the payment link.
    PayOnline,
    /// "Cash on delivery".
    PayCod,
}

impl ButtonAction {
    /// Every action.
    pub const ALL: [ButtonAction; 4] =
        [Self::AddNote, Self::SkipNote, Self::PayOnline, Self::PayCod];

    /// The action's part of a button id.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::AddNote => "note:add",
            Self::SkipNote => "note:skip",
            Self::PayOnline => "pay:online",
            Self::PayCod => "pay:cod",
        }
    }
}

/// A checkout button's id: which action, on which order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ButtonId {
    /// What the button asks for.
    pub action: ButtonAction,
    /// The order whose message carried the button.
    pub order: OrderNumber,
}

impl ButtonId {
    /// The id for `action` on `order`.
    pub fn new(action: ButtonAction, order: OrderNumber) -> Self {
        Self { action, order }
    }

    /// The id as sent to WhatsApp, e.g. `note:skip:1001`.
    pub fn encode(&self) -> String {
        format!("{}:{}", self.action.as_str(), self.order)
    }

    /// Reads an id this module encoded. Anything else (another format, a
    /// leading zero, a sign, spaces, a number below 1001) is `None`: the tap
    /// did not come from a checkout button, and the caller treats it as
    /// off-script.
    pub fn parse(s: &str) -> Option<Self> {
        if s.len() > MAX_BUTTON_ID_LEN {
            return None;
        }
        let (action, number) = s.rsplit_once(':')?;
        let action = ButtonAction::ALL
            .into_iter()
            .find(|a| a.as_str() == action)?;
        if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let order = OrderNumber::new(number.parse().ok()?)?;
        let id = Self { action, order };
        // Only the canonical spelling is ours; `note:add:01001` is not.
        (id.encode() == s).then_some(id)
    }
}

impl std::fmt::Display for ButtonId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.encode())
    }
}
