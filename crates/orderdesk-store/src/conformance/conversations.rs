//! Conformance cases for conversations: one per customer, kept by the write
//! path with every message, listed for the inbox, marked by staff.

use super::*;
use crate::{AssigneeFilter, ConversationChange, ConversationCursor, ConversationQuery};

/// The customer writes `text` (stored through an inbox item, as the
/// processor does).
pub(super) async fn writes(store: &dyn Store, key: &str, wamid: &str, text: &str, when: Timestamp) {
    let message = InboundOutcome::Message(inbound_message(key, wamid, text, when));
    complete_items(store, vec![(key, message)]).await;
}

fn page(limit: u32) -> ConversationQuery {
    ConversationQuery {
        limit,
        ..ConversationQuery::default()
    }
}

async fn keys(store: &dyn Store, query: &ConversationQuery) -> Vec<String> {
    let page = store.list_conversations(query).await.unwrap();
    page.conversations.into_iter().map(|c| c.key).collect()
}

/// A message from someone with no order at all opens their conversation,
/// unread and waiting for a reply, and announces it on the event log.
pub async fn case_conversation_without_an_order(store: &dyn Store) {
    let key = "919800000301";
    let seq = store.last_event_seq().await.unwrap();
    writes(store, key, "wamid.c1", "Do you deliver to Pune?", at(10)).await;

    let c = store
        .conversation(key)
        .await
        .unwrap()
        .expect("a conversation");
    assert_eq!(c.key, key);
    assert_eq!(c.customer.wa_id.as_deref(), Some(key));
    assert_eq!(c.last_message.text, "Do you deliver to Pune?");
    assert_eq!(c.last_message.direction, Direction::In);
    assert_eq!(c.last_message.at, micros(at(10)));
    assert_eq!(c.unread, 1);
    assert!(c.needs_reply);
    assert!(!c.handover);
    assert_eq!(c.assignee, None);
    assert_eq!(c.order_number, None);

    let events = events_after(store, seq).await;
    let updated: Vec<&StoredEvent> = events
        .iter()
        .filter(|e| e.kind == EventKind::ConversationUpdated)
        .collect();
    assert_eq!(updated.len(), 1, "one conversation.updated: {events:?}");
    assert_eq!(updated[0].data["key"], key);
    assert_eq!(updated[0].data["unread"], 1);
    assert_eq!(updated[0].data["needs_reply"], true);
}

/// An answer (staff or bot) takes the conversation off the needs-reply
/// list; the unread count stays until someone reads it.
pub async fn case_conversation_answered(store: &dyn Store) {
    let key = "919800000302";
    writes(store, key, "wamid.c2", "hello?", at(10)).await;
    store
        .queue_outbound(
            &[outbound(key, None, "Hi! How can we help?", at(11))],
            at(11),
        )
        .await
        .unwrap();
    let c = store.conversation(key).await.unwrap().unwrap();
    assert!(!c.needs_reply);
    assert_eq!(c.last_message.direction, Direction::Out);
    assert_eq!(c.last_message.text, "Hi! How can we help?");
    assert_eq!(c.unread, 1);
}

/// Marking read zeroes the unread count and names the newest message read
/// (for the receipt); a second mark finds nothing and appends nothing.
pub async fn case_conversation_read_once(store: &dyn Store) {
    let key = "919800000303";
    writes(store, key, "wamid.c3a", "one", at(10)).await;
    writes(store, key, "wamid.c3b", "two", at(11)).await;
    assert_eq!(store.conversation(key).await.unwrap().unwrap().unread, 2);

    let marked = store.mark_conversation_read(key, at(20)).await.unwrap();
    assert_eq!(marked.newest_wamid.as_deref(), Some("wamid.c3b"));
    assert_eq!(marked.conversation.unread, 0);
    assert!(marked.conversation.needs_reply, "read is not answered");

    let seq = store.last_event_seq().await.unwrap();
    let again = store.mark_conversation_read(key, at(21)).await.unwrap();
    assert_eq!(again.newest_wamid, None);
    assert_eq!(again.conversation.unread, 0);
    assert_eq!(store.last_event_seq().await.unwrap(), seq, "no event");

    let missing = store.mark_conversation_read("919800009999", at(22)).await;
    assert!(matches!(missing, Err(StoreError::NotFound)), "{missing:?}");
}

/// The list puts conversations needing a reply first, then the newest, and
/// pages through them without gaps or repeats.
pub async fn case_conversations_list_order_and_paging(store: &dyn Store) {
    for (i, key) in ["919800000311", "919800000312", "919800000313"]
        .into_iter()
        .enumerate()
    {
        writes(store, key, &format!("wamid.l{i}"), "hi", at(10 + i as i64)).await;
    }
    // The newest one is answered: it goes after both waiting ones.
    store
        .queue_outbound(&[outbound("919800000313", None, "hello", at(20))], at(20))
        .await
        .unwrap();
    let all = keys(store, &page(50)).await;
    assert_eq!(all, ["919800000312", "919800000311", "919800000313"]);

    let mut seen = Vec::new();
    let mut query = page(1);
    loop {
        let p = store.list_conversations(&query).await.unwrap();
        seen.extend(p.conversations.iter().map(|c| c.key.clone()));
        match p.next {
            Some(next) => query.after = Some(next),
            None => break,
        }
    }
    assert_eq!(seen, all);
    // A cursor past the last one gives an empty last page.
    let last = store.conversation("919800000313").await.unwrap().unwrap();
    query.after = Some(ConversationCursor::after(&last));
    assert!(keys(store, &query).await.is_empty());
}

/// Filters: needing a reply, the assignee (or nobody), and a search over
/// the customer's name, ids and words.
pub async fn case_conversations_filters(store: &dyn Store) {
    writes(
        store,
        "919800000321",
        "wamid.f1",
        "Want 5 gift boxes",
        at(10),
    )
    .await;
    writes(store, "919800000322", "wamid.f2", "thanks", at(11)).await;
    store
        .queue_outbound(&[outbound("919800000322", None, "welcome", at(12))], at(12))
        .await
        .unwrap();
    let waiting = ConversationQuery {
        needs_reply: Some(true),
        ..page(50)
    };
    assert_eq!(keys(store, &waiting).await, ["919800000321"]);

    let assign = ConversationChange {
        assignee: Some(Some("Staff@Shop.Test".to_owned())),
        ..ConversationChange::default()
    };
    let c = store
        .update_conversation("919800000322", &assign, at(13))
        .await
        .unwrap();
    assert_eq!(c.assignee.as_deref(), Some("staff@shop.test"));
    let mine = ConversationQuery {
        assignee: Some(AssigneeFilter::Email("staff@shop.test".to_owned())),
        ..page(50)
    };
    assert_eq!(keys(store, &mine).await, ["919800000322"]);
    let nobody = ConversationQuery {
        assignee: Some(AssigneeFilter::Nobody),
        ..page(50)
    };
    assert_eq!(keys(store, &nobody).await, ["919800000321"]);

    let words = ConversationQuery {
        q: Some("GIFT box".to_owned()),
        ..page(50)
    };
    assert_eq!(keys(store, &words).await, ["919800000321"]);
    let id = ConversationQuery {
        q: Some("0322".to_owned()),
        ..page(50)
    };
    assert_eq!(keys(store, &id).await, ["919800000322"]);
}

/// Done answers everything so far; a handed-over conversation needs a
/// reply even after the bot's answer, until staff mark it done.
pub async fn case_conversation_done_and_handover(store: &dyn Store) {
    let key = "919800000331";
    writes(store, key, "wamid.h1", "hello", at(10)).await;
    let done = ConversationChange {
        done: true,
        ..ConversationChange::default()
    };
    assert!(
        !store
            .update_conversation(key, &done, at(11))
            .await
            .unwrap()
            .needs_reply
    );

    writes(store, key, "wamid.h2", "talk to a person", at(12)).await;
    let hand = ConversationChange {
        handover: Some(true),
        ..ConversationChange::default()
    };
    store.update_conversation(key, &hand, at(13)).await.unwrap();
    store
        .queue_outbound(
            &[outbound(key, None, "Someone will answer", at(14))],
            at(14),
        )
        .await
        .unwrap();
    let c = store.conversation(key).await.unwrap().unwrap();
    assert!(c.handover);
    assert!(c.needs_reply, "the bot's notice is not an answer");

    let c = store.update_conversation(key, &done, at(15)).await.unwrap();
    assert!(c.handover && !c.needs_reply);

    let back = ConversationChange {
        handover: Some(false),
        ..ConversationChange::default()
    };
    let seq = store.last_event_seq().await.unwrap();
    assert!(
        !store
            .update_conversation(key, &back, at(16))
            .await
            .unwrap()
            .handover
    );
    let events = events_after(store, seq).await;
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0].kind, EventKind::ConversationUpdated);
    assert_eq!(events[0].data["handover"], false);
    // Changing nothing appends nothing.
    store.update_conversation(key, &back, at(17)).await.unwrap();
    assert!(events_after(store, seq + 1).await.is_empty());
}

/// A conversation is found by its `wa_id` as well as its key, and names
/// the customer's latest open order.
pub async fn case_conversation_names_the_open_order(store: &dyn Store) {
    let key = "919800000341";
    let order = create_order(store, cart("Asha", key, at(5))).await;
    writes(store, key, "wamid.o1", "where is my order?", at(10)).await;
    let c = store.conversation(key).await.unwrap().unwrap();
    assert_eq!(c.order_number, Some(order.number));
    let cancelled = plan(
        &order,
        OrderStatus::Cancelled,
        staff(),
        Some("out of stock"),
    );
    store
        .change_status(order.number, order.version, &cancelled, at(11))
        .await
        .unwrap();
    let c = store.conversation(key).await.unwrap().unwrap();
    assert_eq!(c.order_number, None, "a cancelled order is no longer open");
    assert!(store.conversation("nobody").await.unwrap().is_none());
}

/// One batch with several customers' items refreshes every conversation it
/// touched from that customer's own messages and marks, and announces each
/// once, in key order: a customer who only got the bot's message with
/// their cart too (their conversation appeared, naming the new order).
pub async fn case_conversations_of_one_batch(store: &dyn Store) {
    let (read, new, cart_only) = ("919800000341", "919800000342", "919800000343");
    writes(store, read, "wamid.b1", "earlier", at(10)).await;
    store.mark_conversation_read(read, at(11)).await.unwrap();
    let seq = store.last_event_seq().await.unwrap();

    let order = InboundOutcome::CreateOrder {
        order: cart("Cart Only", cart_only, at(20)),
        outbound: vec![outbound(cart_only, None, "Thanks for your order!", at(20))],
        timers: Vec::new(),
    };
    let says = |key: &str, wamid: &str, text: &str, secs: i64| {
        InboundOutcome::Message(inbound_message(key, wamid, text, at(secs)))
    };
    complete_items(
        store,
        vec![
            (new, says(new, "wamid.b2", "first", 20)),
            (cart_only, order),
            (read, says(read, "wamid.b3", "again", 21)),
            (new, says(new, "wamid.b4", "second", 22)),
        ],
    )
    .await;

    let c = store.conversation(read).await.unwrap().unwrap();
    assert_eq!(
        (c.unread, c.needs_reply),
        (1, true),
        "only the new one unread"
    );
    assert_eq!(c.last_message.text, "again");
    let c = store.conversation(new).await.unwrap().unwrap();
    assert_eq!((c.unread, c.needs_reply), (2, true));
    assert_eq!(c.last_message.text, "second");
    assert_eq!(c.last_message.at, micros(at(22)));
    let c = store.conversation(cart_only).await.unwrap().unwrap();
    assert_eq!((c.unread, c.needs_reply), (0, false));
    assert_eq!(c.last_message.direction, Direction::Out);
    assert!(c.order_number.is_some(), "names the cart's order");

    let announced: Vec<(String, i64)> = events_after(store, seq)
        .await
        .iter()
        .filter(|e| e.kind == EventKind::ConversationUpdated)
        .map(|e| {
            (
                e.data["key"].as_str().unwrap_or("").to_owned(),
                e.data["unread"].as_i64().unwrap_or(-1),
            )
        })
        .collect();
    assert_eq!(
        announced,
        vec![
            (read.to_owned(), 1),
            (new.to_owned(), 2),
            (cart_only.to_owned(), 0)
        ],
        "every conversation the batch changed, in key order"
    );
}
