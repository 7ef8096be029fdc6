//! The outbox dispatcher: sends queued WhatsApp messages through the Graph
//! API, in order per customer, within the number's rate limit.
//!
//! Claim → send → record. A message is claimed (leased) in the store before
//! it is sent and recorded after, so a crash between the two leaves a lease
//! that runs out and the message is tried again: at-least-once, since the
//! Graph API offers no idempotency key, and the window for a duplicate is one
//! send. Passing failures (429, 5xx, network, rate-limit codes) back off
//! exponentially with jitter; a permanent failure is recorded on the order.
//!
//! The number's rate limit is held across every instance sharing the
//! database when the store offers a shared limit
//! ([`Store::reserve_send_slots`], PostgreSQL): each claimed batch reserves
//! its send slots there, one cadence apart whoever reserves them. Otherwise
//! (SQLite, one process) the in-process [`Pace`] keeps the same cadence.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use orderdesk_store::{OutboxItem, Store};
use orderdesk_whatsapp::{GraphClient, GraphError};
use rand::Rng;
use tokio::sync::Mutex;
use tokio::time::Instant;
use tracing::{info, warn};

use crate::{CheckoutConfig, EngineError, EventBus, LiveGraph};

/// How the dispatcher paces and retries.
#[derive(Debug, Clone)]
pub struct DispatchSettings {
    /// Messages per second for the business number (Cloud API default 80).
    pub per_second: u32,
    /// How long a claimed message is reserved for one sender.
    pub lease: Duration,
    /// Attempts before a passing failure is given up as permanent.
    pub max_attempts: i32,
    pub backoff_base: Duration,
    pub backoff_max: Duration,
}

impl Default for DispatchSettings {
    fn default() -> Self {
        Self {
            per_second: 80,
            lease: Duration::from_secs(60),
            max_attempts: 12,
            backoff_base: Duration::from_secs(1),
            backoff_max: Duration::from_secs(300),
        }
    }
}

/// Releases sends on a cadence of `(1 + MARGIN) / per_second`. Slots exactly
/// `1 / rate` apart let timer and network jitter fit `rate + 1` sends into
/// some one-second window, hence the margin; and a send released late by
/// more than half a slot restarts the cadence from its actual time instead
/// of letting the next ones catch up back to back. With a cadence of `i` and
/// lateness below `i / 2`, any second holds at most
/// `floor((1 s + i/2) / i) + 1` sends — 79 at 80/s. Waiters queue on the
/// lock, so releases are strictly one after another.
struct Pace {
    interval: Duration,
    last: Mutex<Option<Instant>>,
}

/// At most this many unused slots end a batch on the shared limit.
const MAX_GUARD_SLOTS: u32 = 8;

/// Headroom below the configured rate, so that what the Graph API sees
/// never exceeds it in any window.
const MARGIN: f64 = 0.02;

/// The time between two sends at `per_second`, margin included.
fn cadence(per_second: u32) -> Duration {
    Duration::from_secs(1).mul_f64(1.0 + MARGIN) / per_second.max(1)
}

impl Pace {
    fn new(per_second: u32) -> Self {
        Self {
            interval: cadence(per_second),
            last: Mutex::new(None),
        }
    }

    #[cfg(test)]
    async fn wait(&self) {
        self.wait_not_before(None).await;
    }

    /// As [`Pace::wait`], and not before `earliest` (a slot reserved on the
    /// shared limit). Chaining the reserved slots through the local pace
    /// keeps a stalled process (CPU starvation, a GC'd neighbour) from
    /// releasing its overdue sends in one burst.
    async fn wait_not_before(&self, earliest: Option<Instant>) {
        let mut last = self.last.lock().await;
        let now = Instant::now();
        let slot = match *last {
            Some(previous) => (previous + self.interval).max(now - self.interval / 2),
            None => now,
        };
        let slot = earliest.map_or(slot, |e| slot.max(e));
        tokio::time::sleep_until(slot).await;
        let released = Instant::now();
        *last = Some(if released > slot + self.interval / 2 {
            released
        } else {
            slot
        });
    }
}

/// What happened to one claimed message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    Sent,
    Retrying,
    Failed,
}

pub struct Dispatcher {
    store: Arc<dyn Store>,
    /// The client for the credentials in force at each batch (they can be
    /// saved on /setup after start, on any instance).
    graph: LiveGraph,
    bus: EventBus,
    settings: DispatchSettings,
    pace: Pace,
    /// How long the last shared-slot reservation took.
    last_round_trip: std::sync::Mutex<Duration>,
    /// Fills links into queued bodies at send time.
    checkout: Option<Arc<CheckoutConfig>>,
}

impl Dispatcher {
    pub fn new(
        store: Arc<dyn Store>,
        graph: LiveGraph,
        bus: EventBus,
        settings: DispatchSettings,
    ) -> Self {
        let pace = Pace::new(settings.per_second);
        Self {
            store,
            graph,
            bus,
            settings,
            pace,
            last_round_trip: std::sync::Mutex::new(Duration::ZERO),
            checkout: None,
        }
    }

    /// Mints checkout links into bodies queued with placeholders.
    pub fn with_checkout(mut self, checkout: Option<Arc<CheckoutConfig>>) -> Self {
        self.checkout = checkout;
        self
    }

    /// Sends until `shutdown` resolves; polls the outbox when it is idle.
    /// Shutdown is honoured between batches, not only when the outbox is
    /// empty, so a stop with a backlog does not wait for the whole queue
    /// (what is left stays queued for the next start).
    pub async fn run(self, shutdown: impl Future<Output = ()> + Send + 'static) {
        use futures_util::FutureExt as _;
        tokio::pin!(shutdown);
        let mut wake = self.bus.subscribe();
        loop {
            if shutdown.as_mut().now_or_never().is_some() {
                return;
            }
            let idle = match self.process_due().await {
                Ok(0) => Duration::from_millis(500),
                Ok(_) => continue,
                Err(e) => {
                    warn!(error = %e, "outbox dispatch failed; retrying");
                    Duration::from_secs(1)
                }
            };
            tokio::select! {
                _ = &mut shutdown => return,
                // Any new event may mean a newly queued message.
                _ = wake.changed() => {}
                _ = tokio::time::sleep(idle) => {}
            }
        }
    }

    /// Claims what is due and sends it; returns how many were handled.
    /// Tests call this in a loop to drain the outbox deterministically.
    ///
    /// # Errors
    /// A store failure while claiming.
    pub async fn process_due(&self) -> Result<usize, EngineError> {
        // Without a number and token nothing is claimed: messages stay
        // queued (and keep their attempts) until they are saved.
        let Some(graph) = self.graph.current() else {
            return Ok(0);
        };
        let batch = self.settings.per_second.clamp(1, 100);
        let items = self
            .store
            .claim_outbox(Utc::now(), self.settings.lease, batch)
            .await?;
        let count = items.len();
        let releases = self.reserve(&graph, count).await?;
        // Claims hold one message per customer, so these may go concurrently;
        // the reserved slots (or the pace) keep the number's rate.
        let sends = items.into_iter().enumerate().map(|(k, item)| {
            self.deliver(
                &graph,
                item,
                releases.map(|(first, step)| first + step * k as u32),
            )
        });
        for result in futures_util::future::join_all(sends).await {
            if let Err(e) = result {
                warn!(error = %e, "could not record an outbox result; the lease will expire and it is retried");
            }
        }
        if count > 0 {
            self.bus.poke();
        }
        Ok(count)
    }

    /// Reserves `count` slots on the shared rate limit: when the first may
    /// go and the step between them. `None` when the store has no shared
    /// limit and the in-process pace applies.
    ///
    /// The slots are placed on this process's clock when the answer
    /// arrives, up to one round trip later than the database meant; a batch
    /// shifted that way could crowd the next instance's first slots. So
    /// each batch also reserves a few unused slots at its end, covering
    /// twice the last round trip.
    async fn reserve(
        &self,
        graph: &GraphClient,
        count: usize,
    ) -> Result<Option<(Instant, Duration)>, EngineError> {
        if count == 0 {
            return Ok(None);
        }
        let step = cadence(self.settings.per_second);
        let key = graph.messages_url();
        let guard = {
            let rtt = *self
                .last_round_trip
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let slots = (rtt * 2).as_micros() / step.as_micros().max(1) + 1;
            u32::try_from(slots).unwrap_or(1).min(MAX_GUARD_SLOTS)
        };
        let asked = Instant::now();
        let count = u32::try_from(count).unwrap_or(u32::MAX);
        let reserved = self
            .store
            .reserve_send_slots(key, count.saturating_add(guard), step)
            .await?;
        let answered = Instant::now();
        *self
            .last_round_trip
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = answered - asked;
        Ok(reserved.map(|wait| (answered + wait, step)))
    }

    async fn deliver(
        &self,
        graph: &GraphClient,
        mut item: OutboxItem,
        release: Option<Instant>,
    ) -> Result<Delivery, EngineError> {
        self.pace.wait_not_before(release).await;
        let now = Utc::now;
        if let (Some(config), Some(number)) = (&self.checkout, item.order_number) {
            let queued = crate::checkout::body_text(&item.body);
            crate::checkout::fill_placeholders(&mut item.body, number, config, now());
            crate::invoices::fill_invoice_number(self.store.as_ref(), &mut item.body, number)
                .await?;
            // The thread shows exactly what the customer gets, number included.
            if let Some(text) =
                crate::checkout::body_text(&item.body).filter(|t| Some(t) != queued.as_ref())
            {
                self.store.outbound_text(item.id, &text).await?;
            }
        }
        match graph.send_json(&item.body).await {
            Ok(sent) => {
                self.store.outbox_sent(item.id, &sent.wamid, now()).await?;
                Ok(Delivery::Sent)
            }
            Err(GraphError::Retryable { after, reason, .. })
                if item.attempts < self.settings.max_attempts =>
            {
                let wait = after.unwrap_or_else(|| self.backoff(item.attempts));
                let not_before = now() + chrono::Duration::from_std(wait).unwrap_or_default();
                self.store
                    .outbox_retry(item.id, not_before, &reason)
                    .await?;
                Ok(Delivery::Retrying)
            }
            Err(GraphError::Auth { error }) if item.attempts < self.settings.max_attempts => {
                // Credentials are fixed by an operator, not by waiting a second:
                // back off at the maximum and keep the message.
                warn!(%error, "the Graph API refused our credentials");
                let not_before = now()
                    + chrono::Duration::from_std(self.settings.backoff_max).unwrap_or_default();
                self.store
                    .outbox_retry(item.id, not_before, &error.to_string())
                    .await?;
                Ok(Delivery::Retrying)
            }
            Err(e) => {
                info!(message = item.id, error = %e, "message could not be sent");
                self.store
                    .outbox_failed(item.id, &e.to_string(), now())
                    .await?;
                Ok(Delivery::Failed)
            }
        }
    }

    /// `base * 2^(attempts-1)`, capped, with ±50 % jitter so retries of many
    /// messages after one outage do not arrive together.
    fn backoff(&self, attempts: i32) -> Duration {
        let exp = u32::try_from(attempts.saturating_sub(1))
            .unwrap_or(0)
            .min(20);
        let raw = self
            .settings
            .backoff_base
            .saturating_mul(1u32 << exp)
            .min(self.settings.backoff_max);
        raw.mul_f64(rand::thread_rng().gen_range(0.5..1.5))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Under tokio's paused clock the pace is exact, so this checks the
    /// arithmetic: no one-second window ever holds more than the rate.
    #[tokio::test(start_paused = true)]
    async fn the_pace_never_lets_more_than_the_rate_into_any_second() {
        let pace = Pace::new(50);
        let mut released = Vec::new();
        for _ in 0..300 {
            pace.wait().await;
            released.push(Instant::now());
        }
        for (i, start) in released.iter().enumerate() {
            let within = released[i..]
                .iter()
                .take_while(|t| **t < *start + Duration::from_secs(1))
                .count();
            assert!(
                within <= 50,
                "{within} sends in the second from release {i}"
            );
        }
        let span = *released.last().unwrap() - released[0];
        assert!(
            span < Duration::from_secs(7),
            "still close to the rate: {span:?}"
        );
    }
}
