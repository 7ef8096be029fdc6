//! [`GraphFake`]: a loopback fake of the Graph API's messages endpoint.

use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};

/// A loopback fake of the Graph API's `/{phone-number-id}/messages`: a real
/// HTTP server that records every request and answers each with the next
/// queued status (200 with a fresh wamid when the queue is empty).
#[derive(Clone)]
pub struct GraphFake {
    pub url: String,
    state: Arc<std::sync::Mutex<FakeState>>,
}

#[derive(Default)]
struct FakeState {
    requests: Vec<(String, Option<String>, Value)>,
    fail_next: std::collections::VecDeque<u16>,
    /// Requests still to leave unanswered forever (a sender that hangs).
    hang_next: usize,
}

impl GraphFake {
    pub async fn start() -> Self {
        use axum::extract::{Path, State};
        use axum::http::HeaderMap;
        type Shared = Arc<std::sync::Mutex<FakeState>>;
        async fn messages(
            State(state): State<Shared>,
            Path(phone): Path<String>,
            headers: HeaderMap,
            axum::Json(body): axum::Json<Value>,
        ) -> (axum::http::StatusCode, axum::Json<Value>) {
            let auth = headers
                .get("authorization")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            let hang = {
                let mut s = state.lock().unwrap();
                s.requests.push((phone.clone(), auth.clone(), body.clone()));
                let hang = s.hang_next > 0;
                s.hang_next = s.hang_next.saturating_sub(1);
                hang
            };
            if hang {
                std::future::pending::<()>().await;
            }
            let mut s = state.lock().unwrap();
            let n = s.requests.len();
            match s.fail_next.pop_front() {
                Some(code) => (
                    axum::http::StatusCode::from_u16(code).unwrap(),
                    axum::Json(
                        json!({"error": {"message": "fake failure", "type": "OAuthException", "code": 1, "fbtrace_id": "x"}}),
                    ),
                ),
                None => (
                    axum::http::StatusCode::OK,
                    axum::Json(
                        json!({"messaging_product": "whatsapp", "contacts": [], "messages": [{"id": format!("wamid.fake-{n}")}]}),
                    ),
                ),
            }
        }
        let state: Shared = Arc::default();
        let app = axum::Router::new()
            .route("/{phone}/messages", axum::routing::post(messages))
            .with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self { url, state }
    }

    /// The next `n` requests are never answered.
    pub fn hang_next(&self, n: usize) {
        self.state.lock().unwrap().hang_next += n;
    }

    /// The next `n` requests fail with `status`.
    pub fn fail_next(&self, n: usize, status: u16) {
        let mut s = self.state.lock().unwrap();
        s.fail_next.extend(std::iter::repeat_n(status, n));
    }

    /// (phone-number-id, Authorization header, JSON body) of every request.
    pub fn requests(&self) -> Vec<(String, Option<String>, Value)> {
        self.state.lock().unwrap().requests.clone()
    }

    /// Waits (bounded) until at least `n` requests arrived.
    pub async fn wait_for(
        &self,
        n: usize,
        within: Duration,
    ) -> Vec<(String, Option<String>, Value)> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let r = self.requests();
            if r.len() >= n {
                return r;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "only {} Graph requests after {within:?}",
                r.len()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}
