//! Conformance cases for customers (issue #16, item 6): one per phone
//! number with what their orders add up to, found by name or any spelling
//! of the phone, and blocked or unblocked by staff.

use super::*;
use crate::CustomerQuery;

fn query(q: Option<&str>) -> CustomerQuery {
    CustomerQuery {
        q: q.map(str::to_owned),
        limit: 50,
        offset: 0,
    }
}

async fn phones(store: &dyn Store, q: Option<&str>) -> Vec<String> {
    store
        .customers(&query(q))
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.wa_id)
        .collect()
}

/// Asha's two orders (one paid, then partly refunded) and Ravi's one.
pub async fn case_customers_sum_their_orders(store: &dyn Store) {
    let orders = create_orders(
        store,
        vec![
            cart("Asha Rao", "919988776655", at(0)),
            cart("Ravi", "14155550123", at(1)),
            cart("Asha Rao", "919988776655", at(2)),
        ],
    )
    .await;
    let paid = store
        .update_order(
            orders[0].number,
            orders[0].version,
            &OrderUpdate {
                payment_status: Some(PaymentStatus::Paid),
                payment_method: Some(PaymentMethod::Razorpay),
                ..OrderUpdate::default()
            },
            at(3),
        )
        .await
        .unwrap();
    assert_eq!(paid.total_minor, 129_750);

    let all = store.customers(&query(None)).await.unwrap();
    assert_eq!(all.len(), 2, "one customer per phone: {all:?}");
    let asha = store
        .customer_summary("919988776655")
        .await
        .unwrap()
        .expect("Asha is known");
    assert_eq!(asha.name.as_deref(), Some("Asha Rao"));
    assert_eq!(asha.orders_count, 2);
    assert_eq!(
        asha.total_spent_minor, 129_750,
        "only the paid order counts"
    );
    assert_eq!(asha.currency.as_deref(), Some("INR"));
    assert_eq!(asha.first_order_at, Some(micros(at(0))));
    assert_eq!(asha.last_order_at, Some(micros(at(2))));
    assert_eq!(asha.blocked_at, None);
    assert!(all.contains(&asha), "the list shows the same figures");
    let ravi = all.iter().find(|c| c.wa_id == "14155550123").unwrap();
    assert_eq!((ravi.orders_count, ravi.total_spent_minor), (1, 0));

    let theirs: Vec<i64> = store
        .customer_orders("919988776655", 10)
        .await
        .unwrap()
        .iter()
        .map(|o| o.number.get())
        .collect();
    assert_eq!(theirs, vec![orders[2].number.get(), orders[0].number.get()]);
    assert_eq!(store.customer_summary("910000000000").await.unwrap(), None);
    assert!(store
        .customer_orders("910000000000", 10)
        .await
        .unwrap()
        .is_empty());
}

/// Every usual spelling of a phone number, and part of a name in any
/// case, finds the customer; nothing else does.
pub async fn case_customers_found_by_name_or_any_phone_spelling(store: &dyn Store) {
    create_orders(
        store,
        vec![
            cart("Asha Rao", "919988776655", at(0)),
            cart("Ravi", "14155550123", at(1)),
        ],
    )
    .await;
    let asha = vec!["919988776655".to_owned()];
    for q in [
        "+91 99887 76655",
        "09988776655",
        "9988776655",
        "asha",
        "RAO",
        "76655",
    ] {
        assert_eq!(phones(store, Some(q)).await, asha, "{q}");
    }
    assert!(phones(store, Some("nobody")).await.is_empty());
    assert!(
        phones(store, Some("100%")).await.is_empty(),
        "% is a character"
    );
    let page = store
        .customers(&CustomerQuery {
            q: None,
            limit: 1,
            offset: 1,
        })
        .await
        .unwrap();
    assert_eq!(page.len(), 1, "the second page has the other customer");
}

/// Blocking marks the customer (first time and who kept), covers their
/// keys, and unblocking clears it; an unknown number changes nothing.
pub async fn case_customers_blocked_and_unblocked(store: &dyn Store) {
    create_order(store, cart("Asha Rao", "919988776655", at(0))).await;
    create_order(store, cart("Ravi", "14155550123", at(1))).await;
    let keys = vec!["919988776655".to_owned(), "14155550123".to_owned()];
    assert!(store.blocked_customers(&keys).await.unwrap().is_empty());

    assert!(matches!(
        store
            .set_customer_blocked("910000000000", Some((at(5), "asha@shop.test".into())))
            .await,
        Err(StoreError::NotFound)
    ));
    assert!(store
        .blocked_customers(&["910000000000".to_owned()])
        .await
        .unwrap()
        .is_empty());

    store
        .set_customer_blocked("919988776655", Some((at(5), "asha@shop.test".into())))
        .await
        .unwrap();
    store
        .set_customer_blocked("919988776655", Some((at(9), "ravi@shop.test".into())))
        .await
        .unwrap();
    let c = store
        .customer_summary("919988776655")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(c.blocked_at, Some(micros(at(5))), "the first block stands");
    assert_eq!(c.blocked_by.as_deref(), Some("asha@shop.test"));
    assert_eq!(
        store.blocked_customers(&keys).await.unwrap(),
        vec!["919988776655".to_owned()]
    );
    let listed = phones(store, None).await;
    assert_eq!(listed.len(), 2, "a blocked customer is still listed");

    store
        .set_customer_blocked("919988776655", None)
        .await
        .unwrap();
    let c = store
        .customer_summary("919988776655")
        .await
        .unwrap()
        .unwrap();
    assert_eq!((c.blocked_at, c.blocked_by), (None, None));
    assert!(store.blocked_customers(&keys).await.unwrap().is_empty());
}
