//! The live event stream and its replay guarantee.

use std::time::Duration;

use serde_json::json;

use crate::both_backends;
use crate::helpers::{Backend, SseEvent, SseReader, TestApp};

const WAIT: Duration = Duration::from_secs(5);

/// The next event about an order: each cart's customer's conversation is
/// announced too (`conversation.updated`), which these tests skip.
async fn next_order_event(stream: &mut SseReader) -> SseEvent {
    loop {
        let e = stream.next(WAIT).await;
        if e.kind != "conversation.updated" {
            return e;
        }
    }
}

async fn a_reconnect_with_last_event_id_replays_exactly_what_was_missed(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let mut live = SseReader::open(&app, None).await;
    app.place_order("wamid.e1", "15552000001", "One").await;
    let first = next_order_event(&mut live).await;
    assert_eq!(first.kind, "order.created");
    drop(live);

    // While nobody listens: a second order and a stage change.
    app.place_order("wamid.e2", "15552000002", "Two").await;
    let (s, _) = app
        .move_order(
            1001,
            json!({"status": "cancelled", "reason": "changed mind"}),
        )
        .await;
    assert_eq!(s, 200);

    let mut resumed = SseReader::open(&app, Some(first.id)).await;
    let second = next_order_event(&mut resumed).await;
    let third = next_order_event(&mut resumed).await;
    assert_eq!(
        (second.kind.as_str(), second.data["number"].as_i64()),
        ("order.created", Some(1002))
    );
    assert_eq!(
        (
            third.kind.as_str(),
            third.data["number"].as_i64(),
            third.data["status"].as_str()
        ),
        ("order.status_changed", Some(1001), Some("cancelled"))
    );
    assert!(first.id < second.id && second.id < third.id);

    // Replaying from 0 gives the whole log, in order.
    let mut all = SseReader::open(&app, Some(0)).await;
    let ids = [
        next_order_event(&mut all).await.id,
        next_order_event(&mut all).await.id,
        next_order_event(&mut all).await.id,
    ];
    assert_eq!(ids, [first.id, second.id, third.id]);
    app.stop().await;
}

async fn a_stream_without_last_event_id_starts_at_the_next_new_event(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.place_order("wamid.old", "15552000003", "Old").await;
    let mut live = SseReader::open(&app, None).await;
    app.place_order("wamid.new", "15552000004", "New").await;
    let event = next_order_event(&mut live).await;
    assert_eq!(event.data["number"], 1002, "the old order is not replayed");
    app.stop().await;
}

async fn a_bad_last_event_id_is_a_clear_error(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let r = app
        .client
        .get(app.url("/api/v1/events"))
        .bearer_auth(&app.token)
        .header("Last-Event-ID", "yesterday")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "invalid_request");
    app.stop().await;
}

async fn a_stream_sees_every_event_while_many_are_written_at_once(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let mut live = SseReader::open(&app, None).await;
    let mut posts = Vec::new();
    for i in 0..40 {
        let body = crate::helpers::order_webhook(
            &format!("wamid.burst-{i}"),
            &format!("1555300{i:04}"),
            "Burst",
            &[("a", 1, "1", "USD")],
        );
        let client = app.client.clone();
        let url = app.url("/webhooks/whatsapp");
        let sig = orderdesk_whatsapp::sign(crate::helpers::APP_SECRET.as_bytes(), body.as_bytes());
        posts.push(tokio::spawn(async move {
            client
                .post(url)
                .header("x-hub-signature-256", sig)
                .body(body)
                .send()
                .await
                .unwrap()
                .status()
        }));
    }
    for p in posts {
        assert_eq!(p.await.unwrap(), 200);
    }
    let mut numbers = Vec::new();
    let mut last = 0;
    for _ in 0..40 {
        let e = next_order_event(&mut live).await;
        assert!(e.id > last, "ids increase");
        last = e.id;
        numbers.push(e.data["number"].as_i64().unwrap());
    }
    numbers.sort_unstable();
    assert_eq!(numbers, (1001..=1040).collect::<Vec<_>>());
    app.stop().await;
}

both_backends!(
    a_reconnect_with_last_event_id_replays_exactly_what_was_missed,
    a_stream_without_last_event_id_starts_at_the_next_new_event,
    a_bad_last_event_id_is_a_clear_error,
    a_stream_sees_every_event_while_many_are_written_at_once,
);
