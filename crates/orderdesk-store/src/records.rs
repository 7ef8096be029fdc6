//! Row-free records the store reads and writes.

use orderdesk_domain::{
    Address, CheckoutStep, EventKind, NewOrder, Order, OrderNumber, OrderStatus, PaymentMethod,
    PaymentStatus, StatusChange, TimelineEntry, Timestamp,
};
use serde::{Deserialize, Serialize};

use crate::{NewTimer, TimerKind};

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
// One per inbox item in a batch of at most a few hundred: the size of the
// largest variant costs nothing worth boxing for.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum InboundOutcome {
    /// A cart: create the order (timeline `created`, event `order.created`),
    /// remember its customer (ids, name, `last_inbound_at` = the cart's
    /// time), and queue the first messages and timers of its checkout. The
    /// store fills in the new order's number on `outbound` (where it is
    /// `None`) and sets `timers` (kind, due time) on the new order.
    CreateOrder {
        order: NewOrder,
        outbound: Vec<NewOutbound>,
        timers: Vec<(TimerKind, Timestamp)>,
    },
    /// A customer's message that changes no order: record it in the chat
    /// thread and remember the customer (event `message.received`).
    Message(NewInboundMessage),
    /// A customer's message and what it does to one order, applied together
    /// (see [`crate::OrderStore::update_order`]). When the order is no longer at
    /// `expected_version` nothing of the item is applied and it stays
    /// pending; see [`InboundResult::Conflict`]. The update is applied at
    /// the message's time, and the message's `order_number` defaults to
    /// `number`.
    MessageAndUpdate {
        message: NewInboundMessage,
        number: OrderNumber,
        expected_version: i64,
        update: OrderUpdate,
    },
    /// A delivery status of a message we sent (see
    /// [`crate::OutboxStore::message_status`]).
    Status {
        wamid: String,
        state: MessageState,
        at: Timestamp,
        error: Option<String>,
    },
    /// Nothing to do with it (yet); it stays stored for the record.
    Ignored,
    /// It could not be processed; kept with the reason, not retried.
    Failed(String),
}

impl InboundOutcome {
    /// A cart that only becomes an order, with nothing queued for it.
    pub fn create_order(order: NewOrder) -> Self {
        Self::CreateOrder {
            order,
            outbound: Vec::new(),
            timers: Vec::new(),
        }
    }
}

/// What became of one item given to
/// [`crate::InboxStore::apply_inbound`].
// One per inbox item, like `InboundOutcome`: not worth boxing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum InboundResult {
    /// Applied and marked processed. `order`: the order the item created or
    /// updated; `message`: the chat message it recorded or changed.
    Done {
        order: Option<Order>,
        message: Option<ChatMessage>,
    },
    /// Already processed (by another processor, or earlier in the same
    /// batch) or unknown: nothing applied.
    Skipped,
    /// The order was no longer at the expected version (or stage): nothing
    /// of the item was applied and it stays pending, to be decided again
    /// against the order as it is now.
    Conflict {
        number: OrderNumber,
        current_version: i64,
    },
    /// Not looked at because an earlier item of the same customer in this
    /// batch hit a [`InboundResult::Conflict`]: a customer's items are
    /// applied in the order they arrived, so it stays pending too.
    Deferred,
}

impl InboundResult {
    /// The order the item created or updated, if it was applied.
    pub fn into_order(self) -> Option<Order> {
        match self {
            Self::Done { order, .. } => order,
            _ => None,
        }
    }

    /// Whether the item is still pending and will be handed out again.
    pub fn is_pending(&self) -> bool {
        matches!(self, Self::Conflict { .. } | Self::Deferred)
    }
}

/// A message the bot or staff send, queued in the same transaction as the
/// change that caused it and delivered by the outbox.
#[derive(Debug, Clone, PartialEq)]
pub struct NewOutbound {
    pub order_number: Option<OrderNumber>,
    /// The customer the message goes to; messages to one customer are sent
    /// strictly one after another, in the order they were queued.
    pub customer_key: String,
    pub to_wa_id: Option<String>,
    pub to_user_id: Option<String>,
    /// The Cloud API wire JSON of the message; its `type` (`text`,
    /// `interactive`, `template`) becomes the chat message's `kind`.
    pub body: serde_json::Value,
    /// What the chat panel shows for it.
    pub preview: String,
    /// Not sent before this time.
    pub not_before: Timestamp,
}

impl NewOutbound {
    /// The WhatsApp message `type` of the body, which the chat thread shows
    /// as the message's kind.
    pub fn kind(&self) -> &str {
        self.body
            .get("type")
            .and_then(serde_json::Value::as_str)
            .unwrap_or("unknown")
    }
}

/// A customer's message, as the chat thread keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewInboundMessage {
    pub customer_key: String,
    pub wa_id: Option<String>,
    pub user_id: Option<String>,
    /// The profile name WhatsApp sent with it, if any.
    pub name: Option<String>,
    pub order_number: Option<OrderNumber>,
    pub wamid: String,
    /// The WhatsApp message `type`: `text`, `interactive`, `image`…
    pub kind: String,
    /// What the chat panel shows: the text, the tapped button's title, a
    /// caption…
    pub text: String,
    pub at: Timestamp,
}

/// Changes to one order, applied together at an expected version (see
/// [`crate::OrderStore::update_order`]). `None` fields stay as they are.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OrderUpdate {
    pub checkout_step: Option<CheckoutStep>,
    pub address: Option<Address>,
    pub note: Option<String>,
    pub payment_status: Option<PaymentStatus>,
    pub payment_method: Option<PaymentMethod>,
    /// The provider's id of the payment (link, session…); kept until
    /// another is given (`Order::payment_reference`).
    pub payment_reference: Option<String>,
    /// `Some(Some(why))` flags the payment for review, `Some(None)` clears
    /// the flag, `None` leaves it.
    pub payment_review: Option<Option<String>>,
    /// A stage move planned with `plan_transition` from the order's stage.
    pub status_change: Option<StatusChange>,
    /// Entries appended to the timeline, before the move's own entry.
    pub timeline: Vec<TimelineEntry>,
    /// Messages to queue; their `order_number` defaults to this order.
    pub outbound: Vec<NewOutbound>,
    /// Timers of this order to set, each replacing one of the same kind.
    pub timers: Vec<NewTimer>,
    /// Timers of this order to drop (before `timers` are set).
    pub cancel_timers: Vec<TimerKind>,
    /// The provider's id of the payment that paid the order
    /// (`Order::provider_payment_id`); kept until another is given.
    pub provider_payment_id: Option<String>,
    /// A new refund, or a refund's outcome (see [`crate::RefundChange`]).
    pub refund: Option<crate::RefundChange>,
    /// Payment events to append to the ledger, for this order.
    pub ledger: Vec<orderdesk_domain::LedgerEntry>,
    /// The checkout's new count of messages it could not use at this step
    /// (`Order::off_script`).
    pub off_script: Option<u32>,
    /// What the customer typed at the address step (`Order::address_as_typed`).
    pub address_as_typed: Option<String>,
    /// The cash-on-delivery confirmation's new state (`Order::cod_confirmation`).
    pub cod_confirmation: Option<orderdesk_domain::followup::CodConfirmation>,
    /// The feedback's new state (`Order::feedback`).
    pub feedback: Option<orderdesk_domain::followup::Feedback>,
    /// A cart-recovery message went out at this time (`Order::reminded_at`).
    pub reminded_at: Option<Timestamp>,
}

impl OrderUpdate {
    /// Whether the order itself changes (a field, its stage or its
    /// timeline), rather than only messages and timers around it.
    pub fn touches_order(&self) -> bool {
        self.checkout_step.is_some()
            || self.address.is_some()
            || self.note.is_some()
            || self.payment_status.is_some()
            || self.payment_method.is_some()
            || self.payment_reference.is_some()
            || self.payment_review.is_some()
            || self.status_change.is_some()
            || !self.timeline.is_empty()
            || self.provider_payment_id.is_some()
            || self.refund.is_some()
            || self.off_script.is_some()
            || self.address_as_typed.is_some()
            || self.cod_confirmation.is_some()
            || self.feedback.is_some()
            || self.reminded_at.is_some()
            || !self.ledger.is_empty()
    }
}

/// Which way a chat message went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// From the customer.
    In,
    /// To the customer, from the bot or staff.
    Out,
}

impl Direction {
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::In => "in",
            Self::Out => "out",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::In, Self::Out].into_iter().find(|d| d.as_str() == s)
    }
}

// The delivery state machine is a pure rule, so it lives in the domain.
pub use orderdesk_domain::MessageState;

/// One message of a chat thread; also the `message` of `message.*` events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatMessage {
    pub id: i64,
    pub order_number: Option<OrderNumber>,
    pub customer_key: String,
    pub direction: Direction,
    /// WhatsApp's id; for outbound messages known once sent.
    pub wamid: Option<String>,
    /// The WhatsApp message `type`.
    pub kind: String,
    /// What the chat panel shows.
    pub text: String,
    pub state: MessageState,
    /// Why the last send attempt or the delivery failed.
    pub error: Option<String>,
    pub created_at: Timestamp,
    pub sent_at: Option<Timestamp>,
}

impl ChatMessage {
    /// The `data` of a `message.*` event about this message.
    pub fn event_data(&self) -> serde_json::Value {
        serde_json::json!({ "number": self.order_number, "message": self })
    }

    /// The text of the `notice` timeline entry that shows a permanent
    /// failure of this message on its order.
    pub fn failure_notice(error: &str) -> String {
        format!("message could not be sent: {error}")
    }
}

/// An outbound message claimed for sending.
#[derive(Debug, Clone, PartialEq)]
pub struct OutboxItem {
    pub id: i64,
    pub order_number: Option<OrderNumber>,
    pub customer_key: String,
    pub to_wa_id: Option<String>,
    pub to_user_id: Option<String>,
    pub body: serde_json::Value,
    /// Send attempts including this one.
    pub attempts: i32,
}

/// The key of an order's customer: the business-scoped `user_id` first, as
/// the webhook parser keys inbox items, else the `wa_id`.
pub fn customer_key_of(customer: &orderdesk_domain::Customer) -> Option<&str> {
    customer
        .user_id
        .as_deref()
        .or(customer.wa_id.as_deref())
        .filter(|k| !k.is_empty())
}

/// What the store remembers about a customer across orders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerRecord {
    /// `user_id` or `wa_id`, as the inbox keys the customer's items.
    pub key: String,
    pub wa_id: Option<String>,
    pub user_id: Option<String>,
    pub name: Option<String>,
    /// When they last wrote (opens the 24-hour customer-service window).
    pub last_inbound_at: Option<Timestamp>,
    /// The address of their latest order, to offer again.
    pub last_address: Option<Address>,
}

/// Filters and position for listing orders.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrderQuery {
    pub status: Option<OrderStatus>,
    pub payment: Option<PaymentStatus>,
    /// Matches the order number exactly, or a substring of the customer's
    /// name (case-insensitive), `wa_id` or `user_id`.
    pub q: Option<String>,
    /// Only orders created at or after this time.
    pub created_from: Option<Timestamp>,
    /// Only orders created before this time.
    pub created_before: Option<Timestamp>,
    /// 1–200.
    pub limit: u32,
    /// Only orders with a number below this one (the previous page's last).
    pub before: Option<OrderNumber>,
    /// Only orders carrying this tag (as stored: lower case).
    pub tag: Option<String>,
    /// Only orders assigned to this staff email (lower case).
    pub assignee: Option<String>,
}

/// Orders per stage among those a filtered list finds, every stage listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderCounts {
    pub stages: Vec<(orderdesk_domain::OrderStatus, i64)>,
    /// `false` when the search found more orders than were counted (more
    /// than [`crate::search::COUNT_CAP`], or more among the newest orders
    /// than a search that walks them goes on counting): each stage's count
    /// is then a lower bound ("200+").
    pub exact: bool,
}

impl OrderCounts {
    /// Kept totals, or counts of everything found: exact.
    pub fn exact(stages: Vec<(orderdesk_domain::OrderStatus, i64)>) -> Self {
        Self {
            stages,
            exact: true,
        }
    }

    /// The counts of a page that holds every order its query finds (the
    /// first page, of every stage, with no next one): exact, read off the
    /// page with no count query. A rare search's counts cost nothing more.
    pub fn of_whole_page(query: &OrderQuery, page: &OrderPage) -> Option<Self> {
        if query.before.is_some() || query.status.is_some() || page.next_before.is_some() {
            return None;
        }
        let stages = orderdesk_domain::OrderStatus::ALL
            .into_iter()
            .map(|s| {
                let n = page.orders.iter().filter(|o| o.status == s).count();
                (s, i64::try_from(n).unwrap_or(i64::MAX))
            })
            .collect();
        Some(Self::exact(stages))
    }

    /// Orders of every stage together.
    pub fn total(&self) -> i64 {
        self.stages.iter().map(|(_, n)| n).sum()
    }

    /// The count of one stage.
    pub fn of(&self, status: orderdesk_domain::OrderStatus) -> i64 {
        self.stages
            .iter()
            .find(|(s, _)| *s == status)
            .map_or(0, |(_, n)| *n)
    }
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

/// A dashboard login. The session id itself lives only in the browser's
/// cookie; the store keeps its SHA-256, so a leaked database does not leak
/// live sessions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSession {
    /// Hex SHA-256 of the random session id.
    pub id_hash: String,
    pub user_id: i64,
    /// The session's CSRF token, echoed by every dashboard form.
    pub csrf_token: String,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
}

/// A live dashboard session and whose it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub user: User,
    pub csrf_token: String,
    pub expires_at: Timestamp,
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

/// A business's own version of one customer-facing text, in one language.
/// Texts nobody changed are the built-in defaults and are not stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageTemplate {
    /// What the text is for: `ask_address`, `stage.shipped`, …
    pub key: String,
    /// A language code such as `en` or `hi`.
    pub language: String,
    /// The text with `{placeholders}`; `None` keeps the built-in text.
    pub body: Option<String>,
    /// `false` turns this message off.
    pub enabled: bool,
    /// An approved WhatsApp template to send instead outside the 24-hour window.
    pub whatsapp_template: Option<String>,
    /// That template's language code (defaults to `language`).
    pub whatsapp_language: Option<String>,
    pub updated_at: Timestamp,
}

/// A customer's typed order kept as a draft until they tap "Place order"
/// (#21): the lines, and what they were priced against
/// ([`orderdesk_domain::DraftStamp`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypedDraft {
    pub customer_key: String,
    /// (retailer id, packs), in the order written.
    pub lines: Vec<(String, u32)>,
    pub stamp: orderdesk_domain::DraftStamp,
    /// When it was made (unix seconds): its lifetime counts from then.
    /// `None` for a draft kept before this was stored (read as expired).
    pub made_at: Option<i64>,
    /// The customer's words the reader could not place, as written.
    pub unplaced: Vec<String>,
    /// A person has it ("Change", or words nobody could place): the desk
    /// shows it to edit and send back.
    pub at_desk: bool,
}
