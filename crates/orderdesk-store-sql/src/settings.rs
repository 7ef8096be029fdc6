//! The business's stored settings: one transaction writes a whole change
//! (several keys set or forgotten together), so another instance reloading
//! them never sees half of it.

use orderdesk_domain::Timestamp;
use orderdesk_store::{SettingChange, StoreResult, StoredSetting};

use crate::reads::SqlRead;
use crate::rows::{self, micros, Cols};
use crate::{args, SqlTx};

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
