//! After the checkout (#19 items 2 and 3, and the recovered-carts count):
//! the cash-on-delivery confirmation (asked, reminded once, cancelled "not
//! confirmed" or flagged for a call; Confirm lets staff approve; a stale tap
//! changes nothing and is answered), the rating after delivery (a list,
//! out-of-range re-asked once, then a comment) and the insights figures.

use std::time::Duration;

use serde_json::{json, Value};

use crate::both_backends;
use crate::defects::{text, wait_sent};
use crate::helpers::{customer_message, Backend, GraphFake, TestApp, PHONE_NUMBER_ID};
use crate::journey::{button_ids, order_when, WAIT};

/// What went to `wa`, oldest first.
pub(crate) fn sent_to(graph: &GraphFake, wa: &str) -> Vec<Value> {
    graph
        .requests()
        .into_iter()
        .filter(|r| r.2["to"] == wa)
        .map(|r| r.2)
        .collect()
}

/// Waits until a message to `wa` matches `pred`.
pub(crate) async fn wait_body(
    graph: &GraphFake,
    wa: &str,
    what: &str,
    pred: impl Fn(&Value) -> bool,
) -> Value {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        if let Some(b) = sent_to(graph, wa).into_iter().find(|b| pred(b)) {
            return b;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no {what} went to {wa}: {:#?}",
            sent_to(graph, wa)
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A signed webhook with one tap on a list row.
pub(crate) fn list_reply(wamid: &str, wa: &str, id: &str, title: &str) -> String {
    json!({"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [{"field": "messages", "value": {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550783881", "phone_number_id": PHONE_NUMBER_ID},
        "contacts": [{"profile": {"name": "Customer"}, "wa_id": wa, "user_id": format!("US.{wa}")}],
        "messages": [{"from": wa, "id": wamid, "timestamp": "1750096400", "type": "interactive",
            "interactive": {"type": "list_reply", "list_reply": {"id": id, "title": title}}}]}}]}]})
    .to_string()
}

pub(crate) async fn post(app: &TestApp, body: String) {
    assert_eq!(app.post_webhook(body.as_bytes()).await.status(), 200);
}

pub(crate) async fn tap(app: &TestApp, wamid: &str, wa: &str, id: &str, title: &str) {
    post(app, customer_message(wamid, wa, None, Some((id, title)))).await;
}

/// Address, Cash on delivery, Skip: the order `n` of `wa` ends confirmed.
async fn finish_cod(app: &TestApp, graph: &GraphFake, wa: &str, n: i64) {
    let ask = wait_body(graph, wa, "address link", |b| {
        b["interactive"]["action"]["parameters"]["url"].is_string()
    })
    .await;
    let link = ask["interactive"]["action"]["parameters"]["url"]
        .as_str()
        .unwrap();
    app.submit_address(link).await;
    order_when(app, n, |o| o["checkout_step"] == "awaiting_payment").await;
    tap(
        app,
        &format!("wamid.{wa}-cod"),
        wa,
        &format!("pay:cod:{n}"),
        "Cash on delivery",
    )
    .await;
    order_when(app, n, |o| o["checkout_step"] == "awaiting_note_choice").await;
    tap(
        app,
        &format!("wamid.{wa}-skip"),
        wa,
        &format!("note:skip:{n}"),
        "Skip",
    )
    .await;
    order_when(app, n, |o| o["status"] == "confirmed").await;
}

async fn cod_order(app: &TestApp, graph: &GraphFake, wa: &str) -> i64 {
    let o = app
        .place_order(&format!("wamid.{wa}-cart"), wa, "Asha")
        .await;
    let n = o["number"].as_i64().unwrap();
    finish_cod(app, graph, wa, n).await;
    n
}

fn cod_buttons(n: i64) -> Vec<String> {
    vec![format!("cod:confirm:{n}"), format!("cod:cancel:{n}")]
}

async fn an_unconfirmed_cod_order_is_reminded_once_then_cancelled_not_confirmed(backend: Backend) {
    let graph = GraphFake::start().await;
    let app = TestApp::spawn_configured(
        backend,
        Some(&graph.url),
        &[
            ("COD_ENABLED", "true"),
            ("ORDERDESK_COD_CONFIRM", "on"),
            ("ORDERDESK_COD_CONFIRM_WAIT", "2s"),
        ],
    )
    .await;
    let wa = "919822200071";
    let n = cod_order(&app, &graph, wa).await;
    let asked = wait_body(&graph, wa, "the question", |b| {
        button_ids(b) == cod_buttons(n)
    })
    .await;
    assert!(
        text(&asked).contains(&format!("confirm your cash-on-delivery order #{n}")),
        "{asked}"
    );
    // The question stands in for "your order is confirmed": not yet.
    let told_confirmed = |graph: &GraphFake| {
        sent_to(graph, wa)
            .iter()
            .any(|b| text(b).contains(&format!("Your order #{n} is confirmed")))
    };
    assert!(!told_confirmed(&graph), "{:?}", sent_to(&graph, wa));
    let (_, o) = app.get(&format!("/api/v1/orders/{n}")).await;
    assert_eq!(o["cod_confirmation"], "asked");

    // Staff cannot approve before the customer answers; nothing changes.
    let (status, body) = app.move_order(n, json!({"status": "approved"})).await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["error"]["code"], "cod_not_confirmed");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("not confirmed"),
        "{body}"
    );
    let (_, same) = app.get(&format!("/api/v1/orders/{n}")).await;
    assert_eq!(
        (same["status"].clone(), same["version"].clone()),
        (o["status"].clone(), o["version"].clone())
    );

    // One reminder, with the buttons again, then the cancellation.
    let reminded = wait_sent(&graph, "still need your confirmation").await;
    assert!(reminded.contains(&format!("#{n}")), "{reminded}");
    let o = order_when(&app, n, |o| o["status"] == "cancelled").await;
    assert_eq!(o["cod_confirmation"], "not_confirmed");
    let cancel = o["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["to_status"] == "cancelled")
        .unwrap()
        .clone();
    assert_eq!(
        (cancel["reason"].as_str(), cancel["actor"].as_str()),
        (Some("not confirmed"), Some("bot"))
    );
    wait_sent(&graph, "because it was not confirmed").await;
    let questions = sent_to(&graph, wa)
        .iter()
        .filter(|b| button_ids(b) == cod_buttons(n))
        .count();
    assert_eq!(questions, 2, "the question and exactly one reminder");

    // A late Confirm changes nothing and is answered.
    tap(
        &app,
        "wamid.cod-late",
        wa,
        &format!("cod:confirm:{n}"),
        "Confirm",
    )
    .await;
    let answer = wait_sent(&graph, "is already cancelled").await;
    assert!(answer.contains(&format!("#{n}")), "{answer}");
    let (_, after) = app.get(&format!("/api/v1/orders/{n}")).await;
    assert_eq!(
        (after["status"].as_str(), after["cod_confirmation"].as_str()),
        (Some("cancelled"), Some("not_confirmed"))
    );
    app.stop().await;
}

async fn a_confirmed_cod_order_is_approved_and_a_stale_tap_changes_nothing(backend: Backend) {
    let graph = GraphFake::start().await;
    let app = TestApp::spawn_configured(
        backend,
        Some(&graph.url),
        &[("COD_ENABLED", "true"), ("ORDERDESK_COD_CONFIRM", "on")],
    )
    .await;
    let wa = "919822200072";
    let n = cod_order(&app, &graph, wa).await;
    wait_body(&graph, wa, "the question", |b| {
        button_ids(b) == cod_buttons(n)
    })
    .await;
    tap(
        &app,
        "wamid.cod-yes",
        wa,
        &format!("cod:confirm:{n}"),
        "Confirm",
    )
    .await;
    let o = order_when(&app, n, |o| o["cod_confirmation"] == "confirmed").await;
    assert_eq!(o["status"], "confirmed");
    wait_sent(&graph, "is confirmed and we are preparing it").await;
    let (status, body) = app.move_order(n, json!({"status": "approved"})).await;
    assert_eq!(status, 200, "{body}");

    // Cancel tapped on the old question after approval: answered, nothing changes.
    tap(
        &app,
        "wamid.cod-stale",
        wa,
        &format!("cod:cancel:{n}"),
        "Cancel order",
    )
    .await;
    wait_sent(&graph, "is already approved").await;
    let (_, after) = app.get(&format!("/api/v1/orders/{n}")).await;
    assert_eq!(
        (after["status"].as_str(), after["cod_confirmation"].as_str()),
        (Some("approved"), Some("confirmed"))
    );
    assert_eq!(
        after["version"], body["version"],
        "the stale tap wrote nothing to the order"
    );

    // Someone else's tap naming this order does not touch it.
    tap(
        &app,
        "wamid.cod-other",
        "919822200079",
        &format!("cod:cancel:{n}"),
        "Cancel order",
    )
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let (_, still) = app.get(&format!("/api/v1/orders/{n}")).await;
    assert_eq!(still["status"], "approved");
    app.stop().await;
}

async fn an_unconfirmed_order_can_be_flagged_for_a_call_instead(backend: Backend) {
    let graph = GraphFake::start().await;
    let app = TestApp::spawn_configured(
        backend,
        Some(&graph.url),
        &[
            ("COD_ENABLED", "true"),
            ("ORDERDESK_COD_CONFIRM", "on"),
            ("ORDERDESK_COD_CONFIRM_WAIT", "1s"),
            ("ORDERDESK_COD_UNCONFIRMED", "call"),
        ],
    )
    .await;
    let wa = "919822200073";
    let n = cod_order(&app, &graph, wa).await;
    let o = order_when(&app, n, |o| o["cod_confirmation"] == "call_needed").await;
    assert_eq!(o["status"], "confirmed", "kept for the call");
    assert!(o["timeline"].as_array().unwrap().iter().any(|e| e["detail"]
        .as_str()
        .is_some_and(|d| d.contains("call the customer"))));
    let (status, body) = app.move_order(n, json!({"status": "approved"})).await;
    assert_eq!(status, 200, "approving after the call is allowed: {body}");
    app.stop().await;
}

pub(crate) async fn deliver(app: &TestApp, n: i64) {
    for status in ["approved", "processed", "shipped", "delivered"] {
        let (s, b) = app.move_order(n, json!({ "status": status })).await;
        assert_eq!(s, 200, "{b}");
    }
}

pub(crate) fn list_rows(body: &Value) -> Vec<String> {
    body["interactive"]["action"]["sections"][0]["rows"]
        .as_array()
        .map(|rows| {
            rows.iter()
                .map(|r| r["id"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

async fn a_delivered_order_is_rated_once_with_a_comment_and_insights_count_it(backend: Backend) {
    let graph = GraphFake::start().await;
    let app = TestApp::spawn_configured(
        backend,
        Some(&graph.url),
        &[("COD_ENABLED", "true"), ("ORDERDESK_FEEDBACK_AFTER", "1s")],
    )
    .await;
    let (status, _) = app.get("/api/v1/stats").await;
    assert_eq!(status, 200);
    let wa = "919822200074";
    let n = cod_order(&app, &graph, wa).await;
    let (_, o) = app.get(&format!("/api/v1/orders/{n}")).await;
    assert!(
        o["cod_confirmation"].is_null(),
        "not asked with the setting off"
    );
    wait_body(&graph, wa, "the plain confirmation", |b| {
        text(b).contains(&format!("Your order #{n} is confirmed"))
    })
    .await;
    deliver(&app, n).await;

    let rows: Vec<String> = (1..=5).rev().map(|r| format!("rate:{r}:{n}")).collect();
    let asked = wait_body(&graph, wa, "the rating list", |b| list_rows(b) == rows).await;
    assert_eq!(asked["interactive"]["type"], "list");
    assert!(
        text(&asked).contains(&format!("How was your order #{n}")),
        "{asked}"
    );
    let o = order_when(&app, n, |o| o["feedback"]["state"] == "asked").await;
    assert!(o["feedback"]["rating"].is_null());

    // Out of range: ignored and asked again, once.
    post(
        &app,
        list_reply("wamid.rate-9", wa, &format!("rate:9:{n}"), "9"),
    )
    .await;
    let again = wait_body(&graph, wa, "the list again", |b| {
        list_rows(b) == rows && text(b).contains("Please pick a rating")
    })
    .await;
    assert!(text(&again).contains(&format!("#{n}")));
    order_when(&app, n, |o| o["feedback"]["reasked"] == true).await;
    post(&app, customer_message("wamid.rate-7", wa, Some("7"), None)).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let lists = sent_to(&graph, wa)
        .iter()
        .filter(|b| list_rows(b) == rows)
        .count();
    assert_eq!(lists, 2, "re-asked only once");
    let (_, o) = app.get(&format!("/api/v1/orders/{n}")).await;
    assert_eq!(
        (
            o["feedback"]["state"].as_str(),
            o["feedback"]["rating"].clone()
        ),
        (Some("asked"), Value::Null)
    );

    // A rating, then the comment.
    post(
        &app,
        list_reply("wamid.rate-4", wa, &format!("rate:4:{n}"), "4 – Good"),
    )
    .await;
    wait_sent(&graph, &format!("Thank you for rating order #{n} 4/5")).await;
    order_when(&app, n, |o| o["feedback"]["rating"] == 4).await;
    post(
        &app,
        customer_message(
            "wamid.rate-comment",
            wa,
            Some("Tea was fresh, thanks"),
            None,
        ),
    )
    .await;
    wait_sent(&graph, "Thank you for your feedback").await;
    let o = order_when(&app, n, |o| o["feedback"]["state"] == "done").await;
    assert_eq!(o["feedback"]["comment"], "Tea was fresh, thanks");
    assert_eq!(o["feedback"]["rating"], 4);

    let (_, r) = app.get("/api/v1/stats").await;
    assert_eq!(
        r["feedback"],
        json!({"ratings": 1, "average_rating": 4.0}),
        "{r}"
    );
    app.stop().await;
}

async fn a_checkout_completed_after_a_nudge_counts_as_recovered(backend: Backend) {
    let graph = GraphFake::start().await;
    let app = TestApp::spawn_configured(
        backend,
        Some(&graph.url),
        &[("COD_ENABLED", "true"), ("ORDERDESK_NUDGE_AFTER", "1s")],
    )
    .await;
    let (status, before) = app.get("/api/v1/stats").await;
    assert_eq!(status, 200);
    assert_eq!(before["funnel"]["recovered"], 0);
    let wa = "919822200075";
    let o = app.place_order("wamid.recovered-cart", wa, "Meena").await;
    let n = o["number"].as_i64().unwrap();
    wait_sent(&graph, &format!("#{n} is waiting for you")).await;
    finish_cod(&app, &graph, wa, n).await;
    // A cart nobody came back to is not recovered.
    app.place_order("wamid.recovered-idle", "919822200076", "Ravi")
        .await;

    let mut r = Value::Null;
    for _ in 0..100 {
        r = app.get("/api/v1/stats").await.1;
        if r["funnel"]["recovered"] == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(r["funnel"]["recovered"], 1, "{}", r["funnel"]);
    assert_eq!(r["orders"], 2);
    app.stop().await;
}

both_backends!(
    an_unconfirmed_cod_order_is_reminded_once_then_cancelled_not_confirmed,
    a_confirmed_cod_order_is_approved_and_a_stale_tap_changes_nothing,
    an_unconfirmed_order_can_be_flagged_for_a_call_instead,
    a_delivered_order_is_rated_once_with_a_comment_and_insights_count_it,
    a_checkout_completed_after_a_nudge_counts_as_recovered,
);
