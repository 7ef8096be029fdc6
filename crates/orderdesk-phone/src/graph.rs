//! The Graph API side: `POST /{version}/{phone-number-id}/messages` as Meta
//! answers it. The body is read into the shapes the Cloud API documents and
//! rebuilt through `orderdesk_whatsapp`'s checked constructors, so a message
//! Meta would refuse (a 21-character button title, four buttons, a
//! scheme-less link) is refused here too, with Meta's error shape.

use orderdesk_whatsapp::{
    Document, Header, Interactive, ListRow, ListSection, OutboundError, ReplyButton, Template, Text,
};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::state::{Choice, Link, ListSectionView, ListView, Message, Side};

/// A Graph API error answer: HTTP status and `{"error": {...}}`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct GraphFault {
    pub status: u16,
    pub body: Value,
}

impl GraphFault {
    pub(crate) fn new(status: u16, code: i64, kind: &str, message: &str) -> Self {
        Self {
            status,
            body: json!({"error": {"message": message, "type": kind, "code": code, "fbtrace_id": trace_id()}}),
        }
    }

    pub(crate) fn invalid_parameter(details: &str) -> Self {
        let mut fault = Self::new(
            400,
            131_009,
            "OAuthException",
            "(#131009) Parameter value is not valid",
        );
        if let Some(e) = fault.body["error"].as_object_mut() {
            e.insert(
                "error_data".into(),
                json!({"messaging_product": "whatsapp", "details": details}),
            );
        }
        fault
    }

    pub(crate) fn missing(parameter: &str) -> Self {
        Self::new(
            400,
            100,
            "OAuthException",
            &format!("(#100) The parameter {parameter} is required."),
        )
    }

    pub(crate) fn bad_token() -> Self {
        Self::new(
            401,
            190,
            "OAuthException",
            "Invalid OAuth access token - Cannot parse access token",
        )
    }

    pub(crate) fn unknown_number(id: &str) -> Self {
        let mut fault = Self::new(
            400,
            100,
            "GraphMethodException",
            &format!("Unsupported post request. Object with ID '{id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation."),
        );
        if let Some(e) = fault.body["error"].as_object_mut() {
            e.insert("error_subcode".into(), json!(33));
        }
        fault
    }
}

fn trace_id() -> String {
    use rand::Rng;
    let mut rng = rand::thread_rng();
    (0..11)
        .map(|_| {
            let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
            char::from(alphabet[rng.gen_range(0..alphabet.len())])
        })
        .collect()
}

/// What a valid request asks for.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Request {
    /// Mark a customer's message (and the earlier ones) read.
    MarkRead { message_id: String },
    /// Send a message; `to` is a phone number or `recipient` a BSUID.
    Send {
        to: Recipient,
        message: Box<Message>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Recipient {
    WaId(String),
    UserId(String),
}

#[derive(Deserialize)]
struct Body {
    messaging_product: Option<String>,
    status: Option<String>,
    message_id: Option<String>,
    to: Option<String>,
    recipient: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
    context: Option<Context>,
    text: Option<InText>,
    interactive: Option<InInteractive>,
    template: Option<InTemplate>,
    document: Option<InDocument>,
}

#[derive(Deserialize)]
struct InDocument {
    link: Option<String>,
    id: Option<String>,
    filename: Option<String>,
    caption: Option<String>,
}

#[derive(Deserialize)]
struct Context {
    message_id: String,
}

#[derive(Deserialize)]
struct InText {
    body: String,
}

#[derive(Deserialize)]
struct InInteractive {
    #[serde(rename = "type")]
    kind: String,
    header: Option<InHeader>,
    body: Option<TextObject>,
    footer: Option<TextObject>,
    action: Option<InAction>,
}

#[derive(Deserialize)]
struct InHeader {
    #[serde(rename = "type")]
    kind: String,
    text: Option<String>,
}

#[derive(Deserialize)]
struct TextObject {
    text: String,
}

#[derive(Deserialize)]
struct InAction {
    buttons: Option<Vec<InButton>>,
    button: Option<String>,
    sections: Option<Vec<InSection>>,
    name: Option<String>,
    parameters: Option<InParameters>,
}

#[derive(Deserialize)]
struct InButton {
    #[serde(rename = "type")]
    kind: Option<String>,
    reply: InReply,
}

#[derive(Deserialize)]
struct InReply {
    id: String,
    title: String,
}

#[derive(Deserialize)]
struct InSection {
    title: Option<String>,
    rows: Vec<InRow>,
}

#[derive(Deserialize)]
struct InRow {
    id: String,
    title: String,
    description: Option<String>,
}

#[derive(Deserialize)]
struct InParameters {
    display_text: String,
    url: String,
}

#[derive(Deserialize)]
struct InTemplate {
    name: String,
    language: Option<InLanguage>,
    #[serde(default)]
    components: Vec<InComponent>,
}

#[derive(Deserialize)]
struct InLanguage {
    code: String,
}

#[derive(Deserialize)]
struct InComponent {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    parameters: Vec<InParameter>,
}

#[derive(Deserialize)]
struct InParameter {
    text: Option<String>,
}

pub(crate) fn invalid(e: &OutboundError) -> GraphFault {
    GraphFault::invalid_parameter(&e.to_string())
}

/// Reads a request body; `wamid` and `at` stamp a message to send.
///
/// # Errors
/// Meta's answer to a malformed request.
pub(crate) fn parse(body: &[u8], wamid: String, at: i64) -> Result<Request, GraphFault> {
    let malformed = |e: serde_json::Error| {
        GraphFault::new(
            400,
            100,
            "OAuthException",
            &format!("(#100) Invalid JSON in the request body: {e}"),
        )
    };
    let mut raw: Value = serde_json::from_slice(body).map_err(malformed)?;
    // The commerce kinds have action shapes of their own: read from the
    // JSON as it came (`crate::native`), not through the typed body.
    let is_commerce = raw
        .pointer("/interactive/type")
        .and_then(Value::as_str)
        .is_some_and(|k| crate::native::COMMERCE_KINDS.contains(&k));
    let commerce = is_commerce.then(|| raw["interactive"].take());
    let body: Body = serde_json::from_value(raw).map_err(malformed)?;
    if body.messaging_product.as_deref() != Some("whatsapp") {
        return Err(GraphFault::missing("messaging_product"));
    }
    if let Some(status) = body.status {
        if status != "read" {
            return Err(GraphFault::invalid_parameter("status must be \"read\""));
        }
        let message_id = body
            .message_id
            .filter(|m| !m.trim().is_empty())
            .ok_or_else(|| GraphFault::missing("message_id"))?;
        return Ok(Request::MarkRead { message_id });
    }
    let to = match (body.to, body.recipient) {
        (Some(_), Some(_)) => {
            return Err(GraphFault::invalid_parameter(
                "give either to or recipient, not both",
            ))
        }
        (Some(to), None) => {
            let digits: String = to.chars().filter(char::is_ascii_digit).collect();
            if digits.len() < 8
                || to
                    .chars()
                    .any(|c| !(c.is_ascii_digit() || matches!(c, '+' | ' ' | '-' | '(' | ')')))
            {
                return Err(GraphFault::invalid_parameter(&format!(
                    "to {to:?} is not a phone number"
                )));
            }
            Recipient::WaId(digits)
        }
        (None, Some(user_id)) if !user_id.trim().is_empty() => Recipient::UserId(user_id),
        _ => return Err(GraphFault::missing("to")),
    };
    let kind = body.kind.unwrap_or_else(|| "text".to_owned());
    let mut message = Message::new(wamid, Side::Business, &kind, at);
    message.reply_to = body.context.map(|c| c.message_id);
    match kind.as_str() {
        "text" => {
            let text = body.text.ok_or_else(|| GraphFault::missing("text"))?;
            Text::new(text.body.clone()).map_err(|e| invalid(&e))?;
            message.text = Some(text.body);
        }
        "interactive" if commerce.is_some() => {
            crate::native::read_commerce(commerce.as_ref().unwrap_or(&Value::Null), &mut message)?;
        }
        "interactive" => {
            let i = body
                .interactive
                .ok_or_else(|| GraphFault::missing("interactive"))?;
            read_interactive(i, &mut message)?;
        }
        "template" => {
            let t = body.template.ok_or_else(|| GraphFault::missing("template"))?;
            let language = t.language.ok_or_else(|| GraphFault::missing("template.language"))?;
            let values: Vec<String> = t
                .components
                .iter()
                .filter(|c| c.kind == "body")
                .flat_map(|c| c.parameters.iter().filter_map(|p| p.text.clone()))
                .collect();
            Template::new(t.name.clone(), language.code)
                .and_then(|t| t.with_body_text(values.clone()))
                .map_err(|e| invalid(&e))?;
            message.header = Some(format!("Template {}", t.name));
            message.text = Some(if values.is_empty() {
                t.name
            } else {
                values.join(" · ")
            });
        }
        "document" => read_document(body.document, &mut message)?,
        other => {
            return Err(GraphFault::new(
                400,
                100,
                "OAuthException",
                &format!("(#100) Param type {other:?} is not supported by this simulator: use text, interactive, template or document"),
            ))
        }
    }
    Ok(Request::Send {
        to,
        message: Box::new(message),
    })
}

/// A document sent by link: the phone shows its file name, which opens
/// the link, and its caption. One uploaded by media id cannot be opened
/// here (the simulator keeps no media), so it is refused.
fn read_document(d: Option<InDocument>, message: &mut Message) -> Result<(), GraphFault> {
    let d = d.ok_or_else(|| GraphFault::missing("document"))?;
    let link = match (d.link, d.id) {
        (Some(link), _) => link,
        (None, Some(_)) => {
            return Err(GraphFault::invalid_parameter(
                "document.id: this simulator opens documents sent by link only",
            ))
        }
        (None, None) => return Err(GraphFault::missing("document.link")),
    };
    let filename = d.filename.unwrap_or_else(|| "document".to_owned());
    // Checked as Meta would check it; the simulator keeps what it shows.
    let document = Document::link(link.clone(), filename.clone()).map_err(|e| invalid(&e))?;
    if let Some(caption) = d.caption {
        document
            .with_caption(caption.clone())
            .map_err(|e| invalid(&e))?;
        message.text = Some(caption);
    }
    message.link = Some(Link {
        label: filename,
        url: link,
    });
    Ok(())
}

fn read_interactive(i: InInteractive, message: &mut Message) -> Result<(), GraphFault> {
    let body = i
        .body
        .map(|b| b.text)
        .ok_or_else(|| GraphFault::missing("interactive.body"))?;
    let action = i
        .action
        .ok_or_else(|| GraphFault::missing("interactive.action"))?;
    let built = match i.kind.as_str() {
        "button" => {
            let buttons = action.buttons.unwrap_or_default();
            if buttons.iter().any(|b| b.kind.as_deref().is_some_and(|k| k != "reply")) {
                return Err(GraphFault::invalid_parameter(
                    "interactive.action.buttons[].type must be \"reply\"",
                ));
            }
            message.buttons = buttons
                .iter()
                .map(|b| Choice {
                    id: b.reply.id.clone(),
                    title: b.reply.title.clone(),
                    description: None,
                })
                .collect();
            buttons
                .into_iter()
                .map(|b| ReplyButton::new(b.reply.id, b.reply.title))
                .collect::<Result<Vec<_>, _>>()
                .and_then(|b| Interactive::reply_buttons(body.clone(), b))
        }
        "list" => {
            let button = action
                .button
                .ok_or_else(|| GraphFault::missing("interactive.action.button"))?;
            let sections = action.sections.unwrap_or_default();
            message.list = Some(ListView {
                button: button.clone(),
                sections: sections
                    .iter()
                    .map(|s| ListSectionView {
                        title: s.title.clone(),
                        rows: s
                            .rows
                            .iter()
                            .map(|r| Choice {
                                id: r.id.clone(),
                                title: r.title.clone(),
                                description: r.description.clone(),
                            })
                            .collect(),
                    })
                    .collect(),
            });
            sections
                .into_iter()
                .map(|s| {
                    let rows = s
                        .rows
                        .into_iter()
                        .map(|r| {
                            let row = ListRow::new(r.id, r.title)?;
                            match r.description {
                                Some(d) => row.with_description(d),
                                None => Ok(row),
                            }
                        })
                        .collect::<Result<Vec<_>, _>>()?;
                    match s.title {
                        Some(t) => ListSection::new(t, rows),
                        None => Ok(ListSection::untitled(rows)),
                    }
                })
                .collect::<Result<Vec<_>, _>>()
                .and_then(|s| Interactive::list(body.clone(), button, s))
        }
        "cta_url" => {
            if action.name.as_deref() != Some("cta_url") {
                return Err(GraphFault::invalid_parameter(
                    "interactive.action.name must be \"cta_url\"",
                ));
            }
            let p = action
                .parameters
                .ok_or_else(|| GraphFault::missing("interactive.action.parameters"))?;
            message.link = Some(Link {
                label: p.display_text.clone(),
                url: p.url.clone(),
            });
            Interactive::cta_url(body.clone(), p.display_text, p.url)
        }
        other => {
            return Err(GraphFault::invalid_parameter(&format!(
                "interactive.type {other:?} is not supported by this simulator: use button, list or cta_url"
            )))
        }
    };
    let mut built = built.map_err(|e| invalid(&e))?;
    if let Some(h) = i.header {
        match (h.kind.as_str(), h.text) {
            ("text", Some(text)) => {
                let header = Header::text(text.clone()).map_err(|e| invalid(&e))?;
                built = built.with_header(header).map_err(|e| invalid(&e))?;
                message.header = Some(text);
            }
            // Media headers are shown as their kind; the simulator fetches nothing.
            (kind @ ("image" | "video" | "document"), _) => {
                message.header = Some(format!("[{kind}]"));
            }
            _ => return Err(GraphFault::invalid_parameter("interactive.header")),
        }
    }
    if let Some(f) = i.footer {
        built.with_footer(f.text.clone()).map_err(|e| invalid(&e))?;
        message.footer = Some(f.text);
    }
    message.text = Some(body);
    Ok(())
}

#[cfg(test)]
mod tests;
