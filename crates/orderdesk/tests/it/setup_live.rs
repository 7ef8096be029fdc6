//! WhatsApp credentials saved on /setup reach the senders without a
//! restart, on every instance (#17): the settings store is shared and the
//! outbox reads the number and token in force at each batch; an app secret
//! saved there starts the checkout bot, whose form links are signed with
//! the secret in force.

use std::time::Duration;

use orderdesk_store::Role;
use reqwest::StatusCode;

use crate::both_backends;
use crate::dashboard::{add_user, login};
use crate::helpers::{
    fresh_db, Backend, GraphFake, TestApp, ACCESS_TOKEN, APP_SECRET, PHONE_NUMBER_ID,
};

const NUMBER_ID: &str = "106540352242922";

async fn states(app: &TestApp, n: i64) -> Vec<String> {
    let (status, body) = app.get(&format!("/api/v1/orders/{n}/messages")).await;
    assert_eq!(status, 200, "{body}");
    body["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["state"].as_str().unwrap().to_owned())
        .collect()
}

async fn credentials_saved_on_one_instance_reach_every_sender_without_a_restart(backend: Backend) {
    let graph = GraphFake::start().await;
    let (db_url, _dir) = fresh_db(backend);
    let first = TestApp::spawn_without_number_on(backend, &db_url, &graph.url).await;
    let second = TestApp::spawn_without_number_on(backend, &db_url, &graph.url).await;
    add_user(&first, "owner@shop.test", Role::Owner).await;

    // No number yet: the bot's answer waits in the outbox, nothing is sent.
    let order = second
        .place_order("wamid.live-1", "919811100071", "Kavya")
        .await;
    let n = order["number"].as_i64().unwrap();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(graph.requests().is_empty(), "{:?}", graph.requests());
    assert_eq!(states(&second, n).await, ["queued"]);

    // Saved on the first instance: the waiting message goes out.
    let owner = login(&first, "owner@shop.test").await;
    let r = owner
        .post(
            &first,
            "/setup",
            &[
                ("csrf", owner.csrf.as_str()),
                ("phone_number_id", NUMBER_ID),
                ("access_token", "EAAG-first-token"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let sent = graph.wait_for(1, Duration::from_secs(10)).await;
    assert_eq!(sent[0].0, NUMBER_ID);
    assert_eq!(sent[0].1.as_deref(), Some("Bearer EAAG-first-token"));
    assert_eq!(sent[0].2["to"], "919811100071");

    // With the first instance gone, the second sends with what was saved
    // there (it started before the save and was never restarted).
    first.stop().await;
    let order = second
        .place_order("wamid.live-2", "919811100072", "Arjun")
        .await;
    let sent = graph.wait_for(2, Duration::from_secs(10)).await;
    assert_eq!(sent[1].1.as_deref(), Some("Bearer EAAG-first-token"));
    assert_eq!(sent[1].2["to"], "919811100072");

    // A new token saved on the second instance is used from the next send.
    add_user(&second, "admin@shop.test", Role::Admin).await;
    let admin = login(&second, "admin@shop.test").await;
    let r = admin
        .post(
            &second,
            "/setup",
            &[
                ("csrf", admin.csrf.as_str()),
                ("access_token", "EAAG-rotated-token"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let n = order["number"].as_i64().unwrap();
    let (status, body) = second
        .post(
            &format!("/api/v1/orders/{n}/messages"),
            &serde_json::json!({"text": "Packed and on its way"}),
        )
        .await;
    assert_eq!(status, 202, "{body}");
    let sent = graph.wait_for(3, Duration::from_secs(10)).await;
    assert_eq!(sent[2].1.as_deref(), Some("Bearer EAAG-rotated-token"));
    assert_eq!(sent[2].2["text"]["body"], "Packed and on its way");
    second.stop().await;
}

/// An instance on `db_url` with a WhatsApp number and token but no app
/// secret in its environment (an owner saves it on /setup).
async fn spawn_without_secret_on(backend: Backend, db_url: &str, graph_url: &str) -> TestApp {
    let env = [
        ("WHATSAPP_PHONE_NUMBER_ID", PHONE_NUMBER_ID),
        ("WHATSAPP_ACCESS_TOKEN", ACCESS_TOKEN),
    ];
    TestApp::spawn_connected_by(backend, db_url, graph_url, &env).await
}

async fn an_app_secret_saved_on_one_instance_starts_the_bot_on_every_instance(backend: Backend) {
    let graph = GraphFake::start().await;
    let (db_url, _dir) = fresh_db(backend);
    let first = spawn_without_secret_on(backend, &db_url, &graph.url).await;
    let second = spawn_without_secret_on(backend, &db_url, &graph.url).await;
    add_user(&first, "owner@shop.test", Role::Owner).await;

    // No secret yet: webhooks are refused, nothing is taken.
    let cart = crate::helpers::order_webhook(
        "wamid.secret-1",
        "919811100081",
        "Kavya",
        &[("sku-1", 2, "7.99", "USD")],
    );
    let refused = second.post_webhook(cart.as_bytes()).await;
    assert_eq!(refused.status(), StatusCode::SERVICE_UNAVAILABLE);

    let owner = login(&first, "owner@shop.test").await;
    let r = owner
        .post(
            &first,
            "/setup",
            &[("csrf", owner.csrf.as_str()), ("app_secret", APP_SECRET)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    // The second instance reloads settings every second.
    tokio::time::sleep(Duration::from_millis(2500)).await;

    // A cart on the second instance: the bot answers with the address link.
    let order = second
        .place_order("wamid.secret-2", "919811100082", "Arjun")
        .await;
    let n = order["number"].as_i64().unwrap();
    let sent = graph.wait_for(1, Duration::from_secs(10)).await;
    let link = sent[0].2["interactive"]["action"]["parameters"]["url"]
        .as_str()
        .unwrap_or_else(|| panic!("the bot's address link: {:?}", sent[0].2))
        .to_owned();
    // Whichever instance's sender minted it, both open it (one key from
    // the one secret) …
    let path = [&first, &second]
        .iter()
        .find_map(|app| link.strip_prefix(&app.url("")))
        .unwrap_or_else(|| panic!("a link to one of the instances: {link}"))
        .to_owned();
    assert!(path.starts_with("/address/"), "{link}");
    for app in [&first, &second] {
        let page = reqwest::get(app.url(&path)).await.unwrap();
        assert_eq!(page.status(), StatusCode::OK, "{}", app.url(&path));
    }
    // … and the form takes the address.
    second.submit_address(&second.url(&path)).await;
    let (_, o) = second.get(&format!("/api/v1/orders/{n}")).await;
    assert_eq!(o["address"]["city"], "Kolkata", "{o}");
    // A link with another key is refused.
    let forged = orderdesk_engine::form_token::FormTokens::from_secret(
        b"another-secret",
        orderdesk_engine::form_token::DEFAULT_TTL,
    )
    .issue(
        orderdesk_domain::OrderNumber::new(n).unwrap(),
        chrono::Utc::now(),
    );
    let page = reqwest::get(second.url(&format!("/address/{forged}")))
        .await
        .unwrap();
    assert_ne!(page.status(), StatusCode::OK);
    first.stop().await;
    second.stop().await;
}

both_backends!(
    credentials_saved_on_one_instance_reach_every_sender_without_a_restart,
    an_app_secret_saved_on_one_instance_starts_the_bot_on_every_instance,
);
