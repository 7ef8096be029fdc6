//! Unit tests of the reader; the corpus (tests/corpus.rs) measures it.

mod props;

use super::*;

fn grocery() -> Catalog {
    Catalog::new([
        CatalogItem::new("atta", "Aashirvaad Atta 5 kg", "Aashirvaad", "gehu"),
        CatalogItem::new("butter", "Amul Butter 500 g", "Amul", "makhan"),
        CatalogItem::new("butter-100", "Amul Butter 100 g", "Amul", "makhan"),
        CatalogItem::new("paneer", "Amul Paneer 200 g", "Amul", ""),
        CatalogItem::new("toor", "Toor Dal 1 kg", "Tata Sampann", "arhar"),
        CatalogItem::new("moong", "Moong Dal 500 g", "Tata Sampann", ""),
        CatalogItem::new("tomato", "Tomato 500 g", "", "tamatar"),
        CatalogItem::new("onion", "Onion 1 kg", "", "pyaz|kanda"),
        CatalogItem::new("sugar", "Sugar 1 kg", "Madhur", "cheeni|chini"),
        CatalogItem::new("eggs", "Farm Eggs (pack of 6)", "", "anda|ande"),
        CatalogItem::new("oil", "Fortune Sunflower Oil 1 L", "Fortune", "tel"),
        CatalogItem::new("maggi", "Maggi Noodles 70 g", "Nestle", ""),
    ])
}

fn lines(r: &Reading) -> Vec<(&str, u32)> {
    r.items
        .iter()
        .map(|i| (i.retailer_id.as_str(), i.quantity))
        .collect()
}

#[test]
fn a_weight_becomes_packs_of_the_products_size_rounded_up() {
    let c = grocery();
    assert_eq!(lines(&read(&c, "1 kg paneer")), [("paneer", 5)]);
    assert_eq!(lines(&read(&c, "toor dal 2kg")), [("toor", 2)]);
    assert_eq!(lines(&read(&c, "aadha kilo tamatar")), [("tomato", 1)]);
    assert_eq!(lines(&read(&c, "dedh kilo tamatar")), [("tomato", 3)]);
    assert_eq!(lines(&read(&c, "750g tomatoes")), [("tomato", 2)]);
    assert_eq!(lines(&read(&c, "2 ltr fortune oil")), [("oil", 2)]);
}

#[test]
fn a_bare_count_is_packs_and_no_number_is_one() {
    let c = grocery();
    assert_eq!(lines(&read(&c, "3 maggi")), [("maggi", 3)]);
    assert_eq!(lines(&read(&c, "maggi x 4")), [("maggi", 4)]);
    assert_eq!(lines(&read(&c, "teen packet maggi")), [("maggi", 3)]);
    assert_eq!(lines(&read(&c, "sugar")), [("sugar", 1)]);
    assert_eq!(lines(&read(&c, "1 dozen eggs")), [("eggs", 2)]);
}

#[test]
fn the_issues_example_reads_as_three_lines() {
    let r = read(
        &grocery(),
        "2 kg atta, ek amul butter 500g, aadha kilo tamatar",
    );
    assert_eq!(lines(&r), [("atta", 1), ("butter", 1), ("tomato", 1)]);
    assert!(r.unmatched.is_empty() && r.ambiguous.is_empty());
}

#[test]
fn typos_plurals_and_keywords_are_matched() {
    let c = grocery();
    assert_eq!(lines(&read(&c, "2 kg suger")), [("sugar", 2)]);
    assert_eq!(lines(&read(&c, "1kg tomatos")), [("tomato", 2)]);
    assert_eq!(lines(&read(&c, "2 kilo kanda")), [("onion", 2)]);
    assert_eq!(lines(&read(&c, "paanch ande")), [("eggs", 5)]);
}

#[test]
fn lines_are_cut_at_commas_and_words_and_between_two_quantities() {
    let c = grocery();
    let r = read(&c, "2kg atta 1kg sugar\nmaggi 2 aur 1 kg pyaz + paneer");
    assert_eq!(
        lines(&r),
        [
            ("atta", 1),
            ("sugar", 1),
            ("maggi", 2),
            ("onion", 1),
            ("paneer", 1)
        ]
    );
}

#[test]
fn an_ambiguous_line_lists_its_candidates_instead_of_guessing() {
    let r = read(&grocery(), "1 kg dal");
    assert!(r.items.is_empty());
    let ids: Vec<_> = r.ambiguous[0]
        .candidates
        .iter()
        .map(|c| c.retailer_id.as_str())
        .collect();
    assert_eq!(ids, ["toor", "moong"]);
    assert_eq!(r.ambiguous[0].text, "1 kg dal");
}

#[test]
fn a_named_size_picks_the_product_of_that_size() {
    let c = grocery();
    assert_eq!(lines(&read(&c, "100g amul butter")), [("butter-100", 1)]);
    assert_eq!(read(&c, "amul butter").ambiguous.len(), 1);
}

#[test]
fn greetings_questions_and_thanks_are_no_order() {
    let c = grocery();
    for text in [
        "hi",
        "Hello bhaiya, good morning!",
        "thank you",
        "ok thanks ji",
        "do you have paneer?",
        "atta kitne ka hai",
        "What time do you close",
    ] {
        let r = read(&c, text);
        assert!(!r.is_order(), "{text}: {r:?}");
    }
    let r = read(&c, "do you have paneer?");
    assert_eq!(r.unmatched, ["do you have paneer"]);
    assert!(read(&c, "thanks").unmatched.is_empty());
}

#[test]
fn a_greeting_inside_a_line_does_not_hide_the_order() {
    assert_eq!(
        lines(&read(&grocery(), "hi bhaiya 2 maggi please")),
        [("maggi", 2)]
    );
}

#[test]
fn what_cannot_be_placed_is_said() {
    let r = read(&grocery(), "2 kg atta, 1 dettol soap, deliver by 5 pm");
    assert_eq!(lines(&r), [("atta", 1)]);
    assert_eq!(r.unmatched, ["1 dettol soap", "deliver by 5 pm"]);
}

#[test]
fn an_absurd_quantity_is_unplaced_not_clamped() {
    let r = read(&grocery(), "5000 maggi");
    assert!(r.items.is_empty());
    assert_eq!(r.unmatched, ["5000 maggi"]);
}

#[test]
fn a_catalog_without_keywords_still_matches_titles() {
    let c = Catalog::new([CatalogItem::new("s", "Sugar 1 kg", "", "")]);
    assert_eq!(lines(&read(&c, "2 kg sugar")), [("s", 2)]);
}

#[test]
fn a_huge_message_is_cut_and_says_so() {
    let c = grocery();
    let words = "maggi ".repeat(10_000);
    let r = read(&c, &words);
    assert!(r.truncated);
    let many = "maggi\n".repeat(1_000);
    let r = read(&c, &many);
    assert!(r.truncated);
    assert_eq!(r.items.len(), MAX_LINES);
    assert!(!read(&c, "maggi").truncated);
}
