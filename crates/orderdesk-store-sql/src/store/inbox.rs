//! [`InboxStore`] on [`SqlStore`].

use async_trait::async_trait;
use chrono::Utc;
use orderdesk_store::{
    InboundOutcome, InboundRecord, InboundResult, InboxStore, NewInbound, Recorded, StoreResult,
};

use std::collections::HashMap;

use super::SqlStore;
use crate::batch::Rows;
use crate::{reads, Arg, Cols, Durability, SqlBackend, SqlTx};

#[async_trait]
impl<B: SqlBackend> InboxStore for SqlStore<B> {
    async fn record_inbound(&self, batch: &[NewInbound]) -> StoreResult<Vec<Recorded>> {
        if batch.is_empty() {
            return Ok(Vec::new());
        }
        let mut tx = self.0.write(Durability::Full).await?;
        // The insert itself deduplicates; RETURNING names the rows it kept.
        // Within one statement the first of two equal keys wins, which is
        // the one the input-order walk below reports as new (a later chunk's
        // repeat meets the earlier chunk's row and is not returned).
        let rows = batch
            .iter()
            .map(|item| {
                vec![
                    Arg::from(item.source.as_str()),
                    Arg::from(item.external_id.as_str()),
                    Arg::from(item.kind.as_str()),
                    Arg::from(item.customer_key.as_deref()),
                    Arg::from(item.payload.as_str()),
                    Arg::from(item.received_at),
                ]
            })
            .collect();
        let kept = Rows {
            head: "INSERT INTO inbound (source, external_id, kind, customer_key, payload, \
                   received_at)",
            casts: &["", "", "", "", "", ""],
            tail: "ON CONFLICT (source, external_id) DO NOTHING RETURNING id, source, external_id",
        }
        .fetch(&mut tx, rows)
        .await?;
        let mut stored: HashMap<(String, String), i64> = HashMap::with_capacity(kept.len());
        for row in &kept {
            stored.insert(
                (
                    row.text("source")?.unwrap_or_default(),
                    row.text("external_id")?.unwrap_or_default(),
                ),
                row.int("id")?.unwrap_or_default(),
            );
        }
        if !stored.is_empty() {
            tx.notify_inbox().await?;
        }
        tx.commit().await?;
        Ok(batch
            .iter()
            .map(|item| {
                // Removing makes a later equal key in the batch a duplicate.
                match stored.remove(&(item.source.clone(), item.external_id.clone())) {
                    Some(id) => Recorded::New(id),
                    None => Recorded::Duplicate,
                }
            })
            .collect())
    }

    async fn pending_inbound(&self, limit: u32) -> StoreResult<Vec<InboundRecord>> {
        reads::pending_inbound(&self.0, limit).await
    }

    fn apply_limit(&self) -> usize {
        self.0.apply_limit()
    }

    async fn apply_inbound(
        &self,
        batch: &[(i64, InboundOutcome)],
    ) -> StoreResult<Vec<InboundResult>> {
        if batch.is_empty() {
            return Ok(Vec::new());
        }
        let mut tx = self.0.write(Durability::Deferred).await?;
        let results = crate::complete_inbound(&mut tx, batch, Utc::now()).await?;
        tx.commit().await?;
        Ok(results)
    }
}
