//! The payment indicator and the refund dialog in real headless Chromium
//! (issue #15 items 1 and 2). Screenshots: `refund-dialog-desktop`,
//! `refund-dialog-phone`, `not-paid-board` in `target/screenshots/`.

use orderdesk_store::Role;
use serde_json::json;

use crate::browser::{browser, click, js, log_in, shot, type_into, wait_js};
use crate::dashboard::add_user;
use crate::helpers::{Backend, GraphFake};
use crate::journey::order_when;
use crate::refunds::{paid_through_razorpay, razorpay_app, razorpay_fake};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_never_paid_cancelled_order_shows_not_paid_and_a_paid_one_offers_its_refund() {
    let graph = GraphFake::start().await;
    let (url, asked) = razorpay_fake().await;
    let app = razorpay_app(Backend::Sqlite, &graph, &url).await;
    add_user(&app, "owner@shop.test", Role::Owner).await;
    let paid = paid_through_razorpay(&app, &graph, "919822200041").await;
    let (unpaid, _) = crate::payments::cart_to_payment_link(&app, &graph, "919822200042").await;

    let b = browser(false).await;
    log_in(&b, &app, "owner@shop.test").await;
    let pay = |n: i64| format!("document.querySelector('#order-{n} .pay')");
    assert_eq!(
        js(&b, &format!("{}.getAttribute('aria-label')", pay(unpaid))).await,
        "Payment pending"
    );
    // Cancelled while the board is open: the live card turns "Not paid".
    let (status, _) = app
        .move_order(
            unpaid,
            json!({"status": "cancelled", "reason": "changed mind"}),
        )
        .await;
    assert_eq!(status, 200);
    wait_js(
        &b,
        &format!("{}.getAttribute('aria-label') === 'Not paid'", pay(unpaid)),
    )
    .await;
    assert_eq!(
        js(
            &b,
            &format!("{}.classList.contains('pay-not-paid')", pay(unpaid))
        )
        .await,
        true
    );
    shot(&b, "not-paid-board").await;

    // Its window offers no payment action at all.
    b.client
        .goto(&app.url(&format!("/orders/{unpaid}")))
        .await
        .unwrap();
    wait_js(&b, "document.body.dataset.page === 'order'").await;
    assert_eq!(
        js(
            &b,
            "document.querySelectorAll('[data-payment-action]').length"
        )
        .await,
        0
    );
    assert_eq!(
        js(
            &b,
            "document.querySelector('#order-payment').textContent.includes('Not paid')"
        )
        .await,
        true
    );

    // The paid order is cancelled: its window opens the refund dialog with
    // the whole amount prefilled.
    let (status, _) = app
        .move_order(
            paid,
            json!({"status": "cancelled", "reason": "out of stock"}),
        )
        .await;
    assert_eq!(status, 200);
    b.client
        .goto(&app.url(&format!("/orders/{paid}")))
        .await
        .unwrap();
    wait_js(&b, "document.body.dataset.page === 'order'").await;
    assert_eq!(
        js(&b, "document.querySelector('#refund-dialog').open").await,
        true
    );
    assert_eq!(
        js(&b, "document.querySelector('#pay-refund-amount').value").await,
        "499.00"
    );
    assert_eq!(
        js(
            &b,
            "document.querySelectorAll('[data-payment-action=mark_paid]').length"
        )
        .await,
        0
    );
    shot(&b, "refund-dialog-desktop").await;

    // Staff refund part of it.
    js(
        &b,
        "(document.querySelector('#pay-refund-amount').value = '', true)",
    )
    .await;
    type_into(&b, "#pay-refund-amount", "200.00").await;
    type_into(&b, "#pay-refund-reason", "one cup broke").await;
    click(&b, "#refund-dialog button[type=submit]").await;
    let o = order_when(&app, paid, |o| o["refunded_minor"] == 20_000).await;
    assert_eq!(o["payment_status"], "partially_refunded");
    assert_eq!(asked.lock().unwrap()[0].2["amount"], 20_000);
    wait_js(&b, "(document.querySelector('#order-summary .pay') || {getAttribute(){}}).getAttribute('aria-label') === 'Partially refunded'").await;
    // Opened again, the dialog offers what is left.
    b.client
        .goto(&app.url(&format!("/orders/{paid}")))
        .await
        .unwrap();
    wait_js(&b, "document.body.dataset.page === 'order'").await;
    assert_eq!(
        js(&b, "document.querySelector('#pay-refund-amount').value").await,
        "299.00"
    );

    let phone = crate::browser::browser(true).await;
    log_in(&phone, &app, "owner@shop.test").await;
    phone
        .client
        .goto(&app.url(&format!("/orders/{paid}")))
        .await
        .unwrap();
    wait_js(&phone, "document.body.dataset.page === 'order'").await;
    js(
        &phone,
        "(document.querySelector('#refund-dialog').scrollIntoView(), true)",
    )
    .await;
    shot(&phone, "refund-dialog-phone").await;
    app.stop().await;
}
