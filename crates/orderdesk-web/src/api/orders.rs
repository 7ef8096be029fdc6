//! `/api/v1/orders`: list, show and move orders.

use std::collections::BTreeMap;

use axum::extract::{Path, State};
use axum::Json;
use orderdesk_domain::{
    Order, OrderNumber, OrderStatus, PaymentStatus, TimelineEntry, TransitionRequest,
};
use orderdesk_store::OrderQuery;
use serde::{Deserialize, Serialize};

use super::paging::{page_cursor, page_limit, search_term};
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiQuery};
use crate::routes::{Auth, Routes};
use crate::AppState;

pub(crate) fn routes() -> Routes<AppState> {
    Routes::new()
        .get("/api/v1/orders", Auth::Token, list)
        .get("/api/v1/orders/{number}", Auth::Token, show)
        .post("/api/v1/orders/{number}/status", Auth::Token, change_status)
        .post(
            "/api/v1/orders/{number}/payment",
            Auth::Token,
            payment_action,
        )
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Only orders in this stage (`placed`, `confirmed`, …); empty: all.
    #[param(schema_with = super::schema::status_filter)]
    status: Option<String>,
    /// Only orders with this payment status (`pending`, `paid`, …); empty: any.
    #[param(schema_with = super::schema::payment_filter)]
    payment: Option<String>,
    /// Order number, or part of the customer's name or phone (up to 200
    /// characters).
    #[param(max_length = 200)]
    q: Option<String>,
    /// Page size, 1–200 (default 50). Read as text so that a bad value gets
    /// our error shape rather than the query extractor's.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 200)]
    limit: Option<String>,
    /// `next_cursor` of the previous page (any other value is refused with 400).
    cursor: Option<String>,
    /// Only orders carrying this tag.
    #[param(max_length = 200)]
    tag: Option<String>,
    /// Only orders assigned to the staff user with this email. `me` is
    /// refused (422): an API token is not a staff user.
    #[param(max_length = 200)]
    assignee: Option<String>,
}

/// A page of orders, newest first.
#[derive(Serialize, utoipa::ToSchema)]
pub struct OrderList {
    orders: Vec<Order>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    next_cursor: Option<String>,
    /// Orders per stage matching the search and filters (all but `status`);
    /// without any, across the whole store.
    counts: BTreeMap<String, i64>,
    /// `false` when a search or filter found more orders than it counted
    /// (over 1,000, or a word common among the newest orders): each count
    /// is then a lower bound ("1,000+").
    counts_exact: bool,
}

/// One order with its timeline.
#[derive(Serialize, utoipa::ToSchema)]
pub struct OrderDetail {
    #[serde(flatten)]
    order: Order,
    timeline: Vec<TimelineEntry>,
}

/// A stage move.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusBody {
    /// The stage to move to.
    #[schema(value_type = OrderStatus, example = "approved")]
    status: String,
    /// Why; required for `rejected`, `on_hold`, `cancelled` and a manual `confirmed`.
    #[schema(schema_with = super::schema::move_note)]
    reason: Option<String>,
    /// Tracking number or URL; only with `shipped`.
    #[schema(schema_with = super::schema::move_note)]
    tracking: Option<String>,
    /// The order version the caller last saw; when given and stale, 409.
    version: Option<i64>,
}

pub(crate) fn parse_number(raw: &str) -> ApiResult<OrderNumber> {
    OrderNumber::parse(raw).ok_or_else(|| ApiError::not_found(format!("no order #{raw}")))
}

/// What `me` means to an API token: nothing. Tokens belong to an
/// integration, not to a staff user (DESIGN §6), so `assignee=me` is
/// refused with a 422 that says to name the staff member's email instead
/// of silently matching no order.
pub(crate) const ASSIGNEE_ME_REFUSED: &str = "assignee=me means the signed-in staff member, and \
     an API token is not a staff user: give the staff member's email instead";

/// An `assignee` as an API caller gives it: trimmed, lower case, empty as
/// none.
///
/// # Errors
/// 422 for `me` ([`ASSIGNEE_ME_REFUSED`]).
pub(crate) fn token_assignee(raw: Option<String>) -> ApiResult<Option<String>> {
    let assignee = raw
        .map(|a| a.trim().to_lowercase())
        .filter(|a| !a.is_empty());
    if assignee.as_deref() == Some("me") {
        return Err(ApiError::new(
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            "assignee_me_needs_a_user",
            ASSIGNEE_ME_REFUSED,
        ));
    }
    Ok(assignee)
}

fn query_from(params: ListParams) -> ApiResult<OrderQuery> {
    let status = match params.status.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(OrderStatus::parse(s).ok_or_else(|| {
            let all: Vec<_> = OrderStatus::ALL.iter().map(OrderStatus::as_str).collect();
            ApiError::bad_request(format!("status {s:?} is not one of {}", all.join(", ")))
        })?),
    };
    let payment = match params.payment.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(PaymentStatus::parse(s).ok_or_else(|| {
            let all: Vec<_> = PaymentStatus::ALL
                .iter()
                .map(PaymentStatus::as_str)
                .collect();
            ApiError::bad_request(format!("payment {s:?} is not one of {}", all.join(", ")))
        })?),
    };
    let limit = page_limit(params.limit.as_deref())?;
    let before = page_cursor(params.cursor.as_deref(), crate::cursor::decode)?;
    let q = search_term(params.q)?;
    let tag = params
        .tag
        .map(|t| t.trim().to_lowercase())
        .filter(|t| !t.is_empty());
    let assignee = token_assignee(params.assignee)?;
    if tag.iter().chain(&assignee).any(|t| t.chars().count() > 200) {
        return Err(ApiError::bad_request(
            "tag and assignee are at most 200 characters",
        ));
    }
    Ok(OrderQuery {
        status,
        payment,
        q,
        limit,
        before,
        tag,
        assignee,
        ..OrderQuery::default()
    })
}

/// List orders, newest first, with cursor paging and per-stage counts.
#[utoipa::path(get, path = "/api/v1/orders", tag = "orders", params(ListParams),
    security(("bearer" = [])),
    responses((status = 200, body = OrderList), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "`assignee=me`: a token is not a staff user; name the email")))]
pub async fn list(
    State(state): State<AppState>,
    _caller: Caller,
    ApiQuery(params): ApiQuery<ListParams>,
) -> ApiResult<Json<OrderList>> {
    let query = query_from(params)?;
    // A search or filter counts what it finds; the bare list reads the
    // kept totals, with no scan.
    let filtered = OrderQuery {
        status: None,
        limit: query.limit,
        before: None,
        ..OrderQuery::default()
    } != OrderQuery {
        status: None,
        before: None,
        ..query.clone()
    };
    let (page, counts) = state.engine.orders_with_counts(&query, filtered).await?;
    let counts_exact = counts.exact;
    let counts = counts
        .stages
        .into_iter()
        .map(|(s, n)| (s.as_str().to_owned(), n))
        .collect();
    Ok(Json(OrderList {
        orders: page.orders,
        next_cursor: page.next_before.map(crate::cursor::encode),
        counts,
        counts_exact,
    }))
}

/// One order with its timeline.
#[utoipa::path(get, path = "/api/v1/orders/{number}", tag = "orders",
    params(("number" = i64, Path, minimum = 1001, description = "Order number, from 1001")),
    security(("bearer" = [])),
    responses((status = 200, body = OrderDetail), (status = 404, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn show(
    State(state): State<AppState>,
    _caller: Caller,
    Path(number): Path<String>,
) -> ApiResult<Json<OrderDetail>> {
    let number = parse_number(&number)?;
    let store = state.engine.store();
    let order = store
        .order(number)
        .await
        .map_err(|e| not_found_as(e, number))?;
    let timeline = store.timeline(number).await?;
    Ok(Json(OrderDetail { order, timeline }))
}

/// Move an order to another stage.
#[utoipa::path(post, path = "/api/v1/orders/{number}/status", tag = "orders",
    params(("number" = i64, Path, minimum = 1001, description = "Order number")),
    request_body = StatusBody, security(("bearer" = [])),
    responses((status = 200, body = Order, description = "The order after the move"),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody, description = "Not legal from the current stage, changed meanwhile, or (`cod_not_confirmed`) a cash-on-delivery order the customer has not confirmed yet"),
        (status = 422, body = ErrorBody, description = "Missing reason, bad tracking, unknown stage")))]
pub async fn change_status(
    State(state): State<AppState>,
    caller: Caller,
    Path(number): Path<String>,
    ApiJson(body): ApiJson<StatusBody>,
) -> ApiResult<Json<Order>> {
    let number = parse_number(&number)?;
    let to = OrderStatus::parse(body.status.trim()).ok_or_else(|| {
        let all: Vec<_> = OrderStatus::ALL.iter().map(OrderStatus::as_str).collect();
        ApiError::new(
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_request",
            format!("status {:?} is not one of {}", body.status, all.join(", ")),
        )
    })?;
    let req = TransitionRequest {
        to,
        actor: caller.actor(),
        reason: body.reason,
        tracking: body.tracking,
    };
    let order = state
        .engine
        .change_status(number, req, body.version)
        .await
        .map_err(|e| order_error(e, number))?;
    Ok(Json(order))
}

/// A staff action on the order's payment.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PaymentBody {
    /// `mark_paid` (money received outside the provider: UPI, bank
    /// transfer, cash on delivery), `send_link` (a fresh payment link to the
    /// customer), or `refund` (money back: executed at the provider that
    /// took it, recorded for cash and UPI).
    #[schema(value_type = PaymentActionName, example = "mark_paid")]
    action: String,
    /// Why; required for `mark_paid` (except cash on delivery, where it
    /// defaults to "cash received") and `refund`.
    reason: Option<String>,
    /// For `refund`: how much, in minor units (at most what is left);
    /// left out, everything still refundable.
    #[schema(minimum = 1)]
    amount_minor: Option<i64>,
    /// The order version the caller last saw; when given and stale, 409.
    version: Option<i64>,
}

/// The staff payment actions, as the request names them (schema only: the
/// handler matches the text so that an unknown one gets a 422 naming all).
#[derive(utoipa::ToSchema)]
#[schema(rename_all = "snake_case")]
#[allow(dead_code)]
pub enum PaymentActionName {
    MarkPaid,
    SendLink,
    Refund,
}

/// Act on an order's payment: mark it paid, send a fresh link, refund it (in full or in part).
#[utoipa::path(post, path = "/api/v1/orders/{number}/payment", tag = "orders",
    params(("number" = i64, Path, minimum = 1001, description = "Order number")),
    request_body = PaymentBody, security(("bearer" = [])),
    responses((status = 200, body = Order, description = "The order after the action"),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody, description = "Not possible in the order's current state (a refund above what is left names it), or changed meanwhile"),
        (status = 422, body = ErrorBody, description = "Unknown action or missing reason")))]
pub async fn payment_action(
    State(state): State<AppState>,
    caller: Caller,
    Path(number): Path<String>,
    ApiJson(body): ApiJson<PaymentBody>,
) -> ApiResult<Json<Order>> {
    use orderdesk_engine::payments::PaymentAction;
    let number = parse_number(&number)?;
    let action = match body.action.trim() {
        "mark_paid" => PaymentAction::MarkPaid {
            reason: body.reason,
        },
        "send_link" => PaymentAction::SendLink,
        "refund" => PaymentAction::Refund {
            reason: body.reason,
            amount_minor: body.amount_minor,
        },
        other => {
            return Err(ApiError::new(
                axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_request",
                format!("action {other:?} is not one of mark_paid, send_link, refund"),
            ))
        }
    };
    let order = state
        .engine
        .payment_action(number, action, caller.actor(), body.version)
        .await
        .map_err(|e| order_error(e, number))?;
    Ok(Json(order))
}

/// A use-case on order `number` refused: an unknown order is a 404 naming
/// it, the rest (a bad note: 422, a stale version: 409…) as the edge maps
/// them. The API and the dashboard's order window answer the same.
pub(crate) fn order_error(e: orderdesk_engine::EngineError, number: OrderNumber) -> ApiError {
    match e {
        orderdesk_engine::EngineError::Store(s) => not_found_as(s, number),
        other => other.into(),
    }
}

pub(crate) fn not_found_as(e: orderdesk_store::StoreError, number: OrderNumber) -> ApiError {
    match e {
        orderdesk_store::StoreError::NotFound => ApiError::not_found(format!("no order #{number}")),
        other => other.into(),
    }
}
