//! The measuring corpus: typed orders written for a grocery and a tea-stall
//! catalog (`corpus/*.csv`, importable with `orderdesk catalog import`),
//! each with the lines a person would read from it (`corpus/*.txt`).
//! `tests/corpus.rs` fails below [`TARGET_PERCENT`]; `orderdesk-bench
//! intake` prints the score and the time per message.
//!
//! A message is read *exactly* when its placed lines (product and quantity,
//! in order), its ambiguous lines (candidate sets) and its unplaced lines
//! (text, ignoring case) all equal the expectation.

use crate::{read, Catalog, CatalogItem, Reading};

/// The least share of corpus messages that must be read exactly.
pub const TARGET_PERCENT: f64 = 95.0;

/// The grocery catalog (CSV) and its messages.
pub const GROCERY: (&str, &str) = (
    include_str!("../corpus/grocery.csv"),
    include_str!("../corpus/grocery.txt"),
);
/// The tea-stall catalog (CSV) and its messages.
pub const TEA: (&str, &str) = (
    include_str!("../corpus/tea.csv"),
    include_str!("../corpus/tea.txt"),
);

/// One message and what should be read from it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Case {
    pub message: String,
    pub items: Vec<(String, u32)>,
    pub ambiguous: Vec<Vec<String>>,
    pub unmatched: Vec<String>,
}

/// Parses a corpus file (format in `corpus/grocery.txt`).
///
/// # Errors
/// A line that is none of `#`, `>`, `=`, `?`, `!` or blank, or a `=` line
/// without a whole quantity, naming its line number.
pub fn cases(text: &str) -> Result<Vec<Case>, String> {
    let mut out = Vec::new();
    let mut case = Case::default();
    for (n, line) in text.lines().enumerate() {
        let bad = || format!("corpus line {}: cannot read {line:?}", n + 1);
        let (tag, rest) = line.split_at(line.len().min(2));
        match tag.trim_end() {
            "" => {
                if !case.message.is_empty() {
                    out.push(std::mem::take(&mut case));
                }
            }
            "#" => {}
            ">" if tag == "> " || rest.is_empty() => {
                if !case.message.is_empty() {
                    case.message.push('\n');
                }
                case.message.push_str(rest);
            }
            "=" => {
                let (id, qty) = rest.rsplit_once(' ').ok_or_else(bad)?;
                case.items
                    .push((id.to_owned(), qty.parse().map_err(|_| bad())?));
            }
            "?" => {
                let mut ids: Vec<String> = rest.split_whitespace().map(str::to_owned).collect();
                ids.sort();
                case.ambiguous.push(ids);
            }
            "!" => case.unmatched.push(rest.to_lowercase()),
            _ => return Err(bad()),
        }
    }
    if !case.message.is_empty() {
        out.push(case);
    }
    Ok(out)
}

/// Reads a catalog CSV with at least `id`, `title`, and optionally `brand`
/// and `keywords` columns (unquoted fields only: enough for the corpus).
///
/// # Errors
/// A missing `id` or `title` column.
pub fn catalog_items(csv: &str) -> Result<Vec<CatalogItem>, String> {
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap_or("").split(',').collect();
    let col = |name: &str| header.iter().position(|h| h.trim() == name);
    let (Some(id), Some(title)) = (col("id"), col("title")) else {
        return Err("catalog CSV: needs id and title columns".to_owned());
    };
    let (brand, keywords) = (col("brand"), col("keywords"));
    Ok(lines
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            let get = |c: Option<usize>| c.and_then(|c| f.get(c)).copied().unwrap_or("");
            CatalogItem::new(get(Some(id)), get(Some(title)), get(brand), get(keywords))
        })
        .collect())
}

/// What a reading amounts to, in the corpus's terms.
pub fn as_case(message: &str, reading: &Reading) -> Case {
    Case {
        message: message.to_owned(),
        items: reading
            .items
            .iter()
            .map(|i| (i.retailer_id.clone(), i.quantity))
            .collect(),
        ambiguous: reading
            .ambiguous
            .iter()
            .map(|a| {
                let mut ids: Vec<String> =
                    a.candidates.iter().map(|c| c.retailer_id.clone()).collect();
                ids.sort();
                ids
            })
            .collect(),
        unmatched: reading.unmatched.iter().map(|u| u.to_lowercase()).collect(),
    }
}

/// The score of one corpus: messages read exactly, and the misses as
/// (expected, got).
#[derive(Debug, Default)]
pub struct Score {
    pub exact: usize,
    pub total: usize,
    pub misses: Vec<(Case, Case)>,
}

impl Score {
    /// Exact reads as a percentage of all messages.
    pub fn percent(&self) -> f64 {
        if self.total == 0 {
            return 0.0;
        }
        100.0 * self.exact as f64 / self.total as f64
    }
}

/// Reads every case of `corpus` (catalog CSV, messages) and scores it.
///
/// # Errors
/// When either file cannot be read (see [`cases`], [`catalog_items`]).
pub fn score((csv, text): (&str, &str)) -> Result<Score, String> {
    let catalog = Catalog::new(catalog_items(csv)?);
    let mut score = Score::default();
    for case in cases(text)? {
        let got = as_case(&case.message, &read(&catalog, &case.message));
        score.total += 1;
        if got == case {
            score.exact += 1;
        } else {
            score.misses.push((case, got));
        }
    }
    Ok(score)
}
