//! Rendering the machine's reply intents into Cloud API messages, and
//! filling a queued body's placeholders when it is sent.

use orderdesk_domain::{
    ButtonAction, ButtonId, Customer, Money, NewOrder, Order, OrderNumber, Reply, Timestamp,
    HANDOVER_BUTTON_ID,
};
use orderdesk_payments::PaymentLink;
use orderdesk_store::{customer_key_of, NewOutbound};
use orderdesk_whatsapp::{
    Content, Interactive, OutboundError, OutboundMessage, Recipient, ReplyButton, Text,
};
use serde_json::Value;

use crate::invoices::INVOICE_TOKEN_PLACEHOLDER;
use crate::texts::Texts;

use super::{CheckoutConfig, ORDER_PLACEHOLDER, TOKEN_PLACEHOLDER};

/// Replaces the placeholders in every string of a queued body: the order
/// number, a freshly minted address-form link, a fresh invoice link.
pub fn fill_placeholders(
    body: &mut Value,
    number: OrderNumber,
    config: &CheckoutConfig,
    now: Timestamp,
) {
    match body {
        Value::String(s)
            if s.contains(ORDER_PLACEHOLDER)
                || s.contains(TOKEN_PLACEHOLDER)
                || s.contains(INVOICE_TOKEN_PLACEHOLDER) =>
        {
            if s.contains(INVOICE_TOKEN_PLACEHOLDER) {
                let token = config.invoice_tokens().issue(number, now);
                *s = s.replace(INVOICE_TOKEN_PLACEHOLDER, &token);
            }
            if s.contains(TOKEN_PLACEHOLDER) {
                let token = config.tokens.issue(number, now);
                *s = s.replace(TOKEN_PLACEHOLDER, &token);
            }
            *s = s.replace(ORDER_PLACEHOLDER, &number.to_string());
        }
        Value::Array(items) => items
            .iter_mut()
            .for_each(|v| fill_placeholders(v, number, config, now)),
        Value::Object(map) => map
            .values_mut()
            .for_each(|v| fill_placeholders(v, number, config, now)),
        _ => {}
    }
}

/// The text a customer reads in a Cloud API message body (a text message's
/// body, an interactive message's body text, a document's caption), if it
/// has one.
pub fn body_text(body: &Value) -> Option<String> {
    body.pointer("/text/body")
        .or_else(|| body.pointer("/interactive/body/text"))
        .or_else(|| body.pointer("/document/caption"))
        .and_then(Value::as_str)
        .map(str::to_owned)
}

/// The first messages of a new order's checkout (its number still unknown).
pub(crate) fn first_messages(
    config: &CheckoutConfig,
    texts: &Texts,
    order: &NewOrder,
) -> Vec<NewOutbound> {
    let total = config
        .local()
        .money(Money::from_minor(order.total_minor, order.currency));
    let Some(body) = texts.text(
        "order_received",
        &[("number", ORDER_PLACEHOLDER), ("total", &total)],
    ) else {
        return Vec::new();
    };
    let message = if config.live.native_messages() {
        let prefill = super::native::prefill(None, &order.customer);
        super::native::ask_address(body.clone(), &prefill, &[])
    } else {
        let url = config.address_url(TOKEN_PLACEHOLDER);
        Interactive::cta_url(body.clone(), texts.label("button.add_address"), url).map(Into::into)
    };
    // Until it is sent (and the dispatcher records the text as it went
    // out), the chat panel shows it without the number it does not know.
    let preview = body
        .replace(&format!(" #{ORDER_PLACEHOLDER}"), "")
        .replace(ORDER_PLACEHOLDER, "");
    outbound(&order.customer, None, message, preview, order.created_at)
        .into_iter()
        .collect()
}

/// Builds one queued message, or logs why it cannot be (an invalid message
/// is a bug in our texts, not a reason to lose the order change).
pub(crate) fn outbound(
    customer: &Customer,
    number: Option<OrderNumber>,
    content: Result<Content, OutboundError>,
    preview: String,
    at: Timestamp,
) -> Option<NewOutbound> {
    let key = customer_key_of(customer)?.to_owned();
    let built = Recipient::from_ids(customer.wa_id.as_deref(), customer.user_id.as_deref())
        .and_then(|to| content.map(|c| OutboundMessage::new(to, c)))
        .map_err(|e| e.to_string())
        .and_then(|m| serde_json::to_value(&m).map_err(|e| e.to_string()));
    match built {
        Ok(body) => Some(NewOutbound {
            order_number: number,
            customer_key: key,
            to_wa_id: customer.wa_id.clone(),
            to_user_id: customer.user_id.clone(),
            body,
            preview,
            not_before: at,
        }),
        Err(e) => {
            tracing::error!(error = %e, "could not build a checkout message");
            None
        }
    }
}

/// Renders one reply intent for `order` with the business's texts; `None`
/// when that text is turned off or cannot be sent yet.
pub(crate) fn render(
    config: &CheckoutConfig,
    texts: &Texts,
    link: Option<&PaymentLink>,
    order: &Order,
    reply: &Reply,
    at: Timestamp,
) -> Option<NewOutbound> {
    let n = order.number;
    let number = n.to_string();
    // Amounts as the customer reads them (`₹3,097.00`), in the locale in
    // force now.
    let total = config
        .local()
        .money(Money::from_minor(order.total_minor, order.currency));
    let say = |key: &str| texts.text(key, &[("number", &number), ("total", &total)]);
    let plain = |key: &str| -> Option<(Result<Content, OutboundError>, String)> {
        let t = say(key)?;
        Some((Text::new(t.clone()).map(Into::into), t))
    };
    let buttons = |key: &str, choices: [(ButtonAction, &str); 2]| {
        let body = say(key)?;
        let built = choices
            .iter()
            .map(|(action, label)| {
                ReplyButton::new(ButtonId::new(*action, n).encode(), texts.label(label))
            })
            .collect::<Result<Vec<_>, _>>()
            .and_then(|b| Interactive::reply_buttons(body.clone(), b))
            .map(Into::into);
        Some((built, body))
    };
    let native_payment = match reply {
        Reply::AskPayment { cod_offered: false } => super::native::native_payment(config, link),
        _ => None,
    };
    let (content, preview) = match reply {
        Reply::AskAddress if config.live.native_messages() => {
            let body = say("ask_address")?;
            let prefill = super::native::prefill(order.address.as_ref(), &order.customer);
            (
                super::native::ask_address(body.clone(), &prefill, &[]),
                body,
            )
        }
        Reply::AskAddress => {
            let body = say("ask_address")?;
            let url = config.address_url(&config.tokens.issue(n, at));
            (
                Interactive::cta_url(body.clone(), texts.label("button.add_address"), url)
                    .map(Into::into),
                body,
            )
        }
        Reply::ThankForAddress => plain("thank_for_address")?,
        Reply::AddressUpdated => plain("address_updated")?,
        Reply::AskPayment { cod_offered: true } => buttons(
            "ask_payment",
            [
                (ButtonAction::PayOnline, "button.pay_now"),
                (ButtonAction::PayCod, "button.cash_on_delivery"),
            ],
        )?,
        Reply::AskPayment { cod_offered: false } if native_payment.is_some() => {
            let body = say("ask_payment")?;
            let payment = native_payment?;
            (
                super::native::payment_request(order, body.clone(), payment),
                body,
            )
        }
        Reply::AskPayment { cod_offered: false } => {
            let Some(link) = link else {
                // No provider, or it failed: the order waits for staff, and
                // the timeline says why (see `issue_link`).
                tracing::info!(order = %n, "no payment link to send; the order waits for payment");
                return None;
            };
            let body = say("ask_payment")?;
            // WhatsApp only opens web links, so a `upi://` link goes through
            // our own page (`/pay/upi/{token}`), which offers it to the phone.
            let url = if link.url.starts_with("https://") || link.url.starts_with("http://") {
                link.url.clone()
            } else {
                format!("{}/pay/upi/{TOKEN_PLACEHOLDER}", config.public_url)
            };
            (
                Interactive::cta_url(body.clone(), texts.label("button.pay_now"), url)
                    .map(Into::into),
                body,
            )
        }
        Reply::PaymentReceived => plain("payment_received")?,
        Reply::PaymentFailed => plain("payment_failed")?,
        Reply::PaymentExpired => plain("payment_expired")?,
        Reply::CodAccepted => plain("cod_accepted")?,
        Reply::CodUnavailable => plain("cod_unavailable")?,
        Reply::AskNote => buttons(
            "ask_note",
            [
                (ButtonAction::AddNote, "button.add_note"),
                (ButtonAction::SkipNote, "button.skip_note"),
            ],
        )?,
        Reply::AskNoteText => plain("ask_note_text")?,
        Reply::NoteSaved => plain("note_saved")?,
        Reply::OrderConfirmed => plain("order_confirmed")?,
        Reply::AlreadyDone => plain("already_done")?,
        Reply::OrderClosed { status } => {
            let status = status.label().to_lowercase();
            let t = texts.text("order_closed", &[("number", &number), ("status", &status)])?;
            (Text::new(t.clone()).map(Into::into), t)
        }
        Reply::Superseded { newer } => {
            let newer = newer.to_string();
            let t = texts.text("superseded", &[("number", &number), ("newer", &newer)])?;
            (Text::new(t.clone()).map(Into::into), t)
        }
        Reply::Reprompt { .. } => plain("reprompt")?,
        Reply::Nudge => plain("nudge")?,
        Reply::WelcomeBack => plain("welcome_back")?,
        Reply::AddressKept => plain("address_kept")?,
        Reply::OfferHandover { .. } => {
            let body = say("offer_handover")?;
            let button = ReplyButton::new(HANDOVER_BUTTON_ID, texts.label("button.talk_to_person"));
            let built = button
                .and_then(|b| Interactive::reply_buttons(body.clone(), vec![b]))
                .map(Into::into);
            (built, body)
        }
    };
    outbound(&order.customer, Some(n), content, preview, at)
}

#[cfg(test)]
mod tests;
