//! Typed orders: reading a customer's or a pasted message against the
//! business's catalog (`POST /api/v1/intake`), creating nothing.
//!
//! The reading itself is pure (`orderdesk-intake`); this use-case supplies
//! the catalog from the store and the rules on the input.

use orderdesk_intake::{Catalog, CatalogItem, Reading};
use orderdesk_store::{Product, StoreError};

use crate::Engine;

/// The longest text read, in characters: WhatsApp's own limit for a text
/// message, and what the reader reads of any message.
pub const MAX_TEXT: usize = orderdesk_intake::MAX_CHARS;

/// Why a text was not read.
#[derive(Debug, thiserror::Error)]
pub enum IntakeError {
    #[error("text is empty")]
    Empty,
    #[error("text is longer than {MAX_TEXT} characters")]
    TooLong,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The reader's view of the store's catalog.
pub fn catalog_of(products: &[Product]) -> Catalog {
    Catalog::new(
        products
            .iter()
            .map(|p| CatalogItem::new(&p.retailer_id, &p.title, &p.brand, "")),
    )
}

impl Engine {
    /// Reads `text` as an order against the whole catalog.
    ///
    /// # Errors
    /// [`IntakeError::Empty`] for blank text, [`IntakeError::TooLong`] over
    /// [`MAX_TEXT`] characters, or the store's error.
    pub async fn read_typed_order(&self, text: &str) -> Result<Reading, IntakeError> {
        if text.trim().is_empty() {
            return Err(IntakeError::Empty);
        }
        if text.chars().nth(MAX_TEXT).is_some() {
            return Err(IntakeError::TooLong);
        }
        let products = self.store().products().await?;
        Ok(orderdesk_intake::read(&catalog_of(&products), text))
    }
}
