//! The order list and its per-stage counts, written once for both backends:
//! the board's filters as `$N` SQL, with the two things that differ per
//! dialect asked of the backend ([`OrderSql`]): how a tag is tested, and
//! where a search's matches come from (SQLite's FTS5 table, PostgreSQL's
//! trigram-indexed column).
//!
//! Both queries are built so their cost follows the page, not the number of
//! matches: the page walks matches newest first and stops after one more
//! than it shows, and the counts stop after [`COUNT_CAP`] matches, so a word
//! in every other order answers as fast as a rare one. An index that cannot
//! hand matches over newest first (PostgreSQL's trigrams) gets a window
//! ([`SearchSource::window`]): the newest orders are looked through first,
//! and the index is asked only for what is too rare to be found there, one
//! range of order numbers at a time, newest first, so that a word in
//! thousands of older orders fetches a page of them rather than all.

use orderdesk_domain::OrderStatus;
use orderdesk_store::search::{every_stage, SearchTerms, COUNT_CAP};
use orderdesk_store::{OrderCounts, OrderPage, OrderQuery, StoreResult};

use crate::rows::{self, Cols};
use crate::{Arg, SqlRead};

mod older;

/// Largest page of orders.
const MAX_PAGE: u32 = 200;

/// A statement being built: its text and its arguments, each placeholder
/// numbered by its argument's position.
#[derive(Debug, Default)]
pub struct Sql {
    text: String,
    args: Vec<Arg>,
}

impl Sql {
    /// Adds `arg`; returns its placeholder (`$N`).
    pub fn bind(&mut self, arg: impl Into<Arg>) -> String {
        self.args.push(arg.into());
        format!("${}", self.args.len())
    }

    /// Appends SQL text.
    pub fn push(&mut self, text: &str) {
        self.text.push_str(text);
    }
}

/// Where a search's matches come from, in one dialect.
#[derive(Debug)]
pub struct SearchSource {
    /// What follows `FROM`: `orders`, or `orders` joined to an index of it.
    pub from: String,
    /// True for an order the search finds.
    pub condition: String,
    /// What orders are walked by, newest first: `number`, or an index's
    /// column equal to it that lets the index hand matches over in order.
    pub key: &'static str,
    /// For an index that cannot hand matches over newest first (and a
    /// source of `orders` walked by `number`): how to reach the newest
    /// matches without collecting every one.
    pub window: Option<Window>,
}

/// How a search whose index cannot hand matches over newest first is
/// walked: the newest `rows` orders one by one, then the index one range
/// of `range` order numbers at a time, newest range first.
#[derive(Debug, Clone, Copy)]
pub struct Window {
    /// How many of the newest orders to look through before asking the
    /// index. A word in many orders fills a page from them at once; a rarer
    /// one is left to the index.
    pub rows: u32,
    /// How many order numbers one range holds: the index's leading column
    /// is `number / range`, so that it finds the matches of one range
    /// without visiting the others'. A word in thousands of older orders
    /// then costs the few ranges that fill a page (at 10,000,000 orders,
    /// fetching every match to sort them took 40-80 ms); a word in none
    /// costs one quick look per range.
    pub range: i64,
    /// How long counting the matches past the window may take; past it
    /// the counts are those of the window, as lower bounds. Exact counts
    /// of a word whose trigrams are in most orders mean visiting every
    /// one of them, however few the matches.
    pub count_budget: std::time::Duration,
}

/// What a backend's dialect supplies to the order list.
pub trait OrderSql {
    /// A condition true for an order carrying the tag bound at `p`.
    fn has_tag(p: &str) -> String;

    /// Where the orders matching `terms` come from; binds what it needs.
    fn search(&self, terms: &SearchTerms, sql: &mut Sql) -> SearchSource;
}

/// Matches in the newest orders a window looks through that make a word
/// common: counting it further would mean visiting its every match.
const COMMON: i64 = 50;

/// The orders a query finds: where from, which, and walked by what.
struct Found {
    source: SearchSource,
    /// ` AND …` for every filter but the search (the cursor and the stage
    /// only when asked).
    filters: String,
}

impl Found {
    /// What statements over these orders are written with: the key they
    /// are walked by, what follows `FROM`, the search's condition and the
    /// other filters.
    fn parts(&self) -> (&'static str, &str, &str, &str) {
        (
            self.source.key,
            &self.source.from,
            &self.source.condition,
            &self.filters,
        )
    }
}

fn found<R: OrderSql>(
    r: &R,
    sql: &mut Sql,
    query: &OrderQuery,
    with_cursor: bool,
    with_status: bool,
) -> Found {
    let source = match query.q.as_deref().and_then(SearchTerms::parse) {
        Some(terms) => r.search(&terms, sql),
        None => SearchSource {
            from: "orders".into(),
            condition: "TRUE".into(),
            key: "number",
            window: None,
        },
    };
    let mut filters = String::new();
    if let Some(before) = query.before.filter(|_| with_cursor) {
        let p = sql.bind(before.get());
        filters.push_str(&format!(" AND {} < {p}", source.key));
    }
    if let Some(status) = query.status.filter(|_| with_status) {
        let p = sql.bind(status.as_str());
        filters.push_str(&format!(" AND status = {p}"));
    }
    if let Some(payment) = query.payment {
        let p = sql.bind(payment.as_str());
        filters.push_str(&format!(" AND payment_status = {p}"));
    }
    if let Some(from) = query.created_from {
        let p = sql.bind(Arg::Time(Some(from)));
        filters.push_str(&format!(" AND created_at >= {p}"));
    }
    if let Some(to) = query.created_before {
        let p = sql.bind(Arg::Time(Some(to)));
        filters.push_str(&format!(" AND created_at < {p}"));
    }
    if let Some(tag) = &query.tag {
        let p = sql.bind(tag.as_str());
        filters.push_str(&format!(" AND {}", R::has_tag(&p)));
    }
    if let Some(assignee) = &query.assignee {
        let p = sql.bind(assignee.as_str());
        filters.push_str(&format!(" AND assignee = {p}"));
    }
    Found { source, filters }
}

/// The key of the oldest order a window of `window` looks through (for a
/// page: after its cursor, in its stage), or `None` when it looks through
/// every order the filters leave.
async fn window_edge<R: SqlRead + OrderSql>(
    r: &R,
    query: &OrderQuery,
    page: bool,
    window: u32,
) -> StoreResult<Option<i64>> {
    // The window is of orders, whatever the search: its filters only.
    let unsearched = OrderQuery {
        q: None,
        ..query.clone()
    };
    let mut sql = Sql::default();
    let f = found(r, &mut sql, &unsearched, page, page);
    let p = sql.bind(i64::from(window) - 1);
    sql.push(&format!(
        "SELECT {key} AS edge FROM {from} WHERE TRUE{filters} ORDER BY {key} DESC LIMIT 1 OFFSET {p}",
        key = f.source.key,
        from = f.source.from,
        filters = f.filters
    ));
    let rows = r.read(&sql.text, sql.args).await?;
    rows.first()
        .map(|row| row.int("edge"))
        .transpose()
        .map(Option::flatten)
}

async fn orders<R: SqlRead>(r: &R, sql: Sql) -> StoreResult<Vec<orderdesk_domain::Order>> {
    let rows = r.read_planned(&sql.text, sql.args).await?;
    rows.iter().map(|row| rows::order(row)).collect()
}

/// `Store::list_orders`: a page, newest first.
pub async fn list<R: SqlRead + OrderSql>(r: &R, query: &OrderQuery) -> StoreResult<OrderPage> {
    let limit = query.limit.clamp(1, MAX_PAGE);
    // One extra row says whether there is a next page.
    let wanted = i64::from(limit) + 1;
    let mut sql = Sql::default();
    let f = found(r, &mut sql, query, true, true);
    let cols = rows::ORDER_COLUMNS;
    let (key, from, cond, filters) = f.parts();
    let mut orders = match f.source.window {
        None => {
            let p = sql.bind(wanted);
            sql.push(&format!(
                "SELECT {cols} FROM {from} WHERE {cond}{filters} ORDER BY {key} DESC LIMIT {p}"
            ));
            orders(r, sql).await?
        }
        Some(window) => {
            let w = sql.bind(i64::from(window.rows));
            let p = sql.bind(wanted);
            sql.push(&format!(
                "SELECT {cols} FROM (SELECT * FROM {from} WHERE TRUE{filters} \
                 ORDER BY {key} DESC LIMIT {w}) AS orders \
                 WHERE {cond} ORDER BY {key} DESC LIMIT {p}"
            ));
            let mut page = orders(r, sql).await?;
            let short = wanted - page.len() as i64;
            if short > 0 {
                if let Some(edge) = window_edge(r, query, true, window.rows).await? {
                    page.extend(older::page(r, query, (edge, window), short).await?);
                }
            }
            page
        }
    };
    let next_before = if orders.len() > limit as usize {
        orders.truncate(limit as usize);
        orders.last().map(|o| o.number)
    } else {
        None
    };
    Ok(OrderPage {
        orders,
        next_before,
    })
}

async fn per_stage<R: SqlRead>(r: &R, sql: Sql) -> StoreResult<Vec<(OrderStatus, i64)>> {
    stage_counts(&r.read_planned(&sql.text, sql.args).await?)
}

fn stage_counts(rows: &[impl Cols]) -> StoreResult<Vec<(OrderStatus, i64)>> {
    let mut counted = Vec::with_capacity(rows.len());
    for row in rows {
        let status = rows::status(&row.text("status")?.unwrap_or_default())?;
        counted.push((status, row.int("n")?.unwrap_or(0)));
    }
    Ok(counted)
}

fn total(stages: &[(OrderStatus, i64)]) -> i64 {
    stages.iter().map(|(_, n)| n).sum()
}

/// `Store::count_orders`: orders per stage among the first [`COUNT_CAP`]
/// that `query` finds, newest first (every stage listed); not exact when
/// there are more.
pub async fn counts<R: SqlRead + OrderSql>(r: &R, query: &OrderQuery) -> StoreResult<OrderCounts> {
    let cap = i64::from(COUNT_CAP);
    let mut sql = Sql::default();
    let f = found(r, &mut sql, query, false, false);
    let (key, from, cond, filters) = f.parts();
    let Some(window) = f.source.window else {
        let p = sql.bind(cap);
        sql.push(&format!(
            "SELECT status, COUNT(*) AS n FROM (SELECT status FROM {from} WHERE {cond}{filters} \
             ORDER BY {key} DESC LIMIT {p}) AS found GROUP BY status"
        ));
        let stages = per_stage(r, sql).await?;
        let exact = total(&stages) < cap;
        return Ok(OrderCounts {
            stages: every_stage(&stages),
            exact,
        });
    };
    let w = sql.bind(i64::from(window.rows));
    sql.push(&format!(
        "SELECT status, COUNT(*) AS n FROM (SELECT * FROM {from} WHERE TRUE{filters} \
         ORDER BY {key} DESC LIMIT {w}) AS orders WHERE {cond} GROUP BY status"
    ));
    let mut stages = per_stage(r, sql).await?;
    let Some(edge) = window_edge(r, query, false, window.rows).await? else {
        return Ok(OrderCounts::exact(every_stage(&stages)));
    };
    let seen = total(&stages);
    if seen > COMMON {
        return Ok(OrderCounts {
            stages: every_stage(&stages),
            exact: false,
        });
    }
    let left = cap - seen;
    // Cut short by its time budget, a count is a lower bound.
    let (older, finished) = older::counts(r, query, (edge, window), left).await?;
    let exact = finished && total(&older) < left;
    for (status, n) in older {
        match stages.iter_mut().find(|(s, _)| *s == status) {
            Some((_, m)) => *m += n,
            None => stages.push((status, n)),
        }
    }
    Ok(OrderCounts {
        stages: every_stage(&stages),
        exact,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Dialect;

    impl OrderSql for Dialect {
        fn has_tag(p: &str) -> String {
            format!("tagged({p})")
        }
        fn search(&self, terms: &SearchTerms, sql: &mut Sql) -> SearchSource {
            let p = sql.bind(terms.words.join(" ").as_str());
            SearchSource {
                from: "orders JOIN idx ON idx.id = number".into(),
                condition: format!("idx MATCH {p}"),
                key: "idx.id",
                window: None,
            }
        }
    }

    #[test]
    fn placeholders_follow_their_arguments_and_the_search_walks_its_key() {
        let mut sql = Sql::default();
        let query = OrderQuery {
            q: Some("chai".into()),
            before: Some(orderdesk_domain::OrderNumber::new(1050).unwrap()),
            status: Some(OrderStatus::Placed),
            tag: Some("vip".into()),
            limit: 50,
            ..OrderQuery::default()
        };
        let f = found(&Dialect, &mut sql, &query, true, true);
        assert_eq!(f.source.key, "idx.id");
        assert_eq!(f.source.condition, "idx MATCH $1");
        assert_eq!(f.filters, " AND idx.id < $2 AND status = $3 AND tagged($4)");
        assert_eq!(sql.args.len(), 4);
    }

    #[test]
    fn counts_leave_out_the_cursor_and_the_stage() {
        let mut sql = Sql::default();
        let query = OrderQuery {
            before: Some(orderdesk_domain::OrderNumber::new(1050).unwrap()),
            status: Some(OrderStatus::Placed),
            assignee: Some("a@example.com".into()),
            limit: 50,
            ..OrderQuery::default()
        };
        let f = found(&Dialect, &mut sql, &query, false, false);
        assert_eq!(f.source.from, "orders");
        assert_eq!(f.filters, " AND assignee = $1");
    }
}
