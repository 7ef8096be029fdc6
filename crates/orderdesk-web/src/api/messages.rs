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
use chrono::Utc;
use orderdesk_domain::OrderNumber;
use orderdesk_store::{ChatMessage, NewOutbound};
use orderdesk_whatsapp::{OutboundMessage, Recipient};
use serde::{Deserialize, Serialize};

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::ApiJson;
use crate::routes::{Auth, Routes};
use crate::AppState;

pub(crate) fn routes() -> Routes<AppState> {
    Routes::new()
        .get("/api/v1/orders/{number}/messages", Auth::Token, list)
        .post("/api/v1/orders/{number}/messages", Auth::Token, send)
}

/// How long after the customer's last message free text may be sent.
pub const WINDOW: chrono::Duration = chrono::Duration::hours(24);

/// A staff reply.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SendBody {
    /// The text to send (1–4096 characters, not blank).
    #[schema(schema_with = super::schema::reply_text)]
    text: String,
}

/// The order's chat thread.
#[derive(Serialize, utoipa::ToSchema)]
pub struct MessageList {
    /// Oldest first, both directions.
    #[schema(value_type = Vec<ChatMessageDoc>)]
    messages: Vec<ChatMessage>,
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

/// Queues a staff reply to the order's customer in the durable outbox; the
/// one path for the API and the dashboard's chat panel.
///
/// # Errors
/// 404 for an unknown order; 422 `outside_window` when the customer last
/// wrote 24 hours ago or more, 422 for empty or over-long text.
pub(crate) async fn send_reply(
    state: &AppState,
    number: OrderNumber,
    text: String,
) -> ApiResult<ChatMessage> {
    let store = state.engine.store();
    let order = store
        .order(number)
        .await
        .map_err(|e| super::orders::not_found_as(e, number))?;
    let unprocessable =
        |m: String| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_request", m);
    let customer = &order.customer;
    let key = customer
        .user_id
        .clone()
        .or_else(|| customer.wa_id.clone())
        .ok_or_else(|| unprocessable("this order's customer has no WhatsApp id".to_owned()))?;
    let now = Utc::now();
    let last_inbound = store.customer(&key).await?.and_then(|c| c.last_inbound_at);
    if last_inbound.is_none_or(|at| now - at >= WINDOW) {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "outside_window",
            OUTSIDE_WINDOW,
        ));
    }
    let recipient = Recipient::from_ids(customer.wa_id.as_deref(), customer.user_id.as_deref())
        .map_err(|e| unprocessable(e.to_string()))?;
    let message =
        OutboundMessage::text(recipient, text.clone()).map_err(|e| unprocessable(e.to_string()))?;
    let wire = serde_json::to_value(&message).map_err(|e| {
        tracing::error!(error = %e, "cannot serialise an outbound message");
        ApiError::internal()
    })?;
    let queued = store
        .queue_outbound(
            &[NewOutbound {
                order_number: Some(number),
                customer_key: key,
                to_wa_id: customer.wa_id.clone(),
                to_user_id: customer.user_id.clone(),
                body: wire,
                preview: text,
                not_before: now,
            }],
            now,
        )
        .await?;
    state.engine.bus().poke();
    queued.into_iter().next().ok_or_else(ApiError::internal)
}

/// Why a free-text reply is refused outside the customer-service window.
pub const OUTSIDE_WINDOW: &str =
    "the customer last wrote more than 24 hours ago; WhatsApp only allows an approved template now";
