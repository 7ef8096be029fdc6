//! Conformance cases for what invoices print beyond the order: products'
//! tax details (HSN code, own rate), and the invoice number of an order
//! that is paid the moment it is created.

use super::*;
use crate::ProductTax;

fn tax(id: &str, hsn: &str, rate_bp: Option<i64>) -> ProductTax {
    ProductTax {
        retailer_id: id.to_owned(),
        hsn: hsn.to_owned(),
        rate_bp,
    }
}

/// Tax details set by the import are read back (only products that have
/// some), survive a feed sync (which does not carry them), and clear.
pub async fn case_product_taxes_kept_across_syncs(store: &dyn Store) {
    let tea = product("tea", "Masala chai 250 g", 24_950);
    let mug = product("mug", "Mug", 29_950);
    store
        .upsert_products(&[tea.clone(), mug.clone()])
        .await
        .unwrap();
    assert_eq!(store.product_taxes().await.unwrap(), vec![]);

    let set = vec![tax("mug", "6912", None), tax("tea", "0902", Some(500))];
    store.set_product_taxes(&set).await.unwrap();
    assert_eq!(store.product_taxes().await.unwrap(), set);

    store.upsert_products(&[tea, mug]).await.unwrap();
    assert_eq!(
        store.product_taxes().await.unwrap(),
        set,
        "a sync keeps them"
    );

    store
        .set_product_taxes(&[tax("mug", "", None), tax("tea", "", Some(0))])
        .await
        .unwrap();
    assert_eq!(
        store.product_taxes().await.unwrap(),
        vec![tax("tea", "", Some(0))],
        "a 0 % rate is the product's own, not the default"
    );
}

/// Tax details for a product that does not exist change nothing, not even
/// the products named before it.
pub async fn case_product_taxes_for_an_unknown_product(store: &dyn Store) {
    store
        .upsert_products(&[product("tea", "Masala chai 250 g", 24_950)])
        .await
        .unwrap();
    let err = store
        .set_product_taxes(&[tax("tea", "0902", Some(500)), tax("nope", "1", None)])
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound), "{err:?}");
    assert_eq!(store.product_taxes().await.unwrap(), vec![]);
}

/// An order staff create already paid (a walk-in who paid at the counter)
/// gets its invoice number in the creating transaction, the next of the
/// series.
pub async fn case_an_order_created_paid_gets_its_invoice_number(store: &dyn Store) {
    let update = OrderUpdate {
        payment_status: Some(PaymentStatus::Paid),
        payment_method: Some(PaymentMethod::Manual),
        ..OrderUpdate::default()
    };
    let first = store
        .create_staff_order(&cart("Asha", "919800000093", at(0)), &staff(), &update, &[])
        .await
        .unwrap();
    assert_eq!(first.payment_status, PaymentStatus::Paid);
    assert_eq!(first.invoice_number.as_deref(), Some("INV-2026-00001"));
    assert_eq!(store.order(first.number).await.unwrap(), first);

    let unpaid = store
        .create_staff_order(
            &cart("Ravi", "919800000094", at(1)),
            &staff(),
            &OrderUpdate::default(),
            &[],
        )
        .await
        .unwrap();
    assert_eq!(unpaid.invoice_number, None);
    let second = store
        .create_staff_order(&cart("Mia", "919800000095", at(2)), &staff(), &update, &[])
        .await
        .unwrap();
    assert_eq!(second.invoice_number.as_deref(), Some("INV-2026-00002"));
}

/// One order's payment events come back alone, oldest first (what dates
/// its invoice), and an order without any has none.
pub async fn case_one_orders_payment_events(store: &dyn Store) {
    use orderdesk_domain::{LedgerEntry, LedgerKind};
    let a = create_order(store, cart("Asha", "919800000096", at(0))).await;
    let b = create_order(store, cart("Ravi", "919800000097", at(1))).await;
    let entry = |number: OrderNumber, kind: LedgerKind, secs: i64| LedgerEntry {
        order_number: number,
        kind,
        status: kind.as_str().to_owned(),
        amount_minor: 100,
        currency: Currency::parse("INR").unwrap(),
        method: Some(PaymentMethod::Razorpay),
        provider_ref: Some(format!("pay_{secs}")),
        detail: None,
        at: at(secs),
    };
    let failed_then_paid = OrderUpdate {
        payment_status: Some(PaymentStatus::Paid),
        ledger: vec![
            entry(a.number, LedgerKind::Paid, 20),
            entry(a.number, LedgerKind::Failed, 10),
        ],
        ..OrderUpdate::default()
    };
    store
        .update_order(a.number, a.version, &failed_then_paid, at(20))
        .await
        .unwrap();
    let events = store.order_payment_events(a.number).await.unwrap();
    let kinds: Vec<(LedgerKind, Timestamp)> = events.iter().map(|e| (e.kind, e.at)).collect();
    assert_eq!(
        kinds,
        vec![
            (LedgerKind::Failed, micros(at(10))),
            (LedgerKind::Paid, micros(at(20)))
        ]
    );
    assert!(store
        .order_payment_events(b.number)
        .await
        .unwrap()
        .is_empty());
}
