//! What one SQL backend supplies to the shared [`crate::SqlStore`].

use std::time::Duration;

use async_trait::async_trait;
use orderdesk_domain::Timestamp;
use orderdesk_store::{OutboxItem, PrunedEvents, StoreResult, Timer};

use crate::{OrderSql, SqlRead, SqlTx};

/// How durable a write transaction's commit must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    /// On disk before the commit returns: acknowledged webhooks and staff
    /// actions.
    Full,
    /// May reach the disk with the next durable commit. Inbox processing uses
    /// it: its input is already durable, and a power cut that loses such a
    /// commit also loses the "processed" marks it carried, so the items are
    /// processed again. Claims on the outbox and on timers too: a lost claim
    /// only means the work is claimed again, which an expired lease allows
    /// anyway. (SQLite commits these without their own fsync; PostgreSQL
    /// commits every transaction durably.)
    Deferred,
}

/// What one SQL backend supplies to [`SqlStore`]: its reads
/// ([`SqlRead`]), its dialect of the order list's filters ([`OrderSql`]),
/// its write transactions ([`SqlTx`]), and the [`orderdesk_store::Store`]
/// methods whose SQL or locking differs between the dialects.
#[async_trait]
pub trait SqlBackend: SqlRead + OrderSql + std::fmt::Debug + Send + Sync + 'static {
    /// A write transaction of the shared write path.
    type Tx: SqlTx;

    /// See [`orderdesk_store::Store::apply_limit`]; unbounded by default.
    fn apply_limit(&self) -> usize {
        usize::MAX
    }

    /// Begins a write transaction with this commit durability.
    async fn write(&self, durability: Durability) -> StoreResult<Self::Tx>;

    /// See [`orderdesk_store::Store::migrate`].
    async fn migrate(&self) -> StoreResult<()>;

    /// See [`orderdesk_store::Store::ping`].
    async fn ping(&self) -> StoreResult<()>;

    /// See [`orderdesk_store::Store::try_processing_lease`].
    async fn try_processing_lease(&self) -> StoreResult<Option<orderdesk_store::ProcessingLease>>;

    /// See [`orderdesk_store::Store::ops_status`].
    async fn ops_status(&self) -> StoreResult<orderdesk_store::OpsStatus>;

    /// See [`orderdesk_store::Store::rebuild_stats`].
    async fn rebuild_stats(&self, time_zone: &str) -> StoreResult<()>;

    /// See [`orderdesk_store::Store::claim_outbox`].
    async fn claim_outbox(
        &self,
        now: Timestamp,
        lease: Duration,
        limit: u32,
    ) -> StoreResult<Vec<OutboxItem>>;

    /// See [`orderdesk_store::Store::claim_due_timers`].
    async fn claim_due_timers(
        &self,
        now: Timestamp,
        lease: Duration,
        limit: u32,
    ) -> StoreResult<Vec<Timer>>;

    /// See [`orderdesk_store::Store::last_event_seq`].
    async fn last_event_seq(&self) -> StoreResult<i64>;

    /// See [`orderdesk_store::Store::prune_events`].
    async fn prune_events(&self, before: Timestamp) -> StoreResult<PrunedEvents>;

    /// See [`orderdesk_store::Store::migrate_unless_busy`]; the default is the trait's.
    async fn migrate_unless_busy(&self) -> StoreResult<bool> {
        self.migrate().await.map(|()| true)
    }

    /// See [`orderdesk_store::Store::watch_instances`]; the default is the trait's.
    async fn watch_instances(
        &self,
        on_change: &(dyn Fn() + Send + Sync),
        on_inbox: &(dyn Fn() + Send + Sync),
    ) -> StoreResult<()> {
        let _ = (on_change, on_inbox);
        Ok(())
    }

    /// See [`orderdesk_store::Store::reserve_send_slots`]; the default is the trait's.
    async fn reserve_send_slots(
        &self,
        key: &str,
        count: u32,
        interval: Duration,
    ) -> StoreResult<Option<Duration>> {
        let _ = (key, count, interval);
        Ok(None)
    }
}
