//! The board's unread marker in real headless Chromium (#14): a customer
//! mid-checkout types their address into the chat; the bot keeps it and
//! asks for the form again, yet their card is marked "Unread" live, on the
//! desktop and at 412 px, with a toast. The marker opens the conversation in the inbox,
//! with a "Create order" link beside the customer's orders, and a reply
//! there clears the marker live; its ticks turn blue in the inbox as the
//! customer reads it, without a reload. Screenshots go to
//! `target/screenshots/inbox_board/`.

use orderdesk_store::Role;
use orderdesk_testkit::browser::Browser;

use crate::browser::{assert_not_reloaded, browser, click, js, log_in, mark, shot, wait_js};
use crate::dashboard::add_user;
use crate::helpers::simulator::{add_customer, open_phone, phone_shows, send_first_cart};
use crate::helpers::{Backend, TestApp};

const TYPED: &str = "My address is 12 MG Road, Bengaluru 560001";
const ANSWER: &str = "Thanks Kavya, I've put that address on your order.";

/// `b` shows the board, live.
async fn on_the_board(b: &Browser, app: &TestApp, n: i64) {
    b.client.goto(&app.url("/orders")).await.unwrap();
    wait_js(
        b,
        &format!("document.body.dataset.live === 'open' && document.getElementById('order-{n}')"),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_text_the_bot_could_not_use_marks_the_card_live_until_staff_answer() {
    let (app, _sim) = TestApp::spawn_with_phone(Backend::Sqlite, &[]).await;
    add_user(&app, "owner@shop.test", Role::Owner).await;
    let wa = add_customer(&app, "Kavya Rao", "+91 98450 55555").await;
    let n = send_first_cart(&app, &wa, "tea-assam-250", 2).await;

    let desk = browser(false).await;
    log_in(&desk, &app, "owner@shop.test").await;
    on_the_board(&desk, &app, n).await;
    let small = Browser::sized(412, 915, true).await.unwrap();
    log_in(&small, &app, "owner@shop.test").await;
    on_the_board(&small, &app, n).await;
    let badge = format!("document.querySelector('#order-{n} .card-unread')");
    assert_eq!(js(&desk, &format!("!!{badge}")).await, false);

    // The customer types the address into the chat: the bot keeps it and
    // asks for the form once more, and the card is marked at once.
    let (status, body) = app
        .post(
            &format!("/simulator/api/customers/{wa}/text"),
            &serde_json::json!({ "text": TYPED }),
        )
        .await;
    assert!(status.is_success(), "{body}");
    wait_js(&desk, &badge).await;
    wait_js(&small, &badge).await;
    wait_js(
        &desk,
        "Array.from(document.querySelectorAll('.toast')).some(t => t.textContent.includes('New message from Kavya Rao: the bot could not answer them'))",
    )
    .await;
    // The customer's key (their WhatsApp user id) names the conversation.
    let (_, list) = app.get("/api/v1/conversations").await;
    let key = list["conversations"][0]["key"].as_str().unwrap().to_owned();
    assert_eq!(
        js(&desk, &format!("{badge}.getAttribute('href')")).await,
        format!("/inbox?c={key}")
    );
    shot(&desk, "inbox_board/01-card-unread-desktop").await;
    shot(&small, "inbox_board/02-card-unread-412").await;

    // The marker opens the conversation, where another order can be started.
    click(&desk, &format!("#order-{n} .card-unread")).await;
    wait_js(
        &desk,
        "document.querySelector('#reply-text') && document.getElementById('create-order')",
    )
    .await;
    let href = js(
        &desk,
        "document.getElementById('create-order').getAttribute('href')",
    )
    .await;
    assert!(
        href.as_str()
            .is_some_and(|h| h.starts_with(&format!("/orders/new?wa_id={wa}&name=Kavya"))),
        "{href}"
    );
    assert_eq!(
        js(
            &desk,
            "document.querySelector('.thread .msg-in .text').textContent"
        )
        .await,
        TYPED
    );
    shot(&desk, "inbox_board/03-inbox-create-order-desktop").await;

    // Staff answer: the marker goes from the other board, live, and the
    // reply's ticks follow the customer's phone without a reload.
    let phone = open_phone(&app, &wa).await;
    js(
        &desk,
        &format!("(document.getElementById('reply-text').value = {ANSWER:?}, true)"),
    )
    .await;
    click(&desk, "#reply-form button[type=submit]").await;
    wait_js(&small, &format!("!{badge}")).await;
    let reply = format!(
        "Array.from(document.querySelectorAll('.thread .msg-out')).find(m => m.textContent.includes({ANSWER:?}))"
    );
    wait_js(&desk, &reply).await;
    mark(&desk).await;
    phone_shows(&phone, ANSWER).await;
    wait_js(&desk, &format!("{reply}.querySelector('.tick-read')")).await;
    assert_not_reloaded(&desk).await;
    shot(&desk, "inbox_board/04-reply-read-desktop").await;
    shot(&small, "inbox_board/04-answered-board-412").await;
    small
        .client
        .goto(&app.url(&format!("/inbox?c={wa}")))
        .await
        .unwrap();
    wait_js(&small, "document.getElementById('create-order')").await;
    // Below the thread on a phone: scrolled to, as staff would.
    js(
        &small,
        "(document.getElementById('create-order').scrollIntoView({block: 'center'}), true)",
    )
    .await;
    shot(&small, "inbox_board/05-inbox-create-order-412").await;
}
