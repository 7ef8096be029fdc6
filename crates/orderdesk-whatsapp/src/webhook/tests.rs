use serde_json::{json, Value};

use super::*;

const METADATA: &str =
    r#"{"display_phone_number":"15550783881","phone_number_id":"106540352242922"}"#;

fn body(changes: Value) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "object": "whatsapp_business_account",
        "entry": [{ "id": "102290129340398", "changes": changes }]
    }))
    .unwrap()
}

fn messages_change(value: Value) -> Value {
    let mut value = value;
    value["messaging_product"] = json!("whatsapp");
    value["metadata"] = serde_json::from_str(METADATA).unwrap();
    json!([{ "field": "messages", "value": value }])
}

fn split_ok(body: &[u8]) -> Vec<InboundItem> {
    split_webhook(body).unwrap_or_else(|e| panic!("{e}"))
}

fn payload(item: &InboundItem) -> Value {
    serde_json::from_str(&item.payload).unwrap()
}

fn is_hashed(id: &str) -> bool {
    id.strip_prefix("sha256:")
        .is_some_and(|h| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()))
}

#[test]
fn a_body_that_is_not_json_is_refused_with_a_readable_message() {
    for bad in [&b"not json"[..], b"", b"{\"object\":"] {
        let err = split_webhook(bad).unwrap_err();
        assert!(matches!(err, SplitError::NotJson(_)), "{err:?}");
        assert!(
            err.to_string().starts_with("webhook body is not JSON: "),
            "{err}"
        );
    }
}

#[test]
fn a_body_that_is_not_utf8_still_yields_its_message_with_replacement_characters() {
    let b = body(json!([{"field": "messages", "value": {
        "contacts": [{"wa_id": "919800000001", "profile": {"name": "NAME"}}],
        "messages": [{"from": "919800000001", "id": "wamid.latin1", "timestamp": "1700000000",
                      "type": "text", "text": {"body": "BODY"}}]}}]));
    // Latin-1 `é` (a lone 0xE9 byte) where the placeholders `?` are.
    let bytes: Vec<u8> = String::from_utf8(b)
        .unwrap()
        .replace("NAME", "Jos?")
        .replace("BODY", "caf?")
        .bytes()
        .map(|b| if b == b'?' { 0xe9 } else { b })
        .collect();
    let items = split_webhook(&bytes).unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].external_id, "wamid.latin1");
    assert!(
        items[0].payload.contains("Jos\u{fffd}"),
        "{}",
        items[0].payload
    );
    assert!(
        items[0].payload.contains("caf\u{fffd}"),
        "{}",
        items[0].payload
    );
}

#[test]
fn trailing_bytes_after_the_document_are_refused() {
    let mut b = body(json!([]));
    b.extend_from_slice(b" {}");
    assert!(matches!(split_webhook(&b), Err(SplitError::NotJson(_))));
}

#[test]
fn a_wrong_envelope_names_the_path_that_is_wrong() {
    let cases: [(&[u8], &str); 4] = [
        (br#"{"entry":[]}"#, "missing field `object`"),
        (
            br#"{"object":"whatsapp_business_account","entry":{}}"#,
            "entry",
        ),
        (
            br#"{"object":"whatsapp_business_account","entry":[7]}"#,
            "entry[0]",
        ),
        (
            br#"{"object":"whatsapp_business_account","entry":[{"changes":{}}]}"#,
            "entry[0].changes",
        ),
    ];
    for (body, path) in cases {
        let err = split_webhook(body).unwrap_err().to_string();
        assert!(err.contains(path), "{err:?} does not mention {path}");
    }
}

#[test]
fn another_object_than_a_whatsapp_business_account_is_refused() {
    let err = split_webhook(br#"{"object":"page","entry":[]}"#).unwrap_err();
    assert!(
        matches!(err, SplitError::UnexpectedObject(ref o) if o == "page"),
        "{err:?}"
    );
}

#[test]
fn an_empty_entry_list_yields_no_items() {
    assert!(split_ok(&body(json!([]))).is_empty());
}

#[test]
fn a_change_of_another_field_is_kept_under_its_field_name() {
    let change = json!([{ "field": "account_update", "value": { "event": "VERIFIED_ACCOUNT", "ünknown": "ä" } }]);
    let items = split_ok(&body(change));
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].kind, "change.account_update");
    assert!(is_hashed(&items[0].external_id), "{}", items[0].external_id);
    assert_eq!(items[0].customer_key, None);
    let p = payload(&items[0]);
    assert_eq!(p["entry_id"], "102290129340398");
    assert_eq!(p["change"]["value"]["event"], "VERIFIED_ACCOUNT");
    assert_eq!(p["change"]["value"]["ünknown"], "ä");
}

#[test]
fn a_change_without_a_field_is_kept_as_unknown() {
    let items = split_ok(&body(json!([{ "value": { "x": 1 } }])));
    assert_eq!(items[0].kind, "unknown");
    assert!(is_hashed(&items[0].external_id));
}

#[test]
fn an_entry_without_changes_is_kept_whole_as_unknown() {
    let b = br#"{"object":"whatsapp_business_account","entry":[{"id":"1","time":5,"messaging":[{"a":1}]}]}"#;
    let items = split_ok(b);
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].kind, "unknown");
    assert_eq!(
        payload(&items[0]),
        json!({ "entry": { "id": "1", "time": 5, "messaging": [{ "a": 1 }] } })
    );
}

#[test]
fn a_messages_value_with_neither_messages_nor_statuses_is_kept_as_a_change() {
    let items = split_ok(&body(messages_change(json!({ "contacts": [] }))));
    assert_eq!(items[0].kind, "change.messages");
    assert!(is_hashed(&items[0].external_id));
}

#[test]
fn a_malformed_messages_value_is_kept_as_a_change_rather_than_refused() {
    let items = split_ok(&body(messages_change(json!({ "messages": "oops" }))));
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].kind, "change.messages");
    assert_eq!(payload(&items[0])["change"]["value"]["messages"], "oops");
}

#[test]
fn system_level_errors_become_one_item_each() {
    let errors = json!([
        { "code": 130429, "title": "Rate limit hit" },
        { "code": 131000, "title": "Something went wrong" }
    ]);
    let items = split_ok(&body(messages_change(json!({ "errors": errors }))));
    let kinds: Vec<&str> = items.iter().map(|i| i.kind.as_str()).collect();
    assert_eq!(kinds, ["error", "error"]);
    assert_ne!(items[0].external_id, items[1].external_id);
    assert!(items.iter().all(|i| is_hashed(&i.external_id)));
    assert_eq!(payload(&items[1])["error"]["code"], 131000);
    assert_eq!(
        payload(&items[1])["metadata"]["phone_number_id"],
        "106540352242922"
    );
}

#[test]
fn every_change_of_every_entry_is_split() {
    let change = |id: &str| {
        json!({ "field": "messages", "value": {
            "metadata": { "phone_number_id": "1" },
            "messages": [{ "from": "1", "id": id, "timestamp": "1", "type": "text" }]
        }})
    };
    let b = serde_json::to_vec(&json!({
        "object": "whatsapp_business_account",
        "entry": [
            { "id": "a", "changes": [change("w1"), change("w2")] },
            { "id": "b", "changes": [change("w3")] }
        ]
    }))
    .unwrap();
    let ids: Vec<String> = split_ok(&b).into_iter().map(|i| i.external_id).collect();
    assert_eq!(ids, ["w1", "w2", "w3"]);
}

#[test]
fn a_username_only_customer_is_keyed_by_the_business_scoped_user_id() {
    let value = json!({
        "contacts": [{ "profile": { "name": "Anon", "username": "@anon" }, "user_id": "US.1" }],
        "messages": [{ "from_user_id": "US.1", "id": "wamid.A", "timestamp": "1", "type": "text" }]
    });
    let items = split_ok(&body(messages_change(value)));
    assert_eq!(items[0].customer_key.as_deref(), Some("US.1"));
    assert_eq!(
        payload(&items[0])["contact"]["profile"]["username"],
        "@anon"
    );
}

#[test]
fn each_message_carries_the_contact_that_sent_it() {
    let value = json!({
        "contacts": [
            { "profile": { "name": "One" }, "wa_id": "111" },
            { "profile": { "name": "Two" }, "wa_id": "222", "user_id": "US.2" }
        ],
        "messages": [
            { "from": "222", "id": "wamid.B", "timestamp": "1", "type": "text" },
            { "from": "111", "id": "wamid.A", "timestamp": "1", "type": "text" },
            { "from": "333", "id": "wamid.C", "timestamp": "1", "type": "text" }
        ]
    });
    let items = split_ok(&body(messages_change(value)));
    assert_eq!(payload(&items[0])["contact"]["profile"]["name"], "Two");
    assert_eq!(items[0].customer_key.as_deref(), Some("US.2"));
    assert_eq!(payload(&items[1])["contact"]["profile"]["name"], "One");
    assert_eq!(items[1].customer_key.as_deref(), Some("111"));
    assert!(payload(&items[2])["contact"].is_null());
    assert_eq!(items[2].customer_key.as_deref(), Some("333"));
}

#[test]
fn a_message_without_an_id_or_type_is_still_kept() {
    let value = json!({ "messages": [{ "from": "1", "timestamp": "1", "novel": true }] });
    let items = split_ok(&body(messages_change(value)));
    assert_eq!(items[0].kind, "message.unknown");
    assert!(is_hashed(&items[0].external_id));
    assert_eq!(payload(&items[0])["message"]["novel"], true);
}

#[test]
fn a_status_prefers_the_recipients_user_id_and_accepts_a_numeric_timestamp() {
    let value = json!({
        "statuses": [{
            "id": "wamid.X", "status": "played", "timestamp": 1750000000,
            "recipient_id": "16505551234", "recipient_user_id": "US.9"
        }]
    });
    let items = split_ok(&body(messages_change(value)));
    assert_eq!(items[0].kind, "status.played");
    assert_eq!(items[0].external_id, "wamid.X/played/1750000000");
    assert_eq!(items[0].customer_key.as_deref(), Some("US.9"));
}

#[test]
fn a_payment_status_is_named_apart_from_a_delivery_status() {
    let status = |t: Option<&str>| {
        let mut s =
            json!({ "id": "wamid.P", "status": "failed", "timestamp": "1", "recipient_id": "1" });
        if let Some(t) = t {
            s["type"] = json!(t);
        }
        s
    };
    let value = json!({ "statuses": [status(Some("payment")), status(None)] });
    let items = split_ok(&body(messages_change(value)));
    assert_eq!(items[0].kind, "status.payment.failed");
    assert_eq!(items[0].external_id, "wamid.P/payment.failed/1");
    assert_eq!(items[1].kind, "status.failed");
    assert_eq!(items[1].external_id, "wamid.P/failed/1");
}

#[test]
fn escaped_keys_and_values_survive_the_copy() {
    let b = br#"{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":{"messages":[{"id":"wamid.\u0041","type":"text","text":{"body":"\"q\" \\ \u00e9"},"k\u00e9y\n":1}]}}]}]}"#;
    let items = split_ok(b);
    assert_eq!(items[0].external_id, "wamid.A");
    let p = payload(&items[0]);
    assert_eq!(p["message"]["text"]["body"], "\"q\" \\ é");
    assert_eq!(p["message"]["kéy\n"], 1);
    assert!(
        items[0].payload.contains(r#""body":"\"q\" \\ \u00e9""#),
        "{}",
        items[0].payload
    );
}

#[test]
fn payloads_do_not_depend_on_how_the_body_was_formatted() {
    let value = json!({
        "contacts": [{ "profile": { "name": "Sheena Nelson" }, "wa_id": "1" }],
        "messages": [{ "from": "1", "id": "wamid.A", "timestamp": "1", "type": "text", "text": { "body": "a  b\tc" } }]
    });
    let doc = json!({ "object": "whatsapp_business_account", "entry": [{ "changes": messages_change(value) }] });
    let compact = split_ok(&serde_json::to_vec(&doc).unwrap());
    let pretty = split_ok(&serde_json::to_vec_pretty(&doc).unwrap());
    assert_eq!(compact, pretty);
    assert_eq!(payload(&compact[0])["message"]["text"]["body"], "a  b\tc");
}

#[test]
fn an_unknown_member_next_to_messages_is_kept_without_repeating_the_messages() {
    let value = json!({
        "messages": [{ "from": "1", "id": "wamid.A", "timestamp": "1", "type": "text" }],
        "calls": [{ "id": "call.1", "event": "connect" }]
    });
    let items = split_ok(&body(messages_change(value)));
    let kinds: Vec<&str> = items.iter().map(|i| i.kind.as_str()).collect();
    assert_eq!(kinds, ["message.text", "change.messages"]);
    let p = payload(&items[1]);
    assert_eq!(p["entry_id"], "102290129340398");
    assert_eq!(p["change"]["field"], "messages");
    assert_eq!(p["change"]["value"]["calls"][0]["id"], "call.1");
    assert_eq!(
        p["change"]["value"]["metadata"]["phone_number_id"],
        "106540352242922"
    );
    assert!(p["change"]["value"].get("messages").is_none());
    assert!(is_hashed(&items[1].external_id));
}

#[test]
fn messages_with_an_empty_id_are_kept_apart_not_deduplicated_onto_one() {
    let message = |text: &str| {
        json!({"from": "16505551234", "id": "", "timestamp": "1750096325",
               "type": "text", "text": {"body": text}})
    };
    let b = body(messages_change(json!({
        "messages": [message("first"), message("second")]
    })));
    let items = split_ok(&b);
    assert_eq!(items.len(), 2);
    assert!(items.iter().all(|i| !i.external_id.is_empty()), "{items:?}");
    assert_ne!(items[0].external_id, items[1].external_id);
}
