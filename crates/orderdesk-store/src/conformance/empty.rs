//! Conformance cases for a fresh, empty store: every read answers "nothing".

use super::*;

pub async fn case_empty_store(store: &dyn Store) {
    store.migrate().await.expect("migrations run twice");
    store.ping().await.expect("ping");
    assert_eq!(store.last_event_seq().await.unwrap(), 0);
    assert!(store.events_since(0, 100).await.unwrap().is_empty());
    assert!(store.pending_inbound(100).await.unwrap().is_empty());
    assert_eq!(store.record_inbound(&[]).await.unwrap(), vec![]);
    assert_eq!(store.complete_inbound(&[]).await.unwrap(), vec![]);
    let page = store.list_orders(&query(50)).await.unwrap();
    assert!(page.orders.is_empty());
    assert_eq!(page.next_before, None);
    let counts = store.status_counts().await.unwrap();
    assert_eq!(counts.len(), OrderStatus::ALL.len());
    let listed: HashSet<OrderStatus> = counts.iter().map(|(s, _)| *s).collect();
    assert_eq!(listed, OrderStatus::ALL.into_iter().collect());
    assert!(counts.iter().all(|(_, c)| *c == 0), "{counts:?}");
    assert!(store.products().await.unwrap().is_empty());
    assert!(store.user_by_email("a@b.test").await.unwrap().is_none());
    assert!(store.token_by_hash("00").await.unwrap().is_none());
}

pub async fn case_checkout_empty(store: &dyn Store) {
    assert!(store
        .claim_outbox(at(0), secs(30), 10)
        .await
        .unwrap()
        .is_empty());
    assert!(store
        .claim_due_timers(at(0), secs(30), 10)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(store.customer("919800000001").await.unwrap(), None);
    assert!(store.messages_for_order(n(1001)).await.unwrap().is_empty());
    assert!(store
        .messages_for_customer("919800000001", 10)
        .await
        .unwrap()
        .is_empty());
    assert!(store
        .open_orders_for_customer("919800000001")
        .await
        .unwrap()
        .is_empty());
    let status = store
        .message_status("wamid.nope", MessageState::Read, at(0), None)
        .await
        .unwrap();
    assert_eq!(status, None);
    assert!(matches!(
        store.outbox_sent(1, "wamid.x", at(0)).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.outbox_retry(1, at(0), "x").await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.outbox_failed(1, "x", at(0)).await,
        Err(StoreError::NotFound)
    ));
    store
        .complete_timer(42)
        .await
        .expect("an unknown timer is no error");
    assert!(store.queue_outbound(&[], at(0)).await.unwrap().is_empty());
    assert_eq!(store.apply_inbound(&[]).await.unwrap(), vec![]);
    assert_eq!(store.last_event_seq().await.unwrap(), 0);
}
