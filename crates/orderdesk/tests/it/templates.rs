//! The business edits what customers are told, or turns a message off.

use std::time::Duration;

use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{Backend, GraphFake, TestApp};

fn texts(graph: &GraphFake) -> Vec<String> {
    graph
        .requests()
        .iter()
        .filter_map(|(_, _, b)| b["text"]["body"].as_str().map(str::to_owned))
        .collect()
}

async fn edited_and_disabled_stage_updates_are_what_the_customer_gets(backend: Backend) {
    let graph = GraphFake::start().await;
    let app = TestApp::spawn_with(backend, Some(&graph.url)).await;

    let (s, list) = app.get("/api/v1/templates").await;
    assert_eq!(s, 200);
    let shipped = list["templates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["key"] == "stage.shipped" && t["language"] == "en")
        .unwrap()
        .clone();
    assert_eq!(shipped["customised"], false);
    assert!(shipped["body"].as_str().unwrap().contains("{number}"));

    let put = |key: &str, body: Value| {
        let url = app.url(&format!("/api/v1/templates/{key}/en"));
        let req = app.client.put(url).bearer_auth(&app.token).json(&body);
        async move {
            let r = req.send().await.unwrap();
            let status = r.status();
            (status, r.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    let (s, off) = put("stage.approved", json!({"enabled": false})).await;
    assert_eq!(s, 200, "{off}");
    assert_eq!(off["enabled"], false);
    let (s, edited) = put(
        "stage.shipped",
        json!({"body": "On its way! #{number} {tracking}"}),
    )
    .await;
    assert_eq!(s, 200, "{edited}");
    assert_eq!(edited["customised"], true);
    let (s, bad) = put("stage.shipped", json!({"body": "Hi {name}"})).await;
    assert_eq!(s, 422, "{bad}");
    assert!(bad["error"]["message"].as_str().unwrap().contains("name"));
    let (s, _) = put("no.such.text", json!({"enabled": false})).await;
    assert_eq!(s, 404);

    let order = app.place_order("wamid.tpl", "919833300001", "Templ").await;
    let n = order["number"].as_i64().unwrap();
    for (status, extra) in [
        ("confirmed", json!({"reason": "paid by bank transfer"})),
        ("approved", json!({})),
        ("processed", json!({})),
        ("shipped", json!({"tracking": "AB123"})),
    ] {
        let mut body = json!({ "status": status });
        body.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        let (s, b) = app.move_order(n, body).await;
        assert_eq!(s, 200, "{b}");
    }
    let mut sent = Vec::new();
    for _ in 0..200 {
        sent = texts(&graph);
        if sent.iter().any(|t| t.starts_with("On its way")) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert_eq!(
        sent,
        [
            format!("Your order #{n} is confirmed. We will keep you posted."),
            format!("Your order #{n} is packed and ready to ship."),
            format!("On its way! #{n} Tracking: AB123"),
        ],
        "confirmed by hand is told; approved was turned off; shipped uses the edited text"
    );

    // `null` restores the built-in text.
    let (s, restored) = put("stage.shipped", json!({"body": null})).await;
    assert_eq!(s, 200);
    assert_eq!(restored["customised"], false);
    app.stop().await;
}

both_backends!(edited_and_disabled_stage_updates_are_what_the_customer_gets);
