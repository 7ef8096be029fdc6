//! `POST /api/v1/orders`: staff create an order for a customer.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use orderdesk_domain::order::edit::EditLine;
use orderdesk_domain::Order;
use orderdesk_engine::OrderForCustomer;
use serde::Deserialize;

use crate::auth::Caller;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::ApiJson;
use crate::routes::{Auth, Routes};
use crate::AppState;

pub(crate) fn routes() -> Routes<AppState> {
    Routes::new().post("/api/v1/orders", Auth::Token, create)
}

/// Who the order is for.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewOrderCustomer {
    /// Their WhatsApp number with the country code, in any usual spelling
    /// (`+91 99887 76655`).
    #[schema(example = "919988776655")]
    wa_id: String,
    name: Option<String>,
}

/// One line: a catalog product and how many.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewOrderLine {
    retailer_id: String,
    /// At least 1.
    quantity: i64,
}

/// An order staff take for a customer (by phone, in the shop, in the chat).
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewOrderBody {
    customer: NewOrderCustomer,
    items: Vec<NewOrderLine>,
    /// Up to 4000 characters.
    note: Option<String>,
}

/// Create an order for a customer; the checkout (address link, payment) follows.
#[utoipa::path(post, path = "/api/v1/orders", tag = "orders",
    request_body = NewOrderBody, security(("bearer" = [])),
    responses((status = 201, body = Order, description = "The order, in Placed"),
        (status = 422, body = ErrorBody, description = "A bad number, no items, an unknown product, a quantity below 1, mixed currencies")))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<NewOrderBody>,
) -> ApiResult<(StatusCode, Json<Order>)> {
    let request = OrderForCustomer {
        wa_id: body.customer.wa_id,
        name: body.customer.name,
        items: body
            .items
            .into_iter()
            .map(|l| EditLine {
                retailer_id: l.retailer_id,
                quantity: l.quantity,
                unit_price_minor: None,
            })
            .collect(),
        note: body.note,
    };
    let order = state
        .engine
        .create_order_for_customer(request, caller.actor())
        .await?;
    Ok((StatusCode::CREATED, Json(order)))
}
