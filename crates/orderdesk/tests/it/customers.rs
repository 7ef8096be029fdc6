//! Customers (issue #16, item 6) through the API: one per phone number with
//! their orders count and spend, found by any spelling of the phone, and
//! blocked (the bot ignores their carts and messages) and unblocked. Also
//! `assignee=me` for a token (422), and the event stream of an agent who
//! sees only their own orders.

use std::time::Duration;

use orderdesk_store::Role;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::both_backends;
use crate::dashboard::{add_user, login};
use crate::helpers::{customer_message, order_webhook, Backend, GraphFake, SseReader, TestApp};
use crate::staff_orders::{order_one_tea, seed_catalog};

const ASHA: &str = "919988776655";
const RAVI: &str = "14155550123";

fn enc(q: &str) -> String {
    q.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

async fn cart(app: &TestApp, wamid: &str, wa: &str, name: &str) {
    let body = order_webhook(wamid, wa, name, &[("tea", 2, "249.50", "INR")]);
    assert_eq!(app.post_webhook(body.as_bytes()).await.status(), 200);
}

/// The numbers of this customer's orders, newest first.
async fn orders_of(app: &TestApp, wa: &str) -> Vec<i64> {
    let (status, c) = app.get(&format!("/api/v1/customers/{wa}")).await;
    assert_eq!(status, StatusCode::OK, "{c}");
    c["orders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["number"].as_i64().unwrap())
        .collect()
}

async fn found(app: &TestApp, q: &str) -> Vec<String> {
    let (status, list) = app.get(&format!("/api/v1/customers?q={}", enc(q))).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    list["customers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["wa_id"].as_str().unwrap().to_owned())
        .collect()
}

async fn customers_count_their_orders_and_spend_and_are_found_by_any_spelling(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    cart(&app, "wamid.cu1", ASHA, "Asha Rao").await;
    cart(&app, "wamid.cu2", RAVI, "Ravi").await;
    cart(&app, "wamid.cu3", ASHA, "Asha Rao").await;
    let orders = app.wait_for_orders(3).await;
    let first_asha = orders
        .iter()
        .filter(|o| o["customer"]["wa_id"] == ASHA)
        .map(|o| o["number"].as_i64().unwrap())
        .min()
        .unwrap();
    // Paid (as a provider's webhook would leave it).
    let order = app
        .store
        .order(orderdesk_domain::OrderNumber::new(first_asha).unwrap())
        .await
        .unwrap();
    let paid = app
        .store
        .update_order(
            order.number,
            order.version,
            &orderdesk_store::OrderUpdate {
                payment_status: Some(orderdesk_domain::PaymentStatus::Paid),
                ..Default::default()
            },
            chrono::Utc::now(),
        )
        .await
        .unwrap();
    let paid = serde_json::to_value(&paid).unwrap();
    let total = paid["total_minor"].as_i64().unwrap();
    assert_eq!(total, 49_900);

    let (status, list) = app.get("/api/v1/customers").await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let all = list["customers"].as_array().unwrap();
    assert_eq!(all.len(), 2, "one customer per phone: {list}");
    let asha = all.iter().find(|c| c["wa_id"] == ASHA).unwrap();
    assert_eq!(asha["name"], "Asha Rao");
    assert_eq!(asha["orders_count"], 2);
    assert_eq!(
        asha["total_spent_minor"], total,
        "only the paid order counts"
    );
    assert_eq!(asha["currency"], "INR");
    assert_eq!(asha["blocked"], false);
    assert!(asha["first_order_at"].is_string() && asha["last_order_at"].is_string());
    let ravi = all.iter().find(|c| c["wa_id"] == RAVI).unwrap();
    assert_eq!(
        (
            ravi["orders_count"].as_i64(),
            ravi["total_spent_minor"].as_i64()
        ),
        (Some(1), Some(0))
    );

    for q in [
        "+91 99887 76655",
        "09988776655",
        "9988776655",
        "asha",
        "RAO",
    ] {
        assert_eq!(found(&app, q).await, [ASHA], "{q}");
    }
    assert!(found(&app, "nobody").await.is_empty());

    // One customer, spelled as staff type it, with their orders.
    let (status, one) = app
        .get(&format!("/api/v1/customers/{}", enc("+91 99887 76655")))
        .await;
    assert_eq!(status, StatusCode::OK, "{one}");
    assert_eq!(one["wa_id"], ASHA);
    assert_eq!(one["orders"].as_array().unwrap().len(), 2);
    let (status, none) = app.get("/api/v1/customers/910000000000").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(none["error"]["code"], "not_found");

    // Paging: one a page, a cursor to the next, bad cursors refused.
    let (_, page) = app.get("/api/v1/customers?limit=1").await;
    let cursor = page["next_cursor"].as_str().unwrap().to_owned();
    let (_, next) = app
        .get(&format!("/api/v1/customers?limit=1&cursor={cursor}"))
        .await;
    assert_ne!(page["customers"][0]["wa_id"], next["customers"][0]["wa_id"]);
    for bad in ["limit=0", "cursor=x", "cursor=-1"] {
        let (status, body) = app.get(&format!("/api/v1/customers?{bad}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {body}");
    }
    app.stop().await;
}

/// Messages the server sent to this number.
fn sent_to(graph: &GraphFake, wa: &str) -> usize {
    graph
        .requests()
        .iter()
        .filter(|(_, _, body)| body["to"] == wa)
        .count()
}

async fn a_blocked_customer_is_ignored_by_the_bot_until_unblocked(backend: Backend) {
    let graph = GraphFake::start().await;
    let app = TestApp::spawn_with(backend, Some(&graph.url)).await;
    cart(&app, "wamid.bl1", ASHA, "Asha Rao").await;
    app.wait_for_orders(1).await;
    graph.wait_for(1, Duration::from_secs(10)).await;

    let (status, blocked) = app
        .post(&format!("/api/v1/customers/{ASHA}/block"), &json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{blocked}");
    assert_eq!(blocked["blocked"], true);
    assert!(
        blocked["blocked_by"]
            .as_str()
            .unwrap()
            .starts_with("API token"),
        "{blocked}"
    );
    assert!(blocked["blocked_at"].is_string());
    let (status, again) = app
        .post(&format!("/api/v1/customers/{ASHA}/block"), &json!({}))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        again["blocked_at"], blocked["blocked_at"],
        "blocking twice keeps the first"
    );
    let (status, _) = app
        .post("/api/v1/customers/910000000000/block", &json!({}))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Blocked: a cart makes no order and a message gets no answer, but it
    // reaches the conversation. Ravi's cart, sent after, shows they were
    // processed.
    let before = sent_to(&graph, ASHA);
    cart(&app, "wamid.bl2", ASHA, "Asha Rao").await;
    let hello = customer_message("wamid.bl3", ASHA, Some("hello? anyone"), None);
    assert_eq!(app.post_webhook(hello.as_bytes()).await.status(), 200);
    cart(&app, "wamid.bl4", RAVI, "Ravi").await;
    app.wait_for_orders(2).await;
    let to_ravi = sent_to(&graph, RAVI);
    for _ in 0..200 {
        if sent_to(&graph, RAVI) > to_ravi || to_ravi > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        orders_of(&app, ASHA).await.len(),
        1,
        "no order from a blocked customer"
    );
    assert_eq!(
        sent_to(&graph, ASHA),
        before,
        "the bot said nothing to them"
    );
    let (_, thread) = app
        .get(&format!("/api/v1/conversations/{ASHA}/messages"))
        .await;
    assert!(thread.to_string().contains("hello? anyone"), "{thread}");
    let (_, listed) = app.get("/api/v1/customers?q=09988776655").await;
    assert_eq!(listed["customers"][0]["blocked"], true);

    // Unblocked: their next cart is an order again.
    let (status, unblocked) = app
        .post(&format!("/api/v1/customers/{ASHA}/unblock"), &json!({}))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (
            unblocked["blocked"].as_bool(),
            unblocked["blocked_at"].is_null()
        ),
        (Some(false), true)
    );
    cart(&app, "wamid.bl5", ASHA, "Asha Rao").await;
    app.wait_for_orders(3).await;
    assert_eq!(orders_of(&app, ASHA).await.len(), 2);
    app.stop().await;
}

async fn a_token_has_no_me(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (status, body) = app.get("/api/v1/orders?assignee=me").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["code"], "assignee_me_needs_a_user");
    assert!(body["error"]["message"].as_str().unwrap().contains("email"));
    let (status, body) = app
        .post(
            "/api/v1/orders/bulk",
            &json!({"filter": {"assignee": "Me"}, "action": "tag", "tag": "x"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["code"], "assignee_me_needs_a_user");
    let (status, _) = app.get("/api/v1/orders?assignee=agent@shop.test").await;
    assert_eq!(status, StatusCode::OK);
    app.stop().await;
}

/// Events the stream gives within `quiet` of each other, until it is quiet.
async fn drain(reader: &mut SseReader, quiet: Duration) -> Vec<(i64, String, Value)> {
    let mut out = Vec::new();
    while let Some(ev) = reader.try_next(quiet).await {
        out.push((ev.id, ev.kind, ev.data));
    }
    out
}

async fn an_agent_who_sees_own_orders_gets_only_their_events(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    seed_catalog(&app).await;
    add_user(&app, "agent@shop.test", Role::Agent).await;
    let (status, body) =
        crate::settings::put(&app, json!({"ORDERDESK_AGENTS_SEE_OWN_ORDERS": "true"})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let agent = login(&app, "agent@shop.test").await;
    let stream = agent.get(&app, "/api/v1/events?last_event_id=0").await;
    assert_eq!(stream.status(), StatusCode::OK);
    let mut mine = SseReader::from_response(stream);
    let mut all = SseReader::open(&app, Some(0)).await;

    let mut n = Vec::new();
    for wa in ["919822200061", "919822200062"] {
        n.push(order_one_tea(&app, wa).await);
    }
    for (number, who) in [(n[0], json!("agent@shop.test")), (n[1], json!(null))] {
        let (status, body) = app
            .post(
                "/api/v1/orders/bulk",
                &json!({"numbers": [number], "action": "tag", "tag": "gift"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (status, body) = app
            .post(
                "/api/v1/orders/bulk",
                &json!({"numbers": [number], "action": "assign", "assignee": who}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let (status, body) = app
        .post(
            "/api/v1/orders/bulk",
            &json!({"numbers": [n[0], n[1]], "action": "tag", "tag": "late"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let everything = drain(&mut all, Duration::from_secs(3)).await;
    let theirs = drain(&mut mine, Duration::from_secs(1)).await;
    let about = |events: &[(i64, String, Value)], number: i64| {
        events
            .iter()
            .filter(|(_, kind, data)| {
                (kind.starts_with("order.") || kind.starts_with("payment."))
                    && data["number"] == number
            })
            .count()
    };
    assert!(
        about(&everything, n[1]) >= 2,
        "a token sees every order's events"
    );
    assert_eq!(
        about(&theirs, n[1]),
        0,
        "none of another's order: {theirs:?}"
    );
    assert!(
        about(&theirs, n[0]) >= 2,
        "their order once assigned: {theirs:?}"
    );
    for (_, kind, data) in &theirs {
        if kind.starts_with("order.") {
            assert_eq!(data["assignee"], "agent@shop.test", "{kind} {data}");
        }
    }

    // Taken from them: they hear it once (their board drops the order),
    // then nothing more of it.
    add_user(&app, "other@shop.test", Role::Agent).await;
    for body in [
        json!({"numbers": [n[0]], "action": "assign", "assignee": "other@shop.test"}),
        json!({"numbers": [n[0]], "action": "tag", "tag": "fragile"}),
    ] {
        let (status, answer) = app.post("/api/v1/orders/bulk", &body).await;
        assert_eq!(status, StatusCode::OK, "{answer}");
    }
    let everything = drain(&mut all, Duration::from_secs(3)).await;
    let theirs = drain(&mut mine, Duration::from_secs(1)).await;
    assert_eq!(about(&everything, n[0]), 2, "{everything:?}");
    let [(_, kind, data)] = theirs.as_slice() else {
        panic!("one event of the order taken from them: {theirs:?}");
    };
    assert_eq!(kind, "order.updated");
    assert_eq!(data["number"], n[0]);
    assert_eq!(data["assignee"], "other@shop.test");
    assert_eq!(data["previous_assignee"], "agent@shop.test");
    app.stop().await;
}

both_backends!(
    customers_count_their_orders_and_spend_and_are_found_by_any_spelling,
    a_blocked_customer_is_ignored_by_the_bot_until_unblocked,
    a_token_has_no_me,
    an_agent_who_sees_own_orders_gets_only_their_events,
);
