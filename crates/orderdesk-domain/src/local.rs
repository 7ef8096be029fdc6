//! How people read times and money: in the business's time zone and
//! locale. One formatter for the whole product (bot messages, the address
//! form, the payment page, the dashboard, the invoice); the API and the
//! CSV's amount columns stay machine-readable and never come through here.
//!
//! The data is not ours: the IANA time-zone database (`chrono-tz`), CLDR
//! number formats through ICU4X (`icu_decimal`: grouping such as lakhs in
//! `en-IN`, `1.234,50` in `de-DE`), glibc's date formats through chrono's
//! locales (`07/12/26` in `en-IN`, `12/07/2026` in `en-US`) and ISO 4217
//! symbols (`iso_currency`). A currency's minor unit is [`Currency::exponent`].
//!
//! ```text
//! Local::parse("Asia/Kolkata", "en-IN")?.money(Money::from_minor(309_700, inr)) == "₹3,097.00"
//! ```

use std::sync::Arc;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use icu_decimal::input::Decimal;
use icu_decimal::DecimalFormatter;
use icu_locale_core::Locale;
use writeable::Writeable;

use crate::money::{Currency, Money};

/// Why a time zone or a locale was refused; the message names it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LocalError {
    #[error("'{0}' is not an IANA time zone like Asia/Kolkata or Europe/Berlin")]
    TimeZone(String),
    #[error("'{0}' is not a known locale like en-IN, en-US or de-DE")]
    Locale(String),
}

/// The business's time zone and locale, ready to format with.
#[derive(Clone)]
pub struct Local {
    tz: Tz,
    locale: Locale,
    /// The glibc-named locale chrono formats dates with.
    dates: chrono::Locale,
    /// `None` only if the compiled-in CLDR data failed to load: amounts are
    /// then written plainly (`3097.00`) rather than not at all.
    numbers: Option<Arc<DecimalFormatter>>,
}

// Use-cases hold a `Local` across awaits in spawned tasks; ICU's data is
// shared through `Arc` only with `icu_provider`'s `sync` feature.
const _: fn() = || {
    fn shared<T: Send + Sync>() {}
    shared::<Local>();
};

impl std::fmt::Debug for Local {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Local")
            .field("tz", &self.tz.name())
            .field("locale", &self.locale.to_string())
            .finish()
    }
}

/// An IANA time-zone name (`Asia/Kolkata`, `UTC`).
///
/// # Errors
/// [`LocalError::TimeZone`] naming it.
pub fn parse_time_zone(name: &str) -> Result<Tz, LocalError> {
    name.trim()
        .parse::<Tz>()
        .map_err(|_| LocalError::TimeZone(name.to_owned()))
}

/// A BCP 47 locale (`en-IN`; `en_IN` is accepted too) that the number and
/// date data know.
///
/// # Errors
/// [`LocalError::Locale`] naming it.
pub fn parse_locale(tag: &str) -> Result<Locale, LocalError> {
    let refuse = || LocalError::Locale(tag.to_owned());
    let locale: Locale = tag.trim().replace('_', "-").parse().map_err(|_| refuse())?;
    // A well-formed tag whose language no date data speaks ("xx") is as
    // unknown to a reader as a malformed one.
    dates_locale(&locale).ok_or_else(refuse)?;
    Ok(locale)
}

/// chrono's (glibc's) name for the locale: `en_IN`, else the language's
/// most common variant, which glibc names after the language itself.
fn dates_locale(locale: &Locale) -> Option<chrono::Locale> {
    let language = locale.id.language.as_str();
    let exact = locale
        .id
        .region
        .map(|region| format!("{language}_{}", region.as_str()));
    let bare = format!("{language}_{}", language.to_ascii_uppercase());
    let candidates: Vec<String> = exact.into_iter().chain([bare]).collect();
    let found = candidates
        .iter()
        .find_map(|name| chrono::Locale::try_from(name.as_str()).ok());
    found
        .or_else(|| chrono::Locale::try_from(language).ok())
        .or_else(|| (language == "en").then_some(chrono::Locale::en_US))
}

impl Local {
    /// # Errors
    /// An unknown time zone or locale, named.
    pub fn parse(time_zone: &str, locale: &str) -> Result<Self, LocalError> {
        let tz = parse_time_zone(time_zone)?;
        let locale = parse_locale(locale)?;
        let dates = dates_locale(&locale).unwrap_or(chrono::Locale::POSIX);
        // Compiled-in CLDR data falls back to the root locale, so this
        // cannot fail short of a broken build.
        let numbers = DecimalFormatter::try_new((&locale).into(), Default::default())
            .ok()
            .map(Arc::new);
        Ok(Self {
            tz,
            locale,
            dates,
            numbers,
        })
    }

    /// UTC and English: what a business that set nothing sees.
    pub fn utc() -> Self {
        Self::parse("UTC", "en").unwrap_or(Self {
            tz: Tz::UTC,
            locale: Locale::UNKNOWN,
            dates: chrono::Locale::POSIX,
            numbers: None,
        })
    }

    pub fn time_zone(&self) -> &str {
        self.tz.name()
    }

    pub fn locale(&self) -> String {
        self.locale.to_string()
    }

    /// `₹3,097.00`, `₹1,23,456.00` (en-IN), `$1,234.50` (en-US),
    /// `€1.234,50` (de-DE), `¥1,234` (JPY has no minor unit), `KWD` with
    /// three decimals. The symbol stands first, as WhatsApp's catalog shows
    /// prices; a currency without a symbol is written by its code.
    pub fn money(&self, money: Money) -> String {
        let currency = money.currency();
        let exponent = i16::try_from(currency.exponent()).unwrap_or(2);
        let mut amount = Decimal::from(money.minor());
        amount.multiply_pow10(-exponent);
        amount.absolute.pad_end(-exponent);
        let number = match &self.numbers {
            Some(numbers) => numbers.format(&amount).write_to_string().into_owned(),
            None => amount.write_to_string().into_owned(),
        };
        let symbol = symbol(currency);
        match number.strip_prefix('-') {
            Some(positive) => format!("-{symbol}{positive}"),
            None => format!("{symbol}{number}"),
        }
    }

    /// A date and time in the business's zone, the date in the locale's
    /// order: `07/12/26 00:16` (en-IN), `12/07/2026 00:16` (en-US),
    /// `07.12.2026 00:16` (de-DE).
    pub fn date_time(&self, at: DateTime<Utc>) -> String {
        at.with_timezone(&self.tz)
            .format_localized("%x %H:%M", self.dates)
            .to_string()
    }

    /// [`Local::date_time`] with the zone's abbreviation (`IST`), for
    /// customers and exports that travel.
    pub fn date_time_zoned(&self, at: DateTime<Utc>) -> String {
        at.with_timezone(&self.tz)
            .format_localized("%x %H:%M %Z", self.dates)
            .to_string()
    }

    /// The date alone, in the locale's order.
    pub fn date(&self, at: DateTime<Utc>) -> String {
        at.with_timezone(&self.tz)
            .format_localized("%x", self.dates)
            .to_string()
    }

    /// RFC 3339 in the business's zone, with its offset
    /// (`2026-12-07T00:16:00+05:30`): machine-readable and local, for the
    /// CSV's local-time columns.
    pub fn rfc3339(&self, at: DateTime<Utc>) -> String {
        at.with_timezone(&self.tz).to_rfc3339()
    }

    /// The calendar date in the business's zone (`2026-12-07`), for
    /// machine-readable columns that still mean the business's day.
    pub fn iso_date(&self, at: DateTime<Utc>) -> String {
        at.with_timezone(&self.tz).format("%Y-%m-%d").to_string()
    }
}

/// "just now", "2 min ago", "3 h ago", "yesterday", else the date: short
/// enough for a card; the exact time goes in the element's title.
pub fn relative(at: DateTime<Utc>, now: DateTime<Utc>, local: &Local) -> String {
    let ago = now.signed_duration_since(at);
    let minutes = ago.num_minutes();
    if ago.num_seconds() < 60 {
        "just now".to_owned()
    } else if minutes < 60 {
        format!("{minutes} min ago")
    } else if minutes < 24 * 60 {
        format!("{} h ago", ago.num_hours())
    } else if local.iso_date(at) == local.iso_date(now - chrono::Duration::days(1)) {
        "yesterday".to_owned()
    } else {
        local.date(at)
    }
}

fn symbol(currency: Currency) -> String {
    iso_currency::Currency::from_code(currency.as_str())
        .map(|c| c.symbol().to_string())
        .filter(|s| !s.is_empty() && s != "¤")
        .unwrap_or_else(|| format!("{} ", currency.as_str()))
}

#[cfg(test)]
mod tests;
