//! What an order update may do to the order's refunds (see
//! [`crate::OrderUpdate::refund`]).

use orderdesk_domain::{Refund, RefundStatus};

/// One change to an order's refunds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefundChange {
    /// A new refund. The write path refuses it with `Conflict` when it is
    /// more than is left to refund, checked in the update's own
    /// transaction, so two refunds asked for at once cannot together
    /// exceed what was paid.
    Add(Refund),
    /// The outcome of a `pending` refund, found by our id or the
    /// provider's. A refund already settled, or none found, is left as it
    /// is (a redelivered or late webhook).
    Settle {
        /// Our refund id (`1001-r1`) or the provider's (`rfnd_…`, `re_…`).
        key: String,
        status: RefundStatus,
        provider_ref: Option<String>,
        failure: Option<String>,
    },
}
