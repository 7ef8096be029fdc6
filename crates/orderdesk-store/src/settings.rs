//! The settings a business changed in the dashboard, as stored.
//!
//! Only what staff changed is stored; everything else comes from the
//! environment or its default (the layering lives in `orderdesk-engine`'s
//! `settings` module). Keys are the environment variables' names
//! (`ORDERDESK_TIMEZONE`), so one name means one setting everywhere.

use orderdesk_domain::Timestamp;
use serde::{Deserialize, Serialize};

/// One stored setting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredSetting {
    /// The setting's environment-variable name, e.g. `ORDERDESK_TIMEZONE`.
    pub key: String,
    /// The value as a user would write it in the environment.
    pub value: String,
    pub updated_at: Timestamp,
    /// Who changed it last (`staff:EMAIL`, `token:NAME`).
    pub updated_by: String,
}

/// One change of [`crate::SettingsStore::put_settings`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingChange {
    pub key: String,
    /// `Some`: the new value; `None`: forget the stored value, so the
    /// default applies again.
    pub value: Option<String>,
}

/// Who chose a customer's language (issue #19).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LanguageSource {
    /// Guessed from their first message we could read; only ever stored
    /// when nothing is, so the first guess stays.
    Detected,
    /// Set by staff; replaces anything, and a guess never replaces it.
    Staff,
}

impl LanguageSource {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Detected => "detected",
            Self::Staff => "staff",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "detected" => Some(Self::Detected),
            "staff" => Some(Self::Staff),
            _ => None,
        }
    }
}

/// The language a customer gets their texts in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerLanguage {
    /// The customer's key (`user_id` or `wa_id`).
    pub customer_key: String,
    /// A language code as the texts are stored under (`hi`, `pt_BR`).
    pub language: String,
    pub source: LanguageSource,
    pub updated_at: Timestamp,
}
