//! The write use-cases of the `Store` trait, each the body of one
//! transaction the backend has begun and commits when this returns `Ok`
//! (and rolls back, by dropping it, on an error).

use std::collections::{HashMap, HashSet};

use orderdesk_domain::{EventKind, NewOrder, Order, OrderNumber, Timestamp};
use orderdesk_store::{
    ChatMessage, InboundOutcome, InboundResult, MessageState, NewOutbound, OrderUpdate, StoreError,
    StoreResult, TimerKind,
};

use crate::batch::{self, Rows};
use crate::effects::Effects;
use crate::rows::{corrupt, micros, Cols};
use crate::{args, writes, Arg, SqlTx};

/// Applies one inbox item's outcome; returns its result and what the inbox
/// row records (outcome label, error). A pending result has written nothing.
async fn apply_outcome<T: SqlTx>(
    tx: &mut T,
    outcome: &InboundOutcome,
    effects: &mut Effects,
) -> StoreResult<(InboundResult, &'static str, Option<String>)> {
    let done =
        |order: Option<Order>, message: Option<ChatMessage>| InboundResult::Done { order, message };
    Ok(match outcome {
        InboundOutcome::CreateOrder {
            order,
            outbound,
            timers,
        } => {
            let mut created = create_orders(tx, &[(order, outbound, timers)], effects).await?;
            let order = created.pop().ok_or(StoreError::NotFound)?;
            (done(Some(order), None), "created", None)
        }
        InboundOutcome::Message(message) => {
            let stored =
                writes::insert_inbound_message(tx, message, message.order_number, effects).await?;
            (done(None, stored), "message", None)
        }
        InboundOutcome::MessageAndUpdate {
            message,
            number,
            expected_version,
            update,
        } => {
            let locked = writes::lock_order(tx, *number).await?;
            match writes::check_version(&locked.order, *expected_version, update) {
                Ok(()) => {}
                Err(StoreError::Conflict { current_version }) => {
                    let result = InboundResult::Conflict {
                        number: *number,
                        current_version,
                    };
                    return Ok((result, "conflict", None));
                }
                Err(e) => return Err(e),
            }
            let belongs_to = message.order_number.or(Some(*number));
            let stored = writes::insert_inbound_message(tx, message, belongs_to, effects).await?;
            // Off the bot's script (its count went up): the bot's answer is
            // no answer, the message waits for a person.
            if let (Some(stored), Some(1..)) = (&stored, update.off_script) {
                effects.bot_missed(&stored.customer_key, stored.id);
            }
            let order = writes::write_update(tx, locked, update, message.at, effects).await?;
            (done(Some(order), stored), "updated", None)
        }
        InboundOutcome::Status {
            wamid,
            state,
            at,
            error,
        } => {
            let changed =
                writes::apply_status(tx, wamid, *state, *at, error.as_deref(), effects).await?;
            (done(None, changed), "status", None)
        }
        InboundOutcome::Ignored => (done(None, None), "ignored", None),
        InboundOutcome::Failed(reason) => (done(None, None), "failed", Some(reason.clone())),
    })
}

type NewOrderParts<'a> = (
    &'a NewOrder,
    &'a [NewOutbound],
    &'a [(TimerKind, Timestamp)],
);

/// Creates the orders of a run of carts set-based (see `writes::create_orders`),
/// with their first messages and timers.
async fn create_orders<T: SqlTx>(
    tx: &mut T,
    parts: &[NewOrderParts<'_>],
    effects: &mut Effects,
) -> StoreResult<Vec<Order>> {
    let news: Vec<&NewOrder> = parts.iter().map(|(order, _, _)| *order).collect();
    let orders = writes::create_orders(tx, &news, effects).await?;
    let mut timers = Vec::new();
    for (order, (_, outbound, order_timers)) in orders.iter().zip(parts) {
        for message in *outbound {
            let number = message.order_number.or(Some(order.number));
            effects.outbound(message, number, order.created_at);
        }
        timers.extend(
            order_timers
                .iter()
                .map(|(kind, due)| (*kind, order.number, *due)),
        );
    }
    writes::insert_new_timers(tx, &timers).await?;
    Ok(orders)
}

/// What the inbox row of a finished item records.
struct Mark {
    id: i64,
    label: &'static str,
    error: Option<String>,
    number: Option<OrderNumber>,
}

/// The carts of a batch waiting to be created together, by batch index.
#[derive(Default)]
struct CartRun(Vec<usize>);

impl CartRun {
    /// Creates the waiting orders, filling in their results and marks.
    async fn flush<T: SqlTx>(
        &mut self,
        tx: &mut T,
        batch: &[(i64, InboundOutcome)],
        results: &mut [Option<InboundResult>],
        marks: &mut Vec<Mark>,
        effects: &mut Effects,
    ) -> StoreResult<()> {
        let parts: Vec<NewOrderParts<'_>> = self
            .0
            .iter()
            .filter_map(|&i| match &batch[i].1 {
                InboundOutcome::CreateOrder {
                    order,
                    outbound,
                    timers,
                } => Some((order, outbound.as_slice(), timers.as_slice())),
                _ => None,
            })
            .collect();
        let orders = create_orders(tx, &parts, effects).await?;
        for (index, order) in self.0.drain(..).zip(orders) {
            marks.push(Mark {
                id: batch[index].0,
                label: "created",
                error: None,
                number: Some(order.number),
            });
            results[index] = Some(InboundResult::Done {
                order: Some(order),
                message: None,
            });
        }
        Ok(())
    }
}

/// `Store::apply_inbound`, marking items processed at `now`.
///
/// Set-based: the batch's items are read in one query, consecutive carts
/// become orders together (one statement per table), and every finished
/// item is marked in one statement at the end. Anything else is applied
/// item by item in batch order, after the carts before it, so one
/// customer's items still apply in arrival order.
pub async fn complete_inbound<T: SqlTx>(
    tx: &mut T,
    batch: &[(i64, InboundOutcome)],
    now: Timestamp,
) -> StoreResult<Vec<InboundResult>> {
    // Lock the items in id order first, so two processors handed
    // overlapping batches in different orders wait instead of deadlocking.
    let mut ids: Vec<i64> = batch.iter().map(|(id, _)| *id).collect();
    ids.sort_unstable();
    ids.dedup();
    tx.lock_inbox(&ids).await?;
    let pending = pending_items(tx, &ids).await?;
    lock_updated_orders(tx, batch, &pending).await?;

    let mut effects = Effects::default();
    let mut results: Vec<Option<InboundResult>> = Vec::with_capacity(batch.len());
    let mut marks = Vec::with_capacity(batch.len());
    let mut carts = CartRun::default();
    let mut seen = HashSet::new();
    // Customers with an item left pending: their later items wait too.
    let mut held_back = HashSet::new();
    for (index, (id, outcome)) in batch.iter().enumerate() {
        // A repeat within the batch, someone else already processed it, or
        // it does not exist.
        let customer_key = match pending.get(id) {
            Some(key) if seen.insert(*id) => key,
            _ => {
                results.push(Some(InboundResult::Skipped));
                continue;
            }
        };
        if customer_key.as_ref().is_some_and(|k| held_back.contains(k)) {
            results.push(Some(InboundResult::Deferred));
            continue;
        }
        if matches!(outcome, InboundOutcome::CreateOrder { .. }) {
            carts.0.push(index);
            results.push(None);
            continue;
        }
        carts
            .flush(tx, batch, &mut results, &mut marks, &mut effects)
            .await?;
        let (result, label, error) = apply_outcome(tx, outcome, &mut effects).await?;
        if result.is_pending() {
            if let Some(key) = customer_key {
                held_back.insert(key.clone());
            }
            results.push(Some(result));
            continue;
        }
        let number = match &result {
            InboundResult::Done {
                order: Some(order), ..
            } => Some(order.number),
            _ => None,
        };
        marks.push(Mark {
            id: *id,
            label,
            error,
            number,
        });
        results.push(Some(result));
    }
    carts
        .flush(tx, batch, &mut results, &mut marks, &mut effects)
        .await?;
    mark_processed(tx, marks, now).await?;
    effects.apply(tx).await?;
    results
        .into_iter()
        .map(|r| r.ok_or(StoreError::NotFound))
        .collect()
}

/// Locks every order the batch's pending items update, in number order,
/// before anything else of the batch (step 2 of the lock order on
/// [`SqlTx`]). Locked as the items reach them instead, a batch paying #7
/// and then updating #3 would hold #7 and #7's invoice counter while
/// waiting for #3, and a staff payment on #3 (holding #3, waiting for the
/// counter) would deadlock with it.
async fn lock_updated_orders<T: SqlTx>(
    tx: &mut T,
    batch: &[(i64, InboundOutcome)],
    pending: &HashMap<i64, Option<String>>,
) -> StoreResult<()> {
    let mut numbers: Vec<i64> = batch
        .iter()
        .filter(|(id, _)| pending.contains_key(id))
        .filter_map(|(_, outcome)| match outcome {
            InboundOutcome::MessageAndUpdate { number, .. } => Some(number.get()),
            _ => None,
        })
        .collect();
    numbers.sort_unstable();
    numbers.dedup();
    // One order is locked by the item itself, as any single-order write does.
    if numbers.len() < 2 || T::LOCK_ORDER.is_empty() {
        return Ok(());
    }
    for chunk in numbers.chunks(1024) {
        let sql = format!(
            "SELECT number FROM orders WHERE number IN {} ORDER BY number{}",
            batch::placeholders(1, chunk.len()),
            T::LOCK_ORDER
        );
        let args = chunk.iter().map(|n| Arg::from(*n)).collect();
        tx.fetch(&sql, args).await?;
    }
    Ok(())
}

/// The customer key of each of these items still unprocessed.
async fn pending_items<T: SqlTx>(
    tx: &mut T,
    ids: &[i64],
) -> StoreResult<HashMap<i64, Option<String>>> {
    let mut pending = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(1024) {
        let sql = format!(
            "SELECT id, customer_key FROM inbound WHERE processed_at IS NULL AND id IN {}",
            batch::placeholders(1, chunk.len())
        );
        let args = chunk.iter().map(|id| Arg::from(*id)).collect();
        for row in tx.fetch(&sql, args).await? {
            let id = row.int("id")?.ok_or_else(|| corrupt("inbox id", "NULL"))?;
            pending.insert(id, row.text("customer_key")?);
        }
    }
    Ok(pending)
}

/// Marks finished items processed at `now`, in one statement per chunk.
async fn mark_processed<T: SqlTx>(tx: &mut T, marks: Vec<Mark>, now: Timestamp) -> StoreResult<()> {
    let now = micros(now);
    let rows = marks
        .into_iter()
        .map(|m| args![m.id, m.label, m.error.as_deref(), m.number, now])
        .collect();
    Rows {
        head: "WITH v (id, outcome, error, number, at) AS (",
        casts: &["", "", "", "", ""],
        tail: ") UPDATE inbound SET processed_at = v.at, outcome = v.outcome, error = v.error, \
               order_number = v.number FROM v WHERE inbound.id = v.id",
    }
    .execute(tx, rows)
    .await?;
    Ok(())
}

/// `Store::update_order`.
pub async fn update_order<T: SqlTx>(
    tx: &mut T,
    number: OrderNumber,
    expected_version: i64,
    update: &OrderUpdate,
    at: Timestamp,
) -> StoreResult<Order> {
    let locked = writes::lock_order(tx, number).await?;
    writes::check_version(&locked.order, expected_version, update)?;
    let mut effects = Effects::default();
    let order = writes::write_update(tx, locked, update, at, &mut effects).await?;
    effects.apply(tx).await?;
    Ok(order)
}

/// `Store::queue_outbound`.
pub async fn queue_outbound<T: SqlTx>(
    tx: &mut T,
    messages: &[NewOutbound],
    at: Timestamp,
) -> StoreResult<Vec<ChatMessage>> {
    let mut effects = Effects::default();
    for message in messages {
        effects.outbound(message, message.order_number, at);
    }
    effects.apply(tx).await
}

/// `Store::queue_reply`.
pub async fn queue_reply<T: SqlTx>(
    tx: &mut T,
    message: &NewOutbound,
    at: Timestamp,
) -> StoreResult<ChatMessage> {
    let mut effects = Effects::default();
    effects.outbound(message, message.order_number, at);
    effects.answered(&message.customer_key);
    effects
        .apply(tx)
        .await?
        .pop()
        .ok_or_else(|| StoreError::Other(anyhow::anyhow!("the outbox queued no message")))
}

/// `Store::outbox_sent`.
pub async fn outbox_sent<T: SqlTx>(
    tx: &mut T,
    id: i64,
    wamid: &str,
    at: Timestamp,
) -> StoreResult<ChatMessage> {
    let at = micros(at);
    tx.lock_wamid(wamid).await?;
    let mut message = writes::outbound_by_id(tx, id).await?;
    // `failed` too: WhatsApp took it after all (a sender whose lease ran
    // out), and its delivery statuses will name this wamid.
    if !matches!(
        message.state,
        MessageState::Queued | MessageState::Sending | MessageState::Failed
    ) {
        return Ok(message);
    }
    tx.execute(
        "UPDATE messages SET state = 'sent', wamid = $1, sent_at = $2, locked_until = NULL \
         WHERE id = $3",
        args![wamid, at, id],
    )
    .await?;
    message.state = MessageState::Sent;
    message.wamid = Some(wamid.to_owned());
    message.sent_at = Some(at);
    let mut effects = Effects::default();
    effects.message_event(EventKind::MessageSent, &message, at)?;
    writes::apply_early_statuses(tx, wamid, &mut effects).await?;
    effects.apply(tx).await?;
    Ok(message)
}

/// `Store::outbox_retry`.
pub async fn outbox_retry<T: SqlTx>(
    tx: &mut T,
    id: i64,
    not_before: Timestamp,
    error: &str,
) -> StoreResult<()> {
    let message = writes::outbound_by_id(tx, id).await?;
    if matches!(message.state, MessageState::Queued | MessageState::Sending) {
        tx.execute(
            "UPDATE messages SET state = 'queued', not_before = $1, error = $2, \
             locked_until = NULL WHERE id = $3",
            args![micros(not_before), error, id],
        )
        .await?;
    }
    Ok(())
}

/// `Store::outbound_text`: the text as the dispatcher rendered it, for a
/// message not yet sent (a sent one keeps its text). `NotFound` unless the
/// id is an outbound message.
pub async fn outbound_text<T: SqlTx>(tx: &mut T, id: i64, text: &str) -> StoreResult<()> {
    let changed = tx
        .execute(
            "UPDATE messages SET text = $1 WHERE id = $2 AND direction = 'out' \
             AND state IN ('queued', 'sending')",
            args![text, id],
        )
        .await?;
    if changed == 0 {
        writes::outbound_by_id(tx, id).await?;
    }
    Ok(())
}

/// `Store::outbox_failed`.
pub async fn outbox_failed<T: SqlTx>(
    tx: &mut T,
    id: i64,
    error: &str,
    at: Timestamp,
) -> StoreResult<ChatMessage> {
    let mut message = writes::outbound_by_id(tx, id).await?;
    if !matches!(message.state, MessageState::Queued | MessageState::Sending) {
        return Ok(message);
    }
    let mut effects = Effects::default();
    writes::mark_failed(tx, &mut message, Some(error), at, &mut effects).await?;
    effects.apply(tx).await?;
    Ok(message)
}

/// `Store::message_status`.
pub async fn message_status<T: SqlTx>(
    tx: &mut T,
    wamid: &str,
    state: MessageState,
    at: Timestamp,
    error: Option<&str>,
) -> StoreResult<Option<ChatMessage>> {
    let mut effects = Effects::default();
    let changed = writes::apply_status(tx, wamid, state, at, error, &mut effects).await?;
    // Also without a change: a status for a wamid not recorded yet is kept.
    effects.apply(tx).await?;
    Ok(changed)
}
