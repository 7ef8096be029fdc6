//! The first-run setup in real headless Chromium (#20 item 3): a new owner
//! follows the banner to `/setup`, copies what Meta needs, saves the
//! number's details, sends a test message that the phone simulator
//! receives, and sees "Webhook received ✓" appear without a reload when
//! Meta's handshake arrives; then runs the checks on `/settings`.
//! Screenshots at 1280 px and 412 px go to `target/screenshots/setup/`.

use std::time::Duration;

use orderdesk_store::Role;
use orderdesk_testkit::browser::Browser;

use crate::browser::{
    assert_not_reloaded, browser, click, js, log_in, mark, shot, type_into, wait_js,
};
use crate::dashboard::add_user;
use crate::helpers::{standalone_phone, Backend, TestApp};

const NUMBER_ID: &str = "106540352242922";
const TOKEN: &str = "EAAG-browser-token";
const SECRET: &str = "browser-app-secret";

async fn narrow() -> Browser {
    Browser::sized(412, 915, true)
        .await
        .unwrap_or_else(|e| panic!("a headless Chromium is needed for the browser tests: {e:#}"))
}

async fn no_horizontal_scroll(b: &Browser, what: &str) {
    let fits = js(
        b,
        "document.documentElement.scrollWidth <= window.innerWidth",
    )
    .await;
    assert_eq!(fits, true, "{what} scrolls sideways at 412 px");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_owner_connects_whatsapp_in_the_browser() {
    let (graph, start_phone) = standalone_phone(NUMBER_ID, TOKEN, SECRET).await;
    let app = TestApp::spawn_unconnected(Backend::Sqlite, &graph).await;
    let sim = start_phone(&app.base);
    add_user(&app, "owner@shop.test", Role::Owner).await;

    // At 412 px first, as most sellers will see it.
    let phone = narrow().await;
    log_in(&phone, &app, "owner@shop.test").await;
    wait_js(&phone, "document.getElementById('setup-banner')").await;
    shot(&phone, "setup/01-banner-412").await;
    no_horizontal_scroll(&phone, "the board with the banner").await;
    phone.client.goto(&app.url("/setup")).await.unwrap();
    wait_js(&phone, "document.body.dataset.page === 'setup'").await;
    shot(&phone, "setup/02-start-412").await;
    no_horizontal_scroll(&phone, "the setup page").await;

    let b = browser(false).await;
    log_in(&b, &app, "owner@shop.test").await;
    click(&b, "#setup-banner a").await;
    wait_js(&b, "document.body.dataset.page === 'setup'").await;
    assert_eq!(
        js(&b, "document.querySelectorAll('button[data-copy]').length").await,
        2
    );
    let url = js(&b, "document.getElementById('webhook-url').value").await;
    assert_eq!(url, format!("{}/webhooks/whatsapp", app.base));
    let token = js(&b, "document.getElementById('verify-token').value").await;
    let token = token.as_str().unwrap().to_owned();
    assert!(token.starts_with("odk-verify-"), "{token}");
    click(&b, "button[data-copy='verify-token']").await;
    wait_js(
        &b,
        "document.querySelector(\"button[data-copy='verify-token']\").textContent === 'Copied ✓'",
    )
    .await;
    assert_eq!(
        js(&b, "document.querySelector('#test-form button').disabled").await,
        true,
        "nothing to send with yet"
    );
    shot(&b, "setup/03-start-desktop").await;

    type_into(&b, "#f-phone_number_id", NUMBER_ID).await;
    type_into(
        &b,
        "#f-business_account_id",
        orderdesk_phone::DEMO_BUSINESS_ACCOUNT_ID,
    )
    .await;
    type_into(&b, "#f-access_token", TOKEN).await;
    type_into(&b, "#f-app_secret", SECRET).await;
    click(&b, "#setup-form button[type=submit]").await;
    wait_js(&b, "document.body.textContent.includes('Saved.')").await;
    assert_eq!(
        js(&b, "document.getElementById('f-access_token').value").await,
        ""
    );
    assert!(!js(&b, "document.body.innerHTML")
        .await
        .as_str()
        .unwrap()
        .contains(TOKEN));

    mark(&b).await;
    type_into(&b, "#test-to", "+91 98123 45601").await;
    click(&b, "#test-form button[type=submit]").await;
    wait_js(
        &b,
        "document.getElementById('test-result').textContent.startsWith('Sent ✓')",
    )
    .await;
    let thread = sim
        .thread("919812345601", 0)
        .expect("the phone received the test message");
    assert_eq!(thread.messages[0].kind, "template");

    // Meta's verification call, from outside the browser.
    assert!(
        js(&b, "document.getElementById('webhook-status').textContent")
            .await
            .as_str()
            .unwrap()
            .starts_with("Waiting")
    );
    let r = app
        .client
        .get(app.url(&format!(
            "/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token={token}&hub.challenge=99"
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    wait_js(
        &b,
        "document.getElementById('webhook-status').textContent.startsWith('Webhook received ✓')",
    )
    .await;
    assert_not_reloaded(&b).await;
    shot(&b, "setup/04-connected-desktop").await;

    // The checks and status panels on /settings.
    b.client.goto(&app.url("/settings")).await.unwrap();
    wait_js(&b, "document.getElementById('doctor-run')").await;
    click(&b, "#doctor-run").await;
    let deadline = Duration::from_secs(20);
    let started = tokio::time::Instant::now();
    loop {
        let n = js(&b, "document.querySelectorAll('#doctor-checks li').length").await;
        if n.as_u64().unwrap_or(0) > 3 {
            break;
        }
        assert!(started.elapsed() < deadline, "the checks did not show");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let number = js(
        &b,
        "document.querySelector(\"#doctor-checks li[data-check='whatsapp_number']\").className",
    )
    .await;
    assert_eq!(number, "check-ok");
    shot(&b, "setup/05-settings-desktop").await;

    phone.client.goto(&app.url("/setup")).await.unwrap();
    wait_js(
        &phone,
        "document.getElementById('webhook-status').textContent.startsWith('Webhook received ✓')",
    )
    .await;
    shot(&phone, "setup/06-connected-412").await;
    no_horizontal_scroll(&phone, "the connected setup page").await;
    phone.client.goto(&app.url("/settings")).await.unwrap();
    wait_js(&phone, "document.getElementById('whatsapp-status')").await;
    click(&phone, "#doctor-run").await;
    wait_js(
        &phone,
        "document.querySelectorAll('#doctor-checks li').length > 3",
    )
    .await;
    shot(&phone, "setup/07-settings-412").await;
    no_horizontal_scroll(&phone, "the settings page").await;

    b.close().await.unwrap();
    phone.close().await.unwrap();
    app.stop().await;
}
