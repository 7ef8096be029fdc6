//! The conversation desk over HTTP, on both backends (#14): marking a
//! conversation done (API and inbox form) takes it off the needs-reply
//! list; a shared location and a captioned photo sent through the real
//! webhook land in the conversation, and the inbox shows the caption and
//! the place with a map link.

use std::time::Duration;

use orderdesk_store::Role;
use serde_json::{json, Value};

use crate::both_backends;
use crate::conversations::writes;
use crate::dashboard::{add_user, login};
use crate::helpers::{customer_message, Backend, TestApp};

/// The customer's conversation once `ok` holds for it.
async fn conversation_when(app: &TestApp, wa: &str, ok: impl Fn(&Value) -> bool) -> Value {
    for _ in 0..250 {
        let (status, body) = app.get("/api/v1/conversations").await;
        assert_eq!(status, 200, "{body}");
        let found = body["conversations"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["customer"]["wa_id"] == wa && ok(c))
            .cloned();
        if let Some(c) = found {
            return c;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the conversation of {wa} never matched");
}

async fn marking_done_over_http_clears_needs_reply(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    add_user(&app, "owner@shop.test", Role::Owner).await;
    let staff = login(&app, "owner@shop.test").await;
    let wa = "919811100501";
    writes(&app, "wamid.d1", wa, "Thanks, that's all!").await;
    conversation_when(&app, wa, |c| c["needs_reply"] == true).await;

    let (status, c) = app
        .post(
            &format!("/api/v1/conversations/{wa}"),
            &json!({"done": true}),
        )
        .await;
    assert_eq!(status, 200, "{c}");
    assert_eq!(c["needs_reply"], false);
    let (_, waiting) = app.get("/api/v1/conversations?needs_reply=true").await;
    assert_eq!(waiting["conversations"], json!([]));

    // Again from the inbox's "Mark done", after the customer wrote again.
    writes(&app, "wamid.d2", wa, "Oh, one more thing").await;
    let c = conversation_when(&app, wa, |c| c["needs_reply"] == true).await;
    let key = c["key"].as_str().unwrap();
    let r = staff.inbox_action(&app, key, "done").await;
    assert_eq!(r.status(), 303);
    let (_, c) = app.get("/api/v1/conversations").await;
    assert_eq!(c["conversations"][0]["needs_reply"], false, "{c}");
    assert_eq!(
        c["conversations"][0]["last_message"]["text"],
        "Oh, one more thing"
    );
    app.stop().await;
}

/// A customer webhook carrying `message` (the fixtures' shape) from `wa`.
fn webhook_with(wa: &str, message: Value) -> String {
    let mut body: Value =
        serde_json::from_str(&customer_message("wamid.x", wa, Some(""), None)).unwrap();
    body["entry"][0]["changes"][0]["value"]["messages"] = json!([message]);
    body.to_string()
}

async fn a_location_and_a_captioned_photo_reach_the_conversation_and_the_inbox(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    add_user(&app, "owner@shop.test", Role::Owner).await;
    let staff = login(&app, "owner@shop.test").await;
    let wa = "919811100502";
    let photo = json!({"from": wa, "id": "wamid.img", "timestamp": "1744344496", "type": "image",
        "image": {"caption": "This box, in red please", "mime_type": "image/jpeg",
        "sha256": "SfInY0gGKTsJlUWbwxC1k+FAD0FZHvzwfpvO0zX0GUI=", "id": "1003383421387256"}});
    let place = json!({"from": wa, "id": "wamid.loc", "timestamp": "1744344497", "type": "location",
        "location": {"address": "12 MG Road, Bengaluru 560001", "latitude": 12.9756,
        "longitude": 77.6050, "name": "Asha's shop"}});
    for message in [photo, place] {
        let body = webhook_with(wa, message);
        assert_eq!(app.post_webhook(body.as_bytes()).await.status(), 200);
    }
    let c = conversation_when(&app, wa, |c| {
        c["last_message"]["text"]
            .as_str()
            .is_some_and(|t| t.starts_with("[location]"))
    })
    .await;
    assert_eq!(c["unread"], 2);
    assert_eq!(c["needs_reply"], true);
    let (_, thread) = app
        .get(&format!("/api/v1/conversations/{wa}/messages"))
        .await;
    let texts: Vec<&str> = thread["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["text"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(texts[0], "This box, in red please", "{thread}");
    assert!(
        texts[1].starts_with("[location] Asha's shop, 12 MG Road, Bengaluru 560001 https://www.openstreetmap.org/?mlat=12.9756"),
        "{thread}"
    );

    let key = c["key"].as_str().unwrap();
    let page = staff
        .get(&app, &format!("/inbox?c={key}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("This box, in red please"), "{page}");
    assert!(
        page.contains("href=\"https://www.openstreetmap.org/?mlat=12.9756"),
        "{page}"
    );
    assert!(page.contains("Open the map"), "{page}");
    app.stop().await;
}

both_backends!(
    marking_done_over_http_clears_needs_reply,
    a_location_and_a_captioned_photo_reach_the_conversation_and_the_inbox,
);
