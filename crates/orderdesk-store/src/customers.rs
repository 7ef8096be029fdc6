//! Customers as the customers page and API show them: one per phone
//! number (`wa_id`), with what their orders add up to, and whether staff
//! blocked them (the bot then ignores them).

use orderdesk_domain::Timestamp;

/// One customer, by phone number. A phone known under two `customers`
/// keys (its `wa_id` and the business-scoped `user_id`) is one customer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerSummary {
    pub wa_id: String,
    /// The name WhatsApp last gave for them, if any.
    pub name: Option<String>,
    /// Every order of theirs, whatever its stage.
    pub orders_count: i64,
    /// What they paid, net of refunds: the totals of their paid (or
    /// partly refunded) orders less what went back.
    pub total_spent_minor: i64,
    /// The currency of their latest order (one business, one currency).
    pub currency: Option<String>,
    pub first_order_at: Option<Timestamp>,
    pub last_order_at: Option<Timestamp>,
    /// When they last wrote.
    pub last_inbound_at: Option<Timestamp>,
    /// When staff blocked them, if they are blocked.
    pub blocked_at: Option<Timestamp>,
    /// Who blocked them.
    pub blocked_by: Option<String>,
}

/// A page of customers: the ones who wrote last first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CustomerQuery {
    /// Part of the name (case-insensitive) or of the phone number (any
    /// spelling: `+91 99887 76655`, `09988776655`).
    pub q: Option<String>,
    /// 1–200.
    pub limit: u32,
    /// How many to skip (the pages before).
    pub offset: u32,
}
