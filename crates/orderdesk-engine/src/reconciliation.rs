//! Reconciliation: every payment event in a period, the per-day summary,
//! and the orders whose money needs a person, first.

use chrono::Duration;
use orderdesk_domain::ledger::{parse_overdue_days, COD_OVERDUE_DAYS, COD_OVERDUE_DAYS_DEFAULT};
use orderdesk_domain::{
    cod_to_collect, daily_summary, DaySummary, LedgerEntry, Order, OrderStatus, Timestamp,
};

use crate::{Engine, EngineError};

/// An order that stands at the top of the payments page, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Attention {
    pub order: Order,
    pub why: String,
}

/// What `/payments` and `GET /api/v1/payments` show.
#[derive(Debug, Clone, PartialEq)]
pub struct PaymentsReport {
    pub from: Timestamp,
    pub to: Timestamp,
    /// Oldest first.
    pub events: Vec<LedgerEntry>,
    /// Newest day first.
    pub days: Vec<DaySummary>,
    /// At most [`ATTENTION_LISTED`], oldest first.
    pub attention: Vec<Attention>,
    /// How many orders need a person in all, listed or not.
    pub attention_total: i64,
}

/// How many of the orders that need a person the report lists.
pub const ATTENTION_LISTED: u32 = 200;

/// Why `order` needs a person now, if it does: its payment is flagged for
/// review, or its cash was not recorded `cod_overdue` after delivery.
/// Delivery is when the order moved to Delivered (`delivered_at`); an order
/// delivered by an instance older than that column falls back to its last
/// change.
pub fn attention(order: &Order, now: Timestamp, cod_overdue: Duration) -> Option<String> {
    if let Some(review) = &order.payment_review {
        return Some(format!("payment needs review: {review}"));
    }
    let since = now - order.delivered_at.unwrap_or(order.updated_at);
    let overdue =
        order.status == OrderStatus::Delivered && cod_to_collect(order) && since >= cod_overdue;
    overdue.then(|| {
        format!(
            "cash on delivery not recorded {} days after delivery",
            since.num_days()
        )
    })
}

impl Engine {
    /// How long after delivery unrecorded cash on delivery needs a person
    /// (`ORDERDESK_COD_OVERDUE_DAYS`, read live; a malformed stored value,
    /// refused on save anyway, counts as the default).
    pub fn cod_overdue(&self) -> Duration {
        let days = self
            .settings
            .value(COD_OVERDUE_DAYS)
            .and_then(|v| parse_overdue_days(&v))
            .unwrap_or(COD_OVERDUE_DAYS_DEFAULT);
        Duration::days(days)
    }

    /// The payments report for `[from, to)`.
    ///
    /// # Errors
    /// A store failure.
    pub async fn payments_report(
        &self,
        from: Timestamp,
        to: Timestamp,
        now: Timestamp,
    ) -> Result<PaymentsReport, EngineError> {
        let cod_overdue = self.cod_overdue();
        let events = self.store.payment_events(from, to).await?;
        let cod = self.store.cod_to_collect(from, to).await?;
        let days = daily_summary(&events, &cod);
        let page = self
            .store
            .payment_attention(now - cod_overdue, ATTENTION_LISTED)
            .await?;
        // The store picked them by the same rule; this says why.
        let attention = page
            .orders
            .into_iter()
            .filter_map(|order| {
                attention(&order, now, cod_overdue).map(|why| Attention { order, why })
            })
            .collect();
        Ok(PaymentsReport {
            from,
            to,
            events,
            days,
            attention,
            attention_total: page.total,
        })
    }
}
