//! Stripe Checkout Sessions (PAYMENTS.md §2).
//!
//! * Out: `POST {api}/v1/checkout/sessions`, form-encoded with bracket
//!   notation, `Authorization: Bearer sk_…`, one line item for the order
//!   total (`unit_amount` in minor units, currency lower-case),
//!   `client_reference_id` and `metadata[reference_id]` = our `1001-2`, and
//!   `Idempotency-Key` = the same, so a retried create returns the first
//!   session instead of opening a second (Stripe keeps keys for 24 hours).
//!   No `Stripe-Version` is pinned: only `id`, `url` and `expires_at` are
//!   read, which every version has.
//! * In: `Stripe-Signature: t=<unix>,v1=<hex>[,v1=<hex>…]`; each `v1` is
//!   HMAC-SHA256 of `"{t}." + raw body` under the whole `whsec_…` string.
//!   Any `v1` matching any configured secret passes (Stripe signs with both
//!   secrets while one is rolled; several may be configured). The signature
//!   is checked first, then `|now − t| ≤ 300 s` (both directions: our clock
//!   may be the wrong one), so [`WebhookError::Expired`] means authentic but
//!   stale. The dedupe key is the event `id` (`evt_…`).
//!
//! | event | [`PaymentEventKind`] |
//! |---|---|
//! | `checkout.session.completed` with `payment_status: paid` | `Paid` |
//! | `checkout.session.completed` otherwise (a delayed method still settling) | ignored: the outcome follows |
//! | `checkout.session.async_payment_succeeded` | `Paid` |
//! | `checkout.session.async_payment_failed` | `Failed` |
//! | `checkout.session.expired` | `Expired` |
//! | anything else | ignored (`Ok(None)`) |

use std::fmt;
use std::time::Duration;

use async_trait::async_trait;
use orderdesk_domain::{Currency, Money, PaymentMethod, Timestamp};
use reqwest::header::{HeaderValue, ACCEPT, AUTHORIZATION};
use serde::Deserialize;
use serde_json::Value;

use crate::config::ConfigError;
use crate::signature::{hmac_hex, mac, matches_hex};
use crate::transport::{self, from_unix, snippet, ErrorText};
use crate::{
    HeaderMap, PaymentError, PaymentEvent, PaymentEventKind, PaymentLink, PaymentProvider,
    PaymentRequest, ReferenceId, WebhookError,
};

mod refund;

pub const DEFAULT_API_URL: &str = "https://api.stripe.com";
/// The webhook signature header.
pub const SIGNATURE_HEADER: &str = "Stripe-Signature";
/// How far a signed timestamp may be from now, as Stripe's libraries default.
pub const DEFAULT_TOLERANCE: Duration = Duration::from_secs(300);
/// Stripe refuses a session expiring sooner than this after creation…
pub const MIN_EXPIRY: Duration = Duration::from_secs(30 * 60);
/// …or later than this.
pub const MAX_EXPIRY: Duration = Duration::from_secs(24 * 60 * 60);

/// How to reach Stripe and check what it sends.
#[derive(Clone, PartialEq, Eq)]
pub struct StripeConfig {
    /// `sk_…` (or a restricted `rk_…` key allowed to create sessions).
    pub secret_key: String,
    /// `whsec_…`; every one listed is accepted.
    pub webhook_secrets: Vec<String>,
    /// [`DEFAULT_API_URL`], or a fake's.
    pub api_url: String,
    pub timeout: Duration,
    pub tolerance: Duration,
}

impl StripeConfig {
    /// Settings with the default API URL, timeout and tolerance.
    pub fn new(secret_key: impl Into<String>, webhook_secrets: Vec<String>) -> Self {
        Self {
            secret_key: secret_key.into(),
            webhook_secrets,
            api_url: DEFAULT_API_URL.to_owned(),
            timeout: transport::DEFAULT_TIMEOUT,
            tolerance: DEFAULT_TOLERANCE,
        }
    }
}

impl fmt::Debug for StripeConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StripeConfig")
            .field("secret_key", &"<redacted>")
            .field(
                "webhook_secrets",
                &format!("<{} redacted>", self.webhook_secrets.len()),
            )
            .field("api_url", &self.api_url)
            .field("timeout", &self.timeout)
            .field("tolerance", &self.tolerance)
            .finish()
    }
}

/// Stripe Checkout as a [`PaymentProvider`].
pub struct StripeProvider {
    http: reqwest::Client,
    base: String,
    authorization: HeaderValue,
    webhook_secrets: Vec<String>,
    tolerance_secs: i64,
}

impl fmt::Debug for StripeProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StripeProvider")
            .field("api_url", &self.base)
            .field("tolerance_secs", &self.tolerance_secs)
            .finish_non_exhaustive()
    }
}

impl StripeProvider {
    /// # Errors
    /// A secret key that is not `sk_…`/`rk_…` (a publishable `pk_…` key is
    /// the usual mistake), a webhook secret that is not `whsec_…` (an
    /// `sk_…` there is the other one), or an API URL that is not http(s).
    pub fn new(config: StripeConfig) -> Result<Self, ConfigError> {
        let key = &config.secret_key;
        if !(key.starts_with("sk_") || key.starts_with("rk_"))
            || !key.bytes().all(|b| b.is_ascii_graphic())
        {
            return Err(ConfigError::new(
                "STRIPE_SECRET_KEY",
                "must be a secret key (sk_…) or restricted key (rk_…)",
            ));
        }
        let mut authorization = HeaderValue::from_str(&format!("Bearer {key}"))
            .map_err(|_| ConfigError::new("STRIPE_SECRET_KEY", "cannot be sent in a header"))?;
        authorization.set_sensitive(true);
        if config.webhook_secrets.is_empty()
            || config
                .webhook_secrets
                .iter()
                .any(|s| !s.starts_with("whsec_") || s.len() <= "whsec_".len())
        {
            return Err(ConfigError::new(
                "STRIPE_WEBHOOK_SECRET",
                "must be the endpoint's signing secret (whsec_…), or several separated by commas",
            ));
        }
        let base = transport::base_url(&config.api_url)
            .map_err(|e| ConfigError::new("STRIPE_API_URL", e))?;
        let http =
            transport::client(config.timeout).map_err(|e| ConfigError::new("STRIPE_API_URL", e))?;
        Ok(Self {
            http,
            base,
            authorization,
            webhook_secrets: config.webhook_secrets,
            tolerance_secs: i64::try_from(config.tolerance.as_secs()).unwrap_or(i64::MAX),
        })
    }

    /// Checks a `Stripe-Signature` value against the raw body, then the
    /// timestamp against `now`; returns the signed timestamp.
    ///
    /// # Errors
    /// [`WebhookError::BadSignature`] when missing, unreadable or matching
    /// no secret; [`WebhookError::Expired`] when authentic but outside the
    /// tolerance.
    pub fn verify_signature(
        &self,
        header: Option<&str>,
        raw_body: &[u8],
        now: Timestamp,
    ) -> Result<i64, WebhookError> {
        let header = header.ok_or(WebhookError::BadSignature("Stripe-Signature is missing"))?;
        let SignatureHeader { t, candidates } = SignatureHeader::parse(header)?;
        // Stripe signs the decimal timestamp as its library prints it.
        let prefix = format!("{t}.");
        let parts: [&[u8]; 2] = [prefix.as_bytes(), raw_body];
        // One MAC per secret, however many candidates the header carries:
        // the body may be a megabyte.
        let matched = self.webhook_secrets.iter().any(|secret| {
            mac(secret.as_bytes(), &parts)
                .is_some_and(|expected| candidates.iter().any(|c| matches_hex(&expected, c)))
        });
        if !matched {
            return Err(WebhookError::BadSignature(
                "no Stripe-Signature v1 matches the body",
            ));
        }
        if now.timestamp().abs_diff(t) > self.tolerance_secs.unsigned_abs() {
            return Err(WebhookError::Expired {
                timestamp: t,
                tolerance_secs: self.tolerance_secs,
            });
        }
        Ok(t)
    }

    /// Sends `request` under our key, asking for JSON, once for `idempotency_key`
    /// however often it is retried: the body of a 2xx, else the error
    /// Stripe's envelope names.
    async fn send(
        &self,
        request: reqwest::RequestBuilder,
        idempotency_key: HeaderValue,
    ) -> Result<Vec<u8>, PaymentError> {
        let request = request
            .header(AUTHORIZATION, self.authorization.clone())
            .header(ACCEPT, HeaderValue::from_static("application/json"))
            .header("Idempotency-Key", idempotency_key);
        transport::send(request, read_error).await
    }

    async fn create(&self, req: &PaymentRequest) -> Result<PaymentLink, PaymentError> {
        req.check()?;
        let reference_id = req.reference_id();
        let url = transport::endpoint(&self.base, "/v1/checkout/sessions")?;
        let idempotency_key = HeaderValue::from_str(&reference_id.to_string())
            .map_err(|e| PaymentError::InvalidRequest(e.to_string()))?;
        let form = create_form(req, reference_id);
        let bytes = self
            .send(self.http.post(url).form(&form), idempotency_key)
            .await?;
        #[derive(Deserialize)]
        struct Session {
            id: String,
            url: Option<String>,
            expires_at: Option<i64>,
        }
        let session: Session = serde_json::from_slice(&bytes)
            .map_err(|e| PaymentError::InvalidResponse(format!("{e}: {}", snippet(&bytes))))?;
        let url = session.url.filter(|u| !u.is_empty()).ok_or_else(|| {
            PaymentError::InvalidResponse(format!("session {} has no url", session.id))
        })?;
        Ok(PaymentLink {
            url,
            reference: session.id,
            reference_id,
            expires_at: session.expires_at.and_then(from_unix),
        })
    }
}

#[async_trait]
impl PaymentProvider for StripeProvider {
    fn method(&self) -> PaymentMethod {
        PaymentMethod::Stripe
    }

    async fn create_request(&self, req: &PaymentRequest) -> Result<PaymentLink, PaymentError> {
        self.create(req).await
    }

    async fn refund(
        &self,
        req: &crate::RefundRequest,
    ) -> Result<crate::RefundReceipt, PaymentError> {
        self.refund_payment(req).await
    }

    fn parse_webhook(
        &self,
        headers: &HeaderMap,
        raw_body: &[u8],
        now: Timestamp,
    ) -> Result<Option<PaymentEvent>, WebhookError> {
        let header = headers.get(SIGNATURE_HEADER).and_then(|v| v.to_str().ok());
        self.verify_signature(header, raw_body, now)?;
        parse_event(raw_body)
    }
}

/// The longest `Stripe-Signature` we read. Stripe sends `t=`, one `v1=`
/// per active secret (two while one is rolled) and perhaps a `v0=`: about
/// 220 bytes.
pub const MAX_SIGNATURE_HEADER_BYTES: usize = 1024;
/// The most `v1=` values we compare.
pub const MAX_SIGNATURES: usize = 8;

/// A `Stripe-Signature` value, read but not yet checked.
#[derive(Debug)]
struct SignatureHeader<'a> {
    t: i64,
    candidates: Vec<&'a str>,
}

impl<'a> SignatureHeader<'a> {
    /// Reads `t=` and the `v1=` values. A header over the caps is refused
    /// here, before any MAC is computed, like any other bad signature.
    fn parse(header: &'a str) -> Result<Self, WebhookError> {
        if header.len() > MAX_SIGNATURE_HEADER_BYTES {
            return Err(WebhookError::BadSignature("Stripe-Signature is too long"));
        }
        let mut timestamp = None;
        let mut candidates = Vec::new();
        for item in header.split(',') {
            let Some((key, value)) = item.split_once('=') else {
                continue;
            };
            match key.trim() {
                "t" if timestamp.is_none() => timestamp = value.trim().parse::<i64>().ok(),
                "v1" => candidates.push(value.trim()),
                // v0 and future schemes are not ours to trust.
                _ => {}
            }
        }
        if candidates.len() > MAX_SIGNATURES {
            return Err(WebhookError::BadSignature(
                "Stripe-Signature has too many v1= values",
            ));
        }
        let t = timestamp.ok_or(WebhookError::BadSignature(
            "Stripe-Signature has no readable t=",
        ))?;
        if candidates.is_empty() {
            return Err(WebhookError::BadSignature("Stripe-Signature has no v1="));
        }
        Ok(Self { t, candidates })
    }
}

/// The `Stripe-Signature` value Stripe would send with `raw_body` at
/// `timestamp`, for tests, the bench and simulators.
pub fn sign_webhook(webhook_secret: &str, timestamp: i64, raw_body: &[u8]) -> String {
    let prefix = format!("{timestamp}.");
    let v1 = hmac_hex(webhook_secret.as_bytes(), &[prefix.as_bytes(), raw_body]);
    format!("t={timestamp},v1={v1}")
}

fn create_form(req: &PaymentRequest, reference_id: ReferenceId) -> Vec<(&'static str, String)> {
    let reference = reference_id.to_string();
    let order = req.order_number.to_string();
    let name = match req.description.trim() {
        // Stripe refuses a line item without a name.
        "" => format!("Order {order}"),
        d => d.to_owned(),
    };
    let mut form = vec![
        ("mode", "payment".to_owned()),
        ("client_reference_id", reference.clone()),
        ("line_items[0][quantity]", "1".to_owned()),
        (
            "line_items[0][price_data][currency]",
            req.amount.currency().as_str().to_ascii_lowercase(),
        ),
        (
            "line_items[0][price_data][unit_amount]",
            req.amount.minor().to_string(),
        ),
        ("line_items[0][price_data][product_data][name]", name),
        ("metadata[order_number]", order.clone()),
        ("metadata[attempt]", req.attempt.to_string()),
        ("metadata[reference_id]", reference.clone()),
        // Session metadata is not copied to the PaymentIntent; this lets
        // PaymentIntent-level events (refunds, disputes) lead back too.
        ("payment_intent_data[metadata][order_number]", order),
        ("payment_intent_data[metadata][reference_id]", reference),
        ("expires_at", req.expires_at.timestamp().to_string()),
    ];
    if let Some(url) = &req.callback_url {
        form.push(("success_url", url.clone()));
    }
    if let Some(url) = &req.cancel_url {
        form.push(("cancel_url", url.clone()));
    }
    if let Some(email) = req
        .customer_email
        .as_deref()
        .map(str::trim)
        .filter(|e| !e.is_empty())
    {
        form.push(("customer_email", email.to_owned()));
    }
    form
}

/// `{"error":{"type":"invalid_request_error","code":"…","message":"…"}}`
fn read_error(body: &[u8]) -> Option<ErrorText> {
    #[derive(Deserialize)]
    struct Envelope {
        error: Body,
    }
    #[derive(Deserialize)]
    struct Body {
        #[serde(rename = "type")]
        kind: Option<String>,
        code: Option<String>,
        message: Option<String>,
    }
    let e = serde_json::from_slice::<Envelope>(body).ok()?.error;
    Some(ErrorText {
        code: e.code.or(e.kind),
        message: e.message.unwrap_or_else(|| snippet(body)),
    })
}

#[derive(Deserialize)]
struct Event {
    id: String,
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    created: Value,
    #[serde(default)]
    data: Value,
}

#[derive(Deserialize)]
struct Session {
    id: String,
    client_reference_id: Option<String>,
    #[serde(default)]
    metadata: Value,
    amount_total: Option<i64>,
    currency: Option<String>,
    payment_status: Option<String>,
    /// An id, an expanded object, or `null` before payment.
    #[serde(default)]
    payment_intent: Value,
}

fn parse_event(raw_body: &[u8]) -> Result<Option<PaymentEvent>, WebhookError> {
    let event: Event = serde_json::from_slice(raw_body)
        .map_err(|e| WebhookError::Malformed(format!("not a Stripe event: {e}")))?;
    if event.id.trim().is_empty() {
        return Err(WebhookError::Malformed("event without an id".to_owned()));
    }
    let kind = match event.kind.as_str() {
        "checkout.session.completed" | "checkout.session.async_payment_succeeded" => {
            PaymentEventKind::Paid
        }
        "checkout.session.async_payment_failed" => PaymentEventKind::Failed,
        "checkout.session.expired" => PaymentEventKind::Expired,
        "refund.updated" | "charge.refunded" => {
            let object = event.data.get("object").ok_or_else(|| {
                WebhookError::Malformed(format!("{} without data.object", event.kind))
            })?;
            let refunds = refund::refund_notices(&event.kind, object)?;
            if refunds.is_empty() {
                return Ok(None);
            }
            return Ok(Some(PaymentEvent {
                event_id: event.id,
                kind: PaymentEventKind::Refund,
                raw_kind: event.kind,
                reference: None,
                our_reference_id: None,
                raw_reference_id: None,
                payment_id: None,
                amount: None,
                occurred_at: event.created.as_i64().and_then(from_unix),
                detail: None,
                refunds,
            }));
        }
        _ => return Ok(None),
    };
    let object = event
        .data
        .get("object")
        .ok_or_else(|| WebhookError::Malformed(format!("{} without data.object", event.kind)))?;
    let session = Session::deserialize(object)
        .map_err(|e| WebhookError::Malformed(format!("{}: data.object: {e}", event.kind)))?;
    if event.kind == "checkout.session.completed"
        && session.payment_status.as_deref() != Some("paid")
    {
        // `unpaid`: a delayed method (bank debit…) is still settling, and
        // async_payment_succeeded/failed follows. `no_payment_required`
        // cannot happen for orderdesk's sessions, which always charge.
        return Ok(None);
    }
    let raw_reference_id = session
        .client_reference_id
        .filter(|r| !r.trim().is_empty())
        .or_else(|| {
            session
                .metadata
                .get("reference_id")
                .and_then(Value::as_str)
                .map(str::to_owned)
        });
    let amount = match (session.amount_total, session.currency.as_deref()) {
        (Some(minor), Some(code)) => Currency::parse(code)
            .ok()
            .map(|c| Money::from_minor(minor, c)),
        _ => None,
    };
    let payment_id = match &session.payment_intent {
        Value::String(id) => Some(id.clone()),
        Value::Object(pi) => pi.get("id").and_then(Value::as_str).map(str::to_owned),
        _ => None,
    };
    Ok(Some(PaymentEvent {
        event_id: event.id,
        kind,
        raw_kind: event.kind,
        reference: Some(session.id),
        our_reference_id: raw_reference_id.as_deref().and_then(ReferenceId::parse),
        raw_reference_id,
        payment_id,
        amount,
        occurred_at: event.created.as_i64().and_then(from_unix),
        detail: None,
        refunds: Vec::new(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signature::MACS_COMPUTED;

    fn provider(secrets: &[&str]) -> StripeProvider {
        let secrets = secrets.iter().map(|s| (*s).to_owned()).collect();
        StripeProvider::new(StripeConfig::new("sk_test_x", secrets)).unwrap()
    }

    fn macs() -> usize {
        MACS_COMPUTED.with(std::cell::Cell::get)
    }

    #[test]
    fn an_over_cap_header_is_refused_before_any_mac() {
        let p = provider(&["whsec_a", "whsec_b"]);
        let body = vec![b'x'; 1024 * 1024];
        let now = Timestamp::from_timestamp(1_700_000_000, 0).unwrap();
        let v1 = format!(",v1={}", "0".repeat(64));
        let many = format!("t=1700000000{}", v1.repeat(MAX_SIGNATURES + 1));
        let long = format!(
            "t=1700000000{v1},v0={}",
            "0".repeat(MAX_SIGNATURE_HEADER_BYTES)
        );
        for header in [many, long] {
            let before = macs();
            let e = p.verify_signature(Some(&header), &body, now).unwrap_err();
            assert!(matches!(e, WebhookError::BadSignature(_)), "{e:?}");
            assert_eq!(macs(), before, "no MAC for an over-cap header");
        }
    }

    #[test]
    fn several_candidates_cost_one_mac_per_secret() {
        let p = provider(&["whsec_old", "whsec_new"]);
        let body = br#"{"id":"evt_1","type":"x"}"#;
        let signed = sign_webhook("whsec_new", 1_700_000_000, body);
        let good = signed.split("v1=").nth(1).unwrap();
        let zeros = "0".repeat(64);
        let header = format!("t=1700000000{},v1={good}", format!(",v1={zeros}").repeat(6));
        let now = Timestamp::from_timestamp(1_700_000_000, 0).unwrap();
        let before = macs();
        assert_eq!(
            p.verify_signature(Some(&header), body, now).unwrap(),
            1_700_000_000
        );
        assert_eq!(macs() - before, 2);
    }
}
