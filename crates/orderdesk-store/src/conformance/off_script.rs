//! Conformance cases for the checkout's smarter script (#14): what a
//! customer typed at the address step, and the count of messages the bot
//! could not use at a step, are kept on the order and read back.

use super::*;

pub async fn case_address_as_typed_and_off_script_count_are_kept(store: &dyn Store) {
    let placed = create_order(store, cart("Asha", "919800000001", at(0))).await;
    assert_eq!(placed.address_as_typed, None);
    assert_eq!(placed.off_script, 0);
    let typed = "My address is 12 MG Road, Bengaluru 560001\nहैलो? 🙏";
    let update = OrderUpdate {
        off_script: Some(2),
        address_as_typed: Some(typed.to_owned()),
        ..OrderUpdate::default()
    };
    let seq = store.last_event_seq().await.unwrap();
    let updated = store
        .update_order(placed.number, placed.version, &update, at(5))
        .await
        .unwrap();
    assert_eq!(updated.address_as_typed.as_deref(), Some(typed));
    assert_eq!(updated.off_script, 2);
    assert_eq!(updated.version, placed.version + 1);
    let read = store.order(placed.number).await.unwrap();
    assert_eq!(read, updated, "read back exactly");
    // The order's event carries the text (for the live order page).
    let events = events_after(store, seq).await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].data["address_as_typed"], typed);

    // The checkout moves on: the count starts again, the text stays.
    let reset = OrderUpdate {
        checkout_step: Some(CheckoutStep::AwaitingPayment),
        off_script: Some(0),
        ..OrderUpdate::default()
    };
    let moved = store
        .update_order(placed.number, updated.version, &reset, at(6))
        .await
        .unwrap();
    assert_eq!(moved.off_script, 0);
    assert_eq!(moved.address_as_typed.as_deref(), Some(typed));
    assert_eq!(store.order(placed.number).await.unwrap(), moved);
}
