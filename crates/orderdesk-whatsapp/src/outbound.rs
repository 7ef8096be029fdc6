//! Typed outbound Cloud API request bodies for `POST /{phone-number-id}/messages`.
//!
//! Every value here is checked when it is built, against the limits Meta
//! documents (WHATSAPP.md §2.3–2.11), so a message that exists is one the API
//! should accept: Meta answers an over-long title with error 100/131009 only
//! after the send, when the order flow can no longer do anything useful about
//! it. Nothing is shortened behind the caller's back; a value over a limit is
//! an [`OutboundError`] naming the wire field, and the caller decides what to
//! cut.
//!
//! Lengths are counted in Unicode scalar values (`str::chars`), which is how
//! Meta's tables state them ("characters"); an emoji made of several scalars
//! counts as several.
//!
//! Two kinds of body exist because the API answers them differently:
//! - [`OutboundMessage`] (text, interactive, template) creates a message and
//!   is answered with its wamid;
//! - [`MarkRead`] (read receipt, optional typing indicator) is answered with
//!   `{"success": true}`.
//!
//! ```
//! use orderdesk_whatsapp::{Interactive, OutboundMessage, Recipient, ReplyButton};
//! let note = Interactive::reply_buttons(
//!     "Anything we should know about order #1042?",
//!     vec![
//!         ReplyButton::new("note:1042:add", "Add a note")?,
//!         ReplyButton::new("note:1042:skip", "Skip")?,
//!     ],
//! )?;
//! let msg = OutboundMessage::new(Recipient::wa_id("16505551234")?, note);
//! let body = serde_json::to_value(&msg)?;
//! assert_eq!(body["interactive"]["action"]["buttons"][1]["reply"]["title"], "Skip");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::HashSet;

/// Body text of a `text` message (WHATSAPP.md §2.3).
pub const TEXT_BODY_MAX: usize = 4096;
/// Body text of `button` and `cta_url` interactive messages.
pub const INTERACTIVE_BODY_MAX: usize = 1024;
/// Body text of a `list` interactive message.
pub const LIST_BODY_MAX: usize = 4096;
/// Text header of any interactive message.
pub const HEADER_TEXT_MAX: usize = 60;
/// Footer of any interactive message.
pub const FOOTER_MAX: usize = 60;
/// Reply buttons per `button` message.
pub const MAX_REPLY_BUTTONS: usize = 3;
/// Reply button title.
pub const BUTTON_TITLE_MAX: usize = 20;
/// Reply button id, echoed back in the `button_reply` webhook.
pub const BUTTON_ID_MAX: usize = 256;
/// The single button that opens a list, and the `cta_url` button label.
pub const BUTTON_TEXT_MAX: usize = 20;
/// Sections per list.
pub const MAX_LIST_SECTIONS: usize = 10;
/// Rows per list, all sections together.
pub const MAX_LIST_ROWS: usize = 10;
/// List section title.
pub const SECTION_TITLE_MAX: usize = 24;
/// List row id, echoed back in the `list_reply` webhook.
pub const ROW_ID_MAX: usize = 200;
/// List row title.
pub const ROW_TITLE_MAX: usize = 24;
/// List row description.
pub const ROW_DESCRIPTION_MAX: usize = 72;
/// Template name, as Meta's template management API allows.
pub const TEMPLATE_NAME_MAX: usize = 512;

/// Why an outbound value could not be built. `field` is the wire path, e.g.
/// `interactive.action.buttons[].reply.title`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OutboundError {
    #[error("{field} is empty")]
    Empty { field: &'static str },
    #[error("{field} has {len} characters, at most {max} are allowed")]
    TooLong {
        field: &'static str,
        len: usize,
        max: usize,
    },
    #[error("{field} has {count} entries, {min} to {max} are allowed")]
    Count {
        field: &'static str,
        count: usize,
        min: usize,
        max: usize,
    },
    #[error("{field} {value:?} is used more than once; it must be unique")]
    Duplicate { field: &'static str, value: String },
    #[error("{field} {value:?} is not an http(s) URL")]
    NotHttpUrl { field: &'static str, value: String },
    #[error("{field} must be {expected}")]
    Invalid {
        field: &'static str,
        expected: &'static str,
    },
}

fn check_text(field: &'static str, value: String, max: usize) -> Result<String, OutboundError> {
    if value.trim().is_empty() {
        return Err(OutboundError::Empty { field });
    }
    let len = value.chars().count();
    if len > max {
        return Err(OutboundError::TooLong { field, len, max });
    }
    Ok(value)
}

fn check_count(
    field: &'static str,
    count: usize,
    min: usize,
    max: usize,
) -> Result<(), OutboundError> {
    if (min..=max).contains(&count) {
        Ok(())
    } else {
        Err(OutboundError::Count {
            field,
            count,
            min,
            max,
        })
    }
}

fn check_unique<'a>(
    field: &'static str,
    values: impl IntoIterator<Item = &'a str>,
) -> Result<(), OutboundError> {
    let mut seen = HashSet::new();
    for value in values {
        if !seen.insert(value) {
            return Err(OutboundError::Duplicate {
                field,
                value: value.to_owned(),
            });
        }
    }
    Ok(())
}

fn check_http_url(field: &'static str, value: String) -> Result<String, OutboundError> {
    if value.is_empty() {
        return Err(OutboundError::Empty { field });
    }
    let lower = value.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"));
    // WhatsApp only renders web links; a scheme-less or blank-containing value
    // is always a bug upstream, and Meta's answer (error 100) would come too late.
    match rest {
        Some(host) if !host.is_empty() && !value.chars().any(char::is_whitespace) => Ok(value),
        _ => Err(OutboundError::NotHttpUrl { field, value }),
    }
}

mod commerce;
mod document;
mod interactive;
mod message;
mod template;

pub use commerce::*;
pub use document::*;
pub use interactive::*;
pub use message::*;
pub use template::*;

#[cfg(test)]
mod tests;
