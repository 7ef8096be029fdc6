//! A stand-in for a provider's API on 127.0.0.1: a real HTTP server that
//! records every request and answers from a queue the test fills.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Router;
use chrono::{TimeZone, Utc};
use orderdesk_domain::{Currency, Money, OrderNumber, Timestamp};
use orderdesk_payments::{PaymentProvider, PaymentRequest};

/// What the fake saw.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: Method,
    pub path: String,
    pub query: Option<String>,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Recorded {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap()
    }

    /// The body read as `application/x-www-form-urlencoded`, in order.
    pub fn form(&self) -> Vec<(String, String)> {
        let body = std::str::from_utf8(&self.body).unwrap();
        reqwest::Url::parse(&format!("http://form.invalid/?{body}"))
            .unwrap()
            .query_pairs()
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect()
    }

    pub fn form_value(&self, key: &str) -> Option<String> {
        self.form()
            .into_iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    }
}

#[derive(Default)]
struct FakeState {
    requests: Mutex<Vec<Recorded>>,
    replies: Mutex<VecDeque<(u16, String)>>,
}

pub struct FakeProvider {
    pub addr: SocketAddr,
    state: Arc<FakeState>,
}

impl FakeProvider {
    pub async fn start() -> Self {
        let state = Arc::new(FakeState::default());
        let app = Router::new().fallback(record).with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self { addr, state }
    }

    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Queues the next answer (JSON body); unqueued requests get a 599.
    pub fn answer(&self, status: u16, body: impl Into<String>) {
        self.state
            .replies
            .lock()
            .unwrap()
            .push_back((status, body.into()));
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.state.requests.lock().unwrap().clone()
    }
}

async fn record(
    State(state): State<Arc<FakeState>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    state.requests.lock().unwrap().push(Recorded {
        method,
        path: uri.path().to_owned(),
        query: uri.query().map(str::to_owned),
        headers,
        body,
    });
    let (status, body) = state
        .replies
        .lock()
        .unwrap()
        .pop_front()
        .unwrap_or((599, r#"{"error":"no answer queued"}"#.to_owned()));
    let mut response = (StatusCode::from_u16(status).unwrap(), body).into_response();
    response
        .headers_mut()
        .insert("content-type", "application/json".parse().unwrap());
    response
}

/// A loopback port nothing listens on: bound, then released.
pub async fn closed_port() -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    addr
}

pub fn at(secs: i64) -> Timestamp {
    Utc.timestamp_opt(secs, 0).unwrap()
}

pub fn money(minor: i64, currency: &str) -> Money {
    Money::from_minor(minor, Currency::parse(currency).unwrap())
}

/// Order 1001, second attempt, ₹499.00, expiring at 1_700_003_600.
pub fn request() -> PaymentRequest {
    PaymentRequest {
        order_number: OrderNumber::new(1001).unwrap(),
        attempt: 2,
        amount: money(49900, "INR"),
        description: "Order #1001".into(),
        customer_name: Some("Asha Rao".into()),
        customer_phone: Some("+919000090000".into()),
        customer_email: Some("asha@example.com".into()),
        callback_url: Some("https://shop.example/pay/return/1001".into()),
        cancel_url: Some("https://shop.example/pay/cancel/1001".into()),
        expires_at: at(1_700_003_600),
    }
}

pub fn fixture(name: &str) -> Vec<u8> {
    let path = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/fixtures/payments")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("fixture {} is unreadable: {e}", path.display()))
}

/// A check on the error an answer produced.
pub type Expect = fn(&orderdesk_payments::PaymentError) -> bool;

/// For each `(status, body, expected)`: the provider's API answers the
/// payment request with that status and body, and `create_request` fails
/// as `expected` checks. `provider_at` builds the provider for an API URL.
pub async fn assert_create_fails_as<P: PaymentProvider>(
    provider_at: impl Fn(&str) -> P,
    cases: Vec<(u16, &str, Expect)>,
) {
    for (status, body, expected) in cases {
        let fake = FakeProvider::start().await;
        fake.answer(status, body);
        let err = provider_at(&fake.base_url())
            .create_request(&request())
            .await
            .unwrap_err();
        assert!(expected(&err), "HTTP {status} {body}: {err:?}");
    }
}

/// An API nobody answers on fails the payment request, retryably.
pub async fn assert_unreachable_is_retryable<P: PaymentProvider>(provider_at: impl Fn(&str) -> P) {
    let addr = closed_port().await;
    let err = provider_at(&format!("http://{addr}"))
        .create_request(&request())
        .await
        .unwrap_err();
    assert!(err.is_retryable(), "{err:?}");
}

/// `event` paid `got`, not the ₹499.00 of the pending order it is for: the
/// order is flagged for review rather than marked paid.
pub fn assert_flagged_as_paid_other_than_the_order(
    event: &orderdesk_payments::PaymentEvent,
    got: Money,
) {
    use orderdesk_payments::{AmountMismatch, Decision};
    assert_eq!(event.amount, Some(got));
    assert_eq!(
        event.decide(
            orderdesk_domain::PaymentStatus::Pending,
            money(49900, "INR"),
            true
        ),
        Decision::Flag(AmountMismatch {
            expected: money(49900, "INR"),
            received: Some(got)
        })
    );
}
