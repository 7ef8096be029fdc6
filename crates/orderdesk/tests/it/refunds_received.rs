//! Refunds are bounded by the money that arrived, not the order's current
//! total (issue #15): after staff lower the total of a paid order, all
//! that was paid can still go back, and no more.

use serde_json::json;

use crate::both_backends;
use crate::helpers::{Backend, GraphFake};
use crate::journey::{order_when, payment_link_paid};
use crate::order_edit::patch;
use crate::payments::{act, refused_naming};
use crate::reconciliation::post_razorpay;
use crate::refunds::{paid_through_razorpay, razorpay_app, razorpay_fake};

async fn after_an_edit_lowers_the_total_all_the_money_received_can_go_back(backend: Backend) {
    let graph = GraphFake::start().await;
    let (url, asked) = razorpay_fake().await;
    let app = razorpay_app(backend, &graph, &url).await;
    let n = paid_through_razorpay(&app, &graph, "919822200061").await;
    let (_, order) = app.get(&format!("/api/v1/orders/{n}")).await;
    assert_eq!(order["received_minor"], 49_900, "{order}");
    // Down from two teas to one: 249.50 is due back, 499.00 arrived.
    let (status, down) = patch(
        &app,
        &format!("/api/v1/orders/{n}"),
        &json!({"version": order["version"], "items": [{"retailer_id": "tea", "quantity": 1}]}),
    )
    .await;
    assert_eq!(status, 200, "{down}");
    assert_eq!(down["total_minor"], 24_950);
    assert_eq!(down["refund_due_minor"], 24_950);

    // More than arrived: refused, naming all 499.00.
    let too_much = json!({"action": "refund", "amount_minor": 49_901, "reason": "x"});
    refused_naming(&app, n, too_much, "499.00 INR").await;
    // The difference, then the rest of what arrived.
    for (amount, status_after) in [(24_950, "partially_refunded"), (24_950, "refunded")] {
        let (status, o) = act(
            &app,
            n,
            json!({"action": "refund", "amount_minor": amount, "reason": "one tea less"}),
        )
        .await;
        assert_eq!(status, 200, "{o}");
        assert_eq!(o["payment_status"], status_after, "{o}");
    }
    let o = app.get(&format!("/api/v1/orders/{n}")).await.1;
    assert_eq!(o["refunded_minor"], 49_900);
    let amounts: Vec<_> = asked
        .lock()
        .unwrap()
        .iter()
        .map(|(_, _, body)| body["amount"].clone())
        .collect();
    assert_eq!(amounts, [json!(24_950), json!(24_950)]);
    let (status, _) = act(&app, n, json!({"action": "refund", "reason": "again"})).await;
    assert_eq!(status, 409);
    app.stop().await;
}

async fn the_difference_of_a_raised_total_is_believed_and_refundable(backend: Backend) {
    let graph = GraphFake::start().await;
    let (url, _asked) = razorpay_fake().await;
    let app = razorpay_app(backend, &graph, &url).await;
    let n = paid_through_razorpay(&app, &graph, "919822200062").await;
    let (_, order) = app.get(&format!("/api/v1/orders/{n}")).await;
    // Up from two teas to three: a link for the 249.50 difference.
    let (status, up) = patch(
        &app,
        &format!("/api/v1/orders/{n}"),
        &json!({"version": order["version"], "items": [{"retailer_id": "tea", "quantity": 3}]}),
    )
    .await;
    assert_eq!(status, 200, "{up}");
    assert!(up["difference_link"].is_string(), "{up}");
    let paid = payment_link_paid(&format!("plink_{n}x2"), &format!("{n}-2"), 24_950)
        .replace("pay_TEST0000000001", "pay_TEST0000000002");
    assert_eq!(
        post_razorpay(&app, paid, &format!("evt_difference_{n}")).await,
        200
    );
    let o = order_when(&app, n, |o| o["received_minor"] == 74_850).await;
    assert!(o["payment_review"].is_null(), "believed: {o}");
    assert_eq!(o["payment_status"], "paid");
    let (_, report) = app.get("/api/v1/payments").await;
    let paid: Vec<_> = report["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "paid")
        .map(|e| (e["status"].clone(), e["amount_minor"].clone()))
        .collect();
    assert_eq!(
        paid,
        [
            (json!("paid"), json!(49_900)),
            (json!("paid"), json!(24_950))
        ]
    );
    assert_eq!(report["attention_total"], 0, "{report}");
    // All of it may go back.
    let (status, o) = act(&app, n, json!({"action": "refund", "reason": "cancelled"})).await;
    assert_eq!(status, 200, "{o}");
    assert_eq!(o["refunded_minor"], 74_850);
    assert_eq!(o["payment_status"], "refunded");
    app.stop().await;
}

both_backends!(
    after_an_edit_lowers_the_total_all_the_money_received_can_go_back,
    the_difference_of_a_raised_total_is_believed_and_refundable,
);
