//! DESIGN §1 from both sides at once, as `orderdesk demo` runs it: the phone
//! simulator's page in one headless Chromium (a customer's phone) and the
//! dashboard in another (the business). Every step is a click or a typed
//! line in one window, and the other window must show it without a reload.
//! Screenshots of both sides at each step go to
//! `target/screenshots/journey/`.

use std::time::Duration;

use orderdesk_store::Role;
use serde_json::json;

use crate::browser::{
    assert_not_reloaded, browser, click, js, log_in, mark, shot, type_into, wait_js,
};
use crate::dashboard::add_user;
use crate::helpers::{Backend, TestApp};

/// Both sides, numbered in the order they were taken.
async fn shots(
    phone: &orderdesk_testkit::browser::Browser,
    desk: &orderdesk_testkit::browser::Browser,
    step: &str,
) {
    shot(phone, &format!("journey/{step}-phone")).await;
    shot(desk, &format!("journey/{step}-dashboard")).await;
}

/// Opens the phone page as `wa` and waits until its thread is live.
pub(crate) async fn open_phone(
    phone: &orderdesk_testkit::browser::Browser,
    app: &TestApp,
    wa: &str,
) {
    phone
        .client
        .goto(&app.url(&format!("/phone?customer={wa}")))
        .await
        .unwrap();
    wait_js(
        phone,
        &format!("document.querySelector('[data-test=current-customer]') && document.querySelector('[data-test=current-customer]').dataset.waId === '{wa}'"),
    )
    .await;
}

/// The href of the newest link button whose URL contains `part`.
async fn link_button(phone: &orderdesk_testkit::browser::Browser, part: &str) -> String {
    wait_js(
        phone,
        &format!("Array.from(document.querySelectorAll('[data-test=link-button]')).map(a => a.href).filter(h => h.includes('{part}')).pop()"),
    )
    .await
    .as_str()
    .unwrap()
    .to_owned()
}

/// Waits until a business message in the thread contains `text`.
pub(crate) async fn phone_shows(phone: &orderdesk_testkit::browser::Browser, text: &str) {
    wait_js(
        phone,
        &format!("Array.from(document.querySelectorAll('[data-test=message][data-from=business] [data-test=message-text]')).some(t => t.textContent.includes({text:?}))"),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_seed_journey_plays_live_between_the_phone_and_the_dashboard() {
    // Configured as `orderdesk demo` is: the simulator, and the demo seller.
    let mut settings = vec![("PAYMENTS_PROVIDER", "simulator")];
    settings.extend(orderdesk::cli::DEMO_SELLER);
    let (app, _sim) = TestApp::spawn_with_phone(Backend::Sqlite, &settings).await;
    add_user(&app, "owner@shop.test", Role::Owner).await;
    let (status, customer) = app
        .post(
            "/simulator/api/customers",
            &json!({"name": "Meera Iyer", "phone": "+91 98450 12345"}),
        )
        .await;
    assert_eq!(status, 201, "{customer}");
    let wa = customer["wa_id"].as_str().unwrap().to_owned();

    let desk = browser(false).await;
    log_in(&desk, &app, "owner@shop.test").await;
    mark(&desk).await;
    let phone = browser(true).await;
    open_phone(&phone, &app, &wa).await;
    shots(&phone, &desk, "01-start").await;

    // 1. The customer builds a cart from the catalog and sends it; the card
    //    appears on the board at once, with a toast, no reload.
    click(&phone, "[data-test=catalog-open]").await;
    click(
        &phone,
        "[data-test=product][data-retailer-id='tea-assam-250'] [data-test=add-to-cart]",
    )
    .await;
    click(&phone, "[data-test=cart-open]").await;
    click(&phone, "[data-test=send-cart]").await;
    wait_js(
        &desk,
        "document.querySelector('li.card[data-number=\"1001\"]')",
    )
    .await;
    wait_js(&desk, "document.querySelector('.toast')").await;
    wait_js(
        &desk,
        "document.querySelector('[data-count=placed]').textContent === '1'",
    )
    .await;
    assert_not_reloaded(&desk).await;
    assert_eq!(
        js(
            &desk,
            "document.querySelector('li.card[data-number=\"1001\"] .pay').getAttribute('aria-label')"
        )
        .await,
        "Payment pending"
    );
    shots(&phone, &desk, "02-cart-sent").await;

    // The business opens the order window and keeps it open from here on.
    click(&desk, "li.card[data-number=\"1001\"] a").await;
    wait_js(
        &desk,
        "document.body.dataset.live === 'open' && document.querySelector('#order-address')",
    )
    .await;
    mark(&desk).await;

    // 2–3. The bot's "Add address" link opens the hosted form; the address
    //      shows in the order window without a reload.
    let form = link_button(&phone, "/address/").await;
    phone.client.goto(&form).await.unwrap();
    for (field, value) in [
        ("name", "Meera Iyer"),
        ("phone", "+91 98450 12345"),
        ("line1", "14 Residency Road"),
        ("city", "Bengaluru"),
        ("state", "Karnataka"),
        ("postal_code", "560025"),
    ] {
        js(
            &phone,
            &format!("(document.querySelector('input[name={field}]').value = '', true)"),
        )
        .await;
        type_into(&phone, &format!("input[name={field}]"), value).await;
    }
    js(
        &phone,
        "(document.querySelector('input[name=country]').value = '', true)",
    )
    .await;
    type_into(&phone, "input[name=country]", "IN").await;
    shot(&phone, "journey/03-address-form-phone").await;
    click(&phone, "form button[type=submit]").await;
    wait_js(
        &desk,
        "document.querySelector('#order-address').textContent.includes('14 Residency Road')",
    )
    .await;
    assert_not_reloaded(&desk).await;
    shot(&desk, "journey/03-address-dashboard").await;

    // 4–5. The payment request opens the payment simulator; paying turns the
    //      indicator into a green tick.
    open_phone(&phone, &app, &wa).await;
    let pay = link_button(&phone, "/simulator/pay/").await;
    shot(&phone, "journey/04-payment-request-phone").await;
    phone.client.goto(&pay).await.unwrap();
    shot(&phone, "journey/04-payment-page-phone").await;
    click(&phone, "button[value=pay]").await;
    wait_js(
        &phone,
        "document.body.textContent.includes('Payment received')",
    )
    .await;
    wait_js(
        &desk,
        "document.querySelector('.pay[aria-label=Paid]') && document.querySelector('#order-payment').textContent.startsWith('Paid')",
    )
    .await;
    assert_not_reloaded(&desk).await;
    shots(&phone, &desk, "05-paid").await;

    // 6–7. Skip the note: the bot confirms and the stage moves by itself.
    open_phone(&phone, &app, &wa).await;
    phone_shows(&phone, "Payment received").await;
    wait_js(
        &phone,
        "document.querySelector(\"[data-test=reply-button][data-button-id='note:skip:1001']\")",
    )
    .await;
    click(
        &phone,
        "[data-test=reply-button][data-button-id='note:skip:1001']",
    )
    .await;
    wait_js(
        &desk,
        "document.querySelector('#order-stage').textContent === 'Confirmed'",
    )
    .await;
    phone_shows(&phone, "#1001").await;
    assert_not_reloaded(&desk).await;
    shots(&phone, &desk, "06-confirmed").await;

    // 8. Staff move it to Delivered; the phone hears about each stage.
    for (to, stage, says) in [
        ("approved", "Approved", "is approved"),
        ("processed", "Processed", "is packed"),
        ("shipped", "Shipped", "has shipped"),
        ("delivered", "Delivered", "has been delivered"),
    ] {
        if to == "shipped" {
            type_into(
                &desk,
                "form[data-move=shipped] input[name=tracking]",
                "https://track.test/AWB777",
            )
            .await;
        }
        click(&desk, &format!("form[data-move={to}] button")).await;
        wait_js(
            &desk,
            &format!("document.querySelector('#order-stage').textContent === '{stage}'"),
        )
        .await;
        phone_shows(&phone, says).await;
        shots(&phone, &desk, &format!("07-{to}")).await;
    }
    phone_shows(&phone, "https://track.test/AWB777").await;

    // 9. A chat reply from the order window arrives on the phone, and the
    //    customer's answer shows in the order window.
    type_into(&desk, "#reply-text", "Thank you, Meera! Enjoy the tea.").await;
    click(&desk, "#reply-form button[type=submit]").await;
    phone_shows(&phone, "Thank you, Meera! Enjoy the tea.").await;
    type_into(&phone, "[data-test=text-input]", "It arrived, lovely!").await;
    click(&phone, "[data-test=send-text]").await;
    wait_js(
        &desk,
        "Array.from(document.querySelectorAll('.msg-in .text')).some(t => t.textContent === 'It arrived, lovely!')",
    )
    .await;
    assert_not_reloaded(&desk).await;
    shots(&phone, &desk, "08-chat").await;

    let (_, order) = app.get("/api/v1/orders/1001").await;
    assert_eq!(order["status"], "delivered");
    assert_eq!(order["payment_status"], "paid");
    assert_eq!(order["address"]["city"], "Bengaluru");

    // 10. Staff refund part of it from the order window; the customer hears
    //     of it on the phone, and downloads the invoice, which names the
    //     demo seller and taxes the Bengaluru buyer across states (IGST).
    click(&desk, "#refund-dialog summary").await;
    js(
        &desk,
        "(document.querySelector('#pay-refund-amount').value = '', true)",
    )
    .await;
    type_into(&desk, "#pay-refund-amount", "10.00").await;
    type_into(&desk, "#pay-refund-reason", "one cup broke").await;
    click(&desk, "#refund-dialog button[type=submit]").await;
    phone_shows(&phone, "We have refunded").await;
    let (_, order) = app.get("/api/v1/orders/1001").await;
    assert_eq!(order["payment_status"], "partially_refunded");
    assert_eq!(order["refunded_minor"], 1000);
    // The order window offers the refund's credit note for download.
    let note = order["refunds"][0]["credit_note"].as_str().unwrap();
    let href = wait_js(
        &desk,
        "(document.querySelector('#payment-actions a.credit-note') || {}).pathname",
    )
    .await;
    assert_eq!(href, format!("/orders/1001/credit-notes/{note}.pdf"));
    shots(&phone, &desk, "09-refunded").await;
    let link = wait_js(
        &phone,
        "Array.from(document.querySelectorAll('[data-test=document]')).map(a => a.href).pop()",
    )
    .await;
    let pdf = app.client.get(link.as_str().unwrap()).send().await.unwrap();
    assert_eq!(pdf.status(), reqwest::StatusCode::OK);
    let text = crate::invoices::pdf_text(&pdf.bytes().await.unwrap());
    let invoice = order["invoice_number"].as_str().unwrap();
    for part in [
        invoice,
        "Chai & Co",
        "27AAACC1234D1Z5",
        "Pune 411002",
        "IGST 5%",
    ] {
        assert!(text.contains(part), "{part} missing from:\n{text}");
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    phone.close().await.unwrap();
    desk.close().await.unwrap();
    app.stop().await;
}
