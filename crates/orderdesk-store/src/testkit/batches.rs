//! Conformance cases for a batch of inbox items applied in one transaction
//! (the shared write path of `orderdesk-store-sql`).

use super::*;

/// A batch that fails part-way (here: an update naming an order that does
/// not exist, as a crash would) leaves no trace — no order, message,
/// customer, event, nor "processed" mark — and applies whole when it is
/// decided again, as after a restart.
pub async fn case_failed_batch_applies_nothing(store: &dyn Store) {
    let key = "919800000071";
    let new = cart("Asha", key, at(100));
    let hello = || inbound_message(key, "wamid.batch.hello", "hello", at(101));
    let bad = InboundOutcome::MessageAndUpdate {
        message: inbound_message(key, "wamid.batch.tap", "Pay now", at(102)),
        number: n(9_999),
        expected_version: 1,
        update: OrderUpdate::default(),
    };
    let ids = record_items(store, &[key; 3]).await;
    let batch = vec![
        (ids[0], InboundOutcome::create_order(new.clone())),
        (ids[1], InboundOutcome::Message(hello())),
        (ids[2], bad),
    ];
    let err = store.complete_inbound_detailed(&batch).await.unwrap_err();
    assert!(matches!(err, StoreError::NotFound), "got {err:?}");

    let pending: Vec<i64> = store
        .pending_inbound(10)
        .await
        .unwrap()
        .iter()
        .map(|r| r.id)
        .collect();
    assert_eq!(
        pending, ids,
        "every item of the failed batch is still pending"
    );
    assert!(store
        .list_orders(&query(10))
        .await
        .unwrap()
        .orders
        .is_empty());
    assert!(store
        .messages_for_customer(key, 10)
        .await
        .unwrap()
        .is_empty());
    assert!(store.customer(key).await.unwrap().is_none());
    assert_eq!(store.last_event_seq().await.unwrap(), 0);
    assert_eq!(count_of(store, OrderStatus::Placed).await, 0);

    let retry = vec![
        (ids[0], InboundOutcome::create_order(new.clone())),
        (ids[1], InboundOutcome::Message(hello())),
        (ids[2], InboundOutcome::Failed("no such order".to_owned())),
    ];
    let results = store.complete_inbound_detailed(&retry).await.unwrap();
    assert!(results
        .iter()
        .all(|r| matches!(r, InboundResult::Done { .. })));
    let order = store.order(n(1001)).await.unwrap();
    assert_eq!(order, expected_order(n(1001), &new));
    assert!(store.pending_inbound(10).await.unwrap().is_empty());
    let events = events_after(store, 0).await;
    assert_eq!(
        kinds(&events),
        vec![EventKind::OrderCreated, EventKind::MessageReceived]
    );
}

/// One customer's cart and messages in one batch apply in arrival order,
/// and a message delivered twice inside the batch is recorded once.
pub async fn case_batch_keeps_a_customers_order(store: &dyn Store) {
    let key = "919800000072";
    let question = || inbound_message(key, "wamid.batch.q", "is it shipped?", at(201));
    let (ids, results) = complete_items(
        store,
        vec![
            (
                key,
                InboundOutcome::create_order(cart("Ravi", key, at(200))),
            ),
            (key, InboundOutcome::Message(question())),
            (key, InboundOutcome::Message(question())),
        ],
    )
    .await;
    assert_eq!(ids.len(), 3);
    let recorded: Vec<bool> = results
        .iter()
        .map(|r| {
            matches!(
                r,
                InboundResult::Done {
                    message: Some(_),
                    ..
                }
            )
        })
        .collect();
    assert_eq!(recorded, vec![false, true, false], "got {results:?}");

    let events = events_after(store, 0).await;
    assert_eq!(
        kinds(&events),
        vec![EventKind::OrderCreated, EventKind::MessageReceived]
    );
    let thread = store.messages_for_customer(key, 10).await.unwrap();
    assert_eq!(thread.len(), 1);
    let customer = store.customer(key).await.unwrap().expect("the customer");
    assert_eq!(customer.last_inbound_at, Some(micros(at(201))));
    assert!(store.pending_inbound(10).await.unwrap().is_empty());
}
