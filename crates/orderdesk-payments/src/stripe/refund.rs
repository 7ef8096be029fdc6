//! Stripe refunds: `POST {api}/v1/refunds`, form-encoded, with
//! `payment_intent`, `amount` (minor units), `metadata[…]` and
//! `Idempotency-Key` = `refund-` + our refund id, so a retry after a lost
//! answer returns the first refund instead of making a second. The answer
//! is the refund object, whose `status` is `pending`, `requires_action`,
//! `succeeded`, `failed` or `canceled`; `refund.updated` and
//! `charge.refunded` webhooks follow.

use reqwest::header::HeaderValue;
use serde::Deserialize;

use super::StripeProvider;
use crate::refund::{RefundReceipt, RefundRequest, RefundState};
use crate::transport::{self, snippet};
use crate::PaymentError;

/// Stripe's limit on a metadata value, in characters.
const METADATA_MAX: usize = 500;

impl StripeProvider {
    pub(crate) async fn refund_payment(
        &self,
        req: &RefundRequest,
    ) -> Result<RefundReceipt, PaymentError> {
        req.check()?;
        let url = transport::endpoint(&self.base, "/v1/refunds")?;
        let key = HeaderValue::from_str(&format!("refund-{}", req.refund_id))
            .map_err(|e| PaymentError::InvalidRequest(e.to_string()))?;
        let reason: String = req.reason.chars().take(METADATA_MAX).collect();
        let form = [
            ("payment_intent", req.payment_id.clone()),
            ("amount", req.amount.minor().to_string()),
            ("metadata[order_number]", req.order_number.to_string()),
            ("metadata[refund_id]", req.refund_id.clone()),
            ("metadata[reason]", reason),
        ];
        let bytes = self.send(self.http.post(url).form(&form), key).await?;
        let refund: RefundObject = serde_json::from_slice(&bytes)
            .map_err(|e| PaymentError::InvalidResponse(format!("{e}: {}", snippet(&bytes))))?;
        if refund.id.is_empty() {
            return Err(PaymentError::InvalidResponse(
                "refund without an id".to_owned(),
            ));
        }
        Ok(RefundReceipt {
            state: refund.state(),
            provider_ref: refund.id,
        })
    }
}

/// The fields of a refund object orderdesk reads.
#[derive(Deserialize)]
pub(crate) struct RefundObject {
    pub(crate) id: String,
    pub(crate) status: Option<String>,
    pub(crate) amount: Option<i64>,
    pub(crate) currency: Option<String>,
    #[serde(default)]
    pub(crate) metadata: serde_json::Value,
    pub(crate) failure_reason: Option<String>,
}

impl RefundObject {
    pub(crate) fn state(&self) -> RefundState {
        match self.status.as_deref() {
            Some("succeeded") => RefundState::Processed,
            Some("failed" | "canceled") => {
                RefundState::Failed(self.failure_reason.clone().map_or_else(
                    || "Stripe could not process the refund".to_owned(),
                    |r| format!("Stripe: {r}"),
                ))
            }
            _ => RefundState::Pending,
        }
    }
}

/// `refund.updated` (the refund object) and `charge.refunded` (the charge,
/// with its refunds listed where the API version includes them): one
/// notice per refund whose outcome is known.
pub(crate) fn refund_notices(
    kind: &str,
    object: &serde_json::Value,
) -> Result<Vec<crate::refund::RefundNotice>, crate::WebhookError> {
    let objects: Vec<serde_json::Value> = match kind {
        "refund.updated" => vec![object.clone()],
        "charge.refunded" => object
            .get("refunds")
            .and_then(|r| r.get("data"))
            .and_then(serde_json::Value::as_array)
            .cloned()
            .unwrap_or_default(),
        _ => return Ok(Vec::new()),
    };
    let mut notices = Vec::new();
    for value in objects {
        let refund = RefundObject::deserialize(&value)
            .map_err(|e| crate::WebhookError::Malformed(format!("{kind}: refund: {e}")))?;
        let state = refund.state();
        if state == RefundState::Pending {
            continue;
        }
        let (order_number, refund_id) = crate::refund::ours(&refund.metadata);
        let amount = match (refund.amount, refund.currency.as_deref()) {
            (Some(minor), Some(code)) => orderdesk_domain::Currency::parse(code)
                .ok()
                .map(|c| orderdesk_domain::Money::from_minor(minor, c)),
            _ => None,
        };
        notices.push(crate::refund::RefundNotice {
            provider_ref: refund.id,
            refund_id,
            order_number,
            state,
            amount,
        });
    }
    Ok(notices)
}
