//! Signed links to the hosted address form.
//!
//! A token is the only credential of the form (the customer arrives from
//! WhatsApp, with no cookie), so it names exactly one order, carries its
//! expiry, and is signed: `base64url(number.expires_unix) + "." +
//! base64url(HMAC-SHA256(key, that payload))`. Tampering with either half
//! fails verification; an expired but genuine token is told apart so the
//! customer gets a friendly page instead of a 404.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use chrono::Duration;
use hmac::{Hmac, Mac};
use orderdesk_domain::{OrderNumber, Timestamp};
use sha2::Sha256;

use crate::settings::Settings;
use crate::setup::APP_SECRET;

/// Default lifetime of an address link.
pub const DEFAULT_TTL: Duration = Duration::days(7);

/// Issues and checks form tokens with one key.
#[derive(Clone)]
pub struct FormTokens {
    source: KeySource,
    /// Applied in order to the base key: see [`FormTokens::derived`].
    purposes: Vec<String>,
    ttl: Duration,
}

/// Where the base key comes from.
#[derive(Clone)]
enum KeySource {
    /// Derived once from a secret given at start.
    Fixed(Vec<u8>),
    /// Derived at each use from the app secret in force
    /// (`WHATSAPP_APP_SECRET`: the environment's, else the one saved on
    /// `/setup` on any instance), so a secret saved after start signs and
    /// checks links without a restart (issue #17).
    Live(Settings),
}

/// Why a token was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// Not one of ours, or altered.
    #[error("this link is not valid")]
    Invalid,
    /// Ours and intact, but too old.
    #[error("this link has expired")]
    Expired { number: OrderNumber },
}

impl std::fmt::Debug for FormTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FormTokens")
            .field("ttl", &self.ttl)
            .finish_non_exhaustive()
    }
}

/// What the base key is derived with, so the secret itself is never used
/// for two purposes.
const FORM_KEY_LABEL: &[u8] = b"orderdesk address-form key v1";

impl FormTokens {
    /// Derives the form key from a server secret, so the secret itself is
    /// never used for two purposes.
    pub fn from_secret(secret: &[u8], ttl: Duration) -> Self {
        Self {
            source: KeySource::Fixed(sign(secret, FORM_KEY_LABEL)),
            purposes: Vec::new(),
            ttl,
        }
    }

    /// Tokens keyed by the app secret in force at each use (see
    /// [`KeySource::Live`]). Without one, nothing verifies.
    pub fn live(settings: Settings, ttl: Duration) -> Self {
        Self {
            source: KeySource::Live(settings),
            purposes: Vec::new(),
            ttl,
        }
    }

    /// Tokens for another kind of link, signed with a key derived from this
    /// one for `purpose` alone: a token of one kind never opens the other.
    pub fn derived(&self, purpose: &str) -> Self {
        let mut purposes = self.purposes.clone();
        purposes.push(purpose.to_owned());
        Self {
            source: self.source.clone(),
            purposes,
            ttl: self.ttl,
        }
    }

    /// Whether there is a key now (a live secret may not be saved yet).
    pub fn ready(&self) -> bool {
        self.key().is_some()
    }

    fn key(&self) -> Option<Vec<u8>> {
        let base = match &self.source {
            KeySource::Fixed(key) => key.clone(),
            KeySource::Live(settings) => {
                let secret = settings.value(APP_SECRET).filter(|s| !s.is_empty())?;
                sign(secret.as_bytes(), FORM_KEY_LABEL)
            }
        };
        Some(
            self.purposes
                .iter()
                .fold(base, |key, purpose| sign(&key, purpose.as_bytes())),
        )
    }

    /// A token for `number`, valid for the configured lifetime from `now`.
    /// Without a key (no app secret yet) the token is signed with none and
    /// never verifies: [`FormTokens::verify`] refuses everything then.
    pub fn issue(&self, number: OrderNumber, now: Timestamp) -> String {
        let expires = (now + self.ttl).timestamp();
        let payload = format!("{}.{expires}", number.get());
        let mac = sign(&self.key().unwrap_or_default(), payload.as_bytes());
        format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(payload),
            URL_SAFE_NO_PAD.encode(mac)
        )
    }

    /// The order a token names, if it is genuine and not expired at `now`.
    ///
    /// # Errors
    /// `Invalid` for anything malformed or altered, `Expired` for a genuine
    /// token past its lifetime.
    pub fn verify(&self, token: &str, now: Timestamp) -> Result<OrderNumber, TokenError> {
        let (payload_b64, mac_b64) = token.split_once('.').ok_or(TokenError::Invalid)?;
        let payload = URL_SAFE_NO_PAD
            .decode(payload_b64)
            .map_err(|_| TokenError::Invalid)?;
        let given = URL_SAFE_NO_PAD
            .decode(mac_b64)
            .map_err(|_| TokenError::Invalid)?;
        let key = self.key().ok_or(TokenError::Invalid)?;
        let mut mac = Hmac::<Sha256>::new_from_slice(&key).map_err(|_| TokenError::Invalid)?;
        mac.update(&payload);
        mac.verify_slice(&given).map_err(|_| TokenError::Invalid)?;
        let text = std::str::from_utf8(&payload).map_err(|_| TokenError::Invalid)?;
        let (number, expires) = text.split_once('.').ok_or(TokenError::Invalid)?;
        let number = number
            .parse()
            .ok()
            .and_then(OrderNumber::new)
            .ok_or(TokenError::Invalid)?;
        let expires: i64 = expires.parse().map_err(|_| TokenError::Invalid)?;
        if now.timestamp() > expires {
            return Err(TokenError::Expired { number });
        }
        Ok(number)
    }
}

fn sign(key: &[u8], data: &[u8]) -> Vec<u8> {
    // HMAC accepts keys of any length, so this cannot fail.
    match Hmac::<Sha256>::new_from_slice(key) {
        Ok(mut mac) => {
            mac.update(data);
            mac.finalize().into_bytes().to_vec()
        }
        Err(_) => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    fn tokens() -> FormTokens {
        FormTokens::from_secret(b"app-secret", DEFAULT_TTL)
    }

    #[test]
    fn a_token_names_its_order_until_it_expires() {
        let t = tokens();
        let at = chrono::DateTime::from_timestamp(1_750_000_000, 0).unwrap();
        let token = t.issue(OrderNumber::FIRST, at);
        assert_eq!(t.verify(&token, at), Ok(OrderNumber::FIRST));
        assert_eq!(
            t.verify(&token, at + Duration::days(7)),
            Ok(OrderNumber::FIRST)
        );
        assert_eq!(
            t.verify(&token, at + Duration::days(7) + Duration::seconds(1)),
            Err(TokenError::Expired {
                number: OrderNumber::FIRST
            })
        );
        assert!(token.len() < 100, "short enough for a WhatsApp button link");
    }

    #[test]
    fn altered_or_foreign_tokens_are_invalid() {
        let t = tokens();
        let at = Utc::now();
        let token = t.issue(OrderNumber::FIRST, at);
        let (payload, mac) = token.split_once('.').unwrap();
        // Another order's payload with this order's signature.
        let other = URL_SAFE_NO_PAD.encode(format!("1002.{}", (at + DEFAULT_TTL).timestamp()));
        for bad in [
            format!("{other}.{mac}"),
            format!("{payload}.{}", URL_SAFE_NO_PAD.encode([0u8; 32])),
            format!("{payload}x.{mac}"),
            "nonsense".to_owned(),
            String::new(),
            format!("{payload}.{mac}.extra"),
        ] {
            assert_eq!(t.verify(&bad, at), Err(TokenError::Invalid), "{bad}");
        }
        let foreign = FormTokens::from_secret(b"another-secret", DEFAULT_TTL);
        assert_eq!(foreign.verify(&token, at), Err(TokenError::Invalid));
        // A token for another purpose (an invoice link) opens nothing here,
        // and this one opens nothing there.
        let invoices = t.derived("invoice");
        let invoice_token = invoices.issue(OrderNumber::FIRST, at);
        assert_eq!(t.verify(&invoice_token, at), Err(TokenError::Invalid));
        assert_eq!(invoices.verify(&token, at), Err(TokenError::Invalid));
        assert_eq!(invoices.verify(&invoice_token, at), Ok(OrderNumber::FIRST));
    }

    fn settings(secret: Option<&str>) -> Settings {
        let spec = crate::settings::SettingSpec {
            key: APP_SECRET,
            default: None,
            at_start: true,
            secret: true,
        };
        let fixed = secret
            .map(|s| (APP_SECRET.to_owned(), s.to_owned()))
            .into_iter()
            .collect();
        Settings::new(vec![spec], fixed, Box::new(|_| Ok(())))
    }

    #[test]
    fn live_tokens_follow_the_secret_in_force_and_refuse_all_without_one() {
        let at = Utc::now();
        let none = FormTokens::live(settings(None), DEFAULT_TTL);
        assert!(!none.ready());
        // Signed with no key: refused, also by the same tokens.
        let unsigned = none.issue(OrderNumber::FIRST, at);
        assert_eq!(none.verify(&unsigned, at), Err(TokenError::Invalid));
        let fixed = tokens();
        let genuine = fixed.issue(OrderNumber::FIRST, at);
        assert_eq!(none.verify(&genuine, at), Err(TokenError::Invalid));
        assert_eq!(fixed.verify(&unsigned, at), Err(TokenError::Invalid));

        // The same secret, live or given at start: the same key, derived
        // keys included.
        let live = FormTokens::live(settings(Some("app-secret")), DEFAULT_TTL);
        assert!(live.ready());
        assert_eq!(live.verify(&genuine, at), Ok(OrderNumber::FIRST));
        let token = live.issue(OrderNumber::FIRST, at);
        assert_eq!(fixed.verify(&token, at), Ok(OrderNumber::FIRST));
        let invoice = live.derived("invoice").issue(OrderNumber::FIRST, at);
        assert_eq!(
            fixed.derived("invoice").verify(&invoice, at),
            Ok(OrderNumber::FIRST)
        );
        assert_eq!(live.verify(&invoice, at), Err(TokenError::Invalid));
    }
}
