//! Invoice PDFs: `GET /api/v1/orders/{number}/invoice.pdf` for
//! integrations, and `GET /invoices/{token}.pdf`, the signed, expiring link
//! a customer gets in WhatsApp (no login: the token is the credential; a
//! wrong or expired one is 404, as issue #15 names it). Credit notes:
//! `GET /api/v1/orders/{number}/credit-notes/{CN-…}.pdf`. The dashboard's
//! downloads (`/orders/{number}/invoice.pdf`, `…/credit-notes/…`) answer
//! with [`pdf_response`] too.

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
        .get(
            "/api/v1/orders/{number}/credit-notes/{file}",
            Auth::Token,
            credit_note,
        )
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
    answer(state.engine.invoice_pdf(number).await, number)
}

/// A document of order `number` as the download, or why there is none.
fn answer(
    file: Result<InvoiceFile, EngineError>,
    number: orderdesk_domain::OrderNumber,
) -> ApiResult<Response> {
    match file {
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

/// Credit note `file` (`CN-2026-00001.pdf`) of order `raw`, or why not,
/// for staff and tokens.
pub(crate) async fn credit_note_of(state: &AppState, raw: &str, file: &str) -> ApiResult<Response> {
    let number = super::orders::parse_number(raw)?;
    let credit_note = file
        .strip_suffix(".pdf")
        .filter(|c| !c.is_empty())
        .ok_or_else(|| {
            ApiError::not_found(format!("no credit note {file:?}: name it as CN-….pdf"))
        })?;
    answer(
        state.engine.credit_note_pdf(number, credit_note).await,
        number,
    )
}

/// The credit note of one of the order's refunds as a PDF
/// (`application/pdf`, named `CN-2026-00001.pdf`); the numbers are in the
/// order's `refunds[].credit_note`. 404 for a refund not returned yet.
#[utoipa::path(get, path = "/api/v1/orders/{number}/credit-notes/{file}", tag = "orders",
    params(("number" = i64, Path, minimum = 1001, description = "Order number"),
        ("file" = String, Path, description = "The credit note number and `.pdf`: `CN-2026-00001.pdf`")),
    security(("bearer" = [])),
    responses(
        (status = 200, body = [u8], content_type = "application/pdf", description = "The credit note"),
        (status = 404, body = ErrorBody, description = "No such order, or no refund of it has this credit note"),
        (status = 401, body = ErrorBody)))]
pub async fn credit_note(
    State(state): State<AppState>,
    _caller: Caller,
    Path((number, file)): Path<(String, String)>,
) -> ApiResult<Response> {
    credit_note_of(&state, &number, &file).await
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
