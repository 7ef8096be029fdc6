//! Conformance cases for the order list: order, paging, filters, search,
//! date range and per-status counts.

use super::*;

pub async fn case_list_newest_first(store: &dyn Store) {
    let orders = create_many(store, 5).await;
    assert_eq!(
        list(store, query(50)).await,
        (vec![1005, 1004, 1003, 1002, 1001], None)
    );
    assert_eq!(list(store, query(2)).await, (vec![1005, 1004], Some(1004)));
    // Exactly `limit` left: no next page to ask for.
    assert_eq!(
        list(store, query(5)).await,
        (vec![1005, 1004, 1003, 1002, 1001], None)
    );
    let page = store.list_orders(&query(1)).await.unwrap();
    assert_eq!(page.orders, vec![orders[4].clone()]);
}

pub async fn case_list_paging(store: &dyn Store) {
    create_many(store, 25).await;
    let mut seen = Vec::new();
    let (page, next) = list(store, query(10)).await;
    assert_eq!(next, Some(1016));
    seen.extend(page);

    // New orders arrive between pages; they belong to the top, not to the
    // pages still to come.
    create_many(store, 5).await;
    let (page, next) = list(
        store,
        OrderQuery {
            before: next.map(n),
            ..query(10)
        },
    )
    .await;
    assert_eq!(next, Some(1006));
    seen.extend(page);

    create_many(store, 3).await;
    let (page, next) = list(
        store,
        OrderQuery {
            before: next.map(n),
            ..query(10)
        },
    )
    .await;
    assert_eq!(next, None);
    seen.extend(page);

    assert_eq!(seen, (1001..=1025).rev().collect::<Vec<_>>());
}

pub async fn case_list_filters(store: &dyn Store) {
    let orders = create_many(store, 6).await;
    let bot = |o: &Order| plan(o, OrderStatus::Confirmed, Actor::Bot, None);
    move_order(store, &orders[1], bot(&orders[1]), at(100)).await;
    move_order(store, &orders[3], bot(&orders[3]), at(101)).await;
    let cancel = plan(
        &orders[4],
        OrderStatus::Cancelled,
        staff(),
        Some("customer changed their mind"),
    );
    move_order(store, &orders[4], cancel, at(102)).await;

    let by_status = |status, limit| OrderQuery {
        status: Some(status),
        ..query(limit)
    };
    assert_eq!(
        list(store, by_status(OrderStatus::Placed, 50)).await,
        (vec![1006, 1003, 1001], None)
    );
    assert_eq!(
        list(store, by_status(OrderStatus::Confirmed, 50)).await,
        (vec![1004, 1002], None)
    );
    assert_eq!(
        list(store, by_status(OrderStatus::Cancelled, 50)).await,
        (vec![1005], None)
    );
    assert_eq!(
        list(store, by_status(OrderStatus::Shipped, 50)).await,
        (vec![], None)
    );
    // Paging within a filter.
    assert_eq!(
        list(store, by_status(OrderStatus::Confirmed, 1)).await,
        (vec![1004], Some(1004))
    );
    assert_eq!(
        list(
            store,
            OrderQuery {
                before: Some(n(1004)),
                ..by_status(OrderStatus::Confirmed, 1)
            }
        )
        .await,
        (vec![1002], None)
    );

    let by_payment = |payment| OrderQuery {
        payment: Some(payment),
        ..query(50)
    };
    assert_eq!(
        list(store, by_payment(PaymentStatus::Pending))
            .await
            .0
            .len(),
        6
    );
    assert_eq!(
        list(store, by_payment(PaymentStatus::Paid)).await,
        (vec![], None)
    );
    assert_eq!(
        list(
            store,
            OrderQuery {
                status: Some(OrderStatus::Confirmed),
                payment: Some(PaymentStatus::Pending),
                ..query(50)
            }
        )
        .await,
        (vec![1004, 1002], None)
    );
    assert_eq!(
        list(
            store,
            OrderQuery {
                status: Some(OrderStatus::Confirmed),
                payment: Some(PaymentStatus::Paid),
                ..query(50)
            }
        )
        .await,
        (vec![], None)
    );
}

pub async fn case_list_search(store: &dyn Store) {
    let customer = |name: Option<&str>, wa_id: Option<&str>, user_id: Option<&str>| Customer {
        wa_id: wa_id.map(str::to_owned),
        user_id: user_id.map(str::to_owned),
        name: name.map(str::to_owned),
    };
    let customers = [
        customer(Some("Asha Rao"), Some("919800000001"), None),
        customer(Some("Ravi Kumar"), None, Some("US.ravi.42")),
        customer(Some("ASHOK Mehta"), Some("447700900123"), Some("US.ashok")),
        customer(Some("100% Cotton_Co"), Some("15550009999"), None),
        customer(None, Some("919812345678"), None),
        customer(Some("Zoë Ōkubo"), None, Some("JP.7")),
    ];
    let carts = customers
        .iter()
        .enumerate()
        .map(|(i, c)| NewOrder {
            customer: c.clone(),
            ..cart("", "", at(i64::try_from(i).unwrap()))
        })
        .collect();
    let orders = create_orders(store, carts).await;

    let found = |q: &'static str| async move { list(store, search(q)).await.0 };
    assert_eq!(found("1003").await, vec![1003], "number, exactly");
    assert_eq!(found("ash").await, vec![1003, 1001], "name, any case");
    assert_eq!(found("RAO").await, vec![1001]);
    // ASCII letters match in any case; other letters as written (SQLite's
    // lower() folds ASCII only).
    assert_eq!(found("zOë Ō").await, vec![1006], "non-ASCII names");
    assert_eq!(found("9198").await, vec![1005, 1001], "wa_id substring");
    assert_eq!(found("ravi.4").await, vec![1002], "user_id substring");
    assert_eq!(found("US.ashok").await, vec![1003], "user_id");
    assert_eq!(found("%").await, vec![1004], "% is literal");
    assert_eq!(found("_").await, vec![1004], "_ is literal");
    assert_eq!(found("nobody").await, Vec::<i64>::new());

    // Combined with a stage, a cursor and a limit.
    let confirm = plan(&orders[2], OrderStatus::Confirmed, Actor::Bot, None);
    move_order(store, &orders[2], confirm, at(50)).await;
    let ash = |status, before, limit| OrderQuery {
        status,
        before,
        ..OrderQuery {
            limit,
            ..search("ash")
        }
    };
    assert_eq!(
        list(store, ash(Some(OrderStatus::Confirmed), None, 50)).await,
        (vec![1003], None)
    );
    assert_eq!(
        list(store, ash(Some(OrderStatus::Placed), None, 50)).await,
        (vec![1001], None)
    );
    assert_eq!(
        list(store, ash(None, None, 1)).await,
        (vec![1003], Some(1003))
    );
    assert_eq!(
        list(store, ash(None, Some(n(1003)), 1)).await,
        (vec![1001], None)
    );
    assert_eq!(
        list(
            store,
            OrderQuery {
                status: Some(OrderStatus::Placed),
                ..search("1003")
            }
        )
        .await,
        (vec![], None)
    );
}

pub async fn case_status_counts(store: &dyn Store) {
    let orders = create_many(store, 3).await;
    assert_eq!(count_of(store, OrderStatus::Placed).await, 3);

    let confirmed = move_order(
        store,
        &orders[0],
        plan(&orders[0], OrderStatus::Confirmed, Actor::Bot, None),
        at(10),
    )
    .await;
    let held = move_order(
        store,
        &confirmed,
        plan(
            &confirmed,
            OrderStatus::OnHold,
            staff(),
            Some("stock check"),
        ),
        at(11),
    )
    .await;
    move_order(
        store,
        &orders[1],
        plan(
            &orders[1],
            OrderStatus::Cancelled,
            staff(),
            Some("duplicate"),
        ),
        at(12),
    )
    .await;
    // A refused change moves no counts.
    let stale = store
        .change_status(
            held.number,
            confirmed.version,
            &plan(&held, OrderStatus::Confirmed, staff(), None),
            at(13),
        )
        .await;
    assert!(matches!(stale, Err(StoreError::Conflict { .. })));

    let counts: HashMap<OrderStatus, i64> =
        store.status_counts().await.unwrap().into_iter().collect();
    assert_eq!(counts.len(), OrderStatus::ALL.len());
    for status in OrderStatus::ALL {
        let expected = match status {
            OrderStatus::Placed | OrderStatus::OnHold | OrderStatus::Cancelled => 1,
            _ => 0,
        };
        assert_eq!(counts[&status], expected, "{status}");
    }

    move_order(
        store,
        &held,
        plan(&held, OrderStatus::Confirmed, staff(), None),
        at(14),
    )
    .await;
    assert_eq!(count_of(store, OrderStatus::OnHold).await, 0);
    assert_eq!(count_of(store, OrderStatus::Confirmed).await, 1);
}

pub async fn case_list_date_range(store: &dyn Store) {
    // Created one second apart: at(0) .. at(4).
    create_many(store, 5).await;
    let (found, _) = list(
        store,
        OrderQuery {
            created_from: Some(at(1)),
            created_before: Some(at(3)),
            ..query(50)
        },
    )
    .await;
    assert_eq!(found, vec![1003, 1002]);
    let (found, _) = list(
        store,
        OrderQuery {
            created_from: Some(at(3)),
            ..query(50)
        },
    )
    .await;
    assert_eq!(found, vec![1005, 1004]);
    let (found, _) = list(
        store,
        OrderQuery {
            created_before: Some(at(1)),
            ..query(50)
        },
    )
    .await;
    assert_eq!(found, vec![1001]);
}
