//! The Graph API client that sends [`OutboundMessage`]s and [`MarkRead`]s.
//!
//! Every failure is sorted into what the caller (the outbox dispatcher) does
//! next, because that is the only decision it makes:
//!
//! | [`GraphError`] | when | caller |
//! |---|---|---|
//! | `Retryable` | network error, timeout, HTTP 429/5xx, codes 1, 2, 4, 80007, 130429, 131000, 131016, 131056, 131057, `is_transient: true` | retry later (after `after` when given) |
//! | `WindowClosed` | code 131047 (more than 24 h since the customer wrote) | send a template instead |
//! | `Auth` | code 190, 0, 10, 200–299, or HTTP 401/403 | alert the operator |
//! | `Permanent` | anything else, e.g. 100, 131026, 131050, 131051 | record the failure |
//!
//! A specific code decides before the HTTP status does: Meta sends rate-limit
//! codes with 400 as well as 429. The Graph API has no idempotency key, so a
//! timeout after the request went out may mean the message was sent; retrying
//! it can send it twice, which the dispatcher accepts as the lesser evil.

use std::fmt;
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderValue, AUTHORIZATION, CONTENT_TYPE, RETRY_AFTER};
use reqwest::{StatusCode, Url};
use serde::Deserialize;

use crate::outbound::{MarkRead, OutboundMessage};

/// How long a send may take, connection included, unless configured otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// Error bodies are quoted in errors up to this many characters; an HTML
/// error page from a proxy would otherwise flood the logs.
const SNIPPET_MAX: usize = 300;

/// Sends to one business phone number through `{base_url}/{phone_number_id}/messages`.
#[derive(Clone)]
pub struct GraphClient {
    http: reqwest::Client,
    messages_url: Url,
    authorization: HeaderValue,
    timeout: Duration,
}

impl fmt::Debug for GraphClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GraphClient")
            .field("messages_url", &self.messages_url.as_str())
            .field("access_token", &"<redacted>")
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// Why a [`GraphClient`] could not be built from its configuration.
#[derive(Debug, thiserror::Error)]
pub enum GraphSetupError {
    #[error("Graph base URL {0:?} is not an http(s) URL without query or fragment")]
    BaseUrl(String),
    #[error("phone number id {0:?} must be a non-empty run of ASCII letters and digits")]
    PhoneNumberId(String),
    #[error("the access token is empty or cannot be sent in an HTTP header")]
    AccessToken,
    #[error("the HTTP client could not be built: {0}")]
    Client(#[source] reqwest::Error),
}

/// The API accepted the message; delivery is reported later by status webhooks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentMessage {
    /// `messages[0].id`, which the status webhooks carry as `statuses[].id`.
    pub wamid: String,
}

/// An error answer from the Graph API, as far as it could be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GraphApiError {
    /// The HTTP status of the answer.
    pub status: u16,
    /// `error.code`; `None` when the body was not a Graph error.
    pub code: Option<i64>,
    /// `error.error_subcode`.
    pub subcode: Option<i64>,
    /// `error.message` (e.g. `(#131047) Re-engagement message`), or the
    /// start of the body when it was not a Graph error.
    pub message: String,
    /// `error.error_data.details`, Meta's most specific explanation.
    pub details: Option<String>,
    /// `error.fbtrace_id`, to quote to Meta support.
    pub fbtrace_id: Option<String>,
}

impl fmt::Display for GraphApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HTTP {}", self.status)?;
        if let Some(code) = self.code {
            write!(f, ", code {code}")?;
        }
        if let Some(subcode) = self.subcode {
            write!(f, "/{subcode}")?;
        }
        write!(f, ": {}", self.message)?;
        if let Some(details) = &self.details {
            write!(f, " ({details})")?;
        }
        if let Some(trace) = &self.fbtrace_id {
            write!(f, " [fbtrace_id {trace}]")?;
        }
        Ok(())
    }
}

/// A failed send, sorted by what the caller should do about it (see the module docs).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GraphError {
    /// Try again later; `after` is the server's `Retry-After` when it sent one.
    #[error("temporary failure, retry later: {reason}")]
    Retryable {
        after: Option<Duration>,
        /// The Graph error code, when the answer had one: 131056 (pair rate
        /// limit) calls for backing off this customer only, 130429 the number.
        code: Option<i64>,
        reason: String,
    },
    /// More than 24 hours since the customer last wrote: only a template may be sent.
    #[error("the customer service window is closed, only a template can be sent: {error}")]
    WindowClosed { error: GraphApiError },
    /// The access token is invalid or expired, or lacks a permission.
    #[error("the Graph API refused the credentials: {error}")]
    Auth { error: GraphApiError },
    /// Sending the same request again will fail the same way.
    #[error("the Graph API refused the message: {error}")]
    Permanent {
        code: Option<i64>,
        message: String,
        error: GraphApiError,
    },
}

impl GraphError {
    fn permanent(error: GraphApiError) -> Self {
        Self::Permanent {
            code: error.code,
            message: error.message.clone(),
            error,
        }
    }
}

impl GraphClient {
    /// A client for `{base_url}/{phone_number_id}/messages` with [`DEFAULT_TIMEOUT`].
    /// `base_url` includes the API version, e.g. `https://graph.facebook.com/v23.0`.
    ///
    /// # Errors
    /// A base URL that is not http(s), a phone number id that is not
    /// alphanumeric, an access token that is empty or not header-safe.
    pub fn new(
        base_url: &str,
        phone_number_id: &str,
        access_token: &str,
    ) -> Result<Self, GraphSetupError> {
        Self::with_timeout(base_url, phone_number_id, access_token, DEFAULT_TIMEOUT)
    }

    /// As [`GraphClient::new`], with a bound on each whole request.
    ///
    /// # Errors
    /// As [`GraphClient::new`].
    pub fn with_timeout(
        base_url: &str,
        phone_number_id: &str,
        access_token: &str,
        timeout: Duration,
    ) -> Result<Self, GraphSetupError> {
        let base = Url::parse(base_url).map_err(|_| GraphSetupError::BaseUrl(base_url.into()))?;
        if !matches!(base.scheme(), "http" | "https")
            || base.cannot_be_a_base()
            || base.query().is_some()
            || base.fragment().is_some()
        {
            return Err(GraphSetupError::BaseUrl(base_url.into()));
        }
        // The id becomes a path segment: anything but letters and digits
        // could change which endpoint the token is sent to.
        if phone_number_id.is_empty() || !phone_number_id.chars().all(|c| c.is_ascii_alphanumeric())
        {
            return Err(GraphSetupError::PhoneNumberId(phone_number_id.into()));
        }
        let messages_url = Url::parse(&format!(
            "{}/{phone_number_id}/messages",
            base.as_str().trim_end_matches('/')
        ))
        .map_err(|_| GraphSetupError::BaseUrl(base_url.into()))?;

        if access_token.trim().is_empty() {
            return Err(GraphSetupError::AccessToken);
        }
        let mut authorization = HeaderValue::from_str(&format!("Bearer {access_token}"))
            .map_err(|_| GraphSetupError::AccessToken)?;
        authorization.set_sensitive(true);

        let http = reqwest::Client::builder()
            .timeout(timeout)
            // Graph never redirects this endpoint; following one would
            // replay a POST somewhere the operator did not configure.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("orderdesk/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(GraphSetupError::Client)?;
        Ok(Self {
            http,
            messages_url,
            authorization,
            timeout,
        })
    }

    /// The endpoint every request goes to.
    pub fn messages_url(&self) -> &str {
        self.messages_url.as_str()
    }

    /// Sends a text, interactive or template message.
    ///
    /// # Errors
    /// A [`GraphError`] saying whether to retry, switch to a template,
    /// alert the operator or give up. A 2xx answer without `messages[0].id`
    /// is `Permanent`: the message may well have gone out, and a retry
    /// could send it twice.
    pub async fn send(&self, message: &OutboundMessage) -> Result<SentMessage, GraphError> {
        self.send_payload(message).await
    }

    /// Sends a message already in wire form, as the outbox stores it (built
    /// and validated as an [`OutboundMessage`] when it was queued).
    ///
    /// # Errors
    /// As [`GraphClient::send`].
    pub async fn send_json(&self, message: &serde_json::Value) -> Result<SentMessage, GraphError> {
        self.send_payload(message).await
    }

    async fn send_payload<T: serde::Serialize>(
        &self,
        payload: &T,
    ) -> Result<SentMessage, GraphError> {
        let body = self.post(payload).await?;
        #[derive(Deserialize)]
        struct Accepted {
            messages: Vec<AcceptedMessage>,
        }
        #[derive(Deserialize)]
        struct AcceptedMessage {
            id: String,
        }
        match serde_json::from_slice::<Accepted>(&body) {
            Ok(accepted) => match accepted.messages.into_iter().next() {
                Some(first) if !first.id.is_empty() => Ok(SentMessage { wamid: first.id }),
                _ => Err(unreadable_success(&body)),
            },
            Err(_) => Err(unreadable_success(&body)),
        }
    }

    /// Marks an inbound message as read (and shows the typing indicator if asked).
    ///
    /// # Errors
    /// As [`GraphClient::send`]; any 2xx answer counts as done.
    pub async fn mark_read(&self, read: &MarkRead) -> Result<(), GraphError> {
        self.post(read).await.map(drop)
    }

    /// POSTs `payload` and returns the body of a 2xx answer.
    async fn post<T: serde::Serialize>(&self, payload: &T) -> Result<Vec<u8>, GraphError> {
        let json = serde_json::to_vec(payload).map_err(|e| {
            GraphError::permanent(GraphApiError {
                status: 0,
                code: None,
                subcode: None,
                message: format!("the request body could not be serialised: {e}"),
                details: None,
                fbtrace_id: None,
            })
        })?;
        let response = self
            .http
            .post(self.messages_url.clone())
            .header(AUTHORIZATION, self.authorization.clone())
            .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
            .body(json)
            .send()
            .await
            .map_err(|e| transport_error(&e))?;
        let status = response.status();
        let retry_after = retry_after(response.headers());
        let body = response.bytes().await.map_err(|e| transport_error(&e))?;
        if status.is_success() {
            Ok(body.to_vec())
        } else {
            Err(classify(status, retry_after, &body))
        }
    }
}

fn transport_error(error: &reqwest::Error) -> GraphError {
    let what = if error.is_timeout() {
        "timed out"
    } else if error.is_connect() {
        "could not connect"
    } else {
        "request failed"
    };
    GraphError::Retryable {
        after: None,
        code: None,
        reason: format!("{what}: {}", error_chain(error)),
    }
}

/// reqwest's own message is often just "error sending request"; the cause
/// (connection refused, timed out, …) is further down the chain.
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    // Only the delta-seconds form; Graph is not known to send HTTP dates.
    let seconds = headers
        .get(RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()?;
    Some(Duration::from_secs(seconds))
}

fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    let mut cut: String = text.chars().take(SNIPPET_MAX).collect();
    if cut.len() < text.len() {
        cut.push('…');
    }
    cut
}

fn unreadable_success(body: &[u8]) -> GraphError {
    GraphError::permanent(GraphApiError {
        status: 200,
        code: None,
        subcode: None,
        message: format!("success answer without messages[0].id: {}", snippet(body)),
        details: None,
        fbtrace_id: None,
    })
}

#[derive(Deserialize)]
struct ErrorEnvelope {
    error: ErrorBody,
}

#[derive(Deserialize)]
struct ErrorBody {
    message: Option<String>,
    code: Option<i64>,
    error_subcode: Option<i64>,
    error_data: Option<ErrorData>,
    fbtrace_id: Option<String>,
    is_transient: Option<bool>,
}

#[derive(Deserialize)]
struct ErrorData {
    details: Option<String>,
}

/// Codes that mean "not now" whatever the HTTP status (WHATSAPP.md §2.12, §2.14).
const RETRYABLE_CODES: &[i64] = &[
    1,      // API unknown (temporary)
    2,      // API service (temporary)
    4,      // application request limit
    80007,  // WhatsApp Business Account rate limit
    130429, // throughput reached for the number
    131000, // something went wrong
    131016, // service temporarily unavailable
    131056, // pair rate limit: too many messages to this customer
    131057, // account in maintenance (throughput upgrade)
];

const WINDOW_CLOSED: i64 = 131047;

fn is_auth_code(code: i64) -> bool {
    // 190 expired/invalid token, 0 AuthException, 10 and 200–299 permissions.
    matches!(code, 0 | 10 | 190 | 200..=299)
}

fn classify(status: StatusCode, retry_after: Option<Duration>, body: &[u8]) -> GraphError {
    let (error, transient) = match serde_json::from_slice::<ErrorEnvelope>(body) {
        Ok(ErrorEnvelope { error }) => (
            GraphApiError {
                status: status.as_u16(),
                code: error.code,
                subcode: error.error_subcode,
                message: error
                    .message
                    .unwrap_or_else(|| status.canonical_reason().unwrap_or("").to_owned()),
                details: error.error_data.and_then(|d| d.details),
                fbtrace_id: error.fbtrace_id,
            },
            error.is_transient == Some(true),
        ),
        Err(_) => (
            GraphApiError {
                status: status.as_u16(),
                code: None,
                subcode: None,
                message: if body.iter().all(u8::is_ascii_whitespace) {
                    status.canonical_reason().unwrap_or("no body").to_owned()
                } else {
                    snippet(body)
                },
                details: None,
                fbtrace_id: None,
            },
            false,
        ),
    };
    let retryable = |error: GraphApiError| GraphError::Retryable {
        after: retry_after,
        code: error.code,
        reason: error.to_string(),
    };
    match error.code {
        Some(code) if RETRYABLE_CODES.contains(&code) => return retryable(error),
        Some(WINDOW_CLOSED) => return GraphError::WindowClosed { error },
        Some(code) if is_auth_code(code) => return GraphError::Auth { error },
        _ => {}
    }
    if status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error() || transient {
        retryable(error)
    } else if status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN {
        GraphError::Auth { error }
    } else {
        GraphError::permanent(error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn graph_error(status: u16, code: i64) -> GraphError {
        let body = format!(
            r#"{{"error":{{"message":"(#{code}) title","type":"OAuthException","code":{code},"fbtrace_id":"T"}}}}"#
        );
        classify(StatusCode::from_u16(status).unwrap(), None, body.as_bytes())
    }

    #[test]
    fn rate_limit_and_temporary_codes_are_retryable_even_with_status_400() {
        for code in [1, 2, 4, 80007, 130429, 131000, 131016, 131056, 131057] {
            assert!(
                matches!(graph_error(400, code), GraphError::Retryable { code: Some(c), .. } if c == code),
                "{code}"
            );
        }
    }

    #[test]
    fn token_and_permission_codes_are_auth_errors() {
        for code in [0, 10, 190, 200, 299] {
            assert!(
                matches!(graph_error(400, code), GraphError::Auth { .. }),
                "{code}"
            );
        }
    }

    #[test]
    fn request_and_recipient_codes_are_permanent() {
        for code in [100, 131008, 131009, 131026, 131050, 131051, 132000, 300] {
            assert!(
                matches!(graph_error(400, code), GraphError::Permanent { code: Some(c), .. } if c == code),
                "{code}"
            );
        }
    }

    #[test]
    fn an_unknown_code_on_a_5xx_or_429_answer_is_retryable() {
        assert!(matches!(
            graph_error(503, 100),
            GraphError::Retryable { .. }
        ));
        assert!(matches!(
            graph_error(429, 100),
            GraphError::Retryable { .. }
        ));
    }

    #[test]
    fn meta_flagging_an_error_transient_makes_it_retryable() {
        let body = br#"{"error":{"message":"busy","code":100,"is_transient":true}}"#;
        assert!(matches!(
            classify(StatusCode::BAD_REQUEST, None, body),
            GraphError::Retryable {
                code: Some(100),
                ..
            }
        ));
    }

    #[test]
    fn a_retry_after_header_in_seconds_is_read_and_anything_else_ignored() {
        let mut headers = HeaderMap::new();
        assert_eq!(retry_after(&headers), None);
        headers.insert(RETRY_AFTER, HeaderValue::from_static("7"));
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(7)));
        headers.insert(
            RETRY_AFTER,
            HeaderValue::from_static("Wed, 21 Oct 2026 07:28:00 GMT"),
        );
        assert_eq!(retry_after(&headers), None);
    }

    #[test]
    fn long_error_bodies_are_cut_in_messages_on_a_character_boundary() {
        let body = "é".repeat(SNIPPET_MAX + 10);
        let error = classify(StatusCode::BAD_REQUEST, None, body.as_bytes());
        let GraphError::Permanent { message, .. } = error else {
            panic!("expected Permanent, got {error:?}");
        };
        assert_eq!(message.chars().count(), SNIPPET_MAX + 1);
        assert!(message.ends_with('…'));
    }

    #[test]
    fn api_errors_display_every_field_meta_gave() {
        let error = GraphApiError {
            status: 400,
            code: Some(131026),
            subcode: Some(2494010),
            message: "(#131026) Message undeliverable".into(),
            details: Some("Recipient is not on WhatsApp".into()),
            fbtrace_id: Some("AbC".into()),
        };
        assert_eq!(
            error.to_string(),
            "HTTP 400, code 131026/2494010: (#131026) Message undeliverable (Recipient is not on WhatsApp) [fbtrace_id AbC]"
        );
    }
}
