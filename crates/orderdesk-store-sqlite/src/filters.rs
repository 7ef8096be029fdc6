//! The order list's filters as SQL, shared by the list and the per-stage
//! counts that follow a search: stage, payment, creation dates, tag,
//! assignee, and search through the `orders_search` FTS5 trigram table
//! (migration 0031).

use orderdesk_domain::OrderStatus;
use orderdesk_store::search::{fts5_string, SearchTerms, MIN_INDEXED};
use orderdesk_store::{OrderQuery, StoreResult};
use sqlx::{QueryBuilder, Row, Sqlite, SqlitePool};

use crate::error::db_err;
use crate::tx::time_text;

/// Appends ` AND …` for every filter of `query` but its cursor (and its
/// stage, unless `with_status`).
pub(crate) fn push_filters(
    qb: &mut QueryBuilder<'_, Sqlite>,
    query: &OrderQuery,
    with_status: bool,
) {
    if let Some(status) = query.status.filter(|_| with_status) {
        qb.push(" AND status = ").push_bind(status.as_str());
    }
    if let Some(payment) = query.payment {
        qb.push(" AND payment_status = ")
            .push_bind(payment.as_str());
    }
    // Times are stored as fixed-width UTC text, so text order is time order.
    if let Some(from) = query.created_from {
        qb.push(" AND created_at >= ").push_bind(time_text(from));
    }
    if let Some(to) = query.created_before {
        qb.push(" AND created_at < ").push_bind(time_text(to));
    }
    if let Some(tag) = &query.tag {
        qb.push(" AND EXISTS (SELECT 1 FROM json_each(orders.tags) WHERE value = ")
            .push_bind(tag.clone())
            .push(")");
    }
    if let Some(assignee) = &query.assignee {
        qb.push(" AND assignee = ").push_bind(assignee.clone());
    }
    if let Some(terms) = query.q.as_deref().and_then(SearchTerms::parse) {
        push_search(qb, &terms);
    }
}

fn push_search(qb: &mut QueryBuilder<'_, Sqlite>, terms: &SearchTerms) {
    qb.push(" AND (");
    if let Some(n) = terms.number {
        qb.push("number = ").push_bind(n).push(" OR ");
    }
    let (indexed, short): (Vec<&String>, Vec<&String>) = terms
        .words
        .iter()
        .partition(|w| w.chars().count() >= MIN_INDEXED);
    qb.push("number IN (SELECT rowid FROM orders_search WHERE ");
    if indexed.is_empty() {
        // Too short for trigrams: a scan of the search text, which LIKE
        // folds for ASCII case only.
        let mut first = true;
        for word in short {
            if !first {
                qb.push(" AND ");
            }
            first = false;
            qb.push("body LIKE ")
                .push_bind(orderdesk_store::like_pattern(word))
                .push(" ESCAPE '\\'");
        }
    } else {
        let expr: Vec<String> = indexed.iter().map(|w| fts5_string(w)).collect();
        qb.push("orders_search MATCH ")
            .push_bind(expr.join(" AND "));
    }
    qb.push("))");
}

/// Orders per stage among those matching `query` (every stage listed).
pub(crate) async fn counts(
    reader: &SqlitePool,
    query: &OrderQuery,
) -> StoreResult<Vec<(OrderStatus, i64)>> {
    let mut qb =
        QueryBuilder::<Sqlite>::new("SELECT status, COUNT(*) AS n FROM orders WHERE 1 = 1");
    push_filters(&mut qb, query, false);
    qb.push(" GROUP BY status");
    let rows = qb.build().fetch_all(reader).await.map_err(db_err)?;
    let mut found = Vec::with_capacity(rows.len());
    for row in rows {
        let status: String = row.try_get("status").map_err(db_err)?;
        let n: i64 = row.try_get("n").map_err(db_err)?;
        found.push((orderdesk_store_sql::rows::status(&status)?, n));
    }
    Ok(orderdesk_store::search::every_stage(&found))
}
