//! The audit's Stripe attack (issue #11 item 1): a `Stripe-Signature` with
//! thousands of `v1=` values over a 1 MB body, several at once, cost one
//! HMAC of the body per value per secret on the async workers and froze
//! `/healthz` for seconds. Now it is refused at once and `/healthz` keeps
//! answering; real signatures, from either secret of a rotation, still pass.

use std::time::{Duration, Instant};

use reqwest::StatusCode;

use crate::helpers::{Backend, TestApp};

const OLD_SECRET: &str = "whsec_orderdesk_old";
const NEW_SECRET: &str = "whsec_orderdesk_new";

async fn stripe_app() -> TestApp {
    let secrets = format!("{OLD_SECRET},{NEW_SECRET}");
    TestApp::spawn_configured(
        Backend::Sqlite,
        None,
        &[
            ("PAYMENTS_PROVIDER", "stripe"),
            ("STRIPE_SECRET_KEY", "sk_test_orderdesk"),
            ("STRIPE_WEBHOOK_SECRET", &secrets),
            // Never called: only webhooks are sent here.
            ("STRIPE_API_URL", "http://127.0.0.1:9"),
        ],
    )
    .await
}

async fn post(app: &TestApp, signature: String, body: Vec<u8>) -> StatusCode {
    app.client
        .post(app.url("/webhooks/stripe"))
        .header("stripe-signature", signature)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap()
        .status()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thousands_of_v1_values_over_a_megabyte_are_refused_while_healthz_answers() {
    let app = stripe_app().await;
    let now = chrono::Utc::now().timestamp();
    // 5,000 well-formed candidates: as many as fit under hyper's header limit.
    let forged = format!(
        "t={now}{}",
        format!(",v1={}", "ab".repeat(32)).repeat(5_000)
    );
    let body = vec![b'{'; 1024 * 1024 - 1];
    let started = Instant::now();
    let attacks = (0..4).map(|_| {
        let (app, forged, body) = (&app, forged.clone(), body.clone());
        async move {
            let answered = tokio::time::timeout(Duration::from_secs(10), post(app, forged, body));
            answered
                .await
                .expect("the forged webhook is answered within 10 s")
        }
    });
    let attacks = futures_util::future::join_all(attacks);
    let probes = async {
        let mut slowest = Duration::ZERO;
        for _ in 0..10 {
            let t = Instant::now();
            let r = app.client.get(app.url("/healthz")).send().await.unwrap();
            assert_eq!(r.status(), StatusCode::OK);
            slowest = slowest.max(t.elapsed());
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        slowest
    };
    let (statuses, slowest) = tokio::join!(attacks, probes);
    assert!(
        statuses.iter().all(|s| *s == StatusCode::UNAUTHORIZED),
        "{statuses:?}"
    );
    eprintln!(
        "4 forged 1 MB webhooks with 5,000 v1= each: refused in {:?}; slowest /healthz {slowest:?}",
        started.elapsed()
    );
    assert!(
        slowest < Duration::from_secs(1),
        "/healthz took {slowest:?}"
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signatures_from_either_secret_of_a_rotation_still_pass_and_forgeries_do_not() {
    let app = stripe_app().await;
    let now = chrono::Utc::now().timestamp();
    // An event orderdesk does not act on: authentic, answered 200, stored nowhere.
    let body =
        br#"{"id":"evt_rotation","object":"event","type":"customer.created","data":{"object":{}}}"#;
    for secret in [OLD_SECRET, NEW_SECRET] {
        let signature = orderdesk_payments::stripe::sign_webhook(secret, now, body);
        assert_eq!(post(&app, signature, body.to_vec()).await, StatusCode::OK);
    }
    // Stripe's own shape while rolling: one v1 per secret, and a v0.
    let old = orderdesk_payments::stripe::sign_webhook(OLD_SECRET, now, body);
    let new = orderdesk_payments::stripe::sign_webhook(NEW_SECRET, now, body);
    let both = format!("{new},v1={},v0=deadbeef", old.split("v1=").nth(1).unwrap());
    assert_eq!(post(&app, both, body.to_vec()).await, StatusCode::OK);
    let forged = orderdesk_payments::stripe::sign_webhook("whsec_not_ours", now, body);
    assert_eq!(
        post(&app, forged, body.to_vec()).await,
        StatusCode::UNAUTHORIZED
    );
    app.stop().await;
}
