//! The storage trait every backend implements, the records it speaks in, and
//! (feature `testkit`) the conformance suite both backends must pass.
//!
//! Methods are whole units of work: each is one transaction inside the
//! backend, so transactions never cross the trait and each backend picks its
//! own locking. Every change to an order appends to the global event log in
//! the same transaction, which is what feeds timelines, the live stream and
//! replay after a reconnect.

mod error;
mod records;
#[cfg(feature = "testkit")]
pub mod testkit;

use async_trait::async_trait;
use orderdesk_domain::{Order, OrderNumber, OrderStatus, StatusChange, TimelineEntry, Timestamp};

pub use error::{StoreError, StoreResult};
pub use records::*;

/// Durable state of one orderdesk installation.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// Applies the backend's embedded migrations (idempotent).
    ///
    /// # Errors
    /// `Unavailable` when the database cannot be reached, `Other` when a migration fails.
    async fn migrate(&self) -> StoreResult<()>;

    /// A cheap round trip, for `/healthz` and start-up checks.
    ///
    /// # Errors
    /// `Unavailable` when the database does not answer.
    async fn ping(&self) -> StoreResult<()>;

    // ---- inbox --------------------------------------------------------------

    /// Stores webhook items durably, all in one transaction (group commit),
    /// deduplicated on `(source, external_id)` by the insert itself. Returns
    /// one [`Recorded`] per input, in input order. When this returns `Ok` the
    /// items survive a crash; the caller may acknowledge the webhook.
    ///
    /// # Errors
    /// Any error means nothing of the batch was stored.
    async fn record_inbound(&self, batch: &[NewInbound]) -> StoreResult<Vec<Recorded>>;

    /// Unprocessed inbox items, oldest (lowest id) first.
    ///
    /// # Errors
    /// `Unavailable` or `Other` on database failure.
    async fn pending_inbound(&self, limit: u32) -> StoreResult<Vec<InboundRecord>>;

    /// Applies what processing decided for each item and marks it processed,
    /// all in one transaction. An item that is already processed is skipped
    /// (so two processors racing cannot apply an item twice). Returns, per
    /// input, the order the outcome created, if any.
    ///
    /// # Errors
    /// Any error means nothing of the batch was applied.
    async fn complete_inbound(
        &self,
        batch: &[(i64, InboundOutcome)],
    ) -> StoreResult<Vec<Option<Order>>>;

    // ---- orders -------------------------------------------------------------

    /// One order.
    ///
    /// # Errors
    /// `NotFound` when there is no such order.
    async fn order(&self, number: OrderNumber) -> StoreResult<Order>;

    /// The order's timeline, oldest first.
    ///
    /// # Errors
    /// `NotFound` when there is no such order.
    async fn timeline(&self, number: OrderNumber) -> StoreResult<Vec<TimelineEntry>>;

    /// A page of orders matching the query, newest (highest number) first.
    ///
    /// # Errors
    /// `Unavailable` or `Other` on database failure.
    async fn list_orders(&self, query: &OrderQuery) -> StoreResult<OrderPage>;

    /// How many orders are in each stage (every stage listed, zeros included).
    ///
    /// # Errors
    /// `Unavailable` or `Other` on database failure.
    async fn status_counts(&self) -> StoreResult<Vec<(OrderStatus, i64)>>;

    /// Applies a planned stage move if the order is still at `expected_version`
    /// and still in `change.from`: updates status, `held_from` and `tracking`,
    /// bumps the version, appends a `status_changed` timeline entry and an
    /// `order.status_changed` event, in one transaction.
    ///
    /// # Errors
    /// `NotFound` for an unknown order; `Conflict` (with the current version)
    /// when someone else changed the order first; nothing changes then.
    async fn change_status(
        &self,
        number: OrderNumber,
        expected_version: i64,
        change: &StatusChange,
        at: Timestamp,
    ) -> StoreResult<Order>;

    // ---- event log ----------------------------------------------------------

    /// Events with `seq > after`, in `seq` order. Never returns an event while
    /// a lower sequence number could still appear (commit order must equal
    /// sequence order), so a reader resuming from the last id it saw misses
    /// nothing.
    ///
    /// # Errors
    /// `Unavailable` or `Other` on database failure.
    async fn events_since(&self, after: i64, limit: u32) -> StoreResult<Vec<StoredEvent>>;

    /// The highest committed event sequence, 0 when the log is empty.
    ///
    /// # Errors
    /// `Unavailable` or `Other` on database failure.
    async fn last_event_seq(&self) -> StoreResult<i64>;

    // ---- staff and integrations --------------------------------------------

    /// # Errors
    /// `Duplicate` when the email (case-insensitive) is taken.
    async fn create_user(&self, user: &NewUser) -> StoreResult<User>;

    /// The user with this email (case-insensitive), with the password hash.
    ///
    /// # Errors
    /// `Unavailable` or `Other` on database failure.
    async fn user_by_email(&self, email: &str) -> StoreResult<Option<UserCredentials>>;

    /// Stores a new API token by the hash of its secret.
    ///
    /// # Errors
    /// `Duplicate` when the name is taken.
    async fn create_token(&self, token: &NewApiToken) -> StoreResult<ApiToken>;

    /// The live token whose secret hashes to `hash`.
    ///
    /// # Errors
    /// `Unavailable` or `Other` on database failure.
    async fn token_by_hash(&self, hash: &str) -> StoreResult<Option<ApiToken>>;

    // ---- catalog ------------------------------------------------------------

    /// Inserts or updates products by `retailer_id`, all or nothing.
    /// Returns how many rows were written.
    ///
    /// # Errors
    /// Any error means no product was written.
    async fn upsert_products(&self, products: &[Product]) -> StoreResult<u64>;

    /// Products with these retailer ids (unknown ids are simply absent).
    ///
    /// # Errors
    /// `Unavailable` or `Other` on database failure.
    async fn products_by_ids(&self, ids: &[String]) -> StoreResult<Vec<Product>>;

    /// The whole catalog, by retailer id.
    ///
    /// # Errors
    /// `Unavailable` or `Other` on database failure.
    async fn products(&self) -> StoreResult<Vec<Product>>;
}
