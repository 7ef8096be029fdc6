//! WhatsApp's native commerce messages on the phone: an `address_message`
//! opens an address form, an `order_details` shows the order with "Review
//! and pay", an `order_status` the order's state, `product` and
//! `product_list` the catalog's products to add to the cart. Read as Meta
//! would (rebuilt through `orderdesk_whatsapp`'s checked constructors), and
//! answered as WhatsApp does: the form's `nfm_reply`, the payment status.

use orderdesk_whatsapp::{
    Interactive, NativeOrderStatus, NativePayment, OrderDetails, OrderDetailsItem, ProductSection,
};
use serde_json::{json, Map, Value};

use super::*;
use crate::graph::{invalid, GraphFault};

/// The `interactive.type`s read here.
pub(crate) const COMMERCE_KINDS: &[&str] = &[
    "address_message",
    "order_details",
    "order_status",
    "product",
    "product_list",
];

fn str_at<'v>(v: &'v Value, pointer: &str) -> Option<&'v str> {
    v.pointer(pointer).and_then(Value::as_str)
}

fn required<'v>(v: &'v Value, pointer: &str) -> Result<&'v str, GraphFault> {
    str_at(v, pointer)
        .ok_or_else(|| GraphFault::missing(&format!("interactive{}", pointer.replace('/', "."))))
}

fn minor(v: &Value, pointer: &str) -> i64 {
    v.pointer(pointer)
        .and_then(|a| a.get("value"))
        .and_then(Value::as_i64)
        .unwrap_or(0)
}

fn pairs(v: Option<&Value>) -> Vec<(String, String)> {
    v.and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_owned())))
                .collect()
        })
        .unwrap_or_default()
}

/// Reads a commerce `interactive` object into what the phone shows.
///
/// # Errors
/// Meta's answer to a malformed or out-of-limits message.
pub(crate) fn read_commerce(i: &Value, message: &mut Message) -> Result<(), GraphFault> {
    let kind = required(i, "/type")?.to_owned();
    let body = str_at(i, "/body/text").map(str::to_owned);
    let params = i
        .pointer("/action/parameters")
        .cloned()
        .unwrap_or(Value::Null);
    let native = match kind.as_str() {
        "address_message" => {
            if str_at(i, "/action/name") != Some("address_message") {
                return Err(GraphFault::invalid_parameter(
                    "interactive.action.name must be \"address_message\"",
                ));
            }
            let country = required(i, "/action/parameters/country")?;
            let values = pairs(params.get("values"));
            let errors = pairs(params.get("validation_errors"));
            fn borrow(l: &[(String, String)]) -> Vec<(&str, String)> {
                l.iter().map(|(k, v)| (k.as_str(), v.clone())).collect()
            }
            Interactive::address_message(
                body.clone().unwrap_or_default(),
                country,
                &borrow(&values),
                &borrow(&errors),
            )
            .map_err(|e| invalid(&e))?;
            json!({"type": kind, "country": country,
                "values": params.get("values").cloned().unwrap_or(json!({})),
                "errors": params.get("validation_errors").cloned().unwrap_or(json!({}))})
        }
        "order_details" => read_order_details(i, &params, body.as_deref(), message)?,
        "order_status" => {
            let reference = required(i, "/action/parameters/reference_id")?;
            let status = required(i, "/action/parameters/order/status")?;
            let wire = match status {
                "pending" => NativeOrderStatus::Pending,
                "processing" => NativeOrderStatus::Processing,
                "partially-shipped" => NativeOrderStatus::PartiallyShipped,
                "shipped" => NativeOrderStatus::Shipped,
                "completed" => NativeOrderStatus::Completed,
                "canceled" => NativeOrderStatus::Canceled,
                other => {
                    return Err(GraphFault::invalid_parameter(&format!(
                        "interactive.action.parameters.order.status {other:?} is not a WhatsApp order status"
                    )))
                }
            };
            let description = str_at(i, "/action/parameters/order/description").map(str::to_owned);
            Interactive::order_status(
                body.clone().unwrap_or_default(),
                reference,
                wire,
                description.clone(),
            )
            .map_err(|e| invalid(&e))?;
            json!({"type": kind, "reference_id": reference, "status": status, "description": description})
        }
        "product" => {
            let catalog = required(i, "/action/catalog_id")?;
            let id = required(i, "/action/product_retailer_id")?;
            Interactive::product(catalog, id, body.clone()).map_err(|e| invalid(&e))?;
            json!({"type": kind, "sections": [{"title": null, "products": [id]}]})
        }
        _ => {
            let header = required(i, "/header/text")?;
            let catalog = required(i, "/action/catalog_id")?;
            let sections: Vec<(String, Vec<String>)> = i
                .pointer("/action/sections")
                .and_then(Value::as_array)
                .map(|list| {
                    list.iter()
                        .map(|s| {
                            let ids = s["product_items"]
                                .as_array()
                                .map(|items| {
                                    items
                                        .iter()
                                        .filter_map(|p| p["product_retailer_id"].as_str())
                                        .map(str::to_owned)
                                        .collect()
                                })
                                .unwrap_or_default();
                            (s["title"].as_str().unwrap_or_default().to_owned(), ids)
                        })
                        .collect()
                })
                .unwrap_or_default();
            let checked = sections
                .iter()
                .map(|(t, ids)| ProductSection::new(t.clone(), ids.clone()))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| invalid(&e))?;
            Interactive::product_list(header, body.clone().unwrap_or_default(), catalog, &checked)
                .map_err(|e| invalid(&e))?;
            message.header = Some(header.to_owned());
            json!({"type": kind, "sections": sections.iter()
                .map(|(t, ids)| json!({"title": t, "products": ids})).collect::<Vec<_>>()})
        }
    };
    message.text = body;
    message.footer = str_at(i, "/footer/text").map(str::to_owned);
    message.native = Some(native);
    Ok(())
}

fn read_order_details(
    i: &Value,
    params: &Value,
    body: Option<&str>,
    message: &mut Message,
) -> Result<Value, GraphFault> {
    if str_at(i, "/action/name") != Some("review_and_pay") {
        return Err(GraphFault::invalid_parameter(
            "interactive.action.name must be \"review_and_pay\"",
        ));
    }
    let reference = required(i, "/action/parameters/reference_id")?;
    let currency = required(i, "/action/parameters/currency")?;
    let offset = params
        .pointer("/total_amount/offset")
        .and_then(Value::as_i64)
        .unwrap_or(100);
    let items: Vec<OrderDetailsItem> = params
        .pointer("/order/items")
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .map(|it| OrderDetailsItem {
                    retailer_id: it["retailer_id"].as_str().unwrap_or_default().to_owned(),
                    name: it["name"].as_str().unwrap_or_default().to_owned(),
                    unit_minor: minor(it, "/amount"),
                    quantity: it["quantity"].as_i64().unwrap_or(0),
                })
                .collect()
        })
        .unwrap_or_default();
    let link = str_at(params, "/payment_settings/0/payment_link/uri");
    let upi = str_at(params, "/payment_configuration");
    let payment = match (link, upi) {
        (Some(uri), _) => NativePayment::Link(uri.to_owned()),
        (None, Some(name)) => NativePayment::UpiConfiguration(name.to_owned()),
        (None, None) => {
            return Err(GraphFault::missing(
                "interactive.action.parameters.payment_settings or payment_configuration",
            ))
        }
    };
    let details = OrderDetails {
        reference_id: reference.to_owned(),
        payment,
        currency: currency.to_owned(),
        offset,
        items: items.clone(),
        shipping_minor: minor(params, "/order/shipping"),
        discount_minor: minor(params, "/order/discount"),
        tax_minor: minor(params, "/order/tax"),
        total_minor: minor(params, "/total_amount"),
    };
    Interactive::order_details(body.unwrap_or_default().to_owned(), &details)
        .map_err(|e| invalid(&e))?;
    if let Some(uri) = link {
        // "Review and pay" opens the payment page, like a link button.
        message.link = Some(state::Link {
            label: "Review and pay".to_owned(),
            url: uri.to_owned(),
        });
    }
    Ok(
        json!({"type": "order_details", "reference_id": reference, "currency": currency,
        "offset": offset, "total_minor": details.total_minor, "upi": upi,
        "items": items.iter().map(|it| json!({"name": it.name, "quantity": it.quantity,
            "amount_minor": it.unit_minor})).collect::<Vec<_>>()}),
    )
}

impl Simulator {
    /// The business message `wamid` to `customer`, if it is a native `kind`.
    fn native_message(
        &self,
        customer: &Customer,
        wamid: &str,
        kind: &str,
    ) -> Result<Message, SimError> {
        let phones = self.shared().phones();
        match phones.message(wamid) {
            Some((owner, m))
                if owner.wa_id == customer.wa_id
                    && m.from == Side::Business
                    && m.native.as_ref().is_some_and(|n| n["type"] == kind) =>
            {
                Ok(m.clone())
            }
            _ => Err(SimError::not_found(format!(
                "no {kind} message {wamid} from the business"
            ))),
        }
    }

    /// The customer fills in WhatsApp's address form of message `wamid`
    /// (Meta's field names) and submits it: an `nfm_reply` goes to the server.
    ///
    /// # Errors
    /// Unknown customer, or no such address message.
    pub fn submit_address(
        &self,
        customer: &str,
        wamid: &str,
        values: Map<String, Value>,
    ) -> Result<Message, SimError> {
        let customer = self.customer(customer)?;
        self.native_message(&customer, wamid, "address_message")?;
        let text = [
            "house_number",
            "building_name",
            "address",
            "city",
            "in_pin_code",
        ]
        .iter()
        .filter_map(|k| values.get(*k).and_then(Value::as_str))
        .filter(|s| !s.trim().is_empty())
        .collect::<Vec<_>>()
        .join(", ");
        let response = json!({"values": values}).to_string();
        let wire = json!({
            "context": {"from": self.settings().display_phone_number, "id": wamid},
            "type": "interactive",
            "interactive": {"type": "nfm_reply", "nfm_reply": {
                "name": "address_message", "body": "Sent", "response_json": response}},
        });
        let mut message = Message::new(new_wamid(), Side::Customer, "address", now());
        message.text = Some(format!("Address: {text}"));
        message.reply_to = Some(wamid.to_owned());
        let sent = self.customer_sends(&customer, message, wire);
        self.shared().phones().mark_native(wamid, "answered");
        self.shared().changed();
        Ok(sent)
    }

    /// The customer pays the `order_details` message `wamid` in WhatsApp
    /// (its UPI configuration): WhatsApp reports a `captured` payment
    /// status with the message's reference and total.
    ///
    /// # Errors
    /// Unknown customer, or no such message.
    pub fn pay_native(&self, customer: &str, wamid: &str) -> Result<Message, SimError> {
        let customer = self.customer(customer)?;
        let m = self.native_message(&customer, wamid, "order_details")?;
        let view = m.native.clone().unwrap_or(Value::Null);
        let body = webhook::payment_status(
            &self.settings().number(),
            &customer,
            wamid,
            &json!({
                "reference_id": view["reference_id"],
                "amount": {"value": view["total_minor"], "offset": view["offset"]},
                "currency": view["currency"],
                "transaction": {"id": format!("txn-{}", new_wamid()), "type": "upi", "status": "success"},
            }),
            now(),
        );
        let _ = self.inner.outbox.send(Delivery {
            body: webhook::to_meta_bytes(&body),
            carries: None,
        });
        self.shared().phones().mark_native(wamid, "paid");
        self.shared().changed();
        let phones = self.shared().phones();
        Ok(phones.message(wamid).map_or(m.clone(), |(_, m)| m.clone()))
    }
}
