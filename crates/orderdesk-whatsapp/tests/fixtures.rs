//! The real webhook samples in `shared/fixtures/whatsapp/` against the
//! signature check, the splitter and the cart reader.

use std::collections::HashSet;
use std::path::PathBuf;

use orderdesk_domain::{Currency, LineItem, NewOrder, Timestamp};
use orderdesk_whatsapp::{
    parse_cart, sign, split_webhook, verify_signature, InboundItem, SignatureError,
};
use serde_json::{json, Value};

const SECRET: &[u8] = b"test_app_secret";

fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures/whatsapp")
}

/// Every inbound sample, by file name. Panics rather than skipping when the
/// shared fixtures are not where they should be.
fn webhook_fixtures() -> Vec<(String, Vec<u8>)> {
    let dir = fixtures_dir();
    let entries = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("fixtures directory {} is unreadable: {e}", dir.display()));
    let mut files: Vec<(String, Vec<u8>)> = entries
        .map(|entry| {
            entry
                .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
                .path()
        })
        .filter_map(|path| {
            let name = path.file_name()?.to_str()?.to_owned();
            (name.starts_with("webhook_") && name.ends_with(".json"))
                .then(|| (name, fixture_at(&path)))
        })
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no webhook_*.json in {}", dir.display());
    files
}

fn fixture(name: &str) -> Vec<u8> {
    fixture_at(&fixtures_dir().join(name))
}

fn fixture_at(path: &std::path::Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn split(name: &str) -> Vec<InboundItem> {
    split_webhook(&fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn payload(item: &InboundItem) -> Value {
    serde_json::from_str(&item.payload)
        .unwrap_or_else(|e| panic!("payload of {} is not JSON: {e}", item.external_id))
}

const OAS_PHONE: &str = "16505551234";
const PYWA_USER: &str = "US.13491208655302741918";

/// (file, kinds in order, customer key of every item)
const EXPECTED: &[(&str, &[&str], Option<&str>)] = &[
    ("webhook_button.json", &["message.button"], Some(OAS_PHONE)),
    (
        "webhook_contacts.json",
        &["message.contacts"],
        Some(OAS_PHONE),
    ),
    ("webhook_image.json", &["message.image"], Some(OAS_PHONE)),
    (
        "webhook_interactive_button_reply.json",
        &["message.interactive"],
        Some(OAS_PHONE),
    ),
    (
        "webhook_interactive_list_reply.json",
        &["message.interactive"],
        Some(OAS_PHONE),
    ),
    (
        "webhook_location.json",
        &["message.location"],
        Some(OAS_PHONE),
    ),
    (
        "webhook_location_current.json",
        &["message.location"],
        Some(PYWA_USER),
    ),
    (
        "webhook_nfm_reply.json",
        &["message.interactive"],
        Some(PYWA_USER),
    ),
    ("webhook_order.json", &["message.order"], Some(OAS_PHONE)),
    (
        "webhook_order_multi_item.json",
        &["message.order"],
        Some(PYWA_USER),
    ),
    (
        "webhook_order_with_text.json",
        &["message.order"],
        Some(OAS_PHONE),
    ),
    (
        "webhook_reaction.json",
        &["message.reaction"],
        Some(OAS_PHONE),
    ),
    (
        "webhook_status_delivered.json",
        &["status.delivered"],
        Some(PYWA_USER),
    ),
    (
        "webhook_status_failed.json",
        &["status.failed"],
        Some(OAS_PHONE),
    ),
    (
        "webhook_status_failed_130472.json",
        &["status.failed"],
        Some(PYWA_USER),
    ),
    // A Postman template with placeholders kept verbatim, hence the odd status.
    (
        "webhook_status_payment.json",
        &["status.payment.<captured | failed | pending>"],
        Some("PHONE_NUMBER"),
    ),
    (
        "webhook_status_read.json",
        &["status.read"],
        Some(PYWA_USER),
    ),
    (
        "webhook_status_sent.json",
        &["status.sent"],
        Some(PYWA_USER),
    ),
    (
        "webhook_status_sent_pmp.json",
        &["status.sent"],
        Some(OAS_PHONE),
    ),
    (
        "webhook_status_with_biz_opaque_callback_data.json",
        &["status.sent"],
        Some(PYWA_USER),
    ),
    (
        "webhook_system_user_changed_number.json",
        &["message.system"],
        Some(OAS_PHONE),
    ),
    ("webhook_text.json", &["message.text"], Some(OAS_PHONE)),
    (
        "webhook_text_ctwa_referral.json",
        &["message.text"],
        Some(OAS_PHONE),
    ),
    (
        "webhook_text_product_inquiry.json",
        &["message.text"],
        Some(OAS_PHONE),
    ),
    (
        "webhook_text_reply_context.json",
        &["message.text"],
        Some(PYWA_USER),
    ),
    (
        "webhook_unsupported.json",
        &["message.unsupported"],
        Some(OAS_PHONE),
    ),
];

#[test]
fn every_webhook_fixture_splits_into_items_named_after_their_wamid_and_type() {
    for (name, body) in webhook_fixtures() {
        let items = split_webhook(&body).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(!items.is_empty(), "{name} split into nothing");
        for item in &items {
            let p = payload(item);
            assert!(
                p["metadata"]["phone_number_id"].is_string(),
                "{name}: no routing key"
            );
            if let Some(message) = p.get("message") {
                assert_eq!(
                    item.kind,
                    format!("message.{}", message["type"].as_str().unwrap())
                );
                assert_eq!(item.external_id, message["id"].as_str().unwrap(), "{name}");
            } else if let Some(status) = p.get("status") {
                let id = status["id"].as_str().unwrap();
                let ts = status["timestamp"].as_str().unwrap();
                assert!(item.kind.starts_with("status."), "{name}: {}", item.kind);
                assert!(item.external_id.starts_with(&format!("{id}/")), "{name}");
                assert!(item.external_id.ends_with(&format!("/{ts}")), "{name}");
            } else {
                panic!("{name}: item {item:?} is neither a message nor a status");
            }
        }
        if let Some((_, kinds, key)) = EXPECTED.iter().find(|(file, ..)| *file == name) {
            let got: Vec<&str> = items.iter().map(|i| i.kind.as_str()).collect();
            assert_eq!(&got, kinds, "{name}");
            for item in &items {
                assert_eq!(item.customer_key.as_deref(), *key, "{name}");
            }
        }
    }
}

#[test]
fn every_expected_fixture_is_present() {
    let present: HashSet<String> = webhook_fixtures().into_iter().map(|(n, _)| n).collect();
    for (name, ..) in EXPECTED {
        assert!(
            present.contains(*name),
            "{name} is missing from the fixtures"
        );
    }
}

#[test]
fn splitting_the_same_fixture_twice_yields_identical_items() {
    for (name, body) in webhook_fixtures() {
        let first = split_webhook(&body).unwrap();
        let second = split_webhook(&body.clone()).unwrap();
        assert_eq!(first, second, "{name}");
    }
}

#[test]
fn the_contact_matching_the_sender_travels_with_the_message() {
    let items = split("webhook_order_multi_item.json");
    let p = payload(&items[0]);
    assert_eq!(p["contact"]["user_id"], PYWA_USER);
    assert_eq!(
        p["contact"]["parent_user_id"],
        "US.ENT.11815799212886844830"
    );
    assert_eq!(p["contact"]["profile"]["name"], "Test Name");
    assert_eq!(p["metadata"]["phone_number_id"], "1122334455667");
}

#[test]
fn a_system_message_without_contacts_is_keyed_by_its_sender() {
    let items = split("webhook_system_user_changed_number.json");
    let p = payload(&items[0]);
    assert!(p["contact"].is_null());
    assert_eq!(p["message"]["system"]["wa_id"], "12195555358");
    assert_eq!(items[0].customer_key.as_deref(), Some(OAS_PHONE));
}

#[test]
fn fields_we_do_not_model_are_kept_in_the_payload() {
    let p = payload(&split("webhook_text_ctwa_referral.json")[0]);
    assert_eq!(
        p["message"]["referral"]["welcome_message"]["text"],
        "Hi there! Let us know how we can help!"
    );
    let p = payload(&split("webhook_status_with_biz_opaque_callback_data.json")[0]);
    assert_eq!(p["status"]["biz_opaque_callback_data"], "some data");
    assert_eq!(p["status"]["pricing"]["pricing_model"], "CBP");
    let p = payload(&split("webhook_unsupported.json")[0]);
    assert_eq!(p["message"]["errors"][0]["code"], 131051);
}

#[test]
fn statuses_of_one_message_get_a_distinct_id_per_status() {
    let files = [
        "webhook_status_sent.json",
        "webhook_status_delivered.json",
        "webhook_status_read.json",
        "webhook_status_failed_130472.json",
    ];
    let ids: Vec<String> = files
        .iter()
        .map(|f| split(f)[0].external_id.clone())
        .collect();
    assert_eq!(ids[0], "wamid.xyzxyz/sent/1698266945");
    assert_eq!(ids[1], "wamid.xyzxyz/delivered/1698266945");
    assert_eq!(ids[2], "wamid.xyzxyz/read/1689380458");
    assert_eq!(ids[3], "wamid.xyzxyz/failed/1689380458");
    assert_eq!(ids.iter().collect::<HashSet<_>>().len(), files.len());
}

#[test]
fn the_order_with_text_parses_into_exact_minor_units_and_keeps_the_text() {
    let items = split("webhook_order_with_text.json");
    let cart = parse_cart(&items[0].payload).unwrap();
    let usd = Currency::parse("USD").unwrap();
    let lines: Vec<(&str, i64, i64, Currency)> = cart
        .lines
        .iter()
        .map(|l| {
            (
                l.retailer_id.as_str(),
                l.quantity,
                l.price.minor(),
                l.price.currency(),
            )
        })
        .collect();
    assert_eq!(
        lines,
        [("di9ozbzfi4", 2, 3000, usd), ("nqryix03ez", 1, 2500, usd)]
    );
    assert_eq!(cart.text.as_deref(), Some("Love these!"));
    assert_eq!(cart.catalog_id.as_deref(), Some("194836987003835"));
    assert_eq!(cart.sent_at, Some(1_750_096_325));
    assert_eq!(cart.customer.wa_id.as_deref(), Some(OAS_PHONE));
    assert_eq!(cart.customer.user_id, None);
    assert_eq!(cart.customer.name.as_deref(), Some("Sheena Nelson"));

    let lines = cart
        .lines
        .iter()
        .map(|l| {
            let item = LineItem {
                retailer_id: l.retailer_id.clone(),
                name: String::new(),
                quantity: l.quantity,
                unit_price_minor: l.price.minor(),
            };
            (item, l.price.currency())
        })
        .collect();
    let order = NewOrder::from_cart(cart.customer, lines, cart.text, Timestamp::default()).unwrap();
    assert_eq!(order.total_minor, 2 * 3000 + 2500);
}

#[test]
fn an_order_with_empty_text_has_no_text() {
    let cart = parse_cart(&split("webhook_order.json")[0].payload).unwrap();
    assert_eq!(cart.text, None);
    let minors: Vec<i64> = cart.lines.iter().map(|l| l.price.minor()).collect();
    assert_eq!(minors, [3000, 2500]);
}

#[test]
fn a_multi_item_order_from_a_bsuid_customer_keeps_both_identifiers() {
    let cart = parse_cart(&split("webhook_order_multi_item.json")[0].payload).unwrap();
    let ils = Currency::parse("ILS").unwrap();
    let lines: Vec<(&str, i64, i64)> = cart
        .lines
        .iter()
        .map(|l| (l.retailer_id.as_str(), l.quantity, l.price.minor()))
        .collect();
    assert_eq!(
        lines,
        [
            ("HAMBURGER", 3, 3000),
            ("FRENCH_FRIES", 2, 3500),
            ("SODA", 2, 1000)
        ]
    );
    assert!(cart.lines.iter().all(|l| l.price.currency() == ils));
    assert_eq!(cart.customer.user_id.as_deref(), Some(PYWA_USER));
    assert_eq!(cart.customer.wa_id.as_deref(), Some("972987654321"));
    assert_eq!(cart.sent_at, Some(1_697_044_668));
}

#[test]
fn a_body_with_a_thousand_updates_across_entries_and_changes_splits_into_a_thousand_items() {
    // 4 entries × 2 changes × (100 messages + 25 statuses), about 3 MB.
    let filler = "x".repeat(3_600);
    let mut n = 0;
    let mut entries = Vec::new();
    for e in 0..4 {
        let mut changes = Vec::new();
        for _ in 0..2 {
            let mut messages = Vec::new();
            let mut statuses = Vec::new();
            for _ in 0..100 {
                n += 1;
                messages.push(json!({
                    "from": "16505551234", "id": format!("wamid.M{n}"), "timestamp": "1750000000",
                    "type": "text", "text": { "body": format!("{n} {filler}") }
                }));
            }
            for _ in 0..25 {
                n += 1;
                statuses.push(json!({
                    "id": format!("wamid.S{n}"), "status": "delivered",
                    "timestamp": "1750000000", "recipient_id": "16505551234"
                }));
            }
            changes.push(json!({ "field": "messages", "value": {
                "messaging_product": "whatsapp",
                "metadata": { "display_phone_number": "15550783881", "phone_number_id": "106540352242922" },
                "contacts": [{ "profile": { "name": "Sheena Nelson" }, "wa_id": "16505551234" }],
                "messages": messages, "statuses": statuses
            }}));
        }
        entries.push(json!({ "id": format!("waba{e}"), "changes": changes }));
    }
    let body =
        serde_json::to_vec(&json!({ "object": "whatsapp_business_account", "entry": entries }))
            .unwrap();
    assert!(body.len() > 2_900_000, "body is only {} bytes", body.len());

    let items = split_webhook(&body).unwrap();

    assert_eq!(items.len(), 1_000);
    let ids: HashSet<&str> = items.iter().map(|i| i.external_id.as_str()).collect();
    assert_eq!(ids.len(), 1_000);
    assert_eq!(items[0].external_id, "wamid.M1");
    assert_eq!(items[100].external_id, "wamid.S101/delivered/1750000000");
    assert_eq!(items[999].external_id, "wamid.S1000/delivered/1750000000");
    assert!(items
        .iter()
        .all(|i| i.customer_key.as_deref() == Some(OAS_PHONE)));
}

/// `webhook_text.json` with the text replaced by what Meta sends for
/// "äöå café 👍": every non-ASCII character escaped.
fn escaped_text_body() -> Vec<u8> {
    let text = String::from_utf8(fixture("webhook_text.json"))
        .unwrap_or_else(|e| panic!("webhook_text.json is not UTF-8: {e}"));
    let escaped = r"\u00e4\u00f6\u00e5 caf\u00e9 \ud83d\udc4d";
    let body = text.replace("Does it come in another color?", escaped);
    assert_ne!(body, text);
    body.into_bytes()
}

#[test]
fn non_ascii_text_escaped_by_meta_survives_into_the_payload() {
    let items = split_webhook(&escaped_text_body()).unwrap();
    assert!(
        items[0].payload.contains(r"\u00e4\u00f6\u00e5"),
        "escapes were rewritten"
    );
    assert_eq!(payload(&items[0])["message"]["text"]["body"], "äöå café 👍");

    let p = payload(&split("webhook_contacts.json")[0]);
    assert_eq!(
        p["message"]["contacts"][0]["name"]["formatted_name"],
        "Lucía Gómez"
    );
    let p = payload(&split("webhook_reaction.json")[0]);
    assert_eq!(p["message"]["reaction"]["emoji"], "👍");
}

#[test]
fn the_documented_signature_of_the_order_fixture_verifies() {
    let body = fixture("webhook_order.json");
    let header = "sha256=ff9104f2aafa23f86facdc5427f39617bf046a6473468aa7da110f88e9b6cb3b";
    assert_eq!(sign(SECRET, &body), header);
    assert_eq!(verify_signature(SECRET, Some(header), &body), Ok(()));
}

#[test]
fn a_correct_signature_verifies_for_every_fixture() {
    for (name, body) in webhook_fixtures() {
        let header = sign(SECRET, &body);
        assert_eq!(
            verify_signature(SECRET, Some(&header), &body),
            Ok(()),
            "{name}"
        );
    }
}

#[test]
fn a_single_changed_byte_fails_the_signature() {
    let body = fixture("webhook_order.json");
    let header = sign(SECRET, &body);
    for i in [0, body.len() / 2, body.len() - 1] {
        let mut tampered = body.clone();
        tampered[i] ^= 0x01;
        assert_eq!(
            verify_signature(SECRET, Some(&header), &tampered),
            Err(SignatureError::Mismatch)
        );
    }
    assert_eq!(
        verify_signature(b"other_secret", Some(&header), &body),
        Err(SignatureError::Mismatch)
    );
}

#[test]
fn a_missing_or_garbled_header_fails_the_signature() {
    let body = fixture("webhook_order.json");
    let good = sign(SECRET, &body);
    let digest = good.trim_start_matches("sha256=");
    assert_eq!(
        verify_signature(SECRET, None, &body),
        Err(SignatureError::Missing)
    );
    for garbled in [
        String::new(),
        digest.to_owned(),
        format!("sha1={digest}"),
        format!("SHA256={digest}"),
        format!("sha256={}", &digest[..63]),
        format!("sha256={}zz", &digest[..62]),
        format!("sha256={digest}00"),
        "sha256=".to_owned(),
    ] {
        assert!(
            matches!(
                verify_signature(SECRET, Some(&garbled), &body),
                Err(SignatureError::Malformed(_))
            ),
            "{garbled:?} was not refused as malformed"
        );
    }
}

#[test]
fn an_empty_app_secret_verifies_nothing() {
    let body = fixture("webhook_order.json");
    let header = sign(b"", &body);
    assert_eq!(
        verify_signature(b"", Some(&header), &body),
        Err(SignatureError::NoSecret)
    );
}

#[test]
fn the_signature_covers_the_raw_bytes_not_the_parsed_json() {
    let body = escaped_text_body();
    let header = sign(SECRET, &body);
    assert_eq!(verify_signature(SECRET, Some(&header), &body), Ok(()));

    // The same document, re-serialised: compact whitespace and raw UTF-8.
    let value: Value = serde_json::from_slice(&body).unwrap();
    for reserialised in [
        serde_json::to_vec(&value).unwrap(),
        serde_json::to_vec_pretty(&value).unwrap(),
    ] {
        assert_ne!(reserialised, body);
        assert_eq!(
            serde_json::from_slice::<Value>(&reserialised).unwrap(),
            value
        );
        assert_eq!(
            verify_signature(SECRET, Some(&header), &reserialised),
            Err(SignatureError::Mismatch)
        );
    }
}
