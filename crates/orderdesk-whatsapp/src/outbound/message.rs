//! The message envelope: whom it goes to and what it carries; plain text;
//! and the read receipt.

use serde::ser::{Serialize, SerializeMap, Serializer};

use super::document::Document;
use super::interactive::Interactive;
use super::template::Template;
use super::{check_text, OutboundError, TEXT_BODY_MAX};

/// Whom a message goes to.
///
/// WHATSAPP.md §1.8: the body names the customer either by phone number
/// (`to`) or by business-scoped user id (`recipient`), never both. When both
/// are known, [`Recipient::from_ids`] picks the phone number: it is the field
/// Meta's OpenAPI description and samples document, while the `recipient`
/// field is so far only confirmed by third-party clients.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Recipient(RecipientKind);

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum RecipientKind {
    WaId(String),
    UserId(String),
}

impl Recipient {
    /// The customer's `wa_id` (or any phone number the API accepts), sent as `to`.
    ///
    /// # Errors
    /// [`OutboundError::Empty`] for a blank number.
    pub fn wa_id(wa_id: impl Into<String>) -> Result<Self, OutboundError> {
        let wa_id = check_text("to", wa_id.into(), usize::MAX)?;
        Ok(Self(RecipientKind::WaId(wa_id)))
    }

    /// The customer's BSUID (`contacts[].user_id`, e.g.
    /// `US.13491208655302741918`), sent as `recipient`.
    ///
    /// # Errors
    /// [`OutboundError::Empty`] for a blank id.
    pub fn user_id(user_id: impl Into<String>) -> Result<Self, OutboundError> {
        let user_id = check_text("recipient", user_id.into(), usize::MAX)?;
        Ok(Self(RecipientKind::UserId(user_id)))
    }

    /// The recipient for a customer stored with either or both ids; the phone
    /// number wins when both are present (see the type's docs).
    ///
    /// # Errors
    /// [`OutboundError::Empty`] when neither id is given (or both are blank).
    pub fn from_ids(wa_id: Option<&str>, user_id: Option<&str>) -> Result<Self, OutboundError> {
        match (wa_id, user_id) {
            (Some(wa_id), _) if !wa_id.trim().is_empty() => Self::wa_id(wa_id),
            (_, Some(user_id)) => Self::user_id(user_id),
            _ => Err(OutboundError::Empty { field: "to" }),
        }
    }

    /// The body field the id goes in: `to` or `recipient`.
    pub fn wire_field(&self) -> &'static str {
        match self.0 {
            RecipientKind::WaId(_) => "to",
            RecipientKind::UserId(_) => "recipient",
        }
    }

    /// The phone number or BSUID, as given.
    pub fn as_str(&self) -> &str {
        match &self.0 {
            RecipientKind::WaId(v) | RecipientKind::UserId(v) => v,
        }
    }
}

/// A message that the API answers with a wamid: text, interactive, template
/// or document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboundMessage {
    recipient: Recipient,
    reply_to: Option<String>,
    content: Content,
}

/// What an [`OutboundMessage`] carries; built from [`Text`], [`Interactive`]
/// or [`Template`] through `From`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Content {
    Text(Text),
    Interactive(Interactive),
    Template(Template),
    Document(Document),
}

impl From<Text> for Content {
    fn from(text: Text) -> Self {
        Self::Text(text)
    }
}

impl From<Interactive> for Content {
    fn from(interactive: Interactive) -> Self {
        Self::Interactive(interactive)
    }
}

impl From<Document> for Content {
    fn from(document: Document) -> Self {
        Self::Document(document)
    }
}

impl From<Template> for Content {
    fn from(template: Template) -> Self {
        Self::Template(template)
    }
}

impl OutboundMessage {
    pub fn new(recipient: Recipient, content: impl Into<Content>) -> Self {
        Self {
            recipient,
            reply_to: None,
            content: content.into(),
        }
    }

    /// Shortcut for a plain text message without link preview.
    ///
    /// # Errors
    /// As [`Text::new`].
    pub fn text(recipient: Recipient, body: impl Into<String>) -> Result<Self, OutboundError> {
        Ok(Self::new(recipient, Text::new(body)?))
    }

    /// Quotes an earlier message (`context.message_id`), shown to the customer
    /// as a reply to it.
    ///
    /// # Errors
    /// [`OutboundError::Empty`] for a blank wamid.
    pub fn in_reply_to(mut self, message_id: impl Into<String>) -> Result<Self, OutboundError> {
        self.reply_to = Some(check_text(
            "context.message_id",
            message_id.into(),
            usize::MAX,
        )?);
        Ok(self)
    }

    pub fn recipient(&self) -> &Recipient {
        &self.recipient
    }

    pub fn content(&self) -> &Content {
        &self.content
    }

    /// The `type` on the wire: `text`, `interactive` or `template`.
    pub fn kind(&self) -> &'static str {
        match self.content {
            Content::Text(_) => "text",
            Content::Interactive(_) => "interactive",
            Content::Template(_) => "template",
            Content::Document(_) => "document",
        }
    }
}

impl Serialize for OutboundMessage {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        // The content sits under a key named after its own `type`, which no
        // serde enum representation produces, hence the hand-written map.
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("messaging_product", "whatsapp")?;
        map.serialize_entry("recipient_type", "individual")?;
        map.serialize_entry(self.recipient.wire_field(), self.recipient.as_str())?;
        if let Some(message_id) = &self.reply_to {
            map.serialize_entry("context", &MessageContext { message_id })?;
        }
        let kind = self.kind();
        map.serialize_entry("type", kind)?;
        match &self.content {
            Content::Text(text) => map.serialize_entry(kind, text)?,
            Content::Interactive(interactive) => map.serialize_entry(kind, interactive)?,
            Content::Template(template) => map.serialize_entry(kind, template)?,
            Content::Document(document) => map.serialize_entry(kind, document)?,
        }
        map.end()
    }
}

#[derive(serde::Serialize)]
struct MessageContext<'a> {
    message_id: &'a str,
}

/// A `text` message body.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Text {
    body: String,
    preview_url: bool,
}

impl Text {
    /// # Errors
    /// Blank, or longer than [`TEXT_BODY_MAX`].
    pub fn new(body: impl Into<String>) -> Result<Self, OutboundError> {
        Ok(Self {
            body: check_text("text.body", body.into(), TEXT_BODY_MAX)?,
            preview_url: false,
        })
    }

    /// Whether WhatsApp renders a preview of the first link in the body.
    #[must_use]
    pub fn with_preview_url(mut self, preview_url: bool) -> Self {
        self.preview_url = preview_url;
        self
    }
}

/// A read receipt for an inbound message (`status: read`), optionally with
/// a typing indicator while the reply is being prepared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MarkRead {
    message_id: String,
    typing: bool,
}

impl MarkRead {
    /// # Errors
    /// [`OutboundError::Empty`] for a blank wamid.
    pub fn new(message_id: impl Into<String>) -> Result<Self, OutboundError> {
        Ok(Self {
            message_id: check_text("message_id", message_id.into(), usize::MAX)?,
            typing: false,
        })
    }

    #[must_use]
    pub fn with_typing_indicator(mut self) -> Self {
        self.typing = true;
        self
    }

    pub fn message_id(&self) -> &str {
        &self.message_id
    }
}

impl Serialize for MarkRead {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(serde::Serialize)]
        struct Typing {
            #[serde(rename = "type")]
            kind: &'static str,
        }
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("messaging_product", "whatsapp")?;
        map.serialize_entry("status", "read")?;
        map.serialize_entry("message_id", &self.message_id)?;
        if self.typing {
            map.serialize_entry("typing_indicator", &Typing { kind: "text" })?;
        }
        map.end()
    }
}
