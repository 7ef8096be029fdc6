//! Refunds executed at the provider, full or partial: what orderdesk asks
//! for and what the provider answers.

use orderdesk_domain::{Money, OrderNumber};

use crate::PaymentError;

/// One refund to execute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundRequest {
    pub order_number: OrderNumber,
    /// Ours (`1001-r2`): the idempotency key (Stripe) or receipt (Razorpay),
    /// so a retry after a lost answer never refunds twice.
    pub refund_id: String,
    /// The provider's payment id from the paid event (`pay_…`, `pi_…`).
    pub payment_id: String,
    /// What to give back, at most what is left of the payment.
    pub amount: Money,
    /// Staff's reason, passed on as a note.
    pub reason: String,
}

impl RefundRequest {
    /// Refuses what no provider could execute, before any I/O.
    pub(crate) fn check(&self) -> Result<(), PaymentError> {
        if self.amount.minor() <= 0 {
            return Err(PaymentError::InvalidRequest(format!(
                "a refund must be positive, got {}",
                self.amount
            )));
        }
        if self.payment_id.trim().is_empty() {
            return Err(PaymentError::InvalidRequest(
                "the payment to refund has no provider id".to_owned(),
            ));
        }
        Ok(())
    }
}

/// Where the provider says the refund stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefundState {
    /// Accepted; the outcome follows in a webhook.
    Pending,
    /// The money is on its way back.
    Processed,
    /// Refused or given up, with the provider's reason.
    Failed(String),
}

/// The provider's answer to a [`RefundRequest`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundReceipt {
    /// The provider's refund id (`rfnd_…`, `re_…`); webhooks name it.
    pub provider_ref: String,
    pub state: RefundState,
}

/// What a provider's refund webhook says about one refund.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundNotice {
    /// The provider's refund id (`rfnd_…`, `re_…`).
    pub provider_ref: String,
    /// Ours (`1001-r2`), from the notes or metadata orderdesk sent.
    pub refund_id: Option<String>,
    /// The order, from the same notes or metadata.
    pub order_number: Option<OrderNumber>,
    pub state: RefundState,
    pub amount: Option<Money>,
}

/// `order_number` and `refund_id` from the notes (Razorpay) or metadata
/// (Stripe) orderdesk attached to the refund.
pub(crate) fn ours(notes: &serde_json::Value) -> (Option<OrderNumber>, Option<String>) {
    let text = |k: &str| {
        notes
            .get(k)
            .and_then(serde_json::Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
    };
    (
        text("order_number").and_then(OrderNumber::parse),
        text("refund_id").map(str::to_owned),
    )
}
