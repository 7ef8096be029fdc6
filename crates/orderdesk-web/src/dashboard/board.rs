//! `GET /orders`: the live orders board, its counts and its CSV export.
//!
//! The page is rendered with the id of the last event it reflects (read
//! *before* the orders, so anything later is replayed by the stream, at
//! worst twice, and drawing a card twice is harmless), and the script
//! subscribes from that id.

use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{NaiveDate, TimeZone, Utc};
use futures_util::stream;
use maud::html;
use orderdesk_domain::{OrderStatus, PaymentStatus};
use orderdesk_store::OrderQuery;
use serde::Deserialize;

use super::session::Staff;
use super::views::{card, layout, Page};
use crate::error::ApiError;
use crate::AppState;

const PAGE_SIZE: u32 = 50;
const EXPORT_PAGE: u32 = 200;

/// The board's filters, exactly as its form and links send them. Anything
/// unreadable is ignored rather than refused: this is a page, not an API.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct BoardParams {
    pub status: String,
    pub payment: String,
    pub q: String,
    /// `YYYY-MM-DD`, UTC, inclusive.
    pub from: String,
    /// `YYYY-MM-DD`, UTC, inclusive.
    pub to: String,
    pub cursor: String,
}

impl BoardParams {
    pub fn query(&self, limit: u32) -> OrderQuery {
        let day = |s: &str| NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok();
        let start = |d: NaiveDate| d.and_hms_opt(0, 0, 0).map(|t| Utc.from_utc_datetime(&t));
        OrderQuery {
            status: OrderStatus::parse(self.status.trim()),
            payment: PaymentStatus::parse(self.payment.trim()),
            q: Some(self.q.trim().chars().take(200).collect::<String>()).filter(|q| !q.is_empty()),
            created_from: day(&self.from).and_then(start),
            created_before: day(&self.to).and_then(|d| d.succ_opt()).and_then(start),
            limit,
            before: crate::cursor::decode(&self.cursor),
            ..OrderQuery::default()
        }
    }

    /// Whether a search or filter narrows the board (stage tabs aside):
    /// its counts then count what it finds.
    pub fn narrowed(query: &OrderQuery) -> bool {
        query.q.is_some()
            || query.payment.is_some()
            || query.created_from.is_some()
            || query.created_before.is_some()
            || query.tag.is_some()
            || query.assignee.is_some()
    }

    /// The filters as a query string (without the cursor).
    pub fn filter_query(&self) -> String {
        let pairs: Vec<(&str, &str)> = [
            ("status", self.status.as_str()),
            ("payment", self.payment.as_str()),
            ("q", self.q.as_str()),
            ("from", self.from.as_str()),
            ("to", self.to.as_str()),
        ]
        .into_iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .collect();
        serde_urlencoded::to_string(pairs).unwrap_or_default()
    }

    fn with_status(&self, status: &str) -> String {
        let mut p = self.clone();
        p.status = status.to_owned();
        let q = p.filter_query();
        if q.is_empty() {
            "/orders".to_owned()
        } else {
            format!("/orders?{q}")
        }
    }
}

pub async fn show(
    State(state): State<AppState>,
    staff: Staff,
    params: Result<Query<BoardParams>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, ApiError> {
    let params = params.map(|Query(p)| p).unwrap_or_default();
    let store = state.engine.store();
    // First the event id, then the data: what happens in between is replayed.
    let last_event_id = store.last_event_seq().await?;
    let query = params.query(PAGE_SIZE);
    let page = store.list_orders(&query).await?;
    let filtered = BoardParams::narrowed(&query);
    let counts = if filtered {
        store.count_orders(&query).await?
    } else {
        store.status_counts().await?
    };
    let total: i64 = counts.iter().map(|(_, n)| n).sum();
    // Filters the page cannot judge a live order by: new orders wait for a reload.
    let unlisted_live = filtered
        && (query.payment.is_none()
            || query.q.is_some()
            || query.created_from.is_some()
            || query.created_before.is_some()
            || query.tag.is_some()
            || query.assignee.is_some());
    let export = {
        let q = params.filter_query();
        if q.is_empty() {
            "/orders/export.csv".to_owned()
        } else {
            format!("/orders/export.csv?{q}")
        }
    };
    let more_open = !params.payment.trim().is_empty()
        || !params.from.trim().is_empty()
        || !params.to.trim().is_empty();
    // Not held across an await: ICU's formatter data is not `Send`.
    let local = state.engine.settings().local();
    let body = html! {
        main.board data-locale=(local.locale()) data-status=(params.status.trim()) data-payment=(params.payment.trim())
            data-filtered=(if unlisted_live { "1" } else { "" }) {
            h1.visually-hidden { "Orders" }
            nav.tabs aria-label="Stages" {
                a.tab href=(params.with_status("")) aria-current=[params.status.trim().is_empty().then_some("page")] data-stage="" {
                    "All " span.count data-count="all" { (total) }
                }
                @for (status, n) in &counts {
                    a.tab href=(params.with_status(status.as_str()))
                        aria-current=[(params.status.trim() == status.as_str()).then_some("page")]
                        data-stage=(status.as_str()) {
                        (status.label()) " " span.count data-count=(status.as_str()) { (n) }
                    }
                }
            }
            form.filters method="get" action="/orders" role="search" {
                @if !params.status.trim().is_empty() {
                    input type="hidden" name="status" value=(params.status.trim());
                }
                label { span { "Search" }
                    input type="search" name="q" value=(params.q) placeholder="Number, name or phone";
                }
                button.primary type="submit" { "Search" }
                details.more-filters open[more_open] {
                    summary { "Filters and export" }
                    div.more-grid {
                        label { span { "Payment" }
                            select name="payment" {
                                option value="" { "Any" }
                                @for p in PaymentStatus::ALL {
                                    option value=(p.as_str()) selected[params.payment.trim() == p.as_str()] { (p.as_str()) }
                                }
                            }
                        }
                        label { span { "From" } input type="date" name="from" value=(params.from); }
                        label { span { "To" } input type="date" name="to" value=(params.to); }
                        button type="submit" { "Apply" }
                        a.button href=(export) { "Export CSV" }
                    }
                }
            }
            ul #cards.cards aria-live="polite" {
                @for o in &page.orders { (card(o, &local)) }
            }
            @if page.orders.is_empty() && filtered {
                p #empty.empty { "No orders match this search. " a href="/orders" { "Show all orders" } }
            } @else if page.orders.is_empty() {
                p #empty.empty { "No orders yet. When a customer sends a cart from your WhatsApp catalog it appears here at once, with a sound." }
            }
            @if let Some(next) = page.next_before {
                @let q = params.filter_query();
                p.more {
                    a.button href={"/orders?" (q) @if !q.is_empty() { "&" } "cursor=" (crate::cursor::encode(next))} { "Older orders →" }
                }
            }
        }
    };
    Ok(layout(Page {
        title: "Orders",
        staff: Some(&staff),
        body,
        last_event_id: Some(last_event_id),
        page: "board",
    })
    .into_response())
}

/// `{ "placed": 3, …, "all": 12 }`, for the tabs' live counts; with the
/// board's filters (`?q=…`), of the orders they find.
pub async fn counts(
    State(state): State<AppState>,
    _staff: Staff,
    params: Result<Query<BoardParams>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<serde_json::Map<String, serde_json::Value>>, ApiError> {
    // The board's own filters, so its counts keep following its search.
    let query = params.map(|Query(p)| p).unwrap_or_default().query(1);
    let store = state.engine.store();
    let counts = if BoardParams::narrowed(&query) {
        store.count_orders(&query).await?
    } else {
        store.status_counts().await?
    };
    let mut map = serde_json::Map::new();
    let mut all = 0;
    for (s, n) in counts {
        all += n;
        map.insert(s.as_str().to_owned(), n.into());
    }
    map.insert("all".to_owned(), all.into());
    Ok(Json(map))
}

/// The current filter as CSV, streamed page by page (memory stays flat).
pub async fn export(
    State(state): State<AppState>,
    _staff: Staff,
    params: Result<Query<BoardParams>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let params = params.map(|Query(p)| p).unwrap_or_default();
    let mut query = params.query(EXPORT_PAGE);
    query.before = None;
    let store = state.engine.store().clone();
    let local = state.engine.settings().local();
    let body = stream::unfold(Some((query, true)), move |next| {
        let store = store.clone();
        let local = local.clone();
        async move {
            let (mut query, first) = next?;
            let page = match store.list_orders(&query).await {
                Ok(page) => page,
                Err(e) => {
                    tracing::error!(error = %e, "CSV export failed midway");
                    return Some((Err(std::io::Error::other("export failed")), None));
                }
            };
            let bytes = crate::export::csv_bytes(&page.orders, first, &local)
                .map_err(|e| std::io::Error::other(e.to_string()));
            let next = page.next_before.map(|b| {
                query.before = Some(b);
                (query, false)
            });
            Some((bytes, next))
        }
    });
    let name = format!("orders-{}.csv", Utc::now().format("%Y%m%d-%H%M%S"));
    (
        [
            (CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        Body::from_stream(body),
    )
        .into_response()
}
