//! Finds the product a line names.
//!
//! Each product is scored on (1) how many of the line's words it has in
//! some name, (2) how many of those without a typo, (3) whether the line
//! gives one of its names in full: its title without the brand, or a
//! keyword ("amul butter" gives all of "Amul Butter" but not of "Amul
//! Garlic Butter"; "chai" is the full keyword of the stall's masala chai,
//! so it wins over "Cutting Chai"). A longer or shorter title is no reason
//! to prefer a product ("oil" stays ambiguous between two oils). The best
//! score wins when it is
//! alone; products tied at the top are returned as the candidates of an
//! ambiguous line, never guessed between — except that a size the customer
//! named picks the product of that size ("500 g amul butter").
//!
//! A line must be placed by all its words, save one in four for the odd
//! adjective; unit words (packet, bottle…) never count against it.

use std::collections::HashSet;

use crate::catalog::Catalog;
use crate::words;

/// What a line's words matched.
#[derive(Debug, PartialEq)]
pub(crate) enum Found {
    One(usize),
    Several(Vec<usize>),
    Nothing,
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct Score {
    hits: usize,
    exact: usize,
    full: bool,
}

impl Score {
    fn beats(&self, other: &Score) -> std::cmp::Ordering {
        self.hits
            .cmp(&other.hits)
            .then(self.exact.cmp(&other.exact))
            .then(self.full.cmp(&other.full))
    }
}

/// The products that can reach the required hits: a product may miss at
/// most `allowed_misses` of the required words, so it has at least one of
/// any `allowed_misses + 1` of them. Walking only the postings of the
/// rarest such words ("chai" of "masala chai", not "masala" with its
/// hundreds of products) loses no product that could be placed, and keeps
/// a line with one common word from scoring a large part of the catalog.
fn candidates(
    catalog: &Catalog,
    query: &[String],
    like: &[Vec<(&str, bool)>],
    allowed_misses: usize,
) -> Vec<usize> {
    let mut required: Vec<(usize, &Vec<(&str, bool)>)> = query
        .iter()
        .zip(like)
        .filter(|(w, l)| !(l.is_empty() && words::unit(w).is_some()))
        .map(|(_, l)| {
            let postings = l
                .iter()
                .filter_map(|(w, _)| catalog.index.get(*w))
                .map(Vec::len)
                .sum();
            (postings, l)
        })
        .collect();
    required.sort_by_key(|(postings, _)| *postings);
    required
        .iter()
        .take(allowed_misses + 1)
        .flat_map(|(_, l)| l.iter())
        .filter_map(|(w, _)| catalog.index.get(*w))
        .flatten()
        .copied()
        .collect()
}

/// The product(s) `query` (folded words) names; `size` is the grams or
/// millilitres asked for, if any.
pub(crate) fn find(catalog: &Catalog, query: &[String], size: Option<f64>) -> Found {
    if query.is_empty() {
        return Found::Nothing;
    }
    // Per query word: the catalog words it may stand for, and whether exactly.
    let like: Vec<Vec<(&str, bool)>> = query.iter().map(|w| catalog.words_like(w)).collect();
    let soft = query
        .iter()
        .zip(&like)
        .filter(|(w, l)| l.is_empty() && words::unit(w).is_some())
        .count();
    let required = query.len() - soft;
    let allowed_misses = required / 4;
    let mut candidates = candidates(catalog, query, &like, allowed_misses);
    candidates.sort_unstable();
    candidates.dedup();

    let sets: Vec<HashSet<&str>> = like
        .iter()
        .map(|l| l.iter().map(|(w, _)| *w).collect())
        .collect();
    let mut best: Vec<(usize, Score)> = Vec::new();
    for at in candidates {
        let entry = &catalog.entries[at];
        let mut hits = 0;
        let mut exact = 0;
        for (set, l) in sets.iter().zip(&like) {
            let hit = entry
                .names
                .iter()
                .flatten()
                .find(|w| set.contains(w.as_str()));
            if let Some(w) = hit {
                hits += 1;
                if l.iter().any(|(c, e)| *e && *c == w.as_str()) {
                    exact += 1;
                }
            }
        }
        if hits + allowed_misses < required || hits == 0 {
            continue;
        }
        let full = entry.full_names.iter().any(|name| {
            name.iter()
                .all(|w| sets.iter().any(|s| s.contains(w.as_str())))
        });
        let score = Score { hits, exact, full };
        match best.first().map(|(_, b)| score.beats(b)) {
            None | Some(std::cmp::Ordering::Equal) => best.push((at, score)),
            Some(std::cmp::Ordering::Greater) => best = vec![(at, score)],
            Some(std::cmp::Ordering::Less) => {}
        }
    }
    let mut top: Vec<usize> = best.into_iter().map(|(at, _)| at).collect();
    // A size tells apart only products that differ by nothing else.
    let same_name = top
        .windows(2)
        .all(|w| catalog.entries[w[0]].names[0] == catalog.entries[w[1]].names[0]);
    if top.len() > 1 && same_name {
        if let Some(size) = size {
            let sized: Vec<usize> = top
                .iter()
                .copied()
                .filter(|at| {
                    catalog.entries[*at]
                        .pack
                        .and_then(|p| p.size())
                        .is_some_and(|p| (p - size).abs() < 1e-6)
                })
                .collect();
            if !sized.is_empty() {
                top = sized;
            }
        }
    }
    match top.len() {
        0 => Found::Nothing,
        1 => Found::One(top[0]),
        _ => Found::Several(top),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::CatalogItem;

    /// 300 masalas and one masala chai: "masala chai" scores only the
    /// products having "chai", and still finds it.
    fn masalas() -> Catalog {
        let mut items: Vec<CatalogItem> = (0..300)
            .map(|i| CatalogItem::new(&format!("m{i}"), &format!("Masala Mix{i}"), "", ""))
            .collect();
        items.push(CatalogItem::new("chai", "Masala Chai", "", ""));
        Catalog::new(items)
    }

    fn query(words: &[&str]) -> Vec<String> {
        words.iter().map(|w| (*w).to_owned()).collect()
    }

    #[test]
    fn a_line_walks_only_the_postings_of_its_rarest_word() {
        let catalog = masalas();
        let q = query(&["masala", "chai"]);
        let like: Vec<_> = q.iter().map(|w| catalog.words_like(w)).collect();
        assert_eq!(candidates(&catalog, &q, &like, 0).len(), 1);
        assert_eq!(find(&catalog, &q, None), Found::One(300));
    }

    #[test]
    fn a_line_allowed_a_miss_walks_one_more_word() {
        // Four words allow one miss: a product may lack the rarest word, so
        // the next rarest is walked too — but not the common ones.
        let mut items: Vec<CatalogItem> = (0..300)
            .map(|i| CatalogItem::new(&format!("m{i}"), "Masala Mix", "", ""))
            .collect();
        items.push(CatalogItem::new("chai", "Masala Chai", "", ""));
        items.push(CatalogItem::new("garam", "Garam Masala", "", ""));
        let catalog = Catalog::new(items);
        let q = query(&["masala", "chai", "garam", "mix"]);
        let like: Vec<_> = q.iter().map(|w| catalog.words_like(w)).collect();
        let mut found = candidates(&catalog, &q, &like, 1);
        found.sort_unstable();
        assert_eq!(found, [300, 301]);
    }
}
