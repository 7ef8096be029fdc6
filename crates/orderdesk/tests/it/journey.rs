//! DESIGN §1 end to end, cash-on-delivery variant: a customer's cart goes
//! from Placed to Confirmed by tapping and typing only, then staff move it
//! to Delivered and the customer hears about each stage.

use std::time::Duration;

use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{customer_message, Backend, GraphFake, SseReader, TestApp};

const WAIT: Duration = Duration::from_secs(10);

fn button_ids(body: &Value) -> Vec<String> {
    body["interactive"]["action"]["buttons"]
        .as_array()
        .map(|b| {
            b.iter()
                .map(|x| x["reply"]["id"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

fn text(body: &Value) -> String {
    body["text"]["body"]
        .as_str()
        .or(body["interactive"]["body"]["text"].as_str())
        .unwrap_or_default()
        .to_owned()
}

async fn order_when(app: &TestApp, n: i64, pred: impl Fn(&Value) -> bool) -> Value {
    for _ in 0..400 {
        let (_, o) = app.get(&format!("/api/v1/orders/{n}")).await;
        if pred(&o) {
            return o;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!(
        "order #{n} never reached the expected state: {}",
        app.get(&format!("/api/v1/orders/{n}")).await.1
    );
}

async fn a_cod_customer_checks_out_by_tapping_and_typing_and_hears_every_stage(backend: Backend) {
    let graph = GraphFake::start().await;
    let app =
        TestApp::spawn_configured(backend, Some(&graph.url), &[("COD_ENABLED", "true")]).await;
    let mut events = SseReader::open(&app, None).await;
    let wa = "919822200001";

    // 1. The cart: an order at once, and the address link.
    let order = app.place_order("wamid.j-cart", wa, "Journey").await;
    let n = order["number"].as_i64().unwrap();
    assert_eq!(events.next(WAIT).await.kind, "order.created");
    let sent = graph.wait_for(1, WAIT).await;
    let link = sent[0].2["interactive"]["action"]["parameters"]["url"]
        .as_str()
        .unwrap()
        .to_owned();

    // 2. The hosted form, as a phone's browser submits it.
    let page = app.client.get(&link).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains(&format!("#{n}")));
    let submitted = app
        .client
        .post(&link)
        .form(&[
            ("name", "Asha Rao"),
            ("phone", "+91 98222 00001"),
            ("line1", "12 MG Road"),
            ("line2", ""),
            ("city", "Bengaluru"),
            ("state", "Karnataka"),
            ("postal_code", "560001"),
            ("country", "IN"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(submitted.status(), 200);
    let o = order_when(&app, n, |o| o["checkout_step"] == "awaiting_payment").await;
    assert_eq!(o["address"]["city"], "Bengaluru");

    // 3. Thanks, then Pay now / Cash on delivery; the customer taps COD.
    let sent = graph.wait_for(3, WAIT).await;
    assert!(text(&sent[1].2).contains("address"), "{}", sent[1].2);
    assert_eq!(
        button_ids(&sent[2].2),
        [format!("pay:online:{n}"), format!("pay:cod:{n}")]
    );
    let tap = customer_message(
        "wamid.j-cod",
        wa,
        None,
        Some((&format!("pay:cod:{n}"), "Cash on delivery")),
    );
    assert_eq!(app.post_webhook(tap.as_bytes()).await.status(), 200);
    let o = order_when(&app, n, |o| o["payment_method"] == "cod").await;
    assert_eq!(o["checkout_step"], "awaiting_note_choice");

    // 4. The note question; the customer types the note instead of tapping.
    let sent = graph.wait_for(5, WAIT).await;
    assert!(sent
        .iter()
        .any(|r| button_ids(&r.2) == [format!("note:add:{n}"), format!("note:skip:{n}")]));
    // A repeated tap changes nothing.
    let again = customer_message(
        "wamid.j-cod-again",
        wa,
        None,
        Some((&format!("pay:cod:{n}"), "Cash on delivery")),
    );
    assert_eq!(app.post_webhook(again.as_bytes()).await.status(), 200);
    let note = customer_message("wamid.j-note", wa, Some("Please ring the bell"), None);
    assert_eq!(app.post_webhook(note.as_bytes()).await.status(), 200);
    let o = order_when(&app, n, |o| o["status"] == "confirmed").await;
    assert_eq!(o["note"], "Please ring the bell");
    assert_eq!(o["checkout_step"], "complete");
    let confirm = o["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["to_status"] == "confirmed")
        .unwrap()
        .clone();
    assert_eq!(confirm["actor"], "bot");

    // The customer is told, and only then do staff act.
    for _ in 0..400 {
        if graph
            .requests()
            .iter()
            .any(|r| text(&r.2).contains("is confirmed"))
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert!(graph
        .requests()
        .iter()
        .any(|r| text(&r.2).contains("is confirmed")));

    // 5. Staff take it to Delivered; the customer hears each stage.
    let before = graph.requests().len();
    for (status, extra) in [
        ("approved", json!({})),
        ("processed", json!({})),
        (
            "shipped",
            json!({"tracking": "https://track.example/AB123"}),
        ),
        ("delivered", json!({})),
    ] {
        let mut body = json!({ "status": status });
        body.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        let (s, b) = app.move_order(n, body).await;
        assert_eq!(s, 200, "{b}");
    }
    let sent = graph.wait_for(before + 4, WAIT).await;
    let updates: Vec<String> = sent[before..].iter().map(|r| text(&r.2)).collect();
    assert!(updates[0].contains("approved"), "{updates:?}");
    assert!(
        updates[2].contains("https://track.example/AB123"),
        "{updates:?}"
    );
    assert!(updates[3].contains("delivered"), "{updates:?}");

    // 6. A chat reply from the order window reaches the customer too.
    let (s, _) = app
        .post(
            &format!("/api/v1/orders/{n}/messages"),
            &json!({"text": "Thank you, Asha!"}),
        )
        .await;
    assert_eq!(s, 202);
    let sent = graph.wait_for(before + 5, WAIT).await;
    assert_eq!(text(&sent[before + 4].2), "Thank you, Asha!");
    assert!(
        sent.iter().all(|r| r.2["to"] == wa),
        "every message went to this customer"
    );
    app.stop().await;
}

async fn an_idle_checkout_is_nudged_once_then_abandoned_and_resumes_when_the_customer_returns(
    backend: Backend,
) {
    let graph = GraphFake::start().await;
    let app = TestApp::spawn_configured(
        backend,
        Some(&graph.url),
        &[
            ("ORDERDESK_NUDGE_AFTER", "1s"),
            ("ORDERDESK_ABANDON_AFTER", "3s"),
        ],
    )
    .await;
    let wa = "919822200002";
    let order = app.place_order("wamid.idle-cart", wa, "Idle").await;
    let n = order["number"].as_i64().unwrap();

    let o = order_when(&app, n, |o| o["status"] == "abandoned").await;
    let abandon = o["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["to_status"] == "abandoned")
        .unwrap()
        .clone();
    assert_eq!(abandon["actor"], "system");
    let nudges = graph
        .requests()
        .iter()
        .filter(|r| text(&r.2).contains("is waiting for you"))
        .count();
    assert_eq!(nudges, 1, "exactly one reminder before abandoning");

    // Coming back resumes the same order where it stopped.
    let before = graph.requests().len();
    let hello = customer_message("wamid.idle-back", wa, Some("hi, still want it"), None);
    assert_eq!(app.post_webhook(hello.as_bytes()).await.status(), 200);
    let o = order_when(&app, n, |o| o["status"] == "placed").await;
    assert_eq!(o["checkout_step"], "awaiting_address");
    let sent = graph.wait_for(before + 2, WAIT).await;
    assert!(
        text(&sent[before].2).contains("Welcome back"),
        "{}",
        sent[before].2
    );
    assert_eq!(
        sent[before + 1].2["interactive"]["type"],
        "cta_url",
        "asked for the address again"
    );
    app.stop().await;
}

both_backends!(
    a_cod_customer_checks_out_by_tapping_and_typing_and_hears_every_stage,
    an_idle_checkout_is_nudged_once_then_abandoned_and_resumes_when_the_customer_returns,
);
