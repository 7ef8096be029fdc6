//! Conformance cases for the payments ledger: entries written with their
//! order update, read back by period; the orders whose payment needs a
//! person.

use orderdesk_domain::{LedgerEntry, LedgerKind};

use super::*;

fn paid_entry(number: OrderNumber, amount_minor: i64, when: Timestamp) -> LedgerEntry {
    LedgerEntry {
        order_number: number,
        kind: LedgerKind::Paid,
        status: "paid".to_owned(),
        amount_minor,
        currency: Currency::parse("INR").unwrap(),
        method: Some(PaymentMethod::Razorpay),
        provider_ref: Some("pay_29QQoUBi66xm2f".to_owned()),
        detail: Some("payment_link.paid".to_owned()),
        at: when,
    }
}

/// Entries go in with their update and come back by period, oldest first,
/// every field intact; an update that conflicts writes none.
pub async fn case_payment_events_are_read_back_by_period(store: &dyn Store) {
    let a = create_order(store, cart("Asha", "919800000091", at(0))).await;
    let b = create_order(store, cart("Ravi", "919800000092", at(1))).await;
    for (order, when) in [(&b, at(3_600)), (&a, at(10))] {
        let update = OrderUpdate {
            payment_status: Some(PaymentStatus::Paid),
            ledger: vec![paid_entry(order.number, order.total_minor, when)],
            ..OrderUpdate::default()
        };
        store
            .update_order(order.number, order.version, &update, when)
            .await
            .unwrap();
    }
    let stale = OrderUpdate {
        ledger: vec![paid_entry(a.number, 1, at(20))],
        note: Some("x".to_owned()),
        ..OrderUpdate::default()
    };
    assert!(store
        .update_order(a.number, 1, &stale, at(20))
        .await
        .is_err());

    let all = store.payment_events(at(0), at(7_200)).await.unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(all[0], paid_entry(a.number, a.total_minor, micros(at(10))));
    assert_eq!(all[1].order_number, b.number);
    let early = store.payment_events(at(0), at(3_600)).await.unwrap();
    assert_eq!(early.len(), 1, "the end of a period is exclusive");
}

/// `o` taken from Placed to Delivered, delivered at `when`.
async fn deliver(store: &dyn Store, mut o: Order, when: Timestamp) -> Order {
    let path = [
        (OrderStatus::Confirmed, Actor::Bot),
        (OrderStatus::Approved, staff()),
        (OrderStatus::Processed, staff()),
        (OrderStatus::Shipped, staff()),
    ];
    for (to, actor) in path {
        o = move_order(store, &o, plan(&o, to, actor, None), at(10)).await;
    }
    move_order(
        store,
        &o,
        plan(&o, OrderStatus::Delivered, staff(), None),
        when,
    )
    .await
}

/// `o` made cash on delivery.
async fn cash(store: &dyn Store, o: &Order) -> Order {
    let cash = OrderUpdate {
        payment_method: Some(PaymentMethod::Cod),
        ..OrderUpdate::default()
    };
    store
        .update_order(o.number, o.version, &cash, at(5))
        .await
        .unwrap()
}

/// Flagged payments and cash on delivery delivered before the cut-off and
/// not recorded need a person; cash delivered later, not yet delivered,
/// or of a cancelled order does not, nor does a paid order.
pub async fn case_payment_attention_lists_flagged_and_uncollected_cash(store: &dyn Store) {
    let flagged = create_order(store, cart("Asha", "919800000093", at(0))).await;
    let cod = create_order(store, cart("Ravi", "919800000094", at(1))).await;
    let cancelled_cod = create_order(store, cart("Mira", "919800000095", at(2))).await;
    create_order(store, cart("Dev", "919800000096", at(3))).await;
    let recent = create_order(store, cart("Lata", "919800000099", at(4))).await;
    let open_cod = create_order(store, cart("Om", "919800000100", at(4))).await;
    let flag = OrderUpdate {
        payment_review: Some(Some("paid 1.00 INR".to_owned())),
        ..OrderUpdate::default()
    };
    store
        .update_order(flagged.number, flagged.version, &flag, at(5))
        .await
        .unwrap();
    let cod = deliver(store, cash(store, &cod).await, at(100)).await;
    deliver(store, cash(store, &recent).await, at(300)).await;
    cash(store, &open_cod).await;
    let c = cash(store, &cancelled_cod).await;
    move_order(
        store,
        &c,
        plan(&c, OrderStatus::Cancelled, staff(), Some("changed mind")),
        at(6),
    )
    .await;
    // A later change does not move the day of delivery.
    let note = OrderUpdate {
        note: Some("will pay Monday".to_owned()),
        ..OrderUpdate::default()
    };
    store
        .update_order(cod.number, cod.version, &note, at(9_000))
        .await
        .unwrap();
    let page = store.payment_attention(at(200), 50).await.unwrap();
    let numbers: Vec<OrderNumber> = page.orders.iter().map(|o| o.number).collect();
    assert_eq!(numbers, vec![flagged.number, cod.number]);
    assert_eq!(page.total, 2);
}

/// The list stops at its limit, oldest first; the count does not.
pub async fn case_payment_attention_is_bounded_and_counts_them_all(store: &dyn Store) {
    let mut flagged = Vec::new();
    for i in 0..5 {
        let o = create_order(store, cart("Asha", &format!("91980000011{i}"), at(i))).await;
        let flag = OrderUpdate {
            payment_review: Some(Some("second payment".to_owned())),
            ..OrderUpdate::default()
        };
        store
            .update_order(o.number, o.version, &flag, at(10))
            .await
            .unwrap();
        flagged.push(o.number);
    }
    let page = store.payment_attention(at(0), 2).await.unwrap();
    let numbers: Vec<OrderNumber> = page.orders.iter().map(|o| o.number).collect();
    assert_eq!(numbers, flagged[..2]);
    assert_eq!(page.total, 5);
    let all = store.payment_attention(at(0), 5).await.unwrap();
    assert_eq!((all.orders.len(), all.total), (5, 5));
}

/// Cash still to collect is summed over every open cash order placed in
/// the period, per UTC day placed and currency: not paid, cancelled or
/// non-cash orders, nor those placed outside the period.
pub async fn case_cod_to_collect_sums_every_open_cash_order_per_day(store: &dyn Store) {
    let day = 86_400;
    let mut usd = cart("Ann", "919800000121", at(day + 60));
    usd.currency = Currency::parse("USD").unwrap();
    let carts = vec![
        cart("Asha", "919800000122", at(10)),
        cart("Ravi", "919800000123", at(20)),
        cart("Mira", "919800000124", at(30)),
        cart("Dev", "919800000125", at(40)),
        cart("Lata", "919800000126", at(day + 50)),
        usd,
        cart("Om", "919800000127", at(3 * day)),
    ];
    let orders = create_orders(store, carts).await;
    let mut cod = Vec::new();
    for o in &orders {
        cod.push(cash(store, o).await);
    }
    // One paid (cash recorded), one cancelled, one not cash at all.
    let recorded = OrderUpdate {
        payment_status: Some(PaymentStatus::Paid),
        ..OrderUpdate::default()
    };
    store
        .update_order(cod[1].number, cod[1].version, &recorded, at(100))
        .await
        .unwrap();
    let c = &cod[2];
    move_order(
        store,
        c,
        plan(c, OrderStatus::Cancelled, staff(), Some("no")),
        at(100),
    )
    .await;
    let online = OrderUpdate {
        payment_method: Some(PaymentMethod::Razorpay),
        ..OrderUpdate::default()
    };
    store
        .update_order(cod[3].number, cod[3].version, &online, at(100))
        .await
        .unwrap();

    let sums = store.cod_to_collect(at(0), at(2 * day)).await.unwrap();
    let total = orders[0].total_minor;
    let first = at(0).date_naive();
    let second = at(day).date_naive();
    let inr = Currency::parse("INR").unwrap();
    let seen: Vec<(chrono::NaiveDate, &str, i64)> = sums
        .iter()
        .map(|c| (c.day, c.currency.as_str(), c.amount_minor))
        .collect();
    assert_eq!(
        seen,
        vec![
            (first, inr.as_str(), total),
            (second, "INR", total),
            (second, "USD", total),
        ]
    );
}

/// The move to Delivered stamps `delivered_at`; later changes (a note, a
/// return) keep it, so "days since delivery" does not restart.
pub async fn case_delivered_at_is_kept_from_the_move_to_delivered(store: &dyn Store) {
    let o = create_order(store, cart("Asha", "919800000097", at(0))).await;
    assert_eq!(o.delivered_at, None);
    let mut o = deliver(store, o, at(100)).await;
    assert_eq!(o.delivered_at, Some(micros(at(100))));
    let note = OrderUpdate {
        note: Some("left with the neighbour".to_owned()),
        ..OrderUpdate::default()
    };
    o = store
        .update_order(o.number, o.version, &note, at(5_000))
        .await
        .unwrap();
    assert_eq!(o.updated_at, micros(at(5_000)));
    assert_eq!(o.delivered_at, Some(micros(at(100))));
    o = move_order(
        store,
        &o,
        plan(&o, OrderStatus::Returned, staff(), None),
        at(6_000),
    )
    .await;
    assert_eq!(
        store.order(o.number).await.unwrap().delivered_at,
        Some(micros(at(100)))
    );
}

/// Money that arrived flagged for review (`status` `review`) is revenue
/// but does not pay the order: the order counts as paid once, when staff
/// settle it, live exactly as a rebuild from the ledger counts it.
pub async fn case_flagged_money_is_revenue_and_the_order_is_paid_once(store: &dyn Store) {
    store.rebuild_stats("UTC").await.unwrap();
    let day = at(0).date_naive();
    let totals = || async {
        let mut t: Vec<(String, i64)> = store
            .stat_totals(day, day)
            .await
            .unwrap()
            .into_iter()
            .filter(|(m, n)| {
                *n != 0 && ["revenue_minor", "paid_orders", "funnel_paid"].contains(&m.as_str())
            })
            .collect();
        t.sort();
        t
    };
    let mut o = create_order(store, cart("Asha", "919800000098", at(0))).await;
    let mut flagged = paid_entry(o.number, 100, at(10));
    flagged.status = orderdesk_domain::ledger::REVIEW.to_owned();
    let mut settled = paid_entry(o.number, o.total_minor - 100, at(20));
    settled.provider_ref = Some("UPI ref 4312".to_owned());
    let after_flagged = vec![("revenue_minor".to_owned(), 100)];
    let after_settled = vec![
        ("funnel_paid".to_owned(), 1),
        ("paid_orders".to_owned(), 1),
        ("revenue_minor".to_owned(), o.total_minor),
    ];
    for (entry, paid, expected) in [
        (flagged, None, after_flagged),
        (settled, Some(PaymentStatus::Paid), after_settled),
    ] {
        let update = OrderUpdate {
            payment_status: paid,
            note: Some("x".to_owned()),
            ledger: vec![entry],
            ..OrderUpdate::default()
        };
        o = store
            .update_order(o.number, o.version, &update, at(30))
            .await
            .unwrap();
        let live = totals().await;
        assert_eq!(live, expected);
        store.rebuild_stats("UTC").await.unwrap();
        assert_eq!(totals().await, live, "rebuilt == live");
    }
}
