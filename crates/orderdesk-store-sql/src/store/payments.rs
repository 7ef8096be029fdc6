//! [`PaymentStore`] on [`SqlStore`].

use async_trait::async_trait;
use orderdesk_domain::{Order, OrderNumber, Timestamp};
use orderdesk_store::{PaymentStore, StoreResult};

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

    async fn payment_attention(&self) -> StoreResult<Vec<Order>> {
        crate::ledger::payment_attention(&self.0).await
    }

    async fn set_document_prefixes(&self, invoice: &str, credit_note: &str) -> StoreResult<()> {
        let mut tx = self.0.write(Durability::Full).await?;
        crate::invoices::set_prefixes(&mut tx, invoice, credit_note).await?;
        tx.commit().await?;
        Ok(())
    }
}
