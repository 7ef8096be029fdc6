//! The storage trait every backend implements, the records it speaks in, and
//! (feature `conformance`) the conformance suite both backends must pass.
//!
//! Methods are whole units of work: each is one transaction inside the
//! backend, so transactions never cross the trait and each backend picks its
//! own locking. Every change to an order appends to the global event log in
//! the same transaction, which is what feeds timelines, the live stream and
//! replay after a reconnect.

#[cfg(feature = "conformance")]
pub mod conformance;
mod conversation;
mod customers;
mod error;
mod lease;
mod ops_status;
mod order_fields;
mod product_tax;
mod records;
mod refunds;
pub mod search;
mod settings;
mod timers;

use std::time::Duration;

use async_trait::async_trait;
use orderdesk_domain::{
    Actor, NewOrder, Order, OrderNumber, OrderStatus, StatusChange, TimelineEntry, Timestamp,
};

pub use conversation::*;
pub use customers::{CustomerQuery, CustomerSummary};
pub use error::{StoreError, StoreResult};
pub use lease::{LeaseHolder, LocalLease, ProcessingLease};
pub use ops_status::{LastError, OpsStatus, RECENT_ROWS};
pub use order_fields::OrderFields;
pub use product_tax::ProductTax;
pub use records::*;
pub use refunds::RefundChange;
pub use settings::{CustomerLanguage, LanguageSource, SettingChange, StoredSetting};
pub use timers::*;

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

    /// How far the schema is migrated and when WhatsApp was last heard
    /// from and sent to, for `orderdesk doctor`.
    ///
    /// # Errors
    /// `Unavailable` or `Other` on database failure.
    async fn ops_status(&self) -> StoreResult<OpsStatus>;

    /// Notes that Meta passed the webhook handshake now (the setup page
    /// shows "webhook received ✓"); only the newest time is kept.
    ///
    /// # Errors
    /// `Unavailable` or `Other` on database failure.
    async fn record_webhook_verified(&self, at: Timestamp) -> StoreResult<()>;

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

    /// Most inbox items one [`Store::apply_inbound`] transaction should
    /// carry; the processor cuts a bigger batch into parts of this size,
    /// each applied whole. A store whose one writer also acknowledges
    /// webhooks (SQLite) keeps it small, so an acknowledgement never waits
    /// long behind processing. Unbounded by default.
    fn apply_limit(&self) -> usize {
        usize::MAX
    }

    /// Applies what processing decided for each item and marks it processed,
    /// all in one transaction; see [`Store::apply_inbound`].
    /// Returns, per input, the order the outcome created or updated, if any
    /// (`None` too for an item left pending by a conflict).
    ///
    /// # Errors
    /// Any error means nothing of the batch was applied.
    async fn complete_inbound(
        &self,
        batch: &[(i64, InboundOutcome)],
    ) -> StoreResult<Vec<Option<Order>>> {
        Ok(self
            .apply_inbound(batch)
            .await?
            .into_iter()
            .map(InboundResult::into_order)
            .collect())
    }

    /// Applies what processing decided for each item and marks it processed,
    /// all in one transaction, in input order. An item that is already
    /// processed (or repeated in the batch, or unknown) is skipped, so two
    /// processors racing cannot apply an item twice.
    ///
    /// An item whose order moved on since it was decided
    /// ([`InboundOutcome::MessageAndUpdate`] at a stale version) is not
    /// applied at all and stays pending, and so are the later items of the
    /// same customer in the batch (a customer's items apply in arrival
    /// order); the rest of the batch still applies. The processor decides
    /// those items again on its next read of the inbox. Returns one
    /// [`InboundResult`] per input, in input order.
    ///
    /// # Errors
    /// `NotFound` when an update names an unknown order; any error means
    /// nothing of the batch was applied.
    async fn apply_inbound(
        &self,
        batch: &[(i64, InboundOutcome)],
    ) -> StoreResult<Vec<InboundResult>>;

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
    /// `order.status_changed` event, in one transaction. The same as
    /// [`Store::update_order`] with only `status_change` set.
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
    ) -> StoreResult<Order> {
        let update = OrderUpdate {
            status_change: Some(change.clone()),
            ..OrderUpdate::default()
        };
        self.update_order(number, expected_version, &update, at)
            .await
    }

    /// Applies every change of `update` to the order if it is still at
    /// `expected_version` (and, with a `status_change`, still in its `from`
    /// stage), in one transaction:
    ///
    /// - sets each given field; a stage move updates status, `held_from`,
    ///   `tracking` and the stage counts as [`Store::change_status`] does;
    /// - appends `update.timeline`, then the move's `status_changed` entry;
    /// - a given address becomes the customer's `last_address`;
    /// - queues `update.outbound` (state `queued`), drops the order's timers
    ///   of the kinds in `cancel_timers`, then sets `update.timers`;
    /// - when the order itself changes ([`OrderUpdate::touches_order`]):
    ///   bumps the version, sets `updated_at` to `at`, and appends one event
    ///   whose data is the order afterwards: `order.status_changed` for a
    ///   stage move, else `payment.updated` when the payment status or
    ///   method changed, else `order.updated`. An update of only messages
    ///   and timers leaves the order, its version and the event log alone
    ///   (a queued message is announced when it is sent).
    ///
    /// # Errors
    /// `NotFound` for an unknown order; `Conflict` (with the current version)
    /// when someone else changed the order first or it left `change.from`;
    /// nothing changes then.
    async fn update_order(
        &self,
        number: OrderNumber,
        expected_version: i64,
        update: &OrderUpdate,
        at: Timestamp,
    ) -> StoreResult<Order>;

    /// Open orders of a customer, newest first: `placed` or `abandoned`
    /// (their checkout can still move), whose customer `user_id` or `wa_id`
    /// is `key`.
    ///
    /// # Errors
    /// `Unavailable` or `Other` on database failure.
    async fn open_orders_for_customer(&self, key: &str) -> StoreResult<Vec<Order>>;

    /// [`Store::open_orders_for_customer`] of several customers at once
    /// (each order once, newest first): one read for a batch's new carts.
    ///
    /// # Errors
    /// `Unavailable` or `Other` on database failure.
    async fn open_orders_for_customers(&self, keys: &[String]) -> StoreResult<Vec<Order>>;

    /// The customer's newest order whatever its stage (whose customer
    /// `user_id` or `wa_id` is `key`): where their chat belongs once no
    /// checkout is open.
    ///
    /// # Errors
    /// `Unavailable` or `Other` on database failure.
    async fn latest_order_for_customer(&self, key: &str) -> StoreResult<Option<Order>>;

    /// What the store remembers about the customer keyed `key`.
    ///
    /// # Errors
    /// `Unavailable` or `Other` on database failure.
    async fn customer(&self, key: &str) -> StoreResult<Option<CustomerRecord>>;

    /// Applies staff's changes to an order's lines, money, tags and
    /// assignee together with `update` (which must carry the timeline entry
    /// saying what changed), at `expected_version`, in one transaction, as
    /// [`Store::update_order`] does: the version is bumped and one event
    /// carries the order afterwards.
    ///
    /// # Errors
    /// `NotFound`; `Conflict` when the order moved on; `Other` for fields
    /// without a timeline entry. Nothing changes then.
    async fn edit_order(
        &self,
        number: OrderNumber,
        expected_version: i64,
        fields: &OrderFields,
        update: &OrderUpdate,
        at: Timestamp,
    ) -> StoreResult<Order>;

    /// Creates an order staff took for a customer: as a cart would make it
    /// (`order.created`, its `created` entry naming `creator`), then, in
    /// the same transaction, `update` (a note, notices, its first messages,
    /// which default to the new order's number) and `timers` on it. Unlike a
    /// cart it does not open the customer's 24-hour window.
    ///
    /// # Errors
    /// `Unavailable` or `Other`; nothing is created then.
    async fn create_staff_order(
        &self,
        new: &NewOrder,
        creator: &Actor,
        update: &OrderUpdate,
        timers: &[(TimerKind, Timestamp)],
    ) -> StoreResult<Order>;

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

    /// Orders per stage among those matching `query`'s filters and search
    /// (its stage, limit and cursor ignored), every stage listed.
    ///
    /// # Errors
    /// `Unavailable` or `Other` on database failure.
    async fn count_orders(&self, query: &OrderQuery) -> StoreResult<Vec<(OrderStatus, i64)>>;

    // ---- chat and outbox ----------------------------------------------------

    /// Queues messages that belong to no order change (a staff reply, an
    /// answer to a customer without an open order), created at `at`, in one
    /// transaction. Returns them as the chat thread shows them.
    ///
    /// # Errors
    /// `Other` when a message names an unknown order; nothing is queued then.
    async fn queue_outbound(
        &self,
        messages: &[NewOutbound],
        at: Timestamp,
    ) -> StoreResult<Vec<ChatMessage>>;

    /// Claims up to `limit` outbound messages due for sending, oldest first:
    /// `queued` ones whose `not_before` has come, and `sending` ones whose
    /// lease ran out (the sender died between claiming and recording). Only
    /// the oldest unfinished (`queued` or `sending`) message of each
    /// customer can be claimed, so one customer's messages go out in order.
    /// Claimed messages are `sending`, leased until `now + lease`, with one
    /// more attempt counted. Concurrent claimers never get the same message.
    ///
    /// # Errors
    /// `Unavailable` or `Other` on database failure; nothing is claimed then.
    async fn claim_outbox(
        &self,
        now: Timestamp,
        lease: Duration,
        limit: u32,
    ) -> StoreResult<Vec<OutboxItem>>;

    /// Records that a claimed message was accepted by WhatsApp as `wamid`:
    /// state `sent`, sent at `at`, and a `message.sent` event. A message
    /// already further along (sent twice after a lease ran out) is returned
    /// as it is, unchanged.
    ///
    /// # Errors
    /// `NotFound` for an unknown message; `Duplicate` when another message
    /// has this `wamid`.
    async fn outbox_sent(&self, id: i64, wamid: &str, at: Timestamp) -> StoreResult<ChatMessage>;

    /// Replaces the text the chat thread shows for an outbound message
    /// that is not sent yet, with the text as it goes out: a message queued
    /// before its order had a number is completed only at send time, and
    /// staff must see exactly what the customer got. A message already
    /// sent keeps its text.
    ///
    /// # Errors
    /// `NotFound` for an unknown outbound message.
    async fn outbound_text(&self, id: i64, text: &str) -> StoreResult<()>;

    /// Puts a claimed message back in the queue after a passing failure, to
    /// be tried again from `not_before`, keeping `error`. A message no longer
    /// `queued` or `sending` is left alone.
    ///
    /// # Errors
    /// `NotFound` for an unknown message.
    async fn outbox_retry(&self, id: i64, not_before: Timestamp, error: &str) -> StoreResult<()>;

    /// Records that a message cannot be sent: state `failed` with `error`, a
    /// `notice` timeline entry on its order ("message could not be sent: …")
    /// and a `message.status` event. A message no longer `queued` or
    /// `sending` is returned as it is, unchanged.
    ///
    /// # Errors
    /// `NotFound` for an unknown message.
    async fn outbox_failed(&self, id: i64, error: &str, at: Timestamp) -> StoreResult<ChatMessage>;

    /// Applies a delivery status from a webhook to the message sent as
    /// `wamid`, if it moves it on (see [`MessageState::advances_to`]):
    /// statuses arrive out of order and repeated, and a later state is never
    /// undone by an earlier one. A change appends a `message.status` event
    /// (and, for `failed`, a `notice` on the order) and returns the message;
    /// a repeated, older or unknown status changes nothing and returns `None`.
    ///
    /// # Errors
    /// `Unavailable` or `Other` on database failure.
    async fn message_status(
        &self,
        wamid: &str,
        state: MessageState,
        at: Timestamp,
        error: Option<&str>,
    ) -> StoreResult<Option<ChatMessage>>;

    /// The order's chat messages, both ways, oldest first (empty for an
    /// unknown order).
    ///
    /// # Errors
    /// `Unavailable` or `Other` on database failure.
    async fn messages_for_order(&self, number: OrderNumber) -> StoreResult<Vec<ChatMessage>>;

    /// The customer's latest `limit` chat messages, both ways, oldest first.
    ///
    /// # Errors
    /// `Unavailable` or `Other` on database failure.
    async fn messages_for_customer(&self, key: &str, limit: u32) -> StoreResult<Vec<ChatMessage>>;

    // ---- scheduled work -----------------------------------------------------

    /// Claims up to `limit` timers due at `now`, earliest first, leased until
    /// `now + lease`: a timer is handed to one claimer at a time, and only
    /// handed out again when its lease runs out uncompleted.
    ///
    /// # Errors
    /// `Unavailable` or `Other` on database failure; nothing is claimed then.
    async fn claim_due_timers(
        &self,
        now: Timestamp,
        lease: Duration,
        limit: u32,
    ) -> StoreResult<Vec<Timer>>;

    /// Removes a timer that has run. A timer set again since it was claimed has
    /// a new id and stays; an unknown id is not an error.
    ///
    /// # Errors
    /// `Unavailable` or `Other` on database failure.
    async fn complete_timer(&self, id: i64) -> StoreResult<()>;

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

    /// Retention: deletes the log's oldest events, from its start up to (not
    /// including) the first event at or after `before`, and remembers the
    /// highest sequence number deleted (see
    /// [`Store::events_pruned_through`]). Sequence numbers are never reused.
    ///
    /// # Errors
    /// `Unavailable` or `Other` on database failure; nothing is deleted then.
    async fn prune_events(&self, before: Timestamp) -> StoreResult<PrunedEvents>;

    /// The highest event sequence number ever pruned (0 if none): a reader
    /// resuming from below it has missed events it can no longer get.
    ///
    /// # Errors
    /// `Unavailable` or `Other` on database failure.
    async fn events_pruned_through(&self) -> StoreResult<i64>;

    // ---- several instances on one database ---------------------------------

    /// Calls `on_change` whenever the log may have grown or outbound work may
    /// have been queued by any process sharing this database, so each
    /// instance can wake its event streams and dispatcher. A wake-up is only
    /// a hint ("look again"): readers still read the stored log, so a lost
    /// one costs latency, never an event. Runs until the future is dropped,
    /// riding out lost connections (and calling `on_change` once after each
    /// reconnect, since wake-ups may have been missed meanwhile). A backend
    /// only one process writes to has nothing to watch and returns at once.
    ///
    /// # Errors
    /// Only when watching cannot start at all; passing failures are retried.
    async fn watch_changes(&self, on_change: &(dyn Fn() + Send + Sync)) -> StoreResult<()> {
        self.watch_instances(on_change, &|| {}).await
    }

    /// [`Store::watch_changes`], and also calls `on_inbox` whenever any
    /// process sharing this database stored new inbox items, so the
    /// instance holding the processing lease starts on them at once instead
    /// of at its next poll (a hint too, called once after each
    /// (re)subscription). One watch for both, so an instance spends one
    /// connection on it. Returns at once for a backend only one process
    /// writes to, whose writer wakes its processor directly.
    ///
    /// # Errors
    /// As [`Store::watch_changes`].
    async fn watch_instances(
        &self,
        on_change: &(dyn Fn() + Send + Sync),
        on_inbox: &(dyn Fn() + Send + Sync),
    ) -> StoreResult<()> {
        let _ = (on_change, on_inbox);
        Ok(())
    }

    /// The processing lease ([`ProcessingLease`]) if no other processor
    /// holds it, else `None` (ask again later). Handed over on failure: a
    /// holder that dies loses it without having to release it.
    ///
    /// # Errors
    /// `Unavailable` when the database cannot be reached.
    async fn try_processing_lease(&self) -> StoreResult<Option<ProcessingLease>>;

    /// Reserves `count` consecutive send slots `interval` apart on the rate
    /// limit named `key` (the business number), shared by every process on
    /// this database, and returns how long to wait until the first one: the
    /// `k`-th reserved message may go `k × interval` after that. Slots never
    /// come closer than `interval`, whoever reserves them; an idle limit
    /// starts again from the database's clock. `None` when the backend has
    /// no shared limit (one process writes; pace in process).
    ///
    /// # Errors
    /// `Unavailable` or `Other` on database failure; nothing is reserved then.
    async fn reserve_send_slots(
        &self,
        key: &str,
        count: u32,
        interval: Duration,
    ) -> StoreResult<Option<Duration>> {
        let _ = (key, count, interval);
        Ok(None)
    }

    /// [`Store::migrate`], unless another migration of this database is
    /// running right now: then nothing is done and the answer is `false`.
    /// (`migrate` itself waits for the other one and then finds nothing to do.)
    ///
    /// # Errors
    /// As [`Store::migrate`].
    async fn migrate_unless_busy(&self) -> StoreResult<bool> {
        self.migrate().await.map(|()| true)
    }

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

    /// Every staff user, oldest first.
    ///
    /// # Errors
    /// `Unavailable` or `Other` on database failure.
    async fn users(&self) -> StoreResult<Vec<User>>;

    /// Removes a staff user and ends all their sessions.
    ///
    /// # Errors
    /// `NotFound` when there is no such user.
    async fn delete_user(&self, id: i64) -> StoreResult<()>;

    /// Gives a staff user another role. Refused with `Ok(false)`, changing
    /// nothing, when it would leave no owner (the last owner cannot be
    /// demoted, so someone can always manage users); checked in the same
    /// transaction as the change, so two owners demoting each other at
    /// once cannot both succeed.
    ///
    /// # Errors
    /// `NotFound` when there is no such user.
    async fn set_user_role(&self, id: i64, role: Role) -> StoreResult<bool>;

    /// Replaces a staff user's password hash and ends all their sessions
    /// (a reset password must not leave an old login open).
    ///
    /// # Errors
    /// `NotFound` when there is no such user.
    async fn set_user_password(&self, id: i64, password_hash: &str) -> StoreResult<()>;

    /// Every live (not revoked) API token, oldest first.
    ///
    /// # Errors
    /// `Unavailable` or `Other` on database failure.
    async fn tokens(&self) -> StoreResult<Vec<ApiToken>>;

    /// Revokes a token at `at`: it no longer authenticates and is no longer
    /// listed. Its name stays taken.
    ///
    /// # Errors
    /// `NotFound` when there is no such live token.
    async fn revoke_token(&self, id: i64, at: Timestamp) -> StoreResult<()>;

    // ---- dashboard sessions -------------------------------------------------

    /// Stores a new session, and drops sessions expired by its `created_at`.
    ///
    /// # Errors
    /// `Duplicate` when the id hash is taken; `Other` for an unknown user.
    async fn create_session(&self, session: &NewSession) -> StoreResult<()>;

    /// The session whose id hashes to `id_hash`, if it exists and has not
    /// expired at `now`.
    ///
    /// # Errors
    /// `Unavailable` or `Other` on database failure.
    async fn session(&self, id_hash: &str, now: Timestamp) -> StoreResult<Option<Session>>;

    /// Ends a session (logout); an unknown one is not an error.
    ///
    /// # Errors
    /// `Unavailable` or `Other` on database failure.
    async fn delete_session(&self, id_hash: &str) -> StoreResult<()>;

    // ---- message templates --------------------------------------------------

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

    /// Sets the keywords (other names customers use, `|`-separated, `""`
    /// for none) of these products, by retailer id, in one transaction.
    ///
    /// # Errors
    /// `NotFound` if a product does not exist (nothing is changed), or
    /// `Unavailable`/`Other` on database failure.
    async fn set_product_keywords(&self, keywords: &[(String, String)]) -> StoreResult<()>;

    /// (retailer id, keywords) of every product that has keywords.
    ///
    /// # Errors
    /// `Unavailable` or `Other` on database failure.
    async fn product_keywords(&self) -> StoreResult<Vec<(String, String)>>;

    /// Sets the tax details (HSN code and rate, see [`ProductTax`]) of
    /// these products, by retailer id, in one transaction.
    ///
    /// # Errors
    /// `NotFound` if a product does not exist (nothing is changed), or
    /// `Unavailable`/`Other` on database failure.
    async fn set_product_taxes(&self, taxes: &[ProductTax]) -> StoreResult<()>;

    /// The tax details of every product that has an HSN code or its own
    /// rate, by retailer id.
    ///
    /// # Errors
    /// `Unavailable` or `Other` on database failure.
    async fn product_taxes(&self) -> StoreResult<Vec<ProductTax>>;
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

    // ---- conversations ------------------------------------------------------

    /// A page of conversations (one per customer), needing a reply first,
    /// then the newest message first. Every transaction that stores a
    /// message keeps its customer's conversation and appends a
    /// `conversation.updated` event with it.
    ///
    /// # Errors
    /// `Unavailable` or `Other` on database failure.
    async fn list_conversations(&self, query: &ConversationQuery) -> StoreResult<ConversationPage>;

    /// The conversation of the customer keyed `key`, or whose `wa_id` is `key`.
    ///
    /// # Errors
    /// `Unavailable` or `Other` on database failure.
    async fn conversation(&self, key: &str) -> StoreResult<Option<Conversation>>;

    /// Marks every message of the conversation read at `at` (unread 0) and
    /// returns the newest customer message read by this call, for the read
    /// receipt. A second call finds nothing unread, changes nothing and
    /// appends no event.
    ///
    /// # Errors
    /// `NotFound` when there is no such conversation.
    async fn mark_conversation_read(&self, key: &str, at: Timestamp) -> StoreResult<MarkedRead>;

    /// Applies staff's change to a conversation (assignee, done, handover)
    /// and appends a `conversation.updated` event when anything changed.
    ///
    /// # Errors
    /// `NotFound` when there is no such conversation.
    async fn update_conversation(
        &self,
        key: &str,
        change: &ConversationChange,
        at: Timestamp,
    ) -> StoreResult<Conversation>;
    // ---- payments ledger ----------------------------------------------------

    /// Payment events (see [`OrderUpdate::ledger`]) at or after `from` and
    /// before `to`, oldest first.
    ///
    /// # Errors
    /// `Unavailable` or `Other` on database failure.
    async fn payment_events(
        &self,
        from: Timestamp,
        to: Timestamp,
    ) -> StoreResult<Vec<orderdesk_domain::LedgerEntry>>;

    /// One order's payment events, oldest first.
    ///
    /// # Errors
    /// `Unavailable` or `Other` on database failure.
    async fn order_payment_events(
        &self,
        number: OrderNumber,
    ) -> StoreResult<Vec<orderdesk_domain::LedgerEntry>>;

    /// Orders whose payment needs a person: flagged for review, or cash on
    /// delivery not recorded yet (and not ended undelivered), oldest first,
    /// at most 500.
    ///
    /// # Errors
    /// `Unavailable` or `Other` on database failure.
    async fn payment_attention(&self) -> StoreResult<Vec<Order>>;
    // ---- the business's settings (issue #17) ------------------------------

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

    // ---- customers' languages (issue #19) ------------------------------------

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

    // ---- invoices -------------------------------------------------------------

    /// The prefixes of invoice and credit note numbers issued from now on
    /// (`INV-`, `CN-` until set); numbers already issued keep theirs.
    ///
    /// # Errors
    /// `Unavailable` or `Other` on database failure.
    async fn set_document_prefixes(&self, invoice: &str, credit_note: &str) -> StoreResult<()>;

    // ---- insights -------------------------------------------------------------

    /// The daily rollups' counters summed over the local days `from..=to`
    /// (inclusive), by metric name (see `orderdesk_domain::stats::facts`).
    ///
    /// # Errors
    /// `Unavailable` or `Other` on database failure.
    async fn stat_totals(
        &self,
        from: chrono::NaiveDate,
        to: chrono::NaiveDate,
    ) -> StoreResult<Vec<(String, i64)>>;

    /// The counters named `metrics` of each local day `from..=to`, by day.
    ///
    /// # Errors
    /// `Unavailable` or `Other` on database failure.
    async fn stat_days(
        &self,
        from: chrono::NaiveDate,
        to: chrono::NaiveDate,
        metrics: &[&str],
    ) -> StoreResult<Vec<(chrono::NaiveDate, String, i64)>>;

    /// The time zone the rollups are kept in; `None` until the first
    /// [`Store::rebuild_stats`] (nothing is counted live before it).
    ///
    /// # Errors
    /// `Unavailable` or `Other` on database failure.
    async fn stats_zone(&self) -> StoreResult<Option<String>>;

    /// Recomputes every rollup from the stored history (orders, timelines,
    /// the payments ledger) by local day in `time_zone`, in one
    /// transaction, and keeps them in that zone from then on.
    ///
    /// # Errors
    /// `Unavailable` or `Other` on database failure; nothing changes then.
    async fn rebuild_stats(&self, time_zone: &str) -> StoreResult<()>;
}

/// What [`Store::prune_events`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PrunedEvents {
    /// Events deleted now.
    pub deleted: u64,
    /// The highest sequence number pruned so far (0 if none).
    pub through: i64,
}

/// A `LIKE` pattern matching `text` anywhere, with `%`, `_` and the escape
/// character `\` in it matching literally (use with `ESCAPE '\'`). Shared
/// by both backends so search behaves the same on each.
pub fn like_pattern(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

#[cfg(test)]
mod tests {
    use super::like_pattern;

    #[test]
    fn like_patterns_match_wildcards_literally() {
        assert_eq!(like_pattern("asha"), "%asha%");
        assert_eq!(like_pattern("100%_a\\b"), "%100\\%\\_a\\\\b%");
    }
}
