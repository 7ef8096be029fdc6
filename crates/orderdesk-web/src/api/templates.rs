//! `/api/v1/templates`: the texts customers receive, editable per language.
//!
//! Every key has a built-in English text; a business replaces it for any
//! language, turns it off, or names the approved WhatsApp template to send
//! for it outside the 24-hour window.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::Utc;
use orderdesk_engine::texts::{default_body, unknown_placeholders, DEFAULTS, PLACEHOLDERS};
use orderdesk_store::MessageTemplate;
use orderdesk_whatsapp::TEMPLATE_NAME_MAX;
use serde::{Deserialize, Serialize};

use super::schema::TEMPLATE_BODY_MAX;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::ApiJson;
use crate::routes::{Auth, Routes};
use crate::AppState;

/// Meta's template language codes are short (`en`, `pt_BR`, `zh_HK`).
const LANGUAGE_CODE_MAX: usize = 15;

pub(crate) fn routes() -> Routes<AppState> {
    Routes::new()
        .get("/api/v1/templates", Auth::Token, list)
        .put("/api/v1/templates/{key}/{language}", Auth::Token, save)
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
    let default = default_body(&key)
        .ok_or_else(|| ApiError::not_found(format!("no customer text is called {key:?}")))?;
    let invalid = |m: String| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_request", m);
    let language_ok = (2..=8).contains(&language.len())
        && language
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if !language_ok {
        return Err(invalid(format!(
            "{language:?} is not a language code like en or pt_BR"
        )));
    }
    let store = state.engine.store();
    let current = store
        .message_templates()
        .await?
        .into_iter()
        .find(|t| t.key == key && t.language == language);
    let mut next = current.clone().unwrap_or(MessageTemplate {
        key: key.clone(),
        language: language.clone(),
        body: None,
        enabled: true,
        whatsapp_template: None,
        whatsapp_language: None,
        updated_at: Utc::now(),
    });
    if let Some(body) = change.body {
        if let Some(text) = &body {
            if text.trim().is_empty() || text.chars().count() > TEMPLATE_BODY_MAX {
                return Err(invalid(format!(
                    "body must be 1 to {TEMPLATE_BODY_MAX} characters"
                )));
            }
            let unknown = unknown_placeholders(text);
            if !unknown.is_empty() {
                return Err(invalid(format!(
                    "unknown placeholder(s) {unknown:?}; use {}",
                    PLACEHOLDERS
                        .iter()
                        .map(|p| format!("{{{p}}}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )));
            }
        }
        next.body = body;
    }
    if let Some(enabled) = change.enabled {
        next.enabled = enabled;
    }
    if let Some(name) = change.whatsapp_template {
        if name
            .as_ref()
            .is_some_and(|n| n.chars().count() > TEMPLATE_NAME_MAX)
        {
            return Err(invalid(format!(
                "whatsapp_template must be at most {TEMPLATE_NAME_MAX} characters"
            )));
        }
        next.whatsapp_template = name.filter(|n| !n.trim().is_empty());
    }
    if let Some(lang) = change.whatsapp_language {
        if lang
            .as_ref()
            .is_some_and(|l| l.chars().count() > LANGUAGE_CODE_MAX)
        {
            return Err(invalid(format!(
                "whatsapp_language must be at most {LANGUAGE_CODE_MAX} characters"
            )));
        }
        next.whatsapp_language = lang.filter(|n| !n.trim().is_empty());
    }
    next.updated_at = Utc::now();
    store.put_message_template(&next).await?;
    Ok(Json(view(&key, default, Some(&next), &language)))
}
