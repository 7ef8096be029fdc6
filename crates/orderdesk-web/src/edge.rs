//! What every request and response gets, whatever the route: a path that is
//! not UTF-8 once percent-decoded is refused in the JSON error shape (axum's
//! own `Path` rejection would answer in plain text), every response says
//! `X-Content-Type-Options: nosniff`, and logged URIs never carry the
//! bearer tokens some customer links hold in their path or query.

use axum::extract::Request;
use axum::http::header::X_CONTENT_TYPE_OPTIONS;
use axum::http::{HeaderValue, Uri};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;

/// Path prefixes whose next segment is a bearer token: the address form
/// and the UPI payment page links sent to customers.
const SECRET_SEGMENTS: [&str; 2] = ["/address/", "/pay/upi/"];

/// Query keys whose values are secrets: the simulator's payment page
/// signature, and Meta's verification handshake token.
const SECRET_KEYS: [&str; 3] = ["sig", "token", "hub.verify_token"];

const REDACTED: &str = "[redacted]";

/// The middleware: refuses a non-UTF-8 path, marks the response `nosniff`.
pub(crate) async fn guard(req: Request, next: Next) -> Response {
    let mut response = if decodes_to_utf8(req.uri().path()) {
        next.run(req).await
    } else {
        ApiError::bad_request("the request path is not valid UTF-8 once percent-decoded")
            .into_response()
    };
    response
        .headers_mut()
        .insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    response
}

/// Whether the percent-decoded path is UTF-8 (a `%` not followed by two hex
/// digits stays as it is, as axum's decoding leaves it).
fn decodes_to_utf8(path: &str) -> bool {
    if !path.contains('%') {
        return true;
    }
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    std::str::from_utf8(&out).is_ok()
}

/// The URI as logs may show it: token path segments and secret query
/// values replaced by `[redacted]`.
pub(crate) fn redacted_uri(uri: &Uri) -> String {
    let path = uri.path();
    let mut shown = match SECRET_SEGMENTS
        .iter()
        .find_map(|p| path.strip_prefix(p).map(|rest| (p, rest)))
    {
        Some((prefix, rest)) => {
            let tail = rest.find('/').map_or("", |i| &rest[i..]);
            format!("{prefix}{REDACTED}{tail}")
        }
        None => path.to_owned(),
    };
    if let Some(query) = uri.query() {
        let pairs: Vec<String> = query
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((key, _)) if SECRET_KEYS.contains(&key) => format!("{key}={REDACTED}"),
                _ => pair.to_owned(),
            })
            .collect();
        shown.push('?');
        shown.push_str(&pairs.join("&"));
    }
    shown
}

/// The request span of the trace layer: tower-http's default fields, with
/// the URI redacted.
pub(crate) fn request_span(req: &Request) -> tracing::Span {
    tracing::debug_span!(
        "request",
        method = %req.method(),
        uri = %redacted_uri(req.uri()),
        version = ?req.version(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_decoding_finds_invalid_utf8() {
        assert!(decodes_to_utf8("/orders/1001"));
        assert!(decodes_to_utf8("/api/v1/orders/caf%C3%A9"));
        assert!(decodes_to_utf8("/odd/%zz/%"));
        assert!(!decodes_to_utf8("/api/v1/orders/%FF"));
        assert!(!decodes_to_utf8("/address/%C3"));
    }

    #[test]
    fn tokens_are_redacted_from_logged_uris() {
        let shown = |s: &str| redacted_uri(&s.parse::<Uri>().unwrap());
        assert_eq!(shown("/address/abc.def"), "/address/[redacted]");
        assert_eq!(shown("/pay/upi/tok/x?y=1"), "/pay/upi/[redacted]/x?y=1");
        assert_eq!(
            shown("/simulator/pay/sim_1001-1?amount=100&sig=secret"),
            "/simulator/pay/sim_1001-1?amount=100&sig=[redacted]"
        );
        assert_eq!(
            shown("/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=s&hub.challenge=1"),
            "/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=[redacted]&hub.challenge=1"
        );
        assert_eq!(shown("/api/v1/orders?limit=5"), "/api/v1/orders?limit=5");
    }
}
