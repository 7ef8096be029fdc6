//! What the payment indicator on a card and in the order window shows: one
//! rule, so the board, the order window and the live script (which mirrors
//! it, `assets/dashboard.js` `paymentOf`) agree.
//!
//! An order that ended (cancelled, rejected, abandoned) without its money
//! ever arriving is "Not paid", not "Payment pending": nothing is pending
//! any more, and an orange ring there made staff chase payments that will
//! never come.

use crate::{Order, OrderStatus, PaymentMethod, PaymentStatus};

/// The states the indicator can show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PaymentIndicator {
    Pending,
    Paid,
    Failed,
    PartiallyRefunded,
    Refunded,
    CashOnDelivery,
    /// The order ended and was never paid.
    NotPaid,
}

impl PaymentIndicator {
    /// What `order` shows now.
    pub fn of(order: &Order) -> Self {
        let never_paid = matches!(
            order.payment_status,
            PaymentStatus::Pending | PaymentStatus::Failed | PaymentStatus::Expired
        );
        let ended = matches!(
            order.status,
            OrderStatus::Cancelled | OrderStatus::Rejected | OrderStatus::Abandoned
        );
        if never_paid && ended {
            return Self::NotPaid;
        }
        match (order.payment_status, order.payment_method) {
            (PaymentStatus::Paid, _) => Self::Paid,
            (PaymentStatus::Failed | PaymentStatus::Expired, _) => Self::Failed,
            (PaymentStatus::PartiallyRefunded, _) => Self::PartiallyRefunded,
            (PaymentStatus::Refunded, _) => Self::Refunded,
            (PaymentStatus::Pending, Some(PaymentMethod::Cod)) => Self::CashOnDelivery,
            (PaymentStatus::Pending, _) => Self::Pending,
        }
    }

    /// The CSS class (`pay-…`).
    pub fn class(&self) -> &'static str {
        match self {
            Self::Pending => "pay-pending",
            Self::Paid => "pay-paid",
            Self::Failed => "pay-failed",
            Self::PartiallyRefunded => "pay-partly-refunded",
            Self::Refunded => "pay-refunded",
            Self::CashOnDelivery => "pay-cod",
            Self::NotPaid => "pay-not-paid",
        }
    }

    /// The label (`aria-label` and `title`), also what the order window says.
    pub fn label(&self) -> &'static str {
        match self {
            Self::Pending => "Payment pending",
            Self::Paid => "Paid",
            Self::Failed => "Payment failed",
            Self::PartiallyRefunded => "Partially refunded",
            Self::Refunded => "Refunded",
            Self::CashOnDelivery => "Cash on delivery",
            Self::NotPaid => "Not paid",
        }
    }

    /// The glyph inside the indicator.
    pub fn glyph(&self) -> &'static str {
        match self {
            Self::Pending | Self::NotPaid => "",
            Self::Paid => "✓",
            Self::Failed => "✕",
            Self::PartiallyRefunded | Self::Refunded => "↺",
            Self::CashOnDelivery => "COD",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Currency, Customer, NewOrder, OrderNumber};

    fn order(status: OrderStatus, payment: PaymentStatus, method: Option<PaymentMethod>) -> Order {
        let new = NewOrder {
            customer: Customer::default(),
            items: vec![],
            currency: Currency::parse("INR").unwrap(),
            total_minor: 1000,
            cart_text: None,
            created_at: chrono::Utc::now(),
        };
        let mut o = new.placed(OrderNumber::FIRST, chrono::Utc::now());
        o.status = status;
        o.payment_status = payment;
        o.payment_method = method;
        o
    }

    #[test]
    fn an_ended_order_that_was_never_paid_shows_not_paid() {
        for status in [
            OrderStatus::Cancelled,
            OrderStatus::Rejected,
            OrderStatus::Abandoned,
        ] {
            for payment in [
                PaymentStatus::Pending,
                PaymentStatus::Failed,
                PaymentStatus::Expired,
            ] {
                for method in [
                    None,
                    Some(PaymentMethod::Cod),
                    Some(PaymentMethod::Razorpay),
                ] {
                    let shown = PaymentIndicator::of(&order(status, payment, method));
                    assert_eq!(shown, PaymentIndicator::NotPaid, "{status} {payment}");
                    assert_eq!(shown.label(), "Not paid");
                }
            }
        }
    }

    #[test]
    fn an_ended_order_that_was_paid_keeps_its_payment() {
        let o = order(OrderStatus::Cancelled, PaymentStatus::Paid, None);
        assert_eq!(PaymentIndicator::of(&o), PaymentIndicator::Paid);
        let o = order(OrderStatus::Rejected, PaymentStatus::Refunded, None);
        assert_eq!(PaymentIndicator::of(&o), PaymentIndicator::Refunded);
    }

    #[test]
    fn an_open_order_shows_pending_or_cash_on_delivery() {
        let o = order(OrderStatus::Placed, PaymentStatus::Pending, None);
        assert_eq!(PaymentIndicator::of(&o).label(), "Payment pending");
        let o = order(
            OrderStatus::Confirmed,
            PaymentStatus::Pending,
            Some(PaymentMethod::Cod),
        );
        assert_eq!(PaymentIndicator::of(&o).label(), "Cash on delivery");
    }
}
