//! The payments ledger and its per-day summary, for closing the day:
//! what was collected, what went back, what cash is still to collect.
//!
//! The ledger has one entry per payment event (paid, failed, expired,
//! refund), written with the order change it records. Days are UTC days.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::{Currency, Order, OrderNumber, OrderStatus, PaymentMethod, PaymentStatus, Timestamp};

/// What happened to the money.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LedgerKind {
    /// Money arrived (a provider's payment, or staff recording cash/UPI).
    Paid,
    /// A payment attempt failed.
    Failed,
    /// A refund settled: `status` says `processed` or `failed`.
    Refund,
}

impl LedgerKind {
    pub const ALL: [LedgerKind; 3] = [Self::Paid, Self::Failed, Self::Refund];

    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Paid => "paid",
            Self::Failed => "failed",
            Self::Refund => "refund",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// One payment event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct LedgerEntry {
    pub order_number: OrderNumber,
    pub kind: LedgerKind,
    /// `paid`, `failed`, or a refund's `processed` / `failed`.
    pub status: String,
    pub amount_minor: i64,
    #[schema(value_type = String, example = "INR")]
    pub currency: Currency,
    pub method: Option<PaymentMethod>,
    /// The provider's id (`pay_…`, `rfnd_…`, `re_…`) or staff's reference.
    pub provider_ref: Option<String>,
    pub detail: Option<String>,
    #[schema(value_type = String, format = DateTime)]
    pub at: Timestamp,
}

/// One day's totals in one currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DaySummary {
    #[schema(value_type = String, format = Date)]
    pub day: NaiveDate,
    #[schema(value_type = String, example = "INR")]
    pub currency: Currency,
    pub collected_minor: i64,
    pub refunded_minor: i64,
    /// Cash on delivery of that day's orders not yet recorded as received.
    pub cod_to_collect_minor: i64,
    /// Collected less refunded.
    pub net_minor: i64,
}

/// The setting: how many days after delivery cash on delivery not yet
/// recorded as received stands at the top of the payments page.
pub const COD_OVERDUE_DAYS: &str = "ORDERDESK_COD_OVERDUE_DAYS";
/// [`COD_OVERDUE_DAYS`] when unset.
pub const COD_OVERDUE_DAYS_DEFAULT: i64 = 7;

/// A [`COD_OVERDUE_DAYS`] value: a whole number of days from 1 to 365.
pub fn parse_overdue_days(raw: &str) -> Option<i64> {
    raw.trim()
        .parse::<i64>()
        .ok()
        .filter(|d| (1..=365).contains(d))
}

/// The status of a `paid` event whose money arrived but was not believed
/// (an amount other than the order's, or a second payment of a paid
/// order): it counts as collected, and the order is flagged for review.
pub const REVIEW: &str = "review";

/// What staff marking an order of `total_minor` paid add to the money
/// received: the total less what already arrived for it and was flagged
/// ([`REVIEW`]) in the same currency, never below zero, so the money is
/// not counted twice.
pub fn left_to_receive(total_minor: i64, currency: Currency, entries: &[LedgerEntry]) -> i64 {
    let flagged: i64 = entries
        .iter()
        .filter(|e| e.kind == LedgerKind::Paid && e.status == REVIEW && e.currency == currency)
        .map(|e| e.amount_minor)
        .sum();
    (total_minor - flagged).max(0)
}

/// Whether `order` is cash on delivery still to collect: COD, not paid,
/// and not ended without a delivery.
pub fn cod_to_collect(order: &Order) -> bool {
    order.payment_method == Some(PaymentMethod::Cod)
        && order.payment_status == PaymentStatus::Pending
        && !matches!(
            order.status,
            OrderStatus::Cancelled
                | OrderStatus::Rejected
                | OrderStatus::Abandoned
                | OrderStatus::Archived
                | OrderStatus::Returned
        )
}

/// Cash on delivery still to collect of the orders placed on one UTC day,
/// in one currency (the store sums every such order).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodDay {
    pub day: NaiveDate,
    pub currency: Currency,
    pub amount_minor: i64,
}

/// The per-day summary of `entries` and of the cash on delivery still to
/// collect (`cod`, by the day the orders were placed), newest day first.
pub fn daily_summary(entries: &[LedgerEntry], cod: &[CodDay]) -> Vec<DaySummary> {
    let mut days: BTreeMap<(NaiveDate, String), DaySummary> = BTreeMap::new();
    for e in entries {
        let d = days
            .entry((e.at.date_naive(), e.currency.as_str().to_owned()))
            .or_insert_with(|| empty(e.at.date_naive(), e.currency));
        match (e.kind, e.status.as_str()) {
            (LedgerKind::Paid, _) => d.collected_minor += e.amount_minor,
            (LedgerKind::Refund, "processed") => d.refunded_minor += e.amount_minor,
            _ => {}
        }
    }
    for c in cod {
        let d = days
            .entry((c.day, c.currency.as_str().to_owned()))
            .or_insert_with(|| empty(c.day, c.currency));
        d.cod_to_collect_minor += c.amount_minor;
    }
    let mut out: Vec<DaySummary> = days
        .into_values()
        .map(|mut d| {
            d.net_minor = d.collected_minor - d.refunded_minor;
            d
        })
        .collect();
    out.reverse();
    out
}

fn empty(day: NaiveDate, currency: Currency) -> DaySummary {
    DaySummary {
        day,
        currency,
        collected_minor: 0,
        refunded_minor: 0,
        cod_to_collect_minor: 0,
        net_minor: 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Customer, NewOrder};

    fn at(day: u32, hour: u32) -> Timestamp {
        chrono::NaiveDate::from_ymd_opt(2026, 12, day)
            .and_then(|d| d.and_hms_opt(hour, 0, 0))
            .map(|t| t.and_utc())
            .unwrap()
    }

    fn entry(kind: LedgerKind, status: &str, amount: i64, when: Timestamp) -> LedgerEntry {
        LedgerEntry {
            order_number: OrderNumber::FIRST,
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

    fn cod(total: i64, when: Timestamp, status: OrderStatus) -> Order {
        let new = NewOrder {
            customer: Customer::default(),
            items: vec![],
            currency: Currency::parse("INR").unwrap(),
            total_minor: total,
            cart_text: None,
            created_at: when,
        };
        let mut o = new.placed(OrderNumber::FIRST, when);
        o.payment_method = Some(PaymentMethod::Cod);
        o.status = status;
        o
    }

    #[test]
    fn cash_is_to_collect_until_recorded_unless_the_order_ended_undelivered() {
        assert!(cod_to_collect(&cod(
            30_000,
            at(7, 10),
            OrderStatus::Delivered
        )));
        assert!(cod_to_collect(&cod(
            30_000,
            at(7, 10),
            OrderStatus::Shipped
        )));
        assert!(!cod_to_collect(&cod(
            30_000,
            at(7, 10),
            OrderStatus::Cancelled
        )));
        let mut recorded = cod(30_000, at(7, 10), OrderStatus::Delivered);
        recorded.payment_status = PaymentStatus::Paid;
        assert!(!cod_to_collect(&recorded));
    }

    #[test]
    fn marking_paid_adds_only_what_did_not_arrive_flagged() {
        let inr = Currency::parse("INR").unwrap();
        let short = entry(LedgerKind::Paid, REVIEW, 100, at(6, 9));
        let failed = entry(LedgerKind::Failed, "failed", 49_900, at(6, 8));
        let believed = entry(LedgerKind::Paid, "paid", 700, at(6, 7));
        assert_eq!(left_to_receive(49_900, inr, &[]), 49_900);
        assert_eq!(
            left_to_receive(49_900, inr, &[short.clone(), failed, believed]),
            49_800
        );
        let mut over = short.clone();
        over.amount_minor = 60_000;
        assert_eq!(left_to_receive(49_900, inr, &[over]), 0);
        let mut dollars = short;
        dollars.currency = Currency::parse("USD").unwrap();
        assert_eq!(left_to_receive(49_900, inr, &[dollars]), 49_900);
    }

    #[test]
    fn overdue_days_are_a_whole_number_from_1_to_365() {
        assert_eq!(parse_overdue_days("7"), Some(7));
        assert_eq!(parse_overdue_days(" 1 "), Some(1));
        assert_eq!(parse_overdue_days("365"), Some(365));
        for bad in ["0", "-3", "366", "7d", "1.5", "", "week"] {
            assert_eq!(parse_overdue_days(bad), None, "{bad}");
        }
    }

    #[test]
    fn each_day_sums_collected_refunded_cod_and_net_newest_first() {
        let entries = [
            entry(LedgerKind::Paid, "paid", 49_900, at(6, 9)),
            entry(LedgerKind::Paid, "paid", 10_000, at(6, 23)),
            entry(LedgerKind::Failed, "failed", 49_900, at(6, 10)),
            entry(LedgerKind::Refund, "processed", 20_000, at(7, 8)),
            entry(LedgerKind::Refund, "failed", 5_000, at(7, 9)),
        ];
        let cod_open = [CodDay {
            day: at(7, 10).date_naive(),
            currency: Currency::parse("INR").unwrap(),
            amount_minor: 30_000,
        }];
        let days = daily_summary(&entries, &cod_open);
        assert_eq!(days.len(), 2);
        assert_eq!(days[0].day.to_string(), "2026-12-07");
        assert_eq!(days[0].refunded_minor, 20_000);
        assert_eq!(days[0].cod_to_collect_minor, 30_000);
        assert_eq!(days[0].net_minor, -20_000);
        assert_eq!(days[1].collected_minor, 59_900);
        assert_eq!(days[1].net_minor, 59_900);
    }
}
