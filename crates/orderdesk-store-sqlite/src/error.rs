//! The one place sqlx errors become [`StoreError`]s.

use orderdesk_store::StoreError;

/// SQLite primary result codes (the low byte of an extended code) that mean
/// "try again later" rather than "this request is wrong".
const SQLITE_BUSY: u32 = 5;
const SQLITE_LOCKED: u32 = 6;
const SQLITE_NOMEM: u32 = 7;
const SQLITE_IOERR: u32 = 10;
const SQLITE_FULL: u32 = 13;
const SQLITE_CANTOPEN: u32 = 14;

/// Translates a sqlx error: `RowNotFound` → `NotFound`, unique violations →
/// `Duplicate` naming the taken key, lock/IO/pool trouble → `Unavailable`,
/// anything else → `Other`.
pub(crate) fn db_err(e: sqlx::Error) -> StoreError {
    match e {
        sqlx::Error::RowNotFound => StoreError::NotFound,
        sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed
        | sqlx::Error::Io(_) => StoreError::Unavailable(e.to_string()),
        sqlx::Error::Database(ref db) => {
            if db.is_unique_violation() {
                return StoreError::Duplicate(duplicate_of(db.message()));
            }
            let primary = db
                .code()
                .and_then(|c| c.parse::<u32>().ok())
                .map(|c| c & 0xff);
            match primary {
                Some(
                    SQLITE_BUSY | SQLITE_LOCKED | SQLITE_NOMEM | SQLITE_IOERR | SQLITE_FULL
                    | SQLITE_CANTOPEN,
                ) => StoreError::Unavailable(e.to_string()),
                _ => StoreError::Other(anyhow::Error::new(e)),
            }
        }
        other => StoreError::Other(anyhow::Error::new(other)),
    }
}

/// Names the thing a unique violation is about, from SQLite's message
/// (`UNIQUE constraint failed: users.email`), for "… already exists".
fn duplicate_of(message: &str) -> String {
    let key = message.rsplit(": ").next().unwrap_or(message);
    match key {
        "users.email" => "a user with this email".to_owned(),
        "api_tokens.name" => "an API token with this name".to_owned(),
        "api_tokens.secret_hash" => "an API token with this secret".to_owned(),
        "products.retailer_id" => "a product with this retailer id".to_owned(),
        "inbound.source, inbound.external_id" => "this inbound item".to_owned(),
        "orders.number" => "an order with this number".to_owned(),
        "messages.wamid" => "a message with this WhatsApp id".to_owned(),
        "jobs.order_number, jobs.kind" => "a timer of this kind for this order".to_owned(),
        other => other.to_owned(),
    }
}

/// Why a migration failed, without losing the difference between an
/// unreachable database and a broken migration.
pub(crate) fn migrate_err(e: sqlx::migrate::MigrateError) -> StoreError {
    match e {
        sqlx::migrate::MigrateError::Execute(inner) => match db_err(inner) {
            StoreError::Unavailable(m) => StoreError::Unavailable(m),
            other => StoreError::Other(anyhow::anyhow!("migration failed: {other}")),
        },
        other => StoreError::Other(anyhow::Error::new(other).context("migration failed")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unique_violations_name_the_taken_key() {
        assert_eq!(
            duplicate_of("UNIQUE constraint failed: users.email"),
            "a user with this email"
        );
        assert_eq!(
            duplicate_of("UNIQUE constraint failed: api_tokens.name"),
            "an API token with this name"
        );
    }
}
