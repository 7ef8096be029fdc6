//! `/orders/new`: staff take an order for a customer (by phone, in the
//! shop, from a chat) through the same use-case as `POST /api/v1/orders`:
//! it starts in Placed and the customer gets the usual checkout.
//! `?wa_id=&name=` prefill the customer (a chat's "Create order" link).

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use maud::html;
use orderdesk_engine::OrderForCustomer;
use serde::Deserialize;

use super::order_form::{self, field, Fields, Row};
use super::session::{redirect, wants_json, Staff, StaffForm};
use super::views::staff_page;
use crate::error::ApiError;
use crate::AppState;

/// Empty rows the page starts with.
const ROWS: usize = 5;

/// The customer to prefill, from a link.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Prefill {
    wa_id: String,
    name: String,
}

/// The form as typed.
#[derive(Default)]
struct Draft {
    wa_id: String,
    name: String,
    rows: Vec<Row>,
    note: String,
}

/// The link to this page with the customer filled in: the "Create order"
/// of a customer page and of an inbox conversation.
pub(crate) fn prefilled_href(wa_id: &str, name: Option<&str>) -> String {
    let query = serde_urlencoded::to_string([("wa_id", wa_id), ("name", name.unwrap_or(""))])
        .unwrap_or_default();
    format!("/orders/new?{query}")
}

pub async fn show(
    State(state): State<AppState>,
    staff: Staff,
    prefill: Result<Query<Prefill>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let prefill = prefill.map(|Query(p)| p).unwrap_or_default();
    let draft = Draft {
        wa_id: prefill.wa_id.chars().take(40).collect(),
        name: prefill.name.chars().take(100).collect(),
        ..Draft::default()
    };
    page(&state, &staff, &draft, None, StatusCode::OK).await
}

pub async fn create(State(state): State<AppState>, f: StaffForm<Fields>) -> Response {
    let rows = match order_form::rows(&f.form) {
        Ok(r) => r,
        Err(e) if wants_json(&f.headers) => return e.into_response(),
        Err(e) => {
            return page(
                &state,
                &f.staff,
                &Draft::default(),
                Some(&e.message),
                e.status,
            )
            .await
        }
    };
    let draft = Draft {
        wa_id: field(&f.form, "wa_id").to_owned(),
        name: field(&f.form, "name").to_owned(),
        rows,
        note: field(&f.form, "note").to_owned(),
    };
    let result: Result<orderdesk_domain::Order, ApiError> = async {
        let request = OrderForCustomer {
            wa_id: draft.wa_id.clone(),
            name: Some(draft.name.clone()),
            items: order_form::lines(&draft.rows, None)?,
            note: Some(draft.note.clone()),
        };
        let order = state
            .engine
            .create_order_for_customer(request, f.staff.actor())
            .await
            .map_err(ApiError::from)?;
        // An agent who sees only their own orders keeps the one they took.
        let viewer = f.staff.viewer();
        if state
            .engine
            .visible_query(&viewer, &Default::default())
            .assignee
            .is_some()
        {
            state
                .engine
                .assign_order(
                    order.number,
                    Some(&viewer.email.to_lowercase()),
                    f.staff.actor(),
                )
                .await
                .map_err(ApiError::from)?;
        }
        Ok(order)
    }
    .await;
    match result {
        Ok(order) if wants_json(&f.headers) => (
            StatusCode::CREATED,
            Json(serde_json::json!({ "ok": true, "number": order.number })),
        )
            .into_response(),
        Ok(order) => redirect(&format!("/orders/{}", order.number)),
        Err(e) if wants_json(&f.headers) => e.into_response(),
        Err(e) => {
            let message = super::order::sentence(&e.message);
            page(&state, &f.staff, &draft, Some(&message), e.status).await
        }
    }
}

async fn page(
    state: &AppState,
    staff: &Staff,
    draft: &Draft,
    error: Option<&str>,
    status: StatusCode,
) -> Response {
    let products = match state.engine.store().products().await {
        Ok(p) => p,
        Err(e) => return ApiError::from(e).into_response(),
    };
    // Not held across an await: ICU's formatter data is not `Send`.
    let local = state.engine.settings().local();
    let options = order_form::picker(&products, &local);
    let typed = draft
        .rows
        .iter()
        .filter(|r| !r.id.trim().is_empty())
        .count();
    let rows: Vec<Row> = draft
        .rows
        .iter()
        .filter(|r| !r.id.trim().is_empty())
        .cloned()
        .collect();
    let body = html! {
        main.narrow.order-new {
            p.back { a href="/orders" { "← All orders" } }
            h1 { "New order" }
            @if let Some(error) = error {
                p.alert role="alert" #new-order-error { (error) }
            }
            p.hint {
                "For an order taken by phone, in the shop or in a chat. The customer then gets the usual "
                "checkout on WhatsApp: the address link, then payment. If they have not written in the last "
                "24 hours, WhatsApp allows only the approved template set for order_received (the order's "
                "timeline says when none is set)."
            }
            @if products.is_empty() {
                p.notice #no-catalog { "The catalog is empty: import it first (orderdesk catalog import FILE.csv), then pick its products here." }
            }
            form #new-order-form.edit-form method="post" action="/orders/new" {
                input type="hidden" name="csrf" value=(staff.csrf);
                fieldset {
                    legend { "Customer" }
                    label for="new-wa-id" { "WhatsApp number, with the country code" }
                    input #new-wa-id type="tel" name="wa_id" value=(draft.wa_id) required maxlength="40"
                        placeholder="+91 99887 76655" autocomplete="off";
                    label for="new-name" { "Name (optional)" }
                    input #new-name type="text" name="name" value=(draft.name) maxlength="100" autocomplete="off";
                }
                fieldset {
                    legend { "Items" }
                    (order_form::rows_table(&rows, ROWS.saturating_sub(typed).max(1), None))
                    p.hint.small { "Pick products from the catalog; an empty quantity is 1." }
                }
                label for="new-note" { "Note (optional, shown on the order)" }
                textarea #new-note name="note" rows="2" maxlength="4000" { (draft.note) }
                div.form-buttons {
                    button.primary type="submit" { "Create order" }
                    a.button href="/orders" { "Cancel" }
                }
            }
            (order_form::catalog_list(&options))
        }
    };
    staff_page(status, staff, "New order", "order-new", body)
}
