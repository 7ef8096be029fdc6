//! What staff do about a payment, from the dashboard or the API: record a
//! payment that reached the business some other way (a UPI transfer, cash
//! on delivery, a bank transfer), send the customer a fresh payment link,
//! record a refund. Each is one order update with its timeline entry, so it
//! shows on the order, on the event stream and in the export like any
//! other change.

use chrono::Utc;
use orderdesk_domain::ledger::left_to_receive;
use orderdesk_domain::{
    advance, check_payment_action, Actor, CheckoutInput, CheckoutState, CheckoutStep, LedgerEntry,
    LedgerKind, Order, OrderNumber, PaymentActionKind, PaymentMethod, PaymentRefusal,
    PaymentStatus, Reply, TimelineEntry, TimelineKind,
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
    /// Money goes back to the customer: executed at the provider that took
    /// it, or recorded (cash, UPI, bank transfer). `amount_minor` `None`:
    /// everything still refundable. The reason is required.
    Refund {
        reason: Option<String>,
        amount_minor: Option<i64>,
    },
}

impl PaymentAction {
    /// The action without its arguments, as the domain's rule knows it.
    pub fn kind(&self) -> PaymentActionKind {
        match self {
            Self::MarkPaid { .. } => PaymentActionKind::MarkPaid,
            Self::SendLink => PaymentActionKind::SendLink,
            Self::Refund { .. } => PaymentActionKind::Refund,
        }
    }

    pub fn name(&self) -> &'static str {
        self.kind().as_str()
    }
}

/// Why a payment action is not possible now. Nothing was changed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PaymentActionError {
    /// Not legal in the order's current state (the domain's rule).
    #[error(transparent)]
    NotNow(#[from] PaymentRefusal),
    /// The provider did not make a link this time.
    #[error("the payment provider did not make a link; try again in a moment")]
    NoLink,
    /// Something required is missing from the request.
    #[error("{0}")]
    Invalid(String),
}

fn reason_of(reason: Option<&String>) -> Option<String> {
    reason
        .map(|r| r.trim().to_owned())
        .filter(|r| !r.is_empty())
}

impl Engine {
    /// Whether a payment provider is configured to make links (the
    /// `send_link` action needs one).
    pub fn can_send_links(&self) -> bool {
        self.checkout
            .as_deref()
            .is_some_and(|c| c.payments.is_some())
    }

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
            PaymentAction::Refund {
                reason,
                amount_minor,
            } => {
                let reason = reason_of(reason.as_ref()).ok_or_else(|| {
                    PaymentActionError::Invalid("a reason is required for a refund".to_owned())
                })?;
                let ask = crate::refunds::RefundAsk {
                    amount_minor,
                    reason,
                };
                self.refund(order, ask, actor, expected_version.is_some())
                    .await?
            }
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
        check_payment_action(order, PaymentActionKind::MarkPaid, self.can_send_links())
            .map_err(PaymentActionError::from)?;
        let now = Utc::now();
        let mut entry = TimelineEntry::new(now, TimelineKind::PaymentChanged, &actor);
        entry.detail = Some(format!("marked paid: {reason}"));
        entry.reason = Some(reason.clone());
        // Money that arrived flagged (a short payment) is counted already.
        let received = self.store.order_payment_events(order.number).await?;
        let ledger = LedgerEntry {
            order_number: order.number,
            kind: LedgerKind::Paid,
            status: "paid".to_owned(),
            amount_minor: left_to_receive(order.total_minor, order.currency, &received),
            currency: order.currency,
            method: Some(order.payment_method.unwrap_or(PaymentMethod::Manual)),
            provider_ref: Some(reason),
            detail: Some("marked paid by staff".to_owned()),
            at: now,
        };

        // Waiting at the payment step: the checkout goes on exactly as if the
        // provider had reported the payment (confirmation, then the note).
        if let (Some(config), CheckoutStep::AwaitingPayment) =
            (self.checkout.as_deref(), order.checkout_step)
        {
            let state = CheckoutState::from_order(order);
            if let Ok(outcome) = advance(
                &state,
                CheckoutInput::PaymentSucceeded,
                &config.settings_now(),
            ) {
                if !outcome.is_noop(&state) {
                    let texts = Texts::for_customer(
                        self.store.as_ref(),
                        &config.language_now(),
                        &order.customer,
                    )
                    .await?;
                    let (mut update, further) =
                        update_from(config, &texts, None, order, outcome, now)?;
                    update.timeline.insert(0, entry);
                    update.ledger.push(ledger);
                    update.payment_status = Some(PaymentStatus::Paid);
                    if order.payment_method.is_none() {
                        update.payment_method = Some(PaymentMethod::Manual);
                    }
                    update.payment_review = Some(None);
                    crate::invoices::attach(
                        self.store.as_ref(),
                        config,
                        &texts,
                        order,
                        &mut update,
                        now,
                    )
                    .await?;
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
        update.ledger.push(ledger);
        if let Some(config) = self.checkout.as_deref() {
            let texts =
                Texts::for_customer(self.store.as_ref(), &config.language_now(), &order.customer)
                    .await?;
            crate::invoices::attach(self.store.as_ref(), config, &texts, order, &mut update, now)
                .await?;
        }
        Ok(self
            .store
            .update_order(order.number, order.version, &update, now)
            .await?)
    }

    async fn send_link(&self, order: &Order, actor: Actor) -> Result<Order, EngineError> {
        check_payment_action(order, PaymentActionKind::SendLink, self.can_send_links())
            .map_err(PaymentActionError::from)?;
        let config = self
            .checkout
            .as_deref()
            .filter(|c| c.payments.is_some())
            .ok_or(PaymentActionError::NotNow(PaymentRefusal::NoProvider))?;
        let now = Utc::now();
        if let Some(why) = crate::links::new_link_refused(self.store.as_ref(), order, now).await? {
            return Err(PaymentActionError::NotNow(why).into());
        }
        let link = checkout::next_link(self.store.as_ref(), config, order, now)
            .await?
            .ok_or(PaymentActionError::NoLink)?;
        let texts =
            Texts::for_customer(self.store.as_ref(), &config.language_now(), &order.customer)
                .await?;
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
}
