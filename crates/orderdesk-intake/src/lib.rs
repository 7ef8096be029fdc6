//! Reads a typed order — "2 kg atta, ek amul butter, aadha kilo tamatar" —
//! into catalog lines, deterministically and with no outside service.
//!
//! ```
//! use orderdesk_intake::{read, Catalog, CatalogItem};
//! let catalog = Catalog::new([
//!     CatalogItem::new("atta-5", "Aashirvaad Atta 1 kg", "Aashirvaad", "gehu ka atta"),
//!     CatalogItem::new("butter", "Amul Butter 500 g", "Amul", ""),
//!     CatalogItem::new("tomato", "Tomato 500 g", "", "tamatar"),
//! ]);
//! let reading = read(&catalog, "2 kg atta, ek amul butter, aadha kilo tamatar");
//! let lines: Vec<_> = reading.items.iter().map(|i| (i.retailer_id.as_str(), i.quantity)).collect();
//! assert_eq!(lines, [("atta-5", 2), ("butter", 1), ("tomato", 1)]);
//! ```
//!
//! A pure crate (no I/O, no async) of its own rather than a domain module:
//! its vocabulary tables and matching are self-contained, the engine, the
//! web API and the bench all call it, and its corpus test can run without
//! building anything else. How a line is cut, what a quantity means and how
//! a product is chosen are documented in `text`, `quantity` and `matcher`.
//!
//! Bounded: at most [`MAX_CHARS`] characters and [`MAX_LINES`] lines are
//! read ([`Reading::truncated`] says when a message was cut), and each line
//! is compared only with the products sharing a word with it.

mod catalog;
pub mod corpus;
mod matcher;
mod quantity;
mod text;
mod typos;
mod words;

#[cfg(test)]
mod tests;

use serde::Serialize;

pub use catalog::{Catalog, CatalogItem};
pub use quantity::Pack;

/// Characters of a message that are read (WhatsApp's own limit for a text).
pub const MAX_CHARS: usize = 4096;
/// Lines of a message that are read; an order is rarely a tenth of this.
pub const MAX_LINES: usize = 100;
/// The most packs one line may ask for; more is reported as unplaced.
pub const MAX_QUANTITY: u32 = 999;

/// What a message says, line by line.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Reading {
    /// Lines placed on exactly one product, in the order written.
    pub items: Vec<Item>,
    /// Lines that name several products equally well (e.g. "dal" with two
    /// dals): to be asked back, never guessed.
    pub ambiguous: Vec<Ambiguous>,
    /// Lines (and questions) that could not be placed, as written.
    pub unmatched: Vec<String>,
    /// Whether the message was longer than [`MAX_CHARS`] or [`MAX_LINES`]
    /// and only its start was read.
    pub truncated: bool,
}

/// One placed line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Item {
    pub retailer_id: String,
    /// Packs of the product, at least 1.
    pub quantity: u32,
    /// The line as the customer wrote it.
    pub text: String,
}

/// A line that fits several products.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Ambiguous {
    pub text: String,
    /// The products it fits equally well, as in the catalog.
    pub candidates: Vec<Candidate>,
    /// Packs asked for, should the customer pick one (reading the count
    /// and size against the first candidate).
    pub quantity: u32,
}

/// A product an ambiguous line may mean.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Candidate {
    pub retailer_id: String,
    pub title: String,
}

impl Reading {
    /// Whether the message reads as an order at all (at least one line
    /// placed or nearly placed).
    pub fn is_order(&self) -> bool {
        !self.items.is_empty() || !self.ambiguous.is_empty()
    }
}

/// Reads `message` against `catalog`.
pub fn read(catalog: &Catalog, message: &str) -> Reading {
    let split = text::split(message, MAX_CHARS, MAX_LINES);
    let mut reading = Reading {
        truncated: split.truncated,
        ..Reading::default()
    };
    for line in split.lines {
        let mut query = Vec::new();
        let mut pleasantries_only = true;
        let mut question = line.question;
        let words: Vec<&str> = line
            .atoms
            .iter()
            .zip(&line.quantity)
            .filter_map(|(a, q)| match (a, q) {
                (text::Atom::Word(w), false) => Some(w.as_str()),
                _ => None,
            })
            .collect();
        if let Some(first) = words.first() {
            question |= words::opens_question(first, words.get(1).copied());
        }
        for w in &words {
            question |= words::is_question_word(w);
            if words::is_filler(w) {
                continue;
            }
            if !words::is_pleasantry(w) {
                pleasantries_only = false;
            }
            query.push(words::fold(w));
        }
        if question {
            reading.unmatched.push(line.text);
            continue;
        }
        if query.is_empty() || pleasantries_only {
            // "hi", "thanks", a stray number: nothing to place or report.
            if query.is_empty() && line.quantity.iter().any(|q| *q) {
                reading.unmatched.push(line.text);
            }
            continue;
        }
        let amount = quantity::amount(&line.atoms, &line.quantity);
        let mut found = matcher::find(catalog, &query, amount.size());
        if found == matcher::Found::Nothing {
            // "hi bhaiya 2 kg atta": greetings inside a line, unless a
            // product is named by them ("Good Day"), which the first try found.
            query.retain(|w| !words::is_pleasantry(w));
            found = matcher::find(catalog, &query, amount.size());
        }
        match found {
            matcher::Found::One(at) => {
                let entry = &catalog.entries[at];
                match amount.packs(entry.pack) {
                    Some(quantity) => reading.items.push(Item {
                        retailer_id: entry.retailer_id.clone(),
                        quantity,
                        text: line.text,
                    }),
                    None => reading.unmatched.push(line.text),
                }
            }
            matcher::Found::Several(ats) => {
                let quantity = amount.packs(catalog.entries[ats[0]].pack).unwrap_or(1);
                reading.ambiguous.push(Ambiguous {
                    text: line.text,
                    candidates: ats
                        .iter()
                        .map(|at| Candidate {
                            retailer_id: catalog.entries[*at].retailer_id.clone(),
                            title: catalog.entries[*at].title.clone(),
                        })
                        .collect(),
                    quantity,
                });
            }
            matcher::Found::Nothing => reading.unmatched.push(line.text),
        }
    }
    reading
}
