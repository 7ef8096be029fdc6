//! Conformance cases for orders staff create for a customer
//! (`Store::create_staff_order`).

use super::*;

/// The order is numbered and announced like a cart's, says on its timeline
/// which staff member created it, carries its note, queues its first
/// messages and timers under its number, and, since the customer did not
/// write, leaves their 24-hour window as it was.
pub async fn case_staff_order_created(store: &dyn Store) {
    let key = "919800000091";
    let first = create_order(store, cart("Asha", "919800000090", at(0))).await;
    let new = cart("Ravi", key, at(10));
    let update = OrderUpdate {
        note: Some("deliver after 6 pm".to_owned()),
        outbound: vec![outbound(key, None, "Thank you for your order", at(10))],
        ..OrderUpdate::default()
    };
    let timers = [(TimerKind::Abandon, at(3_600))];
    let order = store
        .create_staff_order(&new, &staff(), &update, &timers)
        .await
        .unwrap();
    assert_eq!(order.number, first.number.next());
    assert_eq!(order.status, OrderStatus::Placed);
    assert_eq!(order.total_minor, new.total_minor);
    assert_eq!(order.note.as_deref(), Some("deliver after 6 pm"));
    assert_eq!(store.order(order.number).await.unwrap(), order);

    let timeline = store.timeline(order.number).await.unwrap();
    assert_eq!(timeline[0].kind, TimelineKind::Created);
    assert_eq!(timeline[0].actor, "staff");
    assert_eq!(timeline[0].actor_name.as_deref(), Some("owner@shop.test"));

    let messages = store.messages_for_order(order.number).await.unwrap();
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].state, MessageState::Queued);

    let due = store
        .claim_due_timers(at(7_200), Duration::from_secs(60), 10)
        .await
        .unwrap();
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].order_number, order.number);
    assert_eq!(due[0].kind, TimerKind::Abandon);

    let customer = store.customer(key).await.unwrap().expect("remembered");
    assert_eq!(customer.name.as_deref(), Some("Ravi"));
    assert_eq!(customer.last_inbound_at, None, "staff opened no window");

    let kinds: Vec<EventKind> = store
        .events_since(0, 100)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.order_number == Some(order.number))
        .map(|e| e.kind)
        .collect();
    assert_eq!(kinds[0], EventKind::OrderCreated);
}
