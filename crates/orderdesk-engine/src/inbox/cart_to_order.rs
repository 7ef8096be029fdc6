//! Where a cart becomes an order: a stored `message.order` item, its lines
//! named from the catalog, checked by the domain (`NewOrder::from_cart`) and,
//! with the checkout bot on, created together with its first question and
//! timers.

use std::collections::HashMap;

use orderdesk_domain::{LineItem, NewOrder};
use orderdesk_store::{InboundOutcome, InboundRecord};

use crate::texts::Texts;
use crate::CheckoutConfig;

/// A stored cart item becomes an order: parsed here, then ordered as any
/// cart is ([`order_from_cart`]).
pub(super) fn decide_cart(
    item: &InboundRecord,
    names: &HashMap<String, String>,
    checkout: Option<(&CheckoutConfig, &Texts)>,
) -> InboundOutcome {
    match orderdesk_whatsapp::parse_cart(&item.payload) {
        Ok(cart) => order_from_cart(cart, names, item.received_at, checkout),
        Err(e) => InboundOutcome::Failed(format!("unreadable cart: {e}")),
    }
}

/// A cart, however it was put together, becomes an order: the one path for
/// a catalog cart and for a typed order the customer confirmed, so both get
/// the same checks, first question and timers.
pub(crate) fn order_from_cart(
    cart: orderdesk_whatsapp::Cart,
    names: &HashMap<String, String>,
    received_at: orderdesk_domain::Timestamp,
    checkout: Option<(&CheckoutConfig, &Texts)>,
) -> InboundOutcome {
    let lines = cart
        .lines
        .into_iter()
        .map(|line| {
            let name = names
                .get(&line.retailer_id)
                .cloned()
                .unwrap_or_else(|| line.retailer_id.clone());
            (
                LineItem {
                    retailer_id: line.retailer_id,
                    name,
                    quantity: line.quantity,
                    unit_price_minor: line.price.minor(),
                },
                line.price.currency(),
            )
        })
        .collect();
    match NewOrder::from_cart(cart.customer, lines, cart.text, received_at) {
        Ok(order) => match checkout {
            // The first question goes out in the same transaction that
            // creates the order, so an order never exists unasked.
            Some((config, texts)) => InboundOutcome::CreateOrder {
                outbound: crate::checkout::first_messages(config, texts, &order),
                timers: crate::checkout::checkout_timers(&config.settings_now(), order.created_at),
                order,
            },
            None => InboundOutcome::create_order(order),
        },
        Err(e) => InboundOutcome::Failed(format!("cart refused: {e}")),
    }
}
