//! The checkout timers (nudge, abandon): when they are due, and running
//! the due ones.

use chrono::Utc;
use orderdesk_domain::due_timer;
use orderdesk_domain::{advance, CheckoutSettings, CheckoutState, Timestamp};
use orderdesk_store::{StoreError, TimerKind};

use crate::links::issue_link;
use crate::texts::Texts;
use crate::{Engine, EngineError};

use super::{apply_update, update_from, CheckoutConfig};

/// The timers of a checkout that was idle since `since`: one nudge (only
/// when it comes before the abandonment) and the abandonment.
pub(crate) fn checkout_timers(
    settings: &CheckoutSettings,
    since: Timestamp,
) -> Vec<(TimerKind, Timestamp)> {
    let mut timers = Vec::with_capacity(2);
    if settings.nudge_after < settings.abandon_after {
        timers.push((TimerKind::Nudge, since + settings.nudge_after));
    }
    timers.push((TimerKind::Abandon, since + settings.abandon_after));
    timers
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
        // One reading of the settings in force for the whole decision.
        let settings = config.settings_now();
        let delay = match timer.kind {
            TimerKind::Nudge => settings.nudge_after,
            TimerKind::Abandon => settings.abandon_after,
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
        let outcome = match advance(&state, input, &settings) {
            Ok(outcome) if !outcome.is_noop(&state) => outcome,
            _ => return Ok(()),
        };
        let texts = Texts::load(self.store.as_ref(), &config.language).await?;
        let link = issue_link(self.store.as_ref(), config, &order, &outcome, now).await?;
        let (update, further) = update_from(config, &texts, link.as_ref(), &order, outcome, now)?;
        apply_update(self.store.as_ref(), &order, &update, further, now).await?;
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
