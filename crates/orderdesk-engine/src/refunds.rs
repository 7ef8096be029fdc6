//! Refunds, full or partial: staff ask, the provider executes (Razorpay,
//! Stripe, the demo's simulator) or, for cash and UPI, staff record that
//! the money went back; the provider's answer or webhook settles it.
//!
//! A refund is written `pending` **before** the provider is called, at the
//! version it was planned from, and the write path refuses more than is
//! left in that same transaction: of two refunds asked for at once only
//! one reaches the provider; the other is planned again from the order as
//! it now is and refused naming what is left.

use std::sync::Arc;

use chrono::Utc;
use orderdesk_domain::{
    next_refund_id, plan_refund, Actor, LedgerEntry, LedgerKind, Local, Money, Order, OrderNumber,
    PaymentMethod, Refund, RefundStatus, TimelineEntry, TimelineKind, Timestamp,
};
use orderdesk_payments::{PaymentProvider, RefundRequest, RefundState};
use orderdesk_store::{OrderUpdate, RefundChange, Store, StoreError};

use crate::payments::PaymentActionError;
use crate::texts::Texts;
use crate::{Engine, EngineError};

/// How often a refund is planned again after another write got in first.
const PLAN_ATTEMPTS: usize = 4;

/// What staff asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundAsk {
    /// `None`: everything still refundable.
    pub amount_minor: Option<i64>,
    pub reason: String,
}

/// How a refund settles, from the provider's answer or webhook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundOutcome {
    /// Our refund id or the provider's.
    pub key: String,
    pub status: RefundStatus,
    pub provider_ref: Option<String>,
    pub failure: Option<String>,
}

impl Engine {
    /// The provider that executes a refund of `order`: the configured one,
    /// when the order was paid through it and its payment id is known.
    fn refund_executor(&self, order: &Order) -> Option<Arc<dyn PaymentProvider>> {
        let provider = self.checkout.as_deref()?.payments.clone()?;
        let executes = matches!(
            order.payment_method,
            Some(PaymentMethod::Razorpay | PaymentMethod::Stripe | PaymentMethod::Simulator)
        ) && order.payment_method == Some(provider.method())
            && order.provider_payment_id.is_some();
        executes.then_some(provider)
    }

    /// Refunds `ask` of `order` (see the module doc). `pinned`: the caller
    /// named the version, so a concurrent change is theirs to see (409)
    /// rather than ours to plan around.
    pub(crate) async fn refund(
        &self,
        mut order: Order,
        ask: RefundAsk,
        actor: Actor,
        pinned: bool,
    ) -> Result<Order, EngineError> {
        if ask.amount_minor.is_some_and(|a| a <= 0) {
            return Err(PaymentActionError::Invalid(
                "amount_minor must be a positive number of minor units".to_owned(),
            )
            .into());
        }
        let now = Utc::now();
        let mut attempt = 0;
        let (order, refund, executor) = loop {
            attempt += 1;
            let executor = self.refund_executor(&order);
            let amount = plan_refund(&order, ask.amount_minor).map_err(PaymentActionError::from)?;
            let refund = Refund {
                id: next_refund_id(&order),
                amount_minor: amount,
                status: if executor.is_some() {
                    RefundStatus::Pending
                } else {
                    RefundStatus::Processed
                },
                provider_ref: None,
                reason: ask.reason.clone(),
                at: now,
                by: actor.name().unwrap_or(actor.kind()).to_owned(),
                failure: None,
                credit_note: None,
            };
            let money = Money::from_minor(amount, order.currency);
            let mut entry = TimelineEntry::new(now, TimelineKind::PaymentChanged, &actor);
            entry.detail = Some(match &executor {
                Some(p) => format!(
                    "refund {} of {money} asked at {}",
                    refund.id,
                    p.method().as_str()
                ),
                None => format!("refund {} of {money} recorded", refund.id),
            });
            entry.reason = Some(ask.reason.clone());
            let mut update = OrderUpdate {
                refund: Some(RefundChange::Add(refund.clone())),
                timeline: vec![entry],
                ..OrderUpdate::default()
            };
            if executor.is_none() {
                update
                    .ledger
                    .push(ledger_entry(&order, &refund, RefundStatus::Processed, None));
                tell_refunded(
                    self.store.as_ref(),
                    &self.language(),
                    &self.settings.local(),
                    &order,
                    amount,
                    now,
                    &mut update,
                )
                .await?;
            }
            match self
                .store
                .update_order(order.number, order.version, &update, now)
                .await
            {
                Ok(stored) => break (stored, refund, executor),
                Err(StoreError::Conflict { .. }) if !pinned && attempt < PLAN_ATTEMPTS => {
                    order = self.store.order(order.number).await?;
                }
                Err(e) => return Err(e.into()),
            }
        };
        let Some(provider) = executor else {
            return Ok(order);
        };
        let request = RefundRequest {
            order_number: order.number,
            refund_id: refund.id.clone(),
            payment_id: order.provider_payment_id.clone().unwrap_or_default(),
            amount: Money::from_minor(refund.amount_minor, order.currency),
            reason: refund.reason.clone(),
        };
        let outcome = match provider.refund(&request).await {
            Ok(receipt) => {
                let (status, failure) = match receipt.state {
                    RefundState::Pending => (RefundStatus::Pending, None),
                    RefundState::Processed => (RefundStatus::Processed, None),
                    RefundState::Failed(why) => (RefundStatus::Failed, Some(why)),
                };
                RefundOutcome {
                    key: refund.id.clone(),
                    status,
                    provider_ref: Some(receipt.provider_ref),
                    failure,
                }
            }
            // No answer: the refund may have reached the provider, so it
            // stays pending for its webhook rather than being called failed.
            Err(e) if e.is_retryable() => {
                tracing::warn!(order = %order.number, error = %e, "refund request got no answer");
                RefundOutcome {
                    key: refund.id.clone(),
                    status: RefundStatus::Pending,
                    provider_ref: None,
                    failure: Some(e.to_string()),
                }
            }
            Err(e) => RefundOutcome {
                key: refund.id.clone(),
                status: RefundStatus::Failed,
                provider_ref: None,
                failure: Some(e.to_string()),
            },
        };
        let settled = settle_refund(
            self.store.as_ref(),
            &self.language(),
            &self.settings.local(),
            order.number,
            &outcome,
            now,
        )
        .await?;
        self.bus.poke();
        Ok(settled)
    }
}

/// Applies a refund's outcome to its order (the provider's answer, or a
/// webhook): the refund's status and reference, a timeline entry, and the
/// customer's message once the money went back. A refund already settled
/// (a redelivered or late webhook) or not found changes nothing.
pub(crate) async fn settle_refund(
    store: &dyn Store,
    language: &str,
    local: &Local,
    number: OrderNumber,
    outcome: &RefundOutcome,
    now: Timestamp,
) -> Result<Order, EngineError> {
    for _ in 0..PLAN_ATTEMPTS {
        let order = store.order(number).await?;
        let Some(refund) = order.refunds.iter().find(|r| {
            r.id == outcome.key || r.provider_ref.as_deref() == Some(outcome.key.as_str())
        }) else {
            return Ok(order);
        };
        let moves = refund.status.can_become(outcome.status);
        let new_ref = refund.provider_ref.is_none() && outcome.provider_ref.is_some();
        if !moves && !new_ref && outcome.failure.is_none() {
            return Ok(order);
        }
        let money = Money::from_minor(refund.amount_minor, order.currency);
        let mut update = OrderUpdate {
            refund: Some(RefundChange::Settle {
                key: outcome.key.clone(),
                status: outcome.status,
                provider_ref: outcome.provider_ref.clone(),
                failure: outcome.failure.clone(),
            }),
            ..OrderUpdate::default()
        };
        let reference = outcome
            .provider_ref
            .as_deref()
            .or(refund.provider_ref.as_deref())
            .unwrap_or("no provider reference");
        let detail = match (moves, outcome.status) {
            (true, RefundStatus::Processed) => {
                format!("refund {} of {money} processed ({reference})", refund.id)
            }
            (true, RefundStatus::Failed) => format!(
                "refund {} of {money} failed: {}",
                refund.id,
                outcome
                    .failure
                    .as_deref()
                    .unwrap_or("the provider gave no reason")
            ),
            _ => match &outcome.failure {
                Some(why) => format!(
                    "refund {} of {money} is pending at the provider: {why}",
                    refund.id
                ),
                None => format!(
                    "refund {} of {money} is pending at the provider ({reference})",
                    refund.id
                ),
            },
        };
        let mut entry = TimelineEntry::new(now, TimelineKind::PaymentChanged, &Actor::Provider);
        entry.detail = Some(detail);
        update.timeline.push(entry);
        if moves && outcome.status != RefundStatus::Pending {
            let reference = outcome
                .provider_ref
                .clone()
                .or_else(|| refund.provider_ref.clone());
            update
                .ledger
                .push(ledger_entry(&order, refund, outcome.status, reference));
        }
        if moves && outcome.status == RefundStatus::Processed {
            tell_refunded(
                store,
                language,
                local,
                &order,
                refund.amount_minor,
                now,
                &mut update,
            )
            .await?;
        }
        match store
            .update_order(number, order.version, &update, now)
            .await
        {
            Ok(order) => return Ok(order),
            Err(StoreError::Conflict { .. }) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(StoreError::Conflict { current_version: 0 }.into())
}

/// Queues the customer's `refund_processed` message on `update`.
async fn tell_refunded(
    store: &dyn Store,
    language: &str,
    local: &Local,
    order: &Order,
    amount_minor: i64,
    now: Timestamp,
    update: &mut OrderUpdate,
) -> Result<(), EngineError> {
    let texts = Texts::for_customer(store, language, &order.customer).await?;
    let amount = local.money(Money::from_minor(amount_minor, order.currency));
    let number = order.number.to_string();
    let Some(text) = texts.text(
        "refund_processed",
        &[("number", &number), ("amount", &amount)],
    ) else {
        return Ok(());
    };
    let notice = crate::notify::Notice {
        key: "refund_processed",
        text,
        detail: &amount,
        content: None,
    };
    crate::notify::customer_update(store, &texts, order, notice, now, update).await
}

/// The ledger's record of a refund that settled.
fn ledger_entry(
    order: &Order,
    refund: &Refund,
    status: RefundStatus,
    provider_ref: Option<String>,
) -> LedgerEntry {
    LedgerEntry {
        order_number: order.number,
        kind: LedgerKind::Refund,
        status: status.as_str().to_owned(),
        amount_minor: refund.amount_minor,
        currency: order.currency,
        method: order.payment_method,
        provider_ref,
        detail: Some(refund.reason.clone()),
        at: Utc::now(),
    }
}
