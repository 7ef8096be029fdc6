//! How domain values are laid out in SQLite columns, and back.

use chrono::{DateTime, SubsecRound, Utc};
use orderdesk_domain::{
    Address, CheckoutStep, Currency, Customer, EventKind, LineItem, Order, OrderNumber,
    OrderStatus, PaymentMethod, PaymentStatus, TimelineEntry, TimelineKind, Timestamp,
};
use orderdesk_store::{
    ApiToken, ChatMessage, CustomerRecord, Direction, InboundRecord, Job, JobKind, MessageState,
    OutboxItem, Product, Role, StoreError, StoreResult, StoredEvent, User,
};
use sqlx::sqlite::SqliteRow;
use sqlx::Row;

use crate::error::{corrupt, db_err};

/// Fixed width with six fractional digits, so stored times sort as text.
const TIME_FORMAT: &str = "%Y-%m-%dT%H:%M:%S%.6fZ";

/// PostgreSQL keeps microseconds; both backends cut to that so they agree.
pub(crate) fn micros(t: Timestamp) -> Timestamp {
    t.trunc_subsecs(6)
}

pub(crate) fn time_text(t: Timestamp) -> String {
    micros(t).format(TIME_FORMAT).to_string()
}

pub(crate) fn parse_time(text: &str) -> StoreResult<Timestamp> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| corrupt("timestamp", text))
}

fn get<'r, T>(row: &'r SqliteRow, column: &str) -> StoreResult<T>
where
    T: sqlx::Decode<'r, sqlx::Sqlite> + sqlx::Type<sqlx::Sqlite>,
{
    row.try_get(column).map_err(db_err)
}

fn time(row: &SqliteRow, column: &str) -> StoreResult<Timestamp> {
    parse_time(&get::<String>(row, column)?)
}

fn json<T: serde::de::DeserializeOwned>(text: &str, what: &str) -> StoreResult<T> {
    serde_json::from_str(text).map_err(|e| {
        StoreError::Other(anyhow::anyhow!("the database holds unreadable {what}: {e}"))
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

pub(crate) fn order(row: &SqliteRow) -> StoreResult<Order> {
    let payment_status: String = get(row, "payment_status")?;
    let payment_method: Option<String> = get(row, "payment_method")?;
    let checkout_step: String = get(row, "checkout_step")?;
    let currency: String = get(row, "currency")?;
    let items: String = get(row, "items")?;
    let address: Option<String> = get(row, "address")?;
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
        items: json::<Vec<LineItem>>(&items, "order items")?,
        currency: Currency::parse(&currency).map_err(|_| corrupt("currency", &currency))?,
        total_minor: get(row, "total_minor")?,
        address: address
            .map(|a| json::<Address>(&a, "address"))
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

pub(crate) fn timeline_entry(row: &SqliteRow) -> StoreResult<TimelineEntry> {
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

pub(crate) fn event(row: &SqliteRow) -> StoreResult<StoredEvent> {
    let kind: String = get(row, "kind")?;
    let data: String = get(row, "data")?;
    Ok(StoredEvent {
        seq: get(row, "seq")?,
        kind: EventKind::parse(&kind).ok_or_else(|| corrupt("event kind", &kind))?,
        order_number: get::<Option<i64>>(row, "order_number")?
            .map(order_number)
            .transpose()?,
        data: json(&data, "event data")?,
        at: time(row, "at")?,
    })
}

pub(crate) fn inbound(row: &SqliteRow) -> StoreResult<InboundRecord> {
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

pub(crate) fn user(row: &SqliteRow) -> StoreResult<User> {
    let role: String = get(row, "role")?;
    Ok(User {
        id: get(row, "id")?,
        email: get(row, "email")?,
        role: Role::parse(&role).ok_or_else(|| corrupt("role", &role))?,
        created_at: time(row, "created_at")?,
    })
}

pub(crate) fn api_token(row: &SqliteRow) -> StoreResult<ApiToken> {
    Ok(ApiToken {
        id: get(row, "id")?,
        name: get(row, "name")?,
        created_at: time(row, "created_at")?,
    })
}

pub(crate) const PRODUCT_COLUMNS: &str = "retailer_id, title, description, availability, \
     condition, price_minor, currency, link, image_link, brand";

pub(crate) fn product(row: &SqliteRow) -> StoreResult<Product> {
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

fn opt_time(row: &SqliteRow, column: &str) -> StoreResult<Option<Timestamp>> {
    get::<Option<String>>(row, column)?
        .as_deref()
        .map(parse_time)
        .transpose()
}

fn opt_order_number(row: &SqliteRow, column: &str) -> StoreResult<Option<OrderNumber>> {
    get::<Option<i64>>(row, column)?
        .map(order_number)
        .transpose()
}

/// The columns [`message`] reads, in `SELECT` form.
pub(crate) const MESSAGE_COLUMNS: &str = "id, order_number, customer_key, direction, wamid, \
     kind, text, state, error, created_at, sent_at";

pub(crate) fn message(row: &SqliteRow) -> StoreResult<ChatMessage> {
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
        sent_at: opt_time(row, "sent_at")?,
    })
}

/// The columns [`outbox_item`] reads, in `SELECT`/`RETURNING` form.
pub(crate) const OUTBOX_COLUMNS: &str =
    "id, order_number, customer_key, to_wa_id, to_user_id, body, attempts";

pub(crate) fn outbox_item(row: &SqliteRow) -> StoreResult<OutboxItem> {
    let body: Option<String> = get(row, "body")?;
    Ok(OutboxItem {
        id: get(row, "id")?,
        order_number: opt_order_number(row, "order_number")?,
        customer_key: get(row, "customer_key")?,
        to_wa_id: get(row, "to_wa_id")?,
        to_user_id: get(row, "to_user_id")?,
        body: json(body.as_deref().unwrap_or("null"), "message body")?,
        attempts: get(row, "attempts")?,
    })
}

pub(crate) const JOB_COLUMNS: &str = "id, kind, order_number, due_at";

pub(crate) fn job(row: &SqliteRow) -> StoreResult<Job> {
    let kind: String = get(row, "kind")?;
    Ok(Job {
        id: get(row, "id")?,
        kind: JobKind::parse(&kind).ok_or_else(|| corrupt("job kind", &kind))?,
        order_number: order_number(get(row, "order_number")?)?,
        due_at: time(row, "due_at")?,
    })
}

pub(crate) fn customer(row: &SqliteRow) -> StoreResult<CustomerRecord> {
    let address: Option<String> = get(row, "last_address")?;
    Ok(CustomerRecord {
        key: get(row, "key")?,
        wa_id: get(row, "wa_id")?,
        user_id: get(row, "user_id")?,
        name: get(row, "name")?,
        last_inbound_at: opt_time(row, "last_inbound_at")?,
        last_address: address
            .map(|a| json::<Address>(&a, "address"))
            .transpose()?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_times_are_fixed_width_microseconds_and_read_back() {
        let t = DateTime::from_timestamp(1_772_359_200, 123_456_789).unwrap();
        let text = time_text(t);
        assert_eq!(text, "2026-03-01T10:00:00.123456Z");
        assert_eq!(parse_time(&text).unwrap(), micros(t));
        let whole = DateTime::from_timestamp(1_772_359_200, 0).unwrap();
        assert_eq!(time_text(whole), "2026-03-01T10:00:00.000000Z");
    }
}
