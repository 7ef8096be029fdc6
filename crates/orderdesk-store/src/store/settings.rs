//! The [`SettingsStore`] part of [`crate::Store`].

use async_trait::async_trait;
use orderdesk_domain::Timestamp;

use crate::{MessageTemplate, SettingChange, StoreResult, StoredSetting};

/// The business's settings and its customer-text (template) overrides.
#[async_trait]
pub trait SettingsStore: Send + Sync {
    /// Every stored template override, by key then language.
    ///
    /// # Errors
    /// `Unavailable` or `Other` on database failure.
    async fn message_templates(&self) -> StoreResult<Vec<MessageTemplate>>;

    /// Inserts or replaces the override for `(key, language)`.
    ///
    /// # Errors
    /// `Unavailable` or `Other` on database failure.
    async fn put_message_template(&self, template: &MessageTemplate) -> StoreResult<()>;

    /// The settings staff changed, by key.
    ///
    /// # Errors
    /// `Unavailable` or `Other` on database failure.
    async fn stored_settings(&self) -> StoreResult<Vec<StoredSetting>>;

    /// Applies these changes in one transaction: `Some` sets a key,
    /// `None` forgets it.
    ///
    /// # Errors
    /// `Unavailable` or `Other` on database failure; nothing is changed then.
    async fn put_settings(
        &self,
        changes: &[SettingChange],
        at: Timestamp,
        by: &str,
    ) -> StoreResult<()>;
}
