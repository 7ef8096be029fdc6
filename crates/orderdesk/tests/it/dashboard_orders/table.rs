//! The orders table view: bulk actions on many orders, filters by tag and
//! assignee, packing slips and the CSV.

use super::*;

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
    the_table_view_acts_on_many_orders_and_filters_by_tag_and_me,
    refused_bulk_forms_change_nothing,
    packing_slips_and_the_csv_carry_the_address,
);
