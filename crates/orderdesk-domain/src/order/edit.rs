//! Staff editing an order before it ships: its lines, a shipping fee, a
//! discount and the delivery address, and the one rule for what the order
//! then costs.
//!
//! [`plan_edit`] judges a request against the order as it is and the
//! catalog prices of the lines it names, and returns everything the write
//! needs (new lines, new total, a line per change for the timeline) or why
//! it is refused. Nothing is written here, so a refusal changes nothing.
//!
//! ```text
//! order #1001: 2 × Tea (₹100.00) = ₹200.00
//! edit {items: [{tea, 3}], shipping_minor: 5000}
//!   → 3 × Tea = ₹300.00, shipping ₹50.00, total ₹350.00 (was ₹200.00)
//! ```

use crate::{Address, AddressProblem, Currency, LineItem, Money, MoneyError, Order, OrderStatus};

/// One line as staff give it: the product, how many, and optionally a
/// unit price of their own (else the line's current price, else the
/// catalog's).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EditLine {
    pub retailer_id: String,
    pub quantity: i64,
    pub unit_price_minor: Option<i64>,
}

/// What staff ask to change; `None` leaves a part as it is. `items`
/// replaces every line (a line left out is removed).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EditRequest {
    pub items: Option<Vec<EditLine>>,
    pub address: Option<Address>,
    pub shipping_minor: Option<i64>,
    pub discount_minor: Option<i64>,
}

impl EditRequest {
    /// Whether the request names anything to change at all.
    pub fn is_empty(&self) -> bool {
        self.items.is_none()
            && self.address.is_none()
            && self.shipping_minor.is_none()
            && self.discount_minor.is_none()
    }
}

/// A catalog product's name and price, as an edit reads them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogPrice {
    pub retailer_id: String,
    pub name: String,
    pub unit_price_minor: i64,
    pub currency: Currency,
}

/// An accepted edit: the order's parts afterwards, and what changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedEdit {
    /// The new lines, when they changed.
    pub items: Option<Vec<LineItem>>,
    /// The new address, when it changed (normalised).
    pub address: Option<Address>,
    pub shipping_minor: i64,
    pub discount_minor: i64,
    pub total_minor: i64,
    /// The total before the edit.
    pub total_before: i64,
    /// One line per change, in the order staff read them: `2 × Tea → 3 ×
    /// Tea`, `shipping 0.00 INR → 50.00 INR`, `total …`.
    pub changes: Vec<String>,
}

impl PlannedEdit {
    /// Nothing would change: the request restated the order.
    pub fn is_noop(&self) -> bool {
        self.changes.is_empty()
    }

    /// How much the total rose (positive) or fell (negative).
    pub fn total_delta(&self) -> i64 {
        self.total_minor - self.total_before
    }

    /// Whether the lines or money changed (not only the address), so the
    /// customer is owed a new summary.
    pub fn changes_money(&self) -> bool {
        self.items.is_some() || self.total_delta() != 0
    }
}

/// Why an edit is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EditError {
    /// The order is past the point where it may change.
    #[error("order #{number} is {}; it can no longer be edited", .status.label().to_lowercase())]
    Closed { number: String, status: OrderStatus },
    #[error("give at least one of items, address, shipping_minor, discount_minor")]
    Nothing,
    #[error("an order needs at least one item")]
    NoItems,
    #[error("unknown retailer_id {0:?}: no such product in the catalog")]
    UnknownItem(String),
    #[error("item {0:?} is listed twice")]
    RepeatedItem(String),
    #[error("item {0:?} has a quantity below 1")]
    Quantity(String),
    #[error("{0} cannot be negative")]
    Negative(String),
    #[error("item {retailer_id:?} is priced in {found}, the order in {expected}")]
    Currency {
        retailer_id: String,
        found: Currency,
        expected: Currency,
    },
    #[error("the discount ({discount}) is more than the items' subtotal ({subtotal})")]
    DiscountAboveSubtotal { discount: Money, subtotal: Money },
    #[error("the address is not valid: {}", .0.iter().map(|p| format!("{}: {}", p.field, p.message)).collect::<Vec<_>>().join("; "))]
    Address(Vec<AddressProblem>),
    #[error(transparent)]
    Money(#[from] MoneyError),
    #[error(transparent)]
    Cart(#[from] crate::order::CartError),
    #[error("{0:?} is not a WhatsApp number (8 to 15 digits, with the country code)")]
    Phone(String),
    #[error("{field} can be at most {max} characters")]
    TooLong { field: &'static str, max: usize },
}

/// Whether staff may still edit an order in this stage: until it ships,
/// and never once it is closed.
pub fn editable(status: OrderStatus) -> bool {
    matches!(
        status,
        OrderStatus::Placed
            | OrderStatus::Confirmed
            | OrderStatus::Approved
            | OrderStatus::Processed
            | OrderStatus::OnHold
            | OrderStatus::Abandoned
    )
}

/// The sum of the lines, exactly.
///
/// # Errors
/// On overflow.
pub fn subtotal(items: &[LineItem], currency: Currency) -> Result<Money, MoneyError> {
    items
        .iter()
        .try_fold(Money::from_minor(0, currency), |sum, item| {
            sum.plus(Money::from_minor(item.unit_price_minor, currency).times(item.quantity)?)
        })
}

/// THE total rule: the lines' subtotal, plus shipping, less the discount.
/// A discount may bring the items to zero, never below.
///
/// # Errors
/// A negative fee or discount, a discount above the subtotal, an overflow.
pub fn order_total(
    items: &[LineItem],
    currency: Currency,
    shipping_minor: i64,
    discount_minor: i64,
) -> Result<i64, EditError> {
    if shipping_minor < 0 {
        return Err(EditError::Negative("shipping_minor".to_owned()));
    }
    if discount_minor < 0 {
        return Err(EditError::Negative("discount_minor".to_owned()));
    }
    let subtotal = subtotal(items, currency)?;
    if discount_minor > subtotal.minor() {
        return Err(EditError::DiscountAboveSubtotal {
            discount: Money::from_minor(discount_minor, currency),
            subtotal,
        });
    }
    let total = subtotal
        .plus(Money::from_minor(shipping_minor, currency))?
        .minor()
        .checked_sub(discount_minor)
        .ok_or_else(|| MoneyError::Overflow(format!("{subtotal} - {discount_minor}")))?;
    Ok(total)
}

/// Judges `request` against `order` as it is now; `catalog` holds (at
/// least) the products the request's lines name.
///
/// # Errors
/// See [`EditError`]; nothing is planned then.
pub fn plan_edit(
    order: &Order,
    request: &EditRequest,
    catalog: &[CatalogPrice],
) -> Result<PlannedEdit, EditError> {
    if !editable(order.status) {
        return Err(EditError::Closed {
            number: order.number.to_string(),
            status: order.status,
        });
    }
    if request.is_empty() {
        return Err(EditError::Nothing);
    }
    let currency = order.currency;
    let money = |minor| Money::from_minor(minor, currency).to_string();
    let mut changes = Vec::new();

    let items = match &request.items {
        Some(lines) => {
            let items = priced_lines(&order.items, order.currency, lines, catalog)?;
            if items != order.items {
                changes.push(format!(
                    "items: {} → {}",
                    describe(&order.items, currency),
                    describe(&items, currency)
                ));
                Some(items)
            } else {
                None
            }
        }
        None => None,
    };
    let shipping_minor = request.shipping_minor.unwrap_or(order.shipping_minor);
    let discount_minor = request.discount_minor.unwrap_or(order.discount_minor);
    let total_minor = order_total(
        items.as_deref().unwrap_or(&order.items),
        currency,
        shipping_minor,
        discount_minor,
    )?;
    if shipping_minor != order.shipping_minor {
        changes.push(format!(
            "shipping: {} → {}",
            money(order.shipping_minor),
            money(shipping_minor)
        ));
    }
    if discount_minor != order.discount_minor {
        changes.push(format!(
            "discount: {} → {}",
            money(order.discount_minor),
            money(discount_minor)
        ));
    }

    let address = match &request.address {
        Some(given) => {
            let address = given.normalised();
            let problems = address.problems();
            if !problems.is_empty() {
                return Err(EditError::Address(problems));
            }
            if order.address.as_ref() == Some(&address) {
                None
            } else {
                changes.push(format!("address: {}", one_line(&address)));
                Some(address)
            }
        }
        None => None,
    };
    if total_minor != order.total_minor {
        changes.push(format!(
            "total: {} → {}",
            money(order.total_minor),
            money(total_minor)
        ));
    }
    Ok(PlannedEdit {
        items,
        address,
        shipping_minor,
        discount_minor,
        total_minor,
        total_before: order.total_minor,
        changes,
    })
}

/// The lines of an order staff create from the catalog, and the currency
/// they are priced in (the first product's).
///
/// # Errors
/// As for an edit's lines: none, an unknown product, a quantity below 1,
/// a negative price, a product priced in another currency.
pub fn catalog_lines(
    lines: &[EditLine],
    catalog: &[CatalogPrice],
) -> Result<(Vec<LineItem>, Currency), EditError> {
    let first = lines.first().ok_or(EditError::NoItems)?;
    let id = first.retailer_id.trim();
    let currency = catalog
        .iter()
        .find(|p| p.retailer_id == id)
        .map(|p| p.currency)
        .ok_or_else(|| EditError::UnknownItem(id.to_owned()))?;
    Ok((priced_lines(&[], currency, lines, catalog)?, currency))
}

/// New lines: each named product at the given quantity, priced as given,
/// else as it is in `existing` (the order's lines), else as the catalog
/// has it.
fn priced_lines(
    existing: &[LineItem],
    currency: Currency,
    lines: &[EditLine],
    catalog: &[CatalogPrice],
) -> Result<Vec<LineItem>, EditError> {
    if lines.is_empty() {
        return Err(EditError::NoItems);
    }
    let mut items: Vec<LineItem> = Vec::with_capacity(lines.len());
    for line in lines {
        let id = line.retailer_id.trim();
        if items.iter().any(|i| i.retailer_id == id) {
            return Err(EditError::RepeatedItem(id.to_owned()));
        }
        if line.quantity < 1 {
            return Err(EditError::Quantity(id.to_owned()));
        }
        if line.unit_price_minor.is_some_and(|p| p < 0) {
            return Err(EditError::Negative(format!("the unit price of {id:?}")));
        }
        let on_order = existing.iter().find(|i| i.retailer_id == id);
        let in_catalog = catalog.iter().find(|p| p.retailer_id == id);
        let (name, price) = match (on_order, in_catalog) {
            (Some(item), _) => (item.name.clone(), item.unit_price_minor),
            (None, Some(product)) => {
                if product.currency != currency {
                    return Err(EditError::Currency {
                        retailer_id: id.to_owned(),
                        found: product.currency,
                        expected: currency,
                    });
                }
                (product.name.clone(), product.unit_price_minor)
            }
            (None, None) => return Err(EditError::UnknownItem(id.to_owned())),
        };
        items.push(LineItem {
            retailer_id: id.to_owned(),
            name,
            quantity: line.quantity,
            unit_price_minor: line.unit_price_minor.unwrap_or(price),
        });
    }
    Ok(items)
}

/// `2 × Tea @ 100.00 INR, 1 × Mug @ 250.00 INR`.
pub fn describe(items: &[LineItem], currency: Currency) -> String {
    describe_priced(items, |minor| {
        Money::from_minor(minor, currency).to_string()
    })
}

/// [`describe`] with unit prices written by `price` (from minor units): a
/// customer's message writes them the business's way (`₹250.00`).
pub fn describe_priced(items: &[LineItem], price: impl Fn(i64) -> String) -> String {
    items
        .iter()
        .map(|i| {
            format!(
                "{} × {} @ {}",
                i.quantity,
                i.name,
                price(i.unit_price_minor)
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The address on one line, empty parts left out.
pub fn one_line(a: &Address) -> String {
    [
        &a.name,
        &a.line1,
        &a.line2,
        &a.city,
        &a.state,
        &a.postal_code,
        &a.country,
    ]
    .into_iter()
    .filter(|p| !p.is_empty())
    .map(String::as_str)
    .collect::<Vec<_>>()
    .join(", ")
}

#[cfg(test)]
#[path = "edit_tests.rs"]
mod tests;
