//! The blob store: documents addressed by the SM3 hash of their bytes, kept in the database so
//! that every node sees the same blobs when the platform runs on PostgreSQL.

use sqlx::Row;

use crate::{Store, StoreError};

impl Store {
    /// Stores `content` and returns its SM3 hash (hex). Storing the same bytes twice is a no-op.
    pub async fn put_blob(&self, content: &[u8], now_ms: i64) -> Result<String, StoreError> {
        let hash = crypto::sm3(content).to_hex();
        sqlx::query(
            "INSERT INTO blobs (hash, size, content, created_at_ms) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (hash) DO NOTHING",
        )
        .bind(&hash)
        .bind(content.len() as i64)
        .bind(content)
        .bind(now_ms)
        .execute(self.pool())
        .await?;
        Ok(hash)
    }

    /// The bytes with this hash, checked against it on the way out.
    pub async fn blob(&self, hash: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let row = sqlx::query("SELECT content FROM blobs WHERE hash = $1")
            .bind(hash)
            .fetch_optional(self.pool())
            .await?;
        let Some(row) = row else { return Ok(None) };
        let content: Vec<u8> = row.try_get("content")?;
        if crypto::sm3(&content).to_hex() != hash {
            return Err(StoreError::Corrupt(format!(
                "blob {hash} does not match its hash"
            )));
        }
        Ok(Some(content))
    }
}
