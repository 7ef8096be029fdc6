//! [`PaymentStore`] on [`SqlStore`].

use async_trait::async_trait;
use orderdesk_domain::{CodDay, OrderNumber, Timestamp};
use orderdesk_store::{AttentionPage, PaymentStore, StoreResult};

use super::SqlStore;
use crate::{Durability, SqlBackend, SqlTx};

#[async_trait]
impl<B: SqlBackend> PaymentStore for SqlStore<B> {
    async fn payment_events(
        &self,
        from: Timestamp,
        to: Timestamp,
    ) -> StoreResult<Vec<orderdesk_domain::LedgerEntry>> {
        crate::ledger::payment_events(&self.0, from, to).await
    }

    async fn order_payment_events(
        &self,
        number: OrderNumber,
    ) -> StoreResult<Vec<orderdesk_domain::LedgerEntry>> {
        crate::ledger::order_payment_events(&self.0, number).await
    }

    async fn payment_attention(
        &self,
        overdue_before: Timestamp,
        limit: u32,
    ) -> StoreResult<AttentionPage> {
        crate::ledger::payment_attention(&self.0, overdue_before, limit).await
    }

    async fn cod_to_collect(&self, from: Timestamp, to: Timestamp) -> StoreResult<Vec<CodDay>> {
        crate::ledger::cod_to_collect(&self.0, from, to).await
    }

    async fn set_document_prefixes(&self, invoice: &str, credit_note: &str) -> StoreResult<()> {
        let mut tx = self.0.write(Durability::Full).await?;
        crate::invoices::set_prefixes(&mut tx, invoice, credit_note).await?;
        tx.commit().await?;
        Ok(())
    }
}
