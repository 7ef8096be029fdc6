//! Razorpay refunds: `POST {api}/v1/payments/{payment_id}/refund` with
//! `{"amount": paise, "receipt": ours, "notes": {…}}` (basic auth as for
//! links). Razorpay has no idempotency key here; `receipt` carries our
//! refund id so the refund can be found in its dashboard. The answer is
//! the refund entity, whose `status` is `pending`, `processed` or `failed`;
//! `refund.processed` / `refund.failed` webhooks follow.

use serde::Deserialize;
use serde_json::json;

use super::RazorpayProvider;
use crate::refund::{RefundReceipt, RefundRequest, RefundState};
use crate::transport::{self, snippet};
use crate::PaymentError;

/// Razorpay's limit on `receipt`, in characters.
const RECEIPT_MAX: usize = 40;
/// Razorpay's limit on one note's value, in characters.
const NOTE_MAX: usize = 256;

impl RazorpayProvider {
    pub(crate) async fn refund_payment(
        &self,
        req: &RefundRequest,
    ) -> Result<RefundReceipt, PaymentError> {
        req.check()?;
        let path = format!("/v1/payments/{}/refund", urlencode(&req.payment_id));
        let url = transport::endpoint(&self.base, &path)?;
        let body = json!({
            "amount": req.amount.minor(),
            "receipt": req.refund_id.chars().take(RECEIPT_MAX).collect::<String>(),
            "notes": {
                "order_number": req.order_number.to_string(),
                "refund_id": req.refund_id,
                "reason": req.reason.chars().take(NOTE_MAX).collect::<String>(),
            },
        });
        let bytes = self.send(self.http.post(url).json(&body)).await?;
        read_refund(&bytes)
    }
}

/// The fields of a refund entity orderdesk reads.
#[derive(Deserialize)]
pub(crate) struct RefundEntity {
    pub(crate) id: String,
    pub(crate) status: Option<String>,
    pub(crate) amount: Option<i64>,
    pub(crate) currency: Option<String>,
    #[serde(default)]
    pub(crate) notes: serde_json::Value,
    pub(crate) error_description: Option<String>,
}

impl RefundEntity {
    pub(crate) fn state(&self) -> RefundState {
        match self.status.as_deref() {
            Some("processed") => RefundState::Processed,
            Some("failed") => RefundState::Failed(
                self.error_description
                    .clone()
                    .unwrap_or_else(|| "Razorpay could not process the refund".to_owned()),
            ),
            _ => RefundState::Pending,
        }
    }
}

fn read_refund(bytes: &[u8]) -> Result<RefundReceipt, PaymentError> {
    let entity: RefundEntity = serde_json::from_slice(bytes)
        .map_err(|e| PaymentError::InvalidResponse(format!("{e}: {}", snippet(bytes))))?;
    if entity.id.is_empty() {
        return Err(PaymentError::InvalidResponse(
            "refund without an id".to_owned(),
        ));
    }
    Ok(RefundReceipt {
        state: entity.state(),
        provider_ref: entity.id,
    })
}

/// A payment id is `pay_` and alphanumerics; anything else is escaped so it
/// cannot change the path.
fn urlencode(id: &str) -> String {
    url_escape(id)
}

pub(crate) fn url_escape(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b == b'_' || b == b'-' {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// `refund.processed` / `refund.failed`: the refund entity in
/// `payload.refund.entity`. `refund.created` says nothing new (the API
/// answer already did) and is ignored.
pub(crate) fn refund_notice(
    event: &str,
    payload: &serde_json::Value,
) -> Result<Option<crate::refund::RefundNotice>, crate::WebhookError> {
    if !matches!(event, "refund.processed" | "refund.failed") {
        return Ok(None);
    }
    let entity: RefundEntity = super::entity(payload, "refund", event)?;
    let (order_number, refund_id) = crate::refund::ours(&entity.notes);
    let state = match event {
        "refund.processed" => RefundState::Processed,
        _ => match entity.state() {
            failed @ RefundState::Failed(_) => failed,
            _ => RefundState::Failed("Razorpay could not process the refund".to_owned()),
        },
    };
    Ok(Some(crate::refund::RefundNotice {
        amount: super::money(entity.amount, entity.currency.as_deref()),
        provider_ref: entity.id,
        refund_id,
        order_number,
        state,
    }))
}
