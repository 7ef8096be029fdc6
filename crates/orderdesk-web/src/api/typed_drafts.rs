//! `/api/v1/conversations/{wa_id}/draft`: a customer's typed order at the
//! desk (#21). Read it (lines at today's prices, the words nobody could
//! place, whether it is still open), replace its lines, and send it back
//! to the customer as a fresh offer with "Place order" / "Change".

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use orderdesk_domain::DeskState;
use orderdesk_engine::DeskDraft;
use orderdesk_store::ChatMessage;
use serde::{Deserialize, Serialize};

use super::conversations::about;
use super::messages::ChatMessageDoc;
use crate::auth::Caller;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::ApiJson;
use crate::routes::{Auth, Routes};
use crate::AppState;

pub(crate) fn routes() -> Routes<AppState> {
    Routes::new()
        .get("/api/v1/conversations/{wa_id}/draft", Auth::Token, show)
        .put("/api/v1/conversations/{wa_id}/draft", Auth::Token, edit)
        .post(
            "/api/v1/conversations/{wa_id}/draft/send",
            Auth::Token,
            send,
        )
}

/// A customer's typed draft, priced from the catalog as it is now.
#[derive(Serialize, utoipa::ToSchema)]
pub struct DraftDoc {
    /// The conversation's key.
    key: String,
    /// `open` (may be edited and sent), `placed` (an order was placed
    /// since) or `expired` (made more than 24 hours ago).
    #[schema(pattern = "^(open|placed|expired)$")]
    state: &'static str,
    /// A person has it: the customer tapped "Change", or wrote words
    /// nobody could place.
    at_desk: bool,
    /// When the customer's message (or staff's last send) made it.
    made_at: Option<chrono::DateTime<chrono::Utc>>,
    /// After this, "Place order" no longer orders it.
    expires_at: Option<chrono::DateTime<chrono::Utc>>,
    lines: Vec<DraftLineDoc>,
    /// What the customer wrote that names nothing we sell, as written (and
    /// lines whose product has left the catalog).
    unmatched: Vec<String>,
    /// The lines' total in minor units; null with no line.
    total_minor: Option<i64>,
    /// ISO 4217 code of the prices; null with no line.
    currency: Option<String>,
}

/// One line of a draft.
#[derive(Serialize, utoipa::ToSchema)]
pub struct DraftLineDoc {
    retailer_id: String,
    title: String,
    #[schema(minimum = 1, maximum = 999)]
    quantity: u32,
    unit_price_minor: i64,
    /// `quantity × unit_price_minor`.
    amount_minor: i64,
}

impl From<DeskDraft> for DraftDoc {
    fn from(d: DeskDraft) -> Self {
        Self {
            key: d.key,
            state: match d.state {
                DeskState::Open => "open",
                DeskState::Placed => "placed",
                DeskState::Expired => "expired",
            },
            at_desk: d.at_desk,
            made_at: d.made_at,
            expires_at: d.expires_at,
            lines: d
                .lines
                .iter()
                .map(|l| DraftLineDoc {
                    retailer_id: l.retailer_id.clone(),
                    title: l.title.clone(),
                    quantity: l.quantity,
                    unit_price_minor: l.unit_price.minor(),
                    amount_minor: l.unit_price.minor().saturating_mul(i64::from(l.quantity)),
                })
                .collect(),
            unmatched: d.unmatched,
            total_minor: d.total.map(|t| t.minor()),
            currency: d.total.map(|t| t.currency().as_str().to_owned()),
        }
    }
}

/// Staff's lines for the draft, replacing all of them.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DraftEditBody {
    /// 1–100 lines, each product of the catalog once.
    #[schema(min_items = 1, max_items = 100)]
    lines: Vec<DraftEditLine>,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DraftEditLine {
    /// A product of the catalog (`unknown_product` 422 otherwise).
    #[schema(max_length = 100)]
    retailer_id: String,
    /// Packs, 1–999.
    #[schema(minimum = 1, maximum = 999)]
    quantity: i64,
}

/// What sending the draft back did.
#[derive(Serialize, utoipa::ToSchema)]
pub struct DraftSent {
    /// The draft as the customer now holds it (off the desk).
    draft: DraftDoc,
    /// The offer with "Place order" / "Change", as the thread shows it.
    #[schema(value_type = ChatMessageDoc)]
    message: ChatMessage,
}

/// The customer's typed draft (also once placed or expired: see `state`).
#[utoipa::path(get, path = "/api/v1/conversations/{wa_id}/draft", tag = "conversations",
    params(("wa_id" = String, Path, description = "The customer's wa_id (or key)")),
    security(("bearer" = [])),
    responses((status = 200, body = DraftDoc, description = "The draft, priced as the catalog is now"),
        (status = 404, body = ErrorBody, description = "No such conversation, or the customer has no draft"),
        (status = 401, body = ErrorBody)))]
pub async fn show(
    State(state): State<AppState>,
    _caller: Caller,
    Path(wa_id): Path<String>,
) -> ApiResult<Json<DraftDoc>> {
    let draft = state
        .engine
        .desk_draft(&wa_id)
        .await
        .map_err(about(&wa_id))?;
    Ok(Json(draft.into()))
}

/// Replace the draft's lines; it stays at the desk, and the customer's
/// buttons under it stop ordering until it is sent back.
#[utoipa::path(put, path = "/api/v1/conversations/{wa_id}/draft", tag = "conversations",
    params(("wa_id" = String, Path, description = "The customer's wa_id (or key)")),
    request_body = DraftEditBody, security(("bearer" = [])),
    responses((status = 200, body = DraftDoc, description = "The draft with staff's lines"),
        (status = 400, body = ErrorBody, description = "Not JSON"),
        (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody, description = "No such conversation, or the customer has no draft"),
        (status = 409, body = ErrorBody, description = "Already placed as an order (`draft_placed`) or expired (`draft_expired`)"),
        (status = 422, body = ErrorBody, description = "A product not in the catalog (`unknown_product`, named), a quantity outside 1–999, no line or a product twice")))]
pub async fn edit(
    State(state): State<AppState>,
    _caller: Caller,
    Path(wa_id): Path<String>,
    ApiJson(body): ApiJson<DraftEditBody>,
) -> ApiResult<Json<DraftDoc>> {
    let lines: Vec<(String, i64)> = body
        .lines
        .into_iter()
        .map(|l| (l.retailer_id, l.quantity))
        .collect();
    let draft = state
        .engine
        .edit_desk_draft(&wa_id, &lines)
        .await
        .map_err(about(&wa_id))?;
    Ok(Json(draft.into()))
}

/// Send the draft back to the customer as a fresh offer with "Place
/// order" / "Change"; the conversation is answered and back with the bot,
/// which runs the checkout when they tap "Place order".
#[utoipa::path(post, path = "/api/v1/conversations/{wa_id}/draft/send", tag = "conversations",
    params(("wa_id" = String, Path, description = "The customer's wa_id (or key)")),
    security(("bearer" = [])),
    responses((status = 202, body = DraftSent, description = "Queued: the offer, and the draft the customer now holds"),
        (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody, description = "No such conversation, or the customer has no draft"),
        (status = 409, body = ErrorBody, description = "Already placed as an order (`draft_placed`) or expired (`draft_expired`)"),
        (status = 422, body = ErrorBody, description = "A line's product left the catalog (`unknown_product`), outside the 24-hour window (`outside_window`), or the draft text is turned off")))]
pub async fn send(
    State(state): State<AppState>,
    _caller: Caller,
    Path(wa_id): Path<String>,
) -> ApiResult<(StatusCode, Json<DraftSent>)> {
    let (draft, message) = state
        .engine
        .send_desk_draft(&wa_id)
        .await
        .map_err(about(&wa_id))?;
    Ok((
        StatusCode::ACCEPTED,
        Json(DraftSent {
            draft: draft.into(),
            message,
        }),
    ))
}
