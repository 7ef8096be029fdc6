//! Insights (`GET /api/v1/stats`, `/insights`): the report of a range of
//! the business's days, from the daily rollups the write path keeps.
//!
//! The rollups are kept by local day in one time zone. When the business's
//! zone differs from theirs (the first request after an upgrade, or after
//! the zone setting changed) they are rebuilt from the stored history
//! first, once; every later request only sums a few hundred rows.

use std::collections::BTreeMap;

use chrono::Utc;
use orderdesk_domain::stats::{local_day, report, StatsQuery, StatsQueryError, StatsReport};
use orderdesk_store::StoreError;

use crate::Engine;

/// Why a stats request failed.
#[derive(Debug, thiserror::Error)]
pub enum StatsError {
    /// A parameter the caller got wrong (the error names it).
    #[error(transparent)]
    Query(#[from] StatsQueryError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What a stats request asks for, as given (each may be absent).
#[derive(Debug, Clone, Copy, Default)]
pub struct StatsAsk<'a> {
    pub from: Option<&'a str>,
    pub to: Option<&'a str>,
    pub bucket: Option<&'a str>,
}

impl Engine {
    /// The report of the days `ask` names, in the business's time zone.
    ///
    /// # Errors
    /// [`StatsError::Query`] for a bad parameter, before any read;
    /// [`StatsError::Store`] on a store failure.
    pub async fn stats(&self, ask: StatsAsk<'_>) -> Result<StatsReport, StatsError> {
        let zone = self.settings().local().time_zone().to_owned();
        let today = local_day(Utc::now(), &zone);
        let q = StatsQuery::parse(ask.from, ask.to, ask.bucket, today)?;
        let store = self.store();
        if store.stats_zone().await?.as_deref() != Some(zone.as_str()) {
            tracing::info!(time_zone = %zone, "rebuilding the insights' daily rollups");
            store.rebuild_stats(&zone).await?;
        }
        let totals: BTreeMap<String, i64> =
            store.stat_totals(q.from, q.to).await?.into_iter().collect();
        let prev = q.previous();
        let previous: BTreeMap<String, i64> = store
            .stat_totals(prev.from, prev.to)
            .await?
            .into_iter()
            .collect();
        let first = q.bucket_starts().first().copied().unwrap_or(q.from);
        let days = store
            .stat_days(first, q.to, &orderdesk_domain::stats::report::SERIES)
            .await?;
        let mut r = report(&q, &zone, &totals, &days, &previous, &BTreeMap::new());
        // Titles only for the few products listed, not every one sold.
        let ids: Vec<String> = r
            .top_products
            .iter()
            .map(|p| p.product_id.clone())
            .collect();
        if !ids.is_empty() {
            let titles: BTreeMap<String, String> = store
                .products_by_ids(&ids)
                .await?
                .into_iter()
                .map(|p| (p.retailer_id, p.title))
                .collect();
            for p in &mut r.top_products {
                p.name = titles.get(&p.product_id).cloned();
            }
        }
        Ok(r)
    }
}
