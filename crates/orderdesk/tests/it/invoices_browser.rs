//! The order window's invoice download in real headless Chromium (issue
//! #15). Screenshots: `invoice-order-desktop`, `invoice-order-phone`; the
//! invoice itself beside them as `invoice-sample.pdf`, rendered to
//! `invoice-sample-1.png` by poppler's `pdftoppm`.

use orderdesk_store::Role;

use crate::browser::{browser, js, log_in, shot, wait_js};
use crate::dashboard::add_user;
use crate::helpers::{Backend, GraphFake};
use crate::invoices::{mark_paid, shop};
use crate::payments::cart_to_payment_link;

/// The download link's href, or `null` when the page offers none.
const HREF: &str = "(document.querySelector('#invoice-download') || {getAttribute(){return null}}).getAttribute('href')";

/// What the session's download answers: status and content type.
const FETCH: &str = "(function(){var x=new XMLHttpRequest();x.open('GET',document.querySelector('#invoice-download').href,false);x.send();return x.status+' '+x.getResponseHeader('content-type');})()";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_paid_orders_window_offers_its_invoice_and_an_unpaid_ones_does_not() {
    let graph = GraphFake::start().await;
    let app = shop(Backend::Sqlite, &graph, "on_paid").await;
    add_user(&app, "owner@shop.test", Role::Owner).await;
    let (n, _) = cart_to_payment_link(&app, &graph, "919822200051").await;

    let b = browser(false).await;
    log_in(&b, &app, "owner@shop.test").await;
    let window = app.url(&format!("/orders/{n}"));
    b.client.goto(&window).await.unwrap();
    wait_js(&b, "document.body.dataset.page === 'order'").await;
    assert_eq!(
        js(&b, HREF).await,
        serde_json::Value::Null,
        "unpaid: no invoice"
    );

    let invoice = mark_paid(&app, n, "UTR 4123").await;
    b.client.goto(&window).await.unwrap();
    wait_js(&b, "document.body.dataset.page === 'order'").await;
    assert_eq!(js(&b, HREF).await, format!("/orders/{n}/invoice.pdf"));
    let label = js(
        &b,
        "document.querySelector('#invoice-download').textContent",
    )
    .await;
    assert!(label.as_str().unwrap().contains(&invoice), "{label}");
    assert_eq!(js(&b, FETCH).await, "200 application/pdf");
    js(
        &b,
        "(document.querySelector('#payment-actions').scrollIntoView(), true)",
    )
    .await;
    shot(&b, "invoice-order-desktop").await;

    let phone = browser(true).await;
    log_in(&phone, &app, "owner@shop.test").await;
    phone.client.goto(&window).await.unwrap();
    wait_js(&phone, "document.body.dataset.page === 'order'").await;
    js(
        &phone,
        "(document.querySelector('#payment-actions').scrollIntoView(), true)",
    )
    .await;
    shot(&phone, "invoice-order-phone").await;

    // The invoice itself, to look at.
    let pdf = app
        .client
        .get(app.url(&format!("/api/v1/orders/{n}/invoice.pdf")))
        .bearer_auth(&app.token)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let dir = b.screenshot("invoice-order-desktop").await.unwrap();
    let dir = dir.parent().unwrap();
    let sample = dir.join("invoice-sample.pdf");
    std::fs::write(&sample, &pdf).unwrap();
    let rendered = std::process::Command::new("pdftoppm")
        .args(["-png", "-r", "80", "-f", "1", "-l", "1"])
        .arg(&sample)
        .arg(dir.join("invoice-sample"))
        .status()
        .expect("pdftoppm (poppler-utils) is needed");
    assert!(rendered.success());
    eprintln!("invoice: {}", sample.display());
    app.stop().await;
}
