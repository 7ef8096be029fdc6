//! The parts of an order only staff change (its lines and money when they
//! edit it, its tags and assignee), written with an [`OrderUpdate`] through
//! [`crate::OrderStore::edit_order`].

use orderdesk_domain::{LineItem, Order};

#[allow(unused_imports)] // for the doc links
use crate::OrderUpdate;

/// Staff's changes to an order's lines, money and bookkeeping. `None`
/// leaves a part as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrderFields {
    pub items: Option<Vec<LineItem>>,
    pub shipping_minor: Option<i64>,
    pub discount_minor: Option<i64>,
    /// Follows `items`, shipping and discount (the domain's `order_total`);
    /// the store writes what it is given.
    pub total_minor: Option<i64>,
    pub tags: Option<Vec<String>>,
    /// `Some(None)` unassigns.
    pub assignee: Option<Option<String>>,
}

impl OrderFields {
    /// Whether nothing is to change.
    pub fn is_empty(&self) -> bool {
        self == &Self::default()
    }

    /// `order` with these changes.
    pub fn apply_to(&self, order: &mut Order) {
        if let Some(items) = &self.items {
            order.items.clone_from(items);
        }
        if let Some(shipping) = self.shipping_minor {
            order.shipping_minor = shipping;
        }
        if let Some(discount) = self.discount_minor {
            order.discount_minor = discount;
        }
        if let Some(total) = self.total_minor {
            order.total_minor = total;
        }
        if let Some(tags) = &self.tags {
            order.tags.clone_from(tags);
        }
        if let Some(assignee) = &self.assignee {
            order.assignee.clone_from(assignee);
        }
    }
}
