//! Customers (issue #16, item 6): `GET /customers` lists them, who wrote
//! last first, searchable by name or by phone number in any spelling;
//! `GET /customers/{wa_id}` shows one with their orders, the addresses
//! they used and the conversation; `POST /customers/{wa_id}/block` blocks
//! or unblocks them (the bot then ignores them).

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use maud::{html, Markup};
use orderdesk_domain::{Currency, Local, Money};
use orderdesk_engine::customers::CustomerView;
use orderdesk_engine::EngineError;
use orderdesk_store::{CustomerQuery, CustomerSummary, StoreError};
use serde::Deserialize;

use super::order::chat_message;
use super::session::{redirect, Staff, StaffForm};
use super::views::{layout, local_time, money, payment_badge, Page};
use crate::error::ApiError;
use crate::AppState;

/// Customers per page.
const PAGE_SIZE: u32 = 50;
/// Deepest page offered (narrow the search instead).
const MAX_OFFSET: u32 = 100_000;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListParams {
    q: String,
    offset: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct BlockForm {
    /// `true` blocks, `false` unblocks.
    blocked: String,
}

fn href(wa_id: &str) -> String {
    format!("/customers/{}", super::inbox::path_segment(wa_id))
}

fn display_name(c: &CustomerSummary) -> String {
    c.name
        .clone()
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| format!("+{}", c.wa_id))
}

fn spent(c: &CustomerSummary, local: &Local) -> String {
    match c
        .currency
        .as_deref()
        .and_then(|code| Currency::parse(code).ok())
    {
        Some(currency) => local.money(Money::from_minor(c.total_spent_minor, currency)),
        None => "—".to_owned(),
    }
}

fn when(at: Option<orderdesk_domain::Timestamp>, local: &Local) -> Markup {
    match at {
        Some(at) => local_time(at, local),
        None => html! { "—" },
    }
}

pub async fn list(
    State(state): State<AppState>,
    staff: Staff,
    params: Result<Query<ListParams>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, ApiError> {
    let params = params.map(|Query(p)| p).unwrap_or_default();
    let q: String = params.q.trim().chars().take(200).collect();
    let offset = params
        .offset
        .trim()
        .parse::<u32>()
        .unwrap_or(0)
        .min(MAX_OFFSET);
    let customers = state
        .engine
        .customers(&CustomerQuery {
            q: Some(q.clone()).filter(|q| !q.is_empty()),
            limit: PAGE_SIZE,
            offset,
        })
        .await?;
    let more = customers.len() == PAGE_SIZE as usize && offset + PAGE_SIZE <= MAX_OFFSET;
    let next = serde_urlencoded::to_string([
        ("q", q.as_str()),
        ("offset", &(offset + PAGE_SIZE).to_string()),
    ])
    .unwrap_or_default();
    let local = state.engine.settings().local();
    let body = html! {
        main.customers {
            h1 { "Customers" }
            form.search #customer-search method="get" action="/customers" role="search" {
                label for="customer-q" { "Name or phone number" }
                input #customer-q type="search" name="q" value=(q) maxlength="200"
                    placeholder="Asha, +91 99887 76655…";
                button type="submit" { "Search" }
            }
            @if customers.is_empty() {
                p.muted #customers-empty {
                    @if q.is_empty() && offset == 0 { "No customer has written yet." }
                    @else if q.is_empty() { "No more customers." }
                    @else { "No customer matches “" (q) "”." }
                }
            } @else {
                div.table-wrap {
                    table.customer-table {
                        thead { tr {
                            th scope="col" { "Customer" } th scope="col" { "Phone" }
                            th.amt scope="col" { "Orders" } th.amt scope="col" { "Total spent" }
                            th scope="col" { "First order" } th scope="col" { "Last order" }
                        } }
                        tbody {
                            @for c in &customers {
                                tr data-wa-id=(c.wa_id) {
                                    td {
                                        a href=(href(&c.wa_id)) { (display_name(c)) }
                                        @if c.blocked_at.is_some() { " " span.badge.blocked { "Blocked" } }
                                    }
                                    td { "+" (c.wa_id) }
                                    td.amt { (c.orders_count) }
                                    td.amt { (spent(c, &local)) }
                                    td { (when(c.first_order_at, &local)) }
                                    td { (when(c.last_order_at, &local)) }
                                }
                            }
                        }
                    }
                }
                @if more { p { a #customers-next href={"/customers?" (next)} { "More customers →" } } }
            }
        }
    };
    Ok(layout(Page {
        title: "Customers",
        staff: Some(&staff),
        body,
        last_event_id: None,
        page: "customers",
    })
    .into_response())
}

pub async fn show(
    State(state): State<AppState>,
    staff: Staff,
    Path(wa_id): Path<String>,
) -> Result<Response, ApiError> {
    render(&state, &staff, &wa_id, None).await
}

async fn render(
    state: &AppState,
    staff: &Staff,
    wa_id: &str,
    error: Option<&str>,
) -> Result<Response, ApiError> {
    let viewer = staff.viewer();
    match state.engine.customer_view(Some(&viewer), wa_id).await {
        Ok(view) => {
            let local = state.engine.settings().local();
            let status = if error.is_some() {
                StatusCode::UNPROCESSABLE_ENTITY
            } else {
                StatusCode::OK
            };
            Ok((status, page(&view, staff, error, &local)).into_response())
        }
        Err(EngineError::Store(StoreError::NotFound)) => Ok((
            StatusCode::NOT_FOUND,
            super::views::message_page(
                "No such customer",
                &format!("No customer has the number {wa_id}."),
            ),
        )
            .into_response()),
        Err(e) => Err(e.into()),
    }
}

fn page(view: &CustomerView, staff: &Staff, error: Option<&str>, local: &Local) -> Markup {
    let c = &view.summary;
    let name = display_name(c);
    let blocked = c.blocked_at.is_some();
    let key = view
        .messages
        .first()
        .map_or(c.wa_id.as_str(), |m| m.customer_key.as_str());
    let new_order = super::order_new::prefilled_href(&c.wa_id, c.name.as_deref());
    let body = html! {
        main.customer data-wa-id=(c.wa_id) {
            p { a href="/customers" { "← Customers" } }
            h1 {
                (name)
                @if blocked { " " span.badge.blocked #blocked-badge { "Blocked" } }
            }
            @if let Some(e) = error { p.alert #form-error role="alert" { (e) } }
            dl.facts {
                dt { "Phone" } dd { "+" (c.wa_id) }
                dt { "Orders" } dd #orders-count { (c.orders_count) }
                dt { "Total spent" } dd #total-spent { (spent(c, local)) }
                dt { "First order" } dd { (when(c.first_order_at, local)) }
                dt { "Last order" } dd { (when(c.last_order_at, local)) }
                dt { "Last wrote" } dd { (when(c.last_inbound_at, local)) }
                dt { "Rating" }
                dd #average-rating {
                    @match view.ratings {
                        Some(r) => {
                            strong { (format!("{:.1}", r.average)) " / 5" }
                            " " span.muted { "(" (r.count) @if r.count == 1 { " rating" } @else { " ratings" } ")" }
                        }
                        None => { span.muted { "Not rated yet" } }
                    }
                }
                @if let (Some(at), Some(by)) = (c.blocked_at, &c.blocked_by) {
                    dt { "Blocked" } dd { (local_time(at, local)) " by " (by) }
                }
            }
            div.thread-actions {
                a.button href=(new_order) { "Create order" }
                a.button href={"/inbox?" (serde_urlencoded::to_string([("c", key)]).unwrap_or_default())} { "Open in inbox" }
                form.inline #block-form method="post" action={(href(&c.wa_id)) "/block"}
                    data-confirm=(if blocked { "Unblock this customer? The bot answers them again." } else { "Block this customer? The bot will ignore their carts and messages." }) {
                    input type="hidden" name="csrf" value=(staff.csrf);
                    input type="hidden" name="blocked" value=(if blocked { "false" } else { "true" });
                    button.danger[!blocked] type="submit" { (if blocked { "Unblock" } else { "Block" }) }
                }
            }
            @if blocked {
                p.notice { "Blocked: the bot ignores this customer. Their carts make no order; their messages still arrive here." }
            }
            section aria-labelledby="addresses-title" {
                h2 #addresses-title { "Addresses used" }
                @if view.addresses.is_empty() { p.muted { "None yet." } }
                ul.addresses {
                    @for a in &view.addresses {
                        li { (a.name) ", " (a.line1) @if !a.line2.is_empty() { ", " (a.line2) } ", " (a.city) " " (a.postal_code) }
                    }
                }
            }
            section aria-labelledby="corders-title" {
                h2 #corders-title { "Orders" }
                @if view.orders.is_empty() { p.muted { "No orders yet." } }
                ul.customer-orders {
                    @for o in &view.orders {
                        li data-number=(o.number) {
                            a href={"/orders/" (o.number)} { "#" (o.number) }
                            " " (payment_badge(o)) " "
                            span class={"stage stage-" (o.status.as_str())} { (o.status.label()) }
                            " " span.total { (money(o.total_minor, o, local)) }
                            " " span.muted { (local_time(o.created_at, local)) }
                            @if let Some(f) = &o.feedback {
                                @if let Some(r) = f.rating {
                                    " " span.order-rating title={"Rated " (r) " out of 5"} { "★ " (r) "/5" }
                                    @if let Some(comment) = &f.comment {
                                        " " q.order-comment { (comment) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            section aria-labelledby="conv-title" {
                h2 #conv-title { "Conversation" }
                @if view.messages.is_empty() { p.muted { "No messages yet." } }
                ol.timeline.chat {
                    @for m in &view.messages { (chat_message(m, m.created_at, chrono::Utc::now(), true, local)) }
                }
            }
        }
    };
    layout(Page {
        title: &name,
        staff: Some(staff),
        body,
        last_event_id: None,
        page: "customer",
    })
}

pub async fn block(
    State(state): State<AppState>,
    Path(wa_id): Path<String>,
    f: StaffForm<BlockForm>,
) -> Result<Response, ApiError> {
    let blocked = match f.form.blocked.as_str() {
        "true" => true,
        "false" => false,
        _ => return render(&state, &f.staff, &wa_id, Some("Choose Block or Unblock.")).await,
    };
    match state
        .engine
        .set_customer_blocked(&wa_id, blocked, &f.staff.user.email, Utc::now())
        .await
    {
        Ok(_) => Ok(redirect(&href(&wa_id))),
        Err(EngineError::Store(StoreError::NotFound)) => {
            render(&state, &f.staff, &wa_id, None).await
        }
        Err(e) => Err(e.into()),
    }
}
