//! A provider's webhook, reduced to what moves an order's payment status, and
//! the rule for moving it.

use orderdesk_domain::{Money, PaymentStatus, Timestamp};

use crate::ReferenceId;

/// What a provider reported about a payment request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PaymentEventKind {
    /// The customer paid (Razorpay `payment_link.paid`; Stripe
    /// `checkout.session.completed` with `payment_status: paid`, or
    /// `checkout.session.async_payment_succeeded`).
    Paid,
    /// A payment attempt failed (Razorpay `payment.failed`, Stripe
    /// `checkout.session.async_payment_failed`).
    Failed,
    /// The link can no longer be paid (Razorpay `payment_link.expired` or
    /// `payment_link.cancelled`, Stripe `checkout.session.expired`).
    Expired,
    /// Refunds settled (Razorpay `refund.processed` / `refund.failed`,
    /// Stripe `refund.updated` / `charge.refunded`): see
    /// [`PaymentEvent::refunds`]. The payment status follows the refunds.
    Refund,
}

impl PaymentEventKind {
    /// The payment status this kind of event leads to.
    pub fn status(&self) -> PaymentStatus {
        match self {
            Self::Paid => PaymentStatus::Paid,
            Self::Failed => PaymentStatus::Failed,
            Self::Expired => PaymentStatus::Expired,
            Self::Refund => PaymentStatus::Refunded,
        }
    }
}

/// One authentic provider event orderdesk acts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentEvent {
    /// The provider's unique id for this delivery's event: store it (per
    /// provider) and skip the event when it was seen before.
    pub event_id: String,
    pub kind: PaymentEventKind,
    /// The provider's own event name (`payment_link.paid`…), for the timeline.
    pub raw_kind: String,
    /// The provider's link or session id, as [`crate::PaymentLink::reference`]
    /// returned it: the first key to find the order by. `None` only when the
    /// provider's payload does not name it.
    pub reference: Option<String>,
    /// Ours, read back from the provider's copy: the fallback key, and which
    /// attempt the event is about.
    pub our_reference_id: Option<ReferenceId>,
    /// The reference as the provider sent it, also when it is not ours
    /// (a link made by hand in the provider's dashboard).
    pub raw_reference_id: Option<String>,
    /// The provider's payment id (`pay_…`, `pi_…`), when there is one.
    pub payment_id: Option<String>,
    /// What was paid (for `Paid`) or asked for, as the provider states it.
    /// Compare before believing: see [`PaymentEvent::decide`].
    pub amount: Option<Money>,
    /// When the provider created the event.
    pub occurred_at: Option<Timestamp>,
    /// Why, for failures (the provider's error description).
    pub detail: Option<String>,
    /// For [`PaymentEventKind::Refund`]: the refunds it settles.
    pub refunds: Vec<crate::RefundNotice>,
}

/// The paid amount differs from the order's: record the event, flag the
/// order for a person, and do not mark it paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AmountMismatch {
    pub expected: Money,
    /// `None` when the provider did not say what was paid.
    pub received: Option<Money>,
}

/// What the caller does with an event (after storing it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Move the payment status through these states, in order; each step is
    /// a move [`PaymentStatus::can_become`] allows.
    Advance(Vec<PaymentStatus>),
    /// Keep the status: already there, past it, or about a superseded link.
    NoChange,
    /// Keep the status and flag the order for review.
    Flag(AmountMismatch),
}

impl PaymentEvent {
    /// `Ok` when the event states exactly `expected` (amount and currency).
    ///
    /// # Errors
    /// The mismatch, including an event that states no amount at all.
    pub fn check_amount(&self, expected: Money) -> Result<(), AmountMismatch> {
        match self.amount {
            Some(got) if got == expected => Ok(()),
            received => Err(AmountMismatch { expected, received }),
        }
    }

    /// What this event does to an order whose payment is `current` and whose
    /// total is `expected`. `is_current_attempt` says whether the event is
    /// about the order's latest link (by reference or attempt).
    ///
    /// * A payment counts only for the exact total; otherwise it is flagged,
    ///   never marked paid.
    /// * A payment counts on any of the order's links, also an older one and
    ///   also after a failure or expiry: the money has arrived. From `failed`
    ///   or `expired` it goes through `pending`, the only legal way back.
    /// * Failures and expiries only move a `pending` payment of the latest
    ///   link: events arrive out of order, and a late `expired` must not undo
    ///   `paid`, nor an old link's failure mark a fresh link failed.
    pub fn decide(
        &self,
        current: PaymentStatus,
        expected: Money,
        is_current_attempt: bool,
    ) -> Decision {
        use PaymentStatus::*;
        match self.kind {
            PaymentEventKind::Paid => {
                if let Err(mismatch) = self.check_amount(expected) {
                    return Decision::Flag(mismatch);
                }
                match current {
                    Pending => Decision::Advance(vec![Paid]),
                    Failed | Expired => Decision::Advance(vec![Pending, Paid]),
                    Paid | PartiallyRefunded | Refunded => Decision::NoChange,
                }
            }
            // Refunds settle through their own records, not the status.
            PaymentEventKind::Refund => Decision::NoChange,
            PaymentEventKind::Failed | PaymentEventKind::Expired => {
                if current == Pending && is_current_attempt {
                    Decision::Advance(vec![self.kind.status()])
                } else {
                    Decision::NoChange
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use orderdesk_domain::{Currency, OrderNumber};

    fn inr(minor: i64) -> Money {
        Money::from_minor(minor, Currency::parse("INR").unwrap())
    }

    fn event(kind: PaymentEventKind, amount: Option<Money>) -> PaymentEvent {
        PaymentEvent {
            event_id: "evt".into(),
            kind,
            raw_kind: "x".into(),
            reference: Some("plink_1".into()),
            our_reference_id: Some(ReferenceId::new(OrderNumber::FIRST, 1)),
            raw_reference_id: Some("1001-1".into()),
            payment_id: None,
            amount,
            occurred_at: None,
            detail: None,
            refunds: Vec::new(),
        }
    }

    #[test]
    fn every_advance_is_a_chain_of_legal_payment_moves() {
        for kind in [
            PaymentEventKind::Paid,
            PaymentEventKind::Failed,
            PaymentEventKind::Expired,
        ] {
            for current in PaymentStatus::ALL {
                for latest in [true, false] {
                    let e = event(kind, Some(inr(49900)));
                    if let Decision::Advance(steps) = e.decide(current, inr(49900), latest) {
                        let mut at = current;
                        for step in steps {
                            assert!(at.can_become(step), "{kind:?}: {at} -> {step}");
                            at = step;
                        }
                        assert_eq!(at, kind.status());
                    }
                }
            }
        }
    }

    #[test]
    fn a_payment_of_the_exact_total_marks_a_pending_order_paid() {
        let e = event(PaymentEventKind::Paid, Some(inr(49900)));
        assert_eq!(
            e.decide(PaymentStatus::Pending, inr(49900), true),
            Decision::Advance(vec![PaymentStatus::Paid])
        );
    }

    #[test]
    fn a_payment_after_a_failure_or_expiry_still_counts_through_pending() {
        let e = event(PaymentEventKind::Paid, Some(inr(49900)));
        for current in [PaymentStatus::Failed, PaymentStatus::Expired] {
            assert_eq!(
                e.decide(current, inr(49900), false),
                Decision::Advance(vec![PaymentStatus::Pending, PaymentStatus::Paid])
            );
        }
    }

    #[test]
    fn a_repeated_payment_changes_nothing() {
        let e = event(PaymentEventKind::Paid, Some(inr(49900)));
        assert_eq!(
            e.decide(PaymentStatus::Paid, inr(49900), true),
            Decision::NoChange
        );
        assert_eq!(
            e.decide(PaymentStatus::Refunded, inr(49900), true),
            Decision::NoChange
        );
    }

    #[test]
    fn a_payment_of_another_amount_or_currency_is_flagged_not_paid() {
        let usd = Money::from_minor(49900, Currency::parse("USD").unwrap());
        for got in [Some(inr(49901)), Some(inr(100)), Some(usd), None] {
            let e = event(PaymentEventKind::Paid, got);
            assert_eq!(
                e.decide(PaymentStatus::Pending, inr(49900), true),
                Decision::Flag(AmountMismatch {
                    expected: inr(49900),
                    received: got
                })
            );
        }
    }

    #[test]
    fn a_late_expiry_or_failure_never_undoes_paid() {
        for kind in [PaymentEventKind::Expired, PaymentEventKind::Failed] {
            let e = event(kind, Some(inr(49900)));
            assert_eq!(
                e.decide(PaymentStatus::Paid, inr(49900), true),
                Decision::NoChange
            );
        }
    }

    #[test]
    fn an_old_links_expiry_leaves_the_new_links_pending_payment_alone() {
        let e = event(PaymentEventKind::Expired, Some(inr(49900)));
        assert_eq!(
            e.decide(PaymentStatus::Pending, inr(49900), false),
            Decision::NoChange
        );
        assert_eq!(
            e.decide(PaymentStatus::Pending, inr(49900), true),
            Decision::Advance(vec![PaymentStatus::Expired])
        );
    }

    #[test]
    fn a_failure_marks_a_pending_payment_failed_whatever_the_amount() {
        let e = event(PaymentEventKind::Failed, None);
        assert_eq!(
            e.decide(PaymentStatus::Pending, inr(49900), true),
            Decision::Advance(vec![PaymentStatus::Failed])
        );
    }
}
