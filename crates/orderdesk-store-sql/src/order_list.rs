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
//! and the index is asked only for what is too rare to be found there.

use orderdesk_domain::OrderStatus;
use orderdesk_store::search::{every_stage, SearchTerms, COUNT_CAP};
use orderdesk_store::{OrderCounts, OrderPage, OrderQuery, StoreResult};

use crate::rows::{self, Cols};
use crate::{Arg, SqlRead};

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
    /// source of `orders` walked by `number`): how many of the newest
    /// orders to look through before asking it. A word in
    /// many orders fills a page from them at once; a rare one is left to
    /// the index, which is quick when matches are few.
    pub window: Option<u32>,
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

/// A statement over the orders `query` finds that are older than a
/// window's `edge` (what is left for the index): the arguments bound so
/// far, and its `FROM … WHERE …` with the key it is walked by.
fn older_than<R: OrderSql>(
    r: &R,
    query: &OrderQuery,
    page: bool,
    edge: i64,
) -> (Sql, String, &'static str) {
    let mut sql = Sql::default();
    let f = found(r, &mut sql, query, page, page);
    let e = sql.bind(edge);
    let key = f.source.key;
    let clause = format!(
        "FROM {} WHERE {}{} AND {key} < {e}",
        f.source.from, f.source.condition, f.filters
    );
    (sql, clause, key)
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
    let (key, from, cond, filters) = (
        f.source.key,
        &f.source.from,
        &f.source.condition,
        &f.filters,
    );
    let mut orders = match f.source.window {
        None => {
            let p = sql.bind(wanted);
            sql.push(&format!(
                "SELECT {cols} FROM {from} WHERE {cond}{filters} ORDER BY {key} DESC LIMIT {p}"
            ));
            orders(r, sql).await?
        }
        Some(window) => {
            let w = sql.bind(i64::from(window));
            let p = sql.bind(wanted);
            sql.push(&format!(
                "SELECT {cols} FROM (SELECT * FROM {from} WHERE TRUE{filters} \
                 ORDER BY {key} DESC LIMIT {w}) AS orders \
                 WHERE {cond} ORDER BY {key} DESC LIMIT {p}"
            ));
            let mut page = orders(r, sql).await?;
            let short = wanted - page.len() as i64;
            if short > 0 {
                if let Some(edge) = window_edge(r, query, true, window).await? {
                    let (mut sql, older, key) = older_than(r, query, true, edge);
                    let p = sql.bind(short);
                    // `+ 0` keeps the planner off the walk by number: what
                    // is left is rare, and its index finds it at once.
                    sql.push(&format!(
                        "SELECT {cols} {older} ORDER BY {key} + 0 DESC LIMIT {p}"
                    ));
                    page.extend(orders(r, sql).await?);
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
    let rows = r.read_planned(&sql.text, sql.args).await?;
    let mut counted = Vec::with_capacity(rows.len());
    for row in &rows {
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
    let (key, from, cond, filters) = (
        f.source.key,
        &f.source.from,
        &f.source.condition,
        &f.filters,
    );
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
    let w = sql.bind(i64::from(window));
    sql.push(&format!(
        "SELECT status, COUNT(*) AS n FROM (SELECT * FROM {from} WHERE TRUE{filters} \
         ORDER BY {key} DESC LIMIT {w}) AS orders WHERE {cond} GROUP BY status"
    ));
    let mut stages = per_stage(r, sql).await?;
    let Some(edge) = window_edge(r, query, false, window).await? else {
        return Ok(OrderCounts::exact(every_stage(&stages)));
    };
    let seen = total(&stages);
    if seen > COMMON {
        return Ok(OrderCounts {
            stages: every_stage(&stages),
            exact: false,
        });
    }
    let (mut sql, older, _) = older_than(r, query, false, edge);
    let left = cap - seen;
    let p = sql.bind(left);
    sql.push(&format!(
        "SELECT status, COUNT(*) AS n FROM (SELECT status {older} LIMIT {p}) AS found \
         GROUP BY status"
    ));
    let older = per_stage(r, sql).await?;
    let exact = total(&older) < left;
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
