//! The inbox pages over plain HTTP with a staff session, on both backends:
//! the board's unread markers, opening a conversation reads it, the reply
//! and assign forms, and a form naming no action changes nothing.

use std::time::Duration;

use orderdesk_store::Role;
use serde_json::Value;

use crate::both_backends;
use crate::dashboard::{add_user, login, Staff};
use crate::helpers::{customer_message, Backend, GraphFake, TestApp};

const WA: &str = "919811100888";

async fn unread(app: &TestApp, staff: &Staff) -> Value {
    let r = staff.get(app, "/inbox/unread.json").await;
    assert_eq!(r.status(), 200);
    r.json::<Value>().await.unwrap()["orders"].clone()
}

async fn conversation(app: &TestApp) -> Value {
    let (_, body) = app.get("/api/v1/conversations").await;
    body["conversations"][0].clone()
}

async fn a_customer_message_marks_the_card_until_staff_answer_from_the_inbox(backend: Backend) {
    let graph = GraphFake::start().await;
    let app = TestApp::spawn_with(backend, Some(&graph.url)).await;
    add_user(&app, "owner@shop.test", Role::Owner).await;
    let staff = login(&app, "owner@shop.test").await;
    app.place_order("wamid.cart", WA, "Meera").await;
    // Asking for a person: the bot does not answer it, so it waits for staff.
    let body = customer_message(
        "wamid.q",
        WA,
        Some("Can you gift wrap it? Need a human"),
        None,
    );
    assert_eq!(app.post_webhook(body.as_bytes()).await.status(), 200);
    let mut marked = Value::Null;
    for _ in 0..250 {
        marked = unread(&app, &staff).await;
        if marked.as_array().is_some_and(|a| !a.is_empty()) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(
        marked[0]["number"],
        1001,
        "{marked} {}",
        conversation(&app).await
    );
    let key = marked[0]["key"].as_str().unwrap().to_owned();

    // A form naming no action is refused and changes nothing.
    let r = staff.inbox_action(&app, &key, "explode").await;
    assert_eq!(r.status(), 422);
    assert_eq!(conversation(&app).await["assignee"], Value::Null);

    // Opening it reads it; the customer's words and the order are there.
    assert_eq!(conversation(&app).await["unread"], 1);
    assert_eq!(conversation(&app).await["handover"], true);
    let page = staff
        .get(&app, &format!("/inbox?c={key}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Can you gift wrap it? Need a human"),
        "{page}"
    );
    assert!(page.contains("href=\"/orders/1001\""), "{page}");
    // Or start another one for them, the customer filled in.
    assert!(
        page.contains(&format!(
            "id=\"create-order\" href=\"/orders/new?wa_id={WA}&amp;name="
        )),
        "{page}"
    );
    assert_eq!(conversation(&app).await["unread"], 0);

    let r = staff.inbox_action(&app, &key, "assign_me").await;
    assert_eq!(r.status(), 303);
    assert_eq!(conversation(&app).await["assignee"], "owner@shop.test");
    let r = staff
        .post(
            &app,
            &format!("/inbox/{key}/messages"),
            &[("csrf", &staff.csrf), ("text", "Yes, free of charge.")],
        )
        .await;
    assert_eq!(r.status(), 303);
    assert_eq!(unread(&app, &staff).await, serde_json::json!([]));
    app.stop().await;
}

both_backends!(a_customer_message_marks_the_card_until_staff_answer_from_the_inbox);
