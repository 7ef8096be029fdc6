//! The [`PaymentStore`] part of [`crate::Store`].

use async_trait::async_trait;
use orderdesk_domain::{Order, OrderNumber, Timestamp};

use crate::StoreResult;

/// The payments ledger, payments needing a person, and invoice numbering.
#[async_trait]
pub trait PaymentStore: Send + Sync {
    /// Payment events (see [`OrderUpdate::ledger`](crate::OrderUpdate::ledger)) at or after `from` and
    /// before `to`, oldest first.
    ///
    /// # Errors
    /// `Unavailable` or `Other` on database failure.
    async fn payment_events(
        &self,
        from: Timestamp,
        to: Timestamp,
    ) -> StoreResult<Vec<orderdesk_domain::LedgerEntry>>;

    /// One order's payment events, oldest first.
    ///
    /// # Errors
    /// `Unavailable` or `Other` on database failure.
    async fn order_payment_events(
        &self,
        number: OrderNumber,
    ) -> StoreResult<Vec<orderdesk_domain::LedgerEntry>>;

    /// Orders whose payment needs a person: flagged for review, or cash on
    /// delivery not recorded yet (and not ended undelivered), oldest first,
    /// at most 500.
    ///
    /// # Errors
    /// `Unavailable` or `Other` on database failure.
    async fn payment_attention(&self) -> StoreResult<Vec<Order>>;

    /// The prefixes of invoice and credit note numbers issued from now on
    /// (`INV-`, `CN-` until set); numbers already issued keep theirs.
    ///
    /// # Errors
    /// `Unavailable` or `Other` on database failure.
    async fn set_document_prefixes(&self, invoice: &str, credit_note: &str) -> StoreResult<()>;
}
