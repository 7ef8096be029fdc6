//! Reads about customers both backends answer with the same SQL.

use orderdesk_domain::{Order, Timestamp};
use orderdesk_store::search::like_escape;
use orderdesk_store::{CustomerQuery, CustomerRecord, CustomerSummary, StoreError, StoreResult};

use crate::reads::SqlRead;
use crate::rows::{self, Cols};
use crate::{args, Arg, SqlTx};

/// `Store::customer_by_wa_id`: the customer with this phone number who
/// wrote last (one phone may be known under two keys: its `wa_id`, and
/// the business-scoped `user_id` WhatsApp sends with it).
pub async fn customer_by_wa_id<R: SqlRead>(
    r: &R,
    wa_id: &str,
) -> StoreResult<Option<CustomerRecord>> {
    let sql = format!(
        "SELECT {} FROM customers WHERE wa_id = $1 \
         ORDER BY last_inbound_at IS NULL, last_inbound_at DESC LIMIT 1",
        rows::CUSTOMER_COLUMNS
    );
    let rows = r.read(&sql, args![wa_id]).await?;
    rows.first().map(|row| rows::customer(row)).transpose()
}

/// What one customer's orders add up to, as correlated subqueries on
/// `orders (customer_wa_id, number)`: a page of customers costs one index
/// range per customer, never a scan of the orders.
fn summary_sql(from: &str, tail: &str) -> String {
    format!(
        "SELECT g.wa_id, g.name, g.last_inbound_at, \
           (SELECT COUNT(*) FROM orders o WHERE o.customer_wa_id = g.wa_id) AS orders_count, \
           (SELECT CAST(COALESCE(SUM(o.total_minor - o.refunded_minor), 0) AS BIGINT) \
              FROM orders o WHERE o.customer_wa_id = g.wa_id \
              AND o.payment_status IN ('paid', 'partially_refunded')) AS total_spent_minor, \
           (SELECT o.currency FROM orders o WHERE o.customer_wa_id = g.wa_id \
              ORDER BY o.number DESC LIMIT 1) AS currency, \
           (SELECT MIN(o.created_at) FROM orders o WHERE o.customer_wa_id = g.wa_id) \
              AS first_order_at, \
           (SELECT MAX(o.created_at) FROM orders o WHERE o.customer_wa_id = g.wa_id) \
              AS last_order_at, \
           b.blocked_at, b.blocked_by \
         FROM ({from}) AS g LEFT JOIN blocked_customers b ON b.wa_id = g.wa_id {tail}"
    )
}

fn summary(row: &dyn Cols) -> StoreResult<CustomerSummary> {
    Ok(CustomerSummary {
        wa_id: row
            .text("wa_id")?
            .ok_or_else(|| rows::corrupt("NULL", "customers.wa_id"))?,
        name: row.text("name")?,
        orders_count: row.int("orders_count")?.unwrap_or(0),
        total_spent_minor: row.int("total_spent_minor")?.unwrap_or(0),
        currency: row.text("currency")?,
        first_order_at: row.time("first_order_at")?,
        last_order_at: row.time("last_order_at")?,
        last_inbound_at: row.time("last_inbound_at")?,
        blocked_at: row.time("blocked_at")?,
        blocked_by: row.text("blocked_by")?,
    })
}

/// One row per phone number: a phone's `wa_id` and `user_id` rows are one
/// customer, named as whichever row has a name.
const BY_PHONE: &str = "SELECT wa_id, MAX(name) AS name, MAX(last_inbound_at) AS last_inbound_at \
     FROM customers WHERE wa_id IS NOT NULL";

/// `Store::customers`.
pub async fn list<R: SqlRead>(r: &R, query: &CustomerQuery) -> StoreResult<Vec<CustomerSummary>> {
    // Control characters (a NUL from a pasted or hostile query) are no
    // part of a name or number; PostgreSQL refuses a NUL in text.
    let cleaned: Option<String> = query
        .q
        .as_deref()
        .map(|q| q.chars().filter(|c| !c.is_control()).collect());
    let q = cleaned.as_deref().map(str::trim).filter(|q| !q.is_empty());
    // A phone filters rows (every row of a phone has its digits); a name
    // filters the customer, whichever of their rows carries the name.
    let (filter, having, arg) = match q {
        None => ("", "", None),
        Some(q) => match orderdesk_domain::phone::search_digits(q) {
            // Any spelling of a phone number ends up as the digits of its
            // `wa_id` (country code and trunk 0 dropped as typed).
            Some(digits) => (
                " AND wa_id LIKE $3 ESCAPE '\\'",
                "",
                Some(format!("%{}%", like_escape(&digits))),
            ),
            None => (
                "",
                " HAVING (MAX(lower(name)) LIKE $3 ESCAPE '\\' OR wa_id LIKE $3 ESCAPE '\\')",
                Some(format!("%{}%", like_escape(&q.to_lowercase()))),
            ),
        },
    };
    let from = format!(
        "{BY_PHONE}{filter} GROUP BY wa_id{having} \
         ORDER BY MAX(last_inbound_at) IS NULL, MAX(last_inbound_at) DESC, wa_id \
         LIMIT $1 OFFSET $2"
    );
    let sql = summary_sql(
        &from,
        "ORDER BY g.last_inbound_at IS NULL, g.last_inbound_at DESC, g.wa_id",
    );
    let mut a = args![i64::from(query.limit), i64::from(query.offset)];
    if let Some(arg) = arg {
        a.push(Arg::Text(Some(arg)));
    }
    let rows = r.read(&sql, a).await?;
    rows.iter().map(|row| summary(row)).collect()
}

/// `Store::customer_summary`.
pub async fn summary_of<R: SqlRead>(r: &R, wa_id: &str) -> StoreResult<Option<CustomerSummary>> {
    let from = format!("{BY_PHONE} AND wa_id = $1 GROUP BY wa_id");
    let rows = r.read(&summary_sql(&from, ""), args![wa_id]).await?;
    rows.first().map(|row| summary(row)).transpose()
}

/// `Store::customer_orders`.
pub async fn orders<R: SqlRead>(r: &R, wa_id: &str, limit: u32) -> StoreResult<Vec<Order>> {
    let sql = format!(
        "SELECT {} FROM orders WHERE customer_wa_id = $1 ORDER BY number DESC LIMIT $2",
        rows::ORDER_COLUMNS
    );
    let rows = r.read(&sql, args![wa_id, i64::from(limit)]).await?;
    rows.iter().map(|row| rows::order(row)).collect()
}

/// `Store::set_customer_blocked`.
pub async fn set_blocked<T: SqlTx>(
    tx: &mut T,
    wa_id: &str,
    blocked: Option<(Timestamp, String)>,
) -> StoreResult<()> {
    let known = tx
        .fetch(
            "SELECT key FROM customers WHERE wa_id = $1 LIMIT 1",
            args![wa_id],
        )
        .await?;
    if known.is_empty() {
        return Err(StoreError::NotFound);
    }
    match blocked {
        // Blocking again keeps the first time and who did it.
        Some((at, by)) => {
            tx.execute(
                "INSERT INTO blocked_customers (wa_id, blocked_at, blocked_by) \
                 VALUES ($1, $2, $3) ON CONFLICT (wa_id) DO NOTHING",
                args![wa_id, rows::micros(at), by.as_str()],
            )
            .await?
        }
        None => {
            tx.execute(
                "DELETE FROM blocked_customers WHERE wa_id = $1",
                args![wa_id],
            )
            .await?
        }
    };
    Ok(())
}

/// `Store::blocked_customers`.
pub async fn blocked<R: SqlRead>(r: &R, keys: &[String]) -> StoreResult<Vec<String>> {
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    let mut found = Vec::new();
    // Bounded statements: a processing step's keys (up to 1,024) in one.
    for chunk in keys.chunks(1024) {
        let list = crate::batch::placeholders(1, chunk.len());
        let sql = format!(
            "SELECT wa_id AS k FROM blocked_customers WHERE wa_id IN {list} \
             UNION SELECT c.key AS k FROM customers c \
               JOIN blocked_customers b ON b.wa_id = c.wa_id WHERE c.key IN {list}"
        );
        let a: Vec<Arg> = chunk.iter().map(|k| Arg::from(k.as_str())).collect();
        for row in r.read(&sql, a).await? {
            let row: &dyn Cols = &row;
            if let Some(k) = row.text("k")? {
                found.push(k);
            }
        }
    }
    Ok(found)
}
