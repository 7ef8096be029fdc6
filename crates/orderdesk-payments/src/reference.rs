//! Our per-attempt reference: `{order number}-{attempt}`, e.g. `1001-2`.
//!
//! Razorpay refuses a second link with a `reference_id` it has seen, and
//! Stripe replays the first answer to a reused `Idempotency-Key`, so every
//! link of an order needs its own value; the attempt suffix gives it one and
//! still names the order, so a webhook leads back to it.

use std::fmt;

use orderdesk_domain::OrderNumber;

/// Which order and which payment attempt a link belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ReferenceId {
    pub order_number: OrderNumber,
    pub attempt: u32,
}

impl ReferenceId {
    pub fn new(order_number: OrderNumber, attempt: u32) -> Self {
        Self {
            order_number,
            attempt,
        }
    }

    /// Reads `1001-2` back. Anything else (a link the merchant made by hand
    /// in the provider's dashboard, say) is `None`: it is not ours to act on
    /// by reference.
    pub fn parse(s: &str) -> Option<Self> {
        let (order, attempt) = s.split_once('-')?;
        let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
        if !digits(order) || !digits(attempt) {
            return None;
        }
        let order_number = OrderNumber::new(order.parse().ok()?)?;
        let attempt: u32 = attempt.parse().ok()?;
        (attempt >= 1).then_some(Self::new(order_number, attempt))
    }
}

impl fmt::Display for ReferenceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.order_number, self.attempt)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order(n: i64) -> OrderNumber {
        OrderNumber::new(n).unwrap()
    }

    #[test]
    fn a_reference_prints_as_order_dash_attempt_and_reads_back() {
        let r = ReferenceId::new(order(1001), 2);
        assert_eq!(r.to_string(), "1001-2");
        assert_eq!(ReferenceId::parse("1001-2"), Some(r));
        assert_eq!(
            ReferenceId::parse("123456789-4294967295").unwrap().attempt,
            u32::MAX
        );
    }

    #[test]
    fn references_orderdesk_did_not_make_are_not_read_as_ours() {
        for s in [
            "",
            "23",
            "order-42",
            "1001",
            "1001-",
            "-2",
            "1001-0",
            "1000-1",
            "1001-2-3",
            "1001-+2",
            " 1001-2",
            "#1001-2",
            "1001-99999999999",
        ] {
            assert_eq!(ReferenceId::parse(s), None, "{s:?}");
        }
    }
}
