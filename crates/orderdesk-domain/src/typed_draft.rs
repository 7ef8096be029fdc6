//! A typed order as a draft: the lines the reader placed, priced from the
//! catalog, shown back to the customer before anything is ordered (#21).
//!
//! Pure rules only: the total, the lines as the customer reads them, what
//! the draft leads to (offer "Place order", ask back, or hand to a person)
//! and whether a later "Place order" tap still holds. The words around the
//! lines are the business's texts, not ours.

use crate::{Local, Money, MoneyError, OrderNumber};

pub mod desk;

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
    /// The draft's [`fingerprint`] when it was shown: its lines, their
    /// prices then and when it was made. Recomputed at a tap with today's
    /// prices, a difference means the catalog changed under the draft.
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
    /// A newer draft (or "Change") took this one's place.
    #[error("a newer draft replaced this one")]
    Replaced,
    /// Shown longer ago than [`DRAFT_TTL_SECS`].
    #[error("the draft has expired")]
    Expired,
}

/// How long a shown draft may be ordered by tapping, in seconds: a day, the
/// WhatsApp service window in which the offer itself could be sent.
pub const DRAFT_TTL_SECS: i64 = 24 * 3600;

/// The two reply buttons under a shown draft.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TapAction {
    Place,
    Change,
}

impl TapAction {
    fn as_str(self) -> &'static str {
        match self {
            Self::Place => "place",
            Self::Change => "change",
        }
    }
}

/// A tap on a draft's button, as its reply id carries it:
/// `typed.place.<made at, unix seconds>.<fingerprint, hex>`. The id names
/// the draft it was shown under, so a tap under an older draft is told
/// apart from one under the customer's current draft.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DraftTap {
    pub action: TapAction,
    /// When the draft was made, in unix seconds.
    pub made_at: i64,
    /// The draft's [`fingerprint`].
    pub fingerprint: i64,
}

impl DraftTap {
    /// The reply-button id (well under WhatsApp's 256 characters).
    pub fn encode(&self) -> String {
        // Hex of the bits: a fingerprint is a hash, its sign means nothing.
        format!(
            "typed.{}.{}.{:x}",
            self.action.as_str(),
            self.made_at,
            self.fingerprint as u64
        )
    }

    /// Reads an id [`DraftTap::encode`] made; anything else is `None`.
    pub fn parse(id: &str) -> Option<Self> {
        let mut parts = id.strip_prefix("typed.")?.split('.');
        let action = match parts.next()? {
            "place" => TapAction::Place,
            "change" => TapAction::Change,
            _ => return None,
        };
        let made_at = parts.next()?.parse::<i64>().ok().filter(|s| *s >= 0)?;
        let hex = parts.next()?;
        if parts.next().is_some() || hex.is_empty() || hex.len() > 16 {
            return None;
        }
        let fingerprint = u64::from_str_radix(hex, 16).ok()? as i64;
        Some(Self {
            action,
            made_at,
            fingerprint,
        })
    }

    /// Whether this tap may still order the customer's draft: `kept` is the
    /// stamp of the draft kept for them (`None` after "Change" or with none),
    /// `now` the same draft stamped again with today's prices and their
    /// latest order, `now_secs` the tap's time.
    ///
    /// # Errors
    /// [`StaleDraft`]: replaced first (the tap is not for the kept draft at
    /// all), then expired, then what [`DraftStamp::check`] finds.
    pub fn check(
        &self,
        kept: Option<DraftStamp>,
        now: DraftStamp,
        now_secs: i64,
    ) -> Result<(), StaleDraft> {
        let kept = kept
            .filter(|k| k.catalog_version == self.fingerprint)
            .ok_or(StaleDraft::Replaced)?;
        if now_secs.saturating_sub(self.made_at) > DRAFT_TTL_SECS {
            return Err(StaleDraft::Expired);
        }
        kept.check(now)
    }
}

/// A draft's identity and prices in one number: FNV-1a over its lines
/// (retailer id, packs, unit price and currency) and when it was made. The
/// same lines at the same prices made at the same second give the same
/// number on every machine and release, so it can be stored and compared
/// with a button's id.
pub fn fingerprint<'a>(
    lines: impl IntoIterator<Item = (&'a str, u32, Money)>,
    made_at: i64,
) -> i64 {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0100_0000_01b3;
    let mut hash = OFFSET;
    let mut eat = |bytes: &[u8]| {
        for b in bytes {
            hash ^= u64::from(*b);
            hash = hash.wrapping_mul(PRIME);
        }
    };
    eat(&made_at.to_le_bytes());
    for (id, packs, price) in lines {
        // Separators keep ("ab", 1) and ("a", …) apart.
        eat(id.as_bytes());
        eat(&[0]);
        eat(&packs.to_le_bytes());
        eat(&price.minor().to_le_bytes());
        eat(price.currency().as_str().as_bytes());
        eat(&[0xff]);
    }
    hash as i64
}

/// The typed-orders setting (`ORDERDESK_TYPED_ORDERS`): `on` or `off`.
pub fn parse_switch(raw: &str) -> Option<bool> {
    match raw.trim().to_ascii_lowercase().as_str() {
        "on" => Some(true),
        "off" => Some(false),
        _ => None,
    }
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

    /// [`Draft::lines_text`] in at most `budget` characters: the lines that
    /// fit, then `… (+N)` for the N left out (a WhatsApp message body is
    /// limited; the total still counts every line). With a budget too
    /// small for any line, only the marker.
    ///
    /// # Errors
    /// An overflowing line amount.
    pub fn lines_text_within(&self, local: &Local, budget: usize) -> Result<String, MoneyError> {
        let full = self.lines_text(local)?;
        if full.chars().count() <= budget {
            return Ok(full);
        }
        let lines: Vec<&str> = full.lines().collect();
        let mut kept: Vec<&str> = Vec::new();
        let mut used = 0;
        for (i, line) in lines.iter().enumerate() {
            let more = format!("… (+{})", lines.len() - i - 1);
            let need = line.chars().count() + 1;
            if used + need + more.chars().count() > budget {
                break;
            }
            used += need;
            kept.push(line);
        }
        let left = lines.len() - kept.len();
        let mut out = kept.join("\n");
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(&format!("… (+{left})"));
        Ok(out)
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
