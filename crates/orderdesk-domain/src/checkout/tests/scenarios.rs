//! Whole conversations, one input after another, each outcome applied the way
//! the engine will apply it (stage moves through the order's own transition
//! table, fields through [`CheckoutState::after`]).

use super::*;
use chrono::Duration;
use ButtonAction::{AddNote, PayCod, PayOnline, SkipNote};
use CheckoutInput::{
    AbandonDue, AddressSubmitted, CartReceived, NudgeDue, PaymentExpired, PaymentFailed,
    PaymentSucceeded,
};
use Reply as R;

struct Walk {
    state: CheckoutState,
    settings: CheckoutSettings,
    /// Every stage the order moved to, in order.
    stages: Vec<OrderStatus>,
}

impl Walk {
    fn new(settings: CheckoutSettings) -> Self {
        Self::from(CheckoutState::new(n(ORDER)), settings)
    }

    fn from(state: CheckoutState, settings: CheckoutSettings) -> Self {
        Self {
            state,
            settings,
            stages: Vec::new(),
        }
    }

    /// A checkout that has reached the payment step.
    fn at_payment(settings: CheckoutSettings) -> Self {
        let mut w = Self::new(settings);
        w.send(CartReceived);
        w.send(AddressSubmitted);
        w
    }

    fn send(&mut self, input: CheckoutInput) -> CheckoutOutcome {
        let out = advance(&self.state, input.clone(), &self.settings)
            .unwrap_or_else(|e| panic!("{input:?} on {:?} refused: {e}", self.state));
        let status = apply_moves(self.state.status, &out.moves);
        self.stages.extend(out.moves.iter().map(|m| m.to));
        self.state = self.state.after(&out);
        assert_eq!(self.state.status, status);
        out
    }

    fn says(&mut self, input: CheckoutInput) -> Vec<Reply> {
        self.send(input).replies
    }

    fn refused(&self, input: CheckoutInput) -> CheckoutRefusal {
        let before = self.state.clone();
        match advance(&self.state, input, &self.settings) {
            Err(e) => {
                assert_eq!(self.state, before);
                e
            }
            Ok(out) => panic!("expected a refusal, got {out:?}"),
        }
    }

    fn due(&self, idle: Duration) -> Option<CheckoutInput> {
        due_timer(&self.state, idle, &self.settings)
    }
}

#[test]
fn an_online_checkout_walks_from_cart_to_confirmed() {
    let mut w = Walk::new(CheckoutSettings::default());
    assert_eq!(w.says(CartReceived), [R::AskAddress]);
    assert_eq!(
        w.says(AddressSubmitted),
        [R::ThankForAddress, R::AskPayment { cod_offered: false }]
    );
    assert_eq!(w.says(PaymentSucceeded), [R::PaymentReceived, R::AskNote]);
    let out = w.send(tap(SkipNote, ORDER));
    assert_eq!(out.replies, [R::OrderConfirmed]);
    assert_eq!(out.moves[0].actor, Actor::Bot);
    assert_eq!(w.stages, [OrderStatus::Confirmed]);
    assert_eq!(w.state.step, Complete);
    assert_eq!(w.state.payment_status, PaymentStatus::Paid);
    assert_eq!(w.state.note, None);
}

#[test]
fn a_cash_on_delivery_checkout_takes_a_note_and_confirms_unpaid() {
    let mut w = Walk::new(cod_on());
    w.send(CartReceived);
    assert_eq!(
        w.says(AddressSubmitted),
        [R::ThankForAddress, R::AskPayment { cod_offered: true }]
    );
    assert_eq!(w.says(tap(PayCod, ORDER)), [R::CodAccepted, R::AskNote]);
    assert_eq!(w.says(tap(AddNote, ORDER)), [R::AskNoteText]);
    assert_eq!(
        w.says(text("Gate code 4711")),
        [R::NoteSaved, R::OrderConfirmed]
    );
    assert_eq!(w.stages, [OrderStatus::Confirmed]);
    assert_eq!(w.state.note.as_deref(), Some("Gate code 4711"));
    assert_eq!(w.state.payment_method, Some(PaymentChoice::Cod));
    assert_eq!(w.state.payment_status, PaymentStatus::Pending);
}

#[test]
fn a_note_typed_instead_of_tapping_is_taken_as_the_note() {
    let mut w = Walk::at_payment(CheckoutSettings::default());
    w.send(PaymentSucceeded);
    assert_eq!(
        w.says(text("please call first")),
        [R::NoteSaved, R::OrderConfirmed]
    );
    assert_eq!(w.state.note.as_deref(), Some("please call first"));
    assert_eq!(w.state.status, OrderStatus::Confirmed);
}

#[test]
fn text_at_the_address_step_is_kept_then_a_person_is_offered_and_nothing_is_said_three_times() {
    let mut w = Walk::new(CheckoutSettings::default());
    w.send(CartReceived);
    assert_eq!(
        w.says(text("My address is 12 MG Road, Bengaluru 560001")),
        [R::AddressKept, R::AskAddress],
        "the form link once, saying the text is kept"
    );
    assert_eq!(
        w.says(text("hello?")),
        [R::OfferHandover {
            step: AwaitingAddress
        }]
    );
    assert_eq!(w.says(text("is anyone there")), [], "waits for staff");
    assert_eq!(w.says(text("??")), []);
    assert_eq!(
        w.state.address_as_typed.as_deref(),
        Some("My address is 12 MG Road, Bengaluru 560001\nhello?\nis anyone there\n??")
    );
    assert_eq!(w.state.off_script, 4);
    assert_eq!(w.state.step, AwaitingAddress, "the checkout did not move");

    // The form, submitted after all: the count starts again at the next step.
    let out = w.send(AddressSubmitted);
    assert_eq!(out.changes.off_script, Some(0));
    assert_eq!(w.state.off_script, 0);
    assert_eq!(
        w.says(text("paid?")),
        [
            R::Reprompt {
                step: AwaitingPayment
            },
            R::AskPayment { cod_offered: false }
        ]
    );
    assert_eq!(
        w.says(text("hello")),
        [R::OfferHandover {
            step: AwaitingPayment
        }]
    );
    assert_eq!(w.says(text("hello")), []);
    assert_eq!(
        w.state
            .address_as_typed
            .as_deref()
            .map(|t| t.lines().count()),
        Some(4),
        "only the address step's text is kept as the address"
    );
}

#[test]
fn no_step_says_the_same_thing_three_times_however_many_texts_come() {
    for settings in every_setting() {
        for state in every_state() {
            let mut w = Walk::from(state.clone(), settings.clone());
            let mut said: Vec<Reply> = Vec::new();
            for i in 0..6 {
                let input = text(if i % 2 == 0 { "hello?" } else { " " });
                match advance(&w.state, input, &w.settings) {
                    Ok(out) if out.step == w.state.step && out.moves.is_empty() => {
                        said.extend(out.replies.clone());
                        w.state = w.state.after(&out);
                    }
                    // The text was the note, or moved the order: not off script.
                    _ => break,
                }
            }
            for r in &said {
                let times = said.iter().filter(|s| *s == r).count();
                assert!(times <= 2, "{r:?} said {times} times to {state:?}");
            }
        }
    }
}

#[test]
fn the_kept_address_text_is_bounded() {
    let mut w = Walk::new(CheckoutSettings::default());
    w.send(CartReceived);
    let long = "x".repeat(900);
    w.send(text(&long));
    w.send(text(&long));
    let kept = w.state.address_as_typed.clone().unwrap_or_default();
    assert_eq!(kept.chars().count(), crate::MAX_ADDRESS_AS_TYPED);
    assert!(kept.starts_with(&long), "the first text is kept whole");
}

#[test]
fn pay_now_then_cash_on_delivery_lets_the_customer_change_their_mind() {
    let mut w = Walk::at_payment(cod_on());
    assert_eq!(
        w.says(tap(PayOnline, ORDER)),
        [R::AskPayment { cod_offered: false }]
    );
    // Asked again, the link is sent again rather than the choice.
    assert_eq!(
        w.says(text("?")),
        [
            R::Reprompt {
                step: AwaitingPayment
            },
            R::AskPayment { cod_offered: false }
        ]
    );
    assert_eq!(w.says(tap(PayCod, ORDER)), [R::CodAccepted, R::AskNote]);
    assert_eq!(w.state.payment_method, Some(PaymentChoice::Cod));
}

#[test]
fn repeated_taps_are_answered_already_done_without_a_second_move() {
    let mut w = Walk::at_payment(cod_on());
    w.send(tap(PayCod, ORDER));
    let again = w.send(tap(PayCod, ORDER));
    assert_eq!(again.replies, [R::AlreadyDone]);
    assert!(again.changes.is_empty() && again.moves.is_empty());

    w.send(tap(SkipNote, ORDER));
    for action in [PayOnline, PayCod, SkipNote] {
        let again = w.send(tap(action, ORDER));
        assert_eq!(again.replies, [R::AlreadyDone], "{action:?}");
        assert!(again.moves.is_empty(), "{action:?}");
    }
    assert_eq!(w.stages, [OrderStatus::Confirmed], "confirmed once");
}

#[test]
fn a_customer_who_skipped_the_note_can_add_one_until_the_order_ships() {
    let mut w = Walk::at_payment(cod_on());
    w.send(tap(PayCod, ORDER));
    w.send(tap(SkipNote, ORDER));
    assert_eq!(w.state.status, OrderStatus::Confirmed);
    assert_eq!(w.says(tap(AddNote, ORDER)), [R::AskNoteText]);
    assert_eq!(w.state.step, AwaitingNoteText);
    let saved = w.send(text("Leave it with the guard"));
    assert_eq!(saved.replies, [R::NoteSaved]);
    assert_eq!(
        saved.changes.note.as_deref(),
        Some("Leave it with the guard")
    );
    assert!(saved.moves.is_empty(), "no second confirmation");
    assert_eq!(w.state.step, Complete);
    // A second late note joins the first.
    w.state.status = OrderStatus::Processed;
    w.send(tap(AddNote, ORDER));
    let again = w.send(text("Ring twice"));
    assert_eq!(
        again.changes.note.as_deref(),
        Some("Leave it with the guard\nRing twice")
    );
    // Once shipped, a tap is answered and text is chat for staff.
    w.state.status = OrderStatus::Shipped;
    assert_eq!(w.says(tap(AddNote, ORDER)), [R::AlreadyDone]);
    assert!(w.send(text("hello")).is_noop(&w.state));
    assert_eq!(w.stages, [OrderStatus::Confirmed]);
}

#[test]
fn a_repeated_pay_now_sends_the_link_again_and_records_nothing_new() {
    let mut w = Walk::at_payment(cod_on());
    let first = w.send(tap(PayOnline, ORDER));
    assert_eq!(first.changes.payment_method, Some(PaymentChoice::Online));
    let again = w.send(tap(PayOnline, ORDER));
    assert_eq!(again.replies, [R::AskPayment { cod_offered: false }]);
    assert!(again.changes.is_empty() && !again.progressed);
}

#[test]
fn stale_taps_on_a_closed_order_say_so_and_change_nothing() {
    let mut w = Walk::at_payment(CheckoutSettings::default());
    w.send(PaymentSucceeded);
    w.send(tap(SkipNote, ORDER));
    // Staff cancel the order afterwards.
    w.state.status = OrderStatus::Cancelled;
    let out = w.send(tap(AddNote, ORDER));
    assert_eq!(
        out.replies,
        [R::OrderClosed {
            status: OrderStatus::Cancelled
        }]
    );
    assert!(out.moves.is_empty() && out.changes.is_empty());
    assert_eq!(w.says(text("where is my order?")), [], "chat is for staff");
}

#[test]
fn a_second_cart_under_keep_older_lets_the_older_order_finish_without_a_note() {
    let mut older = Walk::at_payment(cod_on());
    let out = older.send(CheckoutInput::CartReplaced { newer: n(1002) });
    assert!(out.moves.is_empty() && out.replies.is_empty());
    assert_eq!(older.state.superseded_by, Some(n(1002)));
    // Free text is the newest order's; this one refuses it.
    assert_eq!(
        older.refused(text("hello")),
        CheckoutRefusal::Superseded {
            number: n(ORDER),
            newer: n(1002)
        }
    );
    // Its own buttons still work, and it is not asked for a note.
    let out = older.send(tap(PayCod, ORDER));
    assert_eq!(out.replies, [R::CodAccepted, R::OrderConfirmed]);
    assert_eq!(older.stages, [OrderStatus::Confirmed]);
    assert_eq!(older.state.step, Complete);
}

#[test]
fn a_second_cart_under_keep_older_lets_an_unfinished_older_order_lapse_quietly() {
    let mut older = Walk::at_payment(CheckoutSettings::default());
    older.send(CheckoutInput::CartReplaced { newer: n(1002) });
    assert_eq!(older.due(Duration::hours(2)), None, "not nudged");
    assert_eq!(older.due(Duration::hours(24)), Some(AbandonDue));
    assert_eq!(older.says(AbandonDue), []);
    assert_eq!(older.state.status, OrderStatus::Abandoned);
    // Once it has lapsed, its old buttons say it was replaced.
    let out = older.send(tap(PayOnline, ORDER));
    assert_eq!(out.replies, [R::Superseded { newer: n(1002) }]);
    assert!(out.moves.is_empty());
}

#[test]
fn a_second_cart_under_abandon_older_sets_the_older_order_aside_until_money_arrives() {
    let mut older = Walk::at_payment(abandon_older());
    let out = older.send(CheckoutInput::CartReplaced { newer: n(1002) });
    assert_eq!(out.replies, [R::Superseded { newer: n(1002) }]);
    assert_eq!(out.moves[0].actor, Actor::System);
    assert_eq!(
        out.moves[0].reason.as_deref(),
        Some("replaced by order #1002")
    );
    assert_eq!(older.state.status, OrderStatus::Abandoned);

    let stale = older.send(tap(PayOnline, ORDER));
    assert_eq!(stale.replies, [R::Superseded { newer: n(1002) }]);
    assert!(stale.moves.is_empty());
    assert!(matches!(
        older.refused(AddressSubmitted),
        CheckoutRefusal::Superseded { .. }
    ));
    assert!(matches!(
        older.refused(text("hi")),
        CheckoutRefusal::Superseded { .. }
    ));

    // The customer pays the old link after all: the order comes back, done.
    let out = older.send(PaymentSucceeded);
    assert_eq!(out.replies, [R::PaymentReceived, R::OrderConfirmed]);
    assert_eq!(
        older.stages,
        [
            OrderStatus::Abandoned,
            OrderStatus::Placed,
            OrderStatus::Confirmed
        ]
    );
}

#[test]
fn a_second_cart_during_the_note_question_confirms_the_older_order_under_either_setting() {
    for settings in [CheckoutSettings::default(), abandon_older()] {
        let mut older = Walk::at_payment(settings);
        older.send(PaymentSucceeded);
        let out = older.send(CheckoutInput::CartReplaced { newer: n(1002) });
        assert_eq!(out.replies, [R::OrderConfirmed]);
        assert_eq!(older.stages, [OrderStatus::Confirmed]);
        // The customer's next text is the new order's, never this one's note.
        assert_eq!(older.says(text("no onions")), []);
        assert_eq!(older.state.note, None);
    }
}

#[test]
fn an_idle_checkout_is_nudged_once_then_abandoned_and_resumes_where_it_stopped() {
    let mut w = Walk::at_payment(CheckoutSettings::default());
    assert_eq!(w.due(Duration::minutes(30)), None);
    assert_eq!(w.due(Duration::hours(1)), Some(NudgeDue));
    assert_eq!(
        w.says(NudgeDue),
        [R::Nudge, R::AskPayment { cod_offered: false }]
    );
    assert_eq!(w.due(Duration::hours(5)), None, "one nudge");
    assert!(
        w.send(NudgeDue).is_noop(&w.state),
        "a late second nudge is dropped"
    );
    assert_eq!(w.due(Duration::hours(24)), Some(AbandonDue));
    assert_eq!(
        w.says(AbandonDue),
        [],
        "no message outside the service window"
    );
    assert_eq!(w.state.status, OrderStatus::Abandoned);
    assert_eq!(w.due(Duration::hours(48)), None);

    // A day later the customer writes again.
    let out = w.send(text("hello? still want it"));
    assert_eq!(
        out.replies,
        [R::WelcomeBack, R::AskPayment { cod_offered: false }]
    );
    assert_eq!(out.moves[0].actor, Actor::Customer);
    assert!(out.progressed);
    assert!(!w.state.nudged, "a fresh nudge is owed at the next stall");
    assert_eq!(w.state.step, AwaitingPayment);

    w.send(PaymentSucceeded);
    w.send(tap(SkipNote, ORDER));
    assert_eq!(
        w.stages,
        [
            OrderStatus::Abandoned,
            OrderStatus::Placed,
            OrderStatus::Confirmed
        ]
    );
}

#[test]
fn progress_after_a_nudge_earns_one_more_nudge_at_the_next_stall() {
    let mut w = Walk::new(CheckoutSettings::default());
    w.send(CartReceived);
    w.send(NudgeDue);
    assert!(w.state.nudged);
    let out = w.send(AddressSubmitted);
    assert_eq!(out.changes.nudged, Some(false));
    assert_eq!(w.due(Duration::hours(1)), Some(NudgeDue));
}

#[test]
fn a_note_question_left_a_day_is_confirmed_without_a_note_and_later_text_is_chat() {
    let mut w = Walk::at_payment(CheckoutSettings::default());
    w.send(PaymentSucceeded);
    w.send(tap(AddNote, ORDER));
    assert_eq!(w.due(Duration::hours(24)), Some(AbandonDue));
    let out = w.send(AbandonDue);
    assert_eq!(out.replies, [R::OrderConfirmed]);
    assert!(out.moves[0]
        .reason
        .as_deref()
        .is_some_and(|r| r.contains("unanswered")));
    assert_eq!(w.state.status, OrderStatus::Confirmed);
    assert_eq!(w.says(text("leave it with the neighbour")), []);
    assert_eq!(w.state.note, None);
}

#[test]
fn a_customer_back_on_an_order_abandoned_at_the_note_is_asked_again_before_a_note_is_taken() {
    let abandoned = CheckoutState {
        status: OrderStatus::Abandoned,
        step: AwaitingNoteText,
        has_address: true,
        payment_method: Some(PaymentChoice::Cod),
        ..CheckoutState::new(n(ORDER))
    };
    let mut w = Walk::from(abandoned, cod_on());
    assert_eq!(w.says(text("hi!")), [R::WelcomeBack, R::AskNote]);
    assert_eq!(w.state.step, AwaitingNoteChoice);
    assert_eq!(w.state.note, None, "the greeting is not the note");
    assert_eq!(w.says(text("blue door")), [R::NoteSaved, R::OrderConfirmed]);
    assert_eq!(w.stages, [OrderStatus::Placed, OrderStatus::Confirmed]);
}

#[test]
fn payment_events_twice_or_out_of_order_never_undo_paid() {
    let mut w = Walk::at_payment(CheckoutSettings::default());
    assert_eq!(
        w.says(PaymentFailed),
        [R::PaymentFailed, R::AskPayment { cod_offered: false }]
    );
    assert!(
        w.send(PaymentFailed).is_noop(&w.state),
        "a repeated failure"
    );
    // The customer retried on the same page and it went through.
    assert_eq!(w.says(PaymentSucceeded), [R::PaymentReceived, R::AskNote]);
    for late in [PaymentFailed, PaymentExpired, PaymentSucceeded] {
        let out = w.send(late.clone());
        assert!(out.is_noop(&w.state), "{late:?}: {out:?}");
    }
    assert_eq!(w.state.payment_status, PaymentStatus::Paid);
    assert_eq!(w.state.step, AwaitingNoteChoice);
}

#[test]
fn the_address_can_be_changed_until_the_payment_step_has_passed() {
    let mut w = Walk::at_payment(CheckoutSettings::default());
    assert_eq!(w.says(AddressSubmitted), [R::AddressUpdated]);
    w.send(PaymentSucceeded);
    assert_eq!(
        w.refused(AddressSubmitted),
        CheckoutRefusal::AddressLocked {
            number: n(ORDER),
            status: OrderStatus::Placed,
            step: AwaitingNoteChoice
        }
    );
}

#[test]
fn cash_on_delivery_switched_off_after_the_buttons_were_sent_falls_back_to_the_link() {
    let mut w = Walk::at_payment(CheckoutSettings::default());
    assert_eq!(
        w.says(tap(PayCod, ORDER)),
        [R::CodUnavailable, R::AskPayment { cod_offered: false }]
    );
    assert_eq!(w.state.payment_method, None);
    assert_eq!(w.state.step, AwaitingPayment);
}

#[test]
fn a_paid_order_without_an_address_is_never_abandoned_and_skips_the_payment_step() {
    let mut w = Walk::new(CheckoutSettings::default());
    w.send(CartReceived);
    assert_eq!(
        w.says(PaymentSucceeded),
        [R::PaymentReceived, R::AskAddress]
    );
    assert_eq!(w.due(Duration::hours(48)), None);
    assert!(w.send(AbandonDue).is_noop(&w.state));
    assert_eq!(w.says(AddressSubmitted), [R::ThankForAddress, R::AskNote]);
    assert_eq!(w.state.step, AwaitingNoteChoice);
}
