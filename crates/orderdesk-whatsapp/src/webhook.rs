//! Splitting a verified webhook body into items the inbox stores one by one.
//!
//! Meta batches up to ~1,000 updates (3 MB) into one POST, and offers no way to
//! fetch a webhook again, so every update in `entry[] × changes[] ×
//! (messages[] | statuses[] | errors[])` becomes its own [`InboundItem`]
//! before the request is acknowledged; anything unrecognised is kept too.
//! Each item carries a stable `external_id` so a redelivery dedupes on insert:
//!
//! | update | `kind` | `external_id` |
//! |---|---|---|
//! | message | `message.<type>` | the wamid |
//! | status | `status.<status>` (`status.payment.<status>` for payments) | `<wamid>/<status>/<timestamp>` |
//! | `value.errors[]` entry | `error` | `sha256:<hex of payload>` |
//! | other change | `change.<field>` | `sha256:<hex of payload>` |
//! | entry without changes | `unknown` | `sha256:<hex of payload>` |
//!
//! The payload is a self-contained JSON object, e.g. `{"metadata": …,
//! "contact": …, "message": …}`, copied from the body's own text so no field
//! or escape is lost (see [`crate::raw`]).

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use orderdesk_domain::InboxKind;
use serde::de::{Deserialize, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde_json::value::RawValue;
use sha2::{Digest, Sha256};

use crate::raw::{wrap, Key, Part, RawObject};

/// The only `object` a WhatsApp Business Account webhook carries.
pub const WHATSAPP_OBJECT: &str = "whatsapp_business_account";

/// One update from a webhook, ready to be stored before the webhook is answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboundItem {
    /// Stable across redeliveries of the same update; the inbox dedupes on it.
    pub external_id: String,
    /// `message.<type>`, `status.<status>`, `error`, `change.<field>` or `unknown`.
    pub kind: String,
    /// The customer's business-scoped `user_id` when known, else the phone
    /// number; the inbox processes one customer's items in order.
    pub customer_key: Option<String>,
    /// A JSON object with everything needed to process the item later.
    pub payload: String,
}

/// Why a webhook body could not be split.
#[derive(Debug, thiserror::Error)]
pub enum SplitError {
    #[error("webhook body is not JSON: {0}")]
    NotJson(serde_json::Error),
    #[error("webhook body is not a WhatsApp notification: {0}")]
    Shape(serde_path_to_error::Error<serde_json::Error>),
    #[error("webhook is about object {0:?}, expected \"whatsapp_business_account\"")]
    UnexpectedObject(String),
}

/// Splits a webhook body (already signature-checked) into one item per update.
///
/// A body that is not valid UTF-8 (Meta sends UTF-8, but the signature only
/// vouches for the bytes) is read with each undecodable sequence replaced by
/// U+FFFD, so the customer's message still arrives, marred where it was.
///
/// # Errors
/// Only when the body is not JSON or its envelope (`object`, `entry[]`,
/// `entry[].changes[]`) has the wrong shape. Unknown fields, kinds and
/// change types are kept as items, never refused.
pub fn split_webhook(body: &[u8]) -> Result<Vec<InboundItem>, SplitError> {
    let text = String::from_utf8_lossy(body);
    let mut de = serde_json::Deserializer::from_str(&text);
    let envelope: Envelope<'_> = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        if e.inner().is_data() {
            SplitError::Shape(e)
        } else {
            SplitError::NotJson(e.into_inner())
        }
    })?;
    de.end().map_err(SplitError::NotJson)?;
    if envelope.object != WHATSAPP_OBJECT {
        return Err(SplitError::UnexpectedObject(envelope.object.into_owned()));
    }
    let mut items = Vec::new();
    for entry in &envelope.entry {
        match &entry.changes {
            Some(changes) => {
                for change in changes {
                    split_change(entry.other.get("id"), change, &mut items);
                }
            }
            None => items.push(hashed(
                "unknown".to_owned(),
                None,
                wrap(&[("entry", Part::Object(Some(&entry.other)))]),
            )),
        }
    }
    Ok(items)
}

#[derive(serde::Deserialize)]
struct Envelope<'a> {
    #[serde(borrow)]
    object: Cow<'a, str>,
    #[serde(borrow)]
    entry: Vec<Entry<'a>>,
}

/// An entry whose `changes` are read in the same pass that keeps its other fields.
struct Entry<'a> {
    changes: Option<Vec<RawObject<'a>>>,
    other: RawObject<'a>,
}

impl<'de: 'a, 'a> Deserialize<'de> for Entry<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct EntryVisitor<'a>(PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for EntryVisitor<'a> {
            type Value = Entry<'a>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a webhook entry object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut changes = None;
                let mut other = Vec::new();
                while let Some(Key(key)) = map.next_key()? {
                    if key == "changes" {
                        changes = Some(map.next_value()?);
                    } else {
                        other.push((key, map.next_value::<&'de RawValue>()?));
                    }
                }
                Ok(Entry {
                    changes,
                    other: RawObject::from_fields(other),
                })
            }
        }
        deserializer.deserialize_map(EntryVisitor(PhantomData))
    }
}

/// `changes[].value` of a `messages` change. Any shape error here keeps the
/// whole change as one item instead of failing the webhook.
#[derive(Default)]
struct MessagesValue<'a> {
    metadata: Option<&'a RawValue>,
    contacts: Option<Vec<RawObject<'a>>>,
    messages: Option<Vec<RawObject<'a>>>,
    statuses: Option<Vec<RawObject<'a>>>,
    errors: Option<Vec<&'a RawValue>>,
    /// Members we do not know yet, kept so a new kind of update is not lost.
    other: Vec<(Cow<'a, str>, &'a RawValue)>,
}

impl<'de: 'a, 'a> Deserialize<'de> for MessagesValue<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ValueVisitor<'a>(PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for ValueVisitor<'a> {
            type Value = MessagesValue<'a>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a messages change value")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut v = MessagesValue::default();
                while let Some(Key(key)) = map.next_key()? {
                    match &*key {
                        "metadata" => v.metadata = map.next_value()?,
                        "contacts" => v.contacts = map.next_value()?,
                        "messages" => v.messages = map.next_value()?,
                        "statuses" => v.statuses = map.next_value()?,
                        "errors" => v.errors = map.next_value()?,
                        // Always "whatsapp"; nothing to keep.
                        "messaging_product" => {
                            map.next_value::<IgnoredAny>()?;
                        }
                        _ => v.other.push((key, map.next_value::<&'de RawValue>()?)),
                    }
                }
                Ok(v)
            }
        }
        deserializer.deserialize_map(ValueVisitor(PhantomData))
    }
}

fn split_change(entry_id: Option<&RawValue>, change: &RawObject<'_>, items: &mut Vec<InboundItem>) {
    let field = change.str("field");
    let value = match (field.as_deref(), change.get("value")) {
        (Some("messages"), Some(raw)) => serde_json::from_str::<MessagesValue<'_>>(raw.get()).ok(),
        _ => None,
    };
    let value =
        value.filter(|v| v.messages.is_some() || v.statuses.is_some() || v.errors.is_some());
    let Some(value) = value else {
        let kind = field.map_or_else(
            || InboxKind::Other("unknown".to_owned()),
            |f| InboxKind::Change(f.into_owned()),
        );
        let payload = wrap(&[
            ("entry_id", Part::Raw(entry_id)),
            ("change", Part::Object(Some(change))),
        ]);
        items.push(hashed(kind.to_string(), None, payload));
        return;
    };

    let contacts: Vec<Contact<'_, '_>> =
        value.contacts.iter().flatten().map(Contact::new).collect();
    let metadata = Part::Raw(value.metadata);
    let batch =
        value.messages.as_ref().map_or(0, Vec::len) + value.statuses.as_ref().map_or(0, Vec::len);
    items.reserve(batch);

    for message in value.messages.iter().flatten() {
        items.push(message_item(metadata, &contacts, message));
    }
    for status in value.statuses.iter().flatten() {
        items.push(status_item(metadata, &contacts, status));
    }
    for error in value.errors.iter().flatten() {
        let payload = wrap(&[("metadata", metadata), ("error", Part::Raw(Some(error)))]);
        items.push(hashed("error".to_owned(), None, payload));
    }
    if !value.other.is_empty() {
        // Whatever else rode along keeps the shape of a change, minus the
        // updates already stored above.
        let mut rest = value.other;
        if let Some(m) = value.metadata {
            rest.insert(0, (Cow::Borrowed("metadata"), m));
        }
        let rest = RawObject::from_fields(rest);
        let change_parts = [
            ("field", Part::Raw(change.get("field"))),
            ("value", Part::Object(Some(&rest))),
        ];
        let payload = wrap(&[
            ("entry_id", Part::Raw(entry_id)),
            ("change", Part::Nested(&change_parts)),
        ]);
        items.push(hashed("change.messages".to_owned(), None, payload));
    }
}

fn message_item(
    metadata: Part<'_>,
    contacts: &[Contact<'_, '_>],
    message: &RawObject<'_>,
) -> InboundItem {
    let from = message.str("from");
    let from_user_id = message.str("from_user_id");
    let contact = find_contact(contacts, from.as_deref(), from_user_id.as_deref());
    let customer_key = first_of([
        contact.and_then(|c| c.user_id.clone()),
        from_user_id,
        contact.and_then(|c| c.wa_id.clone()),
        from,
    ]);
    let kind = InboxKind::message(message.str("type").as_deref().unwrap_or("unknown")).to_string();
    let payload = wrap(&[
        ("metadata", metadata),
        ("contact", Part::Object(contact.map(|c| c.raw))),
        ("message", Part::Object(Some(message))),
    ]);
    // An empty id is no id: every such message would otherwise dedupe onto
    // the first one and be lost (found by the whatsapp_webhook fuzz target).
    match message.str("id").filter(|id| !id.trim().is_empty()) {
        Some(id) => InboundItem {
            external_id: id.into_owned(),
            kind,
            customer_key,
            payload,
        },
        None => hashed(kind, customer_key, payload),
    }
}

fn status_item(
    metadata: Part<'_>,
    contacts: &[Contact<'_, '_>],
    status: &RawObject<'_>,
) -> InboundItem {
    let recipient_id = status.str("recipient_id");
    let recipient_user_id = status.str("recipient_user_id");
    let contact = find_contact(
        contacts,
        recipient_id.as_deref(),
        recipient_user_id.as_deref(),
    );
    let customer_key = first_of([
        recipient_user_id,
        contact.and_then(|c| c.user_id.clone()),
        recipient_id,
        status.str("from"),
        contact.and_then(|c| c.wa_id.clone()),
    ]);
    // Payment statuses reuse words like `failed`; a separate name keeps them
    // from being mistaken for a message's delivery status.
    let name = match (status.str("type").as_deref(), status.str("status")) {
        (Some(t), Some(s)) if t != "message" => Some(format!("{t}.{s}")),
        (_, s) => s.map(Cow::into_owned),
    };
    let kind = InboxKind::Status(name.clone().unwrap_or_else(|| "unknown".to_owned())).to_string();
    let payload = wrap(&[
        ("metadata", metadata),
        ("contact", Part::Object(contact.map(|c| c.raw))),
        ("status", Part::Object(Some(status))),
    ]);
    match (status.str("id"), name, status.scalar("timestamp")) {
        (Some(id), Some(name), Some(ts)) => InboundItem {
            external_id: format!("{id}/{name}/{ts}"),
            kind,
            customer_key,
            payload,
        },
        _ => hashed(kind, customer_key, payload),
    }
}

/// A `contacts[]` entry with the identifiers it is matched on.
struct Contact<'o, 'a> {
    wa_id: Option<Cow<'a, str>>,
    user_id: Option<Cow<'a, str>>,
    raw: &'o RawObject<'a>,
}

impl<'o, 'a> Contact<'o, 'a> {
    fn new(raw: &'o RawObject<'a>) -> Self {
        Self {
            wa_id: raw.str("wa_id"),
            user_id: raw.str("user_id"),
            raw,
        }
    }
}

/// The contact sharing an identifier with the sender (or recipient). When the
/// update names nobody and there is exactly one contact, that one is meant.
fn find_contact<'c, 'o, 'a>(
    contacts: &'c [Contact<'o, 'a>],
    phone: Option<&str>,
    user_id: Option<&str>,
) -> Option<&'c Contact<'o, 'a>> {
    let found = contacts.iter().find(|c| {
        let wa = c.wa_id.as_deref();
        let uid = c.user_id.as_deref();
        (phone.is_some() && (phone == wa || phone == uid)) || (user_id.is_some() && user_id == uid)
    });
    match (found, contacts) {
        (Some(c), _) => Some(c),
        (None, [only]) if phone.is_none() && user_id.is_none() => Some(only),
        _ => None,
    }
}

fn first_of<const N: usize>(candidates: [Option<Cow<'_, str>>; N]) -> Option<String> {
    candidates.into_iter().flatten().next().map(Cow::into_owned)
}

/// An item without a natural id: the content hash keeps redeliveries equal.
fn hashed(kind: String, customer_key: Option<String>, payload: String) -> InboundItem {
    let digest = Sha256::digest(payload.as_bytes());
    InboundItem {
        external_id: format!("sha256:{}", hex::encode(digest)),
        kind,
        customer_key,
        payload,
    }
}

#[cfg(test)]
mod tests;
