//! Insights: the rules behind `GET /api/v1/stats` and `/insights`.
//!
//! The write path rolls every order change up into per-day counters (one
//! row per local day and metric) in the same transaction, so a year of
//! figures is a few hundred rows to add, never a scan of the orders. This
//! module decides, without I/O, which counters a change moves ([`facts`]),
//! how a day is chosen (the business's local day, [`local_day`]), and how
//! the summed counters become the report ([`report`]). A change is a
//! *flow*: it counts on the day it happened (a cart on the day it came, a
//! payment on the day it was paid), so a rebuild that replays the stored
//! history through the same rules gives the same rows as the live path.
//!
//! ```text
//! cart 21:00 IST 6 Dec → carts +1 on 2026-12-06 (Asia/Kolkata), though UTC says 15:30
//! paid 00:10 IST 7 Dec → revenue_minor +49900, paid_orders +1 on 2026-12-07
//! ```

pub mod facts;
pub mod histogram;
pub mod period;
pub mod report;
#[cfg(test)]
mod tests;

use chrono::NaiveDate;
use chrono_tz::Tz;

use crate::Timestamp;

pub use facts::{Fact, Metric};
pub use histogram::{quantile_seconds, stage_bucket, STAGE_BOUNDS};
pub use period::{Bucket, StatsQuery, StatsQueryError};
pub use report::{report, StatsReport};

/// The business's calendar day of `at` in `time_zone` (an IANA name; an
/// unknown name counts as UTC, as settings refuse one before it is stored).
pub fn local_day(at: Timestamp, time_zone: &str) -> NaiveDate {
    match time_zone.parse::<Tz>() {
        Ok(tz) => at.with_timezone(&tz).date_naive(),
        Err(_) => at.date_naive(),
    }
}
