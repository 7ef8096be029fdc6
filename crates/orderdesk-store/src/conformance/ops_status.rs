//! Conformance cases for [`Store::ops_status`], what `orderdesk doctor`
//! reads: how far the schema is migrated and when WhatsApp was last heard
//! from and sent to.

use super::*;

/// A freshly migrated store is at its newest migration and has heard
/// nothing; a stored webhook and a sent message then show with their times.
pub async fn case_ops_status(store: &dyn Store) {
    let fresh = store.ops_status().await.unwrap();
    assert!(fresh.migrations_known > 0);
    assert_eq!(fresh.migrations_applied, fresh.migrations_known);
    assert_eq!(fresh.last_webhook_at, None);
    assert_eq!(fresh.last_sent_at, None);

    let mut item = unique_item();
    item.received_at = at(40);
    store.record_inbound(&[item]).await.unwrap();
    let key = "919800000091";
    let queued = store
        .queue_outbound(&[outbound(key, None, "hello", at(41))], at(41))
        .await
        .unwrap();
    let heard = store.ops_status().await.unwrap();
    assert_eq!(heard.last_webhook_at, Some(micros(at(40))));
    assert_eq!(heard.last_sent_at, None, "queued is not sent");

    assert_eq!(claim_ids(store, at(42)).await, vec![queued[0].id]);
    store
        .outbox_sent(queued[0].id, "wamid.ops.1", at(43))
        .await
        .unwrap();
    let sent = store.ops_status().await.unwrap();
    assert_eq!(sent.last_sent_at, Some(micros(at(43))));
    assert_eq!(sent.last_webhook_at, Some(micros(at(40))));
}
