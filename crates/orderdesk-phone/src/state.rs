//! What the simulated phones hold: customers, and each one's thread with
//! the business. Pure data and rules, no I/O; the simulator wraps it in a
//! mutex and bumps a version on every change so pages and tests can ask
//! for "everything since version N".

use serde::Serialize;
use sha2::{Digest, Sha256};

/// A simulated WhatsApp user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Customer {
    /// The phone number in international form without `+` (`919812345601`).
    pub wa_id: String,
    /// The business-scoped user id (BSUID), e.g. `IN.40213365180947262203`.
    pub user_id: String,
    /// The WhatsApp profile name.
    pub name: String,
}

/// Who wrote a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    Customer,
    Business,
}

/// Delivery state of a message, as ticks show it; it only moves forward.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Tick {
    /// Not yet accepted by the other side.
    Pending,
    /// One grey tick.
    Sent,
    /// Two grey ticks.
    Delivered,
    /// Two blue ticks.
    Read,
    /// Gave up (the server kept refusing the webhook).
    Failed,
}

/// A reply button or list row the customer can tap.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Choice {
    pub id: String,
    pub title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// A `cta_url` button.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Link {
    pub label: String,
    pub url: String,
}

/// The list a `list` message opens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ListView {
    pub button: String,
    pub sections: Vec<ListSectionView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ListSectionView {
    pub title: Option<String>,
    pub rows: Vec<Choice>,
}

/// One line of a cart the customer sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CartLineView {
    pub retailer_id: String,
    pub title: String,
    pub quantity: u32,
    pub price_minor: i64,
    pub currency: String,
}

/// A cart the customer sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CartView {
    pub items: Vec<CartLineView>,
    pub total_minor: i64,
    pub currency: String,
}

/// What a tapped button or row answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReplyView {
    /// `button_reply` or `list_reply`.
    pub kind: String,
    pub id: String,
    pub title: String,
    /// The business message it answers.
    pub to: String,
}

/// One message of a thread, in either direction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Message {
    pub wamid: String,
    pub from: Side,
    /// `text`, `order`, `interactive` (button/list/cta_url), `template`, `reply`.
    pub kind: String,
    /// Body text (for a cart: the text sent with it).
    pub text: Option<String>,
    pub header: Option<String>,
    pub footer: Option<String>,
    pub buttons: Vec<Choice>,
    pub link: Option<Link>,
    pub list: Option<ListView>,
    pub cart: Option<CartView>,
    pub reply: Option<ReplyView>,
    /// A native commerce message (`address_message`, `order_details`,
    /// `order_status`, `product`, `product_list`) as the phone renders it:
    /// `{"type", …}` (see `graph::read_commerce`).
    pub native: Option<serde_json::Value>,
    /// The message this one quotes (`context.message_id`).
    pub reply_to: Option<String>,
    pub status: Tick,
    /// Unix seconds.
    pub at: i64,
    /// The state version at which this message last changed.
    pub version: u64,
}

impl Message {
    /// A message with only the essentials; fill in the rest with struct update syntax.
    pub fn new(wamid: String, from: Side, kind: &str, at: i64) -> Self {
        Self {
            wamid,
            from,
            kind: kind.to_owned(),
            text: None,
            header: None,
            footer: None,
            buttons: Vec::new(),
            link: None,
            list: None,
            cart: None,
            reply: None,
            native: None,
            reply_to: None,
            status: Tick::Pending,
            at,
            version: 0,
        }
    }
}

/// Why a customer could not be added.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CustomerError {
    Name,
    Phone,
}

/// Every customer and thread.
#[derive(Debug, Default)]
pub struct Phones {
    threads: Vec<Thread>,
    version: u64,
}

#[derive(Debug)]
struct Thread {
    customer: Customer,
    messages: Vec<Message>,
}

/// A thread's changes since some version.
#[derive(Debug, Clone, Serialize)]
pub struct ThreadChanges {
    pub customer: Customer,
    /// Ask again with `after` = this to get only later changes.
    pub version: u64,
    /// Messages added or changed after the version asked for, oldest first.
    pub messages: Vec<Message>,
}

/// A phone number as WhatsApp ids it: digits only, with India's country
/// code added to a bare ten-digit mobile number.
pub fn normalise_phone(phone: &str) -> Option<String> {
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    let stray = phone
        .chars()
        .any(|c| !(c.is_ascii_digit() || matches!(c, '+' | ' ' | '-' | '(' | ')')));
    let digits = if digits.len() == 10 && !phone.trim_start().starts_with('+') {
        format!("91{digits}")
    } else {
        digits
    };
    (!stray && (8..=15).contains(&digits.len()) && !digits.starts_with('0')).then_some(digits)
}

/// A stable business-scoped user id for a phone number: the country's
/// ISO code, a dot, and twenty digits derived from the number.
pub fn user_id_for(wa_id: &str) -> String {
    let country = [
        ("91", "IN"),
        ("971", "AE"),
        ("44", "GB"),
        ("65", "SG"),
        ("61", "AU"),
        ("49", "DE"),
        ("1", "US"),
    ]
    .iter()
    .find(|(code, _)| wa_id.starts_with(code))
    .map_or("IN", |(_, iso)| iso);
    let digest = Sha256::digest(wa_id.as_bytes());
    let digits: String = digest
        .iter()
        .take(20)
        .map(|b| char::from(b'0' + b % 10))
        .collect();
    format!("{country}.{digits}")
}

impl Phones {
    /// The current version; every change increments it.
    pub fn version(&self) -> u64 {
        self.version
    }

    fn bump(&mut self) -> u64 {
        self.version += 1;
        self.version
    }

    pub fn customers(&self) -> Vec<Customer> {
        self.threads.iter().map(|t| t.customer.clone()).collect()
    }

    /// Adds a customer, or returns the one with that number already.
    ///
    /// # Errors
    /// A blank or over-long name, or a phone number that is not 8–15 digits.
    pub fn add_customer(&mut self, name: &str, phone: &str) -> Result<Customer, CustomerError> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 60 {
            return Err(CustomerError::Name);
        }
        let wa_id = normalise_phone(phone).ok_or(CustomerError::Phone)?;
        if let Some(existing) = self.customer(&wa_id) {
            return Ok(existing.clone());
        }
        let customer = Customer {
            user_id: user_id_for(&wa_id),
            wa_id,
            name: name.to_owned(),
        };
        self.threads.push(Thread {
            customer: customer.clone(),
            messages: Vec::new(),
        });
        self.bump();
        Ok(customer)
    }

    /// The customer with this `wa_id` or `user_id`.
    pub fn customer(&self, id: &str) -> Option<&Customer> {
        self.thread(id).map(|t| &t.customer)
    }

    fn thread(&self, id: &str) -> Option<&Thread> {
        self.threads
            .iter()
            .find(|t| t.customer.wa_id == id || t.customer.user_id == id)
    }

    fn thread_mut(&mut self, id: &str) -> Option<&mut Thread> {
        self.threads
            .iter_mut()
            .find(|t| t.customer.wa_id == id || t.customer.user_id == id)
    }

    /// Appends a message to the customer's thread; `None` for an unknown customer.
    pub fn push(&mut self, customer: &str, mut message: Message) -> Option<u64> {
        let version = self.version + 1;
        message.version = version;
        self.thread_mut(customer)?.messages.push(message);
        self.version = version;
        Some(version)
    }

    /// The message with this wamid and whose thread it is in.
    pub fn message(&self, wamid: &str) -> Option<(&Customer, &Message)> {
        self.threads.iter().find_map(|t| {
            t.messages
                .iter()
                .find(|m| m.wamid == wamid)
                .map(|m| (&t.customer, m))
        })
    }

    /// Moves a message's tick forward (never back; `failed` only from
    /// before `delivered`). Returns whether it changed.
    pub fn set_tick(&mut self, wamid: &str, tick: Tick) -> bool {
        let version = self.version + 1;
        let Some(message) = self
            .threads
            .iter_mut()
            .flat_map(|t| t.messages.iter_mut())
            .find(|m| m.wamid == wamid)
        else {
            return false;
        };
        let advances = match tick {
            Tick::Failed => message.status < Tick::Delivered,
            _ => message.status < tick && message.status != Tick::Failed,
        };
        if advances {
            message.status = tick;
            message.version = version;
            self.version = version;
        }
        advances
    }

    /// Sets `key` of a native message's view (`paid`, `answered`), so the
    /// phone shows it done. Returns whether there was such a message.
    pub fn mark_native(&mut self, wamid: &str, key: &str) -> bool {
        let version = self.version + 1;
        let Some(message) = self
            .threads
            .iter_mut()
            .flat_map(|t| t.messages.iter_mut())
            .find(|m| m.wamid == wamid && m.native.is_some())
        else {
            return false;
        };
        if let Some(view) = message.native.as_mut() {
            view[key] = serde_json::Value::Bool(true);
        }
        message.version = version;
        self.version = version;
        true
    }

    /// Marks `wamid` and every earlier message from the same side of its
    /// thread read, as WhatsApp does; returns the wamids that changed.
    pub fn read_up_to(&mut self, wamid: &str) -> Vec<String> {
        let Some(thread) = self
            .threads
            .iter()
            .position(|t| t.messages.iter().any(|m| m.wamid == wamid))
        else {
            return Vec::new();
        };
        let messages = &self.threads[thread].messages;
        let Some(end) = messages.iter().position(|m| m.wamid == wamid) else {
            return Vec::new();
        };
        let side = messages[end].from;
        let targets: Vec<String> = messages[..=end]
            .iter()
            .filter(|m| m.from == side && m.status < Tick::Read && m.status != Tick::Failed)
            .map(|m| m.wamid.clone())
            .collect();
        targets
            .into_iter()
            .filter(|w| self.set_tick(w, Tick::Read))
            .collect()
    }

    /// The business's messages in this thread that the customer has not
    /// read yet (delivered or earlier), oldest first.
    pub fn unread_from_business(&self, customer: &str) -> Vec<String> {
        self.thread(customer)
            .map(|t| {
                t.messages
                    .iter()
                    .filter(|m| m.from == Side::Business && m.status < Tick::Read)
                    .map(|m| m.wamid.clone())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The thread's messages changed after `after`; `None` for an unknown customer.
    pub fn changes(&self, customer: &str, after: u64) -> Option<ThreadChanges> {
        let thread = self.thread(customer)?;
        Some(ThreadChanges {
            customer: thread.customer.clone(),
            version: self.version,
            messages: thread
                .messages
                .iter()
                .filter(|m| m.version > after)
                .cloned()
                .collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(wamid: &str, from: Side) -> Message {
        Message::new(wamid.into(), from, "text", 0)
    }

    #[test]
    fn phone_numbers_become_wa_ids() {
        assert_eq!(
            normalise_phone("98123 45601").as_deref(),
            Some("919812345601")
        );
        assert_eq!(
            normalise_phone("+91 98123-45601").as_deref(),
            Some("919812345601")
        );
        assert_eq!(
            normalise_phone("+44 7700 900123").as_deref(),
            Some("447700900123")
        );
        assert_eq!(normalise_phone("12345"), None);
        assert_eq!(normalise_phone("98123x45601"), None);
    }

    #[test]
    fn user_ids_are_stable_and_scoped_by_country() {
        let id = user_id_for("919812345601");
        assert_eq!(id, user_id_for("919812345601"));
        assert!(id.starts_with("IN.") && id.len() == 23, "{id}");
        assert!(user_id_for("447700900123").starts_with("GB."));
        assert_ne!(id, user_id_for("919812345602"));
    }

    #[test]
    fn adding_a_known_number_returns_the_same_customer() {
        let mut phones = Phones::default();
        let a = phones.add_customer("Asha", "9812345601").unwrap();
        let b = phones
            .add_customer("Someone else", "+91 98123 45601")
            .unwrap();
        assert_eq!(a, b);
        assert_eq!(phones.customers().len(), 1);
        assert_eq!(
            phones.add_customer(" ", "9812345601"),
            Err(CustomerError::Name)
        );
    }

    #[test]
    fn ticks_only_move_forward_and_changes_are_versioned() {
        let mut phones = Phones::default();
        let c = phones.add_customer("Asha", "9812345601").unwrap();
        phones.push(&c.wa_id, text("w1", Side::Customer)).unwrap();
        let v = phones.version();
        assert!(phones.set_tick("w1", Tick::Read));
        assert!(!phones.set_tick("w1", Tick::Delivered));
        assert!(!phones.set_tick("w1", Tick::Failed));
        let changes = phones.changes(&c.user_id, v).unwrap();
        assert_eq!(changes.messages.len(), 1);
        assert_eq!(changes.messages[0].status, Tick::Read);
        assert!(phones
            .changes(&c.wa_id, changes.version)
            .unwrap()
            .messages
            .is_empty());
    }

    #[test]
    fn reading_a_message_reads_the_earlier_ones_from_the_same_side() {
        let mut phones = Phones::default();
        let c = phones.add_customer("Asha", "9812345601").unwrap();
        for (w, side) in [
            ("a", Side::Customer),
            ("b", Side::Business),
            ("c", Side::Customer),
        ] {
            phones.push(&c.wa_id, text(w, side)).unwrap();
            phones.set_tick(w, Tick::Delivered);
        }
        assert_eq!(phones.read_up_to("c"), vec!["a".to_owned(), "c".to_owned()]);
        assert_eq!(phones.unread_from_business(&c.wa_id), vec!["b".to_owned()]);
    }
}
