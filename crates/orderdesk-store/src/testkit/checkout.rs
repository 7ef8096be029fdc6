//! Conformance cases for checkout's writes: a cart becoming an order with its
//! first messages and jobs, inbound chat messages, and a message applied
//! together with its order update.

use super::*;

pub async fn case_create_order_with_work(store: &dyn Store) {
    let by_user_id = NewOrder {
        customer: Customer {
            wa_id: Some("919800000001".to_owned()),
            user_id: Some("US.asha".to_owned()),
            name: Some("Asha".to_owned()),
        },
        ..cart("", "", at(5))
    };
    let (_, results) = complete_items(
        store,
        vec![(
            "US.asha",
            InboundOutcome::CreateOrder {
                order: by_user_id.clone(),
                outbound: vec![outbound("US.asha", None, "Add delivery address", at(5))],
                jobs: vec![(JobKind::Nudge, at(3_605)), (JobKind::Abandon, at(86_405))],
            },
        )],
    )
    .await;
    let InboundResult::Done {
        order: Some(order),
        message: None,
    } = &results[0]
    else {
        panic!("{results:?}");
    };
    assert_eq!(*order, expected_order(n(1001), &by_user_id));
    let thread = store.messages_for_order(order.number).await.unwrap();
    assert_eq!(thread.len(), 1);
    assert_eq!(
        thread[0].order_number,
        Some(order.number),
        "the store filled it in"
    );
    assert_eq!(thread[0].state, MessageState::Queued);
    assert_eq!(thread[0].created_at, micros(at(5)));
    assert_eq!(claim_ids(store, at(5)).await, vec![thread[0].id]);
    let jobs = store
        .claim_due_jobs(at(100_000), secs(30), 10)
        .await
        .unwrap();
    let jobs: Vec<(JobKind, OrderNumber, Timestamp)> = jobs
        .iter()
        .map(|j| (j.kind, j.order_number, j.due_at))
        .collect();
    assert_eq!(
        jobs,
        vec![
            (JobKind::Nudge, order.number, micros(at(3_605))),
            (JobKind::Abandon, order.number, micros(at(86_405))),
        ]
    );
    assert_eq!(
        store.customer("US.asha").await.unwrap(),
        Some(CustomerRecord {
            key: "US.asha".to_owned(),
            wa_id: Some("919800000001".to_owned()),
            user_id: Some("US.asha".to_owned()),
            name: Some("Asha".to_owned()),
            last_inbound_at: Some(micros(at(5))),
            last_address: None,
        })
    );
    // Only the order is news; its messages are when they are sent.
    assert_eq!(
        kinds(&events_after(store, 0).await),
        vec![EventKind::OrderCreated]
    );
    // The plain form still creates a bare order.
    let (_, results) = complete_items(
        store,
        vec![(
            "919800000002",
            InboundOutcome::create_order(cart("Ravi", "919800000002", at(6))),
        )],
    )
    .await;
    let bare = results[0].clone().into_order().unwrap();
    assert_eq!(bare.number, n(1002));
    assert!(store
        .messages_for_order(bare.number)
        .await
        .unwrap()
        .is_empty());
    assert!(store.customer("919800000002").await.unwrap().is_some());
}

pub async fn case_inbound_message(store: &dyn Store) {
    let key = "US.asha";
    let first = NewInboundMessage {
        user_id: Some(key.to_owned()),
        name: Some("Asha".to_owned()),
        ..inbound_message(key, "wamid.in.1", "Is the mug dishwasher-safe? 🙏", at(50))
    };
    let (_, results) =
        complete_items(store, vec![(key, InboundOutcome::Message(first.clone()))]).await;
    let InboundResult::Done {
        order: None,
        message: Some(stored),
    } = &results[0]
    else {
        panic!("{results:?}");
    };
    assert_eq!(
        *stored,
        ChatMessage {
            id: stored.id,
            order_number: None,
            customer_key: key.to_owned(),
            direction: Direction::In,
            wamid: Some("wamid.in.1".to_owned()),
            kind: "text".to_owned(),
            text: "Is the mug dishwasher-safe? 🙏".to_owned(),
            state: MessageState::Received,
            error: None,
            created_at: micros(at(50)),
            sent_at: None,
        }
    );
    assert_eq!(
        store.customer(key).await.unwrap(),
        Some(CustomerRecord {
            key: key.to_owned(),
            wa_id: Some(key.to_owned()),
            user_id: Some(key.to_owned()),
            name: Some("Asha".to_owned()),
            last_inbound_at: Some(micros(at(50))),
            last_address: None,
        })
    );
    let events = events_after(store, 0).await;
    assert_eq!(kinds(&events), vec![EventKind::MessageReceived]);
    assert_eq!(events[0].order_number, None);
    assert_eq!(events[0].at, micros(at(50)));
    assert_eq!(
        events[0].data,
        serde_json::json!({ "number": null, "message": serde_json::to_value(stored).unwrap() })
    );

    // An older message arriving late does not move last_inbound_at back, and
    // missing ids or name do not erase known ones.
    let late = NewInboundMessage {
        wa_id: None,
        ..inbound_message(key, "wamid.in.0", "hello?", at(40))
    };
    // A repeated wamid is recorded once.
    let repeated = inbound_message(key, "wamid.in.1", "again", at(60));
    let renamed = NewInboundMessage {
        name: Some("Asha R.".to_owned()),
        wa_id: Some("919800000001".to_owned()),
        ..inbound_message(key, "wamid.in.2", "thanks", at(70))
    };
    let (_, results) = complete_items(
        store,
        vec![
            (key, InboundOutcome::Message(late)),
            (key, InboundOutcome::Message(repeated)),
            (key, InboundOutcome::Message(renamed)),
        ],
    )
    .await;
    assert!(
        matches!(results[1], InboundResult::Done { message: None, .. }),
        "{results:?}"
    );
    let customer = store.customer(key).await.unwrap().unwrap();
    assert_eq!(customer.last_inbound_at, Some(micros(at(70))));
    assert_eq!(customer.name.as_deref(), Some("Asha R."));
    assert_eq!(customer.wa_id.as_deref(), Some("919800000001"));
    assert_eq!(customer.user_id.as_deref(), Some(key));

    let thread = store.messages_for_customer(key, 10).await.unwrap();
    let texts: Vec<&str> = thread.iter().map(|m| m.text.as_str()).collect();
    assert_eq!(
        texts,
        ["Is the mug dishwasher-safe? 🙏", "hello?", "thanks"],
        "arrival order"
    );
    let latest = store.messages_for_customer(key, 2).await.unwrap();
    assert_eq!(latest, thread[1..]);
    assert_eq!(
        kinds(&events_after(store, 0).await),
        vec![EventKind::MessageReceived; 3]
    );
    assert!(store.pending_inbound(10).await.unwrap().is_empty());

    // A message about an order is in that order's thread.
    let order = create_order(store, cart("Ravi", "919800000002", at(80))).await;
    let about = NewInboundMessage {
        order_number: Some(order.number),
        ..inbound_message("919800000002", "wamid.in.3", "where is it?", at(90))
    };
    complete_items(
        store,
        vec![("919800000002", InboundOutcome::Message(about))],
    )
    .await;
    let thread = store.messages_for_order(order.number).await.unwrap();
    assert_eq!(thread.len(), 1);
    assert_eq!(thread[0].order_number, Some(order.number));
    let last = events_after(store, 0).await.pop().unwrap();
    assert_eq!(last.order_number, Some(order.number));
    assert_eq!(last.data["number"], order.number.get());
    assert_eq!(
        store
            .customer("919800000002")
            .await
            .unwrap()
            .unwrap()
            .last_inbound_at,
        Some(micros(at(90)))
    );
}

pub async fn case_message_and_update(store: &dyn Store) {
    let asha = create_order(store, cart("Asha", "919800000001", at(0))).await;
    let ravi = create_order(store, cart("Ravi", "919800000002", at(0))).await;
    let seq = store.last_event_seq().await.unwrap();
    let note_update = |version| InboundOutcome::MessageAndUpdate {
        message: inbound_message("919800000001", "wamid.in.note", "ring twice", at(10)),
        number: asha.number,
        expected_version: version,
        update: OrderUpdate {
            note: Some("ring twice".to_owned()),
            outbound: vec![outbound("919800000001", None, "Note saved", at(10))],
            ..OrderUpdate::default()
        },
    };
    let after = |wamid: &str, secs| {
        InboundOutcome::Message(inbound_message(
            "919800000001",
            wamid,
            "and another thing",
            at(secs),
        ))
    };
    let ravi_says =
        InboundOutcome::Message(inbound_message("919800000002", "wamid.in.r", "hi", at(11)));

    // Decided at a version the order has left: nothing of it applies, and
    // Asha's later item waits behind it; Ravi's goes ahead.
    let (ids, results) = complete_items(
        store,
        vec![
            ("919800000001", note_update(0)),
            ("919800000001", after("wamid.in.after", 12)),
            ("919800000002", ravi_says),
        ],
    )
    .await;
    assert_eq!(
        results[..2],
        [
            InboundResult::Conflict {
                number: asha.number,
                current_version: 1
            },
            InboundResult::Deferred,
        ]
    );
    assert!(
        matches!(
            results[2],
            InboundResult::Done {
                message: Some(_),
                ..
            }
        ),
        "{results:?}"
    );
    let pending: Vec<i64> = store
        .pending_inbound(10)
        .await
        .unwrap()
        .iter()
        .map(|r| r.id)
        .collect();
    assert_eq!(pending, ids[..2]);
    assert_eq!(store.order(asha.number).await.unwrap(), asha);
    assert!(store
        .messages_for_customer("919800000001", 10)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(
        kinds(&events_after(store, seq).await),
        vec![EventKind::MessageReceived]
    );
    let seq = store.last_event_seq().await.unwrap();

    // Decided again against the current order: both apply, in order.
    let retried = store
        .complete_inbound_detailed(&[
            (ids[0], note_update(1)),
            (ids[1], after("wamid.in.after", 12)),
        ])
        .await
        .unwrap();
    let InboundResult::Done {
        order: Some(updated),
        message: Some(message),
    } = &retried[0]
    else {
        panic!("{retried:?}");
    };
    assert_eq!(updated.note.as_deref(), Some("ring twice"));
    assert_eq!(updated.version, 2);
    assert_eq!(
        updated.updated_at,
        micros(at(10)),
        "applied at the message's time"
    );
    assert_eq!(
        message.order_number,
        Some(asha.number),
        "the message belongs to the order"
    );
    assert!(matches!(
        retried[1],
        InboundResult::Done {
            message: Some(_),
            ..
        }
    ));
    assert!(store.pending_inbound(10).await.unwrap().is_empty());
    let thread = store.messages_for_order(asha.number).await.unwrap();
    let shape: Vec<(Direction, MessageState)> =
        thread.iter().map(|m| (m.direction, m.state)).collect();
    assert_eq!(
        shape,
        [
            (Direction::In, MessageState::Received),
            (Direction::Out, MessageState::Queued)
        ]
    );
    let events = events_after(store, seq).await;
    assert_eq!(
        kinds(&events),
        [
            EventKind::MessageReceived,
            EventKind::OrderUpdated,
            EventKind::MessageReceived
        ]
    );
    assert_eq!(events[1].data, serde_json::to_value(updated).unwrap());
    assert_eq!(
        store
            .customer("919800000001")
            .await
            .unwrap()
            .unwrap()
            .last_inbound_at,
        Some(micros(at(12)))
    );

    // Completing the same items again applies nothing.
    let again = store
        .complete_inbound_detailed(&[(ids[0], note_update(2)), (ids[1], after("wamid.in.x", 13))])
        .await
        .unwrap();
    assert_eq!(again, [InboundResult::Skipped, InboundResult::Skipped]);
    assert_eq!(store.order(asha.number).await.unwrap(), *updated);

    // A stage move planned from a stage the order has left conflicts too,
    // and the old-style call reports it as nothing applied.
    let confirm = plan(&asha, OrderStatus::Confirmed, Actor::Bot, None);
    let cancel = InboundOutcome::MessageAndUpdate {
        message: inbound_message("919800000001", "wamid.in.cancel", "cancel", at(20)),
        number: asha.number,
        expected_version: 2,
        update: OrderUpdate {
            status_change: Some(plan(
                &asha,
                OrderStatus::Cancelled,
                Actor::Customer,
                Some("changed mind"),
            )),
            ..OrderUpdate::default()
        },
    };
    store
        .change_status(asha.number, 2, &confirm, at(19))
        .await
        .unwrap();
    let recorded = store
        .record_inbound(&[NewInbound {
            customer_key: Some("919800000001".to_owned()),
            ..unique_item()
        }])
        .await
        .unwrap();
    let [Recorded::New(id)] = recorded[..] else {
        panic!("{recorded:?}")
    };
    let got = store.complete_inbound(&[(id, cancel)]).await.unwrap();
    assert_eq!(got, vec![None]);
    assert_eq!(store.pending_inbound(10).await.unwrap().len(), 1);
    assert_eq!(
        store.order(asha.number).await.unwrap().status,
        OrderStatus::Confirmed
    );
    assert_eq!(
        store.messages_for_order(ravi.number).await.unwrap().len(),
        0
    );
}
