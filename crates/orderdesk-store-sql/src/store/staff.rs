//! [`StaffStore`] on [`SqlStore`].

use async_trait::async_trait;
use orderdesk_domain::Timestamp;
use orderdesk_store::{
    ApiToken, NewApiToken, NewSession, NewUser, Role, Session, StaffStore, StoreResult, User,
    UserCredentials,
};

use super::SqlStore;
use crate::{reads, Durability, SqlBackend, SqlTx};

#[async_trait]
impl<B: SqlBackend> StaffStore for SqlStore<B> {
    async fn create_user(&self, user: &NewUser) -> StoreResult<User> {
        let mut tx = self.0.write(Durability::Full).await?;
        let done = crate::create_user(&mut tx, user).await?;
        tx.commit().await?;
        Ok(done)
    }

    async fn user_by_email(&self, email: &str) -> StoreResult<Option<UserCredentials>> {
        reads::user_by_email(&self.0, email).await
    }

    async fn create_token(&self, token: &NewApiToken) -> StoreResult<ApiToken> {
        let mut tx = self.0.write(Durability::Full).await?;
        let done = crate::create_token(&mut tx, token).await?;
        tx.commit().await?;
        Ok(done)
    }

    async fn token_by_hash(&self, hash: &str) -> StoreResult<Option<ApiToken>> {
        reads::token_by_hash(&self.0, hash).await
    }

    async fn users(&self) -> StoreResult<Vec<User>> {
        reads::users(&self.0).await
    }

    async fn delete_user(&self, id: i64) -> StoreResult<()> {
        let mut tx = self.0.write(Durability::Full).await?;
        crate::delete_user(&mut tx, id).await?;
        tx.commit().await
    }

    async fn set_user_role(&self, id: i64, role: Role) -> StoreResult<bool> {
        let mut tx = self.0.write(Durability::Full).await?;
        let changed = crate::set_user_role(&mut tx, id, role).await?;
        tx.commit().await?;
        Ok(changed)
    }

    async fn set_user_password(&self, id: i64, password_hash: &str) -> StoreResult<()> {
        let mut tx = self.0.write(Durability::Full).await?;
        crate::set_user_password(&mut tx, id, password_hash).await?;
        tx.commit().await
    }

    async fn tokens(&self) -> StoreResult<Vec<ApiToken>> {
        reads::tokens(&self.0).await
    }

    async fn revoke_token(&self, id: i64, at: Timestamp) -> StoreResult<()> {
        let mut tx = self.0.write(Durability::Full).await?;
        crate::revoke_token(&mut tx, id, at).await?;
        tx.commit().await
    }

    async fn create_session(&self, session: &NewSession) -> StoreResult<()> {
        let mut tx = self.0.write(Durability::Full).await?;
        crate::create_session(&mut tx, session).await?;
        tx.commit().await
    }

    async fn session(&self, id_hash: &str, now: Timestamp) -> StoreResult<Option<Session>> {
        reads::session(&self.0, id_hash, now).await
    }

    async fn delete_session(&self, id_hash: &str) -> StoreResult<()> {
        let mut tx = self.0.write(Durability::Full).await?;
        crate::delete_session(&mut tx, id_hash).await?;
        tx.commit().await
    }
}
