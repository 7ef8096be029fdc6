//! Product tax details (HSN code, own rate) on the shared write path: set
//! by the catalog import, read when an invoice is made. They live beside
//! the product in `products.hsn` and `products.tax_rate_bp`.

use orderdesk_store::{ProductTax, StoreError, StoreResult};

use crate::reads::SqlRead;
use crate::rows::{corrupt, Cols};
use crate::{args, SqlTx};

/// `Store::set_product_taxes`: every product named must exist, or nothing
/// changes.
pub async fn set<T: SqlTx>(tx: &mut T, taxes: &[ProductTax]) -> StoreResult<()> {
    for tax in taxes {
        let changed = tx
            .execute(
                "UPDATE products SET hsn = $1, tax_rate_bp = $2 WHERE retailer_id = $3",
                args![tax.hsn.as_str(), tax.rate_bp, tax.retailer_id.as_str()],
            )
            .await?;
        if changed == 0 {
            return Err(StoreError::NotFound);
        }
    }
    Ok(())
}

/// `Store::product_taxes`.
pub async fn list<R: SqlRead>(store: &R) -> StoreResult<Vec<ProductTax>> {
    let sql = format!(
        "SELECT retailer_id, hsn, tax_rate_bp FROM products \
         WHERE hsn <> '' OR tax_rate_bp IS NOT NULL ORDER BY retailer_id{}",
        R::BYTE_ORDER
    );
    let rows = store.read(&sql, args![]).await?;
    rows.iter()
        .map(|row| {
            let row: &dyn Cols = row;
            match (row.text("retailer_id")?, row.text("hsn")?) {
                (Some(retailer_id), Some(hsn)) => Ok(ProductTax {
                    retailer_id,
                    hsn,
                    rate_bp: row.int("tax_rate_bp")?,
                }),
                _ => Err(corrupt("NULL", "products.hsn")),
            }
        })
        .collect()
}
