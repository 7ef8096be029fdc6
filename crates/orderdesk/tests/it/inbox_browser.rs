//! The inbox (`/inbox`) in real headless Chromium, with the phone
//! simulator's page as the customer's phone: a customer with no order
//! writes, the inbox shows them live with a toast, staff open the
//! conversation (the customer's message turns blue-ticked) and reply (the
//! phone shows it). Screenshots (desktop and 412 px) go to
//! `target/screenshots/inbox/`.

use orderdesk_store::Role;

use crate::browser::{assert_not_reloaded, browser, click, js, log_in, mark, shot, wait_js};
use crate::dashboard::add_user;
use crate::helpers::simulator::{add_customer, open_phone};
use crate::helpers::{Backend, TestApp};

const QUESTION: &str = "Hi, do you deliver to Pune? Want to order 5 gift boxes for Diwali";
const ANSWER: &str = "Yes, we deliver to Pune in 3 days. Shall I start an order?";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_with_no_order_reaches_the_inbox_live_and_gets_an_answer_with_blue_ticks() {
    let (app, _sim) = TestApp::spawn_with_phone(Backend::Sqlite, &[]).await;
    add_user(&app, "owner@shop.test", Role::Owner).await;
    add_user(&app, "asha@shop.test", Role::Agent).await;
    let wa = add_customer(&app, "Kavya Rao", "+91 98450 77777").await;

    let desk = browser(false).await;
    log_in(&desk, &app, "owner@shop.test").await;
    click(&desk, "header nav a[href='/inbox']").await;
    wait_js(
        &desk,
        "document.body.dataset.page === 'inbox' && document.body.dataset.live === 'open'",
    )
    .await;
    assert!(js(&desk, "!!document.getElementById('inbox-empty')").await == true);
    mark(&desk).await;

    // The customer, who has no order, writes on the phone.
    let phone = open_phone(&app, &wa).await;
    wait_js(
        &phone,
        &format!("document.querySelector('[data-test=current-customer]') && document.querySelector('[data-test=current-customer]').dataset.waId === '{wa}'"),
    )
    .await;
    js(
        &phone,
        &format!("(document.querySelector('[data-test=text-input]').value = {QUESTION:?}, true)"),
    )
    .await;
    click(&phone, "[data-test=send-text]").await;

    // The inbox shows them at once, unread, with a toast; no reload.
    let row = format!("li.conv[data-wa-id='{wa}']");
    wait_js(
        &desk,
        &format!("document.querySelector(\"{row} .unread\") && document.querySelector(\"{row} .unread\").textContent === '1'"),
    )
    .await;
    wait_js(
        &desk,
        "Array.from(document.querySelectorAll('.toast')).some(t => t.textContent.includes('New message from Kavya Rao') && t.textContent.includes('Pune'))",
    )
    .await;
    assert_eq!(
        js(
            &desk,
            &format!("document.querySelector(\"{row}\").dataset.needsReply")
        )
        .await,
        "true"
    );
    assert_not_reloaded(&desk).await;
    shot(&desk, "inbox/01-new-customer-desktop").await;
    // The customer's message is delivered but nobody has read it yet.
    let ticks =
        "document.querySelector('[data-test=message][data-from=customer] [data-test=ticks]')";
    wait_js(
        &phone,
        &format!("{ticks} && {ticks}.dataset.status === 'delivered'"),
    )
    .await;

    // Staff open it: read, and the customer's ticks turn blue.
    click(&desk, &format!("{row} a")).await;
    wait_js(
        &desk,
        "document.querySelector('main.inbox') && document.querySelector('#reply-text')",
    )
    .await;
    assert_eq!(
        js(
            &desk,
            "document.querySelector('.thread .msg-in .text').textContent"
        )
        .await,
        QUESTION
    );
    assert_eq!(
        js(
            &desk,
            &format!("!!document.querySelector(\"{row} .unread\")")
        )
        .await,
        false
    );
    wait_js(&phone, &format!("{ticks}.dataset.status === 'read'")).await;

    // Assign it to a colleague, then reply.
    js(
        &desk,
        "(document.getElementById('assignee-select').value = 'asha@shop.test', true)",
    )
    .await;
    // The customer writes again before staff send their choice: the live
    // redraw keeps the colleague picked.
    let (status, body) = app
        .post(
            &format!("/simulator/api/customers/{wa}/text"),
            &serde_json::json!({"text": "Are you open on Sunday?"}),
        )
        .await;
    assert!(status.is_success(), "{body}");
    wait_js(
        &desk,
        "Array.from(document.querySelectorAll('.thread .msg-in .text')).some(t => t.textContent === 'Are you open on Sunday?')",
    )
    .await;
    assert_eq!(
        js(&desk, "document.getElementById('assignee-select').value").await,
        "asha@shop.test"
    );
    click(&desk, "#assign-form button[type=submit]").await;
    wait_js(
        &desk,
        "document.getElementById('assignee') && document.getElementById('assignee').textContent.includes('asha@shop.test')",
    )
    .await;
    js(
        &desk,
        &format!("(document.getElementById('reply-text').value = {ANSWER:?}, true)"),
    )
    .await;
    mark(&desk).await;
    click(&desk, "#reply-form button[type=submit]").await;
    wait_js(
        &phone,
        &format!("Array.from(document.querySelectorAll('[data-test=message][data-from=business] [data-test=message-text]')).some(t => t.textContent.includes({ANSWER:?}))"),
    )
    .await;
    // The reply shows in the thread, and the conversation no longer needs one.
    wait_js(
        &desk,
        &format!("Array.from(document.querySelectorAll('.thread .msg-out .text')).some(t => t.textContent === {ANSWER:?})"),
    )
    .await;
    wait_js(
        &desk,
        &format!("document.querySelector(\"{row}\").dataset.needsReply === 'false'"),
    )
    .await;
    assert_not_reloaded(&desk).await;
    shot(&desk, "inbox/02-answered-desktop").await;
    shot(&phone, "inbox/02-answered-phone").await;

    // The customer asks for a person: a toast, the conversation flagged,
    // the customer told; staff hand back with one click.
    js(
        &phone,
        "(document.querySelector('[data-test=text-input]').value = 'I want to talk to a person', true)",
    )
    .await;
    click(&phone, "[data-test=send-text]").await;
    wait_js(
        &desk,
        "Array.from(document.querySelectorAll('.toast')).some(t => t.textContent.includes('Kavya Rao wants to talk to a person'))",
    )
    .await;
    wait_js(
        &desk,
        &format!("document.querySelector(\"{row}\").dataset.handover === 'true'"),
    )
    .await;
    wait_js(
        &phone,
        "Array.from(document.querySelectorAll('[data-test=message][data-from=business] [data-test=message-text]')).some(t => t.textContent.includes('A person from our team'))",
    )
    .await;
    shot(&desk, "inbox/03-handover-desktop").await;
    click(&desk, "form.inline input[value=hand_back] ~ button").await;
    wait_js(
        &desk,
        &format!("document.querySelector(\"{row}\").dataset.handover === 'false'"),
    )
    .await;
    assert_not_reloaded(&desk).await;

    // The same page on a phone-sized dashboard.
    let small = orderdesk_testkit::browser::Browser::sized(412, 915, true)
        .await
        .unwrap();
    log_in(&small, &app, "asha@shop.test").await;
    small
        .client
        .goto(&app.url(&format!("/inbox?c={wa}")))
        .await
        .unwrap();
    wait_js(&small, "document.querySelector('#reply-text')").await;
    shot(&small, "inbox/04-answered-412").await;
    small.client.goto(&app.url("/inbox")).await.unwrap();
    wait_js(&small, "document.querySelector('li.conv')").await;
    shot(&small, "inbox/05-list-412").await;
}
