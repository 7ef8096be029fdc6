//! Conformance cases for [`crate::OpsStore::ops_status`], what `orderdesk doctor`
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

/// The status panels' reads: Meta's handshake time (only the newest kept),
/// the newest send error, and the newest payment webhook and its failure;
/// WhatsApp items never count as payment webhooks.
pub async fn case_ops_status_panels(store: &dyn Store) {
    let fresh = store.ops_status().await.unwrap();
    assert_eq!(fresh.last_verified_at, None);
    assert_eq!(fresh.last_send_error, None);
    assert_eq!(fresh.last_payment_webhook, None);
    assert_eq!(fresh.last_payment_error, None);

    store.record_webhook_verified(at(50)).await.unwrap();
    store.record_webhook_verified(at(52)).await.unwrap();
    assert_eq!(
        store.ops_status().await.unwrap().last_verified_at,
        Some(micros(at(52)))
    );

    let key = "919800000092";
    let queued = store
        .queue_outbound(&[outbound(key, None, "hello", at(53))], at(53))
        .await
        .unwrap();
    assert_eq!(claim_ids(store, at(54)).await, vec![queued[0].id]);
    let refused = "the Graph API refused the credentials: HTTP 401, code 190: token expired";
    store
        .outbox_failed(queued[0].id, refused, at(55))
        .await
        .unwrap();
    let failed = store.ops_status().await.unwrap().last_send_error.unwrap();
    assert_eq!(failed.error, refused);
    assert_eq!(failed.at, micros(at(53)), "when the message was queued");

    let mut whatsapp = unique_item();
    whatsapp.received_at = at(56);
    let mut paid = unique_item();
    paid.source = "razorpay".to_owned();
    paid.received_at = at(57);
    let mut later_whatsapp = unique_item();
    later_whatsapp.received_at = at(58);
    let ids: Vec<i64> = store
        .record_inbound(&[whatsapp, paid, later_whatsapp])
        .await
        .unwrap()
        .into_iter()
        .map(|r| match r {
            Recorded::New(id) => id,
            Recorded::Duplicate => panic!("fresh items"),
        })
        .collect();
    let heard = store.ops_status().await.unwrap();
    assert_eq!(
        heard.last_payment_webhook,
        Some(("razorpay".to_owned(), micros(at(57))))
    );
    assert_eq!(heard.last_payment_error, None);
    store
        .complete_inbound(&[(
            ids[1],
            InboundOutcome::Failed("no order for link plink_1".into()),
        )])
        .await
        .unwrap();
    let failed = store
        .ops_status()
        .await
        .unwrap()
        .last_payment_error
        .unwrap();
    assert_eq!(failed.error, "no order for link plink_1");
    assert_eq!(failed.at, micros(at(57)));
}
