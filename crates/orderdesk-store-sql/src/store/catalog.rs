//! [`CatalogStore`] on [`SqlStore`].

use async_trait::async_trait;
use orderdesk_store::{CatalogStore, Product, StoreResult};

use super::SqlStore;
use crate::{reads, Durability, SqlBackend, SqlTx};

#[async_trait]
impl<B: SqlBackend> CatalogStore for SqlStore<B> {
    async fn upsert_products(&self, products: &[Product]) -> StoreResult<u64> {
        self.0.upsert_products(products).await
    }

    async fn products_by_ids(&self, ids: &[String]) -> StoreResult<Vec<Product>> {
        self.0.products_by_ids(ids).await
    }

    async fn products(&self) -> StoreResult<Vec<Product>> {
        reads::products(&self.0).await
    }

    async fn set_product_keywords(&self, keywords: &[(String, String)]) -> StoreResult<()> {
        let mut tx = self.0.write(Durability::Full).await?;
        crate::keywords::set(&mut tx, keywords).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn product_keywords(&self) -> StoreResult<Vec<(String, String)>> {
        crate::keywords::list(&self.0).await
    }

    async fn set_product_taxes(&self, taxes: &[orderdesk_store::ProductTax]) -> StoreResult<()> {
        let mut tx = self.0.write(Durability::Full).await?;
        crate::product_tax::set(&mut tx, taxes).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn product_taxes(&self) -> StoreResult<Vec<orderdesk_store::ProductTax>> {
        crate::product_tax::list(&self.0).await
    }
}
