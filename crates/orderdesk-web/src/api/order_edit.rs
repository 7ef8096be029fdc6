//! `PATCH /api/v1/orders/{number}`: staff edit an order before it ships.

use axum::extract::{Path, State};
use axum::Json;
use orderdesk_domain::order::edit::{EditLine, EditRequest};
use orderdesk_domain::{Address, Order};
use serde::{Deserialize, Serialize};

use super::orders::{order_error, parse_number};
use crate::auth::Caller;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::ApiJson;
use crate::routes::{Auth, Routes};
use crate::AppState;

pub(crate) fn routes() -> Routes<AppState> {
    Routes::new().patch("/api/v1/orders/{number}", Auth::Token, edit)
}

/// One line of the edited order.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EditLineBody {
    /// A product of the catalog, or one already on the order.
    #[schema(min_length = 1)]
    retailer_id: String,
    /// At least 1.
    #[schema(minimum = 1)]
    quantity: i64,
    /// Per unit, in minor units; default: the line's current price, else
    /// the catalog's.
    unit_price_minor: Option<i64>,
}

/// What to change; leave out what stays. `items` replaces every line.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EditBody {
    /// The order version the caller last saw; 409 when it is stale.
    version: i64,
    /// Every line the order should have (at least one).
    #[schema(min_items = 1)]
    items: Option<Vec<EditLineBody>>,
    address: Option<Address>,
    /// A shipping fee, in minor units (≥ 0).
    shipping_minor: Option<i64>,
    /// A discount off the items, in minor units (≥ 0, at most their subtotal).
    discount_minor: Option<i64>,
}

/// The order after the edit, and what the edit did.
#[derive(Serialize, utoipa::ToSchema)]
pub struct EditAnswer {
    #[serde(flatten)]
    order: Order,
    /// What changed, one line each; empty when nothing did.
    changes: Vec<String>,
    /// A paid order whose total fell: the amount to refund the customer.
    refund_due_minor: Option<i64>,
    /// A paid order whose total rose: the payment link sent for the difference.
    difference_link: Option<String>,
}

/// Edit an order's items, address, shipping fee or discount before it ships.
#[utoipa::path(patch, path = "/api/v1/orders/{number}", tag = "orders",
    params(("number" = i64, Path, minimum = 1001, description = "Order number")),
    request_body = EditBody, security(("bearer" = [])),
    responses((status = 200, body = EditAnswer, description = "The order after the edit"),
        (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "Shipped or closed (the message names the stage), or changed meanwhile"),
        (status = 422, body = ErrorBody, description = "Unknown item, a quantity below 1, negative money, a discount above the subtotal, a bad address")))]
pub async fn edit(
    State(state): State<AppState>,
    caller: Caller,
    Path(number): Path<String>,
    ApiJson(body): ApiJson<EditBody>,
) -> ApiResult<Json<EditAnswer>> {
    let number = parse_number(&number)?;
    let request = EditRequest {
        items: body.items.map(|lines| {
            lines
                .into_iter()
                .map(|l| EditLine {
                    retailer_id: l.retailer_id,
                    quantity: l.quantity,
                    unit_price_minor: l.unit_price_minor,
                })
                .collect()
        }),
        address: body.address,
        shipping_minor: body.shipping_minor,
        discount_minor: body.discount_minor,
    };
    let edited = state
        .engine
        .edit_order(number, &request, caller.actor(), Some(body.version))
        .await
        .map_err(|e| order_error(e, number))?;
    Ok(Json(EditAnswer {
        order: edited.order,
        changes: edited.changes,
        refund_due_minor: edited.refund_due_minor,
        difference_link: edited.difference_link,
    }))
}
