//! The payment simulator: a provider for the demo and for trying orderdesk
//! without an account anywhere. It behaves like a hosted-checkout provider
//! whose pages happen to be served by orderdesk itself:
//!
//! * Out: [`PaymentProvider::create_request`] returns
//!   `{page_url}/sim_1001-1?amount=49900&currency=INR&sig=…`, the
//!   provider's "hosted page". `sig` signs the reference, amount and
//!   currency, so the page charges what the link was made for and cannot be
//!   pointed at another order by editing the address.
//! * In: the page's "Pay" and "Fail" buttons make a webhook exactly as a
//!   provider would ([`SimulatorProvider::webhook`]): a JSON body signed
//!   with HMAC-SHA256 under the simulator secret in [`SIGNATURE_HEADER`],
//!   delivered over HTTP to `POST /webhooks/simulator`, where
//!   [`PaymentProvider::parse_webhook`] checks it like any other provider's.
//!
//! | body `event` | [`PaymentEventKind`] |
//! |---|---|
//! | `payment.paid` | `Paid` |
//! | `payment.failed` | `Failed` |
//! | `payment.expired` | `Expired` |

use std::fmt;

use async_trait::async_trait;
use orderdesk_domain::{Currency, Money, PaymentMethod, Timestamp};
use serde::{Deserialize, Serialize};

use crate::config::ConfigError;
use crate::signature::{hmac_hex, verify_hex};
use crate::{
    HeaderMap, PaymentError, PaymentEvent, PaymentEventKind, PaymentLink, PaymentProvider,
    PaymentRequest, ReferenceId, WebhookError,
};

/// The webhook signature header.
pub const SIGNATURE_HEADER: &str = "X-Simulator-Signature";
/// What the simulator's references start with, like Razorpay's `plink_`.
const REFERENCE_PREFIX: &str = "sim_";

/// Where the simulator's page lives and the secret it signs with.
#[derive(Clone, PartialEq, Eq)]
pub struct SimulatorConfig {
    /// The page's base, e.g. `http://127.0.0.1:8080/simulator/pay`.
    pub page_url: String,
    /// Signs page links and webhooks; never empty.
    pub secret: String,
}

impl fmt::Debug for SimulatorConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SimulatorConfig")
            .field("page_url", &self.page_url)
            .finish_non_exhaustive()
    }
}

/// The simulator as a [`PaymentProvider`].
#[derive(Debug, Clone)]
pub struct SimulatorProvider {
    config: SimulatorConfig,
}

/// A payment page link whose signature held: what the page shows and charges.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimulatedPayment {
    /// `sim_1001-1`.
    pub reference: String,
    pub reference_id: ReferenceId,
    pub amount: Money,
}

/// Which button the customer pressed on the simulator's page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SimulatedOutcome {
    Pay,
    Fail,
}

/// The simulator's webhook body.
#[derive(Debug, Serialize, Deserialize)]
struct Body {
    id: String,
    event: String,
    reference: String,
    reference_id: String,
    payment_id: Option<String>,
    amount: i64,
    currency: String,
    created_at: i64,
    #[serde(default)]
    detail: Option<String>,
}

impl SimulatorProvider {
    /// # Errors
    /// An empty secret (it would authenticate anything) or a page URL that
    /// is not http(s).
    pub fn new(config: SimulatorConfig) -> Result<Self, ConfigError> {
        if config.secret.is_empty() {
            return Err(ConfigError::new("PAYMENTS_SIMULATOR_SECRET", "is missing"));
        }
        let page_url = config.page_url.trim_end_matches('/').to_owned();
        if !(page_url.starts_with("http://") || page_url.starts_with("https://")) {
            return Err(ConfigError::new(
                "ORDERDESK_PUBLIC_URL",
                format!("{page_url:?} is not an http(s) URL"),
            ));
        }
        Ok(Self {
            config: SimulatorConfig {
                page_url,
                secret: config.secret,
            },
        })
    }

    fn page_signature(&self, reference: &str, amount: Money) -> String {
        hmac_hex(
            self.config.secret.as_bytes(),
            &[
                b"page|",
                reference.as_bytes(),
                b"|",
                amount.minor().to_string().as_bytes(),
                b"|",
                amount.currency().as_str().as_bytes(),
            ],
        )
    }

    /// Checks a page link's path segment and query (`amount`, `currency`,
    /// `sig`); `None` when anything is missing, altered or not ours.
    pub fn verify_page(
        &self,
        reference: &str,
        query: &[(String, String)],
    ) -> Option<SimulatedPayment> {
        let get = |key: &str| {
            query
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.as_str())
        };
        let reference_id = ReferenceId::parse(reference.strip_prefix(REFERENCE_PREFIX)?)?;
        let minor: i64 = get("amount")?.parse().ok()?;
        let currency = Currency::parse(get("currency")?).ok()?;
        let amount = Money::from_minor(minor, currency);
        let claimed = get("sig")?;
        let minor_text = minor.to_string();
        let expected = [
            b"page|".as_slice(),
            reference.as_bytes(),
            b"|",
            minor_text.as_bytes(),
            b"|",
            currency.as_str().as_bytes(),
        ];
        verify_hex(self.config.secret.as_bytes(), &expected, claimed).then(|| SimulatedPayment {
            reference: reference.to_owned(),
            reference_id,
            amount,
        })
    }

    /// The signed webhook a press of `outcome` on the page sends: the body
    /// and the value of [`SIGNATURE_HEADER`]. `event_id` must be unique per
    /// press (it is the dedupe key).
    pub fn webhook(
        &self,
        payment: &SimulatedPayment,
        outcome: SimulatedOutcome,
        event_id: &str,
        now: Timestamp,
    ) -> (Vec<u8>, String) {
        let (event, payment_id, detail) = match outcome {
            SimulatedOutcome::Pay => ("payment.paid", Some(format!("simpay_{event_id}")), None),
            SimulatedOutcome::Fail => (
                "payment.failed",
                None,
                Some("the customer pressed Fail on the payment simulator".to_owned()),
            ),
        };
        let body = Body {
            id: event_id.to_owned(),
            event: event.to_owned(),
            reference: payment.reference.clone(),
            reference_id: payment.reference_id.to_string(),
            payment_id,
            amount: payment.amount.minor(),
            currency: payment.amount.currency().as_str().to_owned(),
            created_at: now.timestamp(),
            detail,
        };
        // Serialising a struct of strings and integers cannot fail.
        let bytes = serde_json::to_vec(&body).unwrap_or_default();
        let signature = hmac_hex(self.config.secret.as_bytes(), &[&bytes]);
        (bytes, signature)
    }
}

#[async_trait]
impl PaymentProvider for SimulatorProvider {
    fn method(&self) -> PaymentMethod {
        PaymentMethod::Simulator
    }

    /// Executes at once, as a provider whose refunds never fail would.
    async fn refund(
        &self,
        req: &crate::RefundRequest,
    ) -> Result<crate::RefundReceipt, PaymentError> {
        req.check()?;
        Ok(crate::RefundReceipt {
            provider_ref: format!("{REFERENCE_PREFIX}rfnd_{}", req.refund_id),
            state: crate::RefundState::Processed,
        })
    }

    /// No I/O: the link is the simulator's page, signed.
    async fn create_request(&self, req: &PaymentRequest) -> Result<PaymentLink, PaymentError> {
        req.check()?;
        let reference_id = req.reference_id();
        let reference = format!("{REFERENCE_PREFIX}{reference_id}");
        let sig = self.page_signature(&reference, req.amount);
        Ok(PaymentLink {
            url: format!(
                "{}/{reference}?amount={}&currency={}&sig={sig}",
                self.config.page_url,
                req.amount.minor(),
                req.amount.currency()
            ),
            reference,
            reference_id,
            expires_at: Some(req.expires_at),
        })
    }

    fn parse_webhook(
        &self,
        headers: &HeaderMap,
        raw_body: &[u8],
        _now: Timestamp,
    ) -> Result<Option<PaymentEvent>, WebhookError> {
        let claimed = headers
            .get(SIGNATURE_HEADER)
            .and_then(|v| v.to_str().ok())
            .ok_or(WebhookError::BadSignature(
                "no X-Simulator-Signature header",
            ))?;
        if !verify_hex(self.config.secret.as_bytes(), &[raw_body], claimed) {
            return Err(WebhookError::BadSignature(
                "X-Simulator-Signature does not match the body",
            ));
        }
        let body: Body = serde_json::from_slice(raw_body)
            .map_err(|e| WebhookError::Malformed(format!("simulator event: {e}")))?;
        let kind = match body.event.as_str() {
            "payment.paid" => PaymentEventKind::Paid,
            "payment.failed" => PaymentEventKind::Failed,
            "payment.expired" => PaymentEventKind::Expired,
            _ => return Ok(None),
        };
        let currency = Currency::parse(&body.currency)
            .map_err(|e| WebhookError::Malformed(format!("currency: {e}")))?;
        Ok(Some(PaymentEvent {
            event_id: body.id,
            kind,
            raw_kind: body.event,
            reference: Some(body.reference),
            our_reference_id: ReferenceId::parse(&body.reference_id),
            raw_reference_id: Some(body.reference_id),
            payment_id: body.payment_id,
            amount: Some(Money::from_minor(body.amount, currency)),
            occurred_at: crate::transport::from_unix(body.created_at),
            refunds: Vec::new(),
            detail: body.detail,
        }))
    }

    fn simulator(&self) -> Option<&SimulatorProvider> {
        Some(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use orderdesk_domain::OrderNumber;

    fn provider() -> SimulatorProvider {
        SimulatorProvider::new(SimulatorConfig {
            page_url: "http://127.0.0.1:8080/simulator/pay/".into(),
            secret: "sim-secret".into(),
        })
        .unwrap()
    }

    fn request(minor: i64) -> PaymentRequest {
        PaymentRequest {
            order_number: OrderNumber::new(1001).unwrap(),
            attempt: 2,
            amount: Money::from_minor(minor, Currency::parse("INR").unwrap()),
            description: "Order #1001".into(),
            customer_name: None,
            customer_phone: None,
            customer_email: None,
            callback_url: None,
            cancel_url: None,
            expires_at: chrono::Utc.timestamp_opt(1_700_000_000, 0).unwrap(),
        }
    }

    fn split(url: &str) -> (String, Vec<(String, String)>) {
        let rest = url
            .strip_prefix("http://127.0.0.1:8080/simulator/pay/")
            .unwrap();
        let (reference, query) = rest.split_once('?').unwrap();
        let pairs = query
            .split('&')
            .map(|kv| {
                let (k, v) = kv.split_once('=').unwrap();
                (k.to_owned(), v.to_owned())
            })
            .collect();
        (reference.to_owned(), pairs)
    }

    #[tokio::test]
    async fn the_page_link_names_the_attempt_and_verifies_only_unaltered() {
        let p = provider();
        let link = p.create_request(&request(49900)).await.unwrap();
        assert_eq!(link.reference, "sim_1001-2");
        assert!(
            link.url.contains("amount=49900&currency=INR&sig="),
            "{}",
            link.url
        );
        let (reference, query) = split(&link.url);
        let page = p.verify_page(&reference, &query).unwrap();
        assert_eq!(page.reference_id.to_string(), "1001-2");
        assert_eq!(page.amount.minor(), 49900);

        let mut cheaper = query.clone();
        cheaper[0].1 = "100".into();
        assert_eq!(p.verify_page(&reference, &cheaper), None);
        assert_eq!(p.verify_page("sim_1002-2", &query), None);
        assert_eq!(p.verify_page(&reference, &query[..2]), None);
    }

    #[tokio::test]
    async fn a_pressed_button_becomes_a_signed_webhook_the_provider_accepts() {
        let p = provider();
        let link = p.create_request(&request(49900)).await.unwrap();
        let (reference, query) = split(&link.url);
        let page = p.verify_page(&reference, &query).unwrap();
        let now = chrono::Utc.timestamp_opt(1_700_000_100, 0).unwrap();
        for (outcome, kind) in [
            (SimulatedOutcome::Pay, PaymentEventKind::Paid),
            (SimulatedOutcome::Fail, PaymentEventKind::Failed),
        ] {
            let (body, sig) = p.webhook(&page, outcome, "evt_1", now);
            let mut headers = HeaderMap::new();
            headers.insert(SIGNATURE_HEADER, sig.parse().unwrap());
            let event = p.parse_webhook(&headers, &body, now).unwrap().unwrap();
            assert_eq!(event.kind, kind);
            assert_eq!(event.event_id, "evt_1");
            assert_eq!(event.reference.as_deref(), Some("sim_1001-2"));
            assert_eq!(event.our_reference_id, Some(page.reference_id));
            assert_eq!(event.amount, Some(page.amount));

            let mut forged = body.clone();
            let last = forged.len() - 2;
            forged[last] ^= 1;
            assert!(matches!(
                p.parse_webhook(&headers, &forged, now),
                Err(WebhookError::BadSignature(_))
            ));
        }
        assert!(matches!(
            p.parse_webhook(&HeaderMap::new(), b"{}", now),
            Err(WebhookError::BadSignature(_))
        ));
    }

    #[test]
    fn an_empty_secret_or_a_non_http_page_is_refused() {
        assert!(SimulatorProvider::new(SimulatorConfig {
            page_url: "http://x/pay".into(),
            secret: String::new(),
        })
        .is_err());
        assert!(SimulatorProvider::new(SimulatorConfig {
            page_url: "ftp://x/pay".into(),
            secret: "s".into(),
        })
        .is_err());
    }
}
