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

fn tap(action: TapAction, made_at: i64, fingerprint: i64) -> DraftTap {
    DraftTap {
        action,
        made_at,
        fingerprint,
    }
}

#[test]
fn a_tap_id_reads_back_as_written() {
    for t in [
        tap(TapAction::Place, 1_750_096_400, -42),
        tap(TapAction::Change, 0, i64::MAX),
        tap(TapAction::Place, 7, i64::MIN),
    ] {
        let id = t.encode();
        assert!(id.len() <= 256, "{id}");
        assert_eq!(DraftTap::parse(&id), Some(t), "{id}");
    }
}

#[test]
fn other_ids_are_no_draft_tap() {
    for id in [
        "",
        "typed",
        "typed.place",
        "typed.place.1",
        "typed.order.1.ff",
        "typed.place.-1.ff",
        "typed.place.1.",
        "typed.place.1.zz",
        "typed.place.1.ff.1",
        "typed.place.1.11111111111111111",
        "pay_online:1001",
        "handover",
    ] {
        assert_eq!(DraftTap::parse(id), None, "{id}");
    }
}

#[test]
fn the_fingerprint_changes_with_any_line_price_or_time() {
    let base = [("atta", 2, inr(5_500)), ("butter", 1, inr(27_500))];
    let fp = fingerprint(base, 100);
    assert_eq!(
        fp,
        fingerprint(base, 100),
        "the same draft, the same number"
    );
    assert_ne!(fp, fingerprint(base, 101));
    assert_ne!(fp, fingerprint([base[0]], 100));
    assert_ne!(fp, fingerprint([("atta", 3, inr(5_500)), base[1]], 100));
    assert_ne!(fp, fingerprint([("atta", 2, inr(5_600)), base[1]], 100));
    assert_ne!(fp, fingerprint([base[1], base[0]], 100));
    let usd = Money::from_minor(5_500, Currency::parse("USD").unwrap());
    assert_ne!(fp, fingerprint([("atta", 2, usd), base[1]], 100));
    // Stable across releases: the stored number must keep matching.
    assert_eq!(
        fingerprint([("a", 1, inr(1))], 0),
        fingerprint([("a", 1, inr(1))], 0)
    );
    assert_ne!(
        fingerprint([("ab", 1, inr(1))], 0),
        fingerprint([("a", 1, inr(1))], 0)
    );
}

#[test]
fn a_tap_under_the_kept_draft_within_a_day_may_order() {
    let t = tap(TapAction::Place, 1_000, 77);
    let kept = stamp(77, Some(1001));
    assert_eq!(t.check(Some(kept), kept, 1_000 + DRAFT_TTL_SECS), Ok(()));
}

#[test]
fn a_tap_under_a_replaced_or_cleared_draft_is_stale() {
    let t = tap(TapAction::Place, 1_000, 77);
    let newer = stamp(78, None);
    assert_eq!(
        t.check(Some(newer), newer, 1_001),
        Err(StaleDraft::Replaced)
    );
    assert_eq!(t.check(None, newer, 1_001), Err(StaleDraft::Replaced));
}

#[test]
fn a_tap_after_a_day_is_expired() {
    let t = tap(TapAction::Place, 1_000, 77);
    let kept = stamp(77, None);
    assert_eq!(
        t.check(Some(kept), kept, 1_001 + DRAFT_TTL_SECS),
        Err(StaleDraft::Expired)
    );
}

#[test]
fn a_tap_after_an_order_or_a_price_change_is_stale() {
    let t = tap(TapAction::Place, 1_000, 77);
    let kept = stamp(77, None);
    assert_eq!(
        t.check(Some(kept), stamp(77, Some(1001)), 1_001),
        Err(StaleDraft::AlreadyOrdered)
    );
    assert_eq!(
        t.check(Some(kept), stamp(12, None), 1_001),
        Err(StaleDraft::CatalogChanged)
    );
}

#[test]
fn the_switch_is_on_or_off() {
    assert_eq!(parse_switch("on"), Some(true));
    assert_eq!(parse_switch(" OFF "), Some(false));
    for raw in ["", "yes", "true", "1", "of"] {
        assert_eq!(parse_switch(raw), None, "{raw:?}");
    }
}

#[test]
fn long_lines_are_cut_to_the_budget_and_say_how_many_are_left() {
    let local = Local::utc();
    let draft = Draft {
        lines: (0..100)
            .map(|i| {
                line(
                    &format!("p{i}"),
                    &format!("Product number {i}"),
                    1,
                    inr(1_000),
                )
            })
            .collect(),
        ..Draft::default()
    };
    let full = draft.lines_text(&local).unwrap();
    assert_eq!(draft.lines_text_within(&local, 100_000).unwrap(), full);
    let cut = draft.lines_text_within(&local, 300).unwrap();
    assert!(cut.chars().count() <= 300, "{cut}");
    let shown = cut.lines().count() - 1;
    assert!(shown > 0, "{cut}");
    assert!(cut.ends_with(&format!("… (+{})", 100 - shown)), "{cut}");
    assert_eq!(draft.lines_text_within(&local, 5).unwrap(), "… (+100)");
}
