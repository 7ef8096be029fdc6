//! `POST /api/v1/intake`: reads a typed order ("2 kg atta, ek amul butter")
//! against the catalog and answers the lines it found. Creates nothing:
//! staff and integrators use it to turn a pasted message into a draft.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use orderdesk_engine::intake::IntakeError;
use orderdesk_intake::Reading;
use serde::{Deserialize, Serialize};

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::ApiJson;
use crate::routes::{Auth, Routes};
use crate::AppState;

pub(crate) fn routes() -> Routes<AppState> {
    Routes::new().post("/api/v1/intake", Auth::Token, read)
}

/// A message to read.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IntakeBody {
    /// The message as the customer typed it (1–4096 characters, not blank).
    #[schema(schema_with = super::schema::reply_text)]
    text: String,
}

/// What the message says, line by line.
#[derive(Serialize, utoipa::ToSchema)]
pub struct IntakeReading {
    /// Lines placed on exactly one product, in the order written.
    items: Vec<IntakeItem>,
    /// Lines (and questions) that could not be placed, as written.
    unmatched: Vec<String>,
    /// Lines that fit several products equally well ("dal" with two dals):
    /// ask the customer which, never guess.
    ambiguous: Vec<IntakeAmbiguous>,
    /// The message had more than 100 lines; only the first 100 were read.
    truncated: bool,
}

/// A placed line.
#[derive(Serialize, utoipa::ToSchema)]
pub struct IntakeItem {
    retailer_id: String,
    /// Packs of the product (a weight asked for is rounded up to whole packs).
    #[schema(minimum = 1, maximum = 999)]
    quantity: u32,
    /// The line as written.
    text: String,
}

/// A line that fits several products.
#[derive(Serialize, utoipa::ToSchema)]
pub struct IntakeAmbiguous {
    /// The line as written.
    text: String,
    /// Packs asked for, should the customer pick one.
    #[schema(minimum = 1, maximum = 999)]
    quantity: u32,
    candidates: Vec<IntakeCandidate>,
}

/// A product an ambiguous line may mean.
#[derive(Serialize, utoipa::ToSchema)]
pub struct IntakeCandidate {
    retailer_id: String,
    title: String,
}

impl From<Reading> for IntakeReading {
    fn from(r: Reading) -> Self {
        Self {
            items: r
                .items
                .into_iter()
                .map(|i| IntakeItem {
                    retailer_id: i.retailer_id,
                    quantity: i.quantity,
                    text: i.text,
                })
                .collect(),
            unmatched: r.unmatched,
            ambiguous: r
                .ambiguous
                .into_iter()
                .map(|a| IntakeAmbiguous {
                    text: a.text,
                    quantity: a.quantity,
                    candidates: a
                        .candidates
                        .into_iter()
                        .map(|c| IntakeCandidate {
                            retailer_id: c.retailer_id,
                            title: c.title,
                        })
                        .collect(),
                })
                .collect(),
            truncated: r.truncated,
        }
    }
}

impl From<IntakeError> for ApiError {
    fn from(e: IntakeError) -> Self {
        match e {
            IntakeError::Store(s) => s.into(),
            e @ (IntakeError::Empty | IntakeError::TooLong) => Self::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_request",
                e.to_string(),
            ),
        }
    }
}

/// Read a typed order against the catalog; nothing is created.
#[utoipa::path(post, path = "/api/v1/intake", tag = "intake",
    request_body = IntakeBody, security(("bearer" = [])),
    responses((status = 200, body = IntakeReading, description = "The lines read"),
        (status = 422, body = ErrorBody, description = "Empty or longer than 4096 characters")))]
pub async fn read(
    State(state): State<AppState>,
    _caller: Caller,
    ApiJson(body): ApiJson<IntakeBody>,
) -> ApiResult<Json<IntakeReading>> {
    let reading = state.engine.read_typed_order(&body.text).await?;
    Ok(Json(reading.into()))
}
