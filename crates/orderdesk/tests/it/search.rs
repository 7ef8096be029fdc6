//! Search that finds (issue #16, item 8), through the API: every spelling of
//! a phone number, accents ignored, and per-stage counts that follow it.

use serde_json::json;

use crate::both_backends;
use crate::helpers::{order_webhook, Backend, TestApp};

async fn numbers(app: &TestApp, q: &str) -> (Vec<i64>, serde_json::Value) {
    let (status, list) = app
        .get(&format!("/api/v1/orders?q={}", urlencoding(q)))
        .await;
    assert_eq!(status, 200, "{list}");
    let found = list["orders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["number"].as_i64().unwrap())
        .collect();
    (found, list["counts"].clone())
}

fn urlencoding(q: &str) -> String {
    q.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

async fn search_finds_each_spelling_and_the_counts_follow_it(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    for (wamid, wa, name) in [
        ("wamid.s1", "919988776655", "Zoë"),
        ("wamid.s2", "14155550123", "Ravi"),
    ] {
        let cart = order_webhook(wamid, wa, name, &[("masala-chai", 1, "120.00", "INR")]);
        assert_eq!(app.post_webhook(cart.as_bytes()).await.status(), 200);
    }
    let orders = app.wait_for_orders(2).await;
    let zoe = orders
        .iter()
        .find(|o| o["customer"]["name"] == "Zoë")
        .unwrap()["number"]
        .as_i64()
        .unwrap();
    let ravi = orders
        .iter()
        .find(|o| o["customer"]["name"] == "Ravi")
        .unwrap()["number"]
        .as_i64()
        .unwrap();
    let (s, _) = app
        .move_order(ravi, json!({"status": "cancelled", "reason": "duplicate"}))
        .await;
    assert_eq!(s, 200);

    for q in ["+91 99887 76655", "09988776655", "9988776655", "zoe", "ZOË"] {
        let (found, counts) = numbers(&app, q).await;
        assert_eq!(found, [zoe], "{q}");
        assert_eq!(counts["placed"], 1, "{q}: {counts}");
        assert_eq!(counts["cancelled"], 0, "{q}: counts follow the search");
    }
    let (found, _) = numbers(&app, "masala").await;
    assert_eq!(found.len(), 2);
    let (found, counts) = numbers(&app, "nobody-like-this").await;
    assert!(found.is_empty());
    assert_eq!(counts["placed"], 0);
    let (_, everything) = app.get("/api/v1/orders").await;
    assert_eq!(everything["counts"]["cancelled"], 1);
    app.stop().await;
}

both_backends!(search_finds_each_spelling_and_the_counts_follow_it);
