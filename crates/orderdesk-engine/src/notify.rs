//! Telling a customer about a change to their order, by the one rule for
//! staff-caused updates: free text inside the 24-hour service window;
//! outside it the approved WhatsApp template configured on the text's key
//! (body parameters `{{1}}` the order number, `{{2}}` the detail); with no
//! template, the update is recorded on the timeline as not sent.

use orderdesk_domain::{Actor, Order, TimelineEntry, TimelineKind, Timestamp};
use orderdesk_store::{customer_key_of, OrderUpdate, Store};
use orderdesk_whatsapp::{Content, Template, Text};

use crate::texts::Texts;
use crate::EngineError;

/// Whether the customer wrote within the last 24 hours (free text is
/// allowed only then).
pub(crate) async fn window_open(
    store: &dyn Store,
    order: &Order,
    now: Timestamp,
) -> Result<bool, EngineError> {
    let Some(key) = customer_key_of(&order.customer) else {
        return Ok(false);
    };
    let last_inbound = store.customer(key).await?.and_then(|c| c.last_inbound_at);
    Ok(orderdesk_domain::service_window_open(last_inbound, now))
}

/// One update for the customer.
pub(crate) struct Notice<'a> {
    /// The text's key (`stage.shipped`, `refund_processed`): names the
    /// approved template used outside the window.
    pub key: &'a str,
    /// The business's text for the key, filled.
    pub text: String,
    /// The template's second parameter (tracking, reason, amount).
    pub detail: &'a str,
    /// What to send inside the window when it is richer than `text` (a
    /// summary with a "Pay now" button); `None` sends `text` as it is.
    pub content: Option<Content>,
}

/// Queues `notice` on `update` as the rule above says.
pub(crate) async fn customer_update(
    store: &dyn Store,
    texts: &Texts,
    order: &Order,
    notice: Notice<'_>,
    now: Timestamp,
    update: &mut OrderUpdate,
) -> Result<(), EngineError> {
    let Notice {
        key,
        text,
        detail,
        content: rich,
    } = notice;
    if customer_key_of(&order.customer).is_none() {
        return Ok(());
    }
    let number = order.number.to_string();
    let content: Result<Content, _> = if window_open(store, order, now).await? {
        match rich {
            Some(content) => Ok(content),
            None => Text::new(text.clone()).map(Into::into),
        }
    } else if let Some((name, template_language)) = texts.whatsapp_template(key) {
        Template::new(name, template_language)
            .and_then(|t| {
                t.with_body_text(
                    [number, detail.to_owned()]
                        .into_iter()
                        .filter(|p| !p.is_empty()),
                )
            })
            .map(Into::into)
    } else {
        let mut entry = TimelineEntry::new(now, TimelineKind::Notice, &Actor::System);
        entry.detail = Some(format!(
            "update not sent: the customer last wrote over 24 hours ago and no approved template is configured for {key} ({text})"
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
