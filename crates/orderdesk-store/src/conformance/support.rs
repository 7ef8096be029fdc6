//! Fixtures and helpers shared by the conformance cases.

use super::*;

/// 2026-03-01T10:00:00.123456789Z plus `secs`: nanoseconds on purpose, to
/// check stores keep exactly the microseconds.
pub fn at(secs: i64) -> Timestamp {
    DateTime::from_timestamp(1_772_359_200 + secs, 123_456_789).expect("valid fixture time")
}

/// A time as a store gives it back.
pub fn micros(t: Timestamp) -> Timestamp {
    t.trunc_subsecs(6)
}

pub(super) fn n(number: i64) -> OrderNumber {
    OrderNumber::new(number).expect("an order number")
}

pub(super) fn numbers(orders: &[Order]) -> Vec<i64> {
    orders.iter().map(|o| o.number.get()).collect()
}

pub(super) static EXTERNAL_IDS: AtomicU64 = AtomicU64::new(1);

/// A WhatsApp text message with a process-unique `wamid`.
pub fn inbound_item(external_id: &str) -> NewInbound {
    NewInbound {
        source: "whatsapp".to_owned(),
        external_id: external_id.to_owned(),
        kind: "message.text".to_owned(),
        customer_key: Some("919800000001".to_owned()),
        payload: format!(r#"{{"id":"{external_id}","text":{{"body":"नमस्ते 👋"}}}}"#),
        received_at: at(0),
    }
}

pub(super) fn unique_item() -> NewInbound {
    let id = EXTERNAL_IDS.fetch_add(1, Ordering::Relaxed);
    inbound_item(&format!("wamid.conformance.{id}"))
}

/// A two-line cart in INR for a customer known by phone number.
pub fn cart(name: &str, wa_id: &str, created_at: Timestamp) -> NewOrder {
    NewOrder {
        customer: Customer {
            wa_id: Some(wa_id.to_owned()),
            user_id: None,
            name: Some(name.to_owned()),
        },
        items: vec![
            LineItem {
                retailer_id: "tee-black-m".to_owned(),
                name: "Black tee, M".to_owned(),
                quantity: 2,
                unit_price_minor: 49_900,
            },
            LineItem {
                retailer_id: "mug".to_owned(),
                name: "Mug".to_owned(),
                quantity: 1,
                unit_price_minor: 29_950,
            },
        ],
        currency: Currency::parse("INR").expect("INR"),
        total_minor: 129_750,
        cart_text: None,
        created_at,
    }
}

/// What a store must make of a new cart.
pub fn expected_order(number: OrderNumber, new: &NewOrder) -> Order {
    Order {
        number,
        status: OrderStatus::Placed,
        held_from: None,
        payment_status: PaymentStatus::Pending,
        payment_method: None,
        checkout_step: CheckoutStep::AwaitingAddress,
        customer: new.customer.clone(),
        items: new.items.clone(),
        currency: new.currency,
        total_minor: new.total_minor,
        address: None,
        note: None,
        cart_text: new.cart_text.clone(),
        tracking: None,
        payment_reference: None,
        payment_review: None,
        provider_payment_id: None,
        refunded_minor: 0,
        invoice_number: None,
        refunds: Vec::new(),
        created_at: micros(new.created_at),
        updated_at: micros(new.created_at),
        version: 1,
        shipping_minor: 0,
        discount_minor: 0,
        tags: Vec::new(),
        assignee: None,
        address_as_typed: None,
        off_script: 0,
        cod_confirmation: None,
        feedback: None,
        reminded_at: None,
        delivered_at: None,
        received_minor: 0,
    }
}

/// Stores one inbox item per cart and completes them in one batch.
pub async fn create_orders(store: &dyn Store, carts: Vec<NewOrder>) -> Vec<Order> {
    let items: Vec<NewInbound> = carts.iter().map(|_| unique_item()).collect();
    let recorded = store.record_inbound(&items).await.expect("record_inbound");
    let batch: Vec<(i64, InboundOutcome)> = recorded
        .into_iter()
        .zip(carts)
        .map(|(r, c)| match r {
            Recorded::New(id) => (id, InboundOutcome::create_order(c)),
            Recorded::Duplicate => panic!("a unique item was reported as a duplicate"),
        })
        .collect();
    store
        .complete_inbound(&batch)
        .await
        .expect("complete_inbound")
        .into_iter()
        .map(|o| o.expect("an order for every cart"))
        .collect()
}

pub async fn create_order(store: &dyn Store, new: NewOrder) -> Order {
    create_orders(store, vec![new]).await.remove(0)
}

/// `count` orders for distinct customers, created one second apart.
pub(super) async fn create_many(store: &dyn Store, count: usize) -> Vec<Order> {
    let carts = (0..count)
        .map(|i| {
            let i = i64::try_from(i).expect("small");
            cart(&format!("Customer {i}"), &format!("9170000{i:05}"), at(i))
        })
        .collect();
    create_orders(store, carts).await
}

/// Plans a move with the domain's rules, so the suite only ever applies
/// legal changes.
pub fn plan(order: &Order, to: OrderStatus, actor: Actor, reason: Option<&str>) -> StatusChange {
    plan_transition(
        order.status,
        order.held_from,
        TransitionRequest {
            to,
            actor,
            reason: reason.map(str::to_owned),
            tracking: None,
        },
    )
    .expect("a legal move")
}

pub(super) fn staff() -> Actor {
    Actor::staff("owner@shop.test")
}

/// Applies a planned move at `when` and returns the updated order.
pub async fn move_order(
    store: &dyn Store,
    order: &Order,
    change: StatusChange,
    when: Timestamp,
) -> Order {
    store
        .change_status(order.number, order.version, &change, when)
        .await
        .unwrap_or_else(|e| panic!("moving {} to {}: {e}", order.number, change.to))
}

/// `order` after `update`, written at `at(secs)` from the version it was
/// read at.
pub(super) async fn updated(
    store: &dyn Store,
    order: &Order,
    update: &OrderUpdate,
    secs: i64,
) -> Order {
    store
        .update_order(order.number, order.version, update, at(secs))
        .await
        .unwrap_or_else(|e| panic!("updating {}: {e}", order.number))
}

pub(super) async fn count_of(store: &dyn Store, status: OrderStatus) -> i64 {
    store
        .status_counts()
        .await
        .expect("status_counts")
        .into_iter()
        .find(|(s, _)| *s == status)
        .map(|(_, c)| c)
        .expect("every status is listed")
}

pub(super) async fn list(store: &dyn Store, query: OrderQuery) -> (Vec<i64>, Option<i64>) {
    let page = store.list_orders(&query).await.expect("list_orders");
    (numbers(&page.orders), page.next_before.map(|n| n.get()))
}

pub(super) fn query(limit: u32) -> OrderQuery {
    OrderQuery {
        limit,
        ..OrderQuery::default()
    }
}

pub(super) fn search(q: &str) -> OrderQuery {
    OrderQuery {
        q: Some(q.to_owned()),
        ..query(50)
    }
}

/// Drives all futures at once on the current task (the cases borrow the
/// store, so they cannot spawn) and returns their outputs in order.
pub(super) async fn join_all<F: Future>(futures: Vec<F>) -> Vec<F::Output> {
    let mut futures: Vec<Pin<Box<F>>> = futures.into_iter().map(Box::pin).collect();
    let mut outputs: Vec<Option<F::Output>> = futures.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (future, output) in futures.iter_mut().zip(outputs.iter_mut()) {
            if output.is_none() {
                match future.as_mut().poll(cx) {
                    Poll::Ready(value) => *output = Some(value),
                    Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            Poll::Pending
        } else {
            Poll::Ready(())
        }
    })
    .await;
    outputs.into_iter().map(|o| o.expect("finished")).collect()
}

/// A text message to `key` about `order`, as the outbox queues it.
pub fn outbound(
    key: &str,
    order: Option<OrderNumber>,
    text: &str,
    not_before: Timestamp,
) -> NewOutbound {
    NewOutbound {
        order_number: order,
        customer_key: key.to_owned(),
        to_wa_id: Some(key.to_owned()),
        to_user_id: None,
        body: serde_json::json!({
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": key,
            "type": "text",
            "text": { "body": text },
        }),
        preview: text.to_owned(),
        not_before,
    }
}

/// A customer's text message with the given `wamid`.
pub fn inbound_message(key: &str, wamid: &str, text: &str, at: Timestamp) -> NewInboundMessage {
    NewInboundMessage {
        customer_key: key.to_owned(),
        wa_id: Some(key.to_owned()),
        user_id: None,
        name: None,
        order_number: None,
        wamid: wamid.to_owned(),
        kind: "text".to_owned(),
        text: text.to_owned(),
        at,
    }
}

pub(super) fn address() -> Address {
    Address {
        name: "Asha Rao".to_owned(),
        phone: "+91 98000 00001".to_owned(),
        line1: "12 MG Road".to_owned(),
        line2: "Flat 4 — “blue door”".to_owned(),
        city: "Bengaluru".to_owned(),
        state: "KA".to_owned(),
        postal_code: "560001".to_owned(),
        country: "IN".to_owned(),
    }
}

pub(super) fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

/// Stores one unique inbox item per customer key given; returns their ids.
pub(super) async fn record_items(store: &dyn Store, keys: &[&str]) -> Vec<i64> {
    let inbound: Vec<NewInbound> = keys
        .iter()
        .map(|key| NewInbound {
            customer_key: Some((*key).to_owned()),
            ..unique_item()
        })
        .collect();
    store
        .record_inbound(&inbound)
        .await
        .unwrap()
        .into_iter()
        .map(|r| match r {
            Recorded::New(id) => id,
            Recorded::Duplicate => panic!("a unique item was reported as a duplicate"),
        })
        .collect()
}

/// Stores one inbox item per outcome, keyed to its customer, and completes
/// them in one batch; returns the inbox ids and the results.
pub(super) async fn complete_items(
    store: &dyn Store,
    items: Vec<(&str, InboundOutcome)>,
) -> (Vec<i64>, Vec<InboundResult>) {
    let keys: Vec<&str> = items.iter().map(|(key, _)| *key).collect();
    let ids = record_items(store, &keys).await;
    let batch: Vec<(i64, InboundOutcome)> = ids
        .iter()
        .copied()
        .zip(items.into_iter().map(|(_, o)| o))
        .collect();
    let results = store.apply_inbound(&batch).await.unwrap();
    (ids, results)
}

pub(super) async fn events_after(store: &dyn Store, seq: i64) -> Vec<StoredEvent> {
    store.events_since(seq, 10_000).await.unwrap()
}

/// The kinds of `events`, leaving out the `conversation.updated` that
/// follows every customer message (its cases: `conformance/conversations.rs`).
pub(super) fn kinds(events: &[StoredEvent]) -> Vec<EventKind> {
    events
        .iter()
        .map(|e| e.kind)
        .filter(|k| *k != EventKind::ConversationUpdated)
        .collect()
}

/// Queues messages through an update that changes nothing else.
pub(super) async fn queue(
    store: &dyn Store,
    order: &Order,
    messages: Vec<NewOutbound>,
    when: Timestamp,
) {
    let update = OrderUpdate {
        outbound: messages,
        ..OrderUpdate::default()
    };
    store
        .update_order(order.number, order.version, &update, when)
        .await
        .unwrap();
}

/// Queues, claims and sends one message; returns it as sent.
pub(super) async fn send_one(
    store: &dyn Store,
    order: &Order,
    wamid: &str,
    when: Timestamp,
) -> ChatMessage {
    let key = order.customer.wa_id.clone().unwrap();
    queue(
        store,
        order,
        vec![outbound(&key, None, "hello", when)],
        when,
    )
    .await;
    let claimed = store.claim_outbox(when, secs(30), 10).await.unwrap();
    assert_eq!(claimed.len(), 1, "{claimed:?}");
    store.outbox_sent(claimed[0].id, wamid, when).await.unwrap()
}

pub(super) async fn message_ids(store: &dyn Store, order: &Order) -> Vec<i64> {
    store
        .messages_for_order(order.number)
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.id)
        .collect()
}

pub(super) async fn claim_ids(store: &dyn Store, now: Timestamp) -> Vec<i64> {
    store
        .claim_outbox(now, secs(30), 100)
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.id)
        .collect()
}
