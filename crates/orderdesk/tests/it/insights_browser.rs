//! `/insights` in real headless Chromium (issue #18): the charts draw, and
//! the figures move live when an order arrives, without a reload.
//! Screenshots: `insights-desktop`, `insights-live`, `insights-phone` in
//! `target/screenshots/`.

use orderdesk_store::Role;
use serde_json::json;

use orderdesk_testkit::browser::Browser;

use crate::browser::{assert_not_reloaded, browser, js, log_in, mark, shot, wait_js};
use crate::dashboard::add_user;
use crate::helpers::{order_webhook, GraphFake, TestApp};
use crate::payments::act;
use crate::refunds::{paid_through_razorpay, razorpay_app, razorpay_fake};

async fn cart(app: &TestApp, wamid: &str, wa_id: &str) {
    let body = order_webhook(wamid, wa_id, "Asha", &[("tea", 2, "249.50", "INR")]);
    assert_eq!(app.post_webhook(body.as_bytes()).await.status(), 200);
}

const ORDERS: &str = "document.querySelector('.kpi-value').textContent";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_insights_page_draws_its_charts_and_counts_a_new_order_live() {
    let graph = GraphFake::start().await;
    let (url, _asked) = razorpay_fake().await;
    let app = razorpay_app(crate::helpers::Backend::Sqlite, &graph, &url).await;
    add_user(&app, "owner@shop.test", Role::Owner).await;
    let paid = paid_through_razorpay(&app, &graph, "919822200071").await;
    let (status, _) = act(
        &app,
        paid,
        json!({"action": "refund", "amount_minor": 10_000, "reason": "late"}),
    )
    .await;
    assert_eq!(status, 200);
    paid_through_razorpay(&app, &graph, "919822200072").await;
    cart(&app, "wamid.ins.b1", "919822200073").await;
    app.wait_for_orders(3).await;

    let b = browser(false).await;
    log_in(&b, &app, "owner@shop.test").await;
    b.client
        .goto(&app.url("/insights?bucket=day"))
        .await
        .unwrap();
    wait_js(&b, "document.body.dataset.page === 'insights'").await;
    wait_js(&b, "document.body.dataset.live === 'open'").await;
    assert_eq!(js(&b, ORDERS).await, "3");
    for chart in [
        "#chart-time",
        "#chart-funnel",
        "#chart-payments",
        "#chart-stages",
    ] {
        let drawn = js(
            &b,
            &format!("document.querySelectorAll('{chart} rect').length"),
        )
        .await;
        assert!(drawn.as_i64().unwrap_or(0) > 0, "{chart} drew nothing");
    }
    // Each chart has its table behind it.
    assert_eq!(
        js(
            &b,
            "document.querySelectorAll('details.table table').length"
        )
        .await,
        4
    );
    shot(&b, "insights-desktop").await;

    // A new cart arrives while the page is open: the figures move.
    mark(&b).await;
    cart(&app, "wamid.ins.b2", "919822200074").await;
    wait_js(&b, &format!("{ORDERS} === '4'")).await;
    assert_not_reloaded(&b).await;
    assert_eq!(
        js(
            &b,
            "document.querySelector('#chart-funnel text.value').textContent"
        )
        .await,
        "4"
    );
    // The new-order banner writes the amount as the server's cards do
    // (the page carries the locale), not "499.00 INR".
    let banner = wait_js(
        &b,
        "(e => e && e.textContent)(document.querySelector('#alert-banner a'))",
    )
    .await;
    assert!(banner.as_str().unwrap().ends_with("₹499.00"), "{banner}");
    shot(&b, "insights-live").await;
    b.close().await.unwrap();

    let phone = Browser::sized(412, 915, true)
        .await
        .expect("a headless Chromium is needed for the browser tests");
    log_in(&phone, &app, "owner@shop.test").await;
    phone.client.goto(&app.url("/insights")).await.unwrap();
    wait_js(&phone, "document.body.dataset.page === 'insights'").await;
    // Nothing is wider than the phone's screen.
    assert_eq!(
        js(
            &phone,
            "document.documentElement.scrollWidth <= window.innerWidth"
        )
        .await,
        true
    );
    shot(&phone, "insights-phone").await;
    phone.close().await.unwrap();
    app.stop().await;
}
