//! Issue #19 items 4 and 5, against the Graph fake on both backends: with
//! `ORDERDESK_NATIVE_MESSAGES=on` the address is asked with WhatsApp's
//! `address_message` and its answer fills the order (or is answered field
//! by field), the payment request is an `order_details` message and
//! WhatsApp's payment status pays the order, stage moves go as
//! `order_status`; staff send catalog products from the chat.

use std::time::Duration;

use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{
    customer_message, order_webhook, Backend, GraphFake, TestApp, PHONE_NUMBER_ID,
};
use crate::journey::order_when;

/// A signed webhook: the customer submitted WhatsApp's address form.
fn address_reply(wamid: &str, wa_id: &str, values: &Value) -> String {
    let response = json!({"saved_address_id": "home", "values": values}).to_string();
    json!({"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [{"field": "messages", "value": {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550783881", "phone_number_id": PHONE_NUMBER_ID},
        "contacts": [{"profile": {"name": "Asha"}, "wa_id": wa_id, "user_id": format!("US.{wa_id}")}],
        "messages": [{"from": wa_id, "id": wamid, "timestamp": "1750096400", "type": "interactive",
            "interactive": {"type": "nfm_reply", "nfm_reply": {"name": "address_message", "body": "Sent", "response_json": response}}}]}}]}]})
    .to_string()
}

/// A signed webhook: WhatsApp's payment status for an `order_details`.
fn payment_status(wa_id: &str, status: &str, reference: &str, value: i64) -> String {
    json!({"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [{"field": "messages", "value": {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550783881", "phone_number_id": PHONE_NUMBER_ID},
        "statuses": [{"id": format!("wamid.pay-{reference}-{status}"), "recipient_id": wa_id, "type": "payment",
            "status": status, "timestamp": "1750096500",
            "payment": {"reference_id": reference, "amount": {"value": value, "offset": 100}, "currency": "INR",
                "transaction": {"id": format!("txn-{reference}"), "status": "success"}}}]}}]}]})
    .to_string()
}

fn good_address() -> Value {
    json!({"name": "Asha Rao", "phone_number": "+919822200031", "in_pin_code": "700016",
        "house_number": "4", "building_name": "Park Mansions", "address": "Park Street",
        "landmark_area": "Near the museum", "city": "Kolkata", "state": "West Bengal"})
}

fn interactive_of(graph: &GraphFake, wa: &str, kind: &str) -> Vec<Value> {
    graph
        .requests()
        .into_iter()
        .map(|r| r.2)
        .filter(|b| b["to"] == wa && b["interactive"]["type"] == kind)
        .collect()
}

async fn wait_interactive(graph: &GraphFake, wa: &str, kind: &str, n: usize) -> Vec<Value> {
    for _ in 0..400 {
        let found = interactive_of(graph, wa, kind);
        if found.len() >= n {
            return found;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!(
        "fewer than {n} {kind} messages to {wa}: {:#?}",
        graph.requests().iter().map(|r| &r.2).collect::<Vec<_>>()
    );
}

async fn native_app(backend: Backend, extra: &[(&str, &str)]) -> (TestApp, GraphFake) {
    let graph = GraphFake::start().await;
    let mut settings = vec![("ORDERDESK_NATIVE_MESSAGES", "on")];
    settings.extend_from_slice(extra);
    let app = TestApp::spawn_configured(backend, Some(&graph.url), &settings).await;
    (app, graph)
}

async fn an_address_message_answer_fills_the_address_and_whatsapp_takes_the_payment(
    backend: Backend,
) {
    let (app, graph) = native_app(backend, &[("PAYMENTS_PROVIDER", "simulator")]).await;
    let wa = "919822200031";
    let cart = order_webhook("wamid.n-cart", wa, "Asha", &[("tea", 2, "120", "INR")]);
    assert_eq!(app.post_webhook(cart.as_bytes()).await.status(), 200);
    let n = app.wait_for_orders(1).await[0]["number"].as_i64().unwrap();

    // The address is asked with WhatsApp's own form, prefilled, not a link.
    let ask = wait_interactive(&graph, wa, "address_message", 1).await;
    let params = &ask[0]["interactive"]["action"]["parameters"];
    assert_eq!(params["country"], "IN");
    assert_eq!(params["values"]["name"], "Asha");
    assert!(ask[0]["interactive"]["body"]["text"]
        .as_str()
        .unwrap()
        .contains(&format!("#{n}")));

    let reply = address_reply("wamid.n-addr", wa, &good_address());
    assert_eq!(app.post_webhook(reply.as_bytes()).await.status(), 200);
    let o = order_when(&app, n, |o| o["checkout_step"] == "awaiting_payment").await;
    assert_eq!(o["address"]["line1"], "4, Park Mansions, Park Street");
    assert_eq!(o["address"]["line2"], "Near the museum");
    assert_eq!(o["address"]["postal_code"], "700016");
    assert_eq!(o["address"]["country"], "IN");

    // The payment request is an order_details carrying the payment link.
    let pay = wait_interactive(&graph, wa, "order_details", 1).await;
    let action = &pay[0]["interactive"]["action"];
    assert_eq!(action["name"], "review_and_pay");
    let p = &action["parameters"];
    assert_eq!(p["reference_id"], format!("order-{n}"));
    assert_eq!(p["currency"], "INR");
    assert_eq!(p["total_amount"], json!({"value": 24000, "offset": 100}));
    assert_eq!(p["order"]["items"][0]["quantity"], 2);
    assert_eq!(p["payment_settings"][0]["type"], "payment_link");
    assert!(p["payment_settings"][0]["payment_link"]["uri"]
        .as_str()
        .unwrap()
        .contains("/simulator/pay/"));

    // WhatsApp's payment status pays the order, as a provider's would.
    let paid = payment_status(wa, "captured", &format!("order-{n}"), 24000);
    assert_eq!(app.post_webhook(paid.as_bytes()).await.status(), 200);
    let o = order_when(&app, n, |o| o["payment_status"] == "paid").await;
    assert_eq!(o["checkout_step"], "awaiting_note_choice");
    app.tap_reply("wamid.n-skip", wa, &format!("note:skip:{n}"), "Skip")
        .await;
    order_when(&app, n, |o| o["status"] == "confirmed").await;

    // A stage move is told with an order_status naming the same reference.
    let (s, b) = app.move_order(n, json!({"status": "approved"})).await;
    assert_eq!(s, 200, "{b}");
    let told = wait_interactive(&graph, wa, "order_status", 1).await;
    let p = &told[0]["interactive"]["action"]["parameters"];
    assert_eq!(p["reference_id"], format!("order-{n}"));
    assert_eq!(p["order"]["status"], "processing");
    assert!(told[0]["interactive"]["body"]["text"]
        .as_str()
        .unwrap()
        .contains("approved"));
    app.stop().await;
}

async fn an_address_answer_that_fails_the_rules_is_answered_field_by_field(backend: Backend) {
    let (app, graph) = native_app(backend, &[("WHATSAPP_PAYMENT_CONFIGURATION", "chai-upi")]).await;
    let wa = "919822200032";
    let cart = order_webhook("wamid.n2-cart", wa, "Asha", &[("tea", 1, "120", "INR")]);
    assert_eq!(app.post_webhook(cart.as_bytes()).await.status(), 200);
    let n = app.wait_for_orders(1).await[0]["number"].as_i64().unwrap();
    wait_interactive(&graph, wa, "address_message", 1).await;

    let mut bad = good_address();
    bad["in_pin_code"] = json!("7000");
    bad["city"] = json!("");
    let reply = address_reply("wamid.n2-bad", wa, &bad);
    assert_eq!(app.post_webhook(reply.as_bytes()).await.status(), 200);
    let again = wait_interactive(&graph, wa, "address_message", 2).await;
    let body = again[1]["interactive"]["body"]["text"].as_str().unwrap();
    assert!(
        body.contains("PIN code:") && body.contains("City:"),
        "{body}"
    );
    let params = &again[1]["interactive"]["action"]["parameters"];
    let errors = params["validation_errors"].as_object().unwrap();
    assert!(
        errors.contains_key("in_pin_code") && errors.contains_key("city"),
        "{errors:?}"
    );
    assert_eq!(errors.len(), 2, "{errors:?}");
    // What they typed comes back for them to correct.
    assert_eq!(params["values"]["address"], "4, Park Mansions, Park Street");
    // Nothing was saved.
    let (_, o) = app.get(&format!("/api/v1/orders/{n}")).await;
    assert!(o["address"].is_null(), "{o}");
    assert_eq!(o["checkout_step"], "awaiting_address");

    // Corrected, it is taken; without a payment link the order_details
    // names the UPI payment configuration.
    let reply = address_reply("wamid.n2-good", wa, &good_address());
    assert_eq!(app.post_webhook(reply.as_bytes()).await.status(), 200);
    order_when(&app, n, |o| o["address"]["city"] == "Kolkata").await;
    let pay = wait_interactive(&graph, wa, "order_details", 1).await;
    let p = &pay[0]["interactive"]["action"]["parameters"];
    assert_eq!(p["payment_type"], "upi");
    assert_eq!(p["payment_configuration"], "chai-upi");
    // A captured payment of the wrong amount is not believed.
    let short = payment_status(wa, "captured", &format!("order-{n}"), 100);
    assert_eq!(app.post_webhook(short.as_bytes()).await.status(), 200);
    let o = order_when(&app, n, |o| !o["payment_review"].is_null()).await;
    assert_eq!(o["payment_status"], "pending");
    app.stop().await;
}

async fn seed_catalog(app: &TestApp) {
    let product = |id: &str, title: &str| orderdesk_store::Product {
        retailer_id: id.into(),
        title: title.into(),
        description: String::new(),
        availability: "in stock".into(),
        condition: "new".into(),
        price_minor: 12000,
        currency: orderdesk_domain::Currency::parse("INR").unwrap(),
        link: String::new(),
        image_link: String::new(),
        brand: String::new(),
    };
    app.store
        .upsert_products(&[
            product("tea-1", "Assam tea"),
            product("tea-2", "Darjeeling"),
        ])
        .await
        .unwrap();
}

async fn staff_send_products_from_the_chat_and_the_cart_becomes_an_order(backend: Backend) {
    let graph = GraphFake::start().await;
    let app = TestApp::spawn_configured(
        backend,
        Some(&graph.url),
        &[("WHATSAPP_CATALOG_ID", "cat-1")],
    )
    .await;
    seed_catalog(&app).await;
    let wa = "919822200033";
    let hi = customer_message("wamid.p-hi", wa, Some("What teas do you have?"), None);
    assert_eq!(app.post_webhook(hi.as_bytes()).await.status(), 200);
    for _ in 0..400 {
        if app
            .get(&format!("/api/v1/conversations/{wa}/messages"))
            .await
            .0
            == 200
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let path = format!("/api/v1/conversations/{wa}/products");

    // Several: a product_list in one section.
    let (s, b) = app
        .post(&path, &json!({"retailer_ids": ["tea-1", "tea-2"]}))
        .await;
    assert_eq!(s, 202, "{b}");
    assert_eq!(b["text"], "[products] Assam tea, Darjeeling");
    let list = wait_interactive(&graph, wa, "product_list", 1).await;
    let action = &list[0]["interactive"]["action"];
    assert_eq!(action["catalog_id"], "cat-1");
    let items: Vec<&str> = action["sections"][0]["product_items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["product_retailer_id"].as_str().unwrap())
        .collect();
    assert_eq!(items, ["tea-1", "tea-2"]);
    assert_eq!(list[0]["interactive"]["header"]["text"], "Picked for you");

    // One: a product message.
    let (s, b) = app.post(&path, &json!({"retailer_ids": ["tea-2"]})).await;
    assert_eq!(s, 202, "{b}");
    let one = wait_interactive(&graph, wa, "product", 1).await;
    assert_eq!(
        one[0]["interactive"]["action"]["product_retailer_id"],
        "tea-2"
    );

    // An unknown retailer id is named and nothing is sent.
    let before = graph.requests().len();
    let (s, b) = app
        .post(&path, &json!({"retailer_ids": ["tea-1", "no-such-tea"]}))
        .await;
    assert_eq!(s, 422, "{b}");
    assert_eq!(b["error"]["code"], "unknown_product");
    assert!(b["error"]["message"]
        .as_str()
        .unwrap()
        .contains("no-such-tea"));
    let (s, _) = app.post(&path, &json!({"retailer_ids": []})).await;
    assert_eq!(s, 422);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(graph.requests().len(), before);

    // The cart sent from it is an ordinary order.
    let cart = order_webhook("wamid.p-cart", wa, "Asha", &[("tea-1", 2, "120", "INR")]);
    assert_eq!(app.post_webhook(cart.as_bytes()).await.status(), 200);
    let orders = app.wait_for_orders(1).await;
    let (_, o) = app
        .get(&format!("/api/v1/orders/{}", orders[0]["number"]))
        .await;
    assert_eq!(o["items"][0]["name"], "Assam tea");
    app.stop().await;
}

both_backends!(
    an_address_message_answer_fills_the_address_and_whatsapp_takes_the_payment,
    an_address_answer_that_fails_the_rules_is_answered_field_by_field,
    staff_send_products_from_the_chat_and_the_cart_becomes_an_order,
);
