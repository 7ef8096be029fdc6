//! The customers pages and packing slips in headless Chromium (issue #16,
//! items 6 and 7): staff find a customer by "+91 …", open them (orders,
//! addresses, conversation), block and unblock them; a packing slip shows
//! the order number as a Code 128 barcode and a QR code, for A4 and 4×6 in
//! labels. Desktop and a 412 px phone; screenshots in
//! `target/screenshots/customers/`.

use orderdesk_store::Role;
use orderdesk_testkit::browser::Browser;
use serde_json::json;

use crate::browser::{browser, click, js, log_in, shot, type_into, wait_js};
use crate::dashboard::add_user;
use crate::helpers::{order_webhook, Backend, TestApp};
use crate::order_edit::patch;

async fn phone_412() -> Browser {
    Browser::sized(412, 915, true)
        .await
        .unwrap_or_else(|e| panic!("a headless Chromium is needed for the browser tests: {e:#}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_find_a_customer_by_phone_block_them_and_print_a_slip() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    add_user(&app, "owner@shop.test", Role::Owner).await;
    for (i, (wa, name)) in [
        ("919988776655", "Asha Rao"),
        ("14155550123", "Ravi Kumar"),
        ("919988776655", "Asha Rao"),
    ]
    .into_iter()
    .enumerate()
    {
        let cart = order_webhook(
            &format!("wamid.cb{i}"),
            wa,
            name,
            &[("tea", 2, "249.50", "INR")],
        );
        assert_eq!(app.post_webhook(cart.as_bytes()).await.status(), 200);
    }
    let orders = app.wait_for_orders(3).await;
    let newest = &orders[0];
    let n = newest["number"].as_i64().unwrap();
    let (status, body) = patch(
        &app,
        &format!("/api/v1/orders/{n}"),
        &json!({"version": newest["version"], "address": {
            "name": "Asha Rao", "phone": "+91 99887 76655", "line1": "12 MG Road",
            "line2": "Flat 4", "city": "Pune", "state": "Maharashtra",
            "postal_code": "411001", "country": "IN"}}),
    )
    .await;
    assert_eq!(status, 200, "{body}");

    for phone in [false, true] {
        let suffix = if phone { "-412" } else { "" };
        let b = if phone {
            phone_412().await
        } else {
            browser(false).await
        };
        log_in(&b, &app, "owner@shop.test").await;

        b.client.goto(&app.url("/customers")).await.unwrap();
        wait_js(&b, "document.body.dataset.page === 'customers'").await;
        let rows = js(
            &b,
            "document.querySelectorAll('table.customer-table tbody tr').length",
        )
        .await;
        assert_eq!(rows, json!(2));
        shot(&b, &format!("customers/list{suffix}")).await;

        // "+91 …" as a merchant types it finds Asha, and only her.
        type_into(&b, "#customer-q", "+91 99887 76655").await;
        click(&b, "#customer-search button[type=submit]").await;
        wait_js(
            &b,
            "document.querySelectorAll('table.customer-table tbody tr').length === 1",
        )
        .await;
        let who = js(
            &b,
            "document.querySelector('table.customer-table tbody tr').dataset.waId",
        )
        .await;
        assert_eq!(who, json!("919988776655"));
        shot(&b, &format!("customers/search{suffix}")).await;

        click(&b, "table.customer-table tbody tr a").await;
        wait_js(&b, "document.body.dataset.page === 'customer'").await;
        assert_eq!(
            js(&b, "document.querySelector('#orders-count').textContent").await,
            json!("2")
        );
        let orders_shown = js(
            &b,
            "document.querySelectorAll('ul.customer-orders li').length",
        )
        .await;
        assert_eq!(orders_shown, json!(2));
        let address = js(&b, "document.querySelector('ul.addresses').textContent").await;
        assert!(address.as_str().unwrap().contains("Pune"), "{address}");
        shot(&b, &format!("customers/customer{suffix}")).await;

        // Block (the question answered yes), then unblock.
        js(&b, "(window.confirm = function () { return true; }, true)").await;
        click(&b, "#block-form button").await;
        wait_js(&b, "!!document.querySelector('#blocked-badge')").await;
        shot(&b, &format!("customers/blocked{suffix}")).await;
        js(&b, "(window.confirm = function () { return true; }, true)").await;
        click(&b, "#block-form button").await;
        wait_js(&b, "document.body.dataset.page === 'customer' && !document.querySelector('#blocked-badge')").await;

        // A search that finds no one says so.
        b.client
            .goto(&app.url("/customers?q=nobody"))
            .await
            .unwrap();
        let empty = wait_js(&b, "document.querySelector('#customers-empty') && document.querySelector('#customers-empty').textContent").await;
        assert!(
            empty.as_str().unwrap().contains("No customer matches"),
            "{empty}"
        );

        // The packing slip: barcode and QR code of the number, A4 and label.
        b.client
            .goto(&app.url(&format!("/orders/{n}/slip")))
            .await
            .unwrap();
        wait_js(&b, "document.body.dataset.page === 'slips'").await;
        let label = js(
            &b,
            "document.querySelector('.slip-barcode svg').getAttribute('aria-label')",
        )
        .await;
        assert_eq!(label, json!(format!("Code 128 barcode of {n}")));
        let bars = js(
            &b,
            "document.querySelectorAll('.slip-barcode svg rect').length",
        )
        .await;
        // Its background, and 3 bars for each of Start C, the two digit
        // pairs and the check symbol, 4 for Stop (slip_scan.rs decodes it).
        assert_eq!(bars, json!(1 + 4 * 3 + 4), "{bars}");
        let qr = js(
            &b,
            "document.querySelector('.slip-qr svg').getAttribute('aria-label')",
        )
        .await;
        assert_eq!(qr, json!(format!("QR code of {n}")));
        let width = js(
            &b,
            "document.querySelector('.slip-qr svg').getBoundingClientRect().width",
        )
        .await;
        assert!(
            width.as_f64().unwrap() >= 60.0,
            "the QR code is big enough to scan: {width}"
        );
        shot(&b, &format!("customers/slip{suffix}")).await;
        js(&b, "(document.body.classList.add('paper-label'), true)").await;
        shot(&b, &format!("customers/slip-label{suffix}")).await;
        b.close().await.unwrap();
    }
    app.stop().await;
}
