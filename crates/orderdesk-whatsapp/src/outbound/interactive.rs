//! Interactive messages (reply buttons, lists, call-to-action URLs) and
//! the media and headers they may carry.

use serde::ser::{Serialize, SerializeMap, Serializer};

use super::{
    check_count, check_http_url, check_text, check_unique, OutboundError, BUTTON_ID_MAX,
    BUTTON_TEXT_MAX, BUTTON_TITLE_MAX, FOOTER_MAX, HEADER_TEXT_MAX, INTERACTIVE_BODY_MAX,
    LIST_BODY_MAX, MAX_LIST_ROWS, MAX_LIST_SECTIONS, MAX_REPLY_BUTTONS, ROW_DESCRIPTION_MAX,
    ROW_ID_MAX, ROW_TITLE_MAX, SECTION_TITLE_MAX,
};

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
    /// Required by every kind but `product`, where it is optional.
    #[serde(skip_serializing_if = "Option::is_none")]
    body: Option<TextObject>,
    #[serde(skip_serializing_if = "Option::is_none")]
    footer: Option<TextObject>,
    action: Action,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub(super) enum InteractiveKind {
    Button,
    List,
    CtaUrl,
    AddressMessage,
    OrderDetails,
    OrderStatus,
    Product,
    ProductList,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub(super) struct TextObject {
    pub(super) text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(untagged)]
pub(super) enum Action {
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
    /// The commerce kinds (`address_message`, `order_details`,
    /// `order_status`, `product`, `product_list`): checked by their typed
    /// constructors in `commerce`, kept here as the JSON they built.
    Commerce(serde_json::Value),
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub(super) struct CtaUrlParameters {
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

    pub(super) fn build(kind: InteractiveKind, body: String, action: Action) -> Self {
        Self {
            kind,
            header: None,
            body: Some(TextObject { text: body }),
            footer: None,
            action,
        }
    }

    /// A `product` message, whose body is optional.
    pub(super) fn build_bodiless(kind: InteractiveKind, action: Action) -> Self {
        Self {
            kind,
            header: None,
            body: None,
            footer: None,
            action,
        }
    }

    /// # Errors
    /// [`OutboundError::Invalid`] for a media header on a list, which only
    /// takes text headers.
    pub fn with_header(mut self, header: Header) -> Result<Self, OutboundError> {
        if matches!(
            self.kind,
            InteractiveKind::List | InteractiveKind::ProductList
        ) && !header.is_text()
        {
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
