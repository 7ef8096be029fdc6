//! The one place sqlx errors become [`StoreError`]s.

use orderdesk_store::StoreError;

/// Translates a sqlx error: `RowNotFound` → `NotFound`, unique violations →
/// `Duplicate` naming the taken key, connection trouble and retryable
/// contention → `Unavailable`, anything else → `Other`.
pub(crate) fn db_err(e: sqlx::Error) -> StoreError {
    match e {
        sqlx::Error::RowNotFound => StoreError::NotFound,
        sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed
        | sqlx::Error::Io(_)
        | sqlx::Error::Tls(_) => StoreError::Unavailable(e.to_string()),
        sqlx::Error::Database(ref db) => {
            if db.is_unique_violation() {
                return StoreError::Duplicate(duplicate_of(db.constraint().unwrap_or("")));
            }
            match db.code().as_deref() {
                Some(code) if retryable(code) => StoreError::Unavailable(e.to_string()),
                _ => StoreError::Other(anyhow::Error::new(e)),
            }
        }
        other => StoreError::Other(anyhow::Error::new(other)),
    }
}

/// SQLSTATEs that say "not now" rather than "not this": connection
/// exceptions (08), insufficient resources (53), shutdowns and cancels (57),
/// serialization failures and deadlocks (40001, 40P01), lock timeouts (55P03).
fn retryable(code: &str) -> bool {
    code.starts_with("08")
        || code.starts_with("53")
        || code.starts_with("57")
        || matches!(code, "40001" | "40P01" | "55P03")
}

/// Names the thing a unique violation is about, from the constraint name,
/// for "… already exists".
fn duplicate_of(constraint: &str) -> String {
    match constraint {
        "users_email_key" => "a user with this email".to_owned(),
        "api_tokens_name_key" => "an API token with this name".to_owned(),
        "api_tokens_secret_hash_key" => "an API token with this secret".to_owned(),
        "products_pkey" => "a product with this retailer id".to_owned(),
        "inbound_source_external_id_key" => "this inbound item".to_owned(),
        "orders_pkey" => "an order with this number".to_owned(),
        "messages_wamid_key" => "a message with this WhatsApp id".to_owned(),
        "jobs_order_number_kind_key" => "a timer of this kind for this order".to_owned(),
        "" => "a record with this key".to_owned(),
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
        assert_eq!(duplicate_of("users_email_key"), "a user with this email");
        assert_eq!(
            duplicate_of("api_tokens_name_key"),
            "an API token with this name"
        );
    }

    #[test]
    fn connection_and_contention_errors_are_worth_retrying() {
        for code in ["08006", "53300", "57P01", "40001", "40P01", "55P03"] {
            assert!(retryable(code), "{code}");
        }
        for code in ["23505", "42P01", "22P02"] {
            assert!(!retryable(code), "{code}");
        }
    }
}
