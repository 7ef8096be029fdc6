//! The dashboard's order pages in headless Chromium (issue #16): staff
//! correct an order (quantity, a catalog product, the address) and take a
//! new order for a customer by phone number, on a desktop and a 412 px
//! phone. Screenshots go to `target/screenshots/orders/`.

use orderdesk_store::Role;
use orderdesk_testkit::browser::Browser;

use crate::browser::{browser, click, js, log_in, shot, type_into, wait_js};
use crate::dashboard::add_user;
use crate::helpers::{order_webhook, Backend, GraphFake, TestApp};
use crate::staff_orders::seed_catalog;

async fn phone_412() -> Browser {
    Browser::sized(412, 915, true)
        .await
        .unwrap_or_else(|e| panic!("a headless Chromium is needed for the browser tests: {e:#}"))
}

/// Replaces a field's value the way a person would: select all, type.
async fn retype(b: &Browser, css: &str, text: &str) {
    js(
        b,
        &format!("(document.querySelector({css:?}).value = '', true)"),
    )
    .await;
    type_into(b, css, text).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_edit_an_order_and_create_one_from_the_catalog() {
    let graph = GraphFake::start().await;
    let app = TestApp::spawn_with(Backend::Sqlite, Some(&graph.url)).await;
    seed_catalog(&app).await;
    add_user(&app, "owner@shop.test", Role::Owner).await;
    for (i, phone) in [false, true].into_iter().enumerate() {
        let suffix = if phone { "-412" } else { "" };
        let wa = format!("91983332000{i}");
        let cart = order_webhook(
            &format!("wamid.ob-{i}"),
            &wa,
            "Asha",
            &[("tea", 2, "249.50", "INR")],
        );
        assert_eq!(app.post_webhook(cart.as_bytes()).await.status(), 200);
        // The first round also created an order by hand, so count this
        // customer's order rather than orders.
        let mut n = None;
        for _ in 0..200 {
            let orders = app.wait_for_orders(i + 1).await;
            n = orders
                .iter()
                .find(|o| o["customer"]["wa_id"] == wa.as_str())
                .and_then(|o| o["number"].as_i64());
            if n.is_some() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        }
        let n = n.expect("the cart's order");

        let b = if phone {
            phone_412().await
        } else {
            browser(false).await
        };
        log_in(&b, &app, "owner@shop.test").await;
        shot(&b, &format!("orders/board{suffix}")).await;

        // From the order window to its edit page.
        b.client
            .goto(&app.url(&format!("/orders/{n}")))
            .await
            .unwrap();
        wait_js(&b, "document.body.dataset.page === 'order'").await;
        click(&b, "#edit-order").await;
        wait_js(&b, "document.body.dataset.page === 'order-edit'").await;

        // 3 teas, a mug from the catalog, ₹40 shipping, and the address.
        retype(&b, "tr.line[data-row='0'] input[name=line_qty]", "3").await;
        type_into(&b, "tr.line[data-row='1'] input[name=line_id]", "mug").await;
        retype(&b, "#edit-shipping", "40").await;
        for (field, value) in [
            ("name", "Asha Rao"),
            ("phone", "+91 98333 20000"),
            ("line1", "12 MG Road"),
            ("city", "Bengaluru"),
            ("state", "Karnataka"),
            ("postal_code", "560001"),
            ("country", "IN"),
        ] {
            type_into(&b, &format!("#edit-{field}"), value).await;
        }
        shot(&b, &format!("orders/edit{suffix}")).await;
        click(&b, "#edit-form button[type=submit]").await;

        // Back on the window: the new lines, fee, total and address.
        wait_js(&b, "document.body.dataset.page === 'order'").await;
        let items = js(
            &b,
            "document.querySelector('#order-summary table.items').textContent",
        )
        .await;
        let items = items.as_str().unwrap();
        assert!(
            items.contains("Mug") && items.contains("Shipping"),
            "{items}"
        );
        // 3 × 249.50 + 250.00 + 40.00.
        assert!(items.contains("1,038.50"), "{items}");
        let address = js(&b, "document.querySelector('#order-address').textContent").await;
        assert!(address.as_str().unwrap().contains("Bengaluru"), "{address}");
        wait_js(&b, "Array.from(document.querySelectorAll('.ev-staff-note')).some(e => e.textContent.includes('Edited'))").await;
        shot(&b, &format!("orders/edited{suffix}")).await;

        // Its packing slip, from the window.
        click(&b, "#slip-link").await;
        wait_js(&b, "document.body.dataset.page === 'slips'").await;
        let slip = js(&b, "document.querySelector('.slip').textContent").await;
        assert!(slip.as_str().unwrap().contains("Bengaluru"), "{slip}");
        shot(&b, &format!("orders/slip{suffix}")).await;

        // A new order for a customer who called: from the board's button.
        b.client.goto(&app.url("/orders")).await.unwrap();
        wait_js(&b, "document.body.dataset.page === 'board'").await;
        click(&b, "#new-order").await;
        wait_js(&b, "document.body.dataset.page === 'order-new'").await;
        let caller = if phone {
            "+91 98444 55501"
        } else {
            "+91 98444 55500"
        };
        type_into(&b, "#new-wa-id", caller).await;
        type_into(&b, "#new-name", "Zoë").await;
        type_into(&b, "tr.line[data-row='0'] input[name=line_id]", "tea").await;
        type_into(&b, "tr.line[data-row='0'] input[name=line_qty]", "2").await;
        type_into(&b, "tr.line[data-row='1'] input[name=line_id]", "mug").await;
        shot(&b, &format!("orders/new{suffix}")).await;
        click(&b, "#new-order-form button[type=submit]").await;
        wait_js(&b, "document.body.dataset.page === 'order'").await;
        let customer = js(&b, "document.querySelector('#order-customer').textContent").await;
        let digits: String = caller.chars().filter(char::is_ascii_digit).collect();
        assert!(
            customer.as_str().unwrap().contains("Zoë")
                && customer.as_str().unwrap().contains(&digits),
            "{customer}"
        );
        let stage = js(&b, "document.querySelector('#order-stage').textContent").await;
        assert_eq!(stage, "Placed");
        shot(&b, &format!("orders/created{suffix}")).await;
        b.close().await.unwrap();
    }
    app.stop().await;
}

/// A staff-created order for `wa` (one tea); its number.
async fn api_order(app: &TestApp, wa: &str) -> i64 {
    let (status, order) = app
        .post(
            "/api/v1/orders",
            &serde_json::json!({"customer": {"wa_id": wa}, "items": [{"retailer_id": "tea", "quantity": 1}]}),
        )
        .await;
    assert_eq!(status, reqwest::StatusCode::CREATED, "{order}");
    order["number"].as_i64().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_table_moves_three_orders_at_once_and_holds_new_ones_in_a_bar() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    seed_catalog(&app).await;
    add_user(&app, "owner@shop.test", Role::Owner).await;
    for (round, phone) in [false, true].into_iter().enumerate() {
        let suffix = if phone { "-412" } else { "" };
        let mut numbers = Vec::new();
        for i in 0..4 {
            numbers.push(api_order(&app, &format!("9198555{round}000{i}")).await);
        }
        let b = if phone {
            phone_412().await
        } else {
            browser(false).await
        };
        log_in(&b, &app, "owner@shop.test").await;
        click(&b, ".view-switch a[href='/orders?view=table']").await;
        wait_js(&b, "!!document.getElementById('bulk-form')").await;
        assert_eq!(
            js(&b, "document.getElementById('bulk-apply').disabled").await,
            true
        );

        // Tick the newest, shift-click the third: three in a range.
        let [a, _, c, d] = [numbers[3], numbers[2], numbers[1], numbers[0]];
        click(&b, &format!("#row-{a} input.pick")).await;
        let shift = format!(
            "(document.querySelector('#row-{c} input.pick').dispatchEvent(new MouseEvent('click', {{bubbles: true, shiftKey: true}})), true)"
        );
        js(&b, &shift).await;
        wait_js(
            &b,
            "document.getElementById('bulk-count').textContent === '3 selected'",
        )
        .await;
        assert_eq!(
            js(
                &b,
                &format!("document.querySelector('#row-{d} input.pick').checked")
            )
            .await,
            false
        );

        // A new order arrives while the merchant works: the rows stay put,
        // the bar says so.
        let rows_before = js(
            &b,
            "Array.from(document.querySelectorAll('#rows tr')).map(r => r.id)",
        )
        .await;
        let where_now = format!(
            "[document.getElementById('bulk-apply').getBoundingClientRect().top, \
              document.querySelector('#row-{a}').getBoundingClientRect().top]"
        );
        let top_before = js(&b, &where_now).await;
        let late = api_order(&app, &format!("9198555{round}0099")).await;
        wait_js(&b, "!document.getElementById('new-orders').hidden").await;
        // Nor does anything move: not the rows, not the button about to be
        // pressed (the alert shown where notifications are not allowed
        // used to push the page down).
        wait_js(&b, "!!document.getElementById('alert-banner')").await;
        assert_eq!(
            js(&b, &where_now).await,
            top_before,
            "moved under the pointer"
        );
        assert_eq!(
            js(&b, "document.getElementById('new-orders').textContent").await,
            "1 new order — show"
        );
        assert_eq!(
            js(
                &b,
                "Array.from(document.querySelectorAll('#rows tr')).map(r => r.id)"
            )
            .await,
            rows_before
        );
        js(
            &b,
            "(document.getElementById('bulk-action').value = 'status', true)",
        )
        .await;
        js(&b, "(document.getElementById('bulk-status').value = 'cancelled', document.getElementById('bulk-status').dispatchEvent(new Event('change', {bubbles: true})), true)").await;
        type_into(&b, "#bulk-reason", "duplicate orders").await;
        shot(&b, &format!("orders/table{suffix}")).await;
        click(&b, "#bulk-apply").await;
        wait_js(&b, "document.body.dataset.page === 'bulk'").await;
        let done = js(&b, "document.querySelector('h1').textContent").await;
        assert_eq!(done, "Done: 3 of 3");
        shot(&b, &format!("orders/bulk-done{suffix}")).await;
        for n in [a, numbers[2], c] {
            let (_, o) = app.get(&format!("/api/v1/orders/{n}")).await;
            assert_eq!(o["status"], "cancelled", "#{n}");
        }
        let (_, o) = app.get(&format!("/api/v1/orders/{d}")).await;
        assert_eq!(o["status"], "placed", "#{d} was not selected");

        // Back on the table (remembered), the late order is there.
        click(&b, "a.button.primary").await;
        wait_js(&b, "document.body.dataset.page === 'board'").await;
        wait_js(&b, &format!("!!document.getElementById('row-{late}')")).await;
        b.close().await.unwrap();
    }
    app.stop().await;
}
