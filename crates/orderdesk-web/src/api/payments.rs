//! `GET /api/v1/payments`: reconciliation over a period (issue #15 item 4).

use axum::extract::State;
use axum::Json;
use chrono::{Duration, NaiveDate, TimeZone, Utc};
use orderdesk_domain::{
    Currency, DaySummary, LedgerEntry, OrderNumber, OrderStatus, PaymentMethod, PaymentStatus,
    Timestamp,
};
use orderdesk_engine::reconciliation::PaymentsReport;
use serde::{Deserialize, Serialize};

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::ApiQuery;
use crate::routes::{Auth, Routes};
use crate::AppState;

pub(crate) fn routes() -> Routes<AppState> {
    Routes::new().get("/api/v1/payments", Auth::Token, report)
}

/// The period when none is given: the last week, today included.
const DEFAULT_DAYS: i64 = 7;
/// The longest period one request may ask for.
const MAX_DAYS: i64 = 366;

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PeriodParams {
    /// First day, `YYYY-MM-DD` (UTC, inclusive); default: 6 days before `to`.
    #[param(value_type = Option<String>, format = Date)]
    pub from: Option<String>,
    /// Last day, `YYYY-MM-DD` (UTC, inclusive); default: today.
    #[param(value_type = Option<String>, format = Date)]
    pub to: Option<String>,
}

/// The first and last day asked for.
pub(crate) fn period(p: &PeriodParams, today: NaiveDate) -> ApiResult<(NaiveDate, NaiveDate)> {
    let day = |name: &str, raw: Option<&str>| -> ApiResult<Option<NaiveDate>> {
        // Given but empty is as wrong as any other non-date.
        match raw.map(str::trim) {
            None => Ok(None),
            Some(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .map(Some)
                .map_err(|_| {
                    ApiError::bad_request(format!(
                        "{name} must be a date like 2026-12-06, got {s:?}"
                    ))
                }),
        }
    };
    let to = day("to", p.to.as_deref())?.unwrap_or(today);
    let from =
        day("from", p.from.as_deref())?.unwrap_or_else(|| to - Duration::days(DEFAULT_DAYS - 1));
    if from > to {
        return Err(ApiError::bad_request("from must not be after to"));
    }
    if (to - from).num_days() >= MAX_DAYS {
        return Err(ApiError::bad_request(format!(
            "a period is at most {MAX_DAYS} days"
        )));
    }
    Ok((from, to))
}

fn start(d: NaiveDate) -> Timestamp {
    Utc.from_utc_datetime(&d.and_time(chrono::NaiveTime::MIN))
}

/// The report for the period `p` asks for.
pub(crate) async fn load(state: &AppState, p: &PeriodParams) -> ApiResult<PaymentsReport> {
    let now = Utc::now();
    let (from, to) = period(p, now.date_naive())?;
    let end = to.succ_opt().unwrap_or(to);
    Ok(state
        .engine
        .payments_report(start(from), start(end), now)
        .await?)
}

/// An order whose money needs a person.
#[derive(Serialize, utoipa::ToSchema)]
pub struct AttentionItem {
    #[schema(value_type = i64)]
    number: OrderNumber,
    status: OrderStatus,
    payment_status: PaymentStatus,
    payment_method: Option<PaymentMethod>,
    #[schema(value_type = String, example = "INR")]
    currency: Currency,
    total_minor: i64,
    why: String,
}

/// Every payment event of the period, the per-day summary, and what needs
/// a person first.
#[derive(Serialize, utoipa::ToSchema)]
pub struct PaymentsBody {
    #[schema(value_type = String, format = DateTime)]
    from: Timestamp,
    /// End of the period (exclusive).
    #[schema(value_type = String, format = DateTime)]
    to: Timestamp,
    /// Oldest first, at most 200 (see `attention_total`).
    attention: Vec<AttentionItem>,
    /// How many orders need a person in all, listed or not.
    attention_total: i64,
    /// Newest day first.
    days: Vec<DaySummary>,
    /// Oldest first.
    events: Vec<LedgerEntry>,
}

impl From<PaymentsReport> for PaymentsBody {
    fn from(r: PaymentsReport) -> Self {
        Self {
            from: r.from,
            to: r.to,
            attention: r
                .attention
                .into_iter()
                .map(|a| AttentionItem {
                    number: a.order.number,
                    status: a.order.status,
                    payment_status: a.order.payment_status,
                    payment_method: a.order.payment_method,
                    currency: a.order.currency,
                    total_minor: a.order.total_minor,
                    why: a.why,
                })
                .collect(),
            attention_total: r.attention_total,
            days: r.days,
            events: r.events,
        }
    }
}

/// Reconciliation: payment events, per-day totals, orders to look at.
#[utoipa::path(get, path = "/api/v1/payments", tag = "payments", params(PeriodParams),
    security(("bearer" = [])),
    responses((status = 200, body = PaymentsBody), (status = 400, body = ErrorBody)))]
pub async fn report(
    State(state): State<AppState>,
    _caller: Caller,
    ApiQuery(params): ApiQuery<PeriodParams>,
) -> ApiResult<Json<PaymentsBody>> {
    Ok(Json(load(&state, &params).await?.into()))
}
