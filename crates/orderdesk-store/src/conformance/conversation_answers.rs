//! Conformance cases for when a conversation counts as answered (#14): a
//! staff reply answers what came before it in its own transaction and is
//! announced, a message the bot could not use waits for a person despite
//! the bot's answer, and a customer's open order moving on is announced.

use super::conversations::writes;
use super::*;

/// The data of the `conversation.updated` events after `seq`.
async fn updates_after(store: &dyn Store, seq: i64) -> Vec<serde_json::Value> {
    events_after(store, seq)
        .await
        .into_iter()
        .filter(|e| e.kind == EventKind::ConversationUpdated)
        .map(|e| e.data)
        .collect()
}

/// A staff reply answers what the customer wrote before it, and says so on
/// the event log at once; what they write after it needs a reply again.
pub async fn case_a_reply_answers_what_came_before_it(store: &dyn Store) {
    let key = "919800000351";
    writes(store, key, "wamid.r1", "Do you deliver to Pune?", at(10)).await;
    let seq = store.last_event_seq().await.unwrap();
    let reply = store
        .queue_reply(&outbound(key, None, "Yes, we do!", at(11)), at(11))
        .await
        .unwrap();
    assert_eq!(reply.text, "Yes, we do!");
    assert_eq!(reply.direction, Direction::Out);
    let updates = updates_after(store, seq).await;
    assert_eq!(updates.len(), 1, "{updates:?}");
    assert_eq!(updates[0]["key"], key);
    assert_eq!(updates[0]["needs_reply"], false);
    assert_eq!(updates[0]["last_message"]["text"], "Yes, we do!");

    writes(store, key, "wamid.r2", "Great, 5 gift boxes then", at(12)).await;
    let c = store.conversation(key).await.unwrap().unwrap();
    assert!(c.needs_reply, "the reply answered only what came before it");
    // Marking done with nothing new to answer changes nothing.
    store
        .queue_reply(&outbound(key, None, "Noted.", at(13)), at(13))
        .await
        .unwrap();
    let c = store.conversation(key).await.unwrap().unwrap();
    assert!(!c.needs_reply);
}

/// A staff reply and a customer message at the same moment, many times
/// over: whichever commits first, the message needs a reply exactly when it
/// comes after the reply in the thread (it is never counted as answered
/// unseen).
pub async fn case_a_reply_racing_a_customer_message(store: &dyn Store) {
    for i in 0..24 {
        let key = format!("9198000004{i:02}");
        writes(store, &key, &format!("wamid.race{i}a"), "first", at(10)).await;
        let (answer, wamid) = (
            outbound(&key, None, "answer", at(11)),
            format!("wamid.race{i}b"),
        );
        let reply = store.queue_reply(&answer, at(11));
        let message = writes(store, &key, &wamid, "second", at(11));
        let (reply, ()) = tokio::join!(reply, message);
        let reply = reply.unwrap();
        let thread = store.messages_for_customer(&key, 10).await.unwrap();
        let second = thread.iter().find(|m| m.text == "second").unwrap();
        let c = store.conversation(&key).await.unwrap().unwrap();
        assert_eq!(c.needs_reply, second.id > reply.id, "{thread:?}");
    }
}

/// The customer's message joins `order`'s chat, and the bot answers it
/// (`off_script` set when it could not use the message).
async fn bot_answers(store: &dyn Store, key: &str, wamid: &str, off_script: Option<u32>, s: i64) {
    let order = store.open_orders_for_customer(key).await.unwrap().remove(0);
    let mut message = inbound_message(key, wamid, "hello?", at(s));
    message.order_number = Some(order.number);
    let update = OrderUpdate {
        off_script,
        outbound: vec![outbound(
            key,
            Some(order.number),
            "Please add your address",
            at(s),
        )],
        ..OrderUpdate::default()
    };
    let item = InboundOutcome::MessageAndUpdate {
        message,
        number: order.number,
        expected_version: order.version,
        update,
    };
    complete_items(store, vec![(key, item)]).await;
}

/// Free text the bot could not use needs a person from the first one, even
/// though the bot answered it (again with its question); messages it
/// handled do not, and a staff reply answers them all.
pub async fn case_a_message_the_bot_could_not_use_needs_a_person(store: &dyn Store) {
    let key = "919800000352";
    create_order(store, cart("Asha", key, at(0))).await;
    let seq = store.last_event_seq().await.unwrap();
    bot_answers(store, key, "wamid.x1", Some(1), 10).await;
    let c = store.conversation(key).await.unwrap().unwrap();
    assert_eq!(c.last_message.direction, Direction::Out);
    assert!(c.needs_reply, "the bot's question again is no answer");
    let updates = updates_after(store, seq).await;
    assert_eq!(updates.last().unwrap()["needs_reply"], true, "{updates:?}");

    // A message the bot handled does not answer the earlier one.
    bot_answers(store, key, "wamid.x2", None, 11).await;
    assert!(store.conversation(key).await.unwrap().unwrap().needs_reply);

    store
        .queue_reply(&outbound(key, None, "I'll help you", at(12)), at(12))
        .await
        .unwrap();
    assert!(!store.conversation(key).await.unwrap().unwrap().needs_reply);
    // Later messages the bot handles need nobody.
    bot_answers(store, key, "wamid.x3", None, 13).await;
    assert!(!store.conversation(key).await.unwrap().unwrap().needs_reply);
}

/// A new order, and the open order being closed, change the conversation's
/// `order_number`: both are announced.
pub async fn case_an_open_order_moving_on_is_announced(store: &dyn Store) {
    let key = "919800000353";
    writes(store, key, "wamid.o353", "hi", at(10)).await;
    let seq = store.last_event_seq().await.unwrap();
    let order = create_order(store, cart("Asha", key, at(11))).await;
    let updates = updates_after(store, seq).await;
    assert_eq!(updates.len(), 1, "{updates:?}");
    assert_eq!(updates[0]["order_number"], order.number.get());

    let seq = store.last_event_seq().await.unwrap();
    let cancel = plan(
        &order,
        OrderStatus::Cancelled,
        staff(),
        Some("out of stock"),
    );
    store
        .change_status(order.number, order.version, &cancel, at(12))
        .await
        .unwrap();
    let updates = updates_after(store, seq).await;
    assert_eq!(updates.len(), 1, "{updates:?}");
    assert_eq!(updates[0]["order_number"], serde_json::Value::Null);
}
