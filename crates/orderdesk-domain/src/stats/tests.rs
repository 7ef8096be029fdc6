use std::collections::BTreeMap;

use chrono::{NaiveDate, TimeZone, Utc};

use super::facts::{self, names, Move};
use super::*;
use crate::{Currency, LedgerEntry, LedgerKind, OrderStatus, PaymentMethod};

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> crate::Timestamp {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap()
}

#[test]
fn a_local_day_follows_the_business_time_zone_across_midnight() {
    // 18:29 UTC is 23:59 in India; 18:30 UTC is already the next day there.
    assert_eq!(
        local_day(utc(2026, 12, 6, 18, 29), "Asia/Kolkata"),
        day("2026-12-06")
    );
    assert_eq!(
        local_day(utc(2026, 12, 6, 18, 30), "Asia/Kolkata"),
        day("2026-12-07")
    );
    assert_eq!(
        local_day(utc(2026, 12, 6, 18, 30), "UTC"),
        day("2026-12-06")
    );
    assert_eq!(
        local_day(utc(2026, 12, 7, 4, 0), "America/New_York"),
        day("2026-12-06")
    );
    assert_eq!(
        local_day(utc(2026, 12, 6, 18, 30), "Not/AZone"),
        day("2026-12-06")
    );
}

#[test]
fn a_query_defaults_to_the_last_30_days_by_day() {
    let q = StatsQuery::parse(None, None, None, day("2026-12-07")).unwrap();
    assert_eq!(
        (q.from, q.to, q.bucket),
        (day("2026-11-08"), day("2026-12-07"), Bucket::Day)
    );
    assert_eq!(q.days(), 30);
}

#[test]
fn every_bad_parameter_is_refused_naming_it() {
    let today = day("2026-12-07");
    let cases = [
        (Some("2026-13-01"), None, None, "from"),
        (Some("yesterday"), None, None, "from"),
        (None, Some("2026-02-30"), None, "to"),
        (Some("2026-12-08"), Some("2026-12-07"), None, "from"),
        (
            Some("2026-12-01"),
            Some("2026-12-07"),
            Some("year"),
            "bucket",
        ),
        (Some("2026-12-01"), Some("2026-12-07"), Some(""), "bucket"),
        (Some("2021-12-06"), Some("2026-12-07"), None, "from"),
    ];
    for (from, to, bucket, parameter) in cases {
        let err = StatsQuery::parse(from, to, bucket, today).unwrap_err();
        assert_eq!(
            err.parameter(),
            parameter,
            "{from:?} {to:?} {bucket:?}: {err}"
        );
        assert!(err.to_string().contains(parameter), "{err}");
    }
}

#[test]
fn five_years_exactly_is_allowed_and_one_day_more_is_not() {
    let today = day("2026-12-07");
    assert!(StatsQuery::parse(Some("2021-12-07"), Some("2026-12-07"), None, today).is_ok());
    let err = StatsQuery::parse(Some("2021-12-06"), Some("2026-12-07"), Some("month"), today)
        .unwrap_err();
    assert!(matches!(err, StatsQueryError::TooLong { .. }));
}

#[test]
fn buckets_start_on_the_day_the_monday_and_the_first() {
    let wed = day("2026-12-09");
    assert_eq!(Bucket::Day.start(wed), wed);
    assert_eq!(Bucket::Week.start(wed), day("2026-12-07"));
    assert_eq!(Bucket::Week.start(day("2026-12-13")), day("2026-12-07"));
    assert_eq!(Bucket::Month.start(wed), day("2026-12-01"));
    for b in Bucket::ALL {
        assert_eq!(Bucket::parse(b.as_str()), Some(b));
    }
}

#[test]
fn bucket_starts_cover_the_range_including_partial_ends() {
    let q = |from, to, bucket| StatsQuery {
        from: day(from),
        to: day(to),
        bucket,
    };
    assert_eq!(
        q("2026-11-30", "2026-12-02", Bucket::Day).bucket_starts(),
        vec![day("2026-11-30"), day("2026-12-01"), day("2026-12-02")]
    );
    assert_eq!(
        q("2026-12-02", "2026-12-14", Bucket::Week).bucket_starts(),
        vec![day("2026-11-30"), day("2026-12-07"), day("2026-12-14")]
    );
    assert_eq!(
        q("2026-01-31", "2026-03-01", Bucket::Month).bucket_starts(),
        vec![day("2026-01-01"), day("2026-02-01"), day("2026-03-01")]
    );
}

#[test]
fn the_previous_period_has_the_same_length_and_ends_the_day_before() {
    let q = StatsQuery::parse(
        Some("2026-12-01"),
        Some("2026-12-07"),
        None,
        day("2026-12-07"),
    )
    .unwrap();
    let p = q.previous();
    assert_eq!((p.from, p.to), (day("2026-11-24"), day("2026-11-30")));
}

#[test]
fn stage_buckets_split_at_their_bounds() {
    assert_eq!(stage_bucket(0), 0);
    assert_eq!(stage_bucket(59), 0);
    assert_eq!(stage_bucket(60), 1);
    assert_eq!(stage_bucket(3_599), 4);
    assert_eq!(stage_bucket(3_600), 5);
    assert_eq!(stage_bucket(30 * 86_400), STAGE_BOUNDS.len());
    assert_eq!(stage_bucket(i64::MAX), STAGE_BOUNDS.len());
}

#[test]
fn quantiles_come_from_the_bucket_holding_the_rank_interpolated() {
    let mut counts = vec![0; STAGE_BOUNDS.len() + 1];
    assert_eq!(quantile_seconds(&counts, 0.5), None);
    // Four times between 1 h and 2 h: the median is the 2nd, half-way.
    counts[5] = 4;
    assert_eq!(quantile_seconds(&counts, 0.5), Some(3_600 + 1_800));
    assert_eq!(quantile_seconds(&counts, 0.9), Some(7_200));
    // One more, slow, order over 30 days: p90 lands in the open bucket.
    counts[STAGE_BOUNDS.len()] = 1;
    assert_eq!(quantile_seconds(&counts, 0.9), Some(30 * 86_400));
    assert_eq!(quantile_seconds(&counts, 0.5), Some(3_600 + 2_700));
    // One order under a minute: its bucket's upper bound.
    let mut one = vec![0; 3];
    one[0] = 1;
    assert_eq!(quantile_seconds(&one, 0.5), Some(60));
}

fn order(items: &[(&str, i64, i64)]) -> crate::Order {
    let json = serde_json::json!({
        "number": 1001, "status": "placed", "held_from": null, "payment_status": "pending",
        "payment_method": null, "checkout_step": "awaiting_address",
        "customer": {"wa_id": "919800000001", "user_id": null, "name": "Asha"},
        "items": items.iter().map(|(id, q, p)| serde_json::json!({
            "retailer_id": id, "name": id, "quantity": q, "unit_price_minor": p})).collect::<Vec<_>>(),
        "currency": "INR", "total_minor": 0, "address": null, "note": null, "cart_text": null,
        "tracking": null, "created_at": "2026-12-06T18:00:00Z", "updated_at": "2026-12-06T18:00:00Z",
        "version": 1
    });
    serde_json::from_value(json).unwrap()
}

fn sum(facts: &[Fact]) -> BTreeMap<String, i64> {
    let mut t = BTreeMap::new();
    for f in facts {
        *t.entry(f.metric.clone()).or_default() += f.value;
    }
    t
}

#[test]
fn an_order_counts_a_cart_its_products_and_whether_it_repeats() {
    let o = order(&[("tee", 2, 49_900), ("cap", 1, 19_900)]);
    let first = sum(&facts::created(&o, false));
    assert_eq!(first["carts"], 1);
    assert_eq!(first.get("repeat_orders"), None);
    assert_eq!((first["pq:tee"], first["pr:tee"]), (2, 99_800));
    assert_eq!((first["pq:cap"], first["pr:cap"]), (1, 19_900));
    assert_eq!(sum(&facts::created(&o, true))["repeat_orders"], 1);
}

fn mv(from: OrderStatus, to: OrderStatus, first: bool, cod: bool) -> Move<'static> {
    Move {
        from,
        to,
        reason: Some("  out   of stock "),
        at: utc(2026, 12, 7, 10, 0),
        first,
        since: Some(utc(2026, 12, 7, 9, 0)),
        cod,
    }
}

#[test]
fn every_stage_move_moves_exactly_its_counters() {
    use OrderStatus::*;
    for from in OrderStatus::ALL {
        for to in OrderStatus::ALL {
            for first in [true, false] {
                for cod in [true, false] {
                    let t = sum(&facts::moved(&mv(from, to, first, cod)));
                    let mut want: BTreeMap<String, i64> = BTreeMap::new();
                    let mut add = |k: &str| *want.entry(k.to_owned()).or_default() += 1;
                    match to {
                        Confirmed if first => {
                            add("confirmed");
                            if cod {
                                add("funnel_paid");
                                add("cod_orders");
                            }
                        }
                        Delivered if first => add("delivered"),
                        Abandoned => add("abandoned"),
                        Placed if from == Abandoned => add("came_back"),
                        Cancelled => {
                            add("cancelled");
                            add("cancel_reason:out of stock");
                        }
                        Returned => {
                            add("returned");
                            add("return_reason:out of stock");
                        }
                        _ => {}
                    }
                    if first && matches!(to, Confirmed | Shipped | Delivered) {
                        let stage = facts::stage_ending_at(to).unwrap().0;
                        // One hour exactly: the bucket from 1 h to 2 h.
                        add(&format!("t:{stage}:5"));
                    }
                    assert_eq!(t, want, "{from:?} → {to:?} first={first} cod={cod}");
                }
            }
        }
    }
}

fn entry(kind: LedgerKind, status: &str, amount: i64, method: PaymentMethod) -> LedgerEntry {
    LedgerEntry {
        order_number: crate::OrderNumber::new(1001).unwrap(),
        kind,
        status: status.to_owned(),
        amount_minor: amount,
        currency: Currency::parse("INR").unwrap(),
        method: Some(method),
        provider_ref: None,
        detail: None,
        at: utc(2026, 12, 7, 10, 0),
    }
}

#[test]
fn payments_count_revenue_once_per_order_and_retries_after_a_failure() {
    let paid = entry(LedgerKind::Paid, "paid", 49_900, PaymentMethod::Razorpay);
    let t = sum(&facts::ledger(&paid, true, true));
    assert_eq!(t["revenue_minor"], 49_900);
    assert_eq!(t["paid_orders"], 1);
    assert_eq!(t["funnel_paid"], 1);
    assert_eq!(t["prepaid:razorpay"], 1);
    assert_eq!(t["prepaid_minor:razorpay"], 49_900);
    assert_eq!(t["payment_retries"], 1);
    assert_eq!(t["currency:INR"], 1);
    // A second payment of the same order adds money, not an order.
    let again = sum(&facts::ledger(&paid, false, true));
    assert_eq!(again["revenue_minor"], 49_900);
    assert_eq!(again.get("paid_orders"), None);
    assert_eq!(again.get("payment_retries"), None);
    // Cash received for a COD order is revenue, not a second funnel step.
    let cash = entry(LedgerKind::Paid, "paid", 10_000, PaymentMethod::Cod);
    let t = sum(&facts::ledger(&cash, true, false));
    assert_eq!((t["revenue_minor"], t["paid_orders"]), (10_000, 1));
    assert_eq!(t.get("funnel_paid"), None);
    assert_eq!(t.get("prepaid:cod"), None);
    let failed = entry(
        LedgerKind::Failed,
        "failed",
        49_900,
        PaymentMethod::Razorpay,
    );
    assert_eq!(
        sum(&facts::ledger(&failed, false, false)),
        sum(&[Fact {
            at: failed.at,
            metric: "payment_failed".into(),
            value: 1
        }])
    );
    let refund = entry(
        LedgerKind::Refund,
        "processed",
        9_900,
        PaymentMethod::Razorpay,
    );
    let t = sum(&facts::ledger(&refund, false, false));
    assert_eq!((t["revenue_minor"], t["refunded_minor"]), (-9_900, 9_900));
    let refused = entry(LedgerKind::Refund, "failed", 9_900, PaymentMethod::Razorpay);
    assert!(facts::ledger(&refused, false, false).is_empty());
}

#[test]
fn labels_are_trimmed_collapsed_and_bounded() {
    assert_eq!(facts::label(None), "none");
    assert_eq!(facts::label(Some("   ")), "none");
    assert_eq!(facts::label(Some(" a \n b ")), "a b");
    assert_eq!(facts::label(Some(&"x".repeat(500))).len(), facts::MAX_LABEL);
}

#[test]
fn a_customer_counts_once_in_its_day_week_and_month() {
    let p = facts::customer_periods(day("2026-12-09"));
    assert_eq!(
        p[0],
        (
            "d2026-12-09".to_owned(),
            day("2026-12-09"),
            names::CUSTOMERS_DAY
        )
    );
    assert_eq!(
        p[1],
        (
            "w2026-12-07".to_owned(),
            day("2026-12-07"),
            names::CUSTOMERS_WEEK
        )
    );
    assert_eq!(
        p[2],
        (
            "m2026-12-01".to_owned(),
            day("2026-12-01"),
            names::CUSTOMERS_MONTH
        )
    );
}

fn totals(pairs: &[(&str, i64)]) -> BTreeMap<String, i64> {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect()
}

#[test]
fn the_report_turns_counters_into_figures() {
    let q = StatsQuery::parse(
        Some("2026-12-02"),
        Some("2026-12-08"),
        Some("week"),
        day("2026-12-08"),
    )
    .unwrap();
    let t = totals(&[
        ("carts", 10),
        ("address", 8),
        ("funnel_paid", 6),
        ("confirmed", 6),
        ("delivered", 3),
        ("abandoned", 2),
        ("came_back", 1),
        ("revenue_minor", 90_000),
        ("paid_orders", 4),
        ("refunded_minor", 10_000),
        ("prepaid:razorpay", 3),
        ("prepaid_minor:razorpay", 75_000),
        ("prepaid:stripe", 1),
        ("prepaid_minor:stripe", 25_000),
        ("cod_orders", 2),
        ("payment_failed", 2),
        ("payment_retries", 1),
        ("repeat_orders", 3),
        ("cancelled", 2),
        ("cancel_reason:changed mind", 1),
        ("cancel_reason:none", 1),
        ("returned", 1),
        ("return_reason:damaged", 1),
        ("pq:tee", 4),
        ("pr:tee", 80_000),
        ("pq:cap", 9),
        ("pr:cap", 20_000),
        ("currency:INR", 4),
        ("t:placed_confirmed:5", 4),
    ]);
    let prev = totals(&[("carts", 5), ("revenue_minor", 30_000), ("paid_orders", 2)]);
    let days = vec![
        (day("2026-11-30"), "customers_w".to_owned(), 4),
        (day("2026-12-01"), "carts".to_owned(), 9), // before from: not counted
        (day("2026-12-02"), "carts".to_owned(), 3),
        (day("2026-12-02"), "customers_d".to_owned(), 3),
        (day("2026-12-07"), "carts".to_owned(), 7),
        (day("2026-12-07"), "revenue_minor".to_owned(), 90_000),
        (day("2026-12-07"), "customers_w".to_owned(), 5),
    ];
    let names = [("tee".to_owned(), "T-shirt".to_owned())].into();
    let r = report(&q, "Asia/Kolkata", &t, &days, &prev, &names);
    assert_eq!(
        (r.orders, r.revenue_minor, r.average_order_minor),
        (10, 90_000, 22_500)
    );
    assert_eq!(r.currency.as_deref(), Some("INR"));
    let b: Vec<_> = r
        .by_bucket
        .iter()
        .map(|b| (b.start, b.orders, b.revenue_minor, b.customers))
        .collect();
    assert_eq!(
        b,
        vec![
            (day("2026-11-30"), 3, 0, 4),
            (day("2026-12-07"), 7, 90_000, 5)
        ]
    );
    let f: Vec<_> = r
        .funnel
        .steps
        .iter()
        .map(|s| (s.step.as_str(), s.count, s.drop_off))
        .collect();
    assert_eq!(
        f,
        vec![
            ("carts", 10, 0),
            ("address", 8, 2),
            ("paid", 6, 2),
            ("confirmed", 6, 0),
            ("delivered", 3, 3)
        ]
    );
    assert_eq!(r.funnel.steps[1].drop_off_share, 0.2);
    assert_eq!((r.funnel.abandoned, r.funnel.came_back), (2, 1));
    assert_eq!(r.payment_mix.prepaid[0].provider, "razorpay");
    assert_eq!(r.payment_mix.prepaid[1].amount_minor, 25_000);
    assert_eq!(
        (
            r.payment_mix.cash_on_delivery,
            r.payment_mix.failed,
            r.payment_mix.retries
        ),
        (2, 2, 1)
    );
    assert_eq!(r.stage_times[0].count, 4);
    assert_eq!(r.stage_times[0].median_seconds, Some(5_400));
    assert_eq!(r.stage_times[1].median_seconds, None);
    assert_eq!(r.top_products[0].product_id, "tee");
    assert_eq!(r.top_products[0].name.as_deref(), Some("T-shirt"));
    assert_eq!(r.top_products[1].name, None);
    assert_eq!(
        (r.repeat_customers.orders, r.repeat_customers.share),
        (3, 0.3)
    );
    assert_eq!(r.cancellations.count, 2);
    assert_eq!(r.cancellations.reasons.len(), 2);
    assert_eq!(r.returns.reasons[0].reason, "damaged");
    assert_eq!(r.previous.from, day("2026-11-25"));
    assert_eq!(
        (r.previous.orders, r.previous.average_order_minor),
        (5, 15_000)
    );
}

#[test]
fn an_empty_range_reports_zeros_not_errors() {
    let q = StatsQuery::parse(None, None, Some("month"), day("2026-12-08")).unwrap();
    let empty = BTreeMap::new();
    let r = report(&q, "UTC", &empty, &[], &empty, &BTreeMap::new());
    assert_eq!(
        (r.orders, r.revenue_minor, r.average_order_minor),
        (0, 0, 0)
    );
    assert_eq!(r.by_bucket.len(), 2);
    assert!(r
        .funnel
        .steps
        .iter()
        .all(|s| s.count == 0 && s.drop_off_share == 0.0));
    assert_eq!(r.currency, None);
    assert_eq!(r.repeat_customers.share, 0.0);
}

#[test]
fn the_csv_has_a_row_for_every_figure_of_every_series() {
    let q = StatsQuery::parse(
        Some("2026-12-06"),
        Some("2026-12-07"),
        None,
        day("2026-12-07"),
    )
    .unwrap();
    let t = totals(&[
        ("carts", 3),
        ("revenue_minor", 500),
        ("paid_orders", 1),
        ("cancelled", 1),
        ("cancel_reason:late", 1),
    ]);
    let days = vec![(day("2026-12-07"), "carts".to_owned(), 3)];
    let r = report(&q, "UTC", &t, &days, &BTreeMap::new(), &BTreeMap::new());
    let rows = r.csv_rows();
    let has = |series: &str, key: &str, metric: &str, value: &str| {
        rows.iter()
            .any(|r| r == &[series, key, metric, value].map(str::to_owned))
    };
    assert!(has("total", "2026-12-06..2026-12-07", "orders", "3"));
    assert!(has("total", "2026-12-04..2026-12-05", "orders", "0"));
    assert!(has("by_bucket", "2026-12-07", "orders", "3"));
    assert!(has("by_bucket", "2026-12-06", "orders", "0"));
    assert!(has("funnel", "carts", "count", "3"));
    assert!(has("stage_times", "placed_confirmed", "median_seconds", ""));
    assert!(has("cancellations", "late", "count", "1"));
    assert!(rows.iter().all(|r| r.len() == report::CSV_HEADER.len()));
}

#[test]
fn a_checkout_completed_after_a_reminder_counts_as_recovered_and_ratings_average() {
    let confirmed = utc(2026, 12, 7, 12, 0);
    assert_eq!(facts::recovered(confirmed, None), vec![]);
    assert_eq!(
        facts::recovered(confirmed, Some(utc(2026, 12, 7, 13, 0))),
        vec![],
        "a reminder after the completion recovered nothing"
    );
    let got = sum(&facts::recovered(confirmed, Some(utc(2026, 12, 7, 11, 0))));
    assert_eq!(got, totals(&[(names::RECOVERED, 1)]));
    let mut rated = facts::rated(confirmed, 4);
    rated.extend(facts::rated(confirmed, 5));
    rated.extend(facts::rated(confirmed, 5));
    let t = sum(&rated);
    assert_eq!(t, totals(&[(names::RATINGS, 3), (names::RATING_SUM, 14)]));

    let q = StatsQuery::parse(
        Some("2026-12-07"),
        Some("2026-12-07"),
        None,
        day("2026-12-07"),
    )
    .unwrap();
    let mut t = t;
    t.insert(names::RECOVERED.to_owned(), 2);
    let r = report(&q, "UTC", &t, &[], &BTreeMap::new(), &BTreeMap::new());
    assert_eq!(r.funnel.recovered, 2);
    assert_eq!(
        (r.feedback.ratings, r.feedback.average_rating),
        (3, Some(4.67))
    );
    let rows = r.csv_rows();
    assert!(rows.contains(&["funnel", "recovered", "count", "2"].map(str::to_owned)));
    assert!(rows.contains(&["feedback", "average_rating", "value", "4.67"].map(str::to_owned)));
    let empty = report(
        &q,
        "UTC",
        &BTreeMap::new(),
        &[],
        &BTreeMap::new(),
        &BTreeMap::new(),
    );
    assert_eq!(
        (empty.feedback.ratings, empty.feedback.average_rating),
        (0, None)
    );
}
