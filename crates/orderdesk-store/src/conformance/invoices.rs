//! Conformance cases for invoice and credit note numbers: issued with the
//! payment (or refund) that earns them, gapless per series and year.

use orderdesk_domain::{Refund, RefundStatus};

use super::*;
use crate::RefundChange;

fn paid(method: PaymentMethod) -> OrderUpdate {
    OrderUpdate {
        payment_status: Some(PaymentStatus::Paid),
        payment_method: Some(method),
        ..OrderUpdate::default()
    }
}

async fn pay(store: &dyn Store, order: &Order, secs: i64) -> Order {
    updated(store, order, &paid(PaymentMethod::Razorpay), secs).await
}

/// An order has no invoice number until it is paid; then the next one in
/// the series, kept by later updates and read back as written.
pub async fn case_a_paid_order_gets_the_next_invoice_number(store: &dyn Store) {
    let first = create_order(store, cart("Asha", "919800000091", at(0))).await;
    let second = create_order(store, cart("Ravi", "919800000092", at(0))).await;
    assert_eq!(first.invoice_number, None, "a cart has no invoice");
    let note = OrderUpdate {
        note: Some("ring twice".to_owned()),
        ..OrderUpdate::default()
    };
    let noted = updated(store, &first, &note, 1).await;
    assert_eq!(noted.invoice_number, None, "unpaid stays without one");

    let first = pay(store, &noted, 2).await;
    let second = pay(store, &second, 3).await;
    assert_eq!(first.invoice_number.as_deref(), Some("INV-2026-00001"));
    assert_eq!(second.invoice_number.as_deref(), Some("INV-2026-00002"));

    let again = updated(store, &first, &note, 4).await;
    assert_eq!(again.invoice_number.as_deref(), Some("INV-2026-00001"));
    let stored = store.order(first.number).await.unwrap();
    assert_eq!(stored.invoice_number.as_deref(), Some("INV-2026-00001"));
}

/// Cash on delivery: no invoice while the cash is due, one once it is
/// recorded as received.
pub async fn case_cash_on_delivery_is_invoiced_when_the_cash_is_recorded(store: &dyn Store) {
    let order = create_order(store, cart("Asha", "919800000093", at(0))).await;
    let cod = OrderUpdate {
        payment_method: Some(PaymentMethod::Cod),
        ..OrderUpdate::default()
    };
    let due = updated(store, &order, &cod, 1).await;
    assert_eq!(due.payment_status, PaymentStatus::Pending);
    assert_eq!(due.invoice_number, None);
    let received = updated(store, &due, &paid(PaymentMethod::Cod), 2).await;
    assert_eq!(received.invoice_number.as_deref(), Some("INV-2026-00001"));
}

/// Orders paid at the same moment each get their own number, and together
/// they fill the series from 1 with no gap.
pub async fn case_concurrent_payments_never_share_or_skip_a_number(store: &dyn Store) {
    let carts = (0..8)
        .map(|i| cart("Asha", &format!("91980000010{i}"), at(0)))
        .collect();
    let orders = create_orders(store, carts).await;
    let paying = paid(PaymentMethod::Razorpay);
    let results = join_all(
        orders
            .iter()
            .map(|o| store.update_order(o.number, o.version, &paying, at(5)))
            .collect(),
    )
    .await;
    let mut numbers: Vec<String> = results
        .into_iter()
        .map(|r| r.unwrap().invoice_number.unwrap())
        .collect();
    numbers.sort();
    let expected: Vec<String> = (1..=8).map(|n| format!("INV-2026-0000{n}")).collect();
    assert_eq!(numbers, expected);
}

/// Each year's series counts from 1 again.
pub async fn case_each_year_counts_invoices_from_one(store: &dyn Store) {
    let orders = create_orders(
        store,
        vec![
            cart("Asha", "919800000111", at(0)),
            cart("Ravi", "919800000112", at(0)),
        ],
    )
    .await;
    let this_year = pay(store, &orders[0], 1).await;
    let next_year = pay(store, &orders[1], 366 * 86_400).await;
    assert_eq!(this_year.invoice_number.as_deref(), Some("INV-2026-00001"));
    assert_eq!(next_year.invoice_number.as_deref(), Some("INV-2027-00001"));
}

fn refund_update(change: RefundChange) -> OrderUpdate {
    OrderUpdate {
        refund: Some(change),
        ..OrderUpdate::default()
    }
}

/// A refund gets a credit note number in its own series when its money
/// goes back (not while pending); the invoice keeps its number.
pub async fn case_a_processed_refund_gets_a_credit_note_number(store: &dyn Store) {
    let order = create_order(store, cart("Asha", "919800000113", at(0))).await;
    let order = pay(store, &order, 1).await;
    let asked = Refund {
        id: "1001-r1".to_owned(),
        amount_minor: 30_000,
        status: RefundStatus::Pending,
        provider_ref: None,
        reason: "damaged".to_owned(),
        at: at(5),
        by: "owner@shop.test".to_owned(),
        failure: None,
        credit_note: None,
    };
    let o = updated(store, &order, &refund_update(RefundChange::Add(asked)), 5).await;
    assert_eq!(o.refunds[0].credit_note, None, "pending has no credit note");
    let settle = RefundChange::Settle {
        key: "1001-r1".to_owned(),
        status: RefundStatus::Processed,
        provider_ref: Some("rfnd_1".to_owned()),
        failure: None,
    };
    let o = updated(store, &o, &refund_update(settle), 6).await;
    assert_eq!(o.refunds[0].credit_note.as_deref(), Some("CN-2026-00001"));
    assert_eq!(o.invoice_number.as_deref(), Some("INV-2026-00001"));
    let stored = store.order(o.number).await.unwrap();
    assert_eq!(
        stored.refunds[0].credit_note.as_deref(),
        Some("CN-2026-00001")
    );
}

/// Prefixes from the settings apply to numbers issued afterwards; a number
/// already issued keeps the prefix it had.
pub async fn case_new_prefixes_apply_to_later_numbers(store: &dyn Store) {
    let orders = create_orders(
        store,
        vec![
            cart("Asha", "919800000114", at(0)),
            cart("Ravi", "919800000115", at(0)),
        ],
    )
    .await;
    let before = pay(store, &orders[0], 1).await;
    store
        .set_document_prefixes("ACME/", "ACME-CN/")
        .await
        .unwrap();
    let after = pay(store, &orders[1], 2).await;
    assert_eq!(before.invoice_number.as_deref(), Some("INV-2026-00001"));
    assert_eq!(after.invoice_number.as_deref(), Some("ACME/2026-00002"));
    let stored = store.order(before.number).await.unwrap();
    assert_eq!(stored.invoice_number.as_deref(), Some("INV-2026-00001"));
}
