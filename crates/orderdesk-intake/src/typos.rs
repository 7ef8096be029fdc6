//! The typo search's index: every catalog word filed under its deletion
//! variants (the word with up to two characters left out), so the words
//! within a typo budget of a customer's word are found by looking up that
//! word's own few variants, not by comparing it with every catalog word of
//! a similar length (the idea of SymSpell). A lookup costs the same at 50
//! products as at 50,000.
//!
//! Nothing within budget is missed: two words at optimal-string-alignment
//! distance `d` always share a variant with at most `d` characters left out
//! of each (a substitution or a swap is one deletion on either side, an
//! insertion one on the longer side). A shared variant only makes a
//! candidate; `words::within` decides, so the reader's answers are the same
//! as with the full scan.

use crate::words;

/// Catalog words by the hashes of their deletion variants.
#[derive(Debug, Default)]
pub(crate) struct TypoIndex {
    /// `(variant hash, word number)`, sorted: one allocation for the whole
    /// catalog, looked up by binary search.
    variants: Vec<(u64, u32)>,
}

/// Longer words get no typo tolerance, in the index or in a query: leaving
/// two characters out of a word of n characters makes n²/2 variants, each
/// hashed in n steps, so one 4,000-character "word" in a message would cost
/// billions of steps (a request that stalls a core). No product name or
/// customer's word is this long; an exact match still finds it.
const MAX_TYPO_WORD: usize = 40;

/// The most typos any word may carry (the budget of the longest words).
fn max_budget() -> usize {
    words::typo_budget(usize::MAX)
}

/// How many characters to leave out of a catalog word of `len` characters:
/// the largest budget of any customer's word that could reach it (a word
/// of `q` characters reaches lengths `q ± typo_budget(q)`).
fn depth(len: usize) -> usize {
    let max = max_budget();
    (len.saturating_sub(max)..=len + max)
        .map(words::typo_budget)
        .zip(len.saturating_sub(max)..)
        .filter(|(budget, q)| q.abs_diff(len) <= *budget)
        .map(|(budget, _)| budget)
        .max()
        .unwrap_or(0)
}

impl TypoIndex {
    /// Indexes `words`; a word's number is its position in the slice.
    pub(crate) fn new<'a>(words: impl IntoIterator<Item = &'a str>) -> Self {
        let mut variants = Vec::new();
        let mut own = Vec::new();
        for (n, word) in words.into_iter().enumerate() {
            let Ok(n) = u32::try_from(n) else { break };
            let chars: Vec<char> = word.chars().collect();
            if chars.len() > MAX_TYPO_WORD + max_budget() {
                continue;
            }
            own.clear();
            deletions(&chars, depth(chars.len()), &mut own);
            variants.extend(own.iter().map(|h| (*h, n)));
        }
        variants.sort_unstable();
        Self { variants }
    }

    /// Numbers of the indexed words that share a variant with `word` left
    /// `budget` characters short at most: candidates, to be confirmed.
    pub(crate) fn candidates(&self, word: &str, budget: usize) -> Vec<u32> {
        let chars: Vec<char> = word.chars().collect();
        if chars.len() > MAX_TYPO_WORD {
            return Vec::new();
        }
        let mut own = Vec::new();
        deletions(&chars, budget, &mut own);
        let mut out = Vec::new();
        for h in own {
            let start = self.variants.partition_point(|(v, _)| *v < h);
            out.extend(
                self.variants[start..]
                    .iter()
                    .take_while(|(v, _)| *v == h)
                    .map(|(_, n)| *n),
            );
        }
        out.sort_unstable();
        out.dedup();
        out
    }
}

/// Hashes of `chars` with up to `depth` characters (at most two) left out,
/// sorted and without repeats ("aab" less either "a" is one variant).
fn deletions(chars: &[char], depth: usize, out: &mut Vec<u64>) {
    debug_assert!(depth <= 2, "deletions leaves out at most two characters");
    let n = chars.len();
    out.push(hash(chars, n, n));
    if depth >= 1 {
        for i in 0..n {
            out.push(hash(chars, i, n));
        }
    }
    if depth >= 2 {
        for i in 0..n {
            for j in i + 1..n {
                out.push(hash(chars, i, j));
            }
        }
    }
    out.sort_unstable();
    out.dedup();
}

/// FNV-1a over `chars` without positions `skip_a` and `skip_b` (pass the
/// length to skip nothing), then the variant's length. Collisions only add
/// candidates, which `words::within` then refuses.
fn hash(chars: &[char], skip_a: usize, skip_b: usize) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut kept: u64 = 0;
    for (k, c) in chars.iter().enumerate() {
        if k == skip_a || k == skip_b {
            continue;
        }
        kept += 1;
        for byte in u32::from(*c).to_le_bytes() {
            h ^= u64::from(byte);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h ^ kept.rotate_left(56)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variants_cover_every_budget_the_reader_grants() {
        // `deletions` leaves out at most two characters: a larger budget
        // would silently miss words.
        assert!(max_budget() <= 2);
    }

    #[test]
    fn a_catalog_word_is_filed_as_deep_as_any_word_that_can_reach_it() {
        // "dal" (3) is reached by 4-letter words with one typo; "sugar" (5)
        // by 7-letter words with two.
        assert_eq!(depth(2), 0);
        assert_eq!(depth(3), 1);
        assert_eq!(depth(4), 1);
        assert_eq!(depth(5), 2);
        assert_eq!(depth(9), 2);
    }

    #[test]
    fn a_word_too_long_for_any_product_has_no_typo_candidates() {
        let long = "0".repeat(4_000);
        let index = TypoIndex::new(["paneer", long.as_str()]);
        assert!(index.candidates(&long, 2).is_empty());
        assert_eq!(index.candidates("paner", 1), vec![0]);
    }

    #[test]
    fn typos_of_each_kind_find_the_word() {
        let words = ["sugar", "tomato", "paneer", "dal", "atta"];
        let index = TypoIndex::new(words);
        let found = |w: &str, budget| -> Vec<&str> {
            index
                .candidates(w, budget)
                .into_iter()
                .map(|n| words[n as usize])
                .filter(|c| crate::words::within(w, c, budget))
                .collect()
        };
        assert_eq!(found("suger", 1), ["sugar"]); // substitution
        assert_eq!(found("tomatto", 2), ["tomato"]); // insertion
        assert_eq!(found("panr", 2), ["paneer"]); // two deletions
        assert_eq!(found("tata", 1), ["atta"]); // swap
        assert_eq!(found("daal", 1), ["dal"]); // a longer word reaches a short one
        assert!(found("ghee", 1).is_empty());
    }

    #[test]
    fn the_index_finds_exactly_what_comparing_with_every_word_finds() {
        use rand::rngs::StdRng;
        use rand::{Rng, SeedableRng};
        // A small alphabet makes near words common; "é" checks that
        // characters, not bytes, are left out.
        const LETTERS: &[char] = &['a', 'b', 'd', 'l', 'r', 't', 'é'];
        let mut rng = StdRng::seed_from_u64(21);
        let word = |rng: &mut StdRng| -> String {
            let len = rng.gen_range(1..10);
            (0..len)
                .map(|_| LETTERS[rng.gen_range(0..LETTERS.len())])
                .collect()
        };
        let mut catalog: Vec<String> = (0..400).map(|_| word(&mut rng)).collect();
        catalog.sort();
        catalog.dedup();
        let index = TypoIndex::new(catalog.iter().map(String::as_str));
        for _ in 0..3000 {
            let query = word(&mut rng);
            let budget = crate::words::typo_budget(query.chars().count());
            let within = |c: &&String| crate::words::within(&query, c, budget);
            let scanned: Vec<&String> = catalog.iter().filter(within).collect();
            let looked_up: Vec<&String> = index
                .candidates(&query, budget)
                .into_iter()
                .map(|n| &catalog[n as usize])
                .filter(within)
                .collect();
            assert_eq!(looked_up, scanned, "{query:?}");
        }
    }
}
