//! [`OpsStatus`] with the same SQL on both backends.

use orderdesk_domain::Timestamp;
use orderdesk_store::{LastError, OpsStatus, StoreResult, RECENT_ROWS};

use crate::reads::SqlRead;
use crate::rows::{micros, Cols};
use crate::{args, SqlTx};

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
    let last_verified_at = latest(
        r,
        "SELECT verified_at AS at FROM webhook_verifications WHERE source = 'whatsapp'",
    )
    .await?;
    // Errors and payment webhooks are rare among the rows: look only at
    // the newest RECENT_ROWS of each table, so the scan stays bounded.
    let last_send_error = last_error(
        r,
        "SELECT created_at AS at, error FROM messages WHERE direction = 'out' \
         AND error IS NOT NULL AND id > (SELECT coalesce(max(id), 0) FROM messages) - $1 \
         ORDER BY id DESC LIMIT 1",
    )
    .await?;
    let payment = r
        .read(
            "SELECT source, received_at AS at FROM inbound WHERE source <> 'whatsapp' \
             AND id > (SELECT coalesce(max(id), 0) FROM inbound) - $1 ORDER BY id DESC LIMIT 1",
            args![RECENT_ROWS],
        )
        .await?;
    let last_payment_webhook = match payment.first() {
        Some(row) => match (row.text("source")?, row.time("at")?) {
            (Some(source), Some(at)) => Some((source, at)),
            _ => None,
        },
        None => None,
    };
    let last_payment_error = last_error(
        r,
        "SELECT received_at AS at, error FROM inbound WHERE source <> 'whatsapp' \
         AND error IS NOT NULL AND id > (SELECT coalesce(max(id), 0) FROM inbound) - $1 \
         ORDER BY id DESC LIMIT 1",
    )
    .await?;
    Ok(OpsStatus {
        migrations_applied,
        migrations_known,
        last_webhook_at,
        last_sent_at,
        last_verified_at,
        last_send_error,
        last_payment_webhook,
        last_payment_error,
    })
}

/// `Store::record_webhook_verified`.
pub async fn record_webhook_verified<T: SqlTx>(tx: &mut T, at: Timestamp) -> StoreResult<()> {
    tx.execute(
        "INSERT INTO webhook_verifications (source, verified_at) VALUES ('whatsapp', $1) \
         ON CONFLICT (source) DO UPDATE SET verified_at = excluded.verified_at",
        args![micros(at)],
    )
    .await?;
    Ok(())
}

async fn latest<R: SqlRead>(r: &R, sql: &str) -> StoreResult<Option<Timestamp>> {
    let rows = r.read(sql, Vec::new()).await?;
    match rows.first() {
        Some(row) => row.time("at"),
        None => Ok(None),
    }
}

async fn last_error<R: SqlRead>(r: &R, sql: &str) -> StoreResult<Option<LastError>> {
    let rows = r.read(sql, args![RECENT_ROWS]).await?;
    let Some(row) = rows.first() else {
        return Ok(None);
    };
    Ok(match (row.time("at")?, row.text("error")?) {
        (Some(at), Some(error)) => Some(LastError { at, error }),
        _ => None,
    })
}
