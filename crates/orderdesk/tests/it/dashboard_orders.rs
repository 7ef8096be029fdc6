//! The dashboard's order pages over HTTP (issue #16): editing an order
//! (`/orders/{n}/edit`) and taking a new one (`/orders/new`), through the
//! same use-cases as the API, with their refusals changing nothing.

use orderdesk_store::Role;
use reqwest::header::LOCATION;
use reqwest::StatusCode;
use serde_json::Value;

use crate::both_backends;
use crate::dashboard::{add_user, client, login, Staff};
use crate::helpers::{Backend, GraphFake, TestApp};
use crate::journey::WAIT;
use crate::order_edit::{seed_mug, tea_order};
use crate::staff_orders::seed_catalog;

mod table;

/// The edit form's fields: the version, the rows, the fees, no address.
fn edit_form<'a>(
    csrf: &'a str,
    version: &'a str,
    rows: &[(&'a str, &'a str, &'a str)],
    shipping: &'a str,
    discount: &'a str,
) -> Vec<(&'a str, &'a str)> {
    let mut form = vec![("csrf", csrf), ("version", version)];
    for (id, qty, price) in rows {
        form.extend([
            ("line_name", ""),
            ("line_id", *id),
            ("line_qty", *qty),
            ("line_price", *price),
        ]);
    }
    form.extend([("shipping", shipping), ("discount", discount)]);
    form
}

/// An edit form's rows: (product, quantity, unit price).
type Rows<'a> = &'a [(&'a str, &'a str, &'a str)];
/// A form's fields.
type Pairs<'a> = &'a [(&'a str, &'a str)];

/// A script's post (`Accept: application/json`) is refused as 422 JSON.
async fn assert_refused_as_json(staff: &Staff, app: &TestApp, path: &str, form: &[(&str, &str)]) {
    let r = staff
        .client
        .post(app.url(path))
        .header(reqwest::header::COOKIE, &staff.cookie)
        .header(reqwest::header::ACCEPT, "application/json")
        .form(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "invalid_request", "{body}");
}

async fn order(app: &TestApp, n: i64) -> Value {
    app.get(&format!("/api/v1/orders/{n}")).await.1
}

async fn owner(app: &TestApp) -> Staff {
    add_user(app, "owner@shop.test", Role::Owner).await;
    login(app, "owner@shop.test").await
}

async fn the_edit_page_saves_through_the_use_case_and_the_customer_is_told(backend: Backend) {
    let graph = GraphFake::start().await;
    let app = TestApp::spawn_with(backend, Some(&graph.url)).await;
    seed_mug(&app).await;
    let placed = tea_order(&app, "919833310001").await;
    let n = placed["number"].as_i64().unwrap();
    let staff = owner(&app).await;
    let before = graph.wait_for(1, WAIT).await.len();

    // The order window offers the edit; the page shows the line and the catalog.
    let window = staff
        .get(&app, &format!("/orders/{n}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        window.contains(&format!("href=\"/orders/{n}/edit\"")),
        "no edit link"
    );
    let page = staff.get(&app, &format!("/orders/{n}/edit")).await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains(r#"name="line_id" value="tea""#), "{html}");
    assert!(html.contains(r#"<option value="mug">Mug"#), "{html}");

    // 3 × tea at ₹100, a mug from the catalog, ₹50 shipping, ₹10 off.
    let version = placed["version"].to_string();
    let form = edit_form(
        &staff.csrf,
        &version,
        &[("tea", "3", "100.00"), ("mug", "", ""), ("", "", "")],
        "50",
        "10",
    );
    let r = staff.post(&app, &format!("/orders/{n}/edit"), &form).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()[LOCATION], format!("/orders/{n}").as_str());
    let edited = order(&app, n).await;
    assert_eq!(edited["total_minor"], 59_000, "{edited}");
    assert_eq!(edited["items"][1]["name"], "Mug");
    assert_eq!(edited["shipping_minor"], 5_000);
    assert_eq!(edited["discount_minor"], 1_000);
    let entry = edited["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "edited")
        .cloned()
        .expect("an edited entry");
    assert_eq!(entry["actor_name"], "owner@shop.test");

    // The customer gets the new summary, and the window shows the fees.
    let sent = graph.wait_for(before + 1, WAIT).await;
    assert!(
        sent[before..].iter().any(|r| r.2["text"]["body"]
            .as_str()
            .is_some_and(|t| t.contains("updated") && t.contains("590.00"))),
        "{sent:?}"
    );
    let window = staff
        .get(&app, &format!("/orders/{n}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(window.contains("id=\"order-shipping\""), "no shipping row");
    assert!(window.contains("id=\"order-discount\""), "no discount row");

    // Quantity 0 removes a line.
    let version = edited["version"].to_string();
    let form = edit_form(
        &staff.csrf,
        &version,
        &[("tea", "3", ""), ("mug", "0", "")],
        "50",
        "10",
    );
    let r = staff.post(&app, &format!("/orders/{n}/edit"), &form).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let after = order(&app, n).await;
    assert_eq!(after["items"].as_array().unwrap().len(), 1, "{after}");
    assert_eq!(after["total_minor"], 34_000);
    app.stop().await;
}

async fn refused_edits_say_why_and_change_nothing(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    seed_mug(&app).await;
    let placed = tea_order(&app, "919833310002").await;
    let n = placed["number"].as_i64().unwrap();
    let staff = owner(&app).await;
    let path = format!("/orders/{n}/edit");
    let version = placed["version"].to_string();

    // Bad input: the form again as typed, with the reason; JSON for a script.
    let cases: [(Rows<'_>, &str, &str); 4] = [
        (&[("ghost-7", "1", "")], "0", "ghost-7"),
        (&[("tea", "two", "")], "0", "not a whole number"),
        (&[("tea", "1", "")], "abc", "shipping fee"),
        (&[("tea", "1", "")], "-5", "shipping fee"),
    ];
    for (rows, shipping, says) in cases {
        let form = edit_form(&staff.csrf, &version, rows, shipping, "0");
        let r = staff.post(&app, &path, &form).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{rows:?}");
        let html = r.text().await.unwrap();
        assert!(
            html.contains("role=\"alert\"") && html.contains(says),
            "{says}: {html}"
        );
        assert!(
            html.contains(&format!("value=\"{}\"", rows[0].0)),
            "the typed row is kept"
        );
        assert_refused_as_json(&staff, &app, &path, &form).await;
    }
    // Without the CSRF token, or without a session: refused.
    let form = edit_form("", &version, &[("tea", "5", "")], "0", "0");
    assert_eq!(
        staff.post(&app, &path, &form).await.status(),
        StatusCode::FORBIDDEN
    );
    let anon = client()
        .post(app.url(&path))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(anon.status(), StatusCode::FORBIDDEN);
    let anon = client().get(app.url(&path)).send().await.unwrap();
    assert_eq!(anon.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        order(&app, n).await["version"],
        placed["version"],
        "nothing changed"
    );

    // Someone else edits meanwhile: the stale form saves nothing, says so,
    // and shows the order as it is now.
    let (status, _) = crate::order_edit::patch(
        &app,
        &format!("/api/v1/orders/{n}"),
        &serde_json::json!({"version": placed["version"], "shipping_minor": 7_000}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let now = order(&app, n).await;
    let form = edit_form(&staff.csrf, &version, &[("tea", "9", "")], "0", "0");
    let r = staff.post(&app, &path, &form).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let html = r.text().await.unwrap();
    assert!(html.contains("Someone else changed"), "{html}");
    assert!(
        html.contains(r#"name="shipping" value="70.00""#),
        "shows the order now"
    );
    assert!(html.contains(&format!(r#"name="version" value="{}""#, now["version"])));
    let after = order(&app, n).await;
    assert_eq!(after["version"], now["version"]);
    assert_eq!(after["items"][0]["quantity"], 2);

    // A closed order: no form, and a post is 409 naming the stage.
    let (status, _) = app
        .move_order(
            n,
            serde_json::json!({"status": "cancelled", "reason": "customer asked"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let closed = order(&app, n).await;
    let html = staff.get(&app, &path).await.text().await.unwrap();
    assert!(html.contains("can no longer be edited") && !html.contains("id=\"edit-form\""));
    let window = staff
        .get(&app, &format!("/orders/{n}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(!window.contains(&format!("href=\"/orders/{n}/edit\"")));
    let version = closed["version"].to_string();
    let form = edit_form(&staff.csrf, &version, &[("tea", "9", "")], "0", "0");
    let r = staff.post(&app, &path, &form).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(r.text().await.unwrap().contains("cancelled"));
    assert_eq!(order(&app, n).await["version"], closed["version"]);
    // An order that is not there.
    assert_eq!(
        staff.get(&app, "/orders/999999/edit").await.status(),
        StatusCode::NOT_FOUND
    );
    app.stop().await;
}

async fn the_new_order_page_creates_an_order_and_refuses_bad_input(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    seed_catalog(&app).await;
    let staff = owner(&app).await;

    let page = staff
        .get(&app, "/orders/new?wa_id=919822200031&name=Zo%C3%AB")
        .await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains(r#"<option value="tea">Masala tea"#), "{html}");
    assert!(html.contains(r#"value="919822200031""#) && html.contains("Zoë"));
    let board = staff.get(&app, "/orders").await.text().await.unwrap();
    assert!(
        board.contains(r#"href="/orders/new""#),
        "the board offers a new order"
    );

    // Refused: the page again as typed, nothing created.
    let bad: [(&str, &str, &str); 3] = [
        ("12", "tea", "WhatsApp number"),
        ("+91 98222 00031", "ghost", "no such product"),
        ("+91 98222 00031", "", "at least one item"),
    ];
    for (wa, item, says) in bad {
        let form = [
            ("csrf", staff.csrf.as_str()),
            ("wa_id", wa),
            ("name", "Zoë"),
            ("line_name", ""),
            ("line_id", item),
            ("line_qty", "2"),
            ("note", ""),
        ];
        let r = staff.post(&app, "/orders/new", &form).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{wa} {item}");
        let html = r.text().await.unwrap();
        assert!(html.contains(says), "{says}: {html}");
        assert!(
            html.contains(&format!("value=\"{wa}\"")),
            "the number is kept"
        );
    }
    let (_, list) = app.get("/api/v1/orders").await;
    assert!(list["orders"].as_array().unwrap().is_empty(), "{list}");

    // Created: the order in Placed, for the number in any spelling.
    let form = [
        ("csrf", staff.csrf.as_str()),
        ("wa_id", "+91 98222 00031"),
        ("name", "Zoë"),
        ("line_name", ""),
        ("line_id", "tea"),
        ("line_qty", "2"),
        ("line_name", ""),
        ("line_id", "mug"),
        ("line_qty", ""),
        ("line_name", ""),
        ("line_id", ""),
        ("line_qty", ""),
        ("note", "gift wrap"),
    ];
    let r = staff.post(&app, "/orders/new", &form).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = r.headers()[LOCATION].to_str().unwrap().to_owned();
    let n: i64 = to.trim_start_matches("/orders/").parse().unwrap();
    let created = order(&app, n).await;
    assert_eq!(created["status"], "placed");
    assert_eq!(created["customer"]["wa_id"], "919822200031");
    assert_eq!(created["customer"]["name"], "Zoë");
    assert_eq!(created["note"], "gift wrap");
    // 2 × ₹249.50 + 1 × ₹250.00.
    assert_eq!(created["total_minor"], 74_900, "{created}");
    let actor = created["timeline"][0]["actor_name"].clone();
    assert_eq!(actor, "owner@shop.test");
    app.stop().await;
}

both_backends!(
    the_edit_page_saves_through_the_use_case_and_the_customer_is_told,
    refused_edits_say_why_and_change_nothing,
    the_new_order_page_creates_an_order_and_refuses_bad_input,
);
