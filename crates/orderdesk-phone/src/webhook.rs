//! Webhook bodies as Meta sends them (shapes from shared/fixtures/whatsapp/):
//! `entry[].changes[].value` with `metadata`, `contacts` (profile name,
//! `wa_id`, `user_id`) and either `messages` or `statuses`, serialised the
//! way Meta does it, with non-ASCII escaped as `\uXXXX`, and signed over
//! those exact bytes.

use serde::Serialize;
use serde_json::{json, Value};

use crate::state::Customer;

/// The WhatsApp Business Account id the simulated number belongs to.
pub(crate) const WABA_ID: &str = "102290129340398";

/// Who the webhooks come from: the business number's ids.
#[derive(Debug, Clone)]
pub(crate) struct Number<'a> {
    pub phone_number_id: &'a str,
    pub display_phone_number: &'a str,
}

fn contact(customer: &Customer) -> Value {
    json!({"profile": {"name": customer.name}, "wa_id": customer.wa_id, "user_id": customer.user_id})
}

/// `{"object", "entry": [{"changes": [{"value": {...}}]}]}` with one
/// customer's `key` (`messages` or `statuses`) list.
fn envelope(number: &Number<'_>, customer: &Customer, key: &str, item: Value) -> Value {
    let value = json!({
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": number.display_phone_number, "phone_number_id": number.phone_number_id},
        "contacts": [contact(customer)],
        key: [item]
    });
    json!({
        "object": "whatsapp_business_account",
        "entry": [{"id": WABA_ID, "changes": [{"value": value, "field": "messages"}]}]
    })
}

/// A webhook carrying one customer message. `message` holds the
/// type-specific part (`{"type": "text", "text": {...}}`), plus `context`
/// for replies; the common fields are added here.
pub(crate) fn message(
    number: &Number<'_>,
    customer: &Customer,
    wamid: &str,
    timestamp: i64,
    message: Value,
) -> Value {
    let mut m = json!({"from": customer.wa_id, "id": wamid, "timestamp": timestamp.to_string()});
    if let (Some(m), Value::Object(extra)) = (m.as_object_mut(), message) {
        m.extend(extra);
    }
    envelope(number, customer, "messages", m)
}

/// A delivery status (`sent`, `delivered`, `read`) of a business message.
pub(crate) fn status(
    number: &Number<'_>,
    customer: &Customer,
    wamid: &str,
    status: &str,
    timestamp: i64,
) -> Value {
    let mut s = json!({
        "id": wamid,
        "status": status,
        "timestamp": timestamp.to_string(),
        "recipient_id": customer.wa_id,
        "recipient_user_id": customer.user_id,
        "pricing": {"billable": false, "pricing_model": "PMP", "category": "service", "type": "free_customer_service"}
    });
    if status != "read" {
        if let Some(s) = s.as_object_mut() {
            s.insert(
                "conversation".into(),
                json!({"id": format!("conv-{}", customer.wa_id), "origin": {"type": "service"}}),
            );
        }
    }
    envelope(number, customer, "statuses", s)
}

/// WhatsApp's payment status for an `order_details` message (WHATSAPP.md
/// §1.6, `webhook_status_payment.json`): `captured`, with the message's
/// reference, amount and transaction.
pub(crate) fn payment_status(
    number: &Number<'_>,
    customer: &Customer,
    wamid: &str,
    payment: &Value,
    timestamp: i64,
) -> Value {
    let s = json!({
        "id": wamid,
        "from": customer.wa_id,
        "recipient_id": customer.wa_id,
        "type": "payment",
        "status": "captured",
        "payment": payment,
        "timestamp": timestamp.to_string(),
    });
    envelope(number, customer, "statuses", s)
}

/// Serialises like Meta: compact JSON with every non-ASCII character
/// escaped as `\uXXXX` (surrogate pairs beyond the BMP).
pub(crate) fn to_meta_bytes(value: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    let mut ser = serde_json::Serializer::with_formatter(&mut out, AsciiFormatter);
    // Writing a Value to a Vec cannot fail.
    if value.serialize(&mut ser).is_err() {
        return b"{}".to_vec();
    }
    out
}

struct AsciiFormatter;

impl serde_json::ser::Formatter for AsciiFormatter {
    fn write_string_fragment<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> std::io::Result<()> {
        let mut start = 0;
        for (i, c) in fragment.char_indices() {
            if c.is_ascii() {
                continue;
            }
            writer.write_all(&fragment.as_bytes()[start..i])?;
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                write!(writer, "\\u{unit:04x}")?;
            }
            start = i + c.len_utf8();
        }
        writer.write_all(&fragment.as_bytes()[start..])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::user_id_for;

    fn fixture(name: &str) -> Value {
        let path = format!(
            "{}/../../../shared/fixtures/whatsapp/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    /// The set of key paths in a JSON value, array indices collapsed.
    fn shape(v: &Value, prefix: &str, out: &mut std::collections::BTreeSet<String>) {
        match v {
            Value::Object(map) => {
                for (k, v) in map {
                    let p = format!("{prefix}.{k}");
                    out.insert(p.clone());
                    shape(v, &p, out);
                }
            }
            Value::Array(items) => {
                for item in items {
                    shape(item, &format!("{prefix}[]"), out);
                }
            }
            _ => {}
        }
    }

    fn paths(v: &Value) -> std::collections::BTreeSet<String> {
        let mut out = std::collections::BTreeSet::new();
        shape(v, "", &mut out);
        out
    }

    const NUMBER: Number<'static> = Number {
        phone_number_id: "106540352242922",
        display_phone_number: "15550783881",
    };

    fn customer() -> Customer {
        Customer {
            wa_id: "16505551234".into(),
            user_id: user_id_for("16505551234"),
            name: "Zoë Nelson".into(),
        }
    }

    /// Every key path of the fixture is in ours (ours may add `user_id`).
    fn assert_covers(ours: &Value, fixture_name: &str, ignore: &[&str]) {
        let ours = paths(ours);
        let missing: Vec<String> = paths(&fixture(fixture_name))
            .into_iter()
            .filter(|p| !ignore.iter().any(|i| p.starts_with(i)))
            .filter(|p| !ours.contains(p))
            .collect();
        assert!(missing.is_empty(), "{fixture_name}: missing {missing:?}");
    }

    #[test]
    fn an_order_has_the_shape_of_the_real_sample() {
        let body = message(
            &NUMBER,
            &customer(),
            "wamid.x",
            1_750_096_325,
            json!({"type": "order", "order": {"catalog_id": "c", "text": "Love these!", "product_items": [
                {"product_retailer_id": "a", "quantity": 2, "item_price": 30, "currency": "USD"}]}}),
        );
        assert_covers(&body, "webhook_order_with_text.json", &[]);
        let bytes = to_meta_bytes(&body);
        let items = orderdesk_whatsapp::split_webhook(&bytes).unwrap();
        assert_eq!(items.len(), 1);
        assert_eq!(items[0].kind, "message.order");
        let cart = orderdesk_whatsapp::parse_cart(&items[0].payload).unwrap();
        assert_eq!(
            cart.customer.user_id.as_deref(),
            Some(customer().user_id.as_str())
        );
        assert_eq!(cart.customer.name.as_deref(), Some("Zoë Nelson"));
        assert_eq!(cart.text.as_deref(), Some("Love these!"));
    }

    #[test]
    fn a_button_tap_has_the_shape_of_the_real_sample() {
        let body = message(
            &NUMBER,
            &customer(),
            "wamid.y",
            1,
            json!({"context": {"from": "15550783881", "id": "wamid.q"}, "type": "interactive",
                "interactive": {"type": "button_reply", "button_reply": {"id": "note:1001:skip", "title": "Skip"}}}),
        );
        assert_covers(&body, "webhook_interactive_button_reply.json", &[]);
        let items = orderdesk_whatsapp::split_webhook(&to_meta_bytes(&body)).unwrap();
        let chat = orderdesk_whatsapp::parse_chat_message(&items[0].payload).unwrap();
        assert_eq!(chat.reply_id.as_deref(), Some("note:1001:skip"));
    }

    #[test]
    fn a_text_has_the_shape_of_the_real_sample() {
        let body = message(
            &NUMBER,
            &customer(),
            "wamid.t",
            1,
            json!({"type": "text", "text": {"body": "hi"}}),
        );
        assert_covers(&body, "webhook_text.json", &[]);
    }

    #[test]
    fn statuses_have_the_shape_of_the_real_samples() {
        for (status, name) in [
            ("sent", "webhook_status_sent.json"),
            ("delivered", "webhook_status_delivered.json"),
            ("read", "webhook_status_read.json"),
        ] {
            let body = super::status(&NUMBER, &customer(), "wamid.s", status, 1);
            // parent_user_id only comes with parent BSUIDs enabled; read
            // statuses carry no conversation in newer payloads.
            assert_covers(
                &body,
                name,
                &[
                    ".entry[].changes[].value.contacts[].parent_user_id",
                    ".entry[].changes[].value.statuses[].conversation.expiration_timestamp",
                    ".entry[].changes[].value.statuses[].conversation",
                ],
            );
            let items = orderdesk_whatsapp::split_webhook(&to_meta_bytes(&body)).unwrap();
            let parsed = orderdesk_whatsapp::parse_status(&items[0].payload).unwrap();
            assert_eq!(parsed.status, status);
        }
    }

    #[test]
    fn bodies_escape_non_ascii_like_meta_and_the_signature_verifies() {
        let body = message(
            &NUMBER,
            &customer(),
            "wamid.u",
            1,
            json!({"type": "text", "text": {"body": "chai ☕ 🍵"}}),
        );
        let bytes = to_meta_bytes(&body);
        let text = std::str::from_utf8(&bytes).unwrap();
        assert!(text.is_ascii(), "{text}");
        assert!(
            text.contains(r"Zo\u00eb") && text.contains(r"\u2615 \ud83c\udf75"),
            "{text}"
        );
        let back: Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(back, body);
        let signature = orderdesk_whatsapp::sign(b"secret", &bytes);
        orderdesk_whatsapp::verify_signature(b"secret", Some(&signature), &bytes).unwrap();
        assert!(orderdesk_whatsapp::verify_signature(b"other", Some(&signature), &bytes).is_err());
    }
}
