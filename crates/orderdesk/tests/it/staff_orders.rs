//! Orders staff create for a customer and act on in bulk (issue #16, items
//! 2, 4 and 5): `POST /api/v1/orders`, `POST /api/v1/orders/bulk`, tags,
//! assignees and their filters.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{customer_message, Backend, GraphFake, TestApp};
use crate::journey::{button_ids, order_when, WAIT};
use crate::payments::link_of;

/// Tea (₹249.50) and a mug (₹250.00) in the catalog.
/// A staff order of one tea for this customer; its number.
pub(crate) async fn order_one_tea(app: &TestApp, wa_id: &str) -> i64 {
    let (status, order) = app
        .post(
            "/api/v1/orders",
            &json!({"customer": {"wa_id": wa_id}, "items": [{"retailer_id": "tea", "quantity": 1}]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{order}");
    order["number"].as_i64().unwrap()
}

pub(crate) async fn seed_catalog(app: &TestApp) {
    let product = |id: &str, title: &str, price: i64| orderdesk_store::Product {
        retailer_id: id.into(),
        title: title.into(),
        description: String::new(),
        availability: "in stock".into(),
        condition: "new".into(),
        price_minor: price,
        currency: orderdesk_domain::Currency::parse("INR").unwrap(),
        link: String::new(),
        image_link: String::new(),
        brand: String::new(),
    };
    app.store
        .upsert_products(&[
            product("tea", "Masala tea", 24_950),
            product("mug", "Mug", 25_000),
        ])
        .await
        .unwrap();
}

/// The first message sent to `wa` that `pred` accepts, waiting (bounded).
async fn message_to(graph: &GraphFake, wa: &str, pred: impl Fn(&Value) -> bool) -> Value {
    for _ in 0..400 {
        let found = graph
            .requests()
            .into_iter()
            .map(|r| r.2)
            .find(|b| b["to"] == wa && pred(b));
        if let Some(found) = found {
            return found;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    panic!("no such message to {wa}: {:?}", graph.requests());
}

fn cta_url(body: &Value) -> &str {
    body["interactive"]["action"]["parameters"]["url"]
        .as_str()
        .unwrap_or_default()
}

async fn a_created_order_runs_the_whole_checkout(backend: Backend) {
    let graph = GraphFake::start().await;
    let app = TestApp::spawn_with_simulated_payments(backend, &graph.url).await;
    seed_catalog(&app).await;
    let wa = "919822200021";
    // The customer wrote today, so their 24-hour window is open.
    let hello = customer_message("wamid.hello-21", wa, Some("Can I order by phone?"), None);
    assert_eq!(app.post_webhook(hello.as_bytes()).await.status(), 200);
    for _ in 0..200 {
        let known = app.store.customer_by_wa_id(wa).await.unwrap();
        if known.is_some_and(|c| c.last_inbound_at.is_some()) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }

    let (status, order) = app
        .post(
            "/api/v1/orders",
            &json!({
                "customer": {"wa_id": "+91 98222 00021", "name": "Meera"},
                "items": [{"retailer_id": "tea", "quantity": 2}, {"retailer_id": "mug", "quantity": 1}],
                "note": "phoned in",
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{order}");
    let n = order["number"].as_i64().unwrap();
    assert_eq!(order["status"], "placed");
    assert_eq!(order["checkout_step"], "awaiting_address");
    assert_eq!(order["customer"]["wa_id"], wa);
    assert_eq!(order["customer"]["user_id"], format!("US.{wa}"));
    assert_eq!(order["customer"]["name"], "Meera");
    assert_eq!(order["total_minor"], 74_900);
    assert_eq!(order["note"], "phoned in");
    assert_eq!(order["items"][0]["name"], "Masala tea");
    let (_, detail) = app.get(&format!("/api/v1/orders/{n}")).await;
    let created = &detail["timeline"][0];
    assert_eq!(created["kind"], "created");
    assert_eq!(created["actor_name"], "token:tests");

    // The same checkout follows: address link, payment link, paid, note, confirmed.
    let first = message_to(&graph, wa, |b| cta_url(b).contains("/address/")).await;
    assert!(first["interactive"]["body"]["text"]
        .as_str()
        .unwrap()
        .contains(&format!("#{n}")));
    app.submit_address(&link_of(&first)).await;
    let pay = message_to(&graph, wa, |b| cta_url(b).contains("/simulator/pay/")).await;
    let link = link_of(&pay);
    assert!(link.contains("amount=74900"), "{link}");
    let paid = app
        .client
        .post(&link)
        .form(&[("outcome", "pay")])
        .send()
        .await
        .unwrap();
    assert_eq!(paid.status(), 200);
    order_when(&app, n, |o| o["payment_status"] == "paid").await;
    message_to(&graph, wa, |b| {
        button_ids(b) == [format!("note:add:{n}"), format!("note:skip:{n}")]
    })
    .await;
    app.tap_reply("wamid.skip-21", wa, &format!("note:skip:{n}"), "Skip")
        .await;
    order_when(&app, n, |o| o["status"] == "confirmed").await;
    app.stop().await;
}

async fn outside_the_window_a_created_order_goes_as_the_approved_template(backend: Backend) {
    let graph = GraphFake::start().await;
    let app = TestApp::spawn_with(backend, Some(&graph.url)).await;
    seed_catalog(&app).await;
    let body = json!({"customer": {"wa_id": "919822200022"}, "items": [{"retailer_id": "mug", "quantity": 1}]});

    // No template configured: created, and the timeline says the customer was not told.
    let (status, order) = app.post("/api/v1/orders", &body).await;
    assert_eq!(status, StatusCode::CREATED, "{order}");
    let n = order["number"].as_i64().unwrap();
    let (_, detail) = app.get(&format!("/api/v1/orders/{n}")).await;
    assert!(detail["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["kind"] == "notice" && e["detail"].as_str().unwrap().contains("not sent")));

    let r = app
        .client
        .put(app.url("/api/v1/templates/order_received/en"))
        .bearer_auth(&app.token)
        .json(&json!({"whatsapp_template": "order_placed_by_staff"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let (status, order) = app.post("/api/v1/orders", &body).await;
    assert_eq!(status, StatusCode::CREATED, "{order}");
    let n = order["number"].as_i64().unwrap();
    let sent = graph.wait_for(1, WAIT).await;
    let template = &sent[0].2["template"];
    assert_eq!(template["name"], "order_placed_by_staff", "{}", sent[0].2);
    let params: Vec<&str> = template["components"][0]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["text"].as_str().unwrap())
        .collect();
    assert_eq!(params[0], n.to_string());
    assert_eq!(params[1], "₹250.00");
    assert!(params[2].starts_with(&app.url("/address/")), "{params:?}");
    app.stop().await;
}

async fn bad_new_orders_are_422_and_create_nothing(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    seed_catalog(&app).await;
    let cases = [
        (
            json!({"customer": {"wa_id": "12"}, "items": [{"retailer_id": "tea", "quantity": 1}]}),
            "WhatsApp number",
        ),
        (
            json!({"customer": {"wa_id": "919822200023"}, "items": []}),
            "at least one item",
        ),
        (
            json!({"customer": {"wa_id": "919822200023"}, "items": [{"retailer_id": "ghost", "quantity": 1}]}),
            "\"ghost\"",
        ),
        (
            json!({"customer": {"wa_id": "919822200023"}, "items": [{"retailer_id": "tea", "quantity": 0}]}),
            "quantity",
        ),
    ];
    for (body, says) in cases {
        let (status, answer) = app.post("/api/v1/orders", &body).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body} → {answer}"
        );
        assert!(
            answer["error"]["message"].as_str().unwrap().contains(says),
            "{answer}"
        );
    }
    let (_, list) = app.get("/api/v1/orders").await;
    assert!(list["orders"].as_array().unwrap().is_empty());
    app.stop().await;
}

async fn new_order(app: &TestApp, wa: &str) -> i64 {
    let (status, order) = app
        .post(
            "/api/v1/orders",
            &json!({"customer": {"wa_id": wa}, "items": [{"retailer_id": "tea", "quantity": 1}]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{order}");
    order["number"].as_i64().unwrap()
}

async fn bulk_moves_report_each_refusal_and_change_only_the_legal(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    seed_catalog(&app).await;
    let a = new_order(&app, "919822200031").await;
    let b = new_order(&app, "919822200032").await;
    let c = new_order(&app, "919822200033").await;
    for n in [a, b] {
        let (s, _) = app
            .move_order(n, json!({"status": "confirmed", "reason": "paid cash"}))
            .await;
        assert_eq!(s, StatusCode::OK);
    }
    // a and b are confirmed, c is still placed: approving all three moves two.
    let (status, answer) = app
        .post(
            "/api/v1/orders/bulk",
            &json!({"numbers": [a, b, c, 999_999], "action": "status", "status": "approved"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let results = answer["results"].as_array().unwrap();
    let of = |n: i64| results.iter().find(|r| r["number"] == n).unwrap().clone();
    assert_eq!(of(a)["ok"], true);
    assert_eq!(of(b)["ok"], true);
    assert_eq!(of(c)["ok"], false);
    assert!(
        of(c)["error"].as_str().unwrap().contains("placed"),
        "{}",
        of(c)
    );
    assert_eq!(of(999_999)["ok"], false);
    assert_eq!(
        app.get(&format!("/api/v1/orders/{a}")).await.1["status"],
        "approved"
    );
    assert_eq!(
        app.get(&format!("/api/v1/orders/{c}")).await.1["status"],
        "placed"
    );

    // Cancelling needs a reason; without one each order is refused, unchanged.
    let (_, answer) = app
        .post(
            "/api/v1/orders/bulk",
            &json!({"filter": {"status": "approved"}, "action": "status", "status": "cancelled"}),
        )
        .await;
    assert!(
        answer["results"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["ok"] == false),
        "{answer}"
    );
    assert_eq!(
        app.get(&format!("/api/v1/orders/{a}")).await.1["status"],
        "approved"
    );

    // Over 1,000 orders, both or neither target, an unknown action: 422, nothing done.
    let many: Vec<i64> = (1001..=2002).collect();
    for body in [
        json!({"numbers": many, "action": "status", "status": "approved"}),
        json!({"numbers": [a], "filter": {}, "action": "status", "status": "approved"}),
        json!({"action": "status", "status": "approved"}),
        json!({"numbers": [a], "action": "explode"}),
    ] {
        let (status, answer) = app.post("/api/v1/orders/bulk", &body).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    }
    app.stop().await;
}

async fn tags_and_assignees_are_set_in_bulk_and_filter_the_list(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    seed_catalog(&app).await;
    app.store
        .create_user(&orderdesk_store::NewUser {
            email: "agent@shop.test".into(),
            role: orderdesk_store::Role::Agent,
            password_hash: "x".into(),
            created_at: chrono::Utc::now(),
        })
        .await
        .unwrap();
    let a = new_order(&app, "919822200041").await;
    let b = new_order(&app, "919822200042").await;

    let (status, answer) = app
        .post(
            "/api/v1/orders/bulk",
            &json!({"numbers": [a, b], "action": "tag", "tag": " Gift  Wrap "}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let (status, answer) = app
        .post(
            "/api/v1/orders/bulk",
            &json!({"numbers": [a], "action": "assign", "assignee": "Agent@Shop.test"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let order = app.get(&format!("/api/v1/orders/{a}")).await.1;
    assert_eq!(order["tags"], json!(["gift wrap"]));
    assert_eq!(order["assignee"], "agent@shop.test");
    assert!(order["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["kind"] == "edited" && e["detail"] == "assigned to agent@shop.test"));

    let (_, tagged) = app.get("/api/v1/orders?tag=gift%20wrap").await;
    assert_eq!(tagged["orders"].as_array().unwrap().len(), 2);
    let (_, mine) = app.get("/api/v1/orders?assignee=agent@shop.test").await;
    let numbers: Vec<i64> = mine["orders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["number"].as_i64().unwrap())
        .collect();
    assert_eq!(numbers, [a]);

    // An unknown assignee or a bad tag refuses the whole request.
    let (status, answer) = app
        .post(
            "/api/v1/orders/bulk",
            &json!({"numbers": [b], "action": "assign", "assignee": "ghost@shop.test"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert!(answer["error"]["message"]
        .as_str()
        .unwrap()
        .contains("ghost@shop.test"));
    let (status, _) = app
        .post(
            "/api/v1/orders/bulk",
            &json!({"numbers": [b], "action": "tag", "tag": "<script>"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(app.get(&format!("/api/v1/orders/{b}")).await.1["assignee"].is_null());
    app.stop().await;
}

both_backends!(
    a_created_order_runs_the_whole_checkout,
    outside_the_window_a_created_order_goes_as_the_approved_template,
    bad_new_orders_are_422_and_create_nothing,
    bulk_moves_report_each_refusal_and_change_only_the_legal,
    tags_and_assignees_are_set_in_bulk_and_filter_the_list,
);
