//! The phone simulator's setup the browser tests share: a customer added
//! through its JSON API, their cart sent, the phone page opened on them.

use orderdesk_testkit::browser::Browser;
use serde_json::json;

use super::TestApp;
use crate::browser::{browser, wait_js};

/// How many business messages the phone page shows (a JS expression).
pub(crate) const BUSINESS_MESSAGES: &str =
    "document.querySelectorAll('[data-test=message][data-from=business]').length";

/// Adds a simulator customer and returns their `wa_id`.
pub(crate) async fn add_customer(app: &TestApp, name: &str, phone: &str) -> String {
    let (status, customer) = app
        .post(
            "/simulator/api/customers",
            &json!({"name": name, "phone": phone}),
        )
        .await;
    assert_eq!(status, 201, "{customer}");
    customer["wa_id"].as_str().unwrap().to_owned()
}

/// Sends the customer's cart of `quantity` × `retailer_id` from the phone
/// and returns the number of the order it became (the app's first).
pub(crate) async fn send_first_cart(
    app: &TestApp,
    wa: &str,
    retailer_id: &str,
    quantity: u32,
) -> i64 {
    let (status, _) = app
        .post(
            &format!("/simulator/api/customers/{wa}/cart"),
            &json!({"items": [{"retailer_id": retailer_id, "quantity": quantity}]}),
        )
        .await;
    assert_eq!(status, 202);
    app.wait_for_orders(1).await[0]["number"].as_i64().unwrap()
}

/// A phone-sized browser on the customer's phone page.
pub(crate) async fn open_phone(app: &TestApp, wa: &str) -> Browser {
    let phone = browser(true).await;
    phone
        .client
        .goto(&app.url(&format!("/phone?customer={wa}")))
        .await
        .unwrap();
    phone
}

/// Waits until the phone shows a business message containing `text`.
pub(crate) async fn phone_shows(phone: &Browser, text: &str) {
    wait_js(
        phone,
        &format!("Array.from(document.querySelectorAll('[data-test=message][data-from=business] [data-test=message-text]')).some(t => t.textContent.includes({text:?}))"),
    )
    .await;
}
