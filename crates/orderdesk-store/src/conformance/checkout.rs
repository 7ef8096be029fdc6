//! Conformance cases for checkout's writes: a cart becoming an order with its
//! first messages and timers, inbound chat messages, and a message applied
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
                timers: vec![
                    (TimerKind::Nudge, at(3_605)),
                    (TimerKind::Abandon, at(86_405)),
                ],
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
    let timers = store
        .claim_due_timers(at(100_000), secs(30), 10)
        .await
        .unwrap();
    let timers: Vec<(TimerKind, OrderNumber, Timestamp)> = timers
        .iter()
        .map(|j| (j.kind, j.order_number, j.due_at))
        .collect();
    assert_eq!(
        timers,
        vec![
            (TimerKind::Nudge, order.number, micros(at(3_605))),
            (TimerKind::Abandon, order.number, micros(at(86_405))),
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

/// Asha's first chat message, as the cases below start from it.
fn first_message(key: &str) -> NewInboundMessage {
    NewInboundMessage {
        user_id: Some(key.to_owned()),
        name: Some("Asha".to_owned()),
        ..inbound_message(key, "wamid.in.1", "Is the mug dishwasher-safe? 🙏", at(50))
    }
}

async fn send_messages(
    store: &dyn Store,
    key: &str,
    messages: Vec<NewInboundMessage>,
) -> Vec<InboundResult> {
    let items = messages
        .into_iter()
        .map(|m| (key, InboundOutcome::Message(m)))
        .collect();
    complete_items(store, items).await.1
}

pub async fn case_inbound_message(store: &dyn Store) {
    let key = "US.asha";
    let results = send_messages(store, key, vec![first_message(key)]).await;
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
}

pub async fn case_late_message_keeps_last_inbound_and_known_ids(store: &dyn Store) {
    let key = "US.asha";
    let late = NewInboundMessage {
        wa_id: None,
        name: None,
        ..inbound_message(key, "wamid.in.0", "hello?", at(40))
    };
    send_messages(store, key, vec![first_message(key), late]).await;
    let customer = store.customer(key).await.unwrap().unwrap();
    assert_eq!(customer.last_inbound_at, Some(micros(at(50))));
    assert_eq!(customer.wa_id.as_deref(), Some(key));
    assert_eq!(customer.name.as_deref(), Some("Asha"));
}

pub async fn case_newer_message_renames_the_customer(store: &dyn Store) {
    let key = "US.asha";
    let renamed = NewInboundMessage {
        name: Some("Asha R.".to_owned()),
        wa_id: Some("919800000001".to_owned()),
        ..inbound_message(key, "wamid.in.2", "thanks", at(70))
    };
    send_messages(store, key, vec![first_message(key), renamed]).await;
    let customer = store.customer(key).await.unwrap().unwrap();
    assert_eq!(customer.last_inbound_at, Some(micros(at(70))));
    assert_eq!(customer.name.as_deref(), Some("Asha R."));
    assert_eq!(customer.wa_id.as_deref(), Some("919800000001"));
    assert_eq!(
        customer.user_id.as_deref(),
        Some(key),
        "kept though not given"
    );
}

pub async fn case_repeated_wamid_is_recorded_once(store: &dyn Store) {
    let key = "US.asha";
    let repeated = inbound_message(key, "wamid.in.1", "again", at(60));
    let results = send_messages(store, key, vec![first_message(key), repeated]).await;
    assert!(
        matches!(results[1], InboundResult::Done { message: None, .. }),
        "{results:?}"
    );
    let thread = store.messages_for_customer(key, 10).await.unwrap();
    assert_eq!(thread.len(), 1);
    assert_eq!(
        kinds(&events_after(store, 0).await),
        vec![EventKind::MessageReceived]
    );
    assert!(store.pending_inbound(10).await.unwrap().is_empty());
}

pub async fn case_customer_thread_is_in_arrival_order(store: &dyn Store) {
    let key = "US.asha";
    let late = inbound_message(key, "wamid.in.0", "hello?", at(40));
    let then = inbound_message(key, "wamid.in.2", "thanks", at(70));
    send_messages(store, key, vec![first_message(key), late, then]).await;
    let thread = store.messages_for_customer(key, 10).await.unwrap();
    let texts: Vec<&str> = thread.iter().map(|m| m.text.as_str()).collect();
    assert_eq!(
        texts,
        ["Is the mug dishwasher-safe? 🙏", "hello?", "thanks"],
        "arrival order, not message time"
    );
    let latest = store.messages_for_customer(key, 2).await.unwrap();
    assert_eq!(latest, thread[1..], "a limit keeps the latest");
}

pub async fn case_message_about_an_order_is_in_its_thread(store: &dyn Store) {
    let order = create_order(store, cart("Ravi", "919800000002", at(80))).await;
    let about = NewInboundMessage {
        order_number: Some(order.number),
        ..inbound_message("919800000002", "wamid.in.3", "where is it?", at(90))
    };
    send_messages(store, "919800000002", vec![about]).await;
    let thread = store.messages_for_order(order.number).await.unwrap();
    assert_eq!(thread.len(), 1);
    assert_eq!(thread[0].order_number, Some(order.number));
    let last = events_after(store, 0).await;
    let last = last
        .iter()
        .rfind(|e| e.kind == EventKind::MessageReceived)
        .unwrap();
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

/// Asha's note saved with her chat message, decided at `version`.
fn note_update(asha: &Order, version: i64) -> InboundOutcome {
    InboundOutcome::MessageAndUpdate {
        message: inbound_message("919800000001", "wamid.in.note", "ring twice", at(10)),
        number: asha.number,
        expected_version: version,
        update: OrderUpdate {
            note: Some("ring twice".to_owned()),
            outbound: vec![outbound("919800000001", None, "Note saved", at(10))],
            ..OrderUpdate::default()
        },
    }
}

fn asha_says(wamid: &str, secs: i64) -> InboundOutcome {
    InboundOutcome::Message(inbound_message(
        "919800000001",
        wamid,
        "and another thing",
        at(secs),
    ))
}

/// Asha's note decided at a version her order has left, followed by a plain
/// message of hers and one of Ravi's: the ids of Asha's two items.
async fn stale_note(store: &dyn Store, asha: &Order) -> (Vec<i64>, Vec<InboundResult>) {
    let ravi_says =
        InboundOutcome::Message(inbound_message("919800000002", "wamid.in.r", "hi", at(11)));
    complete_items(
        store,
        vec![
            ("919800000001", note_update(asha, 0)),
            ("919800000001", asha_says("wamid.in.after", 12)),
            ("919800000002", ravi_says),
        ],
    )
    .await
}

pub async fn case_message_and_update(store: &dyn Store) {
    let asha = create_order(store, cart("Asha", "919800000001", at(0))).await;
    create_order(store, cart("Ravi", "919800000002", at(0))).await;
    let seq = store.last_event_seq().await.unwrap();
    let (ids, results) = stale_note(store, &asha).await;
    // Nothing of it applies and Asha's later item waits behind it; Ravi's
    // goes ahead.
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
}

pub async fn case_message_and_update_retried_at_the_current_version(store: &dyn Store) {
    let asha = create_order(store, cart("Asha", "919800000001", at(0))).await;
    let (ids, _) = stale_note(store, &asha).await;
    let seq = store.last_event_seq().await.unwrap();
    let retried = store
        .apply_inbound(&[
            (ids[0], note_update(&asha, 1)),
            (ids[1], asha_says("wamid.in.after", 12)),
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
}

pub async fn case_message_and_update_completed_twice_applies_once(store: &dyn Store) {
    let asha = create_order(store, cart("Asha", "919800000001", at(0))).await;
    let (ids, _) = stale_note(store, &asha).await;
    let batch = [
        (ids[0], note_update(&asha, 1)),
        (ids[1], asha_says("wamid.in.after", 12)),
    ];
    store.apply_inbound(&batch).await.unwrap();
    let updated = store.order(asha.number).await.unwrap();
    let again = store
        .apply_inbound(&[
            (ids[0], note_update(&asha, 2)),
            (ids[1], asha_says("wamid.in.x", 13)),
        ])
        .await
        .unwrap();
    assert_eq!(again, [InboundResult::Skipped, InboundResult::Skipped]);
    assert_eq!(store.order(asha.number).await.unwrap(), updated);
}

pub async fn case_stage_move_from_a_left_stage_conflicts(store: &dyn Store) {
    let asha = create_order(store, cart("Asha", "919800000001", at(0))).await;
    let ravi = create_order(store, cart("Ravi", "919800000002", at(0))).await;
    let confirm = plan(&asha, OrderStatus::Confirmed, Actor::Bot, None);
    let cancel = InboundOutcome::MessageAndUpdate {
        message: inbound_message("919800000001", "wamid.in.cancel", "cancel", at(20)),
        number: asha.number,
        expected_version: 1,
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
        .change_status(asha.number, 1, &confirm, at(19))
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
    // The old-style call reports it as nothing applied.
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
