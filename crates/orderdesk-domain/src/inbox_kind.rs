//! What an inbox item is. The webhook edges name each item they store
//! (`message.text`, `status.delivered`, `payment.paid`…) and the processor
//! decides by that name, so both sides read and write it through this one
//! type; the stored string form stays exactly what it always was.

use std::fmt;

/// An inbox item's kind, parsed from (and written as) its stored string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InboxKind {
    /// `message.order`: a cart sent from the catalog, which becomes an order.
    Cart,
    /// `message.<type>`: any other customer message (text, a button tap…).
    Message(String),
    /// `status.<name>`: a status of a message we sent (delivered, read…).
    Status(String),
    /// `payment.<kind>`: a verified payment-provider event (paid, failed…).
    Payment(String),
    /// `change.<field>`: a webhook change of a field we do not act on.
    Change(String),
    /// Anything else (`unknown`, `unparsed`): kept, never acted on.
    Other(String),
}

impl InboxKind {
    /// The kind of a WhatsApp message of `message_type` (`text`, `order`…).
    pub fn message(message_type: &str) -> Self {
        Self::parse(&format!("message.{message_type}"))
    }

    /// Reads a stored kind; every string is some kind.
    pub fn parse(stored: &str) -> Self {
        let Some((family, rest)) = stored.split_once('.') else {
            return Self::Other(stored.to_owned());
        };
        let rest = rest.to_owned();
        match family {
            "message" if rest == "order" => Self::Cart,
            "message" => Self::Message(rest),
            "status" => Self::Status(rest),
            "payment" => Self::Payment(rest),
            "change" => Self::Change(rest),
            _ => Self::Other(stored.to_owned()),
        }
    }
}

impl fmt::Display for InboxKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Cart => f.write_str("message.order"),
            Self::Message(t) => write!(f, "message.{t}"),
            Self::Status(s) => write!(f, "status.{s}"),
            Self::Payment(p) => write!(f, "payment.{p}"),
            Self::Change(c) => write!(f, "change.{c}"),
            Self::Other(o) => f.write_str(o),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_kinds_read_as_what_they_are() {
        assert_eq!(InboxKind::parse("message.order"), InboxKind::Cart);
        assert_eq!(
            InboxKind::parse("message.text"),
            InboxKind::Message("text".into())
        );
        assert_eq!(
            InboxKind::parse("status.payment.captured"),
            InboxKind::Status("payment.captured".into())
        );
        assert_eq!(
            InboxKind::parse("payment.paid"),
            InboxKind::Payment("paid".into())
        );
        assert_eq!(
            InboxKind::parse("change.account_update"),
            InboxKind::Change("account_update".into())
        );
        assert_eq!(
            InboxKind::parse("unparsed"),
            InboxKind::Other("unparsed".into())
        );
        assert_eq!(
            InboxKind::parse("messages.text"),
            InboxKind::Other("messages.text".into())
        );
        assert_eq!(InboxKind::message("order"), InboxKind::Cart);
    }

    #[test]
    fn every_kind_is_written_back_exactly_as_it_was_stored() {
        for stored in [
            "message.order",
            "message.interactive",
            "status.read",
            "status.payment.failed",
            "payment.expired",
            "change.history",
            "unknown",
            "unparsed",
            "odd.thing",
        ] {
            assert_eq!(InboxKind::parse(stored).to_string(), stored);
        }
    }
}
