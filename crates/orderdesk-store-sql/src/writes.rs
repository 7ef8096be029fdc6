//! The pieces write transactions are made of, each on the open transaction;
//! what must come last in a transaction is collected in [`Effects`].

use orderdesk_domain::{
    Actor, EventKind, LedgerKind, NewOrder, Order, OrderNumber, OrderStatus, TimelineEntry,
    TimelineKind, Timestamp,
};
use orderdesk_store::{
    ChatMessage, MessageState, NewInboundMessage, OrderUpdate, StoreError, StoreResult, TimerKind,
};

use crate::batch::Rows;
use crate::effects::{CustomerPatch, Effects};
use crate::rows::{self, corrupt, micros, to_json, Cols};
use crate::{args, fetch_one, Arg, SqlTx};

/// Inserts the orders carts become, in one statement per table. Each
/// customer is keyed by the cart's own ids (see `customer_key_of`), so the
/// customer row and the orders found for a key always agree.
pub(crate) async fn create_orders<T: SqlTx>(
    tx: &mut T,
    news: &[&NewOrder],
    effects: &mut Effects,
) -> StoreResult<Vec<Order>> {
    create_orders_by(tx, news, &Actor::Customer, effects).await
}

/// One order made by `creator` (staff taking a phone order): only the
/// customer's own cart opens their 24-hour window.
pub(crate) async fn create_order_by<T: SqlTx>(
    tx: &mut T,
    new: &NewOrder,
    creator: &Actor,
    effects: &mut Effects,
) -> StoreResult<Order> {
    create_orders_by(tx, &[new], creator, effects)
        .await?
        .pop()
        .ok_or(StoreError::NotFound)
}

/// [`create_orders`] by `creator`.
async fn create_orders_by<T: SqlTx>(
    tx: &mut T,
    news: &[&NewOrder],
    creator: &Actor,
    effects: &mut Effects,
) -> StoreResult<Vec<Order>> {
    if news.is_empty() {
        return Ok(Vec::new());
    }
    let count = i64::try_from(news.len()).map_err(|_| StoreError::NotFound)?;
    // The counter row stays locked until commit, so numbers are handed out
    // without gaps from rolled-back transactions; one bump for the batch.
    let first = fetch_one(
        tx,
        "UPDATE counters SET value = value + $1 WHERE name = 'order_number' \
         RETURNING value - $1 AS number",
        args![count],
        |row| row.int("number"),
    )
    .await?
    .flatten()
    .ok_or(StoreError::NotFound)?;
    let json = T::JSON;
    let orders_sql = Rows {
        head: "INSERT INTO orders (number, status, held_from, payment_status, payment_method, \
               checkout_step, customer_wa_id, customer_user_id, customer_name, items, currency, \
               total_minor, address, note, cart_text, tracking, created_at, updated_at, version, \
               customer_key)",
        casts: &[
            "", "", "", "", "", "", "", "", "", json, "", "", json, "", "", "", "", "", "", "",
        ],
        tail: "",
    };
    let mut orders = Vec::with_capacity(news.len());
    let mut order_rows = Vec::with_capacity(news.len());
    let mut timeline_rows = Vec::with_capacity(news.len());
    for (offset, new) in (0..).zip(news) {
        let order = new.placed(rows::order_number(first + offset)?, micros(new.created_at));
        let customer_key = orderdesk_store::customer_key_of(&new.customer);
        let mut row = args![
            order.number,
            order.status.as_str(),
            order.held_from.map(|s| s.as_str()),
            order.payment_status.as_str(),
            order.payment_method.map(|m| m.as_str()),
            order.checkout_step.as_str(),
            order.customer.wa_id.as_deref(),
            order.customer.user_id.as_deref(),
            order.customer.name.as_deref()
        ];
        row.push(Arg::Json(Some(to_json(&order.items)?)));
        row.extend(args![order.currency.as_str(), order.total_minor]);
        row.push(Arg::Json(order.address.as_ref().map(to_json).transpose()?));
        row.extend(args![
            order.note.as_deref(),
            order.cart_text.as_deref(),
            order.tracking.as_deref(),
            order.created_at,
            order.updated_at,
            order.version,
            customer_key
        ]);
        order_rows.push(row);
        let entry = TimelineEntry::new(order.created_at, TimelineKind::Created, creator);
        timeline_rows.push(timeline_row(order.number, &entry));
        if let Some(key) = customer_key {
            effects.customer(
                key,
                CustomerPatch {
                    wa_id: order.customer.wa_id.clone(),
                    user_id: order.customer.user_id.clone(),
                    name: order.customer.name.clone(),
                    last_inbound_at: (*creator == Actor::Customer).then_some(order.created_at),
                    last_address: None,
                },
            );
            effects.open_orders_changed(key);
        }
        effects.count(order.status, 1);
        effects.stats.created(&order, customer_key);
        effects.event(EventKind::OrderCreated, &order, order.created_at)?;
        orders.push(order);
    }
    orders_sql.execute(tx, order_rows).await?;
    TIMELINE.execute(tx, timeline_rows).await?;
    Ok(orders)
}

/// Inserts the timers of orders created in this transaction (which have
/// none yet, so nothing is replaced: see [`set_timer`]).
pub(crate) async fn insert_new_timers<T: SqlTx>(
    tx: &mut T,
    timers: &[(TimerKind, OrderNumber, Timestamp)],
) -> StoreResult<()> {
    let rows = timers
        .iter()
        .map(|(kind, number, due_at)| args![kind.as_str(), *number, micros(*due_at)])
        .collect();
    Rows {
        head: "INSERT INTO jobs (kind, order_number, due_at)",
        casts: &["", "", ""],
        tail: "",
    }
    .execute(tx, rows)
    .await?;
    Ok(())
}

const TIMELINE: Rows<'static> = Rows {
    head: "INSERT INTO timeline_entries (order_number, at, kind, actor, actor_name, \
           from_status, to_status, reason, detail)",
    casts: &["", "", "", "", "", "", "", "", ""],
    tail: "",
};

fn timeline_row(number: OrderNumber, entry: &TimelineEntry) -> Vec<Arg> {
    args![
        number,
        micros(entry.at),
        entry.kind.as_str(),
        entry.actor.as_str(),
        entry.actor_name.as_deref(),
        entry.from_status.map(|s| s.as_str()),
        entry.to_status.map(|s| s.as_str()),
        entry.reason.as_deref(),
        entry.detail.as_deref()
    ]
}

pub(crate) async fn insert_timeline<T: SqlTx>(
    tx: &mut T,
    number: OrderNumber,
    entry: &TimelineEntry,
) -> StoreResult<()> {
    TIMELINE
        .execute(tx, vec![timeline_row(number, entry)])
        .await?;
    Ok(())
}

/// An order as stored, with the key of its customer.
pub(crate) struct Locked {
    pub order: Order,
    pub customer_key: Option<String>,
}

/// Reads (and on PostgreSQL locks) the order an update is about: a
/// concurrent update waits here and then reads the winner's version, so
/// exactly one of two racing updates applies.
pub(crate) async fn lock_order<T: SqlTx>(tx: &mut T, number: OrderNumber) -> StoreResult<Locked> {
    let sql = format!(
        "SELECT {}, customer_key FROM orders WHERE number = $1{}",
        rows::ORDER_COLUMNS,
        T::LOCK_ORDER
    );
    fn decode(row: &dyn Cols) -> StoreResult<Locked> {
        Ok(Locked {
            order: rows::order(row)?,
            customer_key: row.text("customer_key")?,
        })
    }
    fetch_one(tx, &sql, args![number], decode)
        .await?
        .ok_or(StoreError::NotFound)
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

/// The order as `update` leaves it (not yet written).
fn updated(mut order: Order, update: &OrderUpdate) -> Order {
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
    if let Some(count) = update.off_script {
        order.off_script = count;
    }
    if let Some(typed) = &update.address_as_typed {
        order.address_as_typed = Some(typed.clone());
    }
    if let Some(state) = update.cod_confirmation {
        order.cod_confirmation = Some(state);
    }
    if let Some(feedback) = &update.feedback {
        order.feedback = Some(feedback.clone());
    }
    if let Some(at) = update.reminded_at {
        order.reminded_at = Some(micros(at));
    }
    if let Some(change) = &update.status_change {
        order.status = change.to;
        order.held_from = change.held_from;
        if change.tracking.is_some() {
            order.tracking.clone_from(&change.tracking);
        }
    }
    order
}

/// Writes a checked update (see `Store::update_order`) and returns the order
/// afterwards.
pub(crate) async fn write_update<T: SqlTx>(
    tx: &mut T,
    locked: Locked,
    update: &OrderUpdate,
    at: Timestamp,
    effects: &mut Effects,
) -> StoreResult<Order> {
    let at = micros(at);
    let payment_before = (locked.order.payment_status, locked.order.payment_method);
    let mut order = updated(locked.order, update);
    if update
        .status_change
        .as_ref()
        .is_some_and(|c| c.to == OrderStatus::Delivered && c.from != OrderStatus::Delivered)
    {
        order.delivered_at = Some(at);
    }
    // Money that arrived counts before a refund in the same update is
    // bounded by it.
    order.received_minor += update
        .ledger
        .iter()
        .filter(|e| e.kind == LedgerKind::Paid && e.currency == order.currency)
        .map(|e| e.amount_minor)
        .sum::<i64>();
    crate::refunds::apply(&mut order, update)?;
    if update.touches_order() {
        crate::invoices::issue(tx, &mut order, at).await?;
        order.updated_at = at;
        order.version += 1;
        let sql = format!(
            "UPDATE orders SET status = $1, held_from = $2, payment_status = $3, \
             payment_method = $4, checkout_step = $5, address = $6{}, note = $7, tracking = $8, \
             payment_reference = $9, payment_review = $10, updated_at = $11, version = $12, \
             off_script = $13, address_as_typed = $14, cod_confirmation = $15, \
             feedback = $16{}, reminded_at = $17, delivered_at = $18, received_minor = $19 \
             WHERE number = $20",
            T::JSON,
            T::JSON
        );
        let mut args = args![
            order.status.as_str(),
            order.held_from.map(|s| s.as_str()),
            order.payment_status.as_str(),
            order.payment_method.map(|m| m.as_str()),
            order.checkout_step.as_str()
        ];
        args.push(Arg::Json(order.address.as_ref().map(to_json).transpose()?));
        args.extend(args![
            order.note.as_deref(),
            order.tracking.as_deref(),
            order.payment_reference.as_deref(),
            order.payment_review.as_deref(),
            order.updated_at,
            order.version,
            i64::from(order.off_script),
            order.address_as_typed.as_deref(),
            order.cod_confirmation.map(|c| c.as_str())
        ]);
        args.push(Arg::Json(order.feedback.as_ref().map(to_json).transpose()?));
        args.extend(args![
            order.reminded_at,
            order.delivered_at,
            order.received_minor,
            order.number
        ]);
        tx.execute(&sql, args).await?;
        if crate::refunds::touches(update) {
            crate::refunds::write(tx, &order).await?;
        }
    }
    crate::ledger::write(tx, order.number, &update.ledger).await?;

    for entry in &update.timeline {
        insert_timeline(tx, order.number, entry).await?;
    }
    if let Some(change) = &update.status_change {
        let mut entry = TimelineEntry::new(at, TimelineKind::StatusChanged, &change.actor);
        entry.from_status = Some(change.from);
        entry.to_status = Some(change.to);
        entry.reason.clone_from(&change.reason);
        entry.detail.clone_from(&change.tracking);
        insert_timeline(tx, order.number, &entry).await?;
        effects.count(change.from, -1);
        effects.count(change.to, 1);
        let closes =
            crate::conversations::closed(change.from) != crate::conversations::closed(change.to);
        if let (true, Some(key)) = (closes, locked.customer_key.as_deref()) {
            effects.open_orders_changed(key);
        }
    }
    crate::rollups::updated(tx, &order, update, at, &mut effects.stats).await?;
    if let (Some(address), Some(key)) = (&update.address, locked.customer_key.as_deref()) {
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
    cancel_timers(tx, order.number, &update.cancel_timers).await?;
    for timer in &update.timers {
        set_timer(tx, timer.kind, timer.order_number, timer.due_at).await?;
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

/// Records a customer's message in the chat thread and what it says about
/// the customer. `None` when a message with its `wamid` is already there.
pub(crate) async fn insert_inbound_message<T: SqlTx>(
    tx: &mut T,
    message: &NewInboundMessage,
    order_number: Option<OrderNumber>,
    effects: &mut Effects,
) -> StoreResult<Option<ChatMessage>> {
    let sql = format!(
        "INSERT INTO messages (order_number, customer_key, direction, wamid, kind, text, state, \
         created_at) VALUES ($1, $2, 'in', $3, $4, $5, 'received', $6) \
         ON CONFLICT (wamid) DO NOTHING RETURNING {}",
        rows::MESSAGE_COLUMNS
    );
    let args = args![
        order_number,
        message.customer_key.as_str(),
        message.wamid.as_str(),
        message.kind.as_str(),
        message.text.as_str(),
        micros(message.at)
    ];
    let Some(stored) = fetch_one(tx, &sql, args, rows::message).await? else {
        return Ok(None);
    };
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

pub(crate) async fn cancel_timers<T: SqlTx>(
    tx: &mut T,
    number: OrderNumber,
    kinds: &[TimerKind],
) -> StoreResult<()> {
    for kind in kinds {
        tx.execute(
            "DELETE FROM jobs WHERE order_number = $1 AND kind = $2",
            args![number, kind.as_str()],
        )
        .await?;
    }
    Ok(())
}

/// Sets a timer, replacing the order's timer of that kind with a new row
/// (and id), so a claimer still running the old one cannot complete it.
pub(crate) async fn set_timer<T: SqlTx>(
    tx: &mut T,
    kind: TimerKind,
    number: OrderNumber,
    due_at: Timestamp,
) -> StoreResult<()> {
    cancel_timers(tx, number, &[kind]).await?;
    tx.execute(
        "INSERT INTO jobs (kind, order_number, due_at) VALUES ($1, $2, $3)",
        args![kind.as_str(), number, micros(due_at)],
    )
    .await?;
    Ok(())
}

/// An outbound message by id, locked until the transaction ends.
pub(crate) async fn outbound_by_id<T: SqlTx>(tx: &mut T, id: i64) -> StoreResult<ChatMessage> {
    let sql = format!(
        "SELECT {} FROM messages WHERE id = $1 AND direction = 'out'{}",
        rows::MESSAGE_COLUMNS,
        T::LOCK_ROW
    );
    fetch_one(tx, &sql, args![id], rows::message)
        .await?
        .ok_or(StoreError::NotFound)
}

/// Moves an outbound message to `failed`, showing it on its order.
pub(crate) async fn mark_failed<T: SqlTx>(
    tx: &mut T,
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
    tx.execute(
        "UPDATE messages SET state = 'failed', error = $1, locked_until = NULL WHERE id = $2",
        args![message.error.as_deref(), message.id],
    )
    .await?;
    if let Some(number) = message.order_number {
        let mut entry = TimelineEntry::new(at, TimelineKind::Notice, &Actor::System);
        entry.detail = Some(ChatMessage::failure_notice(
            message.error.as_deref().unwrap_or("delivery failed"),
        ));
        insert_timeline(tx, number, &entry).await?;
    }
    effects.message_event(EventKind::MessageStatus, message, at)
}

/// Applies the statuses that arrived for `wamid` before it was recorded
/// (see `apply_status`), in the order they move a message, and forgets them.
pub(crate) async fn apply_early_statuses<T: SqlTx>(
    tx: &mut T,
    wamid: &str,
    effects: &mut Effects,
) -> StoreResult<()> {
    let rows = tx
        .fetch(
            "DELETE FROM early_statuses WHERE wamid = $1 RETURNING state, at, error",
            args![wamid],
        )
        .await?;
    let mut early = Vec::with_capacity(rows.len());
    for row in &rows {
        let state = row.text("state")?.unwrap_or_default();
        let state = MessageState::parse(&state).ok_or_else(|| corrupt("message state", &state))?;
        let at = row
            .time("at")?
            .ok_or_else(|| corrupt("status time", "NULL"))?;
        early.push((state, at, row.text("error")?));
    }
    early.sort_by_key(|(state, _, _)| state.rank());
    for (state, at, error) in early {
        Box::pin(apply_status(
            tx,
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

/// Applies a delivery status (see `Store::message_status`).
pub(crate) async fn apply_status<T: SqlTx>(
    tx: &mut T,
    wamid: &str,
    state: MessageState,
    at: Timestamp,
    error: Option<&str>,
    effects: &mut Effects,
) -> StoreResult<Option<ChatMessage>> {
    let sql = format!(
        "SELECT {} FROM messages WHERE wamid = $1 AND direction = 'out'{}",
        rows::MESSAGE_COLUMNS,
        T::LOCK_ROW
    );
    let Some(mut message) = fetch_one(tx, &sql, args![wamid], rows::message).await? else {
        // Not recorded yet (or not ours): kept until `outbox_sent` names it.
        // The wamid's lock makes this and `outbox_sent` take turns, so the
        // status is either seen there or finds the message here.
        tx.lock_wamid(wamid).await?;
        let recorded = tx
            .fetch(
                "SELECT id FROM messages WHERE wamid = $1 AND direction = 'out'",
                args![wamid],
            )
            .await?;
        if !recorded.is_empty() {
            return Box::pin(apply_status(tx, wamid, state, at, error, effects)).await;
        }
        tx.execute(
            "INSERT INTO early_statuses (wamid, state, at, error) VALUES ($1, $2, $3, $4) \
             ON CONFLICT DO NOTHING",
            args![wamid, state.as_str(), micros(at), error],
        )
        .await?;
        return Ok(None);
    };
    if !message.state.advances_to(state) {
        return Ok(None);
    }
    if state == MessageState::Failed {
        mark_failed(tx, &mut message, error, at, effects).await?;
        return Ok(Some(message));
    }
    tx.execute(
        "UPDATE messages SET state = $1, locked_until = NULL WHERE id = $2",
        args![state.as_str(), message.id],
    )
    .await?;
    message.state = state;
    effects.message_event(EventKind::MessageStatus, &message, micros(at))?;
    Ok(Some(message))
}
