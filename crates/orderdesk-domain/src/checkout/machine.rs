//! The checkout state machine: [`advance`] and the timer rule [`due_timer`].
//!
//! The rules, in the words a merchant would use:
//! - The happy path is DESIGN §1 steps 2–7. Cash on delivery, where enabled,
//!   settles the payment for confirmation.
//! - Off-script input never corrupts an order. Free text re-asks the current
//!   question once, except on the note steps, where the next text *is* the
//!   note; the second text the bot cannot use at a step offers a "Talk to a
//!   person" button, and later ones wait for staff, so no sentence is sent
//!   three times. What is typed at the address step is kept for staff.
//!   A tap whose question was already answered gets "already done" and no
//!   second move. A tap that fits no step re-asks.
//! - Money received is never lost or undone. `paid` is never overwritten, and
//!   an order with money on it is never abandoned. A payment on an abandoned
//!   order brings it back.
//! - An order whose only open question is the note is confirmed without one
//!   rather than abandoned: when it idles out, and when a newer cart arrives.
//!   For the same reason a replaced order is never asked for a note: free
//!   text belongs to the customer's newest order, so its note could never be
//!   told apart.
//! - A returning customer resumes an abandoned order where it stopped. Their
//!   first text after a day away is a greeting, not a note, so it gets a
//!   welcome back and the question again.
//! - Nothing moves an order whose checkout is over (confirmed and later,
//!   cancelled, rejected, returned, archived). Payment facts are still
//!   recorded on it.

use chrono::Duration;

use super::{
    ButtonAction, CheckoutInput, CheckoutOutcome, CheckoutRefusal, CheckoutSettings, CheckoutState,
    CheckoutStep, OnNewerCart, PaymentChoice, Reply,
};
use crate::{Actor, OrderStatus, PaymentStatus};

use CheckoutStep::{
    AwaitingAddress, AwaitingNoteChoice, AwaitingNoteText, AwaitingPayment, Complete,
};

mod draft;

use draft::Draft;

/// Decides what `input` does to the checkout of the order in `state`.
///
/// Pure: nothing is changed. The engine applies the outcome (fields, each of
/// `moves` through [`crate::plan_transition`], then the replies to the
/// outbox) under the order's version, and [`CheckoutState::after`] shows the
/// state it will then have.
///
/// # Errors
/// [`CheckoutRefusal`] when the input was routed to the wrong order (another
/// order's button, free text for a replaced order, a "newer" cart that is
/// older) or is the address form after the payment step has passed.
pub fn advance(
    state: &CheckoutState,
    input: CheckoutInput,
    settings: &CheckoutSettings,
) -> Result<CheckoutOutcome, CheckoutRefusal> {
    if let CheckoutInput::CartReplaced { newer } = input {
        if newer <= state.number {
            return Err(CheckoutRefusal::NotNewer {
                number: state.number,
                newer,
            });
        }
    }
    let mut d = Draft::new(state, settings);
    match phase(state) {
        Phase::InCheckout => in_checkout(&mut d, input)?,
        Phase::Abandoned => abandoned(&mut d, input)?,
        Phase::Done => after_checkout(&mut d, input, false)?,
        Phase::Closed => after_checkout(&mut d, input, true)?,
    }
    Ok(d.finish())
}

/// The timer input due on an order whose checkout has not moved for `idle`
/// (since the last outcome with [`CheckoutOutcome::progressed`], or since the
/// order was made), or `None`.
///
/// A scheduled sweep calls this for every order in checkout and feeds the
/// answer to [`advance`]. An order with money on it is never due for
/// abandonment; a replaced order is not nudged (the customer is busy with the
/// newer one); there is one nudge per stall, and none when the nudge delay is
/// not shorter than the abandonment delay.
pub fn due_timer(
    state: &CheckoutState,
    idle: Duration,
    settings: &CheckoutSettings,
) -> Option<CheckoutInput> {
    if state.status != OrderStatus::Placed || state.step == Complete {
        return None;
    }
    if idle >= settings.abandon_after {
        return (state.step.is_note_step() || abandonable(state))
            .then_some(CheckoutInput::AbandonDue);
    }
    let nudge = idle >= settings.nudge_after && !state.nudged && state.superseded_by.is_none();
    nudge.then_some(CheckoutInput::NudgeDue)
}

/// Whether a later step of the cart-recovery schedule (after the nudge; see
/// [`CheckoutSettings::recovery_later`]) should remind the customer now.
///
/// The reminders run while the cart can still become an order: in checkout,
/// or abandoned but resumable (a reply brings the customer back,
/// [`CheckoutInput::CustomerReturned`]). They stop once the checkout is
/// complete or the order has left checkout (staff moved it, it was paid and
/// confirmed, cancelled…), and for an order a newer cart replaced. What
/// stops them when nothing here changes (the customer wrote, staff took the
/// chat over) is the engine's: it cancels the pending steps.
pub fn recovery_due(state: &CheckoutState) -> bool {
    state.step != Complete
        && state.superseded_by.is_none()
        && matches!(state.status, OrderStatus::Placed | OrderStatus::Abandoned)
}

/// Where an order stands relative to its checkout.
enum Phase {
    /// `placed`, something still to ask.
    InCheckout,
    /// `abandoned`, resumable.
    Abandoned,
    /// The checkout completed; the order lives on with staff.
    Done,
    /// The order is over.
    Closed,
}

fn phase(s: &CheckoutState) -> Phase {
    use OrderStatus::*;
    match s.status {
        Placed if s.step == Complete => Phase::Done,
        Placed => Phase::InCheckout,
        Abandoned if s.step == Complete => Phase::Closed,
        Abandoned => Phase::Abandoned,
        Confirmed | Approved | Processed | Shipped | Delivered | OnHold => Phase::Done,
        Rejected | Cancelled | Returned | Archived => Phase::Closed,
    }
}

/// Whether the idle rule may abandon the order: not once money is on it.
fn abandonable(s: &CheckoutState) -> bool {
    s.status == OrderStatus::Placed
        && matches!(s.step, AwaitingAddress | AwaitingPayment)
        && s.payment_status != PaymentStatus::Paid
}

fn in_checkout(d: &mut Draft<'_>, input: CheckoutInput) -> Result<(), CheckoutRefusal> {
    use CheckoutInput as I;
    let step = d.cur.step;
    match input {
        I::CartReceived => {
            if step == AwaitingAddress && !d.cur.has_address {
                d.say(Reply::AskAddress);
                d.out.progressed = true;
            }
        }
        I::AddressSubmitted => match step {
            AwaitingAddress => {
                d.accept_address();
                d.say(Reply::ThankForAddress);
                if d.settled() {
                    d.reach_note_step();
                } else {
                    d.step(AwaitingPayment);
                    d.ask();
                }
            }
            AwaitingPayment => {
                d.accept_address();
                d.say(Reply::AddressUpdated);
            }
            _ => return Err(d.address_locked()),
        },
        I::PaymentSucceeded => {
            if d.record_payment(PaymentStatus::Paid) {
                d.say(Reply::PaymentReceived);
                match step {
                    AwaitingAddress => d.ask(),
                    AwaitingPayment => d.reach_note_step(),
                    // Paid after choosing cash on delivery: nothing more to ask.
                    _ => {}
                }
            }
        }
        I::PaymentFailed | I::PaymentExpired => {
            let (to, reply) = payment_setback(&input);
            if d.record_payment(to) && step == AwaitingPayment {
                d.say(reply);
                d.ask();
            }
        }
        I::ButtonTapped { id } => match d.tapped(&id)? {
            Some(action) => tap(d, action),
            None => d.reprompt(),
        },
        I::Text { body } => {
            d.not_superseded()?;
            let note = body.trim();
            if step.is_note_step() && !note.is_empty() {
                d.note(note);
                d.say(Reply::NoteSaved);
                d.complete(None);
            } else {
                d.off_script(note);
            }
        }
        I::CartReplaced { newer } => {
            d.supersede(newer);
            if step.is_note_step() {
                d.complete(Some(format!(
                    "checkout complete without a note: order #{newer} arrived first"
                )));
            } else if abandonable(&d.cur) && d.settings.on_newer_cart == OnNewerCart::AbandonOlder {
                d.move_to(
                    OrderStatus::Abandoned,
                    Actor::System,
                    Some(format!("replaced by order #{newer}")),
                );
                d.say(Reply::Superseded { newer });
            }
        }
        I::NudgeDue => {
            if !d.cur.nudged && d.cur.superseded_by.is_none() {
                d.out.changes.nudged = Some(true);
                d.cur.nudged = true;
                d.say(Reply::Nudge);
                d.ask();
            }
        }
        I::AbandonDue => {
            if step.is_note_step() {
                d.complete(Some(
                    "checkout complete without a note: the note question went unanswered".into(),
                ));
            } else if abandonable(&d.cur) {
                d.move_to(OrderStatus::Abandoned, Actor::System, None);
            }
        }
        I::CustomerReturned => {
            d.not_superseded()?;
            d.reprompt();
        }
    }
    Ok(())
}

/// A tap on one of this order's buttons while it is in checkout.
fn tap(d: &mut Draft<'_>, action: ButtonAction) {
    use ButtonAction::*;
    match (d.cur.step, action) {
        (AwaitingPayment, PayCod) if d.settings.cod_enabled => {
            d.choose(PaymentChoice::Cod);
            d.say(Reply::CodAccepted);
            d.reach_note_step();
        }
        (AwaitingPayment, PayCod) => {
            d.say(Reply::CodUnavailable);
            d.say(Reply::AskPayment { cod_offered: false });
        }
        (AwaitingPayment, PayOnline) => {
            // A repeated "Pay now" re-sends the link: the customer lost it.
            if d.cur.payment_method != Some(PaymentChoice::Online) {
                d.choose(PaymentChoice::Online);
            }
            d.say(Reply::AskPayment { cod_offered: false });
        }
        (AwaitingNoteChoice, AddNote) => {
            d.step(AwaitingNoteText);
            d.say(Reply::AskNoteText);
        }
        (AwaitingNoteText, AddNote) => d.say(Reply::AskNoteText),
        (AwaitingNoteChoice | AwaitingNoteText, SkipNote) => d.complete(None),
        (AwaitingNoteChoice | AwaitingNoteText, PayOnline | PayCod) => d.say(Reply::AlreadyDone),
        // A button from a step the order has not reached: ask what is asked now.
        (AwaitingAddress, _) | (AwaitingPayment, AddNote | SkipNote) | (Complete, _) => {
            d.reprompt()
        }
    }
}

fn abandoned(d: &mut Draft<'_>, input: CheckoutInput) -> Result<(), CheckoutRefusal> {
    use CheckoutInput as I;
    match input {
        I::PaymentFailed | I::PaymentExpired => {
            // Recorded, but an abandoned customer is not chased with a new link.
            d.record_payment(payment_setback(&input).0);
        }
        I::NudgeDue | I::AbandonDue | I::CartReceived => {}
        I::CartReplaced { newer } => d.supersede(newer),
        I::Text { .. } | I::CustomerReturned => welcome_back(d)?,
        I::ButtonTapped { id } => match (d.tapped(&id)?, d.cur.superseded_by) {
            (None, _) => welcome_back(d)?,
            (Some(_), Some(newer)) => d.say(Reply::Superseded { newer }),
            (Some(action), None) => {
                d.resume();
                tap(d, action);
            }
        },
        I::AddressSubmitted => {
            d.not_superseded()?;
            d.resume();
            in_checkout(d, input)?;
        }
        I::PaymentSucceeded => {
            // Money brings any abandoned order back, replaced or not.
            if !matches!(
                d.cur.payment_status,
                PaymentStatus::Paid | PaymentStatus::PartiallyRefunded | PaymentStatus::Refunded
            ) {
                d.resume();
                in_checkout(d, input)?;
            }
        }
    }
    Ok(())
}

fn welcome_back(d: &mut Draft<'_>) -> Result<(), CheckoutRefusal> {
    d.not_superseded()?;
    d.resume();
    d.say(Reply::WelcomeBack);
    d.ask();
    Ok(())
}

fn after_checkout(
    d: &mut Draft<'_>,
    input: CheckoutInput,
    closed: bool,
) -> Result<(), CheckoutRefusal> {
    use CheckoutInput as I;
    match input {
        I::PaymentSucceeded => {
            if d.record_payment(PaymentStatus::Paid) && !closed {
                d.say(Reply::PaymentReceived);
            }
        }
        I::PaymentFailed | I::PaymentExpired => {
            d.record_payment(payment_setback(&input).0);
        }
        I::AddressSubmitted => return Err(d.address_locked()),
        I::ButtonTapped { id } => match d.tapped(&id)? {
            // A tap that is not ours, after checkout, is chat for staff.
            None => {}
            Some(_) if closed => {
                let status = d.cur.status;
                d.say(Reply::OrderClosed { status });
            }
            // A customer who skipped the note may still add one until the
            // order ships: the next text is the note.
            Some(ButtonAction::AddNote) if takes_late_note(&d.cur) => {
                d.step(AwaitingNoteText);
                d.say(Reply::AskNoteText);
            }
            Some(ButtonAction::SkipNote) if d.cur.step == AwaitingNoteText => {
                d.step(Complete);
                d.say(Reply::AlreadyDone);
            }
            Some(_) => d.say(Reply::AlreadyDone),
        },
        I::Text { body } if d.cur.step == AwaitingNoteText && takes_late_note(&d.cur) => {
            let late = body.trim();
            if !late.is_empty() {
                // Added to any note already there, never replacing what
                // staff may have acted on.
                let note = match d.cur.note.as_deref() {
                    Some(earlier) if !earlier.is_empty() => format!("{earlier}\n{late}"),
                    _ => late.to_owned(),
                };
                d.note(&note);
                d.say(Reply::NoteSaved);
                d.step(Complete);
            }
        }
        // Text and returns after checkout are chat for staff, not the bot's.
        I::Text { .. }
        | I::CustomerReturned
        | I::CartReplaced { .. }
        | I::NudgeDue
        | I::AbandonDue
        | I::CartReceived => {}
    }
    Ok(())
}

/// Whether a note may still be added after the checkout: once confirmed,
/// until the order ships (a note is for packing and delivery).
fn takes_late_note(s: &CheckoutState) -> bool {
    use OrderStatus::*;
    matches!(s.status, Confirmed | Approved | Processed | OnHold)
}

/// Most characters of "address as typed" kept: a few messages' worth.
pub const MAX_ADDRESS_AS_TYPED: usize = 1000;

/// `text` added on a new line to what was typed before, at most
/// [`MAX_ADDRESS_AS_TYPED`] characters (what comes first is kept: the
/// address is usually the first thing typed, "hello?" comes after).
fn keep_typed(before: Option<&str>, text: &str) -> String {
    let joined = match before {
        Some(b) if !b.is_empty() => format!("{b}\n{text}"),
        _ => text.to_owned(),
    };
    joined.chars().take(MAX_ADDRESS_AS_TYPED).collect()
}

/// The payment status and reply of a failure or expiry input.
fn payment_setback(input: &CheckoutInput) -> (PaymentStatus, Reply) {
    match input {
        CheckoutInput::PaymentExpired => (PaymentStatus::Expired, Reply::PaymentExpired),
        _ => (PaymentStatus::Failed, Reply::PaymentFailed),
    }
}
