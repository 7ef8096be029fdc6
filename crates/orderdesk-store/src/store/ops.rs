//! The [`OpsStore`] part of [`crate::Store`].

use async_trait::async_trait;
use orderdesk_domain::Timestamp;

use crate::{OpsStatus, ProcessingLease, StoreResult};

/// Migrations, health checks, and what several instances sharing one database coordinate through it (wake-ups, the processing lease).
#[async_trait]
pub trait OpsStore: Send + Sync {
    /// Applies the backend's embedded migrations (idempotent).
    ///
    /// # Errors
    /// `Unavailable` when the database cannot be reached, `Other` when a migration fails.
    async fn migrate(&self) -> StoreResult<()>;

    /// A cheap round trip, for `/healthz` and start-up checks.
    ///
    /// # Errors
    /// `Unavailable` when the database does not answer.
    async fn ping(&self) -> StoreResult<()>;

    /// How far the schema is migrated and when WhatsApp was last heard
    /// from and sent to, for `orderdesk doctor`.
    ///
    /// # Errors
    /// `Unavailable` or `Other` on database failure.
    async fn ops_status(&self) -> StoreResult<OpsStatus>;

    /// Notes that Meta passed the webhook handshake now (the setup page
    /// shows "webhook received ✓"); only the newest time is kept.
    ///
    /// # Errors
    /// `Unavailable` or `Other` on database failure.
    async fn record_webhook_verified(&self, at: Timestamp) -> StoreResult<()>;

    /// Calls `on_change` whenever the log may have grown or outbound work may
    /// have been queued by any process sharing this database, so each
    /// instance can wake its event streams and dispatcher. A wake-up is only
    /// a hint ("look again"): readers still read the stored log, so a lost
    /// one costs latency, never an event. Runs until the future is dropped,
    /// riding out lost connections (and calling `on_change` once after each
    /// reconnect, since wake-ups may have been missed meanwhile). A backend
    /// only one process writes to has nothing to watch and returns at once.
    ///
    /// # Errors
    /// Only when watching cannot start at all; passing failures are retried.
    async fn watch_changes(&self, on_change: &(dyn Fn() + Send + Sync)) -> StoreResult<()> {
        self.watch_instances(on_change, &|| {}).await
    }

    /// [`OpsStore::watch_changes`], and also calls `on_inbox` whenever any
    /// process sharing this database stored new inbox items, so the
    /// instance holding the processing lease starts on them at once instead
    /// of at its next poll (a hint too, called once after each
    /// (re)subscription). One watch for both, so an instance spends one
    /// connection on it. Returns at once for a backend only one process
    /// writes to, whose writer wakes its processor directly.
    ///
    /// # Errors
    /// As [`OpsStore::watch_changes`].
    async fn watch_instances(
        &self,
        on_change: &(dyn Fn() + Send + Sync),
        on_inbox: &(dyn Fn() + Send + Sync),
    ) -> StoreResult<()> {
        let _ = (on_change, on_inbox);
        Ok(())
    }

    /// The processing lease ([`ProcessingLease`]) if no other processor
    /// holds it, else `None` (ask again later). Handed over on failure: a
    /// holder that dies loses it without having to release it.
    ///
    /// # Errors
    /// `Unavailable` when the database cannot be reached.
    async fn try_processing_lease(&self) -> StoreResult<Option<ProcessingLease>>;

    /// [`OpsStore::migrate`], unless another migration of this database is
    /// running right now: then nothing is done and the answer is `false`.
    /// (`migrate` itself waits for the other one and then finds nothing to do.)
    ///
    /// # Errors
    /// As [`OpsStore::migrate`].
    async fn migrate_unless_busy(&self) -> StoreResult<bool> {
        self.migrate().await.map(|()| true)
    }
}
