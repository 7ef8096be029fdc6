//! What an operator's checks (`orderdesk doctor`) and the status panels on
//! `/settings` and `/setup` read from the database.

use orderdesk_domain::Timestamp;

/// How far the schema is migrated, and when WhatsApp and the payment
/// provider were last heard from and sent to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpsStatus {
    /// The newest migration applied to this database (0: none).
    pub migrations_applied: i64,
    /// The newest migration this build knows.
    pub migrations_known: i64,
    /// When the newest WhatsApp webhook item was stored.
    pub last_webhook_at: Option<Timestamp>,
    /// When the newest outbound message was handed to WhatsApp.
    pub last_sent_at: Option<Timestamp>,
    /// When Meta last passed the webhook handshake (`GET
    /// /webhooks/whatsapp` with our verify token).
    pub last_verified_at: Option<Timestamp>,
    /// The newest outbound message that WhatsApp refused or that is
    /// waiting to be retried after an error, among the most recent
    /// [`RECENT_ROWS`].
    pub last_send_error: Option<LastError>,
    /// The newest payment-provider webhook item, among the most recent
    /// [`RECENT_ROWS`] inbox items: its source (`razorpay`, `stripe`, …)
    /// and when it was stored.
    pub last_payment_webhook: Option<(String, Timestamp)>,
    /// The newest payment-provider item whose processing failed, among the
    /// same rows.
    pub last_payment_error: Option<LastError>,
}

/// An error and when the thing it belongs to happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LastError {
    pub at: Timestamp,
    pub error: String,
}

/// How far back the status looks for errors and payment webhooks, so
/// reading it stays a bounded scan however large the tables grow.
pub const RECENT_ROWS: i64 = 10_000;
