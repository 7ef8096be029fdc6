//! Splits a message into the lines of an order and each line into atoms.
//!
//! A line ends at a new line, `,`, `;`, `+`, `&`, `|`, a full stop that is
//! not a decimal point, and the words "and"/"aur"/"n". A line that still
//! holds two quantities with words between them ("2kg atta 1kg sugar",
//! "atta 2kg sugar 1kg") is cut between them, on the side the first
//! quantity shows the customer writes it. Numbered-list markers ("1. ",
//! "2) ") are dropped when the rest of their line has a number of its own.

use crate::words::{self, Unit};

/// One piece of a word: "2kg" is the atoms `2` and `kg`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Atom {
    Num(f64),
    Word(String),
}

/// A line of the order, as the customer wrote it and as atoms.
#[derive(Debug, Clone)]
pub(crate) struct Line {
    /// The customer's words, tidied of separators.
    pub text: String,
    pub atoms: Vec<Atom>,
    /// Whether each atom is part of a quantity (number, unit, "x").
    pub quantity: Vec<bool>,
    pub question: bool,
}

/// Whether the message was cut to the caps, and its lines.
pub(crate) struct Split {
    pub lines: Vec<Line>,
    pub truncated: bool,
}

/// Splits `message`, reading at most `max_chars` characters and returning
/// at most `max_lines` lines.
pub(crate) fn split(message: &str, max_chars: usize, max_lines: usize) -> Split {
    let mut truncated = message.chars().nth(max_chars).is_some();
    let message: String = message.chars().take(max_chars).collect();
    let mut lines = Vec::new();
    'outer: for raw_line in message.lines() {
        let raw_line = strip_list_marker(raw_line);
        for chunk in split_chars(raw_line) {
            for line in split_words(chunk) {
                if lines.len() == max_lines {
                    truncated = true;
                    break 'outer;
                }
                lines.push(line);
            }
        }
    }
    Split { lines, truncated }
}

fn strip_list_marker(line: &str) -> &str {
    let trimmed = line.trim_start();
    let digits = trimmed.chars().take_while(char::is_ascii_digit).count();
    if digits == 0 || digits > 2 {
        return line;
    }
    let rest = &trimmed[digits..];
    let marked = (rest.starts_with(". ") || rest.starts_with(") ")) && {
        let after = &rest[2..];
        after.chars().any(|c| c.is_ascii_digit())
    };
    if marked {
        &rest[2..]
    } else {
        line
    }
}

/// Cuts at separator characters; a `.` between digits is a decimal point.
fn split_chars(line: &str) -> Vec<&str> {
    let chars: Vec<(usize, char)> = line.char_indices().collect();
    let mut out = Vec::new();
    let mut start = 0;
    for (k, &(i, c)) in chars.iter().enumerate() {
        let cut = match c {
            ',' | ';' | '+' | '&' | '|' | '•' | '\r' => true,
            '.' => {
                let before = k > 0 && chars[k - 1].1.is_ascii_digit();
                let after = chars.get(k + 1).is_some_and(|(_, c)| c.is_ascii_digit());
                !(before && after)
            }
            _ => false,
        };
        if cut {
            out.push(&line[start..i]);
            start = i + c.len_utf8();
        }
    }
    out.push(&line[start..]);
    out
}

/// A raw word: the customer's spelling and its lower-case atoms.
struct Word {
    shown: String,
    atoms: Vec<Atom>,
}

fn words_of(chunk: &str) -> (Vec<Word>, bool) {
    let question = chunk.contains('?');
    let cleaned: String = chunk
        .chars()
        .map(|c| match c {
            '½' => '\u{1}',
            c if c.is_alphanumeric() || c == '.' || c == '/' => c,
            _ => ' ',
        })
        .collect();
    let words = cleaned
        .split_whitespace()
        .flat_map(|w| {
            // "1/2" is a half; any other slash separates words.
            if is_fraction(w) {
                vec![w.to_owned()]
            } else {
                w.split('/').map(str::to_owned).collect()
            }
        })
        .filter(|w| !w.is_empty())
        .map(|w| {
            let lower = w.replace('\u{1}', " 0.5 ").to_lowercase();
            Word {
                shown: w.replace('\u{1}', "½"),
                atoms: lower.split_whitespace().flat_map(atoms_of).collect(),
            }
        })
        .filter(|w| !w.atoms.is_empty())
        .collect();
    (words, question)
}

fn is_fraction(w: &str) -> bool {
    match w.split_once('/') {
        Some((a, b)) => {
            !a.is_empty()
                && !b.is_empty()
                && a.chars().all(|c| c.is_ascii_digit())
                && b.chars().all(|c| c.is_ascii_digit())
        }
        None => false,
    }
}

/// "2kg" → `2`, `kg`; "x2" → `x`, `2`; "1/2" → `0.5`; "7up" stays a word.
pub(crate) fn atoms_of(w: &str) -> Vec<Atom> {
    if let Some(n) = number(w) {
        return vec![Atom::Num(n)];
    }
    let split = w
        .char_indices()
        .find(|(_, c)| !(c.is_ascii_digit() || *c == '.' || *c == '/'))
        .map_or(w.len(), |(i, _)| i);
    let (head, tail) = w.split_at(split);
    if let Some(n) = number(head) {
        if tail == "x" || words::unit(tail).is_some() {
            return vec![Atom::Num(n), Atom::Word(tail.to_owned())];
        }
    }
    if let Some(n) = w.strip_prefix('x').and_then(number) {
        return vec![Atom::Word("x".to_owned()), Atom::Num(n)];
    }
    let w = w.trim_matches(|c| c == '.' || c == '/');
    if w.is_empty() {
        Vec::new()
    } else {
        vec![Atom::Word(w.to_owned())]
    }
}

fn number(s: &str) -> Option<f64> {
    if s.is_empty() || s.len() > 8 {
        return None;
    }
    if let Some((a, b)) = s.split_once('/') {
        let (a, b): (f64, f64) = (a.parse().ok()?, b.parse().ok()?);
        return (b > 0.0).then(|| a / b);
    }
    if !s.chars().all(|c| c.is_ascii_digit() || c == '.')
        || !s.starts_with(|c: char| c.is_ascii_digit())
    {
        return None;
    }
    s.parse().ok().filter(|n: &f64| n.is_finite())
}

/// Cuts a chunk at "and"/"aur"/"n", then between two quantities.
fn split_words(chunk: &str) -> Vec<Line> {
    let (words, question) = words_of(chunk);
    let mut parts: Vec<Vec<Word>> = vec![Vec::new()];
    for w in words {
        let joiner =
            matches!(w.atoms.as_slice(), [Atom::Word(s)] if s == "and" || s == "aur" || s == "n");
        if joiner {
            parts.push(Vec::new());
        } else if let Some(last) = parts.last_mut() {
            last.push(w);
        }
    }
    let mut lines = Vec::new();
    for part in parts.into_iter().filter(|p| !p.is_empty()) {
        lines.extend(split_quantities(part, question));
    }
    lines
}

fn line_of(words: &[Word], question: bool) -> Line {
    let atoms: Vec<Atom> = words.iter().flat_map(|w| w.atoms.iter().cloned()).collect();
    let quantity = classify(&atoms);
    let text = words
        .iter()
        .map(|w| w.shown.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    Line {
        text,
        atoms,
        quantity,
        question,
    }
}

/// Marks the atoms that belong to a quantity.
pub(crate) fn classify(atoms: &[Atom]) -> Vec<bool> {
    let mut q = vec![false; atoms.len()];
    for i in 0..atoms.len() {
        let next = atoms.get(i + 1);
        q[i] = match &atoms[i] {
            Atom::Num(_) => true,
            Atom::Word(w) => {
                let prev_q = i > 0 && q[i - 1];
                let next_num = matches!(next, Some(Atom::Num(_)));
                let next_unit = matches!(next, Some(Atom::Word(n)) if words::unit(n).is_some());
                let next_weight = matches!(next, Some(Atom::Word(n))
                    if matches!(words::unit(n), Some(Unit::Weight(_))));
                let last = i + 1 == atoms.len();
                let pack_of_n = matches!(atoms.get(i + 1), Some(Atom::Word(o)) if o == "of")
                    && matches!(atoms.get(i + 2), Some(Atom::Num(_)));
                if w == "x" {
                    prev_q || next_num
                } else if w == "do" {
                    // "do" closing a line is "give" ("ek chai do").
                    !last
                        && (prev_q
                            || !matches!(next, Some(Atom::Word(n)) if n == "you" || n == "u"))
                } else if words::number_word(w).is_some() {
                    true
                } else if words::quarter_before_unit(w) {
                    next_weight
                } else if w == "of" {
                    // "pack of 6": a size, not a product word.
                    prev_q && matches!(next, Some(Atom::Num(_)))
                } else if let Some(unit) = words::unit(w) {
                    prev_q
                        || (matches!(unit, Unit::Pieces(n) if n > 1.0) && !next_unit)
                        || (unit == Unit::Pack && pack_of_n)
                } else {
                    false
                }
            }
        };
    }
    q
}

/// Runs of quantity words: cut a line holding two quantities with words
/// between them.
fn split_quantities(words: Vec<Word>, question: bool) -> Vec<Line> {
    let whole = line_of(&words, question);
    // Which raw word each atom came from, and each raw word's kind.
    let mut word_q = Vec::with_capacity(words.len());
    let mut k = 0;
    for w in &words {
        let n = w.atoms.len();
        word_q.push(whole.quantity[k..k + n].iter().any(|q| *q));
        k += n;
    }
    // Runs of equal kind: (is_quantity, start, end).
    let mut runs: Vec<(bool, usize, usize)> = Vec::new();
    for (i, q) in word_q.iter().enumerate() {
        match runs.last_mut() {
            Some(run) if run.0 == *q => run.2 = i + 1,
            _ => runs.push((*q, i, i + 1)),
        }
    }
    let quantity_runs = runs.iter().filter(|r| r.0).count();
    let word_runs = runs.len() - quantity_runs;
    if quantity_runs < 2 || word_runs < 2 {
        return vec![whole];
    }
    // Quantity first ("2kg atta 1kg sugar"): cut before each later quantity;
    // words first ("atta 2kg sugar 1kg"): cut after each quantity.
    let quantity_first = runs[0].0;
    let mut cuts = Vec::new();
    for run in runs.iter().skip(1) {
        if run.0 == quantity_first {
            cuts.push(run.1);
        }
    }
    let mut out = Vec::new();
    let mut start = 0;
    for cut in cuts.into_iter().chain([words.len()]) {
        if cut > start {
            out.push(line_of(&words[start..cut], question));
            start = cut;
        }
    }
    out
}
