//! PostgreSQL's dialect of the order list's filters ([`OrderSql`]): tags
//! in a `jsonb` array, and search on the folded `search_text` column
//! through its pg_trgm index (migration 0031), or for a word with a run of
//! digits through the index of its five-digit substrings (migration 0190);
//! both indexes lead with the range of the order's number (migration 0200).

use std::time::Duration;

use orderdesk_store::search::{has_digit_run, like_escape, SearchTerms};
use orderdesk_store_sql::{OrderSql, SearchSource, Sql};

use crate::PgDb;

/// Newest orders a search looks through before asking the trigram index.
/// The index cannot hand matches over newest first: for a word in many
/// orders it would collect and sort every one (seconds at 10,000,000
/// orders), while a walk of this many rows by number (milliseconds) fills
/// a page. A word too rare to fill one here is left to the index, which
/// is quick when matches are few (`docs/benchmarks.md`, "Search"); so is
/// a phone, postal or order number, which skips the walk.
pub(crate) const SEARCH_WINDOW: u32 = 10_000;

/// How many order numbers one range of the search indexes holds: their
/// leading column is `number / 262144` (migration 0200, which must say the
/// same number). At 10,000,000 orders that is 39 ranges: a word in a few
/// thousand orders fills a page from the newest one or two, a word in none
/// costs 39 quick looks, and one range of a word found in fewer than a
/// page of the newest 10,000 (at most 0.5 % of orders) holds at most about
/// 1,300 matches to fetch and sort (`docs/benchmarks.md`, "Search").
pub(crate) const SEARCH_RANGE: i64 = 262_144;

/// How long counting a search's matches past the window may take before
/// the counts are given as lower bounds. Counting stops at 1,000 anyway;
/// what can take longer is a word in fewer orders whose trigrams are in
/// very many (`Sharma 4242`: about 65 ms at 10,000,000 orders).
pub(crate) const COUNT_BUDGET: Duration = Duration::from_millis(20);

impl OrderSql for PgDb {
    fn has_tag(p: &str) -> String {
        format!("tags @> jsonb_build_array({p}::text)")
    }

    fn search(&self, terms: &SearchTerms, sql: &mut Sql) -> SearchSource {
        let mut words = Vec::with_capacity(terms.words.len());
        for word in &terms.words {
            // Folded the way the column is (lower case, no accents).
            let p = sql.bind(like_escape(word).as_str());
            let like = format!("LIKE '%' || orderdesk_fold({p}) || '%' ESCAPE '\\'");
            if has_digit_run(word) {
                // The digit runs' index finds the orders holding every
                // five-digit piece of the word; `LIKE` keeps those holding
                // them in a row. `|| ''` keeps the planner from also
                // intersecting the word's common digit trigrams, the cost
                // this index avoids. `LIKE` comes first: inside the `OR`
                // of an order number the conditions run as written, and a
                // walk of the newest orders should run the function only
                // on the few rows `LIKE` keeps (the other way round it
                // costs 150 ms per 10,000 rows).
                let g = sql.bind(word.as_str());
                words.push(format!(
                    "(search_text || '') {like} AND orderdesk_digit_grams(search_text) @> \
                     orderdesk_digit_grams(orderdesk_fold({g}))"
                ));
            } else {
                words.push(format!("search_text {like}"));
            }
        }
        let mut condition = words.join(" AND ");
        if let Some(n) = terms.number {
            let p = sql.bind(n);
            condition = format!("(number = {p} OR ({condition}))");
        }
        SearchSource {
            from: "orders".into(),
            condition,
            key: "number",
            window: Some(self.search_window),
        }
    }
}
