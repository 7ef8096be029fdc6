//! The [`CustomerStore`] part of [`crate::Store`].

use async_trait::async_trait;
use orderdesk_domain::{Order, Timestamp};

use crate::{
    CustomerLanguage, CustomerQuery, CustomerRecord, CustomerSummary, LanguageSource, StoreResult,
    TypedDraft,
};

/// Customers: what the store remembers about them, blocking, their languages and their typed drafts.
#[async_trait]
pub trait CustomerStore: Send + Sync {
    /// What the store remembers about the customer keyed `key`.
    ///
    /// # Errors
    /// `Unavailable` or `Other` on database failure.
    async fn customer(&self, key: &str) -> StoreResult<Option<CustomerRecord>>;

    /// The customer with this phone number who wrote last, if any.
    ///
    /// # Errors
    /// `Unavailable` or `Other` on database failure.
    async fn customer_by_wa_id(&self, wa_id: &str) -> StoreResult<Option<CustomerRecord>>;

    /// A page of customers (one per phone number), who wrote last first,
    /// matching `query.q` in their name or phone number.
    ///
    /// # Errors
    /// `Unavailable` or `Other` on database failure.
    async fn customers(&self, query: &CustomerQuery) -> StoreResult<Vec<CustomerSummary>>;

    /// The customer with this phone number, if the store knows them.
    ///
    /// # Errors
    /// `Unavailable` or `Other` on database failure.
    async fn customer_summary(&self, wa_id: &str) -> StoreResult<Option<CustomerSummary>>;

    /// The newest `limit` orders of the customer with this phone number.
    ///
    /// # Errors
    /// `Unavailable` or `Other` on database failure.
    async fn customer_orders(&self, wa_id: &str, limit: u32) -> StoreResult<Vec<Order>>;

    /// Blocks (`Some((when, by whom))`) or unblocks (`None`) the customer
    /// with this phone number; doing it twice changes nothing more.
    ///
    /// # Errors
    /// `NotFound` when no customer has this phone number; nothing changes.
    async fn set_customer_blocked(
        &self,
        wa_id: &str,
        blocked: Option<(Timestamp, String)>,
    ) -> StoreResult<()>;

    /// Which of these customer keys or phone numbers belong to a blocked
    /// customer (a `user_id` key counts when its phone is blocked).
    ///
    /// # Errors
    /// `Unavailable` or `Other` on database failure.
    async fn blocked_customers(&self, keys: &[String]) -> StoreResult<Vec<String>>;

    /// Keeps `draft` as its customer's typed draft, replacing any earlier
    /// one (a customer has one draft at a time: the latest they typed).
    ///
    /// # Errors
    /// `Unavailable` or `Other` on database failure.
    async fn save_typed_draft(&self, draft: &TypedDraft) -> StoreResult<()>;

    /// The customer's typed draft, if they have one.
    ///
    /// # Errors
    /// `Unavailable` or `Other` on database failure.
    async fn typed_draft(&self, customer_key: &str) -> StoreResult<Option<TypedDraft>>;

    /// The language stored for the customer keyed `customer_key`, if any.
    ///
    /// # Errors
    /// `Unavailable` or `Other` on database failure.
    async fn customer_language(&self, customer_key: &str) -> StoreResult<Option<CustomerLanguage>>;

    /// The languages stored for any of these customer keys (keys without
    /// one are left out), in one read for a whole processing batch.
    ///
    /// # Errors
    /// `Unavailable` or `Other` on database failure.
    async fn customer_languages(&self, keys: &[String]) -> StoreResult<Vec<CustomerLanguage>>;

    /// Stores a customer's language. A [`LanguageSource::Detected`] one is
    /// stored only when none is (the first guess stays; staff's choice is
    /// never replaced by a guess); a [`LanguageSource::Staff`] one replaces
    /// whatever is stored, and `None` forgets it (the next message is
    /// guessed again). Returns what is stored afterwards.
    ///
    /// # Errors
    /// `Unavailable` or `Other` on database failure; nothing is changed then.
    async fn set_customer_language(
        &self,
        customer_key: &str,
        language: Option<&str>,
        source: LanguageSource,
        at: Timestamp,
    ) -> StoreResult<Option<CustomerLanguage>>;
}
