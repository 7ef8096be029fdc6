use serde_json::json;

use crate::{
    Interactive, NativeOrderStatus, NativePayment, OrderDetails, OrderDetailsItem, OutboundError,
    OutboundMessage, ProductSection, Recipient,
};

fn wire(i: Interactive) -> serde_json::Value {
    let to = Recipient::wa_id("919822200003").unwrap();
    serde_json::to_value(OutboundMessage::new(to, i)).unwrap()["interactive"].clone()
}

fn details(payment: NativePayment) -> OrderDetails {
    OrderDetails {
        reference_id: "order-1001".into(),
        payment,
        currency: "INR".into(),
        offset: 100,
        items: vec![OrderDetailsItem {
            retailer_id: "tea-1".into(),
            name: "Assam tea".into(),
            unit_minor: 1500,
            quantity: 2,
        }],
        shipping_minor: 100,
        discount_minor: 200,
        tax_minor: 0,
        total_minor: 2900,
    }
}

#[test]
fn an_address_message_carries_the_country_the_prefill_and_the_errors() {
    let i = Interactive::address_message(
        "Where should we deliver?",
        "IN",
        &[
            ("name", "Priya".into()),
            ("phone_number", "+919822200003".into()),
            ("city", String::new()),
        ],
        &[("in_pin_code", "Enter a 6-digit PIN code".into())],
    )
    .unwrap();
    assert_eq!(
        wire(i),
        json!({"type": "address_message", "body": {"text": "Where should we deliver?"},
            "action": {"name": "address_message", "parameters": {"country": "IN",
                "values": {"name": "Priya", "phone_number": "+919822200003"},
                "validation_errors": {"in_pin_code": "Enter a 6-digit PIN code"}}}})
    );
    assert!(Interactive::address_message("x", "india", &[], &[]).is_err());
}

#[test]
fn order_details_add_up_and_carry_the_link_or_the_upi_configuration() {
    let link = wire(
        Interactive::order_details(
            "Order #1001",
            &details(NativePayment::Link("https://pay.example/l/1".into())),
        )
        .unwrap(),
    );
    assert_eq!(link["type"], "order_details");
    assert_eq!(link["action"]["name"], "review_and_pay");
    let p = &link["action"]["parameters"];
    assert_eq!(p["reference_id"], "order-1001");
    assert_eq!(p["total_amount"], json!({"value": 2900, "offset": 100}));
    assert_eq!(
        p["order"]["subtotal"],
        json!({"value": 3000, "offset": 100})
    );
    assert_eq!(p["order"]["status"], "pending");
    assert_eq!(
        p["payment_settings"][0],
        json!({"type": "payment_link", "payment_link": {"uri": "https://pay.example/l/1"}})
    );
    let upi = wire(
        Interactive::order_details(
            "Order #1001",
            &details(NativePayment::UpiConfiguration("shop-upi".into())),
        )
        .unwrap(),
    );
    assert_eq!(upi["action"]["parameters"]["payment_type"], "upi");
    assert_eq!(
        upi["action"]["parameters"]["payment_configuration"],
        "shop-upi"
    );

    let mut wrong = details(NativePayment::Link("https://pay.example/l/1".into()));
    wrong.total_minor = 3000;
    assert!(matches!(
        Interactive::order_details("x", &wrong),
        Err(OutboundError::Invalid {
            field: "interactive.action.parameters.total_amount",
            ..
        })
    ));
    let mut bad_ref = details(NativePayment::Link("https://pay.example/l/1".into()));
    bad_ref.reference_id = "order 1001".into();
    assert!(Interactive::order_details("x", &bad_ref).is_err());
}

#[test]
fn an_order_status_names_the_reference_and_the_state() {
    let i = Interactive::order_status(
        "Order #1001 has shipped",
        "order-1001",
        NativeOrderStatus::Shipped,
        Some("AWB 123".into()),
    )
    .unwrap();
    assert_eq!(
        wire(i),
        json!({"type": "order_status", "body": {"text": "Order #1001 has shipped"},
            "action": {"name": "review_order", "parameters": {"reference_id": "order-1001",
                "order": {"status": "shipped", "description": "AWB 123"}}}})
    );
}

#[test]
fn products_go_out_one_or_in_sections() {
    let one = wire(Interactive::product("cat-1", "tea-1", None).unwrap());
    assert_eq!(
        one,
        json!({"type": "product", "action": {"catalog_id": "cat-1", "product_retailer_id": "tea-1"}})
    );
    let sections = [
        ProductSection::new("Teas", vec!["tea-1".into(), "tea-2".into()]).unwrap(),
        ProductSection::new("Snacks", vec!["biscuit".into()]).unwrap(),
    ];
    let list =
        wire(Interactive::product_list("Our picks", "Tap to add", "cat-1", &sections).unwrap());
    assert_eq!(list["header"], json!({"type": "text", "text": "Our picks"}));
    assert_eq!(
        list["action"]["sections"][1]["product_items"][0]["product_retailer_id"],
        "biscuit"
    );
    let twice = [
        ProductSection::new("A", vec!["tea-1".into()]).unwrap(),
        ProductSection::new("B", vec!["tea-1".into()]).unwrap(),
    ];
    assert!(matches!(
        Interactive::product_list("h", "b", "cat-1", &twice),
        Err(OutboundError::Duplicate { .. })
    ));
    let many: Vec<String> = (0..31).map(|n| format!("p{n}")).collect();
    let too_many = [ProductSection::new("All", many).unwrap()];
    assert!(Interactive::product_list("h", "b", "cat-1", &too_many).is_err());
}
