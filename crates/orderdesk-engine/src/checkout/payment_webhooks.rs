//! Payment webhooks from the provider, as the inbox stores them, applied to
//! their order through the checkout machine.

use orderdesk_domain::Actor;
use orderdesk_domain::{
    advance, received_minor, was_paid, CheckoutInput, CheckoutState, Money, Order, OrderNumber,
    TimelineEntry, TimelineKind, Timestamp,
};
use orderdesk_domain::{LedgerEntry, LedgerKind};
use orderdesk_store::StoreError;

use crate::links::issue_link;
use crate::texts::Texts;
use crate::EngineError;

use super::unbelieved::Extra;
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
    /// For `refund` events: the refunds they settle.
    #[serde(default)]
    pub refunds: Vec<StoredRefund>,
}

/// One refund outcome of a provider's refund event.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct StoredRefund {
    pub provider_ref: String,
    pub refund_id: Option<String>,
    pub order_number: Option<i64>,
    /// `processed`, `failed` or `pending`.
    pub status: String,
    pub failure: Option<String>,
}

impl StoredPayment {
    /// The stored form of a verified provider event.
    pub fn from_event(event: &orderdesk_payments::PaymentEvent) -> Self {
        Self {
            kind: match event.kind {
                orderdesk_payments::PaymentEventKind::Paid => "paid",
                orderdesk_payments::PaymentEventKind::Failed => "failed",
                orderdesk_payments::PaymentEventKind::Expired => "expired",
                orderdesk_payments::PaymentEventKind::Refund => "refund",
            }
            .to_owned(),
            raw_kind: event.raw_kind.clone(),
            order_number: event.our_reference_id.map(|r| r.order_number.get()),
            attempt: event.our_reference_id.map(|r| r.attempt),
            reference: event.reference.clone(),
            payment_id: event.payment_id.clone(),
            amount_minor: event.amount.map(|m| m.minor()),
            currency: event.amount.map(|m| m.currency().to_string()),
            refunds: event
                .refunds
                .iter()
                .map(|r| {
                    let (status, failure) = match &r.state {
                        orderdesk_payments::RefundState::Pending => ("pending", None),
                        orderdesk_payments::RefundState::Processed => ("processed", None),
                        orderdesk_payments::RefundState::Failed(why) => {
                            ("failed", Some(why.clone()))
                        }
                    };
                    StoredRefund {
                        provider_ref: r.provider_ref.clone(),
                        refund_id: r.refund_id.clone(),
                        order_number: r.order_number.map(|n| n.get()),
                        status: status.to_owned(),
                        failure,
                    }
                })
                .collect(),
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
    apply_stored(store, config, p, now).await
}

/// Applies a payment event, from a provider or from WhatsApp's payment
/// status of an `order_details` message (see [`apply_payment`]).
pub(crate) async fn apply_stored(
    store: &dyn orderdesk_store::Store,
    config: &CheckoutConfig,
    p: StoredPayment,
    now: Timestamp,
) -> Result<orderdesk_store::InboundOutcome, EngineError> {
    use orderdesk_store::InboundOutcome;
    if p.kind == "refund" {
        settle_refunds(store, config, &p, now).await?;
        return Ok(InboundOutcome::Ignored);
    }
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
        if let Some(extra) = extra_payment(&order, &p) {
            super::unbelieved::record(store, config, &order, &p, extra, now).await?;
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
    let outcome = match advance(&state, input, &config.settings_now()) {
        Ok(outcome) if !outcome.is_noop(&state) => outcome,
        _ => return Ok(InboundOutcome::Ignored),
    };
    let texts = Texts::for_customer(store, &config.language_now(), &order.customer).await?;
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
    if p.kind == "paid" {
        update.provider_payment_id.clone_from(&p.payment_id);
    }
    if let Some(kind) = LedgerKind::parse(&p.kind) {
        update.ledger.push(LedgerEntry {
            order_number: order.number,
            kind,
            status: p.kind.clone(),
            amount_minor: p.amount_minor.unwrap_or(order.total_minor),
            currency: order.currency,
            method: update.payment_method.or(order.payment_method),
            provider_ref: p.payment_id.clone().or_else(|| p.reference.clone()),
            detail: Some(p.raw_kind.clone()),
            at: now,
        });
    }
    crate::invoices::attach(store, config, &texts, &order, &mut update, now).await?;
    apply_update(store, &order, &update, further, now).await?;
    Ok(InboundOutcome::Ignored)
}

/// What a `paid` event is when it is not the payment that pays the order:
/// on an order already paid, another payment (a different payment id than
/// the one that paid it; the same id is a redelivery) is the difference of
/// a raised total when it is exactly what is still owed, else a second
/// payment, not believed; on an unpaid order, an amount or currency other
/// than the total is not believed.
fn extra_payment(order: &Order, p: &StoredPayment) -> Option<Extra> {
    let reported = format!(
        "{} {}",
        p.amount_minor.map_or("?".to_owned(), |a| a.to_string()),
        p.currency.as_deref().unwrap_or("?")
    );
    let already_paid = was_paid(order);
    if already_paid && p.payment_id.is_some() && p.payment_id != order.provider_payment_id {
        let owed = order.total_minor - received_minor(order);
        if owed > 0
            && p.amount_minor == Some(owed)
            && p.currency.as_deref() == Some(order.currency.as_str())
        {
            return Some(Extra::Difference);
        }
        return Some(Extra::Review(format!(
            "{} reported a second payment {} of {reported} on an order already paid{}",
            p.raw_kind,
            p.payment_id.as_deref().unwrap_or_default(),
            order
                .provider_payment_id
                .as_deref()
                .map_or_else(String::new, |first| format!(" ({first})"))
        )));
    }
    let matches = p.amount_minor == Some(order.total_minor)
        && p.currency.as_deref() == Some(order.currency.as_str());
    (!matches && !already_paid).then(|| {
        Extra::Review(format!(
            "{} reported {reported} but the order total is {}; not marked paid",
            p.raw_kind,
            Money::from_minor(order.total_minor, order.currency)
        ))
    })
}

/// Settles the refunds a provider's refund event reports, each on its
/// order (named in the notes or metadata orderdesk sent with it). A
/// refund orderdesk does not know (made in the provider's dashboard) is
/// left alone.
async fn settle_refunds(
    store: &dyn orderdesk_store::Store,
    config: &CheckoutConfig,
    p: &StoredPayment,
    now: Timestamp,
) -> Result<(), EngineError> {
    for r in &p.refunds {
        let Some(number) = r.order_number.and_then(OrderNumber::new) else {
            tracing::info!(refund = %r.provider_ref, "a refund event names no order of ours");
            continue;
        };
        let status = match r.status.as_str() {
            "processed" => orderdesk_domain::RefundStatus::Processed,
            "failed" => orderdesk_domain::RefundStatus::Failed,
            _ => orderdesk_domain::RefundStatus::Pending,
        };
        let outcome = crate::refunds::RefundOutcome {
            key: r
                .refund_id
                .clone()
                .unwrap_or_else(|| r.provider_ref.clone()),
            status,
            provider_ref: Some(r.provider_ref.clone()),
            failure: r.failure.clone(),
        };
        match crate::refunds::settle_refund(
            store,
            &config.language_now(),
            &config.local(),
            number,
            &outcome,
            now,
        )
        .await
        {
            Ok(_) | Err(EngineError::Store(StoreError::NotFound)) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}
