//! `/api/v1/customers` (issue #16, item 6): customers by phone number, with
//! what their orders add up to; one customer with their orders; blocking
//! (the bot then ignores them). Their chat thread is
//! `/api/v1/conversations/{wa_id}/messages`.

use axum::extract::{Path, State};
use axum::Json;
use orderdesk_domain::{Address, Order};
use orderdesk_engine::EngineError;
use orderdesk_store::{CustomerQuery, CustomerSummary};
use serde::{Deserialize, Serialize};

use super::paging;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::ApiQuery;
use crate::routes::{Auth, Routes};
use crate::AppState;

pub(crate) fn routes() -> Routes<AppState> {
    Routes::new()
        .get("/api/v1/customers", Auth::Token, list)
        .get("/api/v1/customers/{wa_id}", Auth::Token, show)
        .post("/api/v1/customers/{wa_id}/block", Auth::Token, block)
        .post("/api/v1/customers/{wa_id}/unblock", Auth::Token, unblock)
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Part of the name, or the phone number in any spelling (`+91 99887
    /// 76655`, `09988776655`, `9988776655`); up to 200 characters.
    #[param(max_length = 200)]
    q: Option<String>,
    /// Page size, 1–200 (default 50).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 200)]
    limit: Option<String>,
    /// `next_cursor` of the previous page (any other value is refused with 400).
    cursor: Option<String>,
}

/// A customer, by phone number.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Customer {
    /// The WhatsApp number: country code and number, no `+`.
    wa_id: String,
    name: Option<String>,
    /// All their orders, whatever the stage.
    orders_count: i64,
    /// What they paid, net of refunds (paid and partly refunded orders).
    total_spent_minor: i64,
    /// The currency of their latest order.
    currency: Option<String>,
    first_order_at: Option<chrono::DateTime<chrono::Utc>>,
    last_order_at: Option<chrono::DateTime<chrono::Utc>>,
    /// When they last wrote.
    last_inbound_at: Option<chrono::DateTime<chrono::Utc>>,
    /// The bot ignores a blocked customer (their carts make no order).
    blocked: bool,
    blocked_at: Option<chrono::DateTime<chrono::Utc>>,
    /// The staff member or API token that blocked them.
    blocked_by: Option<String>,
}

impl From<CustomerSummary> for Customer {
    fn from(c: CustomerSummary) -> Self {
        Self {
            blocked: c.blocked_at.is_some(),
            wa_id: c.wa_id,
            name: c.name,
            orders_count: c.orders_count,
            total_spent_minor: c.total_spent_minor,
            currency: c.currency,
            first_order_at: c.first_order_at,
            last_order_at: c.last_order_at,
            last_inbound_at: c.last_inbound_at,
            blocked_at: c.blocked_at,
            blocked_by: c.blocked_by,
        }
    }
}

/// A page of customers, who wrote last first.
#[derive(Serialize, utoipa::ToSchema)]
pub struct CustomerList {
    customers: Vec<Customer>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    next_cursor: Option<String>,
}

/// One customer with their orders.
#[derive(Serialize, utoipa::ToSchema)]
pub struct CustomerDetail {
    #[serde(flatten)]
    customer: Customer,
    /// Their newest orders (at most 100), newest first.
    orders: Vec<Order>,
    /// The delivery addresses of those orders, latest first, each once.
    addresses: Vec<Address>,
    /// The mean of the ratings (1–5) those orders were given after
    /// delivery, to one decimal; `null` when none was rated.
    average_rating: Option<f64>,
    /// How many of those orders were rated.
    ratings_count: u32,
    /// The rated orders, newest first: each one's rating and comment.
    ratings: Vec<OrderRating>,
}

/// One order's rating after delivery.
#[derive(Serialize, utoipa::ToSchema)]
pub struct OrderRating {
    /// The order's number.
    number: i64,
    /// 1–5.
    rating: u8,
    /// What the customer wrote after rating, if anything.
    comment: Option<String>,
    rated_at: Option<chrono::DateTime<chrono::Utc>>,
}

fn order_ratings(orders: &[Order]) -> Vec<OrderRating> {
    orders
        .iter()
        .filter_map(|o| {
            let f = o.feedback.as_ref()?;
            Some(OrderRating {
                number: o.number.get(),
                rating: f.rating?,
                comment: f.comment.clone(),
                rated_at: f.rated_at,
            })
        })
        .collect()
}

/// The most a page skips: deeper than this, narrow the search instead.
const MAX_OFFSET: u32 = 100_000;

/// The cursor is the number of customers already listed; anything else is
/// refused.
fn query_from(params: ListParams) -> ApiResult<CustomerQuery> {
    let limit = paging::page_limit(params.limit.as_deref())?;
    let offset = paging::page_cursor(params.cursor.as_deref(), |c| {
        c.parse::<u32>().ok().filter(|n| *n <= MAX_OFFSET)
    })?
    .unwrap_or(0);
    let q = paging::search_term(params.q)?;
    Ok(CustomerQuery { q, limit, offset })
}

/// A phone number as the path gives it, `+` and spaces allowed.
fn wa_id_of(raw: &str) -> String {
    orderdesk_domain::phone::wa_id(raw).unwrap_or_else(|| raw.trim().to_owned())
}

/// 404 naming the customer for an unknown one; everything else as usual.
fn about(wa_id: &str) -> impl FnOnce(EngineError) -> ApiError {
    crate::error::not_found_with(format!("no customer with the number {wa_id}"))
}

/// List customers, who wrote last first, with their order count and spend.
#[utoipa::path(get, path = "/api/v1/customers", tag = "customers", params(ListParams),
    security(("bearer" = [])),
    responses((status = 200, body = CustomerList), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    _caller: Caller,
    ApiQuery(params): ApiQuery<ListParams>,
) -> ApiResult<Json<CustomerList>> {
    let query = query_from(params)?;
    let customers = state.engine.customers(&query).await?;
    let full = customers.len() == query.limit as usize;
    let next = query.offset.saturating_add(query.limit);
    Ok(Json(CustomerList {
        customers: customers.into_iter().map(Customer::from).collect(),
        next_cursor: (full && next <= MAX_OFFSET).then(|| next.to_string()),
    }))
}

/// One customer with their orders, the addresses they used and the
/// ratings their orders were given.
#[utoipa::path(get, path = "/api/v1/customers/{wa_id}", tag = "customers",
    params(("wa_id" = String, Path, description = "The customer's WhatsApp number")),
    security(("bearer" = [])),
    responses((status = 200, body = CustomerDetail), (status = 404, body = ErrorBody),
        (status = 401, body = ErrorBody)))]
pub async fn show(
    State(state): State<AppState>,
    _caller: Caller,
    Path(raw): Path<String>,
) -> ApiResult<Json<CustomerDetail>> {
    let wa_id = wa_id_of(&raw);
    let view = state
        .engine
        .customer_view(None, &wa_id)
        .await
        .map_err(about(&wa_id))?;
    Ok(Json(CustomerDetail {
        customer: view.summary.into(),
        average_rating: view.ratings.map(|r| r.average),
        ratings_count: view.ratings.map_or(0, |r| r.count),
        ratings: order_ratings(&view.orders),
        orders: view.orders,
        addresses: view.addresses,
    }))
}

/// Block the customer: the bot ignores their carts and messages (which
/// still reach the conversation). Blocking twice changes nothing.
#[utoipa::path(post, path = "/api/v1/customers/{wa_id}/block", tag = "customers",
    params(("wa_id" = String, Path, description = "The customer's WhatsApp number")),
    security(("bearer" = [])),
    responses((status = 200, body = Customer, description = "The customer, blocked"),
        (status = 404, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn block(
    State(state): State<AppState>,
    caller: Caller,
    Path(raw): Path<String>,
) -> ApiResult<Json<Customer>> {
    set_blocked(&state, &caller, &raw, true).await
}

/// Unblock the customer: the bot answers them again.
#[utoipa::path(post, path = "/api/v1/customers/{wa_id}/unblock", tag = "customers",
    params(("wa_id" = String, Path, description = "The customer's WhatsApp number")),
    security(("bearer" = [])),
    responses((status = 200, body = Customer, description = "The customer, not blocked"),
        (status = 404, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn unblock(
    State(state): State<AppState>,
    caller: Caller,
    Path(raw): Path<String>,
) -> ApiResult<Json<Customer>> {
    set_blocked(&state, &caller, &raw, false).await
}

async fn set_blocked(
    state: &AppState,
    caller: &Caller,
    raw: &str,
    blocked: bool,
) -> ApiResult<Json<Customer>> {
    let wa_id = wa_id_of(raw);
    let by = format!("API token {}", caller.name);
    let customer = state
        .engine
        .set_customer_blocked(&wa_id, blocked, &by, chrono::Utc::now())
        .await
        .map_err(about(&wa_id))?;
    Ok(Json(customer.into()))
}
