//! Stripe Checkout end to end against a loopback fake of its API.

use super::*;

pub(crate) type Seen =
    std::sync::Arc<std::sync::Mutex<Vec<(Option<String>, Vec<(String, String)>)>>>;

/// A loopback Stripe that creates Checkout Sessions and records each form
/// with its `Idempotency-Key`.
pub(crate) async fn stripe_fake() -> (String, Seen) {
    use axum::extract::State;
    async fn create(
        State(seen): State<Seen>,
        headers: axum::http::HeaderMap,
        axum::Form(form): axum::Form<Vec<(String, String)>>,
    ) -> axum::Json<Value> {
        let key = headers
            .get("idempotency-key")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let reference = form
            .iter()
            .find(|(k, _)| k == "client_reference_id")
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        seen.lock().unwrap().push((key, form));
        axum::Json(serde_json::json!({
            "id": format!("cs_test_{reference}"),
            "object": "checkout.session",
            "url": format!("https://checkout.stripe.com/c/pay/cs_test_{reference}"),
            "expires_at": 1_900_000_000,
        }))
    }
    let seen: Seen = Default::default();
    let app = axum::Router::new()
        .route("/v1/checkout/sessions", axum::routing::post(create))
        .with_state(seen.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (url, seen)
}

pub(crate) const STRIPE_WEBHOOK_SECRET: &str = "whsec_orderdesk_test";

fn stripe_event(
    id: &str,
    kind: &str,
    session: &str,
    reference: &str,
    payment_status: &str,
) -> String {
    serde_json::json!({
        "id": id, "object": "event", "type": kind, "created": 1_700_000_000, "livemode": false,
        "data": {"object": {"id": session, "object": "checkout.session", "client_reference_id": reference,
            "metadata": {"reference_id": reference}, "amount_total": 49900, "currency": "inr",
            "payment_status": payment_status, "payment_intent": "pi_test_1"}}
    })
    .to_string()
}

async fn a_stripe_checkout_is_paid_once_whatever_order_its_events_arrive_in(backend: Backend) {
    let graph = GraphFake::start().await;
    let (stripe_url, sessions) = stripe_fake().await;
    let app = TestApp::spawn_configured(
        backend,
        Some(&graph.url),
        &[
            ("PAYMENTS_PROVIDER", "stripe"),
            ("STRIPE_SECRET_KEY", "sk_test_orderdesk"),
            ("STRIPE_WEBHOOK_SECRET", STRIPE_WEBHOOK_SECRET),
            ("STRIPE_API_URL", &stripe_url),
        ],
    )
    .await;
    let (n, link) = cart_to_payment_link(&app, &graph, "919822200014").await;
    let reference = format!("{n}-1");
    let session = format!("cs_test_{reference}");
    assert_eq!(link, format!("https://checkout.stripe.com/c/pay/{session}"));
    let created = sessions.lock().unwrap().clone();
    assert_eq!(created.len(), 1);
    let (key, form) = &created[0];
    assert!(key.is_some(), "creates carry an Idempotency-Key");
    let field = |name: &str| {
        form.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    assert_eq!(
        field("line_items[0][price_data][unit_amount]"),
        Some("49900")
    );
    assert_eq!(field("line_items[0][price_data][currency]"), Some("inr"));
    assert_eq!(field("client_reference_id"), Some(reference.as_str()));

    let post = |body: String, signature: String| {
        app.client
            .post(app.url("/webhooks/stripe"))
            .header("stripe-signature", signature)
            .body(body)
            .send()
    };
    let now = chrono::Utc::now().timestamp();
    let sign = |body: &str, t: i64| {
        orderdesk_payments::stripe::sign_webhook(STRIPE_WEBHOOK_SECRET, t, body.as_bytes())
    };

    // A session completed but still settling is not paid yet.
    let unpaid = stripe_event(
        "evt_1",
        "checkout.session.completed",
        &session,
        &reference,
        "unpaid",
    );
    assert_eq!(
        post(unpaid.clone(), sign(&unpaid, now))
            .await
            .unwrap()
            .status(),
        200
    );
    // A replayed signature from 10 minutes ago and a forged one are refused.
    let paid = stripe_event(
        "evt_2",
        "checkout.session.async_payment_succeeded",
        &session,
        &reference,
        "paid",
    );
    assert_eq!(
        post(paid.clone(), sign(&paid, now - 600))
            .await
            .unwrap()
            .status(),
        401
    );
    let forged = orderdesk_payments::stripe::sign_webhook("whsec_wrong", now, paid.as_bytes());
    assert_eq!(post(paid.clone(), forged).await.unwrap().status(), 401);
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert_eq!(
        app.get(&format!("/api/v1/orders/{n}")).await.1["payment_status"],
        "pending"
    );

    // The settled payment, delivered twice, then a late expiry: paid, once.
    for _ in 0..2 {
        assert_eq!(
            post(paid.clone(), sign(&paid, now)).await.unwrap().status(),
            200
        );
    }
    let expired = stripe_event(
        "evt_3",
        "checkout.session.expired",
        &session,
        &reference,
        "unpaid",
    );
    assert_eq!(
        post(expired.clone(), sign(&expired, now))
            .await
            .unwrap()
            .status(),
        200
    );
    let o = order_when(&app, n, |o| o["payment_status"] == "paid").await;
    assert_eq!(o["payment_method"], "stripe");
    assert_eq!(o["payment_reference"], session);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let o = app.get(&format!("/api/v1/orders/{n}")).await.1;
    assert_eq!(
        o["payment_status"], "paid",
        "a late expiry never undoes paid"
    );
    let applied = o["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| {
            e["detail"]
                .as_str()
                .is_some_and(|d| d.starts_with("checkout.session.async_payment_succeeded"))
        })
        .count();
    assert_eq!(applied, 1, "the redelivered event is applied once");
    let sent = graph.wait_for(5, WAIT).await;
    assert!(sent
        .iter()
        .any(|r| button_ids(&r.2) == [format!("note:add:{n}"), format!("note:skip:{n}")]));
    app.stop().await;
}

both_backends!(a_stripe_checkout_is_paid_once_whatever_order_its_events_arrive_in);
