//! Issue #14 items 3–4: a customer off the bot's script. What they type at
//! the address step is kept for staff; the bot asks once more, then offers
//! "Talk to a person" (a reply button that hands over like the keywords),
//! then waits for staff: nothing is said three times. Outside business
//! hours the customer is told when someone will answer.

use std::time::Duration;

use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{customer_message, Backend, GraphFake, TestApp};
use crate::journey::order_when;
use crate::phone::{button, is_business, Phone};

const TYPED: &str = "My address is 12 MG Road, Bengaluru 560001";

/// The texts of the business's messages in the customer's phone thread.
async fn business_texts(phone: &Phone<'_>, wa: &str) -> Vec<String> {
    phone
        .thread(wa)
        .await
        .iter()
        .filter(|m| is_business(m))
        .map(|m| m["text"].as_str().unwrap_or_default().to_owned())
        .collect()
}

async fn says(phone: &Phone<'_>, wa: &str, text: &str) {
    let (status, body) = phone
        .post(&format!("/customers/{wa}/text"), json!({ "text": text }))
        .await;
    assert_eq!(status, 202, "{body}");
}

/// Waits until the conversation's newest message is the customer's `text`
/// (the inbox processed it), then a moment for any answer to arrive.
async fn processed(app: &TestApp, wa: &str, text: &str) {
    for _ in 0..300 {
        let (_, thread) = app
            .get(&format!("/api/v1/conversations/{wa}/messages"))
            .await;
        if thread["messages"]
            .as_array()
            .is_some_and(|m| m.iter().any(|m| m["text"] == text))
        {
            tokio::time::sleep(Duration::from_millis(600)).await;
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("{text:?} was never stored");
}

async fn text_at_the_address_step_is_kept_and_the_bot_offers_a_person_once(backend: Backend) {
    let (app, _sim) = TestApp::spawn_with_phone(backend, &[]).await;
    let phone = Phone { app: &app };
    let wa = phone.add("Meera Iyer", "+91 98111 00777").await["wa_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, _) = phone
        .post(
            &format!("/customers/{wa}/cart"),
            json!({"items": [{"retailer_id": "tea-assam-250", "quantity": 1}]}),
        )
        .await;
    assert_eq!(status, 202);
    phone
        .wait_for(&wa, "address link", |m| {
            is_business(m) && m["link"].is_object()
        })
        .await;
    let n = app.wait_for_orders(1).await[0]["number"].as_i64().unwrap();

    // The customer types the address instead of opening the form, then
    // gets impatient.
    says(&phone, &wa, TYPED).await;
    processed(&app, &wa, TYPED).await;
    says(&phone, &wa, "hello?").await;
    let offer = phone
        .wait_for(&wa, "the Talk to a person button", |m| {
            is_business(m) && m["buttons"].as_array().is_some_and(|b| !b.is_empty())
        })
        .await;
    says(&phone, &wa, "is anyone there").await;
    processed(&app, &wa, "is anyone there").await;

    // Exactly what the customer read, in order: the form link once more
    // (saying their text is kept), then the offer; nothing after that.
    let seen = business_texts(&phone, &wa).await;
    assert_eq!(seen.len(), 4, "{seen:#?}");
    // (The first names the total, written the business's way.)
    assert!(
        seen[0].starts_with(&format!("Thank you for your order #{n} (")),
        "{seen:#?}"
    );
    assert_eq!(
        seen[1..],
        [
            format!("Thanks, we have kept what you typed for our team. To be sure order #{n} reaches you, please add the address in the form:"),
            format!("Please add your delivery address for order #{n}."),
            format!("Sorry, I could not follow that. Use the message above to go on with order #{n}, or talk to a person from our team."),
        ],
        "{seen:#?}"
    );
    for s in &seen {
        assert!(
            seen.iter().filter(|t| *t == s).count() < 3,
            "said three times: {s}"
        );
    }
    // Staff see what was typed, to copy into the address.
    let order = order_when(&app, n, |o| o["address_as_typed"].is_string()).await;
    assert_eq!(
        order["address_as_typed"],
        format!("{TYPED}\nhello?\nis anyone there")
    );
    assert_eq!(order["checkout_step"], "awaiting_address");

    // Tapping the button hands over, exactly like the keywords.
    let id = button(&offer, "Talk to a person");
    assert_eq!(id, "handover");
    let (status, tap) = phone.tap(&wa, &offer, &id).await;
    assert_eq!(status, 202, "{tap}");
    phone
        .wait_for(&wa, "the handover answer", |m| {
            is_business(m)
                && m["text"] == "Thanks! A person from our team will answer you here shortly."
        })
        .await;
    let (_, list) = app.get("/api/v1/conversations").await;
    let c = &list["conversations"][0];
    assert_eq!(c["customer"]["wa_id"], wa.as_str());
    assert_eq!(c["handover"], true);
    assert_eq!(c["needs_reply"], true);
    app.stop().await;
}

async fn free_text_at_the_payment_step_repeats_the_open_link_once_then_offers_a_person(
    backend: Backend,
) {
    let (app, _sim) =
        TestApp::spawn_with_phone(backend, &[("PAYMENTS_PROVIDER", "simulator")]).await;
    let phone = Phone { app: &app };
    let wa = phone.add("Kabir Das", "+91 98111 00778").await["wa_id"]
        .as_str()
        .unwrap()
        .to_owned();
    phone
        .post(
            &format!("/customers/{wa}/cart"),
            json!({"items": [{"retailer_id": "tea-assam-250", "quantity": 1}]}),
        )
        .await;
    let ask = phone
        .wait_for(&wa, "address link", |m| {
            is_business(m) && m["link"].is_object()
        })
        .await;
    let n = app.wait_for_orders(1).await[0]["number"].as_i64().unwrap();
    let form = ask["link"]["url"].as_str().unwrap().to_owned();
    app.submit_address(&form).await;
    let pay = phone
        .wait_for(&wa, "payment link", |m| {
            is_business(m)
                && m["link"]["url"]
                    .as_str()
                    .is_some_and(|u| u.contains("/simulator/pay/"))
        })
        .await;
    let link = pay["link"]["url"].clone();
    let before = business_texts(&phone, &wa).await.len();

    for text in ["how do I pay?", "hello", "??", "pay how"] {
        says(&phone, &wa, text).await;
        processed(&app, &wa, text).await;
    }
    let thread = phone.thread(&wa).await;
    let answers: Vec<&Value> = thread
        .iter()
        .filter(|m| is_business(m))
        .skip(before)
        .collect();
    let texts: Vec<&str> = answers
        .iter()
        .map(|m| m["text"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(texts.len(), 3, "{answers:#?}");
    assert_eq!(texts[0], "Sorry, please use the buttons for this step.");
    assert!(
        texts[1].starts_with(&format!("How would you like to pay for order #{n} (")),
        "{answers:#?}"
    );
    assert_eq!(
        texts[2],
        format!("Sorry, I could not follow that. Use the message above to go on with order #{n}, or talk to a person from our team.")
    );
    assert_eq!(answers[2]["buttons"][0]["title"], "Talk to a person");
    assert_eq!(
        answers[1]["link"]["url"], link,
        "the open link, not a new one"
    );
    let (_, order) = app.get(&format!("/api/v1/orders/{n}")).await;
    assert_eq!(
        order["address_as_typed"],
        Value::Null,
        "nothing typed at the address step"
    );
    app.stop().await;
}

async fn outside_business_hours_the_customer_is_told_when_someone_will_answer(backend: Backend) {
    let graph = GraphFake::start().await;
    let app = TestApp::spawn_with(backend, Some(&graph.url)).await;
    // Refused whole, in one line naming the setting.
    let bad = app
        .client
        .put(app.url("/api/v1/settings"))
        .bearer_auth(&app.token)
        .json(&json!({"settings": {"ORDERDESK_BUSINESS_HOURS": "Mon-Sat 19:00-10:00"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 422);
    let body: Value = bad.json().await.unwrap();
    let message = body["error"]["message"].as_str().unwrap_or_default();
    assert!(message.starts_with("ORDERDESK_BUSINESS_HOURS"), "{body}");

    // Open one minute a day, in Kolkata: closed now (almost surely).
    let hours = "Daily 00:00-00:01";
    let r = app
        .client
        .put(app.url("/api/v1/settings"))
        .bearer_auth(&app.token)
        .json(&json!({"settings": {"ORDERDESK_BUSINESS_HOURS": hours, "ORDERDESK_TIMEZONE": "Asia/Kolkata"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let when = orderdesk_domain::business_hours::BusinessHours::parse(hours)
        .unwrap()
        .answer_when("Asia/Kolkata", chrono::Utc::now());
    let wa = "919811100779";
    let asks = customer_message("wamid.agent", wa, Some("I need a human"), None);
    assert_eq!(app.post_webhook(asks.as_bytes()).await.status(), 200);
    let sent = graph.wait_for(1, Duration::from_secs(5)).await;
    let told = sent[0].2["text"]["body"].as_str().unwrap_or_default();
    match when {
        Some(when) => {
            assert_eq!(when, "tomorrow at 00:00 IST");
            assert_eq!(
                told,
                format!("Thanks! We are closed now. A person from our team will answer you here {when}.")
            );
        }
        // The test ran in the one open minute.
        None => assert_eq!(
            told,
            "Thanks! A person from our team will answer you here shortly."
        ),
    }
    app.stop().await;
}

both_backends!(
    text_at_the_address_step_is_kept_and_the_bot_offers_a_person_once,
    free_text_at_the_payment_step_repeats_the_open_link_once_then_offers_a_person,
    outside_business_hours_the_customer_is_told_when_someone_will_answer
);
