//! `/payments`: closing the day. What needs a person first (payments
//! flagged for review, cash on delivery not recorded a week after
//! delivery), the per-day summary with its CSV, then every payment event.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{html, Markup};
use orderdesk_domain::{DaySummary, Local, Money};
use orderdesk_engine::reconciliation::PaymentsReport;

use super::session::Staff;
use super::views::{relative_time, staff_page};
use crate::api::payments::{load, PeriodParams};
use crate::AppState;

fn amount(minor: i64, d: &DaySummary, local: &Local) -> String {
    local.money(Money::from_minor(minor, d.currency))
}

fn page(r: &PaymentsReport, p: &PeriodParams, local: &Local) -> Markup {
    let now = chrono::Utc::now();
    let from = r.from.date_naive().to_string();
    let to = (r.to - chrono::Duration::days(1)).date_naive().to_string();
    let csv = format!("/payments/export.csv?from={from}&to={to}");
    html! {
        main #main.payments {
            h1 { "Payments" }
            form.filters method="get" action="/payments" {
                label { span { "From" } input #pay-from type="date" name="from" value=(p.from.clone().unwrap_or(from.clone())); }
                label { span { "To" } input #pay-to type="date" name="to" value=(p.to.clone().unwrap_or(to.clone())); }
                button type="submit" { "Show" }
                a.button href=(csv) { "Export CSV" }
            }
            @if !r.attention.is_empty() {
                section #payments-attention.panel aria-labelledby="attention-title" {
                    h2 #attention-title { "Needs a look" }
                    ul {
                        @for a in &r.attention {
                            li {
                                a href={"/orders/" (a.order.number)} { "#" (a.order.number) }
                                " · " (local.money(Money::from_minor(a.order.total_minor, a.order.currency)))
                                " · " (a.why)
                            }
                        }
                    }
                    @let more = r.attention_total - r.attention.len() as i64;
                    @if more > 0 {
                        p #attention-more.muted { "… and " (more) " more, oldest first above." }
                    }
                }
            }
            section #payments-days.panel aria-labelledby="days-title" {
                h2 #days-title { "Per day" }
                table {
                    thead { tr {
                        th scope="col" { "Day" } th scope="col" .num { "Collected" } th scope="col" .num { "Refunded" }
                        th scope="col" .num { "COD to collect" } th scope="col" .num { "Net" }
                    } }
                    tbody {
                        @for d in &r.days {
                            tr {
                                td { (d.day.to_string()) }
                                td.num { (amount(d.collected_minor, d, local)) }
                                td.num { (amount(d.refunded_minor, d, local)) }
                                td.num { (amount(d.cod_to_collect_minor, d, local)) }
                                td.num { (amount(d.net_minor, d, local)) }
                            }
                        }
                        @if r.days.is_empty() { tr { td colspan="5" .muted { "No payments in this period." } } }
                    }
                }
            }
            section #payments-events.panel aria-labelledby="events-title" {
                h2 #events-title { "Payment events" }
                table {
                    thead { tr {
                        th scope="col" { "When" } th scope="col" { "Order" } th scope="col" { "Event" }
                        th scope="col" .num { "Amount" } th scope="col" { "Method" } th scope="col" { "Reference" }
                    } }
                    tbody {
                        @for e in &r.events {
                            tr {
                                td { (relative_time(e.at, now, local)) }
                                td { a href={"/orders/" (e.order_number)} { "#" (e.order_number) } }
                                td { (e.kind.as_str()) @if e.status != e.kind.as_str() { " · " (e.status) } }
                                td.num { (local.money(Money::from_minor(e.amount_minor, e.currency))) }
                                td { (e.method.map_or("", |m| m.as_str())) }
                                td { @if let Some(r) = &e.provider_ref { code { (r) } } }
                            }
                        }
                    }
                }
            }
        }
    }
}

pub async fn show(
    State(state): State<AppState>,
    staff: Staff,
    params: Result<Query<PeriodParams>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let params = params.map(|Query(p)| p).unwrap_or_default();
    let report = match load(&state, &params).await {
        Ok(r) => r,
        Err(e) if e.status == StatusCode::BAD_REQUEST => {
            let body = html! { main.narrow { h1 { "Payments" } p.alert role="alert" { (e.message) } p { a href="/payments" { "The last week" } } } };
            return staff_page(
                StatusCode::BAD_REQUEST,
                &staff,
                "Payments",
                "payments",
                body,
            );
        }
        Err(e) => return e.into_response(),
    };
    let body = page(&report, &params, &state.engine.settings().local());
    staff_page(StatusCode::OK, &staff, "Payments", "payments", body)
}

/// The per-day summary as CSV.
pub async fn export(
    State(state): State<AppState>,
    _staff: Staff,
    params: Result<Query<PeriodParams>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let params = params.map(|Query(p)| p).unwrap_or_default();
    let report = match load(&state, &params).await {
        Ok(r) => r,
        Err(e) => return e.into_response(),
    };
    let header = [
        "day",
        "currency",
        "collected_minor",
        "refunded_minor",
        "cod_to_collect_minor",
        "net_minor",
    ];
    let rows = std::iter::once(header.map(str::to_owned)).chain(report.days.iter().map(|d| {
        [
            d.day.to_string(),
            d.currency.as_str().to_owned(),
            d.collected_minor.to_string(),
            d.refunded_minor.to_string(),
            d.cod_to_collect_minor.to_string(),
            d.net_minor.to_string(),
        ]
    }));
    let name = format!("payments-{}.csv", report.from.format("%Y%m%d"));
    crate::export::csv_download(&name, rows)
}
