//! Conformance cases for the outbox: claims, sent/retry/failed, and delivery
//! statuses.

use super::*;

pub async fn case_claim_per_customer(store: &dyn Store) {
    let asha = create_order(store, cart("Asha", "919800000001", at(0))).await;
    let ravi = create_order(store, cart("Ravi", "919800000002", at(0))).await;
    let meera = create_order(store, cart("Meera", "919800000003", at(0))).await;
    queue(
        store,
        &asha,
        vec![
            outbound("919800000001", None, "first", at(10)),
            outbound("919800000001", None, "second", at(10)),
            outbound("919800000001", None, "third", at(10)),
        ],
        at(10),
    )
    .await;
    queue(
        store,
        &ravi,
        vec![outbound("919800000002", None, "hi Ravi", at(10))],
        at(10),
    )
    .await;
    // Not due yet, and so holding back nothing but itself.
    queue(
        store,
        &meera,
        vec![outbound("919800000003", None, "later", at(60))],
        at(10),
    )
    .await;
    let (a, r, m) = (
        message_ids(store, &asha).await,
        message_ids(store, &ravi).await,
        message_ids(store, &meera).await,
    );

    assert!(
        claim_ids(store, at(9)).await.is_empty(),
        "nothing due before not_before"
    );
    let first = store.claim_outbox(at(10), secs(30), 100).await.unwrap();
    assert_eq!(
        first.iter().map(|i| i.id).collect::<Vec<_>>(),
        vec![a[0], r[0]]
    );
    let item = &first[0];
    assert_eq!(item.order_number, Some(asha.number));
    assert_eq!(item.customer_key, "919800000001");
    assert_eq!(item.to_wa_id.as_deref(), Some("919800000001"));
    assert_eq!(item.to_user_id, None);
    assert_eq!(item.body["text"]["body"], "first");
    assert_eq!(item.attempts, 1);
    let states: Vec<MessageState> = store
        .messages_for_order(asha.number)
        .await
        .unwrap()
        .iter()
        .map(|m| m.state)
        .collect();
    assert_eq!(
        states,
        [
            MessageState::Sending,
            MessageState::Queued,
            MessageState::Queued
        ]
    );

    store
        .outbox_sent(r[0], "wamid.out.r0", at(11))
        .await
        .unwrap();

    // Asha's second waits for her first, whatever the time.
    assert!(claim_ids(store, at(20)).await.is_empty());
    store
        .outbox_sent(a[0], "wamid.out.a0", at(21))
        .await
        .unwrap();
    assert_eq!(claim_ids(store, at(21)).await, vec![a[1]]);
    // A failure ends a message too; the next one then goes.
    store
        .outbox_failed(a[1], "(#131026) undeliverable", at(22))
        .await
        .unwrap();
    // A retried head still holds the line until it is done.
    assert_eq!(claim_ids(store, at(22)).await, vec![a[2]]);
    store
        .outbox_retry(a[2], at(40), "(#130429) rate limit hit")
        .await
        .unwrap();
    queue(
        store,
        &asha,
        vec![outbound("919800000001", None, "fourth", at(10))],
        at(23),
    )
    .await;
    let a3 = *message_ids(store, &asha).await.last().unwrap();
    assert!(claim_ids(store, at(30)).await.is_empty());
    assert_eq!(claim_ids(store, at(60)).await, vec![a[2], m[0]]);
    store
        .outbox_sent(a[2], "wamid.out.a2", at(61))
        .await
        .unwrap();
    store
        .outbox_sent(m[0], "wamid.out.m0", at(61))
        .await
        .unwrap();
    assert_eq!(claim_ids(store, at(61)).await, vec![a3]);
}

pub async fn case_claim_lease(store: &dyn Store) {
    let asha = create_order(store, cart("Asha", "919800000001", at(0))).await;
    queue(
        store,
        &asha,
        vec![
            outbound("919800000001", None, "first", at(0)),
            outbound("919800000001", None, "second", at(0)),
        ],
        at(0),
    )
    .await;
    let first = store.claim_outbox(at(100), secs(30), 10).await.unwrap();
    assert_eq!(first.len(), 1);
    assert_eq!(first[0].attempts, 1);
    assert!(claim_ids(store, at(129)).await.is_empty(), "leased");
    // The sender died: once the lease runs out the same message is claimed
    // again, still ahead of the customer's next one.
    let again = store.claim_outbox(at(130), secs(30), 10).await.unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].id, first[0].id);
    assert_eq!(again[0].attempts, 2);
    assert_eq!(again[0].body, first[0].body);
    assert!(claim_ids(store, at(159)).await.is_empty());
    store
        .outbox_sent(first[0].id, "wamid.out.1", at(140))
        .await
        .unwrap();
    let next = store.claim_outbox(at(141), secs(30), 10).await.unwrap();
    assert_eq!(next.len(), 1);
    assert!(next[0].id > first[0].id);
    assert_eq!(next[0].attempts, 1);
}

pub async fn case_claim_concurrent(store: &dyn Store) {
    const CUSTOMERS: usize = 12;
    const CLAIMERS: usize = 6;
    let orders = create_many(store, CUSTOMERS).await;
    let mut heads = BTreeSet::new();
    for order in &orders {
        let key = order.customer.wa_id.clone().unwrap();
        let messages = (0..3)
            .map(|i| outbound(&key, None, &format!("message {i}"), at(0)))
            .collect();
        queue(store, order, messages, at(1)).await;
        heads.insert(store.messages_for_order(order.number).await.unwrap()[0].id);
    }
    let claimer = || async move {
        let mut mine = Vec::new();
        loop {
            let got = store.claim_outbox(at(10), secs(60), 2).await.unwrap();
            if got.is_empty() {
                return mine;
            }
            mine.extend(got.into_iter().map(|m| m.id));
            tokio::task::yield_now().await;
        }
    };
    let claimed: Vec<Vec<i64>> = join_all((0..CLAIMERS).map(|_| claimer()).collect()).await;
    let all: Vec<i64> = claimed.iter().flatten().copied().collect();
    let unique: BTreeSet<i64> = all.iter().copied().collect();
    assert_eq!(
        all.len(),
        unique.len(),
        "a message was claimed twice: {claimed:?}"
    );
    assert_eq!(unique, heads, "exactly each customer's first message");
}

pub async fn case_outbox_transitions(store: &dyn Store) {
    let asha = create_order(store, cart("Asha", "919800000001", at(0))).await;
    queue(
        store,
        &asha,
        vec![
            outbound("919800000001", None, "Add delivery address", at(0)),
            outbound("919800000001", None, "Pay now", at(0)),
        ],
        at(1),
    )
    .await;
    let ids: Vec<i64> = store
        .messages_for_order(asha.number)
        .await
        .unwrap()
        .iter()
        .map(|m| m.id)
        .collect();
    let seq = store.last_event_seq().await.unwrap();

    // Sent: the wamid is kept and announced.
    assert_eq!(claim_ids(store, at(2)).await, vec![ids[0]]);
    let sent = store
        .outbox_sent(ids[0], "wamid.out.1", at(3))
        .await
        .unwrap();
    assert_eq!(sent.state, MessageState::Sent);
    assert_eq!(sent.wamid.as_deref(), Some("wamid.out.1"));
    assert_eq!(sent.sent_at, Some(micros(at(3))));
    assert_eq!(sent.text, "Add delivery address");
    assert_eq!(
        store.messages_for_order(asha.number).await.unwrap()[0],
        sent
    );
    let events = events_after(store, seq).await;
    assert_eq!(kinds(&events), vec![EventKind::MessageSent]);
    assert_eq!(events[0].order_number, Some(asha.number));
    assert_eq!(events[0].at, micros(at(3)));
    assert_eq!(events[0].data["number"], asha.number.get());
    assert_eq!(
        events[0].data["message"],
        serde_json::to_value(&sent).unwrap()
    );
    assert_eq!(events[0].data["message"]["state"], "sent");
    // Recording it again (a second sender after a lease ran out) changes nothing.
    let seq = store.last_event_seq().await.unwrap();
    assert_eq!(
        store
            .outbox_sent(ids[0], "wamid.out.1b", at(4))
            .await
            .unwrap(),
        sent
    );
    assert_eq!(store.last_event_seq().await.unwrap(), seq);

    // Retry: back in the queue with the error, not before the given time.
    assert_eq!(claim_ids(store, at(5)).await, vec![ids[1]]);
    store
        .outbox_retry(ids[1], at(20), "(#130429) rate limit hit")
        .await
        .unwrap();
    let retried = store.messages_for_order(asha.number).await.unwrap()[1].clone();
    assert_eq!(retried.state, MessageState::Queued);
    assert_eq!(retried.error.as_deref(), Some("(#130429) rate limit hit"));
    assert!(claim_ids(store, at(19)).await.is_empty());
    let again = store.claim_outbox(at(20), secs(30), 10).await.unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].attempts, 2);
    assert_eq!(
        store.last_event_seq().await.unwrap(),
        seq,
        "a retry is no news"
    );

    // A wamid names one message only.
    let taken = store.outbox_sent(ids[1], "wamid.out.1", at(21)).await;
    assert!(
        matches!(&taken, Err(StoreError::Duplicate(what)) if what == "a message with this WhatsApp id"),
        "{taken:?}"
    );

    // Failed: shown on the order and announced.
    let failed = store
        .outbox_failed(ids[1], "(#131047) re-engagement message", at(22))
        .await
        .unwrap();
    assert_eq!(failed.state, MessageState::Failed);
    assert_eq!(
        failed.error.as_deref(),
        Some("(#131047) re-engagement message")
    );
    assert_eq!(failed.wamid, None);
    let events = events_after(store, seq).await;
    assert_eq!(kinds(&events), vec![EventKind::MessageStatus]);
    assert_eq!(
        events[0].data["message"],
        serde_json::to_value(&failed).unwrap()
    );
    let mut notice = TimelineEntry::new(micros(at(22)), TimelineKind::Notice, &Actor::System);
    notice.detail = Some("message could not be sent: (#131047) re-engagement message".to_owned());
    assert_eq!(
        store.timeline(asha.number).await.unwrap().last(),
        Some(&notice)
    );
    assert_eq!(
        store.order(asha.number).await.unwrap(),
        asha,
        "the order itself is unchanged"
    );
    // A finished message is not retried or failed again.
    store.outbox_retry(ids[1], at(30), "late").await.unwrap();
    assert_eq!(
        store.outbox_failed(ids[0], "late", at(30)).await.unwrap(),
        sent
    );
    assert!(claim_ids(store, at(100)).await.is_empty());
    assert_eq!(store.timeline(asha.number).await.unwrap().len(), 2);

    // A message about no order fails without a timeline.
    let loose = store
        .queue_outbound(&[outbound("15550001111", None, "hi", at(0))], at(40))
        .await
        .unwrap();
    assert_eq!(claim_ids(store, at(40)).await, vec![loose[0].id]);
    let failed = store
        .outbox_failed(loose[0].id, "invalid recipient", at(41))
        .await
        .unwrap();
    assert_eq!(failed.state, MessageState::Failed);
    let last = events_after(store, 0).await.pop().unwrap();
    assert_eq!(last.kind, EventKind::MessageStatus);
    assert_eq!(last.order_number, None);
    assert_eq!(last.data["number"], serde_json::Value::Null);
}

pub async fn case_message_status(store: &dyn Store) {
    use MessageState::*;
    let asha = create_order(store, cart("Asha", "919800000001", at(0))).await;
    let sent = send_one(store, &asha, "wamid.out.1", at(1)).await;
    let seq = store.last_event_seq().await.unwrap();
    let status = |state, secs| async move {
        store
            .message_status("wamid.out.1", state, at(secs), None)
            .await
            .unwrap()
            .map(|m| m.state)
    };
    // Out of order and repeated, as webhooks come.
    assert_eq!(status(Sent, 2).await, None, "already sent");
    assert_eq!(status(Delivered, 3).await, Some(Delivered));
    assert_eq!(status(Delivered, 4).await, None, "a repeat");
    assert_eq!(status(Sent, 5).await, None, "an older state");
    assert_eq!(status(Read, 6).await, Some(Read));
    assert_eq!(status(Delivered, 7).await, None);
    assert_eq!(status(Failed, 8).await, None, "failed never undoes read");
    assert_eq!(status(Read, 9).await, None);
    let now = store.messages_for_order(asha.number).await.unwrap()[0].clone();
    assert_eq!(
        now,
        ChatMessage {
            state: Read,
            ..sent.clone()
        }
    );
    let events = events_after(store, seq).await;
    assert_eq!(kinds(&events), vec![EventKind::MessageStatus; 2]);
    assert_eq!(events[1].data["message"]["state"], "read");
    assert_eq!(events[1].data["number"], asha.number.get());
    assert_eq!(events[1].at, micros(at(6)));

    // Read before delivered: delivered then changes nothing.
    let second = send_one(store, &asha, "wamid.out.2", at(10)).await;
    let read = store
        .message_status("wamid.out.2", Read, at(12), None)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        read,
        ChatMessage {
            state: Read,
            ..second
        }
    );
    assert_eq!(
        store
            .message_status("wamid.out.2", Delivered, at(11), None)
            .await
            .unwrap(),
        None
    );

    // Failed replaces sent (with the reason, shown on the order), and a late
    // `sent` does not undo it.
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
        store
            .message_status("wamid.out.3", Sent, at(20), None)
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        store
            .message_status("wamid.out.3", Failed, at(22), None)
            .await
            .unwrap(),
        None
    );
    let notice = store.timeline(asha.number).await.unwrap().pop().unwrap();
    assert_eq!(notice.kind, TimelineKind::Notice);
    assert_eq!(
        notice.detail.as_deref(),
        Some("message could not be sent: (#131026) not on WhatsApp")
    );

    // The same through the inbox, where statuses arrive as items.
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
    // Statuses of messages we do not know change nothing.
    assert_eq!(
        store
            .message_status("wamid.unknown", Read, at(40), None)
            .await
            .unwrap(),
        None
    );
}

/// WhatsApp's status webhook can beat the Graph API's answer (and so
/// `outbox_sent`): the status is kept and applied when the wamid is recorded.
pub async fn case_early_status(store: &dyn Store) {
    use MessageState::*;
    let asha = create_order(store, cart("Asha", "919800000001", at(0))).await;
    let key = asha.customer.wa_id.clone().unwrap();
    queue(
        store,
        &asha,
        vec![outbound(&key, None, "hello", at(1))],
        at(1),
    )
    .await;
    let claimed = store.claim_outbox(at(1), secs(30), 10).await.unwrap();
    assert_eq!(claimed.len(), 1);
    // Delivered, then a repeat and an older `sent`, all before the wamid is known.
    for (state, secs) in [(Delivered, 3), (Delivered, 4), (Sent, 2)] {
        assert_eq!(
            store
                .message_status("wamid.early", state, at(secs), None)
                .await
                .unwrap(),
            None
        );
    }
    let seq = store.last_event_seq().await.unwrap();
    let sent = store
        .outbox_sent(claimed[0].id, "wamid.early", at(2))
        .await
        .unwrap();
    assert_eq!(sent.wamid.as_deref(), Some("wamid.early"));
    let now = store.messages_for_order(asha.number).await.unwrap();
    assert_eq!(now[0].state, Delivered, "{now:?}");
    let events = events_after(store, seq).await;
    assert_eq!(
        kinds(&events),
        vec![EventKind::MessageSent, EventKind::MessageStatus]
    );
    // Applied once: a later read still moves it on, nothing is re-applied.
    assert_eq!(
        store
            .message_status("wamid.early", Read, at(5), None)
            .await
            .unwrap()
            .map(|m| m.state),
        Some(Read)
    );
}
