//! Reading the witness ledger: entries, Merkle nodes and signed heads.

use sqlx::Row;
use sqlx::any::AnyRow;

use crate::{Store, StoreError};

/// One stored ledger entry. `payload` is its canonical JSON text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EntryRow {
    pub seq: i64,
    pub stream: String,
    pub kind: String,
    pub visibility: String,
    pub actor: String,
    pub at_ms: i64,
    pub payload: String,
    pub salt: Vec<u8>,
    pub leaf_hash: Vec<u8>,
}

/// One signed tree head.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HeadRow {
    pub size: i64,
    pub root: Vec<u8>,
    pub at_ms: i64,
    pub signature: Vec<u8>,
}

pub(crate) fn entry_from_row(row: &AnyRow) -> Result<EntryRow, StoreError> {
    Ok(EntryRow {
        seq: row.try_get("seq")?,
        stream: row.try_get("stream")?,
        kind: row.try_get("kind")?,
        visibility: row.try_get("visibility")?,
        actor: row.try_get("actor")?,
        at_ms: row.try_get("at_ms")?,
        payload: row.try_get("payload")?,
        salt: row.try_get("salt")?,
        leaf_hash: row.try_get("leaf_hash")?,
    })
}

/// The query for a set of nodes and its bind values. The Any driver's `QueryBuilder` writes `?`
/// placeholders, which PostgreSQL refuses, so the numbered placeholders are written here.
pub(crate) fn nodes_query(keys: &[(u32, u64)]) -> (String, Vec<(i32, i64)>) {
    let conditions: Vec<String> = (0..keys.len())
        .map(|n| format!("(level = ${} AND idx = ${})", 2 * n + 1, 2 * n + 2))
        .collect();
    let sql = format!(
        "SELECT level, idx, hash FROM ledger_nodes WHERE {}",
        conditions.join(" OR ")
    );
    let binds = keys.iter().map(|(l, i)| (*l as i32, *i as i64)).collect();
    (sql, binds)
}

pub(crate) fn node_from_row(row: &AnyRow) -> Result<(u32, u64, Vec<u8>), StoreError> {
    Ok((
        row.try_get::<i32, _>("level")? as u32,
        row.try_get::<i64, _>("idx")? as u64,
        row.try_get::<Vec<u8>, _>("hash")?,
    ))
}

pub(crate) fn head_from_row(row: &AnyRow) -> Result<HeadRow, StoreError> {
    Ok(HeadRow {
        size: row.try_get("size")?,
        root: row.try_get("root")?,
        at_ms: row.try_get("at_ms")?,
        signature: row.try_get("signature")?,
    })
}

impl Store {
    /// Entries with `from <= seq < to`, in order; never a row outside `0..size` (a row stored
    /// beyond the tip or at a negative place is not part of the ledger: only `ggzy verify`
    /// looks at such rows, through `entries_outside`).
    pub async fn entries(&self, from: u64, to: u64) -> Result<Vec<EntryRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT seq, stream, kind, visibility, actor, at_ms, payload, salt, leaf_hash \
             FROM ledger_entries WHERE seq >= $1 AND seq < $2 \
             AND seq >= 0 AND seq < (SELECT size FROM ledger_tip WHERE id = 1) ORDER BY seq",
        )
        .bind(from as i64)
        .bind(to as i64)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(entry_from_row).collect()
    }

    pub async fn entry(&self, seq: u64) -> Result<Option<EntryRow>, StoreError> {
        Ok(self.entries(seq, seq + 1).await?.into_iter().next())
    }

    /// The entries of one stream, in order.
    pub async fn stream_entries(&self, stream: &str) -> Result<Vec<EntryRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT seq, stream, kind, visibility, actor, at_ms, payload, salt, leaf_hash \
             FROM ledger_entries WHERE stream = $1 \
             AND seq >= 0 AND seq < (SELECT size FROM ledger_tip WHERE id = 1) ORDER BY seq",
        )
        .bind(stream)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(entry_from_row).collect()
    }

    /// The stream, kind and place of every entry whose stream starts with `prefix`, in ledger
    /// order, without payloads (a listing of small streams such as the draws').
    pub async fn stream_kinds_with_prefix(
        &self,
        prefix: &str,
    ) -> Result<Vec<(String, String, i64)>, StoreError> {
        let pattern = format!(
            "{}%",
            prefix
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        );
        let rows = sqlx::query(
            "SELECT stream, kind, seq FROM ledger_entries WHERE stream LIKE $1 ESCAPE '\\' \
             AND seq >= 0 AND seq < (SELECT size FROM ledger_tip WHERE id = 1) ORDER BY seq",
        )
        .bind(pattern)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok((
                    row.try_get("stream")?,
                    row.try_get("kind")?,
                    row.try_get("seq")?,
                ))
            })
            .collect()
    }

    /// A page of one stream's entries in order: those after `after_seq` (or, with `after_seq`
    /// negative, the last `limit`), at most `limit`.
    pub async fn stream_page(
        &self,
        stream: &str,
        after_seq: i64,
        limit: u64,
    ) -> Result<Vec<EntryRow>, StoreError> {
        let mut rows = if after_seq >= 0 {
            sqlx::query(
                "SELECT seq, stream, kind, visibility, actor, at_ms, payload, salt, leaf_hash \
                 FROM ledger_entries WHERE stream = $1 AND seq > $2 \
                 AND seq < (SELECT size FROM ledger_tip WHERE id = 1) ORDER BY seq LIMIT $3",
            )
            .bind(stream)
            .bind(after_seq)
            .bind(limit as i64)
            .fetch_all(self.pool())
            .await?
        } else {
            let mut rows = sqlx::query(
                "SELECT seq, stream, kind, visibility, actor, at_ms, payload, salt, leaf_hash \
                 FROM ledger_entries WHERE stream = $1 \
                 AND seq >= 0 AND seq < (SELECT size FROM ledger_tip WHERE id = 1) \
                 ORDER BY seq DESC LIMIT $2",
            )
            .bind(stream)
            .bind(limit as i64)
            .fetch_all(self.pool())
            .await?;
            rows.reverse();
            rows
        };
        rows.iter_mut().map(|row| entry_from_row(row)).collect()
    }

    /// The stored Merkle nodes among `keys` (level, index).
    pub async fn nodes(&self, keys: &[(u32, u64)]) -> Result<Vec<(u32, u64, Vec<u8>)>, StoreError> {
        let mut out = Vec::with_capacity(keys.len());
        for chunk in keys.chunks(200) {
            let (sql, binds) = nodes_query(chunk);
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            for (level, index) in binds {
                query = query.bind(level).bind(index);
            }
            for row in query.fetch_all(self.pool()).await? {
                out.push(node_from_row(&row)?);
            }
        }
        Ok(out)
    }

    /// Every stored node, for the verifier, in (level, index) order.
    pub async fn all_nodes(&self) -> Result<Vec<(u32, u64, Vec<u8>)>, StoreError> {
        let rows = sqlx::query("SELECT level, idx, hash FROM ledger_nodes ORDER BY level, idx")
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|row| {
                Ok((
                    row.try_get::<i32, _>("level")? as u32,
                    row.try_get::<i64, _>("idx")? as u64,
                    row.try_get::<Vec<u8>, _>("hash")?,
                ))
            })
            .collect()
    }

    /// The newest signed head.
    pub async fn latest_head(&self) -> Result<Option<HeadRow>, StoreError> {
        let row = sqlx::query(
            "SELECT size, root, at_ms, signature FROM ledger_heads ORDER BY size DESC LIMIT 1",
        )
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(head_from_row).transpose()
    }

    /// The signed head of exactly `size` entries, if one was made.
    pub async fn head_at(&self, size: u64) -> Result<Option<HeadRow>, StoreError> {
        let row =
            sqlx::query("SELECT size, root, at_ms, signature FROM ledger_heads WHERE size = $1")
                .bind(size as i64)
                .fetch_optional(self.pool())
                .await?;
        row.as_ref().map(head_from_row).transpose()
    }

    /// Every signed head in size order, for the verifier.
    pub async fn all_heads(&self) -> Result<Vec<HeadRow>, StoreError> {
        let rows =
            sqlx::query("SELECT size, root, at_ms, signature FROM ledger_heads ORDER BY size")
                .fetch_all(self.pool())
                .await?;
        rows.iter().map(head_from_row).collect()
    }

    /// The places of up to `limit` stored rows outside `0..size` (negative, or at or beyond
    /// the tip): rows the ledger does not contain, which the verifier names.
    pub async fn entries_outside(&self, size: u64, limit: u64) -> Result<Vec<i64>, StoreError> {
        let rows = sqlx::query(
            "SELECT seq FROM ledger_entries WHERE seq < 0 OR seq >= $1 ORDER BY seq LIMIT $2",
        )
        .bind(size as i64)
        .bind(limit as i64)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| Ok(row.try_get::<i64, _>("seq")?))
            .collect()
    }

    /// Each signed head's size with the size of the head signed before it (`prev_size`; 0 for
    /// the first, −1 for heads stored before the column existed), in size order.
    pub async fn head_chain(&self) -> Result<Vec<(i64, i64)>, StoreError> {
        let rows = sqlx::query("SELECT size, prev_size FROM ledger_heads ORDER BY size")
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|row| Ok((row.try_get("size")?, row.try_get("prev_size")?)))
            .collect()
    }

    /// Signed heads' sizes and times after `after_size`, at most `limit`, in size order.
    pub async fn head_sizes(
        &self,
        after_size: u64,
        limit: u64,
    ) -> Result<Vec<(u64, i64)>, StoreError> {
        let rows = sqlx::query(
            "SELECT size, at_ms FROM ledger_heads WHERE size > $1 ORDER BY size LIMIT $2",
        )
        .bind(after_size as i64)
        .bind(limit as i64)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| Ok((row.try_get::<i64, _>("size")? as u64, row.try_get("at_ms")?)))
            .collect()
    }

    /// Ledger places after `after_seq` that make open data, in ledger order, at most `limit`:
    /// entries of `entry_kinds` (their source: their stream) and announcements of
    /// `announcement_kinds` (their source: `auction/<procedure_id>`).
    pub async fn release_places_after(
        &self,
        entry_kinds: &[&str],
        announcement_kinds: &[&str],
        after_seq: i64,
        limit: u64,
    ) -> Result<Vec<(i64, String)>, StoreError> {
        let list = |from: usize, n: usize| {
            (from..from + n)
                .map(|i| format!("${i}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let entries = list(2, entry_kinds.len());
        let notices = list(2 + entry_kinds.len(), announcement_kinds.len());
        let limit_at = 2 + entry_kinds.len() + announcement_kinds.len();
        let sql = format!(
            "SELECT seq, source FROM (\
             SELECT seq, stream AS source FROM ledger_entries WHERE seq > $1 AND kind IN ({entries}) \
             UNION ALL \
             SELECT seq, 'auction/' || procedure_id AS source FROM announcements \
             WHERE seq > $1 AND kind IN ({notices})) places \
             WHERE seq < (SELECT size FROM ledger_tip WHERE id = 1) ORDER BY seq LIMIT ${limit_at}"
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(after_seq);
        for kind in entry_kinds.iter().chain(announcement_kinds) {
            query = query.bind(*kind);
        }
        let rows = query.bind(limit as i64).fetch_all(self.pool()).await?;
        rows.iter()
            .map(|row| {
                Ok((
                    row.try_get::<i64, _>("seq")?,
                    row.try_get::<String, _>("source")?,
                ))
            })
            .collect()
    }

    /// The number of stored entries, counted (the verifier compares it with the tip's size).
    pub async fn count_entries(&self) -> Result<u64, StoreError> {
        let row = sqlx::query("SELECT CAST(COUNT(*) AS BIGINT) AS n FROM ledger_entries")
            .fetch_one(self.pool())
            .await?;
        Ok(row.try_get::<i64, _>("n")? as u64)
    }
}
