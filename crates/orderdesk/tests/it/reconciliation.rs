//! Reconciliation (issue #15 item 4): `GET /api/v1/payments`, the
//! `/payments` page and its CSV, over real payment events on both backends.

use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{Backend, GraphFake};
use crate::journey::{order_when, payment_link_paid, RZP_WEBHOOK_SECRET};
use crate::payments::{act, cart_to_payment_link};
use crate::refunds::{paid_through_razorpay, razorpay_app, razorpay_fake};

async fn payments_show_every_event_the_day_s_totals_and_flagged_orders_first(backend: Backend) {
    let graph = GraphFake::start().await;
    let (url, _asked) = razorpay_fake().await;
    let app = razorpay_app(backend, &graph, &url).await;
    let paid = paid_through_razorpay(&app, &graph, "919822200051").await;
    let (status, _) = act(
        &app,
        paid,
        json!({"action": "refund", "amount_minor": 20_000, "reason": "broken cup"}),
    )
    .await;
    assert_eq!(status, 200);

    // A payment of the wrong amount: flagged, not paid.
    let (short, _) = cart_to_payment_link(&app, &graph, "919822200052").await;
    let body = payment_link_paid(&format!("plink_{short}x1"), &format!("{short}-1"), 100);
    let signature = orderdesk_payments::razorpay::sign_webhook(RZP_WEBHOOK_SECRET, body.as_bytes());
    let answer = app
        .client
        .post(app.url("/webhooks/razorpay"))
        .header("x-razorpay-signature", signature)
        .header("x-razorpay-event-id", "evt_short")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    order_when(&app, short, |o| !o["payment_review"].is_null()).await;

    let (status, report) = app.get("/api/v1/payments").await;
    assert_eq!(status, 200, "{report}");
    let events = report["events"].as_array().unwrap();
    let of = |kind: &str| -> Vec<&Value> { events.iter().filter(|e| e["kind"] == kind).collect() };
    assert_eq!(of("paid").len(), 1, "{report}");
    assert_eq!(of("paid")[0]["order_number"], paid);
    assert_eq!(of("paid")[0]["amount_minor"], 49_900);
    assert_eq!(of("paid")[0]["provider_ref"], "pay_TEST0000000001");
    assert_eq!(of("refund").len(), 1, "{report}");
    assert_eq!(of("refund")[0]["status"], "processed");
    assert_eq!(of("refund")[0]["amount_minor"], 20_000);
    assert_eq!(of("refund")[0]["provider_ref"], "rfnd_TEST0000000001");
    let today = &report["days"][0];
    assert_eq!(today["day"], chrono::Utc::now().date_naive().to_string());
    assert_eq!(today["collected_minor"], 49_900);
    assert_eq!(today["refunded_minor"], 20_000);
    assert_eq!(today["net_minor"], 29_900);
    assert_eq!(report["attention"][0]["number"], short, "{report}");
    assert!(report["attention"][0]["why"]
        .as_str()
        .unwrap()
        .contains("review"));

    // A period before any of it is empty; a bad date is refused.
    let (status, empty) = app
        .get("/api/v1/payments?from=2020-01-01&to=2020-01-31")
        .await;
    assert_eq!(status, 200);
    assert_eq!(empty["events"].as_array().unwrap().len(), 0);
    let (status, bad) = app.get("/api/v1/payments?from=yesterday").await;
    assert_eq!(status, 400, "{bad}");
    assert_eq!(bad["error"]["code"], "invalid_request");

    // The page puts the flagged order first; its CSV has the day's totals.
    crate::dashboard::add_user(&app, "owner@shop.test", orderdesk_store::Role::Owner).await;
    let staff = crate::dashboard::login(&app, "owner@shop.test").await;
    let page = staff.get(&app, "/payments").await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    let flagged = html.find("Needs a look").expect("the attention list");
    assert!(flagged < html.find("Per day").unwrap());
    assert!(html.contains(&format!("/orders/{short}")), "{html}");
    assert!(html.contains("rfnd_TEST0000000001"));
    let csv = staff.get(&app, "/payments/export.csv").await;
    assert_eq!(csv.status(), 200);
    assert!(csv.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let csv = csv.text().await.unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("day,currency,collected_minor,refunded_minor,cod_to_collect_minor,net_minor")
    );
    let today = chrono::Utc::now().date_naive();
    assert_eq!(
        lines.next(),
        Some(format!("{today},INR,49900,20000,0,29900").as_str())
    );
    app.stop().await;
}

both_backends!(payments_show_every_event_the_day_s_totals_and_flagged_orders_first);
