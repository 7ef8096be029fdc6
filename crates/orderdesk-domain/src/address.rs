//! Tidying and checking a delivery address typed into the hosted form.
//!
//! Two steps, meant to be used in this order: [`Address::normalised`] turns
//! what a thumb typed on a phone into what a courier can read (spaces
//! trimmed and collapsed, country and postal code in their usual shape), and
//! [`Address::problems`] lists what is still wrong with it, one message per
//! field, worded for the customer. The form shows the messages next to the
//! fields and saves nothing while any remain.
//!
//! Choices worth knowing:
//! - **Country**: stored as an ISO 3166-1 alpha-2 code (`IN`, `GB`). A
//!   customer on a phone is as likely to type "India" or "usa" as a code, so
//!   English country names and a few everyday aliases (`UK`, `USA`, `UAE`,
//!   `England`, `Holland`…) are accepted and turned into the code. Names in
//!   other languages are not recognised; the message then asks for the code.
//!   `XK` (Kosovo) is accepted although it is only user-assigned, because
//!   couriers use it.
//! - **Postal code**: required, except for countries that have no postal
//!   code system (the UAE, Hong Kong, Qatar…; [`NO_POSTAL_CODE`]). India
//!   takes exactly 6 digits (`560 001` becomes `560001`), the US `12345` or
//!   `12345-6789`, the UK a postcode of a real shape (`sw1a1aa` becomes
//!   `SW1A 1AA`); elsewhere 3–10 letters, digits, spaces or dashes.
//! - **Phone**: 7–15 digits (E.164 allows at most 15), an optional leading
//!   `+`, and the separators people type: spaces, dashes, dots, brackets.
//!   It is kept as typed, so the courier reads it the way the customer wrote
//!   it.
//! - **Characters**: tabs and line breaks count as spaces (a pasted
//!   multi-line address becomes one line); any other control character,
//!   NUL included, and the bidirectional override/isolate characters (which
//!   can make text display differently from what it is) are refused.
//!   Letters of every script are welcome.

use crate::Address;

mod countries;

use countries::country_by_name;
pub use countries::country_name;

/// One thing wrong with one field, worded for the customer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddressProblem {
    /// The form field's name: `name`, `phone`, `line1`, `line2`, `city`,
    /// `state`, `postal_code` or `country`.
    pub field: &'static str,
    pub message: String,
}

/// Longest name, in characters.
pub const MAX_NAME_CHARS: usize = 100;
/// Longest address line, in characters.
pub const MAX_LINE_CHARS: usize = 200;
/// Longest city or state, in characters.
pub const MAX_PLACE_CHARS: usize = 100;
/// Longest phone number as typed, separators included.
pub const MAX_PHONE_CHARS: usize = 30;

/// Countries without a postal code system, where the field may stay empty.
pub const NO_POSTAL_CODE: &[&str] = &[
    "AE", "AG", "AO", "AW", "BS", "BZ", "CW", "DM", "FJ", "GD", "GY", "HK", "KI", "MO", "QA", "SR",
    "TV", "YE", "ZW",
];

impl Address {
    /// The address as it should be stored: every field trimmed with runs of
    /// whitespace collapsed to one space, the country as an upper-case
    /// alpha-2 code when it can be recognised, and the postal code
    /// upper-cased in its country's usual shape. Anything it cannot
    /// recognise is left for [`Address::problems`] to report.
    pub fn normalised(&self) -> Address {
        let country = normalise_country(&self.country);
        let postal_code = normalise_postal_code(&self.postal_code, &country);
        Address {
            name: collapse(&self.name),
            phone: collapse(&self.phone),
            line1: collapse(&self.line1),
            line2: collapse(&self.line2),
            city: collapse(&self.city),
            state: collapse(&self.state),
            postal_code,
            country,
        }
    }

    /// What is wrong with the address as it is, at most one problem per
    /// field, in the form's field order. Empty means it may be saved.
    ///
    /// Judges the values exactly as given, so call it on
    /// [`Address::normalised`]'s result: a stray tab or a lower-case
    /// country is a problem here, but not after normalising.
    pub fn problems(&self) -> Vec<AddressProblem> {
        let country_known = country_name(&self.country).is_some();
        let checks = [
            (
                "name",
                check_text(
                    &self.name,
                    Some("Enter the name of the person receiving the order"),
                    MAX_NAME_CHARS,
                ),
            ),
            ("phone", check_phone(&self.phone)),
            (
                "line1",
                check_text(
                    &self.line1,
                    Some("Enter the house or flat number and street"),
                    MAX_LINE_CHARS,
                ),
            ),
            ("line2", check_text(&self.line2, None, MAX_LINE_CHARS)),
            (
                "city",
                check_text(&self.city, Some("Enter the town or city"), MAX_PLACE_CHARS),
            ),
            ("state", check_text(&self.state, None, MAX_PLACE_CHARS)),
            (
                "postal_code",
                // Without a known country only the generic shape can be
                // checked; the country's own message says what to fix first.
                check_postal_code(
                    &self.postal_code,
                    if country_known { &self.country } else { "" },
                ),
            ),
            ("country", check_country(&self.country)),
        ];
        checks
            .into_iter()
            .filter_map(|(field, result)| {
                result
                    .err()
                    .map(|message| AddressProblem { field, message })
            })
            .collect()
    }

    /// The English name of the address's country, when its code is known.
    pub fn country_name(&self) -> Option<&'static str> {
        country_name(&self.country)
    }
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Characters no address needs and some attacks do. Whitespace controls are
/// only refused when they survive normalising, which collapses them.
fn is_forbidden(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

fn check_characters(value: &str) -> Result<(), String> {
    if value.chars().any(is_forbidden) {
        return Err("Remove the invisible control characters from this field".to_owned());
    }
    Ok(())
}

fn check_length(value: &str, max: usize) -> Result<(), String> {
    let len = value.chars().count();
    if len > max {
        return Err(format!("Use at most {max} characters (this has {len})"));
    }
    Ok(())
}

/// Free text: a required field needs at least one letter or digit, so "."
/// or "-" does not pass for a street.
fn check_text(value: &str, required: Option<&str>, max: usize) -> Result<(), String> {
    check_characters(value)?;
    if let Some(missing) = required {
        if !value.chars().any(char::is_alphanumeric) {
            return Err(missing.to_owned());
        }
    }
    check_length(value, max)
}

fn check_phone(value: &str) -> Result<(), String> {
    const SHAPE: &str =
        "Enter a phone number of 7 to 15 digits; start with + and the country code if it is abroad";
    check_characters(value)?;
    if value.is_empty() {
        return Err("Enter a phone number the courier can call".to_owned());
    }
    check_length(value, MAX_PHONE_CHARS)?;
    let body = value.strip_prefix('+').unwrap_or(value);
    let mut digits = 0;
    for c in body.chars() {
        match c {
            '0'..='9' => digits += 1,
            ' ' | '-' | '.' | '(' | ')' => {}
            _ => return Err(SHAPE.to_owned()),
        }
    }
    if !(7..=15).contains(&digits) {
        return Err(SHAPE.to_owned());
    }
    Ok(())
}

fn check_postal_code(value: &str, country: &str) -> Result<(), String> {
    check_characters(value)?;
    let (label, example) = match country {
        "IN" => ("PIN code", "A PIN code has 6 digits, like 560001"),
        "US" => ("ZIP code", "A ZIP code looks like 12345 or 12345-6789"),
        "GB" => ("postcode", "A UK postcode looks like SW1A 1AA"),
        _ => (
            "postal code",
            "A postal code has 3 to 10 letters, digits, spaces or dashes",
        ),
    };
    if value.is_empty() {
        if NO_POSTAL_CODE.contains(&country) {
            return Ok(());
        }
        return Err(format!("Enter the {label}"));
    }
    let fits = match country {
        "IN" => is_indian_pin(value),
        "US" => is_us_zip(value),
        "GB" => is_uk_postcode(value),
        _ => is_generic_postal_code(value),
    };
    if fits {
        Ok(())
    } else {
        Err(example.to_owned())
    }
}

fn check_country(value: &str) -> Result<(), String> {
    check_characters(value)?;
    if value.is_empty() {
        return Err("Enter the country".to_owned());
    }
    if country_name(value).is_none() {
        return Err(
            "Enter the country's name in English or its two-letter code, like IN or GB".to_owned(),
        );
    }
    Ok(())
}

fn all_digits(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_digit())
}

/// Indian PIN codes never start with 0.
fn is_indian_pin(s: &str) -> bool {
    s.len() == 6 && all_digits(s) && !s.starts_with('0')
}

fn is_us_zip(s: &str) -> bool {
    match s.split_once('-') {
        None => s.len() == 5 && all_digits(s),
        Some((zip, plus4)) => {
            zip.len() == 5 && all_digits(zip) && plus4.len() == 4 && all_digits(plus4)
        }
    }
}

/// The shapes of Royal Mail's format: outward code `A9`, `A99`, `AA9`,
/// `AA99`, `A9A` or `AA9A`, a space, inward code `9AA`; plus `GIR 0AA`.
/// Shape only: whether the postcode exists is the courier's business.
fn is_uk_postcode(s: &str) -> bool {
    if s == "GIR 0AA" {
        return true;
    }
    let Some((outward, inward)) = s.split_once(' ') else {
        return false;
    };
    let a = |b: &u8| b.is_ascii_uppercase();
    let d = |b: &u8| b.is_ascii_digit();
    let outward_ok = match outward.as_bytes() {
        [x, y] => a(x) && d(y),
        [x, y, z] => a(x) && ((d(y) && (d(z) || a(z))) || (a(y) && d(z))),
        [w, x, y, z] => a(w) && a(x) && d(y) && (d(z) || a(z)),
        _ => false,
    };
    let inward_ok = matches!(inward.as_bytes(), [x, y, z] if d(x) && a(y) && a(z));
    outward_ok && inward_ok
}

fn is_generic_postal_code(s: &str) -> bool {
    let alnum = |c: char| c.is_ascii_uppercase() || c.is_ascii_digit();
    (3..=10).contains(&s.len())
        && s.chars().all(|c| alnum(c) || c == ' ' || c == '-')
        && s.starts_with(alnum)
        && s.ends_with(alnum)
}

fn normalise_country(value: &str) -> String {
    let value = collapse(value);
    if value.len() == 2 && value.bytes().all(|b| b.is_ascii_alphabetic()) {
        let code = value.to_ascii_uppercase();
        // Not ISO, but what every British customer types.
        return if code == "UK" { "GB".to_owned() } else { code };
    }
    country_by_name(&value).map_or(value, str::to_owned)
}

fn normalise_postal_code(value: &str, country: &str) -> String {
    let value = collapse(value).to_uppercase();
    let compact: String = value.chars().filter(|c| *c != ' ' && *c != '-').collect();
    match country {
        // Often written `560 001`.
        "IN" if compact.len() == 6 && all_digits(&compact) => compact,
        "US" if compact.len() == 9 && all_digits(&compact) => {
            format!("{}-{}", &compact[..5], &compact[5..])
        }
        // The inward code is always the last three characters, so a missing
        // or misplaced space can be put right.
        "GB" if (5..=7).contains(&compact.len())
            && compact.bytes().all(|b| b.is_ascii_alphanumeric()) =>
        {
            let split = compact.len() - 3;
            format!("{} {}", &compact[..split], &compact[split..])
        }
        _ => value,
    }
}

#[cfg(test)]
mod tests;
