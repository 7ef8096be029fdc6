//! What a windowed search finds past its window ([`Window`]): the orders
//! older than the window's edge, asked of an index that cannot hand them
//! over newest first (PostgreSQL's trigrams and digit runs).
//!
//! Asking it for every older match and sorting them costs each match a
//! fetch from the table: 40-80 ms at 10,000,000 orders for a word in a few
//! thousand, close to a second cold. So the index is asked one range of
//! order numbers at a time, newest first, and the walk stops when the page
//! is full ([`Older::Ranges`]). Each range costs a look into the index
//! even when it holds nothing, so past the newest [`NEWEST_RANGES`] the
//! rest is asked at once, unsorted, for at most [`PROBE`] matches
//! ([`Older::All`]): fewer means that is all there is (a phone number, a
//! rare name), sorted here; as many means a word found in many old orders,
//! whose page the walk of the remaining ranges finds.

use std::time::Instant;

use orderdesk_domain::{Order, OrderStatus};
use orderdesk_store::{OrderQuery, StoreResult};

use super::{found, orders, stage_counts, OrderSql, Sql, Window};
use crate::rows;
use crate::SqlRead;

/// Ranges walked one by one before the rest is asked at once.
const NEWEST_RANGES: i64 = 8;

/// Matches the rest is asked for at most: fewer found are all there are.
const PROBE: i64 = 200;

/// Which of the orders older than the window a statement asks for.
#[derive(Debug, Clone, Copy)]
enum Older {
    /// Those below `below` in the ranges `from` down to `to`, range by range.
    Ranges { below: i64, from: i64, to: i64 },
    /// Every one below `below`, in no order.
    All { below: i64 },
}

/// The ranges a walk from the window's `edge` takes one by one: the
/// newest first, down to the lowest.
fn newest_ranges(edge: i64, window: Window) -> (i64, i64) {
    let top = edge / window.range;
    (top, (top - NEWEST_RANGES + 1).max(0))
}

/// A statement selecting `what` of at most `limit` of the orders `query`
/// finds in `part`; for a `page` (after its cursor, in its stage) each
/// range newest first.
///
/// For [`Older::Ranges`] the ranges are the outer side of a nested loop (a
/// `LATERAL` subquery depends on each), so rows come range after range,
/// each range sorted, and the outer `LIMIT` stops the walk as soon as it
/// has enough; an `ORDER BY` over the whole would visit every range.
/// `+ 0` keeps the planner off the walk by number: the index finds what
/// is asked at once.
fn statement<R: OrderSql>(
    r: &R,
    query: &OrderQuery,
    page: bool,
    (window, part): (Window, Older),
    what: &str,
    limit: i64,
) -> Sql {
    let mut sql = Sql::default();
    let f = found(r, &mut sql, query, page, page);
    let (key, from, cond, filters) = f.parts();
    let n = sql.bind(limit);
    match part {
        Older::Ranges {
            below,
            from: top,
            to,
        } => {
            let (b, top, to) = (sql.bind(below), sql.bind(top), sql.bind(to));
            // The width is written out, not bound: the expression must be
            // the index's own (`number / 262144`) for the planner to use it.
            let range = format!("{key} / {}", window.range);
            let order = if page {
                format!(" ORDER BY {key} + 0 DESC")
            } else {
                String::new()
            };
            sql.push(&format!(
                "SELECT found.* FROM generate_series({top}, {to}, -1) AS ranges(r), \
                 LATERAL (SELECT {what} FROM {from} WHERE {cond}{filters} \
                 AND {key} < {b} AND {range} = ranges.r{order} LIMIT {n}) AS found LIMIT {n}"
            ));
        }
        // Planned as a whole (a materialized CTE is), not for its first
        // rows: a `LIMIT` alone had PostgreSQL read the whole table
        // expecting to meet matches soon, 4 s for two names in no order.
        // The CTE still runs only as far as the `LIMIT` reads.
        Older::All { below } => {
            let b = sql.bind(below);
            sql.push(&format!(
                "WITH rest AS MATERIALIZED (SELECT {what} FROM {from} \
                 WHERE {cond}{filters} AND {key} + 0 < {b}) SELECT * FROM rest LIMIT {n}"
            ));
        }
    }
    sql
}

/// The newest `limit` orders `query` finds below a window's `edge`.
pub(super) async fn page<R: SqlRead + OrderSql>(
    r: &R,
    query: &OrderQuery,
    (edge, window): (i64, Window),
    limit: i64,
) -> StoreResult<Vec<Order>> {
    let cols = rows::ORDER_COLUMNS;
    let ask = |part: Older, limit: i64| statement(r, query, true, (window, part), cols, limit);
    let (top, to) = newest_ranges(edge, window);
    let newest = Older::Ranges {
        below: edge,
        from: top,
        to,
    };
    let mut found = orders(r, ask(newest, limit)).await?;
    let short = limit - found.len() as i64;
    if short <= 0 || to == 0 {
        return Ok(found);
    }
    let below = to * window.range;
    let mut rest = orders(r, ask(Older::All { below }, PROBE)).await?;
    if (rest.len() as i64) < PROBE {
        rest.sort_unstable_by_key(|o| std::cmp::Reverse(o.number));
        rest.truncate(usize::try_from(short).unwrap_or(0));
    } else {
        let ranges = Older::Ranges {
            below,
            from: to - 1,
            to: 0,
        };
        rest = orders(r, ask(ranges, short)).await?;
    }
    found.extend(rest);
    Ok(found)
}

/// Orders per stage among the first `limit` that `query` finds below a
/// window's `edge`, newest ranges first, and whether the count finished
/// within [`Window::count_budget`] (if not, they are what it counted).
pub(super) async fn counts<R: SqlRead + OrderSql>(
    r: &R,
    query: &OrderQuery,
    (edge, window): (i64, Window),
    limit: i64,
) -> StoreResult<(Vec<(OrderStatus, i64)>, bool)> {
    let started = Instant::now();
    let (top, to) = newest_ranges(edge, window);
    let newest = Older::Ranges {
        below: edge,
        from: top,
        to,
    };
    let mut stages = Vec::new();
    let mut left = limit;
    for part in [
        newest,
        Older::All {
            below: to * window.range,
        },
    ] {
        if left == 0 || matches!(part, Older::All { below: 0 }) {
            break;
        }
        let mut sql = statement(r, query, false, (window, part), "status", left);
        sql.text = format!(
            "SELECT status, COUNT(*) AS n FROM ({}) AS older GROUP BY status",
            sql.text
        );
        let budget = window.count_budget.saturating_sub(started.elapsed());
        let Some(rows) = r.read_within(&sql.text, sql.args, budget).await? else {
            return Ok((stages, false));
        };
        for (status, n) in stage_counts(&rows)? {
            left -= n;
            match stages.iter_mut().find(|(s, _)| *s == status) {
                Some((_, m)) => *m += n,
                None => stages.push((status, n)),
            }
        }
    }
    Ok((stages, true))
}
