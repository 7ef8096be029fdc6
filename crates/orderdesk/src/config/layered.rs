//! Settings stored in the database (`/settings`, `PUT /api/v1/settings`),
//! layered under the environment: environment or `--config` file (fixed)
//! > stored > default.
//!
//! The one table ([`SETTINGS`]) drives everything: each row becomes an
//! [`orderdesk_engine::settings::SettingSpec`], and a candidate change is
//! checked by parsing the whole configuration exactly as start-up does, so a
//! value that would stop the next start is refused before it is stored.

use std::collections::BTreeMap;
use std::sync::Arc;

use orderdesk_engine::settings::{SettingSpec, Settings};
use orderdesk_store::Store;

use super::{Config, Sources, SETTINGS};

/// Where a stored value came from, in error messages.
const STORED: &str = "the dashboard's settings";

/// The values the environment and the file give, by key, with where each
/// came from: the fixed layer.
pub(super) type Fixed = BTreeMap<&'static str, (String, String)>;

impl Config {
    /// This configuration with the stored settings layered under its fixed
    /// values (environment, file).
    ///
    /// # Errors
    /// One line naming a stored value that does not parse.
    pub fn with_stored(&self, stored: &BTreeMap<String, String>) -> anyhow::Result<Self> {
        let mut values = (*self.fixed).clone();
        for setting in SETTINGS {
            if values.contains_key(setting.env) {
                continue;
            }
            if let Some(v) = stored.get(setting.env) {
                values.insert(setting.env, (v.clone(), STORED.to_owned()));
            }
        }
        let mut config = Self::from_values(&Sources { values })?;
        config.fixed = self.fixed.clone();
        Ok(config)
    }

    /// The live settings handle for the engine: the table, the fixed
    /// layer, and a check that parses a candidate whole.
    pub fn live_settings(&self) -> Settings {
        let specs = SETTINGS
            .iter()
            .map(|s| SettingSpec {
                key: s.env,
                default: s.default,
                at_start: s.at_start,
                secret: s.secret,
            })
            .collect();
        let fixed = self
            .fixed
            .iter()
            .filter(|(_, (v, _))| !v.trim().is_empty())
            .map(|(k, (v, _))| ((*k).to_owned(), v.trim().to_owned()))
            .collect();
        let origins: Arc<Fixed> = self.fixed.clone();
        Settings::new(
            specs,
            fixed,
            Box::new(move |lookup| {
                let values = SETTINGS
                    .iter()
                    .filter_map(|s| {
                        let origin = origins.get(s.env).map_or(STORED, |(_, from)| from.as_str());
                        lookup(s.env).map(|v| (s.env, (v, origin.to_owned())))
                    })
                    .collect();
                Config::from_values(&Sources { values })
                    .map(|_| ())
                    .map_err(|e| format!("{e:#}"))
            }),
        )
    }

    /// Reads the stored settings and layers them in; a stored value that no
    /// longer parses (written by another version) is logged and skipped
    /// whole, so the server still starts on its environment.
    ///
    /// # Errors
    /// The store cannot be read.
    pub async fn with_store(&self, store: &dyn Store) -> anyhow::Result<Self> {
        let stored: BTreeMap<String, String> = store
            .stored_settings()
            .await?
            .into_iter()
            .map(|s| (s.key, s.value))
            .collect();
        match self.with_stored(&stored) {
            Ok(config) => Ok(config),
            Err(e) => {
                tracing::warn!(error = %format!("{e:#}"), "ignoring the stored settings");
                Ok(self.clone())
            }
        }
    }
}
