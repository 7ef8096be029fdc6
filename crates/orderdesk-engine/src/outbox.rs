//! The outbox dispatcher: sends queued WhatsApp messages through the Graph
//! API, in order per customer, within the number's rate limit.
//!
//! Claim → send → record. A message is claimed (leased) in the store before
//! it is sent and recorded after, so a crash between the two leaves a lease
//! that runs out and the message is tried again: at-least-once, since the
//! Graph API offers no idempotency key, and the window for a duplicate is one
//! send. Passing failures (429, 5xx, network, rate-limit codes) back off
//! exponentially with jitter; a permanent failure is recorded on the order.

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

use crate::{CheckoutConfig, EngineError, EventBus};

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

/// Spaces sends at least `1 / per_second` apart: a strict pace rather than a
/// bucket, so no window of any length ever exceeds the configured rate.
struct Pace {
    interval: Duration,
    next: Mutex<Instant>,
}

impl Pace {
    fn new(per_second: u32) -> Self {
        Self {
            interval: Duration::from_secs(1) / per_second.max(1),
            next: Mutex::new(Instant::now()),
        }
    }

    async fn wait(&self) {
        let slot = {
            let mut next = self.next.lock().await;
            let slot = (*next).max(Instant::now());
            *next = slot + self.interval;
            slot
        };
        tokio::time::sleep_until(slot).await;
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
    graph: GraphClient,
    bus: EventBus,
    settings: DispatchSettings,
    pace: Pace,
    /// Fills links into queued bodies at send time.
    checkout: Option<Arc<CheckoutConfig>>,
}

impl Dispatcher {
    pub fn new(
        store: Arc<dyn Store>,
        graph: GraphClient,
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
            checkout: None,
        }
    }

    /// Mints checkout links into bodies queued with placeholders.
    pub fn with_checkout(mut self, checkout: Option<Arc<CheckoutConfig>>) -> Self {
        self.checkout = checkout;
        self
    }

    /// Sends until `shutdown` resolves; polls the outbox when it is idle.
    pub async fn run(self, shutdown: impl Future<Output = ()> + Send + 'static) {
        tokio::pin!(shutdown);
        let mut wake = self.bus.subscribe();
        loop {
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
        let batch = self.settings.per_second.clamp(1, 100);
        let items = self
            .store
            .claim_outbox(Utc::now(), self.settings.lease, batch)
            .await?;
        let count = items.len();
        // Claims hold one message per customer, so these may go concurrently;
        // the pace keeps the number's rate.
        let sends = items.into_iter().map(|item| self.deliver(item));
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

    async fn deliver(&self, mut item: OutboxItem) -> Result<Delivery, EngineError> {
        self.pace.wait().await;
        let now = Utc::now;
        if let (Some(config), Some(number)) = (&self.checkout, item.order_number) {
            crate::checkout::fill_placeholders(&mut item.body, number, config, now());
        }
        match self.graph.send_json(&item.body).await {
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
