//! Conformance cases for the insights' daily rollups: a scripted set of
//! orders through every step (abandonment and return, a failed payment and
//! its retry, cash on delivery, cancellation, refund, a return) around an
//! India midnight gives exactly the expected figures, and a rebuild from
//! the stored history gives the same rows as the live write path.

use std::collections::BTreeMap;

use chrono::{NaiveDate, TimeZone, Utc};
use orderdesk_domain::stats::{report, StatsQuery, StatsReport};
use orderdesk_domain::{LedgerEntry, LedgerKind};

use super::*;

const IST: &str = "Asia/Kolkata";

/// 6 Dec 2026 at `h:m` UTC; India's 7 Dec begins at 18:30 UTC.
fn dec6(h: u32, m: u32) -> Timestamp {
    Utc.with_ymd_and_hms(2026, 12, 6, h, m, 0).unwrap()
}

fn dec7(h: u32, m: u32) -> Timestamp {
    Utc.with_ymd_and_hms(2026, 12, 7, h, m, 0).unwrap()
}

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn ledger(
    number: OrderNumber,
    kind: LedgerKind,
    status: &str,
    amount: i64,
    when: Timestamp,
) -> LedgerEntry {
    LedgerEntry {
        order_number: number,
        kind,
        status: status.to_owned(),
        amount_minor: amount,
        currency: Currency::parse("INR").unwrap(),
        method: Some(PaymentMethod::Razorpay),
        provider_ref: None,
        detail: None,
        at: when,
    }
}

async fn update(store: &dyn Store, order: &Order, update: OrderUpdate, when: Timestamp) -> Order {
    store
        .update_order(order.number, order.version, &update, when)
        .await
        .unwrap_or_else(|e| panic!("updating {}: {e}", order.number))
}

async fn address(store: &dyn Store, order: &Order, when: Timestamp) -> Order {
    let u = OrderUpdate {
        address: Some(Address::default()),
        timeline: vec![TimelineEntry::new(
            when,
            TimelineKind::AddressSet,
            &Actor::Customer,
        )],
        ..OrderUpdate::default()
    };
    update(store, order, u, when).await
}

async fn pay(store: &dyn Store, order: &Order, kind: LedgerKind, when: Timestamp) -> Order {
    let (status, word) = match kind {
        LedgerKind::Paid => (PaymentStatus::Paid, "paid"),
        _ => (PaymentStatus::Failed, "failed"),
    };
    let u = OrderUpdate {
        payment_status: Some(status),
        payment_method: Some(PaymentMethod::Razorpay),
        ledger: vec![ledger(order.number, kind, word, order.total_minor, when)],
        ..OrderUpdate::default()
    };
    update(store, order, u, when).await
}

async fn go(
    store: &dyn Store,
    order: &Order,
    to: OrderStatus,
    actor: Actor,
    reason: Option<&str>,
    when: Timestamp,
) -> Order {
    move_order(store, order, plan(order, to, actor, reason), when).await
}

/// The script: four orders by three customers, around India's midnight
/// between 6 and 7 December (18:30 UTC).
async fn script(store: &dyn Store) {
    // A (Asha): cart and address on the 6th (IST), paid and confirmed just
    // after midnight, shipped an hour after confirming, delivered on the
    // 7th, then returned damaged.
    let a = create_order(store, cart("Asha", "919800000201", dec6(18, 0))).await;
    let a = address(store, &a, dec6(18, 10)).await;
    let a = pay(store, &a, LedgerKind::Paid, dec6(18, 40)).await;
    let a = go(
        store,
        &a,
        OrderStatus::Confirmed,
        Actor::Bot,
        None,
        dec6(18, 41),
    )
    .await;
    let a = go(store, &a, OrderStatus::Approved, staff(), None, dec6(19, 0)).await;
    let a = go(
        store,
        &a,
        OrderStatus::Processed,
        staff(),
        None,
        dec6(19, 20),
    )
    .await;
    let a = go(store, &a, OrderStatus::Shipped, staff(), None, dec6(19, 41)).await;
    let a = go(
        store,
        &a,
        OrderStatus::Delivered,
        staff(),
        None,
        dec7(12, 0),
    )
    .await;
    go(
        store,
        &a,
        OrderStatus::Returned,
        staff(),
        Some("damaged"),
        dec7(13, 0),
    )
    .await;
    // B (Ravi): a failed payment after midnight, paid on retry, confirmed,
    // cancelled, part refunded.
    let b = create_order(store, cart("Ravi", "919800000202", dec6(18, 20))).await;
    let b = address(store, &b, dec6(18, 25)).await;
    let b = pay(store, &b, LedgerKind::Failed, dec6(18, 35)).await;
    let b = pay(store, &b, LedgerKind::Paid, dec6(19, 0)).await;
    let b = go(
        store,
        &b,
        OrderStatus::Confirmed,
        Actor::Bot,
        None,
        dec6(19, 1),
    )
    .await;
    let b = go(
        store,
        &b,
        OrderStatus::Cancelled,
        staff(),
        Some("changed mind"),
        dec6(20, 0),
    )
    .await;
    let refund = OrderUpdate {
        ledger: vec![ledger(
            b.number,
            LedgerKind::Refund,
            "processed",
            50_000,
            dec6(20, 5),
        )],
        note: Some("refund".to_owned()),
        ..OrderUpdate::default()
    };
    update(store, &b, refund, dec6(20, 5)).await;
    // C (Mira): abandons, comes back later.
    let c = create_order(store, cart("Mira", "919800000203", dec6(18, 45))).await;
    let c = go(
        store,
        &c,
        OrderStatus::Abandoned,
        Actor::System,
        None,
        dec6(19, 45),
    )
    .await;
    go(
        store,
        &c,
        OrderStatus::Placed,
        Actor::Customer,
        None,
        dec6(20, 30),
    )
    .await;
    // D (Asha again): cash on delivery, confirmed 5 minutes after the cart.
    let d = create_order(store, cart("Asha", "919800000201", dec6(19, 30))).await;
    let d = address(store, &d, dec6(19, 32)).await;
    let cod = OrderUpdate {
        payment_method: Some(PaymentMethod::Cod),
        ..OrderUpdate::default()
    };
    let d = update(store, &d, cod, dec6(19, 34)).await;
    go(
        store,
        &d,
        OrderStatus::Confirmed,
        Actor::Bot,
        None,
        dec6(19, 35),
    )
    .await;
}

async fn report_of(store: &dyn Store, from: &str, to: &str, bucket: &str) -> StatsReport {
    let q = StatsQuery::parse(Some(from), Some(to), Some(bucket), day(to)).unwrap();
    let totals: BTreeMap<String, i64> = store
        .stat_totals(q.from, q.to)
        .await
        .unwrap()
        .into_iter()
        .collect();
    let prev = q.previous();
    let previous: BTreeMap<String, i64> = store
        .stat_totals(prev.from, prev.to)
        .await
        .unwrap()
        .into_iter()
        .collect();
    let first = q.bucket_starts()[0];
    let days = store
        .stat_days(first, q.to, &orderdesk_domain::stats::report::SERIES)
        .await
        .unwrap();
    report(&q, IST, &totals, &days, &previous, &BTreeMap::new())
}

/// Every figure of the script, by India's days.
pub async fn case_stats_count_every_step_by_the_business_day(store: &dyn Store) {
    assert_eq!(
        store.stats_zone().await.unwrap(),
        None,
        "no zone before the first rebuild"
    );
    store.rebuild_stats(IST).await.unwrap();
    assert_eq!(store.stats_zone().await.unwrap().as_deref(), Some(IST));
    script(store).await;

    let r = report_of(store, "2026-12-06", "2026-12-07", "day").await;
    assert_eq!(
        (r.orders, r.revenue_minor, r.refunded_minor),
        (4, 2 * 129_750 - 50_000, 50_000)
    );
    assert_eq!(r.average_order_minor, (2 * 129_750 - 50_000) / 2);
    assert_eq!(r.currency.as_deref(), Some("INR"));
    let buckets: Vec<_> = r
        .by_bucket
        .iter()
        .map(|b| (b.start, b.orders, b.revenue_minor, b.customers))
        .collect();
    assert_eq!(
        buckets,
        vec![
            (day("2026-12-06"), 2, 0, 2),
            (day("2026-12-07"), 2, 2 * 129_750 - 50_000, 2),
        ],
        "A and B came on the 6th in India; everything after 18:30 UTC is the 7th"
    );
    let funnel: Vec<_> = r
        .funnel
        .steps
        .iter()
        .map(|s| (s.step.as_str(), s.count))
        .collect();
    assert_eq!(
        funnel,
        vec![
            ("carts", 4),
            ("address", 3),
            ("paid", 3),
            ("confirmed", 3),
            ("delivered", 1)
        ]
    );
    assert_eq!((r.funnel.abandoned, r.funnel.came_back), (1, 1));
    assert_eq!(r.payment_mix.prepaid.len(), 1);
    assert_eq!(
        (
            r.payment_mix.prepaid[0].provider.as_str(),
            r.payment_mix.prepaid[0].orders,
            r.payment_mix.prepaid[0].amount_minor
        ),
        ("razorpay", 2, 2 * 129_750)
    );
    assert_eq!(
        (
            r.payment_mix.cash_on_delivery,
            r.payment_mix.failed,
            r.payment_mix.retries
        ),
        (1, 1, 1)
    );
    let stages: Vec<_> = r
        .stage_times
        .iter()
        .map(|s| (s.stage.as_str(), s.count, s.median_seconds, s.p90_seconds))
        .collect();
    assert_eq!(
        stages,
        vec![
            // 41, 41 and 5 minutes: buckets [30 min, 1 h) twice and [5, 15 min).
            ("placed_confirmed", 3, Some(2_700), Some(3_600)),
            ("confirmed_shipped", 1, Some(7_200), Some(7_200)),
            ("shipped_delivered", 1, Some(86_400), Some(86_400)),
        ]
    );
    assert_eq!(
        (r.repeat_customers.orders, r.repeat_customers.share),
        (1, 0.25)
    );
    assert_eq!(r.cancellations.count, 1);
    assert_eq!(r.cancellations.reasons[0].reason, "changed mind");
    assert_eq!(
        (r.returns.count, r.returns.reasons[0].reason.as_str()),
        (1, "damaged")
    );
    assert_eq!(r.top_products[0].product_id, "tee-black-m");
    assert_eq!(
        (r.top_products[0].quantity, r.top_products[0].revenue_minor),
        (8, 8 * 49_900)
    );

    // The 6th alone in India: only the two carts and their addresses.
    let sixth = report_of(store, "2026-12-06", "2026-12-06", "day").await;
    assert_eq!(
        (
            sixth.orders,
            sixth.revenue_minor,
            sixth.funnel.steps[1].count
        ),
        (2, 0, 2)
    );
    assert_eq!(sixth.funnel.steps[2].count, 0);
    // India's 7 December 2026 is a Monday: the two days fall in two ISO
    // weeks, each with two customers; the month has three distinct ones.
    let week = report_of(store, "2026-12-01", "2026-12-07", "week").await;
    let weeks: Vec<_> = week
        .by_bucket
        .iter()
        .map(|b| (b.start, b.orders, b.customers))
        .collect();
    assert_eq!(
        weeks,
        vec![(day("2026-11-30"), 2, 2), (day("2026-12-07"), 2, 2)]
    );
    let month = report_of(store, "2026-12-01", "2026-12-31", "month").await;
    let months: Vec<_> = month
        .by_bucket
        .iter()
        .map(|b| (b.start, b.orders, b.customers))
        .collect();
    assert_eq!(months, vec![(day("2026-12-01"), 4, 3)]);
    // The next week compares with this one.
    let next = report_of(store, "2026-12-08", "2026-12-14", "week").await;
    assert_eq!(
        (
            next.orders,
            next.previous.orders,
            next.previous.revenue_minor
        ),
        (0, 4, 2 * 129_750 - 50_000)
    );
}

async fn every_row(store: &dyn Store) -> (Vec<(String, i64)>, Vec<(NaiveDate, String, i64)>) {
    let (from, to) = (day("2026-11-01"), day("2027-01-31"));
    let mut totals = store.stat_totals(from, to).await.unwrap();
    totals.sort();
    let mut days = store
        .stat_days(from, to, &orderdesk_domain::stats::report::SERIES)
        .await
        .unwrap();
    days.sort();
    (totals, days)
}

/// A rebuild from scratch equals what the write path kept live; a
/// rebuild in another zone moves the day boundary.
pub async fn case_stats_rebuilt_from_history_equal_the_live_ones(store: &dyn Store) {
    store.rebuild_stats(IST).await.unwrap();
    script(store).await;
    let live = every_row(store).await;
    assert!(!live.0.is_empty());
    store.rebuild_stats(IST).await.unwrap();
    assert_eq!(every_row(store).await, live, "rebuilt == live");

    store.rebuild_stats("UTC").await.unwrap();
    assert_eq!(store.stats_zone().await.unwrap().as_deref(), Some("UTC"));
    let carts = store
        .stat_days(day("2026-12-06"), day("2026-12-07"), &["carts"])
        .await
        .unwrap();
    assert_eq!(
        carts,
        vec![(day("2026-12-06"), "carts".to_owned(), 4)],
        "all four carts are the 6th in UTC"
    );
    // Live counting goes on in the new zone.
    create_order(store, cart("Dev", "919800000204", dec7(23, 0))).await;
    let carts = store
        .stat_days(day("2026-12-07"), day("2026-12-07"), &["carts"])
        .await
        .unwrap();
    assert_eq!(carts, vec![(day("2026-12-07"), "carts".to_owned(), 1)]);
}

/// Before the first rebuild nothing is counted live; that rebuild counts
/// the history (an upgraded installation's orders).
pub async fn case_stats_before_the_first_rebuild_are_counted_by_it(store: &dyn Store) {
    create_order(store, cart("Asha", "919800000205", dec6(10, 0))).await;
    assert!(store
        .stat_totals(day("2026-12-01"), day("2026-12-31"))
        .await
        .unwrap()
        .is_empty());
    store.rebuild_stats(IST).await.unwrap();
    let totals: BTreeMap<String, i64> = store
        .stat_totals(day("2026-12-01"), day("2026-12-31"))
        .await
        .unwrap()
        .into_iter()
        .collect();
    assert_eq!(totals.get("carts"), Some(&1));
    assert_eq!(totals.get("customers_d"), Some(&1));
}

/// Every counter of `from..=to`, summed from the day rows one by one.
async fn summed_days(
    store: &dyn Store,
    from: &str,
    to: &str,
    metrics: &[&str],
) -> Vec<(String, i64)> {
    let mut sums: BTreeMap<String, i64> = BTreeMap::new();
    for (_, metric, value) in store.stat_days(day(from), day(to), metrics).await.unwrap() {
        *sums.entry(metric).or_default() += value;
    }
    sums.into_iter().filter(|(_, v)| *v != 0).collect()
}

/// A range's totals read whole months at once and only its edge months day
/// by day: whichever way a range cuts the months, live and after a rebuild,
/// they equal its days added up.
pub async fn case_stats_totals_across_months_equal_their_days(store: &dyn Store) {
    store.rebuild_stats("UTC").await.unwrap();
    let at = |y: i32, m: u32, d: u32, h: u32| Utc.with_ymd_and_hms(y, m, d, h, 0, 0).unwrap();
    let times = [
        at(2026, 10, 31, 12),
        at(2026, 11, 1, 0),
        at(2026, 11, 15, 9),
        at(2026, 11, 30, 23),
        at(2026, 12, 1, 10),
        at(2026, 12, 7, 8),
        at(2027, 1, 1, 0),
    ];
    for (i, when) in times.into_iter().enumerate() {
        let o = create_order(store, cart("Asha", &format!("91980000030{i}"), when)).await;
        pay(store, &o, LedgerKind::Paid, when).await;
    }
    let all = store
        .stat_totals(day("2026-01-01"), day("2027-12-31"))
        .await
        .unwrap();
    let metrics: Vec<&str> = all.iter().map(|(m, _)| m.as_str()).collect();
    assert!(metrics.contains(&"carts") && metrics.contains(&"pq:tee-black-m"));
    // (from, to, carts): whole months, cut months, one day, across years.
    let ranges = [
        ("2026-11-01", "2026-11-30", 3),
        ("2026-11-02", "2026-11-30", 2),
        ("2026-11-01", "2026-11-29", 2),
        ("2026-10-31", "2026-12-01", 5),
        ("2026-11-01", "2026-12-31", 5),
        ("2026-10-01", "2027-01-31", 7),
        ("2026-11-15", "2026-11-15", 1),
        ("2026-12-02", "2027-01-01", 2),
    ];
    for rebuilt in [false, true] {
        if rebuilt {
            store.rebuild_stats("UTC").await.unwrap();
        }
        for (from, to, carts) in ranges {
            let mut totals = store.stat_totals(day(from), day(to)).await.unwrap();
            totals.retain(|(_, v)| *v != 0);
            totals.sort();
            let by_day = summed_days(store, from, to, &metrics).await;
            assert_eq!(totals, by_day, "{from}..{to} (rebuilt: {rebuilt})");
            let got = totals.iter().find(|(m, _)| m == "carts").map(|(_, v)| *v);
            assert_eq!(got, Some(carts), "carts of {from}..{to}");
        }
    }
}
