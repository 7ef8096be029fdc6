//! What the scale-out tests run against: a fresh database with an API
//! token, `orderdesk serve` children, a recording Graph API fake, a TCP
//! proxy that can take the database away, and an SSE reader.

use std::collections::HashMap;
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use orderdesk_store::prelude::*;
use orderdesk_store::NewApiToken;
use serde_json::{json, Value};
use sqlx::{Connection, PgConnection};

pub const APP_SECRET: &str = "scale-app-secret";
pub const PHONE_NUMBER_ID: &str = "106540352242922";

/// A fresh, migrated database on the shared throwaway cluster, with a token.
pub struct Db {
    pub url: String,
    pub token: String,
}

impl Db {
    pub async fn fresh() -> Self {
        Self::at(orderdesk_testkit::fresh_pg_url().unwrap()).await
    }

    /// [`Db::fresh`] on an empty database of another cluster.
    pub async fn at(url: String) -> Self {
        let store = orderdesk_store_postgres::connect(&url, 2).await.unwrap();
        store.migrate().await.unwrap();
        let token = format!("odk_scale_{}", std::process::id());
        store
            .create_token(&NewApiToken {
                name: "scale".into(),
                secret_hash: orderdesk_web::auth::token_hash(&token),
                created_at: chrono::Utc::now(),
            })
            .await
            .unwrap();
        store.backend().close().await;
        Self { url, token }
    }

    pub async fn connection(&self) -> PgConnection {
        PgConnection::connect(&self.url).await.unwrap()
    }

    /// One `count(*)`-like number.
    pub async fn count(&self, sql: &str) -> i64 {
        let mut conn = self.connection().await;
        sqlx::query_scalar(sql).fetch_one(&mut conn).await.unwrap()
    }

    /// Waits (bounded) for `n` orders; returns their numbers, oldest first.
    pub async fn wait_for_orders(&self, n: usize) -> Vec<i64> {
        let mut conn = self.connection().await;
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let numbers: Vec<i64> = sqlx::query_scalar("SELECT number FROM orders ORDER BY number")
                .fetch_all(&mut conn)
                .await
                .unwrap();
            if numbers.len() >= n {
                return numbers;
            }
            assert!(Instant::now() < deadline, "only {} orders", numbers.len());
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// Runs the `orderdesk` binary to completion.
pub fn orderdesk(db_url: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_orderdesk"))
        .args(args)
        .env("ORDERDESK_DATABASE_URL", db_url)
        .env_remove("ORDERDESK_LOG")
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

/// A running `orderdesk serve` child on a free port; killed on drop.
pub struct Instance {
    child: Child,
    pub base: String,
    client: reqwest::Client,
}

impl Instance {
    pub async fn start(db: &Db, graph: &GraphFake, env: &[(&str, &str)]) -> Self {
        Self::start_on(&db.url, graph, env).await
    }

    pub async fn start_on(db_url: &str, graph: &GraphFake, env: &[(&str, &str)]) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let base = format!("http://127.0.0.1:{port}");
        let child = Command::new(env!("CARGO_BIN_EXE_orderdesk"))
            .arg("serve")
            .env("ORDERDESK_DATABASE_URL", db_url)
            .env("ORDERDESK_LISTEN", format!("127.0.0.1:{port}"))
            .env("ORDERDESK_PUBLIC_URL", &base)
            .env("ORDERDESK_DATABASE_MAX_CONNECTIONS", "8")
            .env("WHATSAPP_APP_SECRET", APP_SECRET)
            .env("WHATSAPP_VERIFY_TOKEN", "verify")
            .env("WHATSAPP_GRAPH_URL", &graph.url)
            .env("WHATSAPP_PHONE_NUMBER_ID", PHONE_NUMBER_ID)
            .env("WHATSAPP_ACCESS_TOKEN", "token")
            .env(
                "ORDERDESK_LOG",
                std::env::var("TEST_LOG").unwrap_or_else(|_| "error".into()),
            )
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let instance = Self {
            child,
            base,
            client: reqwest::Client::new(),
        };
        for _ in 0..400 {
            if let Ok(r) = instance.client.get(instance.url("/healthz")).send().await {
                if r.status() == 200 {
                    return instance;
                }
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("orderdesk serve did not become healthy");
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The child's process id (for `prlimit --pid`).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// SIGKILL: no graceful anything.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// POSTs a signed webhook; returns the status code.
    pub async fn post_webhook(&self, body: &str) -> u16 {
        let signature = orderdesk_whatsapp::sign(APP_SECRET.as_bytes(), body.as_bytes());
        self.client
            .post(self.url("/webhooks/whatsapp"))
            .header("content-type", "application/json")
            .header("x-hub-signature-256", signature)
            .body(body.to_owned())
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    }

    pub async fn get(&self, token: &str, path: &str) -> (u16, Value) {
        let r = self
            .client
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    /// The status `/api/v1/events` answers when resuming after `last_id`.
    pub async fn events_status(&self, token: &str, last_id: i64) -> u16 {
        self.client
            .get(self.url("/api/v1/events"))
            .bearer_auth(token)
            .header("Last-Event-ID", last_id.to_string())
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    }

    pub async fn post(&self, token: &str, path: &str, body: &Value) -> (u16, Value) {
        let r = self
            .client
            .post(self.url(path))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A cart webhook in the real wire shape.
pub fn order_webhook(wamid: &str, wa_id: &str, name: &str) -> String {
    json!({"object": "whatsapp_business_account", "entry": [{"id": "102290129340398", "changes": [{"field": "messages", "value": {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550783881", "phone_number_id": PHONE_NUMBER_ID},
        "contacts": [{"profile": {"name": name}, "wa_id": wa_id, "user_id": format!("US.{wa_id}")}],
        "messages": [{"from": wa_id, "id": wamid, "timestamp": "1750096325", "type": "order",
            "order": {"catalog_id": "194836987003835", "text": "", "product_items": [
                {"product_retailer_id": "sku-1", "quantity": 2, "item_price": 7.99, "currency": "USD"}]}}]}}]}]})
    .to_string()
}

/// One request the Graph fake received.
#[derive(Debug, Clone)]
pub struct Sent {
    pub at: Instant,
    pub to: String,
    /// The text body, or `[type]` for other messages.
    pub text: String,
}

/// How the Graph fake answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GraphMode {
    /// Accepts and records every message.
    Up,
    /// Answers 500 with Meta's error shape; records nothing as sent.
    Failing,
    /// Reads the request and never answers (the sender times out).
    Hanging,
}

/// A loopback Graph API that accepts every message and records it, or
/// fails in one of the ways of [`GraphMode`].
#[derive(Clone)]
pub struct GraphFake {
    pub url: String,
    sent: Arc<Mutex<Vec<Sent>>>,
    mode: Arc<Mutex<GraphMode>>,
    refused: Arc<Mutex<HashMap<GraphMode, usize>>>,
}

type Shared = (
    Arc<Mutex<Vec<Sent>>>,
    Arc<Mutex<GraphMode>>,
    Arc<Mutex<HashMap<GraphMode, usize>>>,
);

impl GraphFake {
    pub async fn start() -> Self {
        use axum::extract::State;
        use axum::response::{IntoResponse, Response};
        async fn messages(
            State((sent, mode, refused)): State<Shared>,
            axum::Json(body): axum::Json<Value>,
        ) -> Response {
            let mode = *mode.lock().unwrap();
            if mode != GraphMode::Up {
                *refused.lock().unwrap().entry(mode).or_default() += 1;
            }
            match mode {
                GraphMode::Up => {}
                GraphMode::Failing => {
                    let error = json!({"error": {"message": "An unexpected error has occurred. Please retry your request later.",
                        "type": "OAuthException", "code": 2, "fbtrace_id": "AbCdEf"}});
                    return (
                        axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                        axum::Json(error),
                    )
                        .into_response();
                }
                GraphMode::Hanging => {
                    // Far beyond any client timeout; dropped when the sender gives up.
                    tokio::time::sleep(Duration::from_secs(3600)).await;
                    return axum::http::StatusCode::GATEWAY_TIMEOUT.into_response();
                }
            }
            let text = match body["type"].as_str() {
                Some("text") => body["text"]["body"].as_str().unwrap_or("").to_owned(),
                other => format!("[{}]", other.unwrap_or("?")),
            };
            let mut sent = sent.lock().unwrap();
            sent.push(Sent {
                at: Instant::now(),
                to: body["to"].as_str().unwrap_or("").to_owned(),
                text,
            });
            let n = sent.len();
            axum::Json(json!({"messaging_product": "whatsapp", "contacts": [],
                "messages": [{"id": format!("wamid.scale-{n}")}]}))
            .into_response()
        }
        let shared: Shared = (
            Arc::default(),
            Arc::new(Mutex::new(GraphMode::Up)),
            Arc::default(),
        );
        let app = axum::Router::new()
            .route("/{phone}/messages", axum::routing::post(messages))
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        let (sent, mode, refused) = shared;
        Self {
            url,
            sent,
            mode,
            refused,
        }
    }

    /// The messages accepted (answered 200), in arrival order.
    pub fn requests(&self) -> Vec<Sent> {
        self.sent.lock().unwrap().clone()
    }

    pub fn set_mode(&self, mode: GraphMode) {
        *self.mode.lock().unwrap() = mode;
    }

    /// How many sends arrived while in `mode` and were not accepted.
    pub fn refused(&self, mode: GraphMode) -> usize {
        self.refused
            .lock()
            .unwrap()
            .get(&mode)
            .copied()
            .unwrap_or(0)
    }

    /// Waits (bounded) until requests with `n` different matching texts
    /// arrived; returns how many different ones there are.
    pub async fn wait_for_texts(
        &self,
        matches: impl Fn(&str) -> bool,
        n: usize,
        within: Duration,
    ) -> usize {
        let deadline = Instant::now() + within;
        loop {
            let count = self
                .requests()
                .into_iter()
                .filter(|r| matches(&r.text))
                .map(|r| r.text)
                .collect::<std::collections::HashSet<_>>()
                .len();
            if count >= n {
                return count;
            }
            assert!(
                Instant::now() < deadline,
                "only {count} of {n} matching Graph requests after {within:?}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// A [`TcpProxy`](orderdesk_testkit::proxy::TcpProxy) in front of
/// PostgreSQL: taken down, orderdesk sees a stopped database server.
pub struct PgProxy {
    pub url: String,
    proxy: orderdesk_testkit::proxy::TcpProxy,
}

impl PgProxy {
    pub async fn start(db_url: &str) -> Self {
        let (_, after_host) = db_url.rsplit_once(':').unwrap();
        let target: u16 = after_host.split('/').next().unwrap().parse().unwrap();
        let proxy = orderdesk_testkit::proxy::TcpProxy::start(target)
            .await
            .unwrap();
        let url = db_url.replace(&format!(":{target}/"), &format!(":{}/", proxy.port));
        Self { url, proxy }
    }

    pub fn set_up(&self, up: bool) {
        self.proxy.set_up(up);
    }
}

/// Reads Server-Sent Events from `/api/v1/events`.
pub struct SseReader {
    response: reqwest::Response,
    buffer: String,
}

#[derive(Debug, Clone)]
pub struct SseEvent {
    pub kind: String,
    pub data: Value,
}

impl SseReader {
    pub async fn open(instance: &Instance, token: &str) -> Self {
        let response = instance
            .client
            .get(instance.url("/api/v1/events"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        Self {
            response,
            buffer: String::new(),
        }
    }

    /// The next event; panics after `within`.
    pub async fn next(&mut self, within: Duration) -> SseEvent {
        tokio::time::timeout(within, self.next_inner())
            .await
            .expect("an event arrives in time")
    }

    async fn next_inner(&mut self) -> SseEvent {
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let (mut kind, mut data) = (None, String::new());
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("event:") {
                        kind = Some(v.trim().to_owned());
                    } else if let Some(v) = line.strip_prefix("data:") {
                        data.push_str(v.trim_start());
                    }
                }
                if let Some(kind) = kind {
                    return SseEvent {
                        kind,
                        data: serde_json::from_str(&data).unwrap(),
                    };
                }
                continue;
            }
            let chunk = self
                .response
                .chunk()
                .await
                .unwrap()
                .expect("stream stays open");
            self.buffer.push_str(&String::from_utf8_lossy(&chunk));
        }
    }
}
