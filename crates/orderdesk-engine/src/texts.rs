//! Every customer-facing text the bot sends, as an editable template.
//!
//! Built-in English defaults live here; a business overrides any of them
//! per language through `/api/v1/templates` (stored in the store), or turns
//! one off. Bodies use `{placeholders}`: `{number}`, `{total}`,
//! `{tracking}`, `{reason}`, `{newer}`, `{status}`, `{amount}` (a refund's),
//! `{unread}` and `{choices}` (a typed order's), `{rating}` (1–5). Outside the 24-hour
//! window a stage update goes as the approved WhatsApp template named on
//! its key, with body parameters `{{1}}` = order number and `{{2}}` =
//! tracking or reason.

use std::collections::HashMap;
use std::sync::Arc;

use orderdesk_domain::Customer;
use orderdesk_store::{customer_key_of, MessageTemplate, Store};

use crate::EngineError;

mod edit;
pub use edit::{
    check_body, check_language, known_placeholders, preview, preview_for, samples, save,
    TextChange, TextError, BODY_MAX, LANGUAGE_CODE_MAX,
};

/// (key, default English body).
pub const DEFAULTS: &[(&str, &str)] = &[
    ("order_received", "Thank you for your order #{number} ({total}). Please add your delivery address so we can get it to you."),
    ("ask_address", "Please add your delivery address for order #{number}."),
    ("thank_for_address", "Thank you! We have your delivery address for order #{number}."),
    ("address_updated", "Your delivery address for order #{number} is updated."),
    ("ask_payment", "How would you like to pay for order #{number} ({total})?"),
    ("payment_received", "Payment received for order #{number}. Thank you!"),
    ("payment_failed", "The payment for order #{number} did not go through."),
    ("payment_expired", "The payment link for order #{number} has expired."),
    ("cod_accepted", "Cash on delivery it is for order #{number}."),
    ("cod_unavailable", "Cash on delivery is not available any more."),
    ("ask_note", "Would you like to add a note to order #{number}?"),
    ("ask_note_text", "Please type your note."),
    ("note_saved", "Thanks, your note is saved."),
    ("order_confirmed", "Your order #{number} is confirmed. We will keep you posted."),
    ("already_done", "That is already done."),
    ("order_closed", "Order #{number} is {status}."),
    ("superseded", "We are now looking after your newer order #{newer}."),
    ("reprompt", "Sorry, please use the buttons for this step."),
    ("nudge", "Your order #{number} is waiting for you."),
    (
        "recovery",
        "Still thinking it over? Your order #{number} is saved: {items}. Total {total}. Reply here to pick up where you left off.",
    ),
    ("welcome_back", "Welcome back! Let us finish order #{number}."),
    ("stage.confirmed", "Your order #{number} is confirmed. We will keep you posted."),
    ("stage.released", "Good news: your order #{number} is no longer on hold and is {status} again."),
    ("stage.approved", "Good news: your order #{number} is approved."),
    ("stage.processed", "Your order #{number} is packed and ready to ship."),
    ("stage.shipped", "Your order #{number} has shipped. {tracking}"),
    ("stage.delivered", "Your order #{number} has been delivered. Enjoy!"),
    ("stage.on_hold", "Your order #{number} is on hold. {reason}"),
    ("stage.rejected", "Sorry, we cannot fulfil your order #{number}. {reason}"),
    ("stage.cancelled", "Your order #{number} is cancelled. {reason}"),
    ("stage.returned", "Your order #{number} is marked as returned."),
    ("refund_processed", "We have refunded {amount} for your order #{number}. It can take a few days to reach your account."),
    ("order_updated", "Your order #{number} has been updated: {items}. New total: {total}."),
    // Added to `order_updated` when a paid order's total rose.
    ("pay_difference", "Please pay the difference of {amount}."),
    ("handover_keywords", "agent, human, person, talk to a person, speak to someone, representative, customer care"),
    ("handover", "Thanks! A person from our team will answer you here shortly."),
    // Issue #14: the smarter script and the "Talk to a person" button.
    ("address_kept", "Thanks, we have kept what you typed for our team. To be sure order #{number} reaches you, please add the address in the form:"),
    ("offer_handover", "Sorry, I could not follow that. Use the message above to go on with order #{number}, or talk to a person from our team."),
    ("handover_closed", "Thanks! We are closed now. A person from our team will answer you here {opens}."),
    ("invoice_sent", "Here is invoice {invoice} for your order #{number}."),
    // Issue #19: native WhatsApp messages and products from the chat.
    ("address_invalid", "Some details of the address for order #{number} need a fix: {problems} Please correct them in the form."),
    ("products_header", "Picked for you"),
    ("products", "Tap a product to see it, add what you like to your cart and send the cart to order."),
    // Issue #21: a typed order shown back as a draft, with "Place order" /
    // "Change" buttons, and what a tap under a stale draft is told.
    ("typed_draft", "Here is your order as we read it:\n{items}\nTotal: {total}\nTap Place order to order it, or Change and a person from our team will adjust it."),
    ("typed_unread", "We could not read {unread}; our team will look at it."),
    ("typed_ask", "Which one do you mean? {choices}\nPlease write your order again with the product's full name."),
    ("typed_change", "Sure: a person from our team will look at your order and send it back for you to confirm."),
    ("typed_already_placed", "That order is already placed. We are looking after it."),
    ("typed_replaced", "That is an older draft. Please use the buttons under your latest one."),
    ("typed_expired", "That draft has expired. Please write your order again."),
    ("typed_catalog_changed", "Our prices or products changed since we read your order. Please write it again."),
    // Issue #14: outside the 24-hour window, staff ask the customer to write
    // again with this text, sent as the approved template named on it.
    ("reopen_chat", "Hello! We have a message for you about your order. Please reply here so we can continue the chat."),
    // Issue #19: what customers tap is editable too, within WhatsApp's
    // limits (`orderdesk_domain::label`): 20 characters for a button.
    ("button.add_address", "Add address"),
    ("button.pay_now", "Pay now"),
    ("button.cash_on_delivery", "Cash on delivery"),
    ("button.add_note", "Add a note"),
    ("button.skip_note", "Skip"),
    ("button.talk_to_person", "Talk to a person"),
    // Issue #19: the cash-on-delivery confirmation and the feedback after delivery.
    ("cod_confirm", "Please confirm your cash-on-delivery order #{number} ({total}): {items}. We prepare it once you confirm."),
    ("cod_reminder", "We still need your confirmation for cash-on-delivery order #{number} ({total}). Please tap Confirm or Cancel."),
    ("cod_confirmed", "Thank you! Order #{number} is confirmed and we are preparing it."),
    ("cod_declined", "Order #{number} is cancelled, as you asked."),
    ("cod_not_confirmed", "We cancelled order #{number} because it was not confirmed. Write to us if you still want it."),
    ("cod_already", "Order #{number} is already {status}, so nothing was changed."),
    ("feedback_ask", "How was your order #{number}? Please rate it from 1 (poor) to 5 (excellent)."),
    ("feedback_reask", "Please pick a rating from 1 to 5 for order #{number}."),
    ("feedback_comment", "Thank you for rating order #{number} {rating}/5! Anything you would like to tell us? Just reply here (optional)."),
    ("feedback_thanks", "Thank you for your feedback on order #{number}!"),
    // Issue #19: the rating list's button and rows, labels like the buttons
    // (`orderdesk_domain::label`: 20, 24 and 72 characters).
    ("list.button.rating", "Rate"),
    ("list.row.rating_5", "5 – Excellent"),
    ("list.row.rating_4", "4 – Good"),
    ("list.row.rating_3", "3 – OK"),
    ("list.row.rating_2", "2 – Poor"),
    ("list.row.rating_1", "1 – Very poor"),
    ("list.description.rating_5", "Everything was just right"),
    ("list.description.rating_4", "Happy, with a small thing to improve"),
    ("list.description.rating_3", "It was all right"),
    ("list.description.rating_2", "Not what we hoped for"),
    ("list.description.rating_1", "Something went wrong"),
];

/// The placeholders a body may use.
pub const PLACEHOLDERS: &[&str] = &[
    "number", "total", "tracking", "reason", "newer", "status", "amount", "items", "opens",
    "invoice", "problems", "unread", "choices", "rating",
];

/// The texts in force for one customer, loaded once per use: in the
/// customer's language when they have one (issue #19), else the business's,
/// else English, each as the business wrote it or else built in.
#[derive(Clone)]
pub struct Texts {
    /// Tried in order; the last is the business's language.
    languages: Vec<String>,
    overrides: Arc<HashMap<(String, String), MessageTemplate>>,
}

impl Texts {
    /// Loads the business's overrides.
    ///
    /// # Errors
    /// A store failure.
    pub async fn load(store: &dyn Store, language: &str) -> Result<Self, EngineError> {
        let overrides = store
            .message_templates()
            .await?
            .into_iter()
            .map(|t| ((t.key.clone(), t.language.clone()), t))
            .collect();
        Ok(Self {
            languages: vec![language.to_owned()],
            overrides: Arc::new(overrides),
        })
    }

    /// The texts for `customer`: in their language when one is stored
    /// (guessed from their first message or set by staff), else in
    /// `business_language`.
    ///
    /// # Errors
    /// A store failure.
    pub async fn for_customer(
        store: &dyn Store,
        business_language: &str,
        customer: &Customer,
    ) -> Result<Self, EngineError> {
        let texts = Self::load(store, business_language).await?;
        match customer_key_of(customer) {
            Some(key) => texts.for_key(store, key).await,
            None => Ok(texts),
        }
    }

    /// These texts for the customer keyed `key` (see [`Texts::for_customer`]).
    ///
    /// # Errors
    /// A store failure.
    pub async fn for_key(&self, store: &dyn Store, key: &str) -> Result<Self, EngineError> {
        let language = store.customer_language(key).await?.map(|l| l.language);
        Ok(self.in_language(language.as_deref()))
    }

    /// These texts in `language` first, the business's after it.
    pub fn in_language(&self, language: Option<&str>) -> Self {
        let business = self
            .languages
            .last()
            .cloned()
            .unwrap_or_else(|| "en".to_owned());
        let mut languages = Vec::with_capacity(2);
        if let Some(language) = language.filter(|l| *l != business) {
            languages.push(language.to_owned());
        }
        languages.push(business);
        Self {
            languages,
            overrides: self.overrides.clone(),
        }
    }

    /// The language these texts are for first (the customer's or the
    /// business's).
    pub fn language(&self) -> &str {
        self.languages.first().map_or("en", String::as_str)
    }

    /// Built-in texts only (no store), e.g. for tests of rendering.
    pub fn defaults(language: &str) -> Self {
        Self {
            languages: vec![language.to_owned()],
            overrides: Arc::new(HashMap::new()),
        }
    }

    fn stored(&self, key: &str) -> Option<&MessageTemplate> {
        self.languages
            .iter()
            .map(String::as_str)
            .chain(["en"])
            .find_map(|language| self.overrides.get(&(key.to_owned(), language.to_owned())))
    }

    /// A button or list label: as the business wrote it in the customer's
    /// language, else built in. A label cannot be turned off (the message
    /// needs it), so `enabled` does not apply.
    pub fn label(&self, key: &str) -> String {
        self.stored(key)
            .and_then(|t| t.body.clone())
            .or_else(|| default_body(key).map(str::to_owned))
            .unwrap_or_else(|| key.to_owned())
    }

    /// The text for `key` with its placeholders filled, or `None` when the
    /// business turned it off.
    pub fn text(&self, key: &str, vars: &[(&str, &str)]) -> Option<String> {
        let stored = self.stored(key);
        if stored.is_some_and(|t| !t.enabled) {
            return None;
        }
        let body = stored
            .and_then(|t| t.body.clone())
            .or_else(|| default_body(key).map(str::to_owned))?;
        Some(fill(&body, vars))
    }

    /// The approved template (name, language) to use for `key` outside the
    /// 24-hour window, if the business configured one.
    pub fn whatsapp_template(&self, key: &str) -> Option<(String, String)> {
        let t = self.stored(key).filter(|t| t.enabled)?;
        let name = t.whatsapp_template.clone()?;
        let language = t
            .whatsapp_language
            .clone()
            .unwrap_or_else(|| t.language.clone());
        Some((name, language))
    }
}

/// The built-in body of `key`.
pub fn default_body(key: &str) -> Option<&'static str> {
    DEFAULTS.iter().find(|(k, _)| *k == key).map(|(_, b)| *b)
}

/// Fills `{name}` placeholders; unknown ones stay as written. Whitespace left
/// by an empty value at the end is trimmed.
pub fn fill(body: &str, vars: &[(&str, &str)]) -> String {
    let mut out = body.to_owned();
    for (name, value) in vars {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    for name in PLACEHOLDERS {
        out = out.replace(&format!("{{{name}}}"), "");
    }
    out.trim().to_owned()
}

/// Placeholders in `body` that are not ones we fill.
pub fn unknown_placeholders(body: &str) -> Vec<String> {
    let mut unknown = Vec::new();
    let mut rest = body;
    while let Some(start) = rest.find('{') {
        let after = &rest[start + 1..];
        match after.find('}') {
            Some(end) => {
                let name = &after[..end];
                if !PLACEHOLDERS.contains(&name) {
                    unknown.push(name.to_owned());
                }
                rest = &after[end + 1..];
            }
            None => break,
        }
    }
    unknown
}

#[cfg(test)]
mod tests {
    use super::*;

    fn template(key: &str, language: &str, body: Option<&str>, enabled: bool) -> MessageTemplate {
        MessageTemplate {
            key: key.into(),
            language: language.into(),
            body: body.map(str::to_owned),
            enabled,
            whatsapp_template: None,
            whatsapp_language: None,
            updated_at: chrono::Utc::now(),
        }
    }

    fn texts(language: &str, stored: Vec<MessageTemplate>) -> Texts {
        Texts {
            languages: vec![language.into()],
            overrides: Arc::new(
                stored
                    .into_iter()
                    .map(|t| ((t.key.clone(), t.language.clone()), t))
                    .collect(),
            ),
        }
    }

    #[test]
    fn defaults_fill_placeholders_and_drop_empty_ones() {
        let t = Texts::defaults("en");
        assert_eq!(
            t.text(
                "stage.shipped",
                &[("number", "1001"), ("tracking", "Tracking: AB1")]
            )
            .as_deref(),
            Some("Your order #1001 has shipped. Tracking: AB1")
        );
        assert_eq!(
            t.text("stage.shipped", &[("number", "1001")]).as_deref(),
            Some("Your order #1001 has shipped.")
        );
        assert_eq!(t.text("no.such.key", &[]), None);
    }

    #[test]
    fn the_business_language_wins_then_english_overrides_then_defaults() {
        let t = texts(
            "hi",
            vec![
                template("stage.approved", "hi", Some("ऑर्डर #{number} स्वीकृत"), true),
                template("stage.processed", "en", Some("Packed: #{number}"), true),
            ],
        );
        assert_eq!(
            t.text("stage.approved", &[("number", "7")]).as_deref(),
            Some("ऑर्डर #7 स्वीकृत")
        );
        assert_eq!(
            t.text("stage.processed", &[("number", "7")]).as_deref(),
            Some("Packed: #7")
        );
        assert_eq!(
            t.text("stage.delivered", &[("number", "7")]).as_deref(),
            Some("Your order #7 has been delivered. Enjoy!")
        );
    }

    #[test]
    fn a_text_turned_off_is_not_sent() {
        let t = texts("en", vec![template("stage.approved", "en", None, false)]);
        assert_eq!(t.text("stage.approved", &[("number", "1")]), None);
        assert!(t.text("stage.processed", &[("number", "1")]).is_some());
    }

    #[test]
    fn every_built_in_label_is_within_whatsapps_limit() {
        for (key, body) in DEFAULTS {
            assert_eq!(orderdesk_domain::check_label(key, body), Ok(()), "{key}");
        }
    }

    #[test]
    fn every_default_uses_only_known_placeholders() {
        for (key, body) in DEFAULTS {
            assert!(unknown_placeholders(body).is_empty(), "{key}");
        }
        assert_eq!(unknown_placeholders("Hi {name}, #{number}"), ["name"]);
    }
}
