//! Native WhatsApp order messages (`ORDERDESK_NATIVE_MESSAGES=on`): the
//! address asked with WhatsApp's own form (`address_message`), the payment
//! request as an `order_details` message, stage updates as `order_status`
//! messages; and their answers applied as the hosted form's and the
//! provider's are (the same checkout machine, the same address rules).

use orderdesk_domain::{
    advance, Actor, Address, CheckoutInput, CheckoutState, Customer, Order, OrderNumber,
    OrderStatus, TimelineEntry, TimelineKind, Timestamp,
};
use orderdesk_payments::PaymentLink;
use orderdesk_store::{InboundOutcome, NewInboundMessage, OrderUpdate, Store};
use orderdesk_whatsapp::{
    Content, Interactive, NativeOrderStatus, NativePayment, NfmReply, OrderDetails,
    OrderDetailsItem, OutboundError,
};

use crate::links::issue_link;
use crate::settings::PAYMENT_CONFIGURATION;
use crate::texts::Texts;
use crate::EngineError;

use super::{render, update_from, CheckoutConfig, StoredPayment};

/// The only country WhatsApp's address form serves (WHATSAPP.md §2.9).
pub(crate) const ADDRESS_COUNTRY: &str = "IN";

/// The `reference_id` of an order's `order_details` and `order_status`
/// messages: one per order, so a payment status and every later update
/// name the same order.
pub(crate) fn reference_id(number: OrderNumber) -> String {
    format!("order-{number}")
}

fn order_of_reference(reference: &str) -> Option<OrderNumber> {
    reference
        .strip_prefix("order-")
        .and_then(|n| n.parse().ok())
        .and_then(OrderNumber::new)
}

/// The address form as a WhatsApp `address_message`, prefilled with what
/// we know, and with each problem under its field on a second ask.
pub(crate) fn ask_address(
    body: String,
    prefill: &Address,
    problems: &[orderdesk_domain::AddressProblem],
) -> Result<Content, OutboundError> {
    let errors: Vec<(&str, String)> = problems
        .iter()
        .filter_map(|p| {
            orderdesk_whatsapp::ADDRESS_FIELDS
                .iter()
                .find(|(ours, _)| *ours == p.field)
                .map(|(_, theirs)| (*theirs, p.message.clone()))
        })
        .collect();
    Interactive::address_message(body, ADDRESS_COUNTRY, &NfmReply::prefill(prefill), &errors)
        .map(Into::into)
}

/// What the address form starts from for `customer`'s order.
pub(crate) fn prefill(order_address: Option<&Address>, customer: &Customer) -> Address {
    order_address
        .cloned()
        .unwrap_or_else(|| orderdesk_domain::starting_address::starting_address(customer))
}

/// How an `order_details` message lets the customer pay, when native
/// messages are on and it can: with the payment link, else with the UPI
/// payment configuration. `None` sends the usual link button instead.
pub(crate) fn native_payment(
    config: &CheckoutConfig,
    link: Option<&PaymentLink>,
) -> Option<NativePayment> {
    if !config.live.native_messages() {
        return None;
    }
    match (link, config.live.value(PAYMENT_CONFIGURATION)) {
        (Some(link), _) if link.url.starts_with("https://") || link.url.starts_with("http://") => {
            Some(NativePayment::Link(link.url.clone()))
        }
        (_, Some(name)) if !name.trim().is_empty() => Some(NativePayment::UpiConfiguration(name)),
        _ => None,
    }
}

/// The payment request as an `order_details` message: the order's lines,
/// shipping, discount and total, and `payment`.
pub(crate) fn payment_request(
    order: &Order,
    body: String,
    payment: NativePayment,
) -> Result<Content, OutboundError> {
    let subtotal: i64 = order
        .items
        .iter()
        .map(|i| i.unit_price_minor * i.quantity)
        .sum();
    // Whatever the total holds beyond the lines, shipping and discount is
    // tax added on top (exclusive tax); an inclusive total leaves none.
    let tax = order.total_minor - subtotal - order.shipping_minor + order.discount_minor;
    let details = OrderDetails {
        reference_id: reference_id(order.number),
        payment,
        currency: order.currency.to_string(),
        offset: 10_i64.pow(order.currency.exponent()),
        items: order
            .items
            .iter()
            .map(|i| OrderDetailsItem {
                retailer_id: i.retailer_id.clone(),
                name: i
                    .name
                    .chars()
                    .take(orderdesk_whatsapp::ITEM_NAME_MAX)
                    .collect(),
                unit_minor: i.unit_price_minor,
                quantity: i.quantity,
            })
            .collect(),
        shipping_minor: order.shipping_minor,
        discount_minor: order.discount_minor,
        tax_minor: tax.max(0),
        total_minor: order.total_minor,
    };
    Interactive::order_details(body, &details).map(Into::into)
}

/// The `order_status` a stage move is told with, for an order whose payment
/// went through an `order_details` message (not cash on delivery): `None`
/// for moves it has no word for (on hold, returned), which go as text.
pub(crate) fn stage_status(
    config: &CheckoutConfig,
    order: &Order,
    to: OrderStatus,
    body: &str,
    detail: &str,
) -> Option<Content> {
    if !config.live.native_messages()
        || order.payment_method == Some(orderdesk_domain::PaymentMethod::Cod)
    {
        return None;
    }
    let status = match to {
        OrderStatus::Confirmed | OrderStatus::Approved | OrderStatus::Processed => {
            NativeOrderStatus::Processing
        }
        OrderStatus::Shipped => NativeOrderStatus::Shipped,
        OrderStatus::Delivered => NativeOrderStatus::Completed,
        OrderStatus::Cancelled | OrderStatus::Rejected => NativeOrderStatus::Canceled,
        _ => return None,
    };
    let description = (!detail.trim().is_empty()).then(|| {
        detail
            .chars()
            .take(orderdesk_whatsapp::STATUS_DESCRIPTION_MAX)
            .collect()
    });
    Interactive::order_status(
        body.to_owned(),
        &reference_id(order.number),
        status,
        description,
    )
    .map(Into::into)
    .map_err(|e| tracing::warn!(error = %e, "stage update sent as text"))
    .ok()
}

/// A customer's answer from WhatsApp's address form, for their newest order
/// in checkout: checked by the hosted form's rules; a good address moves
/// the checkout on exactly as the form does, a bad one is answered with
/// each problem (in the text and under its field of a new form).
pub(crate) async fn address_reply(
    store: &dyn Store,
    config: &CheckoutConfig,
    mut message: NewInboundMessage,
    nfm: &NfmReply,
    order: Option<Order>,
) -> Result<InboundOutcome, EngineError> {
    let Some(order) = order else {
        return Ok(InboundOutcome::Message(message));
    };
    message.order_number = Some(order.number);
    let now = message.at;
    let address = orderdesk_whatsapp::native_address(&nfm.response_json)
        .unwrap_or_default()
        .normalised();
    let problems = address.problems();
    let texts = Texts::load(store, &config.language).await?;
    if !problems.is_empty() {
        let listed: Vec<String> = problems
            .iter()
            .map(|p| {
                format!(
                    "{}: {}.",
                    field_label(p.field),
                    p.message.trim_end_matches('.')
                )
            })
            .collect();
        let number = order.number.to_string();
        let Some(body) = texts.text(
            "address_invalid",
            &[("number", &number), ("problems", &listed.join(" "))],
        ) else {
            return Ok(InboundOutcome::Message(message));
        };
        let mut update = OrderUpdate::default();
        let mut entry = TimelineEntry::new(now, TimelineKind::Notice, &Actor::Customer);
        entry.detail = Some(format!(
            "address from WhatsApp not saved: {}",
            listed.join(" ")
        ));
        update.timeline.push(entry);
        update.outbound.extend(render::outbound(
            &order.customer,
            Some(order.number),
            ask_address(body.clone(), &address, &problems),
            body,
            now,
        ));
        return Ok(InboundOutcome::MessageAndUpdate {
            number: order.number,
            expected_version: order.version,
            message,
            update,
        });
    }
    let state = CheckoutState::from_order(&order);
    let Ok(outcome) = advance(
        &state,
        CheckoutInput::AddressSubmitted,
        &config.settings_now(),
    ) else {
        tracing::info!(order = %order.number, "address from WhatsApp after the payment step; kept in the chat");
        return Ok(InboundOutcome::Message(message));
    };
    let link = issue_link(store, config, &order, &outcome, now).await?;
    let (mut update, further) = update_from(config, &texts, link.as_ref(), &order, outcome, now)?;
    if !further.is_empty() {
        tracing::warn!(order = %order.number, "a second stage move from one message is left for the next input");
    }
    let mut entry = TimelineEntry::new(now, TimelineKind::AddressSet, &Actor::Customer);
    entry.detail = Some(format!(
        "{}, {} {} (WhatsApp form)",
        address.line1, address.postal_code, address.city
    ));
    update.timeline.insert(0, entry);
    update.address = Some(address);
    Ok(InboundOutcome::MessageAndUpdate {
        number: order.number,
        expected_version: order.version,
        message,
        update,
    })
}

/// The form's label of a field, as the customer saw it.
fn field_label(field: &str) -> &'static str {
    match field {
        "name" => "Name",
        "phone" => "Phone number",
        "line1" => "Address",
        "line2" => "Landmark/Area",
        "city" => "City",
        "state" => "State",
        "postal_code" => "PIN code",
        _ => "Country",
    }
}

/// A payment status WhatsApp reported for an `order_details` message,
/// applied as a provider's payment event (`captured` = paid; `failed`;
/// `pending` changes nothing).
pub(crate) async fn apply_payment_status(
    store: &dyn Store,
    config: &CheckoutConfig,
    payload: &str,
    now: Timestamp,
) -> Result<InboundOutcome, EngineError> {
    let s = match orderdesk_whatsapp::parse_payment_status(payload) {
        Ok(s) => s,
        Err(e) => return Ok(InboundOutcome::Failed(e.to_string())),
    };
    let kind = match s.status.as_str() {
        "captured" => "paid",
        "failed" => "failed",
        _ => return Ok(InboundOutcome::Ignored),
    };
    let Some(number) = s.reference_id.as_deref().and_then(order_of_reference) else {
        return Ok(InboundOutcome::Failed(format!(
            "WhatsApp payment {} names no order of ours",
            s.status
        )));
    };
    // `{value, offset}` is value / offset of the currency's units.
    let amount_minor = s.amount.and_then(|(value, offset)| {
        let currency = s
            .currency
            .as_deref()
            .and_then(|c| orderdesk_domain::Currency::parse(c).ok())?;
        let scale = 10_i64.pow(currency.exponent());
        (value * scale).checked_div(offset)
    });
    let stored = StoredPayment {
        kind: kind.to_owned(),
        raw_kind: format!("whatsapp.payment.{}", s.status),
        order_number: Some(number.get()),
        attempt: None,
        reference: s.reference_id.clone(),
        payment_id: s.transaction_id.clone(),
        amount_minor,
        currency: s.currency.clone(),
        refunds: Vec::new(),
    };
    super::payment_webhooks::apply_stored(store, config, stored, now).await
}
