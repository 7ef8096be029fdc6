//! The corpus of typed orders (crates/orderdesk-intake/corpus/) is read
//! exactly at least `TARGET_PERCENT` of the time, on each catalog.

use orderdesk_intake::corpus::{self, TARGET_PERCENT};

fn check(name: &str, corpus: (&str, &str), least_cases: usize) {
    let score = corpus::score(corpus).unwrap_or_else(|e| panic!("{name}: {e}"));
    for (want, got) in &score.misses {
        eprintln!(
            "{name} miss: {:?}\n  want {want:?}\n  got  {got:?}",
            want.message
        );
    }
    eprintln!(
        "{name}: {}/{} exact ({:.1} %)",
        score.exact,
        score.total,
        score.percent()
    );
    assert!(
        score.total >= least_cases,
        "{name}: only {} cases",
        score.total
    );
    assert!(
        score.percent() >= TARGET_PERCENT,
        "{name}: {:.1} % read exactly, below the {TARGET_PERCENT} % target",
        score.percent()
    );
}

#[test]
fn the_grocery_corpus_is_read_exactly_at_the_target() {
    check("grocery", corpus::GROCERY, 140);
}

#[test]
fn the_tea_stall_corpus_is_read_exactly_at_the_target() {
    check("tea", corpus::TEA, 55);
}

#[test]
fn a_wrong_expectation_counts_as_a_miss() {
    // The score must be able to fail: the same message, a wrong quantity.
    let text = "> 2 kg atta\n= atta-5kg 3\n";
    let score = corpus::score((corpus::GROCERY.0, text)).unwrap();
    assert_eq!((score.exact, score.total), (0, 1));
}
