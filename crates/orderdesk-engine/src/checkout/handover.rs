//! Handover: a customer who asks for a person gets one. Their message is
//! kept, the bot answers once that someone will reply, and from then on
//! stays quiet for them (their messages only join the conversation, which
//! is `handover: true, needs_reply: true` at the top of the inbox) until
//! staff hand them back (`POST /api/v1/conversations/{wa_id}`
//! `{"handover": false}` or the inbox's button). Transactional messages
//! (payment received, stage updates) do not pass through here and still go.
//!
//! Outside the business hours (`ORDERDESK_BUSINESS_HOURS`) the customer is
//! told when someone will answer, in the business's time zone.

use chrono::Utc;
use orderdesk_domain::business_hours::BusinessHours;
use orderdesk_domain::handover::asks_for_person;
use orderdesk_store::{ConversationChange, NewOutbound, Store};
use orderdesk_whatsapp::{ChatIn, OutboundMessage, Recipient};

use crate::texts::Texts;
use crate::EngineError;

/// A customer who just asked for a person; acted on once their message is
/// stored (the conversation exists from then on).
#[derive(Debug, Clone)]
pub(crate) struct Handover {
    key: String,
    wa_id: Option<String>,
    user_id: Option<String>,
}

impl Handover {
    /// The customer's key.
    pub(crate) fn key(&self) -> &str {
        &self.key
    }
}

/// `Some` when `chat` asks for a person (`handover_keywords`, or a tap on
/// the "Talk to a person" button).
pub(crate) fn asked(texts: &Texts, chat: &ChatIn, key: &str) -> Option<Handover> {
    let by_button = chat.reply_id.as_deref() == Some(BUTTON_ID);
    let keywords = texts.text("handover_keywords", &[]).unwrap_or_default();
    let by_words = chat.kind == "text" && asks_for_person(&chat.text, &keywords);
    (by_button || by_words).then(|| Handover {
        key: key.to_owned(),
        wa_id: chat.wa_id.clone(),
        user_id: chat.user_id.clone(),
    })
}

/// The reply-button id of "Talk to a person" (the machine offers it).
pub(crate) const BUTTON_ID: &str = orderdesk_domain::HANDOVER_BUTTON_ID;

/// The business's opening hours setting.
pub const BUSINESS_HOURS: &str = "ORDERDESK_BUSINESS_HOURS";

/// What a customer who asked for a person is told: someone will answer
/// shortly (`handover`), or, outside the business hours when they are set,
/// when (`handover_closed`, "tomorrow at 10:00 IST", in the business's
/// time zone). `None` when the business turned the text off.
pub(crate) fn answer(
    texts: &Texts,
    settings: &crate::settings::Settings,
    now: chrono::DateTime<Utc>,
) -> Option<String> {
    // Checked when stored; a value that no longer reads counts as unset.
    let hours = settings
        .value(BUSINESS_HOURS)
        .and_then(|raw| BusinessHours::parse(&raw).ok());
    let zone = settings
        .value(crate::settings::TIMEZONE)
        .unwrap_or_else(|| "UTC".to_owned());
    match hours.and_then(|h| h.answer_when(&zone, now)) {
        Some(when) => texts
            .text("handover_closed", &[("opens", &when)])
            .or_else(|| texts.text("handover", &[])),
        None => texts.text("handover", &[]),
    }
}

/// Whether the bot is quiet for this customer.
pub(crate) async fn handed_over(store: &dyn Store, key: &str) -> Result<bool, EngineError> {
    Ok(store.conversation(key).await?.is_some_and(|c| c.handover))
}

/// Marks the conversation handed over and tells the customer someone will
/// answer (unless the business turned that text off).
pub(crate) async fn begin(
    store: &dyn Store,
    texts: &Texts,
    settings: &crate::settings::Settings,
    h: &Handover,
) -> Result<(), EngineError> {
    let now = Utc::now();
    let change = ConversationChange {
        handover: Some(true),
        ..ConversationChange::default()
    };
    store.update_conversation(&h.key, &change, now).await?;
    let Some(text) = answer(texts, settings, now) else {
        return Ok(());
    };
    let recipient = Recipient::from_ids(h.wa_id.as_deref(), h.user_id.as_deref())
        .map_err(|e| orderdesk_store::StoreError::Other(anyhow::anyhow!("{e}")))?;
    let message = OutboundMessage::text(recipient, text.clone())
        .map_err(|e| orderdesk_store::StoreError::Other(anyhow::anyhow!("{e}")))?;
    let body =
        serde_json::to_value(&message).map_err(|e| orderdesk_store::StoreError::Other(e.into()))?;
    let number = store
        .latest_order_for_customer(&h.key)
        .await?
        .map(|o| o.number);
    store
        .queue_outbound(
            &[NewOutbound {
                order_number: number,
                customer_key: h.key.clone(),
                to_wa_id: h.wa_id.clone(),
                to_user_id: h.user_id.clone(),
                body,
                preview: text,
                not_before: now,
            }],
            now,
        )
        .await?;
    Ok(())
}

/// The order moved on (staff changed its stage): a customer handed over
/// goes back to the bot. Best effort after the move, which stands either
/// way; a failure is logged and staff can still hand back by hand.
pub(crate) async fn resume_on_move(store: &dyn Store, order: &orderdesk_domain::Order) {
    let Some(key) = orderdesk_store::customer_key_of(&order.customer) else {
        return;
    };
    let resumed = async {
        if handed_over(store, key).await? {
            let change = ConversationChange {
                handover: Some(false),
                ..ConversationChange::default()
            };
            store.update_conversation(key, &change, Utc::now()).await?;
        }
        Ok::<(), EngineError>(())
    };
    if let Err(e) = resumed.await {
        tracing::warn!(error = %e, order = %order.number, "could not hand the customer back to the bot");
    }
}
