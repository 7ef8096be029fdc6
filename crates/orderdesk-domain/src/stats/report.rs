//! The report `GET /api/v1/stats` answers: the summed counters of a range
//! turned into figures (funnel drop-offs, payment mix, stage-time
//! quantiles, top products, shares), with the previous period's headline
//! figures beside them.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::facts::names::*;
use super::facts::STAGES;
use super::histogram::{quantile_seconds, STAGE_BOUNDS};
use super::period::StatsQuery;

/// Summed counters by name.
pub type Totals = BTreeMap<String, i64>;

/// How many products and reasons the report lists at most.
pub const TOP: usize = 10;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct StatsReport {
    #[schema(value_type = String, format = Date)]
    pub from: NaiveDate,
    #[schema(value_type = String, format = Date)]
    pub to: NaiveDate,
    /// `day`, `week` or `month`.
    pub bucket: String,
    /// The IANA zone whose days these are.
    pub time_zone: String,
    /// The currency most payments were in (ISO 4217); null before any.
    pub currency: Option<String>,
    /// Orders that came in (carts that became orders, and staff's orders).
    pub orders: i64,
    /// Money received, less processed refunds.
    pub revenue_minor: i64,
    /// Money received per paid order.
    pub average_order_minor: i64,
    pub refunded_minor: i64,
    pub by_bucket: Vec<BucketFigures>,
    pub funnel: Funnel,
    pub payment_mix: PaymentMix,
    pub stage_times: Vec<StageTime>,
    pub top_products: Vec<ProductFigures>,
    pub repeat_customers: RepeatCustomers,
    pub cancellations: Reasons,
    pub returns: Reasons,
    /// Ratings customers gave after delivery (1–5).
    pub feedback: FeedbackFigures,
    /// The same figures for the period of equal length just before.
    pub previous: Headline,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct BucketFigures {
    #[schema(value_type = String, format = Date)]
    pub start: NaiveDate,
    pub orders: i64,
    pub revenue_minor: i64,
    /// Distinct customers who ordered in the bucket (the whole week or
    /// month, also where the range cuts it).
    pub customers: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Funnel {
    /// `carts`, `address`, `paid` (or cash on delivery chosen),
    /// `confirmed`, `delivered`, in that order.
    pub steps: Vec<FunnelStep>,
    /// Checkouts that ran out of time.
    pub abandoned: i64,
    /// Abandoned checkouts the customer later picked up again.
    pub came_back: i64,
    /// Checkouts completed after a cart-recovery nudge or reminder.
    pub recovered: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FeedbackFigures {
    /// How many ratings were given.
    pub ratings: i64,
    /// Their average, two decimals; null without any.
    pub average_rating: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FunnelStep {
    pub step: String,
    pub count: i64,
    /// How many fewer than the step before (0 for the first step).
    pub drop_off: i64,
    /// `drop_off` as a share of the step before (0–1).
    pub drop_off_share: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PaymentMix {
    /// Paid online, per provider, most orders first.
    pub prepaid: Vec<ProviderFigures>,
    /// Orders confirmed with cash on delivery.
    pub cash_on_delivery: i64,
    /// Failed payment attempts.
    pub failed: i64,
    /// Orders paid after an attempt of theirs failed.
    pub retries: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ProviderFigures {
    pub provider: String,
    pub orders: i64,
    pub amount_minor: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct StageTime {
    /// `placed_confirmed`, `confirmed_shipped`, `shipped_delivered`.
    pub stage: String,
    pub count: i64,
    /// Null when no order went through the stage in the range.
    pub median_seconds: Option<i64>,
    pub p90_seconds: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ProductFigures {
    pub product_id: String,
    /// The catalogue's title, when the product is in it.
    pub name: Option<String>,
    pub quantity: i64,
    pub revenue_minor: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RepeatCustomers {
    /// Orders from customers with an earlier order.
    pub orders: i64,
    /// Their share of all orders (0–1).
    pub share: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Reasons {
    pub count: i64,
    /// The most given reasons first (`none` when none was given).
    pub reasons: Vec<ReasonCount>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ReasonCount {
    pub reason: String,
    pub count: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Headline {
    #[schema(value_type = String, format = Date)]
    pub from: NaiveDate,
    #[schema(value_type = String, format = Date)]
    pub to: NaiveDate,
    pub orders: i64,
    pub revenue_minor: i64,
    pub average_order_minor: i64,
}

fn get(t: &Totals, name: &str) -> i64 {
    t.get(name).copied().unwrap_or(0)
}

fn share(part: i64, whole: i64) -> f64 {
    if whole <= 0 {
        0.0
    } else {
        // Three decimals: a share is read, not computed with.
        ((part as f64 / whole as f64) * 1000.0).round() / 1000.0
    }
}

/// Counters whose names start with `prefix`, by the rest of the name.
fn with_prefix<'a>(t: &'a Totals, prefix: &'a str) -> impl Iterator<Item = (&'a str, i64)> + 'a {
    t.range(prefix.to_owned()..)
        .take_while(move |(k, _)| k.starts_with(prefix))
        .map(move |(k, v)| (&k[prefix.len()..], *v))
}

fn headline(q: &StatsQuery, t: &Totals) -> Headline {
    Headline {
        from: q.from,
        to: q.to,
        orders: get(t, CARTS),
        revenue_minor: get(t, REVENUE),
        average_order_minor: average(t),
    }
}

fn average(t: &Totals) -> i64 {
    let paid = get(t, PAID_ORDERS);
    if paid <= 0 {
        0
    } else {
        get(t, REVENUE) / paid
    }
}

fn funnel(t: &Totals) -> Funnel {
    let counts = [
        ("carts", get(t, CARTS)),
        ("address", get(t, ADDRESS)),
        ("paid", get(t, FUNNEL_PAID)),
        ("confirmed", get(t, CONFIRMED)),
        ("delivered", get(t, DELIVERED)),
    ];
    let mut steps = Vec::with_capacity(counts.len());
    let mut before: Option<i64> = None;
    for (step, count) in counts {
        let drop_off = before.map_or(0, |b| (b - count).max(0));
        steps.push(FunnelStep {
            step: step.to_owned(),
            count,
            drop_off,
            drop_off_share: before.map_or(0.0, |b| share(drop_off, b)),
        });
        before = Some(count);
    }
    Funnel {
        steps,
        abandoned: get(t, ABANDONED),
        came_back: get(t, CAME_BACK),
        recovered: get(t, RECOVERED),
    }
}

fn feedback(t: &Totals) -> FeedbackFigures {
    let ratings = get(t, RATINGS);
    FeedbackFigures {
        ratings,
        average_rating: (ratings > 0)
            .then(|| ((get(t, RATING_SUM) as f64 / ratings as f64) * 100.0).round() / 100.0),
    }
}

fn payment_mix(t: &Totals) -> PaymentMix {
    let mut prepaid: Vec<ProviderFigures> = with_prefix(t, PREPAID)
        .map(|(provider, orders)| ProviderFigures {
            provider: provider.to_owned(),
            orders,
            amount_minor: get(t, &format!("{PREPAID_MINOR}{provider}")),
        })
        .filter(|p| p.orders != 0)
        .collect();
    prepaid.sort_by(|a, b| b.orders.cmp(&a.orders).then(a.provider.cmp(&b.provider)));
    PaymentMix {
        prepaid,
        cash_on_delivery: get(t, COD_ORDERS),
        failed: get(t, PAYMENT_FAILED),
        retries: get(t, PAYMENT_RETRIES),
    }
}

fn stage_times(t: &Totals) -> Vec<StageTime> {
    STAGES
        .iter()
        .map(|(stage, _, _)| {
            let counts: Vec<i64> = (0..=STAGE_BOUNDS.len())
                .map(|i| get(t, &format!("{STAGE_TIME}{stage}:{i}")))
                .collect();
            StageTime {
                stage: (*stage).to_owned(),
                count: counts.iter().sum(),
                median_seconds: quantile_seconds(&counts, 0.5),
                p90_seconds: quantile_seconds(&counts, 0.9),
            }
        })
        .collect()
}

fn top_products(t: &Totals, names: &BTreeMap<String, String>) -> Vec<ProductFigures> {
    let mut products: Vec<ProductFigures> = with_prefix(t, PRODUCT_QTY)
        .map(|(id, quantity)| ProductFigures {
            product_id: id.to_owned(),
            name: names.get(id).cloned(),
            quantity,
            revenue_minor: get(t, &format!("{PRODUCT_REVENUE}{id}")),
        })
        .filter(|p| p.quantity != 0)
        .collect();
    products.sort_by(|a, b| {
        b.revenue_minor
            .cmp(&a.revenue_minor)
            .then(b.quantity.cmp(&a.quantity))
            .then(a.product_id.cmp(&b.product_id))
    });
    products.truncate(TOP);
    products
}

fn reasons(t: &Totals, total: &str, prefix: &str) -> Reasons {
    let mut reasons: Vec<ReasonCount> = with_prefix(t, prefix)
        .filter(|(_, count)| *count != 0)
        .map(|(reason, count)| ReasonCount {
            reason: reason.to_owned(),
            count,
        })
        .collect();
    reasons.sort_by(|a, b| b.count.cmp(&a.count).then(a.reason.cmp(&b.reason)));
    reasons.truncate(TOP);
    Reasons {
        count: get(t, total),
        reasons,
    }
}

/// The currency with the most payments.
fn currency(t: &Totals) -> Option<String> {
    with_prefix(t, CURRENCY)
        .filter(|(_, n)| *n > 0)
        .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(a.0)))
        .map(|(c, _)| c.to_owned())
}

/// The day counters `by_bucket` needs, per day.
pub const SERIES: [&str; 5] = [
    CARTS,
    REVENUE,
    CUSTOMERS_DAY,
    CUSTOMERS_WEEK,
    CUSTOMERS_MONTH,
];

fn by_bucket(q: &StatsQuery, days: &[(NaiveDate, String, i64)]) -> Vec<BucketFigures> {
    let starts = q.bucket_starts();
    let customers = match q.bucket {
        super::Bucket::Day => CUSTOMERS_DAY,
        super::Bucket::Week => CUSTOMERS_WEEK,
        super::Bucket::Month => CUSTOMERS_MONTH,
    };
    let mut out: Vec<BucketFigures> = starts
        .iter()
        .map(|&start| BucketFigures {
            start,
            orders: 0,
            revenue_minor: 0,
            customers: 0,
        })
        .collect();
    for (day, metric, value) in days {
        let start = q.bucket.start(*day);
        let Ok(i) = starts.binary_search(&start) else {
            continue;
        };
        let in_range = *day >= q.from && *day <= q.to;
        let b = &mut out[i];
        match metric.as_str() {
            CARTS if in_range => b.orders += value,
            REVENUE if in_range => b.revenue_minor += value,
            // A week's or month's distinct customers are kept on its
            // first day, which may lie before `from`.
            m if m == customers && *day == start => b.customers += value,
            _ => {}
        }
    }
    out
}

/// The report of `q` from its summed counters (`totals`), the per-day
/// [`SERIES`] counters from the first bucket's first day to `q.to`
/// (`days`), the previous period's totals, and product titles by id.
pub fn report(
    q: &StatsQuery,
    time_zone: &str,
    totals: &Totals,
    days: &[(NaiveDate, String, i64)],
    previous: &Totals,
    names: &BTreeMap<String, String>,
) -> StatsReport {
    let head = headline(q, totals);
    let orders = head.orders;
    StatsReport {
        from: q.from,
        to: q.to,
        bucket: q.bucket.as_str().to_owned(),
        time_zone: time_zone.to_owned(),
        currency: currency(totals).or_else(|| currency(previous)),
        orders,
        revenue_minor: head.revenue_minor,
        average_order_minor: head.average_order_minor,
        refunded_minor: get(totals, REFUNDED),
        by_bucket: by_bucket(q, days),
        funnel: funnel(totals),
        payment_mix: payment_mix(totals),
        stage_times: stage_times(totals),
        top_products: top_products(totals, names),
        repeat_customers: RepeatCustomers {
            orders: get(totals, REPEAT_ORDERS),
            share: share(get(totals, REPEAT_ORDERS), orders),
        },
        cancellations: reasons(totals, CANCELLED, CANCEL_REASON),
        returns: reasons(totals, RETURNED, RETURN_REASON),
        feedback: feedback(totals),
        previous: headline(&q.previous(), previous),
    }
}

/// The CSV's columns: one row per figure, so every series fits one file.
pub const CSV_HEADER: [&str; 4] = ["series", "key", "metric", "value"];

impl StatsReport {
    /// Every series of the report as `series, key, metric, value` rows
    /// (`by_bucket, 2026-12-07, revenue_minor, 49900`), headline first.
    pub fn csv_rows(&self) -> Vec<[String; 4]> {
        let mut rows = Vec::new();
        let mut row = |series: &str, key: &str, metric: &str, value: String| {
            rows.push([series.to_owned(), key.to_owned(), metric.to_owned(), value]);
        };
        let period = format!("{}..{}", self.from, self.to);
        let before = format!("{}..{}", self.previous.from, self.previous.to);
        for (key, orders, revenue, average) in [
            (
                &period,
                self.orders,
                self.revenue_minor,
                self.average_order_minor,
            ),
            (
                &before,
                self.previous.orders,
                self.previous.revenue_minor,
                self.previous.average_order_minor,
            ),
        ] {
            row("total", key, "orders", orders.to_string());
            row("total", key, "revenue_minor", revenue.to_string());
            row("total", key, "average_order_minor", average.to_string());
        }
        row(
            "total",
            &period,
            "refunded_minor",
            self.refunded_minor.to_string(),
        );
        for b in &self.by_bucket {
            let start = b.start.to_string();
            row("by_bucket", &start, "orders", b.orders.to_string());
            row(
                "by_bucket",
                &start,
                "revenue_minor",
                b.revenue_minor.to_string(),
            );
            row("by_bucket", &start, "customers", b.customers.to_string());
        }
        for s in &self.funnel.steps {
            row("funnel", &s.step, "count", s.count.to_string());
            row("funnel", &s.step, "drop_off", s.drop_off.to_string());
        }
        row(
            "funnel",
            "abandoned",
            "count",
            self.funnel.abandoned.to_string(),
        );
        row(
            "funnel",
            "came_back",
            "count",
            self.funnel.came_back.to_string(),
        );
        row(
            "funnel",
            "recovered",
            "count",
            self.funnel.recovered.to_string(),
        );
        for p in &self.payment_mix.prepaid {
            row("payment_mix", &p.provider, "orders", p.orders.to_string());
            row(
                "payment_mix",
                &p.provider,
                "amount_minor",
                p.amount_minor.to_string(),
            );
        }
        let mix = &self.payment_mix;
        row(
            "payment_mix",
            "cash_on_delivery",
            "orders",
            mix.cash_on_delivery.to_string(),
        );
        row("payment_mix", "failed", "count", mix.failed.to_string());
        row("payment_mix", "retries", "count", mix.retries.to_string());
        for s in &self.stage_times {
            let seconds = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
            row("stage_times", &s.stage, "count", s.count.to_string());
            row(
                "stage_times",
                &s.stage,
                "median_seconds",
                seconds(s.median_seconds),
            );
            row(
                "stage_times",
                &s.stage,
                "p90_seconds",
                seconds(s.p90_seconds),
            );
        }
        for p in &self.top_products {
            row(
                "top_products",
                &p.product_id,
                "quantity",
                p.quantity.to_string(),
            );
            row(
                "top_products",
                &p.product_id,
                "revenue_minor",
                p.revenue_minor.to_string(),
            );
        }
        row(
            "repeat_customers",
            "orders",
            "count",
            self.repeat_customers.orders.to_string(),
        );
        row(
            "repeat_customers",
            "share",
            "value",
            self.repeat_customers.share.to_string(),
        );
        for (series, r) in [
            ("cancellations", &self.cancellations),
            ("returns", &self.returns),
        ] {
            row(series, "all", "count", r.count.to_string());
            for reason in &r.reasons {
                row(series, &reason.reason, "count", reason.count.to_string());
            }
        }
        let fb = &self.feedback;
        row("feedback", "ratings", "count", fb.ratings.to_string());
        let average = fb.average_rating.map(|a| a.to_string()).unwrap_or_default();
        row("feedback", "average_rating", "value", average);
        rows
    }
}
