//! Issue #22, on both backends: what the customer is told and what staff
//! see. Stage moves back to a stage tell the customer; the thread records
//! a message exactly as sent; the timeline puts causes before effects; a
//! cancelled order's address link says so; a skipped note can be added
//! later; tracking URLs become safe links; roles change and passwords
//! reset with the last owner kept.

use serde_json::{json, Value};

use crate::both_backends;
use crate::dashboard::{add_user, login, try_login, Staff};
use crate::helpers::{customer_message, Backend, GraphFake, TestApp};
use crate::journey::{order_when, WAIT};
use orderdesk_store::Role;

pub(crate) fn text(body: &Value) -> String {
    body["text"]["body"]
        .as_str()
        .or(body["interactive"]["body"]["text"].as_str())
        .unwrap_or_default()
        .to_owned()
}

/// Waits until a message containing `needle` went to the Graph API.
pub(crate) async fn wait_sent(graph: &GraphFake, needle: &str) -> String {
    for _ in 0..400 {
        if let Some(t) = graph
            .requests()
            .iter()
            .map(|r| text(&r.2))
            .find(|t| t.contains(needle))
        {
            return t;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    let sent: Vec<String> = graph.requests().iter().map(|r| text(&r.2)).collect();
    panic!("nothing containing {needle:?} was sent: {sent:?}");
}

fn address_link(graph: &GraphFake) -> String {
    graph.requests()[0].2["interactive"]["action"]["parameters"]["url"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn stage_moves_back_and_by_hand_tell_the_customer(backend: Backend) {
    let graph = GraphFake::start().await;
    let app = TestApp::spawn_with(backend, Some(&graph.url)).await;
    let o = app
        .place_order("wamid.d1-cart", "919800000101", "Ravi")
        .await;
    let n = o["number"].as_i64().unwrap();
    graph.wait_for(1, WAIT).await;

    // Confirmed by hand without an address: the customer hears it.
    let (s, b) = app
        .move_order(
            n,
            json!({"status": "confirmed", "reason": "paid at the counter"}),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    let confirmed = wait_sent(&graph, "is confirmed").await;
    assert!(confirmed.contains(&format!("#{n}")), "{confirmed}");

    // Held, then released: the release is news too.
    let (s, b) = app
        .move_order(n, json!({"status": "on_hold", "reason": "checking stock"}))
        .await;
    assert_eq!(s, 200, "{b}");
    wait_sent(&graph, "is on hold").await;
    let (s, b) = app.move_order(n, json!({"status": "confirmed"})).await;
    assert_eq!(s, 200, "{b}");
    let released = wait_sent(&graph, "no longer on hold").await;
    assert_eq!(
        released,
        format!("Good news: your order #{n} is no longer on hold and is confirmed again.")
    );
    app.stop().await;
}

async fn the_thread_shows_the_first_message_exactly_as_sent(backend: Backend) {
    let graph = GraphFake::start().await;
    let app = TestApp::spawn_with(backend, Some(&graph.url)).await;
    let o = app
        .place_order("wamid.d3-cart", "919800000103", "Meena")
        .await;
    let n = o["number"].as_i64().unwrap();
    let sent = text(&graph.wait_for(1, WAIT).await[0].2);
    assert!(sent.contains(&format!("order #{n} (")), "{sent}");
    let mut shown = String::new();
    for _ in 0..400 {
        let (_, thread) = app.get(&format!("/api/v1/orders/{n}/messages")).await;
        let first = &thread["messages"][0];
        if first["state"] != "queued" && first["state"] != "sending" {
            shown = first["text"].as_str().unwrap_or_default().to_owned();
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    assert_eq!(shown, sent, "the thread's copy is what the customer got");
    app.stop().await;
}

/// Taps Cash on delivery then Skip: a confirmed order without a note.
async fn check_out_skipping_the_note(app: &TestApp, graph: &GraphFake, wa: &str) -> i64 {
    let o = app
        .place_order(&format!("wamid.{wa}-cart"), wa, "Asha")
        .await;
    let n = o["number"].as_i64().unwrap();
    graph.wait_for(1, WAIT).await;
    app.submit_address(&address_link(graph)).await;
    order_when(app, n, |o| o["checkout_step"] == "awaiting_payment").await;
    app.tap_reply(
        &format!("wamid.{wa}-cod"),
        wa,
        &format!("pay:cod:{n}"),
        "Cash on delivery",
    )
    .await;
    order_when(app, n, |o| o["checkout_step"] == "awaiting_note_choice").await;
    app.tap_reply(
        &format!("wamid.{wa}-skip"),
        wa,
        &format!("note:skip:{n}"),
        "Skip",
    )
    .await;
    order_when(app, n, |o| o["status"] == "confirmed").await;
    n
}

async fn a_note_can_be_added_after_skipping_until_the_order_ships(backend: Backend) {
    let graph = GraphFake::start().await;
    let app =
        TestApp::spawn_configured(backend, Some(&graph.url), &[("COD_ENABLED", "true")]).await;
    let wa = "919800000106";
    let n = check_out_skipping_the_note(&app, &graph, wa).await;
    wait_sent(&graph, "is confirmed").await;

    let add = |id: &str| {
        customer_message(
            &format!("wamid.d6-add-{id}"),
            wa,
            None,
            Some((&format!("note:add:{n}"), "Add a note")),
        )
    };
    assert_eq!(app.post_webhook(add("1").as_bytes()).await.status(), 200);
    wait_sent(&graph, "Please type your note").await;
    let note = customer_message("wamid.d6-note", wa, Some("Leave it with the guard"), None);
    assert_eq!(app.post_webhook(note.as_bytes()).await.status(), 200);
    let o = order_when(&app, n, |o| o["note"] == "Leave it with the guard").await;
    assert_eq!(o["status"], "confirmed", "no second confirmation");
    assert_eq!(o["checkout_step"], "complete");
    assert!(o["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["kind"] == "note_set" && e["detail"] == "Leave it with the guard"));
    wait_sent(&graph, "your note is saved").await;

    // Once shipped, the button is answered but the note is closed.
    for status in ["approved", "processed", "shipped"] {
        let (s, b) = app.move_order(n, json!({ "status": status })).await;
        assert_eq!(s, 200, "{b}");
    }
    wait_sent(&graph, "has shipped").await;
    let before = graph.requests().len();
    assert_eq!(app.post_webhook(add("2").as_bytes()).await.status(), 200);
    let sent = graph.wait_for(before + 1, WAIT).await;
    assert_eq!(text(&sent[before].2), "That is already done.");
    app.stop().await;
}

async fn a_cancelled_orders_address_link_says_it_was_cancelled(backend: Backend) {
    let graph = GraphFake::start().await;
    let app = TestApp::spawn_with(backend, Some(&graph.url)).await;
    let o = app
        .place_order("wamid.d5-cart", "919800000105", "Kiran")
        .await;
    let n = o["number"].as_i64().unwrap();
    graph.wait_for(1, WAIT).await;
    let link = address_link(&graph);
    let (s, b) = app
        .move_order(
            n,
            json!({"status": "cancelled", "reason": "customer called"}),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    let page = app.client.get(&link).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(
        html.contains(&format!("Order #{n} was cancelled.")),
        "{html}"
    );
    assert!(!html.contains("can no longer be changed"), "{html}");
    let posted = app
        .client
        .post(&link)
        .form(&[("name", "K"), ("line1", "1 Road"), ("city", "Pune")])
        .send()
        .await
        .unwrap();
    assert_eq!(posted.status(), 409);
    assert!(posted.text().await.unwrap().contains("was cancelled"));
    app.stop().await;
}

async fn the_timeline_puts_the_customers_note_before_what_it_caused(backend: Backend) {
    let graph = GraphFake::start().await;
    let app =
        TestApp::spawn_configured(backend, Some(&graph.url), &[("COD_ENABLED", "true")]).await;
    add_user(&app, "owner@shop.test", Role::Owner).await;
    let wa = "919800000104";
    let o = app.place_order("wamid.d4-cart", wa, "Asha").await;
    let n = o["number"].as_i64().unwrap();
    graph.wait_for(1, WAIT).await;
    app.submit_address(&address_link(&graph)).await;
    order_when(&app, n, |o| o["checkout_step"] == "awaiting_payment").await;
    app.tap_reply(
        "wamid.d4-cod",
        wa,
        &format!("pay:cod:{n}"),
        "Cash on delivery",
    )
    .await;
    order_when(&app, n, |o| o["checkout_step"] == "awaiting_note_choice").await;
    let note = customer_message("wamid.d4-note", wa, Some("Ring the bell twice"), None);
    assert_eq!(app.post_webhook(note.as_bytes()).await.status(), 200);
    order_when(&app, n, |o| o["status"] == "confirmed").await;

    let staff = login(&app, "owner@shop.test").await;
    let html = staff
        .get(&app, &format!("/orders/{n}"))
        .await
        .text()
        .await
        .unwrap();
    let timeline = html.split("id=\"timeline\"").nth(1).unwrap();
    let at = |needle: &str| {
        timeline
            .find(needle)
            .unwrap_or_else(|| panic!("{needle:?} not in the timeline: {timeline}"))
    };
    let message = at("Ring the bell twice</span>");
    let noted = at("<strong>Customer note</strong>");
    let confirmed = at("Placed → Confirmed");
    assert!(
        message < noted && noted < confirmed,
        "cause before effects: message {message}, note {noted}, confirmed {confirmed}"
    );
    app.stop().await;
}

async fn tracking_urls_are_safe_links_and_anything_else_text(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    add_user(&app, "owner@shop.test", Role::Owner).await;
    let staff = login(&app, "owner@shop.test").await;
    let mut shown = Vec::new();
    for (wamid, tracking) in [
        ("wamid.d8-a", "https://track.example/AB1?c=IN&x=1"),
        ("wamid.d8-b", "javascript:alert(1)"),
    ] {
        let o = app.place_order(wamid, "919800000108", "Dev").await;
        let n = o["number"].as_i64().unwrap();
        for body in [
            json!({"status": "confirmed", "reason": "phone order"}),
            json!({"status": "approved"}),
            json!({"status": "processed"}),
            json!({"status": "shipped", "tracking": tracking}),
        ] {
            let (s, b) = app.move_order(n, body).await;
            assert_eq!(s, 200, "{b}");
        }
        let html = staff
            .get(&app, &format!("/orders/{n}"))
            .await
            .text()
            .await
            .unwrap();
        shown.push(html);
    }
    assert!(
        shown[0].contains(
            r#"<a href="https://track.example/AB1?c=IN&amp;x=1" target="_blank" rel="noopener noreferrer">"#
        ),
        "{}",
        shown[0]
    );
    assert!(!shown[1].contains(r#"href="javascript"#), "{}", shown[1]);
    assert!(shown[1].contains("javascript:alert(1)"), "shown as text");
    app.stop().await;
}

/// `by` asks, with their CSRF token, to give user `id` the `role`.
async fn change_role(app: &TestApp, by: &Staff, id: i64, role: &str) -> reqwest::Response {
    let path = format!("/users/{id}/role");
    by.post(app, &path, &[("role", role), ("csrf", by.csrf.as_str())])
        .await
}

async fn owners_change_roles_and_reset_passwords_but_keep_an_owner(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    add_user(&app, "owner@shop.test", Role::Owner).await;
    add_user(&app, "agent@shop.test", Role::Agent).await;
    let owner = login(&app, "owner@shop.test").await;
    let agent = login(&app, "agent@shop.test").await;
    let id_of = |email: &'static str| {
        let store = app.store.clone();
        async move {
            let users = store.users().await.unwrap();
            users.into_iter().find(|u| u.email == email).unwrap()
        }
    };
    let agent_id = id_of("agent@shop.test").await.id;
    let owner_id = id_of("owner@shop.test").await.id;

    // CSRF as every dashboard POST; an agent may not.
    let r = owner
        .post(
            &app,
            &format!("/users/{agent_id}/role"),
            &[("role", "admin")],
        )
        .await;
    assert_eq!(r.status(), 403);
    let r = change_role(&app, &agent, agent_id, "owner").await;
    assert_eq!(r.status(), 403);
    assert_eq!(id_of("agent@shop.test").await.role, Role::Agent);

    let r = change_role(&app, &owner, agent_id, "admin").await;
    assert_eq!(r.status(), 200);
    assert_eq!(id_of("agent@shop.test").await.role, Role::Admin);

    // The last owner stays an owner.
    let r = change_role(&app, &owner, owner_id, "agent").await;
    assert_eq!(r.status(), 409);
    assert!(r.text().await.unwrap().contains("last owner"));
    assert_eq!(id_of("owner@shop.test").await.role, Role::Owner);

    // A reset password: shown once, the old one and old sessions end.
    let r = owner
        .post(
            &app,
            &format!("/users/{agent_id}/password"),
            &[("csrf", owner.csrf.as_str())],
        )
        .await;
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    assert!(html.contains(r#"data-copy="secret""#), "a copy button");
    let secret = html
        .split(r#"<code id="secret">"#)
        .nth(1)
        .and_then(|s| s.split('<').next())
        .unwrap()
        .to_owned();
    assert_eq!(agent.get(&app, "/orders").await.status(), 303);
    let old = try_login(&app, "agent@shop.test", crate::dashboard::PASSWORD).await;
    assert_ne!(old.status(), 303);
    // That failure makes the account wait a second before its next check
    // (the login limit's growing delay); then the new password gets in.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    assert_eq!(
        try_login(&app, "agent@shop.test", &secret).await.status(),
        303
    );
    app.stop().await;
}

both_backends!(
    stage_moves_back_and_by_hand_tell_the_customer,
    the_thread_shows_the_first_message_exactly_as_sent,
    a_note_can_be_added_after_skipping_until_the_order_ships,
    a_cancelled_orders_address_link_says_it_was_cancelled,
    the_timeline_puts_the_customers_note_before_what_it_caused,
    tracking_urls_are_safe_links_and_anything_else_text,
    owners_change_roles_and_reset_passwords_but_keep_an_owner,
);
