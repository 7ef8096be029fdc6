//! Staff and integrations moving orders through their stages.

use chrono::Utc;
use orderdesk_domain::{
    plan_transition, Actor, Order, OrderNumber, OrderStatus, StatusChange, TimelineEntry,
    TimelineKind, Timestamp, TransitionRequest,
};
use orderdesk_store::{customer_key_of, NewOutbound, OrderUpdate};
use orderdesk_whatsapp::{OutboundMessage, Recipient};
use tracing::instrument;

use crate::{Engine, EngineError};

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
        let order = self.store.order(number).await?;
        if expected_version.is_some_and(|v| v != order.version) {
            return Err(EngineError::Stale {
                status: order.status.to_string(),
                version: order.version,
            });
        }
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

    /// Tells the customer about a stage move: free text inside the 24-hour
    /// window; outside it only an approved template may go, and with none
    /// configured yet the update is recorded on the timeline as not sent.
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
        let text = stage_text(order.number, change);
        let window_open = self
            .store
            .customer(key)
            .await?
            .and_then(|c| c.last_inbound_at)
            .is_some_and(|at| now - at < chrono::Duration::hours(24));
        if !window_open {
            let mut entry = TimelineEntry::new(now, TimelineKind::Notice, &Actor::System);
            entry.detail = Some(format!(
                "update not sent: the customer last wrote over 24 hours ago and no approved template is configured ({text})"
            ));
            update.timeline.push(entry);
            return Ok(());
        }
        let built = Recipient::from_ids(
            order.customer.wa_id.as_deref(),
            order.customer.user_id.as_deref(),
        )
        .and_then(|to| OutboundMessage::text(to, text.clone()))
        .map_err(|e| e.to_string())
        .and_then(|m| serde_json::to_value(&m).map_err(|e| e.to_string()));
        match built {
            Ok(body) => update.outbound.push(NewOutbound {
                order_number: Some(order.number),
                customer_key: key.to_owned(),
                to_wa_id: order.customer.wa_id.clone(),
                to_user_id: order.customer.user_id.clone(),
                body,
                preview: text,
                not_before: now,
            }),
            Err(e) => tracing::error!(error = %e, "could not build a stage update"),
        }
        Ok(())
    }
}

/// The customer-facing text of a stage move (English for now; editable
/// per-language templates are still to come).
fn stage_text(number: OrderNumber, change: &StatusChange) -> String {
    let reason = change
        .reason
        .as_deref()
        .map(|r| format!(" Reason: {r}"))
        .unwrap_or_default();
    match change.to {
        OrderStatus::Approved => format!("Good news: your order #{number} is approved."),
        OrderStatus::Processed => format!("Your order #{number} is packed and ready to ship."),
        OrderStatus::Shipped => match &change.tracking {
            Some(t) => format!("Your order #{number} has shipped. Tracking: {t}"),
            None => format!("Your order #{number} has shipped."),
        },
        OrderStatus::Delivered => format!("Your order #{number} has been delivered. Enjoy!"),
        OrderStatus::OnHold => format!("Your order #{number} is on hold.{reason}"),
        OrderStatus::Rejected => format!("Sorry, we cannot fulfil your order #{number}.{reason}"),
        OrderStatus::Cancelled => format!("Your order #{number} is cancelled.{reason}"),
        OrderStatus::Returned => format!("Your order #{number} is marked as returned."),
        other => format!(
            "Your order #{number} is now {}.",
            other.label().to_lowercase()
        ),
    }
}
