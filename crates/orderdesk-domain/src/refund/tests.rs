use super::*;
use crate::{Currency, Customer, NewOrder, OrderNumber};

fn paid(total: i64) -> Order {
    let new = NewOrder {
        customer: Customer::default(),
        items: vec![],
        currency: Currency::parse("INR").unwrap(),
        total_minor: total,
        cart_text: None,
        created_at: chrono::Utc::now(),
    };
    let mut o = new.placed(OrderNumber::FIRST, chrono::Utc::now());
    o.payment_status = PaymentStatus::Paid;
    o
}

fn refund(amount: i64, status: RefundStatus) -> Refund {
    Refund {
        id: "1001-r1".into(),
        amount_minor: amount,
        status,
        provider_ref: None,
        reason: "r".into(),
        at: chrono::Utc::now(),
        by: "a@b".into(),
        failure: None,
        credit_note: None,
    }
}

#[test]
fn without_an_amount_everything_left_is_refunded() {
    let mut o = paid(50_000);
    assert_eq!(plan_refund(&o, None), Ok(50_000));
    o.refunds.push(refund(30_000, RefundStatus::Processed));
    o.payment_status = status_after_refunds(o.total_minor, &o.refunds);
    assert_eq!(o.payment_status, PaymentStatus::PartiallyRefunded);
    assert_eq!(plan_refund(&o, None), Ok(20_000));
}

#[test]
fn a_pending_refund_counts_against_what_is_left_and_a_failed_one_does_not() {
    let mut o = paid(50_000);
    o.refunds.push(refund(30_000, RefundStatus::Pending));
    assert_eq!(refundable_minor(&o), 20_000);
    assert_eq!(refunded_minor(&o.refunds), 0);
    o.refunds[0].status = RefundStatus::Failed;
    assert_eq!(refundable_minor(&o), 50_000);
}

#[test]
fn more_than_is_left_is_refused_naming_what_is_left() {
    let mut o = paid(50_000);
    o.refunds.push(refund(30_000, RefundStatus::Processed));
    let refusal = plan_refund(&o, Some(20_001)).unwrap_err();
    assert!(matches!(refusal, PaymentRefusal::RefundTooLarge { .. }));
    assert!(refusal.to_string().contains("200.00"), "{refusal}");
}

#[test]
fn an_unpaid_or_fully_refunded_order_has_nothing_to_refund() {
    let mut o = paid(50_000);
    o.payment_status = PaymentStatus::Pending;
    assert!(matches!(
        plan_refund(&o, None),
        Err(PaymentRefusal::NotPaid { .. })
    ));
    let mut o = paid(50_000);
    o.refunds.push(refund(50_000, RefundStatus::Processed));
    o.payment_status = status_after_refunds(o.total_minor, &o.refunds);
    assert_eq!(o.payment_status, PaymentStatus::Refunded);
    assert!(matches!(
        plan_refund(&o, Some(1)),
        Err(PaymentRefusal::NothingLeftToRefund { .. })
    ));
}

#[test]
fn a_refund_outcome_is_final() {
    use RefundStatus::*;
    assert!(Pending.can_become(Processed));
    assert!(Pending.can_become(Failed));
    for from in [Processed, Failed] {
        for to in [Pending, Processed, Failed] {
            assert!(!from.can_become(to), "{from} -> {to}");
        }
    }
}

#[test]
fn refunds_are_bounded_by_the_money_received_not_the_edited_total() {
    // Paid 500.00, then staff took an item off: the total is 400.00, but
    // all 500.00 that arrived may go back.
    let mut o = paid(40_000);
    o.received_minor = 50_000;
    assert_eq!(refundable_minor(&o), 50_000);
    assert_eq!(plan_refund(&o, None), Ok(50_000));
    o.refunds.push(refund(40_000, RefundStatus::Processed));
    let status = status_after_refunds(received_minor(&o), &o.refunds);
    assert_eq!(
        status,
        PaymentStatus::PartiallyRefunded,
        "100.00 still kept"
    );
    assert_eq!(plan_refund(&o, None), Ok(10_000));

    // Paid 500.00, then the total rose to 600.00 (the difference not paid
    // yet): only the 500.00 that arrived may go back.
    let mut o = paid(60_000);
    o.received_minor = 50_000;
    let refusal = plan_refund(&o, Some(50_001)).unwrap_err();
    assert!(refusal.to_string().contains("500.00"), "{refusal}");
    o.refunds.push(refund(50_000, RefundStatus::Processed));
    let status = status_after_refunds(received_minor(&o), &o.refunds);
    assert_eq!(status, PaymentStatus::Refunded);
}

#[test]
fn a_second_payment_may_be_refunded_too() {
    let mut o = paid(49_900);
    o.received_minor = 99_800;
    assert_eq!(plan_refund(&o, None), Ok(99_800));
    o.refunds.push(refund(49_900, RefundStatus::Processed));
    let status = status_after_refunds(received_minor(&o), &o.refunds);
    assert_eq!(status, PaymentStatus::PartiallyRefunded);
}

#[test]
fn an_order_paid_before_payments_were_counted_refunds_its_total() {
    let o = paid(50_000);
    assert_eq!(o.received_minor, 0);
    assert_eq!(received_minor(&o), 50_000);
    assert_eq!(plan_refund(&o, None), Ok(50_000));
    let mut unpaid = paid(50_000);
    unpaid.payment_status = PaymentStatus::Pending;
    unpaid.received_minor = 100;
    assert!(matches!(
        plan_refund(&unpaid, None),
        Err(PaymentRefusal::NotPaid { .. })
    ));
}
