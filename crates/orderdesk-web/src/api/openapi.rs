//! `GET /api/v1/openapi.json`, generated from the handlers' annotations so
//! it cannot drift from the code.

use axum::Json;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{Content, Ref, RefOr, Response, ResponseBuilder};
use utoipa::{Modify, OpenApi};

use crate::routes::{Auth, Routes};
use crate::AppState;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "orderdesk API",
        description = "Orders from WhatsApp carts: list, inspect and move them; follow every change live.",
    ),
    paths(
        super::orders::list,
        super::orders::show,
        super::orders::change_status,
        super::orders::payment_action,
        super::messages::list,
        super::messages::send,
        super::templates::list,
        super::templates::save,
        super::templates::preview,
        super::events::stream_events,
        super::doctor::doctor,
        super::conversations::list,
        super::conversations::thread,
        super::conversations::send,
        super::conversations::read,
        super::conversations::products,
        super::conversations::change,
        super::customers::list,
        super::customers::show,
        super::customers::block,
        super::customers::unblock,
        super::reopen::reopen,
        super::reopen::language,
        super::reopen::set_language,
        super::intake::read,
        super::typed_drafts::show,
        super::typed_drafts::edit,
        super::typed_drafts::send,
        super::payments::report,
        super::order_edit::edit,
        super::order_create::create,
        super::bulk::bulk,
        super::settings::show,
        super::settings::change,
        super::stats::stats,
        super::invoices::invoice,
        super::invoices::credit_note,
    ),
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
        orderdesk_domain::Refund,
        orderdesk_domain::RefundStatus,
        orderdesk_domain::LedgerEntry,
        orderdesk_domain::LedgerKind,
        orderdesk_domain::DaySummary,
        super::payments::PaymentsBody,
        super::payments::AttentionItem,
        crate::error::ErrorBody,
        crate::error::ErrorDetail,
        super::messages::SendBody,
        super::templates::TemplateView,
        super::templates::TemplateChange,
        super::templates::PreviewRequest,
        super::templates::PreviewView,
        super::conversations::ChangeBody,
        super::conversations::ProductsBody,
        super::conversations::ProductSectionBody,
        super::customers::Customer,
        super::customers::CustomerList,
        super::customers::CustomerDetail,
        super::customers::OrderRating,
        super::reopen::LanguageBody,
        orderdesk_engine::CustomerLanguageView,
        super::intake::IntakeBody,
        super::typed_drafts::DraftDoc,
        super::typed_drafts::DraftLineDoc,
        super::typed_drafts::DraftEditBody,
        super::typed_drafts::DraftEditLine,
        super::typed_drafts::DraftSent,
        super::intake::IntakeReading,
        super::order_edit::EditBody,
        super::order_edit::EditLineBody,
        super::order_edit::EditAnswer,
        super::order_create::NewOrderBody,
        super::order_create::NewOrderCustomer,
        super::order_create::NewOrderLine,
        super::bulk::BulkBody,
        super::bulk::BulkFilter,
        super::bulk::BulkActionName,
        super::bulk::BulkAnswer,
        super::bulk::BulkOutcome,
        super::settings::SettingList,
        super::settings::SettingsChange,
        orderdesk_engine::settings::SettingView,
        orderdesk_engine::settings::Source,
        orderdesk_domain::stats::StatsReport,
        orderdesk_domain::stats::report::BucketFigures,
        orderdesk_domain::stats::report::Funnel,
        orderdesk_domain::stats::report::FunnelStep,
        orderdesk_domain::stats::report::PaymentMix,
        orderdesk_domain::stats::report::ProviderFigures,
        orderdesk_domain::stats::report::StageTime,
        orderdesk_domain::stats::report::ProductFigures,
        orderdesk_domain::stats::report::RepeatCustomers,
        orderdesk_domain::stats::report::Reasons,
        orderdesk_domain::stats::report::ReasonCount,
        orderdesk_domain::stats::report::Headline,
        orderdesk_domain::stats::report::FeedbackFigures,
        orderdesk_domain::followup::CodConfirmation,
        orderdesk_domain::followup::Feedback,
        orderdesk_domain::followup::FeedbackState,
    )),
    modifiers(&BearerAuth, &StandardErrors),
    tags(
        (name = "orders", description = "Orders and their stages"),
        (name = "messages", description = "The WhatsApp thread of an order"),
        (name = "templates", description = "The texts customers receive"),
        (name = "events", description = "The live event stream"),
        (name = "conversations", description = "One conversation per customer, with or without an order"),
        (name = "customers", description = "Customers by phone number: their orders, spend and blocking"),
        (name = "intake", description = "Typed orders read against the catalog"),
        (name = "payments", description = "Reconciliation: payment events and per-day totals"),
        (name = "settings", description = "The business's own settings"),
        (name = "stats", description = "Insights: how the shop is doing over a range of days"),
    )
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

/// The answers every operation of a kind can give, documented once here so
/// that a new operation cannot forget them: 401 where a token is required,
/// 503 while the database is unavailable, and for a JSON body 400 (not
/// JSON), 415 (not `Content-Type: application/json`) and 422 (JSON of the
/// wrong shape). An operation's own description of a status wins.
struct StandardErrors;

impl Modify for StandardErrors {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::path::Operation;
        let standard = |op: &mut Operation| {
            let mut add = |status: &str, description: &str| {
                op.responses
                    .responses
                    .entry(status.to_owned())
                    .or_insert_with(|| error_response(description));
            };
            add("503", "The database is unavailable; try again shortly");
            if op.security.as_ref().is_some_and(|s| !s.is_empty()) {
                add("401", "No token, or not a valid one");
            }
            if op.request_body.is_some() {
                add("400", "The body is not JSON");
                add("415", "The body is not sent as application/json");
                add("422", "The JSON does not have the documented shape");
            }
        };
        for item in openapi.paths.paths.values_mut() {
            for op in [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ]
            .into_iter()
            .flatten()
            {
                standard(op);
            }
        }
    }
}

/// A response whose body is the JSON error shape.
fn error_response(description: &str) -> RefOr<Response> {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/json",
            Content::new(Some(Ref::from_schema_name("ErrorBody"))),
        )
        .build()
        .into()
}

pub(crate) fn routes() -> Routes<AppState> {
    Routes::new().get("/api/v1/openapi.json", Auth::Public, || async {
        Json(ApiDoc::openapi())
    })
}

#[cfg(test)]
mod tests {
    use serde_json::Value;
    use utoipa::OpenApi;

    fn doc() -> Value {
        serde_json::to_value(super::ApiDoc::openapi()).unwrap()
    }

    fn param<'a>(op: &'a Value, name: &str) -> &'a Value {
        op["parameters"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|p| p["name"] == name)
            .unwrap_or(&Value::Null)
    }

    #[test]
    fn the_list_filters_are_optional_and_typed_as_the_server_reads_them() {
        let doc = doc();
        let list = &doc["paths"]["/api/v1/orders"]["get"];
        let limit = param(list, "limit");
        assert_eq!(limit["required"], false, "{limit}");
        assert_eq!(limit["schema"]["minimum"], 1, "{limit}");
        assert_eq!(limit["schema"]["maximum"], 200, "{limit}");
        let status = param(list, "status");
        assert_eq!(status["required"], false, "{status}");
        let values = status["schema"]["enum"].as_array().unwrap();
        assert!(values.contains(&Value::from("")) && values.contains(&Value::from("shipped")));
    }

    #[test]
    fn every_operation_with_a_body_documents_the_body_errors_and_401() {
        let doc = doc();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                let responses = op["responses"].as_object().unwrap();
                let mut want = vec!["401", "503"];
                if op.get("requestBody").is_some() {
                    want.extend(["400", "415", "422"]);
                }
                for status in want {
                    assert!(
                        responses.contains_key(status),
                        "{method} {path}: no {status}"
                    );
                }
            }
        }
    }

    #[test]
    fn the_templates_list_is_an_object_with_templates() {
        let doc = doc();
        let ok = &doc["paths"]["/api/v1/templates"]["get"]["responses"]["200"];
        let schema = &ok["content"]["application/json"]["schema"]["$ref"];
        assert_eq!(schema, "#/components/schemas/TemplateList");
        let list = &doc["components"]["schemas"]["TemplateList"];
        assert_eq!(list["properties"]["templates"]["type"], "array", "{list}");
    }
}
