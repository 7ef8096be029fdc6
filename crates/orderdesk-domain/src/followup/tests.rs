use chrono::TimeZone;

use super::cod::{self, approval_blocked, should_ask, timer_due, NOT_CONFIRMED};
use super::feedback::{self, ask_due};
use super::*;
use crate::{OrderStatus, Timestamp};

fn at(secs: i64) -> Timestamp {
    chrono::Utc.timestamp_opt(1_750_000_000 + secs, 0).unwrap()
}

fn n(number: i64) -> OrderNumber {
    OrderNumber::new(number).unwrap()
}

#[test]
fn tap_ids_round_trip_and_only_the_canonical_spelling_parses() {
    for tap in [
        FollowupTap::Cod {
            answer: CodAnswer::Confirm,
            order: n(1001),
        },
        FollowupTap::Cod {
            answer: CodAnswer::Cancel,
            order: n(1001),
        },
        FollowupTap::Rate {
            value: 4,
            order: n(1002),
        },
        FollowupTap::Rate {
            value: 9,
            order: n(1002),
        },
    ] {
        assert_eq!(FollowupTap::parse(&tap.encode()), Some(tap));
    }
    assert_eq!(
        FollowupTap::parse("cod:confirm:1001").unwrap().order(),
        n(1001)
    );
    for bad in [
        "cod:maybe:1001",
        "cod:confirm:01001",
        "cod:confirm:1001:x",
        "rate:04:1001",
        "rate:-1:1001",
        "rate::1001",
        "rate:5:",
        "rate:5:999",
        "pay:cod:1001",
        "",
        "rate:1234567890:1001",
        "cod:confirm: 1001",
    ] {
        assert_eq!(FollowupTap::parse(bad), None, "{bad}");
    }
    assert_eq!(FollowupTap::parse(&"9".repeat(300)), None);
}

#[test]
fn every_state_parses_back_and_only_asked_and_reminded_are_open() {
    for s in CodConfirmation::ALL {
        assert_eq!(CodConfirmation::parse(s.as_str()), Some(s));
        assert!(!s.label().is_empty());
        assert_eq!(
            s.is_open(),
            matches!(s, CodConfirmation::Asked | CodConfirmation::Reminded)
        );
        assert_eq!(approval_blocked(Some(s)).is_some(), s.is_open(), "{s:?}");
    }
    assert_eq!(CodConfirmation::parse("maybe"), None);
    assert_eq!(
        approval_blocked(None),
        None,
        "an order never asked is not held up"
    );
    assert_eq!(CodUnconfirmed::parse("call"), Ok(CodUnconfirmed::Call));
    assert_eq!(
        CodUnconfirmed::parse(" cancel "),
        Ok(CodUnconfirmed::Cancel)
    );
    assert!(CodUnconfirmed::parse("flag").unwrap_err().contains("flag"));
}

#[test]
fn only_a_cod_order_not_yet_asked_is_asked_and_only_when_the_setting_is_on() {
    for enabled in [false, true] {
        for is_cod in [false, true] {
            for state in std::iter::once(None).chain(CodConfirmation::ALL.map(Some)) {
                assert_eq!(
                    should_ask(enabled, is_cod, state),
                    enabled && is_cod && state.is_none()
                );
            }
        }
    }
}

#[test]
fn an_answer_counts_only_while_the_order_waits_for_staff() {
    for status in OrderStatus::ALL {
        for state in std::iter::once(None).chain(CodConfirmation::ALL.map(Some)) {
            for a in [CodAnswer::Confirm, CodAnswer::Cancel] {
                let got = cod::answer(state, status, a);
                let live = status == OrderStatus::Confirmed;
                let expected = match (state, a) {
                    _ if !live => CodDecision::Nothing,
                    (None, _) => CodDecision::Nothing,
                    (Some(CodConfirmation::Declined | CodConfirmation::NotConfirmed), _) => {
                        CodDecision::Nothing
                    }
                    (Some(CodConfirmation::Confirmed), CodAnswer::Confirm) => CodDecision::Nothing,
                    (Some(_), CodAnswer::Confirm) => CodDecision::Confirm,
                    (Some(_), CodAnswer::Cancel) => CodDecision::Cancel {
                        reason: cod::CUSTOMER_CANCELLED,
                        state: CodConfirmation::Declined,
                    },
                };
                assert_eq!(got, expected, "{state:?} {status:?} {a:?}");
            }
        }
    }
}

#[test]
fn the_timers_remind_once_then_cancel_or_flag_and_leave_a_moved_order_alone() {
    for status in OrderStatus::ALL {
        for state in std::iter::once(None).chain(CodConfirmation::ALL.map(Some)) {
            for timer in [CodTimer::Remind, CodTimer::Expire] {
                for then in [CodUnconfirmed::Cancel, CodUnconfirmed::Call] {
                    let got = timer_due(state, status, timer, then);
                    let expected = match (status, state, timer, then) {
                        (
                            OrderStatus::Confirmed,
                            Some(CodConfirmation::Asked),
                            CodTimer::Remind,
                            _,
                        ) => CodDecision::Remind,
                        (
                            OrderStatus::Confirmed,
                            Some(CodConfirmation::Asked | CodConfirmation::Reminded),
                            CodTimer::Expire,
                            CodUnconfirmed::Cancel,
                        ) => CodDecision::Cancel {
                            reason: NOT_CONFIRMED,
                            state: CodConfirmation::NotConfirmed,
                        },
                        (
                            OrderStatus::Confirmed,
                            Some(CodConfirmation::Asked | CodConfirmation::Reminded),
                            CodTimer::Expire,
                            CodUnconfirmed::Call,
                        ) => CodDecision::FlagForCall,
                        _ => CodDecision::Nothing,
                    };
                    assert_eq!(got, expected, "{status:?} {state:?} {timer:?} {then:?}");
                }
            }
        }
    }
}

#[test]
fn the_rating_is_asked_once_of_a_delivered_order() {
    for status in OrderStatus::ALL {
        assert_eq!(ask_due(status, None), status == OrderStatus::Delivered);
        assert!(!ask_due(status, Some(&Feedback::asked(at(0)))));
    }
}

#[test]
fn a_rating_then_a_comment_and_nothing_after() {
    let asked = Feedback::asked(at(0));
    let FeedbackStep::Record(rated) = feedback::answer(&asked, FeedbackInput::Rating(4), at(5))
    else {
        panic!("a rating in range is taken");
    };
    assert_eq!(
        (rated.state, rated.rating, rated.rated_at),
        (FeedbackState::Rated, Some(4), Some(at(5)))
    );
    let FeedbackStep::Record(done) =
        feedback::answer(&rated, FeedbackInput::Text("  Fresh   and on time "), at(9))
    else {
        panic!("the next text is the comment");
    };
    assert_eq!(done.state, FeedbackState::Done);
    assert_eq!(done.comment.as_deref(), Some("Fresh and on time"));
    assert_eq!(done.rating, Some(4));
    assert_eq!(
        feedback::answer(&rated, FeedbackInput::Text("   "), at(9)),
        FeedbackStep::Ignore
    );
    assert_eq!(
        feedback::answer(&rated, FeedbackInput::Rating(2), at(9)),
        FeedbackStep::Ignore
    );
    for input in [FeedbackInput::Rating(3), FeedbackInput::Text("more")] {
        assert_eq!(feedback::answer(&done, input, at(10)), FeedbackStep::Ignore);
    }
    let long = "x".repeat(feedback::MAX_COMMENT + 50);
    let FeedbackStep::Record(cut) = feedback::answer(&rated, FeedbackInput::Text(&long), at(9))
    else {
        panic!();
    };
    assert_eq!(cut.comment.unwrap().chars().count(), feedback::MAX_COMMENT);
}

#[test]
fn a_typed_number_is_a_rating_and_one_out_of_range_is_asked_again_once() {
    let asked = Feedback::asked(at(0));
    for (typed, rating) in [("5", Some(5)), (" 1 ", Some(1)), ("3", Some(3))] {
        match feedback::answer(&asked, FeedbackInput::Text(typed), at(1)) {
            FeedbackStep::Record(f) => assert_eq!(f.rating, rating),
            other => panic!("{typed}: {other:?}"),
        }
    }
    assert_eq!(
        feedback::answer(&asked, FeedbackInput::Text("great!"), at(1)),
        FeedbackStep::Ignore
    );
    for out in [
        FeedbackInput::Rating(0),
        FeedbackInput::Rating(6),
        FeedbackInput::Text("7"),
        FeedbackInput::Text("10"),
    ] {
        let FeedbackStep::Reask(again) = feedback::answer(&asked, out, at(1)) else {
            panic!("{out:?} is asked again the first time");
        };
        assert!(again.reasked);
        assert_eq!((again.state, again.rating), (FeedbackState::Asked, None));
        assert_eq!(
            feedback::answer(&again, out, at(2)),
            FeedbackStep::Ignore,
            "only once"
        );
        assert!(matches!(
            feedback::answer(&again, FeedbackInput::Rating(2), at(2)),
            FeedbackStep::Record(f) if f.rating == Some(2)
        ));
    }
}

#[test]
fn a_customers_average_counts_rated_orders_only_rounded_to_a_tenth() {
    let asked = Feedback::asked(at(0));
    let rated = |r: u8| Feedback {
        state: FeedbackState::Rated,
        rating: Some(r),
        rated_at: Some(at(1)),
        ..Feedback::asked(at(0))
    };
    assert_eq!(feedback::rating_summary([&asked]), None);
    assert_eq!(feedback::rating_summary(std::iter::empty()), None);
    let one = feedback::rating_summary([&rated(4), &asked]).unwrap();
    assert_eq!((one.average, one.count), (4.0, 1));
    // 5 + 4 = 4.5; 5 + 4 + 4 = 4.333… → 4.3; 5 + 5 + 4 = 4.666… → 4.7.
    let two = feedback::rating_summary([&rated(5), &rated(4)]).unwrap();
    assert_eq!((two.average, two.count), (4.5, 2));
    assert_eq!(
        feedback::rating_summary([&rated(5), &rated(4), &rated(4)]).map(|s| s.average),
        Some(4.3)
    );
    assert_eq!(
        feedback::rating_summary([&rated(5), &rated(5), &rated(4)]).map(|s| s.average),
        Some(4.7)
    );
}
