//! [`CatalogStore`] on [`SqlStore`].

use async_trait::async_trait;
use orderdesk_store::{CatalogStore, Product, StoreResult};

use super::SqlStore;
use crate::{reads, Durability, SqlBackend, SqlTx};

#[async_trait]
impl<B: SqlBackend> CatalogStore for SqlStore<B> {
    async fn upsert_products(&self, products: &[Product]) -> StoreResult<u64> {
        if products.is_empty() {
            return Ok(0);
        }
        // One transaction: a bad row leaves the catalog as it was.
        let mut tx = self.0.write(Durability::Full).await?;
        let mut written = 0;
        for p in products {
            written += tx
                .execute(
                    "INSERT INTO products (retailer_id, title, description, availability, \
                     condition, price_minor, currency, link, image_link, brand) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
                     ON CONFLICT (retailer_id) DO UPDATE SET title = excluded.title, \
                     description = excluded.description, availability = excluded.availability, \
                     condition = excluded.condition, price_minor = excluded.price_minor, \
                     currency = excluded.currency, link = excluded.link, \
                     image_link = excluded.image_link, brand = excluded.brand",
                    crate::args![
                        p.retailer_id.as_str(),
                        p.title.as_str(),
                        p.description.as_str(),
                        p.availability.as_str(),
                        p.condition.as_str(),
                        p.price_minor,
                        p.currency.as_str(),
                        p.link.as_str(),
                        p.image_link.as_str(),
                        p.brand.as_str(),
                    ],
                )
                .await?;
        }
        tx.commit().await?;
        Ok(written)
    }

    async fn products_by_ids(&self, ids: &[String]) -> StoreResult<Vec<Product>> {
        reads::products_by_ids(&self.0, ids).await
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
