//! Reading the cart out of a stored `message.order` item.
//!
//! WhatsApp sends `item_price` as a JSON number in major units (`7.99`), so
//! the price is taken as the number's exact text and handed to
//! [`Money::parse_decimal`]; it never passes through `f64`, where `7.99`
//! would not be 799 cents.

use orderdesk_domain::{Currency, Customer, Money, MoneyError};
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::raw::{Contact, Loose, Lossy};

/// A cart as the customer sent it from the catalog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cart {
    pub customer: Customer,
    /// In the order the customer's cart listed them. May be empty; turning an
    /// empty cart into an order is refused by `NewOrder::from_cart`.
    pub lines: Vec<CartLine>,
    /// Free text sent with the cart (`None` when blank).
    pub text: Option<String>,
    pub catalog_id: Option<String>,
    /// When the customer sent it, in unix seconds.
    pub sent_at: Option<i64>,
}

/// One product in a cart, priced per unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CartLine {
    pub retailer_id: String,
    pub quantity: i64,
    pub price: Money,
}

/// Why a stored item does not hold a usable cart.
#[derive(Debug, thiserror::Error)]
pub enum CartParseError {
    #[error("order item is malformed: {0}")]
    Json(#[from] serde_path_to_error::Error<serde_json::Error>),
    #[error("message is of type {0:?}, not an order")]
    NotAnOrder(String),
    #[error("message has no order")]
    MissingOrder,
    #[error("item {retailer_id:?}: quantity {quantity} is not a positive integer")]
    Quantity {
        retailer_id: String,
        quantity: String,
    },
    #[error("item {retailer_id:?}: {source}")]
    Price {
        retailer_id: String,
        #[source]
        source: MoneyError,
    },
}

/// Reads the cart from the payload of a `message.order` item produced by
/// [`crate::split_webhook`].
///
/// # Errors
/// When the payload is not such an item, a quantity is not a positive
/// integer, or a price or currency does not parse exactly.
pub fn parse_cart(payload: &str) -> Result<Cart, CartParseError> {
    let mut de = serde_json::Deserializer::from_str(payload);
    let item: Item = serde_path_to_error::deserialize(&mut de)?;
    let message = item.message;
    if let Some(kind) = message.kind.filter(|k| k != "order") {
        return Err(CartParseError::NotAnOrder(kind));
    }
    let order = message.order.ok_or(CartParseError::MissingOrder)?;
    let contact = item.contact.0;
    // The contact entry is what WhatsApp says to address replies to, so it
    // wins over the message's own sender fields.
    let customer = Customer {
        wa_id: contact.wa_id.text().or_else(|| message.from.text()),
        user_id: contact
            .user_id
            .text()
            .or_else(|| message.from_user_id.text()),
        name: contact.profile.0.name.text(),
    };
    let lines = order
        .product_items
        .into_iter()
        .map(ProductItem::into_line)
        .collect::<Result<_, _>>()?;
    Ok(Cart {
        customer,
        lines,
        text: order.text.text().filter(|t| !t.trim().is_empty()),
        catalog_id: order.catalog_id.text(),
        sent_at: message.timestamp.as_deref().and_then(unix_seconds),
    })
}

#[derive(Deserialize)]
struct Item {
    #[serde(default)]
    contact: Loose<Contact>,
    message: Message,
}

// Customer-typed strings are read through `Lossy`: a name or note WhatsApp
// relays with an unpaired surrogate escape gets U+FFFD rather than costing
// the customer the whole cart.
#[derive(Deserialize)]
struct Message {
    #[serde(default)]
    from: Lossy,
    #[serde(default)]
    from_user_id: Lossy,
    timestamp: Option<Box<RawValue>>,
    #[serde(rename = "type")]
    kind: Option<String>,
    order: Option<Order>,
}

#[derive(Deserialize)]
struct Order {
    #[serde(default)]
    catalog_id: Lossy,
    #[serde(default)]
    text: Lossy,
    #[serde(default)]
    product_items: Vec<ProductItem>,
}

#[derive(Deserialize)]
struct ProductItem {
    product_retailer_id: Lossy,
    quantity: Box<RawValue>,
    item_price: Box<RawValue>,
    currency: String,
}

impl ProductItem {
    fn into_line(self) -> Result<CartLine, CartParseError> {
        let retailer_id = self.product_retailer_id.0.unwrap_or_default();
        let quantity = match self.quantity.get().parse::<i64>() {
            Ok(q) if q > 0 => q,
            _ => {
                return Err(CartParseError::Quantity {
                    retailer_id,
                    quantity: self.quantity.get().to_owned(),
                })
            }
        };
        let price = Currency::parse(&self.currency)
            .and_then(|currency| Money::parse_decimal(&decimal_text(&self.item_price), currency));
        match price {
            Ok(price) => Ok(CartLine {
                retailer_id,
                quantity,
                price,
            }),
            Err(source) => Err(CartParseError::Price {
                retailer_id,
                source,
            }),
        }
    }
}

/// The decimal text of a price. Meta documents a number, but its own
/// reference types it inconsistently, so a quoted decimal is read the same way.
fn decimal_text(raw: &RawValue) -> std::borrow::Cow<'_, str> {
    match crate::raw::str_of(raw) {
        Some(text) => text,
        None => std::borrow::Cow::Borrowed(raw.get()),
    }
}

/// Meta sends timestamps as strings of unix seconds; a bare number is accepted too.
fn unix_seconds(raw: &RawValue) -> Option<i64> {
    decimal_text(raw).trim().parse().ok()
}

#[cfg(test)]
mod tests;
