//! "Agents see only their own orders" (issue #16, item 4): with the
//! setting on, an agent's board, counts, export, order window and forms
//! hold only the orders assigned to them; owners still see all; the
//! setting takes effect live, without a restart.

use orderdesk_store::Role;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::both_backends;
use crate::dashboard::{add_user, login};
use crate::helpers::{Backend, TestApp};
use crate::staff_orders::seed_catalog;

async fn put_setting(app: &TestApp, value: &str) {
    let (status, body) =
        crate::settings::put(app, json!({"ORDERDESK_AGENTS_SEE_OWN_ORDERS": value})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

async fn agents_with_the_setting_on_see_only_their_own_orders(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    seed_catalog(&app).await;
    add_user(&app, "owner@shop.test", Role::Owner).await;
    add_user(&app, "agent@shop.test", Role::Agent).await;
    let mut n = Vec::new();
    for wa in ["919822200051", "919822200052", "919822200053"] {
        let (status, order) = app
            .post(
                "/api/v1/orders",
                &json!({"customer": {"wa_id": wa}, "items": [{"retailer_id": "tea", "quantity": 1}]}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED);
        n.push(order["number"].as_i64().unwrap());
    }
    let (status, _) = app
        .post(
            "/api/v1/orders/bulk",
            &json!({"numbers": [n[0]], "action": "assign", "assignee": "agent@shop.test"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let owner = login(&app, "owner@shop.test").await;
    let agent = login(&app, "agent@shop.test").await;
    let board = |html: &str| -> Vec<i64> {
        n.iter()
            .copied()
            .filter(|x| html.contains(&format!("id=\"order-{x}\"")))
            .collect()
    };

    // Off (the default): the agent sees every order.
    let html = agent.get(&app, "/orders").await.text().await.unwrap();
    assert_eq!(board(&html), n);

    // On, live: only the one assigned to them, everywhere.
    put_setting(&app, "true").await;
    let html = agent.get(&app, "/orders").await.text().await.unwrap();
    assert_eq!(board(&html), vec![n[0]]);
    assert!(html.contains("data-own-only=\"agent@shop.test\""));
    let counts: Value = agent
        .get(&app, "/orders/counts.json")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(counts["all"], 1, "{counts}");
    let csv = agent
        .get(&app, "/orders/export.csv")
        .await
        .text()
        .await
        .unwrap();
    assert!(csv.contains(&format!("\n{},", n[0])), "{csv}");
    assert!(!csv.contains(&format!("\n{},", n[1])), "{csv}");
    assert_eq!(
        agent.get(&app, &format!("/orders/{}", n[0])).await.status(),
        StatusCode::OK
    );
    for path in [
        format!("/orders/{}", n[1]),
        format!("/orders/{}/edit", n[1]),
    ] {
        assert_eq!(
            agent.get(&app, &path).await.status(),
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    let note = agent
        .post(
            &app,
            &format!("/orders/{}/notes", n[1]),
            &[("csrf", agent.csrf.as_str()), ("text", "not mine")],
        )
        .await;
    assert_eq!(note.status(), StatusCode::NOT_FOUND);
    let (_, other) = app.get(&format!("/api/v1/orders/{}", n[1])).await;
    assert!(
        !other["timeline"].to_string().contains("not mine"),
        "nothing was noted"
    );
    let second = n[1].to_string();
    let r = agent
        .post(
            &app,
            "/orders/bulk",
            &[
                ("csrf", agent.csrf.as_str()),
                ("numbers", second.as_str()),
                ("action", "tag"),
                ("tag", "mine"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.text().await.unwrap().contains("no such order"));
    assert_eq!(
        app.get(&format!("/api/v1/orders/{}", n[1])).await.1["tags"],
        json!([])
    );

    // The owner still sees all; the API (a token) too.
    let html = owner.get(&app, "/orders").await.text().await.unwrap();
    assert_eq!(board(&html), n);
    let (_, list) = app.get("/api/v1/orders").await;
    assert_eq!(list["orders"].as_array().unwrap().len(), 3);

    // An order the agent takes is theirs, so they can open it.
    let r = agent
        .post(
            &app,
            "/orders/new",
            &[
                ("csrf", agent.csrf.as_str()),
                ("wa_id", "919822200054"),
                ("line_name", ""),
                ("line_id", "tea"),
                ("line_qty", "1"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = r.headers()[reqwest::header::LOCATION]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(agent.get(&app, &to).await.status(), StatusCode::OK);

    // Off again: all of them.
    put_setting(&app, "false").await;
    let html = agent.get(&app, "/orders").await.text().await.unwrap();
    assert_eq!(board(&html), n);
    app.stop().await;
}

both_backends!(agents_with_the_setting_on_see_only_their_own_orders);
