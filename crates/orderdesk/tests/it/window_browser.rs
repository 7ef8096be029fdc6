//! In real headless Chromium: outside the 24-hour window the inbox offers
//! "Send the reopen template" and shows the customer's language (guessed
//! from their Hindi message, changeable); `/settings`' customer texts are
//! edited per language, labels within WhatsApp's limit. Screenshots
//! (desktop and 412 px) go to `target/screenshots/window/`.

use std::time::Duration;

use orderdesk_store::Role;
use serde_json::json;

use crate::browser::{browser, click, js, log_in, shot, type_into, wait_js};
use crate::dashboard::add_user;
use crate::helpers::{customer_message, Backend, GraphFake, TestApp};

const WA: &str = "919822200799";

async fn inbox_outside_the_window(phone: bool, app: &TestApp, graph: &GraphFake) {
    let b = browser(phone).await;
    let size = if phone { "412" } else { "desktop" };
    log_in(&b, app, "owner@shop.test").await;
    b.client
        .goto(&app.url(&format!("/inbox?c={WA}")))
        .await
        .unwrap();
    wait_js(&b, "!!document.querySelector('#reopen-form button')").await;
    assert_eq!(
        js(&b, "document.getElementById('customer-language').value").await,
        "hi"
    );
    assert!(
        js(&b, "document.getElementById('language-source').textContent")
            .await
            .as_str()
            .unwrap()
            .contains("from their first message")
    );
    shot(&b, &format!("window/01-reopen-offered-{size}")).await;

    let before = graph.requests().len();
    click(&b, "#reopen-form button").await;
    for _ in 0..200 {
        if graph.requests().len() > before {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let sent = graph.requests();
    assert!(sent.len() > before, "the reopen template was not sent");
    assert_eq!(sent[before].2["template"]["name"], "reopen_chat_hi");
    b.client
        .goto(&app.url(&format!("/inbox?c={WA}")))
        .await
        .unwrap();
    wait_js(
        &b,
        "Array.from(document.querySelectorAll('.thread .msg-out')).some(m => m.textContent.includes('जवाब दें'))",
    )
    .await;
    shot(&b, &format!("window/02-reopen-sent-{size}")).await;
    b.close().await.unwrap();
}

async fn texts_per_language(phone: bool, app: &TestApp) {
    let b = browser(phone).await;
    let size = if phone { "412" } else { "desktop" };
    log_in(&b, app, "owner@shop.test").await;
    b.client.goto(&app.url("/settings#texts")).await.unwrap();
    wait_js(&b, "!!document.getElementById('text-key')").await;
    // Choose the Pay now button's label, in Hindi: the built-in one shows
    // until the business writes its own.
    js(
        &b,
        "(function(){var k=document.getElementById('text-key');k.value='button.pay_now';k.dispatchEvent(new Event('change'));var l=document.getElementById('text-language');l.value='hi';l.dispatchEvent(new Event('change'));return true;})()",
    )
    .await;
    // The desktop pass saves the Hindi label; the phone pass finds it.
    let shown = if phone {
        "अभी भुगतान करें"
    } else {
        "Pay now"
    };
    assert_eq!(
        js(&b, "document.getElementById('text-body').value").await,
        shown
    );
    wait_js(
        &b,
        "document.getElementById('text-limit').textContent.includes('at most 20 characters')",
    )
    .await;
    // Over the limit: the preview says so before saving.
    js(
        &b,
        "(document.getElementById('text-body').value = '', true)",
    )
    .await;
    type_into(&b, "#text-body", "अभी UPI या कार्ड से भुगतान करें").await;
    wait_js(
        &b,
        "!document.getElementById('text-preview-error').hidden && document.getElementById('text-preview-error').textContent.includes('at most 20 characters')",
    )
    .await;
    shot(&b, &format!("window/03-label-too-long-{size}")).await;
    js(
        &b,
        "(document.getElementById('text-body').value = '', true)",
    )
    .await;
    type_into(&b, "#text-body", "अभी भुगतान करें").await;
    wait_js(
        &b,
        "document.getElementById('text-preview').textContent === 'अभी भुगतान करें'",
    )
    .await;
    click(&b, "#text-form button[type=submit]").await;
    wait_js(
        &b,
        "document.body.textContent.includes('The text button.pay_now (hi) is saved')",
    )
    .await;
    // The saved label is what Hindi shows; English keeps its own.
    assert_eq!(
        js(&b, "document.getElementById('text-language').value").await,
        "hi"
    );
    assert_eq!(
        js(&b, "document.getElementById('text-body').value").await,
        "अभी भुगतान करें"
    );
    js(
        &b,
        "(function(){var l=document.getElementById('text-language');l.value='en';l.dispatchEvent(new Event('change'));return true;})()",
    )
    .await;
    assert_eq!(
        js(&b, "document.getElementById('text-body').value").await,
        "Pay now"
    );
    js(
        &b,
        "(function(){var l=document.getElementById('text-language');l.value='hi';l.dispatchEvent(new Event('change'));document.getElementById('texts').scrollIntoView();return true;})()",
    )
    .await;
    shot(&b, &format!("window/04-label-saved-hi-{size}")).await;
    b.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn outside_the_window_the_inbox_offers_the_reopen_template_and_texts_are_edited_per_language()
{
    let graph = GraphFake::start().await;
    let app = TestApp::spawn_with(Backend::Sqlite, Some(&graph.url)).await;
    add_user(&app, "owner@shop.test", Role::Owner).await;
    let r = app
        .client
        .put(app.url("/api/v1/templates/reopen_chat/hi"))
        .bearer_auth(&app.token)
        .json(&json!({"body": "नमस्ते! आपके ऑर्डर के बारे में संदेश है। कृपया यहाँ जवाब दें।", "whatsapp_template": "reopen_chat_hi"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    // The customer wrote in Hindi 30 hours ago.
    let then = chrono::Utc::now() - chrono::Duration::hours(30);
    let body = customer_message("wamid.wb1", WA, Some("नमस्ते, क्या चाय है?"), None);
    let items: Vec<orderdesk_store::NewInbound> =
        orderdesk_whatsapp::split_webhook(body.as_bytes())
            .unwrap()
            .into_iter()
            .map(|i| orderdesk_store::NewInbound {
                source: "whatsapp".into(),
                external_id: i.external_id,
                kind: i.kind,
                customer_key: i.customer_key,
                payload: i.payload,
                received_at: then,
            })
            .collect();
    app.store.record_inbound(&items).await.unwrap();
    for _ in 0..200 {
        let (s, b) = app
            .get(&format!("/api/v1/conversations/{WA}/language"))
            .await;
        if s == 200 && b["language"] == "hi" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }

    inbox_outside_the_window(false, &app, &graph).await;
    inbox_outside_the_window(true, &app, &graph).await;
    texts_per_language(false, &app).await;
    texts_per_language(true, &app).await;
    app.stop().await;
}
