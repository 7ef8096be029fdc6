//! Payment providers for orderdesk: a payment request goes out for an order,
//! the provider's signed webhook comes back as a [`PaymentEvent`].
//!
//! Every provider implements [`PaymentProvider`]; `PAYMENTS_PROVIDER` picks
//! one through [`ProviderSettings`]:
//!
//! | provider | [`PaymentProvider::create_request`] | [`PaymentProvider::parse_webhook`] |
//! |---|---|---|
//! | [`razorpay::RazorpayProvider`] | `POST /v1/payment_links` (JSON, basic auth) → `short_url` | `X-Razorpay-Signature`, dedupe on `X-Razorpay-Event-Id` |
//! | [`stripe::StripeProvider`] | `POST /v1/checkout/sessions` (form, bearer, `Idempotency-Key`) → `url` | `Stripe-Signature` (`t=`, any `v1`, 300 s), dedupe on the event `id` |
//! | [`upi::UpiProvider`] | a `upi://pay?…` deep link, no I/O | none: nobody tells us a UPI payment happened |
//! | [`simulator::SimulatorProvider`] | orderdesk's own payment page, no I/O | `X-Simulator-Signature`, sent by that page's buttons |
//!
//! A webhook is handled in this order, because both providers deliver at
//! least once, out of order, and sign the exact bytes they send:
//!
//! 1. `parse_webhook` checks the signature over the **raw** body before
//!    anything parses it (re-serialised JSON has other bytes, see
//!    `signature-vectors.md`), then reads the few fields that matter.
//!    Events orderdesk does not act on are `Ok(None)`: answer 2xx, ignore.
//! 2. The caller stores the event under [`PaymentEvent::event_id`] (insert if
//!    absent) so a redelivery changes nothing, then answers 2xx.
//! 3. It finds the order by [`PaymentEvent::reference`] (the provider's id it
//!    stored from [`PaymentLink::reference`]) or [`PaymentEvent::our_reference_id`],
//!    and asks [`PaymentEvent::decide`] what to do. That keeps `paid` from
//!    being undone by a late `expired`, and refuses to mark an order paid when
//!    the amount or currency differs from the order's (it is flagged instead).
//!
//! The base URLs are configuration, so tests and the bench point the clients
//! at loopback fakes; nothing in this crate reads the clock or the
//! environment by itself (`now` and a key lookup are passed in).
//!
//! ```
//! use orderdesk_domain::{Currency, Money, PaymentStatus};
//! use orderdesk_payments::razorpay::{self, RazorpayConfig, RazorpayProvider};
//! use orderdesk_payments::{Decision, HeaderMap, PaymentProvider};
//!
//! let provider = RazorpayProvider::new(RazorpayConfig::new("rzp_test_id", "key", "hook")).unwrap();
//! let body = br#"{"event":"payment_link.paid","payload":{"payment_link":{"entity":
//!     {"id":"plink_1","amount":49900,"amount_paid":49900,"currency":"INR","reference_id":"1001-1"}}}}"#;
//! let mut headers = HeaderMap::new();
//! headers.insert(razorpay::SIGNATURE_HEADER, razorpay::sign_webhook("hook", body).parse().unwrap());
//! headers.insert(razorpay::EVENT_ID_HEADER, "evt_1".parse().unwrap());
//!
//! let event = provider.parse_webhook(&headers, body, chrono::Utc::now()).unwrap().unwrap();
//! assert_eq!(event.our_reference_id.unwrap().to_string(), "1001-1");
//! let total = Money::from_minor(49900, Currency::parse("INR").unwrap());
//! assert_eq!(
//!     event.decide(PaymentStatus::Pending, total, true),
//!     Decision::Advance(vec![PaymentStatus::Paid]),
//! );
//! ```

mod config;
mod error;
mod event;
pub mod razorpay;
mod reference;
pub mod refund;
mod signature;
pub mod simulator;
pub mod stripe;
mod transport;
pub mod upi;

use async_trait::async_trait;
use orderdesk_domain::{Money, OrderNumber, PaymentMethod, Timestamp};

pub use config::{ConfigError, ProviderSettings};
pub use error::{PaymentError, WebhookError};
pub use event::{AmountMismatch, Decision, PaymentEvent, PaymentEventKind};
pub use reference::ReferenceId;
pub use refund::{RefundNotice, RefundReceipt, RefundRequest, RefundState};
/// Webhook headers as axum and reqwest hand them over (both use `http` 1).
pub use reqwest::header::HeaderMap;
pub use transport::DEFAULT_TIMEOUT;

/// One payment provider, as the engine and the web edge use it.
#[async_trait]
pub trait PaymentProvider: Send + Sync + std::fmt::Debug {
    /// What an order paid this way records as its payment method.
    fn method(&self) -> PaymentMethod;

    /// Asks the provider for a page the customer opens to pay `req.amount`.
    ///
    /// # Errors
    /// [`PaymentError`], sorted by what the caller does next (see
    /// [`PaymentError::is_retryable`]). Retrying the same request (same order
    /// and attempt) is safe: it returns the same link, never a second one.
    async fn create_request(&self, req: &PaymentRequest) -> Result<PaymentLink, PaymentError>;

    /// Executes a refund of a payment this provider took: the whole of
    /// `req.amount` goes back to the customer's card or account. Providers
    /// that cannot (UPI) refuse before any I/O.
    ///
    /// # Errors
    /// [`PaymentError`], as for [`PaymentProvider::create_request`]; a
    /// retry of the same `req.refund_id` never refunds twice where the
    /// provider takes an idempotency key (Stripe).
    async fn refund(&self, req: &RefundRequest) -> Result<RefundReceipt, PaymentError> {
        let _ = req;
        Err(PaymentError::InvalidRequest(format!(
            "{} payments cannot be refunded through a provider",
            self.method().as_str()
        )))
    }

    /// Checks and reads one webhook delivery. `raw_body` must be the bytes as
    /// received; `now` is the clock the replay window is measured against.
    ///
    /// `Ok(None)` is an authentic event orderdesk does not act on (answer 2xx
    /// so the provider stops retrying it).
    ///
    /// # Errors
    /// [`WebhookError::BadSignature`] and [`WebhookError::Expired`] mean the
    /// delivery cannot be trusted (answer 401, store nothing);
    /// [`WebhookError::Malformed`] is an authentic body missing what its event
    /// type promises (answer 400); [`WebhookError::NotSupported`] for a
    /// provider that has no webhooks.
    fn parse_webhook(
        &self,
        headers: &HeaderMap,
        raw_body: &[u8],
        now: Timestamp,
    ) -> Result<Option<PaymentEvent>, WebhookError>;

    /// Checks the query string the provider appended to the callback URL when
    /// it sent the customer's browser back, before the page says "payment
    /// received". Only Razorpay signs it; the others are
    /// [`ReturnCheck::Unverifiable`], so the page shows the order's stored
    /// payment status instead (the webhook stays the source of truth).
    fn verify_return(&self, query: &[(String, String)]) -> ReturnCheck {
        let _ = query;
        ReturnCheck::Unverifiable
    }

    /// The payment simulator, whose page orderdesk serves itself; `None`
    /// for every real provider.
    fn simulator(&self) -> Option<&simulator::SimulatorProvider> {
        None
    }

    /// The UPI deep-link provider, whose links need orderdesk's landing
    /// page (WhatsApp opens only web links); `None` for every other one.
    fn upi(&self) -> Option<&upi::UpiProvider> {
        None
    }
}

/// What to ask a provider for: the order total, for one attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentRequest {
    pub order_number: OrderNumber,
    /// 1 for the first link of an order, +1 each time a new one is issued
    /// (after expiry or failure): providers refuse a reused reference.
    pub attempt: u32,
    /// Always the order total, in minor units; never a part of it.
    pub amount: Money,
    /// Shown on the payment page (Stripe's line item name, Razorpay's
    /// description, the UPI note).
    pub description: String,
    pub customer_name: Option<String>,
    /// As stored (WhatsApp `wa_id` digits, or `+` and digits).
    pub customer_phone: Option<String>,
    pub customer_email: Option<String>,
    /// Where the browser lands after paying (Razorpay `callback_url`, Stripe
    /// `success_url`). Stripe hosted checkout needs one.
    pub callback_url: Option<String>,
    /// Stripe's "back" link; Razorpay and UPI have none.
    pub cancel_url: Option<String>,
    /// When the link stops working. Razorpay wants at least 15 minutes
    /// ahead; Stripe 30 minutes to 24 hours. Outside that the provider
    /// rejects the request ([`PaymentError::Rejected`]).
    pub expires_at: Timestamp,
}

impl PaymentRequest {
    /// Our per-attempt id, e.g. `1001-2`.
    pub fn reference_id(&self) -> ReferenceId {
        ReferenceId::new(self.order_number, self.attempt)
    }

    /// Refuses what no provider could sensibly charge, before any I/O.
    pub(crate) fn check(&self) -> Result<(), PaymentError> {
        if self.amount.minor() <= 0 {
            return Err(PaymentError::InvalidRequest(format!(
                "the amount must be positive, got {}",
                self.amount
            )));
        }
        if self.attempt == 0 {
            return Err(PaymentError::InvalidRequest(
                "attempts are numbered from 1".to_owned(),
            ));
        }
        Ok(())
    }
}

/// What a provider handed back for one [`PaymentRequest`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentLink {
    /// The page (or `upi://` URI) the customer opens.
    pub url: String,
    /// The provider's id (`plink_…`, `cs_…`); webhooks name it. For UPI,
    /// which has none, our reference id again.
    pub reference: String,
    /// Ours: which order and attempt this link is for.
    pub reference_id: ReferenceId,
    /// When the provider says the link expires, where it says.
    pub expires_at: Option<Timestamp>,
}

/// The outcome of [`PaymentProvider::verify_return`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReturnCheck {
    /// The provider signed these parameters and the signature holds.
    Verified {
        /// The provider's link id.
        reference: String,
        /// Ours, when the link was one orderdesk made.
        our_reference_id: Option<ReferenceId>,
        /// The link status the provider reported (`paid` means paid).
        status: String,
        /// The provider's payment id.
        payment_id: String,
    },
    /// Parameters missing or the signature wrong: show nothing about payment.
    Invalid,
    /// This provider does not sign its return, so nothing can be concluded.
    Unverifiable,
}

impl ReturnCheck {
    /// Whether the page may say "payment received".
    pub fn is_paid(&self) -> bool {
        matches!(self, Self::Verified { status, .. } if status == "paid")
    }
}
