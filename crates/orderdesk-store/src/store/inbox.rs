//! The [`InboxStore`] part of [`crate::Store`].

use async_trait::async_trait;
use orderdesk_domain::Order;

use crate::{InboundOutcome, InboundRecord, InboundResult, NewInbound, Recorded, StoreResult};

/// The inbox: webhook items stored durably, then applied by the processor.
#[async_trait]
pub trait InboxStore: Send + Sync {
    /// Stores webhook items durably, all in one transaction (group commit),
    /// deduplicated on `(source, external_id)` by the insert itself. Returns
    /// one [`Recorded`] per input, in input order. When this returns `Ok` the
    /// items survive a crash; the caller may acknowledge the webhook.
    ///
    /// # Errors
    /// Any error means nothing of the batch was stored.
    async fn record_inbound(&self, batch: &[NewInbound]) -> StoreResult<Vec<Recorded>>;

    /// Unprocessed inbox items, oldest (lowest id) first.
    ///
    /// # Errors
    /// `Unavailable` or `Other` on database failure.
    async fn pending_inbound(&self, limit: u32) -> StoreResult<Vec<InboundRecord>>;

    /// Most inbox items one [`InboxStore::apply_inbound`] transaction should
    /// carry; the processor cuts a bigger batch into parts of this size,
    /// each applied whole. A store whose one writer also acknowledges
    /// webhooks (SQLite) keeps it small, so an acknowledgement never waits
    /// long behind processing. Unbounded by default.
    fn apply_limit(&self) -> usize {
        usize::MAX
    }

    /// Applies what processing decided for each item and marks it processed,
    /// all in one transaction; see [`InboxStore::apply_inbound`].
    /// Returns, per input, the order the outcome created or updated, if any
    /// (`None` too for an item left pending by a conflict).
    ///
    /// # Errors
    /// Any error means nothing of the batch was applied.
    async fn complete_inbound(
        &self,
        batch: &[(i64, InboundOutcome)],
    ) -> StoreResult<Vec<Option<Order>>> {
        Ok(self
            .apply_inbound(batch)
            .await?
            .into_iter()
            .map(InboundResult::into_order)
            .collect())
    }

    /// Applies what processing decided for each item and marks it processed,
    /// all in one transaction, in input order. An item that is already
    /// processed (or repeated in the batch, or unknown) is skipped, so two
    /// processors racing cannot apply an item twice.
    ///
    /// An item whose order moved on since it was decided
    /// ([`InboundOutcome::MessageAndUpdate`] at a stale version) is not
    /// applied at all and stays pending, and so are the later items of the
    /// same customer in the batch (a customer's items apply in arrival
    /// order); the rest of the batch still applies. The processor decides
    /// those items again on its next read of the inbox. Returns one
    /// [`InboundResult`] per input, in input order.
    ///
    /// # Errors
    /// `NotFound` when an update names an unknown order; any error means
    /// nothing of the batch was applied.
    async fn apply_inbound(
        &self,
        batch: &[(i64, InboundOutcome)],
    ) -> StoreResult<Vec<InboundResult>>;
}
