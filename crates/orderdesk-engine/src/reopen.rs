//! Outside the 24-hour window staff cannot write freely (issue #14): they
//! send the `reopen_chat` text as its approved WhatsApp template, asking the
//! customer to write again; once they do, free replies work again. And the
//! language each customer gets their texts in (issue #19), which staff may
//! set by hand over the guess from their first message.

use chrono::Utc;
use orderdesk_domain::{service_window_open, Customer};
use orderdesk_store::{ChatMessage, Conversation, LanguageSource, StoreError};
use orderdesk_whatsapp::Template;
use serde::Serialize;
use tracing::instrument;

use crate::texts::{check_language, Texts};
use crate::{Engine, EngineError, ReplyError};

/// The text asking a customer to write again.
pub const REOPEN_KEY: &str = "reopen_chat";

/// A customer's language as staff see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct CustomerLanguageView {
    /// The customer's key (`user_id` or `wa_id`).
    pub customer: String,
    /// The language their texts are in now.
    pub language: String,
    /// `staff` (set by hand), `detected` (from their first message) or
    /// `business` (none of their own: the business's language).
    pub source: String,
}

fn customer_of(c: &Conversation) -> Customer {
    Customer {
        wa_id: c.customer.wa_id.clone(),
        user_id: c.customer.user_id.clone(),
        name: c.customer.name.clone(),
    }
}

impl Engine {
    /// The language the customer of conversation `key` gets texts in.
    ///
    /// # Errors
    /// `Store(NotFound)` for an unknown conversation.
    pub async fn customer_language(&self, key: &str) -> Result<CustomerLanguageView, EngineError> {
        let c = self.conversation(key).await?;
        let stored = self.store.customer_language(&c.key).await?;
        Ok(match stored {
            Some(l) => CustomerLanguageView {
                customer: c.key,
                language: l.language,
                source: l.source.as_str().to_owned(),
            },
            None => CustomerLanguageView {
                customer: c.key,
                language: self.language(),
                source: "business".to_owned(),
            },
        })
    }

    /// Sets (or with `None` forgets, so the next message is guessed again)
    /// the language of the conversation's customer.
    ///
    /// # Errors
    /// `InvalidLanguage` for a code that is not one (nothing changed),
    /// `Store(NotFound)` for an unknown conversation.
    pub async fn set_customer_language(
        &self,
        key: &str,
        language: Option<&str>,
    ) -> Result<CustomerLanguageView, EngineError> {
        let language = language.map(str::trim).filter(|l| !l.is_empty());
        if let Some(l) = language {
            check_language(l).map_err(|e| EngineError::InvalidLanguage(e.to_string()))?;
        }
        let c = self.conversation(key).await?;
        self.store
            .set_customer_language(&c.key, language, LanguageSource::Staff, Utc::now())
            .await?;
        self.customer_language(&c.key).await
    }

    /// Sends the `reopen_chat` text as its approved template to the
    /// conversation's customer, under their open order if any.
    ///
    /// # Errors
    /// `Reply(WindowOpen)` while the customer may still be written to
    /// freely, `Reply(NoReopenTemplate)` when no approved template is named
    /// on `reopen_chat` (or it is turned off), `Store(NotFound)`.
    #[instrument(skip_all)]
    pub async fn send_reopen_template(&self, key: &str) -> Result<ChatMessage, EngineError> {
        let c = self.conversation(key).await?;
        let customer = customer_of(&c);
        if customer.wa_id.is_none() && customer.user_id.is_none() {
            return Err(ReplyError::NoRecipient.into());
        }
        let now = Utc::now();
        let last_inbound = self
            .store
            .customer(&c.key)
            .await?
            .and_then(|r| r.last_inbound_at);
        if service_window_open(last_inbound, now) {
            return Err(ReplyError::WindowOpen.into());
        }
        let texts = Texts::for_customer(self.store.as_ref(), &self.language(), &customer).await?;
        let (Some(text), Some((name, language))) = (
            texts.text(REOPEN_KEY, &[]),
            texts.whatsapp_template(REOPEN_KEY),
        ) else {
            return Err(ReplyError::NoReopenTemplate.into());
        };
        let content = Template::new(name, language).map(Into::into);
        let queued: Vec<_> =
            crate::checkout::outbound(&customer, c.order_number, content, text, now)
                .into_iter()
                .collect();
        if queued.is_empty() {
            return Err(
                ReplyError::Invalid("the reopen template cannot be sent".to_owned()).into(),
            );
        }
        let sent = self.store.queue_outbound(&queued, now).await?;
        self.bus.poke();
        sent.into_iter().next().ok_or_else(|| {
            StoreError::Other(anyhow::anyhow!("the outbox queued no message")).into()
        })
    }
}
