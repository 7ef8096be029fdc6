//! The "Customer texts" section of `/settings`: pick a text, edit it for a
//! language, and read it as a customer would while typing.
//!
//! The preview is rendered by the server (`POST /settings/texts/preview`,
//! the same use-case as `POST /api/v1/templates/preview`), so the
//! placeholders and the sample values (amounts in the business's locale)
//! have one source; the page carries no list of its own. Saving goes
//! through the same use-case as `PUT /api/v1/templates/{key}/{language}`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::Utc;
use maud::{html, Markup};
use orderdesk_engine::texts::{self, default_body, TextChange, TextError, DEFAULTS};
use serde::{Deserialize, Serialize};

use super::admin::Flash;
use super::session::{Staff, StaffForm};
use crate::api::templates::{sample_currency, text_error};
use crate::AppState;

/// What the section shows: the text chosen and, after a refused save, the
/// body as the person wrote it (so nothing typed is lost).
#[derive(Default)]
pub(super) struct Editing {
    pub key: Option<String>,
    pub body: Option<String>,
    /// The language being edited; the business's when `None`.
    pub language: Option<String>,
}

/// Languages offered for editing besides the ones texts are stored in:
/// those `orderdesk_domain::language::detect` can tell customers write in.
const SUGGESTED_LANGUAGES: &[&str] = &[
    "en", "hi", "bn", "ta", "te", "kn", "ml", "gu", "pa", "or", "ur", "ar", "pt_BR", "es", "id",
];

/// Each text's body per language, as JSON for the page's script: the
/// stored ones, and under `"*"` the one a language without its own gets.
fn bodies_json(key: &str, stored: &[orderdesk_store::MessageTemplate], fallback: &str) -> String {
    let mut map = serde_json::Map::new();
    map.insert("*".to_owned(), fallback.into());
    for t in stored.iter().filter(|t| t.key == key) {
        if let Some(body) = &t.body {
            map.insert(t.language.clone(), body.clone().into());
        }
    }
    serde_json::Value::Object(map).to_string()
}

/// The language the bot writes in now (`ORDERDESK_LANGUAGE`).
fn language(state: &AppState) -> String {
    state
        .engine
        .settings()
        .value("ORDERDESK_LANGUAGE")
        .unwrap_or_else(|| "en".to_owned())
}

pub(super) async fn section(state: &AppState, staff: &Staff, editing: Editing) -> Markup {
    let business = language(state);
    let language = editing
        .language
        .clone()
        .filter(|l| !l.trim().is_empty())
        .unwrap_or_else(|| business.clone());
    let stored = state
        .engine
        .store()
        .message_templates()
        .await
        .unwrap_or_default();
    // The body in force for the language edited, as the bot picks it.
    let body_in = |key: &str, language: &str| -> String {
        [language, business.as_str(), "en"]
            .iter()
            .find_map(|l| {
                stored
                    .iter()
                    .find(|t| t.key == key && t.language == *l)
                    .and_then(|t| t.body.clone())
            })
            .or_else(|| default_body(key).map(str::to_owned))
            .unwrap_or_default()
    };
    let body_of = |key: &str| body_in(key, &language);
    let mut languages: Vec<String> = SUGGESTED_LANGUAGES
        .iter()
        .map(|l| (*l).to_owned())
        .collect();
    for l in stored
        .iter()
        .map(|t| &t.language)
        .chain([&business, &language])
    {
        if !languages.contains(l) {
            languages.push(l.clone());
        }
    }
    let chosen = editing
        .key
        .filter(|k| default_body(k).is_some())
        .unwrap_or_else(|| "order_received".to_owned());
    let body = editing.body.unwrap_or_else(|| body_of(&chosen));
    let local = state.engine.settings().local();
    let preview = texts::preview_for(&chosen, &body, &local, sample_currency(state).await);
    let limit = orderdesk_domain::label_limit(&chosen);
    html! {
        section.settings-group #texts aria-labelledby="g-texts" {
            h2 #g-texts { "Customer texts" }
            p.muted.small {
                "What the bot writes to customers. Write " code { "{number}" } ", " code { "{total}" }
                " and the other placeholders where the order's values go; the preview fills them with sample values as you type."
            }
            form #text-form method="post" action="/settings/texts" {
                input type="hidden" name="csrf" value=(staff.csrf);
                div.setting {
                    label for="text-key" { "Text" }
                    select #text-key name="key" {
                        @for (key, _) in DEFAULTS {
                            option value=(key) data-body=(body_of(key))
                                data-bodies=(bodies_json(key, &stored, &body_in(key, &business)))
                                data-max=[orderdesk_domain::label_limit(key).map(|l| l.max)]
                                data-what=[orderdesk_domain::label_limit(key).map(|l| l.what)]
                                selected[*key == chosen] { (key) }
                        }
                    }
                }
                div.setting {
                    label for="text-language" { "Language" }
                    input #text-language type="text" name="language" value=(language) maxlength="8" autocomplete="off" list="text-languages";
                    datalist #text-languages {
                        @for l in &languages { option value=(l) {} }
                    }
                    p.small.muted { "Customers get texts in their language (from their first message, or as set in the inbox); without one, in " code { (business) } "." }
                }
                div.setting {
                    label for="text-body" { "Text the customer receives" }
                    textarea #text-body name="body" rows="3" maxlength=(texts::BODY_MAX) aria-describedby="text-preview-error" { (body) }
                    p.small.muted #text-limit {
                        @if let Some(l) = limit { "A label: " (l.what) " may have at most " (l.max) " characters (WhatsApp's limit). " }
                        "Leave it empty to go back to the built-in text."
                    }
                }
                div.setting {
                    h3.small { "Preview" }
                    @match &preview {
                        Ok(text) => {
                            blockquote.preview #text-preview aria-live="polite" { (text) }
                            p.error #text-preview-error role="alert" hidden {}
                        }
                        Err(e) => {
                            blockquote.preview #text-preview aria-live="polite" hidden {}
                            p.error #text-preview-error role="alert" { (e.to_string()) }
                        }
                    }
                }
                button.primary type="submit" { "Save text" }
            }
        }
    }
}

/// The posted text.
#[derive(Deserialize)]
pub struct TextForm {
    // Defaults, so an agent's post is refused for who they are (403)
    // before what they sent is judged.
    #[serde(default)]
    key: String,
    #[serde(default)]
    language: String,
    #[serde(default)]
    body: String,
}

pub async fn save(State(state): State<AppState>, f: StaffForm<TextForm>) -> Response {
    let staff = &f.staff;
    if let Some(refused) = f.refused_unless_manager("change customer texts") {
        return refused;
    }
    let form = f.form;
    // The textarea starts filled, so an emptied one asks for the built-in
    // text back.
    let body = Some(Some(form.body.clone()).filter(|b| !b.trim().is_empty()));
    let change = TextChange {
        body,
        ..TextChange::default()
    };
    let store = state.engine.store().as_ref();
    let language = form.language.trim();
    let saved = texts::save(store, &form.key, language, change, Utc::now()).await;
    let (flash, status, editing) = match saved {
        Ok(_) => {
            tracing::info!(by = %staff.user.email, key = %form.key, "customer text changed");
            let flash = Flash::Info(format!("The text {} ({language}) is saved.", form.key));
            let editing = Editing {
                key: Some(form.key),
                body: None,
                language: Some(language.to_owned()),
            };
            (flash, StatusCode::OK, editing)
        }
        Err(TextError::Store(e)) => return crate::error::ApiError::from(e).into_response(),
        Err(e) => {
            let status = match e {
                TextError::UnknownKey(_) => StatusCode::NOT_FOUND,
                _ => StatusCode::UNPROCESSABLE_ENTITY,
            };
            let flash = Flash::Error(format!("The text was not saved: {e}."));
            let editing = Editing {
                key: Some(form.key),
                body: Some(form.body),
                language: Some(language.to_owned()),
            };
            (flash, status, editing)
        }
    };
    let section = section(&state, staff, editing).await;
    super::settings::page(&state, staff, flash, status, section).await
}

/// The body to preview.
#[derive(Deserialize)]
pub struct PreviewForm {
    #[serde(default)]
    body: String,
    /// The text's key: a label is checked against WhatsApp's limit.
    #[serde(default)]
    key: String,
}

#[derive(Serialize)]
pub struct Preview {
    text: String,
}

/// The body with sample values as JSON, or the 422 naming unknown
/// placeholders and listing the known ones.
pub async fn preview(State(state): State<AppState>, f: StaffForm<PreviewForm>) -> Response {
    if let Some(refused) = f.refused_unless_manager("change customer texts") {
        return refused;
    }
    let local = state.engine.settings().local();
    let currency = sample_currency(&state).await;
    match texts::preview_for(&f.form.key, &f.form.body, &local, currency) {
        Ok(text) => Json(Preview { text }).into_response(),
        Err(e) => text_error(e).into_response(),
    }
}
