//! Typed orders on the phone simulator's page and at the desk (#21), in
//! real headless Chromium as `orderdesk demo` runs them: a customer types
//! an order, gets the draft with "Place order" / "Change", taps "Place
//! order" and the checkout follows; another taps "Change", the inbox shows
//! the draft, staff edit it and send it back, and the customer's phone
//! shows the new offer. Screenshots (desktop and 412 px) go to
//! `target/screenshots/typed_orders/`.

use orderdesk_store::Role;
use orderdesk_testkit::browser::Browser;
use serde_json::json;

use crate::browser::{browser, click, js, log_in, shot, wait_js};
use crate::dashboard::add_user;
use crate::demo_journey::{open_phone, phone_shows};
use crate::helpers::{Backend, TestApp};
use crate::off_script_browser::type_on_phone;

/// The newest reply button titled `title`, as a JS expression.
fn reply_button(title: &str) -> String {
    format!("Array.from(document.querySelectorAll('[data-test=reply-button]')).filter(b => b.textContent.includes({title:?})).pop()")
}

async fn customer(app: &TestApp, name: &str, phone: &str) -> String {
    let (status, c) = app
        .post(
            "/simulator/api/customers",
            &json!({"name": name, "phone": phone}),
        )
        .await;
    assert_eq!(status, 201, "{c}");
    c["wa_id"].as_str().unwrap().to_owned()
}

async fn small() -> Browser {
    Browser::sized(412, 915, true)
        .await
        .unwrap_or_else(|e| panic!("a headless Chromium is needed: {e:#}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_typed_order_on_the_phone_is_placed_or_changed_through_the_desk() {
    let mut settings = vec![("PAYMENTS_PROVIDER", "simulator")];
    settings.extend(orderdesk::cli::DEMO_SELLER);
    let (app, _sim) = TestApp::spawn_with_phone(Backend::Sqlite, &settings).await;
    add_user(&app, "owner@shop.test", Role::Owner).await;

    // 1. Typed, shown back as a draft, placed with a tap: the checkout follows.
    let ravi = customer(&app, "Ravi Menon", "+91 98123 45611").await;
    let phone = small().await;
    open_phone(&phone, &app, &ravi).await;
    type_on_phone(&phone, "1 masala chai, 2 ginger biscuits").await;
    wait_js(&phone, &reply_button("Place order")).await;
    phone_shows(&phone, "2 × Ginger Biscuits 200 g").await;
    shot(&phone, "typed_orders/01-draft-412").await;
    let wide = browser(false).await;
    open_phone(&wide, &app, &ravi).await;
    wait_js(&wide, &reply_button("Place order")).await;
    shot(&wide, "typed_orders/01-draft-desktop").await;

    js(
        &phone,
        &format!("({}.click(), true)", reply_button("Place order")),
    )
    .await;
    app.wait_for_orders(1).await;
    wait_js(
        &phone,
        "Array.from(document.querySelectorAll('[data-test=link-button]')).length > 0",
    )
    .await;
    phone_shows(&phone, "Thank you for your order #").await;
    shot(&phone, "typed_orders/02-placed-checkout-412").await;
    open_phone(&wide, &app, &ravi).await;
    phone_shows(&wide, "Thank you for your order #").await;
    shot(&wide, "typed_orders/02-placed-checkout-desktop").await;

    // 2. Another customer taps "Change": a person gets the draft.
    let asha = customer(&app, "Asha Rao", "+91 98123 45622").await;
    open_phone(&phone, &app, &asha).await;
    type_on_phone(
        &phone,
        "2 masala chai, 1 ginger biscuits, 1 jar of happiness",
    )
    .await;
    wait_js(&phone, &reply_button("Change")).await;
    js(
        &phone,
        &format!("({}.click(), true)", reply_button("Change")),
    )
    .await;
    phone_shows(&phone, "a person from our team will look").await;
    shot(&phone, "typed_orders/03-change-412").await;

    let desk = browser(false).await;
    log_in(&desk, &app, "owner@shop.test").await;
    desk.client
        .goto(&app.url(&format!("/inbox?c={asha}")))
        .await
        .unwrap();
    wait_js(&desk, "document.getElementById('typed-draft')").await;
    let unmatched = js(
        &desk,
        "document.getElementById('draft-unmatched').textContent",
    )
    .await;
    assert!(
        unmatched.as_str().unwrap().contains("1 jar of happiness"),
        "{unmatched}"
    );
    shot(&desk, "typed_orders/04-desk-draft-desktop").await;
    js(
        &desk,
        "(document.getElementById('typed-draft').scrollIntoView(), true)",
    )
    .await;
    shot(&desk, "typed_orders/04-desk-draft-buttons-desktop").await;
    let narrow = small().await;
    log_in(&narrow, &app, "owner@shop.test").await;
    narrow
        .client
        .goto(&app.url(&format!("/inbox?c={asha}")))
        .await
        .unwrap();
    wait_js(&narrow, "document.getElementById('typed-draft')").await;
    js(
        &narrow,
        "(document.getElementById('typed-draft').scrollIntoView(), true)",
    )
    .await;
    shot(&narrow, "typed_orders/04-desk-draft-412").await;

    // 3. Staff make it three packs of chai and send it back.
    js(
        &desk,
        "(document.querySelector('#draft-form input[name=line_qty]').value = '3', true)",
    )
    .await;
    // A message from the customer redraws the conversation live: the
    // quantity being typed stays.
    type_on_phone(&phone, "is it fresh?").await;
    wait_js(
        &desk,
        "document.querySelector('ol.chat') && document.querySelector('ol.chat').textContent.includes('is it fresh?')",
    )
    .await;
    assert_eq!(
        js(
            &desk,
            "document.querySelector('#draft-form input[name=line_qty]').value"
        )
        .await,
        "3"
    );
    click(&desk, "#draft-form button[type=submit]").await;
    wait_js(
        &desk,
        "document.querySelector('#draft-form input[name=line_qty]') && document.querySelector('#draft-form input[name=line_qty]').value === '3' && document.getElementById('draft-total')",
    )
    .await;
    // Two biscuits typed and sent at once: what is typed is saved first.
    js(
        &desk,
        "(document.querySelectorAll('#draft-form input[name=line_qty]')[1].value = '2', true)",
    )
    .await;
    click(&desk, "#draft-send").await;
    wait_js(
        &desk,
        "document.readyState === 'complete' && !document.getElementById('draft-form')",
    )
    .await;
    phone_shows(&phone, "3 × Masala Chai Blend 200 g").await;
    phone_shows(&phone, "2 × Ginger Biscuits 200 g").await;
    wait_js(&phone, &reply_button("Place order")).await;
    shot(&phone, "typed_orders/05-sent-back-412").await;
    shot(&desk, "typed_orders/05-sent-back-desk-desktop").await;

    js(
        &phone,
        &format!("({}.click(), true)", reply_button("Place order")),
    )
    .await;
    let orders = app.wait_for_orders(2).await;
    assert!(
        orders.iter().any(|o| o["items"][0]["quantity"] == 3),
        "{orders:?}"
    );
    // Their live pages hold connections open: closed before the server stops.
    for b in [phone, wide, desk, narrow] {
        b.close().await.unwrap();
    }
    app.stop().await;
}
