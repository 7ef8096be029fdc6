//! The first-run setup (`/setup`): connecting the business's WhatsApp
//! number. The owner pastes what Meta's app dashboard shows; it is checked
//! ([`orderdesk_domain::connection`]) and stored as settings through
//! [`Settings::update_permitting`], the same use-case as `/settings`, so
//! the environment still wins and a value that would stop start-up is
//! refused before it is stored. Credentials are written, never shown back.
//!
//! The webhook's verify token is made here when none is set, so the page
//! always has one to paste into Meta; the test message goes straight to
//! the Graph API with the values in force, so a wrong token shows at once
//! in Meta's own words.

use std::collections::BTreeMap;
use std::time::Duration;

use orderdesk_domain::connection::{self, ConnectionError};
use orderdesk_domain::Timestamp;
use orderdesk_store::{OpsStatus, Store, StoreError};
use orderdesk_whatsapp::{GraphClient, GraphError, OutboundMessage, Recipient, Template};
use rand::RngCore;

use crate::settings::{Settings, SettingsError};

pub const PHONE_NUMBER_ID: &str = "WHATSAPP_PHONE_NUMBER_ID";
pub const BUSINESS_ACCOUNT_ID: &str = "WHATSAPP_BUSINESS_ACCOUNT_ID";
pub const ACCESS_TOKEN: &str = "WHATSAPP_ACCESS_TOKEN";
pub const APP_SECRET: &str = "WHATSAPP_APP_SECRET";
pub const VERIFY_TOKEN: &str = "WHATSAPP_VERIFY_TOKEN";
pub const GRAPH_URL: &str = "WHATSAPP_GRAPH_URL";
/// The payment provider in force (`none`, `razorpay`, …).
pub const PAYMENTS_PROVIDER: &str = "PAYMENTS_PROVIDER";

/// The settings the setup page may store, though they are read at start or
/// are credentials.
pub const CONNECTION_KEYS: [&str; 5] = [
    PHONE_NUMBER_ID,
    BUSINESS_ACCOUNT_ID,
    ACCESS_TOKEN,
    APP_SECRET,
    VERIFY_TOKEN,
];

/// The template every new WhatsApp Business Account has, approved: the
/// only message that reaches a phone that has not written to the business
/// in the last 24 hours, as a fresh setup's test must.
pub const TEST_TEMPLATE: (&str, &str) = ("hello_world", "en_US");

/// A test send gives up after this; the page waits for it.
const TEST_TIMEOUT: Duration = Duration::from_secs(10);

/// The WhatsApp connection as the setup page shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Connection {
    pub phone_number_id: Option<String>,
    pub business_account_id: Option<String>,
    pub access_token_set: bool,
    pub app_secret_set: bool,
    /// Shown to owners and admins: it is pasted into Meta, not a password.
    pub verify_token: Option<String>,
    /// The number and token are in force: messages can go out.
    pub connected: bool,
    /// The connection settings the environment fixes (cannot be changed
    /// here).
    pub fixed: Vec<&'static str>,
}

/// What the owner typed. Empty credential fields keep the stored values
/// (they are never shown, so the form cannot carry them back).
#[derive(Debug, Clone, Default)]
pub struct ConnectionForm {
    pub phone_number_id: String,
    pub business_account_id: String,
    pub access_token: String,
    pub app_secret: String,
}

/// Why setup refused or failed. Nothing is stored on a refusal.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error(transparent)]
    Invalid(#[from] ConnectionError),
    #[error(transparent)]
    Settings(#[from] SettingsError),
    #[error("connect the number first: the phone number id and the access token are needed")]
    NotConnected,
    #[error("{0}")]
    Client(String),
    /// Meta (or whatever answers at the Graph URL) refused or failed.
    #[error("WhatsApp refused the test message: {0}")]
    Refused(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The connection in force (environment, else stored).
pub fn connection(settings: &Settings) -> Connection {
    let phone_number_id = settings.value(PHONE_NUMBER_ID);
    let access_token_set = settings.value(ACCESS_TOKEN).is_some();
    let fixed_keys = settings.fixed_keys();
    Connection {
        connected: connection::connected(phone_number_id.as_deref(), access_token_set),
        phone_number_id,
        business_account_id: settings.value(BUSINESS_ACCOUNT_ID),
        access_token_set,
        app_secret_set: settings.value(APP_SECRET).is_some(),
        verify_token: settings.value(VERIFY_TOKEN),
        fixed: CONNECTION_KEYS
            .into_iter()
            .filter(|k| fixed_keys.iter().any(|f| f.as_str() == *k))
            .collect(),
    }
}

/// Checks and stores what the owner typed, all or nothing; returns how
/// many settings changed.
///
/// # Errors
/// [`SetupError::Invalid`] naming the first bad field;
/// [`SetupError::Settings`] when the environment fixes a changed value or
/// the resulting configuration would not start.
pub async fn save_connection(
    settings: &Settings,
    store: &dyn Store,
    form: &ConnectionForm,
    by: &str,
    at: Timestamp,
) -> Result<usize, SetupError> {
    let current = connection(settings);
    let mut changes = BTreeMap::new();
    let ids = [
        (
            PHONE_NUMBER_ID,
            "phone number id",
            &form.phone_number_id,
            &current.phone_number_id,
        ),
        (
            BUSINESS_ACCOUNT_ID,
            "WhatsApp Business Account id",
            &form.business_account_id,
            &current.business_account_id,
        ),
    ];
    for (key, field, typed, now) in ids {
        if typed.trim().is_empty() || Some(typed.trim()) == now.as_deref() {
            continue;
        }
        changes.insert(key.to_owned(), Some(connection::meta_id(field, typed)?));
    }
    for (key, field, typed) in [
        (ACCESS_TOKEN, "access token", &form.access_token),
        (APP_SECRET, "app secret", &form.app_secret),
    ] {
        if !typed.trim().is_empty() {
            changes.insert(key.to_owned(), Some(connection::credential(field, typed)?));
        }
    }
    let count = changes.len();
    if count > 0 {
        settings
            .update_permitting(store, changes, by, at, &CONNECTION_KEYS)
            .await?;
    }
    Ok(count)
}

/// The verify token in force; when there is none, a new random one is
/// stored first, so the page always shows one to paste into Meta.
///
/// # Errors
/// The store failed, or the environment fixes the token (then it is set).
pub async fn ensure_verify_token(
    settings: &Settings,
    store: &dyn Store,
    by: &str,
    at: Timestamp,
) -> Result<String, SetupError> {
    if let Some(token) = settings.value(VERIFY_TOKEN) {
        return Ok(token);
    }
    let mut bytes = [0u8; 18];
    rand::thread_rng().fill_bytes(&mut bytes);
    let token = format!("odk-verify-{}", hex::encode(bytes));
    let change = BTreeMap::from([(VERIFY_TOKEN.to_owned(), Some(token.clone()))]);
    settings
        .update_permitting(store, change, by, at, &CONNECTION_KEYS)
        .await?;
    Ok(settings.value(VERIFY_TOKEN).unwrap_or(token))
}

/// Sends Meta's `hello_world` template to `to` with the number and token
/// in force; returns the message id Meta gave it.
///
/// # Errors
/// [`SetupError::Invalid`] for a number that is not one,
/// [`SetupError::NotConnected`] before the number and token are set,
/// [`SetupError::Refused`] with Graph's own error when it says no.
pub async fn send_test_message(settings: &Settings, to: &str) -> Result<String, SetupError> {
    let wa_id = connection::test_recipient(to)?;
    let (Some(number), Some(token)) = (
        settings.value(PHONE_NUMBER_ID),
        settings.value(ACCESS_TOKEN),
    ) else {
        return Err(SetupError::NotConnected);
    };
    let base = settings
        .value(GRAPH_URL)
        .unwrap_or_else(|| "https://graph.facebook.com/v23.0".to_owned());
    let client = GraphClient::with_timeout(&base, &number, &token, TEST_TIMEOUT)
        .map_err(|e| SetupError::Client(e.to_string()))?;
    let (name, language) = TEST_TEMPLATE;
    let recipient = Recipient::wa_id(wa_id).map_err(|e| SetupError::Client(e.to_string()))?;
    let template = Template::new(name, language).map_err(|e| SetupError::Client(e.to_string()))?;
    let message = OutboundMessage::new(recipient, template);
    match client.send(&message).await {
        Ok(sent) => Ok(sent.wamid),
        Err(e) => Err(SetupError::Refused(refusal(&e))),
    }
}

/// Graph's error in words, with what to do for the usual causes.
fn refusal(e: &GraphError) -> String {
    match e {
        GraphError::Auth { error } => format!(
            "the access token was refused ({error}); make a new system-user token with \
             whatsapp_business_messaging and paste it again"
        ),
        GraphError::Retryable { reason, .. } => {
            format!("{reason}; check the Graph URL and try again in a minute")
        }
        GraphError::WindowClosed { error } | GraphError::Permanent { error, .. } => {
            error.to_string()
        }
    }
}

/// Notes that Meta passed the webhook handshake.
///
/// # Errors
/// The store failed.
pub async fn webhook_verified(store: &dyn Store, at: Timestamp) -> Result<(), StoreError> {
    store.record_webhook_verified(at).await
}

/// When WhatsApp last called: the handshake or a signed delivery, whichever
/// came last.
pub fn last_webhook(status: &OpsStatus) -> Option<Timestamp> {
    status.last_webhook_at.max(status.last_verified_at)
}
