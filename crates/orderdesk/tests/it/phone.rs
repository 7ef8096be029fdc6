//! The phone simulator in front of a real server: customers act through
//! the simulator's JSON API, exactly as the phone page does, and the server
//! sees signed webhooks and answers through its production Graph path.

use std::time::Duration;

use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{Backend, TestApp, ACCESS_TOKEN, PHONE_NUMBER_ID};
use crate::journey::order_when;

/// The simulator's JSON API, as the phone page calls it.
pub(crate) struct Phone<'a> {
    pub(crate) app: &'a TestApp,
}

impl Phone<'_> {
    fn url(&self, path: &str) -> String {
        self.app.url(&format!("/simulator/api{path}"))
    }

    pub(crate) async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        let r = self
            .app
            .client
            .post(self.url(path))
            .json(&body)
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
    }

    pub(crate) async fn add(&self, name: &str, phone: &str) -> Value {
        let (status, body) = self
            .post("/customers", json!({"name": name, "phone": phone}))
            .await;
        assert_eq!(status, 201, "{body}");
        body
    }

    pub(crate) async fn thread(&self, wa: &str) -> Vec<Value> {
        let r = self
            .app
            .client
            .get(self.url(&format!("/customers/{wa}/thread?after=0")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let body: Value = r.json().await.unwrap();
        body["messages"].as_array().cloned().unwrap()
    }

    /// Waits (long-polling like the page) for a message matching `pred`.
    pub(crate) async fn wait_for(
        &self,
        wa: &str,
        what: &str,
        pred: impl Fn(&Value) -> bool,
    ) -> Value {
        let mut after = 0;
        let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
        let mut all: Vec<Value> = Vec::new();
        while tokio::time::Instant::now() < deadline {
            let r = self
                .app
                .client
                .get(self.url(&format!("/customers/{wa}/thread?after={after}&wait=5")))
                .send()
                .await
                .unwrap();
            let body: Value = r.json().await.unwrap();
            after = body["version"].as_u64().unwrap();
            for m in body["messages"].as_array().unwrap() {
                if pred(m) {
                    return m.clone();
                }
                all.push(m.clone());
            }
        }
        panic!("no message {what} in {wa}'s thread: {all:#?}");
    }

    /// The customer taps the button `id` under `message`.
    pub(crate) async fn tap(&self, wa: &str, message: &Value, id: &str) -> (u16, Value) {
        let tap = json!({"wamid": message["wamid"], "id": id});
        self.post(&format!("/customers/{wa}/tap"), tap).await
    }

    /// Waits for a message from the business with a button titled `title`.
    pub(crate) async fn wait_for_button(&self, wa: &str, what: &str, title: &str) -> Value {
        self.wait_for(wa, what, |m| {
            is_business(m)
                && m["buttons"]
                    .as_array()
                    .is_some_and(|b| b.iter().any(|b| b["title"] == title))
        })
        .await
    }
}

pub(crate) fn is_business(m: &Value) -> bool {
    m["from"] == "business"
}

pub(crate) fn button(m: &Value, title: &str) -> String {
    m["buttons"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["title"] == title)
        .unwrap_or_else(|| panic!("no {title} button in {m}"))["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn a_customer_checks_out_on_the_phone_and_the_server_sees_every_step(backend: Backend) {
    let (app, _sim) = TestApp::spawn_with_phone(backend, &[("COD_ENABLED", "true")]).await;
    let phone = Phone { app: &app };
    let asha = phone.add("Asha Rao", "+91 98123 45601").await;
    let wa = asha["wa_id"].as_str().unwrap();
    assert_eq!(wa, "919812345601");
    assert!(asha["user_id"].as_str().unwrap().starts_with("IN."));

    // 1. A cart from the catalog becomes an order with the catalog's names.
    let (status, cart) = phone
        .post(
            &format!("/customers/{wa}/cart"),
            json!({"items": [{"retailer_id": "tea-assam-250", "quantity": 2},
                {"retailer_id": "mug-clay-2", "quantity": 1}], "text": "please gift wrap"}),
        )
        .await;
    assert_eq!(status, 202, "{cart}");
    let order = &app.wait_for_orders(1).await[0];
    let n = order["number"].as_i64().unwrap();
    assert_eq!(order["customer"]["wa_id"], wa);
    assert_eq!(order["customer"]["user_id"], asha["user_id"]);
    assert_eq!(order["customer"]["name"], "Asha Rao");
    assert_eq!(order["items"][0]["name"], "Assam Breakfast Tea 250 g");
    assert_eq!(order["items"][0]["unit_price_minor"], 34900);
    assert_eq!(order["total_minor"], 2 * 34900 + 19900);
    assert_eq!(order["cart_text"], "please gift wrap");
    // The server answered the webhook 200: two grey ticks on the cart.
    let cart_wamid = cart["wamid"].as_str().unwrap().to_owned();
    phone
        .wait_for(wa, "delivered cart", |m| {
            m["wamid"] == cart_wamid.as_str() && m["status"] == "delivered"
        })
        .await;

    // 2. The bot's address request arrives as a link button to the form.
    let ask = phone
        .wait_for(wa, "address link", |m| {
            is_business(m) && m["link"].is_object()
        })
        .await;
    assert_eq!(ask["link"]["label"], "Add address");
    let form = ask["link"]["url"].as_str().unwrap().to_owned();
    assert!(form.starts_with(&app.url("/address/")), "{form}");

    // 3. The form, posted as the phone's browser does.
    let submitted = app
        .client
        .post(&form)
        .form(&[
            ("name", "Asha Rao"),
            ("phone", "+91 98123 45601"),
            ("line1", "12 MG Road"),
            ("line2", ""),
            ("city", "Bengaluru"),
            ("state", "Karnataka"),
            ("postal_code", "560001"),
            ("country", "IN"),
        ])
        .send()
        .await
        .unwrap();
    assert!(submitted.status().is_success(), "{}", submitted.status());
    order_when(&app, n, |o| o["address"]["city"] == "Bengaluru").await;

    // 4. The payment question, answered by tapping a reply button.
    let pay = phone
        .wait_for(wa, "payment buttons", |m| {
            is_business(m) && m["buttons"].as_array().is_some_and(|b| b.len() == 2)
        })
        .await;
    let cod = button(&pay, "Cash on delivery");
    let (status, tap) = phone.tap(wa, &pay, &cod).await;
    assert_eq!(status, 202, "{tap}");
    assert_eq!(tap["reply"]["title"], "Cash on delivery");
    order_when(&app, n, |o| o["payment_method"] == "cod").await;

    // 5. The note question; Skip confirms the order.
    let note = phone.wait_for_button(wa, "note buttons", "Skip").await;
    let skip = button(&note, "Skip");
    let (status, _) = phone.tap(wa, &note, &skip).await;
    assert_eq!(status, 202);
    order_when(&app, n, |o| o["status"] == "confirmed").await;
    phone
        .wait_for(wa, "confirmation", |m| {
            is_business(m)
                && m["text"]
                    .as_str()
                    .is_some_and(|t| t.to_lowercase().contains("confirmed"))
        })
        .await;

    // 6. Ticks: the phone reads the thread; the server hears delivered, then read.
    let mut read_states = Vec::new();
    for _ in 0..200 {
        phone
            .post(&format!("/customers/{wa}/read"), json!({}))
            .await;
        let (_, body) = app.get(&format!("/api/v1/orders/{n}/messages")).await;
        read_states = body["messages"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m["direction"] == "out")
            .map(|m| m["state"].as_str().unwrap().to_owned())
            .collect();
        if read_states.len() >= 4 && read_states.iter().all(|s| s == "read") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        read_states.len() >= 4 && read_states.iter().all(|s| s == "read"),
        "{read_states:?}"
    );
    let seen = phone.thread(wa).await;
    assert!(seen
        .iter()
        .filter(|m| is_business(m))
        .all(|m| m["status"] == "read"));

    // 7. The server marking the cart read turns the customer's ticks blue.
    let marked = app
        .client
        .post(app.url(&format!(
            "/simulator/graph/v23.0/{PHONE_NUMBER_ID}/messages"
        )))
        .bearer_auth(ACCESS_TOKEN)
        .json(&json!({"messaging_product": "whatsapp", "status": "read", "message_id": cart_wamid}))
        .send()
        .await
        .unwrap();
    assert_eq!(marked.status(), 200);
    assert_eq!(marked.json::<Value>().await.unwrap()["success"], true);
    let thread = phone.thread(wa).await;
    let cart_now = thread
        .iter()
        .find(|m| m["wamid"] == cart_wamid.as_str())
        .unwrap();
    assert_eq!(cart_now["status"], "read");
    app.stop().await;
}

async fn two_customers_keep_separate_threads(backend: Backend) {
    let (app, _sim) = TestApp::spawn_with_phone(backend, &[]).await;
    let phone = Phone { app: &app };
    let a = phone.add("Asha", "9812345601").await;
    let b = phone.add("Bilal", "+44 7700 900123").await;
    let (wa_a, wa_b) = (a["wa_id"].as_str().unwrap(), b["wa_id"].as_str().unwrap());
    phone
        .post(
            &format!("/customers/{wa_a}/cart"),
            json!({"items": [{"retailer_id": "kettle-brass", "quantity": 1}]}),
        )
        .await;
    let (status, _) = phone
        .post(
            &format!("/customers/{wa_b}/text"),
            json!({"text": "Do you ship to the UK?"}),
        )
        .await;
    assert_eq!(status, 202);
    phone
        .wait_for(wa_a, "address link", |m| {
            is_business(m) && m["link"].is_object()
        })
        .await;
    let orders = app.wait_for_orders(1).await;
    assert_eq!(orders.len(), 1);
    assert_eq!(orders[0]["customer"]["wa_id"], wa_a);
    let thread_b = phone.thread(wa_b).await;
    assert_eq!(thread_b.len(), 1, "{thread_b:#?}");
    assert_eq!(thread_b[0]["text"], "Do you ship to the UK?");
    assert!(phone
        .thread(wa_a)
        .await
        .iter()
        .all(|m| m["text"] != "Do you ship to the UK?"));
    app.stop().await;
}

/// The demo's setting: the payment link opens the payment simulator's page,
/// whose Pay button pays through its signed webhook.
async fn a_customer_pays_on_the_payment_page_the_phone_links_to(backend: Backend) {
    let (app, _sim) =
        TestApp::spawn_with_phone(backend, &[("PAYMENTS_PROVIDER", "simulator")]).await;
    let phone = Phone { app: &app };
    let c = phone.add("Kabir Das", "+91 98123 45609").await;
    let wa = c["wa_id"].as_str().unwrap();
    phone
        .post(
            &format!("/customers/{wa}/cart"),
            json!({"items": [{"retailer_id": "gift-box-4", "quantity": 1}]}),
        )
        .await;
    let n = app.wait_for_orders(1).await[0]["number"].as_i64().unwrap();
    let ask = phone
        .wait_for(wa, "address link", |m| {
            is_business(m) && m["link"].is_object()
        })
        .await;
    let form = ask["link"]["url"].as_str().unwrap().to_owned();
    let submitted = app
        .client
        .post(&form)
        .form(&[
            ("name", "Kabir Das"),
            ("phone", "+91 98123 45609"),
            ("line1", "7 Park Street"),
            ("line2", ""),
            ("city", "Kolkata"),
            ("state", "West Bengal"),
            ("postal_code", "700016"),
            ("country", "IN"),
        ])
        .send()
        .await
        .unwrap();
    assert!(submitted.status().is_success());
    let pay = phone
        .wait_for(wa, "payment link", |m| {
            is_business(m) && m["link"]["label"] == "Pay now"
        })
        .await;
    let page = pay["link"]["url"].as_str().unwrap().to_owned();
    assert!(page.starts_with(&app.url("/simulator/pay/")), "{page}");
    assert!(app
        .client
        .get(&page)
        .send()
        .await
        .unwrap()
        .status()
        .is_success());
    let paid = app
        .client
        .post(&page)
        .form(&[("outcome", "pay")])
        .send()
        .await
        .unwrap();
    assert!(paid.status().is_success(), "{}", paid.status());
    let paid = order_when(&app, n, |o| o["payment_status"] == "paid").await;
    // The invoice arrives as a document the phone can open.
    let invoice = paid["invoice_number"].as_str().unwrap().to_owned();
    let doc = phone
        .wait_for(wa, "invoice document", |m| {
            is_business(m) && m["kind"] == "document"
        })
        .await;
    assert_eq!(doc["link"]["label"], format!("{invoice}.pdf"));
    assert!(doc["text"].as_str().unwrap().contains(&invoice), "{doc}");
    let pdf = app
        .client
        .get(doc["link"]["url"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(pdf.status(), 200);
    assert!(crate::invoices::pdf_text(&pdf.bytes().await.unwrap()).contains(&invoice));
    let note = phone.wait_for_button(wa, "note buttons", "Skip").await;
    let skip = button(&note, "Skip");
    phone.tap(wa, &note, &skip).await;
    order_when(&app, n, |o| o["status"] == "confirmed").await;
    app.stop().await;
}

both_backends!(
    a_customer_checks_out_on_the_phone_and_the_server_sees_every_step,
    a_customer_pays_on_the_payment_page_the_phone_links_to,
    two_customers_keep_separate_threads,
);

#[tokio::test]
async fn the_graph_side_refuses_like_meta() {
    let (app, _sim) = TestApp::spawn_with_phone(Backend::Sqlite, &[]).await;
    let url = app.url(&format!(
        "/simulator/graph/v23.0/{PHONE_NUMBER_ID}/messages"
    ));
    let text = json!({"messaging_product": "whatsapp", "to": "919812345601", "type": "text", "text": {"body": "hi"}});
    let r = app
        .client
        .post(&url)
        .bearer_auth("wrong")
        .json(&text)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], 190);
    assert_eq!(body["error"]["type"], "OAuthException");
    let r = app
        .client
        .post(app.url("/simulator/graph/v23.0/999/messages"))
        .bearer_auth(ACCESS_TOKEN)
        .json(&text)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let r = app
        .client
        .post(&url)
        .bearer_auth(ACCESS_TOKEN)
        .json(&json!({"messaging_product": "whatsapp", "to": "919812345601", "type": "interactive",
            "interactive": {"type": "button", "body": {"text": "?"}, "action": {"buttons": [
                {"type": "reply", "reply": {"id": "1", "title": "a"}}, {"type": "reply", "reply": {"id": "2", "title": "b"}},
                {"type": "reply", "reply": {"id": "3", "title": "c"}}, {"type": "reply", "reply": {"id": "4", "title": "d"}}]}}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], 131_009, "{body}");
    // A good one: the wamid comes back, and the message is in the thread.
    let r = app
        .client
        .post(&url)
        .bearer_auth(ACCESS_TOKEN)
        .json(&text)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["contacts"][0]["wa_id"], "919812345601");
    let wamid = body["messages"][0]["id"].as_str().unwrap().to_owned();
    let phone = Phone { app: &app };
    let thread = phone.thread("919812345601").await;
    assert_eq!(thread[0]["wamid"], wamid.as_str());
    assert_eq!(thread[0]["text"], "hi");
}

#[tokio::test]
async fn the_phone_page_is_served_with_a_strict_policy() {
    let (app, _sim) = TestApp::spawn_with_phone(Backend::Sqlite, &[]).await;
    let r = app.client.get(app.url("/phone")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let csp = r.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    let html = r.text().await.unwrap();
    assert!(html.contains(r#"data-test="send-cart""#));
    assert!(!html.contains("<script>"), "no inline script");
    let js = app
        .client
        .get(app.url("/simulator/static/phone.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(js.status(), 200);
    let img = app
        .client
        .get(app.url("/simulator/images/tea-assam-250.svg"))
        .send()
        .await
        .unwrap();
    assert_eq!(img.status(), 200);
    assert_eq!(img.headers()["content-type"], "image/svg+xml");
    let catalog: Value = app
        .client
        .get(app.url("/simulator/api/catalog"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(catalog["products"].as_array().unwrap().len(), 12);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn simulated_traffic_orders_fills_in_addresses_and_pays() {
    let (app, sim) =
        TestApp::spawn_with_phone(Backend::Sqlite, &[("PAYMENTS_PROVIDER", "simulator")]).await;
    let traffic = tokio::spawn(orderdesk_phone::run_traffic(
        sim,
        orderdesk_phone::Traffic::per_minute(600).without_pauses(),
    ));
    let mut confirmed = 0;
    for _ in 0..300 {
        let (_, body) = app.get("/api/v1/orders?limit=200").await;
        confirmed = body["orders"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|o| {
                o["status"] == "confirmed"
                    && o["payment_status"] == "paid"
                    && o["address"].is_object()
            })
            .count();
        if confirmed >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    traffic.abort();
    assert!(
        confirmed >= 2,
        "simulated customers completed {confirmed} checkouts"
    );
    app.stop().await;
}

/// With cash on delivery offered and confirmed by the customer (as in the
/// demo), simulated customers take either way to pay, and those on cash
/// answer the confirmation question, so staff have orders they may
/// approve (before, every one took cash and none answered: the demo's
/// table refused to approve any of them).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn simulated_traffic_pays_both_ways_and_confirms_cash_on_delivery() {
    let (app, sim) = TestApp::spawn_with_phone(
        Backend::Sqlite,
        &[
            ("PAYMENTS_PROVIDER", "simulator"),
            ("COD_ENABLED", "true"),
            ("ORDERDESK_COD_CONFIRM", "on"),
        ],
    )
    .await;
    let traffic = tokio::spawn(orderdesk_phone::run_traffic(
        sim,
        orderdesk_phone::Traffic::per_minute(600).without_pauses(),
    ));
    let (mut online, mut cod_confirmed) = (0, 0);
    for _ in 0..600 {
        let (_, body) = app.get("/api/v1/orders?limit=200").await;
        let orders = body["orders"].as_array().unwrap();
        online = orders
            .iter()
            .filter(|o| o["payment_status"] == "paid" && o["payment_method"] != "cod")
            .count();
        cod_confirmed = orders
            .iter()
            .filter(|o| o["payment_method"] == "cod" && o["cod_confirmation"] == "confirmed")
            .count();
        if online >= 2 && cod_confirmed >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    traffic.abort();
    assert!(
        online >= 2 && cod_confirmed >= 2,
        "{online} paid online, {cod_confirmed} confirmed cash on delivery"
    );
    app.stop().await;
}
