//! Handover: a customer who asks for a person mid-checkout is told someone
//! will answer, the conversation goes to the top of the inbox
//! (`handover`, `needs_reply`), and the bot falls silent for them until
//! staff hand them back.

use std::time::Duration;

use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{customer_message, Backend, GraphFake, TestApp};

const WA: &str = "919811100777";

async fn writes(app: &TestApp, wamid: &str, text: &str) {
    let body = customer_message(wamid, WA, Some(text), None);
    assert_eq!(app.post_webhook(body.as_bytes()).await.status(), 200);
}

/// The customer's conversation once its newest message is `text`.
async fn conversation_after(app: &TestApp, text: &str) -> Value {
    for _ in 0..250 {
        let (status, body) = app.get("/api/v1/conversations").await;
        assert_eq!(status, 200, "{body}");
        if let Some(c) = body["conversations"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["customer"]["wa_id"] == WA && c["last_message"]["text"] == text)
        {
            return c.clone();
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the conversation never showed {text:?}");
}

/// The customer's conversation once their message `text` is stored
/// (whatever the bot answered after it).
async fn conversation_once_written(app: &TestApp, text: &str) -> Value {
    for _ in 0..250 {
        let (_, thread) = app
            .get(&format!("/api/v1/conversations/{WA}/messages"))
            .await;
        let stored = thread["messages"]
            .as_array()
            .is_some_and(|m| m.iter().any(|m| m["text"] == text));
        if stored {
            let (_, body) = app.get("/api/v1/conversations").await;
            return body["conversations"]
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["customer"]["wa_id"] == WA)
                .unwrap()
                .clone();
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("{text:?} was never stored");
}

fn texts(graph: &GraphFake) -> Vec<String> {
    graph
        .requests()
        .iter()
        .filter_map(|(_, _, b)| b["text"]["body"].as_str().map(str::to_owned))
        .collect()
}

async fn a_customer_who_asks_for_a_person_silences_the_bot_until_handed_back(backend: Backend) {
    let graph = GraphFake::start().await;
    let app = TestApp::spawn_with(backend, Some(&graph.url)).await;
    app.place_order("wamid.cart", WA, "Meera").await;
    graph.wait_for(1, Duration::from_secs(5)).await;

    writes(&app, "wamid.ask", "I want to talk to a person").await;
    let asked = graph.wait_for(2, Duration::from_secs(5)).await;
    let told = asked[1].2["text"]["body"].as_str().unwrap_or_default();
    assert!(
        told.contains("A person from our team will answer"),
        "{asked:?}"
    );
    let c = conversation_after(&app, told).await;
    assert_eq!(c["handover"], true);
    assert_eq!(c["needs_reply"], true);
    assert_eq!(c["order_number"], 1001);

    // Whatever they write now reaches staff only: the bot says nothing.
    let before = graph.requests().len();
    writes(&app, "wamid.hello", "hello?").await;
    writes(&app, "wamid.there", "is anyone there").await;
    let c = conversation_after(&app, "is anyone there").await;
    assert_eq!(c["handover"], true);
    assert_eq!(c["needs_reply"], true);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        graph.requests().len(),
        before,
        "the bot spoke: {:?}",
        texts(&graph)
    );

    // Staff hand back: the conversation is the bot's again, and the
    // customer asking again is answered again.
    let (status, c) = app
        .post(
            &format!("/api/v1/conversations/{WA}"),
            &json!({"handover": false}),
        )
        .await;
    assert_eq!(status, 200, "{c}");
    assert_eq!(c["handover"], false);
    writes(&app, "wamid.again", "agent").await;
    graph.wait_for(before + 1, Duration::from_secs(5)).await;
    assert_eq!(
        texts(&graph)
            .iter()
            .filter(|t| t.contains("A person from our team"))
            .count(),
        2
    );
    app.stop().await;
}

async fn the_keywords_are_whole_words_and_editable_per_language(backend: Backend) {
    let graph = GraphFake::start().await;
    let app = TestApp::spawn_with(backend, Some(&graph.url)).await;
    app.place_order("wamid.cart", WA, "Meera").await;
    // "agents" is not "agent": the bot keeps the customer.
    let words = "Are your delivery agents in Pune?";
    writes(&app, "wamid.agents", words).await;
    assert_eq!(
        conversation_once_written(&app, words).await["handover"],
        false
    );

    // The business adds its customers' own words.
    let url = app.url("/api/v1/templates/handover_keywords/en");
    let r = app
        .client
        .put(url)
        .bearer_auth(&app.token)
        .json(&json!({"body": "agent, madad chahiye"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let words = "Madad chahiye!";
    writes(&app, "wamid.madad", words).await;
    let c = conversation_after(
        &app,
        "Thanks! A person from our team will answer you here shortly.",
    )
    .await;
    assert_eq!(c["handover"], true);
    app.stop().await;
}

async fn the_bot_takes_the_customer_back_when_the_order_moves_on(backend: Backend) {
    let graph = GraphFake::start().await;
    let app = TestApp::spawn_with(backend, Some(&graph.url)).await;
    app.place_order("wamid.cart", WA, "Meera").await;
    writes(&app, "wamid.ask", "human please").await;
    graph.wait_for(2, Duration::from_secs(5)).await;
    let c = conversation_once_written(&app, "human please").await;
    assert_eq!(c["handover"], true);
    let (s, body) = app
        .move_order(
            1001,
            json!({"status": "confirmed", "reason": "Confirmed on the phone"}),
        )
        .await;
    assert_eq!(s, 200, "{body}");
    let c = conversation_once_written(&app, "human please").await;
    assert_eq!(c["handover"], false);
    // The stage update still reached the handed-over customer.
    let sent = graph.wait_for(3, Duration::from_secs(5)).await;
    assert_eq!(sent[2].2["to"], WA);
    assert_eq!(
        sent[2].2["text"]["body"], "Your order #1001 is confirmed. We will keep you posted.",
        "{sent:?}"
    );
    app.stop().await;
}

both_backends!(
    the_bot_takes_the_customer_back_when_the_order_moves_on,
    a_customer_who_asks_for_a_person_silences_the_bot_until_handed_back,
    the_keywords_are_whole_words_and_editable_per_language
);
