//! `GET /api/v1/doctor`: the installation's checks (`orderdesk doctor`) as
//! JSON, for the settings page and for monitoring.
//!
//! The checks need the whole configuration (tokens, provider keys, the
//! database file), which the web layer does not hold: the binary hands a
//! [`DoctorHook`] in through [`crate::WebConfig`] that runs them.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use axum::extract::State;
use axum::Json;
use serde::Serialize;

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::routes::{Auth, Routes};
use crate::AppState;

/// One answered question about the installation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct DoctorCheck {
    /// Stable id: `configuration`, `database`, `public_url_https`,
    /// `public_url_answers`, `whatsapp_number`, `webhook_subscription`,
    /// `app_secret`, `verify_token`, `payments`, `last_webhook`,
    /// `last_sent`, `disk`.
    pub id: String,
    /// The question, for people.
    pub name: String,
    pub ok: bool,
    /// What was found (when ok) or what to do.
    pub detail: String,
}

/// Every check; `ok` when all passed.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DoctorReport {
    pub ok: bool,
    pub checks: Vec<DoctorCheck>,
}

impl DoctorReport {
    pub fn new(checks: Vec<DoctorCheck>) -> Self {
        Self {
            ok: checks.iter().all(|c| c.ok),
            checks,
        }
    }
}

/// Runs every check.
pub type DoctorHook =
    Arc<dyn Fn() -> Pin<Box<dyn Future<Output = DoctorReport> + Send>> + Send + Sync>;

pub(crate) fn routes() -> Routes<AppState> {
    Routes::new().get("/api/v1/doctor", Auth::Token, doctor)
}

/// Runs the checks now (each network check waits at most 10 s; they run
/// side by side).
#[utoipa::path(get, path = "/api/v1/doctor", tag = "operations", security(("bearer" = [])),
    responses((status = 200, body = DoctorReport), (status = 401, body = ErrorBody),
        (status = 503, body = ErrorBody)))]
pub async fn doctor(
    State(state): State<AppState>,
    _caller: Caller,
) -> ApiResult<Json<DoctorReport>> {
    Ok(Json(report(&state).await?))
}

/// Runs the checks; also for the settings page's panel.
///
/// # Errors
/// 503 when the server was started without them.
pub(crate) async fn report(state: &AppState) -> ApiResult<DoctorReport> {
    let hook = state.config.doctor.clone().ok_or_else(|| {
        ApiError::new(
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            "this server was started without its checks",
        )
    })?;
    Ok(hook().await)
}
