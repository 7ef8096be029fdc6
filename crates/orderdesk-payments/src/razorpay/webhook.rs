//! Reading Razorpay's webhook events into [`PaymentEvent`]s (the table in
//! the parent module's doc); a refund's events are read in `refund.rs`.

use orderdesk_domain::{Currency, Money};
use serde::Deserialize;
use serde_json::Value;

use super::refund;
use crate::transport::from_unix;
use crate::{PaymentEvent, PaymentEventKind, ReferenceId, WebhookError};

#[derive(Deserialize)]
struct Envelope {
    event: String,
    #[serde(default)]
    created_at: Value,
    #[serde(default)]
    payload: Value,
}

#[derive(Deserialize)]
struct LinkEntity {
    id: String,
    amount: Option<i64>,
    amount_paid: Option<i64>,
    currency: Option<String>,
    reference_id: Option<String>,
}

#[derive(Deserialize)]
struct PaymentEntity {
    id: String,
    amount: Option<i64>,
    currency: Option<String>,
    description: Option<String>,
    /// `[]`, `{}` or `null` as often as an object with values.
    #[serde(default)]
    notes: Value,
    error_description: Option<String>,
}

/// `payload.{name}.entity`, which the event type promises.
pub(super) fn entity<T: serde::de::DeserializeOwned>(
    payload: &Value,
    name: &str,
    event: &str,
) -> Result<T, WebhookError> {
    let value = payload
        .get(name)
        .and_then(|p| p.get("entity"))
        .ok_or_else(|| WebhookError::Malformed(format!("{event} without payload.{name}.entity")))?;
    T::deserialize(value)
        .map_err(|e| WebhookError::Malformed(format!("{event}: payload.{name}.entity: {e}")))
}

pub(super) fn money(minor: Option<i64>, currency: Option<&str>) -> Option<Money> {
    Some(Money::from_minor(minor?, Currency::parse(currency?).ok()?))
}

fn non_empty(s: Option<String>) -> Option<String> {
    s.filter(|s| !s.trim().is_empty())
}

pub(super) fn parse_event(
    raw_body: &[u8],
    event_id: String,
) -> Result<Option<PaymentEvent>, WebhookError> {
    let envelope: Envelope = serde_json::from_slice(raw_body)
        .map_err(|e| WebhookError::Malformed(format!("not a Razorpay event: {e}")))?;
    let occurred_at = envelope.created_at.as_i64().and_then(from_unix);
    let event = envelope.event.as_str();
    let payload = &envelope.payload;
    let base = |kind, reference, raw_reference_id: Option<String>| PaymentEvent {
        event_id: event_id.clone(),
        kind,
        raw_kind: event.to_owned(),
        reference,
        our_reference_id: raw_reference_id.as_deref().and_then(ReferenceId::parse),
        raw_reference_id,
        payment_id: None,
        amount: None,
        occurred_at,
        detail: None,
        refunds: Vec::new(),
    };
    match event {
        "payment_link.paid" => {
            let link: LinkEntity = entity(payload, "payment_link", event)?;
            // The payment is in the same delivery; it is optional here
            // because the link alone says what was paid.
            let payment = entity::<PaymentEntity>(payload, "payment", event).ok();
            let amount = money(link.amount_paid, link.currency.as_deref()).or_else(|| {
                payment
                    .as_ref()
                    .and_then(|p| money(p.amount, p.currency.as_deref()))
            });
            Ok(Some(PaymentEvent {
                payment_id: payment.map(|p| p.id),
                amount,
                ..base(
                    PaymentEventKind::Paid,
                    Some(link.id),
                    non_empty(link.reference_id),
                )
            }))
        }
        "payment_link.expired" | "payment_link.cancelled" => {
            let link: LinkEntity = entity(payload, "payment_link", event)?;
            Ok(Some(PaymentEvent {
                amount: money(link.amount, link.currency.as_deref()),
                ..base(
                    PaymentEventKind::Expired,
                    Some(link.id),
                    non_empty(link.reference_id),
                )
            }))
        }
        "payment.failed" => {
            let payment: PaymentEntity = entity(payload, "payment", event)?;
            let reference = payment
                .description
                .as_deref()
                .and_then(|d| d.trim().strip_prefix('#'))
                .filter(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_alphanumeric()))
                .map(|id| format!("plink_{id}"));
            let raw_reference_id = non_empty(
                payment
                    .notes
                    .get("reference_id")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
            );
            if reference.is_none() && raw_reference_id.is_none() {
                return Ok(None);
            }
            Ok(Some(PaymentEvent {
                payment_id: Some(payment.id),
                amount: money(payment.amount, payment.currency.as_deref()),
                detail: non_empty(payment.error_description),
                ..base(PaymentEventKind::Failed, reference, raw_reference_id)
            }))
        }
        "refund.processed" | "refund.failed" => {
            let Some(notice) = refund::refund_notice(event, payload)? else {
                return Ok(None);
            };
            Ok(Some(PaymentEvent {
                amount: notice.amount,
                refunds: vec![notice],
                ..base(PaymentEventKind::Refund, None, None)
            }))
        }
        _ => Ok(None),
    }
}
