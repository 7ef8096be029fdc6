//! Conformance cases for refunds on the shared write path: stored with the
//! order, moving its payment status, never more than was paid.

use orderdesk_domain::{Refund, RefundStatus};

use super::*;
use crate::RefundChange;

/// A paid order (total 1297.50 INR) with the provider's payment id.
async fn paid_order(store: &dyn Store, wa_id: &str) -> Order {
    let placed = create_order(store, cart("Asha", wa_id, at(0))).await;
    let update = OrderUpdate {
        payment_status: Some(PaymentStatus::Paid),
        payment_method: Some(PaymentMethod::Razorpay),
        provider_payment_id: Some("pay_29QQoUBi66xm2f".to_owned()),
        ..OrderUpdate::default()
    };
    updated(store, &placed, &update, 1).await
}

fn refund(id: &str, amount_minor: i64) -> Refund {
    Refund {
        id: id.to_owned(),
        amount_minor,
        status: RefundStatus::Pending,
        provider_ref: None,
        reason: "damaged".to_owned(),
        at: at(5),
        by: "owner@shop.test".to_owned(),
        failure: None,
        credit_note: None,
    }
}

fn add(refund: Refund) -> OrderUpdate {
    OrderUpdate {
        refund: Some(RefundChange::Add(refund)),
        ..OrderUpdate::default()
    }
}

fn settle(key: &str, status: RefundStatus, provider_ref: Option<&str>) -> OrderUpdate {
    OrderUpdate {
        refund: Some(RefundChange::Settle {
            key: key.to_owned(),
            status,
            provider_ref: provider_ref.map(str::to_owned),
            failure: (status == RefundStatus::Failed).then(|| "bank declined".to_owned()),
        }),
        ..OrderUpdate::default()
    }
}

/// A partial then a final refund: pending until settled, then counted, and
/// the payment goes `paid → partially_refunded → refunded`, each change a
/// `payment.updated` event; the order reads back the same.
pub async fn case_refunds_move_the_payment_status(store: &dyn Store) {
    let order = paid_order(store, "919800000081").await;
    assert_eq!(
        order.provider_payment_id.as_deref(),
        Some("pay_29QQoUBi66xm2f")
    );
    let o = updated(store, &order, &add(refund("1001-r1", 30_000)), 5).await;
    assert_eq!(
        o.payment_status,
        PaymentStatus::Paid,
        "pending is not refunded yet"
    );
    assert_eq!(o.refunded_minor, 0);
    assert_eq!(o.refunds.len(), 1);
    let settling = settle("1001-r1", RefundStatus::Processed, Some("rfnd_1"));
    let o = updated(store, &o, &settling, 6).await;
    assert_eq!(o.payment_status, PaymentStatus::PartiallyRefunded);
    assert_eq!(o.refunded_minor, 30_000);
    assert_eq!(o.refunds[0].provider_ref.as_deref(), Some("rfnd_1"));
    let o = updated(store, &o, &add(refund("1001-r2", 99_750)), 7).await;
    // Settled by the provider's id, as a webhook names it.
    let settling = settle("1001-r2", RefundStatus::Pending, Some("rfnd_2"));
    let o = updated(store, &o, &settling, 8).await;
    let settling = settle("rfnd_2", RefundStatus::Processed, None);
    let o = updated(store, &o, &settling, 9).await;
    assert_eq!(o.payment_status, PaymentStatus::Refunded);
    assert_eq!(o.refunded_minor, 129_750);
    assert_eq!(store.order(o.number).await.unwrap(), o);
    let payment_events = store
        .events_since(0, 1_000)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == EventKind::PaymentUpdated && e.order_number == Some(o.number))
        .count();
    // paid, partially refunded, refunded
    assert_eq!(payment_events, 3);
}

/// A refund of more than is left is refused in the write's own transaction
/// (even at the current version) and changes nothing.
pub async fn case_a_refund_above_what_is_left_changes_nothing(store: &dyn Store) {
    let order = paid_order(store, "919800000082").await;
    let o = updated(store, &order, &add(refund("1001-r1", 100_000)), 5).await;
    let err = store
        .update_order(o.number, o.version, &add(refund("1001-r2", 29_751)), at(6))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict { .. }), "got {err:?}");
    assert_eq!(store.order(o.number).await.unwrap(), o);
    // A failed refund gives its amount back.
    let o = updated(store, &o, &settle("1001-r1", RefundStatus::Failed, None), 7).await;
    assert_eq!(o.refunds[0].failure.as_deref(), Some("bank declined"));
    assert_eq!(o.payment_status, PaymentStatus::Paid);
    updated(store, &o, &add(refund("1001-r2", 129_750)), 8).await;
}

/// Two refunds asked for at once from the same version: one is stored, the
/// other is a conflict; never more than was paid.
pub async fn case_concurrent_refunds_refund_once(store: &dyn Store) {
    let order = paid_order(store, "919800000083").await;
    let first = add(refund("1001-r1", 100_000));
    let second = add(refund("1001-r1", 100_000));
    let results = join_all(vec![
        store.update_order(order.number, order.version, &first, at(5)),
        store.update_order(order.number, order.version, &second, at(5)),
    ])
    .await;
    assert_eq!(
        results.iter().filter(|r| r.is_ok()).count(),
        1,
        "{results:?}"
    );
    let stored = store.order(order.number).await.unwrap();
    assert_eq!(stored.refunds.len(), 1);
}

/// A settled refund keeps its outcome: a late or repeated event does not
/// undo it.
pub async fn case_a_settled_refund_stays_settled(store: &dyn Store) {
    let order = paid_order(store, "919800000084").await;
    let o = updated(store, &order, &add(refund("1001-r1", 129_750)), 5).await;
    let settling = settle("1001-r1", RefundStatus::Processed, Some("re_1"));
    let o = updated(store, &o, &settling, 6).await;
    let again = updated(store, &o, &settle("re_1", RefundStatus::Failed, None), 7).await;
    assert_eq!(again.refunds[0].status, RefundStatus::Processed);
    assert_eq!(again.payment_status, PaymentStatus::Refunded);
}

/// The money received follows the order's `paid` payment events (also one
/// flagged for review), and bounds its refunds, whatever its total now.
pub async fn case_refunds_are_bounded_by_the_money_received(store: &dyn Store) {
    let placed = create_order(store, cart("Asha", "919800000089", at(0))).await;
    assert_eq!(placed.received_minor, 0);
    let total = placed.total_minor;
    let paid_event = |amount_minor: i64, status: &str| orderdesk_domain::LedgerEntry {
        order_number: placed.number,
        kind: orderdesk_domain::LedgerKind::Paid,
        status: status.to_owned(),
        amount_minor,
        currency: placed.currency,
        method: Some(PaymentMethod::Razorpay),
        provider_ref: Some(format!("pay_{status}")),
        detail: None,
        at: at(1),
    };
    let pay = OrderUpdate {
        payment_status: Some(PaymentStatus::Paid),
        ledger: vec![paid_event(total, "paid")],
        ..OrderUpdate::default()
    };
    let o = updated(store, &placed, &pay, 1).await;
    assert_eq!(o.received_minor, total);
    // A second payment arrived, flagged: it may go back too.
    let again = OrderUpdate {
        payment_review: Some(Some("a second payment".to_owned())),
        ledger: vec![paid_event(100, orderdesk_domain::ledger::REVIEW)],
        ..OrderUpdate::default()
    };
    let o = updated(store, &o, &again, 2).await;
    assert_eq!(o.received_minor, total + 100);
    assert_eq!(store.order(o.number).await.unwrap(), o, "read back exactly");
    let too_much = add(refund(&format!("{}-r1", o.number), total + 101));
    assert!(matches!(
        store
            .update_order(o.number, o.version, &too_much, at(3))
            .await,
        Err(StoreError::Conflict { .. })
    ));
    let all = add(refund(&format!("{}-r1", o.number), total + 100));
    let o = updated(store, &o, &all, 3).await;
    let done = settle(
        &format!("{}-r1", o.number),
        RefundStatus::Processed,
        Some("rfnd_1"),
    );
    let o = updated(store, &o, &done, 4).await;
    assert_eq!(o.payment_status, PaymentStatus::Refunded);
    assert_eq!(o.refunded_minor, total + 100);
}
