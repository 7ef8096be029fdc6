//! How stored rows become domain values, once for both backends: each
//! backend only says how to read a column of its row ([`Cols`]).

use chrono::SubsecRound;
use orderdesk_domain::followup::{CodConfirmation, Feedback};
use orderdesk_domain::{
    Address, CheckoutStep, Currency, Customer, EventKind, LineItem, Order, OrderNumber,
    OrderStatus, PaymentMethod, PaymentStatus, TimelineEntry, TimelineKind, Timestamp,
};
use orderdesk_store::{
    ApiToken, ChatMessage, CustomerRecord, Direction, InboundRecord, MessageState, OutboxItem,
    Product, Role, StoreError, StoreResult, StoredEvent, Timer, TimerKind, User,
};

/// One row, read column by column in the backend's own types.
pub trait Cols {
    fn int(&self, column: &str) -> StoreResult<Option<i64>>;
    fn text(&self, column: &str) -> StoreResult<Option<String>>;
    fn time(&self, column: &str) -> StoreResult<Option<Timestamp>>;
    fn json(&self, column: &str) -> StoreResult<Option<serde_json::Value>>;
    fn boolean(&self, column: &str) -> StoreResult<bool>;
}

/// PostgreSQL keeps microseconds. Both backends cut to that before writing
/// (instead of letting the server round), so that what a write returns
/// equals what a read returns, on either backend.
pub fn micros(t: Timestamp) -> Timestamp {
    t.trunc_subsecs(6)
}

/// A value in the database that the domain does not know.
pub fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Other(anyhow::anyhow!(
        "the database holds an unknown {what}: {value:?}"
    ))
}

pub fn to_json<T: serde::Serialize>(value: &T) -> StoreResult<String> {
    serde_json::to_string(value).map_err(|e| StoreError::Other(e.into()))
}

fn missing(column: &str) -> StoreError {
    StoreError::Other(anyhow::anyhow!("the database holds a NULL {column}"))
}

fn int(row: &dyn Cols, column: &str) -> StoreResult<i64> {
    row.int(column)?.ok_or_else(|| missing(column))
}

fn text(row: &dyn Cols, column: &str) -> StoreResult<String> {
    row.text(column)?.ok_or_else(|| missing(column))
}

fn time(row: &dyn Cols, column: &str) -> StoreResult<Timestamp> {
    row.time(column)?.ok_or_else(|| missing(column))
}

/// A JSON column decoded into `T`; a shape the domain cannot read is
/// reported as such rather than as a driver error.
fn json<T: serde::de::DeserializeOwned>(row: &dyn Cols, column: &str) -> StoreResult<Option<T>> {
    row.json(column)?
        .map(|value| {
            serde_json::from_value(value).map_err(|e| {
                StoreError::Other(anyhow::anyhow!(
                    "the database holds unreadable {column}: {e}"
                ))
            })
        })
        .transpose()
}

/// Parses a stored name with the domain's `parse`.
fn named<T>(row: &dyn Cols, column: &str, parse: fn(&str) -> Option<T>) -> StoreResult<T> {
    let value = text(row, column)?;
    parse(&value).ok_or_else(|| corrupt(column, &value))
}

fn opt_named<T>(
    row: &dyn Cols,
    column: &str,
    parse: fn(&str) -> Option<T>,
) -> StoreResult<Option<T>> {
    row.text(column)?
        .map(|value| parse(&value).ok_or_else(|| corrupt(column, &value)))
        .transpose()
}

pub fn status(text: &str) -> StoreResult<OrderStatus> {
    OrderStatus::parse(text).ok_or_else(|| corrupt("order status", text))
}

pub fn order_number(n: i64) -> StoreResult<OrderNumber> {
    OrderNumber::new(n).ok_or_else(|| corrupt("order number", &n.to_string()))
}

fn opt_order_number(row: &dyn Cols, column: &str) -> StoreResult<Option<OrderNumber>> {
    row.int(column)?.map(order_number).transpose()
}

fn currency(row: &dyn Cols) -> StoreResult<Currency> {
    let currency = text(row, "currency")?;
    Currency::parse(&currency).map_err(|_| corrupt("currency", &currency))
}

/// The columns [`order`] reads, in `SELECT` form.
pub const ORDER_COLUMNS: &str = "number, status, held_from, payment_status, \
     payment_method, checkout_step, customer_wa_id, customer_user_id, customer_name, items, \
     currency, total_minor, address, note, cart_text, tracking, payment_reference, \
     payment_review, created_at, updated_at, version, provider_payment_id, refunded_minor, \
     refunds, shipping_minor, discount_minor, tags, assignee, invoice_number, off_script, \
     address_as_typed, cod_confirmation, feedback, reminded_at, delivered_at, \
     received_minor";

pub fn order(row: &dyn Cols) -> StoreResult<Order> {
    Ok(Order {
        number: order_number(int(row, "number")?)?,
        status: named(row, "status", OrderStatus::parse)?,
        held_from: opt_named(row, "held_from", OrderStatus::parse)?,
        payment_status: named(row, "payment_status", PaymentStatus::parse)?,
        payment_method: opt_named(row, "payment_method", PaymentMethod::parse)?,
        checkout_step: named(row, "checkout_step", CheckoutStep::parse)?,
        customer: Customer {
            wa_id: row.text("customer_wa_id")?,
            user_id: row.text("customer_user_id")?,
            name: row.text("customer_name")?,
        },
        items: json::<Vec<LineItem>>(row, "items")?.ok_or_else(|| missing("items"))?,
        currency: currency(row)?,
        total_minor: int(row, "total_minor")?,
        address: json::<Address>(row, "address")?,
        note: row.text("note")?,
        cart_text: row.text("cart_text")?,
        tracking: row.text("tracking")?,
        payment_reference: row.text("payment_reference")?,
        payment_review: row.text("payment_review")?,
        provider_payment_id: row.text("provider_payment_id")?,
        refunded_minor: row.int("refunded_minor")?.unwrap_or_default(),
        invoice_number: row.text("invoice_number")?,
        refunds: json(row, "refunds")?.unwrap_or_default(),
        created_at: time(row, "created_at")?,
        updated_at: time(row, "updated_at")?,
        version: int(row, "version")?,
        shipping_minor: int(row, "shipping_minor")?,
        discount_minor: int(row, "discount_minor")?,
        tags: json::<Vec<String>>(row, "tags")?.unwrap_or_default(),
        assignee: row.text("assignee")?,
        address_as_typed: row.text("address_as_typed")?,
        off_script: u32::try_from(row.int("off_script")?.unwrap_or_default()).unwrap_or(u32::MAX),
        cod_confirmation: opt_named(row, "cod_confirmation", CodConfirmation::parse)?,
        feedback: json::<Feedback>(row, "feedback")?,
        reminded_at: row.time("reminded_at")?,
        delivered_at: row.time("delivered_at")?,
        received_minor: row.int("received_minor")?.unwrap_or_default(),
    })
}

/// The columns [`timeline_entry`] reads.
pub const TIMELINE_COLUMNS: &str =
    "at, kind, actor, actor_name, from_status, to_status, reason, detail";

pub fn timeline_entry(row: &dyn Cols) -> StoreResult<TimelineEntry> {
    Ok(TimelineEntry {
        at: time(row, "at")?,
        kind: named(row, "kind", TimelineKind::parse)?,
        actor: text(row, "actor")?,
        actor_name: row.text("actor_name")?,
        from_status: opt_named(row, "from_status", OrderStatus::parse)?,
        to_status: opt_named(row, "to_status", OrderStatus::parse)?,
        reason: row.text("reason")?,
        detail: row.text("detail")?,
    })
}

pub fn event(row: &dyn Cols) -> StoreResult<StoredEvent> {
    Ok(StoredEvent {
        seq: int(row, "seq")?,
        kind: named(row, "kind", EventKind::parse)?,
        order_number: opt_order_number(row, "order_number")?,
        data: json(row, "data")?.unwrap_or(serde_json::Value::Null),
        at: time(row, "at")?,
    })
}

/// The columns [`inbound`] reads.
pub const INBOUND_COLUMNS: &str =
    "id, source, external_id, kind, customer_key, payload, received_at";

pub fn inbound(row: &dyn Cols) -> StoreResult<InboundRecord> {
    Ok(InboundRecord {
        id: int(row, "id")?,
        source: text(row, "source")?,
        external_id: text(row, "external_id")?,
        kind: text(row, "kind")?,
        customer_key: row.text("customer_key")?,
        payload: text(row, "payload")?,
        received_at: time(row, "received_at")?,
    })
}

pub fn user(row: &dyn Cols) -> StoreResult<User> {
    Ok(User {
        id: int(row, "id")?,
        email: text(row, "email")?,
        role: named(row, "role", Role::parse)?,
        created_at: time(row, "created_at")?,
    })
}

pub fn api_token(row: &dyn Cols) -> StoreResult<ApiToken> {
    Ok(ApiToken {
        id: int(row, "id")?,
        name: text(row, "name")?,
        created_at: time(row, "created_at")?,
    })
}

pub const PRODUCT_COLUMNS: &str = "retailer_id, title, description, availability, \
     condition, price_minor, currency, link, image_link, brand";

pub fn product(row: &dyn Cols) -> StoreResult<Product> {
    Ok(Product {
        retailer_id: text(row, "retailer_id")?,
        title: text(row, "title")?,
        description: text(row, "description")?,
        availability: text(row, "availability")?,
        condition: text(row, "condition")?,
        price_minor: int(row, "price_minor")?,
        currency: currency(row)?,
        link: text(row, "link")?,
        image_link: text(row, "image_link")?,
        brand: text(row, "brand")?,
    })
}

/// The columns [`message`] reads, in `SELECT`/`RETURNING` form.
pub const MESSAGE_COLUMNS: &str = "id, order_number, customer_key, direction, wamid, \
     kind, text, state, error, created_at, sent_at";

pub fn message(row: &dyn Cols) -> StoreResult<ChatMessage> {
    Ok(ChatMessage {
        id: int(row, "id")?,
        order_number: opt_order_number(row, "order_number")?,
        customer_key: text(row, "customer_key")?,
        direction: named(row, "direction", Direction::parse)?,
        wamid: row.text("wamid")?,
        kind: text(row, "kind")?,
        text: text(row, "text")?,
        state: named(row, "state", MessageState::parse)?,
        error: row.text("error")?,
        created_at: time(row, "created_at")?,
        sent_at: row.time("sent_at")?,
    })
}

/// The columns [`outbox_item`] reads, in `SELECT`/`RETURNING` form
/// (`attempts` is a 4-byte integer on PostgreSQL).
pub const OUTBOX_COLUMNS: &str = "id, order_number, customer_key, to_wa_id, to_user_id, body, \
     CAST(attempts AS BIGINT) AS attempts";

pub fn outbox_item(row: &dyn Cols) -> StoreResult<OutboxItem> {
    let attempts = int(row, "attempts")?;
    Ok(OutboxItem {
        id: int(row, "id")?,
        order_number: opt_order_number(row, "order_number")?,
        customer_key: text(row, "customer_key")?,
        to_wa_id: row.text("to_wa_id")?,
        to_user_id: row.text("to_user_id")?,
        body: json(row, "body")?.unwrap_or(serde_json::Value::Null),
        attempts: i32::try_from(attempts)
            .map_err(|_| corrupt("attempts", &attempts.to_string()))?,
    })
}

pub const TIMER_COLUMNS: &str = "id, kind, order_number, due_at";

pub fn timer(row: &dyn Cols) -> StoreResult<Timer> {
    Ok(Timer {
        id: int(row, "id")?,
        kind: named(row, "kind", TimerKind::parse)?,
        order_number: order_number(int(row, "order_number")?)?,
        due_at: time(row, "due_at")?,
    })
}

pub const CUSTOMER_COLUMNS: &str = "key, wa_id, user_id, name, last_inbound_at, last_address";

pub fn customer(row: &dyn Cols) -> StoreResult<CustomerRecord> {
    Ok(CustomerRecord {
        key: text(row, "key")?,
        wa_id: row.text("wa_id")?,
        user_id: row.text("user_id")?,
        name: row.text("name")?,
        last_inbound_at: row.time("last_inbound_at")?,
        last_address: json::<Address>(row, "last_address")?,
    })
}
