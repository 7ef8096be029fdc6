//! The simulator against a loopback "server" that checks every webhook's
//! signature the way orderdesk does and can refuse deliveries.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use orderdesk_phone::{demo_shop, Settings, Simulator, Tick};
use serde_json::{json, Value};

const SECRET: &str = "round-trip-secret";
const TOKEN: &str = "round-trip-token";
const NUMBER_ID: &str = "106540352242922";

#[derive(Default)]
struct Server {
    /// Deliveries still to refuse with 500.
    refuse: usize,
    refused: usize,
    /// Every accepted body, each checked against its signature.
    received: Vec<Value>,
}

type Shared = Arc<Mutex<Server>>;

async fn webhook(State(s): State<Shared>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let signature = headers
        .get("x-hub-signature-256")
        .and_then(|v| v.to_str().ok());
    if orderdesk_whatsapp::verify_signature(SECRET.as_bytes(), signature, &body).is_err() {
        return StatusCode::UNAUTHORIZED;
    }
    let mut s = s.lock().unwrap();
    if s.refuse > 0 {
        s.refuse -= 1;
        s.refused += 1;
        return StatusCode::INTERNAL_SERVER_ERROR;
    }
    // Meta's escaping: the signed bytes are pure ASCII.
    assert!(body.is_ascii());
    orderdesk_whatsapp::split_webhook(&body).expect("a webhook orderdesk can split");
    s.received.push(serde_json::from_slice(&body).unwrap());
    StatusCode::OK
}

/// The simulator mounted on one listener, posting webhooks to `/webhooks/whatsapp` there.
async fn start(refuse: usize) -> (String, Simulator, Shared) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let mut settings = Settings::new(
        format!("{base}/webhooks/whatsapp"),
        SECRET,
        NUMBER_ID,
        "15550783881",
        demo_shop(),
    )
    .with_access_token(TOKEN);
    settings.status_delay = Duration::from_millis(20);
    let sim = Simulator::start(settings);
    let server: Shared = Arc::new(Mutex::new(Server {
        refuse,
        ..Server::default()
    }));
    let app = orderdesk_phone::router(sim.clone()).merge(
        axum::Router::new()
            .route("/webhooks/whatsapp", axum::routing::post(webhook))
            .with_state(server.clone()),
    );
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (base, sim, server)
}

async fn until(what: &str, mut check: impl FnMut() -> bool) {
    for _ in 0..300 {
        if check() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("never: {what}");
}

fn received(s: &Shared) -> Vec<Value> {
    s.lock().unwrap().received.clone()
}

#[tokio::test]
async fn a_refused_webhook_is_retried_until_the_server_takes_it() {
    let (_, sim, server) = start(2).await;
    let c = sim.add_customer("Zoë", "+91 98123 45601").unwrap();
    let cart = sim
        .send_cart(&c.wa_id, &[("tea-green-100".into(), 3)], Some("chai ☕"))
        .unwrap();
    until("delivered after two refusals", || {
        sim.thread(&c.wa_id, 0).unwrap().messages[0].status == Tick::Delivered
    })
    .await;
    assert_eq!(server.lock().unwrap().refused, 2);
    let got = received(&server);
    assert_eq!(got.len(), 1, "delivered once");
    let value = &got[0]["entry"][0]["changes"][0]["value"];
    assert_eq!(value["contacts"][0]["profile"]["name"], "Zoë");
    assert_eq!(value["contacts"][0]["user_id"], c.user_id.as_str());
    let m = &value["messages"][0];
    assert_eq!(m["id"], cart.wamid.as_str());
    assert_eq!(m["order"]["text"], "chai ☕");
    assert_eq!(m["order"]["product_items"][0]["item_price"], json!(275));
    assert_eq!(m["order"]["product_items"][0]["quantity"], 3);
}

#[tokio::test]
async fn a_sent_message_is_followed_by_sent_delivered_and_read_statuses() {
    let (base, sim, server) = start(0).await;
    let c = sim.add_customer("Asha", "9812345601").unwrap();
    let http = reqwest::Client::new();
    let answer: Value = http
        .post(format!("{base}/simulator/graph/v23.0/{NUMBER_ID}/messages"))
        .bearer_auth(TOKEN)
        .json(&json!({"messaging_product": "whatsapp", "recipient_type": "individual", "to": c.wa_id,
            "type": "interactive", "interactive": {"type": "button", "body": {"text": "Add a note?"},
            "action": {"buttons": [{"type": "reply", "reply": {"id": "note:1001:add", "title": "Add a note"}},
                {"type": "reply", "reply": {"id": "note:1001:skip", "title": "Skip"}}]}}}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let wamid = answer["messages"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(answer["messaging_product"], "whatsapp");
    let statuses = |s: &Shared| -> Vec<String> {
        received(s)
            .iter()
            .filter_map(|b| {
                let st = &b["entry"][0]["changes"][0]["value"]["statuses"][0];
                (st["id"] == wamid.as_str()).then(|| st["status"].as_str().unwrap().to_owned())
            })
            .collect()
    };
    until("sent and delivered", || statuses(&server).len() == 2).await;
    assert_eq!(statuses(&server), ["sent", "delivered"]);
    assert_eq!(sim.read_all(&c.wa_id).unwrap(), 1);
    until("read", || statuses(&server).len() == 3).await;
    assert_eq!(statuses(&server)[2], "read");
    // The tap answers the message it quotes.
    sim.tap(&c.wa_id, &wamid, "note:1001:skip").unwrap();
    until("the tap", || received(&server).len() == 4).await;
    let tap = &received(&server)[3]["entry"][0]["changes"][0]["value"]["messages"][0];
    assert_eq!(tap["context"]["id"], wamid.as_str());
    assert_eq!(tap["interactive"]["button_reply"]["id"], "note:1001:skip");
    assert!(sim.tap(&c.wa_id, &wamid, "nope").is_err());
}
