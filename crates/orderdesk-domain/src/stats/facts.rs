//! Which counters a change moves. Each function takes what the write path
//! knows at that moment (and the few things it looks up: whether this is
//! the order's first time in a stage, when it entered the previous one)
//! and returns the facts to add; a rebuild calls the same functions over
//! the stored history.

use chrono::{Datelike, Duration, NaiveDate};

use crate::{LedgerEntry, LedgerKind, Order, OrderStatus, PaymentMethod, Timestamp};

use super::histogram::stage_bucket;

/// A counter's name: `carts`, `revenue_minor`, `cancel_reason:out of stock`…
pub type Metric = String;

/// One counter moved by `value`, on the local day of `at`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fact {
    pub at: Timestamp,
    pub metric: Metric,
    pub value: i64,
}

impl Fact {
    fn new(at: Timestamp, metric: impl Into<String>, value: i64) -> Self {
        Fact {
            at,
            metric: metric.into(),
            value,
        }
    }
}

/// Counter names the report reads.
pub mod names {
    pub const CARTS: &str = "carts";
    pub const REPEAT_ORDERS: &str = "repeat_orders";
    pub const ADDRESS: &str = "address";
    pub const FUNNEL_PAID: &str = "funnel_paid";
    pub const CONFIRMED: &str = "confirmed";
    pub const DELIVERED: &str = "delivered";
    pub const ABANDONED: &str = "abandoned";
    pub const CAME_BACK: &str = "came_back";
    /// Checkouts completed after a cart-recovery message.
    pub const RECOVERED: &str = "recovered";
    /// Ratings given after delivery, and their sum (for the average).
    pub const RATINGS: &str = "ratings";
    pub const RATING_SUM: &str = "rating_sum";
    pub const CANCELLED: &str = "cancelled";
    pub const RETURNED: &str = "returned";
    pub const REVENUE: &str = "revenue_minor";
    pub const REFUNDED: &str = "refunded_minor";
    pub const PAID_ORDERS: &str = "paid_orders";
    pub const COD_ORDERS: &str = "cod_orders";
    pub const PAYMENT_FAILED: &str = "payment_failed";
    pub const PAYMENT_RETRIES: &str = "payment_retries";
    /// Distinct customers who ordered in a day, an ISO week (on its
    /// Monday) and a month (on its 1st).
    pub const CUSTOMERS_DAY: &str = "customers_d";
    pub const CUSTOMERS_WEEK: &str = "customers_w";
    pub const CUSTOMERS_MONTH: &str = "customers_m";
    pub const CANCEL_REASON: &str = "cancel_reason:";
    pub const RETURN_REASON: &str = "return_reason:";
    pub const PREPAID: &str = "prepaid:";
    pub const PREPAID_MINOR: &str = "prepaid_minor:";
    pub const PRODUCT_QTY: &str = "pq:";
    pub const PRODUCT_REVENUE: &str = "pr:";
    pub const CURRENCY: &str = "currency:";
    /// `t:{stage}:{bucket}`: one stage time in a histogram bucket.
    pub const STAGE_TIME: &str = "t:";
}

use names::*;

/// The longest reason or product id kept in a counter's name; longer ones
/// are cut, so a pasted essay cannot make a key of any size.
pub const MAX_LABEL: usize = 60;

/// A reason or product id as a counter's name carries it: trimmed, inner
/// whitespace collapsed, at most [`MAX_LABEL`] characters; empty is `none`.
pub fn label(text: Option<&str>) -> String {
    let words: Vec<&str> = text.unwrap_or_default().split_whitespace().collect();
    let joined = words.join(" ");
    if joined.is_empty() {
        return "none".to_owned();
    }
    joined.chars().take(MAX_LABEL).collect()
}

/// The stages whose time the report shows: `(name, entered, left)`;
/// `None` as the start means the order's creation (it is placed then).
pub const STAGES: [(&str, Option<OrderStatus>, OrderStatus); 3] = [
    ("placed_confirmed", None, OrderStatus::Confirmed),
    (
        "confirmed_shipped",
        Some(OrderStatus::Confirmed),
        OrderStatus::Shipped,
    ),
    (
        "shipped_delivered",
        Some(OrderStatus::Shipped),
        OrderStatus::Delivered,
    ),
];

/// The stage a move to `to` ends, if the report times it, and the status
/// whose latest entry starts it (`None`: the order's creation).
pub fn stage_ending_at(to: OrderStatus) -> Option<(&'static str, Option<OrderStatus>)> {
    STAGES
        .iter()
        .find(|(_, _, end)| *end == to)
        .map(|(name, start, _)| (*name, *start))
}

/// An order came in (a customer's cart or staff's order); `repeat` when
/// the customer had an earlier order.
pub fn created(order: &Order, repeat: bool) -> Vec<Fact> {
    let at = order.created_at;
    let mut facts = vec![Fact::new(at, CARTS, 1)];
    if repeat {
        facts.push(Fact::new(at, REPEAT_ORDERS, 1));
    }
    for item in &order.items {
        let id = label(Some(&item.retailer_id));
        facts.push(Fact::new(at, format!("{PRODUCT_QTY}{id}"), item.quantity));
        facts.push(Fact::new(
            at,
            format!("{PRODUCT_REVENUE}{id}"),
            item.quantity.saturating_mul(item.unit_price_minor),
        ));
    }
    facts
}

/// The order's address was given for the first time.
pub fn address_given(at: Timestamp) -> Vec<Fact> {
    vec![Fact::new(at, ADDRESS, 1)]
}

/// A stage move, as the timeline records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Move<'a> {
    pub from: OrderStatus,
    pub to: OrderStatus,
    pub reason: Option<&'a str>,
    pub at: Timestamp,
    /// This is the order's first move into `to`.
    pub first: bool,
    /// When the timed stage ending here began (see [`stage_ending_at`]).
    pub since: Option<Timestamp>,
    /// The order is cash on delivery (its confirmation is its "payment").
    pub cod: bool,
}

/// The counters a stage move moves.
pub fn moved(m: &Move<'_>) -> Vec<Fact> {
    let at = m.at;
    let mut facts = Vec::new();
    match m.to {
        OrderStatus::Confirmed if m.first => {
            facts.push(Fact::new(at, CONFIRMED, 1));
            if m.cod {
                facts.push(Fact::new(at, FUNNEL_PAID, 1));
                facts.push(Fact::new(at, COD_ORDERS, 1));
            }
        }
        OrderStatus::Delivered if m.first => facts.push(Fact::new(at, DELIVERED, 1)),
        OrderStatus::Abandoned => facts.push(Fact::new(at, ABANDONED, 1)),
        OrderStatus::Placed if m.from == OrderStatus::Abandoned => {
            facts.push(Fact::new(at, CAME_BACK, 1));
        }
        OrderStatus::Cancelled => {
            facts.push(Fact::new(at, CANCELLED, 1));
            facts.push(Fact::new(
                at,
                format!("{CANCEL_REASON}{}", label(m.reason)),
                1,
            ));
        }
        OrderStatus::Returned => {
            facts.push(Fact::new(at, RETURNED, 1));
            facts.push(Fact::new(
                at,
                format!("{RETURN_REASON}{}", label(m.reason)),
                1,
            ));
        }
        _ => {}
    }
    if let (Some((stage, _)), Some(since), true) = (stage_ending_at(m.to), m.since, m.first) {
        let seconds = (at - since).num_seconds().max(0);
        facts.push(Fact::new(
            at,
            format!("{STAGE_TIME}{stage}:{}", stage_bucket(seconds)),
            1,
        ));
    }
    facts
}

/// The order's checkout completed (its first move to `confirmed`, at
/// `at`) after a cart-recovery message went out at `reminded_at`.
pub fn recovered(at: Timestamp, reminded_at: Option<Timestamp>) -> Vec<Fact> {
    match reminded_at {
        Some(reminded) if reminded <= at => vec![Fact::new(at, RECOVERED, 1)],
        _ => Vec::new(),
    }
}

/// The customer rated the order `rating` (1–5) at `at`.
pub fn rated(at: Timestamp, rating: u8) -> Vec<Fact> {
    vec![
        Fact::new(at, RATINGS, 1),
        Fact::new(at, RATING_SUM, i64::from(rating)),
    ]
}

/// A payment event: `first_paid` when it is the order's first payment,
/// `failed_before` when an attempt of the order failed earlier.
pub fn ledger(entry: &LedgerEntry, first_paid: bool, failed_before: bool) -> Vec<Fact> {
    let at = entry.at;
    let amount = entry.amount_minor;
    let mut facts = Vec::new();
    match entry.kind {
        LedgerKind::Paid => {
            facts.push(Fact::new(at, REVENUE, amount));
            facts.push(Fact::new(
                at,
                format!("{CURRENCY}{}", entry.currency.as_str()),
                1,
            ));
            let method = entry.method.unwrap_or(PaymentMethod::Manual);
            // Money that arrived flagged is revenue, but it did not pay
            // the order: the order counts when its payment is settled.
            if first_paid && entry.status != crate::ledger::REVIEW {
                facts.push(Fact::new(at, PAID_ORDERS, 1));
                // Cash on delivery was counted as chosen when the order was
                // confirmed; the cash arriving is not a second "payment".
                if method != PaymentMethod::Cod {
                    facts.push(Fact::new(at, FUNNEL_PAID, 1));
                    facts.push(Fact::new(at, format!("{PREPAID}{}", method.as_str()), 1));
                    facts.push(Fact::new(
                        at,
                        format!("{PREPAID_MINOR}{}", method.as_str()),
                        amount,
                    ));
                }
                if failed_before {
                    facts.push(Fact::new(at, PAYMENT_RETRIES, 1));
                }
            }
        }
        LedgerKind::Failed => facts.push(Fact::new(at, PAYMENT_FAILED, 1)),
        LedgerKind::Refund if entry.status == "processed" => {
            facts.push(Fact::new(at, REVENUE, -amount));
            facts.push(Fact::new(at, REFUNDED, amount));
        }
        LedgerKind::Refund => {}
    }
    facts
}

/// The periods a customer's order on `day` counts them in, once each:
/// `(period key, the day its counter is kept on, counter)`. The key
/// `all` marks a customer who ordered before (see `repeat` in [`created`]).
pub fn customer_periods(day: NaiveDate) -> [(String, NaiveDate, &'static str); 3] {
    let monday = day - Duration::days(i64::from(day.weekday().num_days_from_monday()));
    let first = day.with_day(1).unwrap_or(day);
    [
        (format!("d{day}"), day, CUSTOMERS_DAY),
        (format!("w{monday}"), monday, CUSTOMERS_WEEK),
        (format!("m{first}"), first, CUSTOMERS_MONTH),
    ]
}

/// The period key every customer with an order has.
pub const EVER: &str = "all";
