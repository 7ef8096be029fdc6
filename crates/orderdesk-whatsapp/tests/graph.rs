//! `GraphClient` against a real HTTP server on loopback that records each
//! request and answers as the test tells it: the wire format going out, and
//! how every kind of answer (or non-answer) is sorted for the dispatcher.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Router;
use orderdesk_whatsapp::{
    GraphClient, GraphError, GraphSetupError, Interactive, MarkRead, OutboundMessage, Recipient,
    ReplyButton, SentMessage, DEFAULT_TIMEOUT,
};
use serde_json::{json, Value};

const PHONE_NUMBER_ID: &str = "106540352242922";
const TOKEN: &str = "EAAG-test-token";

fn fixture(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/fixtures/whatsapp")
        .join(name);
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("fixture {} is unreadable: {e}", path.display()))
}

/// What the fake saw.
#[derive(Debug, Clone)]
struct Recorded {
    method: Method,
    path: String,
    headers: HeaderMap,
    body: Bytes,
}

/// What the fake answers next.
#[derive(Debug, Clone)]
struct Reply {
    status: u16,
    body: String,
    headers: Vec<(&'static str, &'static str)>,
    delay: Duration,
}

impl Reply {
    fn json(status: u16, body: impl Into<String>) -> Self {
        Self {
            status,
            body: body.into(),
            headers: vec![("content-type", "application/json")],
            delay: Duration::ZERO,
        }
    }

    fn graph_error(status: u16, code: i64, details: &str) -> Self {
        Self::json(
            status,
            json!({"error": {
                "message": format!("(#{code}) some title"),
                "type": "OAuthException",
                "code": code,
                "error_data": {"messaging_product": "whatsapp", "details": details},
                "fbtrace_id": "Az8or2yhqkZfEZ-_4Qn_Bam"
            }})
            .to_string(),
        )
    }
}

#[derive(Default)]
struct FakeState {
    requests: Mutex<Vec<Recorded>>,
    reply: Mutex<Option<Reply>>,
}

/// A stand-in for graph.facebook.com on 127.0.0.1, alive until the test's
/// runtime shuts down.
struct FakeGraph {
    addr: SocketAddr,
    state: Arc<FakeState>,
}

impl FakeGraph {
    async fn start() -> Self {
        let state = Arc::new(FakeState::default());
        let app = Router::new().fallback(record).with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self { addr, state }
    }

    fn base_url(&self) -> String {
        format!("http://{}/v23.0", self.addr)
    }

    fn client(&self) -> GraphClient {
        GraphClient::new(&self.base_url(), PHONE_NUMBER_ID, TOKEN).unwrap()
    }

    fn answer(&self, reply: Reply) {
        *self.state.reply.lock().unwrap() = Some(reply);
    }

    fn requests(&self) -> Vec<Recorded> {
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
        headers,
        body,
    });
    let reply = state
        .reply
        .lock()
        .unwrap()
        .clone()
        .unwrap_or_else(|| Reply::json(200, fixture("response_send_message.json")));
    tokio::time::sleep(reply.delay).await;
    let mut response = (StatusCode::from_u16(reply.status).unwrap(), reply.body).into_response();
    for (name, value) in reply.headers {
        response.headers_mut().insert(name, value.parse().unwrap());
    }
    response
}

fn hello() -> OutboundMessage {
    OutboundMessage::text(
        Recipient::wa_id("16505551234").unwrap(),
        "Hello from orderdesk",
    )
    .unwrap()
}

async fn send_answered_with(reply: Reply) -> GraphError {
    let fake = FakeGraph::start().await;
    fake.answer(reply);
    fake.client().send(&hello()).await.unwrap_err()
}

/// A loopback port nothing listens on: bound, then released.
async fn closed_port() -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    addr
}

// --- what goes out ------------------------------------------------------

#[tokio::test]
async fn a_send_posts_the_exact_json_body_with_the_bearer_token_and_returns_the_wamid() {
    let fake = FakeGraph::start().await;
    let note = Interactive::reply_buttons(
        "Anything we should know about order #1042?",
        vec![
            ReplyButton::new("note:1042:add", "Add a note").unwrap(),
            ReplyButton::new("note:1042:skip", "Skip").unwrap(),
        ],
    )
    .unwrap();
    let message = OutboundMessage::new(Recipient::wa_id("16505551234").unwrap(), note);

    let sent = fake.client().send(&message).await.unwrap();

    assert_eq!(
        sent,
        SentMessage {
            wamid: "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJCOTY3NDc0NDFDRUI3NTA0Q0UA".into()
        }
    );
    let requests = fake.requests();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_eq!(request.method, Method::POST);
    assert_eq!(request.path, format!("/v23.0/{PHONE_NUMBER_ID}/messages"));
    assert_eq!(request.headers["authorization"], format!("Bearer {TOKEN}"));
    assert_eq!(request.headers["content-type"], "application/json");
    let body: Value = serde_json::from_slice(&request.body).unwrap();
    assert_eq!(
        body,
        json!({
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": "16505551234",
            "type": "interactive",
            "interactive": {
                "type": "button",
                "body": {"text": "Anything we should know about order #1042?"},
                "action": {"buttons": [
                    {"type": "reply", "reply": {"id": "note:1042:add", "title": "Add a note"}},
                    {"type": "reply", "reply": {"id": "note:1042:skip", "title": "Skip"}}
                ]}
            }
        })
    );
}

#[tokio::test]
async fn a_trailing_slash_on_the_base_url_does_not_change_the_path() {
    let fake = FakeGraph::start().await;
    let client =
        GraphClient::new(&format!("{}/", fake.base_url()), PHONE_NUMBER_ID, TOKEN).unwrap();
    assert_eq!(
        client.messages_url(),
        format!("{}/{PHONE_NUMBER_ID}/messages", fake.base_url())
    );
    client.send(&hello()).await.unwrap();
    assert_eq!(
        fake.requests()[0].path,
        format!("/v23.0/{PHONE_NUMBER_ID}/messages")
    );
}

#[tokio::test]
async fn a_read_receipt_goes_to_the_same_endpoint_and_success_true_is_enough() {
    let fake = FakeGraph::start().await;
    fake.answer(Reply::json(200, r#"{"success": true}"#));
    let read = MarkRead::new("wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUYzMjEzNDM2RTZGQ0MzMDJBRgA=")
        .unwrap()
        .with_typing_indicator();

    fake.client().mark_read(&read).await.unwrap();

    let request = &fake.requests()[0];
    assert_eq!(request.path, format!("/v23.0/{PHONE_NUMBER_ID}/messages"));
    assert_eq!(request.headers["authorization"], format!("Bearer {TOKEN}"));
    let body: Value = serde_json::from_slice(&request.body).unwrap();
    let sample: Value = serde_json::from_str(&fixture("send_mark_read_typing.json")).unwrap();
    assert_eq!(body, sample);
}

// --- how answers are sorted ---------------------------------------------

#[tokio::test]
async fn http_429_is_retryable_after_the_servers_retry_after() {
    let mut reply = Reply::graph_error(429, 80007, "rate limit");
    reply.headers.push(("retry-after", "7"));
    let error = send_answered_with(reply).await;
    assert!(
        matches!(
            error,
            GraphError::Retryable { after: Some(after), code: Some(80007), .. }
                if after == Duration::from_secs(7)
        ),
        "{error:?}"
    );
}

#[tokio::test]
async fn http_429_without_a_body_or_retry_after_is_still_retryable() {
    let error = send_answered_with(Reply::json(429, "")).await;
    assert!(
        matches!(
            error,
            GraphError::Retryable {
                after: None,
                code: None,
                ..
            }
        ),
        "{error:?}"
    );
}

#[tokio::test]
async fn http_500_with_a_non_json_page_is_retryable() {
    let mut reply = Reply::json(500, "<html>Internal Server Error</html>");
    reply.headers = vec![("content-type", "text/html")];
    let error = send_answered_with(reply).await;
    let GraphError::Retryable { reason, .. } = &error else {
        panic!("expected Retryable, got {error:?}");
    };
    assert!(reason.contains("HTTP 500"), "{reason}");
    assert!(reason.contains("Internal Server Error"), "{reason}");
}

#[tokio::test]
async fn throughput_and_pair_rate_limits_are_retryable_and_name_their_code() {
    for code in [130429, 131056] {
        let error = send_answered_with(Reply::graph_error(400, code, "slow down")).await;
        assert!(
            matches!(error, GraphError::Retryable { code: Some(c), .. } if c == code),
            "{code}: {error:?}"
        );
    }
}

#[tokio::test]
async fn error_131047_means_the_window_is_closed() {
    let error = send_answered_with(Reply::graph_error(
        400,
        131047,
        "Message failed to send because more than 24 hours have passed since the customer last replied to this number.",
    ))
    .await;
    let GraphError::WindowClosed { error: api } = &error else {
        panic!("expected WindowClosed, got {error:?}");
    };
    assert_eq!(api.status, 400);
    assert_eq!(api.code, Some(131047));
    assert_eq!(api.message, "(#131047) some title");
    assert!(api.details.as_deref().unwrap().contains("24 hours"));
    assert_eq!(api.fbtrace_id.as_deref(), Some("Az8or2yhqkZfEZ-_4Qn_Bam"));
}

#[tokio::test]
async fn an_expired_token_error_190_is_an_auth_failure_with_every_field_read() {
    let error = send_answered_with(Reply::json(401, fixture("error_graph_api_generic.json"))).await;
    let GraphError::Auth { error: api } = &error else {
        panic!("expected Auth, got {error:?}");
    };
    assert_eq!(api.status, 401);
    assert_eq!(api.code, Some(190));
    assert_eq!(api.subcode, Some(460));
    assert_eq!(api.message, "Message describing the error");
    assert_eq!(api.details, None);
    assert_eq!(api.fbtrace_id.as_deref(), Some("EJplcsCHuLu"));
}

#[tokio::test]
async fn code_190_is_an_auth_failure_even_with_status_400() {
    let error = send_answered_with(Reply::graph_error(400, 190, "token expired")).await;
    assert!(matches!(error, GraphError::Auth { .. }), "{error:?}");
}

#[tokio::test]
async fn http_403_without_a_graph_error_is_an_auth_failure() {
    let error = send_answered_with(Reply::json(403, "Forbidden")).await;
    assert!(
        matches!(&error, GraphError::Auth { error } if error.status == 403 && error.code.is_none()),
        "{error:?}"
    );
}

#[tokio::test]
async fn an_undeliverable_message_131026_is_permanent() {
    let error = send_answered_with(Reply::graph_error(400, 131026, "Message Undeliverable.")).await;
    let GraphError::Permanent {
        code,
        message,
        error: api,
    } = &error
    else {
        panic!("expected Permanent, got {error:?}");
    };
    assert_eq!(*code, Some(131026));
    assert_eq!(message, "(#131026) some title");
    assert_eq!(api.details.as_deref(), Some("Message Undeliverable."));
    assert!(error.to_string().contains("131026"), "{error}");
}

#[tokio::test]
async fn invalid_parameter_and_opted_out_errors_are_permanent() {
    for code in [100, 131050, 131051] {
        let error = send_answered_with(Reply::graph_error(400, code, "no")).await;
        assert!(
            matches!(error, GraphError::Permanent { code: Some(c), .. } if c == code),
            "{code}: {error:?}"
        );
    }
}

#[tokio::test]
async fn a_success_without_a_wamid_is_permanent_rather_than_resent() {
    let error = send_answered_with(Reply::json(
        200,
        r#"{"messaging_product":"whatsapp","messages":[]}"#,
    ))
    .await;
    assert!(
        matches!(&error, GraphError::Permanent { code: None, message, .. } if message.contains("messages[0].id")),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_redirect_is_not_followed() {
    let fake = FakeGraph::start().await;
    let mut reply = Reply::json(302, "");
    reply.headers.push(("location", "/elsewhere"));
    fake.answer(reply);
    let error = fake.client().send(&hello()).await.unwrap_err();
    assert!(matches!(error, GraphError::Permanent { .. }), "{error:?}");
    assert_eq!(fake.requests().len(), 1);
}

// --- when nobody answers ------------------------------------------------

#[tokio::test]
async fn a_refused_connection_is_retryable() {
    let addr = closed_port().await;
    let client = GraphClient::new(&format!("http://{addr}/v23.0"), PHONE_NUMBER_ID, TOKEN).unwrap();
    let error = client.send(&hello()).await.unwrap_err();
    assert!(
        matches!(&error, GraphError::Retryable { after: None, code: None, reason } if reason.contains("connect")),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_server_slower_than_the_timeout_is_retryable_and_the_wait_is_bounded() {
    let fake = FakeGraph::start().await;
    let mut reply = Reply::json(200, fixture("response_send_message.json"));
    reply.delay = Duration::from_secs(5);
    fake.answer(reply);
    let client = GraphClient::with_timeout(
        &fake.base_url(),
        PHONE_NUMBER_ID,
        TOKEN,
        Duration::from_millis(300),
    )
    .unwrap();

    let started = Instant::now();
    let error = client.send(&hello()).await.unwrap_err();

    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert!(
        matches!(&error, GraphError::Retryable { reason, .. } if reason.contains("timed out")),
        "{error:?}"
    );
}

// --- configuration ------------------------------------------------------

#[test]
fn a_bad_base_url_phone_number_id_or_token_is_refused_up_front() {
    assert!(matches!(
        GraphClient::new("graph.facebook.com", PHONE_NUMBER_ID, TOKEN),
        Err(GraphSetupError::BaseUrl(_))
    ));
    assert!(matches!(
        GraphClient::new("ftp://graph.facebook.com", PHONE_NUMBER_ID, TOKEN),
        Err(GraphSetupError::BaseUrl(_))
    ));
    assert!(matches!(
        GraphClient::new(
            "https://graph.facebook.com/v23.0?x=1",
            PHONE_NUMBER_ID,
            TOKEN
        ),
        Err(GraphSetupError::BaseUrl(_))
    ));
    for id in ["", "1065/../me", "106 540", "106?x"] {
        assert!(
            matches!(
                GraphClient::new("https://graph.facebook.com/v23.0", id, TOKEN),
                Err(GraphSetupError::PhoneNumberId(_))
            ),
            "{id:?}"
        );
    }
    for token in ["", " ", "abc\ndef"] {
        assert!(
            matches!(
                GraphClient::new("https://graph.facebook.com/v23.0", PHONE_NUMBER_ID, token),
                Err(GraphSetupError::AccessToken)
            ),
            "{token:?}"
        );
    }
}

#[test]
fn the_production_https_endpoint_is_accepted_and_the_token_never_printed() {
    let client =
        GraphClient::new("https://graph.facebook.com/v23.0", PHONE_NUMBER_ID, TOKEN).unwrap();
    assert_eq!(
        client.messages_url(),
        "https://graph.facebook.com/v23.0/106540352242922/messages"
    );
    let debug = format!("{client:?}");
    assert!(!debug.contains(TOKEN), "{debug}");
    assert!(debug.contains(&format!("{DEFAULT_TIMEOUT:?}")), "{debug}");
}
