//! Refunds at the provider, full or partial (issue #15 item 1), against
//! loopback fakes of Razorpay's and Stripe's refund endpoints that speak
//! their documented wire format.

use std::sync::{Arc, Mutex};

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{Backend, GraphFake, TestApp};
use crate::journey::{order_when, payment_link_paid, WAIT};
use crate::payments::{act, cart_to_payment_link, refused_naming, STRIPE_WEBHOOK_SECRET};

/// What a fake provider was asked: (path, idempotency key, body).
pub(crate) type Asked = Arc<Mutex<Vec<(String, Option<String>, Value)>>>;

/// Serves a provider fake on loopback; returns its base URL.
async fn serve(app: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    url
}

/// Razorpay: payment links, and `POST /v1/payments/{id}/refund` answering
/// the refund entity as `processed`, except an amount of 1 paisa, which it
/// refuses as Razorpay does a bad request.
pub(crate) async fn razorpay_fake() -> (String, Asked) {
    razorpay_fake_answering("processed").await
}

/// [`razorpay_fake`] whose refunds answer with `status` (`pending`: the
/// outcome follows as a webhook).
pub(crate) async fn razorpay_fake_answering(status: &'static str) -> (String, Asked) {
    async fn link(axum::Json(body): axum::Json<Value>) -> axum::Json<Value> {
        let reference = body["reference_id"].as_str().unwrap_or_default().to_owned();
        axum::Json(json!({
            "id": format!("plink_{}", reference.replace('-', "x")),
            "short_url": format!("https://rzp.io/i/{reference}"),
            "reference_id": reference, "status": "created",
            "amount": body["amount"], "currency": body["currency"], "expire_by": body["expire_by"],
        }))
    }
    async fn refund(
        State((asked, status)): State<(Asked, &'static str)>,
        Path(payment): Path<String>,
        axum::Json(body): axum::Json<Value>,
    ) -> (StatusCode, axum::Json<Value>) {
        let n = {
            let mut asked = asked.lock().unwrap();
            asked.push((format!("/v1/payments/{payment}/refund"), None, body.clone()));
            asked.len()
        };
        if body["amount"] == 1 {
            return (
                StatusCode::BAD_REQUEST,
                axum::Json(json!({"error": {"code": "BAD_REQUEST_ERROR",
                    "description": "The refund amount provided is less than minimum amount allowed"}})),
            );
        }
        (
            StatusCode::OK,
            axum::Json(json!({
                "id": format!("rfnd_TEST{n:010}"), "entity": "refund", "amount": body["amount"],
                "currency": "INR", "payment_id": payment, "notes": body["notes"],
                "receipt": body["receipt"], "status": status, "speed_requested": "normal",
            })),
        )
    }
    let asked: Asked = Arc::default();
    let app = axum::Router::new()
        .route("/v1/payment_links", axum::routing::post(link))
        .route("/v1/payments/{payment}/refund", axum::routing::post(refund))
        .with_state((asked.clone(), status));
    (serve(app).await, asked)
}

/// Stripe: Checkout Sessions, and `POST /v1/refunds` answering the refund
/// object as `pending` (its outcome follows as a webhook).
pub(crate) async fn stripe_fake() -> (String, Asked) {
    async fn session(axum::Form(form): axum::Form<Vec<(String, String)>>) -> axum::Json<Value> {
        let reference = form
            .iter()
            .find(|(k, _)| k == "client_reference_id")
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        axum::Json(
            json!({"id": format!("cs_test_{reference}"), "object": "checkout.session",
            "url": format!("https://checkout.stripe.com/c/pay/cs_test_{reference}"), "expires_at": 1_900_000_000}),
        )
    }
    async fn refund(
        State(asked): State<Asked>,
        headers: HeaderMap,
        axum::Form(form): axum::Form<Vec<(String, String)>>,
    ) -> axum::Json<Value> {
        let key = headers
            .get("idempotency-key")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let body: serde_json::Map<String, Value> =
            form.into_iter().map(|(k, v)| (k, Value::from(v))).collect();
        let n = {
            let mut asked = asked.lock().unwrap();
            asked.push(("/v1/refunds".to_owned(), key, Value::Object(body.clone())));
            asked.len()
        };
        let amount: i64 = body["amount"].as_str().unwrap_or("0").parse().unwrap_or(0);
        axum::Json(
            json!({"id": format!("re_test_{n}"), "object": "refund", "amount": amount,
            "currency": "inr", "payment_intent": body["payment_intent"], "status": "pending",
            "metadata": {"order_number": body["metadata[order_number]"], "refund_id": body["metadata[refund_id]"]}}),
        )
    }
    let asked: Asked = Arc::default();
    let app = axum::Router::new()
        .route("/v1/checkout/sessions", axum::routing::post(session))
        .route("/v1/refunds", axum::routing::post(refund))
        .with_state(asked.clone());
    (serve(app).await, asked)
}

pub(crate) async fn razorpay_app(backend: Backend, graph: &GraphFake, url: &str) -> TestApp {
    TestApp::spawn_configured(
        backend,
        Some(&graph.url),
        &[
            ("PAYMENTS_PROVIDER", "razorpay"),
            ("RAZORPAY_KEY_ID", "rzp_test_orderdesk"),
            ("RAZORPAY_KEY_SECRET", "rzp_key_secret"),
            (
                "RAZORPAY_WEBHOOK_SECRET",
                crate::journey::RZP_WEBHOOK_SECRET,
            ),
            ("RAZORPAY_API_URL", url),
        ],
    )
    .await
}

/// An order of 499.00 INR paid through Razorpay (payment `pay_TEST0000000001`).
pub(crate) async fn paid_through_razorpay(app: &TestApp, graph: &GraphFake, wa: &str) -> i64 {
    let (n, _) = cart_to_payment_link(app, graph, wa).await;
    let body = payment_link_paid(&format!("plink_{n}x1"), &format!("{n}-1"), 49900);
    let signature = orderdesk_payments::razorpay::sign_webhook(
        crate::journey::RZP_WEBHOOK_SECRET,
        body.as_bytes(),
    );
    let answer = app
        .client
        .post(app.url("/webhooks/razorpay"))
        .header("x-razorpay-signature", signature)
        .header("x-razorpay-event-id", format!("evt_paid_{n}"))
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    let o = order_when(app, n, |o| o["payment_status"] == "paid").await;
    assert_eq!(o["provider_payment_id"], "pay_TEST0000000001");
    n
}

/// The texts the customer got that mention a refund.
pub(crate) async fn refund_texts(graph: &GraphFake, wa: &str, count: usize) -> Vec<String> {
    for _ in 0..200 {
        let texts: Vec<String> = graph
            .requests()
            .into_iter()
            .filter(|r| r.2["to"] == wa)
            .filter_map(|r| r.2["text"]["body"].as_str().map(str::to_owned))
            .filter(|t| t.contains("refunded"))
            .collect();
        if texts.len() >= count {
            return texts;
        }
        tokio::time::sleep(WAIT / 200).await;
    }
    panic!("the customer was not told of {count} refunds");
}

async fn a_partial_then_final_razorpay_refund_reach_the_provider_and_end_refunded(
    backend: Backend,
) {
    let graph = GraphFake::start().await;
    let (url, asked) = razorpay_fake().await;
    let app = razorpay_app(backend, &graph, &url).await;
    let wa = "919822200031";
    let n = paid_through_razorpay(&app, &graph, wa).await;

    // More than was paid: 409 naming what is left; nothing reaches Razorpay.
    let too_much = json!({"action": "refund", "amount_minor": 50_000, "reason": "x"});
    refused_naming(&app, n, too_much, "499.00 INR").await;
    assert!(asked.lock().unwrap().is_empty());

    let (status, o) = act(
        &app,
        n,
        json!({"action": "refund", "amount_minor": 20_000, "reason": "one cup broke"}),
    )
    .await;
    assert_eq!(status, 200, "{o}");
    assert_eq!(o["payment_status"], "partially_refunded");
    assert_eq!(o["refunded_minor"], 20_000);
    assert_eq!(o["refunds"][0]["status"], "processed");
    assert_eq!(o["refunds"][0]["provider_ref"], "rfnd_TEST0000000001");
    assert_eq!(o["refunds"][0]["reason"], "one cup broke");
    assert_eq!(o["refunds"][0]["by"], "token:tests");

    // Without an amount: everything left.
    let (status, o) = act(
        &app,
        n,
        json!({"action": "refund", "reason": "customer returned it"}),
    )
    .await;
    assert_eq!(status, 200, "{o}");
    assert_eq!(o["payment_status"], "refunded");
    assert_eq!(o["refunded_minor"], 49_900);

    let asked = asked.lock().unwrap().clone();
    assert_eq!(asked.len(), 2);
    for ((path, _, body), amount) in asked.iter().zip([20_000, 29_900]) {
        assert_eq!(path, "/v1/payments/pay_TEST0000000001/refund");
        assert_eq!(body["amount"], amount, "{body}");
        assert_eq!(body["notes"]["order_number"], n.to_string());
    }
    assert_ne!(asked[0].2["receipt"], asked[1].2["receipt"]);
    let told = refund_texts(&graph, wa, 2).await;
    assert!(told[0].contains("₹200.00"), "{told:?}");
    assert!(told[1].contains("₹299.00"), "{told:?}");

    // Nothing left: 409.
    let (status, body) = act(&app, n, json!({"action": "refund", "reason": "again"})).await;
    assert_eq!(status, 409, "{body}");
    app.stop().await;
}

async fn a_refund_the_provider_refuses_is_failed_with_its_reason_and_nothing_else_changes(
    backend: Backend,
) {
    let graph = GraphFake::start().await;
    let (url, _asked) = razorpay_fake().await;
    let app = razorpay_app(backend, &graph, &url).await;
    let n = paid_through_razorpay(&app, &graph, "919822200032").await;
    let (status, o) = act(
        &app,
        n,
        json!({"action": "refund", "amount_minor": 1, "reason": "test"}),
    )
    .await;
    assert_eq!(status, 200, "{o}");
    assert_eq!(o["payment_status"], "paid");
    assert_eq!(o["refunded_minor"], 0);
    assert_eq!(o["refunds"][0]["status"], "failed");
    let timeline = app.get(&format!("/api/v1/orders/{n}")).await.1["timeline"].clone();
    assert!(
        timeline.as_array().unwrap().iter().any(|e| e["detail"]
            .as_str()
            .is_some_and(|d| d.contains("failed") && d.contains("less than minimum amount"))),
        "{timeline}"
    );
    // The failed amount is refundable again.
    let (status, o) = act(&app, n, json!({"action": "refund", "reason": "whole"})).await;
    assert_eq!(status, 200, "{o}");
    assert_eq!(o["refunded_minor"], 49_900);
    // Bad input changes nothing.
    let (status, _) = act(
        &app,
        n,
        json!({"action": "refund", "amount_minor": -5, "reason": "x"}),
    )
    .await;
    assert_eq!(status, 422);
    app.stop().await;
}

async fn two_concurrent_refunds_refund_once(backend: Backend) {
    let graph = GraphFake::start().await;
    let (url, asked) = razorpay_fake().await;
    let app = razorpay_app(backend, &graph, &url).await;
    let n = paid_through_razorpay(&app, &graph, "919822200033").await;
    let body = json!({"action": "refund", "amount_minor": 30_000, "reason": "double click"});
    let (a, b) = tokio::join!(act(&app, n, body.clone()), act(&app, n, body.clone()));
    let mut statuses = [a.0.as_u16(), b.0.as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 409], "{a:?} {b:?}");
    let refused = if a.0 == 409 { a.1 } else { b.1 };
    assert!(
        refused["error"]["message"]
            .as_str()
            .unwrap()
            .contains("199.00 INR"),
        "{refused}"
    );
    assert_eq!(asked.lock().unwrap().len(), 1, "Razorpay was asked once");
    let o = app.get(&format!("/api/v1/orders/{n}")).await.1;
    assert_eq!(o["refunded_minor"], 30_000);
    assert_eq!(o["refunds"].as_array().unwrap().len(), 1);
    app.stop().await;
}

pub(crate) async fn stripe_app(backend: Backend, graph: &GraphFake, url: &str) -> TestApp {
    TestApp::spawn_configured(
        backend,
        Some(&graph.url),
        &[
            ("PAYMENTS_PROVIDER", "stripe"),
            ("STRIPE_SECRET_KEY", "sk_test_orderdesk"),
            ("STRIPE_WEBHOOK_SECRET", STRIPE_WEBHOOK_SECRET),
            ("STRIPE_API_URL", url),
        ],
    )
    .await
}

/// Posts a Stripe event signed with the test secret.
pub(crate) async fn post_stripe(app: &TestApp, body: String) -> reqwest::Response {
    let now = chrono::Utc::now().timestamp();
    let signature =
        orderdesk_payments::stripe::sign_webhook(STRIPE_WEBHOOK_SECRET, now, body.as_bytes());
    app.client
        .post(app.url("/webhooks/stripe"))
        .header("stripe-signature", signature)
        .body(body)
        .send()
        .await
        .unwrap()
}

/// An order of 499.00 INR paid through Stripe (payment intent `intent`).
pub(crate) async fn paid_through_stripe(
    app: &TestApp,
    graph: &GraphFake,
    wa: &str,
    intent: &str,
) -> i64 {
    let (n, _) = cart_to_payment_link(app, graph, wa).await;
    let reference = format!("{n}-1");
    let paid = json!({"id": format!("evt_paid_{n}"), "object": "event",
        "type": "checkout.session.completed", "created": chrono::Utc::now().timestamp(),
        "data": {"object": {"id": format!("cs_test_{reference}"), "object": "checkout.session",
            "client_reference_id": reference, "amount_total": 49900, "currency": "inr",
            "payment_status": "paid", "payment_intent": intent}}})
    .to_string();
    assert_eq!(post_stripe(app, paid).await.status(), 200);
    order_when(app, n, |o| o["payment_status"] == "paid").await;
    n
}

async fn a_stripe_refund_stays_pending_until_its_signed_webhook(backend: Backend) {
    let graph = GraphFake::start().await;
    let (url, asked) = stripe_fake().await;
    let app = stripe_app(backend, &graph, &url).await;
    let wa = "919822200034";
    let n = paid_through_stripe(&app, &graph, wa, "pi_test_34").await;
    let now = chrono::Utc::now().timestamp();
    let post = |body: String| post_stripe(&app, body);

    let (status, o) = act(
        &app,
        n,
        json!({"action": "refund", "amount_minor": 10_000, "reason": "late"}),
    )
    .await;
    assert_eq!(status, 200, "{o}");
    assert_eq!(o["refunds"][0]["status"], "pending");
    assert_eq!(o["payment_status"], "paid");
    let (path, key, form) = asked.lock().unwrap()[0].clone();
    assert_eq!(path, "/v1/refunds");
    assert_eq!(key.as_deref(), Some(format!("refund-{n}-r1").as_str()));
    assert_eq!(form["payment_intent"], "pi_test_34");
    assert_eq!(form["amount"], "10000");

    let updated = |id: &str, status: &str| {
        json!({"id": id, "object": "event", "type": "refund.updated", "created": now,
            "data": {"object": {"id": "re_test_1", "object": "refund", "amount": 10000, "currency": "inr",
                "payment_intent": "pi_test_34", "status": status,
                "metadata": {"order_number": n.to_string(), "refund_id": format!("{n}-r1")}}}})
        .to_string()
    };
    // A forged refund webhook: 401, nothing changes.
    let forged_body = updated("evt_forged", "succeeded");
    let forged = app
        .client
        .post(app.url("/webhooks/stripe"))
        .header(
            "stripe-signature",
            orderdesk_payments::stripe::sign_webhook("whsec_wrong", now, forged_body.as_bytes()),
        )
        .body(forged_body)
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 401);
    // The genuine one, twice: processed once, the customer told once.
    for _ in 0..2 {
        assert_eq!(
            post(updated("evt_refund_1", "succeeded")).await.status(),
            200
        );
    }
    let o = order_when(&app, n, |o| o["refunded_minor"] == 10_000).await;
    assert_eq!(o["payment_status"], "partially_refunded");
    assert_eq!(o["refunds"][0]["status"], "processed");
    assert_eq!(o["refunds"][0]["provider_ref"], "re_test_1");
    // A late failure does not undo it.
    assert_eq!(post(updated("evt_refund_2", "failed")).await.status(), 200);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let o = app.get(&format!("/api/v1/orders/{n}")).await.1;
    assert_eq!(o["refunds"][0]["status"], "processed");
    assert_eq!(refund_texts(&graph, wa, 1).await.len(), 1);
    app.stop().await;
}

both_backends!(
    a_partial_then_final_razorpay_refund_reach_the_provider_and_end_refunded,
    a_refund_the_provider_refuses_is_failed_with_its_reason_and_nothing_else_changes,
    two_concurrent_refunds_refund_once,
    a_stripe_refund_stays_pending_until_its_signed_webhook,
);
