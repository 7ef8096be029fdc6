//! What Meta's webhook deliveries do.

use std::time::Duration;

use serde_json::Value;

use crate::both_backends;
use crate::helpers::{order_webhook, Backend, SseReader, TestApp, APP_SECRET, VERIFY_TOKEN};

fn fixtures_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures/whatsapp")
}

async fn a_signed_cart_becomes_an_order_in_the_api_and_on_the_stream(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let mut events = SseReader::open(&app, None).await;

    let body = order_webhook(
        "wamid.cart-1",
        "919876543210",
        "Asha Rao",
        &[("tea-assam", 2, "7.99", "USD"), ("mug", 1, "0.1", "USD")],
    );
    let response = app.post_webhook(body.as_bytes()).await;
    assert_eq!(response.status(), 200);

    let event = events.next(Duration::from_secs(5)).await;
    assert_eq!(event.kind, "order.created");
    assert_eq!(event.data["number"], 1001);
    assert_eq!(event.data["customer"]["wa_id"], "919876543210");

    let orders = app.wait_for_orders(1).await;
    let order = &orders[0];
    assert_eq!(order["number"], 1001);
    assert_eq!(order["status"], "placed");
    assert_eq!(order["payment_status"], "pending");
    assert_eq!(order["checkout_step"], "awaiting_address");
    assert_eq!(order["customer"]["name"], "Asha Rao");
    assert_eq!(order["customer"]["user_id"], "US.919876543210");
    assert_eq!(order["currency"], "USD");
    assert_eq!(order["total_minor"], 2 * 799 + 10, "exact decimal prices");
    assert_eq!(order["items"][0]["retailer_id"], "tea-assam");
    assert_eq!(order["items"][0]["quantity"], 2);
    assert_eq!(order["items"][0]["unit_price_minor"], 799);
    assert_eq!(order["cart_text"], "please gift wrap");
    assert_eq!(order["address"], Value::Null);
    assert_eq!(order["note"], Value::Null);
    assert_eq!(
        event.data, *order,
        "the event carries the order as the API shows it"
    );
    app.stop().await;
}

async fn the_same_delivery_twice_creates_one_order(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let body = order_webhook("wamid.dup", "15550001111", "Dup", &[("a", 1, "5", "EUR")]);
    for _ in 0..3 {
        assert_eq!(app.post_webhook(body.as_bytes()).await.status(), 200);
    }
    // A second, different cart proves processing ran past the duplicates.
    let other = order_webhook("wamid.other", "15550001111", "Dup", &[("b", 1, "6", "EUR")]);
    assert_eq!(app.post_webhook(other.as_bytes()).await.status(), 200);
    let orders = app.wait_for_orders(2).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let (_, list) = app.get("/api/v1/orders").await;
    assert_eq!(list["orders"].as_array().unwrap().len(), 2, "{list}");
    assert_eq!(orders.len(), 2);
    app.stop().await;
}

async fn a_forged_or_missing_signature_is_refused_and_stores_nothing(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let body = order_webhook(
        "wamid.forged",
        "15550002222",
        "Mallory",
        &[("a", 1, "5", "EUR")],
    );
    let forged = orderdesk_whatsapp::sign(b"not-the-secret", body.as_bytes());
    for signature in [
        Some(forged.as_str()),
        None,
        Some("sha256=zz"),
        Some("md5=abc"),
    ] {
        let mut req = app
            .client
            .post(app.url("/webhooks/whatsapp"))
            .body(body.clone());
        if let Some(s) = signature {
            req = req.header("x-hub-signature-256", s);
        }
        let r = req.send().await.unwrap();
        assert_eq!(r.status(), 401);
        let err: Value = r.json().await.unwrap();
        assert_eq!(err["error"]["code"], "bad_signature");
        assert!(err["error"]["message"].as_str().unwrap().len() > 5);
    }
    // Signed over the exact bytes: the same JSON with other spacing fails.
    let good = orderdesk_whatsapp::sign(APP_SECRET.as_bytes(), body.as_bytes());
    let respaced = body.replace(",\"", ", \"");
    let r = app
        .client
        .post(app.url("/webhooks/whatsapp"))
        .header("x-hub-signature-256", good)
        .body(respaced)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(app.store.pending_inbound(10).await.unwrap().is_empty());
    let (_, list) = app.get("/api/v1/orders").await;
    assert_eq!(list["orders"], serde_json::json!([]));
    app.stop().await;
}

async fn every_real_whatsapp_sample_is_accepted(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let mut count = 0;
    let mut entries: Vec<_> = std::fs::read_dir(fixtures_dir())
        .expect("shared/fixtures/whatsapp is present")
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("webhook_") && n.ends_with(".json"))
        })
        .collect();
    // Carts first: some samples reuse one placeholder wamid (`wamid.xyzxyz`),
    // and a redelivered id is rightly deduplicated.
    entries.sort_by_key(|p| {
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        (!name.starts_with("webhook_order"), name)
    });
    for path in &entries {
        let body = std::fs::read(path).unwrap();
        let r = app.post_webhook(&body).await;
        assert_eq!(r.status(), 200, "{}", path.display());
        count += 1;
    }
    assert!(count >= 25, "only {count} samples found");
    // The order samples became orders; the rest were kept without one.
    let orders = app.wait_for_orders(3).await;
    assert_eq!(orders.len(), 3, "webhook_order*.json are the three carts");
    app.stop().await;
}

async fn a_body_over_3_mb_is_refused_with_413(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let body = vec![b' '; 3 * 1024 * 1024 + 1];
    let r = app.post_webhook(&body).await;
    assert_eq!(r.status(), 413);
    let err: Value = r.json().await.unwrap();
    assert_eq!(err["error"]["code"], "payload_too_large");
    app.stop().await;
}

async fn a_delivery_with_many_carts_creates_every_order(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    // One POST, 50 entries: every one must be handled, not just the first.
    let entries: Vec<String> = (0..50)
        .map(|i| {
            let one = order_webhook(
                &format!("wamid.batch-{i}"),
                &format!("1555000{i:04}"),
                "B",
                &[("a", 1, "1", "USD")],
            );
            let v: Value = serde_json::from_str(&one).unwrap();
            v["entry"][0].to_string()
        })
        .collect();
    let body = format!(
        r#"{{"object":"whatsapp_business_account","entry":[{}]}}"#,
        entries.join(",")
    );
    assert_eq!(app.post_webhook(body.as_bytes()).await.status(), 200);
    let orders = app.wait_for_orders(50).await;
    assert_eq!(orders.len(), 50);
    app.stop().await;
}

async fn the_verification_handshake_echoes_the_challenge_only_for_our_token(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ok = app
        .client
        .get(app.url(&format!(
            "/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token={VERIFY_TOKEN}&hub.challenge=1158201444"
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
    assert_eq!(ok.text().await.unwrap(), "1158201444");
    let wrong = app
        .client
        .get(app.url(
            "/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=guess&hub.challenge=1158201444",
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 403);
    let err: Value = wrong.json().await.unwrap();
    assert_eq!(err["error"]["code"], "forbidden");
    app.stop().await;
}

both_backends!(
    a_signed_cart_becomes_an_order_in_the_api_and_on_the_stream,
    the_same_delivery_twice_creates_one_order,
    a_forged_or_missing_signature_is_refused_and_stores_nothing,
    every_real_whatsapp_sample_is_accepted,
    a_body_over_3_mb_is_refused_with_413,
    a_delivery_with_many_carts_creates_every_order,
    the_verification_handshake_echoes_the_challenge_only_for_our_token,
);
