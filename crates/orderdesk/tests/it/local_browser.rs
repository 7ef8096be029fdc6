//! What customers and staff read in the business's locale, in headless
//! Chromium at 412 px (a phone) and 1440 px (issue #17): the address form
//! and the payment page in rupees, the customer texts' live preview on
//! `/settings`, and the new-order banner where notifications are not
//! permitted. Screenshots go to `target/screenshots/local/`.

use orderdesk_store::Role;
use orderdesk_testkit::browser::Browser;

use crate::browser::{js, log_in, shot, type_into, wait_js};
use crate::dashboard::add_user;
use crate::helpers::{order_webhook, Backend, GraphFake, TestApp};
use crate::payments::{cart_to_payment_link, link_of};

const SHOP: &[(&str, &str)] = &[
    ("ORDERDESK_TIMEZONE", "Asia/Kolkata"),
    ("ORDERDESK_LOCALE", "en-IN"),
    ("PAYMENTS_PROVIDER", "simulator"),
];

/// Fails when `page` scrolls sideways (it does not fit the window).
pub(crate) async fn fits(b: &Browser, page: &str) {
    let overflow = js(
        b,
        "document.documentElement.scrollWidth - window.innerWidth",
    )
    .await;
    assert!(
        overflow.as_i64().unwrap_or(1) <= 0,
        "{page}: scrolls sideways by {overflow} px"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn customer_pages_and_the_texts_preview_read_in_rupees_on_a_phone_and_a_desktop() {
    let graph = GraphFake::start().await;
    let app = TestApp::spawn_configured(Backend::Sqlite, Some(&graph.url), SHOP).await;
    add_user(&app, "owner@shop.test", Role::Owner).await;
    let wa = "919822200041";
    let (_n, pay) = cart_to_payment_link(&app, &graph, wa).await;
    let address = graph
        .requests()
        .into_iter()
        .map(|r| r.2)
        .find(|b| b["to"] == wa)
        .map(|b| link_of(&b))
        .expect("the address link");

    for (width, height, phone) in [(412, 915, true), (1440, 900, false)] {
        let b = Browser::sized(width, height, phone)
            .await
            .unwrap_or_else(|e| panic!("a headless Chromium is needed: {e:#}"));

        // The address form (the payment step has passed: read-only) and the
        // payment page: 2 × ₹249.50, ₹499.00, placed in IST.
        b.client.goto(&address).await.unwrap();
        let text = js(&b, "document.body.innerText").await;
        let text = text.as_str().unwrap();
        assert!(text.contains("2 × ₹249.50"), "{text}");
        assert!(text.contains("₹499.00"), "{text}");
        assert!(text.contains(" IST"), "{text}");
        fits(&b, "address form").await;
        shot(&b, &format!("local/address-{width}")).await;

        b.client.goto(&pay).await.unwrap();
        let button = js(
            &b,
            "document.querySelector('button[value=pay]').textContent",
        )
        .await;
        assert_eq!(button, "Pay ₹499.00");
        fits(&b, "payment page").await;
        shot(&b, &format!("local/payment-{width}")).await;

        // The customer texts on /settings: the preview follows the typing,
        // with the server's sample values in rupees.
        log_in(&b, &app, "owner@shop.test").await;
        b.client.goto(&app.url("/settings")).await.unwrap();
        wait_js(&b, "document.querySelector('#text-preview')").await;
        js(&b, "(document.querySelector('#text-body').value = '', document.querySelector('#texts').scrollIntoView(), true)").await;
        type_into(&b, "#text-body", "Namaste! Order #{number} is {total}.").await;
        // The last keystroke's preview: polled, as it arrives after a pause.
        wait_js(
            &b,
            "(p => !p.hidden && p.textContent === 'Namaste! Order #1042 is ₹3,097.00.')(document.querySelector('#text-preview'))",
        )
        .await;
        fits(&b, "settings").await;
        shot(&b, &format!("local/texts-preview-{width}")).await;

        type_into(&b, "#text-body", " Hi {name}").await;
        let error = wait_js(
            &b,
            "(e => !e.hidden && e.textContent)(document.querySelector('#text-preview-error'))",
        )
        .await;
        let error = error.as_str().unwrap();
        assert!(
            error.contains("\"name\"") && error.contains("{total}"),
            "{error}"
        );
        shot(&b, &format!("local/texts-unknown-{width}")).await;
        b.close().await.unwrap();
    }
    app.stop().await;
}

/// Headless Chromium does not permit notifications: the news stays in a
/// banner at the top of the page, and the tab's title counts it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_a_phone_a_new_order_shows_a_banner_where_notifications_are_not_permitted() {
    let graph = GraphFake::start().await;
    let app = TestApp::spawn_configured(Backend::Sqlite, Some(&graph.url), SHOP).await;
    add_user(&app, "owner@shop.test", Role::Owner).await;
    let b = Browser::sized(412, 915, true)
        .await
        .unwrap_or_else(|e| panic!("a headless Chromium is needed: {e:#}"));
    log_in(&b, &app, "owner@shop.test").await;
    assert_ne!(js(&b, "Notification.permission").await, "granted");
    let title = js(&b, "document.title").await;

    let cart = order_webhook(
        "wamid.banner-1",
        "919822200042",
        "Ravi",
        &[("tea", 2, "249.50", "INR")],
    );
    assert_eq!(app.post_webhook(cart.as_bytes()).await.status(), 200);
    let banner = wait_js(
        &b,
        "(e => e && e.textContent)(document.querySelector('#alert-banner a'))",
    )
    .await;
    let banner = banner.as_str().unwrap();
    assert!(banner.starts_with("New order #1001"), "{banner}");
    assert!(banner.contains("₹499.00"), "{banner}");
    assert_eq!(
        js(&b, "document.title").await,
        format!("(1) {}", title.as_str().unwrap())
    );
    let top = js(
        &b,
        "document.querySelector('#alert-banner').getBoundingClientRect().top",
    )
    .await;
    assert!(
        top.as_f64().unwrap() < 120.0,
        "the banner is at the top: {top}"
    );
    fits(&b, "board with banner").await;
    shot(&b, "local/banner-412").await;

    // Dismissed: gone, and the title is the page's own again.
    crate::browser::click(&b, "#alert-banner button").await;
    wait_js(&b, "!document.querySelector('#alert-banner')").await;
    assert_eq!(js(&b, "document.title").await, title);
    // The service worker phones show notifications through is served.
    let sw = app
        .client
        .get(app.url("/assets/sw.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(sw.status(), 200);
    assert!(sw.text().await.unwrap().contains("notificationclick"));
    b.close().await.unwrap();
    app.stop().await;
}

/// The chat's times read "just now" like the timeline's, the exact local
/// time on hover (#17), in the order window on a phone and a desktop.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chat_times_are_relative_with_the_exact_local_time_on_hover() {
    let graph = GraphFake::start().await;
    let app = TestApp::spawn_configured(Backend::Sqlite, Some(&graph.url), SHOP).await;
    add_user(&app, "owner@shop.test", Role::Owner).await;
    let order = app
        .place_order("wamid.chat-times", "919822200051", "Ira")
        .await;
    let n = order["number"].as_i64().unwrap();
    let (status, _) = app
        .post(
            &format!("/api/v1/orders/{n}/messages"),
            &serde_json::json!({"text": "Namaste Ira, your tea ships today"}),
        )
        .await;
    assert_eq!(status, 202);
    graph.wait_for(2, std::time::Duration::from_secs(10)).await;
    for (width, height, phone) in [(412, 915, true), (1440, 900, false)] {
        let b = Browser::sized(width, height, phone)
            .await
            .unwrap_or_else(|e| panic!("a headless Chromium is needed: {e:#}"));
        log_in(&b, &app, "owner@shop.test").await;
        b.client
            .goto(&app.url(&format!("/orders/{n}")))
            .await
            .unwrap();
        wait_js(
            &b,
            "document.querySelectorAll('.msg .meta time').length >= 2",
        )
        .await;
        let times = js(
            &b,
            "Array.from(document.querySelectorAll('.msg .meta time')).map(t => [t.textContent, t.title, t.className])",
        )
        .await;
        for time in times.as_array().unwrap() {
            assert_eq!(time[0], "just now", "{times}");
            assert!(time[1].as_str().unwrap().ends_with(" IST"), "{times}");
            assert_eq!(time[2], "age", "{times}");
        }
        if phone {
            crate::browser::click(&b, "#tab-chat").await;
        }
        js(&b, "(document.querySelector('.msg-out:last-of-type').scrollIntoView({block: 'center'}), true)").await;
        fits(&b, "order window").await;
        shot(&b, &format!("local/chat-times-{width}")).await;
        b.close().await.unwrap();
    }
    app.stop().await;
}
