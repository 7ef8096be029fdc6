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

/// Three staff-created orders; their numbers, oldest first.
async fn three_orders(app: &TestApp) -> Vec<i64> {
    let mut numbers = Vec::new();
    for wa in ["919822200041", "919822200042", "919822200043"] {
        let (status, order) = app
            .post(
                "/api/v1/orders",
                &serde_json::json!({"customer": {"wa_id": wa}, "items": [{"retailer_id": "tea", "quantity": 1}]}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{order}");
        numbers.push(order["number"].as_i64().unwrap());
    }
    numbers
}

async fn bulk(
    staff: &Staff,
    app: &TestApp,
    numbers: &[i64],
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let numbers: Vec<String> = numbers.iter().map(i64::to_string).collect();
    let mut form: Vec<(&str, &str)> = vec![("csrf", staff.csrf.as_str())];
    form.extend(numbers.iter().map(|n| ("numbers", n.as_str())));
    form.extend_from_slice(fields);
    staff.post(app, "/orders/bulk", &form).await
}

async fn the_table_view_acts_on_many_orders_and_filters_by_tag_and_me(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    seed_catalog(&app).await;
    let staff = owner(&app).await;
    let n = three_orders(&app).await;

    // The table is chosen, then remembered by the cookie it sets.
    let r = staff.get(&app, "/orders?view=table").await;
    assert_eq!(r.status(), StatusCode::OK);
    let cookie = r.headers()[reqwest::header::SET_COOKIE]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(cookie.starts_with("orderdesk_view=table;"), "{cookie}");
    let html = r.text().await.unwrap();
    assert!(html.contains("id=\"bulk-form\""));
    for number in &n {
        assert!(
            html.contains(&format!("id=\"row-{number}\"")),
            "row {number}"
        );
    }
    let again = staff
        .client
        .get(app.url("/orders"))
        .header(
            reqwest::header::COOKIE,
            format!("{}; orderdesk_view=table", staff.cookie),
        )
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(again.contains("id=\"bulk-form\""), "the view is remembered");
    let cards = staff.get(&app, "/orders").await.text().await.unwrap();
    assert!(cards.contains("id=\"cards\"") && !cards.contains("id=\"bulk-form\""));

    // A move judged per order: the cancelled one is refused and says why.
    let (status, _) = app
        .move_order(
            n[0],
            serde_json::json!({"status": "cancelled", "reason": "double"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let before = order(&app, n[0]).await["version"].clone();
    let r = bulk(
        &staff,
        &app,
        &n,
        &[
            ("action", "status"),
            ("status", "cancelled"),
            ("reason", "customer asked"),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    assert!(html.contains("Done: 2 of 3"), "{html}");
    assert!(
        html.contains("id=\"bulk-refused\"") && html.contains(&format!("#{}</a>: ", n[0])),
        "{html}"
    );
    for number in &n[1..] {
        assert_eq!(order(&app, *number).await["status"], "cancelled");
    }
    assert_eq!(
        order(&app, n[0]).await["version"],
        before,
        "the refused order is unchanged"
    );

    // Tag two, assign one to me: the filters find exactly those.
    let r = bulk(&staff, &app, &n[..2], &[("action", "tag"), ("tag", "Gift")]).await;
    assert_eq!(r.status(), StatusCode::OK);
    let r = bulk(
        &staff,
        &app,
        &n[2..],
        &[("action", "assign"), ("assignee", "owner@shop.test")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    let tagged = staff
        .get(&app, "/orders?view=table&tag=gift")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        tagged.contains(&format!("id=\"row-{}\"", n[0]))
            && tagged.contains(&format!("id=\"row-{}\"", n[1]))
    );
    assert!(!tagged.contains(&format!("id=\"row-{}\"", n[2])));
    let mine = staff
        .get(&app, "/orders?view=table&assignee=me")
        .await
        .text()
        .await
        .unwrap();
    assert!(mine.contains(&format!("id=\"row-{}\"", n[2])));
    assert!(!mine.contains(&format!("id=\"row-{}\"", n[0])));
    let r = bulk(
        &staff,
        &app,
        &n[..1],
        &[("action", "untag"), ("tag", "gift")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(order(&app, n[0]).await["tags"], serde_json::json!([]));
    app.stop().await;
}

async fn refused_bulk_forms_change_nothing(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    seed_catalog(&app).await;
    let staff = owner(&app).await;
    let n = three_orders(&app).await;
    let versions: Vec<Value> = {
        let mut v = Vec::new();
        for number in &n {
            v.push(order(&app, *number).await["version"].clone());
        }
        v
    };
    let cases: [(&[i64], Pairs<'_>, &str); 5] = [
        (
            &[],
            &[("action", "tag"), ("tag", "x")],
            "elect at least one order",
        ),
        (
            &n,
            &[("action", "assign"), ("assignee", "ghost@shop.test")],
            "ghost@shop.test",
        ),
        (
            &n,
            &[("action", "status"), ("status", "teleported")],
            "not a stage",
        ),
        (&n, &[("action", "explode")], "not one of"),
        (&n, &[("action", "tag"), ("tag", "")], "needs a tag"),
    ];
    for (numbers, fields, says) in cases {
        let r = bulk(&staff, &app, numbers, fields).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{fields:?}");
        let html = r.text().await.unwrap();
        assert!(
            html.contains("Nothing was changed") && html.contains(says),
            "{says}: {html}"
        );
    }
    let mut form = vec![("csrf", ""), ("action", "tag"), ("tag", "x")];
    let first = n[0].to_string();
    form.push(("numbers", first.as_str()));
    assert_eq!(
        staff.post(&app, "/orders/bulk", &form).await.status(),
        StatusCode::FORBIDDEN
    );
    let empty_tag = [
        ("csrf", staff.csrf.as_str()),
        ("action", "tag"),
        ("tag", ""),
    ];
    assert_refused_as_json(&staff, &app, "/orders/bulk", &empty_tag).await;
    for (number, version) in n.iter().zip(&versions) {
        let now = order(&app, *number).await;
        assert_eq!(&now["version"], version, "#{number} unchanged");
        assert_eq!(now["tags"], serde_json::json!([]));
    }
    app.stop().await;
}

async fn packing_slips_and_the_csv_carry_the_address(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    seed_catalog(&app).await;
    let staff = owner(&app).await;
    let n = three_orders(&app).await;
    let placed = order(&app, n[0]).await;
    let (status, body) = crate::order_edit::patch(
        &app,
        &format!("/api/v1/orders/{}", n[0]),
        &serde_json::json!({"version": placed["version"], "address": {
            "name": "Zoë Fernandes", "phone": "+91 98222 00041", "line1": "4 Church Street",
            "city": "Bengaluru", "state": "Karnataka", "postal_code": "560001", "country": "IN"}}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let r = staff.get(&app, &format!("/orders/{}/slip", n[0])).await;
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    assert!(
        html.contains(&format!("<span class=\"slip-number\">#{}</span>", n[0])),
        "{html}"
    );
    assert!(html.contains("Zoë Fernandes") && html.contains("Bengaluru, Karnataka 560001"));
    assert!(html.contains("<td class=\"slip-qty\">1</td>") && html.contains("Masala tea"));
    let window = staff
        .get(&app, &format!("/orders/{}", n[0]))
        .await
        .text()
        .await
        .unwrap();
    assert!(window.contains(&format!("href=\"/orders/{}/slip\"", n[0])));

    // A selection: one slip per order found; none or too many is refused.
    let (a, b) = (n[0].to_string(), n[1].to_string());
    let form = [
        ("csrf", staff.csrf.as_str()),
        ("numbers", a.as_str()),
        ("numbers", b.as_str()),
        ("numbers", "999999"),
    ];
    let r = staff.post(&app, "/orders/slips", &form).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        r.text()
            .await
            .unwrap()
            .matches("<article class=\"slip\"")
            .count(),
        2
    );
    let r = staff
        .post(&app, "/orders/slips", &[("csrf", staff.csrf.as_str())])
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let mut many = vec![("csrf", staff.csrf.as_str())];
    many.extend(std::iter::repeat_n(("numbers", a.as_str()), 201));
    let r = staff.post(&app, "/orders/slips", &many).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        staff.get(&app, "/orders/999999/slip").await.status(),
        StatusCode::NOT_FOUND
    );

    // The CSV ends with the address, one part per column.
    let csv = staff
        .get(&app, "/orders/export.csv")
        .await
        .text()
        .await
        .unwrap();
    let row = csv
        .lines()
        .find(|l| l.starts_with(&format!("{},", n[0])))
        .expect("the order's row");
    assert!(
        row.contains(",Zoë Fernandes,")
            && row.ends_with(",4 Church Street,,Bengaluru,Karnataka,560001,IN"),
        "{row}"
    );
    app.stop().await;
}

both_backends!(
    the_edit_page_saves_through_the_use_case_and_the_customer_is_told,
    refused_edits_say_why_and_change_nothing,
    the_new_order_page_creates_an_order_and_refuses_bad_input,
    the_table_view_acts_on_many_orders_and_filters_by_tag_and_me,
    refused_bulk_forms_change_nothing,
    packing_slips_and_the_csv_carry_the_address,
);
