//! The [`CatalogStore`] part of [`crate::Store`].

use async_trait::async_trait;

use crate::{Product, ProductTax, StoreResult};

/// The product catalog, with keywords and tax details.
#[async_trait]
pub trait CatalogStore: Send + Sync {
    /// Inserts or updates products by `retailer_id`, all or nothing.
    /// Returns how many rows were written.
    ///
    /// # Errors
    /// Any error means no product was written.
    async fn upsert_products(&self, products: &[Product]) -> StoreResult<u64>;

    /// Products with these retailer ids (unknown ids are simply absent).
    ///
    /// # Errors
    /// `Unavailable` or `Other` on database failure.
    async fn products_by_ids(&self, ids: &[String]) -> StoreResult<Vec<Product>>;

    /// The whole catalog, by retailer id.
    ///
    /// # Errors
    /// `Unavailable` or `Other` on database failure.
    async fn products(&self) -> StoreResult<Vec<Product>>;

    /// Sets the keywords (other names customers use, `|`-separated, `""`
    /// for none) of these products, by retailer id, in one transaction.
    ///
    /// # Errors
    /// `NotFound` if a product does not exist (nothing is changed), or
    /// `Unavailable`/`Other` on database failure.
    async fn set_product_keywords(&self, keywords: &[(String, String)]) -> StoreResult<()>;

    /// (retailer id, keywords) of every product that has keywords.
    ///
    /// # Errors
    /// `Unavailable` or `Other` on database failure.
    async fn product_keywords(&self) -> StoreResult<Vec<(String, String)>>;

    /// Sets the tax details (HSN code and rate, see [`ProductTax`]) of
    /// these products, by retailer id, in one transaction.
    ///
    /// # Errors
    /// `NotFound` if a product does not exist (nothing is changed), or
    /// `Unavailable`/`Other` on database failure.
    async fn set_product_taxes(&self, taxes: &[ProductTax]) -> StoreResult<()>;

    /// The tax details of every product that has an HSN code or its own
    /// rate, by retailer id.
    ///
    /// # Errors
    /// `Unavailable` or `Other` on database failure.
    async fn product_taxes(&self) -> StoreResult<Vec<ProductTax>>;
}
