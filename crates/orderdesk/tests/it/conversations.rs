//! The conversation desk over HTTP: every customer message reaches a
//! conversation with or without an order, staff answer and read it (the
//! customer gets a read receipt), and bad input changes nothing.

use std::time::Duration;

use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{customer_message, Backend, GraphFake, SseReader, TestApp};

/// Waits (bounded) for the conversation list to satisfy `ok`.
async fn conversations_until(
    app: &TestApp,
    query: &str,
    ok: impl Fn(&[Value]) -> bool,
) -> Vec<Value> {
    for _ in 0..250 {
        let (status, body) = app.get(&format!("/api/v1/conversations{query}")).await;
        assert_eq!(status, 200, "{body}");
        let list = body["conversations"].as_array().unwrap().clone();
        if ok(&list) {
            return list;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the conversations never matched: {query}");
}

pub(crate) async fn writes(app: &TestApp, wamid: &str, wa_id: &str, text: &str) {
    let body = customer_message(wamid, wa_id, Some(text), None);
    assert_eq!(app.post_webhook(body.as_bytes()).await.status(), 200);
}

async fn a_customer_with_no_order_reaches_the_conversations(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let mut events = SseReader::open(&app, None).await;
    let words = "Hi, do you deliver to Pune? Want to order 5 gift boxes for Diwali";
    writes(&app, "wamid.pune", "919811100301", words).await;

    let list = conversations_until(&app, "", |l| !l.is_empty()).await;
    let c = &list[0];
    assert_eq!(c["customer"]["wa_id"], "919811100301");
    assert_eq!(c["customer"]["name"], "Customer");
    assert_eq!(c["last_message"]["text"], words);
    assert_eq!(c["last_message"]["direction"], "in");
    assert_eq!(c["unread"], 1);
    assert_eq!(c["needs_reply"], true);
    assert_eq!(c["handover"], false);
    assert_eq!(c["assignee"], Value::Null);
    assert_eq!(c["order_number"], Value::Null);

    let event = loop {
        let e = events.next(Duration::from_secs(5)).await;
        if e.kind == "conversation.updated" {
            break e;
        }
    };
    assert_eq!(event.data["customer"]["wa_id"], "919811100301");
    assert_eq!(event.data["needs_reply"], true);

    // Found by what they wrote, and by the needs-reply filter.
    let (_, found) = app.get("/api/v1/conversations?q=gift%20BOXES").await;
    assert_eq!(found["conversations"].as_array().unwrap().len(), 1);
    let (_, none) = app.get("/api/v1/conversations?needs_reply=false").await;
    assert!(none["conversations"].as_array().unwrap().is_empty());

    let (status, thread) = app.get("/api/v1/conversations/919811100301/messages").await;
    assert_eq!(status, 200, "{thread}");
    assert_eq!(thread["messages"][0]["text"], words);
    assert_eq!(thread["messages"][0]["order_number"], Value::Null);
    app.stop().await;
}

async fn staff_answer_a_customer_without_an_order_and_read_receipts_go_once(backend: Backend) {
    let graph = GraphFake::start().await;
    let app = TestApp::spawn_with(backend, Some(&graph.url)).await;
    writes(&app, "wamid.ask", "919811100302", "is anyone there?").await;
    conversations_until(&app, "", |l| !l.is_empty()).await;

    let (status, queued) = app
        .post(
            "/api/v1/conversations/919811100302/messages",
            &json!({"text": "Yes! We deliver to Pune."}),
        )
        .await;
    assert_eq!(status, 202, "{queued}");
    assert_eq!(queued["direction"], "out");
    assert_eq!(queued["order_number"], Value::Null);
    let sent = graph.wait_for(1, Duration::from_secs(5)).await;
    assert_eq!(sent[0].2["to"], "919811100302");
    assert_eq!(sent[0].2["text"]["body"], "Yes! We deliver to Pune.");
    let list = conversations_until(&app, "", |l| l[0]["needs_reply"] == false).await;
    assert_eq!(list[0]["last_message"]["direction"], "out");
    assert_eq!(list[0]["unread"], 1, "answering is not reading");

    let (status, read) = app
        .post("/api/v1/conversations/919811100302/read", &json!({}))
        .await;
    assert_eq!(status, 200, "{read}");
    assert_eq!(read["unread"], 0);
    let receipts = graph.wait_for(2, Duration::from_secs(5)).await;
    assert_eq!(
        receipts[1].2,
        json!({"messaging_product": "whatsapp", "status": "read", "message_id": "wamid.ask"})
    );
    // Twice is harmless: nothing more is sent.
    let (status, again) = app
        .post("/api/v1/conversations/919811100302/read", &json!({}))
        .await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(again["unread"], 0);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(graph.requests().len(), 2);
    app.stop().await;
}

async fn bad_conversation_requests_are_refused_and_change_nothing(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    for (path, code) in [
        ("/api/v1/conversations?cursor=nope", 400),
        ("/api/v1/conversations?limit=0", 400),
        ("/api/v1/conversations?needs_reply=maybe", 400),
        ("/api/v1/conversations/919811100999/messages", 404),
    ] {
        let (status, body) = app.get(path).await;
        assert_eq!(status.as_u16(), code, "{path}: {body}");
        assert!(body["error"]["code"].is_string(), "{path}: {body}");
    }
    let (status, body) = app
        .post(
            "/api/v1/conversations/919811100999/messages",
            &json!({"text": "hello"}),
        )
        .await;
    assert_eq!(status, 404, "{body}");
    assert_eq!(
        body["error"]["message"],
        "no conversation with 919811100999"
    );

    writes(&app, "wamid.blank", "919811100303", "hi").await;
    conversations_until(&app, "", |l| !l.is_empty()).await;
    let (status, body) = app
        .post(
            "/api/v1/conversations/919811100303/messages",
            &json!({"text": "   "}),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    let (_, thread) = app.get("/api/v1/conversations/919811100303/messages").await;
    assert_eq!(
        thread["messages"].as_array().unwrap().len(),
        1,
        "nothing queued"
    );
    app.stop().await;
}

async fn a_reply_after_24_hours_is_refused_with_the_reason(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    // The customer wrote 25 hours ago: their webhook item as stored then.
    let body = customer_message("wamid.old", "919811100304", Some("still there?"), None);
    crate::window::received_hours_ago(&app, &body, 25).await;
    conversations_until(&app, "", |l| !l.is_empty()).await;
    let (status, body) = app
        .post(
            "/api/v1/conversations/919811100304/messages",
            &json!({"text": "sorry for the wait"}),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"]["code"], "outside_window");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("template"),
        "{body}"
    );
    let (_, thread) = app.get("/api/v1/conversations/919811100304/messages").await;
    assert_eq!(thread["messages"].as_array().unwrap().len(), 1);
    app.stop().await;
}

async fn an_unknown_message_type_is_kept_and_shown_as_unsupported(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let body = json!({"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [{"field": "messages", "value": {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550783881", "phone_number_id": crate::helpers::PHONE_NUMBER_ID},
        "contacts": [{"profile": {"name": "Odd"}, "wa_id": "919811100305"}],
        "messages": [{"from": "919811100305", "id": "wamid.odd", "timestamp": "1750096400", "type": "unsupported",
            "errors": [{"code": 131051, "title": "Message type unknown"}]}]}}]}]})
    .to_string();
    assert_eq!(app.post_webhook(body.as_bytes()).await.status(), 200);
    let list = conversations_until(&app, "", |l| !l.is_empty()).await;
    assert_eq!(list[0]["last_message"]["text"], "unsupported message");
    assert_eq!(list[0]["needs_reply"], true);
    app.stop().await;
}

both_backends!(
    a_customer_with_no_order_reaches_the_conversations,
    staff_answer_a_customer_without_an_order_and_read_receipts_go_once,
    bad_conversation_requests_are_refused_and_change_nothing,
    a_reply_after_24_hours_is_refused_with_the_reason,
    an_unknown_message_type_is_kept_and_shown_as_unsupported,
);
