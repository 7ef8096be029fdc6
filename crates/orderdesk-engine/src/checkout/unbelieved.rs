//! A provider's `paid` event that is not believed (a different amount or
//! currency than the order's, or a second payment on an order already
//! paid): the order is not marked paid again, but the money did arrive,
//! so it goes into the ledger as a `paid` event with status `review`
//! (counted in the day's collected money) and the order is flagged for a
//! person.

use orderdesk_domain::ledger::REVIEW;
use orderdesk_domain::{
    Actor, Currency, LedgerEntry, LedgerKind, Order, TimelineEntry, TimelineKind, Timestamp,
};
use orderdesk_store::{OrderUpdate, Store, StoreError};

use super::payment_webhooks::StoredPayment;
use super::CheckoutConfig;
use crate::EngineError;

/// How often the flag is planned again after another write got in first.
const ATTEMPTS: usize = 4;

/// Flags `order` with `why` and records the money `p` reports, once: an
/// event whose payment is already in the order's ledger (the same event
/// applied again after a crash) only flags.
pub(crate) async fn record(
    store: &dyn Store,
    config: &CheckoutConfig,
    order: &Order,
    p: &StoredPayment,
    why: String,
    now: Timestamp,
) -> Result<(), EngineError> {
    let provider_ref = p.payment_id.clone().or_else(|| p.reference.clone());
    let mut order = order.clone();
    for _ in 0..ATTEMPTS {
        let known = store
            .order_payment_events(order.number)
            .await?
            .iter()
            .any(|e| {
                e.kind == LedgerKind::Paid
                    && provider_ref.is_some()
                    && e.provider_ref == provider_ref
            });
        let mut entry = TimelineEntry::new(now, TimelineKind::Notice, &Actor::Provider);
        entry.detail = Some(format!("payment needs review: {why}"));
        let mut update = OrderUpdate {
            payment_review: Some(Some(why.clone())),
            timeline: vec![entry],
            ..OrderUpdate::default()
        };
        // The provider did not say how much: nothing to add up.
        if let (Some(amount_minor), false) = (p.amount_minor, known) {
            update.ledger.push(LedgerEntry {
                order_number: order.number,
                kind: LedgerKind::Paid,
                status: REVIEW.to_owned(),
                amount_minor,
                currency: p
                    .currency
                    .as_deref()
                    .and_then(|c| Currency::parse(c).ok())
                    .unwrap_or(order.currency),
                method: order
                    .payment_method
                    .or_else(|| config.payments.as_ref().map(|provider| provider.method())),
                provider_ref: provider_ref.clone(),
                detail: Some(format!("{}: {why}", p.raw_kind)),
                at: now,
            });
        }
        match store
            .update_order(order.number, order.version, &update, now)
            .await
        {
            Ok(_) => return Ok(()),
            Err(StoreError::Conflict { .. }) => order = store.order(order.number).await?,
            Err(e) => return Err(e.into()),
        }
    }
    Err(StoreError::Conflict {
        current_version: order.version,
    }
    .into())
}
