//! `GET /api/v1/openapi.json`, generated from the handlers' annotations so
//! it cannot drift from the code.

use axum::routing::get;
use axum::{Json, Router};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::AppState;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "orderdesk API",
        description = "Orders from WhatsApp carts: list, inspect and move them; follow every change live.",
    ),
    paths(super::orders::list, super::orders::show, super::orders::change_status, super::orders::payment_action, super::messages::list, super::messages::send, super::templates::list, super::templates::save, super::events::stream_events),
    components(schemas(
        orderdesk_domain::Order,
        orderdesk_domain::OrderStatus,
        orderdesk_domain::PaymentStatus,
        orderdesk_domain::PaymentMethod,
        orderdesk_domain::CheckoutStep,
        orderdesk_domain::Customer,
        orderdesk_domain::LineItem,
        orderdesk_domain::Address,
        orderdesk_domain::TimelineEntry,
        orderdesk_domain::TimelineKind,
        orderdesk_domain::EventKind,
        crate::error::ErrorBody,
        crate::error::ErrorDetail,
        super::messages::SendBody,
        super::templates::TemplateView,
        super::templates::TemplateChange,
    )),
    modifiers(&BearerAuth),
    tags((name = "orders", description = "Orders and their stages"), (name = "messages", description = "The WhatsApp thread of an order"), (name = "templates", description = "The texts customers receive"), (name = "events", description = "The live event stream"))
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

pub(crate) fn routes() -> Router<AppState> {
    Router::new().route(
        "/api/v1/openapi.json",
        get(|| async { Json(ApiDoc::openapi()) }),
    )
}
