//! Reading stored inbox items that are not carts: a customer's message as
//! the chat panel shows it, and a delivery status of a message we sent.

use serde_json::Value;

/// A customer's message, reduced to what the chat thread needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatIn {
    pub wamid: String,
    /// The WhatsApp message `type`.
    pub kind: String,
    pub wa_id: Option<String>,
    pub user_id: Option<String>,
    pub name: Option<String>,
    /// Text for people: the body, a tapped button's title, a caption, or a
    /// bracketed description of media without one.
    pub text: String,
    /// The id of a tapped reply button or list row (ours name the order).
    pub reply_id: Option<String>,
    pub sent_at: Option<i64>,
}

/// A delivery status of one of our messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusIn {
    pub wamid: String,
    /// `sent`, `delivered`, `read` or `failed`.
    pub status: String,
    pub at: Option<i64>,
    /// The first error's code and message, for `failed`.
    pub error: Option<String>,
}

/// Why a stored item could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unreadable inbox item: {0}")]
pub struct ItemError(String);

fn text_of(v: &Value) -> Option<String> {
    v.as_str().map(str::to_owned).filter(|s| !s.is_empty())
}

fn seconds(v: &Value) -> Option<i64> {
    v.as_str()
        .and_then(|s| s.parse().ok())
        .or_else(|| v.as_i64())
}

/// Reads a stored `message.*` item (see [`crate::split_webhook`]).
///
/// # Errors
/// When the payload is not JSON or has no message id.
pub fn parse_chat_message(payload: &str) -> Result<ChatIn, ItemError> {
    let item: Value = serde_json::from_str(payload).map_err(|e| ItemError(e.to_string()))?;
    let m = &item["message"];
    let c = &item["contact"];
    let wamid = text_of(&m["id"]).ok_or_else(|| ItemError("message without an id".into()))?;
    let kind = text_of(&m["type"]).unwrap_or_else(|| "unknown".to_owned());
    let reply = match kind.as_str() {
        "interactive" => {
            let i = &m["interactive"];
            let r = if i["button_reply"].is_object() {
                &i["button_reply"]
            } else {
                &i["list_reply"]
            };
            (text_of(&r["id"]), text_of(&r["title"]))
        }
        "button" => (
            text_of(&m["button"]["payload"]),
            text_of(&m["button"]["text"]),
        ),
        _ => (None, None),
    };
    let text = match kind.as_str() {
        "text" => text_of(&m["text"]["body"]),
        "interactive" | "button" => reply.1.clone(),
        "image" | "video" | "document" | "audio" | "sticker" => {
            text_of(&m[kind.as_str()]["caption"]).or_else(|| Some(format!("[{kind}]")))
        }
        "location" => Some(match text_of(&m["location"]["name"]) {
            Some(name) => format!("[location] {name}"),
            None => "[location]".to_owned(),
        }),
        "reaction" => text_of(&m["reaction"]["emoji"]).map(|e| format!("[reaction] {e}")),
        _ => None,
    }
    .unwrap_or_else(|| format!("[{kind}]"));
    Ok(ChatIn {
        wamid,
        wa_id: text_of(&c["wa_id"]).or_else(|| text_of(&m["from"])),
        user_id: text_of(&c["user_id"]).or_else(|| text_of(&m["from_user_id"])),
        name: text_of(&c["profile"]["name"]),
        kind,
        text,
        reply_id: reply.0,
        sent_at: seconds(&m["timestamp"]),
    })
}

/// Reads a stored `status.*` item.
///
/// # Errors
/// When the payload is not JSON or has no message id or status.
pub fn parse_status(payload: &str) -> Result<StatusIn, ItemError> {
    let item: Value = serde_json::from_str(payload).map_err(|e| ItemError(e.to_string()))?;
    let s = &item["status"];
    let wamid = text_of(&s["id"]).ok_or_else(|| ItemError("status without an id".into()))?;
    let status = text_of(&s["status"]).ok_or_else(|| ItemError("status without a state".into()))?;
    let error = s["errors"].get(0).map(|e| {
        let code = e["code"]
            .as_i64()
            .map(|c| format!("{c}: "))
            .unwrap_or_default();
        let message = text_of(&e["message"])
            .or_else(|| text_of(&e["title"]))
            .unwrap_or_else(|| "unknown error".to_owned());
        format!("{code}{message}")
    });
    Ok(StatusIn {
        wamid,
        status,
        at: seconds(&s["timestamp"]),
        error,
    })
}
