//! What the first-run setup (`/setup`) accepts for the WhatsApp connection:
//! the ids and credentials Meta's app dashboard shows, checked before
//! anything is stored, so a value pasted into the wrong box is refused
//! with its name instead of failing later when a customer writes.
//!
//! ```text
//! phone number id      "106540352242922"   digits (Meta's object ids)
//! business account id  "102290129340398"   digits
//! access token         "EAAG…"             one run of visible characters
//! app secret           "3f5c…"             one run of visible characters
//! ```

/// Meta's object ids are decimal numbers, 5 to 20 digits in practice.
const ID_DIGITS: std::ops::RangeInclusive<usize> = 5..=20;
/// Tokens and secrets: long-lived system-user tokens run to a few hundred
/// characters; anything past this is a paste of something else.
const CREDENTIAL_MAX: usize = 1024;

/// A value the setup page refuses, naming its field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConnectionError {
    #[error("{field} must be the number Meta shows (5 to 20 digits), not {value:?}")]
    NotAnId { field: &'static str, value: String },
    #[error("{field} must be one run of visible characters without spaces, at most {max} long")]
    NotACredential { field: &'static str, max: usize },
    #[error("{value:?} is not a WhatsApp number: give the country code and number, e.g. +91 98123 45601")]
    NotAPhoneNumber { value: String },
}

/// A Meta object id (phone number id, business account id), trimmed.
///
/// # Errors
/// [`ConnectionError::NotAnId`] unless it is 5 to 20 ASCII digits.
pub fn meta_id(field: &'static str, value: &str) -> Result<String, ConnectionError> {
    let v = value.trim();
    if ID_DIGITS.contains(&v.len()) && v.bytes().all(|b| b.is_ascii_digit()) {
        Ok(v.to_owned())
    } else {
        Err(ConnectionError::NotAnId {
            field,
            value: v.chars().take(40).collect(),
        })
    }
}

/// An access token or app secret, trimmed. The value is never quoted back:
/// it may be a real credential pasted into the wrong box.
///
/// # Errors
/// [`ConnectionError::NotACredential`] when empty, too long, or holding
/// spaces or control characters (it goes into an HTTP header or an HMAC
/// key as it is).
pub fn credential(field: &'static str, value: &str) -> Result<String, ConnectionError> {
    let v = value.trim();
    if !v.is_empty() && v.len() <= CREDENTIAL_MAX && v.bytes().all(|b| b.is_ascii_graphic()) {
        Ok(v.to_owned())
    } else {
        Err(ConnectionError::NotACredential {
            field,
            max: CREDENTIAL_MAX,
        })
    }
}

/// The number a test message goes to, as WhatsApp's `wa_id`.
///
/// # Errors
/// [`ConnectionError::NotAPhoneNumber`] unless [`crate::phone::wa_id`]
/// reads it.
pub fn test_recipient(value: &str) -> Result<String, ConnectionError> {
    crate::phone::wa_id(value).ok_or_else(|| ConnectionError::NotAPhoneNumber {
        value: value.trim().chars().take(40).collect(),
    })
}

/// Whether a number is connected: messages can go out once both the phone
/// number id and the access token are in force.
pub fn connected(phone_number_id: Option<&str>, access_token_set: bool) -> bool {
    phone_number_id.is_some_and(|id| !id.trim().is_empty()) && access_token_set
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_digits_of_a_plausible_length() {
        assert_eq!(
            meta_id("phone number id", " 106540352242922 ").unwrap(),
            "106540352242922"
        );
        assert_eq!(meta_id("x", "12345").unwrap(), "12345");
        assert_eq!(meta_id("x", &"9".repeat(20)).unwrap(), "9".repeat(20));
        for bad in [
            "",
            "1234",
            &"9".repeat(21),
            "10654035224292a",
            "+91 98123",
            "1065 4035",
            "١٢٣٤٥٦",
        ] {
            let e = meta_id("phone number id", bad).unwrap_err();
            assert!(
                e.to_string().starts_with("phone number id must be"),
                "{bad}: {e}"
            );
        }
    }

    #[test]
    fn credentials_are_one_visible_run_and_never_quoted_back() {
        assert_eq!(
            credential("access token", "  EAAGabc123  ").unwrap(),
            "EAAGabc123"
        );
        assert_eq!(
            credential("x", &"a".repeat(CREDENTIAL_MAX)).unwrap().len(),
            CREDENTIAL_MAX
        );
        for bad in [
            "",
            "   ",
            "two words",
            "tab\there",
            "new\nline",
            "é-accent",
            &"a".repeat(CREDENTIAL_MAX + 1),
        ] {
            let e = credential("app secret", bad).unwrap_err();
            let text = e.to_string();
            assert!(text.starts_with("app secret must be"), "{text}");
            if bad.len() > 3 && !bad.trim().is_empty() {
                assert!(
                    !text.contains(bad.trim()),
                    "the value is not echoed: {text}"
                );
            }
        }
    }

    #[test]
    fn test_recipients_read_like_whatsapp_numbers() {
        assert_eq!(test_recipient("+91 98123 45601").unwrap(), "919812345601");
        assert_eq!(test_recipient("0091-98123-45601").unwrap(), "919812345601");
        for bad in ["", "12345", "098123456", "call me", "+91 98123 4560x"] {
            assert!(
                matches!(
                    test_recipient(bad),
                    Err(ConnectionError::NotAPhoneNumber { .. })
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn connected_needs_both_the_number_and_the_token() {
        assert!(connected(Some("106540352242922"), true));
        assert!(!connected(Some("106540352242922"), false));
        assert!(!connected(None, true));
        assert!(!connected(Some("  "), true));
        assert!(!connected(None, false));
    }
}
