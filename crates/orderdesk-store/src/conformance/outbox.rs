//! Conformance cases for the outbox: claims, sent/retry/failed, and a status
//! that arrives before its message's wamid (delivery statuses: `delivery.rs`).

use super::*;

/// A new order of Asha's with `texts` queued to her at second 10: the order
/// and the messages' ids.
async fn asha_queued(store: &dyn Store, texts: &[&str]) -> (Order, Vec<i64>) {
    let asha = create_order(store, cart("Asha", "919800000001", at(0))).await;
    let messages = texts
        .iter()
        .map(|text| outbound("919800000001", None, text, at(10)))
        .collect();
    queue(store, &asha, messages, at(10)).await;
    let ids = message_ids(store, &asha).await;
    (asha, ids)
}

pub async fn case_claim_per_customer(store: &dyn Store) {
    let (asha, a) = asha_queued(store, &["first", "second", "third"]).await;
    let ravi = create_order(store, cart("Ravi", "919800000002", at(0))).await;
    let meera = create_order(store, cart("Meera", "919800000003", at(0))).await;
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
    let r = message_ids(store, &ravi).await;

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
}

pub async fn case_a_customers_next_message_waits_for_the_one_sending(store: &dyn Store) {
    let (_, a) = asha_queued(store, &["first", "second"]).await;
    assert_eq!(claim_ids(store, at(10)).await, vec![a[0]]);
    assert!(
        claim_ids(store, at(20)).await.is_empty(),
        "whatever the time"
    );
    store
        .outbox_sent(a[0], "wamid.out.a0", at(21))
        .await
        .unwrap();
    assert_eq!(claim_ids(store, at(21)).await, vec![a[1]]);
}

pub async fn case_a_failed_message_lets_the_next_go(store: &dyn Store) {
    let (_, a) = asha_queued(store, &["first", "second"]).await;
    assert_eq!(claim_ids(store, at(10)).await, vec![a[0]]);
    store
        .outbox_failed(a[0], "(#131026) undeliverable", at(22))
        .await
        .unwrap();
    assert_eq!(claim_ids(store, at(22)).await, vec![a[1]]);
}

pub async fn case_a_retried_message_holds_the_line_until_done(store: &dyn Store) {
    let (_, a) = asha_queued(store, &["first", "second"]).await;
    assert_eq!(claim_ids(store, at(10)).await, vec![a[0]]);
    store
        .outbox_retry(a[0], at(40), "(#130429) rate limit hit")
        .await
        .unwrap();
    assert!(claim_ids(store, at(30)).await.is_empty());
    assert_eq!(claim_ids(store, at(40)).await, vec![a[0]]);
    store
        .outbox_sent(a[0], "wamid.out.a0", at(41))
        .await
        .unwrap();
    assert_eq!(claim_ids(store, at(41)).await, vec![a[1]]);
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

/// Asha's two checkout messages, the first claimed at second 10 and sent.
async fn first_sent(store: &dyn Store) -> (Order, Vec<i64>, ChatMessage) {
    let (asha, ids) = asha_queued(store, &["Add delivery address", "Pay now"]).await;
    assert_eq!(claim_ids(store, at(10)).await, vec![ids[0]]);
    let sent = store
        .outbox_sent(ids[0], "wamid.out.1", at(11))
        .await
        .unwrap();
    (asha, ids, sent)
}

pub async fn case_outbox_transitions(store: &dyn Store) {
    let (asha, ids) = asha_queued(store, &["Add delivery address", "Pay now"]).await;
    let seq = store.last_event_seq().await.unwrap();
    assert_eq!(claim_ids(store, at(10)).await, vec![ids[0]]);
    let sent = store
        .outbox_sent(ids[0], "wamid.out.1", at(11))
        .await
        .unwrap();
    assert_eq!(sent.state, MessageState::Sent);
    assert_eq!(sent.wamid.as_deref(), Some("wamid.out.1"));
    assert_eq!(sent.sent_at, Some(micros(at(11))));
    assert_eq!(sent.text, "Add delivery address");
    assert_eq!(
        store.messages_for_order(asha.number).await.unwrap()[0],
        sent
    );
    let events = events_after(store, seq).await;
    assert_eq!(kinds(&events), vec![EventKind::MessageSent]);
    assert_eq!(events[0].order_number, Some(asha.number));
    assert_eq!(events[0].at, micros(at(11)));
    assert_eq!(events[0].data["number"], asha.number.get());
    assert_eq!(
        events[0].data["message"],
        serde_json::to_value(&sent).unwrap()
    );
    assert_eq!(events[0].data["message"]["state"], "sent");
}

/// A second sender whose lease ran out records the same message again.
pub async fn case_recording_a_sent_message_again_changes_nothing(store: &dyn Store) {
    let (_, ids, sent) = first_sent(store).await;
    let seq = store.last_event_seq().await.unwrap();
    assert_eq!(
        store
            .outbox_sent(ids[0], "wamid.out.1b", at(12))
            .await
            .unwrap(),
        sent
    );
    assert_eq!(store.last_event_seq().await.unwrap(), seq);
}

pub async fn case_a_retry_requeues_with_the_error_not_before_its_time(store: &dyn Store) {
    let (asha, ids, _) = first_sent(store).await;
    let seq = store.last_event_seq().await.unwrap();
    assert_eq!(claim_ids(store, at(12)).await, vec![ids[1]]);
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
}

pub async fn case_a_wamid_names_one_message_only(store: &dyn Store) {
    let (_, ids, _) = first_sent(store).await;
    assert_eq!(claim_ids(store, at(12)).await, vec![ids[1]]);
    let taken = store.outbox_sent(ids[1], "wamid.out.1", at(13)).await;
    assert!(
        matches!(&taken, Err(StoreError::Duplicate(what)) if what == "a message with this WhatsApp id"),
        "{taken:?}"
    );
}

pub async fn case_a_failed_message_shows_on_the_order_and_is_announced(store: &dyn Store) {
    let (asha, ids, _) = first_sent(store).await;
    assert_eq!(claim_ids(store, at(12)).await, vec![ids[1]]);
    let seq = store.last_event_seq().await.unwrap();
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
}

pub async fn case_a_finished_message_is_not_retried_or_failed_again(store: &dyn Store) {
    let (asha, ids, sent) = first_sent(store).await;
    assert_eq!(claim_ids(store, at(12)).await, vec![ids[1]]);
    store
        .outbox_failed(ids[1], "(#131047) re-engagement message", at(22))
        .await
        .unwrap();
    store.outbox_retry(ids[1], at(30), "late").await.unwrap();
    assert_eq!(
        store.outbox_failed(ids[0], "late", at(30)).await.unwrap(),
        sent
    );
    assert!(claim_ids(store, at(100)).await.is_empty());
    assert_eq!(
        store.timeline(asha.number).await.unwrap().len(),
        2,
        "created and one failure notice"
    );
}

pub async fn case_a_message_about_no_order_fails_without_a_timeline(store: &dyn Store) {
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
