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
