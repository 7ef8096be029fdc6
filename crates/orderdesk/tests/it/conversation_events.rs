//! What every open dashboard hears about a conversation (#14): a staff
//! reply from the inbox API or from the order window is announced as
//! `conversation.updated` with `needs_reply: false`, so a colleague's inbox
//! and the board's unread markers follow; free text the bot could not use
//! waits for a person from the first one, though the bot answered it.

use std::time::Duration;

use orderdesk_store::Role;
use serde_json::{json, Value};

use crate::both_backends;
use crate::conversations::writes;
use crate::dashboard::{add_user, login};
use crate::helpers::{Backend, SseEvent, SseReader, TestApp};

/// The next `conversation.updated` event (skipping other kinds).
async fn next_conversation(events: &mut SseReader) -> SseEvent {
    loop {
        let e = events.next(Duration::from_secs(5)).await;
        if e.kind == "conversation.updated" {
            return e;
        }
    }
}

/// `conversation.updated` events until one satisfies `ok`; panics when the
/// stream goes quiet first.
async fn conversation_until(events: &mut SseReader, ok: impl Fn(&Value) -> bool) -> Value {
    loop {
        let e = next_conversation(events).await;
        if ok(&e.data) {
            return e.data;
        }
    }
}

async fn a_staff_reply_is_announced_as_answered(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let mut events = SseReader::open(&app, None).await;
    writes(&app, "wamid.ev1", "919811100401", "Do you deliver to Pune?").await;
    let waiting = next_conversation(&mut events).await;
    assert_eq!(waiting.data["needs_reply"], true);

    let (status, body) = app
        .post(
            "/api/v1/conversations/919811100401/messages",
            &json!({"text": "Yes, we do!"}),
        )
        .await;
    assert_eq!(status, 202, "{body}");
    // The very next conversation event is the answered one.
    let answered = next_conversation(&mut events).await;
    assert_eq!(answered.data["needs_reply"], false, "{:?}", answered.data);
    assert_eq!(answered.data["last_message"]["text"], "Yes, we do!");
    assert_eq!(answered.data["last_message"]["direction"], "out");
    assert_eq!(answered.data["customer"]["wa_id"], "919811100401");
    app.stop().await;
}

async fn an_order_window_reply_is_announced_as_answered(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    add_user(&app, "staff@shop.test", Role::Owner).await;
    let staff = login(&app, "staff@shop.test").await;
    let wa = "919811100402";
    let order = app.place_order("wamid.ev2", wa, "Meera").await;
    let n = order["number"].as_i64().unwrap();
    let mut events = SseReader::open(&app, None).await;

    // Free text at the address step: the bot keeps it and asks again, yet
    // the customer now waits for a person (and the card says so).
    writes(&app, "wamid.ev3", wa, "My address is 12 MG Road, Bengaluru").await;
    let waiting = conversation_until(&mut events, |c| c["needs_reply"] == true).await;
    assert_eq!(waiting["order_number"], n);
    assert_eq!(
        waiting["last_message"]["direction"], "out",
        "the bot answered: {waiting}"
    );
    let r = staff.get(&app, "/inbox/unread.json").await;
    let marked: Value = r.json().await.unwrap();
    assert_eq!(marked["orders"][0]["number"], n, "{marked}");

    let r = staff
        .post(
            &app,
            &format!("/orders/{n}/messages"),
            &[("csrf", &staff.csrf), ("text", "I'll put that in for you.")],
        )
        .await;
    assert!(
        r.status().is_success() || r.status().is_redirection(),
        "{}",
        r.status()
    );
    let answered = next_conversation(&mut events).await;
    assert_eq!(answered.data["needs_reply"], false, "{:?}", answered.data);
    assert_eq!(
        answered.data["last_message"]["text"],
        "I'll put that in for you."
    );
    let r = staff.get(&app, "/inbox/unread.json").await;
    let marked: Value = r.json().await.unwrap();
    assert_eq!(marked["orders"], json!([]));
    app.stop().await;
}

both_backends!(
    a_staff_reply_is_announced_as_answered,
    an_order_window_reply_is_announced_as_answered,
);
