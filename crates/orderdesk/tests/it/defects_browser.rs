//! Issue #22 in headless Chromium: the order window says what a move tells
//! the customer (live preview under the reason, an internal note beside
//! it) and what a manual confirmation goes ahead without; tracking URLs
//! are links; a new or reset password has a copy button; roles change from
//! the users page; logging out asks first. Screenshots at desktop width and
//! 412 px go to `target/screenshots/defects/`.

use fantoccini::Locator;
use orderdesk_store::Role;
use orderdesk_testkit::browser::Browser;
use serde_json::json;

use crate::browser::{browser, click, js, log_in, shot, type_into, wait_js};
use crate::dashboard::add_user;
use crate::defects::{text, wait_sent};
use crate::helpers::{order_webhook, Backend, GraphFake, TestApp};
use crate::journey::WAIT;

async fn phone_412() -> Browser {
    Browser::sized(412, 915, true)
        .await
        .unwrap_or_else(|e| panic!("a headless Chromium is needed for the browser tests: {e:#}"))
}

async fn cart(app: &TestApp, wamid: &str, wa_id: &str) {
    let body = order_webhook(wamid, wa_id, "Nisha", &[("tea", 2, "249.50", "INR")]);
    assert_eq!(app.post_webhook(body.as_bytes()).await.status(), 200);
}

async fn stage_is(b: &Browser, label: &str) {
    wait_js(
        b,
        &format!("document.querySelector('#order-stage') && document.querySelector('#order-stage').textContent === {label:?}"),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_order_window_shows_what_the_customer_will_read_and_what_is_missing() {
    let graph = GraphFake::start().await;
    let app = TestApp::spawn_with(Backend::Sqlite, Some(&graph.url)).await;
    add_user(&app, "owner@shop.test", Role::Owner).await;
    cart(&app, "wamid.db-1", "919800000601").await;
    cart(&app, "wamid.db-2", "919800000602").await;
    app.wait_for_orders(2).await;
    graph.wait_for(2, WAIT).await;

    let b = browser(false).await;
    log_in(&b, &app, "owner@shop.test").await;
    b.client.goto(&app.url("/orders/1001")).await.unwrap();
    wait_js(&b, "document.body.dataset.live === 'open'").await;

    // What confirming by hand would go ahead without.
    let missing = js(&b, "document.querySelector('#confirm-missing').textContent").await;
    assert!(
        missing
            .as_str()
            .unwrap()
            .contains("delivery address and payment"),
        "{missing}"
    );
    // The reason is announced and previewed live as the customer reads it.
    let hint = js(
        &b,
        "document.querySelector('#move-cancelled-reason-hint').textContent",
    )
    .await;
    assert!(hint.as_str().unwrap().contains("word for word"), "{hint}");
    let hint = js(
        &b,
        "document.querySelector('#move-confirmed-reason-hint').textContent",
    )
    .await;
    assert!(
        hint.as_str().unwrap().contains("stays on the timeline"),
        "{hint}"
    );
    let preview = "document.querySelector('#move-cancelled-preview').textContent";
    assert_eq!(js(&b, preview).await, "Your order #1001 is cancelled.");
    type_into(&b, "#move-cancelled-reason", "Out of stock").await;
    wait_js(
        &b,
        &format!("{preview} === 'Your order #1001 is cancelled. Reason: Out of stock'"),
    )
    .await;
    shot(&b, "defects/order-window-placed").await;
    js(
        &b,
        "(document.querySelector('#move-cancelled-reason').value = '', true)",
    )
    .await;

    // Confirm by hand: the reason and an internal note; the customer is
    // told, the note stays on the timeline.
    type_into(&b, "#move-confirmed-reason", "paid at the counter").await;
    type_into(
        &b,
        "#move-confirmed-note",
        "Regular customer, collects in person",
    )
    .await;
    click(&b, "form[data-move=confirmed] button[type=submit]").await;
    stage_is(&b, "Confirmed").await;
    wait_sent(&graph, "Your order #1001 is confirmed").await;
    wait_js(&b, "Array.from(document.querySelectorAll('.ev-staff-note .detail')).some(d => d.textContent === 'Regular customer, collects in person')").await;
    assert!(
        graph
            .requests()
            .iter()
            .all(|r| !text(&r.2).contains("Regular customer")),
        "an internal note is never sent"
    );

    // Hold and release: the release is told too.
    type_into(&b, "#move-on_hold-reason", "checking stock").await;
    click(&b, "form[data-move=on_hold] button[type=submit]").await;
    stage_is(&b, "On hold").await;
    click(&b, "form[data-move=confirmed] button[type=submit]").await;
    stage_is(&b, "Confirmed").await;
    wait_sent(&graph, "no longer on hold").await;

    // Shipped with a tracking URL: a link that opens apart, safely.
    for (to, label) in [("approved", "Approved"), ("processed", "Processed")] {
        click(&b, &format!("form[data-move={to}] button[type=submit]")).await;
        stage_is(&b, label).await;
    }
    type_into(&b, "#move-shipped-tracking", "https://track.example/AB123").await;
    click(&b, "form[data-move=shipped] button[type=submit]").await;
    stage_is(&b, "Shipped").await;
    let link = wait_js(
        &b,
        "(a => a && [a.href, a.target, a.rel])(document.querySelector('#order-tracking a'))",
    )
    .await;
    assert_eq!(
        link,
        json!([
            "https://track.example/AB123",
            "_blank",
            "noopener noreferrer"
        ])
    );
    shot(&b, "defects/order-window-shipped").await;
    b.close().await.unwrap();

    let p = phone_412().await;
    log_in(&p, &app, "owner@shop.test").await;
    p.client.goto(&app.url("/orders/1002")).await.unwrap();
    wait_js(&p, "document.body.dataset.live === 'open'").await;
    type_into(
        &p,
        "#move-cancelled-reason",
        "Customer asked to cancel on phone",
    )
    .await;
    wait_js(&p, "document.querySelector('#move-cancelled-preview').textContent.endsWith('Reason: Customer asked to cancel on phone')").await;
    p.client
        .find(Locator::Css("#move-cancelled-preview"))
        .await
        .unwrap();
    js(
        &p,
        "(document.querySelector('#move-cancelled-reason').scrollIntoView(), true)",
    )
    .await;
    shot(&p, "defects/order-window-placed-412").await;

    // Cancelled: its address link says so, on the customer's phone.
    click(&p, "form[data-move=cancelled] button[type=submit]").await;
    stage_is(&p, "Cancelled").await;
    let link = graph
        .requests()
        .iter()
        .find(|r| r.2["to"] == "919800000602")
        .map(|r| {
            r.2["interactive"]["action"]["parameters"]["url"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .unwrap();
    p.client.goto(&link).await.unwrap();
    let said = js(&p, "document.querySelector('#order-closed').textContent").await;
    assert!(
        said.as_str()
            .unwrap()
            .contains("Order #1002 was cancelled."),
        "{said}"
    );
    shot(&p, "defects/address-link-cancelled-412").await;
    p.client.goto(&app.url("/orders/1001")).await.unwrap();
    wait_js(&p, "!!document.querySelector('#order-tracking a')").await;
    js(
        &p,
        "(document.querySelector('#order-tracking').scrollIntoView(), true)",
    )
    .await;
    shot(&p, "defects/order-window-shipped-412").await;
    p.close().await.unwrap();
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn users_get_a_copy_button_a_role_switch_and_logout_asks_first() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    add_user(&app, "owner@shop.test", Role::Owner).await;
    for phone in [false, true] {
        let b = if phone {
            phone_412().await
        } else {
            browser(false).await
        };
        log_in(&b, &app, "owner@shop.test").await;
        b.client.goto(&app.url("/users")).await.unwrap();
        let email = if phone {
            "packer@shop.test"
        } else {
            "agent@shop.test"
        };
        type_into(&b, "#new-email", email).await;
        click(&b, "form[action='/users'] button[type=submit]").await;
        wait_js(&b, "!!document.querySelector('#copy-secret')").await;
        let secret = js(&b, "document.querySelector('#secret').textContent").await;
        assert!(secret.as_str().unwrap().len() >= 10, "{secret}");
        click(&b, "#copy-secret").await;
        wait_js(
            &b,
            "document.querySelector('#secret-status').textContent !== ''",
        )
        .await;
        let name = if phone {
            "defects/users-added-412"
        } else {
            "defects/users-added"
        };
        shot(&b, name).await;

        if !phone {
            // The new agent becomes an admin from the list.
            let id = app
                .store
                .users()
                .await
                .unwrap()
                .into_iter()
                .find(|u| u.email == email)
                .unwrap()
                .id;
            js(
                &b,
                &format!("(document.querySelector('#role-{id}').value = 'admin', true)"),
            )
            .await;
            click(
                &b,
                &format!("form[action='/users/{id}/role'] button[type=submit]"),
            )
            .await;
            wait_js(
                &b,
                &format!("document.body.textContent.includes('{email} is now admin.')"),
            )
            .await;

            // Logging out asks first; "Cancel" keeps the session.
            click(&b, "form[action='/logout'] button").await;
            let question = b.client.get_alert_text().await.unwrap();
            assert_eq!(question, "Log out of orderdesk?");
            b.client.dismiss_alert().await.unwrap();
            tokio::time::sleep(std::time::Duration::from_millis(300)).await;
            assert!(b
                .client
                .current_url()
                .await
                .unwrap()
                .path()
                .starts_with("/users"));
            click(&b, "form[action='/logout'] button").await;
            b.client.accept_alert().await.unwrap();
            wait_js(&b, "location.pathname === '/login'").await;
        }
        b.close().await.unwrap();
    }
    app.stop().await;
}
