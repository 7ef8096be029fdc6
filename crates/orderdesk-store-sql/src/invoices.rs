//! Invoice and credit note numbers on the shared write path: issued in the
//! same transaction as the payment (or refund) that earns them, from one
//! counter per series and year, so numbers never repeat and never skip
//! (a rolled-back payment rolls its number back with it).

use chrono::Datelike;
use orderdesk_domain::invoice::{document_number, DocumentKind};
use orderdesk_domain::{was_paid, Order, RefundStatus, Timestamp};
use orderdesk_store::{StoreError, StoreResult};

use crate::{args, fetch_one, SqlTx};

/// The prefix a series starts with until the settings name another.
fn default_prefix(kind: DocumentKind) -> &'static str {
    match kind {
        DocumentKind::Invoice => "INV-",
        DocumentKind::CreditNote => "CN-",
    }
}

/// The next number of `kind` in `at`'s year (UTC), counted in this
/// transaction: the counter row stays locked until the commit, so two
/// payments at once draw one after the other.
async fn next<T: SqlTx>(tx: &mut T, kind: DocumentKind, at: Timestamp) -> StoreResult<String> {
    let year = at.year();
    let n = fetch_one(
        tx,
        "INSERT INTO document_counters (series, last) VALUES ($1, 1) \
         ON CONFLICT (series) DO UPDATE SET last = document_counters.last + 1 RETURNING last",
        args![kind.counter(year).as_str()],
        |row| row.int("last"),
    )
    .await?
    .flatten()
    .ok_or_else(|| StoreError::Other(anyhow::anyhow!("the document counter gave no number")))?;
    let prefix = fetch_one(
        tx,
        "SELECT prefix FROM document_prefixes WHERE kind = $1",
        args![kind.as_str()],
        |row| row.text("prefix"),
    )
    .await?
    .flatten()
    .unwrap_or_else(|| default_prefix(kind).to_owned());
    Ok(document_number(&prefix, year, n))
}

/// Issues what `order` (as the update leaves it) has earned and lacks: an
/// invoice number once it is paid, a credit note number for each refund
/// whose money went back. Writes the invoice number; the caller writes
/// the refunds (it does whenever a refund changed).
pub(crate) async fn issue<T: SqlTx>(
    tx: &mut T,
    order: &mut Order,
    at: Timestamp,
) -> StoreResult<()> {
    if order.invoice_number.is_none() && was_paid(order) {
        let number = next(tx, DocumentKind::Invoice, at).await?;
        tx.execute(
            "UPDATE orders SET invoice_number = $1 WHERE number = $2",
            args![number.as_str(), order.number],
        )
        .await?;
        order.invoice_number = Some(number);
    }
    for i in 0..order.refunds.len() {
        let refund = &order.refunds[i];
        if refund.status == RefundStatus::Processed && refund.credit_note.is_none() {
            let number = next(tx, DocumentKind::CreditNote, at).await?;
            order.refunds[i].credit_note = Some(number);
        }
    }
    Ok(())
}

/// `Store::set_document_prefixes`: numbers issued from now on start with
/// these; those already issued keep theirs.
pub async fn set_prefixes<T: SqlTx>(
    tx: &mut T,
    invoice: &str,
    credit_note: &str,
) -> StoreResult<()> {
    for (kind, prefix) in [
        (DocumentKind::Invoice, invoice),
        (DocumentKind::CreditNote, credit_note),
    ] {
        tx.execute(
            "INSERT INTO document_prefixes (kind, prefix) VALUES ($1, $2) \
             ON CONFLICT (kind) DO UPDATE SET prefix = excluded.prefix",
            args![kind.as_str(), prefix],
        )
        .await?;
    }
    Ok(())
}
