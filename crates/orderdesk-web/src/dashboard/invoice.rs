//! The order window's invoice: a download link in the Payment panel once
//! the order is paid (and so invoiced), and the download itself.

use axum::extract::{Path, State};
use axum::response::Response;
use maud::{html, Markup};
use orderdesk_domain::Order;

use super::session::Staff;
use crate::error::ApiResult;
use crate::AppState;

/// "Download invoice INV-2026-00001", when the order has one.
pub(super) fn download(o: &Order) -> Markup {
    html! {
        @if let Some(number) = &o.invoice_number {
            p.invoice {
                a #invoice-download.button href={"/orders/" (o.number) "/invoice.pdf"} download {
                    "Download invoice " (number) " (PDF)"
                }
            }
        }
    }
}

/// `GET /orders/{number}/invoice.pdf`: the PDF, for staff.
pub async fn pdf(
    State(state): State<AppState>,
    _staff: Staff,
    Path(number): Path<String>,
) -> ApiResult<Response> {
    crate::api::invoices::invoice_of(&state, &number).await
}
