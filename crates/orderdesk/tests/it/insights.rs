//! Insights (issue #18): `GET /api/v1/stats` over real carts, payments and
//! refunds on both backends, its 422s naming the parameter, and the
//! `/insights` page and CSV for owners and admins only.

use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{Backend, GraphFake, TestApp};
use crate::payments::act;
use crate::refunds::{paid_through_razorpay, razorpay_app, razorpay_fake};

fn today() -> String {
    chrono::Utc::now().date_naive().to_string()
}

async fn stats_count_carts_payments_and_refunds_of_the_day(backend: Backend) {
    let graph = GraphFake::start().await;
    let (url, _asked) = razorpay_fake().await;
    let app = razorpay_app(backend, &graph, &url).await;
    // The first request builds the rollups (nothing yet), later changes
    // are counted live.
    let (status, empty) = app.get("/api/v1/stats").await;
    assert_eq!(status, 200, "{empty}");
    assert_eq!(
        (empty["orders"].as_i64(), empty["revenue_minor"].as_i64()),
        (Some(0), Some(0))
    );
    assert_eq!(
        empty["by_bucket"].as_array().unwrap().len(),
        30,
        "the last 30 days by default"
    );

    let paid = paid_through_razorpay(&app, &graph, "919822200061").await;
    let (status, _) = act(
        &app,
        paid,
        json!({"action": "refund", "amount_minor": 20_000, "reason": "broken cup"}),
    )
    .await;
    assert_eq!(status, 200);
    app.place_order("wamid.insights.cart", "919822200062", "Ravi")
        .await;

    let day = today();
    let (status, r) = app
        .get(&format!("/api/v1/stats?from={day}&to={day}&bucket=day"))
        .await;
    assert_eq!(status, 200, "{r}");
    assert_eq!(r["orders"], 2, "{r}");
    assert_eq!(r["revenue_minor"], 49_900 - 20_000, "{r}");
    assert_eq!(r["refunded_minor"], 20_000);
    assert_eq!(r["average_order_minor"], 29_900);
    assert_eq!(r["currency"], "INR");
    assert_eq!(r["time_zone"], "UTC");
    assert_eq!(
        r["by_bucket"],
        json!([{"start": day, "orders": 2, "revenue_minor": 29_900, "customers": 2}])
    );
    let steps: Vec<(String, i64)> = r["funnel"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["step"].as_str().unwrap().to_owned(),
                s["count"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(steps[0], ("carts".to_owned(), 2));
    assert_eq!(steps[1], ("address".to_owned(), 1), "{r}");
    assert_eq!(steps[2], ("paid".to_owned(), 1), "{r}");
    assert_eq!(r["funnel"]["steps"][1]["drop_off"], 1);
    assert_eq!(
        r["payment_mix"]["prepaid"],
        json!([{"provider": "razorpay", "orders": 1, "amount_minor": 49_900}])
    );
    for key in [
        "stage_times",
        "top_products",
        "repeat_customers",
        "cancellations",
        "returns",
        "previous",
    ] {
        assert!(!r[key].is_null(), "{key} missing: {r}");
    }
    assert_eq!(r["previous"]["orders"], 0);

    // By week and month the same figures fall in one bucket each.
    for bucket in ["week", "month"] {
        let (status, r) = app
            .get(&format!(
                "/api/v1/stats?from={day}&to={day}&bucket={bucket}"
            ))
            .await;
        assert_eq!(status, 200, "{r}");
        let b = &r["by_bucket"][0];
        assert_eq!(
            (b["orders"].as_i64(), b["customers"].as_i64()),
            (Some(2), Some(2)),
            "{r}"
        );
    }
    app.stop().await;
}

async fn bad_stats_parameters_are_422_naming_the_parameter(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let cases = [
        ("from=2026-12-08&to=2026-12-07", "from"),
        ("bucket=year", "bucket"),
        ("from=2020-01-01&to=2026-12-07", "from"),
        ("from=yesterday", "from"),
        ("to=2026-02-30", "to"),
    ];
    for (query, parameter) in cases {
        let (status, body): (_, Value) = app.get(&format!("/api/v1/stats?{query}")).await;
        assert_eq!(status, 422, "{query}: {body}");
        assert_eq!(body["error"]["code"], "invalid_request", "{query}");
        let message = body["error"]["message"].as_str().unwrap();
        assert!(
            message.starts_with(parameter) || message.contains(&format!("{parameter} ")),
            "{query}: {message}"
        );
    }
    let anonymous = reqwest::get(app.url("/api/v1/stats")).await.unwrap();
    assert_eq!(anonymous.status(), 401);
    app.stop().await;
}

async fn the_insights_page_and_csv_are_for_owners_and_admins(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.place_order("wamid.insights.page", "919822200063", "Mira")
        .await;
    crate::dashboard::add_user(&app, "owner@shop.test", orderdesk_store::Role::Owner).await;
    crate::dashboard::add_user(&app, "agent@shop.test", orderdesk_store::Role::Agent).await;
    let owner = crate::dashboard::login(&app, "owner@shop.test").await;
    let page = owner.get(&app, "/insights").await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    for part in [
        "Revenue and orders",
        "Checkout funnel",
        "Payment mix",
        "Time in each stage",
        "<svg",
        "Table: funnel",
        "Export CSV",
        "data-page=\"insights\"",
    ] {
        assert!(html.contains(part), "{part} missing");
    }
    let bad = owner.get(&app, "/insights?bucket=fortnight").await;
    assert_eq!(bad.status(), 422);
    assert!(bad
        .text()
        .await
        .unwrap()
        .contains("bucket must be day, week or month"));

    let day = today();
    let csv = owner
        .get(&app, &format!("/insights/export.csv?from={day}&to={day}"))
        .await;
    assert_eq!(csv.status(), 200);
    assert!(csv.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let csv = csv.text().await.unwrap();
    assert_eq!(csv.lines().next(), Some("series,key,metric,value"));
    assert!(csv.contains(&format!("by_bucket,{day},orders,1")), "{csv}");
    assert!(csv.contains("funnel,carts,count,1"), "{csv}");

    let staff = crate::dashboard::login(&app, "agent@shop.test").await;
    let refused = staff.get(&app, "/insights").await;
    assert_eq!(refused.status(), 403);
    app.stop().await;
}

both_backends!(
    stats_count_carts_payments_and_refunds_of_the_day,
    bad_stats_parameters_are_422_naming_the_parameter,
    the_insights_page_and_csv_are_for_owners_and_admins,
);
