//! Typed drafts (#21) on the shared write path: kept when a customer's typed
//! order is shown back, read when they tap "Place order".

use orderdesk_domain::{DraftStamp, OrderNumber};
use orderdesk_store::{StoreResult, TypedDraft};

use crate::reads::SqlRead;
use crate::rows::{corrupt, Cols};
use crate::{args, SqlTx};

/// `Store::save_typed_draft`: one row a customer, the newest wins.
pub async fn save<T: SqlTx>(tx: &mut T, draft: &TypedDraft) -> StoreResult<()> {
    let lines: Vec<String> = draft
        .lines
        .iter()
        .map(|(id, packs)| format!("{id}\t{packs}"))
        .collect();
    // New lines cannot be in a line: the reader splits a message at them.
    let unplaced: Vec<String> = draft
        .unplaced
        .iter()
        .map(|u| u.replace('\n', " "))
        .collect();
    tx.execute(
        "INSERT INTO typed_drafts (customer_key, lines, catalog_version, latest_order, \
         made_at, unplaced, at_desk) VALUES ($1, $2, $3, $4, $5, $6, $7) \
         ON CONFLICT (customer_key) DO UPDATE SET lines = excluded.lines, \
         catalog_version = excluded.catalog_version, latest_order = excluded.latest_order, \
         made_at = excluded.made_at, unplaced = excluded.unplaced, at_desk = excluded.at_desk",
        args![
            draft.customer_key.as_str(),
            lines.join("\n").as_str(),
            draft.stamp.catalog_version,
            draft.stamp.latest_order,
            draft.made_at,
            unplaced.join("\n").as_str(),
            i64::from(draft.at_desk)
        ],
    )
    .await?;
    Ok(())
}

/// `Store::typed_draft`.
pub async fn get<R: SqlRead>(store: &R, customer_key: &str) -> StoreResult<Option<TypedDraft>> {
    let rows = store
        .read(
            "SELECT lines, catalog_version, latest_order, made_at, unplaced, at_desk \
             FROM typed_drafts \
             WHERE customer_key = $1",
            args![customer_key],
        )
        .await?;
    let Some(row) = rows.first() else {
        return Ok(None);
    };
    let row: &dyn Cols = row;
    let (Some(text), Some(catalog_version)) = (row.text("lines")?, row.int("catalog_version")?)
    else {
        return Err(corrupt("NULL in", "typed_drafts"));
    };
    let latest_order = match row.int("latest_order")? {
        Some(n) => {
            Some(OrderNumber::new(n).ok_or_else(|| corrupt("order number", &n.to_string()))?)
        }
        None => None,
    };
    let lines = text
        .lines()
        .map(|line| {
            line.split_once('\t')
                .and_then(|(id, packs)| Some((id.to_owned(), packs.parse().ok()?)))
                .ok_or_else(|| corrupt("draft line", line))
        })
        .collect::<StoreResult<_>>()?;
    let unplaced = row
        .text("unplaced")?
        .unwrap_or_default()
        .lines()
        .map(str::to_owned)
        .collect();
    Ok(Some(TypedDraft {
        customer_key: customer_key.to_owned(),
        lines,
        stamp: DraftStamp {
            catalog_version,
            latest_order,
        },
        made_at: row.int("made_at")?,
        unplaced,
        at_desk: row.int("at_desk")?.unwrap_or(0) != 0,
    }))
}
