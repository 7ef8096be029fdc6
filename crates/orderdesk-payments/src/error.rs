//! What can go wrong going out (creating a link) and coming in (a webhook).

/// A payment request that did not produce a link, sorted by what the caller
/// does next.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PaymentError {
    /// Refused before anything was sent (e.g. a zero amount, UPI in USD).
    #[error("payment request refused before sending: {0}")]
    InvalidRequest(String),
    /// The provider does not accept the configured keys: alert the operator.
    #[error("the provider refused the credentials (HTTP {status}): {message}")]
    Auth { status: u16, message: String },
    /// The provider understood and said no (HTTP 4xx): retrying the same
    /// request will not help.
    #[error("the provider rejected the request (HTTP {status}{}): {message}", code.as_deref().map(|c| format!(", {c}")).unwrap_or_default())]
    Rejected {
        status: u16,
        /// The provider's error code (`BAD_REQUEST_ERROR`, `parameter_invalid_integer`…).
        code: Option<String>,
        message: String,
    },
    /// Network error, timeout, HTTP 429 or 5xx: try again later; the same
    /// attempt returns the same link, so a retry cannot create a second one.
    #[error("temporary failure, retry later: {0}")]
    Retryable(String),
    /// A 2xx answer without what every answer carries (id, URL).
    #[error("the provider's answer could not be read: {0}")]
    InvalidResponse(String),
}

impl PaymentError {
    /// Whether the same request may succeed later.
    pub fn is_retryable(&self) -> bool {
        matches!(self, Self::Retryable(_))
    }
}

/// Why a webhook delivery was not turned into an event.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookError {
    /// Missing, unreadable or wrong signature: not from the provider (or
    /// signed with a secret we do not have). Answer 401, store nothing.
    #[error("bad webhook signature: {0}")]
    BadSignature(&'static str),
    /// Signed by the provider, but at `timestamp` (unix seconds), too far from
    /// now: a replay, or a badly wrong clock. Answer 401, store nothing.
    #[error("the webhook was signed at {timestamp}, outside the {tolerance_secs} s tolerance")]
    Expired { timestamp: i64, tolerance_secs: i64 },
    /// Authentic, but the body lacks what its event type promises. Answer 400.
    #[error("malformed webhook body: {0}")]
    Malformed(String),
    /// This provider sends no webhooks, so nothing claiming to be one can be
    /// trusted (answer 404).
    #[error("{0} payments have no webhooks")]
    NotSupported(&'static str),
}
