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

mod codec;
mod error;

use std::collections::{BTreeMap, HashMap};
use std::str::FromStr;

use async_trait::async_trait;
use chrono::Utc;
use orderdesk_domain::{
    Actor, EventKind, NewOrder, Order, OrderNumber, OrderStatus, StatusChange, TimelineEntry,
    TimelineKind, Timestamp,
};
use orderdesk_store::{
    ApiToken, InboundOutcome, InboundRecord, NewApiToken, NewInbound, NewUser, OrderPage,
    OrderQuery, Product, Recorded, Store, StoreError, StoreResult, StoredEvent, User,
    UserCredentials,
};
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::types::Json;
use sqlx::{PgConnection, Postgres, QueryBuilder, Row};

use codec::{micros, to_json};
use error::{db_err, migrate_err};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!();

/// The advisory lock key serialising event-log appends ("orderdes" in ASCII).
pub const EVENT_LOG_LOCK: i64 = 0x6f72_6465_7264_6573;
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
}

/// Event-log rows and stage-count changes a write transaction owes, applied
/// at its very end: counts first (row locks, in status order), then the
/// event-log lock and the events. See the crate docs for why.
#[derive(Default)]
struct Effects {
    events: Vec<(EventKind, OrderNumber, String, Timestamp)>,
    counts: BTreeMap<&'static str, i64>,
}

impl Effects {
    fn event(&mut self, kind: EventKind, order: &Order, at: Timestamp) -> StoreResult<()> {
        self.events.push((kind, order.number, to_json(order)?, at));
        Ok(())
    }

    fn count(&mut self, status: OrderStatus, delta: i64) {
        *self.counts.entry(status.as_str()).or_default() += delta;
    }

    async fn apply(self, conn: &mut PgConnection) -> StoreResult<()> {
        for (status, delta) in self.counts {
            if delta != 0 {
                sqlx::query("UPDATE status_counts SET count = count + $1 WHERE status = $2")
                    .bind(delta)
                    .bind(status)
                    .execute(&mut *conn)
                    .await
                    .map_err(db_err)?;
            }
        }
        if self.events.is_empty() {
            return Ok(());
        }
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(EVENT_LOG_LOCK)
            .execute(&mut *conn)
            .await
            .map_err(db_err)?;
        let mut kinds = Vec::with_capacity(self.events.len());
        let mut numbers = Vec::with_capacity(self.events.len());
        let mut data = Vec::with_capacity(self.events.len());
        let mut ats = Vec::with_capacity(self.events.len());
        for (kind, number, json, at) in self.events {
            kinds.push(kind.as_str());
            numbers.push(number.get());
            data.push(json);
            ats.push(at);
        }
        // `seq` is drawn here, under the lock, in input order.
        sqlx::query(
            "INSERT INTO events (kind, order_number, data, at) \
             SELECT k, n, d::json, a \
             FROM UNNEST($1::text[], $2::bigint[], $3::text[], $4::timestamptz[]) \
                  WITH ORDINALITY AS e (k, n, d, a, i) \
             ORDER BY i",
        )
        .bind(kinds)
        .bind(numbers)
        .bind(data)
        .bind(ats)
        .execute(&mut *conn)
        .await
        .map_err(db_err)?;
        Ok(())
    }
}

async fn create_order(
    conn: &mut PgConnection,
    new: &NewOrder,
    effects: &mut Effects,
) -> StoreResult<Order> {
    // The counter row stays locked until commit, so numbers are handed out
    // without gaps from rolled-back transactions.
    let number: i64 = sqlx::query_scalar(
        "UPDATE counters SET value = value + 1 WHERE name = 'order_number' RETURNING value - 1",
    )
    .fetch_one(&mut *conn)
    .await
    .map_err(db_err)?;
    let order = new.placed(codec::order_number(number)?, micros(new.created_at));
    sqlx::query(
        "INSERT INTO orders (number, status, held_from, payment_status, payment_method, \
         checkout_step, customer_wa_id, customer_user_id, customer_name, items, currency, \
         total_minor, address, note, cart_text, tracking, created_at, updated_at, version) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, \
         $18, $19)",
    )
    .bind(order.number.get())
    .bind(order.status.as_str())
    .bind(order.held_from.map(|s| s.as_str()))
    .bind(order.payment_status.as_str())
    .bind(order.payment_method.map(|m| m.as_str()))
    .bind(order.checkout_step.as_str())
    .bind(order.customer.wa_id.as_deref())
    .bind(order.customer.user_id.as_deref())
    .bind(order.customer.name.as_deref())
    .bind(Json(&order.items))
    .bind(order.currency.as_str())
    .bind(order.total_minor)
    .bind(order.address.as_ref().map(Json))
    .bind(order.note.as_deref())
    .bind(order.cart_text.as_deref())
    .bind(order.tracking.as_deref())
    .bind(order.created_at)
    .bind(order.updated_at)
    .bind(order.version)
    .execute(&mut *conn)
    .await
    .map_err(db_err)?;

    let entry = TimelineEntry::new(order.created_at, TimelineKind::Created, &Actor::Customer);
    insert_timeline(conn, order.number, &entry).await?;
    effects.count(order.status, 1);
    effects.event(EventKind::OrderCreated, &order, order.created_at)?;
    Ok(order)
}

async fn insert_timeline(
    conn: &mut PgConnection,
    number: OrderNumber,
    entry: &TimelineEntry,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO timeline_entries (order_number, at, kind, actor, actor_name, from_status, \
         to_status, reason, detail) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(number.get())
    .bind(micros(entry.at))
    .bind(entry.kind.as_str())
    .bind(&entry.actor)
    .bind(entry.actor_name.as_deref())
    .bind(entry.from_status.map(|s| s.as_str()))
    .bind(entry.to_status.map(|s| s.as_str()))
    .bind(entry.reason.as_deref())
    .bind(entry.detail.as_deref())
    .execute(&mut *conn)
    .await
    .map_err(db_err)?;
    Ok(())
}

/// `%`, `_` and the escape character itself match literally.
fn like_pattern(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

#[async_trait]
impl Store for PgStore {
    async fn migrate(&self) -> StoreResult<()> {
        MIGRATOR.run(&self.pool).await.map_err(migrate_err)
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
        rows.iter().map(codec::inbound).collect()
    }

    async fn complete_inbound(
        &self,
        batch: &[(i64, InboundOutcome)],
    ) -> StoreResult<Vec<Option<Order>>> {
        if batch.is_empty() {
            return Ok(Vec::new());
        }
        let now = micros(Utc::now());
        let mut tx = self.begin().await?;
        // Lock the items in id order first, so two processors handed
        // overlapping batches in different orders wait instead of deadlocking.
        let mut ids: Vec<i64> = batch.iter().map(|(id, _)| *id).collect();
        ids.sort_unstable();
        ids.dedup();
        sqlx::query("SELECT id FROM inbound WHERE id = ANY($1) ORDER BY id FOR UPDATE")
            .bind(&ids)
            .fetch_all(&mut *tx)
            .await
            .map_err(db_err)?;

        let mut effects = Effects::default();
        let mut created = Vec::with_capacity(batch.len());
        for (id, outcome) in batch {
            let (label, error) = match outcome {
                InboundOutcome::CreateOrder(_) => ("created", None),
                InboundOutcome::Ignored => ("ignored", None),
                InboundOutcome::Failed(reason) => ("failed", Some(reason.as_str())),
            };
            // Claim first: an item someone else already processed is skipped,
            // so racing processors cannot apply it twice.
            let claimed = sqlx::query(
                "UPDATE inbound SET processed_at = $1, outcome = $2, error = $3 \
                 WHERE id = $4 AND processed_at IS NULL",
            )
            .bind(now)
            .bind(label)
            .bind(error)
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(db_err)?
            .rows_affected();
            if claimed == 0 {
                created.push(None);
                continue;
            }
            let InboundOutcome::CreateOrder(new) = outcome else {
                created.push(None);
                continue;
            };
            let order = create_order(&mut tx, new, &mut effects).await?;
            sqlx::query("UPDATE inbound SET order_number = $1 WHERE id = $2")
                .bind(order.number.get())
                .bind(id)
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
            created.push(Some(order));
        }
        effects.apply(&mut tx).await?;
        tx.commit().await.map_err(db_err)?;
        Ok(created)
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
        codec::order(&row)
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
        rows.iter().map(codec::timeline_entry).collect()
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
        if let Some(q) = query.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
            let pattern = like_pattern(q);
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
            .map(codec::order)
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

    async fn change_status(
        &self,
        number: OrderNumber,
        expected_version: i64,
        change: &StatusChange,
        at: Timestamp,
    ) -> StoreResult<Order> {
        let at = micros(at);
        let mut tx = self.begin().await?;
        // FOR UPDATE: a concurrent change waits here and then reads the
        // winner's version, so exactly one of two racing changes applies.
        let row = sqlx::query(&format!(
            "SELECT {} FROM orders WHERE number = $1 FOR UPDATE",
            codec::ORDER_COLUMNS
        ))
        .bind(number.get())
        .fetch_optional(&mut *tx)
        .await
        .map_err(db_err)?
        .ok_or(StoreError::NotFound)?;
        let mut order = codec::order(&row)?;
        if order.version != expected_version || order.status != change.from {
            return Err(StoreError::Conflict {
                current_version: order.version,
            });
        }
        order.status = change.to;
        order.held_from = change.held_from;
        if change.tracking.is_some() {
            order.tracking.clone_from(&change.tracking);
        }
        order.updated_at = at;
        order.version += 1;
        sqlx::query(
            "UPDATE orders SET status = $1, held_from = $2, tracking = $3, updated_at = $4, \
             version = $5 WHERE number = $6",
        )
        .bind(order.status.as_str())
        .bind(order.held_from.map(|s| s.as_str()))
        .bind(order.tracking.as_deref())
        .bind(order.updated_at)
        .bind(order.version)
        .bind(number.get())
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;

        let mut entry = TimelineEntry::new(at, TimelineKind::StatusChanged, &change.actor);
        entry.from_status = Some(change.from);
        entry.to_status = Some(change.to);
        entry.reason.clone_from(&change.reason);
        entry.detail.clone_from(&change.tracking);
        insert_timeline(&mut tx, number, &entry).await?;

        let mut effects = Effects::default();
        effects.count(change.from, -1);
        effects.count(change.to, 1);
        effects.event(EventKind::OrderStatusChanged, &order, at)?;
        effects.apply(&mut tx).await?;
        tx.commit().await.map_err(db_err)?;
        Ok(order)
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
        rows.iter().map(codec::event).collect()
    }

    async fn last_event_seq(&self) -> StoreResult<i64> {
        sqlx::query_scalar("SELECT COALESCE(MAX(seq), 0)::bigint FROM events")
            .fetch_one(&self.pool)
            .await
            .map_err(db_err)
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
                user: codec::user(&row)?,
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
        row.as_ref().map(codec::api_token).transpose()
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
        rows.iter().map(codec::product).collect()
    }

    async fn products(&self) -> StoreResult<Vec<Product>> {
        let rows = sqlx::query(&format!(
            "SELECT {} FROM products ORDER BY retailer_id COLLATE \"C\"",
            codec::PRODUCT_COLUMNS
        ))
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        rows.iter().map(codec::product).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_patterns_match_wildcards_literally() {
        assert_eq!(like_pattern("asha"), "%asha%");
        assert_eq!(like_pattern("100%_a\\b"), "%100\\%\\_a\\\\b%");
    }
}
