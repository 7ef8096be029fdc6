//! A customer mid-checkout who types instead of using the form, in real
//! headless Chromium with the phone simulator's page: the phone shows the
//! bot's "Talk to a person" button after the second text, the tap reaches
//! the inbox live with a toast, the bot falls silent until staff hand back,
//! and the order window shows the address as typed with a Copy button.
//! Screenshots (desktop and 412 px) go to `target/screenshots/off_script/`.

use orderdesk_store::Role;

use crate::browser::{browser, click, js, log_in, shot, wait_js};
use crate::dashboard::add_user;
use crate::helpers::simulator::{
    add_customer, open_phone, phone_shows, send_first_cart, BUSINESS_MESSAGES as BUSINESS,
};
use crate::helpers::{Backend, TestApp};

const TYPED: &str = "My address is 12 MG Road, Bengaluru 560001";

/// Types `text` on the phone page and sends it.
pub(crate) async fn type_on_phone(phone: &orderdesk_testkit::browser::Browser, text: &str) {
    js(
        phone,
        &format!("(document.querySelector('[data-test=text-input]').value = {text:?}, true)"),
    )
    .await;
    click(phone, "[data-test=send-text]").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_stuck_at_the_address_step_taps_talk_to_a_person_and_reaches_the_inbox() {
    let (app, _sim) = TestApp::spawn_with_phone(Backend::Sqlite, &[]).await;
    add_user(&app, "owner@shop.test", Role::Owner).await;
    let wa = add_customer(&app, "Rohan Menon", "+91 98450 66666").await;
    let n = send_first_cart(&app, &wa, "tea-assam-250", 2).await;

    let desk = browser(false).await;
    log_in(&desk, &app, "owner@shop.test").await;
    desk.client.goto(&app.url("/inbox")).await.unwrap();
    wait_js(&desk, "document.body.dataset.live === 'open'").await;

    let phone = open_phone(&app, &wa).await;
    // The order's first message: the address form link.
    wait_js(&phone, &format!("{BUSINESS} === 1")).await;

    // The address typed into the chat: kept, and the form asked for once more.
    type_on_phone(&phone, TYPED).await;
    wait_js(&phone, &format!("{BUSINESS} === 3")).await;
    type_on_phone(&phone, "hello?").await;
    let offer = "document.querySelector('[data-test=reply-button][data-button-id=handover]')";
    wait_js(&phone, offer).await;
    assert_eq!(
        js(&phone, &format!("{offer}.textContent")).await,
        "↩ Talk to a person"
    );
    shot(&phone, "off_script/01-offer-phone").await;

    // The tap reaches a person: a toast in the inbox, the customer told.
    click(&phone, "[data-test=reply-button][data-button-id=handover]").await;
    wait_js(
        &desk,
        "Array.from(document.querySelectorAll('.toast')).some(t => t.textContent.includes('Rohan Menon wants to talk to a person'))",
    )
    .await;
    let row = format!("li.conv[data-wa-id='{wa}']");
    wait_js(
        &desk,
        &format!("document.querySelector(\"{row}\") && document.querySelector(\"{row}\").dataset.handover === 'true'"),
    )
    .await;
    phone_shows(&phone, "A person from our team").await;
    shot(&desk, "off_script/02-handover-inbox-desktop").await;

    // The bot is silent now: the next text only reaches staff.
    let before = js(&phone, BUSINESS).await;
    type_on_phone(&phone, "It is the blue gate").await;
    wait_js(
        &desk,
        &format!("document.querySelector(\"{row}\") && document.querySelector(\"{row}\").textContent.includes('blue gate')"),
    )
    .await;
    tokio::time::sleep(std::time::Duration::from_millis(700)).await;
    assert_eq!(js(&phone, BUSINESS).await, before, "the bot said something");

    // The order window shows what was typed, to copy into the address.
    desk.client
        .goto(&app.url(&format!("/orders/{n}")))
        .await
        .unwrap();
    wait_js(&desk, "document.getElementById('address-typed')").await;
    assert_eq!(
        js(
            &desk,
            "document.getElementById('address-typed').textContent"
        )
        .await,
        format!("{TYPED}\nhello?")
    );
    click(&desk, "#copy-address-typed").await;
    wait_js(
        &desk,
        "document.getElementById('address-typed-status').textContent.length > 0",
    )
    .await;
    shot(&desk, "off_script/03-order-typed-desktop").await;
    let small = orderdesk_testkit::browser::Browser::sized(412, 915, true)
        .await
        .unwrap();
    log_in(&small, &app, "owner@shop.test").await;
    small
        .client
        .goto(&app.url(&format!("/orders/{n}")))
        .await
        .unwrap();
    wait_js(&small, "document.getElementById('address-typed')").await;
    js(
        &small,
        "(document.getElementById('order-address-typed').scrollIntoView(), true)",
    )
    .await;
    shot(&small, "off_script/04-order-typed-412").await;

    // Staff hand back: the bot answers the customer again.
    small
        .client
        .goto(&app.url(&format!("/inbox?c={wa}")))
        .await
        .unwrap();
    wait_js(&small, "document.querySelector('#reply-text')").await;
    shot(&small, "off_script/05-thread-412").await;
    click(&small, "form.inline input[value=hand_back] ~ button").await;
    wait_js(
        &small,
        "!document.querySelector('form.inline input[value=hand_back]')",
    )
    .await;
}
