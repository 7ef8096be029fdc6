//! The cart inside a stored `message.order` item, as the inbox worker reads it.
//!
//! Properties: parsing never panics; an accepted cart has only positive
//! quantities and non-negative prices, and every price prints as text that
//! parses back to the same amount (what the dashboard and the customer are
//! shown is what was stored).
#![no_main]

use libfuzzer_sys::fuzz_target;
use orderdesk_domain::Money;
use orderdesk_whatsapp::parse_cart;

fuzz_target!(|payload: &str| {
    let Ok(cart) = parse_cart(payload) else {
        return;
    };
    for line in &cart.lines {
        assert!(line.quantity > 0, "quantity {} accepted", line.quantity);
        assert!(line.price.minor() >= 0, "negative price {}", line.price);
        let shown = line.price.to_string();
        let back = Money::parse_with_code(&shown)
            .unwrap_or_else(|e| panic!("price {shown:?} does not parse back: {e}"));
        assert_eq!(back, line.price, "price {shown:?} changed on the way back");
    }
    if let Some(text) = &cart.text {
        assert!(!text.trim().is_empty(), "blank cart text kept");
    }
});
