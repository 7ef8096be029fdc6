use super::*;
use crate::Currency;

fn inr(minor: i64) -> Money {
    Money::from_minor(minor, Currency::parse("INR").unwrap())
}

fn line(id: &str, title: &str, quantity: u32, price: Money) -> DraftLine {
    DraftLine {
        retailer_id: id.to_owned(),
        title: title.to_owned(),
        quantity,
        unit_price: price,
    }
}

fn question(text: &str, candidates: &[&str]) -> DraftQuestion {
    DraftQuestion {
        text: text.to_owned(),
        candidates: candidates.iter().map(|c| (*c).to_owned()).collect(),
    }
}

fn groceries() -> Draft {
    Draft {
        lines: vec![
            line("atta", "Aashirvaad Atta 1 kg", 2, inr(5_500)),
            line("butter", "Amul Butter 500 g", 1, inr(27_500)),
        ],
        ..Draft::default()
    }
}

fn stamp(version: i64, latest: Option<i64>) -> DraftStamp {
    DraftStamp {
        catalog_version: version,
        latest_order: latest.and_then(OrderNumber::new),
    }
}

#[test]
fn the_total_adds_every_line_times_its_packs() {
    assert_eq!(groceries().total().unwrap(), Some(inr(38_500)));
}

#[test]
fn a_draft_with_no_placed_line_has_no_total() {
    let draft = Draft {
        questions: vec![question("dal", &["Toor Dal 1 kg", "Moong Dal 500 g"])],
        ..Draft::default()
    };
    assert_eq!(draft.total().unwrap(), None);
}

#[test]
fn mixed_currencies_are_refused_not_added() {
    let mut draft = groceries();
    draft.lines.push(line(
        "tea",
        "Tea",
        1,
        Money::from_minor(100, Currency::parse("USD").unwrap()),
    ));
    assert!(matches!(draft.total(), Err(MoneyError::Mismatch(..))));
}

#[test]
fn an_overflowing_line_is_refused() {
    let draft = Draft {
        lines: vec![line("gold", "Gold", 999, inr(i64::MAX / 10))],
        ..Draft::default()
    };
    assert!(matches!(draft.total(), Err(MoneyError::Overflow(_))));
    assert!(draft.lines_text(&Local::utc()).is_err());
}

#[test]
fn lines_read_as_packs_title_and_amount_in_the_local_format() {
    let local = Local::parse("Asia/Kolkata", "en-IN").unwrap();
    assert_eq!(
        groceries().lines_text(&local).unwrap(),
        "2 × Aashirvaad Atta 1 kg — ₹110.00\n1 × Amul Butter 500 g — ₹275.00"
    );
}

#[test]
fn questions_name_the_line_and_its_candidates() {
    let draft = Draft {
        questions: vec![
            question("dal", &["Toor Dal 1 kg", "Moong Dal 500 g"]),
            question("oil", &["Fortune Oil 1 l", "Saffola Oil 1 l"]),
        ],
        ..Draft::default()
    };
    assert_eq!(
        draft.questions_text(),
        "“dal”: Toor Dal 1 kg / Moong Dal 500 g\n“oil”: Fortune Oil 1 l / Saffola Oil 1 l"
    );
}

#[test]
fn unplaced_lines_are_quoted_as_written() {
    let draft = Draft {
        unplaced: vec!["2 kg mangoes".to_owned(), "kuch aur".to_owned()],
        ..Draft::default()
    };
    assert_eq!(draft.unplaced_text(), "“2 kg mangoes”, “kuch aur”");
}

#[test]
fn every_line_placed_is_offered_for_ordering() {
    assert!(groceries().is_order());
    assert_eq!(groceries().next(), DraftNext::Offer);
}

#[test]
fn a_question_is_asked_before_offering() {
    let mut draft = groceries();
    draft.questions.push(question("dal", &["A", "B"]));
    assert_eq!(draft.next(), DraftNext::Ask);
}

#[test]
fn an_unplaced_line_goes_to_a_person_even_with_questions() {
    let mut draft = groceries();
    draft.questions.push(question("dal", &["A", "B"]));
    draft.unplaced.push("mangoes".to_owned());
    assert_eq!(draft.next(), DraftNext::Desk);
}

#[test]
fn only_unplaced_text_is_no_order() {
    let draft = Draft {
        unplaced: vec!["hello, is the shop open?".to_owned()],
        ..Draft::default()
    };
    assert!(!draft.is_order());
    assert!(!Draft::default().is_order());
}

#[test]
fn only_a_question_is_an_order_to_ask_about() {
    let draft = Draft {
        questions: vec![question("dal", &["A", "B"])],
        ..Draft::default()
    };
    assert!(draft.is_order());
}

#[test]
fn an_unchanged_stamp_may_be_ordered() {
    assert_eq!(stamp(3, None).check(stamp(3, None)), Ok(()));
    assert_eq!(stamp(3, Some(1001)).check(stamp(3, Some(1001))), Ok(()));
}

#[test]
fn a_changed_catalog_makes_the_draft_stale() {
    assert_eq!(
        stamp(3, Some(1001)).check(stamp(4, Some(1001))),
        Err(StaleDraft::CatalogChanged)
    );
}

#[test]
fn an_order_placed_since_makes_the_draft_stale() {
    assert_eq!(
        stamp(3, None).check(stamp(3, Some(1001))),
        Err(StaleDraft::AlreadyOrdered)
    );
    assert_eq!(
        stamp(3, Some(1001)).check(stamp(3, Some(1002))),
        Err(StaleDraft::AlreadyOrdered)
    );
}

#[test]
fn an_order_placed_since_wins_over_a_catalog_change() {
    assert_eq!(
        stamp(3, None).check(stamp(4, Some(1001))),
        Err(StaleDraft::AlreadyOrdered)
    );
}
