//! Secrets kept outside the ledger: password hashes, browser sessions and API tokens.

use sqlx::Row;

use crate::{Store, StoreError};

/// A browser session. `id` is SM3 of the cookie's token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionRow {
    pub id: String,
    pub username: String,
    pub csrf: String,
    pub created_at_ms: i64,
    pub expires_at_ms: i64,
}

/// An API token. `id` is SM3 of the token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenRow {
    pub id: String,
    pub username: String,
    pub name: String,
    pub created_at_ms: i64,
    pub expires_at_ms: i64,
    pub revoked: bool,
}

impl Store {
    pub async fn password_hash(&self, username: &str) -> Result<Option<String>, StoreError> {
        let row = sqlx::query("SELECT password_hash FROM credentials WHERE username = $1")
            .bind(username)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.map(|row| row.try_get("password_hash")).transpose()?)
    }

    pub async fn insert_session(&self, session: &SessionRow) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO sessions (id, username, csrf, created_at_ms, expires_at_ms) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&session.id)
        .bind(&session.username)
        .bind(&session.csrf)
        .bind(session.created_at_ms)
        .bind(session.expires_at_ms)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    pub async fn session(&self, id: &str) -> Result<Option<SessionRow>, StoreError> {
        let row = sqlx::query(
            "SELECT id, username, csrf, created_at_ms, expires_at_ms FROM sessions WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        row.map(|row| {
            Ok(SessionRow {
                id: row.try_get("id")?,
                username: row.try_get("username")?,
                csrf: row.try_get("csrf")?,
                created_at_ms: row.try_get("created_at_ms")?,
                expires_at_ms: row.try_get("expires_at_ms")?,
            })
        })
        .transpose()
    }

    pub async fn delete_session(&self, id: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sessions WHERE id = $1")
            .bind(id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Removes sessions that expired before `now_ms`.
    pub async fn delete_expired_sessions(&self, now_ms: i64) -> Result<u64, StoreError> {
        let result = sqlx::query("DELETE FROM sessions WHERE expires_at_ms < $1")
            .bind(now_ms)
            .execute(self.pool())
            .await?;
        Ok(result.rows_affected())
    }

    pub async fn insert_token(&self, token: &TokenRow) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO api_tokens (id, username, name, created_at_ms, expires_at_ms, revoked) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&token.id)
        .bind(&token.username)
        .bind(&token.name)
        .bind(token.created_at_ms)
        .bind(token.expires_at_ms)
        .bind(i16::from(token.revoked))
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// An account's API tokens, newest first (at most `limit`).
    pub async fn tokens_of(&self, username: &str, limit: u64) -> Result<Vec<TokenRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, username, name, created_at_ms, expires_at_ms, revoked FROM api_tokens \
             WHERE username = $1 ORDER BY created_at_ms DESC, id LIMIT $2",
        )
        .bind(username)
        .bind(limit as i64)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(token_from_row).collect()
    }

    /// Revokes the token `id` of `username`; false when the account has no such token.
    pub async fn revoke_token(&self, id: &str, username: &str) -> Result<bool, StoreError> {
        let result =
            sqlx::query("UPDATE api_tokens SET revoked = 1 WHERE id = $1 AND username = $2")
                .bind(id)
                .bind(username)
                .execute(self.pool())
                .await?;
        Ok(result.rows_affected() > 0)
    }

    pub async fn token(&self, id: &str) -> Result<Option<TokenRow>, StoreError> {
        let row = sqlx::query(
            "SELECT id, username, name, created_at_ms, expires_at_ms, revoked FROM api_tokens WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(token_from_row).transpose()
    }
}

fn token_from_row(row: &sqlx::any::AnyRow) -> Result<TokenRow, StoreError> {
    Ok(TokenRow {
        id: row.try_get("id")?,
        username: row.try_get("username")?,
        name: row.try_get("name")?,
        created_at_ms: row.try_get("created_at_ms")?,
        expires_at_ms: row.try_get("expires_at_ms")?,
        revoked: row.try_get::<i16, _>("revoked")? != 0,
    })
}

impl Store {
    /// A platform fact (`origin`, `public_key`), if recorded.
    pub async fn meta(&self, name: &str) -> Result<Option<String>, StoreError> {
        let row = sqlx::query("SELECT value FROM platform_meta WHERE name = $1")
            .bind(name)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.map(|row| row.try_get("value")).transpose()?)
    }

    /// Records a node's working fact (e.g. how far a follower has read), replacing the last.
    pub async fn set_meta(&self, name: &str, value: &str) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO platform_meta (name, value) VALUES ($1, $2) \
             ON CONFLICT (name) DO UPDATE SET value = excluded.value",
        )
        .bind(name)
        .bind(value)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Records a platform fact once; a later call with another value is a conflict.
    pub async fn set_meta_once(&self, name: &str, value: &str) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO platform_meta (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
        )
        .bind(name)
        .bind(value)
        .execute(self.pool())
        .await?;
        match self.meta(name).await? {
            Some(stored) if stored == value => Ok(()),
            Some(stored) => Err(StoreError::Conflict(format!(
                "platform {name} is already {stored:?}, not {value:?}"
            ))),
            None => Err(StoreError::NotFound),
        }
    }
}
