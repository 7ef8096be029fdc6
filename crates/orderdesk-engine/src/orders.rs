//! Staff and integrations moving orders through their stages.

use chrono::Utc;
use orderdesk_domain::{
    plan_transition, Actor, Order, OrderNumber, OrderStatus, StatusChange, TimelineEntry,
    TimelineKind, Timestamp, TransitionRequest,
};
use orderdesk_store::{customer_key_of, OrderUpdate};

use crate::texts::Texts;
use tracing::instrument;

use crate::{Engine, EngineError};

/// Longest staff note accepted, in characters.
pub const MAX_NOTE: usize = 4000;

impl Engine {
    /// Moves an order to another stage if the table allows it now.
    ///
    /// `expected_version`, when given, is the version the caller last saw: if
    /// the order moved on since, nothing changes and [`EngineError::Stale`]
    /// says where it is now. Without it, the move is judged against the
    /// current state, and a concurrent writer still cannot interleave: the
    /// store applies the change only at the version it was planned from.
    ///
    /// # Errors
    /// `Transition` for a move the table refuses, `Stale` or `Store(Conflict)`
    /// when someone else changed the order first, `Store(NotFound)`.
    #[instrument(skip_all, fields(order.number = %number, to = %req.to))]
    pub async fn change_status(
        &self,
        number: OrderNumber,
        req: TransitionRequest,
        expected_version: Option<i64>,
    ) -> Result<Order, EngineError> {
        self.change_status_noted(number, req, expected_version, None)
            .await
    }

    /// As [`Engine::change_status`], with an internal staff note recorded
    /// in the same change: the reason goes to the customer, the note
    /// stays with staff.
    ///
    /// # Errors
    /// As `change_status`; `Note` for an over-long note.
    #[instrument(skip_all, fields(order.number = %number, to = %req.to))]
    pub async fn change_status_noted(
        &self,
        number: OrderNumber,
        req: TransitionRequest,
        expected_version: Option<i64>,
        staff_note: Option<&str>,
    ) -> Result<Order, EngineError> {
        let now = Utc::now();
        let note = match staff_note.map(str::trim).filter(|t| !t.is_empty()) {
            Some(text) => Some(staff_note_entry(&req.actor, text, now)?),
            None => None,
        };
        let order = self.order_at(number, expected_version).await?;
        let change = plan_transition(order.status, order.held_from, req)?;
        let mut update = OrderUpdate::default();
        self.followups_on_move(&order, &change, now, &mut update)?;
        update.timeline.extend(note);
        if change.notify_customer {
            self.stage_update(&order, &change, now, &mut update).await?;
        }
        update.status_change = Some(change);
        let config = self.checkout.as_deref();
        if let Some(config) = config.filter(|c| crate::invoices::may_send(c, &order, &update)) {
            let texts =
                Texts::for_customer(self.store.as_ref(), &self.language(), &order.customer).await?;
            crate::invoices::attach(
                self.store.as_ref(),
                config,
                &texts,
                &order,
                &mut update,
                now,
            )
            .await?;
        }
        let updated = self
            .store
            .update_order(number, order.version, &update, now)
            .await?;
        crate::checkout::handover::resume_on_move(self.store.as_ref(), &updated).await;
        self.bus.poke();
        Ok(updated)
    }

    /// What a staff move means after the checkout: approving waits for the
    /// customer's cash-on-delivery confirmation; delivering sets the
    /// feedback timer (`ORDERDESK_FEEDBACK_AFTER`).
    fn followups_on_move(
        &self,
        order: &Order,
        change: &StatusChange,
        now: Timestamp,
        update: &mut OrderUpdate,
    ) -> Result<(), EngineError> {
        use orderdesk_domain::followup::cod::approval_blocked;
        if change.to == OrderStatus::Approved {
            if let Some(why) = approval_blocked(order.cod_confirmation) {
                return Err(EngineError::CodNotConfirmed(why));
            }
        }
        let Some(config) = self.checkout.as_deref() else {
            return Ok(());
        };
        let settings = crate::followup::FollowupSettings::now(&config.live);
        if let (OrderStatus::Delivered, Some(after), None) =
            (change.to, settings.feedback_after, &order.feedback)
        {
            update.timers.push(orderdesk_store::NewTimer {
                kind: orderdesk_store::TimerKind::Feedback,
                order_number: order.number,
                due_at: now + after,
            });
        }
        Ok(())
    }

    /// Adds an internal staff note to the order's timeline. It is never
    /// sent to the customer. Retried a few times when another change lands
    /// first, since a note does not depend on the order's state.
    ///
    /// # Errors
    /// `Checkout` for an empty or over-long note, `Store(NotFound)`, or
    /// `Store(Conflict)` when the order keeps changing under us.
    #[instrument(skip_all, fields(order.number = %number))]
    pub async fn add_staff_note(
        &self,
        number: OrderNumber,
        actor: Actor,
        text: &str,
    ) -> Result<Order, EngineError> {
        let mut attempts = 0;
        loop {
            attempts += 1;
            let order = self.store.order(number).await?;
            let now = Utc::now();
            let entry = staff_note_entry(&actor, text, now)?;
            let update = OrderUpdate {
                timeline: vec![entry],
                ..OrderUpdate::default()
            };
            match self
                .store
                .update_order(number, order.version, &update, now)
                .await
            {
                Ok(updated) => {
                    self.bus.poke();
                    return Ok(updated);
                }
                Err(orderdesk_store::StoreError::Conflict { .. }) if attempts < 5 => continue,
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// The order, refused as [`EngineError::Stale`] when the caller names a
    /// version it has moved on from.
    pub(crate) async fn order_at(
        &self,
        number: OrderNumber,
        expected_version: Option<i64>,
    ) -> Result<Order, EngineError> {
        let order = self.store.order(number).await?;
        if expected_version.is_some_and(|v| v != order.version) {
            return Err(EngineError::Stale {
                status: order.status,
                version: order.version,
            });
        }
        Ok(order)
    }

    /// What the customer would be told if staff moved `order` to `to` now,
    /// for the order window to show under the reason before it is sent:
    /// `None` when the move tells them nothing (or the text is turned off).
    ///
    /// # Errors
    /// A store failure.
    pub async fn stage_update_preview(
        &self,
        order: &Order,
        to: OrderStatus,
        actor: Actor,
    ) -> Result<Option<StagePreview>, EngineError> {
        let planned = plan_transition(
            order.status,
            order.held_from,
            TransitionRequest {
                to,
                actor,
                reason: Some(REASON_MARK.to_owned()),
                tracking: None,
            },
        );
        let Ok(with) = planned else {
            return Ok(None);
        };
        let texts =
            Texts::for_customer(self.store.as_ref(), &self.language(), &order.customer).await?;
        let Some((key, with_reason)) = stage_text(&texts, order, &with) else {
            return Ok(None);
        };
        // Without a reason the body loses its "Reason: …" part, as sent.
        let bare = StatusChange {
            reason: None,
            ..with.clone()
        };
        let without_reason = stage_text(&texts, order, &bare).map_or_else(String::new, |(_, t)| t);
        let delivery = if self.window_open(order, Utc::now()).await? {
            PreviewDelivery::Text
        } else if texts.whatsapp_template(&key).is_some() {
            PreviewDelivery::Template
        } else {
            PreviewDelivery::NotSent
        };
        Ok(Some(StagePreview {
            reason_sent: with_reason.contains(REASON_MARK),
            with_reason,
            without_reason,
            delivery,
        }))
    }

    /// The business's language of customer texts, as in force now.
    pub(crate) fn language(&self) -> String {
        self.checkout
            .as_ref()
            .map_or_else(|| "en".to_owned(), |c| c.language_now())
    }

    /// Whether the customer wrote within the last 24 hours (free text is
    /// allowed only then).
    async fn window_open(&self, order: &Order, now: Timestamp) -> Result<bool, EngineError> {
        crate::notify::window_open(self.store.as_ref(), order, now).await
    }

    /// Tells the customer about a stage move, with the business's text for
    /// that move (or nothing, if turned off): free text inside the 24-hour
    /// window; outside it the approved template configured for the move,
    /// and with none configured the update is recorded on the timeline as
    /// not sent, with the reason.
    async fn stage_update(
        &self,
        order: &Order,
        change: &StatusChange,
        now: Timestamp,
        update: &mut OrderUpdate,
    ) -> Result<(), EngineError> {
        if customer_key_of(&order.customer).is_none() {
            return Ok(());
        }
        let texts =
            Texts::for_customer(self.store.as_ref(), &self.language(), &order.customer).await?;
        let Some((stage_key, text)) = stage_text(&texts, order, change) else {
            return Ok(());
        };
        let detail = change
            .tracking
            .clone()
            .or_else(|| change.reason.clone())
            .unwrap_or_default();
        // Native messages on: the move as an `order_status` message.
        let content = self.checkout.as_deref().and_then(|config| {
            crate::checkout::native::stage_status(config, order, change.to, &text, &detail)
        });
        let notice = crate::notify::Notice {
            key: &stage_key,
            text,
            detail: &detail,
            content,
        };
        crate::notify::customer_update(self.store.as_ref(), &texts, order, notice, now, update)
            .await
    }
}

/// Stands for the reason in a preview, where the order window puts what
/// staff type.
pub const REASON_MARK: &str = "[[reason]]";

/// What the customer would be told for a move (see
/// [`Engine::stage_update_preview`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StagePreview {
    /// The text, with [`REASON_MARK`] where the reason goes.
    pub with_reason: String,
    /// The text when no reason is given.
    pub without_reason: String,
    /// Whether the reason is part of the message (the business's text for
    /// the move may leave it out).
    pub reason_sent: bool,
    pub delivery: PreviewDelivery,
}

/// How a stage update would reach the customer now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PreviewDelivery {
    /// As this text (inside the 24-hour window).
    Text,
    /// As the approved WhatsApp template configured for the move.
    Template,
    /// Not at all: outside the window with no template configured.
    NotSent,
}

/// The key and filled text of the customer update for `change`, or `None`
/// when the move tells the customer nothing or the business turned it off.
fn stage_text(texts: &Texts, order: &Order, change: &StatusChange) -> Option<(String, String)> {
    let key = change.customer_text_key()?;
    let number = order.number.to_string();
    let tracking = change
        .tracking
        .as_deref()
        .map(|t| format!("Tracking: {t}"))
        .unwrap_or_default();
    let reason = change
        .reason
        .as_deref()
        .map(|r| format!("Reason: {r}"))
        .unwrap_or_default();
    let status = change.to.label().to_lowercase();
    let text = texts.text(
        &key,
        &[
            ("number", &number),
            ("tracking", &tracking),
            ("reason", &reason),
            ("status", &status),
        ],
    )?;
    Some((key, text))
}

/// Why a staff note was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NoteError {
    #[error("the note is empty")]
    Empty,
    #[error("a note can be at most {max} characters")]
    TooLong { max: usize },
}

/// A staff note for the timeline, refused when empty or too long.
fn staff_note_entry(
    actor: &Actor,
    text: &str,
    now: Timestamp,
) -> Result<TimelineEntry, EngineError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(NoteError::Empty.into());
    }
    if text.chars().count() > MAX_NOTE {
        return Err(NoteError::TooLong { max: MAX_NOTE }.into());
    }
    let mut entry = TimelineEntry::new(now, TimelineKind::StaffNote, actor);
    entry.detail = Some(text.to_owned());
    Ok(entry)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refusal(text: &str) -> Option<NoteError> {
        match staff_note_entry(&Actor::staff("owner@shop.test"), text, Utc::now()) {
            Err(EngineError::Note(e)) => Some(e),
            Err(other) => panic!("a note refused as {other:?}"),
            Ok(_) => None,
        }
    }

    #[test]
    fn a_staff_note_is_refused_when_blank_or_over_the_limit() {
        assert_eq!(refusal("  \n "), Some(NoteError::Empty));
        let long = "x".repeat(MAX_NOTE + 1);
        assert_eq!(refusal(&long), Some(NoteError::TooLong { max: MAX_NOTE }));
        assert_eq!(refusal(&"x".repeat(MAX_NOTE)), None);
    }
}
