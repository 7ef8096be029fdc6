//! DESIGN §1 end to end, cash-on-delivery variant: a customer's cart goes
//! from Placed to Confirmed by tapping and typing only, then staff move it
//! to Delivered and the customer hears about each stage.

use std::time::Duration;

use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{customer_message, order_webhook, Backend, GraphFake, SseReader, TestApp};

pub(crate) const WAIT: Duration = Duration::from_secs(10);

pub(crate) fn button_ids(body: &Value) -> Vec<String> {
    body["interactive"]["action"]["buttons"]
        .as_array()
        .map(|b| {
            b.iter()
                .map(|x| x["reply"]["id"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

pub(crate) fn text(body: &Value) -> String {
    body["text"]["body"]
        .as_str()
        .or(body["interactive"]["body"]["text"].as_str())
        .unwrap_or_default()
        .to_owned()
}

pub(crate) async fn order_when(app: &TestApp, n: i64, pred: impl Fn(&Value) -> bool) -> Value {
    for _ in 0..400 {
        let (_, o) = app.get(&format!("/api/v1/orders/{n}")).await;
        if pred(&o) {
            return o;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!(
        "order #{n} never reached the expected state: {}",
        app.get(&format!("/api/v1/orders/{n}")).await.1
    );
}

async fn a_cod_customer_checks_out_by_tapping_and_typing_and_hears_every_stage(backend: Backend) {
    let graph = GraphFake::start().await;
    let app =
        TestApp::spawn_configured(backend, Some(&graph.url), &[("COD_ENABLED", "true")]).await;
    let mut events = SseReader::open(&app, None).await;
    let wa = "919822200001";

    // 1. The cart: an order at once, and the address link.
    let order = app.place_order("wamid.j-cart", wa, "Journey").await;
    let n = order["number"].as_i64().unwrap();
    assert_eq!(events.next(WAIT).await.kind, "order.created");
    let sent = graph.wait_for(1, WAIT).await;
    let link = sent[0].2["interactive"]["action"]["parameters"]["url"]
        .as_str()
        .unwrap()
        .to_owned();

    // 2. The hosted form, as a phone's browser submits it.
    let page = app.client.get(&link).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains(&format!("#{n}")));
    let submitted = app
        .client
        .post(&link)
        .form(&[
            ("name", "Asha Rao"),
            ("phone", "+91 98222 00001"),
            ("line1", "12 MG Road"),
            ("line2", ""),
            ("city", "Bengaluru"),
            ("state", "Karnataka"),
            ("postal_code", "560001"),
            ("country", "IN"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(submitted.status(), 200);
    let o = order_when(&app, n, |o| o["checkout_step"] == "awaiting_payment").await;
    assert_eq!(o["address"]["city"], "Bengaluru");

    // 3. Thanks, then Pay now / Cash on delivery; the customer taps COD.
    let sent = graph.wait_for(3, WAIT).await;
    assert!(text(&sent[1].2).contains("address"), "{}", sent[1].2);
    assert_eq!(
        button_ids(&sent[2].2),
        [format!("pay:online:{n}"), format!("pay:cod:{n}")]
    );
    app.tap_reply(
        "wamid.j-cod",
        wa,
        &format!("pay:cod:{n}"),
        "Cash on delivery",
    )
    .await;
    let o = order_when(&app, n, |o| o["payment_method"] == "cod").await;
    assert_eq!(o["checkout_step"], "awaiting_note_choice");

    // 4. The note question; the customer types the note instead of tapping.
    let sent = graph.wait_for(5, WAIT).await;
    assert!(sent
        .iter()
        .any(|r| button_ids(&r.2) == [format!("note:add:{n}"), format!("note:skip:{n}")]));
    // A repeated tap changes nothing.
    app.tap_reply(
        "wamid.j-cod-again",
        wa,
        &format!("pay:cod:{n}"),
        "Cash on delivery",
    )
    .await;
    let note = customer_message("wamid.j-note", wa, Some("Please ring the bell"), None);
    assert_eq!(app.post_webhook(note.as_bytes()).await.status(), 200);
    let o = order_when(&app, n, |o| o["status"] == "confirmed").await;
    assert_eq!(o["note"], "Please ring the bell");
    assert_eq!(o["checkout_step"], "complete");
    let confirm = o["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["to_status"] == "confirmed")
        .unwrap()
        .clone();
    assert_eq!(confirm["actor"], "bot");

    // The customer is told, and only then do staff act.
    for _ in 0..400 {
        if graph
            .requests()
            .iter()
            .any(|r| text(&r.2).contains("is confirmed"))
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert!(graph
        .requests()
        .iter()
        .any(|r| text(&r.2).contains("is confirmed")));

    // 5. Staff take it to Delivered; the customer hears each stage.
    let before = graph.requests().len();
    for (status, extra) in [
        ("approved", json!({})),
        ("processed", json!({})),
        (
            "shipped",
            json!({"tracking": "https://track.example/AB123"}),
        ),
        ("delivered", json!({})),
    ] {
        let mut body = json!({ "status": status });
        body.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        let (s, b) = app.move_order(n, body).await;
        assert_eq!(s, 200, "{b}");
    }
    let sent = graph.wait_for(before + 4, WAIT).await;
    let updates: Vec<String> = sent[before..].iter().map(|r| text(&r.2)).collect();
    assert!(updates[0].contains("approved"), "{updates:?}");
    assert!(
        updates[2].contains("https://track.example/AB123"),
        "{updates:?}"
    );
    assert!(updates[3].contains("delivered"), "{updates:?}");

    // 6. The customer writes after the checkout: it lands in this order's
    // thread, and a reply from the order window reaches them.
    let question = customer_message("wamid.j-question", wa, Some("When will it arrive?"), None);
    assert_eq!(app.post_webhook(question.as_bytes()).await.status(), 200);
    let mut thread = Vec::new();
    for _ in 0..200 {
        thread = app.get(&format!("/api/v1/orders/{n}/messages")).await.1["messages"]
            .as_array()
            .unwrap()
            .clone();
        if thread.iter().any(|m| m["text"] == "When will it arrive?") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let asked = thread
        .iter()
        .find(|m| m["text"] == "When will it arrive?")
        .unwrap();
    assert_eq!(asked["direction"], "in");
    let (s, _) = app
        .post(
            &format!("/api/v1/orders/{n}/messages"),
            &json!({"text": "Thank you, Asha!"}),
        )
        .await;
    assert_eq!(s, 202);
    let sent = graph.wait_for(before + 5, WAIT).await;
    assert_eq!(text(&sent[before + 4].2), "Thank you, Asha!");
    assert!(
        sent.iter().all(|r| r.2["to"] == wa),
        "every message went to this customer"
    );
    app.stop().await;
}

async fn an_idle_checkout_is_nudged_once_then_abandoned_and_resumes_when_the_customer_returns(
    backend: Backend,
) {
    let graph = GraphFake::start().await;
    let app = TestApp::spawn_configured(
        backend,
        Some(&graph.url),
        &[
            ("ORDERDESK_NUDGE_AFTER", "1s"),
            ("ORDERDESK_ABANDON_AFTER", "3s"),
        ],
    )
    .await;
    let wa = "919822200002";
    let order = app.place_order("wamid.idle-cart", wa, "Idle").await;
    let n = order["number"].as_i64().unwrap();

    let o = order_when(&app, n, |o| o["status"] == "abandoned").await;
    let abandon = o["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["to_status"] == "abandoned")
        .unwrap()
        .clone();
    assert_eq!(abandon["actor"], "system");
    let nudges = graph
        .requests()
        .iter()
        .filter(|r| text(&r.2).contains("is waiting for you"))
        .count();
    assert_eq!(nudges, 1, "exactly one reminder before abandoning");

    // Coming back resumes the same order where it stopped.
    let before = graph.requests().len();
    let hello = customer_message("wamid.idle-back", wa, Some("hi, still want it"), None);
    assert_eq!(app.post_webhook(hello.as_bytes()).await.status(), 200);
    let o = order_when(&app, n, |o| o["status"] == "placed").await;
    assert_eq!(o["checkout_step"], "awaiting_address");
    let sent = graph.wait_for(before + 2, WAIT).await;
    assert!(
        text(&sent[before].2).contains("Welcome back"),
        "{}",
        sent[before].2
    );
    assert_eq!(
        sent[before + 1].2["interactive"]["type"],
        "cta_url",
        "asked for the address again"
    );
    app.stop().await;
}

/// A loopback fake of Razorpay's `POST /v1/payment_links`: records each
/// request and answers with a link whose short URL names the attempt.
pub(crate) async fn razorpay_fake() -> (String, std::sync::Arc<std::sync::Mutex<Vec<Value>>>) {
    use axum::extract::State;
    type Seen = std::sync::Arc<std::sync::Mutex<Vec<Value>>>;
    async fn create(
        State(seen): State<Seen>,
        axum::Json(body): axum::Json<Value>,
    ) -> axum::Json<Value> {
        seen.lock().unwrap().push(body.clone());
        let reference = body["reference_id"].as_str().unwrap_or_default().to_owned();
        axum::Json(json!({
            "id": format!("plink_{}", reference.replace('-', "x")),
            "short_url": format!("https://rzp.io/i/{reference}"),
            "reference_id": reference,
            "status": "created",
            "amount": body["amount"],
            "currency": body["currency"],
            "expire_by": body["expire_by"],
        }))
    }
    let seen: Seen = Default::default();
    let app = axum::Router::new()
        .route("/v1/payment_links", axum::routing::post(create))
        .with_state(seen.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (url, seen)
}

pub(crate) const RZP_WEBHOOK_SECRET: &str = "rzp_webhook_test_secret";

pub(crate) fn payment_link_paid(plink: &str, reference: &str, paise: i64) -> String {
    json!({
        "entity": "event", "account_id": "acc_TEST00000000", "event": "payment_link.paid",
        "contains": ["payment_link", "order", "payment"],
        "payload": {
            "payment_link": {"entity": {"id": plink, "amount": paise, "amount_paid": paise,
                "currency": "INR", "reference_id": reference, "status": "paid"}},
            "payment": {"entity": {"id": "pay_TEST0000000001", "amount": paise, "currency": "INR",
                "status": "captured", "order_id": "order_TEST000000001"}},
            "order": {"entity": {"id": "order_TEST000000001", "amount": paise, "amount_paid": paise, "status": "paid"}}
        },
        "created_at": 1_700_000_000
    })
    .to_string()
}

async fn an_online_payment_through_razorpay_flips_the_order_to_paid_exactly_once(backend: Backend) {
    let graph = GraphFake::start().await;
    let (rzp_url, links) = razorpay_fake().await;
    let app = TestApp::spawn_configured(
        backend,
        Some(&graph.url),
        &[
            ("PAYMENTS_PROVIDER", "razorpay"),
            ("RAZORPAY_KEY_ID", "rzp_test_orderdesk"),
            ("RAZORPAY_KEY_SECRET", "rzp_key_secret"),
            ("RAZORPAY_WEBHOOK_SECRET", RZP_WEBHOOK_SECRET),
            ("RAZORPAY_API_URL", &rzp_url),
        ],
    )
    .await;
    let wa = "919822200003";
    let cart = crate::helpers::order_webhook(
        "wamid.rzp-cart",
        wa,
        "Priya",
        &[("tea", 2, "249.50", "INR")],
    );
    assert_eq!(app.post_webhook(cart.as_bytes()).await.status(), 200);
    let n = app.wait_for_orders(1).await[0]["number"].as_i64().unwrap();
    let link = graph.wait_for(1, WAIT).await[0].2["interactive"]["action"]["parameters"]["url"]
        .as_str()
        .unwrap()
        .to_owned();
    app.submit_address(&link).await;

    // The payment request carries the provider's short URL, for the order total.
    let sent = graph.wait_for(3, WAIT).await;
    let pay = &sent[2].2;
    assert_eq!(pay["interactive"]["type"], "cta_url", "{pay}");
    assert_eq!(
        pay["interactive"]["action"]["parameters"]["url"],
        format!("https://rzp.io/i/{n}-1")
    );
    let created = links.lock().unwrap().clone();
    assert_eq!(created.len(), 1);
    assert_eq!(created[0]["amount"], 49900, "2 x 249.50 INR in paise");
    assert_eq!(created[0]["reference_id"], format!("{n}-1"));

    // A forged webhook is refused and changes nothing.
    let body = payment_link_paid(&format!("plink_{n}x1"), &format!("{n}-1"), 49900);
    let post = |signature: String, event_id: &str| {
        app.client
            .post(app.url("/webhooks/razorpay"))
            .header("x-razorpay-signature", signature)
            .header("x-razorpay-event-id", event_id.to_owned())
            .body(body.clone())
            .send()
    };
    let forged = post(
        orderdesk_payments::razorpay::sign_webhook("wrong", body.as_bytes()),
        "evt_forged",
    )
    .await
    .unwrap();
    assert_eq!(forged.status(), 401);
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(
        app.get(&format!("/api/v1/orders/{n}")).await.1["payment_status"],
        "pending"
    );

    // The genuine one marks it paid; a redelivery changes nothing more.
    let signature = orderdesk_payments::razorpay::sign_webhook(RZP_WEBHOOK_SECRET, body.as_bytes());
    for _ in 0..2 {
        assert_eq!(
            post(signature.clone(), "evt_paid_1")
                .await
                .unwrap()
                .status(),
            200
        );
    }
    let o = order_when(&app, n, |o| o["payment_status"] == "paid").await;
    assert_eq!(o["payment_method"], "razorpay");
    assert_eq!(o["checkout_step"], "awaiting_note_choice");
    let sent = graph.wait_for(5, WAIT).await;
    assert!(sent
        .iter()
        .any(|r| button_ids(&r.2) == [format!("note:add:{n}"), format!("note:skip:{n}")]));
    tokio::time::sleep(Duration::from_millis(300)).await;
    let paid_entries = app.get(&format!("/api/v1/orders/{n}")).await.1["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| {
            e["detail"]
                .as_str()
                .is_some_and(|d| d.starts_with("payment_link.paid"))
        })
        .count();
    assert_eq!(paid_entries, 1, "the redelivered event is applied once");

    // Skip the note: confirmed by the bot.
    app.tap_reply("wamid.rzp-skip", wa, &format!("note:skip:{n}"), "Skip")
        .await;
    order_when(&app, n, |o| o["status"] == "confirmed").await;
    app.stop().await;
}

async fn a_second_cart_mid_checkout_replaces_the_first_per_the_setting(backend: Backend) {
    for (setting, older_status) in [("abandon", "abandoned"), ("keep", "placed")] {
        let graph = GraphFake::start().await;
        let app = TestApp::spawn_configured(
            backend,
            Some(&graph.url),
            &[("ORDERDESK_ON_NEWER_CART", setting)],
        )
        .await;
        let wa = "919822200004";
        let first = app.place_order("wamid.two-1", wa, "Twice").await["number"]
            .as_i64()
            .unwrap();
        let second = app.place_order("wamid.two-2", wa, "Twice").await["number"]
            .as_i64()
            .unwrap();
        assert_eq!(second, first + 1);
        let older = order_when(&app, first, |o| o["status"] == older_status).await;
        assert_eq!(
            older["items"].as_array().unwrap().len(),
            1,
            "the older order keeps its items"
        );
        let newer = order_when(&app, second, |o| o["status"] == "placed").await;
        assert_eq!(newer["checkout_step"], "awaiting_address");
        if setting == "abandon" {
            let moved = older["timeline"]
                .as_array()
                .unwrap()
                .iter()
                .find(|e| e["to_status"] == "abandoned")
                .unwrap()
                .clone();
            assert_eq!(moved["actor"], "system");
            assert!(moved["reason"]
                .as_str()
                .unwrap()
                .contains(&format!("#{second}")));
            let told = graph.wait_for(3, WAIT).await;
            assert!(
                told.iter()
                    .any(|r| text(&r.2).contains(&format!("newer order #{second}"))),
                "the customer is told which order is looked after now"
            );
        }
        app.stop().await;
    }
}

/// Carts of several customers processed in one batch (one webhook carries
/// them all): each replaces only its own customer's older orders, and a
/// customer with two carts in the batch ends with the newest one open.
async fn carts_of_several_customers_in_one_batch_each_replace_their_own_older_order(
    backend: Backend,
) {
    let graph = GraphFake::start().await;
    let app = TestApp::spawn_configured(
        backend,
        Some(&graph.url),
        &[("ORDERDESK_ON_NEWER_CART", "abandon")],
    )
    .await;
    let (a, b, c) = ("919822200011", "919822200012", "919822200013");
    let a0 = app.place_order("wamid.batch-a0", a, "Asha").await["number"]
        .as_i64()
        .unwrap();
    let b0 = app.place_order("wamid.batch-b0", b, "Bala").await["number"]
        .as_i64()
        .unwrap();
    let carts = [
        ("wamid.batch-a1", a, "Asha"),
        ("wamid.batch-a2", a, "Asha"),
        ("wamid.batch-b1", b, "Bala"),
        ("wamid.batch-c1", c, "Chitra"),
    ];
    let mut entries = Vec::new();
    for (wamid, wa, name) in carts {
        let one: Value = serde_json::from_str(&order_webhook(
            wamid,
            wa,
            name,
            &[("sku-1", 1, "7.99", "USD")],
        ))
        .unwrap();
        entries.extend(one["entry"].as_array().unwrap().iter().cloned());
    }
    let body = json!({"object": "whatsapp_business_account", "entry": entries}).to_string();
    assert_eq!(app.post_webhook(body.as_bytes()).await.status(), 200);
    // Numbered in the webhook's order, after the two placed one by one.
    let (a1, a2, b1, c1) = (b0 + 1, b0 + 2, b0 + 3, b0 + 4);
    for (n, name) in [(a1, "Asha"), (a2, "Asha"), (b1, "Bala"), (c1, "Chitra")] {
        let o = order_when(&app, n, |o| o["customer"]["name"] == name).await;
        assert_eq!(o["customer"]["name"], name, "order #{n}");
    }
    for (older, newer) in [(a0, a1), (a1, a2), (b0, b1)] {
        let o = order_when(&app, older, |o| o["status"] == "abandoned").await;
        let reason = o["timeline"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["to_status"] == "abandoned")
            .unwrap()["reason"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(
            reason.contains(&format!("#{newer}")),
            "#{older} names #{newer}: {reason}"
        );
    }
    for n in [a2, b1, c1] {
        assert_eq!(
            app.get(&format!("/api/v1/orders/{n}")).await.1["status"],
            "placed"
        );
    }
    app.stop().await;
}

both_backends!(
    a_cod_customer_checks_out_by_tapping_and_typing_and_hears_every_stage,
    an_idle_checkout_is_nudged_once_then_abandoned_and_resumes_when_the_customer_returns,
    an_online_payment_through_razorpay_flips_the_order_to_paid_exactly_once,
    a_second_cart_mid_checkout_replaces_the_first_per_the_setting,
    carts_of_several_customers_in_one_batch_each_replace_their_own_older_order,
);
