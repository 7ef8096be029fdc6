//! Insights' daily rollups on the shared write path: every transaction
//! that creates an order, moves its stage, records a payment or a refund,
//! or takes its address adds what that changed (the domain's
//! `stats::facts`) to per-day counters, last in the same transaction (see
//! [`crate::effects`]). A rebuild replays the stored history — orders,
//! their timelines and the payments ledger — through the same rules, so it
//! gives the same rows as the live path (the conformance suite checks).
//!
//! Days are local days in the zone recorded in `stats_zone`; until the
//! first rebuild records one, nothing is counted live (that rebuild counts
//! it all), and a change of zone is a rebuild.

use std::collections::BTreeMap;

use chrono::{Datelike, Duration, NaiveDate};
use orderdesk_domain::followup::{Feedback, FeedbackState};
use orderdesk_domain::ledger::REVIEW;
use orderdesk_domain::stats::facts::{self, names, Move, EVER};
use orderdesk_domain::stats::{local_day, Fact};
use orderdesk_domain::{
    LedgerEntry, LedgerKind, Order, OrderNumber, OrderStatus, PaymentMethod, TimelineEntry,
    TimelineKind, Timestamp,
};
use orderdesk_store::{OrderUpdate, StoreError, StoreResult};

use crate::batch::Rows;
use crate::reads::SqlRead;
use crate::rows::{self, Cols};
use crate::{args, fetch_one, Arg, SqlTx};

/// What a transaction owes the rollups; written by [`write`] at its end.
#[derive(Debug, Default)]
pub(crate) struct Pending {
    facts: Vec<Fact>,
    /// Customers who ordered, and when: each counts once per day, week,
    /// month, and as a repeat customer from their second order on.
    customers: Vec<(String, Timestamp)>,
}

impl Pending {
    /// An order came in.
    pub(crate) fn created(&mut self, order: &Order, customer_key: Option<&str>) {
        self.facts.extend(facts::created(order, false));
        if let Some(key) = customer_key {
            self.customers.push((key.to_owned(), order.created_at));
        }
    }
}

async fn count<T: SqlTx>(tx: &mut T, sql: &str, args: Vec<Arg>) -> StoreResult<i64> {
    Ok(fetch_one(tx, sql, args, |row| row.int("n"))
        .await?
        .flatten()
        .unwrap_or(0))
}

/// The counters `update` moves, once its timeline and ledger rows are
/// written (the look-ups below count them). `at` is the move's time.
pub(crate) async fn updated<T: SqlTx>(
    tx: &mut T,
    order: &Order,
    update: &OrderUpdate,
    at: Timestamp,
    pending: &mut Pending,
) -> StoreResult<()> {
    let number = order.number;
    let addresses: Vec<&TimelineEntry> = update
        .timeline
        .iter()
        .filter(|e| e.kind == TimelineKind::AddressSet)
        .collect();
    if let Some(first) = addresses.first() {
        let all = count(
            tx,
            "SELECT COUNT(*) AS n FROM timeline_entries \
             WHERE order_number = $1 AND kind = 'address_set'",
            args![number],
        )
        .await?;
        if all == i64::try_from(addresses.len()).unwrap_or(i64::MAX) {
            pending.facts.extend(facts::address_given(first.at));
        }
    }
    if let Some(change) = &update.status_change {
        let into = count(
            tx,
            "SELECT COUNT(*) AS n FROM timeline_entries \
             WHERE order_number = $1 AND kind = 'status_changed' AND to_status = $2",
            args![number, change.to.as_str()],
        )
        .await?;
        let first = into == 1;
        let since = match facts::stage_ending_at(change.to) {
            Some((_, None)) if first => Some(order.created_at),
            Some((_, Some(start))) if first => latest_move(tx, number, start).await?,
            _ => None,
        };
        pending.facts.extend(facts::moved(&Move {
            from: change.from,
            to: change.to,
            reason: change.reason.as_deref(),
            at,
            first,
            since,
            cod: order.payment_method == Some(PaymentMethod::Cod),
        }));
        if first && change.to == OrderStatus::Confirmed {
            pending
                .facts
                .extend(facts::recovered(at, order.reminded_at));
        }
    }
    // The one move to `rated` (the domain takes one rating per order).
    if let Some((rating, rated_at)) = update.feedback.as_ref().and_then(rating_of) {
        pending.facts.extend(facts::rated(rated_at, rating));
    }
    if !update.ledger.is_empty() {
        let here = |kind: LedgerKind| {
            let n = update
                .ledger
                .iter()
                .filter(|e| e.kind == kind && e.status != REVIEW)
                .count();
            i64::try_from(n).unwrap_or(i64::MAX)
        };
        let mut before = [0; 2];
        for (slot, kind) in [LedgerKind::Paid, LedgerKind::Failed]
            .into_iter()
            .enumerate()
        {
            let all = count(
                tx,
                "SELECT COUNT(*) AS n FROM payment_events \
                 WHERE order_number = $1 AND kind = $2 AND status <> 'review'",
                args![number, kind.as_str()],
            )
            .await?;
            before[slot] = all - here(kind);
        }
        pending
            .facts
            .extend(ledger_run(&update.ledger, before[0], before[1]));
    }
    Ok(())
}

/// A feedback's rating and when it was given, once rated (the comment
/// after it keeps both, so only the move to `rated` counts live).
fn rating_of(feedback: &Feedback) -> Option<(u8, Timestamp)> {
    match (feedback.state, feedback.rating, feedback.rated_at) {
        (FeedbackState::Rated, Some(rating), Some(at)) => Some((rating, at)),
        _ => None,
    }
}

/// When the order last moved into `status`.
async fn latest_move<T: SqlTx>(
    tx: &mut T,
    number: OrderNumber,
    status: OrderStatus,
) -> StoreResult<Option<Timestamp>> {
    Ok(fetch_one(
        tx,
        "SELECT MAX(at) AS at FROM timeline_entries \
         WHERE order_number = $1 AND kind = 'status_changed' AND to_status = $2",
        args![number, status.as_str()],
        |row| row.time("at"),
    )
    .await?
    .flatten())
}

/// The facts of an order's payment events in ledger order, given how many
/// paid (not flagged for review) and failed events it had before them.
fn ledger_run(entries: &[LedgerEntry], mut paid: i64, mut failed: i64) -> Vec<Fact> {
    let mut out = Vec::new();
    for e in entries {
        out.extend(facts::ledger(e, paid == 0, failed > 0));
        match e.kind {
            LedgerKind::Paid if e.status != REVIEW => paid += 1,
            LedgerKind::Paid => {}
            LedgerKind::Failed => failed += 1,
            LedgerKind::Refund => {}
        }
    }
    out
}

/// Adds what `pending` owes to the counters, in the zone the rollups are
/// in. Rows are locked in one order (customers by key, then days by metric
/// and day, and with each its month), so concurrent writers never deadlock
/// over them.
pub(crate) async fn write<T: SqlTx>(tx: &mut T, pending: Pending) -> StoreResult<()> {
    if pending.facts.is_empty() && pending.customers.is_empty() {
        return Ok(());
    }
    let Some(zone) = fetch_one(
        tx,
        "SELECT time_zone FROM stats_zone WHERE id = 1",
        args![],
        |row| row.text("time_zone"),
    )
    .await?
    .flatten() else {
        return Ok(());
    };
    // Keyed (metric, day): the rows are written, and so locked, in that
    // order, and the month sums the database keeps from them (migration
    // 0160's trigger) in (metric, month) order with them.
    let mut sums: BTreeMap<(String, NaiveDate), i64> = BTreeMap::new();
    for f in pending.facts {
        *sums.entry((f.metric, local_day(f.at, &zone))).or_default() += f.value;
    }
    for (day, metric, value) in count_customers(tx, pending.customers, &zone).await? {
        *sums.entry((metric.to_owned(), day)).or_default() += value;
    }
    sums.retain(|_, value| *value != 0);
    let days: Vec<Vec<Arg>> = sums
        .into_iter()
        .map(|((metric, day), value)| args![day.to_string().as_str(), metric.as_str(), value])
        .collect();
    Rows {
        head: "INSERT INTO stats_days (day, metric, value)",
        casts: &["", "", ""],
        tail: "ON CONFLICT (day, metric) DO UPDATE SET value = stats_days.value + excluded.value",
    }
    .execute(tx, days)
    .await?;
    Ok(())
}

/// The first day of `day`'s month: the key of its `stats_months` rows.
fn month_of(day: NaiveDate) -> NaiveDate {
    day.with_day(1).unwrap_or(day)
}

/// Counts customers who ordered once per day, week and month, and each of
/// their orders after their first as a repeat: the periods they already
/// counted in are rows of `stats_customers`, and one set-based insert
/// returns the ones that are new. A customer's orders keep the order they
/// were given in (the first of a new customer is not a repeat).
async fn count_customers<T: SqlTx>(
    tx: &mut T,
    customers: Vec<(String, Timestamp)>,
    zone: &str,
) -> StoreResult<Vec<(NaiveDate, &'static str, i64)>> {
    let mut by_key: BTreeMap<String, Vec<NaiveDate>> = BTreeMap::new();
    for (key, at) in customers {
        by_key.entry(key).or_default().push(local_day(at, zone));
    }
    // Sorted by key then period: concurrent writers lock rows in one order.
    let mut periods: BTreeMap<(String, String), Option<(NaiveDate, &'static str)>> =
        BTreeMap::new();
    for (key, days) in &by_key {
        periods.insert((key.clone(), EVER.to_owned()), None);
        for day in days {
            for (period, on, metric) in facts::customer_periods(*day) {
                periods.insert((key.clone(), period), Some((on, metric)));
            }
        }
    }
    let rows: Vec<Vec<Arg>> = periods
        .keys()
        .map(|(key, period)| args![period.as_str(), key.as_str()])
        .collect();
    let returned = Rows {
        head: "INSERT INTO stats_customers (period, customer_key)",
        casts: &["", ""],
        tail: "ON CONFLICT (period, customer_key) DO NOTHING RETURNING period, customer_key",
    }
    .fetch(tx, rows)
    .await?;
    let mut fresh = std::collections::BTreeSet::new();
    for row in &returned {
        let key = row.text("customer_key")?.unwrap_or_default();
        fresh.insert((key, row.text("period")?.unwrap_or_default()));
    }
    let mut out = Vec::new();
    for (key, days) in by_key {
        let first_is_new = fresh.contains(&(key, EVER.to_owned()));
        for day in days.into_iter().skip(usize::from(first_is_new)) {
            out.push((day, names::REPEAT_ORDERS, 1));
        }
    }
    for (k, counter) in periods {
        if let (Some((on, metric)), true) = (counter, fresh.contains(&k)) {
            out.push((on, metric, 1));
        }
    }
    Ok(out)
}

/// Orders replayed per round of a rebuild: bounds its memory.
const REBUILD_PAGE: i64 = 2_000;

/// Recomputes every rollup from the stored history, in `time_zone`, and
/// records that zone. The backend holds writers off the rollup tables
/// meanwhile (PostgreSQL: a table lock; SQLite: its single writer).
///
/// # Errors
/// Store errors; nothing changes then.
pub async fn rebuild<T: SqlTx>(tx: &mut T, time_zone: &str) -> StoreResult<()> {
    tx.execute("DELETE FROM stats_days", args![]).await?;
    tx.execute("DELETE FROM stats_months", args![]).await?;
    tx.execute("DELETE FROM stats_customers", args![]).await?;
    tx.execute(
        "UPDATE stats_zone SET time_zone = $1 WHERE id = 1",
        args![time_zone],
    )
    .await?;
    let orders_sql = format!(
        "SELECT {}, customer_key FROM orders WHERE number > $1 ORDER BY number LIMIT $2",
        rows::ORDER_COLUMNS
    );
    let timeline_sql = format!(
        "SELECT order_number, {} FROM timeline_entries WHERE order_number >= $1 \
         AND order_number <= $2 AND kind IN ('status_changed', 'address_set') \
         ORDER BY order_number, id",
        rows::TIMELINE_COLUMNS
    );
    let ledger_sql = format!(
        "SELECT {} FROM payment_events WHERE order_number >= $1 AND order_number <= $2 \
         ORDER BY order_number, id",
        crate::ledger::COLUMNS
    );
    let mut after = 0_i64;
    loop {
        let page = tx.fetch(&orders_sql, args![after, REBUILD_PAGE]).await?;
        let mut orders = Vec::with_capacity(page.len());
        for row in &page {
            orders.push((rows::order(row)?, row.text("customer_key")?));
        }
        let (Some(first), Some(last)) = (orders.first(), orders.last()) else {
            break;
        };
        let (lo, hi) = (first.0.number.get(), last.0.number.get());
        after = hi;
        let mut timelines: BTreeMap<i64, Vec<TimelineEntry>> = BTreeMap::new();
        for row in tx.fetch(&timeline_sql, args![lo, hi]).await? {
            let number = row.int("order_number")?.unwrap_or_default();
            timelines
                .entry(number)
                .or_default()
                .push(rows::timeline_entry(&row)?);
        }
        let mut ledgers: BTreeMap<i64, Vec<LedgerEntry>> = BTreeMap::new();
        for row in tx.fetch(&ledger_sql, args![lo, hi]).await? {
            let entry = crate::ledger::entry(&row)?;
            ledgers
                .entry(entry.order_number.get())
                .or_default()
                .push(entry);
        }
        let mut pending = Pending::default();
        for (order, key) in &orders {
            pending.created(order, key.as_deref());
            let n = order.number.get();
            if let Some(entries) = timelines.get(&n) {
                pending.facts.extend(replay_timeline(order, entries));
            }
            if let Some(entries) = ledgers.get(&n) {
                pending.facts.extend(ledger_run(entries, 0, 0));
            }
            if let Some(f) = &order.feedback {
                if let (Some(rating), Some(at)) = (f.rating, f.rated_at) {
                    pending.facts.extend(facts::rated(at, rating));
                }
            }
        }
        write(tx, pending).await?;
    }
    Ok(())
}

/// The facts of one order's timeline, as [`updated`] counted them live.
fn replay_timeline(order: &Order, entries: &[TimelineEntry]) -> Vec<Fact> {
    let mut out = Vec::new();
    let mut addressed = false;
    let mut entered: BTreeMap<&'static str, Timestamp> = BTreeMap::new();
    let cod = order.payment_method == Some(PaymentMethod::Cod);
    for e in entries {
        match (e.kind, e.from_status, e.to_status) {
            (TimelineKind::AddressSet, _, _) if !addressed => {
                addressed = true;
                out.extend(facts::address_given(e.at));
            }
            (TimelineKind::StatusChanged, Some(from), Some(to)) => {
                let first = !entered.contains_key(to.as_str());
                let since = match facts::stage_ending_at(to) {
                    Some((_, None)) if first => Some(order.created_at),
                    Some((_, Some(start))) if first => entered.get(start.as_str()).copied(),
                    _ => None,
                };
                out.extend(facts::moved(&Move {
                    from,
                    to,
                    reason: e.reason.as_deref(),
                    at: e.at,
                    first,
                    since,
                    cod,
                }));
                if first && to == OrderStatus::Confirmed {
                    out.extend(facts::recovered(e.at, order.reminded_at));
                }
                entered.insert(to.as_str(), e.at);
            }
            _ => {}
        }
    }
    out
}

/// Summed counters of the local days `from..=to`, by metric.
///
/// Whole months inside the range are read from `stats_months` (one row
/// per metric), only the partial months at its edges day by day: a year is
/// ≈ 40 rows per metric rather than 365, summed by the database, so the
/// read costs the same at any number of orders and stays small with many
/// products or reasons.
///
/// # Errors
/// Store errors.
pub async fn totals<R: SqlRead>(
    r: &R,
    from: NaiveDate,
    to: NaiveDate,
) -> StoreResult<Vec<(String, i64)>> {
    let text = |d: NaiveDate| d.to_string();
    // [whole_from, whole_to) are the whole months; empty when none is.
    let whole_from = if from.day() == 1 {
        from
    } else {
        next_month(from)
    };
    let whole_to = month_of(to + Duration::days(1));
    let (sql, args) = if whole_from < whole_to {
        (
            "SELECT metric, CAST(SUM(value) AS BIGINT) AS value FROM ( \
               SELECT metric, value FROM stats_days WHERE day >= $1 AND day < $2 \
               UNION ALL \
               SELECT metric, value FROM stats_months WHERE month >= $2 AND month < $3 \
               UNION ALL \
               SELECT metric, value FROM stats_days WHERE day >= $3 AND day <= $4 \
             ) AS edges_and_months GROUP BY metric",
            args![
                text(from).as_str(),
                text(whole_from).as_str(),
                text(whole_to).as_str(),
                text(to).as_str()
            ],
        )
    } else {
        (
            "SELECT metric, CAST(SUM(value) AS BIGINT) AS value FROM stats_days \
             WHERE day >= $1 AND day <= $2 GROUP BY metric",
            args![text(from).as_str(), text(to).as_str()],
        )
    };
    let rows = r.read(sql, args).await?;
    rows.iter()
        .map(|row| {
            Ok((
                row.text("metric")?.unwrap_or_default(),
                row.int("value")?.unwrap_or_default(),
            ))
        })
        .collect()
}

/// The first day of the month after `day`'s.
fn next_month(day: NaiveDate) -> NaiveDate {
    let first = month_of(day);
    first
        .checked_add_months(chrono::Months::new(1))
        .unwrap_or(first)
}

/// The counters named `metrics` of each local day `from..=to`.
///
/// # Errors
/// Store errors.
pub async fn days<R: SqlRead>(
    r: &R,
    from: NaiveDate,
    to: NaiveDate,
    metrics: &[&str],
) -> StoreResult<Vec<(NaiveDate, String, i64)>> {
    if metrics.is_empty() {
        return Ok(Vec::new());
    }
    let placeholders: Vec<String> = (3..metrics.len() + 3).map(|i| format!("${i}")).collect();
    let sql = format!(
        "SELECT day, metric, value FROM stats_days WHERE day >= $1 AND day <= $2 \
         AND metric IN ({}) ORDER BY day",
        placeholders.join(", ")
    );
    let mut args = args![from.to_string().as_str(), to.to_string().as_str()];
    args.extend(metrics.iter().map(|m| Arg::from(*m)));
    let rows = r.read(&sql, args).await?;
    rows.iter()
        .map(|row| {
            let day = row.text("day")?.unwrap_or_default();
            let day = NaiveDate::parse_from_str(&day, "%Y-%m-%d")
                .map_err(|_| rows::corrupt("stats day", &day))?;
            Ok((
                day,
                row.text("metric")?.unwrap_or_default(),
                row.int("value")?.unwrap_or_default(),
            ))
        })
        .collect()
}

/// The zone the rollups are kept in; `None` before the first rebuild.
///
/// # Errors
/// Store errors.
pub async fn zone<R: SqlRead>(r: &R) -> StoreResult<Option<String>> {
    let rows = r
        .read("SELECT time_zone FROM stats_zone WHERE id = 1", args![])
        .await?;
    match rows.first() {
        Some(row) => row.text("time_zone"),
        None => Err(StoreError::NotFound),
    }
}
