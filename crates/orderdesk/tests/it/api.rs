//! The integration API as an integrator uses it.

use std::collections::HashSet;

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{Backend, TestApp};

async fn calls_without_a_valid_token_get_401_json(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    for token in [None, Some("wrong"), Some("")] {
        let mut req = app.client.get(app.url("/api/v1/orders"));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let r = req.send().await.unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["error"]["code"], "unauthorized");
    }
    let r = app
        .client
        .get(app.url("/api/v1/events"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    app.stop().await;
}

async fn an_order_moves_through_every_stage_with_a_timeline(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let order = app.place_order("wamid.walk", "15550003333", "Walker").await;
    let n = order["number"].as_i64().unwrap();

    let (s, body) = app
        .move_order(
            n,
            json!({"status": "confirmed", "reason": "paid by bank transfer"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    for step in ["approved", "processed"] {
        let (s, body) = app.move_order(n, json!({ "status": step })).await;
        assert_eq!(s, StatusCode::OK, "{body}");
        assert_eq!(body["status"], step);
    }
    let (s, body) = app
        .move_order(
            n,
            json!({"status": "shipped", "tracking": "https://track.example/1Z999"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(body["tracking"], "https://track.example/1Z999");
    let (s, _) = app.move_order(n, json!({"status": "delivered"})).await;
    assert_eq!(s, StatusCode::OK);

    let (s, detail) = app.get(&format!("/api/v1/orders/{n}")).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(detail["status"], "delivered");
    let timeline = detail["timeline"].as_array().unwrap();
    let moves: Vec<(&str, &str)> = timeline
        .iter()
        .filter(|e| e["kind"] == "status_changed")
        .map(|e| {
            (
                e["from_status"].as_str().unwrap(),
                e["to_status"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        moves,
        [
            ("placed", "confirmed"),
            ("confirmed", "approved"),
            ("approved", "processed"),
            ("processed", "shipped"),
            ("shipped", "delivered")
        ]
    );
    assert_eq!(timeline[0]["kind"], "created");
    let confirm = &timeline[1];
    assert_eq!(confirm["actor"], "staff");
    assert_eq!(confirm["actor_name"], "token:tests");
    assert_eq!(confirm["reason"], "paid by bank transfer");
    app.stop().await;
}

async fn an_illegal_move_is_409_naming_the_current_state_and_changes_nothing(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let order = app.place_order("wamid.illegal", "15550004444", "Ila").await;
    let n = order["number"].as_i64().unwrap();
    let (s, body) = app.move_order(n, json!({"status": "shipped"})).await;
    assert_eq!(s, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["code"], "illegal_transition");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("placed"),
        "{body}"
    );
    let (_, after) = app.get(&format!("/api/v1/orders/{n}")).await;
    assert_eq!(after["status"], "placed");
    assert_eq!(after["version"], order["version"]);
    assert_eq!(after["timeline"].as_array().unwrap().len(), 1);
    app.stop().await;
}

async fn missing_reasons_and_bad_bodies_are_clear_errors(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let order = app.place_order("wamid.bad", "15550005555", "Bad").await;
    let n = order["number"].as_i64().unwrap();

    let (s, body) = app.move_order(n, json!({"status": "cancelled"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("reason"));

    let (s, body) = app.move_order(n, json!({"status": "teleported"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");

    let (s, body) = app.move_order(n, json!({"state": "approved"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["code"], "invalid_json");

    let r = app
        .client
        .post(app.url(&format!("/api/v1/orders/{n}/status")))
        .bearer_auth(&app.token)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "invalid_json");

    let (s, body) = app.move_order(999_999, json!({"status": "approved"})).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(body["error"]["code"], "not_found");
    let (s, body) = app.get("/api/v1/orders/999999").await;
    assert_eq!(
        (s, body["error"]["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("not_found"))
    );
    let (s, _) = app.get("/api/v1/orders/abc").await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    for bad in [
        "limit=0",
        "limit=201",
        "limit=x",
        "limit=",
        "status=nope",
        "payment=nope",
        "cursor=%%%",
    ] {
        let (s, body) = app.get(&format!("/api/v1/orders?{bad}")).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{bad}: {body}");
        assert!(body["error"]["message"].is_string());
    }
    let (s, body) = app.get("/no/such/route").await;
    assert_eq!(
        (s, body["error"]["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("not_found"))
    );

    let (_, after) = app.get(&format!("/api/v1/orders/{n}")).await;
    assert_eq!(after["status"], "placed");
    app.stop().await;
}

async fn two_staff_moving_one_order_at_once_one_wins_the_other_gets_409(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let order = app.place_order("wamid.race", "15550006666", "Race").await;
    let n = order["number"].as_i64().unwrap();
    let (s, _) = app
        .move_order(n, json!({"status": "confirmed", "reason": "manual"}))
        .await;
    assert_eq!(s, StatusCode::OK);
    // Both saw the same version and each tries a different legal move.
    let (_, seen) = app.get(&format!("/api/v1/orders/{n}")).await;
    let version = seen["version"].clone();
    let a = app.move_order(n, json!({"status": "approved", "version": version}));
    let b = app.move_order(
        n,
        json!({"status": "rejected", "reason": "out of stock", "version": version}),
    );
    let ((sa, _), (sb, _)) = tokio::join!(a, b);
    let mut statuses = [sa, sb];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::OK, StatusCode::CONFLICT]);
    let (_, after) = app.get(&format!("/api/v1/orders/{n}")).await;
    let moves = after["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "status_changed")
        .count();
    assert_eq!(moves, 2, "confirm plus exactly one winner");
    app.stop().await;
}

async fn paging_is_stable_while_new_orders_arrive(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    for i in 0..7 {
        app.place_order(
            &format!("wamid.page-{i}"),
            &format!("1555100{i:04}"),
            "Pager",
        )
        .await;
    }
    let (_, first) = app.get("/api/v1/orders?limit=3").await;
    let mut seen: Vec<i64> = first["orders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["number"].as_i64().unwrap())
        .collect();
    assert_eq!(seen, [1007, 1006, 1005]);
    // New orders arrive between pages; they must not shift what follows.
    app.place_order("wamid.page-late", "15551009999", "Late")
        .await;
    let mut cursor = first["next_cursor"].as_str().unwrap().to_owned();
    loop {
        let (s, page) = app
            .get(&format!(
                "/api/v1/orders?limit=3&cursor={}",
                urlencode(&cursor)
            ))
            .await;
        assert_eq!(s, StatusCode::OK, "{page}");
        seen.extend(
            page["orders"]
                .as_array()
                .unwrap()
                .iter()
                .map(|o| o["number"].as_i64().unwrap()),
        );
        match page["next_cursor"].as_str() {
            Some(c) => cursor = c.to_owned(),
            None => break,
        }
    }
    assert_eq!(seen, [1007, 1006, 1005, 1004, 1003, 1002, 1001]);
    app.stop().await;
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

async fn filters_and_search_find_the_right_orders(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.place_order("wamid.f1", "919800000001", "Priya Sharma")
        .await;
    app.place_order("wamid.f2", "919800000002", "Rahul Verma")
        .await;
    let third = app.place_order("wamid.f3", "447700900003", "priya k").await;
    let n3 = third["number"].as_i64().unwrap();
    let (s, _) = app
        .move_order(n3, json!({"status": "cancelled", "reason": "duplicate"}))
        .await;
    assert_eq!(s, StatusCode::OK);

    let numbers = |body: &Value| -> HashSet<i64> {
        body["orders"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["number"].as_i64().unwrap())
            .collect()
    };
    let (_, by_name) = app.get("/api/v1/orders?q=PRIYA").await;
    assert_eq!(numbers(&by_name), HashSet::from([1001, 1003]));
    let (_, by_phone) = app.get("/api/v1/orders?q=7700900").await;
    assert_eq!(numbers(&by_phone), HashSet::from([1003]));
    let (_, by_number) = app.get("/api/v1/orders?q=1002").await;
    assert_eq!(numbers(&by_number), HashSet::from([1002]));
    let (_, placed) = app.get("/api/v1/orders?status=placed").await;
    assert_eq!(numbers(&placed), HashSet::from([1001, 1002]));
    let (_, cancelled_priya) = app.get("/api/v1/orders?status=cancelled&q=priya").await;
    assert_eq!(numbers(&cancelled_priya), HashSet::from([1003]));
    let (_, pending) = app.get("/api/v1/orders?payment=pending").await;
    assert_eq!(numbers(&pending).len(), 3);
    let (_, paid) = app.get("/api/v1/orders?payment=paid").await;
    assert!(numbers(&paid).is_empty());
    assert_eq!(placed["counts"]["placed"], 2);
    assert_eq!(placed["counts"]["cancelled"], 1);
    assert_eq!(placed["counts"]["delivered"], 0);
    assert_eq!(placed["counts"].as_object().unwrap().len(), 12);
    app.stop().await;
}

async fn the_openapi_description_is_generated_and_lists_the_api(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let r = app
        .client
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let doc: Value = r.json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    for path in [
        "/api/v1/orders",
        "/api/v1/orders/{number}",
        "/api/v1/orders/{number}/status",
        "/api/v1/events",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} missing");
    }
    assert!(doc["components"]["schemas"]["Order"]["properties"]["total_minor"].is_object());
    app.stop().await;
}

async fn health_and_metrics_answer_operators(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.place_order("wamid.metrics", "15550007777", "M").await;
    let r = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let r = app.client.get(app.url("/metrics")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain"));
    let text = r.text().await.unwrap();
    assert!(
        text.contains("orderdesk_webhooks_accepted_total 1"),
        "{text}"
    );
    assert!(
        text.contains("orderdesk_webhook_items_stored_total 1"),
        "{text}"
    );
    app.stop().await;
}

both_backends!(
    calls_without_a_valid_token_get_401_json,
    an_order_moves_through_every_stage_with_a_timeline,
    an_illegal_move_is_409_naming_the_current_state_and_changes_nothing,
    missing_reasons_and_bad_bodies_are_clear_errors,
    two_staff_moving_one_order_at_once_one_wins_the_other_gets_409,
    paging_is_stable_while_new_orders_arrive,
    filters_and_search_find_the_right_orders,
    the_openapi_description_is_generated_and_lists_the_api,
    health_and_metrics_answer_operators,
);
