//! The catalog as the reader sees it: each product's names (its title with
//! the brand, and each of its keywords) as folded words, its pack size,
//! an index from word to products so a line is compared with the few
//! products that share a word with it, not the whole catalog, and an index
//! of the words' deletion variants so a misspelt word is looked up, not
//! compared with every word (`typos`).

use std::collections::HashMap;

use crate::quantity::{self, Pack};
use crate::text::{self, Atom};
use crate::typos::TypoIndex;
use crate::words;

/// One product, as given to [`Catalog::new`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogItem {
    pub retailer_id: String,
    pub title: String,
    pub brand: String,
    /// Other names customers use, e.g. `["pyaz", "kanda"]` for onions.
    pub keywords: Vec<String>,
}

impl CatalogItem {
    /// A product with its keywords given as the catalog CSV has them:
    /// alternatives separated by `|` (`"pyaz|kanda"`).
    pub fn new(retailer_id: &str, title: &str, brand: &str, keywords: &str) -> Self {
        Self {
            retailer_id: retailer_id.to_owned(),
            title: title.to_owned(),
            brand: brand.to_owned(),
            keywords: keywords
                .split('|')
                .map(str::trim)
                .filter(|k| !k.is_empty())
                .map(str::to_owned)
                .collect(),
        }
    }
}

#[derive(Debug)]
pub(crate) struct Entry {
    pub retailer_id: String,
    pub title: String,
    /// The title's and brand's words (one name), then each keyword's.
    pub names: Vec<Vec<String>>,
    /// Names a customer may give in full: the title without the brand
    /// ("Amul Butter 500 g" → "butter"), and each keyword.
    pub full_names: Vec<Vec<String>>,
    pub pack: Option<Pack>,
}

/// A catalog prepared for reading: build it once, read many messages.
#[derive(Debug, Default)]
pub struct Catalog {
    pub(crate) entries: Vec<Entry>,
    /// Folded word → entries having it in any name.
    pub(crate) index: HashMap<String, Vec<usize>>,
    /// Every indexed word, sorted by length in characters, then as text
    /// (the order the typo search answers in).
    pub(crate) words: Vec<String>,
    /// `words` by their deletion variants, for the typo search.
    pub(crate) typos: TypoIndex,
}

impl Catalog {
    /// Prepares `items`; products without a usable word in any name are
    /// left out (they could never be matched).
    pub fn new(items: impl IntoIterator<Item = CatalogItem>) -> Self {
        let mut catalog = Catalog::default();
        for item in items {
            let title_atoms = atoms(&item.title);
            let pack = quantity::pack_of(&title_atoms);
            let title = name_words(&title_atoms);
            let brand = name_words(&atoms(&item.brand));
            let mut first = title.clone();
            first.extend(brand.iter().filter(|w| !title.contains(w)).cloned());
            let keywords: Vec<Vec<String>> = item
                .keywords
                .iter()
                .map(|k| name_words(&atoms(k)))
                .collect();
            let mut names = vec![first];
            names.extend(keywords.iter().cloned());
            names.retain(|n| !n.is_empty());
            let unbranded: Vec<String> = title
                .iter()
                .filter(|w| !brand.contains(w))
                .cloned()
                .collect();
            let mut full_names = vec![if unbranded.is_empty() {
                title
            } else {
                unbranded
            }];
            full_names.extend(keywords);
            full_names.retain(|n| !n.is_empty());
            if names.is_empty() {
                continue;
            }
            let at = catalog.entries.len();
            for word in names.iter().flatten() {
                let list = catalog.index.entry(word.clone()).or_default();
                if list.last() != Some(&at) {
                    list.push(at);
                }
            }
            catalog.entries.push(Entry {
                retailer_id: item.retailer_id,
                title: item.title,
                names,
                full_names,
                pack,
            });
        }
        let mut words: Vec<(usize, String)> = catalog
            .index
            .keys()
            .map(|w| (w.chars().count(), w.clone()))
            .collect();
        words.sort_unstable();
        catalog.words = words.into_iter().map(|(_, w)| w).collect();
        catalog.typos = TypoIndex::new(catalog.words.iter().map(String::as_str));
        catalog
    }

    /// How many products can be matched.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no product can be matched.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The title of the product with this retailer id.
    pub fn title(&self, retailer_id: &str) -> Option<&str> {
        self.entries
            .iter()
            .find(|e| e.retailer_id == retailer_id)
            .map(|e| e.title.as_str())
    }

    /// Indexed words equal to `word`, or within its typo budget.
    pub(crate) fn words_like(&self, word: &str) -> Vec<(&str, bool)> {
        if let Some((w, _)) = self.index.get_key_value(word) {
            return vec![(w.as_str(), true)];
        }
        let len = word.chars().count();
        let budget = words::typo_budget(len);
        if budget == 0 {
            return Vec::new();
        }
        // Word numbers follow `words`' order, so the answer keeps it.
        self.typos
            .candidates(word, budget)
            .into_iter()
            .filter_map(|n| self.words.get(n as usize))
            .filter(|candidate| words::within(word, candidate, budget))
            .map(|candidate| (candidate.as_str(), false))
            .collect()
    }
}

fn atoms(text: &str) -> Vec<Atom> {
    text.to_lowercase()
        .split(|c: char| !(c.is_alphanumeric() || c == '.'))
        .filter(|w| !w.is_empty())
        .flat_map(text::atoms_of)
        .collect()
}

/// The words of a name that a customer would type for it: not its size
/// ("500 g", "pack of 6"), not filler, folded.
pub(crate) fn name_words(atoms: &[Atom]) -> Vec<String> {
    let quantity = text::classify(atoms);
    let mut out: Vec<String> = Vec::new();
    for (atom, q) in atoms.iter().zip(quantity) {
        if let (Atom::Word(w), false) = (atom, q) {
            if words::is_filler(w) {
                continue;
            }
            let w = words::fold(w);
            if !out.contains(&w) {
                out.push(w);
            }
        }
    }
    out
}
