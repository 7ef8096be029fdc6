//! The reader's vocabulary: number words (English and Hindi in Latin
//! letters), units, the filler words customers wrap an order in, greetings,
//! and the plural folding that lets "tomatoes" meet "tomato".
//!
//! Kept as plain tables so that adding a word is a one-line change and the
//! corpus test (tests/corpus.rs) shows what it did to the score.

/// A unit a customer may write after a number.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Unit {
    /// Grams per unit (kg = 1000).
    Weight(f64),
    /// Millilitres per unit (l = 1000).
    Volume(f64),
    /// Pieces per unit (pcs = 1, dozen = 12).
    Pieces(f64),
    /// The product's own pack (packet, pkt, bottle, …).
    Pack,
}

/// `word` as a unit, if it is one.
pub(crate) fn unit(word: &str) -> Option<Unit> {
    Some(match word {
        "kg" | "kgs" | "kilo" | "kilos" | "kilogram" | "kilograms" | "kilogramme" => {
            Unit::Weight(1000.0)
        }
        "g" | "gm" | "gms" | "gram" | "grams" | "gr" | "grm" | "gramme" => Unit::Weight(1.0),
        "l" | "lt" | "ltr" | "ltrs" | "litre" | "litres" | "liter" | "liters" => {
            Unit::Volume(1000.0)
        }
        "ml" | "mls" => Unit::Volume(1.0),
        "pc" | "pcs" | "piece" | "pieces" | "nos" | "no" | "pis" => Unit::Pieces(1.0),
        "dozen" | "dozens" | "darjan" | "dz" | "doz" => Unit::Pieces(12.0),
        "packet" | "packets" | "pkt" | "pkts" | "pack" | "packs" | "pouch" | "bottle"
        | "bottles" | "box" | "boxes" | "cup" | "cups" | "plate" | "plates" | "glass" | "tin"
        | "jar" | "bag" | "tray" | "trays" | "unit" | "units" => Unit::Pack,
        _ => return None,
    })
}

/// `word` as a number written in words, if it is one. "do" (two, but also
/// "give") is decided by the caller from its place in the line.
pub(crate) fn number_word(word: &str) -> Option<f64> {
    Some(match word {
        "one" | "ek" | "ekk" => 1.0,
        "two" | "do" | "doh" => 2.0,
        "three" | "teen" => 3.0,
        "four" | "char" | "chaar" | "chār" => 4.0,
        "five" | "paanch" | "panch" | "pach" | "paach" => 5.0,
        "six" | "chhe" | "chhah" | "che" | "chah" => 6.0,
        "seven" | "saat" | "sat" => 7.0,
        "eight" | "aath" | "ath" => 8.0,
        "nine" | "nau" => 9.0,
        "ten" | "das" | "dus" => 10.0,
        "eleven" | "gyarah" => 11.0,
        "twelve" | "barah" | "baarah" => 12.0,
        "fifteen" | "pandrah" => 15.0,
        "twenty" | "bees" => 20.0,
        "half" | "aadha" | "adha" | "aada" | "aadhaa" | "aadhi" | "adhi" => 0.5,
        "quarter" => 0.25,
        "dedh" | "dhed" | "derh" => 1.5,
        "dhai" | "dhaai" | "adhai" | "dhaee" => 2.5,
        _ => return None,
    })
}

/// Words for a quarter that count only right before a kilo ("paav kilo"),
/// because "pav" is also bread ("vada pav").
pub(crate) fn quarter_before_unit(word: &str) -> bool {
    matches!(word, "pav" | "paav" | "pao" | "paw" | "pau")
}

/// Words that carry no product: dropped before matching.
pub(crate) fn is_filler(word: &str) -> bool {
    matches!(
        word,
        "a" | "an"
            | "the"
            | "of"
            | "please"
            | "pls"
            | "plz"
            | "plss"
            | "kindly"
            | "send"
            | "sent"
            | "bhejo"
            | "bhej"
            | "bhejna"
            | "bhejdo"
            | "dedo"
            | "dena"
            | "de"
            | "dijiye"
            | "chahiye"
            | "chaiye"
            | "chahie"
            | "want"
            | "need"
            | "i"
            | "me"
            | "my"
            | "mujhe"
            | "hume"
            | "humko"
            | "also"
            | "bhi"
            | "some"
            | "ka"
            | "ki"
            | "ke"
            | "wala"
            | "wali"
            | "wale"
            | "order"
            | "add"
            | "get"
            | "give"
            | "more"
            | "aur"
            | "and"
            | "x"
            | "for"
            | "to"
            | "hai"
            | "h"
            // Only ever seen here when not a number: "ek chai do" (give).
            | "do"
    )
}

/// Words of greeting, thanks and sign-off: a line made only of these (and
/// fillers) is no order and nothing to report.
pub(crate) fn is_pleasantry(word: &str) -> bool {
    matches!(
        word,
        "hi" | "hii"
            | "hiii"
            | "hello"
            | "helo"
            | "hey"
            | "namaste"
            | "namaskar"
            | "good"
            | "morning"
            | "evening"
            | "afternoon"
            | "night"
            | "thanks"
            | "thank"
            | "thankyou"
            | "thx"
            | "ty"
            | "you"
            | "u"
            | "dhanyavad"
            | "dhanyawad"
            | "shukriya"
            | "ok"
            | "okay"
            | "ji"
            | "sir"
            | "madam"
            | "bhaiya"
            | "bhaia"
            | "bhai"
            | "didi"
            | "uncle"
            | "aunty"
            | "bye"
            | "bas"
            | "itna"
            | "hi!"
            | "that"
            | "thats"
            | "all"
            | "sab"
            | "its"
            | "it"
            | "is"
            | "today"
            | "aaj"
            | "abhi"
            | "now"
            | "jaldi"
            | "fast"
            | "quickly"
            | "urgent"
            | "regards"
    )
}

/// A line is a question when it has a "?" or one of these words: a
/// question is passed on to staff, never read as an order.
pub(crate) fn is_question_word(word: &str) -> bool {
    matches!(
        word,
        "kya" | "kitna" | "kitne" | "kitni" | "kab" | "kaise" | "kahan" | "kaha" | "kyun"
    )
}

/// English question openers, counted only as a line's first word ("do"
/// only before "you"/"u", since "do" is also two).
pub(crate) fn opens_question(first: &str, second: Option<&str>) -> bool {
    match first {
        "what" | "whats" | "how" | "when" | "where" | "why" | "which" | "can" | "could"
        | "will" | "is" | "are" | "does" | "did" => true,
        "do" | "have" => matches!(second, Some("you" | "u")),
        _ => false,
    }
}

/// Folds a plural (and the common misspelt one) onto its singular, so that
/// both sides of a comparison are folded the same way: "tomatoes",
/// "tomatos" → "tomato"; "berries" → "berry"; "biscuits" → "biscuit".
pub(crate) fn fold(word: &str) -> String {
    let len = word.chars().count();
    if len > 4 {
        if let Some(stem) = word.strip_suffix("ies") {
            return format!("{stem}y");
        }
        for suffix in ["oes", "ches", "shes", "xes"] {
            if word.ends_with(suffix) {
                return word[..word.len() - 2].to_owned();
            }
        }
    }
    if len > 3 && word.ends_with('s') && !word.ends_with("ss") && !word.ends_with("us") {
        return word[..word.len() - 1].to_owned();
    }
    word.to_owned()
}

/// Whether the optimal-string-alignment distance (Levenshtein plus adjacent
/// swaps) is at most `max`; stops as soon as it must exceed it.
pub(crate) fn within(a: &str, b: &str, max: usize) -> bool {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > max {
        return false;
    }
    let width = b.len() + 1;
    let mut prev2 = vec![0usize; width];
    let mut prev: Vec<usize> = (0..width).collect();
    let mut cur = vec![0usize; width];
    for i in 1..=a.len() {
        cur[0] = i;
        let mut row_min = cur[0];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(prev2[j - 2] + 1);
            }
            cur[j] = v;
            row_min = row_min.min(v);
        }
        if row_min > max {
            return false;
        }
        std::mem::swap(&mut prev2, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()] <= max
}

/// How many typos a word of this length may carry and still match: none
/// for short words ("dal" must not become "daal"'s neighbour "mal").
pub(crate) fn typo_budget(len: usize) -> usize {
    match len {
        0..=3 => 0,
        4..=6 => 1,
        _ => 2,
    }
}
