//! Typed orders: reading a customer's or a pasted message against the
//! business's catalog (`POST /api/v1/intake`), creating nothing.
//!
//! The reading itself is pure (`orderdesk-intake`); this use-case supplies
//! the catalog from the store and the rules on the input.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use orderdesk_domain::{Draft, DraftLine, DraftQuestion, Money};
use orderdesk_intake::{Catalog, CatalogItem, Reading};
use orderdesk_store::{Product, Store, StoreError};

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

/// A reading as a draft order priced from `products` (the catalog it was
/// read against): what the customer is shown before anything is ordered.
/// A line whose product has since left the catalog is named as unplaced
/// rather than priced at nothing.
pub fn draft_of(reading: &Reading, products: &[Product]) -> Draft {
    let by_id: HashMap<&str, &Product> = products
        .iter()
        .map(|p| (p.retailer_id.as_str(), p))
        .collect();
    let mut draft = Draft::default();
    for item in &reading.items {
        match by_id.get(item.retailer_id.as_str()) {
            Some(p) => draft.lines.push(DraftLine {
                retailer_id: p.retailer_id.clone(),
                title: p.title.clone(),
                quantity: item.quantity,
                unit_price: Money::from_minor(p.price_minor, p.currency),
            }),
            None => draft.unplaced.push(item.text.clone()),
        }
    }
    draft.questions = reading
        .ambiguous
        .iter()
        .map(|a| DraftQuestion {
            text: a.text.clone(),
            candidates: a.candidates.iter().map(|c| c.title.clone()).collect(),
        })
        .collect();
    draft.unplaced.extend(reading.unmatched.iter().cloned());
    draft
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

impl CatalogCache {
    /// Reads `text` against the store's catalog as it is now; also returns
    /// the products it was read against, to price a draft from.
    ///
    /// # Errors
    /// [`IntakeError::Empty`] for blank text, [`IntakeError::TooLong`] over
    /// [`MAX_TEXT`] characters, or the store's error.
    pub(crate) async fn read(
        &self,
        store: &dyn Store,
        text: &str,
    ) -> Result<(Reading, Vec<Product>), IntakeError> {
        if text.trim().is_empty() {
            return Err(IntakeError::Empty);
        }
        if text.chars().nth(MAX_TEXT).is_some() {
            return Err(IntakeError::TooLong);
        }
        let products = store.products().await?;
        let keywords = store.product_keywords().await?;
        let catalog = self.get((products.clone(), keywords));
        Ok((orderdesk_intake::read(&catalog, text), products))
    }
}

impl Engine {
    /// Reads `text` as an order against the whole catalog.
    ///
    /// # Errors
    /// [`IntakeError::Empty`] for blank text, [`IntakeError::TooLong`] over
    /// [`MAX_TEXT`] characters, or the store's error.
    pub async fn read_typed_order(&self, text: &str) -> Result<Reading, IntakeError> {
        let (reading, _) = self.intake.read(self.store().as_ref(), text).await?;
        Ok(reading)
    }
}

#[cfg(test)]
mod tests {
    use orderdesk_domain::Currency;

    use super::*;

    fn product(id: &str, title: &str, price_minor: i64) -> Product {
        Product {
            retailer_id: id.to_owned(),
            title: title.to_owned(),
            description: String::new(),
            availability: "in stock".to_owned(),
            condition: "new".to_owned(),
            price_minor,
            currency: Currency::parse("INR").unwrap(),
            link: String::new(),
            image_link: String::new(),
            brand: String::new(),
        }
    }

    fn shop() -> Vec<Product> {
        vec![
            product("atta", "Aashirvaad Atta 1 kg", 5_500),
            product("toor", "Toor Dal 1 kg", 16_000),
            product("moong", "Moong Dal 1 kg", 14_000),
        ]
    }

    fn draft(products: &[Product], text: &str) -> Draft {
        let catalog = catalog_of(products, &[]);
        draft_of(&orderdesk_intake::read(&catalog, text), products)
    }

    #[test]
    fn placed_lines_are_priced_from_the_catalog() {
        let d = draft(&shop(), "2 atta");
        assert_eq!(d.lines.len(), 1);
        assert_eq!(d.lines[0].title, "Aashirvaad Atta 1 kg");
        assert_eq!(d.lines[0].quantity, 2);
        assert_eq!(d.total().unwrap().map(|m| m.minor()), Some(11_000));
    }

    #[test]
    fn an_ambiguous_line_asks_with_the_candidates_titles() {
        let d = draft(&shop(), "dal");
        assert!(d.lines.is_empty());
        let mut candidates = d.questions[0].candidates.clone();
        candidates.sort();
        assert_eq!(candidates, ["Moong Dal 1 kg", "Toor Dal 1 kg"]);
    }

    #[test]
    fn a_product_gone_from_the_catalog_is_unplaced_not_free() {
        let catalog = catalog_of(&shop(), &[]);
        let reading = orderdesk_intake::read(&catalog, "2 atta");
        let d = draft_of(&reading, &shop()[1..]);
        assert!(d.lines.is_empty());
        assert_eq!(d.unplaced, ["2 atta"]);
    }
}
