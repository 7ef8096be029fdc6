//! The pieces write transactions are made of. Each takes the open
//! transaction's connection; what must come last in a transaction
//! (customers, stage counts, events) is collected in [`Effects`].

use std::collections::BTreeMap;

use orderdesk_domain::{
    Actor, Address, EventKind, NewOrder, Order, OrderNumber, OrderStatus, TimelineEntry,
    TimelineKind, Timestamp,
};
use orderdesk_store::{
    ChatMessage, JobKind, MessageState, NewInboundMessage, NewOutbound, OrderUpdate, StoreError,
    StoreResult,
};
use sqlx::SqliteConnection;

use crate::codec::{self, micros, time_text, to_json};
use crate::error::db_err;

/// What a transaction learned about a customer; merged per key and written
/// once, near the end of the transaction.
#[derive(Debug, Default)]
pub(crate) struct CustomerPatch {
    pub wa_id: Option<String>,
    pub user_id: Option<String>,
    pub name: Option<String>,
    pub last_inbound_at: Option<Timestamp>,
    pub last_address: Option<Address>,
}

impl CustomerPatch {
    fn merge(&mut self, later: CustomerPatch) {
        if later.wa_id.is_some() {
            self.wa_id = later.wa_id;
        }
        if later.user_id.is_some() {
            self.user_id = later.user_id;
        }
        if later.name.is_some() {
            self.name = later.name;
        }
        self.last_inbound_at = self.last_inbound_at.max(later.last_inbound_at);
        if later.last_address.is_some() {
            self.last_address = later.last_address;
        }
    }
}

/// Customer rows, event-log rows and stage-count changes a write
/// transaction owes, applied last in the transaction (the same shape as the
/// PostgreSQL backend, where the order matters for locking).
#[derive(Default)]
pub(crate) struct Effects {
    events: Vec<(EventKind, Option<OrderNumber>, serde_json::Value, Timestamp)>,
    counts: BTreeMap<&'static str, i64>,
    customers: BTreeMap<String, CustomerPatch>,
}

impl Effects {
    pub(crate) fn event(
        &mut self,
        kind: EventKind,
        order: &Order,
        at: Timestamp,
    ) -> StoreResult<()> {
        let data = serde_json::to_value(order).map_err(|e| StoreError::Other(e.into()))?;
        self.events.push((kind, Some(order.number), data, at));
        Ok(())
    }

    pub(crate) fn message_event(&mut self, kind: EventKind, message: &ChatMessage, at: Timestamp) {
        self.events
            .push((kind, message.order_number, message.event_data(), at));
    }

    pub(crate) fn count(&mut self, status: OrderStatus, delta: i64) {
        *self.counts.entry(status.as_str()).or_default() += delta;
    }

    pub(crate) fn customer(&mut self, key: &str, patch: CustomerPatch) {
        match self.customers.get_mut(key) {
            Some(known) => known.merge(patch),
            None => {
                self.customers.insert(key.to_owned(), patch);
            }
        }
    }

    pub(crate) async fn apply(self, conn: &mut SqliteConnection) -> StoreResult<()> {
        for (key, c) in self.customers {
            sqlx::query(
                "INSERT INTO customers (key, wa_id, user_id, name, last_inbound_at, last_address) \
                 VALUES (?, ?, ?, ?, ?, ?) \
                 ON CONFLICT (key) DO UPDATE SET \
                 wa_id = COALESCE(excluded.wa_id, customers.wa_id), \
                 user_id = COALESCE(excluded.user_id, customers.user_id), \
                 name = COALESCE(excluded.name, customers.name), \
                 last_inbound_at = CASE WHEN customers.last_inbound_at IS NULL \
                     OR excluded.last_inbound_at > customers.last_inbound_at \
                     THEN excluded.last_inbound_at ELSE customers.last_inbound_at END, \
                 last_address = COALESCE(excluded.last_address, customers.last_address)",
            )
            .bind(&key)
            .bind(c.wa_id.as_deref())
            .bind(c.user_id.as_deref())
            .bind(c.name.as_deref())
            .bind(c.last_inbound_at.map(time_text))
            .bind(c.last_address.as_ref().map(to_json).transpose()?)
            .execute(&mut *conn)
            .await
            .map_err(db_err)?;
        }
        for (status, delta) in self.counts {
            if delta != 0 {
                sqlx::query("UPDATE status_counts SET count = count + ? WHERE status = ?")
                    .bind(delta)
                    .bind(status)
                    .execute(&mut *conn)
                    .await
                    .map_err(db_err)?;
            }
        }
        for (kind, number, data, at) in self.events {
            sqlx::query("INSERT INTO events (kind, order_number, data, at) VALUES (?, ?, ?, ?)")
                .bind(kind.as_str())
                .bind(number.map(|n| n.get()))
                .bind(to_json(&data)?)
                .bind(time_text(at))
                .execute(&mut *conn)
                .await
                .map_err(db_err)?;
        }
        Ok(())
    }
}

/// Inserts the order a cart becomes. Its customer is keyed by the cart's own
/// ids (see `customer_key_of`), so the customer row and the orders found
/// for a key always agree.
pub(crate) async fn create_order(
    conn: &mut SqliteConnection,
    new: &NewOrder,
    effects: &mut Effects,
) -> StoreResult<Order> {
    let number: i64 = sqlx::query_scalar(
        "UPDATE counters SET value = value + 1 WHERE name = 'order_number' RETURNING value - 1",
    )
    .fetch_one(&mut *conn)
    .await
    .map_err(db_err)?;
    let order = new.placed(codec::order_number(number)?, micros(new.created_at));
    let customer_key = orderdesk_store::customer_key_of(&new.customer);
    sqlx::query(
        "INSERT INTO orders (number, status, held_from, payment_status, payment_method, \
         checkout_step, customer_wa_id, customer_user_id, customer_name, items, currency, \
         total_minor, address, note, cart_text, tracking, created_at, updated_at, version, \
         customer_key) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(order.number.get())
    .bind(order.status.as_str())
    .bind(order.held_from.map(|s| s.as_str()))
    .bind(order.payment_status.as_str())
    .bind(order.payment_method.map(|m| m.as_str()))
    .bind(order.checkout_step.as_str())
    .bind(order.customer.wa_id.as_deref())
    .bind(order.customer.user_id.as_deref())
    .bind(order.customer.name.as_deref())
    .bind(to_json(&order.items)?)
    .bind(order.currency.as_str())
    .bind(order.total_minor)
    .bind(order.address.as_ref().map(to_json).transpose()?)
    .bind(order.note.as_deref())
    .bind(order.cart_text.as_deref())
    .bind(order.tracking.as_deref())
    .bind(time_text(order.created_at))
    .bind(time_text(order.updated_at))
    .bind(order.version)
    .bind(customer_key)
    .execute(&mut *conn)
    .await
    .map_err(db_err)?;

    let entry = TimelineEntry::new(order.created_at, TimelineKind::Created, &Actor::Customer);
    insert_timeline(conn, order.number, &entry).await?;
    if let Some(key) = customer_key {
        effects.customer(
            key,
            CustomerPatch {
                wa_id: order.customer.wa_id.clone(),
                user_id: order.customer.user_id.clone(),
                name: order.customer.name.clone(),
                last_inbound_at: Some(order.created_at),
                last_address: None,
            },
        );
    }
    effects.count(order.status, 1);
    effects.event(EventKind::OrderCreated, &order, order.created_at)?;
    Ok(order)
}

pub(crate) async fn insert_timeline(
    conn: &mut SqliteConnection,
    number: OrderNumber,
    entry: &TimelineEntry,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO timeline_entries (order_number, at, kind, actor, actor_name, from_status, \
         to_status, reason, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(number.get())
    .bind(time_text(entry.at))
    .bind(entry.kind.as_str())
    .bind(&entry.actor)
    .bind(entry.actor_name.as_deref())
    .bind(entry.from_status.map(|s| s.as_str()))
    .bind(entry.to_status.map(|s| s.as_str()))
    .bind(entry.reason.as_deref())
    .bind(entry.detail.as_deref())
    .execute(&mut *conn)
    .await
    .map_err(db_err)?;
    Ok(())
}

/// An order as stored, with the key of its customer.
pub(crate) struct Locked {
    pub order: Order,
    pub customer_key: Option<String>,
}

/// Reads the order an update is about. (The transaction already holds
/// SQLite's write lock, so nothing can change it before the commit.)
pub(crate) async fn lock_order(
    conn: &mut SqliteConnection,
    number: OrderNumber,
) -> StoreResult<Locked> {
    let row = sqlx::query(&format!(
        "SELECT {}, customer_key FROM orders WHERE number = ?",
        codec::ORDER_COLUMNS
    ))
    .bind(number.get())
    .fetch_optional(&mut *conn)
    .await
    .map_err(db_err)?
    .ok_or(StoreError::NotFound)?;
    Ok(Locked {
        order: codec::order(&row)?,
        customer_key: sqlx::Row::try_get(&row, "customer_key").map_err(db_err)?,
    })
}

/// `Conflict` unless the order is still where the update was planned from.
pub(crate) fn check_version(
    order: &Order,
    expected_version: i64,
    update: &OrderUpdate,
) -> StoreResult<()> {
    let moved_stage = update
        .status_change
        .as_ref()
        .is_some_and(|c| c.from != order.status);
    if order.version != expected_version || moved_stage {
        return Err(StoreError::Conflict {
            current_version: order.version,
        });
    }
    Ok(())
}

/// Writes a checked update (see `Store::update_order`) and returns the order
/// afterwards.
pub(crate) async fn write_update(
    conn: &mut SqliteConnection,
    locked: Locked,
    update: &OrderUpdate,
    at: Timestamp,
    effects: &mut Effects,
) -> StoreResult<Order> {
    let at = micros(at);
    let Locked {
        mut order,
        customer_key,
    } = locked;
    let payment_before = (order.payment_status, order.payment_method);
    if let Some(step) = update.checkout_step {
        order.checkout_step = step;
    }
    if let Some(address) = &update.address {
        order.address = Some(address.clone());
    }
    if let Some(note) = &update.note {
        order.note = Some(note.clone());
    }
    if let Some(status) = update.payment_status {
        order.payment_status = status;
    }
    if let Some(method) = update.payment_method {
        order.payment_method = Some(method);
    }
    if let Some(reference) = &update.payment_reference {
        order.payment_reference = Some(reference.clone());
    }
    if let Some(review) = &update.payment_review {
        order.payment_review.clone_from(review);
    }
    if let Some(change) = &update.status_change {
        order.status = change.to;
        order.held_from = change.held_from;
        if change.tracking.is_some() {
            order.tracking.clone_from(&change.tracking);
        }
    }

    if update.touches_order() {
        order.updated_at = at;
        order.version += 1;
        sqlx::query(
            "UPDATE orders SET status = ?, held_from = ?, payment_status = ?, \
             payment_method = ?, checkout_step = ?, address = ?, note = ?, tracking = ?, \
             payment_reference = ?, payment_review = ?, updated_at = ?, version = ? \
             WHERE number = ?",
        )
        .bind(order.status.as_str())
        .bind(order.held_from.map(|s| s.as_str()))
        .bind(order.payment_status.as_str())
        .bind(order.payment_method.map(|m| m.as_str()))
        .bind(order.checkout_step.as_str())
        .bind(order.address.as_ref().map(to_json).transpose()?)
        .bind(order.note.as_deref())
        .bind(order.tracking.as_deref())
        .bind(order.payment_reference.as_deref())
        .bind(order.payment_review.as_deref())
        .bind(time_text(order.updated_at))
        .bind(order.version)
        .bind(order.number.get())
        .execute(&mut *conn)
        .await
        .map_err(db_err)?;
    }

    for entry in &update.timeline {
        insert_timeline(conn, order.number, entry).await?;
    }
    if let Some(change) = &update.status_change {
        let mut entry = TimelineEntry::new(at, TimelineKind::StatusChanged, &change.actor);
        entry.from_status = Some(change.from);
        entry.to_status = Some(change.to);
        entry.reason.clone_from(&change.reason);
        entry.detail.clone_from(&change.tracking);
        insert_timeline(conn, order.number, &entry).await?;
        effects.count(change.from, -1);
        effects.count(change.to, 1);
    }
    if let (Some(address), Some(key)) = (&update.address, customer_key.as_deref()) {
        effects.customer(
            key,
            CustomerPatch {
                last_address: Some(address.clone()),
                ..CustomerPatch::default()
            },
        );
    }
    for message in &update.outbound {
        let number = message.order_number.or(Some(order.number));
        insert_outbound(conn, message, number, at).await?;
    }
    cancel_jobs(conn, order.number, &update.cancel_jobs).await?;
    for job in &update.jobs {
        set_job(conn, job.kind, job.order_number, job.due_at).await?;
    }

    if update.touches_order() {
        let kind = if update.status_change.is_some() {
            EventKind::OrderStatusChanged
        } else if (order.payment_status, order.payment_method) != payment_before {
            EventKind::PaymentUpdated
        } else {
            EventKind::OrderUpdated
        };
        effects.event(kind, &order, at)?;
    }
    Ok(order)
}

/// Queues an outbound message under `order_number`, created at `at`.
pub(crate) async fn insert_outbound(
    conn: &mut SqliteConnection,
    message: &NewOutbound,
    order_number: Option<OrderNumber>,
    at: Timestamp,
) -> StoreResult<ChatMessage> {
    let row = sqlx::query(&format!(
        "INSERT INTO messages (order_number, customer_key, direction, kind, text, state, \
         created_at, to_wa_id, to_user_id, body, not_before) \
         VALUES (?, ?, 'out', ?, ?, 'queued', ?, ?, ?, ?, ?) RETURNING {}",
        codec::MESSAGE_COLUMNS
    ))
    .bind(order_number.map(|n| n.get()))
    .bind(&message.customer_key)
    .bind(message.kind())
    .bind(&message.preview)
    .bind(time_text(at))
    .bind(message.to_wa_id.as_deref())
    .bind(message.to_user_id.as_deref())
    .bind(to_json(&message.body)?)
    .bind(time_text(message.not_before))
    .fetch_one(&mut *conn)
    .await
    .map_err(db_err)?;
    codec::message(&row)
}

/// Records a customer's message in the chat thread and what it says about
/// the customer. `None` when a message with its `wamid` is already there.
pub(crate) async fn insert_inbound_message(
    conn: &mut SqliteConnection,
    message: &NewInboundMessage,
    order_number: Option<OrderNumber>,
    effects: &mut Effects,
) -> StoreResult<Option<ChatMessage>> {
    let row = sqlx::query(&format!(
        "INSERT INTO messages (order_number, customer_key, direction, wamid, kind, text, state, \
         created_at) VALUES (?, ?, 'in', ?, ?, ?, 'received', ?) \
         ON CONFLICT (wamid) DO NOTHING RETURNING {}",
        codec::MESSAGE_COLUMNS
    ))
    .bind(order_number.map(|n| n.get()))
    .bind(&message.customer_key)
    .bind(&message.wamid)
    .bind(&message.kind)
    .bind(&message.text)
    .bind(time_text(message.at))
    .fetch_optional(&mut *conn)
    .await
    .map_err(db_err)?;
    let Some(row) = row else {
        return Ok(None);
    };
    let stored = codec::message(&row)?;
    effects.customer(
        &message.customer_key,
        CustomerPatch {
            wa_id: message.wa_id.clone(),
            user_id: message.user_id.clone(),
            name: message.name.clone(),
            last_inbound_at: Some(micros(message.at)),
            last_address: None,
        },
    );
    effects.message_event(EventKind::MessageReceived, &stored, stored.created_at);
    Ok(Some(stored))
}

pub(crate) async fn cancel_jobs(
    conn: &mut SqliteConnection,
    number: OrderNumber,
    kinds: &[JobKind],
) -> StoreResult<()> {
    for kind in kinds {
        sqlx::query("DELETE FROM jobs WHERE order_number = ? AND kind = ?")
            .bind(number.get())
            .bind(kind.as_str())
            .execute(&mut *conn)
            .await
            .map_err(db_err)?;
    }
    Ok(())
}

/// Sets a timer, replacing the order's timer of that kind with a new row
/// (and id), so a claimer still running the old one cannot complete it.
pub(crate) async fn set_job(
    conn: &mut SqliteConnection,
    kind: JobKind,
    number: OrderNumber,
    due_at: Timestamp,
) -> StoreResult<()> {
    cancel_jobs(conn, number, &[kind]).await?;
    sqlx::query("INSERT INTO jobs (kind, order_number, due_at) VALUES (?, ?, ?)")
        .bind(kind.as_str())
        .bind(number.get())
        .bind(time_text(due_at))
        .execute(&mut *conn)
        .await
        .map_err(db_err)?;
    Ok(())
}

/// An outbound message by id.
pub(crate) async fn outbound_by_id(
    conn: &mut SqliteConnection,
    id: i64,
) -> StoreResult<ChatMessage> {
    let row = sqlx::query(&format!(
        "SELECT {} FROM messages WHERE id = ? AND direction = 'out'",
        codec::MESSAGE_COLUMNS
    ))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await
    .map_err(db_err)?
    .ok_or(StoreError::NotFound)?;
    codec::message(&row)
}

/// Moves an outbound message to `failed`, showing it on its order.
pub(crate) async fn mark_failed(
    conn: &mut SqliteConnection,
    message: &mut ChatMessage,
    error: Option<&str>,
    at: Timestamp,
    effects: &mut Effects,
) -> StoreResult<()> {
    let at = micros(at);
    if let Some(error) = error {
        message.error = Some(error.to_owned());
    }
    message.state = MessageState::Failed;
    sqlx::query(
        "UPDATE messages SET state = 'failed', error = ?, locked_until = NULL WHERE id = ?",
    )
    .bind(message.error.as_deref())
    .bind(message.id)
    .execute(&mut *conn)
    .await
    .map_err(db_err)?;
    if let Some(number) = message.order_number {
        let mut entry = TimelineEntry::new(at, TimelineKind::Notice, &Actor::System);
        entry.detail = Some(ChatMessage::failure_notice(
            message.error.as_deref().unwrap_or("delivery failed"),
        ));
        insert_timeline(conn, number, &entry).await?;
    }
    effects.message_event(EventKind::MessageStatus, message, at);
    Ok(())
}

/// Applies a delivery status (see `Store::message_status`).
/// Applies the statuses that arrived for `wamid` before it was recorded
/// (see `apply_status`), in the order they move a message, and forgets them.
pub(crate) async fn apply_early_statuses(
    conn: &mut SqliteConnection,
    wamid: &str,
    effects: &mut Effects,
) -> StoreResult<()> {
    let rows: Vec<(String, String, Option<String>)> =
        sqlx::query_as("SELECT state, at, error FROM early_statuses WHERE wamid = ?")
            .bind(wamid)
            .fetch_all(&mut *conn)
            .await
            .map_err(db_err)?;
    let mut early = Vec::with_capacity(rows.len());
    for (state, at, error) in rows {
        let state = MessageState::parse(&state)
            .ok_or_else(|| crate::error::corrupt("message state", &state))?;
        early.push((state, codec::parse_time(&at)?, error));
    }
    early.sort_by_key(|(state, _, _)| state.rank());
    for (state, at, error) in early {
        Box::pin(apply_status(
            conn,
            wamid,
            state,
            at,
            error.as_deref(),
            effects,
        ))
        .await?;
    }
    sqlx::query("DELETE FROM early_statuses WHERE wamid = ?")
        .bind(wamid)
        .execute(&mut *conn)
        .await
        .map_err(db_err)?;
    Ok(())
}

pub(crate) async fn apply_status(
    conn: &mut SqliteConnection,
    wamid: &str,
    state: MessageState,
    at: Timestamp,
    error: Option<&str>,
    effects: &mut Effects,
) -> StoreResult<Option<ChatMessage>> {
    let row = sqlx::query(&format!(
        "SELECT {} FROM messages WHERE wamid = ? AND direction = 'out'",
        codec::MESSAGE_COLUMNS
    ))
    .bind(wamid)
    .fetch_optional(&mut *conn)
    .await
    .map_err(db_err)?;
    let Some(row) = row else {
        // Not recorded yet (or not ours): kept until `outbox_sent` names it.
        sqlx::query(
            "INSERT INTO early_statuses (wamid, state, at, error) VALUES (?, ?, ?, ?) \
             ON CONFLICT DO NOTHING",
        )
        .bind(wamid)
        .bind(state.as_str())
        .bind(time_text(micros(at)))
        .bind(error)
        .execute(&mut *conn)
        .await
        .map_err(db_err)?;
        return Ok(None);
    };
    let mut message = codec::message(&row)?;
    if !message.state.advances_to(state) {
        return Ok(None);
    }
    if state == MessageState::Failed {
        mark_failed(conn, &mut message, error, at, effects).await?;
        return Ok(Some(message));
    }
    sqlx::query("UPDATE messages SET state = ?, locked_until = NULL WHERE id = ?")
        .bind(state.as_str())
        .bind(message.id)
        .execute(&mut *conn)
        .await
        .map_err(db_err)?;
    message.state = state;
    effects.message_event(EventKind::MessageStatus, &message, micros(at));
    Ok(Some(message))
}
