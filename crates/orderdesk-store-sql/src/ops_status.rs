//! [`OpsStatus`] with the same SQL on both backends.

use orderdesk_domain::Timestamp;
use orderdesk_store::{OpsStatus, StoreResult};

use crate::reads::SqlRead;
use crate::rows::Cols;

/// The status as of now; `migrations_known` is the backend's newest
/// embedded migration.
pub async fn status<R: SqlRead>(r: &R, migrations_known: i64) -> StoreResult<OpsStatus> {
    let applied = r
        .read(
            "SELECT max(version) AS version FROM _sqlx_migrations WHERE success",
            Vec::new(),
        )
        .await?;
    let migrations_applied = match applied.first() {
        Some(row) => row.int("version")?.unwrap_or(0),
        None => 0,
    };
    // Newest by id (the primary key), not by a scan of every time.
    let last_webhook_at = latest(
        r,
        "SELECT received_at AS at FROM inbound WHERE source = 'whatsapp' ORDER BY id DESC LIMIT 1",
    )
    .await?;
    let last_sent_at = latest(
        r,
        "SELECT sent_at AS at FROM messages WHERE direction = 'out' AND sent_at IS NOT NULL \
         ORDER BY id DESC LIMIT 1",
    )
    .await?;
    Ok(OpsStatus {
        migrations_applied,
        migrations_known,
        last_webhook_at,
        last_sent_at,
    })
}

async fn latest<R: SqlRead>(r: &R, sql: &str) -> StoreResult<Option<Timestamp>> {
    let rows = r.read(sql, Vec::new()).await?;
    match rows.first() {
        Some(row) => row.time("at"),
        None => Ok(None),
    }
}
