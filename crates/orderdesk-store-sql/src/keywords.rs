//! Product keywords (other names customers use, `|`-separated) on the
//! shared write path: set by the catalog import, read by the typed-order
//! reader. A product's keywords live beside it in `products.keywords`.

use orderdesk_store::{StoreError, StoreResult};

use crate::reads::SqlRead;
use crate::rows::{corrupt, Cols};
use crate::{args, SqlTx};

/// `Store::set_product_keywords`: every product named must exist, or
/// nothing changes.
pub async fn set<T: SqlTx>(tx: &mut T, keywords: &[(String, String)]) -> StoreResult<()> {
    for (retailer_id, words) in keywords {
        let changed = tx
            .execute(
                "UPDATE products SET keywords = $1 WHERE retailer_id = $2",
                args![words.as_str(), retailer_id.as_str()],
            )
            .await?;
        if changed == 0 {
            return Err(StoreError::NotFound);
        }
    }
    Ok(())
}

/// `Store::product_keywords`: (retailer id, keywords) of the products
/// that have some, by retailer id.
pub async fn list<R: SqlRead>(store: &R) -> StoreResult<Vec<(String, String)>> {
    let sql = format!(
        "SELECT retailer_id, keywords FROM products WHERE keywords <> '' \
         ORDER BY retailer_id{}",
        R::BYTE_ORDER
    );
    let rows = store.read(&sql, args![]).await?;
    rows.iter()
        .map(|row| {
            let row: &dyn Cols = row;
            match (row.text("retailer_id")?, row.text("keywords")?) {
                (Some(id), Some(words)) => Ok((id, words)),
                _ => Err(corrupt("NULL", "products.keywords")),
            }
        })
        .collect()
}
