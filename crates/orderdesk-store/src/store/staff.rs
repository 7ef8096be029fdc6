//! The [`StaffStore`] part of [`crate::Store`].

use async_trait::async_trait;
use orderdesk_domain::Timestamp;

use crate::{
    ApiToken, NewApiToken, NewSession, NewUser, Role, Session, StoreResult, User, UserCredentials,
};

/// Staff users, API tokens and dashboard sessions.
#[async_trait]
pub trait StaffStore: Send + Sync {
    /// # Errors
    /// `Duplicate` when the email (case-insensitive) is taken.
    async fn create_user(&self, user: &NewUser) -> StoreResult<User>;

    /// The user with this email (case-insensitive), with the password hash.
    ///
    /// # Errors
    /// `Unavailable` or `Other` on database failure.
    async fn user_by_email(&self, email: &str) -> StoreResult<Option<UserCredentials>>;

    /// Stores a new API token by the hash of its secret.
    ///
    /// # Errors
    /// `Duplicate` when the name is taken.
    async fn create_token(&self, token: &NewApiToken) -> StoreResult<ApiToken>;

    /// The live token whose secret hashes to `hash`.
    ///
    /// # Errors
    /// `Unavailable` or `Other` on database failure.
    async fn token_by_hash(&self, hash: &str) -> StoreResult<Option<ApiToken>>;

    /// Every staff user, oldest first.
    ///
    /// # Errors
    /// `Unavailable` or `Other` on database failure.
    async fn users(&self) -> StoreResult<Vec<User>>;

    /// Removes a staff user and ends all their sessions.
    ///
    /// # Errors
    /// `NotFound` when there is no such user.
    async fn delete_user(&self, id: i64) -> StoreResult<()>;

    /// Gives a staff user another role. Refused with `Ok(false)`, changing
    /// nothing, when it would leave no owner (the last owner cannot be
    /// demoted, so someone can always manage users); checked in the same
    /// transaction as the change, so two owners demoting each other at
    /// once cannot both succeed.
    ///
    /// # Errors
    /// `NotFound` when there is no such user.
    async fn set_user_role(&self, id: i64, role: Role) -> StoreResult<bool>;

    /// Replaces a staff user's password hash and ends all their sessions
    /// (a reset password must not leave an old login open).
    ///
    /// # Errors
    /// `NotFound` when there is no such user.
    async fn set_user_password(&self, id: i64, password_hash: &str) -> StoreResult<()>;

    /// Every live (not revoked) API token, oldest first.
    ///
    /// # Errors
    /// `Unavailable` or `Other` on database failure.
    async fn tokens(&self) -> StoreResult<Vec<ApiToken>>;

    /// Revokes a token at `at`: it no longer authenticates and is no longer
    /// listed. Its name stays taken.
    ///
    /// # Errors
    /// `NotFound` when there is no such live token.
    async fn revoke_token(&self, id: i64, at: Timestamp) -> StoreResult<()>;

    /// Stores a new session, and drops sessions expired by its `created_at`.
    ///
    /// # Errors
    /// `Duplicate` when the id hash is taken; `Other` for an unknown user.
    async fn create_session(&self, session: &NewSession) -> StoreResult<()>;

    /// The session whose id hashes to `id_hash`, if it exists and has not
    /// expired at `now`.
    ///
    /// # Errors
    /// `Unavailable` or `Other` on database failure.
    async fn session(&self, id_hash: &str, now: Timestamp) -> StoreResult<Option<Session>>;

    /// Ends a session (logout); an unknown one is not an error.
    ///
    /// # Errors
    /// `Unavailable` or `Other` on database failure.
    async fn delete_session(&self, id_hash: &str) -> StoreResult<()>;
}
