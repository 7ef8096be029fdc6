//! A provider's `paid` event that is not the payment that pays its order.
//! Not believed (a different amount or currency than the order's, or a
//! second payment on an order already paid): the order is not marked paid
//! again, but the money did arrive, so it goes into the ledger as a `paid`
//! event with status `review` (counted in the day's collected money) and
//! the order is flagged for a person. The difference of a paid order whose
//! total staff raised (exactly what is still owed) is believed: a `paid`
//! event, no flag.

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

/// What a `paid` event is besides the payment that pays the order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Extra {
    /// Not believed, and why: flagged, the money recorded as `review`.
    Review(String),
    /// The difference still owed after staff raised a paid order's total.
    Difference,
}

/// Records the money `p` reports on `order` once (an event whose payment
/// is already in the order's ledger, applied again after a crash, adds
/// none), flagging the order when it is not believed.
pub(crate) async fn record(
    store: &dyn Store,
    config: &CheckoutConfig,
    order: &Order,
    p: &StoredPayment,
    extra: Extra,
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
        let reference = provider_ref.as_deref().unwrap_or("no reference");
        let (status, detail, mut update) = match &extra {
            Extra::Review(why) => {
                let mut entry = TimelineEntry::new(now, TimelineKind::Notice, &Actor::Provider);
                entry.detail = Some(format!("payment needs review: {why}"));
                let update = OrderUpdate {
                    payment_review: Some(Some(why.clone())),
                    timeline: vec![entry],
                    ..OrderUpdate::default()
                };
                (REVIEW, format!("{}: {why}", p.raw_kind), update)
            }
            Extra::Difference => {
                let mut entry =
                    TimelineEntry::new(now, TimelineKind::PaymentChanged, &Actor::Provider);
                entry.detail = Some(format!(
                    "{} ({reference}): the difference of the edited total",
                    p.raw_kind
                ));
                let update = OrderUpdate {
                    timeline: vec![entry],
                    ..OrderUpdate::default()
                };
                ("paid", format!("{}: difference", p.raw_kind), update)
            }
        };
        // The provider did not say how much: nothing to add up.
        if let (Some(amount_minor), false) = (p.amount_minor, known) {
            update.ledger.push(LedgerEntry {
                order_number: order.number,
                kind: LedgerKind::Paid,
                status: status.to_owned(),
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
                detail: Some(detail),
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
