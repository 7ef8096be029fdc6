//! What a search box query means, decided once for both backends: an order
//! number, a phone number in any spelling, or words, each found anywhere in
//! an order's searchable text (names, phone numbers, items, address,
//! tracking, note). Each backend matches [`SearchTerms::words`] with its
//! own index (SQLite FTS5 trigrams, PostgreSQL pg_trgm).

/// Shortest word an index of trigrams can look up; a shorter one is
/// matched by a scan, and only when it is the whole query.
pub const MIN_INDEXED: usize = 3;

/// Most orders a filtered list counts per request: a word found in half
/// the shop's orders would otherwise be counted order by order on every
/// keystroke. A total over the cap means "more than this many".
pub const COUNT_CAP: u32 = 1000;

/// A search box query, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchTerms {
    /// The order number it names, when it is one (`1001`, `#1001`).
    pub number: Option<i64>,
    /// What every matching order's text must contain, each anywhere: a
    /// phone number's digits (trunk `0` and `+` dropped), or the query's
    /// words. Words shorter than [`MIN_INDEXED`] are left out when longer
    /// ones remain.
    pub words: Vec<String>,
}

impl SearchTerms {
    /// Reads a query; `None` when it is blank.
    pub fn parse(q: &str) -> Option<Self> {
        let q = q.trim();
        if q.is_empty() {
            return None;
        }
        let number = q.trim_start_matches('#').parse::<i64>().ok();
        if let Some(digits) = orderdesk_domain::phone::search_digits(q) {
            return Some(Self {
                number,
                words: vec![digits],
            });
        }
        // Control characters (a NUL from a pasted or hostile query) only
        // separate words: FTS5 refuses them inside a string.
        let all: Vec<String> = q
            .split(|c: char| c.is_whitespace() || c.is_control())
            .filter(|w| !w.is_empty())
            .map(str::to_owned)
            .collect();
        if all.is_empty() {
            return None;
        }
        let long: Vec<String> = all
            .iter()
            .filter(|w| w.chars().count() >= MIN_INDEXED)
            .cloned()
            .collect();
        Some(Self {
            number,
            words: if long.is_empty() { all } else { long },
        })
    }
}

/// Shortest run of digits that an index of digit runs can look up: a
/// phone number, a postal code, a tracking number's digits. Runs this
/// long are far rarer than trigrams of digits, which every phone of a
/// shop shares (PostgreSQL's `orderdesk_digit_grams`, migration 0190).
pub const DIGIT_RUN: usize = 5;

/// Whether `word` holds [`DIGIT_RUN`] ASCII digits in a row.
pub fn has_digit_run(word: &str) -> bool {
    let mut run = 0;
    for c in word.chars() {
        run = if c.is_ascii_digit() { run + 1 } else { 0 };
        if run >= DIGIT_RUN {
            return true;
        }
    }
    false
}

/// `text` with `%`, `_` and `\` escaped for a `LIKE … ESCAPE '\'`
/// pattern (without the surrounding `%`).
pub fn like_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Per-stage counts with every stage listed, zeros included.
pub fn every_stage(
    found: &[(orderdesk_domain::OrderStatus, i64)],
) -> Vec<(orderdesk_domain::OrderStatus, i64)> {
    orderdesk_domain::OrderStatus::ALL
        .into_iter()
        .map(|s| {
            (
                s,
                found.iter().find(|(f, _)| *f == s).map_or(0, |(_, n)| *n),
            )
        })
        .collect()
}

/// `word` as one FTS5 string (a phrase of its trigrams): quoted, with
/// quotes doubled, so no query syntax can be injected.
pub fn fts5_string(word: &str) -> String {
    format!("\"{}\"", word.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_spellings_become_the_same_digits() {
        for q in ["+91 99887 76655", "09988776655", "9988776655"] {
            let t = SearchTerms::parse(q).unwrap();
            assert!("919988776655".ends_with(&t.words[0]), "{q}: {t:?}");
        }
    }

    #[test]
    fn control_characters_only_separate_words() {
        let terms = SearchTerms::parse("zoe\u{0}kolkata\u{12}").unwrap();
        assert_eq!(terms.words, ["zoe", "kolkata"]);
        assert!(SearchTerms::parse("\u{0}\u{7}").is_none());
    }

    #[test]
    fn phone_postal_and_tracking_numbers_hold_a_run_of_digits() {
        for q in ["+91 99887 76655", "411004", "EE005001000IN", "Meera 424242"] {
            let t = SearchTerms::parse(q).unwrap();
            assert!(t.words.iter().any(|w| has_digit_run(w)), "{q}: {t:?}");
        }
        for w in [
            "1001",
            "#1001",
            "Meera",
            "sku-7",
            "A-1234",
            "12-345-678",
            "१२३४५६",
        ] {
            assert!(!has_digit_run(w), "{w}");
        }
    }

    #[test]
    fn numbers_words_and_blanks() {
        let t = SearchTerms::parse("#1001").unwrap();
        assert_eq!(t.number, Some(1001));
        let t = SearchTerms::parse("  Zoë   in Pune ").unwrap();
        assert_eq!(t.words, ["Zoë", "Pune"]);
        assert_eq!(SearchTerms::parse("ab").unwrap().words, ["ab"]);
        assert_eq!(SearchTerms::parse("   "), None);
        assert_eq!(fts5_string(r#"a"b"#), r#""a""b""#);
        assert_eq!(like_escape(r"50%_a\b"), r"50\%\_a\\b");
    }
}
