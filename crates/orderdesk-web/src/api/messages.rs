//! `/api/v1/orders/{number}/messages`: the order's WhatsApp thread, and
//! staff replies into it.
//!
//! A reply is queued in the durable outbox (answered 202) and sent by the
//! dispatcher; its ticks arrive as `message.status` events. Outside the
//! 24-hour customer-service window WhatsApp only accepts approved templates,
//! so a free-text reply is refused up front with 422 rather than failing
//! later.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use orderdesk_domain::OrderNumber;
use orderdesk_store::ChatMessage;
use serde::{Deserialize, Serialize};

use crate::auth::Caller;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::ApiJson;
use crate::routes::{Auth, Routes};
use crate::AppState;

pub(crate) fn routes() -> Routes<AppState> {
    Routes::new()
        .get("/api/v1/orders/{number}/messages", Auth::Token, list)
        .post("/api/v1/orders/{number}/messages", Auth::Token, send)
}

/// A staff reply.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SendBody {
    /// The text to send (1–4096 characters, not blank).
    #[schema(schema_with = super::schema::reply_text)]
    text: String,
}

impl SendBody {
    pub(crate) fn into_text(self) -> String {
        self.text
    }
}

/// The order's chat thread.
#[derive(Serialize, utoipa::ToSchema)]
pub struct MessageList {
    /// Oldest first, both directions.
    #[schema(value_type = Vec<ChatMessageDoc>)]
    messages: Vec<ChatMessage>,
}

impl MessageList {
    pub(crate) fn new(messages: Vec<ChatMessage>) -> Self {
        Self { messages }
    }
}

/// One chat message, as the store's `ChatMessage` serialises (the store
/// crate does not depend on utoipa; the contract test checks the two agree).
#[derive(utoipa::ToSchema)]
#[schema(as = ChatMessage)]
#[allow(dead_code)]
pub struct ChatMessageDoc {
    id: i64,
    order_number: Option<i64>,
    customer_key: String,
    /// `in` from the customer, `out` to them.
    #[schema(schema_with = super::schema::direction)]
    direction: String,
    /// WhatsApp's id; for outbound messages known once sent.
    wamid: Option<String>,
    /// The WhatsApp message `type`.
    kind: String,
    /// What the chat panel shows.
    text: String,
    /// `received` (inbound); outbound `queued → sending → sent → delivered → read`, or `failed`.
    #[schema(schema_with = super::schema::message_state)]
    state: String,
    /// Why the last send attempt or the delivery failed.
    error: Option<String>,
    created_at: chrono::DateTime<chrono::Utc>,
    sent_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// The order's chat thread, oldest first, both directions.
#[utoipa::path(get, path = "/api/v1/orders/{number}/messages", tag = "messages",
    params(("number" = i64, Path, minimum = 1001, description = "Order number")),
    security(("bearer" = [])),
    responses((status = 200, body = MessageList, description = "The thread, oldest first"),
        (status = 404, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    _caller: Caller,
    Path(number): Path<String>,
) -> ApiResult<Json<MessageList>> {
    let number = super::orders::parse_number(&number)?;
    let store = state.engine.store();
    store
        .order(number)
        .await
        .map_err(|e| super::orders::not_found_as(e, number))?;
    let messages = store.messages_for_order(number).await?;
    Ok(Json(MessageList { messages }))
}

/// Send the customer a text from the order window.
#[utoipa::path(post, path = "/api/v1/orders/{number}/messages", tag = "messages",
    params(("number" = i64, Path, minimum = 1001, description = "Order number")),
    request_body = SendBody, security(("bearer" = [])),
    responses((status = 202, body = ChatMessageDoc, description = "Queued: the message as the thread shows it"),
        (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "Empty or too long, or outside the 24-hour window")))]
pub async fn send(
    State(state): State<AppState>,
    _caller: Caller,
    Path(number): Path<String>,
    ApiJson(body): ApiJson<SendBody>,
) -> ApiResult<(StatusCode, Json<ChatMessage>)> {
    let number = super::orders::parse_number(&number)?;
    let message = send_reply(&state, number, body.text).await?;
    Ok((StatusCode::ACCEPTED, Json(message)))
}

/// Queues a staff reply to the order's customer; the one path for the API
/// and the dashboard's chat panel.
///
/// # Errors
/// 404 for an unknown order; 422 `outside_window` when the customer last
/// wrote 24 hours ago or more, 422 for empty or over-long text.
pub(crate) async fn send_reply(
    state: &AppState,
    number: OrderNumber,
    text: String,
) -> ApiResult<ChatMessage> {
    state
        .engine
        .send_staff_reply(number, text)
        .await
        .map_err(|e| super::orders::order_error(e, number))
}
