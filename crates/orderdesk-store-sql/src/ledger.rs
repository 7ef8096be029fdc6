//! The payments ledger on the shared write path (entries written with the
//! order change they record) and its reads for reconciliation.

use orderdesk_domain::{
    CodDay, Currency, LedgerEntry, LedgerKind, Order, OrderNumber, PaymentMethod, Timestamp,
};
use orderdesk_store::{AttentionPage, StoreError, StoreResult};

use crate::reads::SqlRead;
use crate::rows::{self, corrupt, micros, Cols};
use crate::{args, SqlTx};

pub(crate) const COLUMNS: &str =
    "order_number, kind, status, amount_minor, currency, method, provider_ref, detail, at";

/// Appends `entries` for order `number` (whatever order they name).
pub(crate) async fn write<T: SqlTx>(
    tx: &mut T,
    number: OrderNumber,
    entries: &[LedgerEntry],
) -> StoreResult<()> {
    for e in entries {
        tx.execute(
            "INSERT INTO payment_events (order_number, kind, status, amount_minor, currency, \
             method, provider_ref, detail, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            args![
                number,
                e.kind.as_str(),
                e.status.as_str(),
                e.amount_minor,
                e.currency.as_str(),
                e.method.map(|m| m.as_str()),
                e.provider_ref.as_deref(),
                e.detail.as_deref(),
                micros(e.at)
            ],
        )
        .await?;
    }
    Ok(())
}

pub(crate) fn entry(row: &dyn Cols) -> StoreResult<LedgerEntry> {
    let need = |c: &str| -> StoreResult<String> {
        row.text(c)?
            .ok_or_else(|| StoreError::Other(anyhow::anyhow!("the database holds a NULL {c}")))
    };
    let kind = need("kind")?;
    let currency = need("currency")?;
    let method = row.text("method")?;
    Ok(LedgerEntry {
        order_number: rows::order_number(
            row.int("order_number")?
                .ok_or_else(|| corrupt("payment event", "no order"))?,
        )?,
        kind: LedgerKind::parse(&kind).ok_or_else(|| corrupt("payment event kind", &kind))?,
        status: need("status")?,
        amount_minor: row.int("amount_minor")?.unwrap_or_default(),
        currency: Currency::parse(&currency).map_err(|_| corrupt("currency", &currency))?,
        method: method
            .map(|m| PaymentMethod::parse(&m).ok_or_else(|| corrupt("payment method", &m)))
            .transpose()?,
        provider_ref: row.text("provider_ref")?,
        detail: row.text("detail")?,
        at: row
            .time("at")?
            .ok_or_else(|| corrupt("payment event", "no time"))?,
    })
}

/// Payment events at or after `from` and before `to`, oldest first.
pub async fn payment_events<R: SqlRead>(
    r: &R,
    from: Timestamp,
    to: Timestamp,
) -> StoreResult<Vec<LedgerEntry>> {
    let sql =
        format!("SELECT {COLUMNS} FROM payment_events WHERE at >= $1 AND at < $2 ORDER BY at, id");
    let rows = r.read(&sql, args![micros(from), micros(to)]).await?;
    rows.iter().map(|row| entry(row)).collect()
}

/// One order's payment events, oldest first (an order has a handful).
pub async fn order_payment_events<R: SqlRead>(
    r: &R,
    number: OrderNumber,
) -> StoreResult<Vec<LedgerEntry>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM payment_events WHERE order_number = $1 ORDER BY at, id LIMIT 1000"
    );
    let rows = r.read(&sql, args![number]).await?;
    rows.iter().map(|row| entry(row)).collect()
}

/// Cash on delivery not yet recorded as received, of an order not ended
/// without a delivery (`orderdesk_domain::cod_to_collect`).
const COD_OPEN: &str = "payment_method = 'cod' AND payment_status = 'pending' \
     AND status NOT IN ('cancelled', 'rejected', 'abandoned', 'archived', 'returned')";

/// See `PaymentStore::payment_attention`: the list and its count read the
/// same condition, so the count is every order the list would hold.
pub async fn payment_attention<R: SqlRead>(
    r: &R,
    overdue_before: Timestamp,
    limit: u32,
) -> StoreResult<AttentionPage> {
    let needs = format!(
        "payment_review IS NOT NULL OR ({COD_OPEN} AND status = 'delivered' \
         AND COALESCE(delivered_at, updated_at) <= $1)"
    );
    let sql = format!(
        "SELECT {} FROM orders WHERE {needs} ORDER BY number LIMIT $2",
        rows::ORDER_COLUMNS
    );
    let rows = r
        .read(&sql, args![micros(overdue_before), i64::from(limit)])
        .await?;
    let orders = rows
        .iter()
        .map(|row| rows::order(row))
        .collect::<StoreResult<Vec<Order>>>()?;
    let total = if orders.len() < limit as usize {
        i64::try_from(orders.len()).unwrap_or(i64::MAX)
    } else {
        let sql = format!("SELECT COUNT(*) AS n FROM orders WHERE {needs}");
        let rows = r.read(&sql, args![micros(overdue_before)]).await?;
        rows.first()
            .map(|row| row.int("n"))
            .transpose()?
            .flatten()
            .unwrap_or_default()
    };
    Ok(AttentionPage { orders, total })
}

/// See `PaymentStore::cod_to_collect`: summed in SQL over every such order.
pub async fn cod_to_collect<R: SqlRead>(
    r: &R,
    from: Timestamp,
    to: Timestamp,
) -> StoreResult<Vec<CodDay>> {
    let day = R::utc_day("created_at");
    let sql = format!(
        "SELECT {day} AS day, currency, CAST(SUM(total_minor) AS BIGINT) AS amount \
         FROM orders \
         WHERE {COD_OPEN} AND created_at >= $1 AND created_at < $2 \
         GROUP BY {day}, currency ORDER BY day, currency"
    );
    let rows = r.read(&sql, args![micros(from), micros(to)]).await?;
    rows.iter()
        .map(|row| {
            let day = row.text("day")?.unwrap_or_default();
            let currency = row.text("currency")?.unwrap_or_default();
            Ok(CodDay {
                day: chrono::NaiveDate::parse_from_str(&day, "%Y-%m-%d")
                    .map_err(|_| corrupt("order day", &day))?,
                currency: Currency::parse(&currency).map_err(|_| corrupt("currency", &currency))?,
                amount_minor: row.int("amount")?.unwrap_or_default(),
            })
        })
        .collect()
}
