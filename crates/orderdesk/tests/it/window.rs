//! The outside-24-hour path end to end (issue #19.7, #14), and customer
//! texts per language with editable labels (issue #19.6, #17).
//!
//! A conversation is aged by storing the customer's webhook items as
//! received hours ago (what the server would hold had they written then):
//! their 24-hour window is then closed, with no clock to fake.

use std::time::Duration;

use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{customer_message, order_webhook, Backend, GraphFake, TestApp};
use crate::phone::{is_business, Phone};

/// Stores a signed-webhook body as received `hours` ago.
pub(crate) async fn received_hours_ago(app: &TestApp, body: &str, hours: i64) {
    let then = chrono::Utc::now() - chrono::Duration::hours(hours);
    let items: Vec<orderdesk_store::NewInbound> =
        orderdesk_whatsapp::split_webhook(body.as_bytes())
            .unwrap()
            .into_iter()
            .map(|i| orderdesk_store::NewInbound {
                source: "whatsapp".into(),
                external_id: i.external_id,
                kind: i.kind,
                customer_key: i.customer_key,
                payload: i.payload,
                received_at: then,
            })
            .collect();
    app.store.record_inbound(&items).await.unwrap();
}

pub(crate) async fn put(app: &TestApp, path: &str, body: Value) -> (u16, Value) {
    let r = app
        .client
        .put(app.url(path))
        .bearer_auth(&app.token)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// Sets customer text `key` in `language` (its body, or the WhatsApp
/// template it goes as), which must be accepted.
async fn put_text(app: &TestApp, key: &str, language: &str, text: Value) {
    let (s, b) = put(app, &format!("/api/v1/templates/{key}/{language}"), text).await;
    assert_eq!(s, 200, "{b}");
}

/// The Graph requests that are templates, as (name, language, parameters).
fn templates(graph: &GraphFake) -> Vec<(String, String, Vec<String>)> {
    graph
        .requests()
        .iter()
        .filter(|(_, _, b)| b["type"] == "template")
        .map(|(_, _, b)| {
            let t = &b["template"];
            let params = t["components"][0]["parameters"]
                .as_array()
                .map(|ps| {
                    ps.iter()
                        .filter_map(|p| p["text"].as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default();
            (
                t["name"].as_str().unwrap_or_default().to_owned(),
                t["language"]["code"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
                params,
            )
        })
        .collect()
}

async fn until<T>(what: &str, mut f: impl FnMut() -> Option<T>) -> T {
    for _ in 0..400 {
        if let Some(v) = f() {
            return v;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("{what} did not happen within 10 s");
}

async fn past_24_hours_updates_go_as_templates_free_replies_are_refused_and_reopen_works(
    backend: Backend,
) {
    let graph = GraphFake::start().await;
    let app = TestApp::spawn_with(backend, Some(&graph.url)).await;
    put_text(
        &app,
        "stage.approved",
        "en",
        json!({"whatsapp_template": "order_update", "whatsapp_language": "en_US"}),
    )
    .await;
    let wa = "919822200701";
    received_hours_ago(
        &app,
        &order_webhook("wamid.w1", wa, "Old Cart", &[("sku-1", 1, "5.00", "USD")]),
        25,
    )
    .await;
    let order = app.wait_for_orders(1).await[0].clone();
    let n = order["number"].as_i64().unwrap();

    // A stage update after 24 hours goes as the approved template…
    let (s, b) = app
        .move_order(
            n,
            json!({"status": "confirmed", "reason": "paid by bank transfer"}),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    let (s, b) = app.move_order(n, json!({"status": "approved"})).await;
    assert_eq!(s, 200, "{b}");
    let sent = until("the approved template", || {
        let t = templates(&graph);
        t.iter()
            .any(|(name, _, _)| name == "order_update")
            .then_some(t)
    })
    .await;
    assert!(
        sent.contains(&("order_update".into(), "en_US".into(), vec![n.to_string()])),
        "{sent:?}"
    );
    // …and one with no template configured is not sent, saying why.
    let (_, o) = app.get(&format!("/api/v1/orders/{n}")).await;
    let timeline = o["timeline"].to_string();
    assert!(timeline.contains("update not sent"), "{timeline}");
    assert!(timeline.contains("stage.confirmed"), "{timeline}");
    assert!(
        !graph.requests().iter().any(|(_, _, b)| b["text"]["body"]
            .as_str()
            .is_some_and(|t| t.contains("is confirmed"))),
        "no free text went outside the window"
    );

    // A free reply is refused with the reason, and queues nothing.
    let messages = format!("/api/v1/conversations/{wa}/messages");
    let (_, before) = app.get(&messages).await;
    let (s, b) = app
        .post(&messages, &json!({"text": "sorry for the wait"}))
        .await;
    assert_eq!(s, 422, "{b}");
    assert_eq!(b["error"]["code"], "outside_window");
    assert!(
        b["error"]["message"]
            .as_str()
            .unwrap()
            .contains("reopen template"),
        "{b}"
    );
    let (_, after) = app.get(&messages).await;
    let count = |thread: &Value| thread["messages"].as_array().map_or(0, Vec::len);
    assert_eq!(count(&before), count(&after), "nothing queued");

    // The reopen template needs an approved template named on it.
    let reopen = format!("/api/v1/conversations/{wa}/reopen");
    let (s, b) = app.post(&reopen, &json!({})).await;
    assert_eq!(s, 409, "{b}");
    assert_eq!(b["error"]["code"], "no_template");
    put_text(
        &app,
        "reopen_chat",
        "en",
        json!({"whatsapp_template": "reopen_chat"}),
    )
    .await;
    let (s, b) = app.post(&reopen, &json!({})).await;
    assert_eq!(s, 202, "{b}");
    assert!(b["text"].as_str().unwrap().contains("reply here"), "{b}");
    until("the reopen template", || {
        templates(&graph)
            .iter()
            .any(|(name, lang, params)| name == "reopen_chat" && lang == "en" && params.is_empty())
            .then_some(())
    })
    .await;

    // Once the customer answers, free replies work again; reopening is refused.
    let answer = customer_message("wamid.w2", wa, Some("yes, still here"), None);
    assert_eq!(app.post_webhook(answer.as_bytes()).await.status(), 200);
    let mut reply = (reqwest::StatusCode::OK, Value::Null);
    for _ in 0..200 {
        reply = app
            .post(&messages, &json!({"text": "great, it ships today"}))
            .await;
        if reply.0 == 202 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert_eq!(reply.0, 202, "{}", reply.1);
    until("the free reply", || {
        graph
            .requests()
            .iter()
            .any(|(_, _, b)| b["text"]["body"] == "great, it ships today")
            .then_some(())
    })
    .await;
    let (s, b) = app.post(&reopen, &json!({})).await;
    assert_eq!(s, 409, "{b}");
    assert_eq!(b["error"]["code"], "window_open");
    app.stop().await;
}

async fn a_nudge_past_the_window_goes_as_its_template(backend: Backend) {
    let graph = GraphFake::start().await;
    let app = TestApp::spawn_configured(
        backend,
        Some(&graph.url),
        &[
            ("ORDERDESK_NUDGE_AFTER", "1s"),
            ("ORDERDESK_ABANDON_AFTER", "72h"),
            ("ORDERDESK_RECOVERY_LATER", "off"),
        ],
    )
    .await;
    put_text(
        &app,
        "nudge",
        "en",
        json!({"whatsapp_template": "cart_waiting"}),
    )
    .await;
    received_hours_ago(
        &app,
        &order_webhook(
            "wamid.n1",
            "919822200702",
            "Idle",
            &[("sku-1", 1, "5.00", "USD")],
        ),
        25,
    )
    .await;
    let n = app.wait_for_orders(1).await[0]["number"].as_i64().unwrap();
    let sent = until("the nudge template", || {
        let t = templates(&graph);
        t.iter()
            .any(|(name, _, _)| name == "cart_waiting")
            .then_some(t)
    })
    .await;
    assert!(
        sent.contains(&("cart_waiting".into(), "en".into(), vec![n.to_string()])),
        "{sent:?}"
    );
    // The step's question did not go again as free text with it.
    let asks = graph
        .requests()
        .iter()
        .filter(|(_, _, b)| {
            b["interactive"]["body"]["text"]
                .as_str()
                .is_some_and(|t| t.starts_with("Please add your delivery address"))
        })
        .count();
    assert_eq!(asks, 0);
    app.stop().await;
}

/// Hindi versions of the order-received text and the address button.
async fn put_hindi_texts(app: &TestApp) {
    for (key, body) in [
        (
            "order_received",
            "धन्यवाद! आपका ऑर्डर #{number} ({total}) मिला। कृपया पता जोड़ें।",
        ),
        ("button.add_address", "पता जोड़ें"),
    ] {
        put_text(app, key, "hi", json!({ "body": body })).await;
    }
}

async fn a_customers_language_follows_their_first_message_or_staff(backend: Backend) {
    let graph = GraphFake::start().await;
    let app = TestApp::spawn_with(backend, Some(&graph.url)).await;
    let wa = "919822200703";
    put_hindi_texts(&app).await;
    let hello = customer_message(
        "wamid.l1",
        wa,
        Some("नमस्ते, क्या आप पुणे में डिलीवरी करते हैं?"),
        None,
    );
    assert_eq!(app.post_webhook(hello.as_bytes()).await.status(), 200);
    let language = format!("/api/v1/conversations/{wa}/language");
    let mut seen = Value::Null;
    for _ in 0..200 {
        let (s, b) = app.get(&language).await;
        if s == 200 && b["source"] == "detected" {
            seen = b;
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert_eq!(seen["language"], "hi", "{seen}");
    // A later message in English does not change the first guess.
    let english = customer_message("wamid.l2", wa, Some("Hello, do you deliver?"), None);
    assert_eq!(app.post_webhook(english.as_bytes()).await.status(), 200);

    let cart = order_webhook("wamid.l3", wa, "Meera", &[("sku-1", 1, "5.00", "USD")]);
    assert_eq!(app.post_webhook(cart.as_bytes()).await.status(), 200);
    let first = until("the Hindi order_received", || {
        graph
            .requests()
            .into_iter()
            .find(|(_, _, b)| b["interactive"]["type"] == "cta_url")
    })
    .await
    .2;
    let body = first["interactive"]["body"]["text"].as_str().unwrap();
    assert!(body.starts_with("धन्यवाद! आपका ऑर्डर #"), "{first}");
    assert_eq!(
        first["interactive"]["action"]["parameters"]["display_text"],
        "पता जोड़ें"
    );
    let (_, b) = app.get(&language).await;
    assert_eq!(b["language"], "hi", "{b}");

    // Staff set English; bad codes change nothing; null goes back to the business's.
    let (s, b) = put(&app, &language, json!({"language": "not a code!"})).await;
    assert_eq!(s, 422, "{b}");
    assert!(
        b["error"]["message"]
            .as_str()
            .unwrap()
            .contains("not a code!"),
        "{b}"
    );
    let (_, b) = app.get(&language).await;
    assert_eq!(
        (b["language"].as_str(), b["source"].as_str()),
        (Some("hi"), Some("detected"))
    );
    let (s, b) = put(&app, &language, json!({"language": "en"})).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(
        (b["language"].as_str(), b["source"].as_str()),
        (Some("en"), Some("staff"))
    );
    let (s, b) = put(&app, &language, json!({"language": null})).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(
        (b["language"].as_str(), b["source"].as_str()),
        (Some("en"), Some("business"))
    );
    let (s, _) = put(
        &app,
        "/api/v1/conversations/919800000000/language",
        json!({"language": "hi"}),
    )
    .await;
    assert_eq!(s, 404);
    app.stop().await;
}

async fn the_business_language_changes_without_a_restart(backend: Backend) {
    let graph = GraphFake::start().await;
    let app = TestApp::spawn_with(backend, Some(&graph.url)).await;
    put_text(
        &app,
        "order_received",
        "pt_BR",
        json!({"body": "Obrigado pelo pedido #{number} ({total})!"}),
    )
    .await;
    let (s, b) = put(
        &app,
        "/api/v1/settings",
        json!({"settings": {"ORDERDESK_LANGUAGE": "pt_BR"}}),
    )
    .await;
    assert_eq!(s, 200, "{b}");
    // A cart says nothing to guess from: the business's language applies.
    app.place_order("wamid.b1", "919822200704", "Joana").await;
    let first = until("the first message", || {
        graph
            .requests()
            .into_iter()
            .find(|(_, _, b)| b["interactive"]["type"] == "cta_url")
    })
    .await
    .2;
    let body = first["interactive"]["body"]["text"].as_str().unwrap();
    assert!(body.starts_with("Obrigado pelo pedido #"), "{first}");
    app.stop().await;
}

async fn a_label_over_whatsapps_limit_is_refused_naming_it(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (s, b) = put(
        &app,
        "/api/v1/templates/button.pay_now/en",
        json!({"body": "Pay now with UPI or card"}),
    )
    .await;
    assert_eq!(s, 422, "{b}");
    let message = b["error"]["message"].as_str().unwrap();
    assert!(message.contains("at most 20 characters"), "{message}");
    let (s, b) = app
        .post(
            "/api/v1/templates/preview",
            &json!({"key": "button.pay_now", "body": "Pay now with UPI or card"}),
        )
        .await;
    assert_eq!(s, 422, "{b}");
    put_text(
        &app,
        "button.pay_now",
        "hi",
        json!({"body": "अभी भुगतान करें"}),
    )
    .await;
    let (_, list) = app.get("/api/v1/templates").await;
    let labels: Vec<&Value> = list["templates"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["key"] == "button.pay_now")
        .collect();
    assert!(labels
        .iter()
        .any(|t| t["language"] == "en" && t["body"] == "Pay now"));
    assert!(labels
        .iter()
        .any(|t| t["language"] == "hi" && t["body"] == "अभी भुगतान करें"));
    app.stop().await;
}

async fn a_customer_who_writes_in_hindi_gets_hindi_texts_on_the_phone(backend: Backend) {
    let (app, _sim) = TestApp::spawn_with_phone(backend, &[]).await;
    put_hindi_texts(&app).await;
    let phone = Phone { app: &app };
    let asha = phone.add("Asha", "+91 98123 45777").await;
    let wa = asha["wa_id"].as_str().unwrap().to_owned();
    let (s, b) = phone
        .post(
            &format!("/customers/{wa}/text"),
            json!({"text": "नमस्ते, चाय चाहिए"}),
        )
        .await;
    assert!(s < 300, "{b}");
    let (s, b) = phone
        .post(
            &format!("/customers/{wa}/cart"),
            json!({"items": [{"retailer_id": "tea-assam-250", "quantity": 1}]}),
        )
        .await;
    assert_eq!(s, 202, "{b}");
    let ask = phone
        .wait_for(&wa, "the Hindi address request", |m| {
            is_business(m) && m["link"].is_object()
        })
        .await;
    assert!(
        ask["text"]
            .as_str()
            .unwrap()
            .starts_with("धन्यवाद! आपका ऑर्डर #"),
        "{ask}"
    );
    assert_eq!(ask["link"]["label"], "पता जोड़ें");
    app.stop().await;
}

/// A greeting and a cart in one webhook delivery are processed in one
/// batch: the cart's texts still follow the language the greeting set.
async fn a_hindi_greeting_and_a_cart_in_one_delivery_get_hindi_texts(backend: Backend) {
    let graph = GraphFake::start().await;
    let app = TestApp::spawn_with(backend, Some(&graph.url)).await;
    put_text(
        &app,
        "order_received",
        "hi",
        json!({"body": "धन्यवाद! आपका ऑर्डर #{number} ({total}) मिला।"}),
    )
    .await;
    let wa = "919812345778";
    let mut delivery: Value = serde_json::from_str(&customer_message(
        "wamid.hi-greet",
        wa,
        Some("नमस्ते, चाय चाहिए"),
        None,
    ))
    .unwrap();
    let cart: Value = serde_json::from_str(&order_webhook(
        "wamid.hi-cart",
        wa,
        "Asha",
        &[("tea", 1, "249.50", "INR")],
    ))
    .unwrap();
    let message = |v: &Value| v["entry"][0]["changes"][0]["value"]["messages"][0].clone();
    delivery["entry"][0]["changes"][0]["value"]["messages"] =
        json!([message(&delivery), message(&cart)]);
    let status = app
        .post_webhook(delivery.to_string().as_bytes())
        .await
        .status();
    assert_eq!(status, 200);
    let received = crate::followups::wait_body(&graph, wa, "the order's first message", |b| {
        crate::journey::text(b).contains("ऑर्डर #") || crate::journey::text(b).contains("order #")
    })
    .await;
    assert!(
        crate::journey::text(&received).starts_with("धन्यवाद! आपका ऑर्डर #"),
        "{received}"
    );
    app.stop().await;
}

both_backends!(
    a_hindi_greeting_and_a_cart_in_one_delivery_get_hindi_texts,
    past_24_hours_updates_go_as_templates_free_replies_are_refused_and_reopen_works,
    a_nudge_past_the_window_goes_as_its_template,
    a_customers_language_follows_their_first_message_or_staff,
    the_business_language_changes_without_a_restart,
    a_label_over_whatsapps_limit_is_refused_naming_it,
    a_customer_who_writes_in_hindi_gets_hindi_texts_on_the_phone,
);
