//! `/api/v1/templates`: the texts customers receive, editable per language.
//!
//! Every key has a built-in English text; a business replaces it for any
//! language, turns it off, or names the approved WhatsApp template to send
//! for it outside the 24-hour window.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::Utc;
use orderdesk_domain::Currency;
use orderdesk_engine::texts::{self, default_body, TextChange, TextError, DEFAULTS};
use orderdesk_store::{MessageTemplate, OrderQuery};
use serde::{Deserialize, Serialize};

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::ApiJson;
use crate::routes::{Auth, Routes};
use crate::AppState;

pub(crate) fn routes() -> Routes<AppState> {
    Routes::new()
        .get("/api/v1/templates", Auth::Token, list)
        .put("/api/v1/templates/{key}/{language}", Auth::Token, save)
        .post("/api/v1/templates/preview", Auth::Token, preview)
}

/// One text as it is in force.
#[derive(Serialize, utoipa::ToSchema)]
pub struct TemplateView {
    key: String,
    language: String,
    /// The text sent (the business's, else the built-in one).
    body: String,
    default_body: String,
    /// Whether the business changed the body.
    customised: bool,
    enabled: bool,
    whatsapp_template: Option<String>,
    whatsapp_language: Option<String>,
}

/// A change to one text; omitted fields keep their value, `"body": null`
/// restores the built-in text.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TemplateChange {
    /// The text; `{number}`, `{total}`, … are filled in. `null` restores the built-in one.
    #[serde(default, with = "double_option")]
    #[schema(schema_with = super::schema::template_body)]
    body: Option<Option<String>>,
    enabled: Option<bool>,
    #[serde(default, with = "double_option")]
    // 512 = TEMPLATE_NAME_MAX (utoipa takes a literal here).
    #[schema(value_type = Option<String>, max_length = 512)]
    whatsapp_template: Option<Option<String>>,
    #[serde(default, with = "double_option")]
    // 15 = LANGUAGE_CODE_MAX.
    #[schema(value_type = Option<String>, max_length = 15)]
    whatsapp_language: Option<Option<String>>,
}

/// Every text in force.
#[derive(Serialize, utoipa::ToSchema)]
pub struct TemplateList {
    templates: Vec<TemplateView>,
}

/// Tells "absent" (keep) from `null` (clear).
pub(crate) mod double_option {
    use serde::{Deserialize, Deserializer};

    pub fn deserialize<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
    where
        D: Deserializer<'de>,
        T: Deserialize<'de>,
    {
        Option::<T>::deserialize(d).map(Some)
    }
}

fn view(
    key: &str,
    default: &str,
    stored: Option<&MessageTemplate>,
    language: &str,
) -> TemplateView {
    let body = stored.and_then(|t| t.body.clone());
    TemplateView {
        key: key.to_owned(),
        language: language.to_owned(),
        customised: body.is_some(),
        body: body.unwrap_or_else(|| default.to_owned()),
        default_body: default.to_owned(),
        enabled: stored.is_none_or(|t| t.enabled),
        whatsapp_template: stored.and_then(|t| t.whatsapp_template.clone()),
        whatsapp_language: stored.and_then(|t| t.whatsapp_language.clone()),
    }
}

/// Every text in English, plus every language the business has edited.
#[utoipa::path(get, path = "/api/v1/templates", tag = "templates", security(("bearer" = [])),
    responses((status = 200, body = TemplateList), (status = 401, body = ErrorBody)))]
pub async fn list(State(state): State<AppState>, _caller: Caller) -> ApiResult<Json<TemplateList>> {
    let stored = state.engine.store().message_templates().await?;
    let mut languages: Vec<String> = stored.iter().map(|t| t.language.clone()).collect();
    languages.push("en".to_owned());
    languages.sort();
    languages.dedup();
    let mut out = Vec::new();
    for language in &languages {
        for (key, default) in DEFAULTS {
            let own = stored
                .iter()
                .find(|t| t.key == *key && t.language == *language);
            if language == "en" || own.is_some() {
                out.push(view(key, default, own, language));
            }
        }
    }
    Ok(Json(TemplateList { templates: out }))
}

/// Change one text in one language.
#[utoipa::path(put, path = "/api/v1/templates/{key}/{language}", tag = "templates",
    params(("key" = String, Path, description = "e.g. stage.shipped"), ("language" = String, Path, pattern = "^[A-Za-z0-9_-]{2,8}$", description = "e.g. en, hi, pt_BR")),
    request_body = TemplateChange, security(("bearer" = [])),
    responses((status = 200, body = TemplateView), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn save(
    State(state): State<AppState>,
    _caller: Caller,
    Path((key, language)): Path<(String, String)>,
    ApiJson(change): ApiJson<TemplateChange>,
) -> ApiResult<Json<TemplateView>> {
    let change = TextChange {
        body: change.body,
        enabled: change.enabled,
        whatsapp_template: change.whatsapp_template,
        whatsapp_language: change.whatsapp_language,
    };
    let saved = texts::save(
        state.engine.store().as_ref(),
        &key,
        &language,
        change,
        Utc::now(),
    )
    .await
    .map_err(text_error)?;
    let default = default_body(&key).unwrap_or_default();
    Ok(Json(view(&key, default, Some(&saved), &language)))
}

/// A refused text change or preview as the API answers it.
pub(crate) fn text_error(e: TextError) -> ApiError {
    match e {
        TextError::UnknownKey(_) => ApiError::not_found(e.to_string()),
        TextError::Store(e) => ApiError::from(e),
        e => ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_request",
            e.to_string(),
        ),
    }
}

/// The longest key a preview names (no text's key comes near it).
const MAX_KEY: usize = 64;

/// A body to preview.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PreviewRequest {
    /// The text with its `{placeholders}`.
    #[schema(schema_with = super::schema::template_body)]
    body: String,
    /// The text's key, if any: a button or list label (`button.pay_now`) is
    /// checked against WhatsApp's limit (422 naming it).
    #[serde(default)]
    #[schema(max_length = 64)] // MAX_KEY
    key: Option<String>,
}

/// A body as a customer would read it.
#[derive(Serialize, utoipa::ToSchema)]
pub struct PreviewView {
    /// The body with sample values in the business's locale (`₹3,097.00`).
    text: String,
}

/// The currency sample amounts are shown in: the newest order's, else
/// the catalog's, else Indian rupees (most businesses here sell in them).
pub(crate) async fn sample_currency(state: &AppState) -> Currency {
    let store = state.engine.store();
    let query = OrderQuery {
        limit: 1,
        ..OrderQuery::default()
    };
    if let Some(o) = store
        .list_orders(&query)
        .await
        .ok()
        .and_then(|p| p.orders.into_iter().next())
    {
        return o.currency;
    }
    Currency::INR
}

/// A text rendered with sample values, to see it before saving.
#[utoipa::path(post, path = "/api/v1/templates/preview", tag = "templates",
    request_body = PreviewRequest, security(("bearer" = [])),
    responses((status = 200, body = PreviewView), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn preview(
    State(state): State<AppState>,
    _caller: Caller,
    ApiJson(request): ApiJson<PreviewRequest>,
) -> ApiResult<Json<PreviewView>> {
    let local = state.engine.settings().local();
    let currency = sample_currency(&state).await;
    let key = request.key.as_deref().unwrap_or_default();
    if key.chars().count() > MAX_KEY {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_request",
            format!("key: at most {MAX_KEY} characters (a text's key, like button.pay_now)"),
        ));
    }
    let text = texts::preview_for(key, &request.body, &local, currency).map_err(text_error)?;
    Ok(Json(PreviewView { text }))
}
