//! Configuration from the environment and an optional TOML file.
//!
//! Every setting ([`SETTINGS`], documented in `docs/design.md` §5) is an
//! environment variable; the same key, lower-cased, may stand in
//! `orderdesk.toml` (`orderdesk_listen = "…"`, `whatsapp_app_secret = "…"`).
//! The `orderdesk_` prefix may be left off in the file (`listen = "…"`). The environment wins over the file. A missing
//! or malformed value stops start-up with one line naming the key.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail};
use orderdesk_domain::invoice::{parse_rate, InvoiceSend, TaxMode};

mod table;
mod values;
pub use table::{Setting, SETTINGS};
pub(crate) use values::parse_duration;
use values::{parse_schedule, read_toml, std_duration};

/// A document number prefix: printed on invoices and in file names, so
/// short, visible and without spaces or path separators.
fn document_prefix(raw: &str) -> anyhow::Result<String> {
    let ok = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');
    if raw.is_empty() || raw.chars().count() > 16 || !raw.chars().all(ok) {
        bail!("'{raw}' is not 1-16 letters, digits, '-', '_' or '.'");
    }
    Ok(raw.to_owned())
}

/// An on/off setting, written as every one is (`true`/`false`, `1`/`0`,
/// `yes`/`no`, `on`/`off`).
fn flag(raw: &str) -> anyhow::Result<bool> {
    match orderdesk_domain::visibility::parse_flag(raw) {
        Some(on) => Ok(on),
        None => bail!("'{raw}' is not true or false"),
    }
}

fn known(env: &str) -> Option<&'static Setting> {
    SETTINGS.iter().find(|s| s.env == env)
}

/// Where the database lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// `sqlite://PATH` (relative paths are relative to the working directory).
    Sqlite(String),
    /// `postgres://…` or `postgresql://…`, passed to the driver as given.
    Postgres(String),
}

impl DatabaseUrl {
    pub fn parse(raw: &str) -> anyhow::Result<Self> {
        if let Some(path) = raw
            .strip_prefix("sqlite://")
            .or_else(|| raw.strip_prefix("sqlite:"))
        {
            if path.is_empty() {
                bail!("'{raw}' names no file; use sqlite://PATH");
            }
            return Ok(Self::Sqlite(raw.to_owned()));
        }
        if raw.starts_with("postgres://") || raw.starts_with("postgresql://") {
            return Ok(Self::Postgres(raw.to_owned()));
        }
        bail!("'{raw}' is neither sqlite://PATH nor postgres://…")
    }

    pub fn as_str(&self) -> &str {
        match self {
            Self::Sqlite(u) | Self::Postgres(u) => u,
        }
    }
}

/// Which payment provider makes payment links.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaymentsProvider {
    Razorpay,
    Stripe,
    Upi,
    Cod,
    Simulator,
}

/// The whole configuration. Secrets are redacted in `Debug`.
#[derive(Clone)]
pub struct Config {
    pub database_url: DatabaseUrl,
    pub database_max_connections: u32,
    pub listen: SocketAddr,
    pub public_url: String,
    /// How long a claimed outbound message is reserved for its sender; a
    /// sender that died holding it is replaced after this.
    pub outbox_lease: chrono::Duration,
    /// What a newer cart does to the customer's older open order: keep it
    /// (default; it runs out on its own timer) or abandon it at once.
    pub abandon_older_on_newer_cart: bool,
    /// Language of customer-facing texts (a code such as `en`, `hi`).
    pub language: String,
    /// Idle checkout time before the one reminder.
    pub nudge_after: chrono::Duration,
    /// Idle checkout time before the order is abandoned.
    pub abandon_after: chrono::Duration,
    /// Idle checkout times of the later cart-recovery reminders.
    pub recovery_later: Vec<chrono::Duration>,
    /// Cash-on-delivery customers confirm before staff may approve. The
    /// engine reads this and the next three live (`FollowupSettings`);
    /// here they are checked at start and before a dashboard change.
    pub cod_confirm: bool,
    /// Wait before the confirmation's reminder, and again before the end.
    pub cod_confirm_wait: chrono::Duration,
    /// What an unconfirmed order comes to: `cancel` or `call`.
    pub cod_unconfirmed: orderdesk_domain::followup::CodUnconfirmed,
    /// How long after delivery the rating is asked; `None`: never.
    pub feedback_after: Option<chrono::Duration>,
    /// The header a trusted reverse proxy puts the client's address in
    /// (e.g. `X-Forwarded-For`); unset, the socket peer is the client.
    pub trusted_proxy_header: Option<axum::http::HeaderName>,
    /// The time a connection has to send a whole request head, counted from
    /// when it opens or its previous response ends: so also how long an
    /// idle keep-alive connection stays open.
    pub header_read_timeout: std::time::Duration,
    /// A connection where no byte moved either way for this long is closed
    /// (a stalled body, a client that stopped reading).
    pub idle_timeout: std::time::Duration,
    /// Connections served at once; more wait in the listen backlog.
    pub max_connections: usize,
    pub whatsapp_phone_number_id: Option<String>,
    pub whatsapp_access_token: Option<String>,
    pub whatsapp_app_secret: Option<String>,
    pub whatsapp_verify_token: Option<String>,
    pub whatsapp_graph_url: String,
    /// Outbound rate limit of the business number (Cloud API default 80/s).
    pub whatsapp_messages_per_second: u32,
    pub payments_provider: Option<PaymentsProvider>,
    pub razorpay_key_id: Option<String>,
    pub razorpay_key_secret: Option<String>,
    pub razorpay_webhook_secret: Option<String>,
    pub razorpay_api_url: String,
    pub stripe_secret_key: Option<String>,
    pub stripe_webhook_secret: Option<String>,
    pub stripe_api_url: String,
    pub cod_enabled: bool,
    /// Agents see only the orders assigned to them (read live by the engine).
    pub agents_see_own_orders: bool,
    /// Typed orders are read in the chat (read live by the checkout).
    pub typed_orders: bool,
    pub upi_vpa: Option<String>,
    pub upi_payee_name: Option<String>,
    /// Scheduled SQLite backups this often; `None`: none.
    pub backup_every: Option<std::time::Duration>,
    /// Scheduled backups kept (the oldest beyond are deleted).
    pub backup_keep: usize,
    /// Where scheduled backups go; `None`: `backups/` beside the database.
    pub backup_dir: Option<PathBuf>,
    /// The WhatsApp Business Account, for `doctor`'s subscription check.
    pub whatsapp_business_account_id: Option<String>,
    /// The business's time zone, an IANA name (`ORDERDESK_TIMEZONE`),
    /// checked with `orderdesk_domain::local`; the dashboard reads it
    /// through the live settings.
    pub time_zone: String,
    /// How people read dates and money (`ORDERDESK_LOCALE`), checked too.
    pub locale: String,
    /// The business profile (`ORDERDESK_BUSINESS_*`), each optional.
    pub business: BusinessProfile,
    /// HTTPS, when certificates come from ACME or files.
    pub tls: Option<tls::TlsConfig>,
    /// What invoice numbers issued from now on start with (`INV-`).
    pub invoice_prefix: String,
    /// What credit note numbers issued from now on start with (`CN-`).
    pub credit_note_prefix: String,
    /// Tax on invoices and when customers get them (`ORDERDESK_TAX_*`,
    /// `ORDERDESK_INVOICE_SEND`, `ORDERDESK_BUSINESS_STATE`).
    pub invoicing: Invoicing,
    /// Native WhatsApp order messages (`ORDERDESK_NATIVE_MESSAGES=on`).
    pub native_messages: bool,
    /// Days after delivery unrecorded cash on delivery needs a person
    /// (`ORDERDESK_COD_OVERDUE_DAYS`, read live by the engine).
    pub cod_overdue_days: i64,
    /// The values the environment and the file gave: they win over stored
    /// settings, which [`Config::with_stored`] layers under them.
    fixed: std::sync::Arc<layered::Fixed>,
}

/// What invoices print about tax, and when customers get them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invoicing {
    /// The state the business is registered in (GST: CGST + SGST to
    /// buyers in it, IGST to the others).
    pub state: Option<String>,
    /// The rate of products without their own, in basis points.
    pub tax_rate_bp: i64,
    pub tax_mode: TaxMode,
    pub send: InvoiceSend,
}

/// Who the business is, as customers see it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BusinessProfile {
    pub name: Option<String>,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub tax_id: Option<String>,
    pub logo_url: Option<String>,
    pub hours: Option<String>,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let hide = |s: &Option<String>| s.as_ref().map(|_| "***");
        f.debug_struct("Config")
            .field("database_url", &redact_url(self.database_url.as_str()))
            .field("listen", &self.listen)
            .field("public_url", &self.public_url)
            .field("whatsapp_phone_number_id", &self.whatsapp_phone_number_id)
            .field("whatsapp_access_token", &hide(&self.whatsapp_access_token))
            .field("whatsapp_app_secret", &hide(&self.whatsapp_app_secret))
            .field("whatsapp_graph_url", &self.whatsapp_graph_url)
            .field("payments_provider", &self.payments_provider)
            .field("cod_enabled", &self.cod_enabled)
            .finish_non_exhaustive()
    }
}

/// `postgres://user:secret@host/db` → `postgres://user:***@host/db`.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let creds = &url[scheme + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// Raw values by environment-variable name, with where each came from.
struct Sources {
    values: BTreeMap<&'static str, (String, String)>,
}

impl Sources {
    fn get(&self, key: &str) -> Option<(&str, &str)> {
        self.values
            .get(key)
            .map(|(v, from)| (v.as_str(), from.as_str()))
            .filter(|(v, _)| !v.trim().is_empty())
    }

    fn string(&self, key: &str) -> Option<String> {
        self.get(key).map(|(v, _)| v.trim().to_owned())
    }

    /// The value given for `key`, else its default from [`SETTINGS`],
    /// parsed; a key without a default must be given.
    fn parsed<T>(
        &self,
        key: &str,
        parse: impl FnOnce(&str) -> anyhow::Result<T>,
    ) -> anyhow::Result<T> {
        let (raw, from) = match self.get(key) {
            Some(given) => given,
            None => known(key)
                .and_then(|s| s.default)
                .map(|d| (d, "default"))
                .ok_or_else(|| anyhow!("{key}: required"))?,
        };
        parse(raw.trim()).map_err(|e| anyhow!("{key}{}: {e}", origin(from)))
    }
}

impl Sources {
    /// The value given for `key`, parsed; `None` when not given.
    fn parsed_optional<T>(
        &self,
        key: &str,
        parse: impl FnOnce(&str) -> anyhow::Result<T>,
    ) -> anyhow::Result<Option<T>> {
        match self.get(key) {
            None => Ok(None),
            Some((raw, from)) => parse(raw.trim())
                .map(Some)
                .map_err(|e| anyhow!("{key}{}: {e}", origin(from))),
        }
    }
}

fn origin(from: &str) -> String {
    match from {
        "env" | "default" => String::new(),
        file => format!(" (in {file})"),
    }
}

impl Config {
    /// Reads the process environment and, if given, the TOML file.
    ///
    /// # Errors
    /// One line naming the key that is missing or malformed.
    pub fn load(file: Option<&Path>) -> anyhow::Result<Self> {
        Self::from_sources(file, |k| std::env::var(k).ok())
    }

    /// Like [`Config::load`] with an explicit environment (for tests and the demo).
    ///
    /// # Errors
    /// One line naming the key that is missing or malformed.
    pub fn from_sources(
        file: Option<&Path>,
        env: impl Fn(&str) -> Option<String>,
    ) -> anyhow::Result<Self> {
        let mut values = BTreeMap::new();
        if let Some(path) = file {
            for (key, value) in read_toml(path)? {
                values.insert(key, (value, path.display().to_string()));
            }
        }
        for key in SETTINGS.iter().map(|s| s.env) {
            if let Some(v) = env(key) {
                values.insert(key, (v, "env".to_owned()));
            }
        }
        let mut config = Self::from_values(&Sources {
            values: values.clone(),
        })?;
        config.fixed = std::sync::Arc::new(values);
        Ok(config)
    }

    fn from_values(s: &Sources) -> anyhow::Result<Self> {
        let url = |raw: &str| -> anyhow::Result<String> {
            if raw.starts_with("http://") || raw.starts_with("https://") {
                Ok(raw.trim_end_matches('/').to_owned())
            } else {
                bail!("'{raw}' is not an http:// or https:// URL")
            }
        };
        let payments_provider = s.parsed("PAYMENTS_PROVIDER", |raw| {
            Ok(match raw {
                "none" => None,
                "razorpay" => Some(PaymentsProvider::Razorpay),
                "stripe" => Some(PaymentsProvider::Stripe),
                "upi" => Some(PaymentsProvider::Upi),
                "cod" => Some(PaymentsProvider::Cod),
                "simulator" => Some(PaymentsProvider::Simulator),
                other => bail!("'{other}' is not one of razorpay, stripe, upi, cod, simulator"),
            })
        })?;
        let database_url = s.parsed("ORDERDESK_DATABASE_URL", DatabaseUrl::parse)?;
        let config = Self {
            tls: tls::parse(s, &database_url)?,
            database_url,
            database_max_connections: s.parsed("ORDERDESK_DATABASE_MAX_CONNECTIONS", |raw| {
                raw.parse::<u32>()
                    .ok()
                    .filter(|n| (1..=1000).contains(n))
                    .ok_or_else(|| anyhow!("'{raw}' is not a whole number from 1 to 1000"))
            })?,
            listen: s.parsed("ORDERDESK_LISTEN", |raw| {
                raw.parse::<SocketAddr>()
                    .map_err(|_| anyhow!("'{raw}' is not an address like 127.0.0.1:8080"))
            })?,
            public_url: s.parsed("ORDERDESK_PUBLIC_URL", url)?,
            nudge_after: s.parsed("ORDERDESK_NUDGE_AFTER", parse_duration)?,
            abandon_older_on_newer_cart: s.parsed("ORDERDESK_ON_NEWER_CART", |raw| {
                match orderdesk_domain::OnNewerCart::parse(raw) {
                    Some(on) => Ok(on == orderdesk_domain::OnNewerCart::AbandonOlder),
                    None => bail!("'{raw}' is not keep or abandon"),
                }
            })?,
            language: s.parsed("ORDERDESK_LANGUAGE", |raw| {
                let ok = (2..=8).contains(&raw.len())
                    && raw
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
                if ok {
                    Ok(raw.to_owned())
                } else {
                    bail!("'{raw}' is not a language code like en or pt_BR")
                }
            })?,
            outbox_lease: s.parsed("ORDERDESK_OUTBOX_LEASE", parse_duration)?,
            abandon_after: s.parsed("ORDERDESK_ABANDON_AFTER", parse_duration)?,
            recovery_later: s.parsed("ORDERDESK_RECOVERY_LATER", parse_schedule)?,
            cod_confirm: s.parsed("ORDERDESK_COD_CONFIRM", |raw| {
                orderdesk_domain::followup::parse_switch(raw).map_err(|e| anyhow!(e))
            })?,
            cod_confirm_wait: s.parsed("ORDERDESK_COD_CONFIRM_WAIT", |raw| {
                orderdesk_domain::followup::parse_delay(raw).map_err(|e| anyhow!(e))
            })?,
            cod_unconfirmed: s.parsed("ORDERDESK_COD_UNCONFIRMED", |raw| {
                orderdesk_domain::followup::CodUnconfirmed::parse(raw).map_err(|e| anyhow!(e))
            })?,
            feedback_after: s.parsed("ORDERDESK_FEEDBACK_AFTER", |raw| {
                orderdesk_domain::followup::parse_delay_or_off(raw).map_err(|e| anyhow!(e))
            })?,
            trusted_proxy_header: match s.string("ORDERDESK_TRUSTED_PROXY_HEADER") {
                None => None,
                Some(raw) => Some(
                    axum::http::HeaderName::try_from(raw.as_str()).map_err(|_| {
                        anyhow!(
                            "ORDERDESK_TRUSTED_PROXY_HEADER: '{raw}' is not a header name like X-Forwarded-For"
                        )
                    })?,
                ),
            },
            header_read_timeout: s.parsed("ORDERDESK_HEADER_READ_TIMEOUT", std_duration)?,
            idle_timeout: s.parsed("ORDERDESK_IDLE_TIMEOUT", std_duration)?,
            max_connections: s.parsed("ORDERDESK_MAX_CONNECTIONS", |raw| {
                raw.parse::<usize>()
                    .ok()
                    .filter(|n| (1..=1_000_000).contains(n))
                    .ok_or_else(|| anyhow!("'{raw}' is not a whole number from 1 to 1000000"))
            })?,
            whatsapp_phone_number_id: s.string("WHATSAPP_PHONE_NUMBER_ID"),
            whatsapp_access_token: s.string("WHATSAPP_ACCESS_TOKEN"),
            whatsapp_app_secret: s.string("WHATSAPP_APP_SECRET"),
            whatsapp_verify_token: s.string("WHATSAPP_VERIFY_TOKEN"),
            whatsapp_graph_url: s.parsed("WHATSAPP_GRAPH_URL", url)?,
            whatsapp_messages_per_second: s.parsed("WHATSAPP_MESSAGES_PER_SECOND", |raw| {
                raw.parse::<u32>()
                    .ok()
                    .filter(|n| (1..=1000).contains(n))
                    .ok_or_else(|| anyhow!("'{raw}' is not a whole number from 1 to 1000"))
            })?,
            payments_provider,
            razorpay_key_id: s.string("RAZORPAY_KEY_ID"),
            razorpay_key_secret: s.string("RAZORPAY_KEY_SECRET"),
            razorpay_webhook_secret: s.string("RAZORPAY_WEBHOOK_SECRET"),
            razorpay_api_url: s.parsed("RAZORPAY_API_URL", url)?,
            stripe_secret_key: s.string("STRIPE_SECRET_KEY"),
            stripe_webhook_secret: s.string("STRIPE_WEBHOOK_SECRET"),
            stripe_api_url: s.parsed("STRIPE_API_URL", url)?,
            upi_vpa: s.string("UPI_VPA"),
            upi_payee_name: s.string("UPI_PAYEE_NAME"),
            time_zone: s.parsed("ORDERDESK_TIMEZONE", |raw| {
                orderdesk_domain::local::parse_time_zone(raw)?;
                Ok(raw.to_owned())
            })?,
            locale: s.parsed("ORDERDESK_LOCALE", |raw| {
                orderdesk_domain::local::parse_locale(raw)?;
                Ok(raw.to_owned())
            })?,
            business: BusinessProfile {
                name: s.string("ORDERDESK_BUSINESS_NAME"),
                address: s.string("ORDERDESK_BUSINESS_ADDRESS"),
                phone: s.string("ORDERDESK_BUSINESS_PHONE"),
                tax_id: s.string("ORDERDESK_BUSINESS_TAX_ID"),
                logo_url: s.parsed_optional("ORDERDESK_BUSINESS_LOGO_URL", url)?,
                hours: s.parsed_optional("ORDERDESK_BUSINESS_HOURS", |raw| {
                    orderdesk_domain::business_hours::BusinessHours::parse(raw)?;
                    Ok(raw.to_owned())
                })?,
            },
            fixed: std::sync::Arc::default(),
            cod_enabled: s.parsed("COD_ENABLED", |raw| {
                orderdesk_domain::checkout::parse_flag(raw)
                    .ok_or_else(|| anyhow!("'{raw}' is not true or false"))
            })?,
            agents_see_own_orders: s.parsed("ORDERDESK_AGENTS_SEE_OWN_ORDERS", flag)?,
            typed_orders: s.parsed("ORDERDESK_TYPED_ORDERS", |raw| {
                orderdesk_domain::typed_draft::parse_switch(raw)
                    .ok_or_else(|| anyhow!("'{raw}' is not on or off"))
            })?,
            backup_every: match s.get("ORDERDESK_BACKUP_EVERY") {
                Some(_) => Some(s.parsed("ORDERDESK_BACKUP_EVERY", std_duration)?),
                None => None,
            },
            backup_keep: s.parsed("ORDERDESK_BACKUP_KEEP", |raw| {
                raw.parse::<usize>()
                    .ok()
                    .filter(|n| (1..=10_000).contains(n))
                    .ok_or_else(|| anyhow!("'{raw}' is not a whole number from 1 to 10000"))
            })?,
            backup_dir: s.string("ORDERDESK_BACKUP_DIR").map(PathBuf::from),
            whatsapp_business_account_id: s.string("WHATSAPP_BUSINESS_ACCOUNT_ID"),
            invoice_prefix: s.parsed("ORDERDESK_INVOICE_PREFIX", document_prefix)?,
            credit_note_prefix: s.parsed("ORDERDESK_CREDIT_NOTE_PREFIX", document_prefix)?,
            invoicing: Invoicing {
                state: s.string("ORDERDESK_BUSINESS_STATE"),
                tax_rate_bp: s.parsed("ORDERDESK_TAX_RATE", |raw| {
                    parse_rate(raw).ok_or_else(|| anyhow!("'{raw}' is not a percentage from 0 to 100 (18, 12.5)"))
                })?,
                tax_mode: s.parsed("ORDERDESK_TAX_MODE", |raw| {
                    TaxMode::parse(raw).ok_or_else(|| anyhow!("'{raw}' is not inclusive or exclusive"))
                })?,
                send: s.parsed("ORDERDESK_INVOICE_SEND", |raw| {
                    InvoiceSend::parse(raw)
                        .ok_or_else(|| anyhow!("'{raw}' is not on_paid, on_confirmed or off"))
                })?,
            },
            cod_overdue_days: s.parsed("ORDERDESK_COD_OVERDUE_DAYS", |raw| {
                orderdesk_domain::ledger::parse_overdue_days(raw)
                    .ok_or_else(|| anyhow!("'{raw}' is not a whole number of days from 1 to 365"))
            })?,
            native_messages: s.parsed("ORDERDESK_NATIVE_MESSAGES", |raw| match raw {
                "on" => Ok(true),
                "off" => Ok(false),
                _ => Err(anyhow!("'{raw}' is not on or off")),
            })?,
        };
        config.check_provider_keys(s)?;
        Ok(config)
    }

    /// A chosen provider needs its credentials.
    fn check_provider_keys(&self, s: &Sources) -> anyhow::Result<()> {
        let needs: &[&str] = match self.payments_provider {
            Some(PaymentsProvider::Razorpay) => &[
                "RAZORPAY_KEY_ID",
                "RAZORPAY_KEY_SECRET",
                "RAZORPAY_WEBHOOK_SECRET",
            ],
            Some(PaymentsProvider::Stripe) => &["STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET"],
            _ => &[],
        };
        for key in needs {
            if s.get(key).is_none() {
                let provider = s.string("PAYMENTS_PROVIDER").unwrap_or_default();
                bail!("{key}: required when PAYMENTS_PROVIDER={provider}");
            }
        }
        Ok(())
    }

    /// The settings the HTTP layer needs.
    pub fn web(&self) -> orderdesk_web::WebConfig {
        orderdesk_web::WebConfig {
            whatsapp_app_secret: self.whatsapp_app_secret.clone(),
            whatsapp_verify_token: self.whatsapp_verify_token.clone(),
            public_url: self.public_url.clone(),
            trusted_proxy_header: self.trusted_proxy_header.clone(),
            idle_timeout: self.idle_timeout,
            doctor: None,
        }
    }

    /// Names of `ORDERDESK_*` variables in the environment that we do not
    /// know: most likely typos that would otherwise silently fall back.
    pub fn unknown_env_keys() -> Vec<String> {
        std::env::vars()
            .map(|(k, _)| k)
            .filter(|k| k.starts_with("ORDERDESK_") && known(k).is_none())
            .collect()
    }
}

/// Where `orderdesk demo` keeps its database by default.
pub fn default_demo_db() -> PathBuf {
    PathBuf::from("orderdesk-demo.db")
}

mod layered;

#[cfg(test)]
mod documented;
#[cfg(test)]
mod tests;
pub mod tls;

impl Config {
    /// The value of a payment setting by its environment name, for
    /// `orderdesk_payments::ProviderSettings::from_lookup`.
    pub fn payment_setting(&self, key: &str) -> Option<String> {
        let provider = |p: PaymentsProvider| {
            match p {
                PaymentsProvider::Razorpay => "razorpay",
                PaymentsProvider::Stripe => "stripe",
                PaymentsProvider::Upi => "upi",
                PaymentsProvider::Cod => "cod",
                PaymentsProvider::Simulator => "simulator",
            }
            .to_owned()
        };
        match key {
            "PAYMENTS_PROVIDER" => self.payments_provider.map(provider),
            "RAZORPAY_KEY_ID" => self.razorpay_key_id.clone(),
            "RAZORPAY_KEY_SECRET" => self.razorpay_key_secret.clone(),
            "RAZORPAY_WEBHOOK_SECRET" => self.razorpay_webhook_secret.clone(),
            "RAZORPAY_API_URL" => Some(self.razorpay_api_url.clone()),
            "STRIPE_SECRET_KEY" => self.stripe_secret_key.clone(),
            "STRIPE_WEBHOOK_SECRET" => self.stripe_webhook_secret.clone(),
            "STRIPE_API_URL" => Some(self.stripe_api_url.clone()),
            "UPI_VPA" => self.upi_vpa.clone(),
            "UPI_PAYEE_NAME" => self.upi_payee_name.clone(),
            "ORDERDESK_PUBLIC_URL" => Some(self.public_url.clone()),
            // The simulator signs its page links and webhooks with a key
            // derived from the app secret (never the secret itself), so every
            // instance of one installation agrees on it with nothing to set.
            "PAYMENTS_SIMULATOR_SECRET" => self.whatsapp_app_secret.as_ref().map(|secret| {
                use sha2::Digest;
                let mut hash = sha2::Sha256::new();
                hash.update(b"orderdesk payment simulator v1\0");
                hash.update(secret.as_bytes());
                hex::encode(hash.finalize())
            }),
            _ => None,
        }
    }
}
