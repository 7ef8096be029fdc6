//! [`Draft`]: the outcome [`super::advance`] builds, with the state as it
//! stands so far, and the moves every step rule is made of.

use super::keep_typed;
use crate::checkout::{
    ButtonAction, ButtonId, CheckoutChanges, CheckoutOutcome, CheckoutRefusal, CheckoutSettings,
    CheckoutState, CheckoutStep, PaymentChoice, Reply,
};
use crate::{Actor, OrderNumber, OrderStatus, PaymentStatus, TransitionRequest};

use CheckoutStep::{
    AwaitingAddress, AwaitingNoteChoice, AwaitingNoteText, AwaitingPayment, Complete,
};

/// An outcome being built, with the state as it stands so far.
pub(super) struct Draft<'a> {
    pub(super) before: &'a CheckoutState,
    pub(super) settings: &'a CheckoutSettings,
    pub(super) cur: CheckoutState,
    pub(super) out: CheckoutOutcome,
}

impl<'a> Draft<'a> {
    pub(super) fn new(before: &'a CheckoutState, settings: &'a CheckoutSettings) -> Self {
        Self {
            before,
            settings,
            cur: before.clone(),
            out: CheckoutOutcome {
                step: before.step,
                changes: CheckoutChanges::default(),
                moves: Vec::new(),
                replies: Vec::new(),
                progressed: false,
            },
        }
    }

    pub(super) fn finish(mut self) -> CheckoutOutcome {
        let c = &self.out.changes;
        let moved = self.out.progressed
            || self.cur.step != self.before.step
            || c.address_accepted
            || c.note.is_some()
            || c.payment_method.is_some()
            || c.payment_status == Some(PaymentStatus::Paid)
            || self.out.moves.iter().any(|m| m.to == OrderStatus::Placed);
        let open = self.cur.status == OrderStatus::Placed && self.cur.step != Complete;
        self.out.progressed = moved && open;
        // One nudge per stall: progress earns the customer a fresh one.
        if self.out.progressed && self.cur.nudged {
            self.out.changes.nudged = Some(false);
        }
        // Off-script messages are counted per step: a new step, or a
        // checkout moving again, starts the count afresh.
        let moved_on = self.out.progressed || self.cur.step != self.before.step;
        if moved_on && self.before.off_script > 0 && self.out.changes.off_script.is_none() {
            self.out.changes.off_script = Some(0);
        }
        self.out
    }

    /// A text the bot cannot use at this step. What the customer reads
    /// changes with each one, so no sentence is sent three times: the
    /// first gets the step's question again (at the address step after
    /// saying the text is kept for the team), the second a "Talk to a
    /// person" button, later ones nothing (they wait for staff in the
    /// inbox). Text at the address step is kept as "address as typed".
    pub(super) fn off_script(&mut self, text: &str) {
        let count = self.cur.off_script.saturating_add(1);
        self.out.changes.off_script = Some(count);
        self.cur.off_script = count;
        let step = self.cur.step;
        let kept = step == AwaitingAddress && !text.is_empty();
        if kept {
            let typed = keep_typed(self.cur.address_as_typed.as_deref(), text);
            self.out.changes.address_as_typed = Some(typed.clone());
            self.cur.address_as_typed = Some(typed);
        }
        match count {
            1 if kept => {
                self.say(Reply::AddressKept);
                self.ask();
            }
            1 => self.reprompt(),
            2 => self.say(Reply::OfferHandover { step }),
            _ => {}
        }
    }

    pub(super) fn say(&mut self, reply: Reply) {
        self.out.replies.push(reply);
    }

    pub(super) fn step(&mut self, step: CheckoutStep) {
        self.cur.step = step;
        self.out.step = step;
    }

    pub(super) fn move_to(&mut self, to: OrderStatus, actor: Actor, reason: Option<String>) {
        self.out.moves.push(TransitionRequest {
            to,
            actor,
            reason,
            tracking: None,
        });
        self.cur.status = to;
    }

    pub(super) fn accept_address(&mut self) {
        self.out.changes.address_accepted = true;
        self.cur.has_address = true;
    }

    pub(super) fn choose(&mut self, choice: PaymentChoice) {
        self.out.changes.payment_method = Some(choice);
        self.cur.payment_method = Some(choice);
    }

    pub(super) fn note(&mut self, note: &str) {
        self.out.changes.note = Some(note.to_owned());
        self.cur.note = Some(note.to_owned());
    }

    pub(super) fn supersede(&mut self, newer: OrderNumber) {
        if self.cur.superseded_by.is_none_or(|s| s < newer) {
            self.out.changes.superseded_by = Some(newer);
            self.cur.superseded_by = Some(newer);
        }
    }

    /// Records a payment event unless it is a repeat or would undo `paid`;
    /// says whether it was recorded.
    pub(super) fn record_payment(&mut self, to: PaymentStatus) -> bool {
        use PaymentStatus::*;
        let from = self.cur.payment_status;
        let recorded = match (from, to) {
            (Paid | PartiallyRefunded | Refunded, _) => false,
            (_, Paid) => true,
            _ => from.can_become(to),
        };
        if recorded {
            self.out.changes.payment_status = Some(to);
            self.cur.payment_status = to;
        }
        recorded
    }

    /// Address given and payment settled: only the note is left.
    pub(super) fn settled(&self) -> bool {
        self.cur.payment_status == PaymentStatus::Paid
            || self.cur.payment_method == Some(PaymentChoice::Cod)
    }

    /// The question of the current step.
    pub(super) fn ask(&mut self) {
        let reply = match self.cur.step {
            AwaitingAddress => Reply::AskAddress,
            AwaitingPayment => Reply::AskPayment {
                // After "Pay now" the question is the link, not the choice again.
                cod_offered: self.settings.cod_enabled
                    && self.cur.payment_method != Some(PaymentChoice::Online),
            },
            AwaitingNoteChoice => Reply::AskNote,
            AwaitingNoteText => Reply::AskNoteText,
            Complete => Reply::AlreadyDone,
        };
        self.say(reply);
    }

    pub(super) fn reprompt(&mut self) {
        self.say(Reply::Reprompt {
            step: self.cur.step,
        });
        self.ask();
    }

    pub(super) fn reach_note_step(&mut self) {
        match self.cur.superseded_by {
            Some(newer) => self.complete(Some(format!(
                "checkout complete without a note: order #{newer} is the customer's newer cart"
            ))),
            None => {
                self.step(AwaitingNoteChoice);
                self.say(Reply::AskNote);
            }
        }
    }

    pub(super) fn complete(&mut self, reason: Option<String>) {
        self.step(Complete);
        if self.cur.status == OrderStatus::Placed {
            self.move_to(OrderStatus::Confirmed, Actor::Bot, reason);
        }
        self.say(Reply::OrderConfirmed);
    }

    pub(super) fn resume(&mut self) {
        self.move_to(OrderStatus::Placed, Actor::Customer, None);
        // The note question is asked again, so the note is the text after it.
        if self.cur.step == AwaitingNoteText {
            self.step(AwaitingNoteChoice);
        }
    }

    /// The action of a tapped id: `None` when it is not a checkout button.
    pub(super) fn tapped(&self, id: &str) -> Result<Option<ButtonAction>, CheckoutRefusal> {
        match ButtonId::parse(id) {
            None => Ok(None),
            Some(b) if b.order != self.before.number => Err(CheckoutRefusal::WrongOrder {
                number: self.before.number,
                named: b.order,
            }),
            Some(b) => Ok(Some(b.action)),
        }
    }

    pub(super) fn not_superseded(&self) -> Result<(), CheckoutRefusal> {
        match self.cur.superseded_by {
            Some(newer) => Err(CheckoutRefusal::Superseded {
                number: self.before.number,
                newer,
            }),
            None => Ok(()),
        }
    }

    pub(super) fn address_locked(&self) -> CheckoutRefusal {
        CheckoutRefusal::AddressLocked {
            number: self.before.number,
            status: self.before.status,
            step: self.before.step,
        }
    }
}
