//! `PAYMENTS_PROVIDER` and the keys each provider needs, read through a
//! lookup function (environment, or `orderdesk.toml` with the same keys) so
//! this crate never touches the process environment itself.
//!
//! | `PAYMENTS_PROVIDER` | keys |
//! |---|---|
//! | `razorpay` | `RAZORPAY_KEY_ID`, `RAZORPAY_KEY_SECRET`, `RAZORPAY_WEBHOOK_SECRET`; optional `RAZORPAY_WEBHOOK_SECRET_PREVIOUS` (accepted too, while retries of older events still carry it), `RAZORPAY_API_URL` |
//! | `stripe` | `STRIPE_SECRET_KEY`, `STRIPE_WEBHOOK_SECRET` (one `whsec_…`, or several separated by commas); optional `STRIPE_API_URL` |
//! | `upi` | `UPI_VPA` (payee address, `shop@bank`), `UPI_PAYEE_NAME` |
//! | `simulator` | `ORDERDESK_PUBLIC_URL` (its page is served there), `PAYMENTS_SIMULATOR_SECRET` |
//! | `cod` | none: no provider object |
//!
//! Razorpay's webhook secret is chosen by the merchant and may contain any
//! character, so it is taken whole and a second key carries the old one;
//! Stripe's are `whsec_` plus base-62, so a comma list is unambiguous.

use std::fmt;
use std::sync::Arc;

use orderdesk_domain::PaymentMethod;

use crate::razorpay::{RazorpayConfig, RazorpayProvider};
use crate::simulator::{SimulatorConfig, SimulatorProvider};
use crate::stripe::{StripeConfig, StripeProvider};
use crate::upi::{UpiConfig, UpiProvider};
use crate::PaymentProvider;

/// A setting that is missing or wrong; prints as one line naming it, which
/// is what start-up shows before it stops.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{variable}: {problem}")]
pub struct ConfigError {
    pub variable: &'static str,
    pub problem: String,
}

impl ConfigError {
    pub(crate) fn new(variable: &'static str, problem: impl Into<String>) -> Self {
        Self {
            variable,
            problem: problem.into(),
        }
    }
}

/// The provider `PAYMENTS_PROVIDER` names, with its settings.
#[derive(Clone, PartialEq, Eq)]
pub enum ProviderSettings {
    Razorpay(RazorpayConfig),
    Stripe(StripeConfig),
    Upi(UpiConfig),
    Cod,
    Simulator(SimulatorConfig),
}

impl fmt::Debug for ProviderSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Razorpay(c) => f.debug_tuple("Razorpay").field(c).finish(),
            Self::Stripe(c) => f.debug_tuple("Stripe").field(c).finish(),
            Self::Upi(c) => f.debug_tuple("Upi").field(c).finish(),
            Self::Cod => f.write_str("Cod"),
            Self::Simulator(c) => f.debug_tuple("Simulator").field(c).finish(),
        }
    }
}

impl ProviderSettings {
    /// Reads the settings through `get` (a key → value lookup). Values are
    /// trimmed; an empty one counts as missing.
    ///
    /// # Errors
    /// The first missing or malformed key, by name.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let value = |key: &str| {
            get(key)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let required =
            |key: &'static str| value(key).ok_or_else(|| ConfigError::new(key, "is missing"));
        let provider = required("PAYMENTS_PROVIDER")?;
        let settings = match provider.to_ascii_lowercase().as_str() {
            "razorpay" => {
                let mut config = RazorpayConfig::new(
                    required("RAZORPAY_KEY_ID")?,
                    required("RAZORPAY_KEY_SECRET")?,
                    required("RAZORPAY_WEBHOOK_SECRET")?,
                );
                if let Some(previous) = value("RAZORPAY_WEBHOOK_SECRET_PREVIOUS") {
                    config.webhook_secrets.push(previous);
                }
                if let Some(url) = value("RAZORPAY_API_URL") {
                    config.api_url = url;
                }
                Self::Razorpay(config)
            }
            "stripe" => {
                let secrets = required("STRIPE_WEBHOOK_SECRET")?
                    .split(',')
                    .map(|s| s.trim().to_owned())
                    .filter(|s| !s.is_empty())
                    .collect();
                let mut config = StripeConfig::new(required("STRIPE_SECRET_KEY")?, secrets);
                if let Some(url) = value("STRIPE_API_URL") {
                    config.api_url = url;
                }
                Self::Stripe(config)
            }
            "upi" => Self::Upi(UpiConfig {
                vpa: required("UPI_VPA")?,
                payee_name: required("UPI_PAYEE_NAME")?,
            }),
            "cod" => Self::Cod,
            "simulator" => Self::Simulator(SimulatorConfig {
                page_url: format!(
                    "{}/simulator/pay",
                    required("ORDERDESK_PUBLIC_URL")?.trim_end_matches('/')
                ),
                secret: required("PAYMENTS_SIMULATOR_SECRET")?,
            }),
            other => {
                return Err(ConfigError::new(
                    "PAYMENTS_PROVIDER",
                    format!("{other:?} is not one of razorpay, stripe, upi, cod, simulator"),
                ))
            }
        };
        // Malformed values should stop start-up now, not at the first order.
        settings.build()?;
        Ok(settings)
    }

    /// The payment method orders paid this way record.
    pub fn method(&self) -> PaymentMethod {
        match self {
            Self::Razorpay(_) => PaymentMethod::Razorpay,
            Self::Stripe(_) => PaymentMethod::Stripe,
            Self::Upi(_) => PaymentMethod::Upi,
            Self::Cod => PaymentMethod::Cod,
            Self::Simulator(_) => PaymentMethod::Simulator,
        }
    }

    /// The provider object; `None` for `cod`, which needs none.
    ///
    /// # Errors
    /// A value the provider cannot work with, by key name.
    pub fn build(&self) -> Result<Option<Arc<dyn PaymentProvider>>, ConfigError> {
        Ok(match self {
            Self::Razorpay(c) => Some(Arc::new(RazorpayProvider::new(c.clone())?)),
            Self::Stripe(c) => Some(Arc::new(StripeProvider::new(c.clone())?)),
            Self::Upi(c) => Some(Arc::new(UpiProvider::new(c.clone())?)),
            Self::Simulator(c) => Some(Arc::new(SimulatorProvider::new(c.clone())?)),
            Self::Cod => None,
        })
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn lookup(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn razorpay_settings_are_read_with_the_previous_webhook_secret_and_api_url() {
        let s = ProviderSettings::from_lookup(lookup(&[
            ("PAYMENTS_PROVIDER", "razorpay"),
            ("RAZORPAY_KEY_ID", "rzp_test_KEYID"),
            ("RAZORPAY_KEY_SECRET", "secret"),
            ("RAZORPAY_WEBHOOK_SECRET", " new,secret "),
            ("RAZORPAY_WEBHOOK_SECRET_PREVIOUS", "old"),
            ("RAZORPAY_API_URL", "http://127.0.0.1:9"),
        ]))
        .unwrap();
        let ProviderSettings::Razorpay(c) = &s else {
            panic!("{s:?}")
        };
        assert_eq!(c.webhook_secrets, ["new,secret", "old"]);
        assert_eq!(c.api_url, "http://127.0.0.1:9");
        assert_eq!(s.method(), PaymentMethod::Razorpay);
        assert_eq!(
            s.build().unwrap().unwrap().method(),
            PaymentMethod::Razorpay
        );
    }

    #[test]
    fn stripe_webhook_secrets_may_be_a_comma_list() {
        let s = ProviderSettings::from_lookup(lookup(&[
            ("PAYMENTS_PROVIDER", "Stripe"),
            ("STRIPE_SECRET_KEY", "sk_test_x"),
            ("STRIPE_WEBHOOK_SECRET", "whsec_new, whsec_old"),
        ]))
        .unwrap();
        let ProviderSettings::Stripe(c) = &s else {
            panic!("{s:?}")
        };
        assert_eq!(c.webhook_secrets, ["whsec_new", "whsec_old"]);
        assert_eq!(c.api_url, crate::stripe::DEFAULT_API_URL);
    }

    #[test]
    fn cod_needs_no_keys_and_builds_no_provider() {
        let s = ProviderSettings::from_lookup(lookup(&[("PAYMENTS_PROVIDER", "cod")])).unwrap();
        assert_eq!(s.method(), PaymentMethod::Cod);
        assert!(s.build().unwrap().is_none());
    }

    #[test]
    fn the_simulator_serves_its_page_under_the_public_url() {
        let s = ProviderSettings::from_lookup(lookup(&[
            ("PAYMENTS_PROVIDER", "simulator"),
            ("ORDERDESK_PUBLIC_URL", "https://shop.example/"),
            ("PAYMENTS_SIMULATOR_SECRET", "s3cret"),
        ]))
        .unwrap();
        let ProviderSettings::Simulator(c) = &s else {
            panic!("{s:?}")
        };
        assert_eq!(c.page_url, "https://shop.example/simulator/pay");
        assert_eq!(
            s.build().unwrap().unwrap().method(),
            PaymentMethod::Simulator
        );
        let missing = ProviderSettings::from_lookup(lookup(&[("PAYMENTS_PROVIDER", "simulator")]));
        assert_eq!(
            missing.unwrap_err().to_string(),
            "ORDERDESK_PUBLIC_URL: is missing"
        );
    }

    #[test]
    fn a_missing_or_wrong_setting_is_named_in_one_line() {
        let cases: &[(&[(&str, &str)], &str)] = &[
            (&[], "PAYMENTS_PROVIDER: is missing"),
            (
                &[("PAYMENTS_PROVIDER", "paypal")],
                "PAYMENTS_PROVIDER: \"paypal\" is not one of",
            ),
            (
                &[
                    ("PAYMENTS_PROVIDER", "razorpay"),
                    ("RAZORPAY_KEY_ID", "rzp_x"),
                ],
                "RAZORPAY_KEY_SECRET: is missing",
            ),
            (
                &[
                    ("PAYMENTS_PROVIDER", "razorpay"),
                    ("RAZORPAY_KEY_ID", "rzp_x"),
                    ("RAZORPAY_KEY_SECRET", "s"),
                    ("RAZORPAY_WEBHOOK_SECRET", "w"),
                    ("RAZORPAY_API_URL", "api.razorpay.com"),
                ],
                "RAZORPAY_API_URL: ",
            ),
            (
                &[
                    ("PAYMENTS_PROVIDER", "stripe"),
                    ("STRIPE_SECRET_KEY", "sk_test_x"),
                    ("STRIPE_WEBHOOK_SECRET", "sk_test_x"),
                ],
                "STRIPE_WEBHOOK_SECRET: ",
            ),
            (
                &[
                    ("PAYMENTS_PROVIDER", "stripe"),
                    ("STRIPE_SECRET_KEY", "pk_test_x"),
                    ("STRIPE_WEBHOOK_SECRET", "whsec_x"),
                ],
                "STRIPE_SECRET_KEY: ",
            ),
            (
                &[
                    ("PAYMENTS_PROVIDER", "upi"),
                    ("UPI_VPA", "shop"),
                    ("UPI_PAYEE_NAME", "S"),
                ],
                "UPI_VPA: ",
            ),
            (
                &[("PAYMENTS_PROVIDER", "upi"), ("UPI_VPA", "shop@bank")],
                "UPI_PAYEE_NAME: is missing",
            ),
        ];
        for (pairs, start) in cases {
            let err = ProviderSettings::from_lookup(lookup(pairs))
                .unwrap_err()
                .to_string();
            assert!(
                err.starts_with(start),
                "{err:?} should start with {start:?}"
            );
            assert!(!err.contains('\n'), "{err:?}");
        }
    }

    #[test]
    fn secrets_never_show_in_debug_output() {
        let s = ProviderSettings::from_lookup(lookup(&[
            ("PAYMENTS_PROVIDER", "razorpay"),
            ("RAZORPAY_KEY_ID", "rzp_test_KEYID"),
            ("RAZORPAY_KEY_SECRET", "TOPSECRET1"),
            ("RAZORPAY_WEBHOOK_SECRET", "TOPSECRET2"),
        ]))
        .unwrap();
        let shown = format!("{s:?} {:?}", s.build().unwrap().unwrap());
        assert!(!shown.contains("TOPSECRET"), "{shown}");
        assert!(shown.contains("rzp_test_KEYID"), "{shown}");
    }
}
