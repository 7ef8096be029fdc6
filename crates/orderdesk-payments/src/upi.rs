//! UPI deep links without a provider (PAYMENTS.md §3):
//! `upi://pay?pa=VPA&pn=NAME&am=499.00&cu=INR&tn=NOTE&tr=1001-2`.
//!
//! The customer's UPI app pays the configured VPA directly, and **nobody
//! tells the server**: there is no webhook, so [`PaymentProvider::parse_webhook`]
//! always refuses ([`WebhookError::NotSupported`], never `Ok(None)`, which
//! the edge would answer 2xx as if something had been accepted). The
//! merchant confirms by hand (bank SMS, UPI app) and marks the order paid.
//!
//! `am` is decimal rupees, not paise; only INR exists. Values are
//! percent-encoded with `%20` for spaces (some UPI apps show a `+`
//! literally); `@` stays as it is, as in NPCI's examples, because it is
//! legal in a query and some apps do not decode `%40` in `pa`.
//! WhatsApp only makes `http(s)` links tappable, so the web edge should send
//! an https page that redirects to this URI and shows it as a QR code.

use std::fmt;

use async_trait::async_trait;
use orderdesk_domain::{PaymentMethod, Timestamp};

use crate::config::ConfigError;
use crate::{
    HeaderMap, PaymentError, PaymentEvent, PaymentLink, PaymentProvider, PaymentRequest,
    WebhookError,
};

/// The secondary sources put the note (`tn`) limit at 50 characters.
const NOTE_MAX: usize = 50;

/// Whom UPI payments go to.
#[derive(Clone, PartialEq, Eq)]
pub struct UpiConfig {
    /// The payee's virtual payment address, `name@bank`.
    pub vpa: String,
    /// Shown to the customer in their UPI app.
    pub payee_name: String,
}

impl fmt::Debug for UpiConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UpiConfig")
            .field("vpa", &self.vpa)
            .field("payee_name", &self.payee_name)
            .finish()
    }
}

/// UPI deep links as a [`PaymentProvider`].
#[derive(Debug, Clone)]
pub struct UpiProvider {
    config: UpiConfig,
}

impl UpiProvider {
    /// # Errors
    /// A VPA that is not `handle@bank` (one `@`, no spaces), or no payee name.
    pub fn new(config: UpiConfig) -> Result<Self, ConfigError> {
        let vpa = config.vpa.trim();
        let valid_vpa = match vpa.split_once('@') {
            Some((handle, bank)) => {
                !handle.is_empty()
                    && !bank.is_empty()
                    && !bank.contains('@')
                    && vpa
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"@.-_".contains(&b))
            }
            None => false,
        };
        if !valid_vpa {
            return Err(ConfigError::new(
                "UPI_VPA",
                format!("{vpa:?} is not a UPI address like shop@okicici"),
            ));
        }
        if config.payee_name.trim().is_empty() {
            return Err(ConfigError::new("UPI_PAYEE_NAME", "is missing"));
        }
        Ok(Self {
            config: UpiConfig {
                vpa: vpa.to_owned(),
                payee_name: config.payee_name.trim().to_owned(),
            },
        })
    }

    /// Whom payments go to (shown on the landing page).
    pub fn config(&self) -> &UpiConfig {
        &self.config
    }

    /// The `upi://pay` URI for `req`.
    ///
    /// # Errors
    /// [`PaymentError::InvalidRequest`] for a currency other than INR or a
    /// non-positive amount.
    pub fn deep_link(&self, req: &PaymentRequest) -> Result<String, PaymentError> {
        req.check()?;
        let currency = req.amount.currency();
        if currency.as_str() != "INR" {
            return Err(PaymentError::InvalidRequest(format!(
                "UPI takes only INR, this order is in {currency}"
            )));
        }
        let minor = req.amount.minor();
        let amount = format!("{}.{:02}", minor / 100, minor % 100);
        let note: String = req.description.trim().chars().take(NOTE_MAX).collect();
        Ok(format!(
            "upi://pay?pa={}&pn={}&am={amount}&cu=INR&tn={}&tr={}",
            encode(&self.config.vpa),
            encode(&self.config.payee_name),
            encode(&note),
            encode(&req.reference_id().to_string()),
        ))
    }
}

#[async_trait]
impl PaymentProvider for UpiProvider {
    fn method(&self) -> PaymentMethod {
        PaymentMethod::Upi
    }

    /// No I/O: the link is built here. The reference is our reference id,
    /// since there is no provider to issue one, and nothing expires it.
    async fn create_request(&self, req: &PaymentRequest) -> Result<PaymentLink, PaymentError> {
        let url = self.deep_link(req)?;
        let reference_id = req.reference_id();
        Ok(PaymentLink {
            url,
            reference: reference_id.to_string(),
            reference_id,
            expires_at: None,
        })
    }

    fn parse_webhook(
        &self,
        _headers: &HeaderMap,
        _raw_body: &[u8],
        _now: Timestamp,
    ) -> Result<Option<PaymentEvent>, WebhookError> {
        Err(WebhookError::NotSupported("UPI"))
    }

    fn upi(&self) -> Option<&UpiProvider> {
        Some(self)
    }
}

/// Percent-encodes everything but RFC 3986 unreserved characters and `@`.
fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~@".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use orderdesk_domain::{Currency, Money, OrderNumber};

    fn provider() -> UpiProvider {
        UpiProvider::new(UpiConfig {
            vpa: "shop@okicici".into(),
            payee_name: "Asha's Kitchen & Co".into(),
        })
        .unwrap()
    }

    fn request(minor: i64, currency: &str, description: &str) -> PaymentRequest {
        PaymentRequest {
            order_number: OrderNumber::new(1001).unwrap(),
            attempt: 1,
            amount: Money::from_minor(minor, Currency::parse(currency).unwrap()),
            description: description.into(),
            customer_name: None,
            customer_phone: None,
            customer_email: None,
            callback_url: None,
            cancel_url: None,
            expires_at: chrono::Utc.timestamp_opt(1_700_000_000, 0).unwrap(),
        }
    }

    #[tokio::test]
    async fn the_deep_link_carries_rupees_the_payee_and_our_reference() {
        let link = provider()
            .create_request(&request(49900, "INR", "Order 1001"))
            .await
            .unwrap();
        assert_eq!(
            link.url,
            "upi://pay?pa=shop@okicici&pn=Asha%27s%20Kitchen%20%26%20Co&am=499.00&cu=INR&tn=Order%201001&tr=1001-1"
        );
        assert_eq!(link.reference, "1001-1");
        assert_eq!(link.reference_id.to_string(), "1001-1");
        assert_eq!(link.expires_at, None);
    }

    #[test]
    fn paise_are_always_written_with_two_digits() {
        let p = provider();
        for (minor, am) in [
            (1, "0.01"),
            (10, "0.10"),
            (100, "1.00"),
            (123456, "1234.56"),
        ] {
            let url = p.deep_link(&request(minor, "INR", "x")).unwrap();
            assert!(url.contains(&format!("&am={am}&")), "{url}");
        }
    }

    #[test]
    fn notes_are_encoded_and_cut_to_fifty_characters() {
        let long = "Order #1001 — ₹ café ".repeat(5);
        let url = provider().deep_link(&request(100, "INR", &long)).unwrap();
        let tn = url.split("&tn=").nth(1).unwrap().split('&').next().unwrap();
        assert!(
            tn.starts_with("Order%20%231001%20%E2%80%94%20%E2%82%B9%20caf%C3%A9"),
            "{tn}"
        );
        assert!(
            tn.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"%-._~@".contains(&b)),
            "{tn}"
        );
    }

    #[test]
    fn other_currencies_and_zero_amounts_are_refused() {
        let p = provider();
        assert!(matches!(
            p.deep_link(&request(100, "USD", "x")),
            Err(PaymentError::InvalidRequest(_))
        ));
        assert!(matches!(
            p.deep_link(&request(0, "INR", "x")),
            Err(PaymentError::InvalidRequest(_))
        ));
    }

    #[test]
    fn nothing_claiming_to_be_a_upi_webhook_is_accepted() {
        let now = chrono::Utc.timestamp_opt(1_700_000_000, 0).unwrap();
        assert_eq!(
            provider().parse_webhook(&HeaderMap::new(), b"{}", now),
            Err(WebhookError::NotSupported("UPI"))
        );
    }

    #[test]
    fn addresses_that_are_not_handle_at_bank_are_refused() {
        for vpa in [
            "shop",
            "@bank",
            "shop@",
            "a@b@c",
            "shop @bank",
            "shop@bank?x",
        ] {
            let err = UpiProvider::new(UpiConfig {
                vpa: vpa.into(),
                payee_name: "S".into(),
            })
            .unwrap_err();
            assert_eq!(err.variable, "UPI_VPA", "{vpa}");
        }
    }
}
