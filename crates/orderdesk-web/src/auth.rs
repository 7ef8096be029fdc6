//! Who is calling. API calls carry `Authorization: Bearer <token>`; only the
//! SHA-256 of a token is stored, so a leaked database does not leak tokens.
//! (Tokens are 256 random bits, so a fast hash is enough; passwords, which
//! people choose, get argon2id instead.)

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use axum::http::HeaderMap;
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

/// An argon2id PHC string of `password` with a fresh salt.
///
/// # Errors
/// The hasher refused (it does not for passwords of sane length).
pub fn hash_password(password: &str) -> Result<String, String> {
    use argon2::password_hash::{rand_core::OsRng, PasswordHasher, SaltString};
    let salt = SaltString::generate(&mut OsRng);
    argon2::Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| format!("cannot hash the password: {e}"))
}

/// Whether `password` matches the stored PHC string (constant time inside
/// argon2). A malformed hash matches nothing.
pub fn verify_password(password: &str, phc: &str) -> bool {
    use argon2::password_hash::{PasswordHash, PasswordVerifier};
    PasswordHash::new(phc).is_ok_and(|hash| {
        argon2::Argon2::default()
            .verify_password(password.as_bytes(), &hash)
            .is_ok()
    })
}

/// A new API token secret: 256 random bits, hex, with a prefix that makes
/// leaked tokens easy to spot.
pub fn new_token_secret() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    format!("odk_{}", hex::encode(bytes))
}

/// 256 random bits, URL-safe base64: session ids and CSRF tokens.
pub fn random_id() -> String {
    use base64::Engine as _;
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}
