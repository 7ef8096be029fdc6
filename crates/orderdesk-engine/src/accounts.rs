//! Staff users and API tokens: the one place that decides what a valid new
//! user or token is, how passwords and secrets are made and how they are
//! stored (never in clear), shared by `orderdesk user add` /
//! `orderdesk token create` and the dashboard's `/users` and `/tokens`.
//!
//! Tokens are 256 random bits, so a fast hash (SHA-256) is enough to store
//! them; passwords, which people choose, get argon2id.

use std::future::Future;

use chrono::Utc;
use orderdesk_store::{ApiToken, NewApiToken, NewUser, Role, Store, StoreError, User};
use rand::distributions::{Alphanumeric, DistString};
use rand::RngCore;
use sha2::{Digest, Sha256};

/// Shortest password accepted from a person.
pub const MIN_PASSWORD: usize = 10;
/// Longest API token name, in characters.
pub const MAX_TOKEN_NAME: usize = 100;
/// Longest email address accepted.
const MAX_EMAIL: usize = 254;

/// Why a user or token was not created. Nothing was stored.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("'{0}' is not an email address")]
    NotAnEmail(String),
    #[error("the password must be at least {MIN_PASSWORD} characters")]
    PasswordTooShort,
    #[error("a user with {0} already exists")]
    EmailTaken(String),
    #[error("give the token a name of 1 to {MAX_TOKEN_NAME} characters")]
    BadTokenName,
    #[error("a token named '{0}' already exists")]
    TokenNameTaken(String),
    #[error("cannot hash the password: {0}")]
    Hashing(String),
    /// Every core stayed busy for the wait (web server only).
    #[error("the server is busy; try again in a moment")]
    Busy,
    #[error(transparent)]
    Store(StoreError),
}

/// A user just added, with the password when it was generated (shown once).
#[derive(Debug)]
pub struct AddedUser {
    pub user: User,
    pub generated_password: Option<String>,
}

/// A token just created, with its secret (shown once, never stored).
#[derive(Debug)]
pub struct CreatedToken {
    pub token: ApiToken,
    pub secret: String,
}

/// Adds a staff user. `password: None` generates a strong one.
///
/// # Errors
/// [`AccountError`] for an implausible email, a short password, an email
/// already taken, or a store failure.
pub async fn add_user(
    store: &dyn Store,
    email: &str,
    role: Role,
    password: Option<String>,
    hasher: &impl PasswordHasher,
) -> Result<AddedUser, AccountError> {
    let email = email.trim().to_lowercase();
    if !plausible_email(&email) {
        return Err(AccountError::NotAnEmail(email));
    }
    let (password, generated) = match password {
        Some(p) if p.chars().count() < MIN_PASSWORD => return Err(AccountError::PasswordTooShort),
        Some(p) => (p, false),
        None => (generated_password(), true),
    };
    let password_hash = hasher.hash(password.clone()).await?;
    let user = store
        .create_user(&NewUser {
            email: email.clone(),
            role,
            password_hash,
            created_at: Utc::now(),
        })
        .await
        .map_err(|e| match e {
            StoreError::Duplicate(_) => AccountError::EmailTaken(email),
            other => AccountError::Store(other),
        })?;
    Ok(AddedUser {
        user,
        generated_password: generated.then_some(password),
    })
}

/// Gives user `id` a new generated password and ends their sessions;
/// returns the password, to be shown once.
///
/// # Errors
/// `AccountError::Store(StoreError::NotFound)` for no such user, or a
/// hashing or store failure.
pub async fn reset_password(
    store: &dyn Store,
    id: i64,
    hasher: &impl PasswordHasher,
) -> Result<String, AccountError> {
    let password = generated_password();
    let password_hash = hasher.hash(password.clone()).await?;
    store
        .set_user_password(id, &password_hash)
        .await
        .map_err(AccountError::Store)?;
    Ok(password)
}

/// A strong password for a user who did not choose one.
fn generated_password() -> String {
    Alphanumeric.sample_string(&mut rand::thread_rng(), 24)
}

/// Where a new password's argon2id hash is computed. It takes a noticeable
/// moment of CPU and 19 MiB of memory, so never on the async workers: the
/// CLI uses [`OffWorkers`]; the web server its bounded password checker, so
/// new and reset passwords wait their turn with login checks instead of
/// adding to them.
pub trait PasswordHasher: Sync {
    fn hash(&self, password: String) -> impl Future<Output = Result<String, AccountError>> + Send;
}

/// Hashes on a blocking thread of its own (for one-shot CLI commands).
#[derive(Debug, Clone, Copy, Default)]
pub struct OffWorkers;

impl PasswordHasher for OffWorkers {
    async fn hash(&self, password: String) -> Result<String, AccountError> {
        tokio::task::spawn_blocking(move || hash_password(&password))
            .await
            .map_err(|e| AccountError::Hashing(e.to_string()))?
            .map_err(AccountError::Hashing)
    }
}

/// Creates an API token named `name` (trimmed, unique).
///
/// # Errors
/// [`AccountError`] for an empty or over-long name, a name already taken,
/// or a store failure.
pub async fn create_token(store: &dyn Store, name: &str) -> Result<CreatedToken, AccountError> {
    let name = name.trim().to_owned();
    if name.is_empty() || name.chars().count() > MAX_TOKEN_NAME {
        return Err(AccountError::BadTokenName);
    }
    let secret = new_token_secret();
    let token = store
        .create_token(&NewApiToken {
            name: name.clone(),
            secret_hash: token_hash(&secret),
            created_at: Utc::now(),
        })
        .await
        .map_err(|e| match e {
            StoreError::Duplicate(_) => AccountError::TokenNameTaken(name),
            other => AccountError::Store(other),
        })?;
    Ok(CreatedToken { token, secret })
}

/// Whether `email` looks like an address: something, `@`, a dotted domain,
/// no spaces, at most 254 bytes. (The mail server has the last word.)
pub fn plausible_email(email: &str) -> bool {
    match email.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !email.chars().any(char::is_whitespace)
                && email.len() <= MAX_EMAIL
        }
        None => false,
    }
}

/// Hex SHA-256 of a token or session secret, as stored.
pub fn token_hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// A new API token secret: 256 random bits, hex, with a prefix that makes
/// leaked tokens easy to spot.
pub fn new_token_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    format!("odk_{}", hex::encode(bytes))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plausible_emails_have_a_local_part_and_a_dotted_domain() {
        for good in ["a@b.co", "asha.rao@shop.example", "x+tag@mail.shop.in"] {
            assert!(plausible_email(good), "{good}");
        }
        let long = format!("{}@shop.example", "a".repeat(250));
        for bad in [
            "",
            "asha",
            "@shop.example",
            "asha@",
            "asha@shop",
            "asha@.shop",
            "asha@shop.",
            "as ha@shop.example",
            &long,
        ] {
            assert!(!plausible_email(bad), "{bad}");
        }
    }

    #[test]
    fn a_password_hash_verifies_only_its_password() {
        let phc = hash_password("correct horse battery").unwrap();
        assert!(phc.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &phc));
        assert!(!verify_password("correct horse batterY", &phc));
        assert!(!verify_password("correct horse battery", "not a hash"));
    }

    #[test]
    fn token_secrets_are_fresh_prefixed_and_stored_only_hashed() {
        let a = new_token_secret();
        let b = new_token_secret();
        assert_ne!(a, b);
        assert!(a.starts_with("odk_") && a.len() == 4 + 64);
        assert_eq!(token_hash(&a).len(), 64);
        assert_ne!(token_hash(&a), a);
        assert_eq!(token_hash(&a), token_hash(&a.clone()));
    }
}
