//! The payments ledger on the shared write path (entries written with the
//! order change they record) and its reads for reconciliation.

use orderdesk_domain::{
    Currency, LedgerEntry, LedgerKind, Order, OrderNumber, PaymentMethod, Timestamp,
};
use orderdesk_store::{StoreError, StoreResult};

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

/// Orders whose payment needs a person: flagged for review, or cash on
/// delivery not yet recorded as received (open or delivered), oldest first.
pub async fn payment_attention<R: SqlRead>(r: &R) -> StoreResult<Vec<Order>> {
    let sql = format!(
        "SELECT {} FROM orders WHERE payment_review IS NOT NULL \
         OR (payment_method = 'cod' AND payment_status = 'pending' \
         AND status NOT IN ('cancelled', 'rejected', 'abandoned', 'archived', 'returned')) \
         ORDER BY number LIMIT 500",
        rows::ORDER_COLUMNS
    );
    let rows = r.read(&sql, Vec::new()).await?;
    rows.iter().map(|row| rows::order(row)).collect()
}
