//! [`StatsStore`] on [`SqlStore`].

use async_trait::async_trait;
use orderdesk_store::{StatsStore, StoreResult};

use super::SqlStore;
use crate::SqlBackend;

#[async_trait]
impl<B: SqlBackend> StatsStore for SqlStore<B> {
    async fn stat_totals(
        &self,
        from: chrono::NaiveDate,
        to: chrono::NaiveDate,
    ) -> StoreResult<Vec<(String, i64)>> {
        crate::rollups::totals(&self.0, from, to).await
    }

    async fn stat_days(
        &self,
        from: chrono::NaiveDate,
        to: chrono::NaiveDate,
        metrics: &[&str],
    ) -> StoreResult<Vec<(chrono::NaiveDate, String, i64)>> {
        crate::rollups::days(&self.0, from, to, metrics).await
    }

    async fn stats_zone(&self) -> StoreResult<Option<String>> {
        crate::rollups::zone(&self.0).await
    }

    async fn rebuild_stats(&self, time_zone: &str) -> StoreResult<()> {
        self.0.rebuild_stats(time_zone).await
    }
}
