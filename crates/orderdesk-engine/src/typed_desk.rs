//! A typed draft at the desk (#21): "Change" under a draft, or words the
//! reader could not place, hand the conversation to a person with the
//! draft attached. Staff read it (lines, packs, today's prices, the words
//! nobody could place), edit its lines, and send it back to the customer
//! as a fresh offer with "Place order" / "Change": the customer confirms,
//! and "Place order" makes the order as a catalog cart would.
//!
//! Sending back (rather than ordering on staff's say-so) keeps the rule
//! that nothing is ordered the customer has not confirmed at its prices;
//! the rules are the domain's (`typed_draft::desk`).

use std::collections::HashMap;

use chrono::Utc;
use orderdesk_domain::{
    check_desk_lines, desk_state, service_window_open, Customer, DeskLinesError, DeskState, Draft,
    DraftLine, Money, Timestamp, DRAFT_TTL_SECS,
};
use orderdesk_store::{ChatMessage, ConversationChange, Product, TypedDraft};

use crate::texts::Texts;
use crate::{Engine, EngineError, ReplyError};

/// Why a desk action on a typed draft was refused. Nothing was changed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DraftDeskError {
    /// The customer has no typed draft (none typed, or one nobody could read).
    #[error("{0} has no typed draft")]
    NoDraft(String),
    /// An order was placed since the draft was made.
    #[error("the draft was already placed as an order")]
    Placed,
    /// The draft is older than its lifetime (a day).
    #[error("the draft has expired: it was made more than 24 hours ago")]
    Expired,
    /// Staff's lines are refused (unknown product, quantity out of range…).
    #[error(transparent)]
    Lines(#[from] DeskLinesError),
}

/// A draft as the desk shows it, priced from the catalog as it is now.
#[derive(Debug, Clone)]
pub struct DeskDraft {
    /// The conversation's key.
    pub key: String,
    pub state: DeskState,
    /// A person has it ("Change", or words nobody could place).
    pub at_desk: bool,
    pub made_at: Option<Timestamp>,
    pub expires_at: Option<Timestamp>,
    /// The lines whose product is in the catalog, in the order written.
    pub lines: Vec<DraftLine>,
    /// The customer's words the reader could not place, and lines whose
    /// product has left the catalog since.
    pub unmatched: Vec<String>,
    /// The lines' total; `None` with no line (or mixed currencies).
    pub total: Option<Money>,
}

fn closed(state: DeskState) -> Result<(), DraftDeskError> {
    match state {
        DeskState::Open => Ok(()),
        DeskState::Placed => Err(DraftDeskError::Placed),
        DeskState::Expired => Err(DraftDeskError::Expired),
    }
}

impl Engine {
    /// The stored draft of the conversation keyed (or with `wa_id`) `key`,
    /// with where it stands.
    async fn kept_draft(&self, key: &str) -> Result<(String, TypedDraft, DeskState), EngineError> {
        let c = self.conversation(key).await?;
        let kept = self
            .store
            .typed_draft(&c.key)
            .await?
            .filter(|d| !d.lines.is_empty())
            .ok_or_else(|| DraftDeskError::NoDraft(key.to_owned()))?;
        let latest = self
            .store
            .latest_order_for_customer(&c.key)
            .await?
            .map(|o| o.number);
        let state = desk_state(
            kept.made_at,
            kept.stamp.latest_order,
            latest,
            Utc::now().timestamp(),
        );
        Ok((c.key, kept, state))
    }

    async fn priced(&self, ids: &[String]) -> Result<HashMap<String, Product>, EngineError> {
        Ok(self
            .store
            .products_by_ids(ids)
            .await?
            .into_iter()
            .map(|p| (p.retailer_id.clone(), p))
            .collect())
    }

    async fn desk_view(
        &self,
        key: String,
        kept: &TypedDraft,
        state: DeskState,
    ) -> Result<DeskDraft, EngineError> {
        let ids: Vec<String> = kept.lines.iter().map(|(id, _)| id.clone()).collect();
        let products = self.priced(&ids).await?;
        let mut draft = Draft::default();
        let mut unmatched = kept.unplaced.clone();
        for (id, packs) in &kept.lines {
            match products.get(id) {
                Some(p) => draft.lines.push(DraftLine {
                    retailer_id: id.clone(),
                    title: p.title.clone(),
                    quantity: *packs,
                    unit_price: Money::from_minor(p.price_minor, p.currency),
                }),
                None => unmatched.push(format!("{packs} × {id} (no longer in the catalog)")),
            }
        }
        let made_at = kept
            .made_at
            .and_then(|s| chrono::DateTime::from_timestamp(s, 0));
        Ok(DeskDraft {
            key,
            state,
            at_desk: kept.at_desk,
            made_at,
            expires_at: made_at.map(|m| m + chrono::Duration::seconds(DRAFT_TTL_SECS)),
            total: draft.total().ok().flatten(),
            lines: draft.lines,
            unmatched,
        })
    }

    /// The customer's typed draft as the desk shows it (also once placed
    /// or expired: `state` says so).
    ///
    /// # Errors
    /// `Store(NotFound)` for an unknown conversation,
    /// [`DraftDeskError::NoDraft`] when the customer has no draft.
    pub async fn desk_draft(&self, key: &str) -> Result<DeskDraft, EngineError> {
        let (key, kept, state) = self.kept_draft(key).await?;
        self.desk_view(key, &kept, state).await
    }

    /// Replaces the draft's lines with staff's (`(retailer id, packs)`):
    /// the draft stays at the desk, and any button the customer still has
    /// under it stops ordering (they will confirm staff's version).
    ///
    /// # Errors
    /// As [`Engine::desk_draft`]; [`DraftDeskError::Placed`] or
    /// [`DraftDeskError::Expired`] for a draft no longer open;
    /// [`DraftDeskError::Lines`] for lines the catalog refuses.
    pub async fn edit_desk_draft(
        &self,
        key: &str,
        lines: &[(String, i64)],
    ) -> Result<DeskDraft, EngineError> {
        let (key, mut kept, state) = self.kept_draft(key).await?;
        closed(state).map_err(EngineError::from)?;
        let ids: Vec<String> = lines.iter().map(|(id, _)| id.clone()).collect();
        let known = self.priced(&ids).await?;
        kept.lines =
            check_desk_lines(lines, |id| known.contains_key(id)).map_err(DraftDeskError::from)?;
        kept.at_desk = true;
        kept.stamp.catalog_version = 0;
        self.store.save_typed_draft(&kept).await?;
        self.bus.poke();
        self.desk_view(key, &kept, state).await
    }

    /// Sends the draft back to the customer as a fresh offer (its lines at
    /// today's prices, "Place order" / "Change"), takes it off the desk,
    /// marks the conversation answered and hands it back to the bot, which
    /// runs the checkout once they tap "Place order".
    ///
    /// # Errors
    /// As [`Engine::edit_desk_draft`]; [`DraftDeskError::Lines`] when a
    /// line's product has left the catalog; `Reply(OutsideWindow)` 24
    /// hours after the customer last wrote; `Reply(Invalid)` when the
    /// business turned the draft text off.
    pub async fn send_desk_draft(
        &self,
        key: &str,
    ) -> Result<(DeskDraft, ChatMessage), EngineError> {
        let (key, kept, state) = self.kept_draft(key).await?;
        closed(state).map_err(EngineError::from)?;
        let view = self.desk_view(key.clone(), &kept, state).await?;
        if view.lines.len() != kept.lines.len() {
            let gone: Vec<String> = kept
                .lines
                .iter()
                .filter(|(id, _)| !view.lines.iter().any(|l| &l.retailer_id == id))
                .map(|(id, _)| id.clone())
                .collect();
            return Err(DraftDeskError::Lines(DeskLinesError::UnknownProducts(gone)).into());
        }
        let now = Utc::now();
        let customer = self.store.customer(&key).await?;
        if !service_window_open(customer.as_ref().and_then(|c| c.last_inbound_at), now) {
            return Err(ReplyError::OutsideWindow.into());
        }
        let c = self.conversation(&key).await?;
        let texts = Texts::load(self.store.as_ref(), &self.language())
            .await?
            .for_key(self.store.as_ref(), &key)
            .await?;
        let latest = self
            .store
            .latest_order_for_customer(&key)
            .await?
            .map(|o| o.number);
        let draft = Draft {
            lines: view.lines.clone(),
            ..Draft::default()
        };
        let to = Customer {
            wa_id: c.customer.wa_id.clone(),
            user_id: c.customer.user_id.clone(),
            name: c.customer.name.clone(),
        };
        // Not held across an await: ICU's formatter data is not `Send`.
        let offered = {
            let local = self.settings().local();
            crate::checkout::typed_offer(&local, &texts, &to, &draft, &[], now, latest)
        };
        let (out, mut fresh) = offered.ok_or_else(|| {
            ReplyError::Invalid(
                "the typed_draft text is turned off, or the lines mix currencies".to_owned(),
            )
        })?;
        key.clone_into(&mut fresh.customer_key);
        // Kept before the offer is queued: a tap never comes before its draft.
        self.store.save_typed_draft(&fresh).await?;
        // A staff message: it answers what the customer wrote before it.
        let message = self.store.queue_reply(&out, now).await?;
        let back = ConversationChange {
            handover: Some(false),
            ..ConversationChange::default()
        };
        self.store.update_conversation(&key, &back, now).await?;
        self.bus.poke();
        let view = self.desk_view(key, &fresh, DeskState::Open).await?;
        Ok((view, message))
    }
}
