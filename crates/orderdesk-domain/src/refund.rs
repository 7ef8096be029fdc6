//! Refunds of an order's payment, full or partial: how much may still be
//! refunded, what the payment status becomes, and the refund record the
//! order carries.
//!
//! A refund counts against what is left from the moment it is asked for
//! (`pending`), so two refunds asked for at once cannot together exceed
//! what was paid; a `failed` one gives its amount back. Only `processed`
//! refunds count as money returned (`refunded_minor`, the payment status).

use serde::{Deserialize, Serialize};

use crate::{Money, Order, PaymentRefusal, PaymentStatus, Timestamp};

/// Where a refund stands at the provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RefundStatus {
    /// Asked for; the provider has not said it is done.
    Pending,
    /// The money went back (or, for cash and UPI, staff recorded that it did).
    Processed,
    /// The provider refused or gave up; nothing was refunded.
    Failed,
}

impl RefundStatus {
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Processed => "processed",
            Self::Failed => "failed",
        }
    }

    /// Whether a refund may move from `self` to `to`: only out of
    /// `pending`, so a late or repeated provider event never undoes an
    /// outcome.
    pub fn can_become(&self, to: RefundStatus) -> bool {
        *self == Self::Pending && to != Self::Pending
    }
}

impl std::fmt::Display for RefundStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One refund of an order's payment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Refund {
    /// Ours, `1001-r1`, `1001-r2`…: also the provider's idempotency key, so
    /// a retried request never refunds twice.
    pub id: String,
    pub amount_minor: i64,
    pub status: RefundStatus,
    /// The provider's refund id (`rfnd_…`, `re_…`), once it gave one.
    pub provider_ref: Option<String>,
    pub reason: String,
    #[schema(value_type = String, format = DateTime)]
    pub at: Timestamp,
    /// Who asked for it (the staff email or `token:NAME`).
    pub by: String,
    /// The provider's reason when it failed.
    #[serde(default)]
    pub failure: Option<String>,
    /// `CN-2026-00001`, issued when the money is returned (`processed`).
    #[serde(default)]
    pub credit_note: Option<String>,
}

/// Whether the order's money arrived (so there is something to refund).
pub fn was_paid(order: &Order) -> bool {
    matches!(
        order.payment_status,
        PaymentStatus::Paid | PaymentStatus::PartiallyRefunded | PaymentStatus::Refunded
    )
}

/// The money refunds may return in all: what arrived for the order
/// (`received_minor`, which a staff edit of the total does not change),
/// or, for a paid order from before payments were counted, its total.
pub fn received_minor(order: &Order) -> i64 {
    if order.received_minor > 0 {
        order.received_minor
    } else if was_paid(order) {
        order.total_minor
    } else {
        0
    }
}

/// What may still be refunded: the money received less every refund not
/// `failed`; nothing once the payment is `refunded` (also for orders
/// refunded before refunds were itemised, which list none).
pub fn refundable_minor(order: &Order) -> i64 {
    if !was_paid(order) || order.payment_status == PaymentStatus::Refunded {
        return 0;
    }
    let asked: i64 = order
        .refunds
        .iter()
        .filter(|r| r.status != RefundStatus::Failed)
        .map(|r| r.amount_minor)
        .sum();
    (received_minor(order) - asked).max(0)
}

/// The money returned so far: the `processed` refunds.
pub fn refunded_minor(refunds: &[Refund]) -> i64 {
    refunds
        .iter()
        .filter(|r| r.status == RefundStatus::Processed)
        .map(|r| r.amount_minor)
        .sum()
}

/// The payment status of a paid order that received `received_minor`
/// (see [`received_minor`]) with these refunds.
pub fn status_after_refunds(received_minor: i64, refunds: &[Refund]) -> PaymentStatus {
    match refunded_minor(refunds) {
        0 => PaymentStatus::Paid,
        r if r >= received_minor => PaymentStatus::Refunded,
        _ => PaymentStatus::PartiallyRefunded,
    }
}

/// The amount of a refund asked for now: `requested`, or everything left
/// when it is `None`.
///
/// # Errors
/// [`PaymentRefusal::NotPaid`] when the money never arrived,
/// [`PaymentRefusal::NothingLeftToRefund`] when it all went back already,
/// [`PaymentRefusal::RefundTooLarge`] (naming what is left) for more than
/// that. A requested amount of zero or less is bad input, which the caller
/// refuses before asking here.
pub fn plan_refund(order: &Order, requested: Option<i64>) -> Result<i64, PaymentRefusal> {
    let number = order.number;
    if !was_paid(order) {
        return Err(PaymentRefusal::NotPaid {
            number,
            payment: order.payment_status,
        });
    }
    let left = refundable_minor(order);
    if left == 0 {
        return Err(PaymentRefusal::NothingLeftToRefund { number });
    }
    match requested {
        None => Ok(left),
        Some(amount) if amount > left => Err(PaymentRefusal::RefundTooLarge {
            number,
            asked: Money::from_minor(amount, order.currency),
            left: Money::from_minor(left, order.currency),
        }),
        Some(amount) => Ok(amount),
    }
}

/// Our id for the order's next refund.
pub fn next_refund_id(order: &Order) -> String {
    format!("{}-r{}", order.number, order.refunds.len() + 1)
}

#[cfg(test)]
mod tests;
