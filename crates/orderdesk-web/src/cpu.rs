//! CPU- and memory-heavy work on behalf of a request: argon2id password
//! checks (19 MiB each) and webhook signatures over bodies of up to a few
//! megabytes.
//!
//! Such work runs on tokio's blocking threads, never on the async workers
//! that answer `/healthz` and feed event streams, and only a few at a time:
//! a [`CpuGate`] holds one permit per core. A request that cannot get a
//! permit within the gate's wait is refused ([`GateError::Busy`]) rather
//! than queued without end. The permit travels into the blocking closure,
//! so work whose client went away still counts until it has finished.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Semaphore;

/// A bounded lane for blocking work.
#[derive(Debug, Clone)]
pub struct CpuGate {
    permits: Arc<Semaphore>,
    wait: Duration,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum GateError {
    #[error("the server is busy; try again in a moment")]
    Busy,
    #[error("the work panicked")]
    Panicked,
}

impl CpuGate {
    /// At most `permits` (at least one) jobs at once; a caller waits up to
    /// `wait` for its turn.
    pub fn new(permits: usize, wait: Duration) -> Self {
        Self {
            permits: Arc::new(Semaphore::new(permits.max(1))),
            wait,
        }
    }

    /// One permit per core the process may use.
    pub fn per_core(wait: Duration) -> Self {
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
        Self::new(cores, wait)
    }

    /// Runs `work` on a blocking thread once a permit is free.
    ///
    /// # Errors
    /// [`GateError::Busy`] when no permit came within the wait;
    /// [`GateError::Panicked`] when `work` panicked.
    pub async fn run<T, F>(&self, work: F) -> Result<T, GateError>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let permit = tokio::time::timeout(self.wait, self.permits.clone().acquire_owned())
            .await
            .map_err(|_| GateError::Busy)?
            .map_err(|_| GateError::Busy)?;
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            work()
        })
        .await
        .map_err(|_| GateError::Panicked)
    }
}

impl From<GateError> for crate::error::ApiError {
    fn from(e: GateError) -> Self {
        match e {
            // 503, so a webhook sender retries later.
            GateError::Busy => Self::unavailable(e.to_string()),
            GateError::Panicked => {
                tracing::error!("blocking work panicked");
                Self::internal()
            }
        }
    }
}

impl Default for CpuGate {
    /// Per core, waiting up to two seconds: a login or a webhook is answered
    /// promptly or refused, never parked behind a storm.
    fn default() -> Self {
        Self::per_core(Duration::from_secs(2))
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    #[tokio::test]
    async fn no_more_than_the_permits_run_at_once_and_the_rest_are_busy() {
        let gate = CpuGate::new(2, Duration::from_millis(100));
        let running = Arc::new(AtomicUsize::new(0));
        let peak = Arc::new(AtomicUsize::new(0));
        let jobs = (0..6).map(|_| {
            let (gate, running, peak) = (gate.clone(), running.clone(), peak.clone());
            async move {
                gate.run(move || {
                    let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                    peak.fetch_max(now, Ordering::SeqCst);
                    std::thread::sleep(Duration::from_millis(300));
                    running.fetch_sub(1, Ordering::SeqCst);
                })
                .await
            }
        });
        let results = futures_util::future::join_all(jobs).await;
        assert_eq!(peak.load(Ordering::SeqCst), 2);
        assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 2);
        assert!(results
            .iter()
            .filter(|r| r.is_err())
            .all(|r| *r == Err(GateError::Busy)));
    }
}
