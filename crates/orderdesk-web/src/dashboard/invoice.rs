//! The order window's invoice: a download link in the Payment panel once
//! the order is paid (and so invoiced), one per credit note of a returned
//! refund, and the downloads themselves.

use axum::extract::{Path, State};
use axum::response::Response;
use maud::{html, Markup};
use orderdesk_domain::{Local, Money, Order};

use super::session::Staff;
use crate::error::ApiResult;
use crate::AppState;

/// "Download invoice INV-2026-00001", when the order has one, and a
/// "Credit note CN-2026-00001 (₹200.00)" link per refund that has one.
pub(super) fn download(o: &Order, local: &Local) -> Markup {
    html! {
        @if let Some(number) = &o.invoice_number {
            p.invoice {
                a #invoice-download.button href={"/orders/" (o.number) "/invoice.pdf"} download {
                    "Download invoice " (number) " (PDF)"
                }
            }
        }
        @for (refund, note) in o.refunds.iter().filter_map(|r| Some((r, r.credit_note.as_deref()?))) {
            p.invoice {
                a.credit-note href={"/orders/" (o.number) "/credit-notes/" (note) ".pdf"} download {
                    "Credit note " (note) " (" (local.money(Money::from_minor(refund.amount_minor, o.currency))) ", PDF)"
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

/// `GET /orders/{number}/credit-notes/{file}`: a credit note, for staff.
pub async fn credit_note_pdf(
    State(state): State<AppState>,
    _staff: Staff,
    Path((number, file)): Path<(String, String)>,
) -> ApiResult<Response> {
    crate::api::invoices::credit_note_of(&state, &number, &file).await
}
