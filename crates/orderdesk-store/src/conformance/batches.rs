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
    let err = store.apply_inbound(&batch).await.unwrap_err();
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
    let results = store.apply_inbound(&retry).await.unwrap();
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

/// A batch as the processor hands it over under load: carts of several
/// customers, an item that failed to decode between them, the same item
/// twice, and a message after them. The carts become orders numbered in
/// arrival order with their first messages in order, the failed item is
/// marked processed (kept, not retried) without stopping the others, the
/// repeat is skipped, and the events follow arrival order.
pub async fn case_batch_with_a_bad_item_and_a_repeat(store: &dyn Store) {
    let keys = ["919800000081", "919800000082", "919800000083"];
    let ids = record_items(store, &[keys[0], keys[1], keys[0], keys[2], keys[0]]).await;
    let with_messages = InboundOutcome::CreateOrder {
        order: cart("Bina", keys[1], at(301)),
        outbound: vec![
            outbound(keys[1], None, "first", at(301)),
            outbound(keys[1], None, "second", at(301)),
        ],
        timers: vec![(TimerKind::Nudge, at(4_000))],
    };
    let batch = vec![
        (
            ids[0],
            InboundOutcome::create_order(cart("Asha", keys[0], at(300))),
        ),
        (ids[1], with_messages),
        (ids[2], InboundOutcome::Failed("unreadable cart".to_owned())),
        (
            ids[0],
            InboundOutcome::create_order(cart("Asha", keys[0], at(300))),
        ),
        (
            ids[3],
            InboundOutcome::create_order(cart("Chen", keys[2], at(302))),
        ),
        (
            ids[4],
            InboundOutcome::Message(inbound_message(keys[0], "wamid.batch.81", "hi", at(303))),
        ),
    ];
    let results = store.apply_inbound(&batch).await.unwrap();
    let numbers: Vec<Option<i64>> = results
        .iter()
        .map(|r| match r {
            InboundResult::Done {
                order: Some(order), ..
            } => Some(order.number.get()),
            _ => None,
        })
        .collect();
    assert_eq!(
        numbers,
        vec![Some(1001), Some(1002), None, None, Some(1003), None]
    );
    assert!(matches!(results[2], InboundResult::Done { .. }));
    assert!(matches!(results[3], InboundResult::Skipped));
    assert!(store.pending_inbound(10).await.unwrap().is_empty());

    for (number, key) in [(1001, keys[0]), (1002, keys[1]), (1003, keys[2])] {
        let order = store.order(n(number)).await.unwrap();
        assert_eq!(order.customer.wa_id.as_deref(), Some(key));
        assert_eq!(store.timeline(n(number)).await.unwrap().len(), 1);
        assert!(store.customer(key).await.unwrap().is_some());
    }
    assert_eq!(count_of(store, OrderStatus::Placed).await, 3);
    let texts: Vec<String> = store
        .messages_for_order(n(1002))
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.text)
        .collect();
    assert_eq!(texts, vec!["first", "second"]);
    let events = events_after(store, 0).await;
    assert_eq!(
        kinds(&events),
        vec![
            EventKind::OrderCreated,
            EventKind::OrderCreated,
            EventKind::OrderCreated,
            EventKind::MessageReceived
        ]
    );
    let order_numbers: Vec<Option<i64>> = events
        .iter()
        .map(|e| e.order_number.map(|n| n.get()))
        .collect();
    assert_eq!(order_numbers[..3], [Some(1001), Some(1002), Some(1003)]);
}

/// A batch larger than one statement chunk (see the store's `batch`
/// module): 300 carts become orders 1001–1300 in arrival order, each with
/// its customer, timeline entry and event.
pub async fn case_large_batch_of_carts(store: &dyn Store) {
    let keys: Vec<String> = (0..300).map(|i| format!("91980001{i:04}")).collect();
    let items: Vec<(&str, InboundOutcome)> = keys
        .iter()
        .zip(0..)
        .map(|(key, i)| {
            (
                key.as_str(),
                InboundOutcome::create_order(cart("Many", key, at(400 + i))),
            )
        })
        .collect();
    let (_, results) = complete_items(store, items).await;
    assert_eq!(results.len(), 300);
    assert!(store.pending_inbound(10).await.unwrap().is_empty());
    assert_eq!(count_of(store, OrderStatus::Placed).await, 300);
    for (i, key) in [(0usize, &keys[0]), (255, &keys[255]), (299, &keys[299])] {
        let number = n(1001 + i as i64);
        let order = store.order(number).await.unwrap();
        assert_eq!(order.customer.wa_id.as_deref(), Some(key.as_str()));
        assert!(store.customer(key).await.unwrap().is_some());
    }
    let events = events_after(store, 0).await;
    let numbers: Vec<i64> = events
        .iter()
        .filter_map(|e| e.order_number.map(|n| n.get()))
        .collect();
    assert_eq!(numbers, (1001..=1300).collect::<Vec<i64>>());
}
