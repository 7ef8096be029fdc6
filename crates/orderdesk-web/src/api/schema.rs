//! Request-field schemas for the OpenAPI document that the derive cannot
//! spell: rules the handlers enforce, written from the same constants, so a
//! value the document calls valid is one the server accepts (and the other
//! way round) — checked by the schemathesis contract test.

use orderdesk_engine::texts::PLACEHOLDERS;
use utoipa::openapi::schema::{Object, ObjectBuilder, SchemaType, Type};

/// What Rust's `str::trim` removes (Unicode `White_Space`), spelled out so
/// that every regex dialect (ECMA, Python, Rust) reads the same set.
const WHITESPACE: &str =
    r"\u0009-\u000d\u0020\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000";

/// A string that is not blank after trimming, of at most `max` characters.
fn not_blank(max: usize) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .min_length(Some(1))
        .max_length(Some(max))
        .pattern(Some(format!("[^{WHITESPACE}]")))
}

/// `text` of a staff reply: WhatsApp's text body rule.
pub(crate) fn reply_text() -> Object {
    not_blank(orderdesk_whatsapp::TEXT_BODY_MAX).build()
}

/// `reason` and `tracking` of a stage move: optional, trimmed, bounded.
pub(crate) fn move_note() -> Object {
    ObjectBuilder::new()
        .schema_type(SchemaType::from_iter([Type::String, Type::Null]))
        .max_length(Some(orderdesk_domain::order::MAX_TEXT))
        .build()
}

/// A string that is one of `values`.
fn one_of(values: impl IntoIterator<Item = &'static str>) -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(values))
        .build()
}

/// A chat message's `direction`, from the store's own names.
pub(crate) fn direction() -> Object {
    use orderdesk_store::Direction;
    one_of([Direction::In, Direction::Out].map(|d| d.as_str()))
}

/// A chat message's `state`, from the store's own names.
pub(crate) fn message_state() -> Object {
    one_of(orderdesk_store::MessageState::ALL.map(|s| s.as_str()))
}

/// The list's `status` filter: a stage, or empty for every stage.
pub(crate) fn status_filter() -> Object {
    use orderdesk_domain::OrderStatus;
    one_of(std::iter::once("").chain(OrderStatus::ALL.iter().map(OrderStatus::as_str)))
}

/// The list's `payment` filter: a payment status, or empty for any.
pub(crate) fn payment_filter() -> Object {
    use orderdesk_domain::PaymentStatus;
    one_of(std::iter::once("").chain(PaymentStatus::ALL.iter().map(PaymentStatus::as_str)))
}

/// Longest customer text a business may write, in characters.
pub(crate) const TEMPLATE_BODY_MAX: usize = orderdesk_engine::texts::BODY_MAX;

/// `body` of a customer text: `null` restores the built-in one; otherwise
/// not blank, at most [`TEMPLATE_BODY_MAX`] characters, and every `{name}`
/// one of the placeholders (an unclosed `{` is plain text).
pub(crate) fn template_body() -> Object {
    let names = PLACEHOLDERS.join("|");
    let placeholder = format!(r"\{{(?:{names})\}}");
    let token = format!(r"(?:[^{{]|{placeholder})");
    let first = format!(r"(?:[^{{{WHITESPACE}]|{placeholder})");
    let unclosed = r"\{[^}]*";
    not_blank(TEMPLATE_BODY_MAX)
        .schema_type(SchemaType::from_iter([Type::String, Type::Null]))
        .pattern(Some(format!(
            "^[{WHITESPACE}]*(?:{first}{token}*(?:{unclosed})?|{unclosed})$"
        )))
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matches(schema: &Object, text: &str) -> bool {
        // The regex crate reads the document's `\uXXXX` escapes as written.
        let pattern = schema.pattern.as_deref().unwrap_or("");
        regex::Regex::new(pattern).unwrap().is_match(text)
    }

    #[test]
    fn the_template_body_pattern_is_the_servers_placeholder_rule() {
        let body = template_body();
        for text in [
            "Order #{number} is on its way: {tracking}",
            "plain text",
            "  {total}",
            "a { never closed",
            "{",
            "}{number}",
        ] {
            assert!(matches(&body, text), "{text:?} should be valid");
            assert!(orderdesk_engine::texts::unknown_placeholders(text).is_empty());
        }
        for text in [
            "",
            "   ",
            "\u{3000}\t",
            "{nope}",
            "a {number} {b}",
            "{{number}",
        ] {
            assert!(!matches(&body, text), "{text:?} should be refused");
            assert!(
                text.trim().is_empty()
                    || !orderdesk_engine::texts::unknown_placeholders(text).is_empty()
            );
        }
    }

    #[test]
    fn blank_means_what_trim_removes() {
        let text = reply_text();
        for c in (0..=0x3000u32).filter_map(char::from_u32) {
            assert_eq!(
                matches(&text, &c.to_string()),
                !c.is_whitespace(),
                "U+{:04X}",
                c as u32
            );
        }
    }
}
