//! Staff editing an order (issue #16, item 1): `PATCH /api/v1/orders/{n}`.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{order_webhook, Backend, GraphFake, TestApp};
use crate::journey::{order_when, WAIT};
use crate::payments::{cart_to_payment_link, link_of};

/// `PATCH` JSON with the API token.
pub(crate) async fn patch(app: &TestApp, path: &str, body: &Value) -> (StatusCode, Value) {
    let r = app
        .client
        .patch(app.url(path))
        .bearer_auth(&app.token)
        .json(body)
        .send()
        .await
        .unwrap();
    let status = r.status();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// A mug in the catalog (₹250.00), next to whatever the cart had.
pub(crate) async fn seed_mug(app: &TestApp) {
    let mug = orderdesk_store::Product {
        retailer_id: "mug".into(),
        title: "Mug".into(),
        description: String::new(),
        availability: "in stock".into(),
        condition: "new".into(),
        price_minor: 25_000,
        currency: orderdesk_domain::Currency::parse("INR").unwrap(),
        link: String::new(),
        image_link: String::new(),
        brand: String::new(),
    };
    app.store.upsert_products(&[mug]).await.unwrap();
}

/// A customer's cart of 2 × tea at ₹100.00; returns the order.
pub(crate) async fn tea_order(app: &TestApp, wa: &str) -> Value {
    let cart = order_webhook(
        &format!("wamid.edit-{wa}"),
        wa,
        "Asha",
        &[("tea", 2, "100.00", "INR")],
    );
    assert_eq!(app.post_webhook(cart.as_bytes()).await.status(), 200);
    let n = app.wait_for_order_of(wa).await;
    app.get(&format!("/api/v1/orders/{n}")).await.1
}

async fn an_edit_recomputes_the_total_records_who_and_tells_the_customer(backend: Backend) {
    let graph = GraphFake::start().await;
    let app = TestApp::spawn_with(backend, Some(&graph.url)).await;
    seed_mug(&app).await;
    let order = tea_order(&app, "919833300001").await;
    let n = order["number"].as_i64().unwrap();
    assert_eq!(order["total_minor"], 20_000);
    assert_eq!(order["shipping_minor"], 0);
    assert_eq!(order["discount_minor"], 0);
    let before = graph.wait_for(1, WAIT).await.len();

    let (status, edited) = patch(
        &app,
        &format!("/api/v1/orders/{n}"),
        &json!({
            "version": order["version"],
            "items": [{"retailer_id": "tea", "quantity": 3}, {"retailer_id": "mug", "quantity": 1}],
            "shipping_minor": 5_000,
            "discount_minor": 1_000,
        }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{edited}");
    // 3 × 100 + 250 + 50 shipping − 10 discount.
    assert_eq!(edited["total_minor"], 59_000);
    assert_eq!(edited["shipping_minor"], 5_000);
    assert_eq!(edited["discount_minor"], 1_000);
    assert_eq!(edited["items"][1]["name"], "Mug");
    assert_eq!(edited["items"][1]["unit_price_minor"], 25_000);
    assert_eq!(edited["version"], order["version"].as_i64().unwrap() + 1);
    assert!(edited["refund_due_minor"].is_null());

    let (_, detail) = app.get(&format!("/api/v1/orders/{n}")).await;
    assert_eq!(detail["total_minor"], 59_000);
    let entry = detail["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "edited")
        .cloned()
        .expect("an edited entry");
    assert_eq!(entry["actor"], "staff");
    assert_eq!(entry["actor_name"], "token:tests");
    let what = entry["detail"].as_str().unwrap();
    assert!(
        what.contains("2 × tea") && what.contains("3 × tea"),
        "{what}"
    );
    assert!(what.contains("total: 200.00 INR → 590.00 INR"), "{what}");

    // The customer gets the new summary.
    let sent = graph.wait_for(before + 1, WAIT).await;
    let summary = sent[before..]
        .iter()
        .map(|r| r.2["text"]["body"].as_str().unwrap_or_default().to_owned())
        .find(|t| t.contains("updated"))
        .expect("an order_updated message");
    assert!(summary.contains(&format!("#{n}")), "{summary}");
    assert!(summary.contains("₹590.00"), "{summary}");
    assert!(summary.contains("1 × Mug"), "{summary}");
    app.stop().await;
}

async fn a_stale_or_shipped_edit_is_409_and_changes_nothing(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let order = tea_order(&app, "919833300002").await;
    let n = order["number"].as_i64().unwrap();
    let path = format!("/api/v1/orders/{n}");

    let (status, _) = app
        .move_order(
            n,
            json!({"status": "confirmed", "reason": "paid by bank transfer"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = patch(
        &app,
        &path,
        &json!({"version": order["version"], "shipping_minor": 100}),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["code"], "conflict");
    let now = app.get(&path).await.1;
    assert_eq!(now["shipping_minor"], 0);

    for step in [
        json!({"status": "approved"}),
        json!({"status": "processed"}),
        json!({"status": "shipped"}),
    ] {
        assert_eq!(app.move_order(n, step).await.0, StatusCode::OK);
    }
    let shipped = app.get(&path).await.1;
    let (status, body) = patch(
        &app,
        &path,
        &json!({"version": shipped["version"], "discount_minor": 100}),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["code"], "not_editable");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("shipped"),
        "{body}"
    );
    let after = app.get(&path).await.1;
    assert_eq!(after["version"], shipped["version"]);
    assert_eq!(after["discount_minor"], 0);
    app.stop().await;
}

async fn bad_edits_are_422_naming_the_problem_and_change_nothing(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let order = tea_order(&app, "919833300003").await;
    let n = order["number"].as_i64().unwrap();
    let path = format!("/api/v1/orders/{n}");
    let v = order["version"].clone();
    let cases = [
        (
            json!({"version": v, "items": [{"retailer_id": "ghost-42", "quantity": 1}]}),
            "ghost-42",
        ),
        (
            json!({"version": v, "items": [{"retailer_id": "tea", "quantity": -1}]}),
            "quantity",
        ),
        (
            json!({"version": v, "items": [{"retailer_id": "tea", "quantity": 1, "unit_price_minor": -5}]}),
            "negative",
        ),
        (json!({"version": v, "items": []}), "at least one item"),
        (json!({"version": v, "shipping_minor": -1}), "negative"),
        (json!({"version": v, "discount_minor": -1}), "negative"),
        (
            json!({"version": v, "discount_minor": 20_001}),
            "more than the items' subtotal",
        ),
        (json!({"version": v}), "at least one of"),
    ];
    for (body, says) in cases {
        let (status, answer) = patch(&app, &path, &body).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body} → {answer}"
        );
        assert_eq!(answer["error"]["code"], "invalid_request", "{answer}");
        let message = answer["error"]["message"].as_str().unwrap();
        assert!(message.contains(says), "{body}: {message}");
    }
    let (status, answer) = patch(
        &app,
        "/api/v1/orders/999999",
        &json!({"version": 1, "shipping_minor": 1}),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{answer}");
    assert_eq!(app.get(&path).await.1["version"], v, "nothing changed");
    app.stop().await;
}

async fn a_paid_order_gets_a_difference_link_when_its_total_rises(backend: Backend) {
    let graph = GraphFake::start().await;
    let app = TestApp::spawn_with_simulated_payments(backend, &graph.url).await;
    // 2 × tea at 249.50, paid through the simulator's page.
    let (n, link) = cart_to_payment_link(&app, &graph, "919833300004").await;
    let paid = app
        .client
        .post(&link)
        .form(&[("outcome", "pay")])
        .send()
        .await
        .unwrap();
    assert_eq!(paid.status(), 200);
    let order = order_when(&app, n, |o| o["payment_status"] == "paid").await;
    let path = format!("/api/v1/orders/{n}");

    // Down to one: staff are shown what to refund.
    let (status, down) = patch(
        &app,
        &path,
        &json!({"version": order["version"], "items": [{"retailer_id": "tea", "quantity": 1}]}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{down}");
    assert_eq!(down["refund_due_minor"], 24_950);
    assert!(down["difference_link"].is_null());
    assert_eq!(down["payment_status"], "paid");

    // Up to three: the customer is sent a link for the difference.
    let before = graph.requests().len();
    let (status, up) = patch(
        &app,
        &path,
        &json!({"version": down["version"], "items": [{"retailer_id": "tea", "quantity": 3}]}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{up}");
    assert_eq!(up["total_minor"], 74_850);
    let difference = up["difference_link"]
        .as_str()
        .expect("a difference link")
        .to_owned();
    assert!(
        difference.contains("amount=49900&currency=INR"),
        "{difference}"
    );
    assert_eq!(up["payment_status"], "paid", "what was paid stays paid");
    let mut message = None;
    for _ in 0..400 {
        message = graph.requests()[before..]
            .iter()
            .find(|r| r.2["interactive"]["type"] == "cta_url" && link_of(&r.2) == difference)
            .map(|r| r.2.clone());
        if message.is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    let message = message.expect("the summary with a Pay button for the difference");
    let body = message["interactive"]["body"]["text"].as_str().unwrap();
    assert!(body.contains("difference of ₹499.00"), "{body}");
    app.stop().await;
}

both_backends!(
    an_edit_recomputes_the_total_records_who_and_tells_the_customer,
    a_stale_or_shipped_edit_is_409_and_changes_nothing,
    bad_edits_are_422_naming_the_problem_and_change_nothing,
    a_paid_order_gets_a_difference_link_when_its_total_rises,
);
