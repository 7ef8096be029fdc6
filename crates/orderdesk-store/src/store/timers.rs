//! The [`TimerStore`] part of [`crate::Store`].

use std::time::Duration;

use async_trait::async_trait;
use orderdesk_domain::Timestamp;

use crate::{StoreResult, Timer};

/// Timers: scheduled work claimed when due and completed once run.
#[async_trait]
pub trait TimerStore: Send + Sync {
    /// Claims up to `limit` timers due at `now`, earliest first, leased until
    /// `now + lease`: a timer is handed to one claimer at a time, and only
    /// handed out again when its lease runs out uncompleted.
    ///
    /// # Errors
    /// `Unavailable` or `Other` on database failure; nothing is claimed then.
    async fn claim_due_timers(
        &self,
        now: Timestamp,
        lease: Duration,
        limit: u32,
    ) -> StoreResult<Vec<Timer>>;

    /// Removes a timer that has run. A timer set again since it was claimed has
    /// a new id and stays; an unknown id is not an error.
    ///
    /// # Errors
    /// `Unavailable` or `Other` on database failure.
    async fn complete_timer(&self, id: i64) -> StoreResult<()>;
}
