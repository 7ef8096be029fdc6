use std::path::PathBuf;

use serde::Serialize;
use serde_json::{json, Value};

use super::*;

mod limits;

/// An outbound sample from `shared/fixtures/whatsapp/`, parsed.
fn sample(name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/fixtures/whatsapp")
        .join(name);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("fixture {} is unreadable: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

fn wire<T: Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap()
}

fn to(wa_id: &str) -> Recipient {
    Recipient::wa_id(wa_id).unwrap()
}

fn chars(c: char, n: usize) -> String {
    std::iter::repeat_n(c, n).collect()
}

fn buttons(n: usize) -> Vec<ReplyButton> {
    (0..n)
        .map(|i| ReplyButton::new(format!("id-{i}"), format!("Title {i}")).unwrap())
        .collect()
}

fn rows(prefix: &str, n: usize) -> Vec<ListRow> {
    (0..n)
        .map(|i| ListRow::new(format!("{prefix}-{i}"), format!("Row {i}")).unwrap())
        .collect()
}

// --- the samples, value for value ---------------------------------------

#[test]
fn a_text_message_is_the_send_text_sample() {
    let msg =
        OutboundMessage::text(to("{{Recipient-Phone-Number}}"), "text-message-content").unwrap();
    assert_eq!(wire(&msg), sample("send_text.json"));
    assert_eq!(msg.kind(), "text");
}

#[test]
fn a_reply_carries_the_quoted_wamid_in_context_as_in_the_sample() {
    let msg = OutboundMessage::text(to("{{Recipient-Phone-Number}}"), "<TEXT_MSG_CONTENT>")
        .unwrap()
        .in_reply_to("<MSGID_OF_PREV_MSG>")
        .unwrap();
    assert_eq!(wire(&msg), sample("send_text_reply_context.json"));
}

#[test]
fn preview_url_is_sent_as_asked() {
    let text = Text::new("see https://example.com")
        .unwrap()
        .with_preview_url(true);
    let msg = OutboundMessage::new(to("16505551234"), text);
    assert_eq!(wire(&msg)["text"]["preview_url"], json!(true));
}

#[test]
fn reply_buttons_with_an_image_header_and_footer_are_the_sample() {
    let interactive = Interactive::reply_buttons(
        "Hi Pablo! Your gardening workshop is scheduled for 9am tomorrow. Use the buttons if you need to reschedule. Thank you!",
        vec![
            ReplyButton::new("change-button", "Change").unwrap(),
            ReplyButton::new("cancel-button", "Cancel").unwrap(),
        ],
    )
    .unwrap()
    .with_header(Header::image(Media::id("2762702990552401").unwrap()))
    .unwrap()
    .with_footer("Lucky Shrub: Your gateway to succulents!™")
    .unwrap();
    let msg = OutboundMessage::new(to("+16505551234"), interactive);
    assert_eq!(wire(&msg), sample("send_interactive_reply_buttons.json"));
    assert_eq!(msg.kind(), "interactive");
}

#[test]
fn a_list_with_two_titled_sections_is_the_sample() {
    let list = Interactive::list(
        "Which shipping option do you prefer?",
        "Shipping Options",
        vec![
            ListSection::new(
                "I want it ASAP!",
                vec![
                    ListRow::new("priority_express", "Priority Mail Express")
                        .unwrap()
                        .with_description("Next Day to 2 Days")
                        .unwrap(),
                    ListRow::new("priority_mail", "Priority Mail")
                        .unwrap()
                        .with_description("1–3 Days")
                        .unwrap(),
                ],
            )
            .unwrap(),
            ListSection::new(
                "I can wait a bit",
                vec![
                    ListRow::new("usps_ground_advantage", "USPS Ground Advantage")
                        .unwrap()
                        .with_description("2–5 Days")
                        .unwrap(),
                    ListRow::new("media_mail", "Media Mail")
                        .unwrap()
                        .with_description("2–8 Days")
                        .unwrap(),
                ],
            )
            .unwrap(),
        ],
    )
    .unwrap()
    .with_header(Header::text("Choose Shipping Option").unwrap())
    .unwrap()
    .with_footer("Lucky Shrub: Your gateway to succulents™")
    .unwrap();
    let msg = OutboundMessage::new(to("+16505551234"), list);
    assert_eq!(wire(&msg), sample("send_interactive_list.json"));
}

#[test]
fn a_cta_url_with_an_image_link_header_is_the_sample() {
    let cta = Interactive::cta_url(
        "Tap the button below to see available dates.",
        "See Dates",
        "https://www.luckyshrub.com?clickID=kqDGWd24Q5TRwoEQTICY7W1JKoXvaZOXWAS7h1P76s0R7Paec4",
    )
    .unwrap()
    .with_header(Header::image(
        Media::link("https://www.luckyshrub.com/assets/lucky-shrub-banner-logo-v1.png").unwrap(),
    ))
    .unwrap()
    .with_footer("Dates subject to change.")
    .unwrap();
    let msg = OutboundMessage::new(to("+16505551234"), cta);
    assert_eq!(wire(&msg), sample("send_interactive_cta_url.json"));
}

#[test]
fn a_template_without_parameters_is_the_hello_world_sample_plus_recipient_type() {
    let template = Template::new("hello_world", "en_US").unwrap();
    let msg = OutboundMessage::new(to("{{Recipient-Phone-Number}}"), template);
    // This one OAS example leaves out `recipient_type`; the schema
    // (`BaseMessageProperties`) requires it, so every message carries it.
    let mut expected = sample("send_template_hello_world.json");
    expected["recipient_type"] = json!("individual");
    assert_eq!(wire(&msg), expected);
    assert_eq!(msg.kind(), "template");
}

#[test]
fn a_template_with_a_text_body_parameter_is_the_sample_less_its_other_parameter_kinds() {
    let template = Template::new("template-name", "language-and-locale-code")
        .unwrap()
        .with_body_text(["text-string"])
        .unwrap();
    let msg = OutboundMessage::new(to("{{Recipient-Phone-Number}}"), template);
    // Only text parameters are supported; the sample's currency and
    // date_time parameters are dropped from the expectation.
    let mut expected = sample("send_template_text_params.json");
    let parameters = expected["template"]["components"][0]["parameters"]
        .as_array_mut()
        .unwrap();
    parameters.retain(|p| p["type"] == "text");
    assert_eq!(parameters.len(), 1);
    assert_eq!(wire(&msg), expected);
}

#[test]
fn template_body_parameters_keep_their_order_and_replace_earlier_ones() {
    let template = Template::new("order_update", "en")
        .unwrap()
        .with_body_text(["first"])
        .unwrap()
        .with_body_text(["#1042", "shipped"])
        .unwrap();
    assert_eq!(
        wire(&template)["components"],
        json!([{"type": "body", "parameters": [
            {"type": "text", "text": "#1042"},
            {"type": "text", "text": "shipped"}
        ]}])
    );
}

#[test]
fn mark_read_with_typing_indicator_is_the_sample() {
    let read = MarkRead::new("wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUYzMjEzNDM2RTZGQ0MzMDJBRgA=")
        .unwrap()
        .with_typing_indicator();
    assert_eq!(wire(&read), sample("send_mark_read_typing.json"));
}

#[test]
fn a_plain_read_receipt_leaves_out_the_typing_indicator() {
    let read = MarkRead::new("wamid.X").unwrap();
    assert_eq!(
        wire(&read),
        json!({"messaging_product": "whatsapp", "status": "read", "message_id": "wamid.X"})
    );
    assert_eq!(read.message_id(), "wamid.X");
}

// --- recipients ---------------------------------------------------------

#[test]
fn a_bsuid_recipient_is_sent_as_recipient_and_never_as_to() {
    let recipient = Recipient::user_id("US.13491208655302741918").unwrap();
    let body = wire(&OutboundMessage::text(recipient, "hi").unwrap());
    assert_eq!(body["recipient"], json!("US.13491208655302741918"));
    assert!(body.get("to").is_none());
}

#[test]
fn the_phone_number_wins_when_both_ids_are_known() {
    let both = Recipient::from_ids(Some("16505551234"), Some("US.1")).unwrap();
    assert_eq!(both, Recipient::wa_id("16505551234").unwrap());
    assert_eq!((both.wire_field(), both.as_str()), ("to", "16505551234"));
    let body = wire(&OutboundMessage::text(both, "hi").unwrap());
    assert!(body.get("recipient").is_none());
}

#[test]
fn the_bsuid_is_used_when_the_phone_number_is_missing_or_blank() {
    for wa_id in [None, Some(""), Some("  ")] {
        assert_eq!(
            Recipient::from_ids(wa_id, Some("US.1")).unwrap(),
            Recipient::user_id("US.1").unwrap()
        );
    }
}

#[test]
fn a_customer_without_any_id_cannot_be_addressed() {
    assert_eq!(
        Recipient::from_ids(None, None),
        Err(OutboundError::Empty { field: "to" })
    );
    assert!(Recipient::from_ids(Some(""), Some("")).is_err());
    assert!(Recipient::wa_id("").is_err());
    assert!(Recipient::user_id(" ").is_err());
}
