//! The SQLite [`Store`]: the default, single-machine backend.
//!
//! All writes go through one connection (a pool of one), each as a
//! `BEGIN IMMEDIATE` transaction; reads use a separate small read-only pool.
//! In WAL mode readers see the last committed state and never wait behind
//! the writer, and the single writer makes commit order trivially equal to
//! event sequence order. `synchronous=FULL` because an acknowledged webhook
//! must survive a power cut, not only a process crash.

mod error;
mod filters;
mod gate;
mod tx;

use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use orderdesk_domain::Timestamp;
use orderdesk_store::{lease_end, OutboxItem, PrunedEvents, StoreError, StoreResult, Timer};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::Sqlite;

use error::{db_err, migrate_err};
use gate::{Held, WriteGate};
use orderdesk_store_sql::rows;
use orderdesk_store_sql::{Durability, SqlBackend, SqlStore, SqlTx};
pub use tx::SqliteTx;
use tx::{dec, time_text};

/// The SQLite [`Store`]: the shared implementation over [`SqliteDb`].
pub type SqliteStore = SqlStore<SqliteDb>;

/// Opens the store at `url` (see [`SqliteDb::connect`]). Does not migrate.
///
/// # Errors
/// As [`SqliteDb::connect`].
pub async fn connect(url: &str) -> StoreResult<SqliteStore> {
    SqliteDb::connect(url).await.map(SqlStore::new)
}

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!();

/// How long a statement waits for a lock held by another process (the CLI
/// next to a running server) before giving up as `Unavailable`.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);
const READERS: u32 = 4;
/// Most inbox items one processing transaction applies ([`Store::apply_limit`]).
/// Processing holds the one writer that webhook acknowledgements need, and
/// an acknowledgement arriving meanwhile waits for the whole transaction:
/// about a closed loop's worth of webhooks (32 connections) keeps that wait
/// near one fsync while processing still keeps up with ingest.
///
/// [`Store::apply_limit`]: orderdesk_store::Store::apply_limit
const APPLY_LIMIT: usize = 32;

/// Whether the writer connection may be used (`false` has the pool replace
/// it). A COMMIT that fails on a full disk (or a file-size limit) is rolled
/// back by SQLite itself, but sqlx still counts the connection as inside
/// that transaction and then refuses every `BEGIN` on it ("non-zero
/// transaction depth"): without this the store would refuse all writes
/// until a restart, long after space returned (issue #11, fault injection).
async fn replace_if_stuck(conn: &mut sqlx::SqliteConnection) -> Result<bool, sqlx::Error> {
    use sqlx::Connection as _;
    if !conn.is_in_transaction() {
        return Ok(true);
    }
    // A rollback queued by a dropped transaction runs before the ping, so
    // only a connection that is really stuck is still "in" one after it.
    conn.ping().await?;
    Ok(!conn.is_in_transaction())
}

/// One SQLite database file: its writer and readers.
#[derive(Debug, Clone)]
pub struct SqliteDb {
    writer: SqlitePool,
    reader: SqlitePool,
    /// Serialises "set durability, begin" pairs on the one writer connection.
    write_gate: WriteGate,
    /// One database file, one serving process (see the README, "Running
    /// several instances"): the processing lease is a flag in the process.
    lease: orderdesk_store::LocalLease,
}

impl SqliteDb {
    /// Opens (creating if missing) the database at `url`: `sqlite://PATH`,
    /// `sqlite:PATH` or an in-memory `sqlite::memory:`. Does not migrate.
    ///
    /// # Errors
    /// `Unavailable` when the file cannot be opened, `Other` for a malformed URL.
    pub async fn connect(url: &str) -> StoreResult<Self> {
        if !url.starts_with("sqlite:") {
            // sqlx would take anything else for a file name and create it.
            return Err(StoreError::Other(anyhow::anyhow!(
                "not a SQLite URL (expected sqlite://PATH or sqlite::memory:): {url}"
            )));
        }
        let base = SqliteConnectOptions::from_str(url)
            .map_err(|e| StoreError::Other(anyhow::Error::new(e).context("bad SQLite URL")))?
            .foreign_keys(true)
            .busy_timeout(BUSY_TIMEOUT)
            .synchronous(SqliteSynchronous::Full);

        // The writer connection lives as long as the store: it keeps the
        // WAL and shared-memory files in place for the read-only readers, and
        // an in-memory database alive.
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .before_acquire(|conn, _| Box::pin(replace_if_stuck(conn)))
            .connect_with(
                base.clone()
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal),
            )
            .await
            .map_err(db_err)?;

        // Every connection to `sqlite::memory:` would be a separate empty
        // database, so an in-memory store reads through its writer.
        let in_memory = url.contains(":memory:") || url.contains("mode=memory");
        let reader = if in_memory {
            writer.clone()
        } else {
            SqlitePoolOptions::new()
                .max_connections(READERS)
                .min_connections(1)
                .connect_with(base.read_only(true))
                .await
                .map_err(db_err)?
        };
        Ok(Self {
            writer,
            reader,
            write_gate: WriteGate::default(),
            lease: orderdesk_store::LocalLease::default(),
        })
    }

    /// Starts a write transaction with the given commit durability. The
    /// returned guard must be held until the transaction ends: SQLite only
    /// lets `synchronous` change outside a transaction, so setting it and
    /// beginning must not interleave with another writer's pair.
    async fn begin_write(
        &self,
        durability: Durability,
    ) -> StoreResult<(Held, sqlx::Transaction<'static, Sqlite>)> {
        let mut gate = self.write_gate.enter(durability).await;
        let state = gate.state();
        if state.synchronous != Some(durability) {
            let pragma = match durability {
                Durability::Full => "PRAGMA synchronous = FULL",
                Durability::Deferred => "PRAGMA synchronous = NORMAL",
            };
            // Unknown until it is known to have worked.
            state.synchronous = None;
            sqlx::query(pragma)
                .execute(&self.writer)
                .await
                .map_err(db_err)?;
            gate.state().synchronous = Some(durability);
        }
        // IMMEDIATE takes the write lock up front, so a read inside the
        // transaction can never be invalidated by another process's write.
        let tx = self
            .writer
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(db_err)?;
        Ok((gate, tx))
    }

    /// Closes both pools, waiting for running statements.
    pub async fn close(&self) {
        self.reader.close().await;
        self.writer.close().await;
    }
}

#[async_trait]
impl SqlBackend for SqliteDb {
    type Tx = SqliteTx;

    fn apply_limit(&self) -> usize {
        APPLY_LIMIT
    }

    /// `Deferred` commits in `synchronous = NORMAL`: written to the WAL
    /// without their own fsync, which the next `Full` commit (or checkpoint)
    /// covers, since one fsync covers every frame before it. A process crash
    /// (`kill -9`) loses nothing either way; after a power cut the newest few
    /// processed orders may be processed again under other numbers.
    async fn write(&self, durability: Durability) -> StoreResult<SqliteTx> {
        let (gate, tx) = self.begin_write(durability).await?;
        Ok(SqliteTx { tx, _gate: gate })
    }

    async fn migrate(&self) -> StoreResult<()> {
        MIGRATOR.run(&self.writer).await.map_err(migrate_err)
    }

    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1")
            .execute(&self.reader)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn try_processing_lease(&self) -> StoreResult<Option<orderdesk_store::ProcessingLease>> {
        Ok(self.lease.try_take())
    }

    async fn ops_status(&self) -> StoreResult<orderdesk_store::OpsStatus> {
        let known = MIGRATOR.iter().map(|m| m.version).max().unwrap_or(0);
        orderdesk_store_sql::ops_status::status(self, known).await
    }

    async fn rebuild_stats(&self, time_zone: &str) -> StoreResult<()> {
        let mut tx = self.write(Durability::Full).await?;
        orderdesk_store_sql::rollups::rebuild(&mut tx, time_zone).await?;
        tx.commit().await
    }

    async fn claim_outbox(
        &self,
        now: Timestamp,
        lease: Duration,
        limit: u32,
    ) -> StoreResult<Vec<OutboxItem>> {
        let until = time_text(lease_end(now, lease)?);
        let now = time_text(now);
        let (_gate, mut tx) = self.begin_write(Durability::Deferred).await?;
        let rows = sqlx::query(&format!(
            "UPDATE messages SET state = 'sending', locked_until = ?, attempts = attempts + 1 \
             WHERE id IN ( \
               SELECT m.id FROM messages m \
               WHERE m.state IN ('queued', 'sending') \
                 AND ((m.state = 'queued' AND m.not_before <= ?) \
                   OR (m.state = 'sending' AND m.locked_until <= ?)) \
                 AND NOT EXISTS (SELECT 1 FROM messages e \
                   WHERE e.customer_key = m.customer_key \
                     AND e.state IN ('queued', 'sending') AND e.id < m.id) \
               ORDER BY m.id LIMIT ?) \
             RETURNING {}",
            rows::OUTBOX_COLUMNS
        ))
        .bind(&until)
        .bind(&now)
        .bind(&now)
        .bind(i64::from(limit))
        .fetch_all(&mut *tx)
        .await
        .map_err(db_err)?;
        let mut claimed = rows
            .iter()
            .map(dec(rows::outbox_item))
            .collect::<StoreResult<Vec<_>>>()?;
        tx.commit().await.map_err(db_err)?;
        claimed.sort_by_key(|m| m.id);
        Ok(claimed)
    }

    async fn claim_due_timers(
        &self,
        now: Timestamp,
        lease: Duration,
        limit: u32,
    ) -> StoreResult<Vec<Timer>> {
        let until = time_text(lease_end(now, lease)?);
        let now = time_text(now);
        let (_gate, mut tx) = self.begin_write(Durability::Deferred).await?;
        let rows = sqlx::query(&format!(
            "UPDATE jobs SET locked_until = ? WHERE id IN ( \
               SELECT id FROM jobs WHERE due_at <= ? \
                 AND (locked_until IS NULL OR locked_until <= ?) \
               ORDER BY due_at, id LIMIT ?) \
             RETURNING {}",
            rows::TIMER_COLUMNS
        ))
        .bind(&until)
        .bind(&now)
        .bind(&now)
        .bind(i64::from(limit))
        .fetch_all(&mut *tx)
        .await
        .map_err(db_err)?;
        let mut timers = rows
            .iter()
            .map(dec(rows::timer))
            .collect::<StoreResult<Vec<_>>>()?;
        tx.commit().await.map_err(db_err)?;
        timers.sort_by_key(|j| (j.due_at, j.id));
        Ok(timers)
    }

    async fn last_event_seq(&self) -> StoreResult<i64> {
        // A pruned-empty log still reports where it had got to.
        sqlx::query_scalar(
            "SELECT MAX(COALESCE((SELECT MAX(seq) FROM events), 0), \
               COALESCE((SELECT value FROM counters WHERE name = 'events_pruned_through'), 0))",
        )
        .fetch_one(&self.reader)
        .await
        .map_err(db_err)
    }

    async fn prune_events(&self, before: Timestamp) -> StoreResult<PrunedEvents> {
        let (_gate, mut tx) = self.begin_write(Durability::Full).await?;
        let through: i64 = sqlx::query_scalar(
            "SELECT COALESCE((SELECT MIN(seq) - 1 FROM events WHERE at >= ?), \
               (SELECT MAX(seq) FROM events), 0)",
        )
        .bind(time_text(before))
        .fetch_one(&mut *tx)
        .await
        .map_err(db_err)?;
        let deleted = sqlx::query("DELETE FROM events WHERE seq <= ?")
            .bind(through)
            .execute(&mut *tx)
            .await
            .map_err(db_err)?
            .rows_affected();
        let through: i64 = sqlx::query_scalar(
            "INSERT INTO counters (name, value) VALUES ('events_pruned_through', ?) \
             ON CONFLICT (name) DO UPDATE SET value = MAX(counters.value, excluded.value) \
             RETURNING value",
        )
        .bind(through)
        .fetch_one(&mut *tx)
        .await
        .map_err(db_err)?;
        tx.commit().await.map_err(db_err)?;
        Ok(PrunedEvents { deleted, through })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;
    use orderdesk_store::prelude::*;
    use orderdesk_store::{NewInbound, Recorded};

    #[tokio::test]
    async fn the_writer_is_durable_and_readers_cannot_write() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("t.db").display());
        let store = connect(&url).await.unwrap();
        store.migrate().await.unwrap();
        let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
            .fetch_one(&store.backend().writer)
            .await
            .unwrap();
        assert_eq!(mode, "wal");
        let sync: i64 = sqlx::query_scalar("PRAGMA synchronous")
            .fetch_one(&store.backend().writer)
            .await
            .unwrap();
        assert_eq!(sync, 2, "FULL");
        let fk: i64 = sqlx::query_scalar("PRAGMA foreign_keys")
            .fetch_one(&store.backend().reader)
            .await
            .unwrap();
        assert_eq!(fk, 1);
        let write = sqlx::query("UPDATE counters SET value = value")
            .execute(&store.backend().reader)
            .await;
        assert!(write.is_err(), "the read pool is read-only");
    }

    #[tokio::test]
    async fn an_in_memory_store_works_through_one_connection() {
        let store = connect("sqlite::memory:").await.unwrap();
        store.migrate().await.unwrap();
        let recorded = store
            .record_inbound(&[NewInbound {
                source: "whatsapp".into(),
                external_id: "wamid.1".into(),
                kind: "message.text".into(),
                customer_key: None,
                payload: "{}".into(),
                received_at: Utc::now(),
            }])
            .await
            .unwrap();
        assert!(matches!(recorded[..], [Recorded::New(_)]));
        assert_eq!(store.pending_inbound(10).await.unwrap().len(), 1);
    }

    #[tokio::test]
    async fn a_malformed_url_is_refused_without_panicking() {
        let got = connect("postgres://nope").await;
        assert!(matches!(got, Err(StoreError::Other(_))), "{got:?}");
    }
}
