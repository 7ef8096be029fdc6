//! The SQL primitives of the shared write path ([`SqlTx`]) on PostgreSQL,
//! and how its rows read ([`Cols`]).
//!
//! # One customer's outbound messages commit in id order
//!
//! The outbox sends a customer's oldest unfinished message first, judged
//! from the messages it can see. Two transactions queuing for one customer
//! (a reply on one order, a stage update on another, on two instances)
//! could commit in the other order than their ids, and the dispatcher could
//! send the later message before the earlier one is even visible. So
//! outbound messages are inserted at the end of the transaction, under a
//! transaction-scoped advisory lock per customer ([`OUTBOX_LOCK_SPACE`],
//! hash of the key): the ids of one customer's messages are drawn in
//! commit order, as event sequence numbers are.

use std::borrow::Borrow;
use std::time::Duration;

use async_trait::async_trait;
use orderdesk_domain::Timestamp;
use orderdesk_store::StoreResult;
use orderdesk_store_sql::rows::micros;
use orderdesk_store_sql::{Arg, Cols, NewEvent, SqlRead, SqlTx};
use sqlx::postgres::{PgArguments, PgRow};
use sqlx::query::Query;
use sqlx::types::Json;
use sqlx::{Postgres, Row as _};

use crate::error::db_err;
use crate::{PgDb, CHANGES_CHANNEL, EVENT_LOG_LOCK};

/// First key of the per-customer outbox locks (`pg_advisory_xact_lock(space,
/// hashtext(customer_key))`); "outb" in ASCII.
pub(crate) const OUTBOX_LOCK_SPACE: i32 = 0x6f75_7462;
/// First key of the per-wamid locks; two-key advisory locks are their own
/// key space.
const WAMID_LOCK_SPACE: i32 = 7007;

/// An open write transaction.
pub struct PgTx(pub(crate) sqlx::Transaction<'static, Postgres>);

/// A row (owned, or borrowed by a read) as [`Cols`].
pub struct Row<R>(pub R);

/// Decodes borrowed rows with one of the shared decoders.
pub(crate) fn dec<T>(decode: fn(&dyn Cols) -> StoreResult<T>) -> impl Fn(&PgRow) -> StoreResult<T> {
    move |row| decode(&Row(row))
}

impl<R: Borrow<PgRow>> Cols for Row<R> {
    fn int(&self, column: &str) -> StoreResult<Option<i64>> {
        self.0.borrow().try_get(column).map_err(db_err)
    }
    fn text(&self, column: &str) -> StoreResult<Option<String>> {
        self.0.borrow().try_get(column).map_err(db_err)
    }
    fn time(&self, column: &str) -> StoreResult<Option<Timestamp>> {
        self.0.borrow().try_get(column).map_err(db_err)
    }
    fn json(&self, column: &str) -> StoreResult<Option<serde_json::Value>> {
        let value: Option<Json<serde_json::Value>> =
            self.0.borrow().try_get(column).map_err(db_err)?;
        Ok(value.map(|Json(v)| v))
    }
    fn boolean(&self, column: &str) -> StoreResult<bool> {
        self.0.borrow().try_get(column).map_err(db_err)
    }
}

fn bind(sql: &str, args: Vec<Arg>) -> Query<'_, Postgres, PgArguments> {
    args.into_iter()
        .fold(sqlx::query(sql), |query, arg| match arg {
            Arg::Int(v) => query.bind(v),
            // JSON travels as text; the SQL casts it (`SqlTx::JSON`).
            Arg::Text(v) | Arg::Json(v) => query.bind(v),
            Arg::Time(v) => query.bind(v.map(micros)),
            Arg::Bool(v) => query.bind(v),
        })
}

#[async_trait]
impl SqlRead for PgDb {
    type Row = Row<PgRow>;
    const BYTE_ORDER: &'static str = " COLLATE \"C\"";

    fn utc_day(column: &str) -> String {
        format!("to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD')")
    }

    async fn read(&self, sql: &str, args: Vec<Arg>) -> StoreResult<Vec<Self::Row>> {
        let rows = bind(sql, args)
            .fetch_all(&self.pool)
            .await
            .map_err(db_err)?;
        Ok(rows.into_iter().map(Row).collect())
    }

    /// An unnamed statement, which PostgreSQL plans at each run with the
    /// arguments given.
    async fn read_planned(&self, sql: &str, args: Vec<Arg>) -> StoreResult<Vec<Self::Row>> {
        let rows = bind(sql, args)
            .persistent(false)
            .fetch_all(&self.pool)
            .await
            .map_err(db_err)?;
        Ok(rows.into_iter().map(Row).collect())
    }

    /// The statement under a `statement_timeout` of `budget`, set for its
    /// own transaction only.
    async fn read_within(
        &self,
        sql: &str,
        args: Vec<Arg>,
        budget: Duration,
    ) -> StoreResult<Option<Vec<Self::Row>>> {
        let mut tx = self.pool.begin().await.map_err(db_err)?;
        // `SET` takes no parameters; the budget is ours, not a request's.
        let ms = budget.as_millis().clamp(1, i32::MAX as u128);
        sqlx::query(&format!("SET LOCAL statement_timeout = {ms}"))
            .persistent(false)
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        match bind(sql, args).persistent(false).fetch_all(&mut *tx).await {
            Ok(rows) => {
                tx.commit().await.map_err(db_err)?;
                Ok(Some(rows.into_iter().map(Row).collect()))
            }
            // query_canceled: the timeout. Dropping `tx` rolls it back.
            Err(sqlx::Error::Database(e)) if e.code().as_deref() == Some("57014") => Ok(None),
            Err(e) => Err(db_err(e)),
        }
    }
}

#[async_trait]
impl SqlTx for PgTx {
    type Row = Row<PgRow>;
    const JSON: &'static str = "::json";
    const LOCK_ROW: &'static str = " FOR UPDATE";
    /// `NO KEY UPDATE` because the number never changes: rows that only
    /// reference the order (the timeline entry of a failed message) need
    /// not wait for it.
    const LOCK_ORDER: &'static str = " FOR NO KEY UPDATE";

    async fn execute(&mut self, sql: &str, args: Vec<Arg>) -> StoreResult<u64> {
        let done = bind(sql, args)
            .execute(&mut *self.0)
            .await
            .map_err(db_err)?;
        Ok(done.rows_affected())
    }

    async fn fetch(&mut self, sql: &str, args: Vec<Arg>) -> StoreResult<Vec<Self::Row>> {
        let rows = bind(sql, args)
            .fetch_all(&mut *self.0)
            .await
            .map_err(db_err)?;
        Ok(rows.into_iter().map(Row).collect())
    }

    async fn lock_inbox(&mut self, ids: &[i64]) -> StoreResult<()> {
        sqlx::query("SELECT id FROM inbound WHERE id = ANY($1) ORDER BY id FOR UPDATE")
            .bind(ids)
            .fetch_all(&mut *self.0)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn lock_outbox(&mut self, customer_keys: &[&str]) -> StoreResult<()> {
        // Locked in hash order, the same in every transaction.
        sqlx::query(
            "SELECT pg_advisory_xact_lock($1, h) FROM \
             (SELECT DISTINCT hashtext(k) AS h FROM UNNEST($2::text[]) AS k ORDER BY h) AS l",
        )
        .bind(OUTBOX_LOCK_SPACE)
        .bind(customer_keys)
        .execute(&mut *self.0)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn lock_wamid(&mut self, wamid: &str) -> StoreResult<()> {
        sqlx::query("SELECT pg_advisory_xact_lock($1, hashtext($2))")
            .bind(WAMID_LOCK_SPACE)
            .bind(wamid)
            .execute(&mut *self.0)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn append_events(&mut self, events: Vec<NewEvent>) -> StoreResult<i64> {
        // Held to the commit: see "Commit order equals event order".
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(EVENT_LOG_LOCK)
            .execute(&mut *self.0)
            .await
            .map_err(db_err)?;
        let mut kinds = Vec::with_capacity(events.len());
        let mut numbers = Vec::with_capacity(events.len());
        let mut data = Vec::with_capacity(events.len());
        let mut ats = Vec::with_capacity(events.len());
        for event in events {
            kinds.push(event.kind.as_str());
            numbers.push(event.order_number.map(|n| n.get()));
            data.push(event.data);
            ats.push(micros(event.at));
        }
        // `seq` is drawn here, under the lock, in input order.
        let seqs: Vec<i64> = sqlx::query_scalar(
            "INSERT INTO events (kind, order_number, data, at) \
             SELECT k, n, d::json, a \
             FROM UNNEST($1::text[], $2::bigint[], $3::text[], $4::timestamptz[]) \
                  WITH ORDINALITY AS e (k, n, d, a, i) \
             ORDER BY i \
             RETURNING seq",
        )
        .bind(kinds)
        .bind(numbers)
        .bind(data)
        .bind(ats)
        .fetch_all(&mut *self.0)
        .await
        .map_err(db_err)?;
        Ok(seqs.into_iter().max().unwrap_or(0))
    }

    /// PostgreSQL delivers it on commit, and not at all on rollback.
    async fn notify(&mut self, last_seq: i64) -> StoreResult<()> {
        sqlx::query("SELECT pg_notify($1, $2)")
            .bind(CHANGES_CHANNEL)
            .bind(last_seq.to_string())
            .execute(&mut *self.0)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn notify_inbox(&mut self) -> StoreResult<()> {
        // Delivered on commit: the lease holder, wherever it runs, starts
        // on these items at once.
        sqlx::query("SELECT pg_notify($1, '')")
            .bind(crate::INBOX_CHANNEL)
            .execute(&mut *self.0)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn commit(self) -> StoreResult<()> {
        self.0.commit().await.map_err(db_err)
    }
}
