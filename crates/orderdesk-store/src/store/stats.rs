//! The [`StatsStore`] part of [`crate::Store`].

use async_trait::async_trait;

use crate::StoreResult;

/// Insights: the daily rollups.
#[async_trait]
pub trait StatsStore: Send + Sync {
    /// The daily rollups' counters summed over the local days `from..=to`
    /// (inclusive), by metric name (see `orderdesk_domain::stats::facts`).
    ///
    /// # Errors
    /// `Unavailable` or `Other` on database failure.
    async fn stat_totals(
        &self,
        from: chrono::NaiveDate,
        to: chrono::NaiveDate,
    ) -> StoreResult<Vec<(String, i64)>>;

    /// The counters named `metrics` of each local day `from..=to`, by day.
    ///
    /// # Errors
    /// `Unavailable` or `Other` on database failure.
    async fn stat_days(
        &self,
        from: chrono::NaiveDate,
        to: chrono::NaiveDate,
        metrics: &[&str],
    ) -> StoreResult<Vec<(chrono::NaiveDate, String, i64)>>;

    /// The time zone the rollups are kept in; `None` until the first
    /// [`StatsStore::rebuild_stats`] (nothing is counted live before it).
    ///
    /// # Errors
    /// `Unavailable` or `Other` on database failure.
    async fn stats_zone(&self) -> StoreResult<Option<String>>;

    /// Recomputes every rollup from the stored history (orders, timelines,
    /// the payments ledger) by local day in `time_zone`, in one
    /// transaction, and keeps them in that zone from then on.
    ///
    /// # Errors
    /// `Unavailable` or `Other` on database failure; nothing changes then.
    async fn rebuild_stats(&self, time_zone: &str) -> StoreResult<()>;
}
