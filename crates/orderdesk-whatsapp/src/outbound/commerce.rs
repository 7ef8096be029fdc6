//! The Cloud API's commerce messages: the native address form
//! (`address_message`, India), the payment request (`order_details` with
//! `review_and_pay`), order updates (`order_status`) and catalog products
//! (`product`, `product_list`). Wire shapes from WHATSAPP.md §2.7–2.9 and
//! Meta's OpenAPI examples (`send_interactive_order_details_upi.json`,
//! `send_interactive_order_status.json`, `send_interactive_product_list.json`).

use serde_json::{json, Map, Value};

use super::interactive::{Action, Interactive, InteractiveKind};
use super::{check_count, check_http_url, check_text, check_unique, OutboundError};
use super::{HEADER_TEXT_MAX, INTERACTIVE_BODY_MAX};

/// Products in one `product_list` message, all sections together.
pub const MAX_LIST_PRODUCTS: usize = 30;
/// Sections of a `product_list` message.
pub const MAX_PRODUCT_SECTIONS: usize = 10;
/// `reference_id` of an `order_details` message (Meta: at most 35
/// characters of letters, digits, `_`, `-` and `.`).
pub const REFERENCE_ID_MAX: usize = 35;
/// An item name in an `order_details` message.
pub const ITEM_NAME_MAX: usize = 60;
/// The description of an `order_status` update.
pub const STATUS_DESCRIPTION_MAX: usize = 120;

/// How the customer pays from an `order_details` message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NativePayment {
    /// A payment link (a provider's page) the message's "Review and pay" opens.
    Link(String),
    /// The UPI payment configuration set up in WhatsApp Manager, by name:
    /// WhatsApp collects the payment and reports it in a payment status.
    UpiConfiguration(String),
}

/// One line of an `order_details` message, in minor units.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderDetailsItem {
    pub retailer_id: String,
    pub name: String,
    pub unit_minor: i64,
    pub quantity: i64,
}

/// What an `order_details` (`review_and_pay`) message asks the customer to pay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderDetails {
    /// Ours, stable for the order: payment statuses and `order_status`
    /// updates name it.
    pub reference_id: String,
    pub payment: NativePayment,
    /// ISO 4217 code; Meta takes `INR` only.
    pub currency: String,
    /// 10^(the currency's decimals): amounts go out as `{value, offset}`.
    pub offset: i64,
    pub items: Vec<OrderDetailsItem>,
    pub shipping_minor: i64,
    pub discount_minor: i64,
    pub tax_minor: i64,
    pub total_minor: i64,
}

/// An order's state as `order_status` messages name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NativeOrderStatus {
    Pending,
    Processing,
    PartiallyShipped,
    Shipped,
    Completed,
    Canceled,
}

impl NativeOrderStatus {
    pub fn wire(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Processing => "processing",
            Self::PartiallyShipped => "partially-shipped",
            Self::Shipped => "shipped",
            Self::Completed => "completed",
            Self::Canceled => "canceled",
        }
    }
}

/// A titled group of catalog products in a `product_list` message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductSection {
    title: String,
    retailer_ids: Vec<String>,
}

impl ProductSection {
    /// # Errors
    /// A blank or over-long title (24 characters, as list sections), or a blank id.
    pub fn new(title: impl Into<String>, retailer_ids: Vec<String>) -> Result<Self, OutboundError> {
        let title = check_text(
            "interactive.action.sections[].title",
            title.into(),
            super::SECTION_TITLE_MAX,
        )?;
        for id in &retailer_ids {
            check_text(
                "interactive.action.sections[].product_items[].product_retailer_id",
                id.clone(),
                usize::MAX,
            )?;
        }
        Ok(Self {
            title,
            retailer_ids,
        })
    }
}

fn amount(value: i64, offset: i64) -> Value {
    json!({"value": value, "offset": offset})
}

fn check_reference(reference_id: &str) -> Result<(), OutboundError> {
    let field = "interactive.action.parameters.reference_id";
    check_text(field, reference_id.to_owned(), REFERENCE_ID_MAX)?;
    let ok = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.');
    if reference_id.chars().all(ok) {
        Ok(())
    } else {
        Err(OutboundError::Invalid {
            field,
            expected: "letters, digits, '_', '-' or '.'",
        })
    }
}

impl Interactive {
    /// An `address_message`: WhatsApp's own address form for `country`
    /// (`IN`), opened from the message, prefilled with `values` (Meta's
    /// field names: `name`, `phone_number`, `in_pin_code`…). On a second
    /// ask, `validation_errors` shows a message under each field.
    ///
    /// # Errors
    /// A blank or over-long body, or a country that is not two letters.
    pub fn address_message(
        body: impl Into<String>,
        country: &str,
        values: &[(&str, String)],
        validation_errors: &[(&str, String)],
    ) -> Result<Self, OutboundError> {
        let body = check_text("interactive.body.text", body.into(), INTERACTIVE_BODY_MAX)?;
        if country.len() != 2 || !country.chars().all(|c| c.is_ascii_uppercase()) {
            return Err(OutboundError::Invalid {
                field: "interactive.action.parameters.country",
                expected: "an upper-case ISO 3166 alpha-2 code (IN)",
            });
        }
        let pairs = |list: &[(&str, String)]| -> Map<String, Value> {
            list.iter()
                .filter(|(_, v)| !v.trim().is_empty())
                .map(|(k, v)| ((*k).to_owned(), Value::String(v.clone())))
                .collect()
        };
        let mut parameters = Map::new();
        parameters.insert("country".into(), Value::String(country.to_owned()));
        let values = pairs(values);
        if !values.is_empty() {
            parameters.insert("values".into(), Value::Object(values));
        }
        let errors = pairs(validation_errors);
        if !errors.is_empty() {
            parameters.insert("validation_errors".into(), Value::Object(errors));
        }
        Ok(Self::build(
            InteractiveKind::AddressMessage,
            body,
            Action::Commerce(json!({"name": "address_message", "parameters": parameters})),
        ))
    }

    /// An `order_details` message (`review_and_pay`): the order's lines and
    /// total, and how to pay them.
    ///
    /// # Errors
    /// A bad body or reference, no items, an over-long item name, a link that
    /// is not http(s), a blank configuration name, or a total that is not
    /// subtotal + tax + shipping − discount (Meta refuses those).
    pub fn order_details(
        body: impl Into<String>,
        details: &OrderDetails,
    ) -> Result<Self, OutboundError> {
        let body = check_text("interactive.body.text", body.into(), INTERACTIVE_BODY_MAX)?;
        check_reference(&details.reference_id)?;
        check_count(
            "interactive.action.parameters.order.items",
            details.items.len(),
            1,
            usize::MAX,
        )?;
        let mut subtotal = 0i64;
        let mut items = Vec::with_capacity(details.items.len());
        for item in &details.items {
            let name = check_text(
                "interactive.action.parameters.order.items[].name",
                item.name.clone(),
                ITEM_NAME_MAX,
            )?;
            if item.quantity < 1 || item.unit_minor < 0 {
                return Err(OutboundError::Invalid {
                    field: "interactive.action.parameters.order.items[]",
                    expected: "a quantity of at least 1 and an amount of at least 0",
                });
            }
            subtotal += item.unit_minor * item.quantity;
            items.push(json!({
                "retailer_id": item.retailer_id,
                "name": name,
                "amount": amount(item.unit_minor, details.offset),
                "quantity": item.quantity,
            }));
        }
        let sum = subtotal + details.tax_minor + details.shipping_minor - details.discount_minor;
        if sum != details.total_minor || details.total_minor <= 0 {
            return Err(OutboundError::Invalid {
                field: "interactive.action.parameters.total_amount",
                expected: "subtotal + tax + shipping - discount, above zero",
            });
        }
        let mut order = json!({
            "status": NativeOrderStatus::Pending.wire(),
            "items": items,
            "subtotal": amount(subtotal, details.offset),
        });
        for (key, value) in [
            ("tax", details.tax_minor),
            ("shipping", details.shipping_minor),
            ("discount", details.discount_minor),
        ] {
            if value > 0 {
                order[key] = amount(value, details.offset);
            }
        }
        let mut parameters = json!({
            "reference_id": details.reference_id,
            "type": "physical-goods",
            "currency": details.currency,
            "total_amount": amount(details.total_minor, details.offset),
            "order": order,
        });
        match &details.payment {
            NativePayment::Link(url) => {
                let uri = check_http_url(
                    "interactive.action.parameters.payment_settings[].payment_link.uri",
                    url.clone(),
                )?;
                parameters["payment_settings"] =
                    json!([{"type": "payment_link", "payment_link": {"uri": uri}}]);
            }
            NativePayment::UpiConfiguration(name) => {
                let name = check_text(
                    "interactive.action.parameters.payment_configuration",
                    name.clone(),
                    usize::MAX,
                )?;
                parameters["payment_type"] = json!("upi");
                parameters["payment_configuration"] = json!(name);
            }
        }
        Ok(Self::build(
            InteractiveKind::OrderDetails,
            body,
            Action::Commerce(json!({"name": "review_and_pay", "parameters": parameters})),
        ))
    }

    /// An `order_status` message: the order named by `reference_id` (of its
    /// `order_details`) is now `status`.
    ///
    /// # Errors
    /// A bad body or reference, or a description over [`STATUS_DESCRIPTION_MAX`].
    pub fn order_status(
        body: impl Into<String>,
        reference_id: &str,
        status: NativeOrderStatus,
        description: Option<String>,
    ) -> Result<Self, OutboundError> {
        let body = check_text("interactive.body.text", body.into(), INTERACTIVE_BODY_MAX)?;
        check_reference(reference_id)?;
        let mut order = json!({"status": status.wire()});
        if let Some(d) = description {
            order["description"] = json!(check_text(
                "interactive.action.parameters.order.description",
                d,
                STATUS_DESCRIPTION_MAX,
            )?);
        }
        Ok(Self::build(
            InteractiveKind::OrderStatus,
            body,
            Action::Commerce(json!({"name": "review_order", "parameters": {
                "reference_id": reference_id,
                "order": order,
            }})),
        ))
    }

    /// A `product` message: one catalog product, with an optional body.
    ///
    /// # Errors
    /// A blank catalog or product id, or an over-long body.
    pub fn product(
        catalog_id: &str,
        retailer_id: &str,
        body: Option<String>,
    ) -> Result<Self, OutboundError> {
        let catalog_id = check_text("interactive.action.catalog_id", catalog_id.into(), 64)?;
        let retailer_id = check_text(
            "interactive.action.product_retailer_id",
            retailer_id.into(),
            usize::MAX,
        )?;
        let action = Action::Commerce(json!({
            "catalog_id": catalog_id,
            "product_retailer_id": retailer_id,
        }));
        match body {
            Some(body) => {
                let body = check_text("interactive.body.text", body, INTERACTIVE_BODY_MAX)?;
                Ok(Self::build(InteractiveKind::Product, body, action))
            }
            None => Ok(Self::build_bodiless(InteractiveKind::Product, action)),
        }
    }

    /// A `product_list` message: up to 30 products in up to 10 titled
    /// sections, under a text header and a body (both required by Meta).
    ///
    /// # Errors
    /// Blank or over-long header or body, counts out of range, or a product
    /// listed twice.
    pub fn product_list(
        header: impl Into<String>,
        body: impl Into<String>,
        catalog_id: &str,
        sections: &[ProductSection],
    ) -> Result<Self, OutboundError> {
        let header = super::Header::text(check_text(
            "interactive.header.text",
            header.into(),
            HEADER_TEXT_MAX,
        )?)?;
        let body = check_text("interactive.body.text", body.into(), INTERACTIVE_BODY_MAX)?;
        let catalog_id = check_text("interactive.action.catalog_id", catalog_id.into(), 64)?;
        check_count(
            "interactive.action.sections",
            sections.len(),
            1,
            MAX_PRODUCT_SECTIONS,
        )?;
        for s in sections {
            check_count(
                "interactive.action.sections[].product_items",
                s.retailer_ids.len(),
                1,
                MAX_LIST_PRODUCTS,
            )?;
        }
        let all = sections.iter().map(|s| s.retailer_ids.len()).sum();
        check_count(
            "interactive.action.sections[].product_items (all sections)",
            all,
            1,
            MAX_LIST_PRODUCTS,
        )?;
        check_unique(
            "interactive.action.sections[].product_items[].product_retailer_id",
            sections
                .iter()
                .flat_map(|s| s.retailer_ids.iter().map(String::as_str)),
        )?;
        let sections: Vec<Value> = sections
            .iter()
            .map(|s| {
                json!({
                    "title": s.title,
                    "product_items": s.retailer_ids.iter()
                        .map(|id| json!({"product_retailer_id": id}))
                        .collect::<Vec<_>>(),
                })
            })
            .collect();
        Self::build(
            InteractiveKind::ProductList,
            body,
            Action::Commerce(json!({"catalog_id": catalog_id, "sections": sections})),
        )
        .with_header(header)
    }
}

#[cfg(test)]
mod tests;
