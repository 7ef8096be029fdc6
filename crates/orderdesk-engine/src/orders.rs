//! Staff and integrations moving orders through their stages.

use chrono::Utc;
use orderdesk_domain::{
    plan_transition, Actor, Order, OrderNumber, StatusChange, TimelineEntry, TimelineKind,
    Timestamp, TransitionRequest,
};
use orderdesk_store::{customer_key_of, OrderUpdate};
use orderdesk_whatsapp::{Content, Template, Text};

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
        let order = self.order_at(number, expected_version).await?;
        let change = plan_transition(order.status, order.held_from, req)?;
        let now = Utc::now();
        let mut update = OrderUpdate::default();
        if change.notify_customer {
            self.stage_update(&order, &change, now, &mut update).await?;
        }
        update.status_change = Some(change);
        let updated = self
            .store
            .update_order(number, order.version, &update, now)
            .await?;
        self.bus.poke();
        Ok(updated)
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
        let text = text.trim();
        if text.is_empty() {
            return Err(EngineError::Checkout("the note is empty".to_owned()));
        }
        if text.chars().count() > MAX_NOTE {
            return Err(EngineError::Checkout(format!(
                "a note can be at most {MAX_NOTE} characters"
            )));
        }
        let mut attempts = 0;
        loop {
            attempts += 1;
            let order = self.store.order(number).await?;
            let now = Utc::now();
            let mut entry = TimelineEntry::new(now, TimelineKind::StaffNote, &actor);
            entry.detail = Some(text.to_owned());
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
                status: order.status.to_string(),
                version: order.version,
            });
        }
        Ok(order)
    }

    /// Tells the customer about a stage move, with the business's text for
    /// that stage (or nothing, if turned off): free text inside the 24-hour
    /// window; outside it the approved template configured for the stage,
    /// and with none configured the update is recorded on the timeline as
    /// not sent, with the reason.
    async fn stage_update(
        &self,
        order: &Order,
        change: &StatusChange,
        now: Timestamp,
        update: &mut OrderUpdate,
    ) -> Result<(), EngineError> {
        let Some(key) = customer_key_of(&order.customer) else {
            return Ok(());
        };
        let language = self.checkout.as_ref().map_or("en", |c| c.language.as_str());
        let texts = Texts::load(self.store.as_ref(), language).await?;
        let stage_key = format!("stage.{}", change.to.as_str());
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
        let Some(text) = texts.text(
            &stage_key,
            &[
                ("number", &number),
                ("tracking", &tracking),
                ("reason", &reason),
            ],
        ) else {
            return Ok(());
        };
        let last_inbound = self
            .store
            .customer(key)
            .await?
            .and_then(|c| c.last_inbound_at);
        let window_open = orderdesk_domain::service_window_open(last_inbound, now);
        let content: Result<Content, _> = if window_open {
            Text::new(text.clone()).map(Into::into)
        } else if let Some((name, template_language)) = texts.whatsapp_template(&stage_key) {
            let second = change
                .tracking
                .clone()
                .or_else(|| change.reason.clone())
                .unwrap_or_default();
            Template::new(name, template_language)
                .and_then(|t| {
                    t.with_body_text(
                        [number.clone(), second]
                            .into_iter()
                            .filter(|p| !p.is_empty()),
                    )
                })
                .map(Into::into)
        } else {
            let mut entry = TimelineEntry::new(now, TimelineKind::Notice, &Actor::System);
            entry.detail = Some(format!(
                "update not sent: the customer last wrote over 24 hours ago and no approved template is configured for {stage_key} ({text})"
            ));
            update.timeline.push(entry);
            return Ok(());
        };
        update.outbound.extend(crate::checkout::outbound(
            &order.customer,
            Some(order.number),
            content,
            text,
            now,
        ));
        Ok(())
    }
}
