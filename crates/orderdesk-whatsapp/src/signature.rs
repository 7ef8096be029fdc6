//! The `X-Hub-Signature-256` check on inbound webhooks.
//!
//! Meta signs the body exactly as it sends it (non-ASCII escaped as `\uXXXX`),
//! so the HMAC is computed over the raw request bytes before anything parses
//! them; parsing and re-serialising would change the bytes and the signature.
//! The comparison is `Mac::verify_slice`, which runs in constant time.
//!
//! ```
//! use orderdesk_whatsapp::{sign, verify_signature};
//! let body = br#"{"object":"whatsapp_business_account","entry":[]}"#;
//! let header = sign(b"test_app_secret", body);
//! assert_eq!(header, "sha256=dec6a680679a968e7e0319355b23599cbfc54502c0784668e9618baa0c633756");
//! assert!(verify_signature(b"test_app_secret", Some(&header), body).is_ok());
//! ```

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The request header Meta puts the signature in.
pub const SIGNATURE_HEADER: &str = "X-Hub-Signature-256";

const PREFIX: &str = "sha256=";

type HmacSha256 = Hmac<Sha256>;

/// Why a webhook body was refused before it was read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("the {SIGNATURE_HEADER} header is missing")]
    Missing,
    #[error("the {SIGNATURE_HEADER} header is malformed: {0}")]
    Malformed(&'static str),
    #[error("the {SIGNATURE_HEADER} header does not match the body")]
    Mismatch,
    #[error("no app secret is configured, so no signature can be trusted")]
    NoSecret,
}

/// Checks `header` (the value of `X-Hub-Signature-256`) against
/// `HMAC-SHA256(app_secret, body)`.
///
/// # Errors
/// [`SignatureError::Missing`] without a header, [`SignatureError::Malformed`]
/// when it is not `sha256=` followed by 64 hex digits,
/// [`SignatureError::Mismatch`] when it was made with another secret or over
/// other bytes, and [`SignatureError::NoSecret`] for an empty secret.
pub fn verify_signature(
    app_secret: &[u8],
    header: Option<&str>,
    body: &[u8],
) -> Result<(), SignatureError> {
    // Anyone can compute an HMAC under the empty key, so it authenticates nothing.
    if app_secret.is_empty() {
        return Err(SignatureError::NoSecret);
    }
    let header = header.ok_or(SignatureError::Missing)?.trim();
    let hex_digest = header
        .strip_prefix(PREFIX)
        .ok_or(SignatureError::Malformed("it does not start with sha256="))?;
    let expected = hex::decode(hex_digest)
        .map_err(|_| SignatureError::Malformed("the digest is not hexadecimal"))?;
    if expected.len() != 32 {
        return Err(SignatureError::Malformed(
            "the digest is not 64 hex digits long",
        ));
    }
    let mut mac = HmacSha256::new_from_slice(app_secret).map_err(|_| SignatureError::Mismatch)?;
    mac.update(body);
    mac.verify_slice(&expected)
        .map_err(|_| SignatureError::Mismatch)
}

/// The `X-Hub-Signature-256` value Meta would send with `body`, for tests,
/// the bench and the phone simulator.
pub fn sign(app_secret: &[u8], body: &[u8]) -> String {
    // HMAC takes keys of any length, so this never fails; should it ever,
    // an empty value can only fail verification, never pass it.
    HmacSha256::new_from_slice(app_secret)
        .map(|mut mac| {
            mac.update(body);
            format!("{PREFIX}{}", hex::encode(mac.finalize().into_bytes()))
        })
        .unwrap_or_default()
}
