//! Conformance cases for `update_order`: fields, the event it appends,
//! conflicts, and the messages and timers it queues.

use super::*;

/// Applies `update` to `current` at `at(secs)` and checks it appended exactly
/// one event of kind `expected`, showing the order afterwards.
async fn apply_expecting(
    store: &dyn Store,
    current: &Order,
    update: OrderUpdate,
    secs: i64,
    expected: EventKind,
) -> Order {
    let seq = store.last_event_seq().await.unwrap();
    let updated = store
        .update_order(current.number, current.version, &update, at(secs))
        .await
        .unwrap();
    let events = events_after(store, seq).await;
    assert_eq!(kinds(&events), vec![expected], "{update:?}");
    assert_eq!(events[0].order_number, Some(current.number));
    assert_eq!(events[0].data, serde_json::to_value(&updated).unwrap());
    assert_eq!(events[0].at, micros(at(secs)));
    assert_eq!(updated.version, current.version + 1);
    updated
}

/// Applies `update` to order `number` at `version`, at second `secs`.
async fn apply(
    store: &dyn Store,
    number: OrderNumber,
    version: i64,
    update: OrderUpdate,
    secs: i64,
) -> Order {
    store
        .update_order(number, version, &update, at(secs))
        .await
        .unwrap()
}

fn address_update() -> (OrderUpdate, TimelineEntry) {
    let mut address_set =
        TimelineEntry::new(micros(at(10)), TimelineKind::AddressSet, &Actor::Customer);
    address_set.detail = Some("12 MG Road, Bengaluru".to_owned());
    let update = OrderUpdate {
        checkout_step: Some(CheckoutStep::AwaitingPayment),
        address: Some(address()),
        timeline: vec![address_set.clone()],
        ..OrderUpdate::default()
    };
    (update, address_set)
}

pub async fn case_update_order_fields(store: &dyn Store) {
    let placed = create_order(store, cart("Asha", "919800000001", at(0))).await;
    let number = placed.number;
    let (update, address_set) = address_update();
    let with_address = apply(store, number, 1, update, 10).await;
    assert_eq!(
        with_address,
        Order {
            checkout_step: CheckoutStep::AwaitingPayment,
            address: Some(address()),
            updated_at: micros(at(10)),
            version: 2,
            ..placed.clone()
        }
    );
    assert_eq!(store.order(number).await.unwrap(), with_address);
    assert_eq!(
        store.timeline(number).await.unwrap(),
        vec![
            TimelineEntry::new(micros(at(0)), TimelineKind::Created, &Actor::Customer),
            address_set,
        ]
    );
}

pub async fn case_update_order_payment_reference_stays(store: &dyn Store) {
    let number = create_order(store, cart("Asha", "919800000001", at(0)))
        .await
        .number;
    let paying = OrderUpdate {
        payment_method: Some(PaymentMethod::Razorpay),
        payment_reference: Some("plink_Nx1".to_owned()),
        ..OrderUpdate::default()
    };
    let paying = apply(store, number, 1, paying, 11).await;
    assert_eq!(paying.payment_method, Some(PaymentMethod::Razorpay));
    assert_eq!(paying.payment_reference.as_deref(), Some("plink_Nx1"));
    assert_eq!(paying.version, 2);
    let paid = OrderUpdate {
        payment_status: Some(PaymentStatus::Paid),
        note: Some("ring twice — नमस्ते".to_owned()),
        checkout_step: Some(CheckoutStep::Complete),
        ..OrderUpdate::default()
    };
    let done = apply(store, number, 2, paid, 12).await;
    assert_eq!(
        done,
        Order {
            payment_status: PaymentStatus::Paid,
            note: Some("ring twice — नमस्ते".to_owned()),
            checkout_step: CheckoutStep::Complete,
            updated_at: micros(at(12)),
            version: 3,
            // Paid, so invoiced in the same transaction.
            invoice_number: Some("INV-2026-00001".to_owned()),
            ..paying.clone()
        },
        "a reference stays until another is given"
    );
    assert_eq!(store.order(number).await.unwrap(), done);
}

pub async fn case_payment_review_is_set_kept_and_cleared(store: &dyn Store) {
    let number = create_order(store, cart("Asha", "919800000001", at(0)))
        .await
        .number;
    let flag = OrderUpdate {
        payment_review: Some(Some("paid 1.00 INR of 499.00 INR".to_owned())),
        ..OrderUpdate::default()
    };
    let flagged = apply(store, number, 1, flag, 13).await;
    assert_eq!(
        flagged.payment_review.as_deref(),
        Some("paid 1.00 INR of 499.00 INR")
    );
    let note = OrderUpdate {
        note: Some("leave at the door".to_owned()),
        ..OrderUpdate::default()
    };
    let noted = apply(store, number, 2, note, 14).await;
    assert_eq!(noted.payment_review, flagged.payment_review, "kept");
    let clear = OrderUpdate {
        payment_review: Some(None),
        ..OrderUpdate::default()
    };
    let cleared = apply(store, number, 3, clear, 15).await;
    assert_eq!(cleared.payment_review, None);
    assert_eq!(store.order(number).await.unwrap(), cleared);
}

pub async fn case_an_order_address_is_remembered_for_the_customer(store: &dyn Store) {
    let number = create_order(store, cart("Asha", "919800000001", at(0)))
        .await
        .number;
    apply(store, number, 1, address_update().0, 10).await;
    let customer = store.customer("919800000001").await.unwrap().unwrap();
    assert_eq!(customer.last_address, Some(address()));
    assert_eq!(customer.name.as_deref(), Some("Asha"));
}

pub async fn case_updating_an_unknown_order_is_not_found(store: &dyn Store) {
    let unknown = store
        .update_order(n(4242), 1, &OrderUpdate::default(), at(13))
        .await;
    assert!(matches!(unknown, Err(StoreError::NotFound)), "{unknown:?}");
}

pub async fn case_update_order_events(store: &dyn Store) {
    let placed = create_order(store, cart("Asha", "919800000001", at(0))).await;
    let number = placed.number;
    let mut order = placed.clone();
    order = apply_expecting(
        store,
        &order,
        OrderUpdate {
            address: Some(address()),
            checkout_step: Some(CheckoutStep::AwaitingPayment),
            ..OrderUpdate::default()
        },
        1,
        EventKind::OrderUpdated,
    )
    .await;
    order = apply_expecting(
        store,
        &order,
        OrderUpdate {
            payment_method: Some(PaymentMethod::Cod),
            ..OrderUpdate::default()
        },
        2,
        EventKind::PaymentUpdated,
    )
    .await;
    // Restating the payment as it is, with a note, is no payment change.
    order = apply_expecting(
        store,
        &order,
        OrderUpdate {
            payment_status: Some(PaymentStatus::Pending),
            payment_method: Some(PaymentMethod::Cod),
            note: Some("leave at the door".to_owned()),
            ..OrderUpdate::default()
        },
        3,
        EventKind::OrderUpdated,
    )
    .await;
    order = apply_expecting(
        store,
        &order,
        OrderUpdate {
            payment_status: Some(PaymentStatus::Failed),
            ..OrderUpdate::default()
        },
        4,
        EventKind::PaymentUpdated,
    )
    .await;
    let staff_note = {
        let mut e = TimelineEntry::new(micros(at(5)), TimelineKind::StaffNote, &staff());
        e.detail = Some("called the customer".to_owned());
        e
    };
    order = apply_expecting(
        store,
        &order,
        OrderUpdate {
            timeline: vec![staff_note.clone()],
            ..OrderUpdate::default()
        },
        5,
        EventKind::OrderUpdated,
    )
    .await;
    // A stage move with a payment change is one status event.
    let note_set = TimelineEntry::new(micros(at(6)), TimelineKind::NoteSet, &Actor::Customer);
    let confirm = plan(&order, OrderStatus::Confirmed, Actor::Bot, None);
    order = apply_expecting(
        store,
        &order,
        OrderUpdate {
            payment_status: Some(PaymentStatus::Pending),
            checkout_step: Some(CheckoutStep::Complete),
            status_change: Some(confirm),
            timeline: vec![note_set.clone()],
            ..OrderUpdate::default()
        },
        6,
        EventKind::OrderStatusChanged,
    )
    .await;
    assert_eq!(order.status, OrderStatus::Confirmed);
    assert_eq!(order.payment_status, PaymentStatus::Pending);
    assert_eq!(order.checkout_step, CheckoutStep::Complete);
    assert_eq!(count_of(store, OrderStatus::Placed).await, 0);
    assert_eq!(count_of(store, OrderStatus::Confirmed).await, 1);

    // The given entries first, then the move's own, as change_status writes it.
    let mut moved = TimelineEntry::new(micros(at(6)), TimelineKind::StatusChanged, &Actor::Bot);
    moved.from_status = Some(OrderStatus::Placed);
    moved.to_status = Some(OrderStatus::Confirmed);
    let timeline = store.timeline(number).await.unwrap();
    assert_eq!(timeline[1..], [staff_note, note_set, moved]);
}

pub async fn case_update_order_conflict(store: &dyn Store) {
    let placed = create_order(store, cart("Asha", "919800000001", at(0))).await;
    let number = placed.number;
    let current = store
        .update_order(
            number,
            1,
            &OrderUpdate {
                checkout_step: Some(CheckoutStep::AwaitingPayment),
                ..OrderUpdate::default()
            },
            at(1),
        )
        .await
        .unwrap();
    let seq = store.last_event_seq().await.unwrap();

    let everything = OrderUpdate {
        address: Some(address()),
        note: Some("late".to_owned()),
        payment_status: Some(PaymentStatus::Paid),
        payment_reference: Some("pay_1".to_owned()),
        timeline: vec![TimelineEntry::new(
            at(2),
            TimelineKind::Notice,
            &Actor::System,
        )],
        outbound: vec![outbound("919800000001", None, "thanks", at(2))],
        timers: vec![NewTimer {
            kind: TimerKind::Nudge,
            order_number: number,
            due_at: at(2),
        }],
        ..OrderUpdate::default()
    };
    let stale = store.update_order(number, 1, &everything, at(2)).await;
    assert!(
        matches!(stale, Err(StoreError::Conflict { current_version: 2 })),
        "{stale:?}"
    );
    let wrong_stage = OrderUpdate {
        status_change: Some(plan(
            &Order {
                status: OrderStatus::Confirmed,
                ..current.clone()
            },
            OrderStatus::Approved,
            staff(),
            None,
        )),
        ..everything.clone()
    };
    let moved_on = store.update_order(number, 2, &wrong_stage, at(3)).await;
    assert!(
        matches!(moved_on, Err(StoreError::Conflict { current_version: 2 })),
        "{moved_on:?}"
    );

    assert_eq!(store.order(number).await.unwrap(), current);
    assert_eq!(store.timeline(number).await.unwrap().len(), 1);
    assert_eq!(store.order(number).await.unwrap().payment_reference, None);
    assert!(store.messages_for_order(number).await.unwrap().is_empty());
    assert!(store
        .claim_outbox(at(100), secs(30), 10)
        .await
        .unwrap()
        .is_empty());
    assert!(store
        .claim_due_timers(at(100), secs(30), 10)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(
        store
            .customer("919800000001")
            .await
            .unwrap()
            .unwrap()
            .last_address,
        None
    );
    assert_eq!(store.last_event_seq().await.unwrap(), seq);
    assert_eq!(count_of(store, OrderStatus::Placed).await, 1);
}

pub async fn case_update_side_effects_only(store: &dyn Store) {
    let placed = create_order(store, cart("Asha", "919800000001", at(0))).await;
    let seq = store.last_event_seq().await.unwrap();
    let update = OrderUpdate {
        outbound: vec![outbound(
            "919800000001",
            None,
            "That was answered already.",
            at(1),
        )],
        timers: vec![NewTimer {
            kind: TimerKind::Nudge,
            order_number: placed.number,
            due_at: at(3_600),
        }],
        ..OrderUpdate::default()
    };
    let same = store
        .update_order(placed.number, 1, &update, at(1))
        .await
        .unwrap();
    assert_eq!(same, placed, "the order, its version and updated_at stay");
    assert_eq!(store.order(placed.number).await.unwrap(), placed);
    // No order event: only the customer's conversation, which the message
    // changed, is announced.
    let kinds: Vec<EventKind> = events_after(store, seq)
        .await
        .iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(kinds, [EventKind::ConversationUpdated], "no order event");
    assert_eq!(
        store.messages_for_order(placed.number).await.unwrap().len(),
        1
    );
    assert_eq!(
        store
            .claim_due_timers(at(3_600), secs(30), 10)
            .await
            .unwrap()
            .len(),
        1
    );

    // Still checked against the version it was decided at.
    let stale = store.update_order(placed.number, 0, &update, at(2)).await;
    assert!(
        matches!(stale, Err(StoreError::Conflict { current_version: 1 })),
        "{stale:?}"
    );
    assert_eq!(
        store.messages_for_order(placed.number).await.unwrap().len(),
        1
    );
}

pub async fn case_update_queues_messages(store: &dyn Store) {
    let placed = create_order(store, cart("Asha", "919800000001", at(0))).await;
    let other = create_order(store, cart("Ravi", "919800000002", at(1))).await;
    let seq = store.last_event_seq().await.unwrap();
    let ask_address = NewOutbound {
        body: serde_json::json!({
            "messaging_product": "whatsapp",
            "to": "919800000001",
            "type": "interactive",
            "interactive": { "type": "cta_url", "action": { "name": "cta_url",
                "parameters": { "display_text": "Add address", "url": "https://shop.test/a/x" } } },
        }),
        ..outbound("919800000001", None, "Add delivery address", at(5))
    };
    // An explicit order number is kept.
    let about_other = outbound(
        "919800000001",
        Some(other.number),
        "About your other order",
        at(5),
    );
    let updated = store
        .update_order(
            placed.number,
            1,
            &OrderUpdate {
                checkout_step: Some(CheckoutStep::AwaitingAddress),
                outbound: vec![ask_address, about_other],
                ..OrderUpdate::default()
            },
            at(5),
        )
        .await
        .unwrap();
    assert_eq!(updated.version, 2);

    let thread = store.messages_for_order(placed.number).await.unwrap();
    assert_eq!(thread.len(), 1);
    let m = &thread[0];
    assert_eq!(m.order_number, Some(placed.number));
    assert_eq!(m.customer_key, "919800000001");
    assert_eq!(m.direction, Direction::Out);
    assert_eq!(m.state, MessageState::Queued);
    assert_eq!(m.kind, "interactive");
    assert_eq!(m.text, "Add delivery address");
    assert_eq!(m.wamid, None);
    assert_eq!(m.error, None);
    assert_eq!(m.created_at, micros(at(5)));
    assert_eq!(m.sent_at, None);
    let elsewhere = store.messages_for_order(other.number).await.unwrap();
    assert_eq!(elsewhere.len(), 1);
    assert_eq!(elsewhere[0].kind, "text");
    assert!(elsewhere[0].id > m.id);
    let thread = store
        .messages_for_customer("919800000001", 10)
        .await
        .unwrap();
    assert_eq!(thread, vec![m.clone(), elsewhere[0].clone()]);
    // Queued is not yet news: message.sent comes when it is sent.
    assert_eq!(
        kinds(&events_after(store, seq).await),
        vec![EventKind::OrderUpdated]
    );

    // Messages outside any order change queue on their own.
    let queued = store
        .queue_outbound(
            &[
                outbound("919800000001", Some(placed.number), "A staff reply", at(6)),
                outbound("15550001111", None, "Hello, no order", at(6)),
            ],
            at(6),
        )
        .await
        .unwrap();
    assert_eq!(queued.len(), 2);
    assert_eq!(queued[1].order_number, None);
    assert_eq!(queued[1].state, MessageState::Queued);
    assert_eq!(
        store.messages_for_order(placed.number).await.unwrap().len(),
        2
    );
    assert_eq!(
        store
            .messages_for_customer("15550001111", 10)
            .await
            .unwrap(),
        vec![queued[1].clone()]
    );
    assert_eq!(store.order(placed.number).await.unwrap().version, 2);
}
