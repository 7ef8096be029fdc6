//! Issue #11 item 6: a customer texting during the payment step does not
//! make a provider link per text, nor a flood of messages; the open link is
//! sent again when asked for (once for free text, #14), and new links per
//! order are capped.

use std::time::Duration;

use orderdesk_engine::MAX_LINKS_PER_HOUR;
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{customer_message, Backend, GraphFake, TestApp};
use crate::journey::WAIT;
use crate::payments::{act, cart_to_payment_link, link_of, stripe_fake, STRIPE_WEBHOOK_SECRET};

async fn stripe_app(backend: Backend, cod: bool) -> (TestApp, GraphFake, crate::payments::Seen) {
    let graph = GraphFake::start().await;
    let (stripe_url, sessions) = stripe_fake().await;
    let cod = if cod { "true" } else { "false" };
    let app = TestApp::spawn_configured(
        backend,
        Some(&graph.url),
        &[
            ("PAYMENTS_PROVIDER", "stripe"),
            ("STRIPE_SECRET_KEY", "sk_test_orderdesk"),
            ("STRIPE_WEBHOOK_SECRET", STRIPE_WEBHOOK_SECRET),
            ("STRIPE_API_URL", &stripe_url),
            ("COD_ENABLED", cod),
        ],
    )
    .await;
    (app, graph, sessions)
}

/// Graph requests to one customer.
fn sent_to(graph: &GraphFake, wa: &str) -> Vec<Value> {
    graph
        .requests()
        .into_iter()
        .map(|r| r.2)
        .filter(|b| b["to"] == wa)
        .collect()
}

/// Waits until the order's thread holds `n` messages from the customer,
/// i.e. the inbox has processed them all.
async fn wait_inbound(app: &TestApp, number: i64, n: usize) {
    for _ in 0..400 {
        let (_, body) = app.get(&format!("/api/v1/orders/{number}/messages")).await;
        let inbound = body["messages"]
            .as_array()
            .map_or(0, |m| m.iter().filter(|m| m["direction"] == "in").count());
        if inbound >= n {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("fewer than {n} customer messages on #{number}");
}

async fn twenty_texts_at_the_payment_step_make_one_link_and_few_messages(backend: Backend) {
    let (app, graph, sessions) = stripe_app(backend, false).await;
    let wa = "919822200101";
    let (n, link) = cart_to_payment_link(&app, &graph, wa).await;
    assert_eq!(sessions.lock().unwrap().len(), 1);
    let before = sent_to(&graph, wa).len();
    for i in 0..20 {
        let text = customer_message(
            &format!("wamid.pay-text-{i}"),
            wa,
            Some("how do I pay?"),
            None,
        );
        assert_eq!(app.post_webhook(text.as_bytes()).await.status(), 200);
    }
    wait_inbound(&app, n, 20).await;
    // Let any reply the texts caused reach the Graph API.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        sessions.lock().unwrap().len(),
        1,
        "one provider link for the order, whatever the customer types"
    );
    // Exactly: the step's question once more (the open link), then the
    // "Talk to a person" button; the other 18 texts wait for staff.
    let after = sent_to(&graph, wa);
    let answers = &after[before..];
    assert_eq!(answers.len(), 3, "{answers:#?}");
    assert_eq!(
        answers[0]["text"]["body"],
        "Sorry, please use the buttons for this step."
    );
    assert_eq!(
        link_of(&answers[1]),
        link,
        "only the open link is ever sent"
    );
    assert_eq!(answers[2]["interactive"]["type"], "button");
    assert_eq!(
        answers[2]["interactive"]["action"]["buttons"][0]["reply"]["id"],
        "handover"
    );
    let (_, order) = app.get(&format!("/api/v1/orders/{n}")).await;
    assert_eq!(order["payment_status"], "pending");
    assert_eq!(order["checkout_step"], "awaiting_payment");
    app.stop().await;
}

async fn pay_now_again_resends_the_open_link_and_staff_links_are_capped(backend: Backend) {
    let (app, graph, sessions) = stripe_app(backend, true).await;
    let wa = "919822200102";
    let cart =
        crate::helpers::order_webhook("wamid.cap-cart", wa, "Ravi", &[("tea", 1, "120", "INR")]);
    assert_eq!(app.post_webhook(cart.as_bytes()).await.status(), 200);
    let n = app.wait_for_orders(1).await[0]["number"].as_i64().unwrap();
    app.submit_address(&link_of(&graph.wait_for(1, WAIT).await[0].2))
        .await;
    graph.wait_for(3, WAIT).await;
    // "Pay now" three times (the customer lost the link): one provider link,
    // sent three times.
    for i in 0..3 {
        app.tap_reply(
            &format!("wamid.cap-tap-{i}"),
            wa,
            &format!("pay:online:{n}"),
            "Pay now",
        )
        .await;
        graph.wait_for(4 + i, WAIT).await;
    }
    let links: Vec<String> = sent_to(&graph, wa)[3..].iter().map(link_of).collect();
    assert_eq!(links.len(), 3);
    assert!(links.iter().all(|l| *l == links[0]), "{links:?}");
    assert_eq!(sessions.lock().unwrap().len(), 1);

    // Staff may ask for fresh links, but not without bound.
    for _ in 1..MAX_LINKS_PER_HOUR {
        let (status, body) = act(&app, n, json!({"action": "send_link"})).await;
        assert_eq!(status, 200, "{body}");
    }
    assert_eq!(sessions.lock().unwrap().len(), MAX_LINKS_PER_HOUR);
    let (status, body) = act(&app, n, json!({"action": "send_link"})).await;
    assert_eq!(status, 409, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("in the last hour")),
        "{body}"
    );
    assert_eq!(sessions.lock().unwrap().len(), MAX_LINKS_PER_HOUR);
    app.stop().await;
}

both_backends!(
    twenty_texts_at_the_payment_step_make_one_link_and_few_messages,
    pay_now_again_resends_the_open_link_and_staff_links_are_capped,
);
