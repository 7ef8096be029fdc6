//! The [`OrderStore`] part of [`crate::Store`].

use async_trait::async_trait;
use orderdesk_domain::{
    Actor, NewOrder, Order, OrderNumber, OrderStatus, StatusChange, TimelineEntry, Timestamp,
};

use crate::{OrderCounts, OrderFields, OrderPage, OrderQuery, OrderUpdate, StoreResult, TimerKind};

/// Orders: reading them, listing and counting them, and changing them (stage moves, updates, staff edits, orders staff create).
#[async_trait]
pub trait OrderStore: Send + Sync {
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
    /// [`OrderStore::update_order`] with only `status_change` set.
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
    ///   `tracking` and the stage counts as [`OrderStore::change_status`] does;
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

    /// [`OrderStore::open_orders_for_customer`] of several customers at once
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

    /// Applies staff's changes to an order's lines, money, tags and
    /// assignee together with `update` (which must carry the timeline entry
    /// saying what changed), at `expected_version`, in one transaction, as
    /// [`OrderStore::update_order`] does: the version is bumped and one event
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

    /// Orders per stage among those matching `query`'s filters and search
    /// (its stage, limit and cursor ignored), every stage listed; counting
    /// stops after [`crate::search::COUNT_CAP`] orders (then not `exact`).
    ///
    /// # Errors
    /// `Unavailable` or `Other` on database failure.
    async fn count_orders(&self, query: &OrderQuery) -> StoreResult<OrderCounts>;
}
