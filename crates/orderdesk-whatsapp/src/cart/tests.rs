use orderdesk_domain::{Currency, MoneyError};

use super::*;
use crate::split_webhook;

/// A webhook carrying one cart line whose `quantity` and `item_price` are the
/// given JSON texts, taken through the splitter like a real delivery.
fn order_payload(quantity: &str, item_price: &str, currency: &str) -> String {
    let body = format!(
        r#"{{"object":"whatsapp_business_account","entry":[{{"id":"1","changes":[{{"field":"messages","value":{{
            "metadata":{{"phone_number_id":"1"}},
            "contacts":[{{"profile":{{"name":"Sheena"}},"wa_id":"16505551234"}}],
            "messages":[{{"from":"16505551234","id":"wamid.O","timestamp":"1750096325","type":"order",
                "order":{{"catalog_id":"c","text":"","product_items":[
                    {{"product_retailer_id":"sku","quantity":{quantity},"item_price":{item_price},"currency":"{currency}"}}
                ]}}}}]}}}}]}}]}}"#
    );
    let items = split_webhook(body.as_bytes()).unwrap();
    assert_eq!(items[0].kind, "message.order");
    items[0].payload.clone()
}

fn price(item_price: &str, currency: &str) -> Result<(i64, Currency), CartParseError> {
    let cart = parse_cart(&order_payload("1", item_price, currency))?;
    let p = cart.lines[0].price;
    Ok((p.minor(), p.currency()))
}

fn minor(item_price: &str, currency: &str) -> i64 {
    price(item_price, currency)
        .unwrap_or_else(|e| panic!("{item_price} {currency}: {e}"))
        .0
}

#[test]
fn decimal_prices_become_exact_minor_units() {
    assert_eq!(minor("7.99", "USD"), 799);
    assert_eq!(minor("0.1", "USD"), 10);
    assert_eq!(minor("0.29", "USD"), 29); // 0.29 * 100.0 is 28.999999999999996 in f64
    assert_eq!(minor("1.005e2", "USD"), 10_050);
    assert_eq!(minor("30", "USD"), 3000);
    assert_eq!(minor("7.990", "USD"), 799);
    assert_eq!(minor("0", "USD"), 0);
}

#[test]
fn a_zero_decimal_currency_counts_whole_units() {
    assert_eq!(minor("1500", "JPY"), 1500);
    assert_eq!(minor("1500.0", "JPY"), 1500);
    assert!(matches!(
        price("1500.5", "JPY"),
        Err(CartParseError::Price {
            source: MoneyError::TooPrecise { .. },
            ..
        })
    ));
}

#[test]
fn a_three_decimal_currency_counts_thousandths() {
    assert_eq!(minor("1.234", "KWD"), 1234);
    assert_eq!(minor("0.5", "KWD"), 500);
    assert_eq!(
        price("2", "kwd").unwrap(),
        (2000, Currency::parse("KWD").unwrap())
    );
}

#[test]
fn more_precision_than_the_currency_has_is_refused_not_rounded() {
    let err = price("7.999", "USD").unwrap_err();
    assert!(err.to_string().contains("sku"), "{err}");
    assert!(matches!(
        err,
        CartParseError::Price {
            source: MoneyError::TooPrecise { .. },
            ..
        }
    ));
}

#[test]
fn a_negative_price_or_a_bad_currency_is_refused() {
    assert!(matches!(
        price("-1", "USD"),
        Err(CartParseError::Price {
            source: MoneyError::Negative(_),
            ..
        })
    ));
    assert!(matches!(
        price("1", "US"),
        Err(CartParseError::Price {
            source: MoneyError::Currency(_),
            ..
        })
    ));
}

#[test]
fn a_price_sent_as_a_string_is_read_as_the_same_decimal() {
    assert_eq!(minor(r#""7.99""#, "USD"), 799);
    assert!(price(r#""seven""#, "USD").is_err());
}

#[test]
fn a_quantity_must_be_a_positive_integer() {
    for bad in ["0", "-1", "1.5", "2.0", r#""2""#, "1e2", "null"] {
        let err = parse_cart(&order_payload(bad, "1", "USD")).unwrap_err();
        assert!(
            matches!(err, CartParseError::Quantity { .. }),
            "{bad}: {err}"
        );
    }
    let cart = parse_cart(&order_payload("12", "1", "USD")).unwrap();
    assert_eq!(cart.lines[0].quantity, 12);
}

#[test]
fn another_message_type_is_not_an_order() {
    let payload =
        r#"{"metadata":{},"contact":null,"message":{"id":"w","type":"text","text":{"body":"hi"}}}"#;
    assert!(matches!(parse_cart(payload), Err(CartParseError::NotAnOrder(t)) if t == "text"));
}

#[test]
fn a_malformed_item_names_the_path_that_is_wrong() {
    let payload = r#"{"message":{"type":"order","order":{"product_items":[{"quantity":1}]}}}"#;
    let err = parse_cart(payload).unwrap_err().to_string();
    assert!(err.contains("message.order.product_items[0]"), "{err}");
    assert!(err.contains("product_retailer_id"), "{err}");
    assert!(matches!(
        parse_cart(r#"{"message":{"type":"order"}}"#),
        Err(CartParseError::MissingOrder)
    ));
}

#[test]
fn without_a_contact_the_customer_comes_from_the_message() {
    let payload = r#"{"metadata":{},"contact":null,"message":{"from":"111","from_user_id":"US.7","timestamp":1700000000,"type":"order",
        "order":{"product_items":[{"product_retailer_id":"a","quantity":1,"item_price":2,"currency":"INR"}],"text":"  "}}}"#;
    let cart = parse_cart(payload).unwrap();
    assert_eq!(cart.customer.wa_id.as_deref(), Some("111"));
    assert_eq!(cart.customer.user_id.as_deref(), Some("US.7"));
    assert_eq!(cart.customer.name, None);
    assert_eq!(cart.sent_at, Some(1_700_000_000));
    assert_eq!(cart.text, None);
    assert_eq!(cart.catalog_id, None);
}

#[test]
fn an_unreadable_timestamp_leaves_the_time_unknown() {
    let payload = r#"{"message":{"timestamp":"notification_timestamp","type":"order","order":{"product_items":[]}}}"#;
    let cart = parse_cart(payload).unwrap();
    assert_eq!(cart.sent_at, None);
    assert!(cart.lines.is_empty());
}

#[test]
fn a_lone_surrogate_or_a_deep_unknown_field_keeps_the_cart() {
    let deep = format!("{}1{}", "{\"a\":".repeat(3000), "}".repeat(3000));
    let payload = format!(
        r#"{{"contact":{{"profile":{{"name":"Sh\ud800eena"}},"wa_id":"1"}},"message":{{"type":"order","x":{deep},
        "order":{{"text":"ring \udfff","product_items":[{{"product_retailer_id":"a","quantity":1,"item_price":2,"currency":"INR"}}]}}}}}}"#
    );
    let cart = parse_cart(&payload).unwrap();
    assert_eq!(cart.customer.name.as_deref(), Some("Sh\u{fffd}eena"));
    assert_eq!(cart.text.as_deref(), Some("ring \u{fffd}"));
    assert_eq!(cart.lines.len(), 1);
}
