//! Typed orders: reading a customer's or a pasted message against the
//! business's catalog (`POST /api/v1/intake`), creating nothing.
//!
//! The reading itself is pure (`orderdesk-intake`); this use-case supplies
//! the catalog from the store and the rules on the input.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

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

/// The reader's view of the store's catalog: each product with its
/// keywords (`(retailer id, "pyaz|kanda")`, as `Store::product_keywords`).
pub fn catalog_of(products: &[Product], keywords: &[(String, String)]) -> Catalog {
    let keywords: HashMap<&str, &str> = keywords
        .iter()
        .map(|(id, k)| (id.as_str(), k.as_str()))
        .collect();
    Catalog::new(products.iter().map(|p| {
        let words = keywords.get(p.retailer_id.as_str()).copied().unwrap_or("");
        CatalogItem::new(&p.retailer_id, &p.title, &p.brand, words)
    }))
}

/// The last catalog indexed, with the products it was built from: indexing
/// 5,000 products takes tens of milliseconds, reading a message against the
/// index well under one, so a read re-indexes only when the products
/// changed (an import, a feed sync).
#[derive(Clone, Default)]
pub(crate) struct CatalogCache(Arc<Mutex<Option<Indexed>>>);

/// Products and the index built from them.
type Indexed = (Sources, Arc<Catalog>);

/// What a catalog index is built from: the products and their keywords.
type Sources = (Vec<Product>, Vec<(String, String)>);

impl CatalogCache {
    /// The index of `sources`, built only if they differ from last time.
    fn get(&self, sources: Sources) -> Arc<Catalog> {
        // A poisoned lock only means a reader panicked mid-update: rebuild.
        let mut slot = self.0.lock().unwrap_or_else(|poisoned| {
            let mut guard = poisoned.into_inner();
            *guard = None;
            guard
        });
        match slot.as_ref() {
            Some((cached, catalog)) if *cached == sources => catalog.clone(),
            _ => {
                let catalog = Arc::new(catalog_of(&sources.0, &sources.1));
                *slot = Some((sources, catalog.clone()));
                catalog
            }
        }
    }
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
        let keywords = self.store().product_keywords().await?;
        let catalog = self.intake.get((products, keywords));
        Ok(orderdesk_intake::read(&catalog, text))
    }
}
