//! The PostgreSQL [`Store`]: for when one machine is not enough, and for
//! several orderdesk instances writing to one database.
//!
//! # Commit order equals event order
//!
//! SSE clients resume with "events with `seq` greater than the last one I
//! saw". With plain sequences that is unsafe on PostgreSQL: transaction A
//! takes seq 5, transaction B takes seq 6 and commits first, a reader sees 6
//! and moves its cursor past 5, then A commits and 5 is never delivered.
//!
//! So every transaction that appends events does it last, after all its
//! other writes: it takes a transaction-scoped advisory lock
//! ([`EVENT_LOG_LOCK`]) and only then inserts its events, whose `seq` is
//! drawn from the sequence at insert time. PostgreSQL releases transaction
//! locks only after the commit is visible to other sessions, so the next
//! appender cannot even draw a number until the previous one's events can
//! be read: any snapshot that shows seq N also shows every committed seq
//! below N. Holding the lock only for the tail of the transaction keeps the
//! serialised section short; row locks are all taken before it (and
//! `status_counts` rows in a fixed order) so it cannot deadlock with them.
//!
//! # Several instances
//!
//! One instance at a time processes the inbox, the holder of the processing
//! lease (a session advisory lock; see `instances`); storing webhook items
//! sends `NOTIFY orderdesk_inbox` so the holder starts on them at once.
//! Every transaction that appends events or queues outbound messages also
//! sends `NOTIFY orderdesk_changes` (delivered on commit);
//! [`Store::watch_changes`] listens for it, so an event committed by one
//! instance wakes the streams and dispatcher of every other instance within
//! milliseconds. Outbox and timer claims use leases and `FOR UPDATE SKIP
//! LOCKED`; one customer's outbound messages get their ids in commit order
//! (see `writes`); the number's rate limit is one row of `send_rate`,
//! advanced atomically per batch of sends ([`Store::reserve_send_slots`]).

mod error;
mod filters;
mod instances;
mod tx;

use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use orderdesk_domain::Timestamp;
use orderdesk_store::{lease_end, OutboxItem, PrunedEvents, StoreError, StoreResult, Timer};
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::Postgres;

use error::{db_err, migrate_err};
pub use instances::{CHANGES_CHANNEL, INBOX_CHANNEL, PROCESSING_LOCK};
use orderdesk_store_sql::rows::{self, micros};
use orderdesk_store_sql::{Durability, SqlBackend, SqlStore, SqlTx, Window};
use tx::dec;
pub use tx::PgTx;

/// The PostgreSQL [`Store`]: the shared implementation over [`PgDb`].
pub type PgStore = SqlStore<PgDb>;

/// Connects to `url` (see [`PgDb::connect`]). Does not migrate.
///
/// # Errors
/// As [`PgDb::connect`].
pub async fn connect(url: &str, max_connections: u32) -> StoreResult<PgStore> {
    PgDb::connect(url, max_connections).await.map(SqlStore::new)
}

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!();

/// The advisory lock key serialising event-log appends ("orderdes" in ASCII).
pub const EVENT_LOG_LOCK: i64 = 0x6f72_6465_7264_6573;
/// The session advisory lock key held while migrating ("ordermig" in ASCII),
/// so that two `orderdesk migrate` runs never overlap.
pub const MIGRATE_LOCK: i64 = 0x6f72_6465_726d_6967;
/// How long a request waits for a pooled connection (or a new one) before
/// it fails with `Unavailable` (HTTP 503): short, so that while PostgreSQL
/// is down requests fail fast instead of piling up.
pub const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(3);

/// One PostgreSQL database: its connection pool.
#[derive(Debug, Clone)]
pub struct PgDb {
    pool: PgPool,
    /// See [`PgDb::with_search_window`].
    search_window: Window,
}

impl PgDb {
    /// Connects a pool of up to `max_connections` to `url`
    /// (`postgres://user:password@host:port/db?…`). Does not migrate.
    ///
    /// # Errors
    /// `Unavailable` when the server cannot be reached, `Other` for a
    /// malformed URL or a refused login.
    pub async fn connect(url: &str, max_connections: u32) -> StoreResult<Self> {
        let options = PgConnectOptions::from_str(url)
            .map_err(|e| StoreError::Other(anyhow::Error::new(e).context("bad PostgreSQL URL")))?
            .application_name("orderdesk")
            // Just-in-time compilation pays off for long analytical
            // queries; ours are short, and a search that walks the order
            // ranges is costed high enough to trigger it: 20 ms of
            // compiling for a statement that runs in 3.
            .options([("jit", "off")]);
        let pool = PgPoolOptions::new()
            .max_connections(max_connections.max(1))
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .connect_with(options)
            .await
            .map_err(db_err)?;
        Ok(Self {
            pool,
            search_window: Window {
                rows: filters::SEARCH_WINDOW,
                range: filters::SEARCH_RANGE,
                count_budget: filters::COUNT_BUDGET,
            },
        })
    }

    /// How many of the newest orders a search looks through before asking
    /// its indexes, and how many order numbers each range of them holds
    /// ([`Window`]); tests make both small to reach every path with a few
    /// orders, and give counting all the time it needs. (A range other
    /// than the indexes' own is found correctly but without them.)
    #[must_use]
    pub fn with_search_window(self, rows: u32, range: i64) -> Self {
        Self {
            search_window: Window {
                rows: rows.max(1),
                range: range.max(1),
                count_budget: Duration::from_secs(60),
            },
            ..self
        }
    }

    /// Closes the pool, waiting for running statements.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    async fn begin(&self) -> StoreResult<sqlx::Transaction<'static, Postgres>> {
        self.pool.begin().await.map_err(db_err)
    }

    /// Runs the migrations on one connection holding [`MIGRATE_LOCK`]:
    /// waiting for it (`wait`), or giving up with `false` when another
    /// process holds it.
    async fn migrate_locked(&self, wait: bool) -> StoreResult<bool> {
        let mut conn = self.pool.acquire().await.map_err(db_err)?;
        if wait {
            sqlx::query("SELECT pg_advisory_lock($1)")
                .bind(MIGRATE_LOCK)
                .execute(&mut *conn)
                .await
                .map_err(db_err)?;
        } else {
            let locked: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
                .bind(MIGRATE_LOCK)
                .fetch_one(&mut *conn)
                .await
                .map_err(db_err)?;
            if !locked {
                return Ok(false);
            }
        }
        let result = MIGRATOR.run_direct(&mut *conn).await.map_err(migrate_err);
        let unlocked = sqlx::query("SELECT pg_advisory_unlock($1)")
            .bind(MIGRATE_LOCK)
            .execute(&mut *conn)
            .await;
        if unlocked.is_err() {
            // Never hand a connection that may still hold the lock back to
            // the pool; closing it releases the lock.
            let _ = conn.detach();
        }
        result.map(|()| true)
    }
}

#[async_trait]
impl SqlBackend for PgDb {
    type Tx = PgTx;

    /// Every commit has the server's durability (`synchronous_commit`), the
    /// default the headline benchmarks measure; `Deferred` is not mapped to
    /// `synchronous_commit = off`, which would let a dispatcher on another
    /// instance send a message whose commit a server crash then loses.
    async fn write(&self, _durability: Durability) -> StoreResult<PgTx> {
        Ok(PgTx(self.begin().await?))
    }

    async fn migrate(&self) -> StoreResult<()> {
        self.migrate_locked(true).await.map(|_| ())
    }

    async fn migrate_unless_busy(&self) -> StoreResult<bool> {
        self.migrate_locked(false).await
    }

    async fn watch_instances(
        &self,
        on_change: &(dyn Fn() + Send + Sync),
        on_inbox: &(dyn Fn() + Send + Sync),
    ) -> StoreResult<()> {
        self.watch(on_change, on_inbox).await
    }

    async fn try_processing_lease(&self) -> StoreResult<Option<orderdesk_store::ProcessingLease>> {
        self.take_processing_lease().await
    }

    async fn reserve_send_slots(
        &self,
        key: &str,
        count: u32,
        interval: Duration,
    ) -> StoreResult<Option<Duration>> {
        let interval_us = i64::try_from(interval.as_micros()).unwrap_or(i64::MAX);
        let span_us = interval_us.saturating_mul(i64::from(count.max(1)));
        // The database's clock is the one all instances share. The row holds
        // the first free slot; a batch takes `count` slots from there (or
        // from now, when the limit has been idle).
        let wait_us: i64 = sqlx::query_scalar(
            "INSERT INTO send_rate AS r (key, next_slot_at) \
             VALUES ($1, statement_timestamp() + make_interval(secs => $2::float8 / 1e6)) \
             ON CONFLICT (key) DO UPDATE SET next_slot_at = \
               GREATEST(r.next_slot_at, statement_timestamp()) \
               + make_interval(secs => $2::float8 / 1e6) \
             RETURNING (EXTRACT(EPOCH FROM (r.next_slot_at - statement_timestamp())) * 1e6)::bigint \
               - $2",
        )
        .bind(key)
        .bind(span_us)
        .fetch_one(&self.pool)
        .await
        .map_err(db_err)?;
        Ok(Some(Duration::from_micros(
            u64::try_from(wait_us).unwrap_or(0),
        )))
    }

    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn ops_status(&self) -> StoreResult<orderdesk_store::OpsStatus> {
        let known = MIGRATOR.iter().map(|m| m.version).max().unwrap_or(0);
        orderdesk_store_sql::ops_status::status(self, known).await
    }

    async fn rebuild_stats(&self, time_zone: &str) -> StoreResult<()> {
        let mut tx = self.write(Durability::Full).await?;
        // Writers add to the rollups as they commit; holding them off the
        // table until the rebuild commits keeps each change counted once.
        orderdesk_store_sql::SqlTx::execute(
            &mut tx,
            "LOCK TABLE stats_days, stats_months, stats_customers IN SHARE ROW EXCLUSIVE MODE",
            vec![],
        )
        .await?;
        orderdesk_store_sql::rollups::rebuild(&mut tx, time_zone).await?;
        tx.commit().await
    }

    async fn claim_outbox(
        &self,
        now: Timestamp,
        lease: Duration,
        limit: u32,
    ) -> StoreResult<Vec<OutboxItem>> {
        let until = micros(lease_end(now, lease)?);
        let now = micros(now);
        // SKIP LOCKED: a message another claimer is taking is not waited
        // for. The head-of-customer test reads this statement's snapshot, in
        // which a message being claimed elsewhere is still unfinished, so its
        // successor cannot slip past it; a row claimed and committed since
        // the snapshot is re-checked on locking and no longer due. A
        // customer's message ids are drawn in commit order (`writes`), so a
        // visible message never has an earlier one still uncommitted.
        let rows = sqlx::query(&format!(
            "WITH due AS ( \
               SELECT m.id AS due_id FROM messages m \
               WHERE m.state IN ('queued', 'sending') \
                 AND ((m.state = 'queued' AND m.not_before <= $2) \
                   OR (m.state = 'sending' AND m.locked_until <= $2)) \
                 AND NOT EXISTS (SELECT 1 FROM messages e \
                   WHERE e.customer_key = m.customer_key \
                     AND e.state IN ('queued', 'sending') AND e.id < m.id) \
               ORDER BY m.id LIMIT $3 \
               FOR UPDATE OF m SKIP LOCKED) \
             UPDATE messages SET state = 'sending', locked_until = $1, \
               attempts = messages.attempts + 1 \
             FROM due WHERE messages.id = due.due_id \
             RETURNING {}",
            rows::OUTBOX_COLUMNS
        ))
        .bind(until)
        .bind(now)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        let mut claimed = rows
            .iter()
            .map(dec(rows::outbox_item))
            .collect::<StoreResult<Vec<_>>>()?;
        claimed.sort_by_key(|m| m.id);
        Ok(claimed)
    }

    async fn claim_due_timers(
        &self,
        now: Timestamp,
        lease: Duration,
        limit: u32,
    ) -> StoreResult<Vec<Timer>> {
        let until = micros(lease_end(now, lease)?);
        let now = micros(now);
        // SKIP LOCKED: concurrent claimers take different timers; a timer claimed
        // and committed since this statement's snapshot is re-checked on
        // locking and found leased.
        let rows = sqlx::query(&format!(
            "WITH due AS ( \
               SELECT id AS due_id FROM jobs WHERE due_at <= $2 \
                 AND (locked_until IS NULL OR locked_until <= $2) \
               ORDER BY due_at, id LIMIT $3 \
               FOR UPDATE SKIP LOCKED) \
             UPDATE jobs SET locked_until = $1 FROM due WHERE jobs.id = due.due_id \
             RETURNING {}",
            rows::TIMER_COLUMNS
        ))
        .bind(until)
        .bind(now)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        let mut timers = rows
            .iter()
            .map(dec(rows::timer))
            .collect::<StoreResult<Vec<_>>>()?;
        timers.sort_by_key(|j| (j.due_at, j.id));
        Ok(timers)
    }

    async fn last_event_seq(&self) -> StoreResult<i64> {
        // A pruned-empty log still reports where it had got to.
        sqlx::query_scalar(
            "SELECT GREATEST(COALESCE((SELECT MAX(seq) FROM events), 0), \
               COALESCE((SELECT value FROM counters WHERE name = 'events_pruned_through'), 0)) \
               ::bigint",
        )
        .fetch_one(&self.pool)
        .await
        .map_err(db_err)
    }

    async fn prune_events(&self, before: Timestamp) -> StoreResult<PrunedEvents> {
        let mut tx = self.begin().await?;
        // Commit order equals seq order, so nothing below a visible event
        // can still appear: everything up to `through` is final.
        let through: i64 = sqlx::query_scalar(
            "SELECT COALESCE((SELECT MIN(seq) - 1 FROM events WHERE at >= $1), \
               (SELECT MAX(seq) FROM events), 0)::bigint",
        )
        .bind(micros(before))
        .fetch_one(&mut *tx)
        .await
        .map_err(db_err)?;
        let deleted = sqlx::query("DELETE FROM events WHERE seq <= $1")
            .bind(through)
            .execute(&mut *tx)
            .await
            .map_err(db_err)?
            .rows_affected();
        let through: i64 = sqlx::query_scalar(
            "INSERT INTO counters (name, value) VALUES ('events_pruned_through', $1) \
             ON CONFLICT (name) DO UPDATE SET value = GREATEST(counters.value, excluded.value) \
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
