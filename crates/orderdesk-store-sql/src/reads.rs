//! The reads both backends answer with the same SQL, over [`SqlRead`]: a
//! pool to run a query on (PostgreSQL's pool, SQLite's read-only readers).

use async_trait::async_trait;
use orderdesk_domain::{Order, OrderNumber, OrderStatus, TimelineEntry, Timestamp};
use orderdesk_store::{
    ApiToken, ChatMessage, CustomerRecord, InboundRecord, MessageTemplate, Product, Session,
    StoreError, StoreResult, StoredEvent, User, UserCredentials,
};

use crate::rows::{self, micros, Cols};
use crate::{args, Arg};

/// Where reads run.
#[async_trait]
pub trait SqlRead: Sync {
    type Row: Cols + Send;
    /// Appended to an `ORDER BY` key that must sort by bytes, as SQLite's
    /// default collation does (PostgreSQL's depends on the database locale).
    const BYTE_ORDER: &'static str;

    /// An SQL expression of the UTC day (`YYYY-MM-DD` text) of the
    /// timestamp column `column`.
    fn utc_day(column: &str) -> String;

    /// Runs a query; returns its rows.
    async fn read(&self, sql: &str, args: Vec<Arg>) -> StoreResult<Vec<Self::Row>>;

    /// Runs a query planned for these arguments each time, never from a
    /// plan cached for any arguments: the order list's, whose best index
    /// depends on how rare the searched words are. (PostgreSQL switched a
    /// connection's search to a generic plan after five runs, and a name
    /// with a phone number went from 10 ms to 90 ms through the index of
    /// the common name.)
    async fn read_planned(&self, sql: &str, args: Vec<Arg>) -> StoreResult<Vec<Self::Row>> {
        self.read(sql, args).await
    }

    /// [`SqlRead::read_planned`], given up after `budget`: `None` when the
    /// database stopped it then. For a count that may be exact when cheap
    /// and a lower bound otherwise; a backend that cannot stop a statement
    /// runs it to the end.
    async fn read_within(
        &self,
        sql: &str,
        args: Vec<Arg>,
        budget: std::time::Duration,
    ) -> StoreResult<Option<Vec<Self::Row>>> {
        let _ = budget;
        self.read_planned(sql, args).await.map(Some)
    }
}

async fn all<R: SqlRead, T>(
    r: &R,
    sql: &str,
    args: Vec<Arg>,
    decode: fn(&dyn Cols) -> StoreResult<T>,
) -> StoreResult<Vec<T>> {
    let rows = r.read(sql, args).await?;
    rows.iter().map(|row| decode(row)).collect()
}

async fn first<R: SqlRead, T>(
    r: &R,
    sql: &str,
    args: Vec<Arg>,
    decode: fn(&dyn Cols) -> StoreResult<T>,
) -> StoreResult<Option<T>> {
    let rows = r.read(sql, args).await?;
    rows.first().map(|row| decode(row)).transpose()
}

pub async fn pending_inbound<R: SqlRead>(r: &R, limit: u32) -> StoreResult<Vec<InboundRecord>> {
    let sql = format!(
        "SELECT {} FROM inbound WHERE processed_at IS NULL ORDER BY id LIMIT $1",
        rows::INBOUND_COLUMNS
    );
    all(r, &sql, args![i64::from(limit)], rows::inbound).await
}

pub async fn order<R: SqlRead>(r: &R, number: OrderNumber) -> StoreResult<Order> {
    let sql = format!(
        "SELECT {} FROM orders WHERE number = $1",
        rows::ORDER_COLUMNS
    );
    first(r, &sql, args![number], rows::order)
        .await?
        .ok_or(StoreError::NotFound)
}

pub async fn timeline<R: SqlRead>(r: &R, number: OrderNumber) -> StoreResult<Vec<TimelineEntry>> {
    let sql = format!(
        "SELECT {} FROM timeline_entries WHERE order_number = $1 ORDER BY id",
        rows::TIMELINE_COLUMNS
    );
    let entries = all(r, &sql, args![number], rows::timeline_entry).await?;
    // Every order has its `created` entry, so none means no order; a
    // separate read only happens on this (rare) path.
    if entries.is_empty()
        && r.read("SELECT number FROM orders WHERE number = $1", args![number])
            .await?
            .is_empty()
    {
        return Err(StoreError::NotFound);
    }
    Ok(entries)
}

pub async fn status_counts<R: SqlRead>(r: &R) -> StoreResult<Vec<(OrderStatus, i64)>> {
    fn decode(row: &dyn Cols) -> StoreResult<(OrderStatus, i64)> {
        let status = rows::status(&row.text("status")?.unwrap_or_default())?;
        Ok((status, row.int("count")?.unwrap_or(0)))
    }
    let counts = all(
        r,
        "SELECT status, count FROM status_counts",
        Vec::new(),
        decode,
    )
    .await?;
    Ok(OrderStatus::ALL
        .into_iter()
        .map(|s| {
            let count = counts.iter().find(|(c, _)| *c == s).map_or(0, |(_, n)| *n);
            (s, count)
        })
        .collect())
}

/// `Store::products_by_ids`: by retailer id, in byte order, each once.
pub async fn products_by_ids<R: SqlRead>(r: &R, ids: &[String]) -> StoreResult<Vec<Product>> {
    let mut products = Vec::new();
    for chunk in ids.chunks(KEYS_PER_READ) {
        let sql = format!(
            "SELECT {} FROM products WHERE retailer_id IN {}",
            rows::PRODUCT_COLUMNS,
            crate::batch::placeholders(1, chunk.len())
        );
        let args = chunk.iter().map(|id| Arg::from(id.as_str())).collect();
        products.extend(all(r, &sql, args, rows::product).await?);
    }
    // Byte order, whatever the database's collation, across chunks.
    products.sort_by(|a, b| a.retailer_id.cmp(&b.retailer_id));
    products.dedup_by(|a, b| a.retailer_id == b.retailer_id);
    Ok(products)
}

pub async fn open_orders_for_customer<R: SqlRead>(r: &R, key: &str) -> StoreResult<Vec<Order>> {
    open_orders_for_customers(r, &[key.to_owned()]).await
}

/// Keys per statement of [`open_orders_for_customers`].
/// 1,024: a processing step's customers in one statement.
const KEYS_PER_READ: usize = 1024;

/// The open orders of all these customers in one query (per
/// [`KEYS_PER_READ`] keys), newest first: what superseding a batch's new
/// carts needs, read once for the batch instead of once per cart.
pub async fn open_orders_for_customers<R: SqlRead>(
    r: &R,
    keys: &[String],
) -> StoreResult<Vec<Order>> {
    let mut orders = Vec::new();
    for chunk in keys.chunks(KEYS_PER_READ) {
        let list = crate::batch::placeholders(1, chunk.len());
        // A UNION keeps each side on its own index.
        let sql = format!(
            "SELECT {columns} FROM orders WHERE customer_user_id IN {list} \
               AND status IN ('placed', 'abandoned') \
             UNION \
             SELECT {columns} FROM orders WHERE customer_wa_id IN {list} \
               AND status IN ('placed', 'abandoned') \
             ORDER BY number DESC",
            columns = rows::ORDER_COLUMNS
        );
        let args = chunk.iter().map(|k| Arg::from(k.as_str())).collect();
        orders.extend(all(r, &sql, args, rows::order).await?);
    }
    orders.sort_by_key(|o| std::cmp::Reverse(o.number));
    // An order can match one key by user id and another by phone.
    orders.dedup_by_key(|o| o.number);
    Ok(orders)
}

pub async fn latest_order_for_customer<R: SqlRead>(r: &R, key: &str) -> StoreResult<Option<Order>> {
    // Each side walks its own (customer id, number) index backwards.
    let sql = format!(
        "SELECT * FROM (SELECT {columns} FROM orders WHERE customer_user_id = $1 \
           ORDER BY number DESC LIMIT 1) AS by_user \
         UNION ALL \
         SELECT * FROM (SELECT {columns} FROM orders WHERE customer_wa_id = $1 \
           ORDER BY number DESC LIMIT 1) AS by_phone \
         ORDER BY number DESC LIMIT 1",
        columns = rows::ORDER_COLUMNS
    );
    first(r, &sql, args![key], rows::order).await
}

pub async fn customer<R: SqlRead>(r: &R, key: &str) -> StoreResult<Option<CustomerRecord>> {
    let sql = format!(
        "SELECT {} FROM customers WHERE key = $1",
        rows::CUSTOMER_COLUMNS
    );
    first(r, &sql, args![key], rows::customer).await
}

pub async fn messages_for_order<R: SqlRead>(
    r: &R,
    number: OrderNumber,
) -> StoreResult<Vec<ChatMessage>> {
    let sql = format!(
        "SELECT {} FROM messages WHERE order_number = $1 ORDER BY id",
        rows::MESSAGE_COLUMNS
    );
    all(r, &sql, args![number], rows::message).await
}

pub async fn messages_for_customer<R: SqlRead>(
    r: &R,
    key: &str,
    limit: u32,
) -> StoreResult<Vec<ChatMessage>> {
    let sql = format!(
        "SELECT {columns} FROM (SELECT {columns} FROM messages WHERE customer_key = $1 \
         ORDER BY id DESC LIMIT $2) AS latest ORDER BY id",
        columns = rows::MESSAGE_COLUMNS
    );
    all(r, &sql, args![key, i64::from(limit)], rows::message).await
}

pub async fn events_since<R: SqlRead>(
    r: &R,
    after: i64,
    limit: u32,
) -> StoreResult<Vec<StoredEvent>> {
    all(
        r,
        "SELECT seq, kind, order_number, data, at FROM events WHERE seq > $1 ORDER BY seq \
         LIMIT $2",
        args![after, i64::from(limit)],
        rows::event,
    )
    .await
}

pub async fn events_pruned_through<R: SqlRead>(r: &R) -> StoreResult<i64> {
    let value = first(
        r,
        "SELECT value FROM counters WHERE name = 'events_pruned_through'",
        Vec::new(),
        |row| row.int("value"),
    )
    .await?;
    Ok(value.flatten().unwrap_or(0))
}

pub async fn user_by_email<R: SqlRead>(r: &R, email: &str) -> StoreResult<Option<UserCredentials>> {
    fn decode(row: &dyn Cols) -> StoreResult<UserCredentials> {
        Ok(UserCredentials {
            user: rows::user(row)?,
            password_hash: row.text("password_hash")?.unwrap_or_default(),
        })
    }
    first(
        r,
        "SELECT id, email, role, password_hash, created_at FROM users WHERE email = $1",
        args![email.to_lowercase().as_str()],
        decode,
    )
    .await
}

pub async fn token_by_hash<R: SqlRead>(r: &R, hash: &str) -> StoreResult<Option<ApiToken>> {
    first(
        r,
        "SELECT id, name, created_at FROM api_tokens WHERE secret_hash = $1 \
         AND revoked_at IS NULL",
        args![hash],
        rows::api_token,
    )
    .await
}

pub async fn users<R: SqlRead>(r: &R) -> StoreResult<Vec<User>> {
    let sql = "SELECT id, email, role, created_at FROM users ORDER BY id";
    all(r, sql, Vec::new(), rows::user).await
}

pub async fn tokens<R: SqlRead>(r: &R) -> StoreResult<Vec<ApiToken>> {
    let sql = "SELECT id, name, created_at FROM api_tokens WHERE revoked_at IS NULL ORDER BY id";
    all(r, sql, Vec::new(), rows::api_token).await
}

pub async fn session<R: SqlRead>(
    r: &R,
    id_hash: &str,
    now: Timestamp,
) -> StoreResult<Option<Session>> {
    fn decode(row: &dyn Cols) -> StoreResult<Session> {
        Ok(Session {
            user: rows::user(row)?,
            csrf_token: row.text("csrf_token")?.unwrap_or_default(),
            expires_at: row
                .time("expires_at")?
                .ok_or_else(|| rows::corrupt("session expiry", "NULL"))?,
        })
    }
    first(
        r,
        "SELECT u.id, u.email, u.role, u.created_at, s.csrf_token, s.expires_at \
         FROM sessions s JOIN users u ON u.id = s.user_id \
         WHERE s.id_hash = $1 AND s.expires_at > $2",
        args![id_hash, micros(now)],
        decode,
    )
    .await
}

pub async fn message_templates<R: SqlRead>(r: &R) -> StoreResult<Vec<MessageTemplate>> {
    fn decode(row: &dyn Cols) -> StoreResult<MessageTemplate> {
        Ok(MessageTemplate {
            key: row.text("key")?.unwrap_or_default(),
            language: row.text("language")?.unwrap_or_default(),
            body: row.text("body")?,
            enabled: row.boolean("enabled")?,
            whatsapp_template: row.text("whatsapp_template")?,
            whatsapp_language: row.text("whatsapp_language")?,
            updated_at: row
                .time("updated_at")?
                .ok_or_else(|| rows::corrupt("template time", "NULL"))?,
        })
    }
    let sql = format!(
        "SELECT key, language, body, enabled, whatsapp_template, whatsapp_language, updated_at \
         FROM message_templates ORDER BY key{order}, language{order}",
        order = R::BYTE_ORDER
    );
    all(r, &sql, Vec::new(), decode).await
}

pub async fn products<R: SqlRead>(r: &R) -> StoreResult<Vec<Product>> {
    let sql = format!(
        "SELECT {} FROM products ORDER BY retailer_id{}",
        rows::PRODUCT_COLUMNS,
        R::BYTE_ORDER
    );
    all(r, &sql, Vec::new(), rows::product).await
}
