//! The cart-recovery schedule (issue #19 item 1): a nudge, later reminders
//! with the cart's items and total (also after the order was abandoned), and
//! the schedule stopping when the customer writes.

use std::time::Duration;

use serde_json::Value;

use crate::both_backends;
use crate::helpers::{customer_message, Backend, GraphFake, TestApp};
use crate::journey::{order_when, WAIT};

fn text(body: &Value) -> String {
    body["text"]["body"]
        .as_str()
        .or(body["interactive"]["body"]["text"].as_str())
        .unwrap_or_default()
        .to_owned()
}

/// The texts the customer `wa` was sent, in order.
fn sent_to(graph: &GraphFake, wa: &str) -> Vec<String> {
    graph
        .requests()
        .iter()
        .filter(|r| r.2["to"] == wa)
        .map(|r| text(&r.2))
        .collect()
}

async fn an_idle_cart_is_reminded_on_schedule_even_after_abandonment_and_resumes(backend: Backend) {
    let graph = GraphFake::start().await;
    let app = TestApp::spawn_configured(
        backend,
        Some(&graph.url),
        &[
            ("ORDERDESK_NUDGE_AFTER", "1s"),
            ("ORDERDESK_RECOVERY_LATER", "3s,7s"),
            ("ORDERDESK_ABANDON_AFTER", "5s"),
        ],
    )
    .await;
    let wa = "919822200031";
    let order = app.place_order("wamid.recover-cart", wa, "Asha").await;
    let n = order["number"].as_i64().unwrap();

    order_when(&app, n, |o| o["status"] == "abandoned").await;
    let deadline = tokio::time::Instant::now() + WAIT;
    let reminders = loop {
        let texts = sent_to(&graph, wa);
        let reminders: Vec<String> = texts
            .into_iter()
            .filter(|t| t.contains("is waiting for you") || t.starts_with("Still thinking"))
            .collect();
        if reminders.len() >= 3 || tokio::time::Instant::now() > deadline {
            break reminders;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(reminders.len(), 3, "nudge and two reminders: {reminders:?}");
    assert!(
        reminders[0].contains(&format!("#{n} is waiting")),
        "{reminders:?}"
    );
    for later in &reminders[1..] {
        assert!(later.contains(&format!("order #{n} is saved")), "{later}");
        assert!(
            later.contains("Total"),
            "the total is in the reminder: {later}"
        );
    }
    let (_, o) = app.get(&format!("/api/v1/orders/{n}")).await;
    assert_eq!(
        o["status"], "abandoned",
        "the last reminder came after abandoning"
    );

    // Replying to the reminder picks the cart up again.
    let back = customer_message("wamid.recover-back", wa, Some("yes please"), None);
    assert_eq!(app.post_webhook(back.as_bytes()).await.status(), 200);
    let o = order_when(&app, n, |o| o["status"] == "placed").await;
    assert_eq!(o["checkout_step"], "awaiting_address");
    app.stop().await;
}

async fn a_customer_who_writes_stops_the_later_reminders(backend: Backend) {
    let graph = GraphFake::start().await;
    let app = TestApp::spawn_configured(
        backend,
        Some(&graph.url),
        &[
            ("ORDERDESK_NUDGE_AFTER", "1s"),
            ("ORDERDESK_RECOVERY_LATER", "3s"),
            ("ORDERDESK_ABANDON_AFTER", "1h"),
        ],
    )
    .await;
    let wa = "919822200032";
    let order = app.place_order("wamid.recover-talk", wa, "Ravi").await;
    let n = order["number"].as_i64().unwrap();
    let deadline = tokio::time::Instant::now() + WAIT;
    while !sent_to(&graph, wa)
        .iter()
        .any(|t| t.contains("is waiting for you"))
    {
        assert!(tokio::time::Instant::now() < deadline, "no nudge");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let talk = customer_message("wamid.recover-q", wa, Some("is it fresh?"), None);
    assert_eq!(app.post_webhook(talk.as_bytes()).await.status(), 200);

    // The 3 s reminder would have gone out by now (the timers run every second).
    tokio::time::sleep(Duration::from_secs(4)).await;
    let texts = sent_to(&graph, wa);
    assert!(
        !texts.iter().any(|t| t.starts_with("Still thinking")),
        "no reminder after the customer wrote: {texts:?}"
    );
    let (_, o) = app.get(&format!("/api/v1/orders/{n}")).await;
    assert_eq!(o["status"], "placed");
    app.stop().await;
}

both_backends!(
    an_idle_cart_is_reminded_on_schedule_even_after_abandonment_and_resumes,
    a_customer_who_writes_stops_the_later_reminders,
);
