//! WhatsApp's length limits on what a customer taps: a business edits
//! button and list labels like any text (issue #19), and a label over the
//! limit would make WhatsApp refuse the whole message, so it is refused
//! when it is written instead.
//!
//! Text keys say what they label: `button.*` (a reply button's or a link
//! button's title), `list.button.*` (the button that opens a list),
//! `list.section.*`, `list.row.*` (a row's title), `list.description.*`.

/// A reply-button title, and a link (`cta_url`) button's text.
pub const BUTTON_TITLE_MAX: usize = 20;
/// The button that opens a list message.
pub const LIST_BUTTON_MAX: usize = 20;
/// A list section's title.
pub const SECTION_TITLE_MAX: usize = 24;
/// A list row's title.
pub const ROW_TITLE_MAX: usize = 24;
/// A list row's description.
pub const ROW_DESCRIPTION_MAX: usize = 72;

/// What a label key labels, and its limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LabelLimit {
    /// In words, for the refusal: "a button title".
    pub what: &'static str,
    /// Characters (Unicode scalar values, as WhatsApp counts).
    pub max: usize,
}

/// The limit of the label `key`, or `None` for a message body.
pub fn label_limit(key: &str) -> Option<LabelLimit> {
    let (what, max) = if key.starts_with("list.button.") {
        ("a list's button", LIST_BUTTON_MAX)
    } else if key.starts_with("list.section.") {
        ("a list section title", SECTION_TITLE_MAX)
    } else if key.starts_with("list.row.") {
        ("a list row title", ROW_TITLE_MAX)
    } else if key.starts_with("list.description.") {
        ("a list row description", ROW_DESCRIPTION_MAX)
    } else if key.starts_with("button.") {
        ("a button title", BUTTON_TITLE_MAX)
    } else {
        return None;
    };
    Some(LabelLimit { what, max })
}

/// Why a label cannot be sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LabelError {
    #[error("{what} may have at most {max} characters (WhatsApp's limit); this one has {len}")]
    TooLong {
        what: &'static str,
        max: usize,
        len: usize,
    },
    #[error("{what} cannot use placeholders such as {{number}}")]
    Placeholder { what: &'static str },
}

/// Checks `label` against the limit of `key`; bodies (no limit here) pass.
///
/// # Errors
/// [`LabelError`] naming the limit.
pub fn check_label(key: &str, label: &str) -> Result<(), LabelError> {
    let Some(LabelLimit { what, max }) = label_limit(key) else {
        return Ok(());
    };
    if label.contains('{') {
        return Err(LabelError::Placeholder { what });
    }
    let len = label.trim().chars().count();
    if len > max {
        return Err(LabelError::TooLong { what, max, len });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_of_label_has_whatsapps_limit() {
        assert_eq!(label_limit("button.pay_now").map(|l| l.max), Some(20));
        assert_eq!(label_limit("list.button.rating").map(|l| l.max), Some(20));
        assert_eq!(label_limit("list.section.rating").map(|l| l.max), Some(24));
        assert_eq!(label_limit("list.row.rating_5").map(|l| l.max), Some(24));
        assert_eq!(
            label_limit("list.description.rating_5").map(|l| l.max),
            Some(72)
        );
        assert_eq!(label_limit("ask_payment"), None);
        assert_eq!(label_limit("stage.shipped"), None);
    }

    #[test]
    fn a_label_at_the_limit_passes_and_one_over_is_refused_naming_it() {
        assert_eq!(check_label("button.pay_now", &"x".repeat(20)), Ok(()));
        let e = check_label("button.pay_now", &"x".repeat(21)).unwrap_err();
        assert_eq!(
            e.to_string(),
            "a button title may have at most 20 characters (WhatsApp's limit); this one has 21"
        );
        assert_eq!(check_label("list.row.rating_5", &"y".repeat(24)), Ok(()));
        assert!(check_label("list.row.rating_5", &"y".repeat(25)).is_err());
    }

    #[test]
    fn characters_not_bytes_are_counted() {
        // 20 Devanagari characters are 60 bytes: still within the limit.
        assert_eq!(check_label("button.pay_now", &"भ".repeat(20)), Ok(()));
        assert!(check_label("button.pay_now", &"भ".repeat(21)).is_err());
    }

    #[test]
    fn a_label_has_no_placeholders_and_a_body_has_no_limit_here() {
        assert!(matches!(
            check_label("button.pay_now", "Pay {total}"),
            Err(LabelError::Placeholder { .. })
        ));
        assert_eq!(check_label("ask_payment", &"z".repeat(500)), Ok(()));
    }
}
