//! Staff replies into an order's WhatsApp chat, from the API and the order
//! window alike: checked against the customer-service window, then queued in
//! the durable outbox (the dispatcher sends it; ticks arrive as
//! `message.status` events).

use chrono::Utc;
use orderdesk_domain::{service_window_open, OrderNumber};
use orderdesk_store::{customer_key_of, ChatMessage, NewOutbound};
use orderdesk_whatsapp::{OutboundMessage, Recipient};
use tracing::instrument;

use crate::{Engine, EngineError};

/// Why a staff reply was not queued. Nothing was changed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReplyError {
    /// The customer last wrote 24 hours ago or more (or never): WhatsApp
    /// accepts only approved templates now.
    #[error("the customer last wrote more than 24 hours ago; WhatsApp only allows an approved template now: send the reopen template to ask them to write")]
    OutsideWindow,
    /// The reopen template was asked for while free text may still be sent.
    #[error("the customer wrote within the last 24 hours: reply with text")]
    WindowOpen,
    /// No approved template is named on `reopen_chat`, or it is turned off.
    #[error("no approved WhatsApp template is set on the reopen_chat text: name one in the customer texts")]
    NoReopenTemplate,
    /// The order's customer has neither a phone number nor a user id.
    #[error("this order's customer has no WhatsApp id")]
    NoRecipient,
    /// Empty or over-long text, or an id WhatsApp would refuse.
    #[error("{0}")]
    Invalid(String),
    /// Products picked that the catalog does not have, by retailer id.
    #[error("not in the catalog: {}", .0.join(", "))]
    UnknownProducts(Vec<String>),
    /// No catalog to show products from (`WHATSAPP_CATALOG_ID`).
    #[error("no catalog is set up: set WHATSAPP_CATALOG_ID to the Meta catalog's id")]
    NoCatalog,
}

impl Engine {
    /// Queues `text` to the customer of order `number`.
    ///
    /// # Errors
    /// [`EngineError::Reply`] outside the service window or for text
    /// WhatsApp would refuse; `Store(NotFound)` for an unknown order.
    #[instrument(skip_all, fields(order.number = %number))]
    pub async fn send_staff_reply(
        &self,
        number: OrderNumber,
        text: String,
    ) -> Result<ChatMessage, EngineError> {
        let order = self.store.order(number).await?;
        let customer = &order.customer;
        let key = customer_key_of(customer).ok_or(ReplyError::NoRecipient)?;
        let queued = self
            .queue_staff_text(
                key,
                customer.wa_id.as_deref(),
                customer.user_id.as_deref(),
                Some(number),
                text,
            )
            .await?;
        self.bus.poke();
        Ok(queued)
    }

    /// Queues `text` to the customer keyed `key` (under order `number`, if
    /// any), within the 24-hour customer-service window: the one rule for
    /// replies from the order window and from the inbox. What the customer
    /// wrote before it counts as answered, in the same transaction.
    ///
    /// # Errors
    /// [`EngineError::Reply`] outside the window or for text WhatsApp would
    /// refuse.
    pub(crate) async fn queue_staff_text(
        &self,
        key: &str,
        wa_id: Option<&str>,
        user_id: Option<&str>,
        number: Option<OrderNumber>,
        text: String,
    ) -> Result<ChatMessage, EngineError> {
        let now = Utc::now();
        let last_inbound = self
            .store
            .customer(key)
            .await?
            .and_then(|c| c.last_inbound_at);
        if !service_window_open(last_inbound, now) {
            return Err(ReplyError::OutsideWindow.into());
        }
        let recipient =
            Recipient::from_ids(wa_id, user_id).map_err(|e| ReplyError::Invalid(e.to_string()))?;
        let message = OutboundMessage::text(recipient, text.clone())
            .map_err(|e| ReplyError::Invalid(e.to_string()))?;
        let body = serde_json::to_value(&message)
            .map_err(|e| orderdesk_store::StoreError::Other(e.into()))?;
        Ok(self
            .store
            .queue_reply(
                &NewOutbound {
                    order_number: number,
                    customer_key: key.to_owned(),
                    to_wa_id: wa_id.map(str::to_owned),
                    to_user_id: user_id.map(str::to_owned),
                    body,
                    preview: text,
                    not_before: now,
                },
                now,
            )
            .await?)
    }
}
