//! Answers to the native commerce messages: the address a customer filled
//! in WhatsApp's own form (`nfm_reply` named `address_message`, its
//! `response_json` a JSON-encoded string) and the payment statuses
//! WhatsApp reports for an `order_details` message (`statuses[]` with
//! `type: "payment"`, WHATSAPP.md §1.6, §2.8–2.9).

use orderdesk_domain::Address;
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::raw::{Loose, Lossy};

/// A native form's answer as the customer's message carries it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NfmReply {
    /// `address_message` for the address form, `flow` for a Flow.
    pub name: String,
    /// The answer, a JSON object encoded as a string.
    pub response_json: String,
}

impl NfmReply {
    pub fn is_address(&self) -> bool {
        self.name == "address_message"
    }

    /// What the chat thread shows for it: the address as one line, or
    /// `[form]` for anything else.
    pub fn describe(&self) -> String {
        match (self.is_address(), native_address(&self.response_json)) {
            (true, Ok(a)) => {
                let parts = [&a.line1, &a.line2, &a.city, &a.postal_code];
                let line: Vec<&str> = parts
                    .iter()
                    .map(|s| s.as_str())
                    .filter(|s| !s.trim().is_empty())
                    .collect();
                format!("[address] {}", line.join(", "))
            }
            (true, Err(_)) => "[address]".to_owned(),
            (false, _) => "[form]".to_owned(),
        }
    }
}

/// Our address form's fields and the `address_message` fields that carry
/// them, for prefilling the form and placing a problem under its field.
/// (`country` has none: the form is India's.)
pub const ADDRESS_FIELDS: &[(&str, &str)] = &[
    ("name", "name"),
    ("phone", "phone_number"),
    ("line1", "address"),
    ("line2", "landmark_area"),
    ("city", "city"),
    ("state", "state"),
    ("postal_code", "in_pin_code"),
];

impl NfmReply {
    /// The `address_message` values that prefill WhatsApp's form with `a`.
    pub fn prefill(a: &Address) -> Vec<(&'static str, String)> {
        let value = |field: &str| match field {
            "name" => a.name.clone(),
            "phone" => a.phone.clone(),
            "line1" => a.line1.clone(),
            "line2" => a.line2.clone(),
            "city" => a.city.clone(),
            "state" => a.state.clone(),
            "postal_code" => a.postal_code.clone(),
            _ => String::new(),
        };
        ADDRESS_FIELDS
            .iter()
            .map(|(ours, theirs)| (*theirs, value(ours)))
            .collect()
    }
}

/// Why an `address_message` answer could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unreadable address answer: {0}")]
pub struct NativeAddressError(String);

/// The address in an `address_message` answer, as our form's fields (not
/// yet normalised or checked: that is the form's rule, applied by the
/// caller). The fields may sit at the top of the object or under `values`
/// (Meta's sample); the flat, house, floor, tower and building parts make
/// up the first line with the street, the landmark the second.
///
/// # Errors
/// When `response_json` is not a JSON object.
pub fn native_address(response_json: &str) -> Result<Address, NativeAddressError> {
    let top: Map<String, Value> =
        serde_json::from_str(response_json).map_err(|e| NativeAddressError(e.to_string()))?;
    let values = match top.get("values") {
        Some(Value::Object(v)) => v,
        _ => &top,
    };
    let text = |key: &str| -> String {
        match values.get(key) {
            Some(Value::String(s)) => s.trim().to_owned(),
            Some(Value::Number(n)) => n.to_string(),
            _ => String::new(),
        }
    };
    let join = |parts: Vec<String>| -> String {
        parts
            .into_iter()
            .filter(|p| !p.is_empty())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let labelled = |label: &str, key: &str| {
        let v = text(key);
        if v.is_empty() {
            v
        } else {
            format!("{label} {v}")
        }
    };
    let country = match text("country") {
        c if c.is_empty() => "IN".to_owned(),
        c => c,
    };
    Ok(Address {
        name: text("name"),
        phone: text("phone_number"),
        line1: join(vec![
            text("house_number"),
            labelled("Floor", "floor_number"),
            labelled("Tower", "tower_number"),
            text("building_name"),
            text("address"),
        ]),
        line2: text("landmark_area"),
        city: text("city"),
        state: text("state"),
        postal_code: text("in_pin_code"),
        country,
    })
}

/// A payment status WhatsApp reported for one of our `order_details`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentStatusIn {
    /// `captured`, `failed` or `pending`.
    pub status: String,
    /// The `reference_id` our `order_details` carried.
    pub reference_id: Option<String>,
    /// `(value, offset)`: value / offset in the currency's units.
    pub amount: Option<(i64, i64)>,
    pub currency: Option<String>,
    /// The payment's transaction id, when given.
    pub transaction_id: Option<String>,
}

#[derive(Deserialize)]
struct Item {
    #[serde(default)]
    status: Option<Status>,
}

#[derive(Deserialize)]
struct Status {
    #[serde(default)]
    status: Lossy,
    #[serde(default)]
    payment: Loose<Payment>,
}

#[derive(Deserialize, Default)]
struct Payment {
    #[serde(default)]
    reference_id: Lossy,
    #[serde(default)]
    amount: Loose<Amount>,
    #[serde(default)]
    currency: Lossy,
    #[serde(default)]
    transaction: Loose<Transaction>,
}

#[derive(Deserialize, Default)]
struct Amount {
    #[serde(default)]
    value: Option<i64>,
    #[serde(default)]
    offset: Option<i64>,
}

#[derive(Deserialize, Default)]
struct Transaction {
    #[serde(default)]
    id: Lossy,
}

/// Reads a stored `status.payment.*` item.
///
/// # Errors
/// When the payload is not JSON or holds no status.
pub fn parse_payment_status(payload: &str) -> Result<PaymentStatusIn, crate::ItemError> {
    let item: Item =
        serde_json::from_str(payload).map_err(|e| crate::ItemError::new(e.to_string()))?;
    let s = item
        .status
        .ok_or_else(|| crate::ItemError::new("item without a status".into()))?;
    let p = s.payment.0;
    let amount = match (p.amount.0.value, p.amount.0.offset) {
        (Some(v), Some(o)) if o > 0 => Some((v, o)),
        _ => None,
    };
    Ok(PaymentStatusIn {
        status: s
            .status
            .text()
            .ok_or_else(|| crate::ItemError::new("payment status without a state".into()))?,
        reference_id: p.reference_id.text(),
        amount,
        currency: p.currency.text(),
        transaction_id: p.transaction.0.id.text(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_answer_becomes_the_form_fields() {
        let json = r#"{"saved_address_id":"a1","values":{"name":"Priya","phone_number":"+919822200003","in_pin_code":"700016","house_number":"4","floor_number":"2","tower_number":"","building_name":"Park Mansions","address":"Park Street","landmark_area":"Near the museum","city":"Kolkata","state":"West Bengal"}}"#;
        let a = native_address(json).unwrap();
        assert_eq!(a.line1, "4, Floor 2, Park Mansions, Park Street");
        assert_eq!(a.line2, "Near the museum");
        assert_eq!(
            (a.postal_code.as_str(), a.country.as_str()),
            ("700016", "IN")
        );
        assert_eq!(a.phone, "+919822200003");
        let flat = native_address(r#"{"name":"A","in_pin_code":123}"#).unwrap();
        assert_eq!(flat.postal_code, "123");
        assert!(native_address("not json").is_err());
        let reply = NfmReply {
            name: "address_message".into(),
            response_json: json.into(),
        };
        assert_eq!(
            reply.describe(),
            "[address] 4, Floor 2, Park Mansions, Park Street, Near the museum, Kolkata, 700016"
        );
    }

    #[test]
    fn a_payment_status_names_its_reference_and_amount() {
        let payload = r#"{"metadata":null,"contact":null,"status":{"id":"wamid.1","type":"payment","status":"captured","payment":{"reference_id":"order-1001","amount":{"value":2900,"offset":100},"currency":"INR","transaction":{"id":"txn-1","status":"success"}},"timestamp":"1"}}"#;
        let p = parse_payment_status(payload).unwrap();
        assert_eq!(p.status, "captured");
        assert_eq!(p.reference_id.as_deref(), Some("order-1001"));
        assert_eq!(p.amount, Some((2900, 100)));
        assert_eq!(p.transaction_id.as_deref(), Some("txn-1"));
        // Meta's bare sample: no amount, still read.
        let bare = r#"{"status":{"id":"w","type":"payment","status":"failed","payment":{"reference_id":"r"}}}"#;
        assert_eq!(parse_payment_status(bare).unwrap().amount, None);
    }
}
