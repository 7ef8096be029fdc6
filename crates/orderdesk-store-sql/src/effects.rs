//! What a write transaction owes at its very end, collected while it runs
//! and written in the lock order of [`SqlTx`] (outbox locks, customers by
//! key, stage counts by status, rollup rows, the event log last).

use std::collections::BTreeMap;

use orderdesk_domain::{Address, EventKind, Order, OrderNumber, OrderStatus, Timestamp};
use orderdesk_store::{ChatMessage, NewOutbound, StoreResult};

use crate::batch::Rows;
use crate::rows::{self, micros, to_json};
use crate::{args, Arg, NewEvent, SqlTx};

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
/// a write transaction owes, applied by [`Effects::apply`] last.
#[derive(Default)]
pub(crate) struct Effects {
    outbound: Vec<(NewOutbound, Option<OrderNumber>, Timestamp)>,
    events: Vec<NewEvent>,
    counts: BTreeMap<&'static str, i64>,
    customers: BTreeMap<String, CustomerPatch>,
    /// What the customers' conversations owe besides a refresh.
    conversations: crate::conversations::Owed,
    /// What the insights' daily rollups owe (see `rollups`).
    pub(crate) stats: crate::rollups::Pending,
}

impl Effects {
    pub(crate) fn event(
        &mut self,
        kind: EventKind,
        order: &Order,
        at: Timestamp,
    ) -> StoreResult<()> {
        self.events.push(NewEvent {
            kind,
            order_number: Some(order.number),
            data: to_json(order)?,
            at: micros(at),
        });
        Ok(())
    }

    /// Adds `key` to the data of the latest event about order `number`
    /// (extra context, such as who had the order before).
    pub(crate) fn mark_order_event(
        &mut self,
        number: OrderNumber,
        key: &str,
        value: serde_json::Value,
    ) -> StoreResult<()> {
        let Some(event) = self
            .events
            .iter_mut()
            .rev()
            .find(|e| e.order_number == Some(number))
        else {
            return Ok(());
        };
        let mut data: serde_json::Value = serde_json::from_str(&event.data)
            .map_err(|e| orderdesk_store::StoreError::Other(e.into()))?;
        if let Some(fields) = data.as_object_mut() {
            fields.insert(key.to_owned(), value);
            event.data = to_json(&data)?;
        }
        Ok(())
    }

    pub(crate) fn message_event(
        &mut self,
        kind: EventKind,
        message: &ChatMessage,
        at: Timestamp,
    ) -> StoreResult<()> {
        if kind == EventKind::MessageReceived {
            self.conversations
                .wrote
                .insert(message.customer_key.clone());
        }
        self.events.push(NewEvent {
            kind,
            order_number: message.order_number,
            data: to_json(&message.event_data())?,
            at: micros(at),
        });
        Ok(())
    }

    /// Queues an outbound message under `order_number`, created at `at`.
    pub(crate) fn outbound(
        &mut self,
        message: &NewOutbound,
        order_number: Option<OrderNumber>,
        at: Timestamp,
    ) {
        self.outbound.push((message.clone(), order_number, at));
    }

    /// The messages queued to customer `key` are a staff reply: what they
    /// wrote before it is answered (bounded by its id once it is inserted).
    pub(crate) fn answered(&mut self, key: &str) {
        self.conversations.answered.insert(key.to_owned(), i64::MAX);
    }

    /// The bot could not use the customer's stored message `id`: it needs a
    /// person despite the bot's answer.
    pub(crate) fn bot_missed(&mut self, key: &str, id: i64) {
        let missed = self.conversations.missed.entry(key.to_owned()).or_default();
        *missed = (*missed).max(id);
    }

    /// Customer `key`'s newest open order may have changed.
    pub(crate) fn open_orders_changed(&mut self, key: &str) {
        self.conversations.orders.insert(key.to_owned());
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
    /// the order they were given. Each kind of row goes in set-based (one
    /// multi-row statement per chunk, see `batch`).
    pub(crate) async fn apply<T: SqlTx>(mut self, tx: &mut T) -> StoreResult<Vec<ChatMessage>> {
        let mut queued = Vec::new();
        if !self.outbound.is_empty() {
            let mut keys: Vec<&str> = self
                .outbound
                .iter()
                .map(|(m, _, _)| m.customer_key.as_str())
                .collect();
            keys.sort_unstable();
            keys.dedup();
            tx.lock_outbox(&keys).await?;
            queued = insert_outbound(tx, &self.outbound).await?;
            for message in &queued {
                if let Some(reply) = self.conversations.answered.get_mut(&message.customer_key) {
                    *reply = (*reply).min(message.id);
                }
            }
        }
        // Every customer who got or sent a message: their conversation,
        // after the customer rows it shows.
        let mut talked: Vec<String> = self.customers.keys().cloned().collect();
        talked.extend(self.outbound.iter().map(|(m, _, _)| m.customer_key.clone()));
        talked.extend(self.conversations.keys().cloned());
        talked.sort_unstable();
        talked.dedup();
        upsert_customers(tx, std::mem::take(&mut self.customers)).await?;
        // Announced whenever the conversation's JSON may have changed: the
        // customer wrote, was written to (staff or bot), or their open
        // order moved on; an update of only message states leaves the
        // event log as it was.
        let announced =
            crate::conversations::refresh_many(tx, &talked, &self.conversations).await?;
        self.events.extend(announced);
        for (status, delta) in self.counts {
            if delta != 0 {
                tx.execute(
                    "UPDATE status_counts SET count = count + $1 WHERE status = $2",
                    args![delta, status],
                )
                .await?;
            }
        }
        crate::rollups::write(tx, std::mem::take(&mut self.stats)).await?;
        if self.events.is_empty() {
            if !queued.is_empty() {
                tx.notify(0).await?;
            }
            return Ok(queued);
        }
        let last_seq = tx.append_events(self.events).await?;
        tx.notify(last_seq).await?;
        Ok(queued)
    }
}

/// Writes what the transaction learned about each customer, merged per key.
async fn upsert_customers<T: SqlTx>(
    tx: &mut T,
    customers: BTreeMap<String, CustomerPatch>,
) -> StoreResult<()> {
    let mut rows = Vec::with_capacity(customers.len());
    for (key, c) in customers {
        let mut row = args![
            key.as_str(),
            c.wa_id.as_deref(),
            c.user_id.as_deref(),
            c.name.as_deref(),
            c.last_inbound_at.map(micros)
        ];
        row.push(Arg::Json(c.last_address.as_ref().map(to_json).transpose()?));
        rows.push(row);
    }
    // Not GREATEST: SQLite has none that skips NULLs. Keys are distinct
    // (one patch per key), as PostgreSQL requires of one upsert.
    Rows {
        head: "INSERT INTO customers (key, wa_id, user_id, name, last_inbound_at, last_address)",
        casts: &["", "", "", "", "", T::JSON],
        tail: "ON CONFLICT (key) DO UPDATE SET \
               wa_id = COALESCE(excluded.wa_id, customers.wa_id), \
               user_id = COALESCE(excluded.user_id, customers.user_id), \
               name = COALESCE(excluded.name, customers.name), \
               last_inbound_at = CASE WHEN customers.last_inbound_at IS NULL \
                   OR excluded.last_inbound_at > customers.last_inbound_at \
                   THEN excluded.last_inbound_at ELSE customers.last_inbound_at END, \
               last_address = COALESCE(excluded.last_address, customers.last_address)",
    }
    .execute(tx, rows)
    .await?;
    Ok(())
}

/// Inserts outbound messages (each under its order number, created at its
/// time); only [`Effects::apply`] calls this, under the customers' outbox
/// locks. Returns them as stored, in the order given: ids are drawn in
/// `VALUES` order, so sorting the returned rows by id restores it.
async fn insert_outbound<T: SqlTx>(
    tx: &mut T,
    messages: &[(NewOutbound, Option<OrderNumber>, Timestamp)],
) -> StoreResult<Vec<ChatMessage>> {
    let mut rows = Vec::with_capacity(messages.len());
    for (message, order_number, at) in messages {
        let mut row = args![
            *order_number,
            message.customer_key.as_str(),
            "out",
            message.kind(),
            message.preview.as_str(),
            "queued",
            micros(*at),
            message.to_wa_id.as_deref(),
            message.to_user_id.as_deref()
        ];
        row.push(Arg::Json(Some(to_json(&message.body)?)));
        row.push(Arg::from(micros(message.not_before)));
        rows.push(row);
    }
    let tail = format!("RETURNING {}", rows::MESSAGE_COLUMNS);
    let stored = Rows {
        head: "INSERT INTO messages (order_number, customer_key, direction, kind, text, state, \
               created_at, to_wa_id, to_user_id, body, not_before)",
        casts: &["", "", "", "", "", "", "", "", "", T::JSON, ""],
        tail: &tail,
    }
    .fetch(tx, rows)
    .await?;
    let mut queued = stored
        .iter()
        .map(|row| rows::message(row))
        .collect::<StoreResult<Vec<_>>>()?;
    queued.sort_by_key(|m| m.id);
    Ok(queued)
}
