//! Which staff payment actions an order allows now: the one rule behind both
//! the engine (which refuses the others with 409) and the dashboard (which
//! offers only these), so the two cannot disagree.
//!
//! Requests without a required reason are bad input, not a matter of the
//! order's state; the engine checks those itself before asking here.

use crate::{CheckoutStep, Order, OrderNumber, OrderStatus, PaymentMethod, PaymentStatus};

/// A staff action on an order's payment, without its arguments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PaymentActionKind {
    /// Record money that arrived outside any provider.
    MarkPaid,
    /// Send the customer a fresh payment link.
    SendLink,
    /// Give money back: at the provider that took it, or recorded (cash,
    /// UPI, bank), fully or in part.
    Refund,
}

impl PaymentActionKind {
    pub const ALL: [PaymentActionKind; 3] = [Self::MarkPaid, Self::SendLink, Self::Refund];

    /// The name in the API (`"action": "mark_paid"`).
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::MarkPaid => "mark_paid",
            Self::SendLink => "send_link",
            Self::Refund => "refund",
        }
    }
}

/// Why an action is not possible for the order now; the message is what
/// staff read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PaymentRefusal {
    #[error("order #{number} is already {payment}")]
    Settled {
        number: OrderNumber,
        payment: PaymentStatus,
    },
    #[error("order #{number} is {}; a payment for it would be refunded, not recorded", .status.label().to_lowercase())]
    ClosedForPayment {
        number: OrderNumber,
        status: OrderStatus,
    },
    #[error("order #{number} is {}", .status.label().to_lowercase())]
    Closed {
        number: OrderNumber,
        status: OrderStatus,
    },
    #[error("order #{number} has no delivery address yet; mark it paid once the checkout reaches the payment step")]
    NothingToPayYet { number: OrderNumber },
    #[error("order #{number} has no delivery address yet; the bot sends the link after it")]
    NoLinkBeforeAddress { number: OrderNumber },
    #[error("no payment provider is configured (PAYMENTS_PROVIDER), so there is no link to send")]
    NoProvider,
    #[error("the customer of order #{number} chose cash on delivery")]
    CashOnDelivery { number: OrderNumber },
    #[error("order #{number} already had {limit} payment links in the last hour; wait before sending another")]
    TooManyLinks { number: OrderNumber, limit: usize },
    #[error("only a paid order can be refunded; order #{number} is {payment}")]
    NotPaid {
        number: OrderNumber,
        payment: PaymentStatus,
    },
    #[error("the payment of order #{number} was refunded in full already")]
    NothingLeftToRefund { number: OrderNumber },
    #[error("only {left} of order #{number} is left to refund, not {asked}")]
    RefundTooLarge {
        number: OrderNumber,
        asked: crate::Money,
        left: crate::Money,
    },
}

/// Whether staff may take `action` on `order` now. `provider_configured`:
/// whether a payment provider can make links.
///
/// # Errors
/// [`PaymentRefusal`] saying why not.
pub fn check_payment_action(
    order: &Order,
    action: PaymentActionKind,
    provider_configured: bool,
) -> Result<(), PaymentRefusal> {
    let number = order.number;
    let settled = || match order.payment_status {
        payment @ (PaymentStatus::Paid
        | PaymentStatus::PartiallyRefunded
        | PaymentStatus::Refunded) => Err(PaymentRefusal::Settled { number, payment }),
        _ => Ok(()),
    };
    match action {
        PaymentActionKind::MarkPaid => {
            settled()?;
            // An abandoned checkout is over too: its indicator says "Not
            // paid" (see `payment_indicator`), and a late payment would
            // be refunded, not recorded.
            if matches!(
                order.status,
                OrderStatus::Rejected
                    | OrderStatus::Cancelled
                    | OrderStatus::Archived
                    | OrderStatus::Abandoned
            ) {
                return Err(PaymentRefusal::ClosedForPayment {
                    number,
                    status: order.status,
                });
            }
            // Before the address there is nothing to pay for yet.
            if order.status == OrderStatus::Placed
                && order.checkout_step == CheckoutStep::AwaitingAddress
            {
                return Err(PaymentRefusal::NothingToPayYet { number });
            }
            Ok(())
        }
        PaymentActionKind::SendLink => {
            if !provider_configured {
                return Err(PaymentRefusal::NoProvider);
            }
            if order.payment_method == Some(PaymentMethod::Cod) {
                return Err(PaymentRefusal::CashOnDelivery { number });
            }
            settled()?;
            if matches!(
                order.status,
                OrderStatus::Delivered
                    | OrderStatus::Returned
                    | OrderStatus::Rejected
                    | OrderStatus::Cancelled
                    | OrderStatus::Archived
            ) {
                return Err(PaymentRefusal::Closed {
                    number,
                    status: order.status,
                });
            }
            if order.checkout_step == CheckoutStep::AwaitingAddress {
                return Err(PaymentRefusal::NoLinkBeforeAddress { number });
            }
            Ok(())
        }
        PaymentActionKind::Refund => crate::plan_refund(order, None).map(|_| ()),
    }
}

/// The actions [`check_payment_action`] allows for `order` now, in the order
/// the dashboard shows them.
pub fn allowed_payment_actions(order: &Order, provider_configured: bool) -> Vec<PaymentActionKind> {
    PaymentActionKind::ALL
        .into_iter()
        .filter(|a| check_payment_action(order, *a, provider_configured).is_ok())
        .collect()
}

#[cfg(test)]
mod tests;
