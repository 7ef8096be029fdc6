//! Phone numbers as staff and customers type them, read as the digits
//! WhatsApp uses (`wa_id`: country code and number, no `+`).
//!
//! ```text
//! "+91 99887 76655"  → wa_id "919988776655"
//! "09988776655"      → search digits "9988776655" (trunk 0 dropped)
//! ```

/// The digits of a phone number, with `+`, spaces, dots, dashes and
/// brackets dropped; `None` when anything else is in it.
pub fn digits(text: &str) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    for c in text.trim().chars() {
        match c {
            '0'..='9' => out.push(c),
            '+' | ' ' | '-' | '.' | '(' | ')' | '\u{a0}' => {}
            _ => return None,
        }
    }
    (!out.is_empty()).then_some(out)
}

/// A full WhatsApp number (country code included): 8 to 15 digits, not
/// starting with 0.
pub fn wa_id(text: &str) -> Option<String> {
    let d = digits(text)?;
    let d = d.strip_prefix("00").map(str::to_owned).unwrap_or(d);
    ((8..=15).contains(&d.len()) && !d.starts_with('0')).then_some(d)
}

/// What a search for a phone number looks for at the end of a `wa_id`:
/// its digits with a national trunk `0` dropped, when it reads as a phone
/// number at all (at least 6 digits). `+91 99887 76655`, `09988776655` and
/// `9988776655` all end `919988776655`.
pub fn search_digits(text: &str) -> Option<String> {
    let d = digits(text)?;
    let d = d.trim_start_matches('0');
    (d.len() >= 6).then(|| d.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_usual_spelling_ends_the_same_wa_id() {
        for typed in [
            "+91 99887 76655",
            "09988776655",
            "9988776655",
            "+91-99887-76655",
        ] {
            let d = search_digits(typed).unwrap();
            assert!("919988776655".ends_with(&d), "{typed} → {d}");
        }
        assert_eq!(search_digits("Asha"), None);
        assert_eq!(
            search_digits("1001"),
            None,
            "an order number is not a phone"
        );
    }

    #[test]
    fn a_wa_id_needs_its_country_code() {
        assert_eq!(wa_id("+91 99887 76655").as_deref(), Some("919988776655"));
        assert_eq!(wa_id("0091 99887 76655").as_deref(), Some("919988776655"));
        assert_eq!(wa_id("09988776655"), None);
        assert_eq!(wa_id("12345"), None);
        assert_eq!(wa_id("91998877665a"), None);
    }
}
