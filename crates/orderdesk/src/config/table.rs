//! The settings table: every setting we read, its default, and whether the
//! dashboard may change it.

/// One setting: its environment variable name and its default, as a user
/// would write it (`None`: unset unless given).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Setting {
    pub env: &'static str,
    pub default: Option<&'static str>,
    /// Read once when the server starts (listen address, database URL, …):
    /// the dashboard shows it but cannot change it.
    pub at_start: bool,
    /// A credential: never shown, never changed from the dashboard.
    pub secret: bool,
}

/// A setting the business may also change from the dashboard (`/settings`),
/// where it applies at once; mark the exceptions with
/// [`Setting::at_start`] or [`Setting::secret`].
const fn setting(env: &'static str, default: Option<&'static str>) -> Setting {
    Setting {
        env,
        default,
        at_start: false,
        secret: false,
    }
}

impl Setting {
    const fn at_start(self) -> Self {
        Setting {
            at_start: true,
            ..self
        }
    }

    const fn secret(self) -> Self {
        Setting {
            secret: true,
            ..self
        }
    }
}

/// Every setting we read, with its default. Parsing looks defaults up here,
/// the TOML reader and the unknown-variable warning accept exactly these
/// names, and a test holds `docs/design.md`'s settings table to this list,
/// so the code and the contract cannot drift apart.
pub const SETTINGS: &[Setting] = &[
    setting("ORDERDESK_DATABASE_URL", Some("sqlite://orderdesk.db")).at_start(),
    setting("ORDERDESK_DATABASE_MAX_CONNECTIONS", Some("10")).at_start(),
    setting("ORDERDESK_LISTEN", Some("127.0.0.1:8080")).at_start(),
    setting("ORDERDESK_PUBLIC_URL", Some("http://127.0.0.1:8080")).at_start(),
    setting("ORDERDESK_LOG", None).at_start(),
    setting("ORDERDESK_NUDGE_AFTER", Some("1h")),
    setting("ORDERDESK_LANGUAGE", Some("en")),
    setting("ORDERDESK_ON_NEWER_CART", Some("keep")),
    setting("ORDERDESK_OUTBOX_LEASE", Some("60s")).at_start(),
    setting("ORDERDESK_ABANDON_AFTER", Some("24h")),
    setting("ORDERDESK_RECOVERY_LATER", Some("23h,48h")),
    setting("ORDERDESK_COD_CONFIRM", Some("off")),
    setting("ORDERDESK_COD_CONFIRM_WAIT", Some("12h")),
    setting("ORDERDESK_COD_UNCONFIRMED", Some("cancel")),
    setting("ORDERDESK_FEEDBACK_AFTER", Some("off")),
    setting("ORDERDESK_TRUSTED_PROXY_HEADER", None).at_start(),
    setting("ORDERDESK_HEADER_READ_TIMEOUT", Some("10s")).at_start(),
    setting("ORDERDESK_IDLE_TIMEOUT", Some("60s")).at_start(),
    setting("ORDERDESK_MAX_CONNECTIONS", Some("4096")).at_start(),
    setting("WHATSAPP_PHONE_NUMBER_ID", None).at_start(),
    setting("WHATSAPP_ACCESS_TOKEN", None).secret(),
    setting("WHATSAPP_APP_SECRET", None).secret(),
    setting("WHATSAPP_VERIFY_TOKEN", None).secret(),
    setting(
        "WHATSAPP_GRAPH_URL",
        Some("https://graph.facebook.com/v23.0"),
    )
    .at_start(),
    setting("WHATSAPP_MESSAGES_PER_SECOND", Some("80")).at_start(),
    setting("PAYMENTS_PROVIDER", Some("none")).at_start(),
    setting("RAZORPAY_KEY_ID", None).at_start(),
    setting("RAZORPAY_KEY_SECRET", None).secret(),
    setting("RAZORPAY_WEBHOOK_SECRET", None).secret(),
    setting("RAZORPAY_API_URL", Some("https://api.razorpay.com")).at_start(),
    setting("STRIPE_SECRET_KEY", None).secret(),
    setting("STRIPE_WEBHOOK_SECRET", None).secret(),
    setting("STRIPE_API_URL", Some("https://api.stripe.com")).at_start(),
    setting("COD_ENABLED", Some("false")),
    setting("UPI_VPA", None).at_start(),
    setting("UPI_PAYEE_NAME", None).at_start(),
    setting("ORDERDESK_BACKUP_EVERY", None).at_start(),
    setting("ORDERDESK_BACKUP_KEEP", Some("7")).at_start(),
    setting("ORDERDESK_BACKUP_DIR", None).at_start(),
    setting("WHATSAPP_BUSINESS_ACCOUNT_ID", None).at_start(),
    // Issue #17: where and how people read times and money, and who the
    // business is (editable in /settings).
    setting("ORDERDESK_TIMEZONE", Some("UTC")),
    setting("ORDERDESK_LOCALE", Some("en")),
    setting("ORDERDESK_BUSINESS_NAME", None),
    setting("ORDERDESK_BUSINESS_ADDRESS", None),
    setting("ORDERDESK_BUSINESS_PHONE", None),
    setting("ORDERDESK_BUSINESS_TAX_ID", None),
    setting("ORDERDESK_BUSINESS_LOGO_URL", None),
    setting("ORDERDESK_BUSINESS_HOURS", None),
    setting("ORDERDESK_TLS_DOMAINS", None).at_start(),
    setting("ORDERDESK_ACME_EMAIL", None).at_start(),
    setting(
        "ORDERDESK_ACME_DIRECTORY",
        Some("https://acme-v02.api.letsencrypt.org/directory"),
    )
    .at_start(),
    setting("ORDERDESK_ACME_ROOT", None).at_start(),
    setting("ORDERDESK_TLS_DIR", None).at_start(),
    setting("ORDERDESK_LISTEN_TLS", Some("0.0.0.0:443")).at_start(),
    setting("ORDERDESK_TLS_CERT", None).at_start(),
    setting("ORDERDESK_TLS_KEY", None).at_start(),
    setting("ORDERDESK_INVOICE_PREFIX", Some("INV-")).at_start(),
    setting("ORDERDESK_CREDIT_NOTE_PREFIX", Some("CN-")).at_start(),
    // Issue #16: agents see only the orders assigned to them.
    setting("ORDERDESK_AGENTS_SEE_OWN_ORDERS", Some("false")),
    // Issue #15: what invoices print about tax, and when customers get them
    // (read live by the engine; parsed here so a bad value is refused).
    setting("ORDERDESK_BUSINESS_STATE", None),
    setting("ORDERDESK_TAX_RATE", Some("0")),
    setting("ORDERDESK_TAX_MODE", Some("inclusive")),
    setting("ORDERDESK_INVOICE_SEND", Some("on_paid")),
    // Issue #15: reconciliation (read live by the engine; parsed here so a
    // bad value is refused).
    setting("ORDERDESK_COD_OVERDUE_DAYS", Some("7")),
    // Issue #19: native WhatsApp order messages and products from the chat
    // (read live by the engine; parsed here so a bad value is refused).
    setting("ORDERDESK_NATIVE_MESSAGES", Some("off")),
    setting("WHATSAPP_PAYMENT_CONFIGURATION", None),
    setting("WHATSAPP_CATALOG_ID", None),
    // Issue #21: a customer's typed order is shown back as a draft to place
    // with a tap (read live by the checkout; parsed here so a bad value is
    // refused).
    setting("ORDERDESK_TYPED_ORDERS", Some("on")),
];
