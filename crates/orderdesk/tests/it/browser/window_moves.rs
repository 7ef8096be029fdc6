//! The order window in Chromium: the legal moves, the chat and notes, live.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_order_window_offers_legal_moves_chats_and_notes_live() {
    let graph = GraphFake::start().await;
    let app = TestApp::spawn_with(Backend::Sqlite, Some(&graph.url)).await;
    add_user(&app, "agent@shop.test", Role::Agent).await;
    send_cart(&app, "wamid.w-cart", "919800000500", "Rahul Mehta").await;
    app.wait_for_orders(1).await;
    graph.wait_for(1, WAIT).await;

    let b = browser(false).await;
    log_in(&b, &app, "agent@shop.test").await;
    b.client.goto(&app.url("/orders/1001")).await.unwrap();
    wait_js(&b, "document.body.dataset.live === 'open'").await;
    mark(&b).await;

    // Placed: only a manual confirmation (with a reason) and cancelling.
    let moves = js(
        &b,
        "Array.from(document.querySelectorAll('form[data-move]')).map(f => f.dataset.move)",
    )
    .await;
    assert_eq!(moves, json!(["confirmed", "cancelled"]));
    assert_eq!(
        js(
            &b,
            "!!document.querySelector('form[data-move=confirmed] input[name=reason][required]')"
        )
        .await,
        true
    );
    assert_eq!(
        js(&b, "document.body.textContent.includes('Mark shipped')").await,
        false
    );

    // A reply from the chat panel reaches WhatsApp (the Graph API fake) and
    // shows in the timeline without a reload.
    let before = graph.requests().len();
    type_into(&b, "#reply-text", "Hello Rahul, your tea ships tomorrow").await;
    click(&b, "#reply-form button[type=submit]").await;
    let sent = graph.wait_for(before + 1, WAIT).await;
    let reply = sent
        .iter()
        .find(|r| {
            r.2["type"] == "text" && r.2["text"]["body"] == "Hello Rahul, your tea ships tomorrow"
        })
        .expect("the reply was sent to the Graph API");
    assert_eq!(reply.2["to"], "919800000500");
    wait_js(&b, "Array.from(document.querySelectorAll('.msg-out .text')).some(t => t.textContent === 'Hello Rahul, your tea ships tomorrow')").await;
    wait_js(&b, "document.querySelector('.msg-out:last-child .tick') && document.querySelector('.msg-out:last-child .tick').getAttribute('aria-label') === 'Sent'").await;
    assert_eq!(
        js(&b, "document.querySelector('#reply-text').value").await,
        ""
    );

    // An inbound message appears live.
    let hello = customer_message(
        "wamid.w-hello",
        "919800000500",
        Some("<b>Thanks!</b>"),
        None,
    );
    assert_eq!(app.post_webhook(hello.as_bytes()).await.status(), 200);
    wait_js(&b, "Array.from(document.querySelectorAll('.msg-in .text')).some(t => t.textContent === '<b>Thanks!</b>')").await;

    // An internal note goes on the timeline and not to WhatsApp. (The bot's
    // answer to the message above may still be on its way, so the check is
    // on what was sent, not how much.)
    type_into(&b, "#note-text", "Asked to deliver after 6 pm").await;
    click(&b, "#note-form button[type=submit]").await;
    wait_js(&b, "Array.from(document.querySelectorAll('.ev-staff-note .detail')).some(d => d.textContent === 'Asked to deliver after 6 pm')").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        graph
            .requests()
            .iter()
            .all(|r| !r.2.to_string().contains("Asked to deliver")),
        "a note is never sent"
    );

    // Confirm by hand with a reason, then walk it to Delivered with buttons;
    // each step offers only what is legal next.
    type_into(
        &b,
        "form[data-move=confirmed] input[name=reason]",
        "paid by bank transfer",
    )
    .await;
    click(&b, "form[data-move=confirmed] button").await;
    wait_js(
        &b,
        "document.querySelector('#order-stage').textContent === 'Confirmed'",
    )
    .await;
    let moves = js(
        &b,
        "Array.from(document.querySelectorAll('form[data-move]')).map(f => f.dataset.move)",
    )
    .await;
    assert_eq!(
        moves,
        json!(["approved", "on_hold", "rejected", "cancelled"])
    );
    for (to, stage) in [
        ("approved", "Approved"),
        ("processed", "Processed"),
        ("shipped", "Shipped"),
    ] {
        if to == "shipped" {
            type_into(
                &b,
                "form[data-move=shipped] input[name=tracking]",
                "https://track.test/AWB123",
            )
            .await;
        }
        click(&b, &format!("form[data-move={to}] button")).await;
        wait_js(
            &b,
            &format!("document.querySelector('#order-stage').textContent === '{stage}'"),
        )
        .await;
    }
    assert_eq!(
        js(&b, "document.querySelector('#order-tracking').textContent").await,
        "https://track.test/AWB123"
    );
    js(&b, "(window.scrollTo(0, 0), true)").await;
    shot(&b, "order-window-desktop").await;
    click(&b, "form[data-move=delivered] button").await;
    wait_js(
        &b,
        "document.querySelector('#order-stage').textContent === 'Delivered'",
    )
    .await;
    let moves = js(
        &b,
        "Array.from(document.querySelectorAll('form[data-move]')).map(f => f.dataset.move)",
    )
    .await;
    assert_eq!(moves, json!(["returned", "archived"]));
    assert_not_reloaded(&b).await;
    let (_, order) = app.get("/api/v1/orders/1001").await;
    assert_eq!(order["status"], "delivered");
    assert_eq!(order["tracking"], "https://track.test/AWB123");

    // The order window on a phone.
    let phone = browser(true).await;
    log_in(&phone, &app, "agent@shop.test").await;
    phone.client.goto(&app.url("/orders/1001")).await.unwrap();
    wait_js(&phone, "document.body.dataset.live === 'open'").await;
    let overflow = js(
        &phone,
        "document.documentElement.scrollWidth <= window.innerWidth",
    )
    .await;
    assert_eq!(overflow, true, "nothing wider than the phone");
    shot(&phone, "order-window-phone").await;
    phone.close().await.unwrap();
    b.close().await.unwrap();
    app.stop().await;
}
