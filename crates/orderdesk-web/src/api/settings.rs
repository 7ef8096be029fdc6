//! `/api/v1/settings`: the business's settings, layered over the
//! environment (see `orderdesk_engine::settings`). API tokens are made by
//! owners and admins only, so a bearer token may read and change them.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chrono::Utc;
use orderdesk_engine::settings::{SettingView, SettingsError};
use serde::{Deserialize, Serialize};

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::ApiJson;
use crate::routes::{Auth, Routes};
use crate::AppState;

pub(crate) fn routes() -> Routes<AppState> {
    Routes::new()
        .get("/api/v1/settings", Auth::Token, show)
        .put("/api/v1/settings", Auth::Token, change)
}

/// Every setting with its value in force and where it comes from.
#[derive(Serialize, utoipa::ToSchema)]
pub struct SettingList {
    settings: Vec<SettingView>,
}

/// Settings to change together, by name: a string sets one (an empty
/// string or `null` forgets the stored value, so the default applies).
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SettingsChange {
    #[schema(example = json!({"ORDERDESK_TIMEZONE": "Asia/Kolkata"}))]
    settings: BTreeMap<String, Option<String>>,
}

impl From<SettingsError> for ApiError {
    fn from(e: SettingsError) -> Self {
        let message = e.to_string();
        match e {
            SettingsError::Unknown { .. } | SettingsError::Invalid(_) => {
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_request", message)
            }
            SettingsError::FixedByEnvironment { .. } | SettingsError::AtStart { .. } => {
                ApiError::new(StatusCode::CONFLICT, "conflict", message)
            }
            SettingsError::Store(e) => e.into(),
        }
    }
}

/// Every setting as it is in force.
#[utoipa::path(get, path = "/api/v1/settings", tag = "settings", security(("bearer" = [])),
    responses((status = 200, body = SettingList), (status = 401, body = ErrorBody)))]
pub async fn show(State(state): State<AppState>, _caller: Caller) -> ApiResult<Json<SettingList>> {
    Ok(Json(SettingList {
        settings: state.engine.settings().view(),
    }))
}

/// Change settings together; all or nothing.
#[utoipa::path(put, path = "/api/v1/settings", tag = "settings", request_body = SettingsChange,
    security(("bearer" = [])),
    responses((status = 200, body = SettingList), (status = 401, body = ErrorBody),
        (status = 409, description = "fixed by the environment or read only at start", body = ErrorBody),
        (status = 422, description = "unknown setting or a value that does not parse", body = ErrorBody)))]
pub async fn change(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(change): ApiJson<SettingsChange>,
) -> ApiResult<Json<SettingList>> {
    let settings = state.engine.settings();
    settings
        .update(
            state.engine.store().as_ref(),
            change.settings,
            &caller.name,
            Utc::now(),
        )
        .await?;
    Ok(Json(SettingList {
        settings: settings.view(),
    }))
}
