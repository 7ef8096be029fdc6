//! Issue #11 item 7: a signed message in an odd but genuine shape still
//! reaches staff: an unknown field nested deeper than a JSON tree parser
//! recurses, a lone surrogate escape in the customer's name, a body that is
//! not UTF-8. Each is sent signed through the real webhook and read back
//! through the API.

use std::time::Duration;

use serde_json::Value;

use crate::both_backends;
use crate::helpers::{customer_message, order_webhook, Backend, TestApp};

/// The order's thread once it holds a customer message with this text.
async fn thread_with(app: &TestApp, n: i64, text: &str) -> Vec<Value> {
    for _ in 0..400 {
        let (_, body) = app.get(&format!("/api/v1/orders/{n}/messages")).await;
        let thread = body["messages"].as_array().cloned().unwrap_or_default();
        if thread
            .iter()
            .any(|m| m["direction"] == "in" && m["text"] == text)
        {
            return thread;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let (_, body) = app.get(&format!("/api/v1/orders/{n}/messages")).await;
    panic!("no customer message {text:?} on #{n}: {body}");
}

async fn odd_but_signed_messages_and_carts_reach_staff(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let wa = "919822200201";
    let order = app.place_order("wamid.odd-cart", wa, "Meera").await;
    let n = order["number"].as_i64().unwrap();

    // A text with an unknown field nested 5,000 levels deep.
    let deep = format!("{}1{}", "[".repeat(5000), "]".repeat(5000));
    let text = customer_message("wamid.odd-deep", wa, Some("deep hello"), None).replacen(
        "\"type\":\"text\"",
        &format!("\"type\":\"text\",\"future_field\":{deep}"),
        1,
    );
    assert!(text.contains("future_field"));
    assert_eq!(app.post_webhook(text.as_bytes()).await.status(), 200);
    thread_with(&app, n, "deep hello").await;

    // A body that is not UTF-8: Latin-1 `é` bytes where `?` stand.
    let latin1: Vec<u8> = customer_message("wamid.odd-latin1", wa, Some("caf? ol?"), None)
        .bytes()
        .map(|b| if b == b'?' { 0xe9 } else { b })
        .collect();
    assert!(std::str::from_utf8(&latin1).is_err());
    assert_eq!(app.post_webhook(&latin1).await.status(), 200);
    thread_with(&app, n, "caf\u{fffd} ol\u{fffd}").await;

    // A cart whose customer name holds a lone surrogate escape.
    let cart = order_webhook(
        "wamid.odd-name",
        "919822200202",
        "NAME",
        &[("tea", 1, "120", "INR")],
    )
    .replace("\"NAME\"", r#""Sh\ud800eena""#);
    assert_eq!(app.post_webhook(cart.as_bytes()).await.status(), 200);
    let mut named = Value::Null;
    for _ in 0..400 {
        let (_, list) = app.get("/api/v1/orders?q=919822200202").await;
        if let Some(number) = list["orders"][0]["number"].as_i64() {
            named = app.get(&format!("/api/v1/orders/{number}")).await.1;
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert_eq!(named["customer"]["name"], "Sh\u{fffd}eena", "{named}");
    assert_eq!(named["items"].as_array().map(Vec::len), Some(1), "{named}");
    app.stop().await;
}

both_backends!(odd_but_signed_messages_and_carts_reach_staff);
