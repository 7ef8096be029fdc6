//! Who is calling. API calls carry `Authorization: Bearer <token>`; only the
//! SHA-256 of a token is stored, so a leaked database does not leak tokens.
//! (Tokens are 256 random bits, so a fast hash is enough; passwords, which
//! people choose, get argon2id instead.)

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use orderdesk_domain::Actor;
use sha2::{Digest, Sha256};

use crate::error::ApiError;
use crate::AppState;

/// An authenticated API caller.
#[derive(Debug, Clone)]
pub struct Caller {
    pub name: String,
}

impl Caller {
    /// The actor recorded on timelines for this caller's changes.
    pub fn actor(&self) -> Actor {
        Actor::staff(self.name.clone())
    }
}

/// Hex SHA-256 of a token secret, as stored.
pub fn token_hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let header = parts
            .headers
            .get(AUTHORIZATION)
            .ok_or_else(|| ApiError::unauthorized("an Authorization: Bearer token is required"))?;
        let secret = header
            .to_str()
            .ok()
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| {
                ApiError::unauthorized("the Authorization header must be 'Bearer <token>'")
            })?;
        match state
            .engine
            .store()
            .token_by_hash(&token_hash(secret))
            .await?
        {
            Some(token) => Ok(Caller {
                name: format!("token:{}", token.name),
            }),
            None => {
                tracing::info!("API call with an unknown token");
                Err(ApiError::unauthorized("the token is not valid"))
            }
        }
    }
}
