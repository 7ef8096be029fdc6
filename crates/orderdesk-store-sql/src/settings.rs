//! The business's stored settings: one transaction writes a whole change
//! (several keys set or forgotten together), so another instance reloading
//! them never sees half of it.

use orderdesk_domain::Timestamp;
use orderdesk_store::{
    CustomerLanguage, LanguageSource, SettingChange, StoreResult, StoredSetting,
};

use crate::reads::SqlRead;
use crate::rows::{self, micros, Cols};
use crate::{args, Arg, SqlTx};

/// `Store::put_settings`.
pub async fn put_settings<T: SqlTx>(
    tx: &mut T,
    changes: &[SettingChange],
    at: Timestamp,
    by: &str,
) -> StoreResult<()> {
    for change in changes {
        match &change.value {
            Some(value) => {
                tx.execute(
                    "INSERT INTO settings (key, value, updated_at, updated_by) \
                     VALUES ($1, $2, $3, $4) ON CONFLICT (key) DO UPDATE SET \
                     value = excluded.value, updated_at = excluded.updated_at, \
                     updated_by = excluded.updated_by",
                    args![change.key.as_str(), value.as_str(), micros(at), by],
                )
                .await?;
            }
            None => {
                tx.execute(
                    "DELETE FROM settings WHERE key = $1",
                    args![change.key.as_str()],
                )
                .await?;
            }
        }
    }
    Ok(())
}

/// `Store::stored_settings`.
pub async fn stored_settings<R: SqlRead>(r: &R) -> StoreResult<Vec<StoredSetting>> {
    fn decode(row: &dyn Cols) -> StoreResult<StoredSetting> {
        Ok(StoredSetting {
            key: row.text("key")?.unwrap_or_default(),
            value: row.text("value")?.unwrap_or_default(),
            updated_at: row
                .time("updated_at")?
                .ok_or_else(|| rows::corrupt("setting time", "NULL"))?,
            updated_by: row.text("updated_by")?.unwrap_or_default(),
        })
    }
    let sql = format!(
        "SELECT key, value, updated_at, updated_by FROM settings ORDER BY key{}",
        R::BYTE_ORDER
    );
    let rows = r.read(&sql, Vec::new()).await?;
    rows.iter().map(|row| decode(row)).collect()
}

fn customer_language_row(row: &dyn Cols) -> StoreResult<CustomerLanguage> {
    let source = row.text("source")?.unwrap_or_default();
    Ok(CustomerLanguage {
        customer_key: row.text("customer_key")?.unwrap_or_default(),
        language: row.text("language")?.unwrap_or_default(),
        source: LanguageSource::parse(&source)
            .ok_or_else(|| rows::corrupt("language source", &source))?,
        updated_at: row
            .time("updated_at")?
            .ok_or_else(|| rows::corrupt("language time", "NULL"))?,
    })
}

const CUSTOMER_LANGUAGE: &str = "SELECT customer_key, language, source, updated_at \
     FROM customer_languages WHERE customer_key = $1";

/// `Store::customer_language`.
pub async fn customer_language<R: SqlRead>(
    r: &R,
    customer_key: &str,
) -> StoreResult<Option<CustomerLanguage>> {
    let rows = r.read(CUSTOMER_LANGUAGE, args![customer_key]).await?;
    rows.first()
        .map(|row| customer_language_row(row))
        .transpose()
}

/// Keys per statement of [`customer_languages`].
/// 1,024: a processing step's customers in one statement.
const KEYS_PER_READ: usize = 1024;

/// `Store::customer_languages`: one query per [`KEYS_PER_READ`] keys, so a
/// processing batch reads every customer's language at once.
pub async fn customer_languages<R: SqlRead>(
    r: &R,
    keys: &[String],
) -> StoreResult<Vec<CustomerLanguage>> {
    let mut found = Vec::new();
    for chunk in keys.chunks(KEYS_PER_READ) {
        let sql = format!(
            "SELECT customer_key, language, source, updated_at \
             FROM customer_languages WHERE customer_key IN {}",
            crate::batch::placeholders(1, chunk.len())
        );
        let args = chunk.iter().map(|k| Arg::from(k.as_str())).collect();
        for row in r.read(&sql, args).await? {
            found.push(customer_language_row(&row)?);
        }
    }
    Ok(found)
}

/// `Store::set_customer_language`, in the caller's transaction.
pub async fn set_customer_language<T: SqlTx>(
    tx: &mut T,
    customer_key: &str,
    language: Option<&str>,
    source: LanguageSource,
    at: Timestamp,
) -> StoreResult<Option<CustomerLanguage>> {
    match (language, source) {
        (None, _) => {
            tx.execute(
                "DELETE FROM customer_languages WHERE customer_key = $1",
                args![customer_key],
            )
            .await?;
        }
        (Some(language), LanguageSource::Detected) => {
            // The first guess stays, and a guess never replaces staff's choice.
            tx.execute(
                "INSERT INTO customer_languages (customer_key, language, source, updated_at) \
                 VALUES ($1, $2, $3, $4) ON CONFLICT (customer_key) DO NOTHING",
                args![customer_key, language, source.as_str(), micros(at)],
            )
            .await?;
        }
        (Some(language), LanguageSource::Staff) => {
            tx.execute(
                "INSERT INTO customer_languages (customer_key, language, source, updated_at) \
                 VALUES ($1, $2, $3, $4) ON CONFLICT (customer_key) DO UPDATE SET \
                 language = excluded.language, source = excluded.source, \
                 updated_at = excluded.updated_at",
                args![customer_key, language, source.as_str(), micros(at)],
            )
            .await?;
        }
    }
    let rows = tx.fetch(CUSTOMER_LANGUAGE, args![customer_key]).await?;
    rows.first()
        .map(|row| customer_language_row(row))
        .transpose()
}
