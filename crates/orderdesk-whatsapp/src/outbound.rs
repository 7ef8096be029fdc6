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

use serde::ser::{Serialize, SerializeMap, Serializer};

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

/// A message that the API answers with a wamid: text, interactive or template.
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

/// Media for an interactive header: an uploaded media id, or a public link.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(transparent)]
pub struct Media(MediaSource);

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
enum MediaSource {
    Id(String),
    Link(String),
}

impl Media {
    /// Media uploaded through the Graph media endpoint, by its id.
    ///
    /// # Errors
    /// [`OutboundError::Empty`] for a blank id.
    pub fn id(id: impl Into<String>) -> Result<Self, OutboundError> {
        let id = check_text("interactive.header.<media>.id", id.into(), usize::MAX)?;
        Ok(Self(MediaSource::Id(id)))
    }

    /// Media WhatsApp fetches from a public URL.
    ///
    /// # Errors
    /// Not an http(s) URL.
    pub fn link(url: impl Into<String>) -> Result<Self, OutboundError> {
        let url = check_http_url("interactive.header.<media>.link", url.into())?;
        Ok(Self(MediaSource::Link(url)))
    }
}

/// The optional header of an interactive message.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(transparent)]
pub struct Header(HeaderKind);

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum HeaderKind {
    Text { text: String },
    Image { image: Media },
    Video { video: Media },
    Document { document: Media },
}

impl Header {
    /// # Errors
    /// Blank, or longer than [`HEADER_TEXT_MAX`].
    pub fn text(text: impl Into<String>) -> Result<Self, OutboundError> {
        let text = check_text("interactive.header.text", text.into(), HEADER_TEXT_MAX)?;
        Ok(Self(HeaderKind::Text { text }))
    }

    pub fn image(image: Media) -> Self {
        Self(HeaderKind::Image { image })
    }

    pub fn video(video: Media) -> Self {
        Self(HeaderKind::Video { video })
    }

    pub fn document(document: Media) -> Self {
        Self(HeaderKind::Document { document })
    }

    fn is_text(&self) -> bool {
        matches!(self.0, HeaderKind::Text { .. })
    }
}

/// One quick-reply button; its `id` comes back in the `button_reply` webhook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplyButton {
    id: String,
    title: String,
}

impl ReplyButton {
    /// # Errors
    /// Blank id or title, id over [`BUTTON_ID_MAX`], title over [`BUTTON_TITLE_MAX`].
    pub fn new(id: impl Into<String>, title: impl Into<String>) -> Result<Self, OutboundError> {
        Ok(Self {
            id: check_text(
                "interactive.action.buttons[].reply.id",
                id.into(),
                BUTTON_ID_MAX,
            )?,
            title: check_text(
                "interactive.action.buttons[].reply.title",
                title.into(),
                BUTTON_TITLE_MAX,
            )?,
        })
    }
}

impl Serialize for ReplyButton {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(serde::Serialize)]
        struct Reply<'a> {
            id: &'a str,
            title: &'a str,
        }
        let mut map = serializer.serialize_map(Some(2))?;
        map.serialize_entry("type", "reply")?;
        map.serialize_entry(
            "reply",
            &Reply {
                id: &self.id,
                title: &self.title,
            },
        )?;
        map.end()
    }
}

/// One choosable row of a list; its `id` comes back in the `list_reply` webhook.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ListRow {
    id: String,
    title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
}

impl ListRow {
    /// # Errors
    /// Blank id or title, id over [`ROW_ID_MAX`], title over [`ROW_TITLE_MAX`].
    pub fn new(id: impl Into<String>, title: impl Into<String>) -> Result<Self, OutboundError> {
        Ok(Self {
            id: check_text(
                "interactive.action.sections[].rows[].id",
                id.into(),
                ROW_ID_MAX,
            )?,
            title: check_text(
                "interactive.action.sections[].rows[].title",
                title.into(),
                ROW_TITLE_MAX,
            )?,
            description: None,
        })
    }

    /// # Errors
    /// Blank, or longer than [`ROW_DESCRIPTION_MAX`].
    pub fn with_description(
        mut self,
        description: impl Into<String>,
    ) -> Result<Self, OutboundError> {
        self.description = Some(check_text(
            "interactive.action.sections[].rows[].description",
            description.into(),
            ROW_DESCRIPTION_MAX,
        )?);
        Ok(self)
    }
}

/// A group of rows in a list message.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ListSection {
    #[serde(skip_serializing_if = "Option::is_none")]
    title: Option<String>,
    rows: Vec<ListRow>,
}

impl ListSection {
    /// # Errors
    /// Blank title, or longer than [`SECTION_TITLE_MAX`]. Row counts are
    /// checked by [`Interactive::list`], where the limit applies to all
    /// sections together.
    pub fn new(title: impl Into<String>, rows: Vec<ListRow>) -> Result<Self, OutboundError> {
        Ok(Self {
            title: Some(check_text(
                "interactive.action.sections[].title",
                title.into(),
                SECTION_TITLE_MAX,
            )?),
            rows,
        })
    }

    /// A section without a title, allowed only when it is the list's only one.
    pub fn untitled(rows: Vec<ListRow>) -> Self {
        Self { title: None, rows }
    }
}

/// The `interactive` object of a message: reply buttons, a list, or a URL button.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Interactive {
    #[serde(rename = "type")]
    kind: InteractiveKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    header: Option<Header>,
    body: TextObject,
    #[serde(skip_serializing_if = "Option::is_none")]
    footer: Option<TextObject>,
    action: Action,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
enum InteractiveKind {
    Button,
    List,
    CtaUrl,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
struct TextObject {
    text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(untagged)]
enum Action {
    Buttons {
        buttons: Vec<ReplyButton>,
    },
    List {
        button: String,
        sections: Vec<ListSection>,
    },
    CtaUrl {
        name: &'static str,
        parameters: CtaUrlParameters,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
struct CtaUrlParameters {
    display_text: String,
    url: String,
}

impl Interactive {
    /// An `interactive` `button` message: 1 to 3 reply buttons with distinct
    /// ids and titles under a body of at most [`INTERACTIVE_BODY_MAX`].
    ///
    /// # Errors
    /// Blank or over-long body, a button count outside 1..=3, or a repeated id or title.
    pub fn reply_buttons(
        body: impl Into<String>,
        buttons: Vec<ReplyButton>,
    ) -> Result<Self, OutboundError> {
        let body = check_text("interactive.body.text", body.into(), INTERACTIVE_BODY_MAX)?;
        check_count(
            "interactive.action.buttons",
            buttons.len(),
            1,
            MAX_REPLY_BUTTONS,
        )?;
        check_unique(
            "interactive.action.buttons[].reply.id",
            buttons.iter().map(|b| b.id.as_str()),
        )?;
        check_unique(
            "interactive.action.buttons[].reply.title",
            buttons.iter().map(|b| b.title.as_str()),
        )?;
        Ok(Self::build(
            InteractiveKind::Button,
            body,
            Action::Buttons { buttons },
        ))
    }

    /// An `interactive` `list` message: a button labelled `button` that opens
    /// up to 10 sections holding up to 10 rows in all, with distinct row ids.
    ///
    /// # Errors
    /// Blank or over-long body or button label, a section or row count out
    /// of range, an untitled section among several, or a repeated row id.
    pub fn list(
        body: impl Into<String>,
        button: impl Into<String>,
        sections: Vec<ListSection>,
    ) -> Result<Self, OutboundError> {
        let body = check_text("interactive.body.text", body.into(), LIST_BODY_MAX)?;
        let button = check_text("interactive.action.button", button.into(), BUTTON_TEXT_MAX)?;
        check_count(
            "interactive.action.sections",
            sections.len(),
            1,
            MAX_LIST_SECTIONS,
        )?;
        for section in &sections {
            check_count(
                "interactive.action.sections[].rows",
                section.rows.len(),
                1,
                MAX_LIST_ROWS,
            )?;
        }
        let rows = sections.iter().map(|s| s.rows.len()).sum();
        check_count(
            "interactive.action.sections[].rows (all sections)",
            rows,
            1,
            MAX_LIST_ROWS,
        )?;
        if sections.len() > 1 && sections.iter().any(|s| s.title.is_none()) {
            return Err(OutboundError::Empty {
                field: "interactive.action.sections[].title",
            });
        }
        check_unique(
            "interactive.action.sections[].rows[].id",
            sections
                .iter()
                .flat_map(|s| s.rows.iter().map(|r| r.id.as_str())),
        )?;
        Ok(Self::build(
            InteractiveKind::List,
            body,
            Action::List { button, sections },
        ))
    }

    /// An `interactive` `cta_url` message: one button labelled `display_text`
    /// that opens `url` in the browser (no webhook comes back on a tap).
    ///
    /// # Errors
    /// Blank or over-long body or label, or a `url` that is not http(s).
    pub fn cta_url(
        body: impl Into<String>,
        display_text: impl Into<String>,
        url: impl Into<String>,
    ) -> Result<Self, OutboundError> {
        let body = check_text("interactive.body.text", body.into(), INTERACTIVE_BODY_MAX)?;
        let display_text = check_text(
            "interactive.action.parameters.display_text",
            display_text.into(),
            BUTTON_TEXT_MAX,
        )?;
        let url = check_http_url("interactive.action.parameters.url", url.into())?;
        Ok(Self::build(
            InteractiveKind::CtaUrl,
            body,
            Action::CtaUrl {
                name: "cta_url",
                parameters: CtaUrlParameters { display_text, url },
            },
        ))
    }

    fn build(kind: InteractiveKind, body: String, action: Action) -> Self {
        Self {
            kind,
            header: None,
            body: TextObject { text: body },
            footer: None,
            action,
        }
    }

    /// # Errors
    /// [`OutboundError::Invalid`] for a media header on a list, which only
    /// takes text headers.
    pub fn with_header(mut self, header: Header) -> Result<Self, OutboundError> {
        if self.kind == InteractiveKind::List && !header.is_text() {
            return Err(OutboundError::Invalid {
                field: "interactive.header.type",
                expected: "\"text\" on a list message",
            });
        }
        self.header = Some(header);
        Ok(self)
    }

    /// # Errors
    /// Blank, or longer than [`FOOTER_MAX`].
    pub fn with_footer(mut self, footer: impl Into<String>) -> Result<Self, OutboundError> {
        let text = check_text("interactive.footer.text", footer.into(), FOOTER_MAX)?;
        self.footer = Some(TextObject { text });
        Ok(self)
    }
}

/// A pre-approved template, the only kind of message allowed outside the
/// 24-hour customer service window.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Template {
    name: String,
    language: Language,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    components: Vec<TemplateComponent>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
struct Language {
    code: String,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
struct TemplateComponent {
    #[serde(rename = "type")]
    kind: &'static str,
    parameters: Vec<TemplateParameter>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
struct TemplateParameter {
    #[serde(rename = "type")]
    kind: &'static str,
    text: String,
}

impl Template {
    /// A template without parameters, e.g. `Template::new("hello_world", "en_US")`.
    ///
    /// # Errors
    /// Blank name or language code, or a name over [`TEMPLATE_NAME_MAX`].
    pub fn new(
        name: impl Into<String>,
        language_code: impl Into<String>,
    ) -> Result<Self, OutboundError> {
        Ok(Self {
            name: check_text("template.name", name.into(), TEMPLATE_NAME_MAX)?,
            language: Language {
                code: check_text("template.language.code", language_code.into(), usize::MAX)?,
            },
            components: Vec::new(),
        })
    }

    /// Fills the body's `{{1}}`, `{{2}}`, … in order with text parameters.
    /// Meta checks the count against the approved template (error 132000).
    ///
    /// # Errors
    /// [`OutboundError::Empty`] for a blank value, which Meta refuses.
    pub fn with_body_text<I, S>(mut self, values: I) -> Result<Self, OutboundError>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let parameters = values
            .into_iter()
            .map(|value| {
                Ok(TemplateParameter {
                    kind: "text",
                    text: check_text(
                        "template.components[].parameters[].text",
                        value.into(),
                        usize::MAX,
                    )?,
                })
            })
            .collect::<Result<Vec<_>, OutboundError>>()?;
        self.components.retain(|c| c.kind != "body");
        if !parameters.is_empty() {
            self.components.push(TemplateComponent {
                kind: "body",
                parameters,
            });
        }
        Ok(self)
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

#[cfg(test)]
mod tests;
