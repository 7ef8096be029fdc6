//! Stored message and status items read back for the chat thread.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use orderdesk_whatsapp::{parse_chat_message, parse_status, split_webhook};

fn items(name: &str) -> Vec<orderdesk_whatsapp::InboundItem> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/fixtures/whatsapp")
        .join(name);
    split_webhook(&std::fs::read(&path).expect("fixture present")).unwrap()
}

#[test]
fn every_message_sample_reads_as_a_chat_line_with_its_sender() {
    let dir =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures/whatsapp");
    let mut read = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !name.starts_with("webhook_") {
            continue;
        }
        for item in items(&name) {
            if item.kind.starts_with("message.") {
                let m = parse_chat_message(&item.payload).unwrap_or_else(|e| panic!("{name}: {e}"));
                assert!(!m.text.is_empty(), "{name}");
                assert_eq!(m.wamid, item.external_id, "{name}");
                read += 1;
            }
        }
    }
    assert!(read >= 15, "only {read} messages read");
}

#[test]
fn text_and_button_replies_keep_what_the_customer_saw() {
    let text = parse_chat_message(&items("webhook_text.json")[0].payload).unwrap();
    assert_eq!(text.kind, "text");
    assert!(text.wa_id.is_some());
    let tap =
        parse_chat_message(&items("webhook_interactive_button_reply.json")[0].payload).unwrap();
    assert_eq!(tap.kind, "interactive");
    assert!(tap.reply_id.is_some(), "the tapped button's id is kept");
    assert!(
        !tap.text.starts_with('['),
        "the button title is the text: {}",
        tap.text
    );
}

#[test]
fn statuses_read_with_their_state_and_failure_reason() {
    for (file, state) in [
        ("webhook_status_sent.json", "sent"),
        ("webhook_status_delivered.json", "delivered"),
        ("webhook_status_read.json", "read"),
    ] {
        let s = parse_status(&items(file)[0].payload).unwrap();
        assert_eq!(s.status, state, "{file}");
        assert!(s.wamid.starts_with("wamid."), "{file}");
        assert_eq!(s.error, None);
    }
    let failed = parse_status(&items("webhook_status_failed.json")[0].payload).unwrap();
    assert_eq!(failed.status, "failed");
    assert!(failed.error.unwrap().starts_with("131049: "));
}

#[test]
fn unreadable_items_are_errors_not_panics() {
    assert!(parse_chat_message("not json").is_err());
    assert!(parse_chat_message("{}").is_err());
    assert!(parse_status(r#"{"status":{"status":"read"}}"#).is_err());
}

/// A text webhook whose message carries `extra` as an unknown field and
/// whose contact name is the JSON string literal `name`.
fn odd_text(extra: &str, name: &str) -> String {
    format!(
        r#"{{"object":"whatsapp_business_account","entry":[{{"id":"1","changes":[{{"field":"messages","value":{{
            "metadata":{{"phone_number_id":"1"}},
            "contacts":[{{"profile":{{"name":{name}}},"wa_id":"16505551234"}}],
            "messages":[{{"from":"16505551234","id":"wamid.odd","timestamp":"1750096325","type":"text",
                "text":{{"body":"hello \ud83d\ude00 \udc00"}},"future_field":{extra}}}]}}}}]}}]}}"#
    )
}

#[test]
fn a_text_with_an_unknown_field_nested_deeper_than_serde_json_recurses_still_reads() {
    let deep = format!("{}1{}", "[".repeat(5000), "]".repeat(5000));
    let body = odd_text(&deep, r#""Sheena""#);
    let items = split_webhook(body.as_bytes()).unwrap();
    let m = parse_chat_message(&items[0].payload).unwrap();
    assert_eq!(m.wamid, "wamid.odd");
    assert_eq!(m.text, "hello \u{1f600} \u{fffd}");
    assert_eq!(m.name.as_deref(), Some("Sheena"));
}

#[test]
fn a_lone_surrogate_in_the_name_is_replaced_not_fatal() {
    let body = odd_text("null", r#""Sh\ud800eena \ud83d\ude00""#);
    let items = split_webhook(body.as_bytes()).unwrap();
    let m = parse_chat_message(&items[0].payload).unwrap();
    assert_eq!(m.name.as_deref(), Some("Sh\u{fffd}eena \u{1f600}"));
    assert_eq!(m.wa_id.as_deref(), Some("16505551234"));
}

#[test]
fn a_shared_location_reads_as_its_name_and_a_map_link() {
    let place = parse_chat_message(&items("webhook_location.json")[0].payload).unwrap();
    assert_eq!(
        place.text,
        "[location] Philz Coffee, 101 Forest Ave, Palo Alto, CA 94301 \
         https://www.openstreetmap.org/?mlat=37.44221&mlon=-122.16166#map=17/37.44221/-122.16166"
    );
    let pin = parse_chat_message(&items("webhook_location_current.json")[0].payload).unwrap();
    assert_eq!(
        pin.text,
        "[location] https://www.openstreetmap.org/?mlat=12.25089&mlon=43.90539#map=17/12.25089/43.90539"
    );
}
