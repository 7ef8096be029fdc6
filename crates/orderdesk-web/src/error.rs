//! One error type at the HTTP edge: every failure, malformed input included,
//! becomes `{"error": {"code", "message"}}` with a fitting status. Causes of
//! 5xx are logged here once and never sent to the client.

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use orderdesk_engine::EngineError;
use orderdesk_store::StoreError;
use serde::Serialize;

pub type ApiResult<T, E = ApiError> = std::result::Result<T, E>;

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// Stable machine-readable code, e.g. `not_found`, `illegal_transition`.
    pub code: String,
    /// One human sentence.
    pub message: String,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
        }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_request", message)
    }

    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    pub fn unavailable(message: impl Into<String>) -> Self {
        Self::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", message)
    }

    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "something went wrong on our side; it has been logged",
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code.to_owned(),
                message: self.message,
            },
        };
        (self.status, Json(body)).into_response()
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => Self::not_found("no such order"),
            StoreError::Conflict { current_version } => Self::new(
                StatusCode::CONFLICT,
                "conflict",
                format!(
                    "the order was changed by someone else meanwhile (now version {current_version}); reload and try again"
                ),
            ),
            StoreError::Duplicate(what) => {
                Self::new(StatusCode::CONFLICT, "duplicate", format!("{what} already exists"))
            }
            StoreError::Unavailable(cause) => {
                tracing::warn!(%cause, "database unavailable");
                Self::unavailable("the database is unavailable; try again shortly")
            }
            StoreError::Other(cause) => {
                tracing::error!(cause = format!("{cause:#}"), "store failure");
                Self::internal()
            }
        }
    }
}

/// An engine error as usual, except the store's "not found", which becomes
/// 404 with `message` naming what the request asked for.
pub(crate) fn not_found_with(message: String) -> impl FnOnce(EngineError) -> ApiError {
    move |e| match e {
        EngineError::Store(StoreError::NotFound) => ApiError::not_found(message),
        other => other.into(),
    }
}

impl From<EngineError> for ApiError {
    fn from(e: EngineError) -> Self {
        use orderdesk_domain::TransitionError as T;
        use orderdesk_engine::payments::PaymentActionError;
        match e {
            EngineError::Transition(t @ (T::NotAllowed { .. } | T::NotByActor { .. })) => {
                Self::new(StatusCode::CONFLICT, "illegal_transition", t.to_string())
            }
            EngineError::Transition(t) => Self::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_transition",
                t.to_string(),
            ),
            EngineError::Stale { .. } => Self::new(StatusCode::CONFLICT, "conflict", e.to_string()),
            EngineError::CodNotConfirmed(why) => {
                Self::new(StatusCode::CONFLICT, "cod_not_confirmed", why)
            }
            EngineError::Store(s) => s.into(),
            EngineError::ShuttingDown => Self::unavailable(e.to_string()),
            EngineError::Token(orderdesk_engine::form_token::TokenError::Invalid) => {
                Self::not_found("this link is not valid")
            }
            EngineError::Token(t) => Self::new(StatusCode::GONE, "expired", t.to_string()),
            EngineError::AddressLocked | EngineError::Checkout(_) => {
                Self::new(StatusCode::CONFLICT, "conflict", e.to_string())
            }
            EngineError::Note(n) => Self::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_request",
                n.to_string(),
            ),
            EngineError::Payment(
                refusal @ (PaymentActionError::NotNow(_) | PaymentActionError::NoLink),
            ) => Self::new(
                StatusCode::CONFLICT,
                "payment_action_not_possible",
                refusal.to_string(),
            ),
            EngineError::Payment(PaymentActionError::Invalid(m)) => {
                Self::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_request", m)
            }
            EngineError::Reply(r @ orderdesk_engine::ReplyError::OutsideWindow) => Self::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "outside_window",
                r.to_string(),
            ),
            EngineError::Reply(r @ orderdesk_engine::ReplyError::UnknownProducts(_)) => Self::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "unknown_product",
                r.to_string(),
            ),
            EngineError::Reply(r @ orderdesk_engine::ReplyError::NoCatalog) => Self::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "no_catalog",
                r.to_string(),
            ),
            EngineError::Reply(r @ orderdesk_engine::ReplyError::WindowOpen) => {
                Self::new(StatusCode::CONFLICT, "window_open", r.to_string())
            }
            EngineError::Reply(r @ orderdesk_engine::ReplyError::NoReopenTemplate) => {
                Self::new(StatusCode::CONFLICT, "no_template", r.to_string())
            }
            EngineError::InvalidLanguage(m) => {
                Self::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_request", m)
            }
            EngineError::Reply(r) => Self::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_request",
                r.to_string(),
            ),
            EngineError::Edit(closed @ orderdesk_domain::order::edit::EditError::Closed { .. }) => {
                Self::new(StatusCode::CONFLICT, "not_editable", closed.to_string())
            }
            EngineError::Edit(e) => Self::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_request",
                e.to_string(),
            ),
            EngineError::Bulk(e) => Self::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_request",
                e.to_string(),
            ),
            EngineError::Invoice(
                missing @ (orderdesk_engine::invoices::InvoiceError::NotYet(_)
                | orderdesk_engine::invoices::InvoiceError::NoCreditNote(..)),
            ) => Self::not_found(missing.to_string()),
            EngineError::Invoice(e) => {
                tracing::error!(error = %e, "an invoice could not be made");
                Self::internal()
            }
            EngineError::Draft(d) => draft_refusal(&d),
        }
    }
}

/// A desk action on a typed draft (#21): none 404, no longer open 409,
/// lines the catalog refuses 422 (`unknown_product` naming them).
fn draft_refusal(d: &orderdesk_engine::DraftDeskError) -> ApiError {
    use orderdesk_domain::DeskLinesError;
    use orderdesk_engine::DraftDeskError as D;
    let (status, code) = match d {
        D::NoDraft(_) => (StatusCode::NOT_FOUND, "not_found"),
        D::Placed => (StatusCode::CONFLICT, "draft_placed"),
        D::Expired => (StatusCode::CONFLICT, "draft_expired"),
        D::Lines(DeskLinesError::UnknownProducts(_)) => {
            (StatusCode::UNPROCESSABLE_ENTITY, "unknown_product")
        }
        D::Lines(_) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid_request"),
    };
    ApiError::new(status, code, d.to_string())
}

impl From<JsonRejection> for ApiError {
    fn from(r: JsonRejection) -> Self {
        Self::new(r.status(), "invalid_json", r.body_text())
    }
}

impl From<QueryRejection> for ApiError {
    fn from(r: QueryRejection) -> Self {
        Self::bad_request(r.body_text())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use orderdesk_domain::{CheckoutRefusal, OrderNumber};

    #[test]
    fn a_refused_note_is_unprocessable_and_a_refused_checkout_input_a_conflict() {
        let note = ApiError::from(EngineError::Note(orderdesk_engine::NoteError::Empty));
        assert_eq!(note.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(note.message, "the note is empty");
        let n = |v| OrderNumber::new(v).unwrap();
        let refusal = CheckoutRefusal::Superseded {
            number: n(1001),
            newer: n(1002),
        };
        let checkout = ApiError::from(EngineError::Checkout(refusal));
        assert_eq!(checkout.status, StatusCode::CONFLICT);
        assert_eq!(checkout.message, "order #1001 was replaced by order #1002");
    }
}
