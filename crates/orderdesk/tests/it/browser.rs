//! The dashboard in real headless Chromium against a real server: logging
//! in, orders arriving and changing live without a reload, the order
//! window's moves and chat, escaping, roles and CSRF. Screenshots of the
//! board and the order window (desktop and phone) go to
//! `target/screenshots/`. SQLite is enough here: storage is covered by the
//! HTTP and conformance tests on both backends.

use std::time::Duration;

use fantoccini::Locator;
use orderdesk_store::Role;
use orderdesk_testkit::browser::Browser;
use serde_json::{json, Value};

use crate::dashboard::{add_user, PASSWORD};
use crate::helpers::{customer_message, order_webhook, Backend, GraphFake, TestApp};

mod window_moves;

const WAIT: Duration = Duration::from_secs(10);
const XSS_NAME: &str = "<img src=x onerror=alert(1)>";

pub(crate) async fn browser(phone: bool) -> Browser {
    let b = if phone {
        Browser::phone().await
    } else {
        Browser::desktop().await
    };
    b.unwrap_or_else(|e| panic!("a headless Chromium is needed for the browser tests: {e:#}"))
}

/// Polls a JavaScript expression until it is truthy; returns its value.
pub(crate) async fn wait_js(b: &Browser, expr: &str) -> Value {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let v = b
            .client
            .execute(&format!("return ({expr});"), vec![])
            .await
            .unwrap();
        let truthy =
            !matches!(&v, Value::Null | Value::Bool(false)) && v != json!("") && v != json!(0);
        if truthy {
            return v;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for `{expr}`"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

pub(crate) async fn js(b: &Browser, expr: &str) -> Value {
    b.client
        .execute(&format!("return ({expr});"), vec![])
        .await
        .unwrap()
}

/// Clicks the element, again if the live page swapped it meanwhile.
pub(crate) async fn click(b: &Browser, css: &str) {
    for attempt in 0.. {
        let result = match b.client.find(Locator::Css(css)).await {
            Ok(e) => e.click().await,
            Err(e) => Err(e),
        };
        match result {
            Ok(()) => return,
            Err(e) if attempt < 5 => {
                eprintln!("retrying a click on {css}: {e}");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(e) => panic!("cannot click {css}: {e}"),
        }
    }
}

/// Types into the element, again if the live page swapped it meanwhile.
pub(crate) async fn type_into(b: &Browser, css: &str, text: &str) {
    for attempt in 0.. {
        let result = match b.client.find(Locator::Css(css)).await {
            Ok(e) => e.send_keys(text).await,
            Err(e) => Err(e),
        };
        match result {
            Ok(()) => return,
            Err(e) if attempt < 5 => {
                eprintln!("retrying typing into {css}: {e}");
                js(b, &format!("(document.querySelector({css:?}) && (document.querySelector({css:?}).value = ''), true)")).await;
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(e) => panic!("cannot type into {css}: {e}"),
        }
    }
}

pub(crate) async fn log_in(b: &Browser, app: &TestApp, email: &str) {
    b.client.goto(&app.url("/login")).await.unwrap();
    type_into(b, "#email", email).await;
    type_into(b, "#password", PASSWORD).await;
    click(b, "form button[type=submit]").await;
    wait_js(b, "document.body.dataset.page === 'board'").await;
    wait_js(b, "document.body.dataset.live === 'open'").await;
}

/// Marks the page; the mark survives only as long as the page is not reloaded.
pub(crate) async fn mark(b: &Browser) {
    js(b, "(window.__noReload = 'still here', true)").await;
}

pub(crate) async fn assert_not_reloaded(b: &Browser) {
    assert_eq!(
        js(b, "window.__noReload").await,
        "still here",
        "the page reloaded"
    );
}

async fn send_cart(app: &TestApp, wamid: &str, wa_id: &str, name: &str) {
    let body = order_webhook(wamid, wa_id, name, &[("tea", 2, "249.50", "INR")]);
    assert_eq!(app.post_webhook(body.as_bytes()).await.status(), 200);
}

pub(crate) async fn shot(b: &Browser, name: &str) {
    let path = b.screenshot(name).await.unwrap();
    eprintln!("screenshot: {}", path.display());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_webhook_order_appears_live_escaped_with_its_address_and_payment() {
    let graph = GraphFake::start().await;
    // Speaks Razorpay's refund endpoint too: a refund is executed there.
    let (rzp_url, asked) = crate::refunds::razorpay_fake().await;
    let app = TestApp::spawn_configured(
        Backend::Sqlite,
        Some(&graph.url),
        &[
            ("PAYMENTS_PROVIDER", "razorpay"),
            ("RAZORPAY_KEY_ID", "rzp_test_orderdesk"),
            ("RAZORPAY_KEY_SECRET", "rzp_key_secret"),
            (
                "RAZORPAY_WEBHOOK_SECRET",
                crate::journey::RZP_WEBHOOK_SECRET,
            ),
            ("RAZORPAY_API_URL", &rzp_url),
        ],
    )
    .await;
    add_user(&app, "owner@shop.test", Role::Owner).await;
    // One order from before, so the board is not empty.
    send_cart(&app, "wamid.b-old", "919800000400", "Kavya Iyer").await;
    app.wait_for_orders(1).await;

    let b = browser(false).await;
    log_in(&b, &app, "owner@shop.test").await;
    mark(&b).await;
    assert_eq!(
        js(&b, "document.querySelectorAll('#cards .card').length").await,
        1
    );

    // 1. A cart from a customer whose name is markup: with a toast, without
    //    a reload, it waits in the new-orders bar (the card under the
    //    pointer stays put) and shows at the top, as text, on a click.
    send_cart(&app, "wamid.b-new", "919800000401", XSS_NAME).await;
    wait_js(&b, "!document.querySelector('#new-orders').hidden && document.querySelector('#new-orders').textContent === '1 new order — show'").await;
    assert_eq!(
        js(&b, "document.querySelector('#cards .card').id").await,
        "order-1001",
        "nothing moved before the click"
    );
    click(&b, "#new-orders").await;
    wait_js(&b, "document.querySelector('#cards .card') && document.querySelector('#cards .card').id === 'order-1002'").await;
    assert_eq!(
        js(&b, "document.querySelector('#new-orders').hidden").await,
        true
    );
    assert_not_reloaded(&b).await;
    assert_eq!(
        js(
            &b,
            "document.querySelector('#order-1002 .cust').textContent"
        )
        .await,
        XSS_NAME
    );
    assert_eq!(
        js(&b, "document.querySelectorAll('#cards img').length").await,
        0
    );
    assert!(b.client.get_alert_text().await.is_err(), "no script ran");
    let pay = "document.querySelector('#order-1002 .pay')";
    assert_eq!(
        js(&b, &format!("{pay}.getAttribute('aria-label')")).await,
        "Payment pending"
    );
    assert_eq!(
        js(&b, &format!("{pay}.getAttribute('title')")).await,
        "Payment pending"
    );
    wait_js(&b, "document.querySelector('.toast') && document.querySelector('.toast').textContent.includes('New order #1002')").await;
    wait_js(
        &b,
        "document.querySelector('[data-count=placed]').textContent === '2'",
    )
    .await;

    // 2. The customer fills in the address form: it lands on the card.
    let link = graph.wait_for(2, WAIT).await.iter().find_map(|r| {
        r.2["interactive"]["action"]["parameters"]["url"]
            .as_str()
            .filter(|u| u.contains("/address/"))
            .filter(|_| r.2["to"] == "919800000401")
            .map(str::to_owned)
    });
    let link = link.expect("an address link for the new customer");
    app.submit_address(&link).await;
    wait_js(&b, "(document.querySelector('#order-1002 .addr') || {}).textContent === 'Deliver to Kolkata 700016'").await;
    assert_not_reloaded(&b).await;

    // 3. It is paid through Razorpay: the ring becomes a green tick.
    let body = crate::journey::payment_link_paid("plink_1002x1", "1002-1", 49900);
    // Wait for the payment link to exist before paying it.
    let number = orderdesk_domain::OrderNumber::new(1002).unwrap();
    for _ in 0..200 {
        if app
            .store
            .order(number)
            .await
            .unwrap()
            .payment_reference
            .is_some()
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let signature = orderdesk_payments::razorpay::sign_webhook(
        crate::journey::RZP_WEBHOOK_SECRET,
        body.as_bytes(),
    );
    let r = app
        .client
        .post(app.url("/webhooks/razorpay"))
        .header("x-razorpay-signature", signature)
        .header("x-razorpay-event-id", "evt_browser_paid")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    wait_js(&b, &format!("{pay}.getAttribute('aria-label') === 'Paid'")).await;
    assert_eq!(
        js(&b, &format!("{pay}.getAttribute('title')")).await,
        "Paid"
    );
    assert_eq!(
        js(&b, &format!("{pay}.classList.contains('pay-paid')")).await,
        true
    );

    // 4. The customer's note lands too.
    app.tap_reply(
        "wamid.b-note-add",
        "919800000401",
        "note:add:1002",
        "Add a note",
    )
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let note = customer_message(
        "wamid.b-note",
        "919800000401",
        Some("Leave it with the guard"),
        None,
    );
    assert_eq!(app.post_webhook(note.as_bytes()).await.status(), 200);
    wait_js(&b, "(document.querySelector('#order-1002 .note') || {}).textContent === '✎ Leave it with the guard'").await;
    wait_js(
        &b,
        "document.querySelector('#order-1002').dataset.status === 'confirmed'",
    )
    .await;
    wait_js(
        &b,
        "document.querySelector('[data-count=confirmed]').textContent === '1'",
    )
    .await;
    wait_js(
        &b,
        "document.querySelector('[data-count=placed]').textContent === '1'",
    )
    .await;
    assert_not_reloaded(&b).await;
    shot(&b, "board-desktop").await;

    // Its window offers the one payment action left: recording a refund.
    b.client.goto(&app.url("/orders/1002")).await.unwrap();
    wait_js(&b, "document.body.dataset.live === 'open'").await;
    let actions = js(&b, "Array.from(document.querySelectorAll('form[data-payment-action]')).map(f => f.dataset.paymentAction)").await;
    assert_eq!(actions, json!(["refund"]));
    // The refund dialog opens from its summary unless the order is owed
    // back (rejected or cancelled after payment), when it is open already.
    if js(&b, "document.querySelector('#refund-dialog').open").await == json!(false) {
        click(&b, "#refund-dialog summary").await;
    }
    type_into(&b, "#pay-refund-reason", "out of stock after all").await;
    click(&b, "form[data-payment-action=refund] button").await;
    wait_js(
        &b,
        "document.querySelector('#order-summary .pay').getAttribute('aria-label') === 'Refunded'",
    )
    .await;
    assert_eq!(
        app.get("/api/v1/orders/1002").await.1["payment_status"],
        "refunded"
    );
    let refunded_at_razorpay = asked.lock().unwrap().iter().any(|(path, _, body)| {
        path == "/v1/payments/pay_TEST0000000001/refund" && body["amount"] == 49900
    });
    assert!(refunded_at_razorpay, "the refund was not asked of Razorpay");

    // The same board on a phone: cards stack in one column.
    let phone = browser(true).await;
    log_in(&phone, &app, "owner@shop.test").await;
    let lefts = js(&phone, "Array.from(document.querySelectorAll('#cards .card')).map(c => Math.round(c.getBoundingClientRect().left))").await;
    let lefts = lefts.as_array().unwrap();
    assert!(
        lefts.windows(2).all(|w| w[0] == w[1]),
        "one column: {lefts:?}"
    );
    let overflow = js(
        &phone,
        "document.documentElement.scrollWidth <= window.innerWidth",
    )
    .await;
    assert_eq!(overflow, true, "nothing wider than the phone");
    shot(&phone, "board-phone").await;
    phone.close().await.unwrap();
    b.close().await.unwrap();
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_cannot_open_users_and_a_post_without_csrf_is_refused() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    add_user(&app, "agent@shop.test", Role::Agent).await;
    send_cart(&app, "wamid.c-cart", "919800000600", "Anil").await;
    app.wait_for_orders(1).await;
    let b = browser(false).await;
    log_in(&b, &app, "agent@shop.test").await;
    assert_eq!(
        js(&b, "!!document.querySelector('a[href=\"/users\"]')").await,
        false
    );
    b.client.goto(&app.url("/users")).await.unwrap();
    wait_js(&b, "document.querySelector('h1') && document.querySelector('h1').textContent === 'Not allowed'").await;
    assert_eq!(
        js(&b, "document.body.textContent.includes('Add a user')").await,
        false
    );

    // The browser's own cookie, but no token: 403, and the order stays put.
    b.client.goto(&app.url("/orders")).await.unwrap();
    let status = b
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             fetch('/orders/1001/status', {method: 'POST', credentials: 'same-origin',
               headers: {'content-type': 'application/x-www-form-urlencoded'},
               body: 'to=cancelled&reason=forged'}).then(r => done(r.status), () => done(0));",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(status, 403);
    let (_, order) = app.get("/api/v1/orders/1001").await;
    assert_eq!(order["status"], "placed");
    b.close().await.unwrap();
    app.stop().await;
}

/// Polls `expr` for up to `within` (longer than [`wait_js`]: a reconnect
/// may wait out the page's back-off).
async fn wait_js_for(b: &Browser, expr: &str, within: Duration) {
    let deadline = tokio::time::Instant::now() + within;
    while js(b, expr).await != json!(true) {
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for `{expr}`"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_board_catches_up_after_a_network_drop_without_a_reload() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    add_user(&app, "owner@shop.test", Role::Owner).await;
    let server_port: u16 = app
        .url("")
        .rsplit_once(':')
        .unwrap()
        .1
        .trim_end_matches('/')
        .parse()
        .unwrap();
    // The browser reaches the server only through this proxy: the network.
    let network = orderdesk_testkit::proxy::TcpProxy::start(server_port)
        .await
        .unwrap();
    let via = |path: &str| format!("http://127.0.0.1:{}{path}", network.port);

    let b = browser(false).await;
    b.client.goto(&via("/login")).await.unwrap();
    type_into(&b, "#email", "owner@shop.test").await;
    type_into(&b, "#password", PASSWORD).await;
    click(&b, "form button[type=submit]").await;
    wait_js(&b, "document.body.dataset.live === 'open'").await;
    send_cart(&app, "wamid.drop-1", "919800000601", "Before the drop").await;
    wait_js(
        &b,
        "document.querySelector('li.card[data-number=\"1001\"]')",
    )
    .await;
    mark(&b).await;

    // The network goes away; two orders arrive meanwhile.
    network.set_up(false);
    wait_js(&b, "document.body.dataset.live !== 'open'").await;
    send_cart(&app, "wamid.drop-2", "919800000602", "During the drop").await;
    send_cart(&app, "wamid.drop-3", "919800000603", "Also during").await;
    app.wait_for_orders(3).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        js(&b, "document.querySelectorAll('li.card').length").await,
        1,
        "nothing can arrive while the network is down"
    );

    // Back: the page reconnects from the last event it saw and replays the
    // two it missed — each once, held in the new-orders bar, then in place
    // on a click, without a reload.
    network.set_up(true);
    wait_js_for(
        &b,
        "document.querySelector('#new-orders').dataset.held === '2'",
        Duration::from_secs(30),
    )
    .await;
    click(&b, "#new-orders").await;
    wait_js_for(
        &b,
        "!!document.querySelector('li.card[data-number=\"1003\"]') && !!document.querySelector('li.card[data-number=\"1002\"]')",
        Duration::from_secs(30),
    )
    .await;
    wait_js(&b, "document.body.dataset.live === 'open'").await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        js(
            &b,
            "Array.from(document.querySelectorAll('li.card')).map(c => c.dataset.number)"
        )
        .await,
        json!(["1003", "1002", "1001"]),
        "newest first, none twice"
    );
    assert_eq!(
        js(
            &b,
            "document.querySelector('[data-count=placed]').textContent"
        )
        .await,
        "3"
    );
    assert_not_reloaded(&b).await;
    shot(&b, "board-after-network-drop").await;
    b.close().await.unwrap();
    app.stop().await;
}
