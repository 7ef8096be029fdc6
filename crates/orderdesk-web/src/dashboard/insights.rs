//! `/insights` (owners and admins): how the shop is doing over a period —
//! headline figures against the previous period, revenue and orders over
//! time, the checkout funnel, the payment mix, stage times, top products,
//! cancellations and returns — and `/insights/export.csv`, every series of
//! the same report. The page follows the event stream: an order or payment
//! event redraws `#insights-live` (see `assets/dashboard.js`).

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{Datelike, Duration, NaiveDate, Utc};
use maud::{html, Markup};
use orderdesk_domain::stats::report::CSV_HEADER;
use orderdesk_domain::stats::{local_day, StatsReport};
use orderdesk_domain::{Currency, Local, Money};

use super::insights_charts::{self as charts, Fmt};
use super::session::Manager;
use super::views::{layout, staff_page, Page};
use crate::api::stats::{load, StatsParams};
use crate::error::ApiError;
use crate::AppState;

/// The quick periods: label and the first day, given today.
fn presets(today: NaiveDate) -> [(&'static str, NaiveDate); 4] {
    [
        ("Today", today),
        ("7 days", today - Duration::days(6)),
        ("30 days", today - Duration::days(29)),
        ("This month", today.with_day(1).unwrap_or(today)),
    ]
}

/// `+12%`, `−5%`, `new` or `—`: this period against the one before.
fn change(now: i64, before: i64) -> (String, &'static str) {
    if before == 0 {
        return if now > 0 {
            ("new".to_owned(), "up")
        } else {
            ("—".to_owned(), "flat")
        };
    }
    let pct = ((now - before) as f64 / before.abs() as f64 * 100.0).round() as i64;
    match pct.cmp(&0) {
        std::cmp::Ordering::Greater => (format!("+{pct}%"), "up"),
        std::cmp::Ordering::Less => (format!("−{}%", pct.abs()), "down"),
        std::cmp::Ordering::Equal => ("±0%".to_owned(), "flat"),
    }
}

fn kpi(title: &str, value: String, now: i64, before: i64, before_text: String) -> Markup {
    let (delta, class) = change(now, before);
    html! {
        div.kpi {
            div.kpi-title { (title) }
            div.kpi-value { (value) }
            div.kpi-delta.(class) title={"Previous period: " (before_text)} { (delta) " vs previous" }
        }
    }
}

fn live(r: &StatsReport, money: Fmt<'_>) -> Markup {
    let prev = &r.previous;
    html! {
        div #insights-live data-from=(r.from) data-to=(r.to) {
            p.small.muted {
                (r.from) " to " (r.to) " · days in " (r.time_zone)
                " · compared with " (prev.from) " to " (prev.to)
            }
            div.kpis {
                (kpi("Orders", r.orders.to_string(), r.orders, prev.orders, prev.orders.to_string()))
                (kpi("Revenue", money(r.revenue_minor), r.revenue_minor, prev.revenue_minor, money(prev.revenue_minor)))
                (kpi("Average order", money(r.average_order_minor), r.average_order_minor, prev.average_order_minor, money(prev.average_order_minor)))
                div.kpi {
                    div.kpi-title { "Repeat customers" }
                    div.kpi-value { (format!("{:.0}%", r.repeat_customers.share * 100.0)) }
                    div.kpi-delta.flat { (r.repeat_customers.orders) " orders from returning customers" }
                }
                div.kpi #kpi-rating {
                    div.kpi-title { "Customer rating" }
                    div.kpi-value #insights-rating {
                        @match r.feedback.average_rating {
                            Some(a) => { (format!("{a:.1}")) " / 5" }
                            None => "—",
                        }
                    }
                    div.kpi-delta.flat { (r.feedback.ratings) " ratings after delivery" }
                }
            }
            section.panel aria-labelledby="time-title" {
                h2 #time-title { "Revenue and orders" }
                (charts::over_time(r, money))
            }
            div.insights-grid {
                section.panel aria-labelledby="funnel-title" {
                    h2 #funnel-title { "Checkout funnel" }
                    (charts::funnel(r))
                }
                section.panel aria-labelledby="mix-title" {
                    h2 #mix-title { "Payment mix" }
                    (charts::payment_mix(r, money))
                }
                section.panel aria-labelledby="stage-title" {
                    h2 #stage-title { "Time in each stage" }
                    (charts::stage_times(r))
                }
                section.panel aria-labelledby="products-title" {
                    h2 #products-title { "Top products" }
                    table.items {
                        thead { tr { th scope="col" { "Product" } th scope="col" .num { "Qty" } th scope="col" .num { "Revenue" } } }
                        tbody {
                            @for p in &r.top_products {
                                tr { td { (p.name.clone().unwrap_or_else(|| p.product_id.clone())) } td.num { (p.quantity) } td.num { (money(p.revenue_minor)) } }
                            }
                            @if r.top_products.is_empty() { tr { td colspan="3" .muted { "No orders in this period." } } }
                        }
                    }
                }
                section.panel aria-labelledby="ended-title" {
                    h2 #ended-title { "Cancellations and returns" }
                    table.items {
                        thead { tr { th scope="col" { "Reason" } th scope="col" .num { "Cancelled" } th scope="col" .num { "Returned" } } }
                        tbody {
                            tr { td { strong { "All" } } td.num { (r.cancellations.count) } td.num { (r.returns.count) } }
                            @for c in &r.cancellations.reasons { tr { td { (c.reason) } td.num { (c.count) } td.num { "" } } }
                            @for c in &r.returns.reasons { tr { td { (c.reason) } td.num { "" } td.num { (c.count) } } }
                        }
                    }
                }
            }
        }
    }
}

fn page(r: &StatsReport, today: NaiveDate, money: Fmt<'_>) -> Markup {
    let query = format!("from={}&to={}&bucket={}", r.from, r.to, r.bucket);
    html! {
        main #main.insights {
            h1 { "Insights" }
            nav.periods aria-label="Period" {
                @for (label, from) in presets(today) {
                    @let current = r.from == from && r.to == today;
                    a.button.ghost href={"/insights?from=" (from) "&to=" (today) "&bucket=" (r.bucket)}
                        aria-current=[current.then_some("page")] { (label) }
                }
            }
            form.filters method="get" action="/insights" {
                label { span { "From" } input #ins-from type="date" name="from" value=(r.from); }
                label { span { "To" } input #ins-to type="date" name="to" value=(r.to); }
                label {
                    span { "By" }
                    select #ins-bucket name="bucket" {
                        @for b in ["day", "week", "month"] {
                            option value=(b) selected[r.bucket == b] { (b) }
                        }
                    }
                }
                button type="submit" { "Show" }
                a.button href={"/insights/export.csv?" (query)} { "Export CSV" }
            }
            (live(r, money))
        }
    }
}

/// Money in the report's currency, written the business's way; plain
/// numbers before any payment named a currency.
fn money_fmt(local: Local, currency: Option<Currency>) -> impl Fn(i64) -> String {
    move |minor| match currency {
        Some(c) => local.money(Money::from_minor(minor, c)),
        None => format!("{:.2}", minor as f64 / 100.0),
    }
}

pub async fn show(
    State(state): State<AppState>,
    Manager(staff): Manager,
    params: Result<Query<StatsParams>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let params = params.map(|Query(p)| p).unwrap_or_default();
    // No `Local` across the awaits: its formatter is not `Send`.
    let zone = state.engine.settings().local().time_zone().to_owned();
    let today = local_day(Utc::now(), &zone);
    let report = match load(&state, &params).await {
        Ok(r) => r,
        Err(e) if e.status == StatusCode::UNPROCESSABLE_ENTITY => {
            let body = html! { main.narrow { h1 { "Insights" } p.alert role="alert" { (e.message) } p { a href="/insights" { "The last 30 days" } } } };
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            return staff_page(status, &staff, "Insights", "insights", body);
        }
        Err(e) => return e.into_response(),
    };
    let last_event_id = match state.engine.store().last_event_seq().await {
        Ok(id) => id,
        Err(e) => return ApiError::from(e).into_response(),
    };
    let currency = report
        .currency
        .as_deref()
        .and_then(|c| Currency::parse(c).ok());
    let money = money_fmt(state.engine.settings().local(), currency);
    layout(Page {
        title: "Insights",
        staff: Some(&staff),
        body: page(&report, today, &money),
        last_event_id: Some(last_event_id),
        page: "insights",
    })
    .into_response()
}

/// Every series of the report, one figure a row (`series,key,metric,value`).
pub async fn export(
    State(state): State<AppState>,
    _manager: Manager,
    params: Result<Query<StatsParams>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let params = params.map(|Query(p)| p).unwrap_or_default();
    let report = match load(&state, &params).await {
        Ok(r) => r,
        Err(e) => return e.into_response(),
    };
    let name = format!("insights-{}-{}.csv", report.from, report.to);
    let rows = std::iter::once(CSV_HEADER.map(str::to_owned)).chain(report.csv_rows());
    crate::export::csv_download(&name, rows)
}
