//! Conformance cases for staff editing an order (`Store::edit_order`): its
//! lines, shipping fee, discount and total, its tags and assignee.

use super::*;
use crate::OrderFields;

fn edited_entry(when: Timestamp, detail: &str) -> TimelineEntry {
    let mut entry = TimelineEntry::new(micros(when), TimelineKind::Edited, &staff());
    entry.detail = Some(detail.to_owned());
    entry
}

fn three_tees() -> OrderFields {
    OrderFields {
        items: Some(vec![LineItem {
            retailer_id: "tee-black-m".to_owned(),
            name: "Black tee, M".to_owned(),
            quantity: 3,
            unit_price_minor: 49_900,
        }]),
        shipping_minor: Some(5_000),
        discount_minor: Some(700),
        total_minor: Some(154_000),
        tags: Some(vec!["vip".to_owned(), "gift".to_owned()]),
        assignee: Some(Some("agent@shop.test".to_owned())),
    }
}

/// Every field is written, read back the same, carried by the one
/// `order.updated` event, and the timeline says who changed what.
pub async fn case_edit_order_fields(store: &dyn Store) {
    let placed = create_order(store, cart("Asha", "919800000081", at(0))).await;
    let seq = store.last_event_seq().await.unwrap();
    let update = OrderUpdate {
        timeline: vec![edited_entry(at(5), "items: … → 3 × Black tee, M")],
        ..OrderUpdate::default()
    };
    let edited = store
        .edit_order(placed.number, placed.version, &three_tees(), &update, at(5))
        .await
        .unwrap();

    let mut expected = placed.clone();
    three_tees().apply_to(&mut expected);
    expected.version = placed.version + 1;
    expected.updated_at = micros(at(5));
    assert_eq!(edited, expected);
    assert_eq!(edited.total_minor, 154_000);
    assert_eq!(edited.tags, ["vip", "gift"]);
    assert_eq!(edited.assignee.as_deref(), Some("agent@shop.test"));
    assert_eq!(store.order(placed.number).await.unwrap(), edited);

    let events = store.events_since(seq, 10).await.unwrap();
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0].kind, EventKind::OrderUpdated);
    assert_eq!(events[0].data["shipping_minor"], 5_000);
    assert_eq!(events[0].data["discount_minor"], 700);
    assert_eq!(events[0].data["assignee"], "agent@shop.test");

    let timeline = store.timeline(placed.number).await.unwrap();
    let last = timeline.last().unwrap();
    assert_eq!(last.kind, TimelineKind::Edited);
    assert_eq!(last.actor_name.as_deref(), Some("owner@shop.test"));

    // Unassigning and clearing tags write empties, not "leave as is".
    let cleared = store
        .edit_order(
            placed.number,
            edited.version,
            &OrderFields {
                tags: Some(Vec::new()),
                assignee: Some(None),
                ..OrderFields::default()
            },
            &OrderUpdate {
                timeline: vec![edited_entry(at(6), "unassigned")],
                ..OrderUpdate::default()
            },
            at(6),
        )
        .await
        .unwrap();
    assert!(cleared.tags.is_empty());
    assert_eq!(cleared.assignee, None);
    assert_eq!(cleared.total_minor, 154_000, "untouched parts stay");
    assert_eq!(store.order(placed.number).await.unwrap(), cleared);
}

/// An edit planned from an older version loses: nothing of it is written
/// and no event is appended.
pub async fn case_edit_order_stale(store: &dyn Store) {
    let placed = create_order(store, cart("Asha", "919800000082", at(0))).await;
    let moved = move_order(
        store,
        &placed,
        plan(&placed, OrderStatus::Cancelled, staff(), Some("asked")),
        at(1),
    )
    .await;
    let seq = store.last_event_seq().await.unwrap();
    let update = OrderUpdate {
        timeline: vec![edited_entry(at(2), "late edit")],
        ..OrderUpdate::default()
    };
    let err = store
        .edit_order(placed.number, placed.version, &three_tees(), &update, at(2))
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::Conflict { current_version } if current_version == moved.version),
        "{err:?}"
    );
    assert_eq!(store.order(placed.number).await.unwrap(), moved);
    assert_eq!(store.last_event_seq().await.unwrap(), seq);
    let timeline = store.timeline(placed.number).await.unwrap();
    assert!(timeline.iter().all(|e| e.kind != TimelineKind::Edited));
}

/// An edit that would not show on the timeline is refused, unwritten.
pub async fn case_edit_order_needs_its_entry(store: &dyn Store) {
    let placed = create_order(store, cart("Asha", "919800000083", at(0))).await;
    let got = store
        .edit_order(
            placed.number,
            placed.version,
            &three_tees(),
            &OrderUpdate::default(),
            at(1),
        )
        .await;
    assert!(matches!(got, Err(StoreError::Other(_))), "{got:?}");
    assert_eq!(store.order(placed.number).await.unwrap(), placed);
}
