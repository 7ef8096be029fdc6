//! A `document` message: a file WhatsApp fetches from a public link and
//! shows as an attachment with its file name and an optional caption
//! (the OpenAPI's `DocumentMessage`, example "Send Document Message by
//! URL"). Cloud API caches a linked file for 10 minutes (WHATSAPP.md §2.1),
//! so the link must stay valid at least that long after the send.

use super::{check_http_url, check_text, OutboundError};

/// Caption under a document, as for other media.
pub const CAPTION_MAX: usize = 1024;
/// File name shown with the document.
pub const FILENAME_MAX: usize = 240;

/// A `document` message body.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Document {
    link: String,
    filename: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    caption: Option<String>,
}

impl Document {
    /// The file at `link` (http or https), shown as `filename`.
    ///
    /// # Errors
    /// Not an http(s) link; a blank or over-long file name.
    pub fn link(
        link: impl Into<String>,
        filename: impl Into<String>,
    ) -> Result<Self, OutboundError> {
        Ok(Self {
            link: check_http_url("document.link", link.into())?,
            filename: check_text("document.filename", filename.into(), FILENAME_MAX)?,
            caption: None,
        })
    }

    /// A caption under the document.
    ///
    /// # Errors
    /// Blank, or longer than [`CAPTION_MAX`].
    pub fn with_caption(mut self, caption: impl Into<String>) -> Result<Self, OutboundError> {
        self.caption = Some(check_text("document.caption", caption.into(), CAPTION_MAX)?);
        Ok(self)
    }
}
