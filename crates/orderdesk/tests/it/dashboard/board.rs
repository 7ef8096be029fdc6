//! The board's filters, and its export of what it shows.

use super::*;

async fn the_board_filters_and_exports_what_it_shows(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    add_user(&app, "owner@shop.test", Role::Owner).await;
    let staff = login(&app, "owner@shop.test").await;
    app.place_order("wamid.exp-1", "919800000301", "=cmd|calc")
        .await;
    app.place_order("wamid.exp-2", "919800000302", "Meera")
        .await;
    let html = staff
        .get(&app, "/orders?q=meera")
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("Meera") && !html.contains("=cmd|calc"));
    let counts: serde_json::Value = staff
        .get(&app, "/orders/counts.json")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(counts["placed"], 2);
    assert_eq!(counts["all"], 2);

    let all = staff.get(&app, "/orders/export.csv").await;
    assert_eq!(all.status(), 200);
    assert!(all.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let bytes = all.bytes().await.unwrap();
    assert!(
        bytes.starts_with(b"\xEF\xBB\xBFnumber,status,payment_status"),
        "a UTF-8 byte-order mark first, for spreadsheet programs"
    );
    let csv = String::from_utf8(bytes[3..].to_vec()).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 3, "{csv}");
    assert!(lines[0].ends_with(
        "address_name,address_phone,address_line1,address_line2,address_city,address_state,address_postal_code,address_country"
    ));
    assert!(csv.contains("'=cmd|calc"), "formula neutralised: {csv}");
    let one = staff
        .get(&app, "/orders/export.csv?q=Meera")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(one.lines().count(), 2, "{one}");
    let today = chrono::Utc::now().date_naive();
    let tomorrow = today.succ_opt().unwrap();
    let none = staff
        .get(&app, &format!("/orders/export.csv?from={tomorrow}"))
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(none.lines().count(), 1, "{none}");
    let todays = staff
        .get(&app, &format!("/orders/export.csv?from={today}&to={today}"))
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(todays.lines().count(), 3, "{todays}");
    // Not for strangers.
    assert_eq!(
        client()
            .get(app.url("/orders/export.csv"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::SEE_OTHER
    );
    app.stop().await;
}

both_backends!(the_board_filters_and_exports_what_it_shows,);
