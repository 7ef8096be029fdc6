//! `GET /orders`: the live orders board, its counts and its CSV export.
//!
//! The page is rendered with the id of the last event it reflects (read
//! *before* the orders, so anything later is replayed by the stream, at
//! worst twice, and drawing a card twice is harmless), and the script
//! subscribes from that id.

use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::header::{COOKIE, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue};
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
    /// Only orders with this tag.
    pub tag: String,
    /// Only orders assigned to this staff email; `me`: to the viewer.
    pub assignee: String,
    /// `cards` or `table`; empty: the viewer's last choice (a cookie).
    pub view: String,
}

/// The cookie that remembers the board's view on this browser.
const VIEW_COOKIE: &str = "orderdesk_view";

impl BoardParams {
    /// The store's query; `me` is the viewer's email, for `assignee=me`.
    pub fn query(&self, limit: u32, me: &str) -> OrderQuery {
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
            tag: Some(self.tag.trim().to_lowercase()).filter(|t| !t.is_empty()),
            assignee: match self.assignee.trim() {
                "" => None,
                "me" => Some(me.to_lowercase()),
                other => Some(other.to_lowercase()),
            },
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
            ("tag", self.tag.as_str()),
            ("assignee", self.assignee.as_str()),
        ]
        .into_iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .collect();
        serde_urlencoded::to_string(pairs).unwrap_or_default()
    }

    fn with_status(&self, status: &str) -> String {
        let mut p = self.clone();
        p.status = status.to_owned();
        p.link()
    }

    fn with_assignee(&self, assignee: &str) -> String {
        let mut p = self.clone();
        p.assignee = assignee.to_owned();
        p.link()
    }

    fn link(&self) -> String {
        let q = self.filter_query();
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
    headers: HeaderMap,
    params: Result<Query<BoardParams>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, ApiError> {
    let params = params.map(|Query(p)| p).unwrap_or_default();
    let chosen = match params.view.trim() {
        v @ ("cards" | "table") => Some(v),
        _ => None,
    };
    let table = chosen.unwrap_or_else(|| remembered_view(&headers)) == "table";
    let store = state.engine.store();
    // First the event id, then the data: what happens in between is replayed.
    let last_event_id = store.last_event_seq().await?;
    let query = params.query(PAGE_SIZE, &staff.user.email);
    let viewer = staff.viewer();
    let filtered = BoardParams::narrowed(&query);
    let (page, counts) = state
        .engine
        .orders_with_counts_for(&viewer, &query, filtered)
        .await?;
    // A limited agent's board takes only their own orders live.
    let own_only = state.engine.visible_query(&viewer, &query).assignee != query.assignee;
    let total = counts.total();
    // A lower bound when the search found more than it counted ("1000+");
    // a stage none of the counted orders is in shows no number then, as
    // "0+" would say nothing.
    let shown = |n: i64| match (counts.exact, n) {
        (true, n) => n.to_string(),
        (false, 0) => String::new(),
        (false, n) => format!("{n}+"),
    };
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
    let users = if table {
        store.users().await?
    } else {
        Vec::new()
    };
    let back = params.link();
    let mine = params.assignee.trim() == "me";
    let more_open = !params.payment.trim().is_empty()
        || !params.from.trim().is_empty()
        || !params.to.trim().is_empty();
    // Not held across an await: ICU's formatter data is not `Send`.
    let local = state.engine.settings().local();
    let body = html! {
        main.board data-locale=(local.locale()) data-status=(params.status.trim()) data-payment=(params.payment.trim())
            data-filtered=(if unlisted_live || own_only { "1" } else { "" }) data-own-only=[own_only.then_some(&staff.user.email)] {
            h1.visually-hidden { "Orders" }
            div.board-head {
                nav.view-switch aria-label="View" {
                    a.tab href="/orders?view=cards" aria-current=[(!table).then_some("page")] { "Cards" }
                    a.tab href="/orders?view=table" aria-current=[table.then_some("page")] { "Table" }
                    a.tab #mine href=(if mine { params.with_assignee("") } else { params.with_assignee("me") }) aria-current=[mine.then_some("page")] { "Assigned to me" }
                }
                a.button.primary #new-order href="/orders/new" { "+ New order" }
            }
            nav.tabs aria-label="Stages" {
                a.tab href=(params.with_status("")) aria-current=[params.status.trim().is_empty().then_some("page")] data-stage="" {
                    "All " span.count data-count="all" { (shown(total)) }
                }
                @for (status, n) in &counts.stages {
                    a.tab href=(params.with_status(status.as_str()))
                        aria-current=[(params.status.trim() == status.as_str()).then_some("page")]
                        data-stage=(status.as_str()) {
                        (status.label()) " " span.count data-count=(status.as_str()) { (shown(*n)) }
                    }
                }
            }
            form.filters method="get" action="/orders" role="search" {
                @for (name, value) in [("status", &params.status), ("tag", &params.tag), ("assignee", &params.assignee)] {
                    @if !value.trim().is_empty() {
                        input type="hidden" name=(name) value=(value.trim());
                    }
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
            // Filled and shown by the script as orders arrive (dashboard.js).
            button #new-orders.new-orders type="button" hidden data-held="0" {}
            @if table {
                (super::table::table(&page.orders, &staff, &users, &back, &local))
            } @else {
                ul #cards.cards aria-live="polite" {
                    @for o in &page.orders { (card(o, &local)) }
                }
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
    let mut response = layout(Page {
        title: "Orders",
        staff: Some(&staff),
        body,
        last_event_id: Some(last_event_id),
        page: "board",
    })
    .into_response();
    if let Some(Ok(cookie)) = chosen.map(|v| {
        HeaderValue::from_str(&format!(
            "{VIEW_COOKIE}={v}; Path=/orders; Max-Age=31536000; SameSite=Lax; HttpOnly"
        ))
    }) {
        response.headers_mut().append(SET_COOKIE, cookie);
    }
    Ok(response)
}

/// The view this browser chose last (`cards` unless it chose the table).
fn remembered_view(headers: &HeaderMap) -> &'static str {
    let table = headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .any(|c| c.trim() == format!("{VIEW_COOKIE}=table"));
    if table {
        "table"
    } else {
        "cards"
    }
}

/// `{ "placed": 3, …, "all": 12 }`, for the tabs' live counts; with the
/// board's filters (`?q=…`), of the orders they find.
pub async fn counts(
    State(state): State<AppState>,
    staff: Staff,
    params: Result<Query<BoardParams>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<serde_json::Map<String, serde_json::Value>>, ApiError> {
    // The board's own filters, so its counts keep following its search.
    let query = params
        .map(|Query(p)| p)
        .unwrap_or_default()
        .query(1, &staff.user.email);
    let counts = state
        .engine
        .order_counts_for(&staff.viewer(), &query, BoardParams::narrowed(&query))
        .await?;
    let mut map = serde_json::Map::new();
    map.insert("all".to_owned(), counts.total().into());
    for (s, n) in &counts.stages {
        map.insert(s.as_str().to_owned(), (*n).into());
    }
    map.insert("exact".to_owned(), counts.exact.into());
    Ok(Json(map))
}

/// The current filter as CSV, streamed page by page (memory stays flat).
pub async fn export(
    State(state): State<AppState>,
    staff: Staff,
    params: Result<Query<BoardParams>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let params = params.map(|Query(p)| p).unwrap_or_default();
    let mut query = state.engine.visible_query(
        &staff.viewer(),
        &params.query(EXPORT_PAGE, &staff.user.email),
    );
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
                .map(|rows| {
                    if first {
                        [crate::export::BOM, &rows].concat()
                    } else {
                        rows
                    }
                })
                .map_err(|e| std::io::Error::other(e.to_string()));
            let next = page.next_before.map(|b| {
                query.before = Some(b);
                (query, false)
            });
            Some((bytes, next))
        }
    });
    let name = format!("orders-{}.csv", Utc::now().format("%Y%m%d-%H%M%S"));
    crate::export::download(&name, Body::from_stream(body))
}
