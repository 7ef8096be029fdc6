//! The cart-recovery schedule (issue #19 item 1): a nudge, later reminders
//! with the cart's items and total (also after the order was abandoned), and
//! the schedule stopping when the customer writes, and each step sent once
//! by two instances on one database.

use std::time::Duration;

use serde_json::Value;

use crate::both_backends;
use crate::helpers::{customer_message, fresh_db, Backend, GraphFake, TestApp};
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

async fn two_instances_send_each_step_of_the_schedule_once(backend: Backend) {
    let graph = GraphFake::start().await;
    let (db_url, _dir) = fresh_db(backend);
    let schedule = [
        ("ORDERDESK_NUDGE_AFTER", "1s"),
        ("ORDERDESK_RECOVERY_LATER", "3s,5s"),
        ("ORDERDESK_ABANDON_AFTER", "1h"),
    ];
    let first = TestApp::spawn_on(backend, &db_url, Some(&graph.url), &schedule).await;
    let second = TestApp::spawn_on(backend, &db_url, Some(&graph.url), &schedule).await;
    let wa = "919822200033";
    let order = first.place_order("wamid.recover-two", wa, "Meera").await;
    let n = order["number"].as_i64().unwrap();

    // Both instances run the timers every second; each step is due once.
    let deadline = tokio::time::Instant::now() + WAIT;
    let steps = |texts: &[String]| {
        (
            texts
                .iter()
                .filter(|t| t.contains("is waiting for you"))
                .count(),
            texts
                .iter()
                .filter(|t| t.starts_with("Still thinking"))
                .count(),
        )
    };
    while steps(&sent_to(&graph, wa)) < (1, 2) {
        assert!(
            tokio::time::Instant::now() < deadline,
            "not every step went out: {:?}",
            sent_to(&graph, wa)
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Time for a second copy of any step to arrive from the other instance.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let texts = sent_to(&graph, wa);
    assert_eq!(steps(&texts), (1, 2), "each step exactly once: {texts:?}");
    // The bot's first answer, the nudge with the address asked again, two
    // reminders.
    assert_eq!(texts.len(), 5, "{texts:?}");
    let asked_again = texts
        .iter()
        .filter(|t| t.starts_with("Please add your delivery address"))
        .count();
    assert_eq!(asked_again, 1, "{texts:?}");
    let (_, o) = second.get(&format!("/api/v1/orders/{n}")).await;
    assert_eq!(o["status"], "placed");
    first.stop().await;
    second.stop().await;
}

both_backends!(
    an_idle_cart_is_reminded_on_schedule_even_after_abandonment_and_resumes,
    a_customer_who_writes_stops_the_later_reminders,
    two_instances_send_each_step_of_the_schedule_once,
);
