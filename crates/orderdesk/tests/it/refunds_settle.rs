//! Refunds the provider answers `pending` and settles later by webhook
//! (issue #15 item 1): Stripe's `refund.updated` and `charge.refunded`
//! (which lists the charge's refunds), Razorpay's `refund.processed`,
//! each signed and deduplicated, against the loopback fakes of
//! `refunds.rs`.

use serde_json::json;

use crate::both_backends;
use crate::helpers::{Backend, GraphFake, TestApp};
use crate::journey::{order_when, RZP_WEBHOOK_SECRET};
use crate::payments::act;
use crate::refunds::{
    paid_through_razorpay, paid_through_stripe, post_stripe, razorpay_app, razorpay_fake_answering,
    refund_texts, stripe_app, stripe_fake,
};

/// A Stripe refund object of ours, as the API and its webhooks carry it.
fn stripe_refund(n: i64, k: usize, amount: i64, status: &str) -> serde_json::Value {
    json!({"id": format!("re_test_{k}"), "object": "refund", "amount": amount, "currency": "inr",
        "payment_intent": "pi_test_41", "status": status,
        "metadata": {"order_number": n.to_string(), "refund_id": format!("{n}-r{k}")}})
}

/// Asks a refund of 200.00 of order `n`, which the provider answers `pending`.
async fn refund_200_pending(app: &TestApp, n: i64) -> serde_json::Value {
    let (status, o) = act(
        app,
        n,
        json!({"action": "refund", "amount_minor": 20_000, "reason": "one cup broke"}),
    )
    .await;
    assert_eq!(status, 200, "{o}");
    assert_eq!(o["refunds"][0]["status"], "pending");
    o
}

async fn a_partial_then_final_stripe_refund_settle_by_webhook_and_end_refunded(backend: Backend) {
    let graph = GraphFake::start().await;
    let (url, asked) = stripe_fake().await;
    let app = stripe_app(backend, &graph, &url).await;
    let wa = "919822200041";
    let n = paid_through_stripe(&app, &graph, wa, "pi_test_41").await;

    let o = refund_200_pending(&app, n).await;
    assert_eq!(o["refunds"][0]["provider_ref"], "re_test_1");
    // Without an amount: everything not already asked back.
    let (status, o) = act(
        &app,
        n,
        json!({"action": "refund", "reason": "customer returned it"}),
    )
    .await;
    assert_eq!(status, 200, "{o}");
    assert_eq!(o["refunds"][1]["status"], "pending");
    assert_eq!(o["refunds"][1]["amount_minor"], 29_900);
    // Nothing settled yet: still paid, nothing refunded.
    assert_eq!(o["payment_status"], "paid");
    assert_eq!(o["refunded_minor"], 0);

    let asked = asked.lock().unwrap().clone();
    assert_eq!(asked.len(), 2, "{asked:?}");
    for ((path, _, form), amount) in asked.iter().zip(["20000", "29900"]) {
        assert_eq!(path, "/v1/refunds");
        assert_eq!(form["payment_intent"], "pi_test_41", "{form}");
        assert_eq!(form["amount"], amount, "{form}");
        assert_eq!(form["metadata[order_number]"], n.to_string());
    }
    let keys: Vec<_> = asked.iter().map(|(_, key, _)| key.clone()).collect();
    assert_eq!(
        keys,
        [
            Some(format!("refund-{n}-r1")),
            Some(format!("refund-{n}-r2"))
        ]
    );

    // The first settles by refund.updated.
    let updated = json!({"id": "evt_re_1", "object": "event", "type": "refund.updated",
        "created": chrono::Utc::now().timestamp(),
        "data": {"object": stripe_refund(n, 1, 20_000, "succeeded")}});
    assert_eq!(post_stripe(&app, updated.to_string()).await.status(), 200);
    let o = order_when(&app, n, |o| o["refunded_minor"] == 20_000).await;
    assert_eq!(o["payment_status"], "partially_refunded");

    // The second by charge.refunded, which lists both: the first, already
    // settled, changes nothing.
    let charge = json!({"id": "evt_ch_1", "object": "event", "type": "charge.refunded",
    "created": chrono::Utc::now().timestamp(),
    "data": {"object": {"id": "ch_test_41", "object": "charge", "amount": 49_900,
        "amount_refunded": 49_900, "currency": "inr", "payment_intent": "pi_test_41",
        "refunded": true, "refunds": {"object": "list", "data": [
            stripe_refund(n, 2, 29_900, "succeeded"),
            stripe_refund(n, 1, 20_000, "succeeded"),
        ]}}}});
    for _ in 0..2 {
        assert_eq!(post_stripe(&app, charge.to_string()).await.status(), 200);
    }
    let o = order_when(&app, n, |o| o["payment_status"] == "refunded").await;
    assert_eq!(o["refunded_minor"], 49_900, "{o}");
    assert_eq!(o["refunds"][1]["status"], "processed");
    assert_eq!(o["refunds"][1]["provider_ref"], "re_test_2");
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let told = refund_texts(&graph, wa, 2).await;
    assert_eq!(told.len(), 2, "told once per refund: {told:?}");
    assert!(told[0].contains("₹200.00"), "{told:?}");
    assert!(told[1].contains("₹299.00"), "{told:?}");
    // Nothing left to refund.
    let (status, body) = act(&app, n, json!({"action": "refund", "reason": "again"})).await;
    assert_eq!(status, 409, "{body}");
    app.stop().await;
}

async fn a_pending_razorpay_refund_settles_on_its_signed_refund_processed_webhook(
    backend: Backend,
) {
    let graph = GraphFake::start().await;
    let (url, asked) = razorpay_fake_answering("pending").await;
    let app = razorpay_app(backend, &graph, &url).await;
    let wa = "919822200042";
    let n = paid_through_razorpay(&app, &graph, wa).await;
    let o = refund_200_pending(&app, n).await;
    assert_eq!(o["refunds"][0]["provider_ref"], "rfnd_TEST0000000001");
    assert_eq!(o["payment_status"], "paid");
    assert_eq!(o["refunded_minor"], 0);
    assert_eq!(asked.lock().unwrap().len(), 1);

    let body = json!({"entity": "event", "event": "refund.processed",
        "created_at": chrono::Utc::now().timestamp(),
        "payload": {"refund": {"entity": {"id": "rfnd_TEST0000000001", "entity": "refund",
            "amount": 20_000, "currency": "INR", "payment_id": "pay_TEST0000000001",
            "status": "processed", "receipt": format!("{n}-r1"),
            "notes": {"order_number": n.to_string(), "refund_id": format!("{n}-r1")}}}}})
    .to_string();
    let post = |secret: &str| {
        app.client
            .post(app.url("/webhooks/razorpay"))
            .header(
                "x-razorpay-signature",
                orderdesk_payments::razorpay::sign_webhook(secret, body.as_bytes()),
            )
            .header("x-razorpay-event-id", format!("evt_rfnd_{n}"))
            .body(body.clone())
            .send()
    };
    // A forged one: 401, nothing changes.
    assert_eq!(post("someone-else").await.unwrap().status(), 401);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let o = app.get(&format!("/api/v1/orders/{n}")).await.1;
    assert_eq!(o["refunds"][0]["status"], "pending", "{o}");
    // The genuine one, delivered twice: settled once, the customer told once.
    for _ in 0..2 {
        assert_eq!(post(RZP_WEBHOOK_SECRET).await.unwrap().status(), 200);
    }
    let o = order_when(&app, n, |o| o["refunded_minor"] == 20_000).await;
    assert_eq!(o["payment_status"], "partially_refunded");
    assert_eq!(o["refunds"][0]["status"], "processed");
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let told = refund_texts(&graph, wa, 1).await;
    assert_eq!(told.len(), 1, "{told:?}");
    assert!(told[0].contains("₹200.00"), "{told:?}");
    app.stop().await;
}

both_backends!(
    a_partial_then_final_stripe_refund_settle_by_webhook_and_end_refunded,
    a_pending_razorpay_refund_settles_on_its_signed_refund_processed_webhook,
);
