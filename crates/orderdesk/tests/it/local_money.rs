//! Money and times as customers read them (issue #17): the bot's messages,
//! the address form and the payment page in the business's locale and time
//! zone (`₹3,097.00`, IST), and checkout settings changed on `/settings`
//! applying on every instance without a restart.

use std::time::Duration;

use chrono::{DateTime, FixedOffset, Utc};
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{fresh_db, order_webhook, Backend, GraphFake, TestApp};
use crate::journey::{button_ids, order_when, text, WAIT};
use crate::payments::link_of;

const INDIA: &[(&str, &str)] = &[
    ("ORDERDESK_TIMEZONE", "Asia/Kolkata"),
    ("ORDERDESK_LOCALE", "en-IN"),
];

/// `created_at` (RFC 3339 UTC) as an Indian customer reads it.
fn ist(created_at: &Value) -> String {
    let at: DateTime<Utc> = created_at.as_str().unwrap().parse().unwrap();
    let india = FixedOffset::east_opt(5 * 3600 + 30 * 60).unwrap();
    at.with_timezone(&india)
        .format("%d/%m/%y %H:%M IST")
        .to_string()
}

/// Two chai tins at ₹1,548.50: an order of ₹3,097.00.
fn cart(wamid: &str, wa: &str) -> String {
    order_webhook(wamid, wa, "Asha", &[("chai-tin", 2, "1548.50", "INR")])
}

async fn the_customer_reads_rupees_and_indian_time(backend: Backend) {
    let graph = GraphFake::start().await;
    let app = TestApp::spawn_configured(backend, Some(&graph.url), INDIA).await;
    assert_eq!(
        app.post_webhook(cart("wamid.l-1", "919800000001").as_bytes())
            .await
            .status(),
        200
    );
    let order = app.wait_for_orders(1).await.remove(0);
    let n = order["number"].as_i64().unwrap();
    let sent = graph.wait_for(1, WAIT).await;
    assert_eq!(
        text(&sent[0].2),
        format!("Thank you for your order #{n} (₹3,097.00). Please add your delivery address so we can get it to you.")
    );

    // The address form: the lines, the total and when it was placed, the
    // shop's way.
    let link = link_of(&sent[0].2);
    let page = app.client.get(&link).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("2 × ₹1,548.50"), "{html}");
    assert!(html.contains("₹3,097.00"), "{html}");
    assert!(
        html.contains(&format!("Placed {}", ist(&order["created_at"]))),
        "{html}"
    );
    assert!(!html.contains("INR"), "{html}");
    app.stop().await;
}

async fn put_settings(app: &TestApp, settings: Value) {
    let (status, body) = crate::settings::put(app, settings).await;
    assert_eq!(status, 200, "{body}");
}

/// Waits (bounded) until `app` has `key` = `value` in force.
async fn until_in_force(app: &TestApp, key: &str, value: &str) {
    for _ in 0..100 {
        let (_, list) = app.get("/api/v1/settings").await;
        let found = list["settings"]
            .as_array()
            .and_then(|all| all.iter().find(|s| s["key"] == key))
            .map(|s| s["value"] == value);
        if found == Some(true) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{key} is not {value} on {} after 5 s", app.base);
}

/// Cash on delivery and the locale turned on at one instance: the other's
/// very next checkout offers it and writes rupees the Indian way, with no
/// restart. (Before, the checkout kept what it read at start.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn checkout_settings_changed_on_one_instance_apply_on_the_other() {
    let graph = GraphFake::start().await;
    let (db_url, _dir) = fresh_db(Backend::Postgres);
    let one = TestApp::spawn_on(Backend::Postgres, &db_url, Some(&graph.url), &[]).await;
    let other = TestApp::spawn_on(Backend::Postgres, &db_url, Some(&graph.url), &[]).await;

    put_settings(
        &one,
        json!({"COD_ENABLED": "true", "ORDERDESK_LOCALE": "en-IN", "ORDERDESK_TIMEZONE": "Asia/Kolkata"}),
    )
    .await;
    until_in_force(&other, "COD_ENABLED", "true").await;

    assert_eq!(
        other
            .post_webhook(cart("wamid.l-2", "919800000002").as_bytes())
            .await
            .status(),
        200
    );
    let n = other.wait_for_orders(1).await[0]["number"]
        .as_i64()
        .unwrap();
    let sent = graph.wait_for(1, WAIT).await;
    assert!(text(&sent[0].2).contains("(₹3,097.00)"), "{}", sent[0].2);
    let link = link_of(&sent[0].2);
    other.submit_address(&link).await;
    order_when(&other, n, |o| o["checkout_step"] == "awaiting_payment").await;
    let sent = graph.wait_for(3, WAIT).await;
    let ask = sent
        .iter()
        .find(|r| !button_ids(&r.2).is_empty())
        .expect("the payment question");
    assert_eq!(
        button_ids(&ask.2),
        [format!("pay:online:{n}"), format!("pay:cod:{n}")],
        "cash on delivery is offered"
    );
    assert_eq!(
        text(&ask.2),
        format!("How would you like to pay for order #{n} (₹3,097.00)?")
    );

    one.stop().await;
    other.stop().await;
}

async fn a_customer_text_preview_fills_sample_values_and_refuses_unknown_placeholders(
    backend: Backend,
) {
    let app = TestApp::spawn_configured(backend, None, INDIA).await;
    let (s, body) = app
        .post(
            "/api/v1/templates/preview",
            &json!({"body": "Order #{number}: {total}, refund {amount}"}),
        )
        .await;
    assert_eq!(s, 200, "{body}");
    assert_eq!(body["text"], "Order #1042: ₹3,097.00, refund ₹499.00");

    let (s, body) = app
        .post(
            "/api/v1/templates/preview",
            &json!({"body": "Hi {name}, order #{number}"}),
        )
        .await;
    assert_eq!(s, 422, "{body}");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.contains("\"name\""), "{message}");
    for known in ["{number}", "{total}", "{amount}", "{items}"] {
        assert!(message.contains(known), "{message}");
    }
    // Saving such a text is refused the same way, and nothing is stored.
    let r = app
        .client
        .put(app.url("/api/v1/templates/order_received/en"))
        .bearer_auth(&app.token)
        .json(&json!({"body": "Hi {name}"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert!(app.store.message_templates().await.unwrap().is_empty());
    app.stop().await;
}

both_backends!(
    the_customer_reads_rupees_and_indian_time,
    a_customer_text_preview_fills_sample_values_and_refuses_unknown_placeholders,
);
