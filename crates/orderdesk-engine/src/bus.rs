//! Wakes event-stream readers when the log grows.
//!
//! The bus carries no events, only "something new may be in the log". Readers
//! always read the stored log from their last id, so a missed or coalesced
//! wake-up costs latency, never an event, and a slow reader cannot lag out of
//! a buffer the way it could with a broadcast channel of events.

use tokio::sync::watch;

#[derive(Clone)]
pub struct EventBus {
    tx: watch::Sender<u64>,
}

impl EventBus {
    pub fn new() -> Self {
        let (tx, _) = watch::channel(0);
        Self { tx }
    }

    /// Tells every reader to look at the log again.
    pub fn poke(&self) {
        self.tx
            .send_modify(|generation| *generation = generation.wrapping_add(1));
    }

    /// A receiver for one reader; `changed()` resolves after the next poke.
    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.tx.subscribe()
    }

    /// How many readers are waiting (for metrics).
    pub fn readers(&self) -> usize {
        self.tx.receiver_count()
    }
}

impl Default for EventBus {
    fn default() -> Self {
        Self::new()
    }
}
