//! Reconciliation (issue #15 item 4): `GET /api/v1/payments`, the
//! `/payments` page and its CSV, over real payment events on both backends.

use chrono::{Duration, Utc};
use orderdesk_domain::{
    plan_transition, Actor, OrderNumber, OrderStatus, PaymentMethod, TransitionRequest,
};
use orderdesk_store::{OrderUpdate, StoreError};
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{Backend, GraphFake, TestApp};
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

    // A payment of the wrong amount: flagged, not paid, but the money is
    // in the ledger.
    let (short, _) = cart_to_payment_link(&app, &graph, "919822200052").await;
    let body = payment_link_paid(&format!("plink_{short}x1"), &format!("{short}-1"), 100);
    assert_eq!(post_razorpay(&app, body, "evt_short").await, 200);
    let o = order_when(&app, short, |o| !o["payment_review"].is_null()).await;
    assert_eq!(o["payment_status"], "pending");

    let (status, report) = app.get("/api/v1/payments").await;
    assert_eq!(status, 200, "{report}");
    let events = report["events"].as_array().unwrap();
    let of = |kind: &str| -> Vec<&Value> { events.iter().filter(|e| e["kind"] == kind).collect() };
    assert_eq!(of("paid").len(), 2, "{report}");
    assert_eq!(of("paid")[0]["order_number"], paid);
    assert_eq!(of("paid")[0]["status"], "paid");
    assert_eq!(of("paid")[0]["amount_minor"], 49_900);
    assert_eq!(of("paid")[0]["provider_ref"], "pay_TEST0000000001");
    assert_eq!(of("paid")[1]["order_number"], short);
    assert_eq!(of("paid")[1]["status"], "review");
    assert_eq!(of("paid")[1]["amount_minor"], 100);
    assert_eq!(of("paid")[1]["provider_ref"], "pay_TEST0000000001");
    assert_eq!(of("refund").len(), 1, "{report}");
    assert_eq!(of("refund")[0]["status"], "processed");
    assert_eq!(of("refund")[0]["amount_minor"], 20_000);
    assert_eq!(of("refund")[0]["provider_ref"], "rfnd_TEST0000000001");
    let today = &report["days"][0];
    assert_eq!(today["day"], chrono::Utc::now().date_naive().to_string());
    assert_eq!(today["collected_minor"], 50_000);
    assert_eq!(today["refunded_minor"], 20_000);
    assert_eq!(today["net_minor"], 30_000);
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
        Some(format!("{today},INR,50000,20000,0,30000").as_str())
    );
    app.stop().await;
}

/// Posts a Razorpay event signed with the test secret; its status.
pub(crate) async fn post_razorpay(app: &TestApp, body: String, event_id: &str) -> u16 {
    let signature = orderdesk_payments::razorpay::sign_webhook(RZP_WEBHOOK_SECRET, body.as_bytes());
    app.client
        .post(app.url("/webhooks/razorpay"))
        .header("x-razorpay-signature", signature)
        .header("x-razorpay-event-id", event_id)
        .body(body)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

async fn a_second_payment_of_a_paid_order_is_collected_and_flagged_once(backend: Backend) {
    let graph = GraphFake::start().await;
    let (url, _asked) = razorpay_fake().await;
    let app = razorpay_app(backend, &graph, &url).await;
    let n = paid_through_razorpay(&app, &graph, "919822200053").await;
    // The customer paid the same link's amount again, as another payment;
    // delivered twice (two event ids), and once more the first payment.
    let again = payment_link_paid(&format!("plink_{n}x1"), &format!("{n}-1"), 49_900)
        .replace("pay_TEST0000000001", "pay_TEST0000000002");
    for event in ["evt_again_1", "evt_again_2"] {
        assert_eq!(post_razorpay(&app, again.clone(), event).await, 200);
    }
    let first = payment_link_paid(&format!("plink_{n}x1"), &format!("{n}-1"), 49_900);
    assert_eq!(post_razorpay(&app, first, "evt_first_again").await, 200);
    let o = order_when(&app, n, |o| !o["payment_review"].is_null()).await;
    assert_eq!(o["payment_status"], "paid");
    assert_eq!(o["provider_payment_id"], "pay_TEST0000000001");
    let review = o["payment_review"].as_str().unwrap();
    assert!(
        review.contains("second payment pay_TEST0000000002"),
        "{review}"
    );
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;

    let (_, report) = app.get("/api/v1/payments").await;
    let paid: Vec<&Value> = report["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "paid")
        .collect();
    let seen: Vec<(&str, &str, i64)> = paid
        .iter()
        .map(|e| {
            (
                e["status"].as_str().unwrap(),
                e["provider_ref"].as_str().unwrap(),
                e["amount_minor"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            ("paid", "pay_TEST0000000001", 49_900),
            ("review", "pay_TEST0000000002", 49_900)
        ],
        "{report}"
    );
    assert_eq!(report["days"][0]["collected_minor"], 99_800, "{report}");
    assert_eq!(attention_numbers(&report), vec![n]);
    app.stop().await;
}

async fn a_short_payment_then_marked_paid_counts_the_money_once(backend: Backend) {
    let graph = GraphFake::start().await;
    let (url, _asked) = razorpay_fake().await;
    let app = razorpay_app(backend, &graph, &url).await;
    let (n, _) = cart_to_payment_link(&app, &graph, "919822200054").await;
    let short = payment_link_paid(&format!("plink_{n}x1"), &format!("{n}-1"), 40_000);
    assert_eq!(post_razorpay(&app, short, "evt_short_54").await, 200);
    order_when(&app, n, |o| !o["payment_review"].is_null()).await;
    // The customer sent the rest by UPI; staff mark the order paid.
    let (status, o) = act(
        &app,
        n,
        json!({"action": "mark_paid", "reason": "UPI 9900 ref 4312"}),
    )
    .await;
    assert_eq!(status, 200, "{o}");
    assert_eq!(o["payment_status"], "paid");
    let (_, report) = app.get("/api/v1/payments").await;
    let amounts: Vec<(String, i64)> = report["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "paid")
        .map(|e| {
            (
                e["status"].as_str().unwrap().to_owned(),
                e["amount_minor"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        amounts,
        [("review".to_owned(), 40_000), ("paid".to_owned(), 9_900)]
    );
    assert_eq!(report["days"][0]["collected_minor"], 49_900, "{report}");
    app.stop().await;
}

/// A cash-on-delivery order, placed, taken to Shipped through the API and
/// delivered `days` ago (written straight to the store: a test cannot wait
/// days), its cash not recorded.
pub(crate) async fn cod_delivered_days_ago(app: &TestApp, wamid: &str, wa: &str, days: i64) -> i64 {
    let n = app.place_order(wamid, wa, "Cash Buyer").await["number"]
        .as_i64()
        .unwrap();
    let number = OrderNumber::new(n).unwrap();
    let cash = OrderUpdate {
        payment_method: Some(PaymentMethod::Cod),
        ..OrderUpdate::default()
    };
    // The checkout may be writing the new order too: plan again on conflict.
    loop {
        let o = app.store.order(number).await.unwrap();
        match app
            .store
            .update_order(number, o.version, &cash, Utc::now())
            .await
        {
            Err(StoreError::Conflict { .. }) => continue,
            done => {
                done.unwrap();
                break;
            }
        }
    }
    let (s, body) = app
        .move_order(
            n,
            json!({"status": "confirmed", "reason": "cash on delivery, by phone"}),
        )
        .await;
    assert_eq!(s, 200, "{body}");
    for step in ["approved", "processed", "shipped"] {
        let (s, body) = app.move_order(n, json!({ "status": step })).await;
        assert_eq!(s, 200, "{body}");
    }
    let o = app.store.order(number).await.unwrap();
    let delivered = plan_transition(
        o.status,
        o.held_from,
        TransitionRequest {
            to: OrderStatus::Delivered,
            actor: Actor::staff("owner@shop.test"),
            reason: None,
            tracking: None,
        },
    )
    .unwrap();
    let at = Utc::now() - Duration::days(days);
    app.store
        .change_status(number, o.version, &delivered, at)
        .await
        .unwrap();
    n
}

fn attention_numbers(report: &Value) -> Vec<i64> {
    report["attention"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["number"].as_i64().unwrap())
        .collect()
}

async fn cod_not_collected_days_after_delivery_stands_first_whatever_changed_since(
    backend: Backend,
) {
    let app = TestApp::spawn(backend).await;
    let late = cod_delivered_days_ago(&app, "wamid.cod-late", "15550004441", 9).await;
    let recent = cod_delivered_days_ago(&app, "wamid.cod-recent", "15550004442", 2).await;
    crate::dashboard::add_user(&app, "owner@shop.test", orderdesk_store::Role::Owner).await;
    let staff = crate::dashboard::login(&app, "owner@shop.test").await;
    // A note today does not restart the days since delivery.
    let noted = staff
        .post(
            &app,
            &format!("/orders/{late}/notes"),
            &[("text", "will pay on Monday"), ("csrf", &staff.csrf)],
        )
        .await;
    assert!(
        noted.status().is_success() || noted.status().is_redirection(),
        "{}",
        noted.status()
    );
    let (_, o) = app.get(&format!("/api/v1/orders/{late}")).await;
    let today = Utc::now().date_naive().to_string();
    assert!(o["updated_at"].as_str().unwrap().starts_with(&today), "{o}");
    let nine_days_ago = (Utc::now() - Duration::days(9)).date_naive().to_string();
    assert!(
        o["delivered_at"]
            .as_str()
            .unwrap()
            .starts_with(&nine_days_ago),
        "{o}"
    );

    // The default, 7 days: only the late one, saying how late.
    let (status, report) = app.get("/api/v1/payments").await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(attention_numbers(&report), vec![late], "{report}");
    assert_eq!(report["attention_total"], 1);
    // Both orders' cash is still to collect, whether overdue or not.
    assert_eq!(
        report["days"][0]["cod_to_collect_minor"],
        2 * 1598,
        "{report}"
    );
    let why = report["attention"][0]["why"].as_str().unwrap();
    assert!(why.contains("not recorded 9 days after delivery"), "{why}");
    let html = staff.get(&app, "/payments").await.text().await.unwrap();
    let top = &html[html.find("Needs a look").expect("the attention list")
        ..html.find("Per day").expect("the summary")];
    assert!(top.contains(&format!("/orders/{late}")), "{top}");
    assert!(top.contains("9 days after delivery"), "{top}");
    assert!(!top.contains(&format!("/orders/{recent}")), "{top}");

    // One day, set live: both. A bad value is refused and changes nothing.
    let (s, bad) = crate::settings::put(&app, json!({"ORDERDESK_COD_OVERDUE_DAYS": "0"})).await;
    assert_eq!(s, 422, "{bad}");
    assert!(bad["error"]["message"]
        .as_str()
        .unwrap()
        .contains("ORDERDESK_COD_OVERDUE_DAYS"));
    assert_eq!(
        attention_numbers(&app.get("/api/v1/payments").await.1),
        vec![late]
    );
    let (s, body) = crate::settings::put(&app, json!({"ORDERDESK_COD_OVERDUE_DAYS": "1"})).await;
    assert_eq!(s, 200, "{body}");
    let mut both = attention_numbers(&app.get("/api/v1/payments").await.1);
    both.sort_unstable();
    assert_eq!(both, vec![late, recent]);
    app.stop().await;
}

both_backends!(
    payments_show_every_event_the_day_s_totals_and_flagged_orders_first,
    cod_not_collected_days_after_delivery_stands_first_whatever_changed_since,
    a_second_payment_of_a_paid_order_is_collected_and_flagged_once,
    a_short_payment_then_marked_paid_counts_the_money_once,
);
