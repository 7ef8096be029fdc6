//! `/healthz` for load balancers and `/metrics` for Prometheus.

use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;
use axum::Json;
use serde_json::json;

use crate::error::ApiResult;
use crate::routes::{Auth, Routes};
use crate::AppState;

pub(crate) fn routes() -> Routes<AppState> {
    Routes::new()
        .get("/healthz", Auth::Public, healthz)
        .get("/metrics", Auth::Public, metrics)
}

/// The release running, as `orderdesk --version` prints it (every crate of
/// the workspace shares one version).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// 200 when the server and its database answer; 503 otherwise. The body
/// names the version, so a rolling upgrade can be watched.
async fn healthz(State(state): State<AppState>) -> ApiResult<Json<serde_json::Value>> {
    state.engine.store().ping().await?;
    Ok(Json(json!({ "status": "ok", "version": VERSION })))
}

async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    let seq = state.engine.store().last_event_seq().await.ok();
    (
        [(CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")],
        state.metrics.render(seq),
    )
}
