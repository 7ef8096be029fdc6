//! A typed order as a draft: the lines the reader placed, priced from the
//! catalog, shown back to the customer before anything is ordered (#21).
//!
//! Pure rules only: the total, the lines as the customer reads them, what
//! the draft leads to (offer "Place order", ask back, or hand to a person)
//! and whether a later "Place order" tap still holds. The words around the
//! lines are the business's texts, not ours.

use crate::{Local, Money, MoneyError, OrderNumber};

/// One placed line, priced per pack from the catalog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DraftLine {
    pub retailer_id: String,
    /// The product's catalog title.
    pub title: String,
    /// Packs, at least 1.
    pub quantity: u32,
    pub unit_price: Money,
}

/// A line that fits several products, asked back with their titles.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DraftQuestion {
    /// The line as written.
    pub text: String,
    pub candidates: Vec<String>,
}

/// A typed message read against the catalog.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Draft {
    pub lines: Vec<DraftLine>,
    pub questions: Vec<DraftQuestion>,
    /// Lines that name no product, as written.
    pub unplaced: Vec<String>,
}

/// What the customer is sent for a draft.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DraftNext {
    /// Every line placed: the summary with "Place order" / "Change".
    Offer,
    /// Some line fits several products: ask which, order nothing yet.
    Ask,
    /// Some line names nothing we sell: a person takes over, with the draft
    /// in the chat thread.
    Desk,
}

/// What a draft was made against, stored with it: a tap on "Place order"
/// holds only while both are unchanged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DraftStamp {
    /// The catalog's version when the draft was priced.
    pub catalog_version: i64,
    /// The customer's latest order then, if any.
    pub latest_order: Option<OrderNumber>,
}

/// Why a "Place order" tap no longer holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum StaleDraft {
    /// Products or prices changed since the draft was priced.
    #[error("the catalog changed since the draft was made")]
    CatalogChanged,
    /// An order was placed since (from this draft, or otherwise).
    #[error("an order was placed since the draft was made")]
    AlreadyOrdered,
}

impl DraftStamp {
    /// Whether a draft stamped `self` may still be ordered now.
    ///
    /// # Errors
    /// [`StaleDraft`] naming what changed; an order placed since wins, as it
    /// is what the customer most likely did (tapped twice).
    pub fn check(self, now: DraftStamp) -> Result<(), StaleDraft> {
        if now.latest_order != self.latest_order {
            return Err(StaleDraft::AlreadyOrdered);
        }
        if now.catalog_version != self.catalog_version {
            return Err(StaleDraft::CatalogChanged);
        }
        Ok(())
    }
}

impl Draft {
    /// Whether the message read as an order at all.
    pub fn is_order(&self) -> bool {
        !self.lines.is_empty() || !self.questions.is_empty()
    }

    /// What to send: lines that name nothing go to a person first (they
    /// cannot be answered by tapping), then questions, else the offer.
    pub fn next(&self) -> DraftNext {
        if !self.unplaced.is_empty() {
            DraftNext::Desk
        } else if !self.questions.is_empty() {
            DraftNext::Ask
        } else {
            DraftNext::Offer
        }
    }

    /// The placed lines' total; `None` for a draft with no placed line.
    ///
    /// # Errors
    /// Mixed currencies or an overflowing total.
    pub fn total(&self) -> Result<Option<Money>, MoneyError> {
        let mut total: Option<Money> = None;
        for line in &self.lines {
            let amount = line.unit_price.times(i64::from(line.quantity))?;
            total = Some(match total {
                Some(t) => t.plus(amount)?,
                None => amount,
            });
        }
        Ok(total)
    }

    /// The placed lines as the customer reads them, one a line:
    /// `2 × Aashirvaad Atta 1 kg — ₹110.00`.
    ///
    /// # Errors
    /// An overflowing line amount.
    pub fn lines_text(&self, local: &Local) -> Result<String, MoneyError> {
        let mut out = Vec::with_capacity(self.lines.len());
        for line in &self.lines {
            let amount = line.unit_price.times(i64::from(line.quantity))?;
            out.push(format!(
                "{} × {} — {}",
                line.quantity,
                line.title,
                local.money(amount)
            ));
        }
        Ok(out.join("\n"))
    }

    /// The questions, one a line: `“dal”: Toor Dal 1 kg / Moong Dal 500 g`.
    pub fn questions_text(&self) -> String {
        self.questions
            .iter()
            .map(|q| format!("“{}”: {}", q.text, q.candidates.join(" / ")))
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// The unplaced lines, quoted and comma-separated.
    pub fn unplaced_text(&self) -> String {
        self.unplaced
            .iter()
            .map(|u| format!("“{u}”"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

#[cfg(test)]
#[path = "typed_draft/tests.rs"]
mod tests;
