//! Packing slips: a printable page per order (`GET /orders/{n}/slip`) and
//! one for the table view's selection (`POST /orders/slips`), one slip per
//! printed page: the order number in large type, the items with their
//! quantities, the delivery address in large type, the note. Print CSS
//! fits A4 and 4×6 in label printers (the page has no header or menu).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{html, Markup, PreEscaped, DOCTYPE};
use orderdesk_domain::{Order, OrderNumber};

use super::order_form::{invalid, Fields};
use super::session::{Staff, StaffForm};
use super::views::customer_name;
use crate::error::ApiError;
use crate::AppState;

/// Most slips one page prints (a bulk selection is bounded the same way).
pub(super) const MAX_SLIPS: usize = 200;

pub async fn one(
    State(state): State<AppState>,
    staff: Staff,
    Path(number): Path<String>,
) -> Response {
    let Some(number) = OrderNumber::parse(&number) else {
        return super::order::not_found(&staff);
    };
    match super::order_form::visible_order(&state, &staff, number).await {
        Ok(order) => page(&[order]).into_response(),
        Err(response) => response,
    }
}

pub async fn many(State(state): State<AppState>, f: StaffForm<Fields>) -> Response {
    let result = async {
        let numbers: Vec<&str> = f
            .form
            .iter()
            .filter(|(k, _)| k == "numbers")
            .map(|(_, v)| v.as_str())
            .collect();
        if numbers.is_empty() {
            return Err(invalid("select at least one order first"));
        }
        if numbers.len() > MAX_SLIPS {
            return Err(invalid(format!(
                "at most {MAX_SLIPS} packing slips print at once"
            )));
        }
        let viewer = f.staff.viewer();
        let mut orders = Vec::with_capacity(numbers.len());
        for raw in numbers {
            let number = OrderNumber::parse(raw.trim())
                .ok_or_else(|| invalid(format!("{raw:?} is not an order number")))?;
            // Orders not there (or not this viewer's) are left out.
            match state.engine.order_for(&viewer, number).await {
                Ok(o) => orders.push(o),
                Err(orderdesk_engine::EngineError::Store(
                    orderdesk_store::StoreError::NotFound,
                )) => {}
                Err(e) => return Err(ApiError::from(e)),
            }
        }
        Ok(orders)
    }
    .await;
    match result {
        Ok(orders) => page(&orders).into_response(),
        Err(e) => (
            e.status,
            super::views::message_page("No packing slips", &super::order::sentence(&e.message)),
        )
            .into_response(),
    }
}

fn page(orders: &[Order]) -> (StatusCode, Markup) {
    let title = match orders {
        [one] => format!("Packing slip #{}", one.number),
        _ => format!("{} packing slips", orders.len()),
    };
    let body = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · orderdesk" }
                link rel="stylesheet" href=(super::css_path());
                script src=(super::js_path()) defer {}
            }
            body.slips data-page="slips" {
                p.no-print.slip-tools {
                    button #print-slips.primary type="button" { "Print on A4" }
                    " " button #print-label type="button" { "Print 4×6 in labels" }
                    " " a href="/orders" { "← Orders" }
                }
                @for o in orders { (slip(o)) }
            }
        }
    };
    (StatusCode::OK, body)
}

/// The order number as a Code 128 barcode (scanners at the packing table
/// type it back) and a QR code (phones read it), both drawn as inline SVG
/// by the domain's encoders.
fn codes(o: &Order) -> Markup {
    let number = o.number.to_string();
    let barcode = orderdesk_domain::barcode::code128_svg(&number, 50);
    let qr = orderdesk_domain::qr::QrCode::encode(&number).map(|q| q.svg(&number));
    html! {
        div.slip-codes {
            @if let Some(svg) = barcode {
                figure.slip-barcode { (PreEscaped(svg)) figcaption { (number) } }
            }
            @if let Some(svg) = qr {
                figure.slip-qr { (PreEscaped(svg)) }
            }
        }
    }
}

fn slip(o: &Order) -> Markup {
    html! {
        article.slip data-number=(o.number) {
            div.slip-head {
                span.slip-number { "#" (o.number) }
                span.slip-date { (o.created_at.format("%Y-%m-%d")) }
            }
            (codes(o))
            section.slip-to aria-label="Deliver to" {
                @match &o.address {
                    Some(a) => {
                        div.slip-name { (a.name) }
                        div { (a.line1) }
                        @if !a.line2.is_empty() { div { (a.line2) } }
                        div { (a.city) @if !a.state.is_empty() { ", " (a.state) } " " (a.postal_code) }
                        div { (a.country_name().unwrap_or(a.country.as_str())) }
                        @if !a.phone.is_empty() { div.slip-phone { "☎ " (a.phone) } }
                    }
                    None => {
                        div.slip-name { (customer_name(o)) }
                        div.slip-missing { "No delivery address yet" }
                    }
                }
            }
            table.slip-items {
                thead { tr { th scope="col" { "Qty" } th scope="col" { "Item" } } }
                tbody {
                    @for i in &o.items {
                        tr { td.slip-qty { (i.quantity) } td { (i.name) " " span.muted.small { (i.retailer_id) } } }
                    }
                }
            }
            @if let Some(note) = &o.note {
                p.slip-note { "Note: " (note) }
            }
        }
    }
}
