//! The checkout timers: the cart-recovery schedule (the nudge, then the
//! later reminders) and the abandonment; when they are due, and running the
//! due ones.

use chrono::Utc;
use orderdesk_domain::{advance, due_timer, recovery_due, CheckoutInput};
use orderdesk_domain::{CheckoutSettings, CheckoutState, Money, Timestamp};
use orderdesk_store::{customer_key_of, OrderUpdate, StoreError, TimerKind};

use crate::links::issue_link;
use crate::texts::Texts;
use crate::{Engine, EngineError};

use super::{apply_update, update_from, CheckoutConfig};

/// The timers of a checkout that was idle since `since`: the nudge (only
/// when it comes before the abandonment), the abandonment, and the later
/// recovery reminders (those after the nudge; they may fall after the
/// abandonment, to remind of the resumable cart).
pub(crate) fn checkout_timers(
    settings: &CheckoutSettings,
    since: Timestamp,
) -> Vec<(TimerKind, Timestamp)> {
    let mut timers = Vec::with_capacity(2 + settings.recovery_later.len());
    if settings.nudge_after < settings.abandon_after {
        timers.push((TimerKind::Nudge, since + settings.nudge_after));
    }
    timers.push((TimerKind::Abandon, since + settings.abandon_after));
    for (index, after) in later_steps(settings).enumerate() {
        if let Some(kind) = TimerKind::recovery(index) {
            timers.push((kind, since + *after));
        }
    }
    timers
}

/// The idle time after which `kind` was set (see [`checkout_timers`]).
fn delay_of(settings: &CheckoutSettings, kind: TimerKind) -> Option<chrono::Duration> {
    match kind.recovery_index() {
        None if kind == TimerKind::Nudge => Some(settings.nudge_after),
        None => Some(settings.abandon_after),
        Some(index) => later_steps(settings).nth(index).copied(),
    }
}

/// The recovery schedule's later steps that come after the nudge (one at
/// or before it would only repeat it).
fn later_steps(settings: &CheckoutSettings) -> impl Iterator<Item = &chrono::Duration> {
    settings
        .recovery_later
        .iter()
        .filter(|after| **after > settings.nudge_after)
}

/// How long a claimed timer is reserved for one runner.
const TIMER_LEASE: std::time::Duration = std::time::Duration::from_secs(60);

impl Engine {
    /// Runs the checkout timers that are due (nudge, abandon); returns how
    /// many were handled. Timers live in the store and are claimed with a
    /// lease, so they survive restarts and run once across instances.
    ///
    /// # Errors
    /// A store failure while claiming.
    pub async fn run_due_timers(&self) -> Result<usize, EngineError> {
        let Some(config) = self.checkout.clone() else {
            return Ok(0);
        };
        let now = Utc::now();
        let timers = self.store.claim_due_timers(now, TIMER_LEASE, 50).await?;
        for timer in &timers {
            match self.run_timer(&config, timer, now).await {
                // Someone changed the order meanwhile: the lease runs out and
                // the timer is judged again against the new state.
                Err(EngineError::Store(StoreError::Conflict { .. })) => continue,
                Err(EngineError::Store(StoreError::NotFound)) | Ok(()) => {}
                Err(e) => {
                    tracing::warn!(error = %e, order = %timer.order_number, "checkout timer failed; it will be retried");
                    continue;
                }
            }
            self.store.complete_timer(timer.id).await?;
        }
        if !timers.is_empty() {
            self.bus.poke();
        }
        Ok(timers.len())
    }

    async fn run_timer(
        &self,
        config: &CheckoutConfig,
        timer: &orderdesk_store::Timer,
        now: Timestamp,
    ) -> Result<(), EngineError> {
        if !timer.kind.is_checkout() {
            return self.run_followup_timer(config, timer, now).await;
        }
        if timer.kind.recovery_index().is_some() {
            return self.remind(config, timer, now).await;
        }
        // One reading of the settings in force for the whole decision. A
        // timer set under settings since changed is judged by today's.
        let settings = config.settings_now();
        let Some(delay) = delay_of(&settings, timer.kind) else {
            return Ok(());
        };
        // The timer was set `delay` after the checkout last moved (progress
        // resets it), so that is how long the checkout has been idle; the
        // domain's timer rule decides what, if anything, is due now.
        let idle = now - (timer.due_at - delay);
        let order = self.store.order(timer.order_number).await?;
        let state = CheckoutState::from_order(&order);
        let Some(input) = due_timer(&state, idle, &settings) else {
            return Ok(());
        };
        let nudge = matches!(input, CheckoutInput::NudgeDue);
        let outcome = match advance(&state, input, &settings) {
            Ok(outcome) if !outcome.is_noop(&state) => outcome,
            _ => return Ok(()),
        };
        let texts =
            Texts::for_customer(self.store.as_ref(), &config.language_now(), &order.customer)
                .await?;
        let link = issue_link(self.store.as_ref(), config, &order, &outcome, now).await?;
        let (mut update, further) =
            update_from(config, &texts, link.as_ref(), &order, outcome, now)?;
        if nudge && !crate::notify::window_open(self.store.as_ref(), &order, now).await? {
            self.nudge_outside_window(&texts, &order, now, &mut update)
                .await?;
        }
        apply_update(self.store.as_ref(), &order, &update, further, now).await?;
        Ok(())
    }

    /// Outside the 24-hour window WhatsApp refuses the step's free-text
    /// question, so the nudge goes alone as the approved template named on
    /// `nudge` (parameter `{{1}}` the order number), or the timeline says
    /// why nothing went.
    async fn nudge_outside_window(
        &self,
        texts: &Texts,
        order: &orderdesk_domain::Order,
        now: Timestamp,
        update: &mut OrderUpdate,
    ) -> Result<(), EngineError> {
        update.outbound.clear();
        let number = order.number.to_string();
        let Some(text) = texts.text("nudge", &[("number", &number)]) else {
            return Ok(());
        };
        let notice = crate::notify::Notice {
            key: "nudge",
            text,
            detail: "",
            content: None,
        };
        crate::notify::customer_update(self.store.as_ref(), texts, order, notice, now, update).await
    }

    /// A later step of the cart-recovery schedule: reminds the customer of
    /// a cart that can still become an order (the domain's
    /// [`recovery_due`]), with its items and total, as the `recovery` text
    /// inside the 24-hour window and as the approved template configured for
    /// `recovery` outside it (with none, the timeline says it was not sent).
    /// The schedule stops once the customer wrote after it was set (they
    /// are talking; the bot answers what they said) or staff took the chat
    /// over.
    async fn remind(
        &self,
        config: &CheckoutConfig,
        timer: &orderdesk_store::Timer,
        now: Timestamp,
    ) -> Result<(), EngineError> {
        let Some(delay) = delay_of(&config.settings_now(), timer.kind) else {
            return Ok(());
        };
        let since = timer.due_at - delay;
        let order = self.store.order(timer.order_number).await?;
        if !recovery_due(&CheckoutState::from_order(&order)) {
            return Ok(());
        }
        let Some(key) = customer_key_of(&order.customer) else {
            return Ok(());
        };
        let customer = self.store.customer(key).await?;
        if customer
            .and_then(|c| c.last_inbound_at)
            .is_some_and(|at| at > since)
            || super::handover::handed_over(self.store.as_ref(), key).await?
        {
            return Ok(());
        }
        let texts =
            Texts::for_customer(self.store.as_ref(), &config.language_now(), &order.customer)
                .await?;
        let number = order.number.to_string();
        let local = config.local();
        let total = local.money(Money::from_minor(order.total_minor, order.currency));
        let items = crate::order_edit::summary_items(&order, &local);
        let vars = [("number", &*number), ("total", &*total), ("items", &*items)];
        let Some(text) = texts.text("recovery", &vars) else {
            return Ok(());
        };
        let notice = crate::notify::Notice {
            key: "recovery",
            text,
            detail: &total,
            content: None,
        };
        let mut update = OrderUpdate::default();
        crate::notify::customer_update(
            self.store.as_ref(),
            &texts,
            &order,
            notice,
            now,
            &mut update,
        )
        .await?;
        // A reminder that went out: a checkout completed after it was recovered.
        if !update.outbound.is_empty() {
            update.reminded_at = Some(now);
        }
        self.store
            .update_order(order.number, order.version, &update, now)
            .await?;
        Ok(())
    }

    /// A timer after the checkout: the cash-on-delivery reminder and
    /// expiry, the feedback question. Each decides from the order as it is
    /// now (an answer or a staff move since makes it do nothing).
    async fn run_followup_timer(
        &self,
        config: &CheckoutConfig,
        timer: &orderdesk_store::Timer,
        now: Timestamp,
    ) -> Result<(), EngineError> {
        use orderdesk_domain::followup::CodTimer;
        let store = self.store.as_ref();
        let order = store.order(timer.order_number).await?;
        let texts = Texts::load(store, &config.language).await?;
        let update = match timer.kind {
            TimerKind::CodRemind | TimerKind::CodExpire => {
                let which = if timer.kind == TimerKind::CodRemind {
                    CodTimer::Remind
                } else {
                    CodTimer::Expire
                };
                crate::followup::cod::timer_update(store, config, &texts, &order, which, now)
                    .await?
            }
            TimerKind::Feedback => {
                crate::followup::feedback::ask(store, config, &texts, &order, now).await?
            }
            _ => None,
        };
        if let Some(update) = update {
            store
                .update_order(order.number, order.version, &update, now)
                .await?;
        }
        Ok(())
    }

    /// Runs checkout timers every second until `shutdown` resolves.
    pub fn spawn_timers(
        &self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> tokio::task::JoinHandle<()> {
        let engine = self.clone();
        tokio::spawn(async move {
            tokio::pin!(shutdown);
            loop {
                if let Err(e) = engine.run_due_timers().await {
                    tracing::warn!(error = %e, "checkout timers could not run; retrying");
                }
                tokio::select! {
                    _ = &mut shutdown => return,
                    _ = tokio::time::sleep(std::time::Duration::from_secs(1)) => {}
                }
            }
        })
    }
}
