//! The processing lease: which one of the processes sharing a database
//! turns inbox items into orders and messages right now.
//!
//! One holder at a time, rather than every process claiming items: the
//! processor decides from reads made before its transaction (is there an
//! open order, what did the customer say last), and two processors deciding
//! about one customer at once could each decide from a state the other is
//! about to change. With one holder those decisions are never stale with
//! respect to another processor, and no work is done twice.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use async_trait::async_trait;

/// What a backend keeps while its process holds the lease.
#[async_trait]
pub trait LeaseHolder: Send + Sync {
    /// Whether the lease is still this process's. `false` once it may have
    /// passed to another process (its connection to the database is gone);
    /// the holder must then stop processing and ask again.
    async fn still_held(&mut self) -> bool;
}

/// The right to process the inbox, given up when dropped.
pub struct ProcessingLease(Box<dyn LeaseHolder>);

impl ProcessingLease {
    pub fn new(holder: impl LeaseHolder + 'static) -> Self {
        Self(Box::new(holder))
    }

    /// See [`LeaseHolder::still_held`].
    pub async fn still_held(&mut self) -> bool {
        self.0.still_held().await
    }
}

impl std::fmt::Debug for ProcessingLease {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ProcessingLease")
    }
}

/// The lease of a database only one process opens (SQLite): a flag in that
/// process, so two processors of one process still take turns.
#[derive(Debug, Default, Clone)]
pub struct LocalLease(Arc<AtomicBool>);

impl LocalLease {
    /// The lease, unless a [`ProcessingLease`] from this flag is still alive.
    pub fn try_take(&self) -> Option<ProcessingLease> {
        self.0
            .compare_exchange(false, true, Ordering::AcqRel, Ordering::Acquire)
            .ok()
            .map(|_| ProcessingLease::new(LocalHold(self.0.clone())))
    }
}

struct LocalHold(Arc<AtomicBool>);

#[async_trait]
impl LeaseHolder for LocalHold {
    async fn still_held(&mut self) -> bool {
        true
    }
}

impl Drop for LocalHold {
    fn drop(&mut self) {
        self.0.store(false, Ordering::Release);
    }
}
