//! What WhatsApp refuses (text, button, list and media limits, each refused
//! naming the field), and how media headers serialise.

use super::*;

#[test]
fn text_bodies_up_to_4096_characters_are_accepted_and_longer_ones_refused() {
    assert!(Text::new(chars('a', TEXT_BODY_MAX)).is_ok());
    assert_eq!(
        Text::new(chars('a', TEXT_BODY_MAX + 1)),
        Err(OutboundError::TooLong {
            field: "text.body",
            len: 4097,
            max: 4096
        })
    );
}

#[test]
fn blank_text_is_refused_rather_than_sent() {
    assert_eq!(
        Text::new(""),
        Err(OutboundError::Empty { field: "text.body" })
    );
    assert!(Text::new(" \n\t").is_err());
}

#[test]
fn user_text_is_never_trimmed_or_altered() {
    let body = "  spaced out\n";
    let msg = OutboundMessage::text(to("1"), body).unwrap();
    assert_eq!(wire(&msg)["text"]["body"], json!(body));
}

#[test]
fn limits_count_characters_not_bytes() {
    // 20 two-byte characters: 40 bytes, still a legal title.
    assert!(ReplyButton::new("id", chars('é', 20)).is_ok());
    assert!(ReplyButton::new("id", chars('é', 21)).is_err());
}

#[test]
fn a_button_title_of_21_characters_is_refused_naming_the_field() {
    let err = ReplyButton::new("id", "Add a note to order!!").unwrap_err();
    assert_eq!(
        err,
        OutboundError::TooLong {
            field: "interactive.action.buttons[].reply.title",
            len: 21,
            max: 20
        }
    );
    assert_eq!(
        err.to_string(),
        "interactive.action.buttons[].reply.title has 21 characters, at most 20 are allowed"
    );
}

#[test]
fn button_ids_may_be_256_characters_but_not_257() {
    assert!(ReplyButton::new(chars('x', 256), "ok").is_ok());
    assert!(matches!(
        ReplyButton::new(chars('x', 257), "ok"),
        Err(OutboundError::TooLong { max: 256, .. })
    ));
    assert!(matches!(
        ReplyButton::new("", "ok"),
        Err(OutboundError::Empty { .. })
    ));
}

#[test]
fn a_button_message_needs_one_to_three_buttons() {
    for n in 1..=3 {
        assert!(
            Interactive::reply_buttons("body", buttons(n)).is_ok(),
            "{n} buttons"
        );
    }
    for n in [0, 4] {
        assert_eq!(
            Interactive::reply_buttons("body", buttons(n)),
            Err(OutboundError::Count {
                field: "interactive.action.buttons",
                count: n,
                min: 1,
                max: 3
            })
        );
    }
}

#[test]
fn repeated_button_ids_or_titles_are_refused() {
    let same_id = vec![
        ReplyButton::new("skip", "Skip").unwrap(),
        ReplyButton::new("skip", "Add a note").unwrap(),
    ];
    assert!(matches!(
        Interactive::reply_buttons("body", same_id),
        Err(OutboundError::Duplicate { value, .. }) if value == "skip"
    ));
    let same_title = vec![
        ReplyButton::new("a", "Skip").unwrap(),
        ReplyButton::new("b", "Skip").unwrap(),
    ];
    assert!(matches!(
        Interactive::reply_buttons("body", same_title),
        Err(OutboundError::Duplicate {
            field: "interactive.action.buttons[].reply.title",
            ..
        })
    ));
}

#[test]
fn button_and_cta_bodies_stop_at_1024_characters_and_footers_at_60() {
    assert!(Interactive::reply_buttons(chars('b', 1024), buttons(1)).is_ok());
    assert!(matches!(
        Interactive::reply_buttons(chars('b', 1025), buttons(1)),
        Err(OutboundError::TooLong {
            field: "interactive.body.text",
            max: 1024,
            ..
        })
    ));
    assert!(matches!(
        Interactive::cta_url(chars('b', 1025), "Pay", "https://pay.example"),
        Err(OutboundError::TooLong { max: 1024, .. })
    ));
    let msg = Interactive::reply_buttons("body", buttons(1)).unwrap();
    assert!(msg.clone().with_footer(chars('f', 60)).is_ok());
    assert!(matches!(
        msg.with_footer(chars('f', 61)),
        Err(OutboundError::TooLong {
            field: "interactive.footer.text",
            max: 60,
            ..
        })
    ));
    assert!(Header::text(chars('h', 60)).is_ok());
    assert!(Header::text(chars('h', 61)).is_err());
}

#[test]
fn a_cta_label_over_20_characters_is_refused() {
    assert!(Interactive::cta_url("Pay now", chars('p', 20), "https://pay.example").is_ok());
    assert!(matches!(
        Interactive::cta_url("Pay now", chars('p', 21), "https://pay.example"),
        Err(OutboundError::TooLong {
            field: "interactive.action.parameters.display_text",
            max: 20,
            ..
        })
    ));
}

#[test]
fn a_cta_link_must_be_an_http_url() {
    for url in ["http://shop.example/a/1", "HTTPS://shop.example"] {
        assert!(Interactive::cta_url("b", "Open", url).is_ok(), "{url}");
    }
    for url in [
        "shop.example",
        "ftp://shop.example",
        "https://",
        "https://shop.example/a b",
    ] {
        assert!(
            matches!(
                Interactive::cta_url("b", "Open", url),
                Err(OutboundError::NotHttpUrl { .. })
            ),
            "{url}"
        );
    }
    assert!(Interactive::cta_url("b", "Open", "").is_err());
    assert!(Media::link("not a url").is_err());
}

#[test]
fn a_cta_url_may_carry_a_text_header() {
    let cta = Interactive::cta_url(
        "Your address, please",
        "Add address",
        "https://d.example/a/1",
    )
    .unwrap()
    .with_header(Header::text("Delivery").unwrap())
    .unwrap();
    assert_eq!(
        wire(&cta)["header"],
        json!({"type": "text", "text": "Delivery"})
    );
}

#[test]
fn a_list_holds_at_most_ten_rows_across_all_sections() {
    let ten = vec![
        ListSection::new("A", rows("a", 5)).unwrap(),
        ListSection::new("B", rows("b", 5)).unwrap(),
    ];
    assert!(Interactive::list("body", "Choose", ten).is_ok());
    let eleven = vec![
        ListSection::new("A", rows("a", 5)).unwrap(),
        ListSection::new("B", rows("b", 6)).unwrap(),
    ];
    assert!(matches!(
        Interactive::list("body", "Choose", eleven),
        Err(OutboundError::Count {
            count: 11,
            max: 10,
            ..
        })
    ));
}

#[test]
fn a_list_needs_a_row_in_every_section_and_one_to_ten_sections() {
    assert!(matches!(
        Interactive::list("body", "Choose", vec![]),
        Err(OutboundError::Count {
            field: "interactive.action.sections",
            ..
        })
    ));
    let empty_section = vec![
        ListSection::new("A", rows("a", 1)).unwrap(),
        ListSection::new("B", vec![]).unwrap(),
    ];
    assert!(matches!(
        Interactive::list("body", "Choose", empty_section),
        Err(OutboundError::Count {
            field: "interactive.action.sections[].rows",
            ..
        })
    ));
    let eleven_sections = (0..11)
        .map(|i| ListSection::new(format!("S{i}"), rows(&format!("s{i}"), 1)).unwrap())
        .collect();
    assert!(matches!(
        Interactive::list("body", "Choose", eleven_sections),
        Err(OutboundError::Count {
            count: 11,
            max: 10,
            ..
        })
    ));
}

#[test]
fn only_a_lone_list_section_may_go_without_a_title() {
    let lone =
        Interactive::list("body", "Choose", vec![ListSection::untitled(rows("a", 2))]).unwrap();
    assert!(wire(&lone)["action"]["sections"][0].get("title").is_none());
    let two = vec![
        ListSection::untitled(rows("a", 1)),
        ListSection::new("B", rows("b", 1)).unwrap(),
    ];
    assert_eq!(
        Interactive::list("body", "Choose", two),
        Err(OutboundError::Empty {
            field: "interactive.action.sections[].title"
        })
    );
}

#[test]
fn list_row_ids_are_unique_across_sections() {
    let sections = vec![
        ListSection::new("A", rows("x", 1)).unwrap(),
        ListSection::new("B", rows("x", 1)).unwrap(),
    ];
    assert!(matches!(
        Interactive::list("body", "Choose", sections),
        Err(OutboundError::Duplicate { value, .. }) if value == "x-0"
    ));
}

#[test]
fn list_text_limits_are_enforced() {
    assert!(Interactive::list(
        chars('b', 4096),
        "Choose",
        vec![ListSection::untitled(rows("a", 1))]
    )
    .is_ok());
    assert!(Interactive::list(
        chars('b', 4097),
        "Choose",
        vec![ListSection::untitled(rows("a", 1))]
    )
    .is_err());
    assert!(matches!(
        Interactive::list(
            "b",
            chars('c', 21),
            vec![ListSection::untitled(rows("a", 1))]
        ),
        Err(OutboundError::TooLong {
            field: "interactive.action.button",
            ..
        })
    ));
    assert!(ListSection::new(chars('s', 24), vec![]).is_ok());
    assert!(ListSection::new(chars('s', 25), vec![]).is_err());
    assert!(ListRow::new(chars('i', 200), "t").is_ok());
    assert!(ListRow::new(chars('i', 201), "t").is_err());
    assert!(ListRow::new("i", chars('t', 24)).is_ok());
    assert!(ListRow::new("i", chars('t', 25)).is_err());
    let row = ListRow::new("i", "t").unwrap();
    assert!(row.clone().with_description(chars('d', 72)).is_ok());
    assert!(row.with_description(chars('d', 73)).is_err());
}

#[test]
fn a_list_header_can_only_be_text() {
    let list =
        Interactive::list("body", "Choose", vec![ListSection::untitled(rows("a", 1))]).unwrap();
    let image = Header::image(Media::id("123").unwrap());
    assert!(matches!(
        list.clone().with_header(image),
        Err(OutboundError::Invalid {
            field: "interactive.header.type",
            ..
        })
    ));
    assert!(list.with_header(Header::text("Options").unwrap()).is_ok());
}

#[test]
fn media_headers_serialise_under_their_own_type() {
    let msg = Interactive::reply_buttons("body", buttons(1))
        .unwrap()
        .with_header(Header::document(
            Media::link("https://x.example/invoice.pdf").unwrap(),
        ))
        .unwrap();
    assert_eq!(
        wire(&msg)["header"],
        json!({"type": "document", "document": {"link": "https://x.example/invoice.pdf"}})
    );
    let video = Header::video(Media::id("42").unwrap());
    assert_eq!(
        wire(&video),
        json!({"type": "video", "video": {"id": "42"}})
    );
}

#[test]
fn templates_refuse_blank_names_languages_and_parameters() {
    assert!(matches!(
        Template::new("", "en"),
        Err(OutboundError::Empty {
            field: "template.name"
        })
    ));
    assert!(matches!(
        Template::new("order_update", " "),
        Err(OutboundError::Empty {
            field: "template.language.code"
        })
    ));
    assert!(Template::new(chars('n', 513), "en").is_err());
    let template = Template::new("order_update", "en").unwrap();
    assert!(matches!(
        template.with_body_text(["#1042", ""]),
        Err(OutboundError::Empty {
            field: "template.components[].parameters[].text"
        })
    ));
}

#[test]
fn blank_wamids_are_refused_for_replies_and_read_receipts() {
    assert!(OutboundMessage::text(to("1"), "hi")
        .unwrap()
        .in_reply_to("")
        .is_err());
    assert!(MarkRead::new("").is_err());
}

#[test]
fn a_document_goes_by_link_with_its_file_name_and_caption() {
    let document = Document::link(
        "https://shop.example/invoices/t0k3n.pdf",
        "INV-2026-00001.pdf",
    )
    .unwrap()
    .with_caption("Your invoice for order #1042")
    .unwrap();
    let msg = OutboundMessage::new(to("16505551234"), document);
    assert_eq!(msg.kind(), "document");
    assert_eq!(
        wire(&msg),
        json!({
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": "16505551234",
            "type": "document",
            "document": {
                "link": "https://shop.example/invoices/t0k3n.pdf",
                "filename": "INV-2026-00001.pdf",
                "caption": "Your invoice for order #1042"
            }
        })
    );
    assert!(Document::link("ftp://x/a.pdf", "a.pdf").is_err());
    assert!(Document::link("https://x/a.pdf", " ").is_err());
    assert!(Document::link("https://x/a.pdf", "a.pdf")
        .unwrap()
        .with_caption(chars('c', CAPTION_MAX + 1))
        .is_err());
}
