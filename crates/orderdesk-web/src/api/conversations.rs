//! `/api/v1/conversations`: one conversation per customer, with or without
//! an order — the queue of who needs a reply, each thread, replies that
//! need no order, and read marks that send WhatsApp read receipts.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use orderdesk_engine::EngineError;
use orderdesk_store::{
    AssigneeFilter, ChatMessage, Conversation, ConversationChange, ConversationCursor,
    ConversationQuery,
};
use serde::{Deserialize, Serialize};

use super::messages::{ChatMessageDoc, MessageList, SendBody};
use super::paging;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiQuery};
use crate::routes::{Auth, Routes};
use crate::AppState;

pub(crate) fn routes() -> Routes<AppState> {
    Routes::new()
        .get("/api/v1/conversations", Auth::Token, list)
        .get(
            "/api/v1/conversations/{wa_id}/messages",
            Auth::Token,
            thread,
        )
        .post("/api/v1/conversations/{wa_id}/messages", Auth::Token, send)
        .post("/api/v1/conversations/{wa_id}/read", Auth::Token, read)
        .post(
            "/api/v1/conversations/{wa_id}/products",
            Auth::Token,
            products,
        )
        .post("/api/v1/conversations/{wa_id}", Auth::Token, change)
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// `true`: only conversations waiting for a person; `false`: only the others.
    #[param(value_type = Option<bool>)]
    needs_reply: Option<String>,
    /// A staff user's email, or `none` for unassigned ones.
    #[param(max_length = 254)]
    assignee: Option<String>,
    /// Part of the customer's name or phone, or of anything they wrote (up
    /// to 200 characters).
    #[param(max_length = 200)]
    q: Option<String>,
    /// Page size, 1–200 (default 50).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 200)]
    limit: Option<String>,
    /// `next_cursor` of the previous page (any other value is refused with 400).
    cursor: Option<String>,
}

/// A page of conversations, needing a reply first, then the newest.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ConversationList {
    #[schema(value_type = Vec<ConversationDoc>)]
    conversations: Vec<Conversation>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    next_cursor: Option<String>,
}

/// Who a conversation is with.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct ConversationCustomerDoc {
    wa_id: Option<String>,
    user_id: Option<String>,
    name: Option<String>,
}

/// The newest message of a conversation.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct LastMessageDoc {
    text: String,
    at: chrono::DateTime<chrono::Utc>,
    /// `in` from the customer, `out` to them.
    #[schema(schema_with = super::schema::direction)]
    direction: String,
}

/// One customer's conversation, as the store's `Conversation` serialises.
#[derive(utoipa::ToSchema)]
#[schema(as = Conversation)]
#[allow(dead_code)]
pub struct ConversationDoc {
    /// The customer's key (`user_id` or `wa_id`); the routes take it or the `wa_id`.
    key: String,
    customer: ConversationCustomerDoc,
    last_message: LastMessageDoc,
    /// The customer's messages nobody has read.
    unread: i64,
    /// The customer wrote and nobody answered (or it is handed over).
    needs_reply: bool,
    /// The customer asked for a person: the bot stays quiet.
    handover: bool,
    /// The staff user's email, or null.
    assignee: Option<String>,
    /// The customer's latest open order, or null.
    order_number: Option<i64>,
}

/// Staff's change to a conversation; omitted keys keep their value.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangeBody {
    /// A staff user's email, or null to unassign.
    #[serde(default, with = "super::templates::double_option")]
    #[schema(value_type = Option<String>, max_length = 254)]
    assignee: Option<Option<String>>,
    /// `true`: everything the customer wrote so far is answered.
    done: Option<bool>,
    /// `false` hands the customer back to the bot; `true` to a person.
    handover: Option<bool>,
}

fn encode(c: &ConversationCursor) -> String {
    let raw = format!(
        "{}|{}|{}",
        u8::from(c.needs_reply),
        c.last_at.timestamp_micros(),
        c.key
    );
    URL_SAFE_NO_PAD.encode(raw)
}

fn decode(raw: &str) -> Option<ConversationCursor> {
    let bytes = URL_SAFE_NO_PAD.decode(raw.trim()).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let mut parts = text.splitn(3, '|');
    let needs_reply = match parts.next()? {
        "0" => false,
        "1" => true,
        _ => return None,
    };
    let micros: i64 = parts.next()?.parse().ok()?;
    let key = parts.next()?.to_owned();
    Some(ConversationCursor {
        needs_reply,
        last_at: chrono::DateTime::from_timestamp_micros(micros)?,
        key,
    })
}

fn query_from(params: ListParams) -> ApiResult<ConversationQuery> {
    let needs_reply = match params.needs_reply.as_deref() {
        None | Some("") => None,
        Some("true") => Some(true),
        Some("false") => Some(false),
        Some(other) => {
            return Err(ApiError::bad_request(format!(
                "needs_reply {other:?} is not true or false"
            )))
        }
    };
    let assignee = match params.assignee.as_deref().map(str::trim) {
        None | Some("") => None,
        Some("none") => Some(AssigneeFilter::Nobody),
        Some(email) if email.chars().count() <= 254 => {
            Some(AssigneeFilter::Email(email.to_owned()))
        }
        Some(_) => {
            return Err(ApiError::bad_request(
                "assignee is longer than 254 characters",
            ))
        }
    };
    let limit = paging::page_limit(params.limit.as_deref())?;
    let after = paging::page_cursor(params.cursor.as_deref(), decode)?;
    let q = paging::search_term(params.q)?;
    Ok(ConversationQuery {
        needs_reply,
        assignee,
        q,
        limit,
        after,
    })
}

/// 404 naming the conversation for an unknown one; everything else as usual.
pub(super) fn about(wa_id: &str) -> impl FnOnce(EngineError) -> ApiError {
    crate::error::not_found_with(format!("no conversation with {wa_id}"))
}

/// List conversations, needing a reply first, with cursor paging.
#[utoipa::path(get, path = "/api/v1/conversations", tag = "conversations", params(ListParams),
    security(("bearer" = [])),
    responses((status = 200, body = ConversationList), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    _caller: Caller,
    ApiQuery(params): ApiQuery<ListParams>,
) -> ApiResult<Json<ConversationList>> {
    let query = query_from(params)?;
    let page = state.engine.conversations(&query).await?;
    Ok(Json(ConversationList {
        conversations: page.conversations,
        next_cursor: page.next.as_ref().map(encode),
    }))
}

/// The customer's messages, oldest first, with or without orders.
#[utoipa::path(get, path = "/api/v1/conversations/{wa_id}/messages", tag = "conversations",
    params(("wa_id" = String, Path, description = "The customer's wa_id (or key)")),
    security(("bearer" = [])),
    responses((status = 200, body = MessageList, description = "The thread, oldest first"),
        (status = 404, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn thread(
    State(state): State<AppState>,
    _caller: Caller,
    Path(wa_id): Path<String>,
) -> ApiResult<Json<MessageList>> {
    let messages = state
        .engine
        .conversation_messages(&wa_id)
        .await
        .map_err(about(&wa_id))?;
    Ok(Json(MessageList::new(messages)))
}

/// Send the customer a text; no order needed. Refused outside the 24-hour window.
#[utoipa::path(post, path = "/api/v1/conversations/{wa_id}/messages", tag = "conversations",
    params(("wa_id" = String, Path, description = "The customer's wa_id (or key)")),
    request_body = SendBody, security(("bearer" = [])),
    responses((status = 202, body = ChatMessageDoc, description = "Queued: the message as the thread shows it"),
        (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "Empty or too long, or outside the 24-hour window (send an approved template instead)")))]
pub async fn send(
    State(state): State<AppState>,
    _caller: Caller,
    Path(wa_id): Path<String>,
    ApiJson(body): ApiJson<SendBody>,
) -> ApiResult<(StatusCode, Json<ChatMessage>)> {
    let message = state
        .engine
        .reply_to_conversation(&wa_id, body.into_text())
        .await
        .map_err(about(&wa_id))?;
    Ok((StatusCode::ACCEPTED, Json(message)))
}

/// Catalog products picked for the customer: `retailer_ids` in one
/// section, or `sections` (titled); up to 30 in all.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ProductsBody {
    /// The products' retailer ids, in one section (one id: a `product` message).
    #[serde(default)]
    #[schema(max_items = 30)]
    retailer_ids: Vec<String>,
    /// Or the products in titled sections (a `product_list` message).
    #[serde(default)]
    #[schema(max_items = 10)]
    sections: Vec<ProductSectionBody>,
    /// The message's text, in place of the `products` text.
    #[schema(max_length = 1024)]
    body: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ProductSectionBody {
    /// Shown above the section's products (1–24 characters).
    #[schema(max_length = 24)]
    title: Option<String>,
    #[schema(max_items = 30)]
    retailer_ids: Vec<String>,
}

impl ProductsBody {
    fn into_pick(self) -> orderdesk_engine::ProductPick {
        let mut sections: Vec<(Option<String>, Vec<String>)> = self
            .sections
            .into_iter()
            .map(|s| (s.title, s.retailer_ids))
            .collect();
        if !self.retailer_ids.is_empty() {
            sections.insert(0, (None, self.retailer_ids));
        }
        orderdesk_engine::ProductPick {
            sections,
            body: self.body,
        }
    }
}

/// Send the customer catalog products: a `product` message for one, a
/// `product_list` for several. The cart they send from it becomes an order.
#[utoipa::path(post, path = "/api/v1/conversations/{wa_id}/products", tag = "conversations",
    params(("wa_id" = String, Path, description = "The customer's wa_id (or key)")),
    request_body = ProductsBody, security(("bearer" = [])),
    responses((status = 202, body = ChatMessageDoc, description = "Queued: the message as the thread shows it"),
        (status = 400, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "A retailer id not in the catalog (`unknown_product`, named), no catalog set up, no or too many products, or outside the 24-hour window")))]
pub async fn products(
    State(state): State<AppState>,
    _caller: Caller,
    Path(wa_id): Path<String>,
    ApiJson(body): ApiJson<ProductsBody>,
) -> ApiResult<(StatusCode, Json<ChatMessage>)> {
    let message = state
        .engine
        .send_products(&wa_id, body.into_pick())
        .await
        .map_err(about(&wa_id))?;
    Ok((StatusCode::ACCEPTED, Json(message)))
}

/// Mark the conversation read; the customer's messages turn blue-ticked.
/// Marking it again changes nothing.
#[utoipa::path(post, path = "/api/v1/conversations/{wa_id}/read", tag = "conversations",
    params(("wa_id" = String, Path, description = "The customer's wa_id (or key)")),
    security(("bearer" = [])),
    responses((status = 200, body = ConversationDoc, description = "The conversation, unread 0"),
        (status = 404, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn read(
    State(state): State<AppState>,
    _caller: Caller,
    Path(wa_id): Path<String>,
) -> ApiResult<Json<Conversation>> {
    let c = state
        .engine
        .mark_conversation_read(&wa_id)
        .await
        .map_err(about(&wa_id))?;
    Ok(Json(c))
}

/// Assign the conversation, mark it done, or hand the customer back to the bot.
#[utoipa::path(post, path = "/api/v1/conversations/{wa_id}", tag = "conversations",
    params(("wa_id" = String, Path, description = "The customer's wa_id (or key)")),
    request_body = ChangeBody, security(("bearer" = [])),
    responses((status = 200, body = ConversationDoc, description = "The conversation after the change"),
        (status = 404, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn change(
    State(state): State<AppState>,
    _caller: Caller,
    Path(wa_id): Path<String>,
    ApiJson(body): ApiJson<ChangeBody>,
) -> ApiResult<Json<Conversation>> {
    let change = change_from(body)?;
    let c = state
        .engine
        .change_conversation(&wa_id, &change)
        .await
        .map_err(about(&wa_id))?;
    Ok(Json(c))
}

pub(crate) fn change_from(body: ChangeBody) -> ApiResult<ConversationChange> {
    let assignee = match body.assignee {
        Some(Some(email)) => {
            let email = email.trim().to_owned();
            if email.is_empty() || email.chars().count() > 254 || !email.contains('@') {
                return Err(ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "invalid_request",
                    "assignee must be a staff user's email or null",
                ));
            }
            Some(Some(email))
        }
        other => other,
    };
    Ok(ConversationChange {
        assignee,
        done: body.done.unwrap_or(false),
        handover: body.handover,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_round_trips_and_anything_else_is_refused() {
        let c = ConversationCursor {
            needs_reply: true,
            last_at: chrono::DateTime::from_timestamp_micros(1_772_359_200_123_456).unwrap(),
            key: "9198|00".to_owned(),
        };
        assert_eq!(decode(&encode(&c)), Some(c));
        for raw in ["", "!!", "MXwx", &URL_SAFE_NO_PAD.encode("2|1|k")] {
            assert_eq!(decode(raw), None, "{raw:?}");
        }
    }
}
