//! A handful of counters in the Prometheus text format. Few enough that
//! atomics and one formatting function beat a metrics framework.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering::Relaxed};

#[derive(Default)]
pub struct Metrics {
    webhooks_accepted: AtomicU64,
    webhooks_rejected: AtomicU64,
    webhook_items_new: AtomicU64,
    webhook_items_duplicate: AtomicU64,
    http_responses: [AtomicU64; 5],
    streams_open: AtomicI64,
    /// Unix time of the last scheduled backup written (0: none yet).
    backup_last_success: AtomicI64,
    backup_failures: AtomicU64,
}

impl Metrics {
    pub fn webhook_accepted(&self, new: usize, duplicate: usize) {
        self.webhooks_accepted.fetch_add(1, Relaxed);
        self.webhook_items_new.fetch_add(new as u64, Relaxed);
        self.webhook_items_duplicate
            .fetch_add(duplicate as u64, Relaxed);
    }

    pub fn webhook_rejected(&self) {
        self.webhooks_rejected.fetch_add(1, Relaxed);
    }

    pub fn response(&self, status: u16) {
        let class = usize::from(status / 100).clamp(1, 5) - 1;
        self.http_responses[class].fetch_add(1, Relaxed);
    }

    pub fn stream_opened(&self) {
        self.streams_open.fetch_add(1, Relaxed);
    }

    pub fn stream_closed(&self) {
        self.streams_open.fetch_sub(1, Relaxed);
    }

    pub fn backup_succeeded(&self, unix_seconds: i64) {
        self.backup_last_success.store(unix_seconds, Relaxed);
    }

    pub fn backup_failed(&self) {
        self.backup_failures.fetch_add(1, Relaxed);
    }

    /// The exposition text, with the inbox backlog and last event id read by the caller.
    pub fn render(&self, last_event_seq: Option<i64>) -> String {
        let mut out = String::new();
        let mut counter = |name: &str, help: &str, value: u64| {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} counter\n{name} {value}"
            );
        };
        counter(
            "orderdesk_webhooks_accepted_total",
            "Webhook deliveries verified, stored and acknowledged.",
            self.webhooks_accepted.load(Relaxed),
        );
        counter(
            "orderdesk_webhooks_rejected_total",
            "Webhook deliveries refused (bad signature, too large, not configured).",
            self.webhooks_rejected.load(Relaxed),
        );
        counter(
            "orderdesk_webhook_items_stored_total",
            "New webhook items (messages, statuses, other) stored in the inbox.",
            self.webhook_items_new.load(Relaxed),
        );
        counter(
            "orderdesk_webhook_items_duplicate_total",
            "Webhook items already stored before (redeliveries).",
            self.webhook_items_duplicate.load(Relaxed),
        );
        let _ = writeln!(
            out,
            "# HELP orderdesk_http_responses_total HTTP responses by status class.\n# TYPE orderdesk_http_responses_total counter"
        );
        for (i, c) in self.http_responses.iter().enumerate() {
            let _ = writeln!(
                out,
                "orderdesk_http_responses_total{{class=\"{}xx\"}} {}",
                i + 1,
                c.load(Relaxed)
            );
        }
        let _ = writeln!(
            out,
            "# HELP orderdesk_event_streams_open Open event streams.\n# TYPE orderdesk_event_streams_open gauge\norderdesk_event_streams_open {}",
            self.streams_open.load(Relaxed)
        );
        let _ = writeln!(
            out,
            "# HELP orderdesk_build_info The running release.\n# TYPE orderdesk_build_info gauge\norderdesk_build_info{{version=\"{}\"}} 1",
            crate::health::VERSION
        );
        let last_backup = self.backup_last_success.load(Relaxed);
        if last_backup > 0 {
            let _ = writeln!(
                out,
                "# HELP orderdesk_backup_last_success_timestamp_seconds When the last scheduled backup was written.\n# TYPE orderdesk_backup_last_success_timestamp_seconds gauge\norderdesk_backup_last_success_timestamp_seconds {last_backup}"
            );
        }
        let _ = writeln!(
            out,
            "# HELP orderdesk_backup_failures_total Scheduled backups that could not be written.\n# TYPE orderdesk_backup_failures_total counter\norderdesk_backup_failures_total {}",
            self.backup_failures.load(Relaxed)
        );
        if let Some(seq) = last_event_seq {
            let _ = writeln!(
                out,
                "# HELP orderdesk_last_event_id Highest committed event id.\n# TYPE orderdesk_last_event_id gauge\norderdesk_last_event_id {seq}"
            );
        }
        out
    }
}
