//! Tests of the checkout machine: the step × input tables (`table.rs`),
//! whole conversations (`scenarios.rs`), and here the properties that must
//! hold for every state and input, and the timer rule; the values as they
//! look outside (button ids, reply intents) in `wire.rs`.

mod scenarios;
mod table;
mod wire;

use super::*;
use crate::{plan_transition, Actor, OrderNumber, OrderStatus, PaymentStatus, TransitionRequest};
use CheckoutStep::*;

pub(super) fn n(x: i64) -> OrderNumber {
    OrderNumber::new(x).unwrap()
}

/// The order every table and scenario is about.
pub(super) const ORDER: i64 = 1001;

pub(super) fn tap(action: ButtonAction, order: i64) -> CheckoutInput {
    CheckoutInput::ButtonTapped {
        id: ButtonId::new(action, n(order)).encode(),
    }
}

pub(super) fn text(body: &str) -> CheckoutInput {
    CheckoutInput::Text { body: body.into() }
}

pub(super) fn cod_on() -> CheckoutSettings {
    CheckoutSettings {
        cod_enabled: true,
        ..CheckoutSettings::default()
    }
}

pub(super) fn abandon_older() -> CheckoutSettings {
    CheckoutSettings {
        on_newer_cart: OnNewerCart::AbandonOlder,
        ..CheckoutSettings::default()
    }
}

/// Every kind of input, named, with the variants that behave differently
/// (another order's button, a button that is not ours, blank text, a "newer"
/// cart that is not newer).
pub(super) fn inputs() -> Vec<(&'static str, CheckoutInput)> {
    use ButtonAction::*;
    vec![
        ("cart", CheckoutInput::CartReceived),
        ("address", CheckoutInput::AddressSubmitted),
        ("paid", CheckoutInput::PaymentSucceeded),
        ("failed", CheckoutInput::PaymentFailed),
        ("expired", CheckoutInput::PaymentExpired),
        ("tap add note", tap(AddNote, ORDER)),
        ("tap skip", tap(SkipNote, ORDER)),
        ("tap pay now", tap(PayOnline, ORDER)),
        ("tap cod", tap(PayCod, ORDER)),
        ("tap for another order", tap(SkipNote, 1005)),
        (
            "tap not ours",
            CheckoutInput::ButtonTapped {
                id: "cancel-button".into(),
            },
        ),
        ("text", text("  ring the bell ")),
        ("blank text", text(" \n ")),
        ("newer cart", CheckoutInput::CartReplaced { newer: n(1002) }),
        ("same cart", CheckoutInput::CartReplaced { newer: n(ORDER) }),
        ("nudge due", CheckoutInput::NudgeDue),
        ("abandon due", CheckoutInput::AbandonDue),
        ("customer returned", CheckoutInput::CustomerReturned),
    ]
}

/// Every state the stored columns can express, consistent or not: the
/// properties below must hold even for states a bug elsewhere might leave.
fn every_state() -> Vec<CheckoutState> {
    let mut all = Vec::new();
    for status in OrderStatus::ALL {
        for step in CheckoutStep::ALL {
            for payment_status in PaymentStatus::ALL {
                for payment_method in [None, Some(PaymentChoice::Online), Some(PaymentChoice::Cod)]
                {
                    for superseded_by in [None, Some(n(1002))] {
                        for nudged in [false, true] {
                            all.push(CheckoutState {
                                number: n(ORDER),
                                status,
                                step,
                                payment_status,
                                payment_method,
                                has_address: step != AwaitingAddress,
                                note: None,
                                nudged,
                                superseded_by,
                                off_script: 0,
                                address_as_typed: None,
                            });
                        }
                    }
                }
            }
        }
    }
    all
}

fn every_setting() -> [CheckoutSettings; 2] {
    [
        CheckoutSettings::default(),
        CheckoutSettings {
            cod_enabled: true,
            on_newer_cart: OnNewerCart::AbandonOlder,
            ..CheckoutSettings::default()
        },
    ]
}

/// Runs `moves` through the order's own transition table, as the engine will.
pub(super) fn apply_moves(from: OrderStatus, moves: &[TransitionRequest]) -> OrderStatus {
    moves.iter().fold(from, |at, m| {
        plan_transition(at, None, m.clone())
            .unwrap_or_else(|e| {
                panic!(
                    "the machine asked for an illegal move {at} -> {}: {e}",
                    m.to
                )
            })
            .to
    })
}

fn is_lead_in(r: &Reply) -> bool {
    matches!(
        r,
        Reply::Reprompt { .. } | Reply::Nudge | Reply::WelcomeBack | Reply::AddressKept
    )
}

fn is_question(r: &Reply) -> bool {
    matches!(
        r,
        Reply::AskAddress | Reply::AskPayment { .. } | Reply::AskNote | Reply::AskNoteText
    )
}

#[test]
fn every_move_the_machine_asks_for_is_legal_and_at_most_two() {
    for settings in every_setting() {
        for state in every_state() {
            for (name, input) in inputs() {
                if let Ok(out) = advance(&state, input, &settings) {
                    assert!(out.moves.len() <= 2, "{name} on {state:?}: {out:?}");
                    apply_moves(state.status, &out.moves);
                }
            }
        }
    }
}

#[test]
fn nothing_moves_an_order_whose_checkout_is_over() {
    let over = |s: &CheckoutState| {
        !matches!(s.status, OrderStatus::Placed | OrderStatus::Abandoned) || s.step == Complete
    };
    for settings in every_setting() {
        for state in every_state().into_iter().filter(over) {
            for (name, input) in inputs() {
                let Ok(out) = advance(&state, input, &settings) else {
                    continue;
                };
                assert!(out.moves.is_empty(), "{name} on {state:?}: {out:?}");
                // The one exception: a note added after the checkout, until
                // the order ships. It writes the note and nothing else.
                let late_note = out.step != state.step
                    || out.changes.note.is_some()
                    || out.replies.contains(&Reply::AskNoteText);
                if late_note {
                    let leaving = state.step == AwaitingNoteText
                        && out.step == Complete
                        && out.changes.note.is_none();
                    assert!(
                        leaving
                            || matches!(
                                state.status,
                                OrderStatus::Confirmed
                                    | OrderStatus::Approved
                                    | OrderStatus::Processed
                                    | OrderStatus::OnHold
                            ),
                        "{name} on {state:?}: {out:?}"
                    );
                    assert!(!out.progressed, "{name} on {state:?}");
                    let others = CheckoutChanges {
                        note: None,
                        ..out.changes.clone()
                    };
                    assert!(others.is_empty(), "{name} on {state:?}: {out:?}");
                    continue;
                }
                assert_eq!(out.step, state.step, "{name} on {state:?}");
                assert!(!out.progressed, "{name} on {state:?}");
                // Payment facts are still recorded; nothing else is written.
                let others = CheckoutChanges {
                    payment_status: None,
                    ..out.changes.clone()
                };
                assert!(others.is_empty(), "{name} on {state:?}: {out:?}");
                assert!(
                    out.replies.iter().all(|r| matches!(
                        r,
                        Reply::AlreadyDone | Reply::OrderClosed { .. } | Reply::PaymentReceived
                    )),
                    "{name} on {state:?}: {out:?}"
                );
            }
        }
    }
}

#[test]
fn paid_is_never_undone_and_a_repeated_success_says_nothing() {
    for settings in every_setting() {
        for state in every_state() {
            if state.payment_status != PaymentStatus::Paid {
                continue;
            }
            for (name, input) in inputs() {
                if let Ok(out) = advance(&state, input, &settings) {
                    assert_eq!(out.changes.payment_status, None, "{name} on {state:?}");
                }
            }
            let again = advance(&state, CheckoutInput::PaymentSucceeded, &settings).unwrap();
            assert!(again.is_noop(&state), "{state:?}: {again:?}");
        }
    }
}

#[test]
fn the_same_event_twice_never_makes_a_second_move() {
    // Text and returns are excluded: a second message is a new message (after
    // a welcome back, the next text may well be the note).
    let repeatable = |name: &str| {
        !matches!(
            name,
            "text" | "blank text" | "customer returned" | "tap not ours"
        )
    };
    for settings in every_setting() {
        for state in every_state() {
            for (name, input) in inputs().into_iter().filter(|(n, _)| repeatable(n)) {
                let Ok(first) = advance(&state, input.clone(), &settings) else {
                    continue;
                };
                let next = state.after(&first);
                if let Ok(second) = advance(&next, input, &settings) {
                    assert!(
                        second.moves.is_empty(),
                        "{name} twice on {state:?}: {first:?} then {second:?}"
                    );
                }
            }
        }
    }
}

#[test]
fn another_orders_button_is_refused_whatever_the_state() {
    for settings in every_setting() {
        for state in every_state() {
            let err = advance(&state, tap(ButtonAction::PayCod, 1005), &settings).unwrap_err();
            assert_eq!(
                err,
                CheckoutRefusal::WrongOrder {
                    number: n(ORDER),
                    named: n(1005)
                }
            );
        }
    }
}

#[test]
fn every_lead_in_is_followed_by_the_question_it_leads_into() {
    for settings in every_setting() {
        for state in every_state() {
            for (name, input) in inputs() {
                let Ok(out) = advance(&state, input, &settings) else {
                    continue;
                };
                for (i, r) in out.replies.iter().enumerate() {
                    if is_lead_in(r) {
                        let next = out.replies.get(i + 1);
                        assert!(
                            next.is_some_and(is_question),
                            "{name} on {state:?}: {out:?}"
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn refusals_change_nothing_and_name_the_orders() {
    let order = CheckoutState::new(n(ORDER));
    let err = advance(
        &order,
        tap(ButtonAction::SkipNote, 1005),
        &CheckoutSettings::default(),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "the button is for order #1005, not order #1001"
    );

    let locked = CheckoutState {
        step: AwaitingNoteChoice,
        has_address: true,
        payment_status: PaymentStatus::Paid,
        ..order.clone()
    };
    let err = advance(
        &locked,
        CheckoutInput::AddressSubmitted,
        &CheckoutSettings::default(),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "the address of order #1001 can no longer be changed: the order is placed, checkout awaiting_note_choice"
    );

    let replaced = CheckoutState {
        superseded_by: Some(n(1002)),
        ..order
    };
    let err = advance(&replaced, text("hi"), &CheckoutSettings::default()).unwrap_err();
    assert_eq!(err.to_string(), "order #1001 was replaced by order #1002");
}

#[test]
fn timers_fall_due_as_the_settings_say() {
    let settings = CheckoutSettings::default();
    let h = chrono::Duration::hours;
    let m = chrono::Duration::minutes;
    let at_payment = CheckoutState {
        step: AwaitingPayment,
        has_address: true,
        ..CheckoutState::new(n(ORDER))
    };
    let nudged = CheckoutState {
        nudged: true,
        ..at_payment.clone()
    };
    let replaced = CheckoutState {
        superseded_by: Some(n(1002)),
        ..at_payment.clone()
    };
    let paid_without_address = CheckoutState {
        payment_status: PaymentStatus::Paid,
        ..CheckoutState::new(n(ORDER))
    };
    let at_note = CheckoutState {
        step: AwaitingNoteChoice,
        payment_status: PaymentStatus::Paid,
        ..at_payment.clone()
    };
    let abandoned = CheckoutState {
        status: OrderStatus::Abandoned,
        ..at_payment.clone()
    };
    let confirmed = CheckoutState {
        status: OrderStatus::Confirmed,
        step: Complete,
        ..at_note.clone()
    };
    use CheckoutInput::{AbandonDue, NudgeDue};
    let table: &[(
        &str,
        &CheckoutState,
        chrono::Duration,
        Option<CheckoutInput>,
    )] = &[
        ("fresh", &at_payment, m(59), None),
        ("an hour idle", &at_payment, h(1), Some(NudgeDue)),
        ("already nudged", &nudged, h(2), None),
        ("a day idle", &at_payment, h(24), Some(AbandonDue)),
        ("a day idle, nudged", &nudged, h(30), Some(AbandonDue)),
        ("replaced: no nudge", &replaced, h(2), None),
        (
            "replaced: still abandoned",
            &replaced,
            h(24),
            Some(AbandonDue),
        ),
        (
            "paid, no address: nudged",
            &paid_without_address,
            h(1),
            Some(NudgeDue),
        ),
        (
            "paid, no address: never abandoned",
            &paid_without_address,
            h(48),
            None,
        ),
        ("note question idle: due", &at_note, h(24), Some(AbandonDue)),
        ("already abandoned", &abandoned, h(48), None),
        ("confirmed", &confirmed, h(48), None),
    ];
    for (name, state, idle, expected) in table {
        assert_eq!(&due_timer(state, *idle, &settings), expected, "{name}");
    }
    let no_nudge = CheckoutSettings {
        nudge_after: h(24),
        ..settings
    };
    assert_eq!(due_timer(&at_payment, h(23), &no_nudge), None);
    assert_eq!(due_timer(&at_payment, h(24), &no_nudge), Some(AbandonDue));
}

#[test]
fn the_default_settings_are_the_documented_ones() {
    let s = CheckoutSettings::default();
    assert!(!s.cod_enabled);
    assert_eq!(s.nudge_after, chrono::Duration::hours(1));
    assert_eq!(s.abandon_after, chrono::Duration::hours(24));
    assert_eq!(
        s.recovery_later,
        vec![chrono::Duration::hours(23), chrono::Duration::hours(48)]
    );
    assert_eq!(s.on_newer_cart, OnNewerCart::KeepOlder);
}

/// The later recovery reminders go to every cart that can still become an
/// order (in checkout, or abandoned before completing), and to no other.
#[test]
fn recovery_reminders_go_to_carts_that_can_still_become_orders() {
    for status in OrderStatus::ALL {
        for step in CheckoutStep::ALL {
            for superseded in [false, true] {
                let state = CheckoutState {
                    status,
                    step,
                    superseded_by: superseded.then(|| n(ORDER + 1)),
                    ..CheckoutState::new(n(ORDER))
                };
                let expected = !superseded
                    && step != Complete
                    && matches!(status, OrderStatus::Placed | OrderStatus::Abandoned);
                assert_eq!(
                    recovery_due(&state),
                    expected,
                    "{status:?} at {step:?}, superseded: {superseded}"
                );
            }
        }
    }
}
