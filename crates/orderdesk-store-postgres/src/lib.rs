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

use std::collections::HashMap;
use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use chrono::Utc;
use orderdesk_domain::{Order, OrderNumber, OrderStatus, TimelineEntry, Timestamp};
use orderdesk_store::{
    lease_end, ApiToken, ChatMessage, CustomerRecord, InboundOutcome, InboundRecord, InboundResult,
    MessageState, MessageTemplate, NewApiToken, NewInbound, NewOutbound, NewSession, NewUser,
    OrderPage, OrderQuery, OrderUpdate, OutboxItem, Product, PrunedEvents, Recorded, Role, Session,
    Store, StoreError, StoreResult, StoredEvent, Timer, User, UserCredentials,
};
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::{Postgres, QueryBuilder, Row};

use error::{db_err, migrate_err};
pub use instances::{CHANGES_CHANNEL, INBOX_CHANNEL, PROCESSING_LOCK};
use orderdesk_store_sql::reads;
use orderdesk_store_sql::rows::{self, micros};
use tx::{dec, PgTx};

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
}

#[async_trait]
impl Store for PgStore {
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

    async fn record_webhook_verified(&self, at: Timestamp) -> StoreResult<()> {
        let mut tx = self.write().await?;
        orderdesk_store_sql::ops_status::record_webhook_verified(&mut tx, at).await?;
        tx.commit().await
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
        if !stored.is_empty() {
            // Delivered on commit: the lease holder, wherever it runs, starts
            // on these items at once.
            sqlx::query("SELECT pg_notify($1, '')")
                .bind(INBOX_CHANNEL)
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
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
        reads::pending_inbound(self, limit).await
    }

    async fn apply_inbound(
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
        reads::order(self, number).await
    }

    async fn timeline(&self, number: OrderNumber) -> StoreResult<Vec<TimelineEntry>> {
        reads::timeline(self, number).await
    }

    async fn payment_events(
        &self,
        from: Timestamp,
        to: Timestamp,
    ) -> StoreResult<Vec<orderdesk_domain::LedgerEntry>> {
        orderdesk_store_sql::ledger::payment_events(self, from, to).await
    }

    async fn order_payment_events(
        &self,
        number: OrderNumber,
    ) -> StoreResult<Vec<orderdesk_domain::LedgerEntry>> {
        orderdesk_store_sql::ledger::order_payment_events(self, number).await
    }

    async fn payment_attention(&self) -> StoreResult<Vec<Order>> {
        orderdesk_store_sql::ledger::payment_attention(self).await
    }

    async fn stat_totals(
        &self,
        from: chrono::NaiveDate,
        to: chrono::NaiveDate,
    ) -> StoreResult<Vec<(String, i64)>> {
        orderdesk_store_sql::rollups::totals(self, from, to).await
    }

    async fn stat_days(
        &self,
        from: chrono::NaiveDate,
        to: chrono::NaiveDate,
        metrics: &[&str],
    ) -> StoreResult<Vec<(chrono::NaiveDate, String, i64)>> {
        orderdesk_store_sql::rollups::days(self, from, to, metrics).await
    }

    async fn stats_zone(&self) -> StoreResult<Option<String>> {
        orderdesk_store_sql::rollups::zone(self).await
    }

    async fn rebuild_stats(&self, time_zone: &str) -> StoreResult<()> {
        let mut tx = self.write().await?;
        // Writers add to the rollups as they commit; holding them off the
        // table until the rebuild commits keeps each change counted once.
        orderdesk_store_sql::SqlTx::execute(
            &mut tx,
            "LOCK TABLE stats_days, stats_customers IN SHARE ROW EXCLUSIVE MODE",
            vec![],
        )
        .await?;
        orderdesk_store_sql::rollups::rebuild(&mut tx, time_zone).await?;
        tx.commit().await
    }

    async fn set_document_prefixes(&self, invoice: &str, credit_note: &str) -> StoreResult<()> {
        let mut tx = self.write().await?;
        orderdesk_store_sql::invoices::set_prefixes(&mut tx, invoice, credit_note).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn list_orders(&self, query: &OrderQuery) -> StoreResult<OrderPage> {
        let limit = query.limit.clamp(1, MAX_PAGE);
        let mut qb = QueryBuilder::<Postgres>::new(format!(
            "SELECT {} FROM orders WHERE TRUE",
            rows::ORDER_COLUMNS
        ));
        if let Some(before) = query.before {
            qb.push(" AND number < ").push_bind(before.get());
        }
        filters::push_filters(&mut qb, query, true);
        // One extra row says whether there is a next page.
        qb.push(" ORDER BY number DESC LIMIT ")
            .push_bind(i64::from(limit) + 1);
        let rows = qb.build().fetch_all(&self.pool).await.map_err(db_err)?;
        let mut orders = rows
            .iter()
            .map(dec(rows::order))
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
        reads::status_counts(self).await
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

    async fn edit_order(
        &self,
        number: OrderNumber,
        expected_version: i64,
        fields: &orderdesk_store::OrderFields,
        update: &OrderUpdate,
        at: Timestamp,
    ) -> StoreResult<Order> {
        let mut tx = self.write().await?;
        let order =
            orderdesk_store_sql::edit_order(&mut tx, number, expected_version, fields, update, at)
                .await?;
        tx.commit().await?;
        Ok(order)
    }

    async fn create_staff_order(
        &self,
        new: &orderdesk_domain::NewOrder,
        creator: &orderdesk_domain::Actor,
        update: &OrderUpdate,
        timers: &[(orderdesk_store::TimerKind, Timestamp)],
    ) -> StoreResult<Order> {
        let mut tx = self.write().await?;
        let order =
            orderdesk_store_sql::create_staff_order(&mut tx, new, creator, update, timers).await?;
        tx.commit().await?;
        Ok(order)
    }

    async fn customer_by_wa_id(&self, wa_id: &str) -> StoreResult<Option<CustomerRecord>> {
        orderdesk_store_sql::customer_by_wa_id(self, wa_id).await
    }

    async fn count_orders(&self, query: &OrderQuery) -> StoreResult<Vec<(OrderStatus, i64)>> {
        filters::counts(&self.pool, query).await
    }

    async fn open_orders_for_customer(&self, key: &str) -> StoreResult<Vec<Order>> {
        reads::open_orders_for_customer(self, key).await
    }

    async fn open_orders_for_customers(&self, keys: &[String]) -> StoreResult<Vec<Order>> {
        reads::open_orders_for_customers(self, keys).await
    }

    async fn latest_order_for_customer(&self, key: &str) -> StoreResult<Option<Order>> {
        reads::latest_order_for_customer(self, key).await
    }

    async fn customer(&self, key: &str) -> StoreResult<Option<CustomerRecord>> {
        reads::customer(self, key).await
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

    async fn outbox_sent(&self, id: i64, wamid: &str, at: Timestamp) -> StoreResult<ChatMessage> {
        let mut tx = self.write().await?;
        let message = orderdesk_store_sql::outbox_sent(&mut tx, id, wamid, at).await?;
        tx.commit().await?;
        Ok(message)
    }

    async fn outbound_text(&self, id: i64, text: &str) -> StoreResult<()> {
        let mut tx = self.write().await?;
        orderdesk_store_sql::outbound_text(&mut tx, id, text).await?;
        tx.commit().await
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
        reads::messages_for_order(self, number).await
    }

    async fn messages_for_customer(&self, key: &str, limit: u32) -> StoreResult<Vec<ChatMessage>> {
        reads::messages_for_customer(self, key, limit).await
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

    async fn complete_timer(&self, id: i64) -> StoreResult<()> {
        let mut tx = self.write().await?;
        orderdesk_store_sql::complete_timer(&mut tx, id).await?;
        tx.commit().await
    }

    async fn events_since(&self, after: i64, limit: u32) -> StoreResult<Vec<StoredEvent>> {
        reads::events_since(self, after, limit).await
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
        reads::events_pruned_through(self).await
    }

    async fn create_user(&self, user: &NewUser) -> StoreResult<User> {
        let mut tx = self.write().await?;
        let done = orderdesk_store_sql::create_user(&mut tx, user).await?;
        tx.commit().await?;
        Ok(done)
    }

    async fn user_by_email(&self, email: &str) -> StoreResult<Option<UserCredentials>> {
        reads::user_by_email(self, email).await
    }

    async fn create_token(&self, token: &NewApiToken) -> StoreResult<ApiToken> {
        let mut tx = self.write().await?;
        let done = orderdesk_store_sql::create_token(&mut tx, token).await?;
        tx.commit().await?;
        Ok(done)
    }

    async fn token_by_hash(&self, hash: &str) -> StoreResult<Option<ApiToken>> {
        reads::token_by_hash(self, hash).await
    }

    async fn users(&self) -> StoreResult<Vec<User>> {
        reads::users(self).await
    }

    async fn delete_user(&self, id: i64) -> StoreResult<()> {
        let mut tx = self.write().await?;
        orderdesk_store_sql::delete_user(&mut tx, id).await?;
        tx.commit().await
    }

    async fn set_user_role(&self, id: i64, role: Role) -> StoreResult<bool> {
        let mut tx = self.write().await?;
        let changed = orderdesk_store_sql::set_user_role(&mut tx, id, role).await?;
        tx.commit().await?;
        Ok(changed)
    }
    async fn set_user_password(&self, id: i64, password_hash: &str) -> StoreResult<()> {
        let mut tx = self.write().await?;
        orderdesk_store_sql::set_user_password(&mut tx, id, password_hash).await?;
        tx.commit().await
    }
    async fn tokens(&self) -> StoreResult<Vec<ApiToken>> {
        reads::tokens(self).await
    }

    async fn revoke_token(&self, id: i64, at: Timestamp) -> StoreResult<()> {
        let mut tx = self.write().await?;
        orderdesk_store_sql::revoke_token(&mut tx, id, at).await?;
        tx.commit().await
    }

    async fn create_session(&self, session: &NewSession) -> StoreResult<()> {
        let mut tx = self.write().await?;
        orderdesk_store_sql::create_session(&mut tx, session).await?;
        tx.commit().await
    }

    async fn session(&self, id_hash: &str, now: Timestamp) -> StoreResult<Option<Session>> {
        reads::session(self, id_hash, now).await
    }

    async fn delete_session(&self, id_hash: &str) -> StoreResult<()> {
        let mut tx = self.write().await?;
        orderdesk_store_sql::delete_session(&mut tx, id_hash).await?;
        tx.commit().await
    }

    async fn message_templates(&self) -> StoreResult<Vec<MessageTemplate>> {
        reads::message_templates(self).await
    }

    async fn put_message_template(&self, t: &MessageTemplate) -> StoreResult<()> {
        let mut tx = self.write().await?;
        orderdesk_store_sql::put_message_template(&mut tx, t).await?;
        tx.commit().await
    }

    async fn stored_settings(&self) -> StoreResult<Vec<orderdesk_store::StoredSetting>> {
        orderdesk_store_sql::stored_settings(self).await
    }

    async fn put_settings(
        &self,
        changes: &[orderdesk_store::SettingChange],
        at: Timestamp,
        by: &str,
    ) -> StoreResult<()> {
        let mut tx = self.write().await?;
        orderdesk_store_sql::put_settings(&mut tx, changes, at, by).await?;
        tx.commit().await
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
            rows::PRODUCT_COLUMNS
        ))
        .bind(ids)
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        rows.iter().map(dec(rows::product)).collect()
    }

    async fn products(&self) -> StoreResult<Vec<Product>> {
        reads::products(self).await
    }

    async fn set_product_keywords(&self, keywords: &[(String, String)]) -> StoreResult<()> {
        let mut tx = self.write().await?;
        orderdesk_store_sql::keywords::set(&mut tx, keywords).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn product_keywords(&self) -> StoreResult<Vec<(String, String)>> {
        orderdesk_store_sql::keywords::list(self).await
    }

    async fn set_product_taxes(&self, taxes: &[orderdesk_store::ProductTax]) -> StoreResult<()> {
        let mut tx = self.write().await?;
        orderdesk_store_sql::product_tax::set(&mut tx, taxes).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn product_taxes(&self) -> StoreResult<Vec<orderdesk_store::ProductTax>> {
        orderdesk_store_sql::product_tax::list(self).await
    }

    async fn save_typed_draft(&self, draft: &orderdesk_store::TypedDraft) -> StoreResult<()> {
        let mut tx = self.write().await?;
        orderdesk_store_sql::typed_drafts::save(&mut tx, draft).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn typed_draft(
        &self,
        customer_key: &str,
    ) -> StoreResult<Option<orderdesk_store::TypedDraft>> {
        orderdesk_store_sql::typed_drafts::get(self, customer_key).await
    }

    async fn list_conversations(
        &self,
        query: &orderdesk_store::ConversationQuery,
    ) -> StoreResult<orderdesk_store::ConversationPage> {
        orderdesk_store_sql::conversations::list(self, query).await
    }

    async fn conversation(&self, key: &str) -> StoreResult<Option<orderdesk_store::Conversation>> {
        orderdesk_store_sql::conversations::conversation(self, key).await
    }

    async fn mark_conversation_read(
        &self,
        key: &str,
        at: Timestamp,
    ) -> StoreResult<orderdesk_store::MarkedRead> {
        let mut tx = self.write().await?;
        let marked = orderdesk_store_sql::conversations::mark_read(&mut tx, key, at).await?;
        tx.commit().await?;
        Ok(marked)
    }

    async fn update_conversation(
        &self,
        key: &str,
        change: &orderdesk_store::ConversationChange,
        at: Timestamp,
    ) -> StoreResult<orderdesk_store::Conversation> {
        let mut tx = self.write().await?;
        let updated = orderdesk_store_sql::conversations::update(&mut tx, key, change, at).await?;
        tx.commit().await?;
        Ok(updated)
    }
}
