//! Payments end to end (issue #4): the demo's payment simulator, Stripe
//! Checkout against a loopback fake, and the staff's payment actions.

use serde_json::Value;

use crate::both_backends;
use crate::helpers::{customer_message, order_webhook, Backend, GraphFake, TestApp};
use crate::journey::{button_ids, order_when, WAIT};

/// The `cta_url` link of a recorded outbound message.
fn link_of(body: &Value) -> String {
    body["interactive"]["action"]["parameters"]["url"]
        .as_str()
        .unwrap_or_else(|| panic!("not a cta_url message: {body}"))
        .to_owned()
}

/// Fills the hosted address form behind `link` as a customer would.
async fn submit_address(app: &TestApp, link: &str) {
    let form = [
        ("name", "Meera"),
        ("phone", "+91 98222 00009"),
        ("line1", "9 Lake Road"),
        ("line2", ""),
        ("city", "Pune"),
        ("state", "Maharashtra"),
        ("postal_code", "411001"),
        ("country", "IN"),
    ];
    let status = app
        .client
        .post(link)
        .form(&form)
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, 200, "the address form was not accepted");
}

/// A customer's cart up to the payment request; returns the order number
/// and the payment link the bot sent.
async fn cart_to_payment_link(app: &TestApp, graph: &GraphFake, wa: &str) -> (i64, String) {
    let before = graph.requests().len();
    let cart = order_webhook(
        &format!("wamid.cart-{wa}"),
        wa,
        "Meera",
        &[("tea", 2, "249.50", "INR")],
    );
    assert_eq!(app.post_webhook(cart.as_bytes()).await.status(), 200);
    let n = app.wait_for_orders(1).await[0]["number"].as_i64().unwrap();
    let sent = graph.wait_for(before + 1, WAIT).await;
    submit_address(app, &link_of(&sent[before].2)).await;
    let sent = graph.wait_for(before + 3, WAIT).await;
    let pay = &sent[before + 2].2;
    assert_eq!(pay["interactive"]["type"], "cta_url", "{pay}");
    (n, link_of(pay))
}

async fn the_payment_simulator_page_pays_through_its_signed_webhook(backend: Backend) {
    let graph = GraphFake::start().await;
    let app = TestApp::spawn_configured(
        backend,
        Some(&graph.url),
        &[("PAYMENTS_PROVIDER", "simulator")],
    )
    .await;
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
    assert!(html.contains("Pay 499.00 INR"), "{html}");
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

    let skip = customer_message(
        "wamid.sim-skip",
        "919822200009",
        None,
        Some((&format!("note:skip:{n}"), "Skip")),
    );
    assert_eq!(app.post_webhook(skip.as_bytes()).await.status(), 200);
    order_when(&app, n, |o| o["status"] == "confirmed").await;
    app.stop().await;
}

both_backends!(the_payment_simulator_page_pays_through_its_signed_webhook);
