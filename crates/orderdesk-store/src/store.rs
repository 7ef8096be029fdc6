//! The [`Store`] trait, made of one supertrait per area so each fits in a
//! head: a new method goes in the file of its area (see `CONTRIBUTING.md`).
//!
//! Callers hold `Arc<dyn Store>` or take `S: Store` and call any area's
//! methods without importing it (a trait object's and a bound's supertraits
//! are in scope). Code calling methods on a concrete store type, or
//! implementing an area, imports the areas with
//! `use orderdesk_store::prelude::*`.

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

pub use catalog::CatalogStore;
pub use chat::ChatStore;
pub use customers::CustomerStore;
pub use events::EventLogStore;
pub use inbox::InboxStore;
pub use ops::OpsStore;
pub use orders::OrderStore;
pub use outbox::OutboxStore;
pub use payments::{AttentionPage, PaymentStore};
pub use settings::SettingsStore;
pub use staff::StaffStore;
pub use stats::StatsStore;
pub use timers::TimerStore;

/// Durable state of one orderdesk installation: every area's methods.
///
/// Methods are whole units of work: each is one transaction inside the
/// backend. Implemented for every type implementing all the areas; a
/// backend implements the areas, never this trait.
pub trait Store:
    OpsStore
    + InboxStore
    + OrderStore
    + CustomerStore
    + OutboxStore
    + ChatStore
    + TimerStore
    + EventLogStore
    + StaffStore
    + SettingsStore
    + CatalogStore
    + PaymentStore
    + StatsStore
    + Send
    + Sync
    + 'static
{
}

impl<T> Store for T where
    T: OpsStore
        + InboxStore
        + OrderStore
        + CustomerStore
        + OutboxStore
        + ChatStore
        + TimerStore
        + EventLogStore
        + StaffStore
        + SettingsStore
        + CatalogStore
        + PaymentStore
        + StatsStore
        + Send
        + Sync
        + 'static
{
}
