//! `GET /api/v1/stats`: insights over a range of the business's days
//! (issue #18). The page `/insights` and its CSV read the same report.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use orderdesk_domain::stats::StatsReport;
use orderdesk_engine::stats::{StatsAsk, StatsError};
use serde::Deserialize;

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::ApiQuery;
use crate::routes::{Auth, Routes};
use crate::AppState;

pub(crate) fn routes() -> Routes<AppState> {
    Routes::new().get("/api/v1/stats", Auth::Token, stats)
}

#[derive(Debug, Default, Clone, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatsParams {
    /// First day, `YYYY-MM-DD` in the business's time zone (inclusive);
    /// default: 29 days before `to`.
    #[param(value_type = Option<String>, format = Date)]
    pub from: Option<String>,
    /// Last day, inclusive; default: today in the business's time zone.
    /// At most 5 years after `from`.
    #[param(value_type = Option<String>, format = Date)]
    pub to: Option<String>,
    /// `day` (default), `week` (ISO, from Monday) or `month`.
    pub bucket: Option<String>,
}

impl From<StatsError> for ApiError {
    fn from(e: StatsError) -> Self {
        match e {
            StatsError::Query(q) => Self::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_request",
                q.to_string(),
            ),
            StatsError::Store(s) => s.into(),
        }
    }
}

/// The report `params` ask for.
pub(crate) async fn load(state: &AppState, params: &StatsParams) -> ApiResult<StatsReport> {
    let ask = StatsAsk {
        from: params.from.as_deref(),
        to: params.to.as_deref(),
        bucket: params.bucket.as_deref(),
    };
    Ok(state.engine.stats(ask).await?)
}

/// Orders, revenue, the checkout funnel, payment mix, stage times, top
/// products, repeat customers, cancellations and returns over a range of
/// the business's days, with the previous period's headline figures.
#[utoipa::path(get, path = "/api/v1/stats", tag = "stats", params(StatsParams),
    security(("bearer" = [])),
    responses((status = 200, body = StatsReport), (status = 400, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn stats(
    State(state): State<AppState>,
    _caller: Caller,
    ApiQuery(params): ApiQuery<StatsParams>,
) -> ApiResult<Json<StatsReport>> {
    Ok(Json(load(&state, &params).await?))
}
