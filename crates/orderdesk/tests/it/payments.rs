//! Payments end to end (issue #4): the demo's payment simulator, Stripe
//! Checkout against a loopback fake, and the staff's payment actions.

use serde_json::Value;

use crate::both_backends;
use crate::helpers::{order_webhook, Backend, GraphFake, TestApp};
use crate::journey::{button_ids, order_when, WAIT};

mod stripe;

pub(crate) use stripe::{stripe_fake, Seen, STRIPE_WEBHOOK_SECRET};

/// The `cta_url` link of a recorded outbound message.
pub(crate) fn link_of(body: &Value) -> String {
    body["interactive"]["action"]["parameters"]["url"]
        .as_str()
        .unwrap_or_else(|| panic!("not a cta_url message: {body}"))
        .to_owned()
}

/// A customer's cart up to the payment request; returns the order number
/// and the payment link the bot sent.
pub(crate) async fn cart_to_payment_link(
    app: &TestApp,
    graph: &GraphFake,
    wa: &str,
) -> (i64, String) {
    let cart = order_webhook(
        &format!("wamid.cart-{wa}"),
        wa,
        "Meera",
        &[("tea", 2, "249.50", "INR")],
    );
    assert_eq!(app.post_webhook(cart.as_bytes()).await.status(), 200);
    let n = app.wait_for_order_of(wa).await;
    // Only this customer's messages: another order's may still be going out.
    let to_customer = |count: usize| async move {
        for _ in 0..400 {
            let mine: Vec<Value> = graph
                .requests()
                .into_iter()
                .map(|r| r.2)
                .filter(|b| b["to"] == wa)
                .collect();
            if mine.len() >= count {
                return mine;
            }
            tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        }
        panic!("fewer than {count} messages to {wa}");
    };
    app.submit_address(&link_of(&to_customer(1).await[0])).await;
    let pay = to_customer(3).await[2].clone();
    assert_eq!(pay["interactive"]["type"], "cta_url", "{pay}");
    (n, link_of(&pay))
}

async fn the_payment_simulator_page_pays_through_its_signed_webhook(backend: Backend) {
    let graph = GraphFake::start().await;
    let app = TestApp::spawn_with_simulated_payments(backend, &graph.url).await;
    let (n, link) = cart_to_payment_link(&app, &graph, "919822200009").await;
    assert!(
        link.starts_with(&app.url(&format!(
            "/simulator/pay/sim_{n}-1?amount=49900&currency=INR&sig="
        ))),
        "{link}"
    );

    // The page shows the order and the amount; an altered link is refused.
    let page = app.client.get(&link).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains(&format!("Order #{n}")), "{html}");
    assert!(html.contains("Pay ₹499.00"), "{html}");
    let cheaper = link.replace("amount=49900", "amount=100");
    assert_eq!(app.client.get(&cheaper).send().await.unwrap().status(), 404);
    let pressed = app
        .client
        .post(&cheaper)
        .form(&[("outcome", "pay")])
        .send()
        .await
        .unwrap();
    assert_eq!(pressed.status(), 404);

    // "Fail" → the customer is told, and the bot sends a fresh link (attempt 2).
    let failed = app
        .client
        .post(&link)
        .form(&[("outcome", "fail")])
        .send()
        .await
        .unwrap();
    assert_eq!(failed.status(), 200);
    let sent = graph.wait_for(5, WAIT).await;
    assert!(sent[3].2["text"]["body"]
        .as_str()
        .unwrap()
        .contains("did not go through"));
    let fresh = link_of(&sent[4].2);
    assert!(
        fresh.contains(&format!("/simulator/pay/sim_{n}-2?")),
        "{fresh}"
    );

    // "Pay" on the fresh link → paid, through /webhooks/simulator.
    let paid = app
        .client
        .post(&fresh)
        .form(&[("outcome", "pay")])
        .send()
        .await
        .unwrap();
    assert_eq!(paid.status(), 200);
    assert!(paid.text().await.unwrap().contains("Payment received"));
    let o = order_when(&app, n, |o| o["payment_status"] == "paid").await;
    assert_eq!(o["payment_method"], "simulator");
    let sent = graph.wait_for(7, WAIT).await;
    assert!(sent
        .iter()
        .any(|r| button_ids(&r.2) == [format!("note:add:{n}"), format!("note:skip:{n}")]));

    // A forged webhook to the same endpoint is refused.
    let forged = app
        .client
        .post(app.url("/webhooks/simulator"))
        .header("x-simulator-signature", "00".repeat(32))
        .body(r#"{"id":"x","event":"payment.paid"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 401);

    app.tap_reply(
        "wamid.sim-skip",
        "919822200009",
        &format!("note:skip:{n}"),
        "Skip",
    )
    .await;
    order_when(&app, n, |o| o["status"] == "confirmed").await;
    app.stop().await;
}

/// `POST /api/v1/orders/{n}/payment`.
pub(crate) async fn act(app: &TestApp, n: i64, body: Value) -> (reqwest::StatusCode, Value) {
    app.post(&format!("/api/v1/orders/{n}/payment"), &body)
        .await
}

/// A payment action `body` on order `n` refused with 409, its message
/// naming `named`.
pub(crate) async fn refused_naming(app: &TestApp, n: i64, body: Value, named: &str) {
    let (status, answer) = act(app, n, body).await;
    assert_eq!(status, 409, "{answer}");
    let message = answer["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains(named), "{answer}");
}

async fn a_upi_order_waits_on_a_landing_page_until_staff_mark_it_paid_then_refund_it(
    backend: Backend,
) {
    let graph = GraphFake::start().await;
    let app = TestApp::spawn_configured(
        backend,
        Some(&graph.url),
        &[
            ("PAYMENTS_PROVIDER", "upi"),
            ("UPI_VPA", "chai@okicici"),
            ("UPI_PAYEE_NAME", "Chai Point"),
        ],
    )
    .await;
    let (n, link) = cart_to_payment_link(&app, &graph, "919822200011").await;
    // WhatsApp opens only web links: the button leads to our landing page.
    assert!(link.starts_with(&app.url("/pay/upi/")), "{link}");
    let page = app.client.get(&link).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(
        html.contains(&format!("upi://pay?pa=chai@okicici&amp;pn=Chai%20Point&amp;am=499.00&amp;cu=INR&amp;tn=Order%20%23{n}&amp;tr={n}-1")),
        "{html}"
    );
    assert!(html.contains("chai@okicici"));
    let tampered = format!("{}x", link);
    assert_eq!(
        app.client.get(&tampered).send().await.unwrap().status(),
        404
    );

    // Nobody reports UPI payments: the order waits, pending.
    let o = app.get(&format!("/api/v1/orders/{n}")).await.1;
    assert_eq!(o["payment_status"], "pending");
    assert_eq!(o["payment_method"], "upi");
    assert_eq!(o["payment_reference"], format!("{n}-1"));
    assert_eq!(o["invoice_number"], Value::Null, "unpaid: no invoice yet");

    // Marking paid takes a reason; bad actions change nothing.
    let (status, body) = act(&app, n, serde_json::json!({"action": "mark_paid"})).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"]["code"], "invalid_request");
    let (status, _) = act(&app, n, serde_json::json!({"action": "teleport"})).await;
    assert_eq!(status, 422);
    refused_naming(
        &app,
        n,
        serde_json::json!({"action": "refund", "reason": "x"}),
        "pending",
    )
    .await;
    assert_eq!(
        app.get(&format!("/api/v1/orders/{n}")).await.1["version"],
        o["version"]
    );

    let (status, paid) = act(
        &app,
        n,
        serde_json::json!({"action": "mark_paid", "reason": "UPI ref 412345678901"}),
    )
    .await;
    assert_eq!(status, 200, "{paid}");
    assert_eq!(paid["payment_status"], "paid");
    assert_eq!(paid["checkout_step"], "awaiting_note_choice");
    let invoice = paid["invoice_number"].as_str().unwrap_or_default();
    assert!(
        invoice.starts_with("INV-") && invoice.ends_with("-00001"),
        "{paid}"
    );
    // The checkout goes on as after a provider's payment: the note question.
    let sent = graph.wait_for(5, WAIT).await;
    assert!(sent
        .iter()
        .any(|r| button_ids(&r.2) == [format!("note:add:{n}"), format!("note:skip:{n}")]));
    let (status, again) = act(
        &app,
        n,
        serde_json::json!({"action": "mark_paid", "reason": "twice"}),
    )
    .await;
    assert_eq!(status, 409, "{again}");

    let (status, body) = act(&app, n, serde_json::json!({"action": "refund"})).await;
    assert_eq!(status, 422, "{body}");
    let (status, refunded) = act(
        &app,
        n,
        serde_json::json!({"action": "refund", "reason": "out of stock", "version": paid["version"]}),
    )
    .await;
    assert_eq!(status, 200, "{refunded}");
    assert_eq!(refunded["payment_status"], "refunded");
    assert_eq!(refunded["invoice_number"], invoice);
    let credit_note = refunded["refunds"][0]["credit_note"]
        .as_str()
        .unwrap_or_default();
    assert!(
        credit_note.starts_with("CN-") && credit_note.ends_with("-00001"),
        "{refunded}"
    );

    let timeline = app.get(&format!("/api/v1/orders/{n}")).await.1["timeline"].clone();
    let staff: Vec<&Value> = timeline
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["actor"] == "staff" && e["kind"] == "payment_changed")
        .collect();
    assert_eq!(staff.len(), 2, "{timeline}");
    assert_eq!(staff[0]["reason"], "UPI ref 412345678901");
    assert_eq!(staff[1]["reason"], "out of stock");
    app.stop().await;
}

async fn cash_on_delivery_shows_cod_until_staff_record_the_cash(backend: Backend) {
    let graph = GraphFake::start().await;
    let app = TestApp::spawn_configured(
        backend,
        Some(&graph.url),
        &[("PAYMENTS_PROVIDER", "simulator"), ("COD_ENABLED", "true")],
    )
    .await;
    let wa = "919822200012";
    let cart = order_webhook("wamid.cod-cart", wa, "Ravi", &[("tea", 1, "120", "INR")]);
    assert_eq!(app.post_webhook(cart.as_bytes()).await.status(), 200);
    let n = app.wait_for_orders(1).await[0]["number"].as_i64().unwrap();
    app.submit_address(&link_of(&graph.wait_for(1, WAIT).await[0].2))
        .await;
    let sent = graph.wait_for(3, WAIT).await;
    assert_eq!(
        button_ids(&sent[2].2),
        [format!("pay:online:{n}"), format!("pay:cod:{n}")]
    );
    // A fresh link is not for a COD order.
    app.tap_reply(
        "wamid.cod-tap",
        wa,
        &format!("pay:cod:{n}"),
        "Cash on delivery",
    )
    .await;
    let o = order_when(&app, n, |o| o["payment_method"] == "cod").await;
    assert_eq!(
        o["payment_status"], "pending",
        "COD is settled for the checkout, not paid"
    );
    assert_eq!(o["invoice_number"], Value::Null, "the cash is not in yet");
    let (status, body) = act(&app, n, serde_json::json!({"action": "send_link"})).await;
    assert_eq!(status, 409, "{body}");
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("cash on delivery"));

    // The courier brings the cash: no reason needed.
    let (status, paid) = act(&app, n, serde_json::json!({"action": "mark_paid"})).await;
    assert_eq!(status, 200, "{paid}");
    assert_eq!(paid["payment_status"], "paid");
    assert_eq!(paid["payment_method"], "cod");
    assert!(
        paid["invoice_number"]
            .as_str()
            .is_some_and(|i| i.starts_with("INV-")),
        "{paid}"
    );
    let timeline = app.get(&format!("/api/v1/orders/{n}")).await.1["timeline"].clone();
    assert!(
        timeline
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["reason"] == "cash received"),
        "{timeline}"
    );
    app.stop().await;
}

async fn staff_send_a_fresh_link_and_a_wrong_amount_is_flagged_for_review(backend: Backend) {
    let graph = GraphFake::start().await;
    let app = TestApp::spawn_with_simulated_payments(backend, &graph.url).await;
    let (n, first) = cart_to_payment_link(&app, &graph, "919822200013").await;
    assert!(first.contains(&format!("sim_{n}-1?")));

    // Staff send a fresh link: attempt 2, still pending, on the timeline.
    let (status, o) = act(&app, n, serde_json::json!({"action": "send_link"})).await;
    assert_eq!(status, 200, "{o}");
    assert_eq!(o["payment_status"], "pending");
    assert_eq!(o["payment_reference"], format!("sim_{n}-2"));
    let sent = graph.wait_for(4, WAIT).await;
    let fresh = link_of(&sent[3].2);
    assert!(fresh.contains(&format!("sim_{n}-2?")), "{fresh}");

    // A provider reporting another amount is recorded and flagged, not paid.
    let body = serde_json::json!({"id": "evt_short", "event": "payment.paid", "reference": format!("sim_{n}-2"),
        "reference_id": format!("{n}-2"), "payment_id": "simpay_x", "amount": 100, "currency": "INR", "created_at": 1_700_000_000})
    .to_string();
    assert_eq!(post_simulator_event(&app, &body).await, 200);
    let flagged = order_when(&app, n, |o| !o["payment_review"].is_null()).await;
    assert_eq!(flagged["payment_status"], "pending");
    assert!(
        flagged["payment_review"]
            .as_str()
            .unwrap()
            .contains("499.00 INR"),
        "{flagged}"
    );

    // Staff check with the provider and settle it: the flag clears.
    let (status, paid) = act(
        &app,
        n,
        serde_json::json!({"action": "mark_paid", "reason": "checked the provider dashboard"}),
    )
    .await;
    assert_eq!(status, 200, "{paid}");
    assert_eq!(paid["payment_status"], "paid");
    assert!(paid["payment_review"].is_null());
    let (status, _) = act(&app, n, serde_json::json!({"action": "send_link"})).await;
    assert_eq!(status, 409, "a paid order gets no new link");
    let (status, _) = act(&app, 9999, serde_json::json!({"action": "send_link"})).await;
    assert_eq!(status, 404);

    // A cancelled order's payment is not recorded as paid.
    let (n2, _) = cart_to_payment_link(&app, &graph, "919822200015").await;
    let (status, _) = app
        .move_order(
            n2,
            serde_json::json!({"status": "cancelled", "reason": "customer asked"}),
        )
        .await;
    assert_eq!(status, 200);
    let (status, body) = act(
        &app,
        n2,
        serde_json::json!({"action": "mark_paid", "reason": "late UPI"}),
    )
    .await;
    assert_eq!(status, 409, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("cancelled"),
        "{body}"
    );
    app.stop().await;
}

/// POSTs a payment simulator event signed as the simulator signs it.
pub(crate) async fn post_simulator_event(app: &TestApp, body: &str) -> reqwest::StatusCode {
    let secret = {
        use sha2::Digest;
        let mut hash = sha2::Sha256::new();
        hash.update(b"orderdesk payment simulator v1\0");
        hash.update(crate::helpers::APP_SECRET.as_bytes());
        hex::encode(hash.finalize())
    };
    let signature = {
        use hmac::Mac;
        let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
        mac.update(body.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    };
    app.client
        .post(app.url("/webhooks/simulator"))
        .header("x-simulator-signature", signature)
        .body(body.to_owned())
        .send()
        .await
        .unwrap()
        .status()
}

both_backends!(
    the_payment_simulator_page_pays_through_its_signed_webhook,
    a_upi_order_waits_on_a_landing_page_until_staff_mark_it_paid_then_refund_it,
    cash_on_delivery_shows_cod_until_staff_record_the_cash,
    staff_send_a_fresh_link_and_a_wrong_amount_is_flagged_for_review,
);
