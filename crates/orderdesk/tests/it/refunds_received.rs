//! Refunds are bounded by the money that arrived, not the order's current
//! total (issue #15): after staff lower the total of a paid order, all
//! that was paid can still go back, and no more.

use serde_json::json;

use crate::both_backends;
use crate::helpers::{Backend, GraphFake};
use crate::order_edit::patch;
use crate::payments::{act, refused_naming};
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

both_backends!(after_an_edit_lowers_the_total_all_the_money_received_can_go_back);
