//! The SQL primitives of the shared write path ([`SqlTx`]) on SQLite, and
//! how its rows read ([`Cols`]). The one writer connection already holds
//! the database's write lock for the whole transaction (`BEGIN
//! IMMEDIATE`), so the lock primitives have nothing left to do.

use std::borrow::Borrow;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use orderdesk_domain::Timestamp;
use orderdesk_store::{StoreError, StoreResult};
use orderdesk_store_sql::rows::{corrupt, micros};
use orderdesk_store_sql::{Arg, Cols, NewEvent, SqlRead, SqlTx};
use sqlx::query::Query;
use sqlx::sqlite::{SqliteArguments, SqliteRow};
use sqlx::{Row as _, Sqlite};

use crate::error::db_err;
use crate::gate::Held;
use crate::SqliteDb;

/// Fixed width with six fractional digits, so stored times sort as text.
const TIME_FORMAT: &str = "%Y-%m-%dT%H:%M:%S%.6fZ";

pub(crate) fn time_text(t: Timestamp) -> String {
    micros(t).format(TIME_FORMAT).to_string()
}

pub(crate) fn parse_time(text: &str) -> StoreResult<Timestamp> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| corrupt("timestamp", text))
}

/// An open write transaction, holding the store's write gate.
pub struct SqliteTx {
    pub(crate) tx: sqlx::Transaction<'static, Sqlite>,
    pub(crate) _gate: Held,
}

/// A row (owned, or borrowed by a read) as [`Cols`].
pub struct Row<R>(pub R);

/// Decodes borrowed rows with one of the shared decoders.
pub(crate) fn dec<T>(
    decode: fn(&dyn Cols) -> StoreResult<T>,
) -> impl Fn(&SqliteRow) -> StoreResult<T> {
    move |row| decode(&Row(row))
}

impl<R: Borrow<SqliteRow>> Cols for Row<R> {
    fn int(&self, column: &str) -> StoreResult<Option<i64>> {
        self.0.borrow().try_get(column).map_err(db_err)
    }
    fn text(&self, column: &str) -> StoreResult<Option<String>> {
        self.0.borrow().try_get(column).map_err(db_err)
    }
    fn time(&self, column: &str) -> StoreResult<Option<Timestamp>> {
        self.text(column)?.as_deref().map(parse_time).transpose()
    }
    fn json(&self, column: &str) -> StoreResult<Option<serde_json::Value>> {
        self.text(column)?
            .map(|text| {
                serde_json::from_str(&text).map_err(|e| {
                    StoreError::Other(anyhow::anyhow!(
                        "the database holds unreadable {column}: {e}"
                    ))
                })
            })
            .transpose()
    }
    fn boolean(&self, column: &str) -> StoreResult<bool> {
        self.0.borrow().try_get(column).map_err(db_err)
    }
}

fn bind(sql: &str, args: Vec<Arg>) -> Query<'_, Sqlite, SqliteArguments<'_>> {
    args.into_iter()
        .fold(sqlx::query(sql), |query, arg| match arg {
            Arg::Int(v) => query.bind(v),
            Arg::Text(v) | Arg::Json(v) => query.bind(v),
            Arg::Time(v) => query.bind(v.map(time_text)),
            Arg::Bool(v) => query.bind(v),
        })
}

#[async_trait]
impl SqlRead for SqliteDb {
    type Row = Row<SqliteRow>;
    const BYTE_ORDER: &'static str = "";

    /// Times are stored as `2026-12-07T14:35:21.000000Z` text, in UTC.
    fn utc_day(column: &str) -> String {
        format!("substr({column}, 1, 10)")
    }

    async fn read(&self, sql: &str, args: Vec<Arg>) -> StoreResult<Vec<Self::Row>> {
        let rows = bind(sql, args)
            .fetch_all(&self.reader)
            .await
            .map_err(db_err)?;
        Ok(rows.into_iter().map(Row).collect())
    }
}

#[async_trait]
impl SqlTx for SqliteTx {
    type Row = Row<SqliteRow>;
    const JSON: &'static str = "";
    const LOCK_ROW: &'static str = "";
    const LOCK_ORDER: &'static str = "";

    async fn execute(&mut self, sql: &str, args: Vec<Arg>) -> StoreResult<u64> {
        let done = bind(sql, args)
            .execute(&mut *self.tx)
            .await
            .map_err(db_err)?;
        Ok(done.rows_affected())
    }

    async fn fetch(&mut self, sql: &str, args: Vec<Arg>) -> StoreResult<Vec<Self::Row>> {
        let rows = bind(sql, args)
            .fetch_all(&mut *self.tx)
            .await
            .map_err(db_err)?;
        Ok(rows.into_iter().map(Row).collect())
    }

    async fn lock_inbox(&mut self, _ids: &[i64]) -> StoreResult<()> {
        Ok(())
    }

    async fn lock_outbox(&mut self, _customer_keys: &[&str]) -> StoreResult<()> {
        Ok(())
    }

    async fn lock_wamid(&mut self, _wamid: &str) -> StoreResult<()> {
        Ok(())
    }

    /// One writer: commit order is `seq` order without a lock. A multi-row
    /// insert draws `seq` in `VALUES` order.
    async fn append_events(&mut self, events: Vec<NewEvent>) -> StoreResult<i64> {
        let mut last = 0;
        for chunk in events.chunks(1024) {
            let mut qb = sqlx::QueryBuilder::<Sqlite>::new(
                "INSERT INTO events (kind, order_number, data, at) ",
            );
            qb.push_values(chunk, |mut row, event| {
                row.push_bind(event.kind.as_str())
                    .push_bind(event.order_number.map(|n| n.get()))
                    .push_bind(event.data.as_str())
                    .push_bind(time_text(event.at));
            });
            qb.push(" RETURNING seq");
            let seqs: Vec<i64> = qb
                .build_query_scalar()
                .fetch_all(&mut *self.tx)
                .await
                .map_err(db_err)?;
            last = seqs.into_iter().fold(last, i64::max);
        }
        Ok(last)
    }

    /// Other processes on the same file poll; nothing to send.
    async fn notify(&mut self, _last_seq: i64) -> StoreResult<()> {
        Ok(())
    }

    async fn notify_inbox(&mut self) -> StoreResult<()> {
        Ok(())
    }

    async fn commit(self) -> StoreResult<()> {
        self.tx.commit().await.map_err(db_err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_times_are_fixed_width_microseconds_and_read_back() {
        let t = DateTime::from_timestamp(1_772_359_200, 123_456_789).unwrap();
        let text = time_text(t);
        assert_eq!(text, "2026-03-01T10:00:00.123456Z");
        assert_eq!(parse_time(&text).unwrap(), micros(t));
        let whole = DateTime::from_timestamp(1_772_359_200, 0).unwrap();
        assert_eq!(time_text(whole), "2026-03-01T10:00:00.000000Z");
    }
}
