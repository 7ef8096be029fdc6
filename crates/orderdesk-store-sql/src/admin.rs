//! The small writes of users, tokens, sessions, templates and timers, each
//! the body of one transaction on the shared write path.

use orderdesk_domain::Timestamp;
use orderdesk_store::{
    ApiToken, MessageTemplate, NewApiToken, NewSession, NewUser, Role, StoreError, StoreResult,
    User,
};

use crate::rows::{micros, Cols};
use crate::{args, fetch_one, SqlTx};

/// The id `RETURNING id` gave back.
async fn returning_id<T: SqlTx>(tx: &mut T, sql: &str, args: Vec<crate::Arg>) -> StoreResult<i64> {
    fetch_one(tx, sql, args, |row| row.int("id"))
        .await?
        .flatten()
        .ok_or(StoreError::NotFound)
}

/// `NotFound` unless the statement changed a row.
async fn one_row<T: SqlTx>(tx: &mut T, sql: &str, args: Vec<crate::Arg>) -> StoreResult<()> {
    if tx.execute(sql, args).await? == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// `Store::create_user`.
pub async fn create_user<T: SqlTx>(tx: &mut T, user: &NewUser) -> StoreResult<User> {
    let email = user.email.to_lowercase();
    let created_at = micros(user.created_at);
    let id = returning_id(
        tx,
        "INSERT INTO users (email, role, password_hash, created_at) VALUES ($1, $2, $3, $4) \
         RETURNING id",
        args![
            email.as_str(),
            user.role.as_str(),
            user.password_hash.as_str(),
            created_at
        ],
    )
    .await?;
    Ok(User {
        id,
        email,
        role: user.role,
        created_at,
    })
}

/// `Store::delete_user`.
pub async fn delete_user<T: SqlTx>(tx: &mut T, id: i64) -> StoreResult<()> {
    one_row(tx, "DELETE FROM users WHERE id = $1", args![id]).await
}

/// `Store::set_user_role`: `false`, changing nothing, when it would demote
/// the last owner. The owners are read with [`SqlTx::LOCK_ROW`], so two
/// concurrent demotions are serialised (on SQLite the one writer does it):
/// the second no longer counts the owner the first demoted.
pub async fn set_user_role<T: SqlTx>(tx: &mut T, id: i64, role: Role) -> StoreResult<bool> {
    let sql = format!(
        "SELECT id FROM users WHERE role = 'owner' ORDER BY id{}",
        T::LOCK_ROW
    );
    let owners = tx.fetch(&sql, args![]).await?;
    let owners: Vec<i64> = owners
        .iter()
        .map(|row| row.int("id"))
        .collect::<StoreResult<Vec<_>>>()?
        .into_iter()
        .flatten()
        .collect();
    if role != Role::Owner && owners == [id] {
        return Ok(false);
    }
    one_row(
        tx,
        "UPDATE users SET role = $1 WHERE id = $2",
        args![role.as_str(), id],
    )
    .await?;
    Ok(true)
}

/// `Store::set_user_password`: the new hash, and every session of that
/// user ended, in one transaction.
pub async fn set_user_password<T: SqlTx>(
    tx: &mut T,
    id: i64,
    password_hash: &str,
) -> StoreResult<()> {
    one_row(
        tx,
        "UPDATE users SET password_hash = $1 WHERE id = $2",
        args![password_hash, id],
    )
    .await?;
    tx.execute("DELETE FROM sessions WHERE user_id = $1", args![id])
        .await?;
    Ok(())
}

/// `Store::create_token`.
pub async fn create_token<T: SqlTx>(tx: &mut T, token: &NewApiToken) -> StoreResult<ApiToken> {
    let created_at = micros(token.created_at);
    let id = returning_id(
        tx,
        "INSERT INTO api_tokens (name, secret_hash, created_at) VALUES ($1, $2, $3) RETURNING id",
        args![token.name.as_str(), token.secret_hash.as_str(), created_at],
    )
    .await?;
    Ok(ApiToken {
        id,
        name: token.name.clone(),
        created_at,
    })
}

/// `Store::revoke_token`.
pub async fn revoke_token<T: SqlTx>(tx: &mut T, id: i64, at: Timestamp) -> StoreResult<()> {
    one_row(
        tx,
        "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL",
        args![micros(at), id],
    )
    .await
}

/// `Store::create_session`; forgets expired sessions on the way.
pub async fn create_session<T: SqlTx>(tx: &mut T, session: &NewSession) -> StoreResult<()> {
    tx.execute(
        "DELETE FROM sessions WHERE expires_at <= $1",
        args![micros(session.created_at)],
    )
    .await?;
    tx.execute(
        "INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5)",
        args![
            session.id_hash.as_str(),
            session.user_id,
            session.csrf_token.as_str(),
            micros(session.created_at),
            micros(session.expires_at)
        ],
    )
    .await?;
    Ok(())
}

/// `Store::delete_session`.
pub async fn delete_session<T: SqlTx>(tx: &mut T, id_hash: &str) -> StoreResult<()> {
    tx.execute("DELETE FROM sessions WHERE id_hash = $1", args![id_hash])
        .await?;
    Ok(())
}

/// `Store::put_message_template`.
pub async fn put_message_template<T: SqlTx>(tx: &mut T, t: &MessageTemplate) -> StoreResult<()> {
    tx.execute(
        "INSERT INTO message_templates (key, language, body, enabled, whatsapp_template, \
         whatsapp_language, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7) \
         ON CONFLICT (key, language) DO UPDATE SET body = excluded.body, \
         enabled = excluded.enabled, whatsapp_template = excluded.whatsapp_template, \
         whatsapp_language = excluded.whatsapp_language, updated_at = excluded.updated_at",
        args![
            t.key.as_str(),
            t.language.as_str(),
            t.body.as_deref(),
            t.enabled,
            t.whatsapp_template.as_deref(),
            t.whatsapp_language.as_deref(),
            micros(t.updated_at)
        ],
    )
    .await?;
    Ok(())
}

/// `Store::complete_timer`.
pub async fn complete_timer<T: SqlTx>(tx: &mut T, id: i64) -> StoreResult<()> {
    tx.execute("DELETE FROM jobs WHERE id = $1", args![id])
        .await?;
    Ok(())
}
