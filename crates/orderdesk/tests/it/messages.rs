//! Chat from the order window: replies go through the durable outbox to the
//! Graph API, survive its failures, and show their delivery ticks.

use std::time::Duration;

use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{
    status_webhook, Backend, GraphFake, SseReader, TestApp, ACCESS_TOKEN, PHONE_NUMBER_ID,
};

async fn thread(app: &TestApp, n: i64) -> Vec<Value> {
    let (status, body) = app.get(&format!("/api/v1/orders/{n}/messages")).await;
    assert_eq!(status, 200, "{body}");
    body["messages"].as_array().unwrap().clone()
}

async fn wait_state(app: &TestApp, n: i64, index: usize, state: &str) -> Value {
    for _ in 0..250 {
        let t = thread(app, n).await;
        if t.get(index).is_some_and(|m| m["state"] == state) {
            return t[index].clone();
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!(
        "message {index} of #{n} never became {state}: {:?}",
        thread(app, n).await
    );
}

/// What a Graph request carried, in a word: the text, or the kind of
/// interactive message with its button labels.
fn describe(body: &Value) -> String {
    match body["type"].as_str() {
        Some("text") => body["text"]["body"].as_str().unwrap().to_owned(),
        Some("interactive") => format!("[{}]", body["interactive"]["type"].as_str().unwrap()),
        other => format!("{other:?}"),
    }
}

async fn a_cart_is_answered_with_a_signed_address_link(backend: Backend) {
    let graph = GraphFake::start().await;
    let app = TestApp::spawn_with(backend, Some(&graph.url)).await;
    let order = app
        .place_order("wamid.first", "919811100009", "First")
        .await;
    let n = order["number"].as_i64().unwrap();
    let requests = graph.wait_for(1, Duration::from_secs(5)).await;
    let body = &requests[0].2;
    assert_eq!(body["to"], "919811100009");
    assert_eq!(body["type"], "interactive");
    assert_eq!(body["interactive"]["type"], "cta_url");
    let params = &body["interactive"]["action"]["parameters"];
    assert_eq!(params["display_text"], "Add address");
    let url = params["url"].as_str().unwrap();
    assert!(url.starts_with(&format!("{}/address/", app.base)), "{url}");
    assert!(
        !url.contains("__ORDERDESK"),
        "placeholders are filled at send time: {url}"
    );
    let text = body["interactive"]["body"]["text"].as_str().unwrap();
    assert!(text.contains(&format!("#{n}")), "{text}");
    assert!(text.contains("$15.98"), "{text}");
    let first = wait_state(&app, n, 0, "sent").await;
    assert_eq!(first["direction"], "out");
    assert_eq!(first["kind"], "interactive");
    app.stop().await;
}

async fn a_staff_reply_reaches_the_graph_api_and_shows_its_ticks(backend: Backend) {
    let graph = GraphFake::start().await;
    let app = TestApp::spawn_with(backend, Some(&graph.url)).await;
    let order = app.place_order("wamid.chat", "919811100001", "Meera").await;
    let n = order["number"].as_i64().unwrap();

    let (status, queued) = app
        .post(
            &format!("/api/v1/orders/{n}/messages"),
            &json!({"text": "Your tea ships <today>!"}),
        )
        .await;
    assert_eq!(status, 202, "{queued}");
    assert_eq!(queued["direction"], "out");

    // The bot's address request went first; the reply is second.
    let requests = graph.wait_for(2, Duration::from_secs(5)).await;
    let (phone, auth, body) = &requests[1];
    assert_eq!(phone, PHONE_NUMBER_ID);
    assert_eq!(
        auth.as_deref(),
        Some(format!("Bearer {ACCESS_TOKEN}").as_str())
    );
    assert_eq!(body["messaging_product"], "whatsapp");
    assert_eq!(body["to"], "919811100001");
    assert_eq!(body["type"], "text");
    assert_eq!(body["text"]["body"], "Your tea ships <today>!");

    let sent = wait_state(&app, n, 1, "sent").await;
    let wamid = sent["wamid"].as_str().unwrap().to_owned();
    assert_eq!(wamid, "wamid.fake-2");

    // Ticks arrive out of order and repeated; read is never undone.
    let mut events = SseReader::open(&app, None).await;
    for status in ["read", "delivered", "read"] {
        let body = status_webhook(&wamid, status, "919811100001", 1_750_000_000);
        assert_eq!(app.post_webhook(body.as_bytes()).await.status(), 200);
    }
    let tick = events.next(Duration::from_secs(5)).await;
    assert_eq!(tick.kind, "message.status");
    assert_eq!(tick.data["number"], n);
    assert_eq!(tick.data["message"]["state"], "read");
    wait_state(&app, n, 1, "read").await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(
        thread(&app, n).await[1]["state"],
        "read",
        "a late delivered does not undo read"
    );
    app.stop().await;
}

async fn nothing_is_lost_when_the_graph_api_fails_for_a_while(backend: Backend) {
    let graph = GraphFake::start().await;
    graph.fail_next(2, 500);
    let app = TestApp::spawn_with(backend, Some(&graph.url)).await;
    let order = app
        .place_order("wamid.retry", "919811100002", "Retry")
        .await;
    let n = order["number"].as_i64().unwrap();
    for text in ["first", "second"] {
        let (status, _) = app
            .post(
                &format!("/api/v1/orders/{n}/messages"),
                &json!({ "text": text }),
            )
            .await;
        assert_eq!(status, 202);
    }
    wait_state(&app, n, 2, "sent").await;
    let bodies: Vec<String> = graph
        .requests()
        .iter()
        .map(|(_, _, b)| describe(b))
        .collect();
    // Two failed attempts at the bot's first message, then each once, in order.
    assert_eq!(
        bodies,
        ["[cta_url]", "[cta_url]", "[cta_url]", "first", "second"]
    );
    app.stop().await;
}

async fn empty_or_unknown_replies_are_refused(backend: Backend) {
    let graph = GraphFake::start().await;
    let app = TestApp::spawn_with(backend, Some(&graph.url)).await;
    let order = app
        .place_order("wamid.bad-reply", "919811100003", "Bad")
        .await;
    let n = order["number"].as_i64().unwrap();
    let (status, body) = app
        .post(
            &format!("/api/v1/orders/{n}/messages"),
            &json!({"text": "   "}),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    let (status, _) = app
        .post(
            &format!("/api/v1/orders/{n}/messages"),
            &json!({"body": "hi"}),
        )
        .await;
    assert_eq!(status, 422);
    let (status, _) = app
        .post("/api/v1/orders/999999/messages", &json!({"text": "hi"}))
        .await;
    assert_eq!(status, 404);
    wait_state(&app, n, 0, "sent").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(graph.requests().len(), 1, "only the bot's address request");
    assert_eq!(thread(&app, n).await.len(), 1);
    app.stop().await;
}

/// The chat's times read like the rest of the desk's ("just now"), the
/// exact time in the business's zone on hover, UTC for machines (#17).
async fn chat_messages_show_relative_times_with_the_exact_local_time_on_hover(backend: Backend) {
    let graph = GraphFake::start().await;
    let app = TestApp::spawn_configured(
        backend,
        Some(&graph.url),
        &[("ORDERDESK_TIMEZONE", "Asia/Kolkata")],
    )
    .await;
    crate::dashboard::add_user(&app, "owner@shop.test", orderdesk_store::Role::Owner).await;
    let order = app.place_order("wamid.times", "919811100031", "Ira").await;
    let n = order["number"].as_i64().unwrap();
    wait_state(&app, n, 0, "sent").await;
    let owner = crate::dashboard::login(&app, "owner@shop.test").await;
    let (_, conversations) = app.get("/api/v1/conversations").await;
    let key = conversations["conversations"][0]["key"].as_str().unwrap();
    let inbox = format!("/inbox?c={key}");
    for path in [format!("/orders/{n}"), inbox] {
        let page = owner.get(&app, &path).await.text().await.unwrap();
        let bubble = page
            .find("class=\"msg msg-out\"")
            .unwrap_or_else(|| panic!("{path}: no chat bubble in {page}"));
        let meta = &page[bubble..];
        let meta = &meta[meta.find("class=\"meta\"").unwrap()..];
        let meta = &meta[..meta.find("</div>").unwrap()];
        assert!(
            meta.contains("<time class=\"age\" datetime=\""),
            "{path}: {meta}"
        );
        assert!(meta.contains(" IST\">just now</time>"), "{path}: {meta}");
    }
    app.stop().await;
}

both_backends!(
    chat_messages_show_relative_times_with_the_exact_local_time_on_hover,
    a_cart_is_answered_with_a_signed_address_link,
    a_staff_reply_reaches_the_graph_api_and_shows_its_ticks,
    nothing_is_lost_when_the_graph_api_fails_for_a_while,
    empty_or_unknown_replies_are_refused,
);
