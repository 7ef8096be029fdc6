//! The dashboard on a phone and on a wide screen (issue #17): at 412 px a
//! one-line header with a menu, full-width cards, no horizontal scroll,
//! tap targets of at least 44 px, the order window as Order / Chat tabs
//! with the reply box in view; at 1440 px everything side by side. Times
//! are the business's (Asia/Kolkata) and amounts in its locale (en-IN).
//! Screenshots go to `target/screenshots/phone/`.

use orderdesk_store::Role;
use orderdesk_testkit::browser::Browser;
use serde_json::Value;

use crate::browser::{click, js, log_in, shot, wait_js};
use crate::dashboard::add_user;
use crate::helpers::{order_webhook, Backend, GraphFake, TestApp};

const LOCAL: &[(&str, &str)] = &[
    ("ORDERDESK_TIMEZONE", "Asia/Kolkata"),
    ("ORDERDESK_LOCALE", "en-IN"),
];

async fn shop_with_an_order() -> (TestApp, GraphFake) {
    let graph = GraphFake::start().await;
    let app = TestApp::spawn_configured(Backend::Sqlite, Some(&graph.url), LOCAL).await;
    add_user(&app, "owner@shop.test", Role::Owner).await;
    let body = order_webhook(
        "wamid.phone-1",
        "919812345678",
        "Asha Verma",
        &[("darjeeling-first-flush-tea-250g", 2, "61725.00", "INR")],
    );
    assert_eq!(app.post_webhook(body.as_bytes()).await.status(), 200);
    app.wait_for_orders(1).await;
    (app, graph)
}

/// Elements people tap that are shorter than 44 px, as "selector: height".
const SMALL_TARGETS: &str = "Array.from(document.querySelectorAll(\
    'header a, header button, .tab, .card-link, .order-tabs button, main button, main select'))\
    .filter(e => e.offsetParent !== null)\
    .map(e => [e, e.getBoundingClientRect()])\
    .filter(([e, r]) => r.height < 44)\
    .map(([e, r]) => (e.id || e.className || e.tagName) + ': ' + Math.round(r.height))";

async fn assert_fits_the_phone(b: &Browser, page: &str) {
    let overflow = js(
        b,
        "document.documentElement.scrollWidth - window.innerWidth",
    )
    .await;
    assert!(
        overflow.as_i64().unwrap_or(1) <= 0,
        "{page}: scrolls sideways by {overflow} px"
    );
    let header = js(
        b,
        "document.querySelector('header.top').getBoundingClientRect().height",
    )
    .await;
    assert!(
        header.as_f64().unwrap() <= 60.0,
        "{page}: the header is one line, not {header} px"
    );
    let small = js(b, SMALL_TARGETS).await;
    assert_eq!(
        small,
        Value::Array(vec![]),
        "{page}: tap targets under 44 px"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn at_412_px_the_board_and_order_window_fit_and_the_reply_box_is_in_view() {
    let (app, _graph) = shop_with_an_order().await;
    let b = Browser::sized(412, 915, true)
        .await
        .unwrap_or_else(|e| panic!("a headless Chromium is needed: {e:#}"));
    log_in(&b, &app, "owner@shop.test").await;

    // The board: full-width cards in rupees and Indian grouping.
    wait_js(&b, "document.querySelector('#order-1001')").await;
    assert_fits_the_phone(&b, "board").await;
    let card = js(
        &b,
        "document.querySelector('#order-1001').getBoundingClientRect().width",
    )
    .await;
    assert!(
        card.as_f64().unwrap() >= 412.0 - 2.0 * 16.0,
        "card is {card} px wide"
    );
    let total = js(
        &b,
        "document.querySelector('#order-1001 .total').textContent",
    )
    .await;
    assert_eq!(total, "₹1,23,450.00");
    // The menu: closed, then open with the pages in it.
    let hidden = js(&b, "document.querySelector('#menu').offsetParent === null").await;
    assert_eq!(hidden, true, "the menu starts closed on a phone");
    shot(&b, "phone/board-412").await;
    click(&b, "#menu-toggle").await;
    wait_js(&b, "document.querySelector('#menu').offsetParent !== null").await;
    shot(&b, "phone/menu-412").await;
    click(&b, "#menu-toggle").await;

    // The order window: tabs, and the reply box in view on the Chat tab.
    b.client.goto(&app.url("/orders/1001")).await.unwrap();
    wait_js(&b, "document.body.dataset.live === 'open'").await;
    assert_fits_the_phone(&b, "order").await;
    let placed = js(&b, "document.querySelector('#order-placed').textContent").await;
    assert!(
        placed.as_str().unwrap().contains('/'),
        "the date is in the locale's order: {placed}"
    );
    shot(&b, "phone/order-412").await;
    click(&b, "#tab-chat").await;
    wait_js(
        &b,
        "document.querySelector('main.order').dataset.tab === 'chat'",
    )
    .await;
    let reply_top = js(
        &b,
        "document.querySelector('#chat textarea').getBoundingClientRect().bottom",
    )
    .await;
    let viewport = js(&b, "window.innerHeight").await;
    assert!(
        reply_top.as_f64().unwrap() <= viewport.as_f64().unwrap(),
        "the reply box ends at {reply_top} px, below the {viewport} px screen"
    );
    assert_fits_the_phone(&b, "chat").await;
    shot(&b, "phone/chat-412").await;
    b.close().await.unwrap();
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn at_1440_px_the_header_is_inline_and_the_order_window_side_by_side() {
    let (app, _graph) = shop_with_an_order().await;
    let b = Browser::sized(1440, 900, false)
        .await
        .unwrap_or_else(|e| panic!("a headless Chromium is needed: {e:#}"));
    log_in(&b, &app, "owner@shop.test").await;
    wait_js(&b, "document.querySelector('#order-1001')").await;
    let toggle = js(
        &b,
        "document.querySelector('#menu-toggle').offsetParent === null",
    )
    .await;
    assert_eq!(toggle, true, "no menu button on a wide screen");
    let menu = js(&b, "document.querySelector('#menu').offsetParent !== null").await;
    assert_eq!(menu, true, "the pages are in the header");
    shot(&b, "phone/board-1440").await;

    b.client.goto(&app.url("/orders/1001")).await.unwrap();
    wait_js(&b, "document.body.dataset.live === 'open'").await;
    let tabs = js(
        &b,
        "document.querySelector('.order-tabs').offsetParent === null",
    )
    .await;
    assert_eq!(tabs, true, "no tabs on a wide screen");
    let both = js(
        &b,
        "Array.from(document.querySelectorAll('.order-grid > .col')).every(c => c.offsetParent !== null)",
    )
    .await;
    assert_eq!(both, true, "order and chat side by side");
    shot(&b, "phone/order-1440").await;
    b.close().await.unwrap();
    app.stop().await;
}
