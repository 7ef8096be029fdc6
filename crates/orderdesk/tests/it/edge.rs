//! Issue #11 item 8, at the HTTP edge of a real server: a path that is not
//! UTF-8 gets the JSON error shape, every response says `nosniff`, logged
//! URIs hide customer link tokens, template names are capped, and a
//! correct payment clears an earlier amount mismatch.

use std::process::Command;
use std::time::Duration;

use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{fresh_db, Backend, GraphFake, TestApp, APP_SECRET};
use crate::journey::order_when;
use crate::payments::{cart_to_payment_link, post_simulator_event};

async fn bad_paths_answer_json_and_every_response_says_nosniff(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    for path in [
        "/api/v1/orders/%FF",
        "/address/%C3%28",
        "/orders/%80",
        "/no/such/%FF",
    ] {
        let r = app
            .client
            .get(app.url(path))
            .bearer_auth(&app.token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400, "{path}");
        assert_eq!(r.headers()["x-content-type-options"], "nosniff", "{path}");
        assert!(
            r.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("application/json"),
            "{path}"
        );
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["error"]["code"], "invalid_request", "{path}: {body}");
    }
    for (path, auth) in [
        ("/api/v1/orders", true),
        ("/api/v1/orders", false),
        ("/healthz", false),
        ("/login", false),
        ("/api/v1/openapi.json", false),
        ("/no/such/route", false),
    ] {
        let mut req = app.client.get(app.url(path));
        if auth {
            req = req.bearer_auth(&app.token);
        }
        let r = req.send().await.unwrap();
        assert_eq!(
            r.headers()
                .get("x-content-type-options")
                .map(|v| v.as_bytes()),
            Some(&b"nosniff"[..]),
            "{path} answered {}",
            r.status()
        );
    }
    app.stop().await;
}

async fn a_huge_template_name_is_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let put = |body: Value| {
        let req = app
            .client
            .put(app.url("/api/v1/templates/stage.shipped/en"))
            .bearer_auth(&app.token)
            .json(&body);
        async move {
            let r = req.send().await.unwrap();
            (r.status(), r.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    let (status, body) = put(json!({"whatsapp_template": "x".repeat(100 * 1024)})).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"]["code"], "invalid_request");
    let (status, body) = put(json!({"whatsapp_language": "x".repeat(1000)})).await;
    assert_eq!(status, 422, "{body}");
    let (_, list) = app.get("/api/v1/templates").await;
    let shipped = list["templates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["key"] == "stage.shipped" && t["language"] == "en")
        .cloned()
        .unwrap();
    assert!(shipped["whatsapp_template"].is_null(), "{shipped}");
    let (status, body) =
        put(json!({"whatsapp_template": "order_shipped", "whatsapp_language": "en_US"})).await;
    assert_eq!(status, 200, "{body}");
    app.stop().await;
}

async fn a_correct_payment_clears_an_earlier_amount_mismatch(backend: Backend) {
    let graph = GraphFake::start().await;
    let app = TestApp::spawn_with_simulated_payments(backend, &graph.url).await;
    let (n, link) = cart_to_payment_link(&app, &graph, "919822200301").await;
    let short = json!({"id": "evt_short_review", "event": "payment.paid", "reference": format!("sim_{n}-1"),
        "reference_id": format!("{n}-1"), "payment_id": "simpay_short", "amount": 100, "currency": "INR",
        "created_at": 1_700_000_000});
    assert_eq!(post_simulator_event(&app, &short.to_string()).await, 200);
    let flagged = order_when(&app, n, |o| !o["payment_review"].is_null()).await;
    assert_eq!(flagged["payment_status"], "pending");
    // The customer then pays the right amount on the link they were sent.
    let paid = app
        .client
        .post(&link)
        .form(&[("outcome", "pay")])
        .send()
        .await
        .unwrap();
    assert_eq!(paid.status(), 200);
    let paid = order_when(&app, n, |o| o["payment_status"] == "paid").await;
    assert!(paid["payment_review"].is_null(), "{paid}");
    app.stop().await;
}

both_backends!(
    bad_paths_answer_json_and_every_response_says_nosniff,
    a_huge_template_name_is_refused,
    a_correct_payment_clears_an_earlier_amount_mismatch,
);

/// `orderdesk serve` at debug level: the URIs it logs show where requests
/// went, never the tokens in customer links.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn debug_logs_never_show_link_tokens() {
    let (db, _dir) = fresh_db(Backend::Sqlite);
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let log_dir = tempfile::tempdir().unwrap();
    let log_path = log_dir.path().join("serve.log");
    let log = std::fs::File::create(&log_path).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_orderdesk"))
        .arg("serve")
        .env("ORDERDESK_DATABASE_URL", &db)
        .env("ORDERDESK_LISTEN", format!("127.0.0.1:{port}"))
        .env("WHATSAPP_APP_SECRET", APP_SECRET)
        .env("WHATSAPP_VERIFY_TOKEN", "SECRETVERIFY4")
        .env("PAYMENTS_PROVIDER", "simulator")
        .env("ORDERDESK_LOG", "debug")
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    let mut up = false;
    for _ in 0..200 {
        if client.get(format!("{base}/healthz")).send().await.is_ok() {
            up = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(up, "orderdesk serve did not start");
    for path in [
        "/address/SECRETADDRESS1.abc",
        "/pay/upi/SECRETUPI2",
        "/simulator/pay/sim_1001-1?amount=100&currency=INR&sig=SECRETSIG3",
        "/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=SECRETVERIFY4&hub.challenge=7",
    ] {
        client.get(format!("{base}{path}")).send().await.unwrap();
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let _ = child.kill();
    let _ = child.wait();
    let logged = std::fs::read_to_string(&log_path).unwrap();
    assert!(
        logged.contains("/address/[redacted]") && logged.contains("/pay/upi/[redacted]"),
        "request URIs are logged at debug level: {logged}"
    );
    for secret in [
        "SECRETADDRESS1",
        "SECRETUPI2",
        "SECRETSIG3",
        "SECRETVERIFY4",
    ] {
        assert!(!logged.contains(secret), "{secret} in the log");
    }
}
