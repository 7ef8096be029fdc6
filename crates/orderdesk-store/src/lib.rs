//! The storage trait every backend implements, the records it speaks in, and
//! (feature `conformance`) the conformance suite both backends must pass.
//!
//! Methods are whole units of work: each is one transaction inside the
//! backend, so transactions never cross the trait and each backend picks its
//! own locking. Every change to an order appends to the global event log in
//! the same transaction, which is what feeds timelines, the live stream and
//! replay after a reconnect.

#[cfg(feature = "conformance")]
pub mod conformance;
mod conversation;
mod customers;
mod error;
mod lease;
mod ops_status;
mod order_fields;
mod product_tax;
mod records;
mod refunds;
pub mod search;
mod settings;
mod store;
mod timers;

pub use conversation::*;
pub use customers::{CustomerQuery, CustomerSummary};
pub use error::{StoreError, StoreResult};
pub use lease::{LeaseHolder, LocalLease, ProcessingLease};
pub use ops_status::{LastError, OpsStatus, RECENT_ROWS};
pub use order_fields::OrderFields;
pub use product_tax::ProductTax;
pub use records::*;
pub use refunds::RefundChange;
pub use settings::{CustomerLanguage, LanguageSource, SettingChange, StoredSetting};
pub use store::{
    AttentionPage, CatalogStore, ChatStore, CustomerStore, EventLogStore, InboxStore, OpsStore,
    OrderStore, OutboxStore, PaymentStore, SettingsStore, StaffStore, StatsStore, Store,
    TimerStore,
};
pub use timers::*;

/// The area traits [`Store`] is made of, for code that calls store methods
/// on a concrete store type (a `dyn Store` or an `S: Store` needs no import)
/// or implements the areas.
pub mod prelude {
    pub use crate::store::{
        CatalogStore as _, ChatStore as _, CustomerStore as _, EventLogStore as _, InboxStore as _,
        OpsStore as _, OrderStore as _, OutboxStore as _, PaymentStore as _, SettingsStore as _,
        StaffStore as _, StatsStore as _, TimerStore as _,
    };
    pub use crate::Store;
}

/// What [`EventLogStore::prune_events`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PrunedEvents {
    /// Events deleted now.
    pub deleted: u64,
    /// The highest sequence number pruned so far (0 if none).
    pub through: i64,
}

/// A `LIKE` pattern matching `text` anywhere, with `%`, `_` and the escape
/// character `\` in it matching literally (use with `ESCAPE '\'`). Shared
/// by both backends so search behaves the same on each.
pub fn like_pattern(text: &str) -> String {
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

#[cfg(test)]
mod tests {
    use super::like_pattern;

    #[test]
    fn like_patterns_match_wildcards_literally() {
        assert_eq!(like_pattern("asha"), "%asha%");
        assert_eq!(like_pattern("100%_a\\b"), "%100\\%\\_a\\\\b%");
    }
}
