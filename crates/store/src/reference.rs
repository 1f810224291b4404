//! The `reference_versions` read table: published versions of the catalog, rules and calendar.

use sqlx::Row;
use sqlx::any::AnyRow;

use crate::{Store, StoreError, WriteTx};

/// One published version.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct ReferenceRow {
    pub kind: String,
    pub version: i64,
    pub content: String,
    pub reason: String,
    pub actor: String,
    pub published_at_ms: i64,
    pub seq: i64,
}

fn from_row(row: &AnyRow) -> Result<ReferenceRow, StoreError> {
    Ok(ReferenceRow {
        kind: row.try_get("kind")?,
        version: row.try_get("version")?,
        content: row.try_get("content")?,
        reason: row.try_get("reason")?,
        actor: row.try_get("actor")?,
        published_at_ms: row.try_get("published_at_ms")?,
        seq: row.try_get("seq")?,
    })
}

impl Store {
    /// The newest version of one kind.
    pub async fn reference_current(&self, kind: &str) -> Result<Option<ReferenceRow>, StoreError> {
        let row = sqlx::query(
            "SELECT kind, version, content, reason, actor, published_at_ms, seq FROM reference_versions \
             WHERE kind = $1 ORDER BY version DESC LIMIT 1",
        )
        .bind(kind)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(from_row).transpose()
    }

    pub async fn reference_version(
        &self,
        kind: &str,
        version: i64,
    ) -> Result<Option<ReferenceRow>, StoreError> {
        let row = sqlx::query(
            "SELECT kind, version, content, reason, actor, published_at_ms, seq FROM reference_versions \
             WHERE kind = $1 AND version = $2",
        )
        .bind(kind)
        .bind(version)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(from_row).transpose()
    }

    /// Every version of one kind, newest first.
    pub async fn reference_history(&self, kind: &str) -> Result<Vec<ReferenceRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT kind, version, content, reason, actor, published_at_ms, seq FROM reference_versions \
             WHERE kind = $1 ORDER BY version DESC",
        )
        .bind(kind)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(from_row).collect()
    }

    /// Every version of every kind, for the verifier.
    pub async fn all_reference_versions(&self) -> Result<Vec<ReferenceRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT kind, version, content, reason, actor, published_at_ms, seq FROM reference_versions \
             ORDER BY kind, version",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(from_row).collect()
    }
}

impl WriteTx<'_> {
    pub async fn insert_reference(&mut self, row: &ReferenceRow) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO reference_versions (kind, version, content, reason, actor, published_at_ms, seq) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&row.kind)
        .bind(row.version)
        .bind(&row.content)
        .bind(&row.reason)
        .bind(&row.actor)
        .bind(row.published_at_ms)
        .bind(row.seq)
        .execute(self.conn())
        .await?;
        Ok(())
    }
}
