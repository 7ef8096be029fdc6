//! What several instances on one database share beyond rows: the processing
//! lease and the wake-up channels.
//!
//! # The processing lease
//!
//! One instance at a time processes the inbox (why one, not claims per
//! customer: `orderdesk_store::ProcessingLease`). The lease is a
//! session-level advisory lock ([`PROCESSING_LOCK`]) taken with
//! `pg_try_advisory_lock` on a connection of its own, outside the pool, and
//! held for as long as that connection lives. We chose it over a lease row
//! with an expiry because PostgreSQL itself ends it: when the holder dies
//! (crash, `kill -9`, lost network) its session ends and the lock is
//! released with it, with no expiry to tune and no clock to trust, and the
//! others, asking again every second, take over. TCP keepalives on that
//! connection bound how long a holder that vanished without closing its
//! socket (a dead machine) keeps it. A holder that loses the connection
//! ([`LeaseHolder::still_held`] is false) stops processing before asking
//! again; in the moment between, both may be mid-batch, which is still
//! safe: applying a batch locks its inbox rows and skips processed ones.
//!
//! # Wake-ups
//!
//! [`CHANGES_CHANNEL`] (events appended, messages queued) wakes event
//! streams and dispatchers; [`INBOX_CHANNEL`] (webhook items stored) wakes
//! the lease holder's processor. Two channels, so that a burst of webhooks
//! does not make every event stream re-read the log; one listening
//! connection for both.

use std::time::Duration;

use async_trait::async_trait;
use orderdesk_store::{LeaseHolder, ProcessingLease, StoreResult};
use sqlx::postgres::PgListener;
use sqlx::{Connection as _, PgConnection};

use crate::error::db_err;
use crate::PgDb;

/// The session advisory lock key of the processing lease ("orderpro" in ASCII).
pub const PROCESSING_LOCK: i64 = 0x6f72_6465_7270_726f;
/// The channel of event and outbox wake-ups; the payload is the highest
/// event `seq` the notifying transaction wrote (0 when it only queued
/// outbound messages).
pub const CHANGES_CHANNEL: &str = "orderdesk_changes";
/// The channel sent on when webhook items were stored (no payload).
pub const INBOX_CHANNEL: &str = "orderdesk_inbox";
/// Without any notification, wake up this often anyway: a notification lost
/// in a reconnect then costs at most this much latency, never an event.
const SAFETY_POLL: Duration = Duration::from_secs(5);
/// How long the lease holder's liveness check may take before the lease
/// counts as lost.
const CHECK_TIMEOUT: Duration = Duration::from_secs(3);

/// The lease's connection: the lock lives as long as it does.
struct PgLease(PgConnection);

#[async_trait]
impl LeaseHolder for PgLease {
    async fn still_held(&mut self) -> bool {
        // A round trip on the lock's own session: if it answers, the session
        // (and so the lock) is alive.
        matches!(
            tokio::time::timeout(CHECK_TIMEOUT, self.0.ping()).await,
            Ok(Ok(()))
        )
    }
}

impl PgDb {
    pub(crate) async fn take_processing_lease(&self) -> StoreResult<Option<ProcessingLease>> {
        // Its own connection, not the pool's: the lock must live exactly as
        // long as this lease, never be handed to another task.
        let options = self.pool.connect_options();
        let mut conn = PgConnection::connect_with(&options).await.map_err(db_err)?;
        // The server notices a vanished holder within about 10 + 3 × 5 s
        // instead of the system default of hours.
        let locked: bool = sqlx::query_scalar(
            "SELECT pg_try_advisory_lock($1) FROM \
             (SELECT set_config('tcp_keepalives_idle', '10', false), \
                     set_config('tcp_keepalives_interval', '5', false), \
                     set_config('tcp_keepalives_count', '3', false)) AS keepalives",
        )
        .bind(PROCESSING_LOCK)
        .fetch_one(&mut conn)
        .await
        .map_err(db_err)?;
        if locked {
            Ok(Some(ProcessingLease::new(PgLease(conn))))
        } else {
            // Closing gracefully; a failure only means it is closed already.
            let _ = conn.close().await;
            Ok(None)
        }
    }

    /// Listens on both channels for good, riding out lost connections.
    pub(crate) async fn watch(
        &self,
        on_change: &(dyn Fn() + Send + Sync),
        on_inbox: &(dyn Fn() + Send + Sync),
    ) -> StoreResult<()> {
        let mut backoff = Duration::from_millis(100);
        loop {
            let started = tokio::time::Instant::now();
            if let Err(e) = self.listen_once(on_change, on_inbox).await {
                tracing::warn!(error = %e, "lost the change notifications; reconnecting");
            }
            if started.elapsed() > Duration::from_secs(30) {
                backoff = Duration::from_millis(100);
            }
            tokio::time::sleep(backoff).await;
            backoff = (backoff * 2).min(Duration::from_secs(5));
        }
    }

    /// Listens on [`CHANGES_CHANNEL`] and [`INBOX_CHANNEL`] until the
    /// connection fails (then returns the error); calls both callbacks
    /// after subscribing and every [`SAFETY_POLL`] without a notification,
    /// and the channel's for each burst of notifications.
    async fn listen_once(
        &self,
        on_change: &(dyn Fn() + Send + Sync),
        on_inbox: &(dyn Fn() + Send + Sync),
    ) -> Result<(), sqlx::Error> {
        // Holds one of the pool's connections for as long as it listens.
        let mut listener = PgListener::connect_with(&self.pool).await?;
        listener
            .listen_all([CHANGES_CHANNEL, INBOX_CHANNEL])
            .await?;
        let both = || {
            on_change();
            on_inbox();
        };
        // Whatever was notified while we were not listening is lost.
        both();
        loop {
            match tokio::time::timeout(SAFETY_POLL, listener.try_recv()).await {
                Ok(Ok(Some(first))) => {
                    // One wake-up per channel for everything already buffered.
                    let (mut changes, mut inbox) = (false, false);
                    let mut next = Some(first);
                    while let Some(n) = next {
                        if n.channel() == INBOX_CHANNEL {
                            inbox = true;
                        } else {
                            changes = true;
                        }
                        next = listener.next_buffered();
                    }
                    if changes {
                        on_change();
                    }
                    if inbox {
                        on_inbox();
                    }
                }
                // The connection was lost and has been re-established.
                Ok(Ok(None)) | Err(_) => both(),
                Ok(Err(e)) => return Err(e),
            }
        }
    }
}
