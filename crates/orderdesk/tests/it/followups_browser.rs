//! The cash-on-delivery confirmation and the rating on the phone
//! simulator's page (as `orderdesk demo` runs them) and on the order
//! window, in headless Chromium: the phone taps Confirm and a row of the
//! rating list; the order window shows where the confirmation stands and
//! the rating with its comment. Screenshots (desktop and 412 px) go to
//! `target/screenshots/followups/`.

use orderdesk_store::Role;
use serde_json::json;

use crate::browser::{browser, click, js, log_in, shot, wait_js};
use crate::dashboard::add_user;
use crate::helpers::simulator::{add_customer, open_phone, phone_shows, send_first_cart};
use crate::helpers::{Backend, TestApp};
use crate::journey::order_when;

async fn tap_button(phone: &orderdesk_testkit::browser::Browser, id: &str) {
    let sel = format!("[data-test=reply-button][data-button-id='{id}']");
    wait_js(phone, &format!("document.querySelector(\"{sel}\")")).await;
    click(phone, &sel).await;
}

/// The order window at 412 px, scrolled to `id`.
async fn small_order(app: &TestApp, n: i64, id: &str, name: &str) {
    let small = orderdesk_testkit::browser::Browser::sized(412, 915, true)
        .await
        .unwrap();
    log_in(&small, app, "owner@shop.test").await;
    small
        .client
        .goto(&app.url(&format!("/orders/{n}")))
        .await
        .unwrap();
    wait_js(&small, &format!("document.getElementById('{id}')")).await;
    // Below the sticky Order / Chat tabs, with its label in view.
    js(
        &small,
        &format!("(window.scrollTo(0, document.getElementById('{id}').getBoundingClientRect().top + window.scrollY - 160), true)"),
    )
    .await;
    shot(&small, name).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_phone_confirms_cash_on_delivery_and_rates_and_the_order_window_shows_both() {
    // The demo's follow-up settings, with the rating asked at once.
    let mut settings: Vec<(&str, &str)> = orderdesk::cli::DEMO_FOLLOWUPS
        .into_iter()
        .filter(|(k, _)| *k != "ORDERDESK_FEEDBACK_AFTER")
        .collect();
    settings.push(("ORDERDESK_FEEDBACK_AFTER", "1s"));
    let (app, _sim) = TestApp::spawn_with_phone(Backend::Sqlite, &settings).await;
    add_user(&app, "owner@shop.test", Role::Owner).await;
    let wa = add_customer(&app, "Kavya Nair", "+91 98450 77777").await;
    let n = send_first_cart(&app, &wa, "tea-assam-250", 1).await;
    // The address form link, as the phone received it.
    let mut link = None;
    for _ in 0..200 {
        let (_, body) = app
            .get(&format!("/simulator/api/customers/{wa}/thread?after=0"))
            .await;
        link = body["messages"]
            .as_array()
            .into_iter()
            .flatten()
            .find_map(|m| m["link"]["url"].as_str().map(str::to_owned));
        if link.is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let link = link.expect("the address link reached the phone");
    app.submit_address(&link).await;

    let phone = open_phone(&app, &wa).await;
    tap_button(&phone, &format!("pay:cod:{n}")).await;
    tap_button(&phone, &format!("note:skip:{n}")).await;
    phone_shows(&phone, "Please confirm your cash-on-delivery order").await;
    wait_js(
        &phone,
        &format!("document.querySelector(\"[data-button-id='cod:confirm:{n}']\")"),
    )
    .await;
    shot(&phone, "followups/01-cod-question-phone").await;

    // The order window: Approve waits for the customer.
    let desk = browser(false).await;
    log_in(&desk, &app, "owner@shop.test").await;
    desk.client
        .goto(&app.url(&format!("/orders/{n}")))
        .await
        .unwrap();
    wait_js(&desk, "document.getElementById('order-cod-confirmation')").await;
    assert_eq!(
        js(
            &desk,
            "document.getElementById('order-cod-confirmation').dataset.state"
        )
        .await,
        "asked"
    );
    shot(&desk, "followups/02-order-cod-asked-desktop").await;
    small_order(
        &app,
        n,
        "order-cod-confirmation",
        "followups/03-order-cod-asked-412",
    )
    .await;

    // The customer confirms on the phone.
    tap_button(&phone, &format!("cod:confirm:{n}")).await;
    phone_shows(&phone, "is confirmed and we are preparing it").await;
    shot(&phone, "followups/04-cod-confirmed-phone").await;
    order_when(&app, n, |o| o["cod_confirmation"] == "confirmed").await;
    for status in ["approved", "processed", "shipped", "delivered"] {
        let (s, b) = app.move_order(n, json!({ "status": status })).await;
        assert_eq!(s, 200, "{b}");
    }

    // The rating list a second later: the phone opens it and picks 5.
    wait_js(&phone, "document.querySelector('[data-test=list-open]')").await;
    click(&phone, "[data-test=list-open]").await;
    let row = format!("[data-test=list-row][data-row-id='rate:5:{n}']");
    wait_js(&phone, &format!("document.querySelector(\"{row}\")")).await;
    shot(&phone, "followups/05-rating-list-phone").await;
    click(&phone, &row).await;
    phone_shows(&phone, "5/5").await;
    js(
        &phone,
        "(document.querySelector('[data-test=text-input]').value = 'Lovely tea, quick delivery', true)",
    )
    .await;
    click(&phone, "[data-test=send-text]").await;
    phone_shows(&phone, "Thank you for your feedback").await;
    shot(&phone, "followups/06-rated-phone").await;
    order_when(&app, n, |o| o["feedback"]["state"] == "done").await;

    desk.client
        .goto(&app.url(&format!("/orders/{n}")))
        .await
        .unwrap();
    wait_js(&desk, "document.getElementById('order-feedback-comment')").await;
    assert_eq!(
        js(&desk, "document.getElementById('order-rating').textContent").await,
        "5/5"
    );
    shot(&desk, "followups/07-order-feedback-desktop").await;
    small_order(&app, n, "order-feedback", "followups/08-order-feedback-412").await;
}
