//! `POST /api/v1/orders/bulk`: one action on many orders, judged per order.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use orderdesk_domain::{OrderNumber, OrderStatus, PaymentStatus};
use orderdesk_engine::{BulkAction, BulkTarget};
use orderdesk_store::OrderQuery;
use serde::{Deserialize, Serialize};

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::ApiJson;
use crate::routes::{Auth, Routes};
use crate::AppState;

pub(crate) fn routes() -> Routes<AppState> {
    Routes::new().post("/api/v1/orders/bulk", Auth::Token, bulk)
}

/// Which orders: the same filters as the list.
#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkFilter {
    status: Option<String>,
    payment: Option<String>,
    q: Option<String>,
    tag: Option<String>,
    assignee: Option<String>,
}

/// One action on many orders.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkBody {
    /// The orders, by number (at most 1,000); or give `filter`.
    #[schema(value_type = Option<Vec<i64>>)]
    numbers: Option<Vec<i64>>,
    /// Every order matching (at most 1,000); or give `numbers`.
    filter: Option<BulkFilter>,
    /// `status` (move each), `tag` (add or, with `remove`, remove a tag),
    /// `assign` (to `assignee`, or unassign with `null`).
    #[schema(value_type = BulkActionName, example = "status")]
    action: String,
    /// For `status`: the stage to move to.
    status: Option<String>,
    /// For `status`: why, where the move needs one.
    reason: Option<String>,
    /// For `tag`.
    tag: Option<String>,
    /// For `tag`: remove it instead of adding it.
    #[serde(default)]
    remove: bool,
    /// For `assign`: a staff user's email, or `null` to unassign.
    assignee: Option<String>,
}

/// The bulk actions (schema only: the handler matches the text so that an
/// unknown one gets a 422 naming all).
#[derive(utoipa::ToSchema)]
#[schema(rename_all = "snake_case")]
#[allow(dead_code)]
pub enum BulkActionName {
    Status,
    Tag,
    Assign,
}

/// What became of each order.
#[derive(Serialize, utoipa::ToSchema)]
pub struct BulkAnswer {
    results: Vec<BulkOutcome>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct BulkOutcome {
    #[schema(value_type = i64)]
    number: OrderNumber,
    ok: bool,
    /// Why this order was refused; it is unchanged.
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

fn invalid(message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_request", message)
}

fn target(body: &mut BulkBody) -> ApiResult<BulkTarget> {
    match (body.numbers.take(), body.filter.take()) {
        (Some(numbers), None) => {
            if numbers.len() > orderdesk_engine::MAX_BULK {
                return Err(invalid(format!(
                    "a bulk request may name at most {} orders",
                    orderdesk_engine::MAX_BULK
                )));
            }
            let numbers = numbers
                .into_iter()
                .map(|n| {
                    OrderNumber::new(n)
                        .ok_or_else(|| invalid(format!("{n} is not an order number")))
                })
                .collect::<ApiResult<Vec<_>>>()?;
            Ok(BulkTarget::Numbers(numbers))
        }
        (None, Some(f)) => Ok(BulkTarget::Filter(filter_query(f)?)),
        _ => Err(invalid("give either numbers or filter")),
    }
}

fn filter_query(f: BulkFilter) -> ApiResult<OrderQuery> {
    let status = match f.status.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => {
            Some(OrderStatus::parse(s).ok_or_else(|| invalid(format!("unknown status {s:?}")))?)
        }
    };
    let payment = match f.payment.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => {
            Some(PaymentStatus::parse(s).ok_or_else(|| invalid(format!("unknown payment {s:?}")))?)
        }
    };
    Ok(OrderQuery {
        status,
        payment,
        q: f.q.map(|q| q.trim().to_owned()).filter(|q| !q.is_empty()),
        tag: f
            .tag
            .map(|t| t.trim().to_lowercase())
            .filter(|t| !t.is_empty()),
        assignee: super::orders::token_assignee(f.assignee)?,
        limit: 200,
        ..OrderQuery::default()
    })
}

fn action(body: BulkBody) -> ApiResult<BulkAction> {
    bulk_action(
        &body.action,
        body.status,
        body.reason,
        body.tag,
        body.remove,
        body.assignee,
    )
}

/// The action a bulk request names, from its fields (the API's JSON and
/// the dashboard's bulk form read the same).
///
/// # Errors
/// 422 for an unknown action, a missing or unknown stage, a missing tag.
pub(crate) fn bulk_action(
    action: &str,
    status: Option<String>,
    reason: Option<String>,
    tag: Option<String>,
    remove: bool,
    assignee: Option<String>,
) -> ApiResult<BulkAction> {
    match action.trim() {
        "status" => {
            let status = status.unwrap_or_default();
            let to = OrderStatus::parse(status.trim())
                .ok_or_else(|| invalid(format!("status {status:?} is not a stage")))?;
            Ok(BulkAction::Status { to, reason })
        }
        "tag" => Ok(BulkAction::Tag {
            tag: tag.ok_or_else(|| invalid("action tag needs a tag"))?,
            remove,
        }),
        "assign" => Ok(BulkAction::Assign { assignee }),
        other => Err(invalid(format!(
            "action {other:?} is not one of status, tag, assign"
        ))),
    }
}

/// Apply one action to many orders; each order is judged on its own.
#[utoipa::path(post, path = "/api/v1/orders/bulk", tag = "orders",
    request_body = BulkBody, security(("bearer" = [])),
    responses((status = 200, body = BulkAnswer, description = "One result per order, by number"),
        (status = 422, body = ErrorBody, description = "Over 1,000 orders, neither or both of numbers and filter, an unknown action, stage or assignee, a bad tag")))]
pub async fn bulk(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(mut body): ApiJson<BulkBody>,
) -> ApiResult<Json<BulkAnswer>> {
    let target = target(&mut body)?;
    let action = action(body)?;
    let results = state.engine.bulk(target, action, caller.actor()).await?;
    Ok(Json(BulkAnswer {
        results: results
            .into_iter()
            .map(|r| BulkOutcome {
                number: r.number,
                ok: r.error.is_none(),
                error: r.error,
            })
            .collect(),
    }))
}
