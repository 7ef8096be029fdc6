//! [`CustomerStore`] on [`SqlStore`].

use async_trait::async_trait;
use orderdesk_domain::{Order, Timestamp};
use orderdesk_store::{CustomerRecord, CustomerStore, StoreResult};

use super::SqlStore;
use crate::{reads, Durability, SqlBackend, SqlTx};

#[async_trait]
impl<B: SqlBackend> CustomerStore for SqlStore<B> {
    async fn customer(&self, key: &str) -> StoreResult<Option<CustomerRecord>> {
        reads::customer(&self.0, key).await
    }

    async fn customer_by_wa_id(&self, wa_id: &str) -> StoreResult<Option<CustomerRecord>> {
        crate::customer_by_wa_id(&self.0, wa_id).await
    }

    async fn customers(
        &self,
        query: &orderdesk_store::CustomerQuery,
    ) -> StoreResult<Vec<orderdesk_store::CustomerSummary>> {
        crate::customers::list(&self.0, query).await
    }

    async fn customer_summary(
        &self,
        wa_id: &str,
    ) -> StoreResult<Option<orderdesk_store::CustomerSummary>> {
        crate::customers::summary_of(&self.0, wa_id).await
    }

    async fn customer_orders(&self, wa_id: &str, limit: u32) -> StoreResult<Vec<Order>> {
        crate::customers::orders(&self.0, wa_id, limit).await
    }

    async fn set_customer_blocked(
        &self,
        wa_id: &str,
        blocked: Option<(Timestamp, String)>,
    ) -> StoreResult<()> {
        let mut tx = self.0.write(Durability::Full).await?;
        crate::customers::set_blocked(&mut tx, wa_id, blocked).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn blocked_customers(&self, keys: &[String]) -> StoreResult<Vec<String>> {
        crate::customers::blocked(&self.0, keys).await
    }

    async fn save_typed_draft(&self, draft: &orderdesk_store::TypedDraft) -> StoreResult<()> {
        let mut tx = self.0.write(Durability::Full).await?;
        crate::typed_drafts::save(&mut tx, draft).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn typed_draft(
        &self,
        customer_key: &str,
    ) -> StoreResult<Option<orderdesk_store::TypedDraft>> {
        crate::typed_drafts::get(&self.0, customer_key).await
    }

    async fn customer_language(
        &self,
        customer_key: &str,
    ) -> StoreResult<Option<orderdesk_store::CustomerLanguage>> {
        crate::customer_language(&self.0, customer_key).await
    }

    async fn customer_languages(
        &self,
        keys: &[String],
    ) -> StoreResult<Vec<orderdesk_store::CustomerLanguage>> {
        crate::settings::customer_languages(&self.0, keys).await
    }

    async fn set_customer_language(
        &self,
        customer_key: &str,
        language: Option<&str>,
        source: orderdesk_store::LanguageSource,
        at: Timestamp,
    ) -> StoreResult<Option<orderdesk_store::CustomerLanguage>> {
        let mut tx = self.0.write(Durability::Full).await?;
        let stored =
            crate::set_customer_language(&mut tx, customer_key, language, source, at).await?;
        tx.commit().await?;
        Ok(stored)
    }
}
