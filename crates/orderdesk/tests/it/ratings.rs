//! The rating after delivery as the business sees and words it (#19): each
//! order's rating and comment with the customer's average on their page
//! and in `GET /api/v1/customers/{wa_id}`, and the rating list's button,
//! row titles and descriptions edited like any label, within WhatsApp's
//! limits.

use serde_json::{json, Value};

use crate::both_backends;
use crate::dashboard::{add_user, login};
use crate::defects::wait_sent;
use crate::followups::{deliver, list_reply, list_rows, post, sent_to, tap, wait_body};
use crate::helpers::{customer_message, Backend, GraphFake, TestApp};
use crate::journey::order_when;
use crate::window::put;
use orderdesk_store::Role;

/// A server whose delivered orders are asked for a rating at once.
pub(crate) async fn rating_app(backend: Backend) -> (GraphFake, TestApp) {
    let graph = GraphFake::start().await;
    let settings = [("COD_ENABLED", "true"), ("ORDERDESK_FEEDBACK_AFTER", "1s")];
    let app = TestApp::spawn_configured(backend, Some(&graph.url), &settings).await;
    (graph, app)
}

/// A cart from `wa` checked out with cash on delivery, delivered: its
/// number once the rating list went out. `nth` counts `wa`'s carts from 1,
/// so the address link used is that cart's.
pub(crate) async fn delivered_and_asked(
    app: &TestApp,
    graph: &GraphFake,
    wa: &str,
    nth: usize,
) -> i64 {
    let o = app
        .place_order(&format!("wamid.{wa}-cart-{nth}"), wa, "Asha")
        .await;
    let n = o["number"].as_i64().unwrap();
    let link = |b: &Value| {
        b["interactive"]["action"]["parameters"]["url"]
            .as_str()
            .map(str::to_owned)
    };
    let mut links = Vec::new();
    for _ in 0..200 {
        links = sent_to(graph, wa).iter().filter_map(link).collect();
        if links.len() >= nth {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    app.submit_address(&links[nth - 1]).await;
    order_when(app, n, |o| o["checkout_step"] == "awaiting_payment").await;
    let cod = format!("pay:cod:{n}");
    tap(
        app,
        &format!("wamid.{wa}-cod-{nth}"),
        wa,
        &cod,
        "Cash on delivery",
    )
    .await;
    order_when(app, n, |o| o["checkout_step"] == "awaiting_note_choice").await;
    let skip = format!("note:skip:{n}");
    tap(app, &format!("wamid.{wa}-skip-{nth}"), wa, &skip, "Skip").await;
    order_when(app, n, |o| o["status"] == "confirmed").await;
    deliver(app, n).await;
    order_when(app, n, |o| o["feedback"]["state"] == "asked").await;
    n
}

pub(crate) async fn rate(app: &TestApp, wa: &str, n: i64, rating: u8) {
    let id = format!("rate:{rating}:{n}");
    // WhatsApp echoes the row's title, which the chat shows.
    let title = format!("{rating} – rated");
    post(app, list_reply(&format!("wamid.rate-{n}"), wa, &id, &title)).await;
    order_when(app, n, |o| o["feedback"]["rating"] == rating).await;
}

/// Two of `wa`'s orders delivered and rated `ratings`, the second also
/// commented; returns their numbers.
pub(crate) async fn two_rated(
    app: &TestApp,
    graph: &GraphFake,
    wa: &str,
    ratings: [u8; 2],
    comment: &str,
) -> (i64, i64) {
    let first = delivered_and_asked(app, graph, wa, 1).await;
    rate(app, wa, first, ratings[0]).await;
    let second = delivered_and_asked(app, graph, wa, 2).await;
    rate(app, wa, second, ratings[1]).await;
    let wamid = format!("wamid.{wa}-comment");
    post(app, customer_message(&wamid, wa, Some(comment), None)).await;
    wait_sent(graph, "Thank you for your feedback").await;
    order_when(app, second, |o| o["feedback"]["state"] == "done").await;
    (first, second)
}

async fn the_customer_page_and_api_show_each_orders_rating_and_the_average(backend: Backend) {
    let (graph, app) = rating_app(backend).await;
    add_user(&app, "owner@shop.test", Role::Owner).await;
    let wa = "919822200091";

    // Not rated yet: no average, an empty list, and the page says so.
    let unrated = "919822200090";
    app.place_order("wamid.unrated", unrated, "Ravi").await;
    let (status, c) = app.get(&format!("/api/v1/customers/{unrated}")).await;
    assert_eq!(status, 200, "{c}");
    assert_eq!(
        (
            c["average_rating"].clone(),
            c["ratings_count"].clone(),
            c["ratings"].clone()
        ),
        (Value::Null, json!(0), json!([])),
        "{c}"
    );
    let owner = login(&app, "owner@shop.test").await;
    let page = owner
        .get(&app, &format!("/customers/{unrated}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Not rated yet"), "{page}");

    let comment = "Tea was fresh, box was dented";
    let (first, second) = two_rated(&app, &graph, wa, [5, 4], comment).await;
    let (_, c) = app.get(&format!("/api/v1/customers/{wa}")).await;
    assert_eq!(c["average_rating"], 4.5, "{c}");
    assert_eq!(c["ratings_count"], 2, "{c}");
    let ratings: Vec<(i64, i64, Value)> = c["ratings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["number"].as_i64().unwrap(),
                r["rating"].as_i64().unwrap(),
                r["comment"].clone(),
            )
        })
        .collect();
    assert_eq!(
        ratings,
        [(second, 4, json!(comment)), (first, 5, Value::Null)]
    );
    assert!(c["ratings"][0]["rated_at"].is_string(), "{c}");

    let page = owner
        .get(&app, &format!("/customers/{wa}"))
        .await
        .text()
        .await
        .unwrap();
    let average = page
        .split("id=\"average-rating\"")
        .nth(1)
        .unwrap_or_default();
    assert!(
        average.starts_with("><strong>4.5 / 5</strong>"),
        "{average}"
    );
    assert!(average.contains("(2 ratings)"), "{average}");
    assert!(page.contains("★ 4/5"), "{page}");
    assert!(page.contains("★ 5/5"), "{page}");
    assert!(page.contains(comment), "{page}");
    app.stop().await;
}

async fn the_rating_rows_are_labels_edited_within_whatsapps_limits(backend: Backend) {
    let (graph, app) = rating_app(backend).await;
    // Over the limit: 422 naming it, and nothing stored.
    for (key, len, limit) in [
        (
            "list.row.rating_5",
            25,
            "a list row title may have at most 24 characters",
        ),
        (
            "list.description.rating_5",
            73,
            "a list row description may have at most 72 characters",
        ),
        (
            "list.button.rating",
            21,
            "a list's button may have at most 20 characters",
        ),
    ] {
        let (s, b) = put(
            &app,
            &format!("/api/v1/templates/{key}/en"),
            json!({"body": "x".repeat(len)}),
        )
        .await;
        assert_eq!(s, 422, "{key}: {b}");
        let message = b["error"]["message"].as_str().unwrap();
        assert!(message.contains(limit), "{message}");
    }
    let (_, list) = app.get("/api/v1/templates").await;
    let built_in = |key: &str| {
        list["templates"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["key"] == key && t["language"] == "en")
            .map(|t| t["body"].clone())
    };
    assert_eq!(built_in("list.row.rating_5"), Some(json!("5 – Excellent")));
    assert_eq!(built_in("list.button.rating"), Some(json!("Rate")));

    // At the limit: stored, and what the customer's list shows.
    let title = "5 – Superb, loved it!!!!";
    assert_eq!(title.chars().count(), 24);
    for (key, body) in [
        ("list.row.rating_5", title),
        ("list.description.rating_5", "Would order again"),
        ("list.button.rating", "Rate us"),
    ] {
        let (s, b) = put(
            &app,
            &format!("/api/v1/templates/{key}/en"),
            json!({ "body": body }),
        )
        .await;
        assert_eq!(s, 200, "{key}: {b}");
    }
    let wa = "919822200092";
    let n = delivered_and_asked(&app, &graph, wa, 1).await;
    let rows: Vec<String> = (1..=5).rev().map(|r| format!("rate:{r}:{n}")).collect();
    let asked = wait_body(&graph, wa, "the rating list", |b| list_rows(b) == rows).await;
    let action = &asked["interactive"]["action"];
    assert_eq!(action["button"], "Rate us", "{asked}");
    let shown: Vec<(Value, Value)> = action["sections"][0]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["title"].clone(), r["description"].clone()))
        .collect();
    assert_eq!(shown[0], (json!(title), json!("Would order again")));
    assert_eq!(
        shown[1],
        (
            json!("4 – Good"),
            json!("Happy, with a small thing to improve")
        )
    );
    assert_eq!(
        shown[4],
        (json!("1 – Very poor"), json!("Something went wrong"))
    );
    app.stop().await;
}

both_backends!(
    the_customer_page_and_api_show_each_orders_rating_and_the_average,
    the_rating_rows_are_labels_edited_within_whatsapps_limits,
);
