//! Row-free records the store reads and writes.

use orderdesk_domain::{EventKind, NewOrder, OrderNumber, OrderStatus, PaymentStatus, Timestamp};
use serde::{Deserialize, Serialize};

/// One item of a webhook (a message, a status, or something we do not know
/// yet), stored before the webhook is acknowledged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewInbound {
    /// `whatsapp`, `razorpay`, `stripe`…
    pub source: String,
    /// Unique per source: the `wamid` of a message, `wamid/status/timestamp`
    /// for a status, a content hash for anything else.
    pub external_id: String,
    /// `message.order`, `message.text`, `status.delivered`, `unknown`…
    pub kind: String,
    /// `wa_id` or `user_id`: items of one customer are processed in order.
    pub customer_key: Option<String>,
    /// The item as JSON, self-contained (contacts and metadata included).
    pub payload: String,
    pub received_at: Timestamp,
}

/// Whether an inbound item was new.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recorded {
    /// Stored with this inbox id.
    New(i64),
    /// Seen before; nothing stored.
    Duplicate,
}

/// A stored inbox item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboundRecord {
    pub id: i64,
    pub source: String,
    pub external_id: String,
    pub kind: String,
    pub customer_key: Option<String>,
    pub payload: String,
    pub received_at: Timestamp,
}

/// What processing decided to do with an inbox item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InboundOutcome {
    /// A cart: create the order (timeline `created`, event `order.created`).
    CreateOrder(NewOrder),
    /// Nothing to do with it (yet); it stays stored for the record.
    Ignored,
    /// It could not be processed; kept with the reason, not retried.
    Failed(String),
}

/// Filters and position for listing orders.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrderQuery {
    pub status: Option<OrderStatus>,
    pub payment: Option<PaymentStatus>,
    /// Matches the order number exactly, or a substring of the customer's
    /// name (case-insensitive), `wa_id` or `user_id`.
    pub q: Option<String>,
    /// 1–200.
    pub limit: u32,
    /// Only orders with a number below this one (the previous page's last).
    pub before: Option<OrderNumber>,
}

/// A page of orders, newest first.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderPage {
    pub orders: Vec<orderdesk_domain::Order>,
    /// The number to pass as `before` for the next page, `None` on the last.
    pub next_before: Option<OrderNumber>,
}

/// One entry of the global event log.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredEvent {
    /// Global, increasing, gap-tolerant; the SSE `id:`.
    pub seq: i64,
    pub kind: EventKind,
    pub order_number: Option<OrderNumber>,
    /// The SSE `data:`: for `order.*`/`payment.*` the order as the API shows it
    /// (without timeline) at the time of the event.
    pub data: serde_json::Value,
    pub at: Timestamp,
}

/// Staff roles. Agents cannot manage users, settings or tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Owner,
    Admin,
    Agent,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Owner, Role::Admin, Role::Agent];

    pub fn as_str(&self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Admin => "admin",
            Role::Agent => "agent",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// Whether this role may manage users, settings and tokens.
    pub fn can_manage(&self) -> bool {
        matches!(self, Role::Owner | Role::Admin)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUser {
    /// Stored lower-cased.
    pub email: String,
    pub role: Role,
    /// argon2id PHC string.
    pub password_hash: String,
    pub created_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: i64,
    pub email: String,
    pub role: Role,
    pub created_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserCredentials {
    pub user: User,
    pub password_hash: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewApiToken {
    pub name: String,
    /// Hex SHA-256 of the secret; the secret itself is never stored.
    pub secret_hash: String,
    pub created_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiToken {
    pub id: i64,
    pub name: String,
    pub created_at: Timestamp,
}

/// A catalog product (Meta catalog data-feed fields we use).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Product {
    pub retailer_id: String,
    pub title: String,
    pub description: String,
    pub availability: String,
    pub condition: String,
    pub price_minor: i64,
    pub currency: orderdesk_domain::Currency,
    pub link: String,
    pub image_link: String,
    pub brand: String,
}
