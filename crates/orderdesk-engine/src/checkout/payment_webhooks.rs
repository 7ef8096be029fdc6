//! Payment webhooks from the provider, as the inbox stores them, applied to
//! their order through the checkout machine.

use orderdesk_domain::Actor;
use orderdesk_domain::{
    advance, CheckoutInput, CheckoutState, Money, OrderNumber, TimelineEntry, TimelineKind,
    Timestamp,
};
use orderdesk_store::{OrderUpdate, StoreError};

use crate::links::issue_link;
use crate::texts::Texts;
use crate::EngineError;

use super::{apply_update, update_from, CheckoutConfig};

/// A provider's payment event as the inbox stores it (written by the web
/// edge after the signature check).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct StoredPayment {
    pub kind: String,
    pub raw_kind: String,
    pub order_number: Option<i64>,
    pub attempt: Option<u32>,
    pub reference: Option<String>,
    pub payment_id: Option<String>,
    pub amount_minor: Option<i64>,
    pub currency: Option<String>,
}

impl StoredPayment {
    /// The stored form of a verified provider event.
    pub fn from_event(event: &orderdesk_payments::PaymentEvent) -> Self {
        Self {
            kind: match event.kind {
                orderdesk_payments::PaymentEventKind::Paid => "paid",
                orderdesk_payments::PaymentEventKind::Failed => "failed",
                orderdesk_payments::PaymentEventKind::Expired => "expired",
            }
            .to_owned(),
            raw_kind: event.raw_kind.clone(),
            order_number: event.our_reference_id.map(|r| r.order_number.get()),
            attempt: event.our_reference_id.map(|r| r.attempt),
            reference: event.reference.clone(),
            payment_id: event.payment_id.clone(),
            amount_minor: event.amount.map(|m| m.minor()),
            currency: event.amount.map(|m| m.currency().to_string()),
        }
    }
}

/// Applies a stored payment event to its order through the checkout
/// machine (paid → payment received and the note question; failed or
/// expired → a fresh link). Applied with `update_order` here and the inbox
/// item then marked processed: if the process dies in between, the item is
/// processed again and the machine, seeing the payment already recorded,
/// changes nothing. A paid amount or currency that differs from the order
/// total is put on the timeline and not believed.
pub(crate) async fn apply_payment(
    store: &dyn orderdesk_store::Store,
    config: &CheckoutConfig,
    payload: &str,
    now: Timestamp,
) -> Result<orderdesk_store::InboundOutcome, EngineError> {
    use orderdesk_store::InboundOutcome;
    let Ok(p) = serde_json::from_str::<StoredPayment>(payload) else {
        return Ok(InboundOutcome::Failed(
            "unreadable payment event".to_owned(),
        ));
    };
    let Some(number) = p.order_number.and_then(OrderNumber::new) else {
        return Ok(InboundOutcome::Failed(format!(
            "payment event {} names no order of ours",
            p.raw_kind
        )));
    };
    let order = match store.order(number).await {
        Ok(order) => order,
        Err(StoreError::NotFound) => {
            return Ok(InboundOutcome::Failed(format!(
                "payment for unknown order #{number}"
            )))
        }
        Err(e) => return Err(e.into()),
    };
    if p.kind == "paid" {
        let matches = p.amount_minor == Some(order.total_minor)
            && p.currency.as_deref() == Some(order.currency.as_str());
        if !matches {
            let why = format!(
                "{} reported {} {} but the order total is {}; not marked paid",
                p.raw_kind,
                p.amount_minor.map_or("?".to_owned(), |a| a.to_string()),
                p.currency.as_deref().unwrap_or("?"),
                Money::from_minor(order.total_minor, order.currency)
            );
            let mut entry = TimelineEntry::new(now, TimelineKind::Notice, &Actor::Provider);
            entry.detail = Some(format!("payment needs review: {why}"));
            let update = OrderUpdate {
                payment_review: Some(Some(why)),
                timeline: vec![entry],
                ..OrderUpdate::default()
            };
            store
                .update_order(number, order.version, &update, now)
                .await?;
            return Ok(InboundOutcome::Ignored);
        }
    }
    let input = match p.kind.as_str() {
        "paid" => CheckoutInput::PaymentSucceeded,
        "failed" => CheckoutInput::PaymentFailed,
        "expired" => CheckoutInput::PaymentExpired,
        _ => return Ok(InboundOutcome::Ignored),
    };
    let state = CheckoutState::from_order(&order);
    let outcome = match advance(&state, input, &config.settings) {
        Ok(outcome) if !outcome.is_noop(&state) => outcome,
        _ => return Ok(InboundOutcome::Ignored),
    };
    let texts = Texts::load(store, &config.language).await?;
    let link = issue_link(store, config, &order, &outcome, now).await?;
    let (mut update, further) = update_from(config, &texts, link.as_ref(), &order, outcome, now)?;
    let mut entry = TimelineEntry::new(now, TimelineKind::PaymentChanged, &Actor::Provider);
    entry.detail = Some(format!(
        "{} ({})",
        p.raw_kind,
        p.payment_id
            .as_deref()
            .or(p.reference.as_deref())
            .unwrap_or("no reference")
    ));
    update.timeline.insert(0, entry);
    apply_update(store, &order, &update, further, now).await?;
    Ok(InboundOutcome::Ignored)
}
