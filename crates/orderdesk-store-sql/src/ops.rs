//! The write use-cases of the `Store` trait, each the body of one
//! transaction the backend has begun and commits when this returns `Ok`
//! (and rolls back, by dropping it, on an error).

use std::collections::HashSet;

use orderdesk_domain::{EventKind, Order, OrderNumber, Timestamp};
use orderdesk_store::{
    ChatMessage, InboundOutcome, InboundResult, MessageState, NewOutbound, OrderUpdate, StoreError,
    StoreResult,
};

use crate::codec::{micros, Cols};
use crate::effects::Effects;
use crate::{args, writes, SqlTx};

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
            jobs,
        } => {
            let order = writes::create_order(tx, order, effects).await?;
            for message in outbound {
                let number = message.order_number.or(Some(order.number));
                effects.outbound(message, number, order.created_at);
            }
            for (kind, due_at) in jobs {
                writes::set_job(tx, *kind, order.number, *due_at).await?;
            }
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

/// `Store::complete_inbound_detailed`, marking items processed at `now`.
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

    let mut effects = Effects::default();
    let mut results = Vec::with_capacity(batch.len());
    let mut seen = HashSet::new();
    // Customers with an item left pending: their later items wait too.
    let mut held_back = HashSet::new();
    for (id, outcome) in batch {
        if !seen.insert(*id) {
            results.push(InboundResult::Skipped);
            continue;
        }
        let rows = tx
            .fetch(
                "SELECT customer_key FROM inbound WHERE id = $1 AND processed_at IS NULL",
                args![*id],
            )
            .await?;
        // Someone else already processed it, or it does not exist.
        let Some(row) = rows.first() else {
            results.push(InboundResult::Skipped);
            continue;
        };
        let customer_key = row.text("customer_key")?;
        if customer_key.as_ref().is_some_and(|k| held_back.contains(k)) {
            results.push(InboundResult::Deferred);
            continue;
        }
        let (result, label, error) = apply_outcome(tx, outcome, &mut effects).await?;
        if result.is_pending() {
            if let Some(key) = customer_key {
                held_back.insert(key);
            }
            results.push(result);
            continue;
        }
        let number = match &result {
            InboundResult::Done {
                order: Some(order), ..
            } => Some(order.number),
            _ => None,
        };
        tx.execute(
            "UPDATE inbound SET processed_at = $1, outcome = $2, error = $3, order_number = $4 \
             WHERE id = $5",
            args![micros(now), label, error.as_deref(), number, *id],
        )
        .await?;
        results.push(result);
    }
    effects.apply(tx).await?;
    Ok(results)
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
