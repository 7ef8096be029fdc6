//! Customers (issue #16, item 6): the list and one customer's page (their
//! orders, the addresses they used, the conversation), and blocking: the
//! inbox then ignores a blocked customer's carts and the bot stays quiet
//! to their messages (which still join the conversation, so staff see
//! them).

use orderdesk_domain::followup::{rating_summary, RatingSummary};
use orderdesk_domain::visibility::may_see;
use orderdesk_domain::{Address, Order, Timestamp};
use orderdesk_store::{ChatMessage, CustomerQuery, CustomerSummary, StoreError};

use crate::{Engine, EngineError, Viewer};

/// How many of a customer's orders their page shows (newest first).
pub const CUSTOMER_ORDERS: u32 = 100;
/// How many chat messages their page shows (the latest).
pub const CUSTOMER_MESSAGES: u32 = 50;

/// One customer with their orders and conversation.
#[derive(Debug, Clone)]
pub struct CustomerView {
    pub summary: CustomerSummary,
    /// Newest first, at most [`CUSTOMER_ORDERS`], only those the viewer
    /// may see.
    pub orders: Vec<Order>,
    /// Distinct delivery addresses of those orders, the latest first.
    pub addresses: Vec<Address>,
    /// The latest messages both ways, oldest first.
    pub messages: Vec<ChatMessage>,
    /// The average of the ratings those orders were given after delivery
    /// (issue #19); `None` when none was rated.
    pub ratings: Option<RatingSummary>,
}

impl Engine {
    /// A page of customers.
    ///
    /// # Errors
    /// A store failure.
    pub async fn customers(
        &self,
        query: &CustomerQuery,
    ) -> Result<Vec<CustomerSummary>, EngineError> {
        Ok(self.store.customers(query).await?)
    }

    /// The customer with this phone number.
    ///
    /// # Errors
    /// `Store(NotFound)` when no customer has it.
    pub async fn customer(&self, wa_id: &str) -> Result<CustomerSummary, EngineError> {
        if !plausible(wa_id) {
            return Err(StoreError::NotFound.into());
        }
        self.store
            .customer_summary(wa_id)
            .await?
            .ok_or(EngineError::Store(StoreError::NotFound))
    }

    /// The customer with their orders (those `viewer` may see; an API
    /// token, `None`, sees all) and conversation.
    ///
    /// # Errors
    /// `Store(NotFound)` when no customer has this phone number.
    pub async fn customer_view(
        &self,
        viewer: Option<&Viewer>,
        wa_id: &str,
    ) -> Result<CustomerView, EngineError> {
        let summary = self.customer(wa_id).await?;
        let limited = self.agents_see_own_orders();
        let orders: Vec<Order> = self
            .store
            .customer_orders(wa_id, CUSTOMER_ORDERS)
            .await?
            .into_iter()
            .filter(|o| viewer.is_none_or(|v| may_see(o, v, limited)))
            .collect();
        let mut addresses: Vec<Address> = Vec::new();
        for a in orders.iter().filter_map(|o| o.address.as_ref()) {
            if !addresses.contains(a) {
                addresses.push(a.clone());
            }
        }
        // The conversation is keyed as the customer's items are (their
        // business-scoped id when WhatsApp sends one): the latest row's key.
        let key = self
            .store
            .customer_by_wa_id(wa_id)
            .await?
            .map_or_else(|| wa_id.to_owned(), |c| c.key);
        let messages = self
            .store
            .messages_for_customer(&key, CUSTOMER_MESSAGES)
            .await?;
        let ratings = rating_summary(orders.iter().filter_map(|o| o.feedback.as_ref()));
        Ok(CustomerView {
            summary,
            ratings,
            orders,
            addresses,
            messages,
        })
    }

    /// Blocks the customer (`by`: the staff member or token) or unblocks
    /// them; returns them as they now are. Blocking twice keeps the first.
    ///
    /// # Errors
    /// `Store(NotFound)` when no customer has this phone number.
    pub async fn set_customer_blocked(
        &self,
        wa_id: &str,
        blocked: bool,
        by: &str,
        at: Timestamp,
    ) -> Result<CustomerSummary, EngineError> {
        if !plausible(wa_id) {
            return Err(StoreError::NotFound.into());
        }
        let change = blocked.then(|| (at, by.to_owned()));
        self.store.set_customer_blocked(wa_id, change).await?;
        self.customer(wa_id).await
    }
}

/// Whether `wa_id` could name a customer at all: short, no control
/// characters (PostgreSQL refuses a NUL in text; no such customer exists).
fn plausible(wa_id: &str) -> bool {
    !wa_id.is_empty() && wa_id.len() <= 64 && !wa_id.chars().any(char::is_control)
}
