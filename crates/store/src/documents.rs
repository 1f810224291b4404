//! Aggregates kept as JSON documents (procedures, bids, key ceremonies), and published
//! announcements: rows and queries.

use sqlx::Row;
use sqlx::any::AnyRow;

use crate::{Page, Store, StoreError, WriteTx};

/// A row of `documents`: an aggregate's state as JSON, with indexed columns for lists.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct DocumentRow {
    pub stream: String,
    /// `procedure`, `bid` or `ceremony`.
    pub kind: String,
    /// Procedure: tenderee; bid: lot code.
    pub key1: String,
    /// Procedure: agency; bid: bidder.
    pub key2: String,
    pub status: String,
    pub sort_ms: i64,
    pub state: String,
    pub last_seq: i64,
}

/// A row of `announcements`.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct AnnouncementRow {
    pub id: String,
    pub procedure_id: String,
    pub lot: String,
    pub kind: String,
    pub category: String,
    pub region: String,
    pub title: String,
    pub body: String,
    pub published_at_ms: i64,
    pub seq: i64,
}

const DOCUMENT_COLUMNS: &str = "stream, kind, key1, key2, status, sort_ms, state, last_seq";
const ANNOUNCEMENT_COLUMNS: &str =
    "id, procedure_id, lot, kind, category, region, title, body, published_at_ms, seq";

fn document_from_row(row: &AnyRow) -> Result<DocumentRow, StoreError> {
    Ok(DocumentRow {
        stream: row.try_get("stream")?,
        kind: row.try_get("kind")?,
        key1: row.try_get("key1")?,
        key2: row.try_get("key2")?,
        status: row.try_get("status")?,
        sort_ms: row.try_get("sort_ms")?,
        state: row.try_get("state")?,
        last_seq: row.try_get("last_seq")?,
    })
}

fn announcement_from_row(row: &AnyRow) -> Result<AnnouncementRow, StoreError> {
    Ok(AnnouncementRow {
        id: row.try_get("id")?,
        procedure_id: row.try_get("procedure_id")?,
        lot: row.try_get("lot")?,
        kind: row.try_get("kind")?,
        category: row.try_get("category")?,
        region: row.try_get("region")?,
        title: row.try_get("title")?,
        body: row.try_get("body")?,
        published_at_ms: row.try_get("published_at_ms")?,
        seq: row.try_get("seq")?,
    })
}

/// Which documents a list selects.
#[derive(Clone, Debug, Default)]
pub struct DocumentFilter<'a> {
    pub kind: &'a str,
    pub key1: Option<&'a str>,
    pub key2: Option<&'a str>,
    /// Documents whose key1 or key2 is this (e.g. a procedure of which an entity is tenderee
    /// or agency).
    pub either_key: Option<&'a str>,
    pub status: Option<&'a str>,
}

impl Store {
    pub async fn document(&self, stream: &str) -> Result<Option<DocumentRow>, StoreError> {
        let sql = format!("SELECT {DOCUMENT_COLUMNS} FROM documents WHERE stream = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(stream)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(document_from_row).transpose()
    }

    /// Documents matching `filter`, newest first (by `sort_ms`), one page.
    pub async fn documents(
        &self,
        filter: &DocumentFilter<'_>,
        limit: u64,
        offset: u64,
    ) -> Result<Page<DocumentRow>, StoreError> {
        // Placeholders are numbered in a fixed order; unused filters compare with ''.
        let condition = "kind = $1 AND ($2 = '' OR key1 = $2) AND ($3 = '' OR key2 = $3) \
            AND ($4 = '' OR key1 = $4 OR key2 = $4) AND ($5 = '' OR status = $5)";
        let binds = [
            filter.kind,
            filter.key1.unwrap_or(""),
            filter.key2.unwrap_or(""),
            filter.either_key.unwrap_or(""),
            filter.status.unwrap_or(""),
        ];
        let count_sql = format!("SELECT COUNT(*) AS n FROM documents WHERE {condition}");
        let mut count = sqlx::query(sqlx::AssertSqlSafe(count_sql));
        for bind in binds {
            count = count.bind(bind);
        }
        let total = count.fetch_one(self.pool()).await?.try_get::<i64, _>("n")? as u64;
        let list_sql = format!(
            "SELECT {DOCUMENT_COLUMNS} FROM documents WHERE {condition} \
             ORDER BY sort_ms DESC, stream LIMIT $6 OFFSET $7"
        );
        let mut list = sqlx::query(sqlx::AssertSqlSafe(list_sql));
        for bind in binds {
            list = list.bind(bind);
        }
        let rows = list
            .bind(limit as i64)
            .bind(offset as i64)
            .fetch_all(self.pool())
            .await?;
        Ok(Page {
            items: rows
                .iter()
                .map(document_from_row)
                .collect::<Result<_, _>>()?,
            total,
        })
    }

    /// Documents of `kind` whose `key1` contains `needle` (a list kept as `|a|b|`), optionally
    /// of one status, newest first, one page.
    pub async fn documents_key1_containing(
        &self,
        kind: &str,
        needle: &str,
        status: &str,
        limit: u64,
        offset: u64,
    ) -> Result<Page<DocumentRow>, StoreError> {
        let pattern = format!("%{}%", needle.replace(['%', '_'], ""));
        let condition = "kind = $1 AND key1 LIKE $2 AND ($3 = '' OR status = $3)";
        let count_sql = format!("SELECT COUNT(*) AS n FROM documents WHERE {condition}");
        let total = sqlx::query(sqlx::AssertSqlSafe(count_sql))
            .bind(kind)
            .bind(&pattern)
            .bind(status)
            .fetch_one(self.pool())
            .await?
            .try_get::<i64, _>("n")? as u64;
        let list_sql = format!(
            "SELECT {DOCUMENT_COLUMNS} FROM documents WHERE {condition} \
             ORDER BY sort_ms DESC, stream LIMIT $4 OFFSET $5"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(list_sql))
            .bind(kind)
            .bind(&pattern)
            .bind(status)
            .bind(limit as i64)
            .bind(offset as i64)
            .fetch_all(self.pool())
            .await?;
        Ok(Page {
            items: rows
                .iter()
                .map(document_from_row)
                .collect::<Result<_, _>>()?,
            total,
        })
    }

    /// Documents of `kind` whose stream sorts after `after`, in stream order, at most `limit`
    /// (cursor paging that new documents do not shift).
    pub async fn documents_after(
        &self,
        kind: &str,
        after: &str,
        limit: u64,
    ) -> Result<Vec<DocumentRow>, StoreError> {
        let sql = format!(
            "SELECT {DOCUMENT_COLUMNS} FROM documents WHERE kind = $1 AND stream > $2 \
             ORDER BY stream LIMIT $3"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(kind)
            .bind(after)
            .bind(limit as i64)
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(document_from_row).collect()
    }

    /// Documents of any of `kinds` whose stream sorts after `after`, in stream order, at most
    /// `limit`.
    pub async fn documents_of_kinds_after(
        &self,
        kinds: &[&str; 2],
        after: &str,
        limit: u64,
    ) -> Result<Vec<DocumentRow>, StoreError> {
        let sql = format!(
            "SELECT {DOCUMENT_COLUMNS} FROM documents WHERE kind IN ($1, $2) AND stream > $3 \
             ORDER BY stream LIMIT $4"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(kinds[0])
            .bind(kinds[1])
            .bind(after)
            .bind(limit as i64)
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(document_from_row).collect()
    }

    /// Documents of any of `kinds` last changed at a ledger place after `after_seq` and before
    /// `before_seq` (a signed head's size: everything below it is committed), in the order they
    /// changed, at most `limit` (a follower's step).
    pub async fn documents_changed_between(
        &self,
        kinds: &[&str; 3],
        after_seq: i64,
        before_seq: i64,
        limit: u64,
    ) -> Result<Vec<DocumentRow>, StoreError> {
        let sql = format!(
            "SELECT {DOCUMENT_COLUMNS} FROM documents WHERE kind IN ($1, $2, $3) \
             AND last_seq > $4 AND last_seq < $5 ORDER BY last_seq, stream LIMIT $6"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(kinds[0])
            .bind(kinds[1])
            .bind(kinds[2])
            .bind(after_seq)
            .bind(before_seq)
            .bind(limit as i64)
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(document_from_row).collect()
    }

    /// Every document, for the verifier.
    pub async fn all_documents(&self) -> Result<Vec<DocumentRow>, StoreError> {
        let sql = format!("SELECT {DOCUMENT_COLUMNS} FROM documents ORDER BY stream");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(document_from_row).collect()
    }

    /// How many documents of `kind` exist (used to number new procedures).
    pub async fn count_documents(&self, kind: &str) -> Result<u64, StoreError> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM documents WHERE kind = $1")
            .bind(kind)
            .fetch_one(self.pool())
            .await?;
        Ok(row.try_get::<i64, _>("n")? as u64)
    }

    pub async fn announcement(&self, id: &str) -> Result<Option<AnnouncementRow>, StoreError> {
        let sql = format!("SELECT {ANNOUNCEMENT_COLUMNS} FROM announcements WHERE id = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(announcement_from_row).transpose()
    }

    /// Announcements, newest first; `procedure_id` and `kind` filter when not empty.
    pub async fn announcements(
        &self,
        procedure_id: &str,
        kind: &str,
        limit: u64,
        offset: u64,
    ) -> Result<Page<AnnouncementRow>, StoreError> {
        let condition = "($1 = '' OR procedure_id = $1) AND ($2 = '' OR kind = $2)";
        let total = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(*) AS n FROM announcements WHERE {condition}"
        )))
        .bind(procedure_id)
        .bind(kind)
        .fetch_one(self.pool())
        .await?
        .try_get::<i64, _>("n")? as u64;
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {ANNOUNCEMENT_COLUMNS} FROM announcements WHERE {condition} \
             ORDER BY published_at_ms DESC, seq DESC LIMIT $3 OFFSET $4"
        )))
        .bind(procedure_id)
        .bind(kind)
        .bind(limit as i64)
        .bind(offset as i64)
        .fetch_all(self.pool())
        .await?;
        Ok(Page {
            items: rows
                .iter()
                .map(announcement_from_row)
                .collect::<Result<_, _>>()?,
            total,
        })
    }

    /// Announcements written at ledger places in `(after, through]`, in ledger order (the
    /// search index's feed).
    pub async fn announcements_between(
        &self,
        after: i64,
        through: i64,
    ) -> Result<Vec<AnnouncementRow>, StoreError> {
        let sql = format!(
            "SELECT {ANNOUNCEMENT_COLUMNS} FROM announcements WHERE seq > $1 AND seq <= $2 \
             ORDER BY seq"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(after)
            .bind(through)
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(announcement_from_row).collect()
    }

    /// Every announcement, for the verifier.
    pub async fn all_announcements(&self) -> Result<Vec<AnnouncementRow>, StoreError> {
        let sql = format!("SELECT {ANNOUNCEMENT_COLUMNS} FROM announcements ORDER BY id");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(announcement_from_row).collect()
    }
}

impl WriteTx<'_> {
    /// The ledger place a document was last projected from (-1: no document), as this
    /// transaction sees it.
    pub async fn document_seq(&mut self, stream: &str) -> Result<i64, StoreError> {
        let row = sqlx::query("SELECT last_seq FROM documents WHERE stream = $1")
            .bind(stream)
            .fetch_optional(self.conn())
            .await?;
        Ok(match row {
            Some(row) => row.try_get("last_seq")?,
            None => -1,
        })
    }

    /// A document as this transaction sees it.
    pub async fn document(&mut self, stream: &str) -> Result<Option<DocumentRow>, StoreError> {
        let sql = format!("SELECT {DOCUMENT_COLUMNS} FROM documents WHERE stream = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(stream)
            .fetch_optional(self.conn())
            .await?;
        row.as_ref().map(document_from_row).transpose()
    }

    pub async fn upsert_document(&mut self, row: &DocumentRow) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO documents (stream, kind, key1, key2, status, sort_ms, state, last_seq) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             ON CONFLICT (stream) DO UPDATE SET kind = excluded.kind, key1 = excluded.key1, \
             key2 = excluded.key2, status = excluded.status, sort_ms = excluded.sort_ms, \
             state = excluded.state, last_seq = excluded.last_seq",
        )
        .bind(&row.stream)
        .bind(&row.kind)
        .bind(&row.key1)
        .bind(&row.key2)
        .bind(&row.status)
        .bind(row.sort_ms)
        .bind(&row.state)
        .bind(row.last_seq)
        .execute(self.conn())
        .await?;
        Ok(())
    }

    pub async fn insert_announcement(&mut self, row: &AnnouncementRow) -> Result<(), StoreError> {
        let sql = format!(
            "INSERT INTO announcements ({ANNOUNCEMENT_COLUMNS}) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
        );
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(&row.id)
            .bind(&row.procedure_id)
            .bind(&row.lot)
            .bind(&row.kind)
            .bind(&row.category)
            .bind(&row.region)
            .bind(&row.title)
            .bind(&row.body)
            .bind(row.published_at_ms)
            .bind(row.seq)
            .execute(self.conn())
            .await?;
        Ok(())
    }

    /// How many documents of `kind` exist, as this transaction sees them.
    pub async fn count_documents(&mut self, kind: &str) -> Result<u64, StoreError> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM documents WHERE kind = $1")
            .bind(kind)
            .fetch_one(self.conn())
            .await?;
        Ok(row.try_get::<i64, _>("n")? as u64)
    }
}
