//! The [`PaymentStore`] part of [`crate::Store`].

use async_trait::async_trait;
use orderdesk_domain::{CodDay, Order, OrderNumber, Timestamp};

use crate::StoreResult;

/// A bounded list of the orders whose payment needs a person, and how many
/// there are in all.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AttentionPage {
    /// Oldest first, at most the limit asked for.
    pub orders: Vec<Order>,
    /// Every order that needs a person, listed or not.
    pub total: i64,
}

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

    /// Orders whose payment needs a person: flagged for review, or
    /// delivered cash on delivery not recorded yet that was delivered
    /// (`delivered_at`, else its last change) at or before
    /// `overdue_before`; oldest first, at most `limit`, with the count of
    /// all of them.
    ///
    /// # Errors
    /// `Unavailable` or `Other` on database failure.
    async fn payment_attention(
        &self,
        overdue_before: Timestamp,
        limit: u32,
    ) -> StoreResult<AttentionPage>;

    /// Cash on delivery not yet recorded (of orders not ended undelivered)
    /// of every order placed at or after `from` and before `to`, summed per
    /// UTC day placed and currency, oldest day first.
    ///
    /// # Errors
    /// `Unavailable` or `Other` on database failure.
    async fn cod_to_collect(&self, from: Timestamp, to: Timestamp) -> StoreResult<Vec<CodDay>>;

    /// The prefixes of invoice and credit note numbers issued from now on
    /// (`INV-`, `CN-` until set); numbers already issued keep theirs.
    ///
    /// # Errors
    /// `Unavailable` or `Other` on database failure.
    async fn set_document_prefixes(&self, invoice: &str, credit_note: &str) -> StoreResult<()>;
}
