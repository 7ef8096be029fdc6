//! Typed orders in the chat (#21): a customer types their order, gets the
//! draft back with "Place order" / "Change", and a tap makes the order the
//! way a catalog cart does, through the Graph fake as WhatsApp.

use std::time::Duration;

use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{customer_message, Backend, GraphFake, TestApp};
use crate::intake::load_grocery_catalog;
use crate::phone::{button, is_business, Phone};

pub(crate) const WA: &str = "919811100821";
const WAIT: Duration = Duration::from_secs(10);

pub(crate) async fn shop(backend: Backend, graph: &GraphFake) -> TestApp {
    let app = TestApp::spawn_with(backend, Some(&graph.url)).await;
    load_grocery_catalog(&app).await;
    app
}

pub(crate) async fn types(app: &TestApp, wamid: &str, text: &str) {
    let body = customer_message(wamid, WA, Some(text), None);
    assert_eq!(app.post_webhook(body.as_bytes()).await.status(), 200);
}

pub(crate) async fn taps(app: &TestApp, wamid: &str, (id, title): (&str, &str)) {
    let body = customer_message(wamid, WA, None, Some((id, title)));
    assert_eq!(app.post_webhook(body.as_bytes()).await.status(), 200);
}

/// What the customer read in Graph request `n` (0-based), once it came.
pub(crate) async fn nth(graph: &GraphFake, n: usize) -> Value {
    graph.wait_for(n + 1, WAIT).await[n].2.clone()
}

pub(crate) fn body_text(message: &Value) -> String {
    message
        .pointer("/text/body")
        .or_else(|| message.pointer("/interactive/body/text"))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

/// The draft offer's two buttons: ("Place order" id, "Change" id).
pub(crate) fn buttons(offer: &Value) -> (String, String) {
    let b = &offer["interactive"]["action"]["buttons"];
    assert_eq!(b[0]["reply"]["title"], "Place order", "{offer}");
    assert_eq!(b[1]["reply"]["title"], "Change", "{offer}");
    let id = |i: usize| b[i]["reply"]["id"].as_str().unwrap().to_owned();
    (id(0), id(1))
}

pub(crate) async fn orders(app: &TestApp) -> Vec<Value> {
    let (status, body) = app.get("/api/v1/orders?limit=200").await;
    assert_eq!(status, 200, "{body}");
    body["orders"].as_array().cloned().unwrap_or_default()
}

/// (retailer id, quantity) of each line of an order's `items` or a draft's `lines`.
pub(crate) fn lines_of(lines: &Value) -> Vec<(String, i64)> {
    lines
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["retailer_id"].as_str().unwrap().to_owned(),
                l["quantity"].as_i64().unwrap(),
            )
        })
        .collect()
}

/// Nothing more reaches Graph for a while: the bot said nothing more.
pub(crate) async fn quiet_after(graph: &GraphFake, n: usize) {
    tokio::time::sleep(Duration::from_millis(600)).await;
    let all = graph.requests();
    assert_eq!(
        all.len(),
        n,
        "the bot said more: {:?}",
        &all[n.min(all.len())..]
    );
}

async fn a_typed_order_is_shown_back_and_placed_with_a_tap(backend: Backend) {
    let graph = GraphFake::start().await;
    let app = shop(backend, &graph).await;
    types(&app, "wamid.t1", "2 kg basmati, 1 toor dal").await;

    let offer = nth(&graph, 0).await;
    let text = body_text(&offer);
    assert!(
        text.contains("2 × India Gate Basmati Rice 1 kg — "),
        "{text}"
    );
    assert!(text.contains("1 × Tata Sampann Toor Dal 1 kg — "), "{text}");
    assert!(text.contains("Total: ₹500.00"), "{text}");
    assert!(orders(&app).await.is_empty(), "a draft is no order");
    let (place, _) = buttons(&offer);

    taps(&app, "wamid.t2", (&place, "Place order")).await;
    let orders = app.wait_for_orders(1).await;
    let order = &orders[0];
    assert_eq!(order["customer"]["wa_id"], WA);
    assert_eq!(order["total_minor"], 50_000, "{order}");
    assert_eq!(
        lines_of(&order["items"]),
        [("rice-basmati".to_owned(), 2), ("toor-dal".to_owned(), 1)]
    );
    // The checkout follows as for a catalog cart: thanks and the address form.
    let first = nth(&graph, 1).await;
    assert_eq!(first["interactive"]["type"], "cta_url", "{first}");
    assert!(
        body_text(&first).contains("Thank you for your order #"),
        "{first}"
    );
    app.stop().await;
}

async fn change_kills_the_draft_and_a_new_text_replaces_it(backend: Backend) {
    let graph = GraphFake::start().await;
    let app = shop(backend, &graph).await;
    types(&app, "wamid.c1", "1 kg sugar").await;
    let (place_first, change) = buttons(&nth(&graph, 0).await);

    taps(&app, "wamid.c2", (&change, "Change")).await;
    assert!(body_text(&nth(&graph, 1).await).contains("a person from our team will look"));
    // The first draft's "Place order" no longer orders anything.
    taps(&app, "wamid.c3", (&place_first, "Place order")).await;
    assert!(body_text(&nth(&graph, 2).await).contains("older draft"));
    // "Change" handed them to a person; handed back, the bot reads again.
    let (status, body) = app
        .post(
            &format!("/api/v1/conversations/{WA}"),
            &json!({"handover": false}),
        )
        .await;
    assert_eq!(status, 200, "{body}");

    types(&app, "wamid.c4", "2 namak").await;
    let (place_second, _) = buttons(&nth(&graph, 3).await);
    types(&app, "wamid.c5", "3 namak").await;
    let third = nth(&graph, 4).await;
    assert!(body_text(&third).contains("3 × Tata Salt 1 kg"), "{third}");
    let (place_third, _) = buttons(&third);
    taps(&app, "wamid.c6", (&place_second, "Place order")).await;
    assert!(body_text(&nth(&graph, 5).await).contains("older draft"));
    assert!(orders(&app).await.is_empty());

    taps(&app, "wamid.c7", (&place_third, "Place order")).await;
    let placed = app.wait_for_orders(1).await;
    assert_eq!(placed[0]["items"][0]["quantity"], 3);
    app.stop().await;
}

async fn a_stale_tap_changes_nothing_and_is_answered(backend: Backend) {
    let graph = GraphFake::start().await;
    let app = shop(backend, &graph).await;
    // A price changed under the draft: its tap orders nothing.
    types(&app, "wamid.s1", "2 namak").await;
    let (place, _) = buttons(&nth(&graph, 0).await);
    let mut salt = app
        .store
        .products_by_ids(&["salt".to_owned()])
        .await
        .unwrap();
    salt[0].price_minor += 100;
    app.store.upsert_products(&salt).await.unwrap();
    taps(&app, "wamid.s2", (&place, "Place order")).await;
    assert!(body_text(&nth(&graph, 1).await).contains("prices or products changed"));
    assert!(orders(&app).await.is_empty());

    // Written again, at today's price, and placed.
    types(&app, "wamid.s3", "1 namak").await;
    let offer = nth(&graph, 2).await;
    assert!(body_text(&offer).contains("₹29.00"), "{offer}");
    let (place, _) = buttons(&offer);
    taps(&app, "wamid.s4", (&place, "Place order")).await;
    app.wait_for_orders(1).await;
    graph.wait_for(4, WAIT).await;

    // Tapped again later: the order stands alone, and the customer is told.
    taps(&app, "wamid.s5", (&place, "Place order")).await;
    assert!(body_text(&nth(&graph, 4).await).contains("already placed"));
    assert_eq!(orders(&app).await.len(), 1);

    // A forged or mangled draft button is no order either.
    taps(&app, "wamid.s6", ("typed.place.1.ff", "Place order")).await;
    assert!(body_text(&nth(&graph, 5).await).contains("older draft"));
    assert_eq!(orders(&app).await.len(), 1);
    app.stop().await;
}

async fn a_tap_delivered_twice_makes_one_order(backend: Backend) {
    let graph = GraphFake::start().await;
    let app = shop(backend, &graph).await;
    types(&app, "wamid.d1", "2 kg basmati").await;
    let (place, _) = buttons(&nth(&graph, 0).await);
    let tap = customer_message("wamid.d2", WA, None, Some((&place, "Place order")));
    // WhatsApp retries a webhook it thinks failed; a double tap is two.
    for _ in 0..3 {
        assert_eq!(app.post_webhook(tap.as_bytes()).await.status(), 200);
    }
    let again = customer_message("wamid.d3", WA, None, Some((&place, "Place order")));
    assert_eq!(app.post_webhook(again.as_bytes()).await.status(), 200);
    app.wait_for_orders(1).await;
    // The order's thanks and the double tap's answer, nothing else.
    let sent = graph.wait_for(3, WAIT).await;
    quiet_after(&graph, 3).await;
    let texts: Vec<String> = sent.iter().map(|r| body_text(&r.2)).collect();
    assert_eq!(
        texts
            .iter()
            .filter(|t| t.contains("already placed"))
            .count(),
        1,
        "{texts:?}"
    );
    assert_eq!(orders(&app).await.len(), 1);
    app.stop().await;
}

async fn with_typed_orders_off_a_typed_order_only_joins_the_conversation(backend: Backend) {
    let graph = GraphFake::start().await;
    let app = shop(backend, &graph).await;
    let (status, body) = crate::settings::put(&app, json!({"ORDERDESK_TYPED_ORDERS": "off"})).await;
    assert_eq!(status, 200, "{body}");
    let (status, body) =
        crate::settings::put(&app, json!({"ORDERDESK_TYPED_ORDERS": "sometimes"})).await;
    assert_eq!(status, 422, "{body}");

    types(&app, "wamid.o1", "2 kg basmati").await;
    quiet_after(&graph, 0).await;
    let (_, thread) = app
        .get(&format!("/api/v1/conversations/{WA}/messages"))
        .await;
    assert_eq!(thread["messages"][0]["text"], "2 kg basmati", "{thread}");
    let (_, list) = app.get("/api/v1/conversations").await;
    assert_eq!(list["conversations"][0]["needs_reply"], true, "{list}");
    assert!(orders(&app).await.is_empty());

    // Turned on again, live: the next text is read.
    let (status, _) = crate::settings::put(&app, json!({"ORDERDESK_TYPED_ORDERS": "on"})).await;
    assert_eq!(status, 200);
    types(&app, "wamid.o2", "2 kg basmati").await;
    buttons(&nth(&graph, 0).await);
    app.stop().await;
}

async fn words_naming_nothing_reach_a_person_and_no_order_is_not_answered(backend: Backend) {
    let graph = GraphFake::start().await;
    let app = shop(backend, &graph).await;
    types(&app, "wamid.p1", "hello, do you deliver on sunday?").await;
    quiet_after(&graph, 0).await;

    types(&app, "wamid.p2", "1 namak, 1 jar of happiness").await;
    let offer = nth(&graph, 0).await;
    let text = body_text(&offer);
    assert!(text.contains("1 × Tata Salt 1 kg"), "{text}");
    assert!(
        text.contains("We could not read “1 jar of happiness”"),
        "{text}"
    );
    let (place, _) = buttons(&offer);
    let mut c = Value::Null;
    for _ in 0..100 {
        let (_, list) = app.get("/api/v1/conversations").await;
        c = list["conversations"][0].clone();
        if c["handover"] == true {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(c["handover"], true, "{c}");
    assert_eq!(c["needs_reply"], true, "{c}");
    // What was read can still be ordered while a person looks at the rest.
    taps(&app, "wamid.p3", (&place, "Place order")).await;
    app.wait_for_orders(1).await;
    app.stop().await;
}

/// On the phone simulator, as in `orderdesk demo`: the tea shop's customer
/// types an order, taps "Place order" and is asked for the address.
async fn on_the_phone_a_typed_order_is_placed_with_a_tap(backend: Backend) {
    let (app, _sim) = TestApp::spawn_with_phone(backend, &[]).await;
    let phone = Phone { app: &app };
    let wa = phone.add("Ravi Menon", "+91 98123 45699").await["wa_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, body) = phone
        .post(
            &format!("/customers/{wa}/text"),
            json!({"text": "1 masala chai, 2 ginger biscuits"}),
        )
        .await;
    assert_eq!(status, 202, "{body}");
    let offer = phone
        .wait_for(&wa, "the draft", |m| {
            is_business(m) && m["buttons"].as_array().is_some_and(|b| b.len() == 2)
        })
        .await;
    let text = offer["text"].as_str().unwrap_or_default();
    assert!(text.contains("1 × Masala Chai Blend 200 g"), "{offer}");
    assert!(text.contains("2 × Ginger Biscuits 200 g"), "{offer}");
    let place = button(&offer, "Place order");
    let (status, _) = phone.tap(&wa, &offer, &place).await;
    assert_eq!(status, 202);
    let order = &app.wait_for_orders(1).await[0];
    assert_eq!(order["customer"]["wa_id"], wa.as_str());
    assert_eq!(order["items"][1]["retailer_id"], "biscuits-ginger");
    let ask = phone
        .wait_for(&wa, "address link", |m| {
            is_business(m) && m["link"].is_object()
        })
        .await;
    assert_eq!(ask["link"]["label"], "Add address");
    app.stop().await;
}

both_backends!(
    on_the_phone_a_typed_order_is_placed_with_a_tap,
    a_typed_order_is_shown_back_and_placed_with_a_tap,
    change_kills_the_draft_and_a_new_text_replaces_it,
    a_stale_tap_changes_nothing_and_is_answered,
    a_tap_delivered_twice_makes_one_order,
    with_typed_orders_off_a_typed_order_only_joins_the_conversation,
    words_naming_nothing_reach_a_person_and_no_order_is_not_answered,
);
