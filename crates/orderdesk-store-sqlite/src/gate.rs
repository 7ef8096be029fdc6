//! The gate in front of SQLite's one writer connection.
//!
//! Every write transaction holds it from `PRAGMA synchronous` to its end,
//! so the durability a transaction asked for is the one its commit gets.
//! The gate remembers the `synchronous` level the connection is at, so a
//! run of transactions of one kind (acknowledgements are all `Full`) skips
//! the pragma's round trip.
//!
//! It also measures how long writers wait for the gate and hold it, by
//! durability: on one writer, time held by processing is time every
//! acknowledgement may wait. A summary goes to the log at `debug` (target
//! `orderdesk_store_sqlite::writer`) about once a second while writes run.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::{Mutex, OwnedMutexGuard};
use tracing::debug;

use orderdesk_store_sql::Durability;

/// How often the writer's figures are logged while there are writes.
const REPORT_EVERY: Duration = Duration::from_secs(1);

/// Shared by every clone of the store.
#[derive(Debug, Clone)]
pub(crate) struct WriteGate(Arc<Mutex<GateState>>);

#[derive(Debug)]
pub(crate) struct GateState {
    /// The writer connection's `synchronous` level, when known. `None`
    /// after a failed pragma; a replaced connection starts at `FULL`
    /// (the pool's options), so a stale `Deferred` here can only make a
    /// commit more durable than asked, never less.
    pub(crate) synchronous: Option<Durability>,
    full: Figures,
    deferred: Figures,
    since: Instant,
}

/// Waits and holds of one durability since the last report.
#[derive(Debug, Default)]
struct Figures {
    count: u64,
    waited: Duration,
    held: Duration,
    max_waited: Duration,
    max_held: Duration,
}

impl Figures {
    fn add(&mut self, waited: Duration, held: Duration) {
        self.count += 1;
        self.waited += waited;
        self.held += held;
        self.max_waited = self.max_waited.max(waited);
        self.max_held = self.max_held.max(held);
    }

    fn report(&self, kind: &str, window: Duration) {
        if self.count == 0 {
            return;
        }
        let ms = |d: Duration| d.as_secs_f64() * 1e3;
        #[allow(clippy::cast_precision_loss)] // counts far below 2^52
        let n = self.count as f64;
        debug!(
            target: "orderdesk_store_sqlite::writer",
            kind,
            transactions = self.count,
            held_share = format!("{:.0} %", 100.0 * self.held.as_secs_f64() / window.as_secs_f64()),
            mean_wait_ms = format!("{:.2}", ms(self.waited) / n),
            max_wait_ms = format!("{:.2}", ms(self.max_waited)),
            mean_hold_ms = format!("{:.2}", ms(self.held) / n),
            max_hold_ms = format!("{:.2}", ms(self.max_held)),
            "sqlite writer"
        );
    }
}

impl Default for WriteGate {
    fn default() -> Self {
        Self(Arc::new(Mutex::new(GateState {
            synchronous: None,
            full: Figures::default(),
            deferred: Figures::default(),
            since: Instant::now(),
        })))
    }
}

impl WriteGate {
    /// Waits for the writer (first come, first served).
    pub(crate) async fn enter(&self, durability: Durability) -> Held {
        let asked = Instant::now();
        let guard = self.0.clone().lock_owned().await;
        let entered = Instant::now();
        Held {
            guard,
            durability,
            waited: entered - asked,
            entered,
        }
    }
}

/// The writer, held until dropped (after the transaction's end).
#[derive(Debug)]
pub(crate) struct Held {
    guard: OwnedMutexGuard<GateState>,
    durability: Durability,
    waited: Duration,
    entered: Instant,
}

impl Held {
    pub(crate) fn state(&mut self) -> &mut GateState {
        &mut self.guard
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        let held = self.entered.elapsed();
        let state = &mut *self.guard;
        match self.durability {
            Durability::Full => state.full.add(self.waited, held),
            Durability::Deferred => state.deferred.add(self.waited, held),
        }
        let window = state.since.elapsed();
        if window >= REPORT_EVERY {
            state.full.report("durable", window);
            state.deferred.report("deferred", window);
            state.full = Figures::default();
            state.deferred = Figures::default();
            state.since = Instant::now();
        }
    }
}
