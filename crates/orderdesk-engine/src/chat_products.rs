//! Catalog products sent from the chat: staff pick products and the
//! customer gets a `product` message (one) or a `product_list` (several,
//! in sections); the cart they send from it is an `order` webhook like any
//! other, so it becomes an order as usual.

use chrono::Utc;
use orderdesk_domain::service_window_open;
use orderdesk_store::{ChatMessage, NewOutbound, StoreError};
use orderdesk_whatsapp::{Interactive, OutboundMessage, ProductSection, Recipient};
use tracing::instrument;

use crate::replies::ReplyError;
use crate::settings::CATALOG_ID;
use crate::texts::Texts;
use crate::{Engine, EngineError};

/// What staff picked: sections of retailer ids (a section without a title
/// takes the header's), and an optional body in place of the `products` text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProductPick {
    pub sections: Vec<(Option<String>, Vec<String>)>,
    pub body: Option<String>,
}

impl ProductPick {
    fn ids(&self) -> Vec<String> {
        self.sections
            .iter()
            .flat_map(|(_, ids)| ids.iter().cloned())
            .collect()
    }
}

impl Engine {
    /// Sends the conversation's customer the picked catalog products.
    ///
    /// # Errors
    /// `Reply(UnknownProducts)` naming ids not in the catalog,
    /// `Reply(NoCatalog)` without `WHATSAPP_CATALOG_ID`,
    /// `Reply(OutsideWindow)`, `Reply(Invalid)` for no products or too
    /// many, `Store(NotFound)` for an unknown conversation. Nothing is
    /// queued on any of them.
    #[instrument(skip_all)]
    pub async fn send_products(
        &self,
        key: &str,
        pick: ProductPick,
    ) -> Result<ChatMessage, EngineError> {
        let ids = pick.ids();
        if ids.is_empty() {
            return Err(ReplyError::Invalid("pick at least one product".to_owned()).into());
        }
        let c = self.conversation(key).await?;
        let known = self.store.products_by_ids(&ids).await?;
        let unknown: Vec<String> = ids
            .iter()
            .filter(|id| !known.iter().any(|p| &p.retailer_id == *id))
            .cloned()
            .collect();
        if !unknown.is_empty() {
            return Err(ReplyError::UnknownProducts(unknown).into());
        }
        let catalog = self
            .settings()
            .value(CATALOG_ID)
            .filter(|c| !c.trim().is_empty())
            .ok_or(ReplyError::NoCatalog)?;
        let now = Utc::now();
        let last_inbound = self
            .store
            .customer(&c.key)
            .await?
            .and_then(|c| c.last_inbound_at);
        if !service_window_open(last_inbound, now) {
            return Err(ReplyError::OutsideWindow.into());
        }
        // In the customer's language, as the bot's texts are.
        let texts = Texts::load(self.store.as_ref(), &self.language())
            .await?
            .for_key(self.store.as_ref(), &c.key)
            .await?;
        let body = pick
            .body
            .clone()
            .filter(|b| !b.trim().is_empty())
            .or_else(|| texts.text("products", &[]))
            .unwrap_or_default();
        let header = texts
            .text("products_header", &[])
            .unwrap_or_else(|| "Products".to_owned());
        let invalid = |e: orderdesk_whatsapp::OutboundError| ReplyError::Invalid(e.to_string());
        let content = if ids.len() == 1 && pick.sections.len() == 1 {
            let body = (!body.trim().is_empty()).then_some(body);
            Interactive::product(&catalog, &ids[0], body).map_err(invalid)?
        } else {
            let sections = pick
                .sections
                .iter()
                .map(|(title, ids)| {
                    let title = title
                        .clone()
                        .filter(|t| !t.trim().is_empty())
                        .unwrap_or_else(|| header.chars().take(24).collect());
                    ProductSection::new(title, ids.clone())
                })
                .collect::<Result<Vec<_>, _>>()
                .map_err(invalid)?;
            Interactive::product_list(header, body, &catalog, &sections).map_err(invalid)?
        };
        let recipient =
            Recipient::from_ids(c.customer.wa_id.as_deref(), c.customer.user_id.as_deref())
                .map_err(|_| ReplyError::NoRecipient)?;
        let message = OutboundMessage::new(recipient, content);
        let body = serde_json::to_value(&message).map_err(|e| StoreError::Other(e.into()))?;
        // The thread shows what was sent by name, as the customer sees it.
        let titles: Vec<&str> = ids
            .iter()
            .filter_map(|id| known.iter().find(|p| &p.retailer_id == id))
            .map(|p| p.title.as_str())
            .collect();
        let queued = self
            .store
            .queue_reply(
                &NewOutbound {
                    order_number: c.order_number,
                    customer_key: c.key.clone(),
                    to_wa_id: c.customer.wa_id.clone(),
                    to_user_id: c.customer.user_id.clone(),
                    body,
                    preview: format!("[products] {}", titles.join(", ")),
                    not_before: now,
                },
                now,
            )
            .await?;
        self.bus.poke();
        Ok(queued)
    }
}
