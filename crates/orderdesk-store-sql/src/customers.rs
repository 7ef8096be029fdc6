//! Reads about customers both backends answer with the same SQL.

use orderdesk_store::{CustomerRecord, StoreResult};

use crate::args;
use crate::reads::SqlRead;
use crate::rows;

/// `Store::customer_by_wa_id`: the customer with this phone number who
/// wrote last (one phone may be known under two keys: its `wa_id`, and
/// the business-scoped `user_id` WhatsApp sends with it).
pub async fn customer_by_wa_id<R: SqlRead>(
    r: &R,
    wa_id: &str,
) -> StoreResult<Option<CustomerRecord>> {
    let sql = format!(
        "SELECT {} FROM customers WHERE wa_id = $1 \
         ORDER BY last_inbound_at IS NULL, last_inbound_at DESC LIMIT 1",
        rows::CUSTOMER_COLUMNS
    );
    let rows = r.read(&sql, args![wa_id]).await?;
    rows.first().map(|row| rows::customer(row)).transpose()
}
