//! Invoice PDFs: `GET /api/v1/orders/{number}/invoice.pdf` for
//! integrations, and `GET /invoices/{token}.pdf`, the signed, expiring link
//! a customer gets in WhatsApp (no login: the token is the credential; a
//! wrong or expired one is 404, as the issue asks: a link that opens
//! nothing needs no second status for a customer to tell apart). The dashboard's download
//! (`/orders/{number}/invoice.pdf`) answers with [`pdf_response`] too.

use axum::extract::{Path, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use orderdesk_engine::invoices::InvoiceFile;
use orderdesk_engine::EngineError;
use orderdesk_store::StoreError;

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::routes::{Auth, Routes};
use crate::AppState;

pub(crate) fn routes() -> Routes<AppState> {
    Routes::new()
        .get("/api/v1/orders/{number}/invoice.pdf", Auth::Token, invoice)
        .get("/invoices/{file}", Auth::SignedLink, shared_invoice)
}

/// The PDF as a download named by its invoice number; never cached by a
/// shared cache (it holds the customer's address).
pub(crate) fn pdf_response(file: InvoiceFile) -> Response {
    (
        [
            (CONTENT_TYPE, "application/pdf".to_owned()),
            (
                CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}\"", file.file_name),
            ),
            (CACHE_CONTROL, "private, no-store".to_owned()),
        ],
        file.pdf,
    )
        .into_response()
}

/// The invoice of order `raw`, or why there is none, for staff and tokens.
pub(crate) async fn invoice_of(state: &AppState, raw: &str) -> ApiResult<Response> {
    let number = super::orders::parse_number(raw)?;
    match state.engine.invoice_pdf(number).await {
        Ok(file) => Ok(pdf_response(file)),
        Err(EngineError::Store(StoreError::NotFound)) => {
            Err(ApiError::not_found(format!("no order #{number}")))
        }
        Err(e) => Err(e.into()),
    }
}

/// A paid order's invoice as a PDF (`application/pdf`, named
/// `INV-2026-00001.pdf`); 404 for an order not paid yet.
#[utoipa::path(get, path = "/api/v1/orders/{number}/invoice.pdf", tag = "orders",
    params(("number" = i64, Path, minimum = 1001, description = "Order number")),
    security(("bearer" = [])),
    responses(
        (status = 200, body = [u8], content_type = "application/pdf", description = "The invoice"),
        (status = 404, body = ErrorBody, description = "No such order, or not paid (so not invoiced) yet"),
        (status = 401, body = ErrorBody)))]
pub async fn invoice(
    State(state): State<AppState>,
    _caller: Caller,
    Path(number): Path<String>,
) -> ApiResult<Response> {
    invoice_of(&state, &number).await
}

/// `/invoices/{token}.pdf`: the customer's copy.
async fn shared_invoice(
    State(state): State<AppState>,
    Path(file): Path<String>,
) -> ApiResult<Response> {
    let token = file
        .strip_suffix(".pdf")
        .ok_or_else(|| ApiError::not_found("this link is not valid"))?;
    match state.engine.invoice_pdf_for_link(token, Utc::now()).await {
        Ok(file) => Ok(pdf_response(file)),
        Err(EngineError::Token(t)) => Err(ApiError::not_found(format!(
            "{t}: ask the shop for a new invoice link"
        ))),
        Err(e) => Err(e.into()),
    }
}
