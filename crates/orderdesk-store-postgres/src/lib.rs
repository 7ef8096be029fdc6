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
//! Every transaction that appends events or queues outbound messages also
//! sends `NOTIFY orderdesk_changes` (delivered on commit);
//! [`Store::watch_changes`] listens for it, so an event committed by one
//! instance wakes the streams and dispatcher of every other instance within
//! milliseconds. Outbox and job claims use leases and `FOR UPDATE SKIP
//! LOCKED`; one customer's outbound messages get their ids in commit order
//! (see `writes`); the number's rate limit is one row of `send_rate`,
//! advanced atomically per batch of sends ([`Store::reserve_send_slots`]).

mod error;
mod tx;

use std::collections::HashMap;
use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use chrono::Utc;
use orderdesk_domain::{Order, OrderNumber, OrderStatus, TimelineEntry, Timestamp};
use orderdesk_store::{
    lease_end, ApiToken, ChatMessage, CustomerRecord, InboundOutcome, InboundRecord, InboundResult,
    Job, MessageState, MessageTemplate, NewApiToken, NewInbound, NewOutbound, NewSession, NewUser,
    OrderPage, OrderQuery, OrderUpdate, OutboxItem, Product, PrunedEvents, Recorded, Session,
    Store, StoreError, StoreResult, StoredEvent, User, UserCredentials,
};
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::{Postgres, QueryBuilder, Row};

use error::{db_err, migrate_err};
use orderdesk_store_sql::codec::{self, micros};
use tx::{dec, PgTx};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!();

/// The advisory lock key serialising event-log appends ("orderdes" in ASCII).
pub const EVENT_LOG_LOCK: i64 = 0x6f72_6465_7264_6573;
/// The session advisory lock key held while migrating ("ordermig" in ASCII),
/// so that two `orderdesk migrate` runs never overlap.
pub const MIGRATE_LOCK: i64 = 0x6f72_6465_726d_6967;
/// The channel of the wake-up notifications; the payload is the highest
/// event `seq` the notifying transaction wrote (0 when it only queued
/// outbound messages).
pub const CHANGES_CHANNEL: &str = "orderdesk_changes";
/// How long a request waits for a pooled connection (or a new one) before
/// it fails with `Unavailable` (HTTP 503): short, so that while PostgreSQL
/// is down requests fail fast instead of piling up.
pub const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(3);
/// Without any notification, wake up this often anyway: a notification lost
/// in a reconnect then costs at most this much latency, never an event.
const SAFETY_POLL: Duration = Duration::from_secs(5);
/// Rows per multi-row `INSERT` (6 parameters each, under the 65,535 limit).
const INSERT_CHUNK: usize = 1_000;
const MAX_PAGE: u32 = 200;

/// A [`Store`] on one PostgreSQL database.
#[derive(Debug, Clone)]
pub struct PgStore {
    pool: PgPool,
}

impl PgStore {
    /// Connects a pool of up to `max_connections` to `url`
    /// (`postgres://user:password@host:port/db?…`). Does not migrate.
    ///
    /// # Errors
    /// `Unavailable` when the server cannot be reached, `Other` for a
    /// malformed URL or a refused login.
    pub async fn connect(url: &str, max_connections: u32) -> StoreResult<Self> {
        let options = PgConnectOptions::from_str(url)
            .map_err(|e| StoreError::Other(anyhow::Error::new(e).context("bad PostgreSQL URL")))?
            .application_name("orderdesk");
        let pool = PgPoolOptions::new()
            .max_connections(max_connections.max(1))
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .connect_with(options)
            .await
            .map_err(db_err)?;
        Ok(Self { pool })
    }

    /// Closes the pool, waiting for running statements.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    async fn begin(&self) -> StoreResult<sqlx::Transaction<'static, Postgres>> {
        self.pool.begin().await.map_err(db_err)
    }

    /// Begins a transaction of the shared write path.
    async fn write(&self) -> StoreResult<PgTx> {
        Ok(PgTx(self.begin().await?))
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

    /// Listens on [`CHANGES_CHANNEL`] until the connection fails (then
    /// returns the error); calls `on_change` after subscribing, for each
    /// burst of notifications, and every [`SAFETY_POLL`] without one.
    async fn listen_once(&self, on_change: &(dyn Fn() + Send + Sync)) -> Result<(), sqlx::Error> {
        let mut listener = sqlx::postgres::PgListener::connect_with(&self.pool).await?;
        listener.listen(CHANGES_CHANNEL).await?;
        // Whatever was notified while we were not listening is lost.
        on_change();
        loop {
            match tokio::time::timeout(SAFETY_POLL, listener.try_recv()).await {
                Ok(Ok(Some(_))) => {
                    // One wake-up for everything already buffered.
                    while listener.next_buffered().is_some() {}
                    on_change();
                }
                // The connection was lost and has been re-established.
                Ok(Ok(None)) => on_change(),
                Ok(Err(e)) => return Err(e),
                Err(_) => on_change(),
            }
        }
    }
}

#[async_trait]
impl Store for PgStore {
    async fn migrate(&self) -> StoreResult<()> {
        self.migrate_locked(true).await.map(|_| ())
    }

    async fn migrate_unless_busy(&self) -> StoreResult<bool> {
        self.migrate_locked(false).await
    }

    async fn watch_changes(&self, on_change: &(dyn Fn() + Send + Sync)) -> StoreResult<()> {
        let mut backoff = Duration::from_millis(100);
        loop {
            let started = tokio::time::Instant::now();
            if let Err(e) = self.listen_once(on_change).await {
                tracing::warn!(error = %e, "lost the change notifications; reconnecting");
            }
            if started.elapsed() > Duration::from_secs(30) {
                backoff = Duration::from_millis(100);
            }
            tokio::time::sleep(backoff).await;
            backoff = (backoff * 2).min(Duration::from_secs(5));
        }
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

    async fn record_inbound(&self, batch: &[NewInbound]) -> StoreResult<Vec<Recorded>> {
        if batch.is_empty() {
            return Ok(Vec::new());
        }
        let mut tx = self.begin().await?;
        // The insert itself deduplicates; RETURNING names the rows it kept.
        // Within one statement the first of two equal keys wins, which is
        // the one the input-order walk below reports as new.
        let mut stored: HashMap<(String, String), i64> = HashMap::with_capacity(batch.len());
        for chunk in batch.chunks(INSERT_CHUNK) {
            let mut qb = QueryBuilder::<Postgres>::new(
                "INSERT INTO inbound (source, external_id, kind, customer_key, payload, \
                 received_at) ",
            );
            qb.push_values(chunk, |mut row, item| {
                row.push_bind(&item.source)
                    .push_bind(&item.external_id)
                    .push_bind(&item.kind)
                    .push_bind(item.customer_key.as_deref())
                    .push_bind(&item.payload)
                    .push_bind(micros(item.received_at));
            });
            qb.push(
                " ON CONFLICT (source, external_id) DO NOTHING RETURNING id, source, external_id",
            );
            let rows = qb.build().fetch_all(&mut *tx).await.map_err(db_err)?;
            for row in rows {
                let id: i64 = row.try_get(0).map_err(db_err)?;
                let source: String = row.try_get(1).map_err(db_err)?;
                let external_id: String = row.try_get(2).map_err(db_err)?;
                stored.insert((source, external_id), id);
            }
        }
        tx.commit().await.map_err(db_err)?;
        Ok(batch
            .iter()
            .map(|item| {
                // Removing makes a later equal key in the batch a duplicate.
                match stored.remove(&(item.source.clone(), item.external_id.clone())) {
                    Some(id) => Recorded::New(id),
                    None => Recorded::Duplicate,
                }
            })
            .collect())
    }

    async fn pending_inbound(&self, limit: u32) -> StoreResult<Vec<InboundRecord>> {
        let rows = sqlx::query(
            "SELECT id, source, external_id, kind, customer_key, payload, received_at \
             FROM inbound WHERE processed_at IS NULL ORDER BY id LIMIT $1",
        )
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        rows.iter().map(dec(codec::inbound)).collect()
    }

    async fn complete_inbound_detailed(
        &self,
        batch: &[(i64, InboundOutcome)],
    ) -> StoreResult<Vec<InboundResult>> {
        if batch.is_empty() {
            return Ok(Vec::new());
        }
        let mut tx = self.write().await?;
        let results = orderdesk_store_sql::complete_inbound(&mut tx, batch, Utc::now()).await?;
        tx.commit().await?;
        Ok(results)
    }

    async fn order(&self, number: OrderNumber) -> StoreResult<Order> {
        let row = sqlx::query(&format!(
            "SELECT {} FROM orders WHERE number = $1",
            codec::ORDER_COLUMNS
        ))
        .bind(number.get())
        .fetch_one(&self.pool)
        .await
        .map_err(db_err)?;
        dec(codec::order)(&row)
    }

    async fn timeline(&self, number: OrderNumber) -> StoreResult<Vec<TimelineEntry>> {
        let rows = sqlx::query(
            "SELECT at, kind, actor, actor_name, from_status, to_status, reason, detail \
             FROM timeline_entries WHERE order_number = $1 ORDER BY id",
        )
        .bind(number.get())
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        if rows.is_empty() {
            // Every order has its `created` entry, so none means no order;
            // a separate read only happens on this (rare) path.
            let exists: Option<i32> = sqlx::query_scalar("SELECT 1 FROM orders WHERE number = $1")
                .bind(number.get())
                .fetch_optional(&self.pool)
                .await
                .map_err(db_err)?;
            if exists.is_none() {
                return Err(StoreError::NotFound);
            }
        }
        rows.iter().map(dec(codec::timeline_entry)).collect()
    }

    async fn list_orders(&self, query: &OrderQuery) -> StoreResult<OrderPage> {
        let limit = query.limit.clamp(1, MAX_PAGE);
        let mut qb = QueryBuilder::<Postgres>::new(format!(
            "SELECT {} FROM orders WHERE TRUE",
            codec::ORDER_COLUMNS
        ));
        if let Some(before) = query.before {
            qb.push(" AND number < ").push_bind(before.get());
        }
        if let Some(status) = query.status {
            qb.push(" AND status = ").push_bind(status.as_str());
        }
        if let Some(payment) = query.payment {
            qb.push(" AND payment_status = ")
                .push_bind(payment.as_str());
        }
        if let Some(from) = query.created_from {
            qb.push(" AND created_at >= ").push_bind(micros(from));
        }
        if let Some(to) = query.created_before {
            qb.push(" AND created_at < ").push_bind(micros(to));
        }
        if let Some(q) = query.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
            let pattern = orderdesk_store::like_pattern(q);
            qb.push(" AND (");
            if let Ok(n) = q.trim_start_matches('#').parse::<i64>() {
                qb.push("number = ").push_bind(n).push(" OR ");
            }
            qb.push("customer_name ILIKE ")
                .push_bind(pattern.clone())
                .push(" ESCAPE '\\' OR customer_wa_id ILIKE ")
                .push_bind(pattern.clone())
                .push(" ESCAPE '\\' OR customer_user_id ILIKE ")
                .push_bind(pattern)
                .push(" ESCAPE '\\')");
        }
        // One extra row says whether there is a next page.
        qb.push(" ORDER BY number DESC LIMIT ")
            .push_bind(i64::from(limit) + 1);
        let rows = qb.build().fetch_all(&self.pool).await.map_err(db_err)?;
        let mut orders = rows
            .iter()
            .map(dec(codec::order))
            .collect::<StoreResult<Vec<_>>>()?;
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

    async fn status_counts(&self) -> StoreResult<Vec<(OrderStatus, i64)>> {
        let rows = sqlx::query("SELECT status, count FROM status_counts")
            .fetch_all(&self.pool)
            .await
            .map_err(db_err)?;
        let mut counts = HashMap::with_capacity(rows.len());
        for row in rows {
            let status: String = row.try_get(0).map_err(db_err)?;
            let count: i64 = row.try_get(1).map_err(db_err)?;
            counts.insert(codec::status(&status)?, count);
        }
        Ok(OrderStatus::ALL
            .into_iter()
            .map(|s| (s, counts.get(&s).copied().unwrap_or(0)))
            .collect())
    }

    async fn update_order(
        &self,
        number: OrderNumber,
        expected_version: i64,
        update: &OrderUpdate,
        at: Timestamp,
    ) -> StoreResult<Order> {
        let mut tx = self.write().await?;
        let order =
            orderdesk_store_sql::update_order(&mut tx, number, expected_version, update, at)
                .await?;
        tx.commit().await?;
        Ok(order)
    }

    async fn open_orders_for_customer(&self, key: &str) -> StoreResult<Vec<Order>> {
        // A UNION keeps each side on its own index.
        let rows = sqlx::query(&format!(
            "SELECT {columns} FROM orders WHERE customer_user_id = $1 \
               AND status IN ('placed', 'abandoned') \
             UNION \
             SELECT {columns} FROM orders WHERE customer_wa_id = $1 \
               AND status IN ('placed', 'abandoned') \
             ORDER BY number DESC",
            columns = codec::ORDER_COLUMNS
        ))
        .bind(key)
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        rows.iter().map(dec(codec::order)).collect()
    }

    async fn latest_order_for_customer(&self, key: &str) -> StoreResult<Option<Order>> {
        // Each side walks its own (customer id, number) index backwards.
        let row = sqlx::query(&format!(
            "SELECT * FROM (SELECT {columns} FROM orders WHERE customer_user_id = $1 \
               ORDER BY number DESC LIMIT 1) AS by_user \
             UNION ALL \
             SELECT * FROM (SELECT {columns} FROM orders WHERE customer_wa_id = $1 \
               ORDER BY number DESC LIMIT 1) AS by_phone \
             ORDER BY number DESC LIMIT 1",
            columns = codec::ORDER_COLUMNS
        ))
        .bind(key)
        .fetch_optional(&self.pool)
        .await
        .map_err(db_err)?;
        row.as_ref().map(dec(codec::order)).transpose()
    }

    async fn customer(&self, key: &str) -> StoreResult<Option<CustomerRecord>> {
        let row = sqlx::query(
            "SELECT key, wa_id, user_id, name, last_inbound_at, last_address \
             FROM customers WHERE key = $1",
        )
        .bind(key)
        .fetch_optional(&self.pool)
        .await
        .map_err(db_err)?;
        row.as_ref().map(dec(codec::customer)).transpose()
    }

    async fn queue_outbound(
        &self,
        messages: &[NewOutbound],
        at: Timestamp,
    ) -> StoreResult<Vec<ChatMessage>> {
        if messages.is_empty() {
            return Ok(Vec::new());
        }
        let mut tx = self.write().await?;
        let queued = orderdesk_store_sql::queue_outbound(&mut tx, messages, at).await?;
        tx.commit().await?;
        Ok(queued)
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
            codec::OUTBOX_COLUMNS
        ))
        .bind(until)
        .bind(now)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        let mut claimed = rows
            .iter()
            .map(dec(codec::outbox_item))
            .collect::<StoreResult<Vec<_>>>()?;
        claimed.sort_by_key(|m| m.id);
        Ok(claimed)
    }

    async fn outbox_sent(&self, id: i64, wamid: &str, at: Timestamp) -> StoreResult<ChatMessage> {
        let mut tx = self.write().await?;
        let message = orderdesk_store_sql::outbox_sent(&mut tx, id, wamid, at).await?;
        tx.commit().await?;
        Ok(message)
    }

    async fn outbox_retry(&self, id: i64, not_before: Timestamp, error: &str) -> StoreResult<()> {
        let mut tx = self.write().await?;
        orderdesk_store_sql::outbox_retry(&mut tx, id, not_before, error).await?;
        tx.commit().await
    }

    async fn outbox_failed(&self, id: i64, error: &str, at: Timestamp) -> StoreResult<ChatMessage> {
        let mut tx = self.write().await?;
        let message = orderdesk_store_sql::outbox_failed(&mut tx, id, error, at).await?;
        tx.commit().await?;
        Ok(message)
    }

    async fn message_status(
        &self,
        wamid: &str,
        state: MessageState,
        at: Timestamp,
        error: Option<&str>,
    ) -> StoreResult<Option<ChatMessage>> {
        let mut tx = self.write().await?;
        let changed = orderdesk_store_sql::message_status(&mut tx, wamid, state, at, error).await?;
        tx.commit().await?;
        Ok(changed)
    }

    async fn messages_for_order(&self, number: OrderNumber) -> StoreResult<Vec<ChatMessage>> {
        let rows = sqlx::query(&format!(
            "SELECT {} FROM messages WHERE order_number = $1 ORDER BY id",
            codec::MESSAGE_COLUMNS
        ))
        .bind(number.get())
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        rows.iter().map(dec(codec::message)).collect()
    }

    async fn messages_for_customer(&self, key: &str, limit: u32) -> StoreResult<Vec<ChatMessage>> {
        let rows = sqlx::query(&format!(
            "SELECT {columns} FROM (SELECT {columns} FROM messages WHERE customer_key = $1 \
             ORDER BY id DESC LIMIT $2) AS latest ORDER BY id",
            columns = codec::MESSAGE_COLUMNS
        ))
        .bind(key)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        rows.iter().map(dec(codec::message)).collect()
    }

    async fn claim_due_jobs(
        &self,
        now: Timestamp,
        lease: Duration,
        limit: u32,
    ) -> StoreResult<Vec<Job>> {
        let until = micros(lease_end(now, lease)?);
        let now = micros(now);
        // SKIP LOCKED: concurrent claimers take different jobs; a job claimed
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
            codec::JOB_COLUMNS
        ))
        .bind(until)
        .bind(now)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        let mut jobs = rows
            .iter()
            .map(dec(codec::job))
            .collect::<StoreResult<Vec<_>>>()?;
        jobs.sort_by_key(|j| (j.due_at, j.id));
        Ok(jobs)
    }

    async fn complete_job(&self, id: i64) -> StoreResult<()> {
        sqlx::query("DELETE FROM jobs WHERE id = $1")
            .bind(id)
            .execute(&self.pool)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn events_since(&self, after: i64, limit: u32) -> StoreResult<Vec<StoredEvent>> {
        let rows = sqlx::query(
            "SELECT seq, kind, order_number, data, at FROM events \
             WHERE seq > $1 ORDER BY seq LIMIT $2",
        )
        .bind(after)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        rows.iter().map(dec(codec::event)).collect()
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

    async fn events_pruned_through(&self) -> StoreResult<i64> {
        let value: Option<i64> =
            sqlx::query_scalar("SELECT value FROM counters WHERE name = 'events_pruned_through'")
                .fetch_optional(&self.pool)
                .await
                .map_err(db_err)?;
        Ok(value.unwrap_or(0))
    }

    async fn create_user(&self, user: &NewUser) -> StoreResult<User> {
        let email = user.email.to_lowercase();
        let created_at = micros(user.created_at);
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO users (email, role, password_hash, created_at) VALUES ($1, $2, $3, $4) \
             RETURNING id",
        )
        .bind(&email)
        .bind(user.role.as_str())
        .bind(&user.password_hash)
        .bind(created_at)
        .fetch_one(&self.pool)
        .await
        .map_err(db_err)?;
        Ok(User {
            id,
            email,
            role: user.role,
            created_at,
        })
    }

    async fn user_by_email(&self, email: &str) -> StoreResult<Option<UserCredentials>> {
        let row = sqlx::query(
            "SELECT id, email, role, password_hash, created_at FROM users WHERE email = $1",
        )
        .bind(email.to_lowercase())
        .fetch_optional(&self.pool)
        .await
        .map_err(db_err)?;
        row.map(|row| {
            Ok(UserCredentials {
                user: dec(codec::user)(&row)?,
                password_hash: row.try_get("password_hash").map_err(db_err)?,
            })
        })
        .transpose()
    }

    async fn create_token(&self, token: &NewApiToken) -> StoreResult<ApiToken> {
        let created_at = micros(token.created_at);
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO api_tokens (name, secret_hash, created_at) VALUES ($1, $2, $3) \
             RETURNING id",
        )
        .bind(&token.name)
        .bind(&token.secret_hash)
        .bind(created_at)
        .fetch_one(&self.pool)
        .await
        .map_err(db_err)?;
        Ok(ApiToken {
            id,
            name: token.name.clone(),
            created_at,
        })
    }

    async fn token_by_hash(&self, hash: &str) -> StoreResult<Option<ApiToken>> {
        let row = sqlx::query(
            "SELECT id, name, created_at FROM api_tokens \
             WHERE secret_hash = $1 AND revoked_at IS NULL",
        )
        .bind(hash)
        .fetch_optional(&self.pool)
        .await
        .map_err(db_err)?;
        row.as_ref().map(dec(codec::api_token)).transpose()
    }

    async fn users(&self) -> StoreResult<Vec<User>> {
        let rows = sqlx::query("SELECT id, email, role, created_at FROM users ORDER BY id")
            .fetch_all(&self.pool)
            .await
            .map_err(db_err)?;
        rows.iter().map(dec(codec::user)).collect()
    }

    async fn delete_user(&self, id: i64) -> StoreResult<()> {
        let done = sqlx::query("DELETE FROM users WHERE id = $1")
            .bind(id)
            .execute(&self.pool)
            .await
            .map_err(db_err)?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    async fn tokens(&self) -> StoreResult<Vec<ApiToken>> {
        let rows = sqlx::query(
            "SELECT id, name, created_at FROM api_tokens WHERE revoked_at IS NULL ORDER BY id",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        rows.iter().map(dec(codec::api_token)).collect()
    }

    async fn revoke_token(&self, id: i64, at: Timestamp) -> StoreResult<()> {
        let done = sqlx::query(
            "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL",
        )
        .bind(micros(at))
        .bind(id)
        .execute(&self.pool)
        .await
        .map_err(db_err)?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    async fn create_session(&self, session: &NewSession) -> StoreResult<()> {
        let mut tx = self.pool.begin().await.map_err(db_err)?;
        sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
            .bind(micros(session.created_at))
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        sqlx::query(
            "INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&session.id_hash)
        .bind(session.user_id)
        .bind(&session.csrf_token)
        .bind(micros(session.created_at))
        .bind(micros(session.expires_at))
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        tx.commit().await.map_err(db_err)
    }

    async fn session(&self, id_hash: &str, now: Timestamp) -> StoreResult<Option<Session>> {
        let row = sqlx::query(
            "SELECT u.id, u.email, u.role, u.created_at, s.csrf_token, s.expires_at \
             FROM sessions s JOIN users u ON u.id = s.user_id \
             WHERE s.id_hash = $1 AND s.expires_at > $2",
        )
        .bind(id_hash)
        .bind(micros(now))
        .fetch_optional(&self.pool)
        .await
        .map_err(db_err)?;
        row.map(|row| {
            Ok(Session {
                user: dec(codec::user)(&row)?,
                csrf_token: row.try_get("csrf_token").map_err(db_err)?,
                expires_at: row.try_get("expires_at").map_err(db_err)?,
            })
        })
        .transpose()
    }

    async fn delete_session(&self, id_hash: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
            .bind(id_hash)
            .execute(&self.pool)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn message_templates(&self) -> StoreResult<Vec<MessageTemplate>> {
        let rows = sqlx::query(
            "SELECT key, language, body, enabled, whatsapp_template, whatsapp_language, \
             updated_at FROM message_templates ORDER BY key COLLATE \"C\", language COLLATE \"C\"",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        rows.iter()
            .map(|row| {
                Ok(MessageTemplate {
                    key: row.try_get("key").map_err(db_err)?,
                    language: row.try_get("language").map_err(db_err)?,
                    body: row.try_get("body").map_err(db_err)?,
                    enabled: row.try_get("enabled").map_err(db_err)?,
                    whatsapp_template: row.try_get("whatsapp_template").map_err(db_err)?,
                    whatsapp_language: row.try_get("whatsapp_language").map_err(db_err)?,
                    updated_at: row.try_get("updated_at").map_err(db_err)?,
                })
            })
            .collect()
    }

    async fn put_message_template(&self, t: &MessageTemplate) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO message_templates (key, language, body, enabled, whatsapp_template, \
             whatsapp_language, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (key, language) DO UPDATE SET body = excluded.body, \
             enabled = excluded.enabled, whatsapp_template = excluded.whatsapp_template, \
             whatsapp_language = excluded.whatsapp_language, updated_at = excluded.updated_at",
        )
        .bind(&t.key)
        .bind(&t.language)
        .bind(t.body.as_deref())
        .bind(t.enabled)
        .bind(t.whatsapp_template.as_deref())
        .bind(t.whatsapp_language.as_deref())
        .bind(micros(t.updated_at))
        .execute(&self.pool)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn upsert_products(&self, products: &[Product]) -> StoreResult<u64> {
        if products.is_empty() {
            return Ok(0);
        }
        let mut tx = self.begin().await?;
        let mut written = 0;
        for p in products {
            written += sqlx::query(
                "INSERT INTO products (retailer_id, title, description, availability, condition, \
                 price_minor, currency, link, image_link, brand) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
                 ON CONFLICT (retailer_id) DO UPDATE SET title = excluded.title, \
                 description = excluded.description, availability = excluded.availability, \
                 condition = excluded.condition, price_minor = excluded.price_minor, \
                 currency = excluded.currency, link = excluded.link, \
                 image_link = excluded.image_link, brand = excluded.brand",
            )
            .bind(&p.retailer_id)
            .bind(&p.title)
            .bind(&p.description)
            .bind(&p.availability)
            .bind(&p.condition)
            .bind(p.price_minor)
            .bind(p.currency.as_str())
            .bind(&p.link)
            .bind(&p.image_link)
            .bind(&p.brand)
            .execute(&mut *tx)
            .await
            .map_err(db_err)?
            .rows_affected();
        }
        tx.commit().await.map_err(db_err)?;
        Ok(written)
    }

    async fn products_by_ids(&self, ids: &[String]) -> StoreResult<Vec<Product>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let rows = sqlx::query(&format!(
            "SELECT {} FROM products WHERE retailer_id = ANY($1) ORDER BY retailer_id COLLATE \"C\"",
            codec::PRODUCT_COLUMNS
        ))
        .bind(ids)
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        rows.iter().map(dec(codec::product)).collect()
    }

    async fn products(&self) -> StoreResult<Vec<Product>> {
        let rows = sqlx::query(&format!(
            "SELECT {} FROM products ORDER BY retailer_id COLLATE \"C\"",
            codec::PRODUCT_COLUMNS
        ))
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        rows.iter().map(dec(codec::product)).collect()
    }
}
