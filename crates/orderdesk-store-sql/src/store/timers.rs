//! [`TimerStore`] on [`SqlStore`].

use std::time::Duration;

use async_trait::async_trait;
use orderdesk_domain::Timestamp;
use orderdesk_store::{StoreResult, Timer, TimerStore};

use super::SqlStore;
use crate::{Durability, SqlBackend, SqlTx};

#[async_trait]
impl<B: SqlBackend> TimerStore for SqlStore<B> {
    async fn claim_due_timers(
        &self,
        now: Timestamp,
        lease: Duration,
        limit: u32,
    ) -> StoreResult<Vec<Timer>> {
        self.0.claim_due_timers(now, lease, limit).await
    }

    async fn complete_timer(&self, id: i64) -> StoreResult<()> {
        let mut tx = self.0.write(Durability::Full).await?;
        crate::complete_timer(&mut tx, id).await?;
        tx.commit().await
    }
}
