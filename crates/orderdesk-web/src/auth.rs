//! Who is calling. API calls carry `Authorization: Bearer <token>`; only the
//! SHA-256 of a token is stored, so a leaked database does not leak tokens.
//! How secrets are made and hashed is decided once, in
//! `orderdesk_engine::accounts`; this module re-exports it for the edge.

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use axum::http::HeaderMap;
use orderdesk_domain::Actor;

use crate::error::ApiError;
use crate::AppState;

pub use orderdesk_engine::accounts::{
    hash_password, new_token_secret, token_hash, verify_password,
};

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

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        Self::from_headers(state, &parts.headers).await
    }
}

impl Caller {
    /// The caller named by the `Authorization: Bearer` header.
    ///
    /// # Errors
    /// 401 without a header, with a malformed one or an unknown token.
    pub async fn from_headers(state: &AppState, headers: &HeaderMap) -> Result<Self, ApiError> {
        let header = headers
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

/// 256 random bits, URL-safe base64: session ids and CSRF tokens.
pub fn random_id() -> String {
    use base64::Engine as _;
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}
