//! The [`Store`](orderdesk_store::Store) both SQL backends serve, written once.
//!
//! [`SqlStore`] implements every [`Store`](orderdesk_store::Store) method whose SQL both dialects
//! share (most writes through the shared write path, most reads through
//! [`crate::SqlRead`]) over a [`SqlBackend`]. A backend supplies its connections and
//! transactions, and answers the few methods whose SQL or locking really
//! differs (listed on [`SqlBackend`]): a method written there is one that
//! could not be written here.
//!
//! One file per area of the trait (`store/orders.rs` implements
//! `OrderStore`, …), matching `orderdesk-store/src/store/`.

mod catalog;
mod chat;
mod customers;
mod events;
mod inbox;
mod ops;
mod orders;
mod outbox;
mod payments;
mod settings;
mod staff;
mod stats;
mod timers;

use crate::SqlBackend;

/// A [`Store`](orderdesk_store::Store) on a SQL database: the shared implementation over one
/// backend. The backends name theirs (`SqliteStore`, `PgStore`).
#[derive(Debug, Clone)]
pub struct SqlStore<B>(B);

impl<B: SqlBackend> SqlStore<B> {
    pub fn new(backend: B) -> Self {
        Self(backend)
    }

    /// The backend, for what only it offers (closing its pools, say).
    pub fn backend(&self) -> &B {
        &self.0
    }
}
