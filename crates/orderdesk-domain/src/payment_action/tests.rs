//! Every combination of stage, payment status, method, checkout step and
//! provider, against the table of `docs/design.md` §2 written out as plainly
//! as it reads there.

use super::*;
use crate::{Currency, Customer, LineItem, NewOrder};

fn order(
    status: OrderStatus,
    payment: PaymentStatus,
    method: Option<PaymentMethod>,
    step: CheckoutStep,
) -> Order {
    let item = LineItem {
        retailer_id: "tee".into(),
        name: "Tee".into(),
        quantity: 1,
        unit_price_minor: 50_000,
    };
    let at = chrono::DateTime::UNIX_EPOCH;
    let inr = Currency::parse("INR").unwrap();
    let mut o = NewOrder::from_cart(Customer::default(), vec![(item, inr)], None, at)
        .unwrap()
        .placed(OrderNumber::FIRST, at);
    o.status = status;
    o.payment_status = payment;
    o.payment_method = method;
    o.checkout_step = step;
    o
}

/// The design's table, one line per condition.
fn expected(o: &Order, action: PaymentActionKind, provider: bool) -> bool {
    use OrderStatus::*;
    let settled = matches!(
        o.payment_status,
        PaymentStatus::Paid | PaymentStatus::PartiallyRefunded | PaymentStatus::Refunded
    );
    let awaiting_address = o.checkout_step == CheckoutStep::AwaitingAddress;
    match action {
        PaymentActionKind::MarkPaid => {
            let closed = [Rejected, Cancelled, Archived, Abandoned].contains(&o.status);
            let too_early = o.status == Placed && awaiting_address;
            !(settled || closed || too_early)
        }
        PaymentActionKind::SendLink => {
            provider
                && o.payment_method != Some(PaymentMethod::Cod)
                && !settled
                && ![Delivered, Returned, Rejected, Cancelled, Archived].contains(&o.status)
                && !awaiting_address
        }
        PaymentActionKind::Refund => matches!(
            o.payment_status,
            PaymentStatus::Paid | PaymentStatus::PartiallyRefunded
        ),
    }
}

fn every_order() -> impl Iterator<Item = Order> {
    let methods = std::iter::once(None).chain(PaymentMethod::ALL.into_iter().map(Some));
    let methods: Vec<_> = methods.collect();
    OrderStatus::ALL.into_iter().flat_map(move |s| {
        let methods = methods.clone();
        PaymentStatus::ALL.into_iter().flat_map(move |p| {
            let methods = methods.clone();
            methods.into_iter().flat_map(move |m| {
                CheckoutStep::ALL
                    .into_iter()
                    .map(move |step| order(s, p, m, step))
            })
        })
    })
}

#[test]
fn every_action_on_every_order_follows_the_design_table() {
    let mut checked = 0;
    for o in every_order() {
        for provider in [false, true] {
            for action in PaymentActionKind::ALL {
                let got = check_payment_action(&o, action, provider);
                assert_eq!(
                    got.is_ok(),
                    expected(&o, action, provider),
                    "{} on a {} order, payment {} ({:?}), step {:?}, provider {provider}: {got:?}",
                    action.as_str(),
                    o.status,
                    o.payment_status,
                    o.payment_method,
                    o.checkout_step,
                );
                checked += 1;
            }
        }
    }
    assert_eq!(checked, 12 * 6 * 7 * 5 * 2 * 3);
}

#[test]
fn a_cancelled_rejected_or_archived_order_cannot_be_marked_paid() {
    for status in [
        OrderStatus::Cancelled,
        OrderStatus::Rejected,
        OrderStatus::Archived,
    ] {
        let o = order(
            status,
            PaymentStatus::Pending,
            None,
            CheckoutStep::AwaitingPayment,
        );
        assert_eq!(allowed_payment_actions(&o, true), vec![]);
        let refusal = check_payment_action(&o, PaymentActionKind::MarkPaid, true).unwrap_err();
        assert!(
            refusal.to_string().contains("would be refunded"),
            "{refusal}"
        );
    }
}

#[test]
fn the_allowed_list_is_exactly_the_actions_the_check_lets_through() {
    for o in every_order() {
        for provider in [false, true] {
            let allowed = allowed_payment_actions(&o, provider);
            for action in PaymentActionKind::ALL {
                assert_eq!(
                    allowed.contains(&action),
                    check_payment_action(&o, action, provider).is_ok()
                );
            }
        }
    }
}

#[test]
fn refusals_name_the_order_and_why() {
    let paid = order(
        OrderStatus::Confirmed,
        PaymentStatus::Paid,
        Some(PaymentMethod::Razorpay),
        CheckoutStep::Complete,
    );
    assert_eq!(
        check_payment_action(&paid, PaymentActionKind::MarkPaid, true)
            .unwrap_err()
            .to_string(),
        "order #1001 is already paid"
    );
    let new = order(
        OrderStatus::Placed,
        PaymentStatus::Pending,
        None,
        CheckoutStep::AwaitingAddress,
    );
    assert_eq!(
        check_payment_action(&new, PaymentActionKind::Refund, true)
            .unwrap_err()
            .to_string(),
        "only a paid order can be refunded; order #1001 is pending"
    );
    assert_eq!(
        check_payment_action(&new, PaymentActionKind::SendLink, false).unwrap_err(),
        PaymentRefusal::NoProvider
    );
}

#[test]
fn an_abandoned_checkout_cannot_be_marked_paid() {
    let o = order(
        OrderStatus::Abandoned,
        PaymentStatus::Pending,
        None,
        CheckoutStep::AwaitingPayment,
    );
    let refusal = check_payment_action(&o, PaymentActionKind::MarkPaid, true).unwrap_err();
    assert!(refusal.to_string().contains("abandoned"), "{refusal}");
}

#[test]
fn a_partly_refunded_order_can_be_refunded_again_and_a_refunded_one_cannot() {
    let mut o = order(
        OrderStatus::Delivered,
        PaymentStatus::PartiallyRefunded,
        Some(PaymentMethod::Razorpay),
        CheckoutStep::Complete,
    );
    assert!(check_payment_action(&o, PaymentActionKind::Refund, true).is_ok());
    o.payment_status = PaymentStatus::Refunded;
    assert!(check_payment_action(&o, PaymentActionKind::Refund, true).is_err());
}
