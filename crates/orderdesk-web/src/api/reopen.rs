//! `/api/v1/conversations/{wa_id}/reopen` (issue #14): outside the 24-hour
//! window, send the `reopen_chat` text as its approved template; and
//! `/api/v1/conversations/{wa_id}/language` (issue #19): the language the
//! customer gets their texts in, which staff may set.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use orderdesk_engine::CustomerLanguageView;
use orderdesk_store::ChatMessage;
use serde::Deserialize;

use super::conversations::about;
use super::messages::ChatMessageDoc;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::ApiJson;
use crate::routes::{Auth, Routes};
use crate::AppState;

pub(crate) fn routes() -> Routes<AppState> {
    Routes::new()
        .post("/api/v1/conversations/{wa_id}/reopen", Auth::Token, reopen)
        .get(
            "/api/v1/conversations/{wa_id}/language",
            Auth::Token,
            language,
        )
        .put(
            "/api/v1/conversations/{wa_id}/language",
            Auth::Token,
            set_language,
        )
}

/// A customer's language, or `null` to forget staff's choice.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LanguageBody {
    /// A language code the texts are stored under (`hi`, `pt_BR`); `null`
    /// (or leaving it out) goes back to the guess from the customer's next
    /// message.
    #[serde(default)]
    #[schema(pattern = "^[A-Za-z0-9_-]{2,8}$")]
    language: Option<String>,
}

/// Send the `reopen_chat` text as its approved template, asking the customer
/// to write again (only outside the 24-hour window).
#[utoipa::path(post, path = "/api/v1/conversations/{wa_id}/reopen", tag = "conversations",
    params(("wa_id" = String, Path, description = "The customer's wa_id (or key)")),
    security(("bearer" = [])),
    responses((status = 202, body = ChatMessageDoc, description = "Queued: the template as the thread shows it"),
        (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "`window_open`: the customer wrote within 24 hours, reply with text; `no_template`: no approved template is named on `reopen_chat`"),
        (status = 401, body = ErrorBody)))]
pub async fn reopen(
    State(state): State<AppState>,
    _caller: Caller,
    Path(wa_id): Path<String>,
) -> ApiResult<(StatusCode, Json<ChatMessage>)> {
    let message = state
        .engine
        .send_reopen_template(&wa_id)
        .await
        .map_err(about(&wa_id))?;
    Ok((StatusCode::ACCEPTED, Json(message)))
}

/// The language the customer gets their texts in, and where it comes from.
#[utoipa::path(get, path = "/api/v1/conversations/{wa_id}/language", tag = "conversations",
    params(("wa_id" = String, Path, description = "The customer's wa_id (or key)")),
    security(("bearer" = [])),
    responses((status = 200, body = CustomerLanguageView),
        (status = 404, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn language(
    State(state): State<AppState>,
    _caller: Caller,
    Path(wa_id): Path<String>,
) -> ApiResult<Json<CustomerLanguageView>> {
    let view = state
        .engine
        .customer_language(&wa_id)
        .await
        .map_err(about(&wa_id))?;
    Ok(Json(view))
}

/// Set the customer's language (it wins over the guess from their first
/// message), or forget it with `null`.
#[utoipa::path(put, path = "/api/v1/conversations/{wa_id}/language", tag = "conversations",
    params(("wa_id" = String, Path, description = "The customer's wa_id (or key)")),
    request_body = LanguageBody, security(("bearer" = [])),
    responses((status = 200, body = CustomerLanguageView, description = "The language in force now"),
        (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "Not a language code like en or pt_BR"),
        (status = 401, body = ErrorBody)))]
pub async fn set_language(
    State(state): State<AppState>,
    _caller: Caller,
    Path(wa_id): Path<String>,
    // An object, as documented: serde would also read `[]` as a body
    // with every field left out (and so forget staff's choice).
    ApiJson(body): ApiJson<serde_json::Map<String, serde_json::Value>>,
) -> ApiResult<Json<CustomerLanguageView>> {
    let body: LanguageBody =
        serde_json::from_value(serde_json::Value::Object(body)).map_err(|e| {
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_request",
                e.to_string(),
            )
        })?;
    let language = body.language;
    if language.as_deref() == Some("") {
        // Forgetting staff's choice is `null`; an empty code is a mistake.
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_request",
            "language: a code like en or pt_BR, or null to go back to the guess",
        ));
    }
    let view = state
        .engine
        .set_customer_language(&wa_id, language.as_deref())
        .await
        .map_err(about(&wa_id))?;
    Ok(Json(view))
}
