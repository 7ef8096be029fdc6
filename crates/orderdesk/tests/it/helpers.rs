//! `TestApp`: the production `serve` wiring on a free loopback port, with a
//! fresh database, an API token and signed-webhook helpers.

use std::sync::Arc;
use std::time::Duration;

use orderdesk::{Config, DatabaseUrl};
use orderdesk_store::{NewApiToken, Store};
use reqwest::StatusCode;
use serde_json::{json, Value};
use tokio::sync::oneshot;

mod graph_fake;
pub(crate) mod simulator;
mod sse;

pub use graph_fake::GraphFake;
pub use sse::{SseEvent, SseReader};

pub const APP_SECRET: &str = "test-app-secret";
pub const VERIFY_TOKEN: &str = "test-verify-token";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub struct TestApp {
    pub base: String,
    pub token: String,
    pub client: reqwest::Client,
    pub store: Arc<dyn Store>,
    stop: Option<oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
    _dir: tempfile::TempDir,
}

/// A database URL for a brand-new, empty database of that backend (and the
/// temp dir that holds it, for SQLite).
pub fn fresh_db(backend: Backend) -> (String, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let url = match backend {
        Backend::Sqlite => format!("sqlite://{}", dir.path().join("orderdesk.db").display()),
        Backend::Postgres => orderdesk_testkit::fresh_pg_url().unwrap(),
    };
    (url, dir)
}

pub const PHONE_NUMBER_ID: &str = "106540352242922";
pub const ACCESS_TOKEN: &str = "test-access-token";

/// With `graph_url`, outbound messages go to that Graph API (fake);
/// `extra` sets further settings by their environment names.
pub fn test_config_with(db_url: &str, graph_url: Option<&str>, extra: &[(&str, &str)]) -> Config {
    let db_url = db_url.to_owned();
    let graph_url = graph_url.map(str::to_owned);
    let extra: Vec<(String, String)> = extra
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    Config::from_sources(None, move |key| {
        if let Some((_, v)) = extra.iter().find(|(k, _)| k == key) {
            return Some(v.clone());
        }
        Some(match key {
            "WHATSAPP_GRAPH_URL" => graph_url.clone()?,
            "WHATSAPP_PHONE_NUMBER_ID" if graph_url.is_some() => PHONE_NUMBER_ID.to_owned(),
            "WHATSAPP_ACCESS_TOKEN" if graph_url.is_some() => ACCESS_TOKEN.to_owned(),
            "ORDERDESK_DATABASE_URL" => db_url.clone(),
            "WHATSAPP_APP_SECRET" => APP_SECRET.to_owned(),
            "WHATSAPP_VERIFY_TOKEN" => VERIFY_TOKEN.to_owned(),
            _ => return None,
        })
    })
    .unwrap()
}

impl TestApp {
    pub async fn spawn(backend: Backend) -> Self {
        Self::spawn_with(backend, None).await
    }

    /// A server whose outbound messages go to the Graph API at `graph_url`.
    pub async fn spawn_with(backend: Backend, graph_url: Option<&str>) -> Self {
        Self::spawn_configured(backend, graph_url, &[]).await
    }

    /// As [`TestApp::spawn_with`], with further settings.
    pub async fn spawn_configured(
        backend: Backend,
        graph_url: Option<&str>,
        extra: &[(&str, &str)],
    ) -> Self {
        let (db_url, dir) = fresh_db(backend);
        // Bound first, so links sent to customers point at this server.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let mut settings = vec![("ORDERDESK_PUBLIC_URL", base.as_str())];
        settings.extend_from_slice(extra);
        let config = test_config_with(&db_url, graph_url, &settings);
        Self::start(backend, config, listener, dir, None).await
    }

    /// A server whose outbound messages go to the Graph API at `graph_url`
    /// and whose payment provider is the built-in simulator.
    pub async fn spawn_with_simulated_payments(backend: Backend, graph_url: &str) -> Self {
        let payments = [("PAYMENTS_PROVIDER", "simulator")];
        Self::spawn_configured(backend, Some(graph_url), &payments).await
    }

    /// A server whose WhatsApp is the phone simulator, mounted on the same
    /// listener as `orderdesk demo` does it, over the demo's tea shop
    /// (seeded into the server's catalog too).
    pub async fn spawn_with_phone(
        backend: Backend,
        extra: &[(&str, &str)],
    ) -> (Self, orderdesk_phone::Simulator) {
        let (db_url, dir) = fresh_db(backend);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let graph = format!("{base}{}/v23.0", orderdesk_phone::GRAPH_PATH);
        let mut settings = vec![("ORDERDESK_PUBLIC_URL", base.as_str())];
        settings.extend_from_slice(extra);
        let config = test_config_with(&db_url, Some(&graph), &settings);
        let sim = orderdesk_phone::Simulator::start(
            orderdesk_phone::Settings::new(
                format!("{base}/webhooks/whatsapp"),
                APP_SECRET,
                PHONE_NUMBER_ID,
                "15550783881",
                orderdesk_phone::demo_shop(),
            )
            .with_access_token(ACCESS_TOKEN),
        );
        let router = orderdesk_phone::router(sim.clone());
        let app = Self::start(backend, config, listener, dir, Some(router)).await;
        let products: Vec<orderdesk_store::Product> = orderdesk_phone::demo_shop()
            .into_iter()
            .map(|p| orderdesk_store::Product {
                retailer_id: p.retailer_id,
                title: p.title,
                description: p.description,
                availability: "in stock".into(),
                condition: "new".into(),
                price_minor: p.price_minor,
                currency: orderdesk_domain::Currency::parse(&p.currency).unwrap(),
                link: String::new(),
                image_link: String::new(),
                brand: p.brand,
            })
            .collect();
        app.store.upsert_products(&products).await.unwrap();
        (app, sim)
    }

    /// A server on the database at `db_url`: with it twice, two instances
    /// of one shop (as behind a load balancer).
    pub async fn spawn_on(
        backend: Backend,
        db_url: &str,
        graph_url: Option<&str>,
        extra: &[(&str, &str)],
    ) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let mut settings = vec![("ORDERDESK_PUBLIC_URL", base.as_str())];
        settings.extend_from_slice(extra);
        let config = test_config_with(db_url, graph_url, &settings);
        Self::start(backend, config, listener, dir, None).await
    }

    async fn start(
        backend: Backend,
        config: Config,
        listener: tokio::net::TcpListener,
        dir: tempfile::TempDir,
        extra: Option<axum::Router>,
    ) -> Self {
        let base = format!("http://{}", listener.local_addr().unwrap());
        assert!(matches!(
            (&config.database_url, backend),
            (DatabaseUrl::Sqlite(_), Backend::Sqlite)
                | (DatabaseUrl::Postgres(_), Backend::Postgres)
        ));
        let store = orderdesk::open_store(&config).await.unwrap();
        let token = format!("odk_test_{}", uuid_like());
        // A second instance on the same database (`spawn_on`) needs a token
        // name of its own: names are unique.
        let token_named = |name: String| NewApiToken {
            name,
            secret_hash: orderdesk_web::auth::token_hash(&token),
            created_at: chrono::Utc::now(),
        };
        if store
            .create_token(&token_named("tests".into()))
            .await
            .is_err()
        {
            store
                .create_token(&token_named(format!("tests {base}")))
                .await
                .unwrap();
        }
        let (stop, stopped) = oneshot::channel::<()>();
        let server = tokio::spawn(orderdesk::serve_with_extra(
            config,
            store.clone(),
            listener,
            async move {
                let _ = stopped.await;
            },
            extra,
        ));
        Self {
            base,
            token,
            client: reqwest::Client::new(),
            store,
            stop: Some(stop),
            server: Some(server),
            _dir: dir,
        }
    }

    /// Stops the server gracefully and waits for it.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(server) = self.server.take() {
            tokio::time::timeout(Duration::from_secs(10), server)
                .await
                .expect("server stops within 10 s")
                .unwrap()
                .unwrap();
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// POSTs a webhook body signed with the app secret.
    pub async fn post_webhook(&self, body: &[u8]) -> reqwest::Response {
        let signature = orderdesk_whatsapp::sign(APP_SECRET.as_bytes(), body);
        self.client
            .post(self.url("/webhooks/whatsapp"))
            .header("content-type", "application/json")
            .header("x-hub-signature-256", signature)
            .body(body.to_vec())
            .send()
            .await
            .unwrap()
    }

    /// GET with the API token; returns status and JSON body.
    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        let r = self
            .client
            .get(self.url(path))
            .bearer_auth(&self.token)
            .send()
            .await
            .unwrap();
        let status = r.status();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    /// POST JSON with the API token.
    pub async fn post(&self, path: &str, body: &Value) -> (StatusCode, Value) {
        let r = self
            .client
            .post(self.url(path))
            .bearer_auth(&self.token)
            .json(body)
            .send()
            .await
            .unwrap();
        let status = r.status();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    /// Moves an order; returns status and body.
    pub async fn move_order(&self, number: i64, body: Value) -> (StatusCode, Value) {
        self.post(&format!("/api/v1/orders/{number}/status"), &body)
            .await
    }

    /// Waits (bounded) until the order list has `n` orders.
    pub async fn wait_for_orders(&self, n: usize) -> Vec<Value> {
        for _ in 0..200 {
            let (status, body) = self.get("/api/v1/orders?limit=200").await;
            assert_eq!(status, StatusCode::OK, "{body}");
            let orders = body["orders"].as_array().cloned().unwrap_or_default();
            if orders.len() >= n {
                return orders;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("fewer than {n} orders after 5 s");
    }

    /// Waits (bounded) until the cart of customer `wa_id` became an order;
    /// its number.
    pub async fn wait_for_order_of(&self, wa_id: &str) -> i64 {
        for _ in 0..200 {
            let (_, list) = self.get(&format!("/api/v1/orders?q={wa_id}")).await;
            if let Some(number) = list["orders"][0]["number"].as_i64() {
                return number;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("the cart of {wa_id} did not become an order");
    }

    /// Customer `wa_id` taps the reply button `id` titled `title` (their
    /// message `wamid`), and the webhook is accepted.
    pub async fn tap_reply(&self, wamid: &str, wa_id: &str, id: &str, title: &str) {
        let tap = customer_message(wamid, wa_id, None, Some((id, title)));
        assert_eq!(self.post_webhook(tap.as_bytes()).await.status(), 200);
    }

    /// Fills the hosted address form behind `link` as a customer would
    /// (Priya, 4 Park Street, Kolkata 700016) and checks it was accepted.
    pub async fn submit_address(&self, link: &str) {
        submit_address_with(&self.client, link).await;
    }

    /// Sends one signed cart from a customer and waits for its order.
    pub async fn place_order(&self, wamid: &str, wa_id: &str, name: &str) -> Value {
        let top = |list: &Value| list["orders"][0]["number"].as_i64().unwrap_or(0);
        let before = top(&self.get("/api/v1/orders?limit=1").await.1);
        let body = order_webhook(wamid, wa_id, name, &[("sku-1", 2, "7.99", "USD")]);
        assert_eq!(self.post_webhook(body.as_bytes()).await.status(), 200);
        for _ in 0..200 {
            let (_, list) = self.get("/api/v1/orders?limit=1").await;
            if top(&list) > before {
                return list["orders"][0].clone();
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("order {wamid} did not appear");
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

fn uuid_like() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    format!(
        "{}_{}_{}",
        std::process::id(),
        chrono::Utc::now().timestamp_nanos_opt().unwrap_or(0),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

/// A WhatsApp `order` webhook body in the real wire shape (see
/// shared/fixtures/whatsapp/webhook_order.json), with prices as JSON numbers.
pub fn order_webhook(
    wamid: &str,
    wa_id: &str,
    name: &str,
    items: &[(&str, i64, &str, &str)],
) -> String {
    let items: Vec<String> = items
        .iter()
        .map(|(id, qty, price, currency)| {
            format!(
                r#"{{"product_retailer_id":{},"quantity":{qty},"item_price":{price},"currency":"{currency}"}}"#,
                json!(id)
            )
        })
        .collect();
    format!(
        r#"{{"object":"whatsapp_business_account","entry":[{{"id":"102290129340398","changes":[{{"value":{{"messaging_product":"whatsapp","metadata":{{"display_phone_number":"15550783881","phone_number_id":"106540352242922"}},"contacts":[{{"profile":{{"name":{name}}},"wa_id":"{wa_id}","user_id":"US.{wa_id}"}}],"messages":[{{"from":"{wa_id}","id":"{wamid}","timestamp":"1750096325","type":"order","order":{{"catalog_id":"194836987003835","text":"please gift wrap","product_items":[{items}]}}}}]}},"field":"messages"}}]}}]}}"#,
        name = json!(name),
        items = items.join(",")
    )
}

/// A signed delivery-status webhook for one of our messages.
pub fn status_webhook(wamid: &str, status: &str, wa_id: &str, timestamp: i64) -> String {
    json!({"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [{"field": "messages", "value": {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550783881", "phone_number_id": PHONE_NUMBER_ID},
        "statuses": [{"id": wamid, "status": status, "timestamp": timestamp.to_string(), "recipient_id": wa_id}]}}]}]})
    .to_string()
}

/// A signed webhook with one customer message: a text, or a tap on a reply
/// button (`reply_id`, `title`).
pub fn customer_message(
    wamid: &str,
    wa_id: &str,
    text: Option<&str>,
    reply: Option<(&str, &str)>,
) -> String {
    let message = match (text, reply) {
        (Some(t), _) => {
            json!({"from": wa_id, "id": wamid, "timestamp": "1750096400", "type": "text", "text": {"body": t}})
        }
        (None, Some((id, title))) => {
            json!({"from": wa_id, "id": wamid, "timestamp": "1750096400", "type": "interactive",
            "interactive": {"type": "button_reply", "button_reply": {"id": id, "title": title}}})
        }
        (None, None) => {
            json!({"from": wa_id, "id": wamid, "timestamp": "1750096400", "type": "text", "text": {"body": ""}})
        }
    };
    json!({"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [{"field": "messages", "value": {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550783881", "phone_number_id": PHONE_NUMBER_ID},
        "contacts": [{"profile": {"name": "Customer"}, "wa_id": wa_id, "user_id": format!("US.{wa_id}")}],
        "messages": [message]}}]}]})
    .to_string()
}

// ---- first-run setup (#20) -----------------------------------------------

impl TestApp {
    /// A server as a new owner starts it: a database and a public URL, no
    /// WhatsApp number, token, app secret or verify token; sends go to
    /// `graph_url`.
    pub async fn spawn_unconnected(backend: Backend, graph_url: &str) -> Self {
        let (db_url, dir) = fresh_db(backend);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let graph_url = graph_url.to_owned();
        let config = Config::from_sources(None, move |key| match key {
            "ORDERDESK_DATABASE_URL" => Some(db_url.clone()),
            "ORDERDESK_PUBLIC_URL" => Some(base.clone()),
            "WHATSAPP_GRAPH_URL" => Some(graph_url.clone()),
            _ => None,
        })
        .unwrap();
        Self::start(backend, config, listener, dir, None).await
    }
}

impl TestApp {
    /// A server on `db_url` whose webhooks are signed with [`APP_SECRET`]
    /// but with no WhatsApp number or access token in its environment (an
    /// owner saves them on /setup); sends go to `graph_url`.
    pub async fn spawn_without_number_on(backend: Backend, db_url: &str, graph_url: &str) -> Self {
        let env = [
            ("WHATSAPP_APP_SECRET", APP_SECRET),
            ("WHATSAPP_VERIFY_TOKEN", VERIFY_TOKEN),
        ];
        Self::spawn_connected_by(backend, db_url, graph_url, &env).await
    }

    /// A server on `db_url` with a public URL and sends to `graph_url`,
    /// and of the WhatsApp connection only what `env` gives.
    pub async fn spawn_connected_by(
        backend: Backend,
        db_url: &str,
        graph_url: &str,
        env: &[(&str, &str)],
    ) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (db_url, graph_url) = (db_url.to_owned(), graph_url.to_owned());
        let env: Vec<(String, String)> = env
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        let config = Config::from_sources(None, move |key| match key {
            "ORDERDESK_DATABASE_URL" => Some(db_url.clone()),
            "ORDERDESK_PUBLIC_URL" => Some(base.clone()),
            "WHATSAPP_GRAPH_URL" => Some(graph_url.clone()),
            other => env.iter().find(|(k, _)| k == other).map(|(_, v)| v.clone()),
        })
        .unwrap();
        Self::start(backend, config, listener, dir, None).await
    }
}

/// The phone simulator alone on a loopback port, as Meta's Graph API for a
/// server set up from the dashboard: returns its `WHATSAPP_GRAPH_URL` and a
/// function that starts it once the server's webhook URL is known.
pub async fn standalone_phone(
    phone_number_id: &str,
    access_token: &str,
    app_secret: &str,
) -> (String, impl FnOnce(&str) -> orderdesk_phone::Simulator) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let graph = format!(
        "http://{}{}/v23.0",
        listener.local_addr().unwrap(),
        orderdesk_phone::GRAPH_PATH
    );
    let (id, token, secret) = (
        phone_number_id.to_owned(),
        access_token.to_owned(),
        app_secret.to_owned(),
    );
    let start = move |server_base: &str| {
        let mut settings = orderdesk_phone::Settings::new(
            format!("{server_base}/webhooks/whatsapp"),
            secret,
            id,
            "15550783881",
            orderdesk_phone::demo_shop(),
        )
        .with_access_token(token);
        // No delivery statuses during a test: the first webhook the server
        // hears is the one the test sends.
        settings.status_delay = Duration::from_secs(3600);
        let sim = orderdesk_phone::Simulator::start(settings);
        let router = orderdesk_phone::router(sim.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        sim
    };
    (graph, start)
}

/// Fills in the hosted address form at `link` as a customer would.
pub async fn submit_address_with(client: &reqwest::Client, link: &str) {
    let form = [
        ("name", "Priya"),
        ("phone", "+91 98222 00003"),
        ("line1", "4 Park Street"),
        ("line2", ""),
        ("city", "Kolkata"),
        ("state", "West Bengal"),
        ("postal_code", "700016"),
        ("country", "IN"),
    ];
    let status = client.post(link).form(&form).send().await.unwrap().status();
    assert_eq!(status, 200, "the address form was not accepted");
}
