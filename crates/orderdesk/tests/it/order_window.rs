//! The order window offers exactly the payment actions the engine accepts:
//! both ask the domain's one rule, so the page never offers a button that
//! ends in 409.

use orderdesk_store::Role;
use reqwest::StatusCode;
use serde_json::json;

use crate::both_backends;
use crate::dashboard::{add_user, login};
use crate::helpers::{Backend, TestApp};

/// The `data-payment-action`s of the order window's Payment panel.
async fn offered(app: &TestApp, staff: &crate::dashboard::Staff, number: i64) -> Vec<String> {
    let page = staff.get(app, &format!("/orders/{number}")).await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    html.split("data-payment-action=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(str::to_owned)
        .collect()
}

async fn a_cancelled_unpaid_order_offers_no_mark_paid(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    add_user(&app, "owner@shop.test", Role::Owner).await;
    let staff = login(&app, "owner@shop.test").await;
    let order = app
        .place_order("wamid.cancel.1", "919800000001", "Asha")
        .await;
    let n = order["number"].as_i64().unwrap();

    // Confirmed by hand, unpaid: money can still be recorded.
    let (status, _) = app
        .move_order(n, json!({"status": "confirmed", "reason": "phoned in"}))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(offered(&app, &staff, n)
        .await
        .contains(&"mark_paid".to_owned()));

    // Cancelled: the engine refuses to record a payment, so the page must
    // not offer it either.
    let (status, _) = app
        .move_order(
            n,
            json!({"status": "cancelled", "reason": "customer asked"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(offered(&app, &staff, n).await, Vec::<String>::new());
    let (status, body) = app
        .post(
            &format!("/api/v1/orders/{n}/payment"),
            &json!({"action": "mark_paid", "reason": "UTR 123"}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["code"], "payment_action_not_possible");
    let (_, after) = app.get(&format!("/api/v1/orders/{n}")).await;
    assert_eq!(after["payment_status"], "pending");
    app.stop().await;
}

both_backends!(a_cancelled_unpaid_order_offers_no_mark_paid);
