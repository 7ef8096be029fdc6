//! Conformance cases for delivery statuses: a sent message only ever moves
//! forward (sent → delivered → read, or failed), however webhooks arrive.

use super::*;
use MessageState::*;

async fn status(
    store: &dyn Store,
    wamid: &str,
    state: MessageState,
    secs: i64,
) -> Option<ChatMessage> {
    store
        .message_status(wamid, state, at(secs), None)
        .await
        .unwrap()
}

pub async fn case_message_status(store: &dyn Store) {
    let asha = create_order(store, cart("Asha", "919800000001", at(0))).await;
    let sent = send_one(store, &asha, "wamid.out.1", at(1)).await;
    let seq = store.last_event_seq().await.unwrap();
    let state = |state, secs| async move {
        status(store, "wamid.out.1", state, secs)
            .await
            .map(|m| m.state)
    };
    // Out of order and repeated, as webhooks come.
    assert_eq!(state(Sent, 2).await, None, "already sent");
    assert_eq!(state(Delivered, 3).await, Some(Delivered));
    assert_eq!(state(Delivered, 4).await, None, "a repeat");
    assert_eq!(state(Sent, 5).await, None, "an older state");
    assert_eq!(state(Read, 6).await, Some(Read));
    assert_eq!(state(Delivered, 7).await, None);
    assert_eq!(state(Failed, 8).await, None, "failed never undoes read");
    assert_eq!(state(Read, 9).await, None);
    let now = store.messages_for_order(asha.number).await.unwrap()[0].clone();
    assert_eq!(
        now,
        ChatMessage {
            state: Read,
            ..sent
        }
    );
    let events = events_after(store, seq).await;
    assert_eq!(kinds(&events), vec![EventKind::MessageStatus; 2]);
    assert_eq!(events[1].data["message"]["state"], "read");
    assert_eq!(events[1].data["number"], asha.number.get());
    assert_eq!(events[1].at, micros(at(6)));
}

pub async fn case_delivered_after_read_changes_nothing(store: &dyn Store) {
    let asha = create_order(store, cart("Asha", "919800000001", at(0))).await;
    let second = send_one(store, &asha, "wamid.out.2", at(10)).await;
    let read = status(store, "wamid.out.2", Read, 12).await;
    assert_eq!(
        read,
        Some(ChatMessage {
            state: Read,
            ..second
        })
    );
    assert_eq!(status(store, "wamid.out.2", Delivered, 11).await, None);
}

pub async fn case_failed_replaces_sent_with_its_reason_on_the_order(store: &dyn Store) {
    let asha = create_order(store, cart("Asha", "919800000001", at(0))).await;
    send_one(store, &asha, "wamid.out.3", at(20)).await;
    let failed = store
        .message_status(
            "wamid.out.3",
            Failed,
            at(21),
            Some("(#131026) not on WhatsApp"),
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(failed.state, Failed);
    assert_eq!(failed.error.as_deref(), Some("(#131026) not on WhatsApp"));
    assert_eq!(
        status(store, "wamid.out.3", Sent, 20).await,
        None,
        "a late sent"
    );
    assert_eq!(status(store, "wamid.out.3", Failed, 22).await, None);
    let notice = store.timeline(asha.number).await.unwrap().pop().unwrap();
    assert_eq!(notice.kind, TimelineKind::Notice);
    assert_eq!(
        notice.detail.as_deref(),
        Some("message could not be sent: (#131026) not on WhatsApp")
    );
}

/// The inbox, where statuses arrive as items, keeps the same order.
pub async fn case_statuses_from_the_inbox_only_move_forward(store: &dyn Store) {
    let asha = create_order(store, cart("Asha", "919800000001", at(0))).await;
    send_one(store, &asha, "wamid.out.4", at(30)).await;
    let st = |state, secs| InboundOutcome::Status {
        wamid: "wamid.out.4".to_owned(),
        state,
        at: at(secs),
        error: None,
    };
    let (_, results) = complete_items(
        store,
        vec![
            ("919800000001", st(Read, 32)),
            ("919800000001", st(Delivered, 31)),
            ("919800000001", st(Sent, 30)),
        ],
    )
    .await;
    let states: Vec<Option<MessageState>> = results
        .iter()
        .map(|r| match r {
            InboundResult::Done {
                order: None,
                message,
            } => message.as_ref().map(|m| m.state),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(states, vec![Some(Read), None, None]);
    assert!(store.pending_inbound(10).await.unwrap().is_empty());
}

pub async fn case_a_status_of_an_unknown_message_changes_nothing(store: &dyn Store) {
    assert_eq!(status(store, "wamid.unknown", Read, 40).await, None);
    assert_eq!(store.last_event_seq().await.unwrap(), 0);
}
