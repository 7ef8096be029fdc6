//! The order list's filters as SQL, shared by the list and the per-stage
//! counts that follow a search: stage, payment, creation dates, tag,
//! assignee, and search on `search_text` through its pg_trgm index
//! (migration 0031).

use orderdesk_domain::OrderStatus;
use orderdesk_store::search::SearchTerms;
use orderdesk_store::{OrderQuery, StoreResult};
use orderdesk_store_sql::rows::micros;
use sqlx::{PgPool, Postgres, QueryBuilder, Row};

use crate::error::db_err;

/// Appends ` AND …` for every filter of `query` but its cursor (and its
/// stage, unless `with_status`).
pub(crate) fn push_filters(
    qb: &mut QueryBuilder<'_, Postgres>,
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
    if let Some(from) = query.created_from {
        qb.push(" AND created_at >= ").push_bind(micros(from));
    }
    if let Some(to) = query.created_before {
        qb.push(" AND created_at < ").push_bind(micros(to));
    }
    if let Some(tag) = &query.tag {
        qb.push(" AND tags @> jsonb_build_array(")
            .push_bind(tag.clone())
            .push("::text)");
    }
    if let Some(assignee) = &query.assignee {
        qb.push(" AND assignee = ").push_bind(assignee.clone());
    }
    if let Some(terms) = query.q.as_deref().and_then(SearchTerms::parse) {
        qb.push(" AND (");
        if let Some(n) = terms.number {
            qb.push("number = ").push_bind(n).push(" OR ");
        }
        qb.push("(TRUE");
        for word in &terms.words {
            // Folded the way the column is (lower case, no accents).
            qb.push(" AND search_text LIKE '%' || orderdesk_fold(")
                .push_bind(orderdesk_store::search::like_escape(word))
                .push(") || '%' ESCAPE '\\'");
        }
        qb.push("))");
    }
}

/// Orders per stage among those matching `query` (every stage listed).
pub(crate) async fn counts(
    pool: &PgPool,
    query: &OrderQuery,
) -> StoreResult<Vec<(OrderStatus, i64)>> {
    let mut qb =
        QueryBuilder::<Postgres>::new("SELECT status, COUNT(*) AS n FROM orders WHERE TRUE");
    push_filters(&mut qb, query, false);
    qb.push(" GROUP BY status");
    let rows = qb.build().fetch_all(pool).await.map_err(db_err)?;
    let mut found = Vec::with_capacity(rows.len());
    for row in rows {
        let status: String = row.try_get("status").map_err(db_err)?;
        let n: i64 = row.try_get("n").map_err(db_err)?;
        found.push((orderdesk_store_sql::rows::status(&status)?, n));
    }
    Ok(orderdesk_store::search::every_stage(&found))
}
