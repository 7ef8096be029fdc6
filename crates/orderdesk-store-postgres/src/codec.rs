//! How domain values are laid out in PostgreSQL columns, and back.

use chrono::SubsecRound;
use orderdesk_domain::{
    Address, CheckoutStep, Currency, Customer, EventKind, LineItem, Order, OrderNumber,
    OrderStatus, PaymentMethod, PaymentStatus, TimelineEntry, TimelineKind, Timestamp,
};
use orderdesk_store::{
    ApiToken, ChatMessage, CustomerRecord, Direction, InboundRecord, Job, JobKind, MessageState,
    OutboxItem, Product, Role, StoreError, StoreResult, StoredEvent, User,
};
use sqlx::postgres::PgRow;
use sqlx::types::Json;
use sqlx::Row;

use crate::error::{corrupt, db_err};

/// PostgreSQL keeps microseconds. Truncating before writing (instead of
/// letting the server round) makes what a write returns equal what a read
/// returns, and matches the SQLite backend.
pub(crate) fn micros(t: Timestamp) -> Timestamp {
    t.trunc_subsecs(6)
}

fn get<'r, T>(row: &'r PgRow, column: &str) -> StoreResult<T>
where
    T: sqlx::Decode<'r, sqlx::Postgres> + sqlx::Type<sqlx::Postgres>,
{
    row.try_get(column).map_err(db_err)
}

fn time(row: &PgRow, column: &str) -> StoreResult<Timestamp> {
    get(row, column)
}

/// A JSON column decoded into `T`; a shape the domain cannot read is
/// reported as such rather than as a driver error.
fn json<T: serde::de::DeserializeOwned>(row: &PgRow, column: &str) -> StoreResult<T> {
    let Json(value): Json<serde_json::Value> = get(row, column)?;
    serde_json::from_value(value).map_err(|e| {
        StoreError::Other(anyhow::anyhow!(
            "the database holds unreadable {column}: {e}"
        ))
    })
}

pub(crate) fn to_json<T: serde::Serialize>(value: &T) -> StoreResult<String> {
    serde_json::to_string(value).map_err(|e| StoreError::Other(e.into()))
}

pub(crate) fn status(text: &str) -> StoreResult<OrderStatus> {
    OrderStatus::parse(text).ok_or_else(|| corrupt("order status", text))
}

fn opt_status(text: Option<String>) -> StoreResult<Option<OrderStatus>> {
    text.as_deref().map(status).transpose()
}

pub(crate) fn order_number(n: i64) -> StoreResult<OrderNumber> {
    OrderNumber::new(n).ok_or_else(|| corrupt("order number", &n.to_string()))
}

/// The columns [`order`] reads, in `SELECT` form.
pub(crate) const ORDER_COLUMNS: &str = "number, status, held_from, payment_status, \
     payment_method, checkout_step, customer_wa_id, customer_user_id, customer_name, items, \
     currency, total_minor, address, note, cart_text, tracking, payment_reference, payment_review, created_at, \
     updated_at, version";

pub(crate) fn order(row: &PgRow) -> StoreResult<Order> {
    let payment_status: String = get(row, "payment_status")?;
    let payment_method: Option<String> = get(row, "payment_method")?;
    let checkout_step: String = get(row, "checkout_step")?;
    let currency: String = get(row, "currency")?;
    let address: Option<Json<serde_json::Value>> = get(row, "address")?;
    Ok(Order {
        number: order_number(get(row, "number")?)?,
        status: status(&get::<String>(row, "status")?)?,
        held_from: opt_status(get(row, "held_from")?)?,
        payment_status: PaymentStatus::parse(&payment_status)
            .ok_or_else(|| corrupt("payment status", &payment_status))?,
        payment_method: payment_method
            .map(|m| PaymentMethod::parse(&m).ok_or_else(|| corrupt("payment method", &m)))
            .transpose()?,
        checkout_step: CheckoutStep::parse(&checkout_step)
            .ok_or_else(|| corrupt("checkout step", &checkout_step))?,
        customer: Customer {
            wa_id: get(row, "customer_wa_id")?,
            user_id: get(row, "customer_user_id")?,
            name: get(row, "customer_name")?,
        },
        items: json::<Vec<LineItem>>(row, "items")?,
        currency: Currency::parse(&currency).map_err(|_| corrupt("currency", &currency))?,
        total_minor: get(row, "total_minor")?,
        address: address
            .map(|Json(a)| {
                serde_json::from_value::<Address>(a).map_err(|e| {
                    StoreError::Other(anyhow::anyhow!(
                        "the database holds an unreadable address: {e}"
                    ))
                })
            })
            .transpose()?,
        note: get(row, "note")?,
        cart_text: get(row, "cart_text")?,
        tracking: get(row, "tracking")?,
        payment_reference: get(row, "payment_reference")?,
        payment_review: get(row, "payment_review")?,
        created_at: time(row, "created_at")?,
        updated_at: time(row, "updated_at")?,
        version: get(row, "version")?,
    })
}

pub(crate) fn timeline_entry(row: &PgRow) -> StoreResult<TimelineEntry> {
    let kind: String = get(row, "kind")?;
    Ok(TimelineEntry {
        at: time(row, "at")?,
        kind: TimelineKind::parse(&kind).ok_or_else(|| corrupt("timeline kind", &kind))?,
        actor: get(row, "actor")?,
        actor_name: get(row, "actor_name")?,
        from_status: opt_status(get(row, "from_status")?)?,
        to_status: opt_status(get(row, "to_status")?)?,
        reason: get(row, "reason")?,
        detail: get(row, "detail")?,
    })
}

pub(crate) fn event(row: &PgRow) -> StoreResult<StoredEvent> {
    let kind: String = get(row, "kind")?;
    Ok(StoredEvent {
        seq: get(row, "seq")?,
        kind: EventKind::parse(&kind).ok_or_else(|| corrupt("event kind", &kind))?,
        order_number: get::<Option<i64>>(row, "order_number")?
            .map(order_number)
            .transpose()?,
        data: json(row, "data")?,
        at: time(row, "at")?,
    })
}

pub(crate) fn inbound(row: &PgRow) -> StoreResult<InboundRecord> {
    Ok(InboundRecord {
        id: get(row, "id")?,
        source: get(row, "source")?,
        external_id: get(row, "external_id")?,
        kind: get(row, "kind")?,
        customer_key: get(row, "customer_key")?,
        payload: get(row, "payload")?,
        received_at: time(row, "received_at")?,
    })
}

pub(crate) fn user(row: &PgRow) -> StoreResult<User> {
    let role: String = get(row, "role")?;
    Ok(User {
        id: get(row, "id")?,
        email: get(row, "email")?,
        role: Role::parse(&role).ok_or_else(|| corrupt("role", &role))?,
        created_at: time(row, "created_at")?,
    })
}

pub(crate) fn api_token(row: &PgRow) -> StoreResult<ApiToken> {
    Ok(ApiToken {
        id: get(row, "id")?,
        name: get(row, "name")?,
        created_at: time(row, "created_at")?,
    })
}

pub(crate) const PRODUCT_COLUMNS: &str = "retailer_id, title, description, availability, \
     condition, price_minor, currency, link, image_link, brand";

pub(crate) fn product(row: &PgRow) -> StoreResult<Product> {
    let currency: String = get(row, "currency")?;
    Ok(Product {
        retailer_id: get(row, "retailer_id")?,
        title: get(row, "title")?,
        description: get(row, "description")?,
        availability: get(row, "availability")?,
        condition: get(row, "condition")?,
        price_minor: get(row, "price_minor")?,
        currency: Currency::parse(&currency).map_err(|_| corrupt("currency", &currency))?,
        link: get(row, "link")?,
        image_link: get(row, "image_link")?,
        brand: get(row, "brand")?,
    })
}

fn opt_order_number(row: &PgRow, column: &str) -> StoreResult<Option<OrderNumber>> {
    get::<Option<i64>>(row, column)?
        .map(order_number)
        .transpose()
}

/// The columns [`message`] reads, in `SELECT`/`RETURNING` form.
pub(crate) const MESSAGE_COLUMNS: &str = "id, order_number, customer_key, direction, wamid, \
     kind, text, state, error, created_at, sent_at";

pub(crate) fn message(row: &PgRow) -> StoreResult<ChatMessage> {
    let direction: String = get(row, "direction")?;
    let state: String = get(row, "state")?;
    Ok(ChatMessage {
        id: get(row, "id")?,
        order_number: opt_order_number(row, "order_number")?,
        customer_key: get(row, "customer_key")?,
        direction: Direction::parse(&direction)
            .ok_or_else(|| corrupt("message direction", &direction))?,
        wamid: get(row, "wamid")?,
        kind: get(row, "kind")?,
        text: get(row, "text")?,
        state: MessageState::parse(&state).ok_or_else(|| corrupt("message state", &state))?,
        error: get(row, "error")?,
        created_at: time(row, "created_at")?,
        sent_at: get(row, "sent_at")?,
    })
}

/// The columns [`outbox_item`] reads, in `SELECT`/`RETURNING` form.
pub(crate) const OUTBOX_COLUMNS: &str =
    "id, order_number, customer_key, to_wa_id, to_user_id, body, attempts";

pub(crate) fn outbox_item(row: &PgRow) -> StoreResult<OutboxItem> {
    let body: Option<Json<serde_json::Value>> = get(row, "body")?;
    Ok(OutboxItem {
        id: get(row, "id")?,
        order_number: opt_order_number(row, "order_number")?,
        customer_key: get(row, "customer_key")?,
        to_wa_id: get(row, "to_wa_id")?,
        to_user_id: get(row, "to_user_id")?,
        body: body.map_or(serde_json::Value::Null, |Json(b)| b),
        attempts: get(row, "attempts")?,
    })
}

pub(crate) const JOB_COLUMNS: &str = "id, kind, order_number, due_at";

pub(crate) fn job(row: &PgRow) -> StoreResult<Job> {
    let kind: String = get(row, "kind")?;
    Ok(Job {
        id: get(row, "id")?,
        kind: JobKind::parse(&kind).ok_or_else(|| corrupt("job kind", &kind))?,
        order_number: order_number(get(row, "order_number")?)?,
        due_at: time(row, "due_at")?,
    })
}

pub(crate) fn customer(row: &PgRow) -> StoreResult<CustomerRecord> {
    let address: Option<Json<serde_json::Value>> = get(row, "last_address")?;
    Ok(CustomerRecord {
        key: get(row, "key")?,
        wa_id: get(row, "wa_id")?,
        user_id: get(row, "user_id")?,
        name: get(row, "name")?,
        last_inbound_at: get(row, "last_inbound_at")?,
        last_address: address
            .map(|Json(a)| {
                serde_json::from_value::<Address>(a).map_err(|e| {
                    StoreError::Other(anyhow::anyhow!(
                        "the database holds an unreadable address: {e}"
                    ))
                })
            })
            .transpose()?,
    })
}
