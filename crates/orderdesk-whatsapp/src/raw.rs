//! Borrowed views of JSON objects that keep every field's original text.
//!
//! A webhook body can be 3 MB with a thousand messages, and each message must
//! be stored with every field Meta sent, known to us or not. Building a
//! `serde_json::Value` tree for that allocates per node and re-encodes
//! strings; instead a [`RawObject`] records each key with its value's exact
//! text (a `&RawValue` slice of the body), reads the few fields routing needs
//! from those small slices, and writes itself back out by concatenation,
//! dropping only the whitespace between tokens. Strings, escapes such as
//! `\u00e4` included, and numbers such as `7.99` survive byte for byte.

use std::borrow::Cow;
use std::fmt::{self, Write as _};
use std::marker::PhantomData;

use serde::de::{self, Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;

/// A JSON object as its keys and the unparsed text of their values, in order.
#[derive(Debug)]
pub(crate) struct RawObject<'a> {
    fields: Vec<(Cow<'a, str>, &'a RawValue)>,
}

impl<'a> RawObject<'a> {
    pub(crate) fn from_fields(fields: Vec<(Cow<'a, str>, &'a RawValue)>) -> Self {
        Self { fields }
    }

    pub(crate) fn get(&self, key: &str) -> Option<&'a RawValue> {
        self.fields
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, value)| *value)
    }

    /// The field as a string, or `None` when it is absent or not a string.
    pub(crate) fn str(&self, key: &str) -> Option<Cow<'a, str>> {
        self.get(key).and_then(str_of)
    }

    /// The field's text when it is a string or a number (Meta sends ids and
    /// timestamps as strings, but a number must not turn into "absent").
    pub(crate) fn scalar(&self, key: &str) -> Option<Cow<'a, str>> {
        let raw = self.get(key)?;
        match raw.get().as_bytes().first() {
            Some(b'-' | b'0'..=b'9') => Some(Cow::Borrowed(raw.get())),
            _ => str_of(raw),
        }
    }

    /// An upper bound of the text [`Self::write_to`] produces, for sizing buffers.
    pub(crate) fn len_hint(&self) -> usize {
        self.fields
            .iter()
            .map(|(k, v)| k.len() + v.get().len() + 4)
            .sum::<usize>()
            + 2
    }

    /// Appends the object as compact JSON, every value's text otherwise verbatim.
    pub(crate) fn write_to(&self, out: &mut String) {
        out.push('{');
        for (i, (key, value)) in self.fields.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            write_json_string(out, key);
            out.push(':');
            push_compact(out, value.get());
        }
        out.push('}');
    }
}

/// One member of a JSON object being assembled from pieces of the body.
#[derive(Clone, Copy)]
pub(crate) enum Part<'p> {
    Raw(Option<&'p RawValue>),
    Object(Option<&'p RawObject<'p>>),
    Nested(&'p [(&'p str, Part<'p>)]),
}

impl Part<'_> {
    fn len_hint(&self) -> usize {
        match self {
            Part::Raw(r) => r.map_or(4, |r| r.get().len()),
            Part::Object(o) => o.map_or(4, RawObject::len_hint),
            Part::Nested(parts) => {
                parts
                    .iter()
                    .map(|(k, p)| k.len() + 4 + p.len_hint())
                    .sum::<usize>()
                    + 2
            }
        }
    }

    fn write_to(&self, out: &mut String) {
        match self {
            Part::Raw(Some(raw)) => push_compact(out, raw.get()),
            Part::Object(Some(object)) => object.write_to(out),
            Part::Raw(None) | Part::Object(None) => out.push_str("null"),
            Part::Nested(parts) => {
                out.push('{');
                for (i, (key, part)) in parts.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push('"');
                    out.push_str(key);
                    out.push_str("\":");
                    part.write_to(out);
                }
                out.push('}');
            }
        }
    }
}

/// Writes `{"k1":v1,"k2":v2,…}`, with `null` for absent parts.
pub(crate) fn wrap(parts: &[(&str, Part<'_>)]) -> String {
    let whole = Part::Nested(parts);
    let mut out = String::with_capacity(whole.len_hint());
    whole.write_to(&mut out);
    out
}

/// Appends valid JSON text without the whitespace between its tokens, so an
/// item's text, and the hash some ids are made of, does not depend on how
/// the sender formatted the body.
pub(crate) fn push_compact(out: &mut String, json: &str) {
    let mut in_string = false;
    let mut escaped = false;
    let mut start = 0;
    for (i, b) in json.bytes().enumerate() {
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
        } else if b == b'"' {
            in_string = true;
        } else if matches!(b, b' ' | b'\n' | b'\r' | b'\t') {
            // Whitespace bytes are ASCII, so both cuts fall on char boundaries.
            out.push_str(&json[start..i]);
            start = i + 1;
        }
    }
    out.push_str(&json[start..]);
}

/// Decodes a raw JSON string, borrowing when it holds no escapes. An escaped
/// lone surrogate (`\ud800`, valid JSON but not a Unicode scalar) becomes
/// U+FFFD instead of losing the whole string.
pub(crate) fn str_of(raw: &RawValue) -> Option<Cow<'_, str>> {
    let text = raw.get();
    let inner = text.strip_prefix('"')?.strip_suffix('"')?;
    if inner.contains('\\') {
        Some(Cow::Owned(
            serde_json::from_str::<String>(text).unwrap_or_else(|_| unescape_lossy(inner)),
        ))
    } else {
        // serde_json already validated the literal, so without a backslash
        // its content is the string itself.
        Some(Cow::Borrowed(inner))
    }
}

/// Unescapes the inside of a JSON string literal serde_json already accepted
/// as JSON, pairing `\uXXXX` surrogates and turning any left unpaired into
/// U+FFFD. Working in UTF-16 units lets `char::decode_utf16` do the pairing.
fn unescape_lossy(inner: &str) -> String {
    let mut units: Vec<u16> = Vec::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        let c = if c == '\\' {
            match chars.next() {
                Some('u') => {
                    let hex: String = chars.by_ref().take(4).collect();
                    units.push(u16::from_str_radix(&hex, 16).unwrap_or(0xFFFD));
                    continue;
                }
                Some('n') => '\n',
                Some('r') => '\r',
                Some('t') => '\t',
                Some('b') => '\u{8}',
                Some('f') => '\u{c}',
                Some(other) => other,
                None => break,
            }
        } else {
            c
        };
        let mut buf = [0u16; 2];
        units.extend_from_slice(c.encode_utf16(&mut buf));
    }
    char::decode_utf16(units)
        .map(|r| r.unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect()
}

/// A string or number field read leniently: its text (a string decoded as
/// [`str_of`] does), `None` for any other JSON type, never an error. Reading
/// a field through it cannot fail the item it belongs to.
#[derive(Debug, Default)]
pub(crate) struct Lossy(pub(crate) Option<String>);

impl Lossy {
    /// The text, unless absent or blank-empty.
    pub(crate) fn text(&self) -> Option<String> {
        self.0.clone().filter(|s| !s.is_empty())
    }
}

impl<'de> Deserialize<'de> for Lossy {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = <&'de RawValue>::deserialize(deserializer)?;
        let text = match raw.get().as_bytes().first() {
            Some(b'-' | b'0'..=b'9') => Some(raw.get().to_owned()),
            _ => str_of(raw).map(Cow::into_owned),
        };
        Ok(Lossy(text))
    }
}

/// A nested object read leniently: `null`, another JSON type or a field of
/// the wrong type reads as `T::default()` instead of failing what holds it.
#[derive(Debug, Default)]
pub(crate) struct Loose<T>(pub(crate) T);

impl<'de, T: serde::de::DeserializeOwned + Default> Deserialize<'de> for Loose<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = <&'de RawValue>::deserialize(deserializer)?;
        Ok(Loose(serde_json::from_str(raw.get()).unwrap_or_default()))
    }
}

/// The `contacts[]` entry that comes with a message or a cart: who wrote,
/// each field read leniently, so an odd name never costs the item.
#[derive(serde::Deserialize, Default)]
pub(crate) struct Contact {
    #[serde(default)]
    pub(crate) wa_id: Lossy,
    #[serde(default)]
    pub(crate) user_id: Lossy,
    #[serde(default)]
    pub(crate) profile: Loose<Profile>,
}

#[derive(serde::Deserialize, Default)]
pub(crate) struct Profile {
    #[serde(default)]
    pub(crate) name: Lossy,
}

/// Appends `s` as a JSON string literal.
pub(crate) fn write_json_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => {
                // Writing to a String cannot fail.
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// A map key that borrows from the input unless it had to be unescaped.
pub(crate) struct Key<'a>(pub(crate) Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for Key<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor<'a>(PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for KeyVisitor<'a> {
            type Value = Key<'a>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string key")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(Key(Cow::Owned(v)))
            }
        }
        deserializer.deserialize_str(KeyVisitor(PhantomData))
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for RawObject<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ObjectVisitor<'a>(PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for ObjectVisitor<'a> {
            type Value = RawObject<'a>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut fields = Vec::with_capacity(map.size_hint().unwrap_or(8));
                while let Some(Key(key)) = map.next_key()? {
                    let value: &'de RawValue = map.next_value()?;
                    fields.push((key, value));
                }
                Ok(RawObject { fields })
            }
        }
        deserializer.deserialize_map(ObjectVisitor(PhantomData))
    }
}
