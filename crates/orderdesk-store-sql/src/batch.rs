//! Set-based statements for a batch: many rows in one multi-row statement
//! instead of one statement (and one round trip) each.
//!
//! Row counts are cut into a few fixed chunk sizes ([`CHUNKS`]), so one
//! batch needs at most a handful of distinct statement texts and the
//! drivers' per-connection statement caches keep reusing the same prepared
//! statements from batch to batch, whatever the batch's size.
//!
//! # Why multi-row `VALUES`, not `UNNEST`, on PostgreSQL too
//!
//! `INSERT … SELECT * FROM UNNEST($1::bigint[], $2::text[], …)` binds one
//! array per column instead of one parameter per cell. SQLite has no array
//! parameters, so each batch statement would be written twice, once per
//! dialect, and [`Arg`] would grow array variants each backend binds its
//! own way: the duplication this crate exists to remove. What `UNNEST`
//! would buy is already had: one statement text whatever the row count
//! (here by the fixed chunk sizes, so prepared statements are reused), and
//! one round trip per chunk. What is left, binding 20 × 256 parameters
//! instead of 20 arrays, costs microseconds per chunk next to the commit.
//! The one place where PostgreSQL does use `UNNEST` is already its own:
//! appending events (`SqlTx::append_events`), whose `seq` must follow
//! input order under the event-log lock (`WITH ORDINALITY … ORDER BY`).

use orderdesk_store::StoreResult;

use crate::{Arg, SqlTx};

/// Chunk sizes, largest first; any count is a sum of these (the last is 1).
/// 1,024 rows of the widest row written this way (an order, 20 columns) is
/// 20,480 parameters: under SQLite's 32,766 and PostgreSQL's 65,535. The
/// largest chunk matches the processor's step (1,024 items), so a full
/// step's orders, messages or timeline entries go in one statement each: a
/// round trip saved is worth more than the larger statement costs to bind.
const CHUNKS: [usize; 5] = [1024, 256, 32, 4, 1];

/// One multi-row statement's shape: `{head} VALUES (…), (…) {tail}`, where
/// `casts[i]` follows the placeholder of column `i` (e.g. `SqlTx::JSON`).
pub(crate) struct Rows<'a> {
    pub head: &'a str,
    pub casts: &'a [&'a str],
    pub tail: &'a str,
}

impl Rows<'_> {
    fn sql(&self, rows: usize) -> String {
        let width = self.casts.len();
        let mut sql = String::with_capacity(self.head.len() + rows * width * 6 + 32);
        sql.push_str(self.head);
        sql.push_str(" VALUES ");
        for r in 0..rows {
            sql.push_str(if r == 0 { "(" } else { ", (" });
            for (c, cast) in self.casts.iter().enumerate() {
                if c > 0 {
                    sql.push_str(", ");
                }
                sql.push('$');
                sql.push_str(&(r * width + c + 1).to_string());
                sql.push_str(cast);
            }
            sql.push(')');
        }
        if !self.tail.is_empty() {
            sql.push(' ');
            sql.push_str(self.tail);
        }
        sql
    }

    /// Cuts `rows` into chunks of the sizes in [`CHUNKS`], in order.
    fn chunks(rows: Vec<Vec<Arg>>) -> Vec<Vec<Vec<Arg>>> {
        let mut out = Vec::new();
        let mut rest = rows.into_iter().peekable();
        while rest.peek().is_some() {
            let left = rest.len();
            let size = CHUNKS.iter().copied().find(|&c| c <= left).unwrap_or(1);
            out.push(rest.by_ref().take(size).collect());
        }
        out
    }

    /// Runs the statement over all `rows` (each `casts.len()` long).
    pub(crate) async fn execute<T: SqlTx>(
        &self,
        tx: &mut T,
        rows: Vec<Vec<Arg>>,
    ) -> StoreResult<u64> {
        let mut changed = 0;
        for chunk in Self::chunks(rows) {
            let sql = self.sql(chunk.len());
            changed += tx.execute(&sql, chunk.concat()).await?;
        }
        Ok(changed)
    }

    /// As [`Rows::execute`], returning what the statement's `RETURNING`
    /// gives, chunk after chunk.
    pub(crate) async fn fetch<T: SqlTx>(
        &self,
        tx: &mut T,
        rows: Vec<Vec<Arg>>,
    ) -> StoreResult<Vec<T::Row>> {
        let mut out = Vec::with_capacity(rows.len());
        for chunk in Self::chunks(rows) {
            let sql = self.sql(chunk.len());
            out.extend(tx.fetch(&sql, chunk.concat()).await?);
        }
        Ok(out)
    }
}

/// `IN ($from, $from+1, …)` over `count` placeholders.
pub(crate) fn placeholders(from: usize, count: usize) -> String {
    let list: Vec<String> = (from..from + count).map(|n| format!("${n}")).collect();
    format!("({})", list.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_number_their_placeholders_row_by_row_with_casts() {
        let rows = Rows {
            head: "INSERT INTO t (a, b)",
            casts: &["", "::json"],
            tail: "RETURNING id",
        };
        assert_eq!(
            rows.sql(2),
            "INSERT INTO t (a, b) VALUES ($1, $2::json), ($3, $4::json) RETURNING id"
        );
    }

    #[test]
    fn any_count_is_cut_into_the_fixed_chunk_sizes_in_order() {
        let rows: Vec<Vec<Arg>> = (0..1317).map(|i| vec![Arg::from(i as i64)]).collect();
        let chunks = Rows::chunks(rows);
        let sizes: Vec<usize> = chunks.iter().map(Vec::len).collect();
        assert_eq!(sizes, vec![1024, 256, 32, 4, 1]);
        assert_eq!(chunks[1][0], vec![Arg::from(1024i64)]);
        assert_eq!(placeholders(3, 2), "($3, $4)");
    }
}
