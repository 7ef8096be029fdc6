//! SQLite's dialect of the order list's filters ([`OrderSql`]): tags in a
//! JSON array, and search through the `orders_search` FTS5 trigram table
//! (migration 0031), whose rowid is the order number.

use orderdesk_store::search::{fts5_string, SearchTerms, MIN_INDEXED};
use orderdesk_store_sql::{OrderSql, SearchSource, Sql};

use crate::SqliteDb;

impl OrderSql for SqliteDb {
    fn has_tag(p: &str) -> String {
        format!("EXISTS (SELECT 1 FROM json_each(orders.tags) WHERE value = {p})")
    }

    fn search(&self, terms: &SearchTerms, sql: &mut Sql) -> SearchSource {
        let matched = matched(terms, sql);
        match terms.number {
            // MATCH cannot stand in an OR: the index answers a subquery.
            Some(n) => {
                let p = sql.bind(n);
                SearchSource {
                    from: "orders".into(),
                    condition: format!(
                        "(number = {p} OR number IN \
                         (SELECT rowid FROM orders_search WHERE {matched}))"
                    ),
                    key: "number",
                    window: None,
                }
            }
            // Walking the index by rowid, newest first, hands over matches
            // in the list's order: a page stops after its last row instead
            // of collecting every match first.
            None => SearchSource {
                from: "orders_search JOIN orders ON orders.number = orders_search.rowid".into(),
                condition: matched,
                key: "orders_search.rowid",
                window: None,
            },
        }
    }
}

/// The condition on `orders_search` its words need.
fn matched(terms: &SearchTerms, sql: &mut Sql) -> String {
    if terms.words.iter().all(|w| w.chars().count() >= MIN_INDEXED) {
        let expr: Vec<String> = terms.words.iter().map(|w| fts5_string(w)).collect();
        let p = sql.bind(expr.join(" AND ").as_str());
        format!("orders_search MATCH {p}")
    } else {
        // Too short for trigrams: a scan of the search text, which LIKE
        // folds for ASCII case only.
        let likes: Vec<String> = terms
            .words
            .iter()
            .map(|w| {
                let p = sql.bind(orderdesk_store::like_pattern(w).as_str());
                format!("body LIKE {p} ESCAPE '\\'")
            })
            .collect();
        likes.join(" AND ")
    }
}
