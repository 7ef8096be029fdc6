//! What an operator's checks (`orderdesk doctor`) read from the database.

use orderdesk_domain::Timestamp;

/// How far the schema is migrated, and when WhatsApp was last heard from
/// and last sent to.
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
}
