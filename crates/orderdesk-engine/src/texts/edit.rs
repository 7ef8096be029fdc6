//! Changing a customer text, and previewing one with sample values: the
//! checks `PUT /api/v1/templates/{key}/{language}` and the settings page
//! share, so the 422 a business gets is the same wherever it edits.

use orderdesk_domain::{Currency, Local, Money, Timestamp};
use orderdesk_store::{MessageTemplate, Store, StoreError};
use orderdesk_whatsapp::TEMPLATE_NAME_MAX;

use super::{default_body, fill, unknown_placeholders, PLACEHOLDERS};

/// The longest body a business may write.
pub const BODY_MAX: usize = 1024;
/// Meta's template language codes are short (`en`, `pt_BR`, `zh_HK`).
pub const LANGUAGE_CODE_MAX: usize = 15;

/// Why a text change or preview was refused; nothing is stored then.
#[derive(Debug, thiserror::Error)]
pub enum TextError {
    #[error("no customer text is called {0:?}")]
    UnknownKey(String),
    #[error("{0:?} is not a language code like en or pt_BR")]
    Language(String),
    #[error("body must be 1 to {BODY_MAX} characters")]
    Length,
    /// Names the unknown ones and lists every known one.
    #[error("unknown placeholder(s) {unknown:?}; use {}", known_placeholders())]
    Placeholders { unknown: Vec<String> },
    /// A button or list label over WhatsApp's limit, naming it.
    #[error(transparent)]
    Label(#[from] orderdesk_domain::LabelError),
    #[error("whatsapp_template must be at most {TEMPLATE_NAME_MAX} characters")]
    TemplateName,
    #[error("whatsapp_language must be at most {LANGUAGE_CODE_MAX} characters")]
    TemplateLanguage,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// `{number}, {total}, …`: what a body may use.
pub fn known_placeholders() -> String {
    PLACEHOLDERS
        .iter()
        .map(|p| format!("{{{p}}}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A change to one text; `None` keeps a field, `Some(None)` clears it
/// (a cleared body is the built-in one again).
#[derive(Debug, Clone, Default)]
pub struct TextChange {
    pub body: Option<Option<String>>,
    pub enabled: Option<bool>,
    pub whatsapp_template: Option<Option<String>>,
    pub whatsapp_language: Option<Option<String>>,
}

/// A body a business may store: not blank, not too long, only the
/// placeholders we fill.
///
/// # Errors
/// [`TextError::Length`] or [`TextError::Placeholders`].
pub fn check_body(body: &str) -> Result<(), TextError> {
    if body.trim().is_empty() || body.chars().count() > BODY_MAX {
        return Err(TextError::Length);
    }
    let unknown = unknown_placeholders(body);
    if unknown.is_empty() {
        Ok(())
    } else {
        Err(TextError::Placeholders { unknown })
    }
}

/// A language code texts may be stored under (`en`, `pt_BR`, `zh-HK`).
///
/// # Errors
/// [`TextError::Language`] naming it.
pub fn check_language(language: &str) -> Result<(), TextError> {
    let ok = (2..=8).contains(&language.len())
        && language
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if ok {
        Ok(())
    } else {
        Err(TextError::Language(language.to_owned()))
    }
}

/// Applies `change` to the text `key` in `language` and stores it.
///
/// # Errors
/// An unknown key, a bad language or field (nothing stored), a store failure.
pub async fn save(
    store: &dyn Store,
    key: &str,
    language: &str,
    change: TextChange,
    now: Timestamp,
) -> Result<MessageTemplate, TextError> {
    default_body(key).ok_or_else(|| TextError::UnknownKey(key.to_owned()))?;
    check_language(language)?;
    if let Some(Some(body)) = &change.body {
        check_body(body)?;
        orderdesk_domain::check_label(key, body)?;
    }
    if let Some(Some(name)) = &change.whatsapp_template {
        if name.chars().count() > TEMPLATE_NAME_MAX {
            return Err(TextError::TemplateName);
        }
    }
    if let Some(Some(code)) = &change.whatsapp_language {
        if code.chars().count() > LANGUAGE_CODE_MAX {
            return Err(TextError::TemplateLanguage);
        }
    }
    let current = store
        .message_templates()
        .await?
        .into_iter()
        .find(|t| t.key == key && t.language == language);
    let mut next = current.unwrap_or(MessageTemplate {
        key: key.to_owned(),
        language: language.to_owned(),
        body: None,
        enabled: true,
        whatsapp_template: None,
        whatsapp_language: None,
        updated_at: now,
    });
    if let Some(body) = change.body {
        next.body = body;
    }
    if let Some(enabled) = change.enabled {
        next.enabled = enabled;
    }
    if let Some(name) = change.whatsapp_template {
        next.whatsapp_template = name.filter(|n| !n.trim().is_empty());
    }
    if let Some(code) = change.whatsapp_language {
        next.whatsapp_language = code.filter(|n| !n.trim().is_empty());
    }
    next.updated_at = now;
    store.put_message_template(&next).await?;
    Ok(next)
}

/// A value for every placeholder, as a customer of this business would read
/// it: amounts in `currency` written the locale's way.
pub fn samples(local: &Local, currency: Currency) -> Vec<(&'static str, String)> {
    let money = |minor| local.money(Money::from_minor(minor, currency));
    let minor_unit = 10_i64.pow(currency.exponent());
    vec![
        ("number", "1042".to_owned()),
        ("total", money(3_097 * minor_unit)),
        (
            "tracking",
            "Tracking: https://track.example/AB123".to_owned(),
        ),
        ("reason", "The item is out of stock.".to_owned()),
        ("newer", "1043".to_owned()),
        ("status", "confirmed".to_owned()),
        ("amount", money(499 * minor_unit)),
        (
            "items",
            format!("2 × Masala chai @ {}", money(120 * minor_unit)),
        ),
        ("opens", "tomorrow at 10:00 IST".to_owned()),
        ("invoice", "INV-2026-00042".to_owned()),
        (
            "problems",
            "PIN code: Enter the 6-digit PIN code.".to_owned(),
        ),
        ("unread", "“1 jar of happiness”".to_owned()),
        (
            "choices",
            "“dal”: Toor Dal 1 kg / Moong Dal 500 g".to_owned(),
        ),
        ("rating", "4".to_owned()),
    ]
}

/// `body` as a customer would read it, with [`samples`] filled in.
///
/// # Errors
/// As [`check_body`].
pub fn preview(body: &str, local: &Local, currency: Currency) -> Result<String, TextError> {
    check_body(body)?;
    let values = samples(local, currency);
    let vars: Vec<(&str, &str)> = values.iter().map(|(k, v)| (*k, v.as_str())).collect();
    Ok(fill(body, &vars))
}

/// [`preview`] of the text `key` (may be empty): a button or list label
/// over WhatsApp's limit is refused naming the limit.
///
/// # Errors
/// As [`check_body`], and [`TextError::Label`].
pub fn preview_for(
    key: &str,
    body: &str,
    local: &Local,
    currency: Currency,
) -> Result<String, TextError> {
    let text = preview(body, local, currency)?;
    // Only a text there is has a limit to keep.
    if default_body(key).is_some() {
        orderdesk_domain::check_label(key, body)?;
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inr() -> Currency {
        Currency::parse("INR").unwrap()
    }

    #[test]
    fn a_preview_reads_as_the_customer_would_in_the_business_locale() {
        let india = Local::parse("Asia/Kolkata", "en-IN").unwrap();
        assert_eq!(
            preview("Order #{number}: {total}, refund {amount}", &india, inr()).unwrap(),
            "Order #1042: ₹3,097.00, refund ₹499.00"
        );
        let germany = Local::parse("Europe/Berlin", "de-DE").unwrap();
        let eur = Currency::parse("EUR").unwrap();
        assert_eq!(preview("{total}", &germany, eur).unwrap(), "€3.097,00");
        let jpy = Currency::parse("JPY").unwrap();
        assert_eq!(preview("{total}", &Local::utc(), jpy).unwrap(), "¥3,097");
    }

    #[test]
    fn every_placeholder_has_a_sample() {
        let values = samples(&Local::utc(), inr());
        for p in PLACEHOLDERS {
            assert!(values.iter().any(|(k, _)| k == p), "{p}");
        }
    }

    #[test]
    fn an_unknown_placeholder_is_refused_naming_it_and_the_known_ones() {
        let e = preview("Hi {name}, #{number}", &Local::utc(), inr()).unwrap_err();
        let message = e.to_string();
        assert!(message.contains("\"name\""), "{message}");
        for p in PLACEHOLDERS {
            assert!(message.contains(&format!("{{{p}}}")), "{message}");
        }
        assert!(matches!(
            preview("  ", &Local::utc(), inr()),
            Err(TextError::Length)
        ));
        let long = "x".repeat(BODY_MAX + 1);
        assert!(matches!(check_body(&long), Err(TextError::Length)));
    }
}
