//! What staff do about a payment, from the dashboard or the API: record a
//! payment that reached the business some other way (a UPI transfer, cash
//! on delivery, a bank transfer), send the customer a fresh payment link,
//! record a refund. Each is one order update with its timeline entry, so it
//! shows on the order, on the event stream and in the export like any
//! other change.

use chrono::Utc;
use orderdesk_domain::{
    advance, Actor, CheckoutInput, CheckoutState, CheckoutStep, Order, OrderNumber, OrderStatus,
    PaymentMethod, PaymentStatus, Reply, TimelineEntry, TimelineKind,
};
use orderdesk_store::OrderUpdate;
use tracing::instrument;

use crate::checkout::{self, apply_update, render, update_from};
use crate::texts::Texts;
use crate::{Engine, EngineError};

/// A staff action on an order's payment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaymentAction {
    /// The money arrived outside any provider. The reason (UPI reference,
    /// "cash received"…) is required, except for cash on delivery, where it
    /// defaults to "cash received".
    MarkPaid { reason: Option<String> },
    /// A new payment link for the order total, sent to the customer (the
    /// previous one expired, failed, or got lost in the chat).
    SendLink,
    /// The money went back to the customer (done in the provider's or the
    /// bank's dashboard; this records it). The reason is required.
    Refund { reason: Option<String> },
}

impl PaymentAction {
    pub fn name(&self) -> &'static str {
        match self {
            Self::MarkPaid { .. } => "mark_paid",
            Self::SendLink => "send_link",
            Self::Refund { .. } => "refund",
        }
    }
}

/// Why a payment action is not possible now. Nothing was changed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PaymentActionError {
    /// Not legal in the order's current state; the message says why.
    #[error("{0}")]
    NotNow(String),
    /// Something required is missing from the request.
    #[error("{0}")]
    Invalid(String),
}

fn reason_of(reason: Option<&String>) -> Option<String> {
    reason
        .map(|r| r.trim().to_owned())
        .filter(|r| !r.is_empty())
}

/// Refuses an action that needs money still to come.
fn not_settled(order: &Order) -> Result<(), PaymentActionError> {
    if matches!(
        order.payment_status,
        PaymentStatus::Paid | PaymentStatus::Refunded
    ) {
        return Err(PaymentActionError::NotNow(format!(
            "order #{} is already {}",
            order.number, order.payment_status
        )));
    }
    Ok(())
}

impl Engine {
    /// Applies a staff payment action to an order, at `expected_version` when
    /// given (see [`Engine::change_status`]).
    ///
    /// # Errors
    /// [`EngineError::Payment`] for an action that is not possible now or
    /// lacks its reason; `Stale`/`Store(Conflict)` when someone else changed
    /// the order first; `Store(NotFound)`.
    #[instrument(skip_all, fields(order.number = %number, action = action.name()))]
    pub async fn payment_action(
        &self,
        number: OrderNumber,
        action: PaymentAction,
        actor: Actor,
        expected_version: Option<i64>,
    ) -> Result<Order, EngineError> {
        let order = self.order_at(number, expected_version).await?;
        let updated = match action {
            PaymentAction::MarkPaid { reason } => self.mark_paid(&order, reason, actor).await?,
            PaymentAction::SendLink => self.send_link(&order, actor).await?,
            PaymentAction::Refund { reason } => self.refund(&order, reason, actor).await?,
        };
        self.bus.poke();
        Ok(updated)
    }

    async fn mark_paid(
        &self,
        order: &Order,
        reason: Option<String>,
        actor: Actor,
    ) -> Result<Order, EngineError> {
        let cod = order.payment_method == Some(PaymentMethod::Cod);
        let reason = reason_of(reason.as_ref())
            .or_else(|| cod.then(|| "cash received".to_owned()))
            .ok_or_else(|| {
                PaymentActionError::Invalid(
                    "a reason is required to mark an order paid (e.g. the UPI or bank reference)"
                        .to_owned(),
                )
            })?;
        not_settled(order)?;
        if matches!(
            order.status,
            OrderStatus::Rejected | OrderStatus::Cancelled | OrderStatus::Archived
        ) {
            return Err(PaymentActionError::NotNow(format!(
                "order #{} is {}; a payment for it would be refunded, not recorded",
                order.number,
                order.status.label().to_lowercase()
            ))
            .into());
        }
        if order.status == OrderStatus::Placed
            && order.checkout_step == CheckoutStep::AwaitingAddress
        {
            return Err(PaymentActionError::NotNow(format!(
                "order #{} has no delivery address yet; mark it paid once the checkout reaches the payment step",
                order.number
            ))
            .into());
        }
        let now = Utc::now();
        let mut entry = TimelineEntry::new(now, TimelineKind::PaymentChanged, &actor);
        entry.detail = Some(format!("marked paid: {reason}"));
        entry.reason = Some(reason);

        // Waiting at the payment step: the checkout goes on exactly as if the
        // provider had reported the payment (confirmation, then the note).
        if let (Some(config), CheckoutStep::AwaitingPayment) =
            (self.checkout.as_deref(), order.checkout_step)
        {
            let state = CheckoutState::from_order(order);
            if let Ok(outcome) = advance(&state, CheckoutInput::PaymentSucceeded, &config.settings)
            {
                if !outcome.is_noop(&state) {
                    let texts = Texts::load(self.store.as_ref(), &config.language).await?;
                    let (mut update, further) =
                        update_from(config, &texts, None, order, outcome, now)?;
                    update.timeline.insert(0, entry);
                    update.payment_status = Some(PaymentStatus::Paid);
                    if order.payment_method.is_none() {
                        update.payment_method = Some(PaymentMethod::Manual);
                    }
                    update.payment_review = Some(None);
                    return apply_update(self.store.as_ref(), order, &update, further, now).await;
                }
            }
        }
        let mut update = OrderUpdate {
            payment_review: Some(None),
            payment_method: order
                .payment_method
                .is_none()
                .then_some(PaymentMethod::Manual),
            ..OrderUpdate::default()
        };
        // Failed and expired payments go back to pending on the way to paid
        // (DESIGN §2 allows no shortcut); the order records only the result.
        update.payment_status = Some(PaymentStatus::Paid);
        update.timeline.push(entry);
        Ok(self
            .store
            .update_order(order.number, order.version, &update, now)
            .await?)
    }

    async fn send_link(&self, order: &Order, actor: Actor) -> Result<Order, EngineError> {
        let config = self
            .checkout
            .as_deref()
            .filter(|c| c.payments.is_some())
            .ok_or_else(|| {
                PaymentActionError::NotNow(
                "no payment provider is configured (PAYMENTS_PROVIDER), so there is no link to send"
                    .to_owned(),
            )
            })?;
        if order.payment_method == Some(PaymentMethod::Cod) {
            return Err(PaymentActionError::NotNow(format!(
                "the customer of order #{} chose cash on delivery",
                order.number
            ))
            .into());
        }
        not_settled(order)?;
        if matches!(
            order.status,
            OrderStatus::Delivered
                | OrderStatus::Returned
                | OrderStatus::Rejected
                | OrderStatus::Cancelled
                | OrderStatus::Archived
        ) {
            return Err(PaymentActionError::NotNow(format!(
                "order #{} is {}",
                order.number,
                order.status.label().to_lowercase()
            ))
            .into());
        }
        if order.checkout_step == CheckoutStep::AwaitingAddress {
            return Err(PaymentActionError::NotNow(format!(
                "order #{} has no delivery address yet; the bot sends the link after it",
                order.number
            ))
            .into());
        }
        let now = Utc::now();
        if let Some(why) = crate::links::new_link_refused(self.store.as_ref(), order, now).await? {
            return Err(PaymentActionError::NotNow(why).into());
        }
        let link = checkout::next_link(self.store.as_ref(), config, order, now)
            .await?
            .ok_or_else(|| {
                PaymentActionError::NotNow(
                    "the payment provider did not make a link; try again in a moment".to_owned(),
                )
            })?;
        let texts = Texts::load(self.store.as_ref(), &config.language).await?;
        let mut update = OrderUpdate::default();
        update.outbound.extend(render(
            config,
            &texts,
            Some(&link),
            order,
            &Reply::AskPayment { cod_offered: false },
            now,
        ));
        if order.payment_status != PaymentStatus::Pending {
            update.payment_status = Some(PaymentStatus::Pending);
        }
        update.payment_reference = Some(link.reference.clone());
        if let Some(provider) = &config.payments {
            update.payment_method = Some(provider.method());
        }
        let mut entry = TimelineEntry::new(now, TimelineKind::PaymentChanged, &actor);
        entry.detail = Some(format!(
            "{} sent by staff",
            crate::links::issued_detail(&link)
        ));
        update.timeline.push(entry);
        Ok(self
            .store
            .update_order(order.number, order.version, &update, now)
            .await?)
    }

    async fn refund(
        &self,
        order: &Order,
        reason: Option<String>,
        actor: Actor,
    ) -> Result<Order, EngineError> {
        let reason = reason_of(reason.as_ref()).ok_or_else(|| {
            PaymentActionError::Invalid("a reason is required to record a refund".to_owned())
        })?;
        if order.payment_status != PaymentStatus::Paid {
            return Err(PaymentActionError::NotNow(format!(
                "only a paid order can be refunded; order #{} is {}",
                order.number, order.payment_status
            ))
            .into());
        }
        let now = Utc::now();
        let mut entry = TimelineEntry::new(now, TimelineKind::PaymentChanged, &actor);
        entry.detail = Some(format!("refunded: {reason}"));
        entry.reason = Some(reason);
        let update = OrderUpdate {
            payment_status: Some(PaymentStatus::Refunded),
            timeline: vec![entry],
            ..OrderUpdate::default()
        };
        Ok(self
            .store
            .update_order(order.number, order.version, &update, now)
            .await?)
    }
}
