//! The pieces write transactions are made of. Each takes the open
//! transaction's connection; what must come last in a transaction
//! (customers, stage counts, events) is collected in [`Effects`].
//!
//! Lock order, the same in every transaction so that none deadlocks another
//! over these: inbox rows (by id), then orders and messages as the work
//! reaches them, then the outbox locks of the customers it queues messages
//! for (by lock key), customer rows (by key), stage-count rows (by status),
//! and last the event-log lock (see the crate docs).
//!
//! # One customer's outbound messages commit in id order
//!
//! The outbox sends a customer's oldest unfinished message first, judged
//! from the messages it can see. Two transactions queuing for one customer
//! (a reply on one order, a stage update on another, on two instances)
//! could commit in the other order than their ids, and the dispatcher could
//! send the later message before the earlier one is even visible. So
//! outbound messages are inserted at the end of the transaction, under a
//! transaction-scoped advisory lock per customer ([`OUTBOX_LOCK_SPACE`],
//! hash of the key): the ids of one customer's messages are drawn in
//! commit order, as event sequence numbers are.

use std::collections::BTreeMap;

use orderdesk_domain::{
    Actor, Address, EventKind, NewOrder, Order, OrderNumber, OrderStatus, TimelineEntry,
    TimelineKind, Timestamp,
};
use orderdesk_store::{
    ChatMessage, JobKind, MessageState, NewInboundMessage, NewOutbound, OrderUpdate, StoreError,
    StoreResult,
};
use sqlx::types::Json;
use sqlx::PgConnection;

use crate::codec::{self, micros, to_json};
use crate::error::db_err;
use crate::{CHANGES_CHANNEL, EVENT_LOG_LOCK};

/// First key of the per-customer outbox locks (`pg_advisory_xact_lock(space,
/// hashtext(customer_key))`); "outb" in ASCII.
pub(crate) const OUTBOX_LOCK_SPACE: i32 = 0x6f75_7462;

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

/// Outbound messages, customer rows, event-log rows and stage-count changes
/// a write transaction owes, applied at its very end: outbound messages
/// (under their customers' outbox locks), customers (by key), counts (by
/// status), then the event-log lock and the events, and a notification to
/// the other instances.
#[derive(Default)]
pub(crate) struct Effects {
    outbound: Vec<(NewOutbound, Option<OrderNumber>, Timestamp)>,
    events: Vec<(EventKind, Option<OrderNumber>, String, Timestamp)>,
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
        self.events
            .push((kind, Some(order.number), to_json(order)?, at));
        Ok(())
    }

    pub(crate) fn message_event(
        &mut self,
        kind: EventKind,
        message: &ChatMessage,
        at: Timestamp,
    ) -> StoreResult<()> {
        let data = to_json(&message.event_data())?;
        self.events.push((kind, message.order_number, data, at));
        Ok(())
    }

    /// Queues an outbound message under `order_number`, created at `at`
    /// (inserted by [`Effects::apply`]).
    pub(crate) fn outbound(
        &mut self,
        message: &NewOutbound,
        order_number: Option<OrderNumber>,
        at: Timestamp,
    ) {
        self.outbound.push((message.clone(), order_number, at));
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

    /// Writes everything owed; returns the outbound messages as queued, in
    /// the order they were given.
    pub(crate) async fn apply(self, conn: &mut PgConnection) -> StoreResult<Vec<ChatMessage>> {
        let mut queued = Vec::with_capacity(self.outbound.len());
        if !self.outbound.is_empty() {
            let mut keys: Vec<&str> = self
                .outbound
                .iter()
                .map(|(m, _, _)| m.customer_key.as_str())
                .collect();
            keys.sort_unstable();
            keys.dedup();
            // Locked in hash order, the same in every transaction.
            sqlx::query(
                "SELECT pg_advisory_xact_lock($1, h) FROM \
                 (SELECT DISTINCT hashtext(k) AS h FROM UNNEST($2::text[]) AS k ORDER BY h) AS l",
            )
            .bind(OUTBOX_LOCK_SPACE)
            .bind(&keys)
            .execute(&mut *conn)
            .await
            .map_err(db_err)?;
            for (message, number, at) in &self.outbound {
                queued.push(insert_outbound(conn, message, *number, *at).await?);
            }
        }
        for (key, c) in self.customers {
            sqlx::query(
                "INSERT INTO customers (key, wa_id, user_id, name, last_inbound_at, last_address) \
                 VALUES ($1, $2, $3, $4, $5, $6) \
                 ON CONFLICT (key) DO UPDATE SET \
                 wa_id = COALESCE(excluded.wa_id, customers.wa_id), \
                 user_id = COALESCE(excluded.user_id, customers.user_id), \
                 name = COALESCE(excluded.name, customers.name), \
                 last_inbound_at = GREATEST(customers.last_inbound_at, \
                     excluded.last_inbound_at), \
                 last_address = COALESCE(excluded.last_address, customers.last_address)",
            )
            .bind(&key)
            .bind(c.wa_id.as_deref())
            .bind(c.user_id.as_deref())
            .bind(c.name.as_deref())
            .bind(c.last_inbound_at.map(micros))
            .bind(c.last_address.as_ref().map(Json))
            .execute(&mut *conn)
            .await
            .map_err(db_err)?;
        }
        for (status, delta) in self.counts {
            if delta != 0 {
                sqlx::query("UPDATE status_counts SET count = count + $1 WHERE status = $2")
                    .bind(delta)
                    .bind(status)
                    .execute(&mut *conn)
                    .await
                    .map_err(db_err)?;
            }
        }
        if self.events.is_empty() {
            if !queued.is_empty() {
                notify(conn, 0).await?;
            }
            return Ok(queued);
        }
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(EVENT_LOG_LOCK)
            .execute(&mut *conn)
            .await
            .map_err(db_err)?;
        let mut kinds = Vec::with_capacity(self.events.len());
        let mut numbers = Vec::with_capacity(self.events.len());
        let mut data = Vec::with_capacity(self.events.len());
        let mut ats = Vec::with_capacity(self.events.len());
        for (kind, number, json, at) in self.events {
            kinds.push(kind.as_str());
            numbers.push(number.map(|n| n.get()));
            data.push(json);
            ats.push(micros(at));
        }
        // `seq` is drawn here, under the lock, in input order.
        let seqs: Vec<i64> = sqlx::query_scalar(
            "INSERT INTO events (kind, order_number, data, at) \
             SELECT k, n, d::json, a \
             FROM UNNEST($1::text[], $2::bigint[], $3::text[], $4::timestamptz[]) \
                  WITH ORDINALITY AS e (k, n, d, a, i) \
             ORDER BY i \
             RETURNING seq",
        )
        .bind(kinds)
        .bind(numbers)
        .bind(data)
        .bind(ats)
        .fetch_all(&mut *conn)
        .await
        .map_err(db_err)?;
        notify(conn, seqs.into_iter().max().unwrap_or(0)).await?;
        Ok(queued)
    }
}

/// Tells every listening instance that the log grew to `last_seq` (0: only
/// outbound work was queued). PostgreSQL delivers it on commit, and not at
/// all on rollback.
async fn notify(conn: &mut PgConnection, last_seq: i64) -> StoreResult<()> {
    sqlx::query("SELECT pg_notify($1, $2)")
        .bind(CHANGES_CHANNEL)
        .bind(last_seq.to_string())
        .execute(&mut *conn)
        .await
        .map_err(db_err)?;
    Ok(())
}

/// Inserts the order a cart becomes. Its customer is keyed by the cart's own
/// ids (see `customer_key_of`), so the customer row and the orders found
/// for a key always agree.
pub(crate) async fn create_order(
    conn: &mut PgConnection,
    new: &NewOrder,
    effects: &mut Effects,
) -> StoreResult<Order> {
    // The counter row stays locked until commit, so numbers are handed out
    // without gaps from rolled-back transactions.
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
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)",
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
    .bind(Json(&order.items))
    .bind(order.currency.as_str())
    .bind(order.total_minor)
    .bind(order.address.as_ref().map(Json))
    .bind(order.note.as_deref())
    .bind(order.cart_text.as_deref())
    .bind(order.tracking.as_deref())
    .bind(micros(order.created_at))
    .bind(micros(order.updated_at))
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
    conn: &mut PgConnection,
    number: OrderNumber,
    entry: &TimelineEntry,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO timeline_entries (order_number, at, kind, actor, actor_name, from_status, \
         to_status, reason, detail) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(number.get())
    .bind(micros(entry.at))
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

/// Reads and locks the order an update is about: a concurrent update waits
/// here and then reads the winner's version, so exactly one of two racing
/// updates applies. `NO KEY UPDATE` because the number never changes: rows
/// that only reference the order (the timeline entry of a failed message)
/// need not wait for it.
pub(crate) async fn lock_order(
    conn: &mut PgConnection,
    number: OrderNumber,
) -> StoreResult<Locked> {
    let row = sqlx::query(&format!(
        "SELECT {}, customer_key FROM orders WHERE number = $1 FOR NO KEY UPDATE",
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
    conn: &mut PgConnection,
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
            "UPDATE orders SET status = $1, held_from = $2, payment_status = $3, \
             payment_method = $4, checkout_step = $5, address = $6, note = $7, tracking = $8, \
             payment_reference = $9, payment_review = $10, updated_at = $11, version = $12 \
             WHERE number = $13",
        )
        .bind(order.status.as_str())
        .bind(order.held_from.map(|s| s.as_str()))
        .bind(order.payment_status.as_str())
        .bind(order.payment_method.map(|m| m.as_str()))
        .bind(order.checkout_step.as_str())
        .bind(order.address.as_ref().map(Json))
        .bind(order.note.as_deref())
        .bind(order.tracking.as_deref())
        .bind(order.payment_reference.as_deref())
        .bind(order.payment_review.as_deref())
        .bind(micros(order.updated_at))
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
        effects.outbound(message, number, at);
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

/// Inserts an outbound message under `order_number`, created at `at`; only
/// [`Effects::apply`] calls this, under the customer's outbox lock.
async fn insert_outbound(
    conn: &mut PgConnection,
    message: &NewOutbound,
    order_number: Option<OrderNumber>,
    at: Timestamp,
) -> StoreResult<ChatMessage> {
    let row = sqlx::query(&format!(
        "INSERT INTO messages (order_number, customer_key, direction, kind, text, state, \
         created_at, to_wa_id, to_user_id, body, not_before) \
         VALUES ($1, $2, 'out', $3, $4, 'queued', $5, $6, $7, $8::json, $9) RETURNING {}",
        codec::MESSAGE_COLUMNS
    ))
    .bind(order_number.map(|n| n.get()))
    .bind(&message.customer_key)
    .bind(message.kind())
    .bind(&message.preview)
    .bind(micros(at))
    .bind(message.to_wa_id.as_deref())
    .bind(message.to_user_id.as_deref())
    .bind(to_json(&message.body)?)
    .bind(micros(message.not_before))
    .fetch_one(&mut *conn)
    .await
    .map_err(db_err)?;
    codec::message(&row)
}

/// Records a customer's message in the chat thread and what it says about
/// the customer. `None` when a message with its `wamid` is already there.
pub(crate) async fn insert_inbound_message(
    conn: &mut PgConnection,
    message: &NewInboundMessage,
    order_number: Option<OrderNumber>,
    effects: &mut Effects,
) -> StoreResult<Option<ChatMessage>> {
    let row = sqlx::query(&format!(
        "INSERT INTO messages (order_number, customer_key, direction, wamid, kind, text, state, \
         created_at) VALUES ($1, $2, 'in', $3, $4, $5, 'received', $6) \
         ON CONFLICT (wamid) DO NOTHING RETURNING {}",
        codec::MESSAGE_COLUMNS
    ))
    .bind(order_number.map(|n| n.get()))
    .bind(&message.customer_key)
    .bind(&message.wamid)
    .bind(&message.kind)
    .bind(&message.text)
    .bind(micros(message.at))
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
    effects.message_event(EventKind::MessageReceived, &stored, stored.created_at)?;
    Ok(Some(stored))
}

pub(crate) async fn cancel_jobs(
    conn: &mut PgConnection,
    number: OrderNumber,
    kinds: &[JobKind],
) -> StoreResult<()> {
    for kind in kinds {
        sqlx::query("DELETE FROM jobs WHERE order_number = $1 AND kind = $2")
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
    conn: &mut PgConnection,
    kind: JobKind,
    number: OrderNumber,
    due_at: Timestamp,
) -> StoreResult<()> {
    cancel_jobs(conn, number, &[kind]).await?;
    sqlx::query("INSERT INTO jobs (kind, order_number, due_at) VALUES ($1, $2, $3)")
        .bind(kind.as_str())
        .bind(number.get())
        .bind(micros(due_at))
        .execute(&mut *conn)
        .await
        .map_err(db_err)?;
    Ok(())
}

/// An outbound message by id, locked until the transaction ends.
pub(crate) async fn outbound_by_id(conn: &mut PgConnection, id: i64) -> StoreResult<ChatMessage> {
    let row = sqlx::query(&format!(
        "SELECT {} FROM messages WHERE id = $1 AND direction = 'out' FOR UPDATE",
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
    conn: &mut PgConnection,
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
        "UPDATE messages SET state = 'failed', error = $1, locked_until = NULL WHERE id = $2",
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
    effects.message_event(EventKind::MessageStatus, message, at)
}

/// Applies a delivery status (see `Store::message_status`).
/// Serialises `apply_status` of an unrecorded wamid with `outbox_sent` of
/// the same wamid (two-key advisory locks are their own key space).
pub(crate) async fn lock_wamid(conn: &mut PgConnection, wamid: &str) -> StoreResult<()> {
    sqlx::query("SELECT pg_advisory_xact_lock(7007, hashtext($1))")
        .bind(wamid)
        .execute(&mut *conn)
        .await
        .map_err(db_err)?;
    Ok(())
}

/// Applies the statuses that arrived for `wamid` before it was recorded
/// (see `apply_status`), in the order they move a message, and forgets them.
pub(crate) async fn apply_early_statuses(
    conn: &mut PgConnection,
    wamid: &str,
    effects: &mut Effects,
) -> StoreResult<()> {
    let rows: Vec<(String, Timestamp, Option<String>)> =
        sqlx::query_as("DELETE FROM early_statuses WHERE wamid = $1 RETURNING state, at, error")
            .bind(wamid)
            .fetch_all(&mut *conn)
            .await
            .map_err(db_err)?;
    let mut early = Vec::with_capacity(rows.len());
    for (state, at, error) in rows {
        let state = MessageState::parse(&state)
            .ok_or_else(|| crate::error::corrupt("message state", &state))?;
        early.push((state, at, error));
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
    Ok(())
}

pub(crate) async fn apply_status(
    conn: &mut PgConnection,
    wamid: &str,
    state: MessageState,
    at: Timestamp,
    error: Option<&str>,
    effects: &mut Effects,
) -> StoreResult<Option<ChatMessage>> {
    let row = sqlx::query(&format!(
        "SELECT {} FROM messages WHERE wamid = $1 AND direction = 'out' FOR UPDATE",
        codec::MESSAGE_COLUMNS
    ))
    .bind(wamid)
    .fetch_optional(&mut *conn)
    .await
    .map_err(db_err)?;
    let Some(row) = row else {
        // Not recorded yet (or not ours): kept until `outbox_sent` names it.
        // The wamid's lock makes this and `outbox_sent` take turns, so the
        // status is either seen there or finds the message here.
        lock_wamid(conn, wamid).await?;
        let recorded: Option<i64> =
            sqlx::query_scalar("SELECT id FROM messages WHERE wamid = $1 AND direction = 'out'")
                .bind(wamid)
                .fetch_optional(&mut *conn)
                .await
                .map_err(db_err)?;
        if recorded.is_some() {
            return Box::pin(apply_status(conn, wamid, state, at, error, effects)).await;
        }
        sqlx::query(
            "INSERT INTO early_statuses (wamid, state, at, error) VALUES ($1, $2, $3, $4) \
             ON CONFLICT DO NOTHING",
        )
        .bind(wamid)
        .bind(state.as_str())
        .bind(micros(at))
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
    sqlx::query("UPDATE messages SET state = $1, locked_until = NULL WHERE id = $2")
        .bind(state.as_str())
        .bind(message.id)
        .execute(&mut *conn)
        .await
        .map_err(db_err)?;
    message.state = state;
    effects.message_event(EventKind::MessageStatus, &message, micros(at))?;
    Ok(Some(message))
}
