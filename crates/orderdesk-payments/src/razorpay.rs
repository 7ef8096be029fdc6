//! Razorpay Payment Links (PAYMENTS.md §1).
//!
//! * Out: `POST {api}/v1/payment_links`, JSON, HTTP basic `key_id:key_secret`,
//!   amount in paise, `reference_id` = our `1001-2`, Razorpay's SMS/e-mail
//!   notifications and reminders off (the bot sends the link on WhatsApp).
//!   Razorpay has no idempotency key, but refuses a reused `reference_id`
//!   ("payment link creation with reference ID already attempted"): when a
//!   retry after a lost answer meets that refusal, the existing link is
//!   fetched by `reference_id` and returned, so a retry never needs a second link.
//! * In: `X-Razorpay-Signature` is lowercase hex HMAC-SHA256 of the raw body
//!   under the **webhook** secret (not the key secret). Several secrets may
//!   be configured: retries of events from before a rotation still carry
//!   the old one. The dedupe key is the `X-Razorpay-Event-Id` header (the
//!   body has no event id); without it, `sha256:` + hex SHA-256 of the body,
//!   which still catches byte-identical redeliveries.
//! * Back: the browser returns to `callback_url` with parameters signed by
//!   the **key** secret over `link_id|reference_id|status|payment_id`
//!   ([`RazorpayProvider::verify_callback`]).
//!
//! | event | [`PaymentEventKind`] |
//! |---|---|
//! | `payment_link.paid` | `Paid` (amount = `amount_paid`) |
//! | `payment_link.expired`, `payment_link.cancelled` | `Expired` |
//! | `payment.failed` (of a link's payment) | `Failed` |
//! | anything else | ignored (`Ok(None)`) |
//!
//! `payment.failed` carries only the payment, whose `description` Razorpay
//! sets to `#` + the link id without its `plink_` prefix (seen in the
//! documented `payment_link.paid` sample); that is how it leads back to the
//! link. A failure whose payment names no link is not ours and is ignored.

use std::fmt;
use std::time::Duration;

use async_trait::async_trait;
use orderdesk_domain::{Currency, Money, PaymentMethod, Timestamp};
use reqwest::header::{HeaderValue, ACCEPT};
use serde::Deserialize;
use serde_json::{json, Map, Value};

use crate::config::ConfigError;
use crate::signature::{hmac_hex, sha256_hex, verify_hex};
use crate::transport::{self, from_unix, snippet, ErrorText};
use crate::{
    HeaderMap, PaymentError, PaymentEvent, PaymentLink, PaymentProvider, PaymentRequest,
    ReferenceId, ReturnCheck, WebhookError,
};

mod refund;
mod webhook;

use webhook::{entity, money, parse_event};

pub const DEFAULT_API_URL: &str = "https://api.razorpay.com";
/// The webhook signature header.
pub const SIGNATURE_HEADER: &str = "X-Razorpay-Signature";
/// The per-event id header, the dedupe key.
pub const EVENT_ID_HEADER: &str = "X-Razorpay-Event-Id";
/// Razorpay refuses a link expiring sooner than this.
pub const MIN_EXPIRY: Duration = Duration::from_secs(15 * 60);

/// Razorpay's limit on `description`, in characters.
const DESCRIPTION_MAX: usize = 2048;

/// How to reach Razorpay and check what it sends.
#[derive(Clone, PartialEq, Eq)]
pub struct RazorpayConfig {
    /// `rzp_test_…` / `rzp_live_…`.
    pub key_id: String,
    pub key_secret: String,
    /// The current webhook secret first, then any still accepted.
    pub webhook_secrets: Vec<String>,
    /// [`DEFAULT_API_URL`], or a fake's.
    pub api_url: String,
    pub timeout: Duration,
}

impl RazorpayConfig {
    /// Settings with the default API URL and timeout.
    pub fn new(
        key_id: impl Into<String>,
        key_secret: impl Into<String>,
        webhook_secret: impl Into<String>,
    ) -> Self {
        Self {
            key_id: key_id.into(),
            key_secret: key_secret.into(),
            webhook_secrets: vec![webhook_secret.into()],
            api_url: DEFAULT_API_URL.to_owned(),
            timeout: transport::DEFAULT_TIMEOUT,
        }
    }
}

impl fmt::Debug for RazorpayConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RazorpayConfig")
            .field("key_id", &self.key_id)
            .field("key_secret", &"<redacted>")
            .field(
                "webhook_secrets",
                &format!("<{} redacted>", self.webhook_secrets.len()),
            )
            .field("api_url", &self.api_url)
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// Razorpay Payment Links as a [`PaymentProvider`].
pub struct RazorpayProvider {
    http: reqwest::Client,
    base: String,
    key_id: String,
    key_secret: String,
    webhook_secrets: Vec<String>,
}

impl fmt::Debug for RazorpayProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RazorpayProvider")
            .field("api_url", &self.base)
            .field("key_id", &self.key_id)
            .finish_non_exhaustive()
    }
}

impl RazorpayProvider {
    /// # Errors
    /// A key that is empty or cannot be sent in a header, a key id that is
    /// not `rzp_…` (a swapped id and secret is the usual mistake), no webhook
    /// secret, or an API URL that is not http(s).
    pub fn new(config: RazorpayConfig) -> Result<Self, ConfigError> {
        if !config.key_id.starts_with("rzp_") || !header_safe(&config.key_id) {
            return Err(ConfigError::new(
                "RAZORPAY_KEY_ID",
                "must be the key id Razorpay shows, starting with rzp_",
            ));
        }
        if !header_safe(&config.key_secret) {
            return Err(ConfigError::new(
                "RAZORPAY_KEY_SECRET",
                "must be non-empty printable ASCII",
            ));
        }
        if config.webhook_secrets.is_empty() || config.webhook_secrets.iter().any(String::is_empty)
        {
            return Err(ConfigError::new("RAZORPAY_WEBHOOK_SECRET", "is missing"));
        }
        let base = transport::base_url(&config.api_url)
            .map_err(|e| ConfigError::new("RAZORPAY_API_URL", e))?;
        let http = transport::client(config.timeout)
            .map_err(|e| ConfigError::new("RAZORPAY_API_URL", e))?;
        Ok(Self {
            http,
            base,
            key_id: config.key_id,
            key_secret: config.key_secret,
            webhook_secrets: config.webhook_secrets,
        })
    }

    /// Checks an `X-Razorpay-Signature` value against the raw body under
    /// every configured webhook secret.
    ///
    /// # Errors
    /// [`WebhookError::BadSignature`] when missing or matching none.
    pub fn verify_signature(
        &self,
        signature: Option<&str>,
        raw_body: &[u8],
    ) -> Result<(), WebhookError> {
        let signature = signature.ok_or(WebhookError::BadSignature(
            "X-Razorpay-Signature is missing",
        ))?;
        if self
            .webhook_secrets
            .iter()
            .any(|secret| verify_hex(secret.as_bytes(), &[raw_body], signature))
        {
            Ok(())
        } else {
            Err(WebhookError::BadSignature(
                "X-Razorpay-Signature does not match the body",
            ))
        }
    }

    /// Whether the query parameters Razorpay added to the callback URL are
    /// signed with our key secret (see [`PaymentProvider::verify_return`] for
    /// the fields). Takes the parameter names as they arrive
    /// (`razorpay_payment_link_id`…), not the SDK's renamed dictionary keys.
    pub fn verify_callback(&self, query: &[(String, String)]) -> bool {
        matches!(self.verify_return(query), ReturnCheck::Verified { .. })
    }

    /// Sends `request` under our key, asking for JSON: the body of a 2xx,
    /// else the error Razorpay's envelope names.
    async fn send(&self, request: reqwest::RequestBuilder) -> Result<Vec<u8>, PaymentError> {
        let request = request
            .basic_auth(&self.key_id, Some(&self.key_secret))
            .header(ACCEPT, HeaderValue::from_static("application/json"));
        transport::send(request, read_error).await
    }

    async fn create(&self, req: &PaymentRequest) -> Result<PaymentLink, PaymentError> {
        req.check()?;
        if req.amount.currency().exponent() == 3 && req.amount.minor() % 10 != 0 {
            // Razorpay's rule for KWD, BHD, OMR…: it would refuse the link.
            return Err(PaymentError::InvalidRequest(format!(
                "Razorpay takes {} only in multiples of 10 minor units",
                req.amount.currency()
            )));
        }
        let reference_id = req.reference_id();
        let body = create_body(req, reference_id);
        let url = transport::endpoint(&self.base, "/v1/payment_links")?;
        let sent = self.send(self.http.post(url).json(&body)).await;
        match sent {
            Ok(bytes) => read_link(&bytes, reference_id),
            Err(PaymentError::Rejected {
                status: 400,
                code,
                message,
            }) if message.to_ascii_lowercase().contains("already attempted") => {
                let refused = PaymentError::Rejected {
                    status: 400,
                    code,
                    message,
                };
                // Our earlier try got through but its answer was lost.
                match self.find_open_link(reference_id, req.amount).await? {
                    Some(link) => Ok(link),
                    None => Err(refused),
                }
            }
            Err(e) => Err(e),
        }
    }

    /// The still-payable link for `reference_id` of exactly `amount`, if any.
    async fn find_open_link(
        &self,
        reference_id: ReferenceId,
        amount: Money,
    ) -> Result<Option<PaymentLink>, PaymentError> {
        let mut url = transport::endpoint(&self.base, "/v1/payment_links")?;
        url.query_pairs_mut()
            .append_pair("reference_id", &reference_id.to_string());
        let bytes = self.send(self.http.get(url)).await?;
        #[derive(Deserialize)]
        struct Listed {
            #[serde(default)]
            payment_links: Vec<Value>,
        }
        let listed: Listed = serde_json::from_slice(&bytes).map_err(|e| {
            PaymentError::InvalidResponse(format!("payment link list: {e}: {}", snippet(&bytes)))
        })?;
        let wanted = reference_id.to_string();
        for entity in listed.payment_links {
            let Ok(link) = serde_json::from_value::<Created>(entity) else {
                continue;
            };
            let same_amount = link.amount == Some(amount.minor())
                && link
                    .currency
                    .as_deref()
                    .and_then(|c| Currency::parse(c).ok())
                    == Some(amount.currency());
            if link.reference_id.as_deref() == Some(wanted.as_str())
                && link.status.as_deref() == Some("created")
                && same_amount
            {
                return link.into_payment_link(reference_id).map(Some);
            }
        }
        Ok(None)
    }
}

#[async_trait]
impl PaymentProvider for RazorpayProvider {
    fn method(&self) -> PaymentMethod {
        PaymentMethod::Razorpay
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

    /// Razorpay signs no timestamp, so `now` is unused: a replayed delivery
    /// repeats its event id and is caught by the caller's dedupe.
    fn parse_webhook(
        &self,
        headers: &HeaderMap,
        raw_body: &[u8],
        _now: Timestamp,
    ) -> Result<Option<PaymentEvent>, WebhookError> {
        self.verify_signature(header(headers, SIGNATURE_HEADER), raw_body)?;
        let event_id = header(headers, EVENT_ID_HEADER)
            .map(str::trim)
            .filter(|id| !id.is_empty())
            .map_or_else(|| format!("sha256:{}", sha256_hex(raw_body)), str::to_owned);
        parse_event(raw_body, event_id)
    }

    /// Razorpay appends `razorpay_payment_id`, `razorpay_payment_link_id`,
    /// `razorpay_payment_link_reference_id` (absent or empty when the link
    /// had none), `razorpay_payment_link_status` and `razorpay_signature`;
    /// the signature is hex HMAC-SHA256 under the key secret of
    /// `link_id|reference_id|status|payment_id`.
    fn verify_return(&self, query: &[(String, String)]) -> ReturnCheck {
        let get = |name: &str| {
            query
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.as_str())
        };
        let (Some(payment_id), Some(link_id), Some(status), Some(signature)) = (
            get("razorpay_payment_id"),
            get("razorpay_payment_link_id"),
            get("razorpay_payment_link_status"),
            get("razorpay_signature"),
        ) else {
            return ReturnCheck::Invalid;
        };
        let reference_id = get("razorpay_payment_link_reference_id").unwrap_or("");
        let message = format!("{link_id}|{reference_id}|{status}|{payment_id}");
        if !verify_hex(self.key_secret.as_bytes(), &[message.as_bytes()], signature) {
            return ReturnCheck::Invalid;
        }
        ReturnCheck::Verified {
            reference: link_id.to_owned(),
            our_reference_id: ReferenceId::parse(reference_id),
            status: status.to_owned(),
            payment_id: payment_id.to_owned(),
        }
    }
}

/// The `X-Razorpay-Signature` Razorpay would send with `raw_body`, for
/// tests, the bench and simulators.
pub fn sign_webhook(webhook_secret: &str, raw_body: &[u8]) -> String {
    hmac_hex(webhook_secret.as_bytes(), &[raw_body])
}

/// The `razorpay_signature` Razorpay would add to the callback URL.
pub fn sign_callback(
    key_secret: &str,
    payment_link_id: &str,
    reference_id: &str,
    status: &str,
    payment_id: &str,
) -> String {
    let message = format!("{payment_link_id}|{reference_id}|{status}|{payment_id}");
    hmac_hex(key_secret.as_bytes(), &[message.as_bytes()])
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

fn header_safe(value: &str) -> bool {
    !value.is_empty() && value.bytes().all(|b| b.is_ascii_graphic())
}

fn create_body(req: &PaymentRequest, reference_id: ReferenceId) -> Value {
    let reference = reference_id.to_string();
    let mut body = json!({
        "amount": req.amount.minor(),
        "currency": req.amount.currency().as_str(),
        "accept_partial": false,
        "reference_id": reference,
        "description": req.description.chars().take(DESCRIPTION_MAX).collect::<String>(),
        "expire_by": req.expires_at.timestamp(),
        "notify": {"sms": false, "email": false},
        "reminder_enable": false,
        "notes": {
            "order_number": req.order_number.to_string(),
            "reference_id": reference,
        },
    });
    let mut customer = Map::new();
    for (key, value) in [
        ("name", &req.customer_name),
        ("contact", &req.customer_phone),
        ("email", &req.customer_email),
    ] {
        if let Some(v) = value.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
            customer.insert(key.to_owned(), Value::from(v));
        }
    }
    if let Some(obj) = body.as_object_mut() {
        if !customer.is_empty() {
            obj.insert("customer".to_owned(), Value::Object(customer));
        }
        if let Some(url) = &req.callback_url {
            obj.insert("callback_url".to_owned(), Value::from(url.as_str()));
            obj.insert("callback_method".to_owned(), Value::from("get"));
        }
    }
    body
}

/// The fields of a payment link entity orderdesk reads.
#[derive(Deserialize)]
struct Created {
    id: String,
    short_url: Option<String>,
    reference_id: Option<String>,
    status: Option<String>,
    amount: Option<i64>,
    currency: Option<String>,
    expire_by: Option<i64>,
}

impl Created {
    fn into_payment_link(self, reference_id: ReferenceId) -> Result<PaymentLink, PaymentError> {
        let url = self.short_url.filter(|u| !u.is_empty()).ok_or_else(|| {
            PaymentError::InvalidResponse(format!("link {} has no short_url", self.id))
        })?;
        if self.id.is_empty() {
            return Err(PaymentError::InvalidResponse(
                "link without an id".to_owned(),
            ));
        }
        Ok(PaymentLink {
            url,
            reference: self.id,
            reference_id,
            expires_at: self.expire_by.filter(|&t| t > 0).and_then(from_unix),
        })
    }
}

fn read_link(bytes: &[u8], reference_id: ReferenceId) -> Result<PaymentLink, PaymentError> {
    serde_json::from_slice::<Created>(bytes)
        .map_err(|e| PaymentError::InvalidResponse(format!("{e}: {}", snippet(bytes))))?
        .into_payment_link(reference_id)
}

/// `{"error":{"code":"BAD_REQUEST_ERROR","description":"…",…}}`
fn read_error(body: &[u8]) -> Option<ErrorText> {
    #[derive(Deserialize)]
    struct Envelope {
        error: Body,
    }
    #[derive(Deserialize)]
    struct Body {
        code: Option<String>,
        description: Option<String>,
    }
    let e = serde_json::from_slice::<Envelope>(body).ok()?.error;
    Some(ErrorText {
        code: e.code,
        message: e.description.unwrap_or_else(|| snippet(body)),
    })
}
