//! The checkout machine as tables: for each kind of order, every step
//! against every input of [`inputs`], with the exact outcome or refusal.
//! A missing or duplicated row fails the test, so a new input or step cannot
//! slip in untested.

use super::*;
use CheckoutStep::Complete as Done;
use PaymentStatus::{Expired, Failed, Paid};
use Reply as R;

/// An expected answer, built up from "the step afterwards".
struct E(Result<CheckoutOutcome, CheckoutRefusal>);

fn ok(step: CheckoutStep) -> E {
    E(Ok(CheckoutOutcome {
        step,
        changes: CheckoutChanges::default(),
        moves: Vec::new(),
        replies: Vec::new(),
        progressed: false,
    }))
}

fn refused(r: CheckoutRefusal) -> E {
    E(Err(r))
}

fn reprompt(step: CheckoutStep, question: Reply) -> E {
    ok(step).say([R::Reprompt { step }, question])
}

fn wrong_order() -> E {
    refused(CheckoutRefusal::WrongOrder {
        number: n(ORDER),
        named: n(1005),
    })
}

fn not_newer() -> E {
    refused(CheckoutRefusal::NotNewer {
        number: n(ORDER),
        newer: n(ORDER),
    })
}

fn locked(status: OrderStatus, step: CheckoutStep) -> E {
    refused(CheckoutRefusal::AddressLocked {
        number: n(ORDER),
        status,
        step,
    })
}

fn replaced() -> E {
    refused(CheckoutRefusal::Superseded {
        number: n(ORDER),
        newer: n(1002),
    })
}

impl E {
    fn with(mut self, f: impl FnOnce(&mut CheckoutOutcome)) -> Self {
        if let Ok(out) = &mut self.0 {
            f(out);
        }
        self
    }
    fn say<const N: usize>(self, replies: [Reply; N]) -> Self {
        self.with(|o| o.replies.extend(replies))
    }
    fn progressed(self) -> Self {
        self.with(|o| o.progressed = true)
    }
    fn address(self) -> Self {
        self.with(|o| o.changes.address_accepted = true)
    }
    fn pay(self, s: PaymentStatus) -> Self {
        self.with(|o| o.changes.payment_status = Some(s))
    }
    fn method(self, c: PaymentChoice) -> Self {
        self.with(|o| o.changes.payment_method = Some(c))
    }
    fn note(self, t: &str) -> Self {
        self.with(|o| o.changes.note = Some(t.into()))
    }
    fn nudged(self) -> Self {
        self.with(|o| o.changes.nudged = Some(true))
    }
    fn off_script(self, count: u32) -> Self {
        self.with(|o| o.changes.off_script = Some(count))
    }
    fn typed(self, t: &str) -> Self {
        self.with(|o| o.changes.address_as_typed = Some(t.into()))
    }
    fn replaced_by(self, x: i64) -> Self {
        self.with(|o| o.changes.superseded_by = Some(n(x)))
    }
    fn moved(self, to: OrderStatus, actor: Actor, reason: Option<&str>) -> Self {
        self.with(|o| {
            o.moves.push(TransitionRequest {
                to,
                actor,
                reason: reason.map(str::to_owned),
                tracking: None,
            })
        })
    }
    fn confirm(self) -> Self {
        self.moved(OrderStatus::Confirmed, Actor::Bot, None)
    }
    fn confirm_because(self, reason: &str) -> Self {
        self.moved(OrderStatus::Confirmed, Actor::Bot, Some(reason))
    }
    fn abandon(self, reason: Option<&str>) -> Self {
        self.moved(OrderStatus::Abandoned, Actor::System, reason)
    }
    fn resume(self) -> Self {
        self.moved(OrderStatus::Placed, Actor::Customer, None)
    }
}

/// An order at `step` as a real checkout leaves it: placed while in
/// checkout, paid online from the note steps on, confirmed once complete.
fn placed_at(step: CheckoutStep) -> CheckoutState {
    let mut s = CheckoutState::new(n(ORDER));
    s.has_address = step != AwaitingAddress;
    if matches!(step, AwaitingNoteChoice | AwaitingNoteText | Done) {
        s.payment_status = Paid;
        s.payment_method = Some(PaymentChoice::Online);
    }
    if step == Done {
        s.status = OrderStatus::Confirmed;
    }
    s.step = step;
    s
}

fn abandoned_at(step: CheckoutStep) -> CheckoutState {
    CheckoutState {
        status: OrderStatus::Abandoned,
        ..placed_at(step)
    }
}

type Row = (CheckoutStep, &'static str, E);

fn check(title: &str, states: &[CheckoutState], settings: &CheckoutSettings, rows: Vec<Row>) {
    let inputs = inputs();
    for state in states {
        for (name, input) in &inputs {
            let found: Vec<&Row> = rows
                .iter()
                .filter(|(step, row, _)| *step == state.step && row == name)
                .collect();
            assert_eq!(
                found.len(),
                1,
                "{title}: one row for {} × {name}",
                state.step
            );
            assert_eq!(
                advance(state, input.clone(), settings),
                found[0].2 .0,
                "{title}: {} × {name}",
                state.step
            );
        }
    }
    assert_eq!(
        rows.len(),
        states.len() * inputs.len(),
        "{title}: stray rows"
    );
}

const CONFIRM_NOTE_UNANSWERED: &str =
    "checkout complete without a note: the note question went unanswered";
const CONFIRM_NEWER_FIRST: &str = "checkout complete without a note: order #1002 arrived first";

#[test]
fn every_step_answers_every_input_as_the_table_says() {
    let link = || R::AskPayment { cod_offered: false };
    #[rustfmt::skip]
    let rows: Vec<Row> = vec![
        (AwaitingAddress, "cart", ok(AwaitingAddress).say([R::AskAddress]).progressed()),
        (AwaitingAddress, "address", ok(AwaitingPayment).address().say([R::ThankForAddress, link()]).progressed()),
        (AwaitingAddress, "paid", ok(AwaitingAddress).pay(Paid).say([R::PaymentReceived, R::AskAddress]).progressed()),
        (AwaitingAddress, "failed", ok(AwaitingAddress).pay(Failed)),
        (AwaitingAddress, "expired", ok(AwaitingAddress).pay(Expired)),
        (AwaitingAddress, "tap add note", reprompt(AwaitingAddress, R::AskAddress)),
        (AwaitingAddress, "tap skip", reprompt(AwaitingAddress, R::AskAddress)),
        (AwaitingAddress, "tap pay now", reprompt(AwaitingAddress, R::AskAddress)),
        (AwaitingAddress, "tap cod", reprompt(AwaitingAddress, R::AskAddress)),
        (AwaitingAddress, "tap for another order", wrong_order()),
        (AwaitingAddress, "tap not ours", reprompt(AwaitingAddress, R::AskAddress)),
        (AwaitingAddress, "text", ok(AwaitingAddress).off_script(1).typed("ring the bell").say([R::AddressKept, R::AskAddress])),
        (AwaitingAddress, "blank text", reprompt(AwaitingAddress, R::AskAddress).off_script(1)),
        (AwaitingAddress, "newer cart", ok(AwaitingAddress).replaced_by(1002)),
        (AwaitingAddress, "same cart", not_newer()),
        (AwaitingAddress, "nudge due", ok(AwaitingAddress).nudged().say([R::Nudge, R::AskAddress])),
        (AwaitingAddress, "abandon due", ok(AwaitingAddress).abandon(None)),
        (AwaitingAddress, "customer returned", reprompt(AwaitingAddress, R::AskAddress)),

        (AwaitingPayment, "cart", ok(AwaitingPayment)),
        (AwaitingPayment, "address", ok(AwaitingPayment).address().say([R::AddressUpdated]).progressed()),
        (AwaitingPayment, "paid", ok(AwaitingNoteChoice).pay(Paid).say([R::PaymentReceived, R::AskNote]).progressed()),
        (AwaitingPayment, "failed", ok(AwaitingPayment).pay(Failed).say([R::PaymentFailed, link()])),
        (AwaitingPayment, "expired", ok(AwaitingPayment).pay(Expired).say([R::PaymentExpired, link()])),
        (AwaitingPayment, "tap add note", reprompt(AwaitingPayment, link())),
        (AwaitingPayment, "tap skip", reprompt(AwaitingPayment, link())),
        (AwaitingPayment, "tap pay now", ok(AwaitingPayment).method(PaymentChoice::Online).say([link()]).progressed()),
        (AwaitingPayment, "tap cod", ok(AwaitingPayment).say([R::CodUnavailable, link()])),
        (AwaitingPayment, "tap for another order", wrong_order()),
        (AwaitingPayment, "tap not ours", reprompt(AwaitingPayment, link())),
        (AwaitingPayment, "text", reprompt(AwaitingPayment, link()).off_script(1)),
        (AwaitingPayment, "blank text", reprompt(AwaitingPayment, link()).off_script(1)),
        (AwaitingPayment, "newer cart", ok(AwaitingPayment).replaced_by(1002)),
        (AwaitingPayment, "same cart", not_newer()),
        (AwaitingPayment, "nudge due", ok(AwaitingPayment).nudged().say([R::Nudge, link()])),
        (AwaitingPayment, "abandon due", ok(AwaitingPayment).abandon(None)),
        (AwaitingPayment, "customer returned", reprompt(AwaitingPayment, link())),

        (AwaitingNoteChoice, "cart", ok(AwaitingNoteChoice)),
        (AwaitingNoteChoice, "address", locked(OrderStatus::Placed, AwaitingNoteChoice)),
        (AwaitingNoteChoice, "paid", ok(AwaitingNoteChoice)),
        (AwaitingNoteChoice, "failed", ok(AwaitingNoteChoice)),
        (AwaitingNoteChoice, "expired", ok(AwaitingNoteChoice)),
        (AwaitingNoteChoice, "tap add note", ok(AwaitingNoteText).say([R::AskNoteText]).progressed()),
        (AwaitingNoteChoice, "tap skip", ok(Done).confirm().say([R::OrderConfirmed])),
        (AwaitingNoteChoice, "tap pay now", ok(AwaitingNoteChoice).say([R::AlreadyDone])),
        (AwaitingNoteChoice, "tap cod", ok(AwaitingNoteChoice).say([R::AlreadyDone])),
        (AwaitingNoteChoice, "tap for another order", wrong_order()),
        (AwaitingNoteChoice, "tap not ours", reprompt(AwaitingNoteChoice, R::AskNote)),
        (AwaitingNoteChoice, "text", ok(Done).note("ring the bell").confirm().say([R::NoteSaved, R::OrderConfirmed])),
        (AwaitingNoteChoice, "blank text", reprompt(AwaitingNoteChoice, R::AskNote).off_script(1)),
        (AwaitingNoteChoice, "newer cart", ok(Done).replaced_by(1002).confirm_because(CONFIRM_NEWER_FIRST).say([R::OrderConfirmed])),
        (AwaitingNoteChoice, "same cart", not_newer()),
        (AwaitingNoteChoice, "nudge due", ok(AwaitingNoteChoice).nudged().say([R::Nudge, R::AskNote])),
        (AwaitingNoteChoice, "abandon due", ok(Done).confirm_because(CONFIRM_NOTE_UNANSWERED).say([R::OrderConfirmed])),
        (AwaitingNoteChoice, "customer returned", reprompt(AwaitingNoteChoice, R::AskNote)),

        (AwaitingNoteText, "cart", ok(AwaitingNoteText)),
        (AwaitingNoteText, "address", locked(OrderStatus::Placed, AwaitingNoteText)),
        (AwaitingNoteText, "paid", ok(AwaitingNoteText)),
        (AwaitingNoteText, "failed", ok(AwaitingNoteText)),
        (AwaitingNoteText, "expired", ok(AwaitingNoteText)),
        (AwaitingNoteText, "tap add note", ok(AwaitingNoteText).say([R::AskNoteText])),
        (AwaitingNoteText, "tap skip", ok(Done).confirm().say([R::OrderConfirmed])),
        (AwaitingNoteText, "tap pay now", ok(AwaitingNoteText).say([R::AlreadyDone])),
        (AwaitingNoteText, "tap cod", ok(AwaitingNoteText).say([R::AlreadyDone])),
        (AwaitingNoteText, "tap for another order", wrong_order()),
        (AwaitingNoteText, "tap not ours", reprompt(AwaitingNoteText, R::AskNoteText)),
        (AwaitingNoteText, "text", ok(Done).note("ring the bell").confirm().say([R::NoteSaved, R::OrderConfirmed])),
        (AwaitingNoteText, "blank text", reprompt(AwaitingNoteText, R::AskNoteText).off_script(1)),
        (AwaitingNoteText, "newer cart", ok(Done).replaced_by(1002).confirm_because(CONFIRM_NEWER_FIRST).say([R::OrderConfirmed])),
        (AwaitingNoteText, "same cart", not_newer()),
        (AwaitingNoteText, "nudge due", ok(AwaitingNoteText).nudged().say([R::Nudge, R::AskNoteText])),
        (AwaitingNoteText, "abandon due", ok(Done).confirm_because(CONFIRM_NOTE_UNANSWERED).say([R::OrderConfirmed])),
        (AwaitingNoteText, "customer returned", reprompt(AwaitingNoteText, R::AskNoteText)),

        (Done, "cart", ok(Done)),
        (Done, "address", locked(OrderStatus::Confirmed, Done)),
        (Done, "paid", ok(Done)),
        (Done, "failed", ok(Done)),
        (Done, "expired", ok(Done)),
        // A note may still be added after the checkout, until the order ships.
        (Done, "tap add note", ok(AwaitingNoteText).say([R::AskNoteText])),
        (Done, "tap skip", ok(Done).say([R::AlreadyDone])),
        (Done, "tap pay now", ok(Done).say([R::AlreadyDone])),
        (Done, "tap cod", ok(Done).say([R::AlreadyDone])),
        (Done, "tap for another order", wrong_order()),
        (Done, "tap not ours", ok(Done)),
        (Done, "text", ok(Done)),
        (Done, "blank text", ok(Done)),
        (Done, "newer cart", ok(Done)),
        (Done, "same cart", not_newer()),
        (Done, "nudge due", ok(Done)),
        (Done, "abandon due", ok(Done)),
        (Done, "customer returned", ok(Done)),
    ];
    let states = CheckoutStep::ALL.map(placed_at);
    check("placed", &states, &CheckoutSettings::default(), rows);
}

#[test]
fn with_cash_on_delivery_the_payment_step_answers_every_input_as_the_table_says() {
    let choice = || R::AskPayment { cod_offered: true };
    let link = || R::AskPayment { cod_offered: false };
    let p = AwaitingPayment;
    #[rustfmt::skip]
    let rows: Vec<Row> = vec![
        (p, "cart", ok(p)),
        (p, "address", ok(p).address().say([R::AddressUpdated]).progressed()),
        (p, "paid", ok(AwaitingNoteChoice).pay(Paid).say([R::PaymentReceived, R::AskNote]).progressed()),
        (p, "failed", ok(p).pay(Failed).say([R::PaymentFailed, choice()])),
        (p, "expired", ok(p).pay(Expired).say([R::PaymentExpired, choice()])),
        (p, "tap add note", reprompt(p, choice())),
        (p, "tap skip", reprompt(p, choice())),
        (p, "tap pay now", ok(p).method(PaymentChoice::Online).say([link()]).progressed()),
        (p, "tap cod", ok(AwaitingNoteChoice).method(PaymentChoice::Cod).say([R::CodAccepted, R::AskNote]).progressed()),
        (p, "tap for another order", wrong_order()),
        (p, "tap not ours", reprompt(p, choice())),
        (p, "text", reprompt(p, choice()).off_script(1)),
        (p, "blank text", reprompt(p, choice()).off_script(1)),
        (p, "newer cart", ok(p).replaced_by(1002)),
        (p, "same cart", not_newer()),
        (p, "nudge due", ok(p).nudged().say([R::Nudge, choice()])),
        (p, "abandon due", ok(p).abandon(None)),
        (p, "customer returned", reprompt(p, choice())),
    ];
    check("cod", &[placed_at(p)], &cod_on(), rows);
}

#[test]
fn an_abandoned_order_answers_every_input_as_the_table_says() {
    let link = || R::AskPayment { cod_offered: false };
    let (a, p) = (AwaitingAddress, AwaitingPayment);
    #[rustfmt::skip]
    let rows: Vec<Row> = vec![
        (a, "cart", ok(a)),
        (a, "address", ok(p).resume().address().say([R::ThankForAddress, link()]).progressed()),
        (a, "paid", ok(a).resume().pay(Paid).say([R::PaymentReceived, R::AskAddress]).progressed()),
        (a, "failed", ok(a).pay(Failed)),
        (a, "expired", ok(a).pay(Expired)),
        (a, "tap add note", ok(a).resume().say([R::Reprompt { step: a }, R::AskAddress]).progressed()),
        (a, "tap skip", ok(a).resume().say([R::Reprompt { step: a }, R::AskAddress]).progressed()),
        (a, "tap pay now", ok(a).resume().say([R::Reprompt { step: a }, R::AskAddress]).progressed()),
        (a, "tap cod", ok(a).resume().say([R::Reprompt { step: a }, R::AskAddress]).progressed()),
        (a, "tap for another order", wrong_order()),
        (a, "tap not ours", ok(a).resume().say([R::WelcomeBack, R::AskAddress]).progressed()),
        (a, "text", ok(a).resume().say([R::WelcomeBack, R::AskAddress]).progressed()),
        (a, "blank text", ok(a).resume().say([R::WelcomeBack, R::AskAddress]).progressed()),
        (a, "newer cart", ok(a).replaced_by(1002)),
        (a, "same cart", not_newer()),
        (a, "nudge due", ok(a)),
        (a, "abandon due", ok(a)),
        (a, "customer returned", ok(a).resume().say([R::WelcomeBack, R::AskAddress]).progressed()),

        (p, "cart", ok(p)),
        (p, "address", ok(p).resume().address().say([R::AddressUpdated]).progressed()),
        (p, "paid", ok(AwaitingNoteChoice).resume().pay(Paid).say([R::PaymentReceived, R::AskNote]).progressed()),
        (p, "failed", ok(p).pay(Failed)),
        (p, "expired", ok(p).pay(Expired)),
        (p, "tap add note", ok(p).resume().say([R::Reprompt { step: p }, link()]).progressed()),
        (p, "tap skip", ok(p).resume().say([R::Reprompt { step: p }, link()]).progressed()),
        (p, "tap pay now", ok(p).resume().method(PaymentChoice::Online).say([link()]).progressed()),
        (p, "tap cod", ok(p).resume().say([R::CodUnavailable, link()]).progressed()),
        (p, "tap for another order", wrong_order()),
        (p, "tap not ours", ok(p).resume().say([R::WelcomeBack, link()]).progressed()),
        (p, "text", ok(p).resume().say([R::WelcomeBack, link()]).progressed()),
        (p, "blank text", ok(p).resume().say([R::WelcomeBack, link()]).progressed()),
        (p, "newer cart", ok(p).replaced_by(1002)),
        (p, "same cart", not_newer()),
        (p, "nudge due", ok(p)),
        (p, "abandon due", ok(p)),
        (p, "customer returned", ok(p).resume().say([R::WelcomeBack, link()]).progressed()),
    ];
    let states = [abandoned_at(a), abandoned_at(p)];
    check("abandoned", &states, &CheckoutSettings::default(), rows);
}

#[test]
fn an_abandoned_replaced_order_answers_every_input_as_the_table_says() {
    let p = AwaitingPayment;
    let gone = || R::Superseded { newer: n(1002) };
    #[rustfmt::skip]
    let rows: Vec<Row> = vec![
        (p, "cart", ok(p)),
        (p, "address", replaced()),
        // Money brings it back, and with no note to ask it is confirmed at once.
        (p, "paid", ok(Done).resume().pay(Paid)
            .confirm_because("checkout complete without a note: order #1002 is the customer's newer cart")
            .say([R::PaymentReceived, R::OrderConfirmed])),
        (p, "failed", ok(p).pay(Failed)),
        (p, "expired", ok(p).pay(Expired)),
        (p, "tap add note", ok(p).say([gone()])),
        (p, "tap skip", ok(p).say([gone()])),
        (p, "tap pay now", ok(p).say([gone()])),
        (p, "tap cod", ok(p).say([gone()])),
        (p, "tap for another order", wrong_order()),
        (p, "tap not ours", replaced()),
        (p, "text", replaced()),
        (p, "blank text", replaced()),
        (p, "newer cart", ok(p)),
        (p, "same cart", not_newer()),
        (p, "nudge due", ok(p)),
        (p, "abandon due", ok(p)),
        (p, "customer returned", replaced()),
    ];
    let state = CheckoutState {
        superseded_by: Some(n(1002)),
        ..abandoned_at(p)
    };
    check("abandoned, replaced", &[state], &cod_on(), rows);
}

#[test]
fn a_newer_cart_under_abandon_older_sets_an_unpaid_order_aside_and_confirms_a_settled_one() {
    let newer = CheckoutInput::CartReplaced { newer: n(1002) };
    let aside = |step| {
        ok(step)
            .replaced_by(1002)
            .abandon(Some("replaced by order #1002"))
            .say([R::Superseded { newer: n(1002) }])
    };
    let confirmed = || {
        ok(Done)
            .replaced_by(1002)
            .confirm_because(CONFIRM_NEWER_FIRST)
            .say([R::OrderConfirmed])
    };
    let table = [
        (AwaitingAddress, aside(AwaitingAddress)),
        (AwaitingPayment, aside(AwaitingPayment)),
        (AwaitingNoteChoice, confirmed()),
        (AwaitingNoteText, confirmed()),
        (Done, ok(Done)),
    ];
    for (step, expected) in table {
        let got = advance(&placed_at(step), newer.clone(), &abandon_older());
        assert_eq!(got, expected.0, "{step}");
    }
    // Money on the order keeps it, whatever the setting.
    let paid_without_address = CheckoutState {
        payment_status: Paid,
        ..placed_at(AwaitingAddress)
    };
    let got = advance(&paid_without_address, newer, &abandon_older());
    assert_eq!(got, ok(AwaitingAddress).replaced_by(1002).0);
}
