//! The business's settings, layered: a value the environment (or the
//! `--config` file) gives wins and cannot be changed from the dashboard;
//! otherwise the value staff stored in the database; otherwise the
//! setting's default.
//!
//! This module knows no setting by itself beyond the few the dashboard
//! reads here ([`TIMEZONE`], [`LOCALE`]): the binary hands it the one table
//! of settings (`orderdesk::config::SETTINGS`) as [`SettingSpec`]s and a
//! [`Validate`] function that parses a whole candidate configuration the
//! way start-up does. So a setting added to that table is editable here
//! with no extra code, and a value that would stop start-up is refused
//! before it is stored.
//!
//! Every instance reloads the stored values every [`RELOAD_EVERY`] (one
//! small read) and at once after its own change, so a change made on one
//! instance applies on all of them without a restart.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use orderdesk_domain::checkout::WrittenCheckout;
use orderdesk_domain::{CheckoutSettings, Local, Timestamp};
use orderdesk_store::{SettingChange, Store, StoreError, StoredSetting};
use serde::Serialize;
use tokio::sync::watch;

/// The business's time zone (an IANA name).
pub const TIMEZONE: &str = "ORDERDESK_TIMEZONE";
/// The locale dates and money are written in (`en-IN`, `de-DE`, …).
pub const LOCALE: &str = "ORDERDESK_LOCALE";

/// The business's language of customer texts (`en`, `hi`, `pt_BR`).
pub const LANGUAGE: &str = "ORDERDESK_LANGUAGE";

/// Offer cash on delivery (`true`/`false`).
pub const COD_ENABLED: &str = "COD_ENABLED";
/// Idle time before the checkout's one nudge.
pub const NUDGE_AFTER: &str = "ORDERDESK_NUDGE_AFTER";
/// Idle time before a checkout is abandoned.
pub const ABANDON_AFTER: &str = "ORDERDESK_ABANDON_AFTER";
pub const RECOVERY_LATER: &str = "ORDERDESK_RECOVERY_LATER";
/// What a newer cart does to an older order (`keep`/`abandon`).
pub const ON_NEWER_CART: &str = "ORDERDESK_ON_NEWER_CART";

/// Native WhatsApp order messages (`on`/`off`): the address asked with an
/// `address_message`, the payment with an `order_details` message, stage
/// updates as `order_status` messages.
pub const NATIVE_MESSAGES: &str = "ORDERDESK_NATIVE_MESSAGES";
/// The UPI payment configuration (WhatsApp Manager) an `order_details`
/// message names when there is no payment link.
pub const PAYMENT_CONFIGURATION: &str = "WHATSAPP_PAYMENT_CONFIGURATION";
/// The Meta catalog that `product` and `product_list` messages show.
pub const CATALOG_ID: &str = "WHATSAPP_CATALOG_ID";

/// How often an instance looks for changes made on another one.
pub const RELOAD_EVERY: Duration = Duration::from_secs(1);

/// One setting as the configuration table declares it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SettingSpec {
    /// The environment variable's name; also the stored key and the key of
    /// `GET/PUT /api/v1/settings`.
    pub key: &'static str,
    pub default: Option<&'static str>,
    /// Read once at start (listen address, database URL, …): the dashboard
    /// shows it but cannot change it.
    pub at_start: bool,
    /// A credential: never shown, only whether it is set.
    pub secret: bool,
}

/// Parses a whole candidate configuration, given a lookup of each key's
/// effective value; the error is one line naming the bad setting.
pub type Validate = dyn Fn(&dyn Fn(&str) -> Option<String>) -> Result<(), String> + Send + Sync;

/// Where a setting's value comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// The environment or the `--config` file: wins, fixed.
    Environment,
    /// Stored from the dashboard or the API.
    Stored,
    /// The built-in default.
    Default,
    /// Not set at all.
    Unset,
}

/// One setting as `GET /api/v1/settings` and the settings page show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct SettingView {
    pub key: String,
    /// The value in force; `null` when unset or secret.
    pub value: Option<String>,
    pub source: Source,
    /// Whether it can be changed here (not fixed by the environment, not
    /// read only at start, not a credential).
    pub editable: bool,
    /// Why not, in words, when it cannot.
    pub fixed_reason: Option<String>,
    pub default: Option<String>,
    pub secret: bool,
    /// For a secret: whether it is set at all.
    pub set: bool,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub updated_at: Option<Timestamp>,
    pub updated_by: Option<String>,
}

/// Why a settings change was refused. Nothing is stored then.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("{key} is not a setting")]
    Unknown { key: String },
    #[error("{key} is set in the environment, which wins: change it there")]
    FixedByEnvironment { key: String },
    #[error("{key} is read only when the server starts: set it in the environment")]
    AtStart { key: String },
    /// The value does not parse; the message names the setting.
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The shared handle every part of one instance reads settings through.
#[derive(Clone)]
pub struct Settings {
    inner: Arc<Inner>,
}

struct Inner {
    specs: Vec<SettingSpec>,
    fixed: BTreeMap<String, String>,
    validate: Box<Validate>,
    stored: watch::Sender<Arc<BTreeMap<String, StoredSetting>>>,
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("specs", &self.inner.specs.len())
            .finish_non_exhaustive()
    }
}

impl Default for Settings {
    /// No settings table: every lookup is `None` (tests of other parts).
    fn default() -> Self {
        Self::new(Vec::new(), BTreeMap::new(), Box::new(|_| Ok(())))
    }
}

impl Settings {
    /// `fixed`: the values the environment and the `--config` file give,
    /// by key (they win and cannot be changed here).
    pub fn new(
        specs: Vec<SettingSpec>,
        fixed: BTreeMap<String, String>,
        validate: Box<Validate>,
    ) -> Self {
        let (stored, _) = watch::channel(Arc::new(BTreeMap::new()));
        Self {
            inner: Arc::new(Inner {
                specs,
                fixed,
                validate,
                stored,
            }),
        }
    }

    fn spec(&self, key: &str) -> Option<&SettingSpec> {
        self.inner.specs.iter().find(|s| s.key == key)
    }

    /// The value in force: environment, else stored, else default.
    pub fn value(&self, key: &str) -> Option<String> {
        let stored = self.inner.stored.borrow();
        effective(&self.inner, &stored, key)
    }

    /// The keys the environment (or the `--config` file) fixes.
    pub fn fixed_keys(&self) -> Vec<String> {
        self.inner.fixed.keys().cloned().collect()
    }

    /// The business's time zone and locale, to write times and money for
    /// people. Values were checked before they were stored; should one not
    /// parse after all, UTC and English stand in.
    pub fn local(&self) -> Local {
        let tz = self.value(TIMEZONE).unwrap_or_else(|| "UTC".to_owned());
        let locale = self.value(LOCALE).unwrap_or_else(|| "en".to_owned());
        Local::parse(&tz, &locale).unwrap_or_else(|_| Local::utc())
    }

    /// `start` with the checkout settings in force now laid over it; with
    /// no settings table (tests of other parts) that is `start` itself.
    pub fn checkout(&self, start: &CheckoutSettings) -> CheckoutSettings {
        let stored = self.inner.stored.borrow();
        let value = |key: &str| effective(&self.inner, &stored, key);
        let (cod, nudge, abandon, later, newer) = (
            value(COD_ENABLED),
            value(NUDGE_AFTER),
            value(ABANDON_AFTER),
            value(RECOVERY_LATER),
            value(ON_NEWER_CART),
        );
        start.overlaid(WrittenCheckout {
            cod_enabled: cod.as_deref(),
            nudge_after: nudge.as_deref(),
            abandon_after: abandon.as_deref(),
            recovery_later: later.as_deref(),
            on_newer_cart: newer.as_deref(),
        })
    }

    /// Whether native WhatsApp order messages are on now.
    pub fn native_messages(&self) -> bool {
        self.value(NATIVE_MESSAGES).as_deref() == Some("on")
    }

    /// Every setting, in the table's order, as the page and the API show it.
    pub fn view(&self) -> Vec<SettingView> {
        let stored = self.inner.stored.borrow().clone();
        self.inner
            .specs
            .iter()
            .map(|spec| {
                let key = spec.key.to_owned();
                let (value, source) = if let Some(v) = self.inner.fixed.get(spec.key) {
                    (Some(v.clone()), Source::Environment)
                } else if let Some(s) = stored.get(spec.key) {
                    (Some(s.value.clone()), Source::Stored)
                } else if let Some(d) = spec.default {
                    (Some(d.to_owned()), Source::Default)
                } else {
                    (None, Source::Unset)
                };
                let fixed_reason = self.refusal(spec.key).map(|e| e.to_string());
                let row = stored.get(spec.key).filter(|_| source == Source::Stored);
                SettingView {
                    set: value.is_some(),
                    value: if spec.secret { None } else { value },
                    source,
                    editable: fixed_reason.is_none(),
                    fixed_reason,
                    default: spec.default.map(str::to_owned),
                    secret: spec.secret,
                    updated_at: row.map(|r| r.updated_at),
                    updated_by: row.map(|r| r.updated_by.clone()),
                    key,
                }
            })
            .collect()
    }

    /// Why `key` cannot be changed here, if it cannot.
    fn refusal(&self, key: &str) -> Option<SettingsError> {
        let key_owned = || key.to_owned();
        match self.spec(key) {
            None => Some(SettingsError::Unknown { key: key_owned() }),
            Some(_) if self.inner.fixed.contains_key(key) => {
                Some(SettingsError::FixedByEnvironment { key: key_owned() })
            }
            Some(spec) if spec.at_start || spec.secret => {
                Some(SettingsError::AtStart { key: key_owned() })
            }
            Some(_) => None,
        }
    }

    /// Rereads the stored values; `true` when they changed.
    ///
    /// # Errors
    /// A store failure; the values in force stay as they were.
    pub async fn reload(&self, store: &dyn Store) -> Result<bool, StoreError> {
        let rows: BTreeMap<String, StoredSetting> = store
            .stored_settings()
            .await?
            .into_iter()
            .map(|s| (s.key.clone(), s))
            .collect();
        Ok(self.inner.stored.send_if_modified(|current| {
            if **current == rows {
                return false;
            }
            *current = Arc::new(rows);
            true
        }))
    }

    /// A receiver that wakes when the values in force change.
    pub fn subscribe(&self) -> watch::Receiver<Arc<BTreeMap<String, StoredSetting>>> {
        self.inner.stored.subscribe()
    }

    /// Changes settings together: a value sets one (trimmed; empty forgets
    /// it, so its default applies again), `None` forgets it. Refused whole,
    /// storing nothing, when a key is unknown, fixed, read only at start,
    /// or the resulting configuration would not parse.
    ///
    /// # Errors
    /// See [`SettingsError`].
    pub async fn update(
        &self,
        store: &dyn Store,
        changes: BTreeMap<String, Option<String>>,
        by: &str,
        at: Timestamp,
    ) -> Result<(), SettingsError> {
        self.update_permitting(store, changes, by, at, &[]).await
    }

    /// [`Settings::update`], also allowing the keys in `permitted` that are
    /// read at start or credentials, unless the environment fixes them: the
    /// first-run setup stores the WhatsApp connection this way (the
    /// credentials are written, never shown back).
    ///
    /// # Errors
    /// See [`SettingsError`].
    pub async fn update_permitting(
        &self,
        store: &dyn Store,
        changes: BTreeMap<String, Option<String>>,
        by: &str,
        at: Timestamp,
        permitted: &[&str],
    ) -> Result<(), SettingsError> {
        let changes: Vec<SettingChange> = changes
            .into_iter()
            .map(|(key, value)| SettingChange {
                value: value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty()),
                key,
            })
            .collect();
        let refused = changes.iter().find_map(|c| match self.refusal(&c.key) {
            Some(SettingsError::AtStart { .. }) if permitted.contains(&c.key.as_str()) => None,
            other => other,
        });
        if let Some(refused) = refused {
            return Err(refused);
        }
        // Validate what would be in force, against what is stored now.
        self.reload(store).await?;
        let mut candidate = (**self.inner.stored.borrow()).clone();
        for c in &changes {
            match &c.value {
                Some(v) => {
                    candidate.insert(
                        c.key.clone(),
                        StoredSetting {
                            key: c.key.clone(),
                            value: v.clone(),
                            updated_at: at,
                            updated_by: by.to_owned(),
                        },
                    );
                }
                None => {
                    candidate.remove(&c.key);
                }
            }
        }
        (self.inner.validate)(&|key| effective(&self.inner, &candidate, key))
            .map_err(SettingsError::Invalid)?;
        store.put_settings(&changes, at, by).await?;
        self.reload(store).await?;
        Ok(())
    }

    /// Reloads every [`RELOAD_EVERY`] until `shutdown` resolves, so changes
    /// made on other instances apply here.
    pub fn spawn_reloader(
        &self,
        store: Arc<dyn Store>,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> tokio::task::JoinHandle<()> {
        let settings = self.clone();
        tokio::spawn(async move {
            let reload = async {
                loop {
                    if let Err(e) = settings.reload(store.as_ref()).await {
                        tracing::debug!(error = %e, "cannot reload settings; keeping the last ones");
                    }
                    tokio::time::sleep(RELOAD_EVERY).await;
                }
            };
            tokio::select! {
                () = reload => {}
                () = shutdown => {}
            }
        })
    }
}

fn effective(inner: &Inner, stored: &BTreeMap<String, StoredSetting>, key: &str) -> Option<String> {
    if let Some(v) = inner.fixed.get(key) {
        return Some(v.clone());
    }
    if let Some(s) = stored.get(key) {
        return Some(s.value.clone());
    }
    inner
        .specs
        .iter()
        .find(|s| s.key == key)
        .and_then(|s| s.default)
        .map(str::to_owned)
}
