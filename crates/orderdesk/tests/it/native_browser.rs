//! Issue #19: the phone simulator walks the native flow in headless
//! Chromium, at 412 px and on a desktop. With native messages on, the
//! customer fills WhatsApp's own address form (a wrong PIN code first,
//! shown under its field), pays the `order_details` in WhatsApp (UPI),
//! sees the `order_status` when staff approve, then adds a product staff
//! sent from the chat to the cart and sends it: a second order.
//! Screenshots go to `target/screenshots/native/`.

use orderdesk_testkit::browser::Browser;
use serde_json::json;

use orderdesk_store::Role;

use crate::browser::{browser, click, js, log_in, shot, wait_js};
use crate::dashboard::add_user;
use crate::helpers::simulator::{
    add_customer, open_phone, send_first_cart, BUSINESS_MESSAGES as BUSINESS,
};
use crate::helpers::{Backend, TestApp};

/// Sets an input of the open address form.
async fn fill(phone: &Browser, field: &str, value: &str) {
    js(
        phone,
        &format!("(document.querySelector('[data-test=address-{field}]').value = {value:?}, true)"),
    )
    .await;
}

/// Opens the newest address form of the thread.
async fn open_newest_address_form(phone: &Browser) {
    js(
        phone,
        "(Array.from(document.querySelectorAll('[data-test=native-address]')).pop().click(), true)",
    )
    .await;
    wait_js(
        phone,
        "!document.querySelector('[data-test=address-sheet]').hidden",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_phone_fills_the_native_address_pays_in_whatsapp_and_orders_from_sent_products() {
    let (app, _sim) = TestApp::spawn_with_phone(
        Backend::Sqlite,
        &[
            ("ORDERDESK_NATIVE_MESSAGES", "on"),
            ("WHATSAPP_PAYMENT_CONFIGURATION", "chai-upi"),
            ("WHATSAPP_CATALOG_ID", orderdesk_phone::DEMO_CATALOG_ID),
        ],
    )
    .await;
    let wa = add_customer(&app, "Asha Rao", "+91 98222 00041").await;
    let n = send_first_cart(&app, &wa, "tea-assam-250", 2).await;

    let phone = open_phone(&app, &wa).await;
    wait_js(
        &phone,
        "document.querySelector('[data-test=native-address]')",
    )
    .await;
    shot(&phone, "native/01-address-message-phone").await;

    // WhatsApp's form, prefilled with the name; a PIN code too short first.
    open_newest_address_form(&phone).await;
    assert_eq!(
        js(
            &phone,
            "document.querySelector('[data-test=address-name]').value"
        )
        .await,
        "Asha Rao"
    );
    for (field, value) in [
        ("in_pin_code", "7000"),
        ("house_number", "4"),
        ("building_name", "Park Mansions"),
        ("address", "Park Street"),
        ("city", "Kolkata"),
        ("state", "West Bengal"),
    ] {
        fill(&phone, field, value).await;
    }
    shot(&phone, "native/02-address-form-phone").await;
    click(&phone, "[data-test=address-send]").await;

    // Answered field by field: the text, and the message under the field.
    wait_js(
        &phone,
        "document.querySelectorAll('[data-test=native-address]').length === 2",
    )
    .await;
    open_newest_address_form(&phone).await;
    let error = js(
        &phone,
        "document.querySelector('[data-test=address-error-in_pin_code]').textContent",
    )
    .await;
    assert!(
        error.as_str().unwrap().to_lowercase().contains("6"),
        "{error}"
    );
    assert_eq!(
        js(
            &phone,
            "document.querySelector('[data-test=address-city]').value"
        )
        .await,
        "Kolkata"
    );
    shot(&phone, "native/03-address-errors-phone").await;
    fill(&phone, "in_pin_code", "700016").await;
    click(&phone, "[data-test=address-send]").await;

    // The order_details: the order and Review and pay, paid in WhatsApp.
    wait_js(&phone, "document.querySelector('[data-test=native-pay]')").await;
    let total = js(
        &phone,
        "document.querySelector('[data-test=native-total]').textContent",
    )
    .await;
    assert!(total.as_str().unwrap().starts_with("Total ₹"), "{total}");
    shot(&phone, "native/04-order-details-phone").await;
    click(&phone, "[data-test=native-pay]").await;
    wait_js(
        &phone,
        "document.querySelector('[data-test=native-total]').textContent.includes('Paid')",
    )
    .await;
    let o = crate::journey::order_when(&app, n, |o| o["payment_status"] == "paid").await;
    assert_eq!(o["address"]["postal_code"], "700016");

    // Skip the note; staff approve: an order_status on the phone.
    let skip = format!("[data-test=reply-button][data-button-id='note:skip:{n}']");
    wait_js(&phone, &format!("document.querySelector(\"{skip}\")")).await;
    click(&phone, &skip).await;
    crate::journey::order_when(&app, n, |o| o["status"] == "confirmed").await;
    let (s, b) = app.move_order(n, json!({"status": "approved"})).await;
    assert_eq!(s, 200, "{b}");
    wait_js(
        &phone,
        "document.querySelector('[data-test=native-status][data-status=processing]')",
    )
    .await;
    shot(&phone, "native/05-order-status-phone").await;

    // Products from the chat: staff tick two on the order window…
    add_user(&app, "owner@shop.test", Role::Owner).await;
    let desk = browser(false).await;
    log_in(&desk, &app, "owner@shop.test").await;
    desk.client
        .goto(&app.url(&format!("/orders/{n}")))
        .await
        .unwrap();
    wait_js(&desk, "document.getElementById('send-products')").await;
    for id in ["tea-assam-250", "tea-masala-200"] {
        js(
            &desk,
            &format!("(document.querySelector(\"#products-form input[value='{id}']\").checked = true, true)"),
        )
        .await;
    }
    js(
        &desk,
        "(document.getElementById('send-products').scrollIntoView(), true)",
    )
    .await;
    shot(&desk, "native/06-send-products-desktop").await;
    let small = Browser::sized(412, 915, true).await.unwrap();
    log_in(&small, &app, "owner@shop.test").await;
    small
        .client
        .goto(&app.url(&format!("/orders/{n}")))
        .await
        .unwrap();
    click(&small, "#tab-chat").await;
    wait_js(&small, "document.getElementById('send-products')").await;
    js(
        &small,
        "(document.getElementById('send-products').scrollIntoView(), true)",
    )
    .await;
    shot(&small, "native/07-send-products-412").await;
    js(
        &desk,
        "(document.getElementById('products-form').requestSubmit(), true)",
    )
    .await;

    // …and the customer adds one to the cart and sends it: a new order.
    wait_js(
        &phone,
        "document.querySelectorAll('[data-test=native-product]').length === 2",
    )
    .await;
    shot(&phone, "native/08-product-list-phone").await;
    let before = js(&phone, BUSINESS).await;
    js(
        &phone,
        "(document.querySelector('[data-test=native-product][data-retailer-id=tea-masala-200] [data-test=native-add]').click(), true)",
    )
    .await;
    wait_js(&phone, "!document.querySelector('[data-test=cart]').hidden").await;
    click(&phone, "[data-test=send-cart]").await;
    let orders = app.wait_for_orders(2).await;
    assert_eq!(orders.len(), 2);
    wait_js(&phone, &format!("{BUSINESS} > {before}")).await;

    // The same thread on a desktop.
    desk.client
        .goto(&app.url(&format!("/phone?customer={wa}")))
        .await
        .unwrap();
    wait_js(&desk, "document.querySelector('[data-test=native-status]')").await;
    shot(&desk, "native/09-thread-desktop").await;
    // Not stopped: the open pages' long polls and event stream would hold
    // the graceful stop; the server goes with the test's runtime.
    drop(app);
}
