//! The HTTP plumbing both provider clients share: building the client and
//! endpoint URLs, and sorting every answer into a [`PaymentError`].

use std::time::Duration;

use reqwest::{StatusCode, Url};

use crate::PaymentError;

/// How long one provider call may take, connection included.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// Error bodies are quoted up to this many characters; an HTML page from a
/// proxy would otherwise flood the logs.
const SNIPPET_MAX: usize = 300;

pub(crate) fn client(timeout: Duration) -> Result<reqwest::Client, String> {
    reqwest::Client::builder()
        .timeout(timeout)
        // Neither API redirects these endpoints; following one would replay
        // a POST with our credentials somewhere nobody configured.
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("orderdesk/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| e.to_string())
}

/// Checks a configured base URL (`https://api.razorpay.com`, or a loopback
/// fake, possibly with a path prefix) and returns it without a trailing `/`.
pub(crate) fn base_url(raw: &str) -> Result<String, String> {
    let url = Url::parse(raw.trim()).map_err(|e| format!("{raw:?} is not a URL: {e}"))?;
    if !matches!(url.scheme(), "http" | "https")
        || url.cannot_be_a_base()
        || url.query().is_some()
        || url.fragment().is_some()
        || !url.username().is_empty()
        || url.password().is_some()
    {
        return Err(format!(
            "{raw:?} must be an http(s) URL without credentials, query or fragment"
        ));
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

/// `base` (as [`base_url`] returned it) joined with an absolute `path`.
pub(crate) fn endpoint(base: &str, path: &str) -> Result<Url, PaymentError> {
    Url::parse(&format!("{base}{path}"))
        .map_err(|e| PaymentError::InvalidRequest(format!("bad endpoint {base}{path}: {e}")))
}

/// What a provider's error body says, as far as it could be read.
pub(crate) struct ErrorText {
    pub(crate) code: Option<String>,
    pub(crate) message: String,
}

/// Reads one provider's error envelope; `None` when the body is not one.
pub(crate) type ErrorReader = fn(&[u8]) -> Option<ErrorText>;

/// Sends `request` and returns the body of a 2xx answer; anything else
/// becomes a [`PaymentError`], using `read_error` to pull the provider's
/// code and message out of an error body.
pub(crate) async fn send(
    request: reqwest::RequestBuilder,
    read_error: ErrorReader,
) -> Result<Vec<u8>, PaymentError> {
    let response = request.send().await.map_err(|e| transport_error(&e))?;
    let status = response.status();
    let body = response.bytes().await.map_err(|e| transport_error(&e))?;
    if status.is_success() {
        return Ok(body.to_vec());
    }
    let text = read_error(&body).unwrap_or_else(|| ErrorText {
        code: None,
        message: snippet(&body),
    });
    Err(classify(status, text.code, text.message))
}

fn classify(status: StatusCode, code: Option<String>, message: String) -> PaymentError {
    let n = status.as_u16();
    if status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error() {
        PaymentError::Retryable(format!("HTTP {n}: {message}"))
    } else if status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN {
        PaymentError::Auth { status: n, message }
    } else {
        PaymentError::Rejected {
            status: n,
            code,
            message,
        }
    }
}

fn transport_error(error: &reqwest::Error) -> PaymentError {
    let what = if error.is_timeout() {
        "timed out"
    } else if error.is_connect() {
        "could not connect"
    } else {
        "request failed"
    };
    PaymentError::Retryable(format!("{what}: {}", error_chain(error)))
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

pub(crate) fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    let mut cut: String = text.chars().take(SNIPPET_MAX).collect();
    if cut.len() < text.len() {
        cut.push('…');
    }
    cut
}

/// Unix seconds as a [`orderdesk_domain::Timestamp`], when in range.
pub(crate) fn from_unix(secs: i64) -> Option<orderdesk_domain::Timestamp> {
    chrono::DateTime::from_timestamp(secs, 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_lose_their_trailing_slash_and_keep_a_path_prefix() {
        assert_eq!(
            base_url("https://api.razorpay.com/").unwrap(),
            "https://api.razorpay.com"
        );
        assert_eq!(
            base_url("http://127.0.0.1:9/fake/").unwrap(),
            "http://127.0.0.1:9/fake"
        );
    }

    #[test]
    fn base_urls_that_could_send_keys_elsewhere_are_refused() {
        for bad in [
            "api.razorpay.com",
            "ftp://x",
            "https://x/?a=b",
            "https://x/#f",
            "https://u:p@x",
            "mailto:a@b",
        ] {
            assert!(base_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn rate_limits_and_server_errors_are_retryable_and_bad_keys_are_not() {
        let c = |s: u16| classify(StatusCode::from_u16(s).unwrap(), None, "m".into());
        assert!(c(429).is_retryable());
        assert!(c(500).is_retryable());
        assert!(c(503).is_retryable());
        assert!(matches!(c(401), PaymentError::Auth { status: 401, .. }));
        assert!(matches!(c(403), PaymentError::Auth { status: 403, .. }));
        assert!(matches!(c(400), PaymentError::Rejected { status: 400, .. }));
        assert!(matches!(c(409), PaymentError::Rejected { status: 409, .. }));
    }
}
