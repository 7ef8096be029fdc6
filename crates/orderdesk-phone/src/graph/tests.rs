use super::*;

/// A send sample, with Postman's recipient placeholder filled in.
fn fixture(name: &str) -> Vec<u8> {
    std::fs::read_to_string(format!(
        "{}/../../../shared/fixtures/whatsapp/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
    .replace("{{Recipient-Phone-Number}}", "16505551234")
    .into_bytes()
}

fn send(body: &[u8]) -> Message {
    match parse(body, "wamid.t".into(), 1) {
        Ok(Request::Send { message, .. }) => *message,
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_documented_send_samples_are_accepted() {
    let m = send(&fixture("send_interactive_cta_url.json"));
    assert_eq!(m.link.as_ref().unwrap().label, "See Dates");
    assert_eq!(m.header.as_deref(), Some("[image]"));
    assert_eq!(m.footer.as_deref(), Some("Dates subject to change."));
    let m = send(&fixture("send_interactive_reply_buttons.json"));
    assert!(!m.buttons.is_empty());
    let m = send(&fixture("send_interactive_list.json"));
    assert!(!m.list.unwrap().sections.is_empty());
    let m = send(&fixture("send_text.json"));
    assert!(m.text.is_some());
    let m = send(&fixture("send_template_text_params.json"));
    assert_eq!(m.kind, "template");
    match parse(&fixture("send_mark_read_typing.json"), "w".into(), 1) {
        Ok(Request::MarkRead { message_id }) => assert!(message_id.starts_with("wamid.")),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_document_by_link_shows_its_file_name_opening_the_link_and_its_caption() {
    let body = json!({"messaging_product": "whatsapp", "to": "919812345601", "type": "document",
        "document": {"link": "http://127.0.0.1:8080/invoices/abc.pdf",
            "filename": "INV-2026-00001.pdf", "caption": "Your invoice"}});
    let m = send(body.to_string().as_bytes());
    assert_eq!(m.kind, "document");
    let link = m.link.unwrap();
    assert_eq!(link.label, "INV-2026-00001.pdf");
    assert_eq!(link.url, "http://127.0.0.1:8080/invoices/abc.pdf");
    assert_eq!(m.text.as_deref(), Some("Your invoice"));
    for bad in [
        json!({"messaging_product": "whatsapp", "to": "919812345601", "type": "document"}),
        json!({"messaging_product": "whatsapp", "to": "919812345601", "type": "document",
            "document": {"id": "123", "filename": "a.pdf"}}),
        json!({"messaging_product": "whatsapp", "to": "919812345601", "type": "document",
            "document": {"link": "file:///etc/passwd", "filename": "a.pdf"}}),
    ] {
        assert!(
            parse(bad.to_string().as_bytes(), "w".into(), 1).is_err(),
            "{bad}"
        );
    }
}

#[test]
fn what_meta_refuses_is_refused_with_its_error_shape() {
    let long_title = json!({"messaging_product": "whatsapp", "to": "919812345601", "type": "interactive",
        "interactive": {"type": "button", "body": {"text": "Pay?"}, "action": {"buttons": [
            {"type": "reply", "reply": {"id": "a", "title": "A title far too long for WhatsApp"}}]}}});
    let fault = parse(long_title.to_string().as_bytes(), "w".into(), 1).unwrap_err();
    assert_eq!(fault.status, 400);
    assert_eq!(fault.body["error"]["code"], 131_009);
    assert!(fault.body["error"]["fbtrace_id"].is_string());
    assert!(fault.body["error"]["error_data"]["details"]
        .as_str()
        .unwrap()
        .contains("title"));

    for bad in [
        json!({"to": "919812345601", "type": "text", "text": {"body": "hi"}}),
        json!({"messaging_product": "whatsapp", "type": "text", "text": {"body": "hi"}}),
        json!({"messaging_product": "whatsapp", "to": "919812345601", "type": "text"}),
        json!({"messaging_product": "whatsapp", "to": "919812345601", "type": "sticker", "sticker": {}}),
    ] {
        let fault = parse(bad.to_string().as_bytes(), "w".into(), 1).unwrap_err();
        assert_eq!(fault.body["error"]["code"], 100, "{bad}");
        assert!(fault.body["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("(#100)"));
    }
    let fault = parse(b"{not json", "w".into(), 1).unwrap_err();
    assert_eq!(fault.status, 400);
    let no_scheme = json!({"messaging_product": "whatsapp", "to": "919812345601", "type": "interactive",
        "interactive": {"type": "cta_url", "body": {"text": "Pay"}, "action": {"name": "cta_url",
            "parameters": {"display_text": "Pay now", "url": "example.com/pay"}}}});
    assert_eq!(
        parse(no_scheme.to_string().as_bytes(), "w".into(), 1)
            .unwrap_err()
            .body["error"]["code"],
        131_009
    );
}

#[test]
fn recipients_are_a_phone_number_or_a_bsuid() {
    let by_bsuid = json!({"messaging_product": "whatsapp", "recipient": "IN.123", "type": "text", "text": {"body": "hi"}});
    match parse(by_bsuid.to_string().as_bytes(), "w".into(), 1).unwrap() {
        Request::Send { to, .. } => assert_eq!(to, Recipient::UserId("IN.123".into())),
        other => panic!("{other:?}"),
    }
    let by_number = json!({"messaging_product": "whatsapp", "to": "+91 98123 45601", "type": "text", "text": {"body": "hi"}});
    match parse(by_number.to_string().as_bytes(), "w".into(), 1).unwrap() {
        Request::Send { to, .. } => assert_eq!(to, Recipient::WaId("919812345601".into())),
        other => panic!("{other:?}"),
    }
}
