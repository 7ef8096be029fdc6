//! Reading stored inbox items that are not carts: a customer's message as
//! the chat panel shows it, and a delivery status of a message we sent.

use crate::raw::{Contact, Loose, Lossy};
use serde::Deserialize;

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
    /// A native form's answer (`interactive.type == "nfm_reply"`): the
    /// address from an `address_message`, or a Flow's.
    pub nfm: Option<crate::NfmReply>,
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

impl ItemError {
    pub(crate) fn new(reason: String) -> Self {
        Self(reason)
    }
}

// Only the fields read below are declared: everything else in a stored item
// (Meta adds fields, and a signed body may nest one arbitrarily deep) is
// skipped without being built, so it cannot fail the item. Strings go
// through `Lossy`, so an undecodable one is replaced, not fatal.

#[derive(Deserialize)]
struct Item {
    #[serde(default)]
    message: Option<Message>,
    #[serde(default)]
    contact: Loose<Contact>,
    #[serde(default)]
    status: Option<Status>,
}

#[derive(Deserialize)]
struct Message {
    #[serde(default)]
    id: Lossy,
    #[serde(default, rename = "type")]
    kind: Lossy,
    #[serde(default)]
    from: Lossy,
    #[serde(default)]
    from_user_id: Lossy,
    #[serde(default)]
    timestamp: Lossy,
    #[serde(default)]
    text: Loose<Fields>,
    #[serde(default)]
    interactive: Loose<Interactive>,
    #[serde(default)]
    button: Loose<Fields>,
    #[serde(default)]
    location: Loose<Place>,
    #[serde(default)]
    reaction: Loose<Fields>,
    #[serde(default)]
    image: Loose<Fields>,
    #[serde(default)]
    video: Loose<Fields>,
    #[serde(default)]
    document: Loose<Fields>,
    #[serde(default)]
    audio: Loose<Fields>,
    #[serde(default)]
    sticker: Loose<Fields>,
}

impl Message {
    fn media(&self, kind: &str) -> Option<&Fields> {
        match kind {
            "image" => Some(&self.image.0),
            "video" => Some(&self.video.0),
            "document" => Some(&self.document.0),
            "audio" => Some(&self.audio.0),
            "sticker" => Some(&self.sticker.0),
            _ => None,
        }
    }
}

/// The string fields of the small objects a message may carry.
#[derive(Deserialize, Default)]
struct Fields {
    #[serde(default)]
    body: Lossy,
    #[serde(default)]
    id: Lossy,
    #[serde(default)]
    title: Lossy,
    #[serde(default)]
    payload: Lossy,
    #[serde(default)]
    text: Lossy,
    #[serde(default)]
    emoji: Lossy,
    #[serde(default)]
    caption: Lossy,
}

/// A shared location: a named place, or a pin (coordinates only).
#[derive(Deserialize, Default)]
struct Place {
    #[serde(default)]
    name: Lossy,
    #[serde(default)]
    address: Lossy,
    #[serde(default)]
    latitude: Loose<Option<f64>>,
    #[serde(default)]
    longitude: Loose<Option<f64>>,
}

impl Place {
    /// `[location] Name, Address https://www.openstreetmap.org/?mlat=…`:
    /// what staff read, with a map link they can open (no key, no tracking).
    fn describe(&self) -> String {
        let mut words = vec!["[location]".to_owned()];
        let named: Vec<String> = [self.name.text(), self.address.text()]
            .into_iter()
            .flatten()
            .collect();
        if !named.is_empty() {
            words.push(named.join(", "));
        }
        let on_earth = |lat: f64, lon: f64| {
            lat.is_finite() && lon.is_finite() && lat.abs() <= 90.0 && lon.abs() <= 180.0
        };
        if let (Some(lat), Some(lon)) = (self.latitude.0, self.longitude.0) {
            if on_earth(lat, lon) {
                words.push(map_link(lat, lon));
            }
        }
        words.join(" ")
    }
}

/// An OpenStreetMap link to a pin at `lat`, `lon` (5 decimals: about a metre).
pub fn map_link(lat: f64, lon: f64) -> String {
    format!("https://www.openstreetmap.org/?mlat={lat:.5}&mlon={lon:.5}#map=17/{lat:.5}/{lon:.5}")
}

#[derive(Deserialize, Default)]
struct Interactive {
    #[serde(default)]
    button_reply: Option<Loose<Fields>>,
    #[serde(default)]
    list_reply: Loose<Fields>,
    #[serde(default)]
    nfm_reply: Option<Loose<Nfm>>,
}

#[derive(Deserialize, Default)]
struct Nfm {
    #[serde(default)]
    name: Lossy,
    #[serde(default)]
    response_json: Lossy,
}

#[derive(Deserialize)]
struct Status {
    #[serde(default)]
    id: Lossy,
    #[serde(default)]
    status: Lossy,
    #[serde(default)]
    timestamp: Lossy,
    #[serde(default)]
    errors: Loose<Vec<StatusError>>,
}

#[derive(Deserialize, Default)]
struct StatusError {
    #[serde(default)]
    code: Lossy,
    #[serde(default)]
    message: Lossy,
    #[serde(default)]
    title: Lossy,
}

fn item(payload: &str) -> Result<Item, ItemError> {
    serde_json::from_str(payload).map_err(|e| ItemError(e.to_string()))
}

fn seconds(v: &Lossy) -> Option<i64> {
    v.text().and_then(|s| s.trim().parse().ok())
}

/// Reads a stored `message.*` item (see [`crate::split_webhook`]).
///
/// # Errors
/// When the payload is not JSON or has no message id.
pub fn parse_chat_message(payload: &str) -> Result<ChatIn, ItemError> {
    let item = item(payload)?;
    let m = item
        .message
        .ok_or_else(|| ItemError("item without a message".into()))?;
    let c = item.contact.0;
    let wamid =
        m.id.text()
            .ok_or_else(|| ItemError("message without an id".into()))?;
    let kind = m.kind.text().unwrap_or_else(|| "unknown".to_owned());
    let reply = match kind.as_str() {
        "interactive" => {
            let i = &m.interactive.0;
            let r = &i.button_reply.as_ref().unwrap_or(&i.list_reply).0;
            (r.id.text(), r.title.text())
        }
        "button" => (m.button.0.payload.text(), m.button.0.text.text()),
        _ => (None, None),
    };
    let nfm = m
        .interactive
        .0
        .nfm_reply
        .as_ref()
        .filter(|_| kind == "interactive")
        .map(|n| crate::NfmReply {
            name: n.0.name.text().unwrap_or_else(|| "flow".to_owned()),
            response_json: n.0.response_json.text().unwrap_or_default(),
        });
    let text = match kind.as_str() {
        "interactive" if nfm.is_some() => nfm.as_ref().map(crate::NfmReply::describe),
        "text" => m.text.0.body.text(),
        "interactive" | "button" => reply.1.clone(),
        "image" | "video" | "document" | "audio" | "sticker" => m
            .media(&kind)
            .and_then(|media| media.caption.text())
            .or_else(|| Some(format!("[{kind}]"))),
        "location" => Some(m.location.0.describe()),
        "reaction" => m.reaction.0.emoji.text().map(|e| format!("[reaction] {e}")),
        // Kept and shown as such, never dropped: staff can still answer.
        "contacts" | "order" | "system" => None,
        _ => Some("unsupported message".to_owned()),
    }
    .unwrap_or_else(|| format!("[{kind}]"));
    Ok(ChatIn {
        wamid,
        wa_id: c.wa_id.text().or_else(|| m.from.text()),
        user_id: c.user_id.text().or_else(|| m.from_user_id.text()),
        name: c.profile.0.name.text(),
        kind,
        text,
        reply_id: reply.0,
        sent_at: seconds(&m.timestamp),
        nfm,
    })
}

/// Reads a stored `status.*` item.
///
/// # Errors
/// When the payload is not JSON or has no message id or status.
pub fn parse_status(payload: &str) -> Result<StatusIn, ItemError> {
    let s = item(payload)?
        .status
        .ok_or_else(|| ItemError("item without a status".into()))?;
    let wamid =
        s.id.text()
            .ok_or_else(|| ItemError("status without an id".into()))?;
    let status = s
        .status
        .text()
        .ok_or_else(|| ItemError("status without a state".into()))?;
    let error = s.errors.0.into_iter().next().map(|e| {
        let code = e
            .code
            .text()
            .and_then(|c| c.parse::<i64>().ok())
            .map(|c| format!("{c}: "))
            .unwrap_or_default();
        let message = e
            .message
            .text()
            .or_else(|| e.title.text())
            .unwrap_or_else(|| "unknown error".to_owned());
        format!("{code}{message}")
    });
    Ok(StatusIn {
        wamid,
        status,
        at: seconds(&s.timestamp),
        error,
    })
}
