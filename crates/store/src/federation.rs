//! A hub's mirror of the nodes it follows (migration 0011, `docs/federation.md`).

use sqlx::Row;
use sqlx::any::AnyRow;

use crate::{Store, StoreError};

/// A followed node, as the hub keeps it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HubNodeRow {
    pub origin: String,
    pub name: String,
    pub region: String,
    pub url: String,
    /// The pinned SM2 key, SEC1 hex.
    pub public_key: String,
    pub added_ms: i64,
    /// The last accepted signed head (JSON), '' before the first.
    pub head: String,
    pub mirrored_size: i64,
    /// The last time the node answered fully; 0 never.
    pub contacted_ms: i64,
    /// Why the last contact failed; '' when it worked.
    pub error: String,
    /// The first misbehaviour proven, '' when none.
    pub flagged: String,
    /// Followed as this node's registry (`--follow`), not as a node of a hub.
    pub registry: bool,
}

/// One mirrored entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HubEntryRow {
    pub origin: String,
    pub seq: i64,
    pub stream: String,
    pub kind: String,
    pub visibility: String,
    pub actor: String,
    pub at_ms: i64,
    pub commit_hash: Vec<u8>,
    pub leaf_hash: Vec<u8>,
    /// Canonical JSON of a public payload; '' when the node did not show it.
    pub payload: String,
    pub salt: Vec<u8>,
    pub masked: bool,
    pub fetched_ms: i64,
}

/// Proven misbehaviour of a node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HubFlagRow {
    pub origin: String,
    pub detected_ms: i64,
    pub kind: String,
    /// The checkpoint note the hub had accepted.
    pub accepted: String,
    /// The checkpoint note that contradicts it.
    pub offending: String,
    /// JSON: the proof or entry that shows it.
    pub detail: String,
}

fn node_from_row(row: &AnyRow) -> Result<HubNodeRow, StoreError> {
    Ok(HubNodeRow {
        origin: row.try_get("origin")?,
        name: row.try_get("name")?,
        region: row.try_get("region")?,
        url: row.try_get("url")?,
        public_key: row.try_get("public_key")?,
        added_ms: row.try_get("added_ms")?,
        head: row.try_get("head")?,
        mirrored_size: row.try_get("mirrored_size")?,
        contacted_ms: row.try_get("contacted_ms")?,
        error: row.try_get("error")?,
        flagged: row.try_get("flagged")?,
        registry: row.try_get::<i16, _>("registry")? != 0,
    })
}

fn entry_from_row(row: &AnyRow) -> Result<HubEntryRow, StoreError> {
    Ok(HubEntryRow {
        origin: row.try_get("origin")?,
        seq: row.try_get("seq")?,
        stream: row.try_get("stream")?,
        kind: row.try_get("kind")?,
        visibility: row.try_get("visibility")?,
        actor: row.try_get("actor")?,
        at_ms: row.try_get("at_ms")?,
        commit_hash: row.try_get("commit_hash")?,
        leaf_hash: row.try_get("leaf_hash")?,
        payload: row.try_get("payload")?,
        salt: row.try_get("salt")?,
        masked: row.try_get::<i16, _>("masked")? != 0,
        fetched_ms: row.try_get("fetched_ms")?,
    })
}

const ENTRY_COLUMNS: &str = "origin, seq, stream, kind, visibility, actor, at_ms, commit_hash, \
                             leaf_hash, payload, salt, masked, fetched_ms";

const NODE_COLUMNS: &str = "origin, name, region, url, public_key, added_ms, head, mirrored_size, \
                            contacted_ms, error, flagged, registry";

impl Store {
    /// Adds a node to follow, or updates its name, region and address. Its key is pinned: a
    /// different key for a known origin is a conflict (a node's key never changes quietly).
    #[allow(clippy::too_many_arguments)]
    pub async fn hub_add_node(
        &self,
        origin: &str,
        name: &str,
        region: &str,
        url: &str,
        public_key: &str,
        registry: bool,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        if let Some(known) = self.hub_node(origin).await? {
            if known.public_key != public_key {
                return Err(StoreError::Conflict(format!(
                    "node {origin} is pinned to another key"
                )));
            }
            sqlx::query(
                "UPDATE hub_nodes SET name = $2, region = $3, url = $4, registry = $5 \
                 WHERE origin = $1",
            )
            .bind(origin)
            .bind(name)
            .bind(region)
            .bind(url)
            .bind(i16::from(registry))
            .execute(self.pool())
            .await?;
            return Ok(());
        }
        sqlx::query(
            "INSERT INTO hub_nodes (origin, name, region, url, public_key, added_ms, head, \
             mirrored_size, contacted_ms, error, flagged, registry) \
             VALUES ($1, $2, $3, $4, $5, $6, '', 0, 0, '', '', $7)",
        )
        .bind(origin)
        .bind(name)
        .bind(region)
        .bind(url)
        .bind(public_key)
        .bind(now_ms)
        .bind(i16::from(registry))
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Every followed node, by origin.
    pub async fn hub_nodes(&self) -> Result<Vec<HubNodeRow>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {NODE_COLUMNS} FROM hub_nodes ORDER BY origin"
        )))
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(node_from_row).collect()
    }

    pub async fn hub_node(&self, origin: &str) -> Result<Option<HubNodeRow>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {NODE_COLUMNS} FROM hub_nodes WHERE origin = $1"
        )))
        .bind(origin)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(node_from_row).transpose()
    }

    /// Records a contact: when the node last answered fully, or why it did not.
    pub async fn hub_contact(
        &self,
        origin: &str,
        at_ms: i64,
        error: Option<&str>,
    ) -> Result<(), StoreError> {
        let query = match error {
            None => {
                sqlx::query("UPDATE hub_nodes SET contacted_ms = $2, error = '' WHERE origin = $1")
                    .bind(origin)
                    .bind(at_ms)
            }
            Some(e) => sqlx::query("UPDATE hub_nodes SET error = $2 WHERE origin = $1")
                .bind(origin)
                .bind(e.to_string()),
        };
        query.execute(self.pool()).await?;
        Ok(())
    }

    /// Records the newly accepted head (JSON).
    pub async fn hub_accept_head(&self, origin: &str, head: &str) -> Result<(), StoreError> {
        sqlx::query("UPDATE hub_nodes SET head = $2 WHERE origin = $1")
            .bind(origin)
            .bind(head)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// The hub's stored nodes of a node's tree among `keys` (level, index).
    pub async fn hub_tree_nodes(
        &self,
        origin: &str,
        keys: &[(u32, u64)],
    ) -> Result<Vec<(u32, u64, Vec<u8>)>, StoreError> {
        let mut out = Vec::with_capacity(keys.len());
        for (level, index) in keys {
            let row = sqlx::query(
                "SELECT hash FROM hub_tree WHERE origin = $1 AND level = $2 AND idx = $3",
            )
            .bind(origin)
            .bind(*level as i32)
            .bind(*index as i64)
            .fetch_optional(self.pool())
            .await?;
            if let Some(row) = row {
                out.push((*level, *index, row.try_get("hash")?));
            }
        }
        Ok(out)
    }

    /// Keeps a verified range of a node's entries with the tree nodes they completed, and moves
    /// the node's mirrored size to `size` — all or nothing, and only from `from` (a concurrent
    /// follower of the same node that got there first makes this a conflict).
    pub async fn hub_mirror(
        &self,
        origin: &str,
        from: i64,
        size: i64,
        entries: &[HubEntryRow],
        nodes: &[(u32, u64, Vec<u8>)],
    ) -> Result<(), StoreError> {
        let mut tx = self.pool().begin().await?;
        let moved = sqlx::query(
            "UPDATE hub_nodes SET mirrored_size = $3 WHERE origin = $1 AND mirrored_size = $2",
        )
        .bind(origin)
        .bind(from)
        .bind(size)
        .execute(&mut *tx)
        .await?;
        if moved.rows_affected() != 1 {
            return Err(StoreError::Conflict(format!(
                "node {origin} is no longer mirrored to {from}"
            )));
        }
        for e in entries {
            sqlx::query(
                "INSERT INTO hub_entries (origin, seq, stream, kind, visibility, actor, at_ms, \
                 commit_hash, leaf_hash, payload, salt, masked, fetched_ms) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
            )
            .bind(&e.origin)
            .bind(e.seq)
            .bind(&e.stream)
            .bind(&e.kind)
            .bind(&e.visibility)
            .bind(&e.actor)
            .bind(e.at_ms)
            .bind(&e.commit_hash)
            .bind(&e.leaf_hash)
            .bind(&e.payload)
            .bind(&e.salt)
            .bind(i16::from(e.masked))
            .bind(e.fetched_ms)
            .execute(&mut *tx)
            .await?;
        }
        for (level, index, hash) in nodes {
            sqlx::query("INSERT INTO hub_tree (origin, level, idx, hash) VALUES ($1, $2, $3, $4)")
                .bind(origin)
                .bind(*level as i32)
                .bind(*index as i64)
                .bind(hash)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// A node's mirrored entries `from <= seq < to`, in order.
    pub async fn hub_entries(
        &self,
        origin: &str,
        from: i64,
        to: i64,
    ) -> Result<Vec<HubEntryRow>, StoreError> {
        self.hub_entries_where(origin, from, to, "").await
    }

    /// A followed log's mirrored entries `from <= seq < to` that the province shares (entity,
    /// credit and trust-store acts), in order; the others are not read.
    pub async fn hub_shared_entries(
        &self,
        origin: &str,
        from: i64,
        to: i64,
    ) -> Result<Vec<HubEntryRow>, StoreError> {
        self.hub_entries_where(
            origin,
            from,
            to,
            "AND (kind LIKE 'entity.%' OR kind LIKE 'credit.%' OR kind = 'trust.published')",
        )
        .await
    }

    /// Entries `from <= seq < to` of `origin` that also satisfy `condition` (a constant).
    async fn hub_entries_where(
        &self,
        origin: &str,
        from: i64,
        to: i64,
        condition: &'static str,
    ) -> Result<Vec<HubEntryRow>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {ENTRY_COLUMNS} FROM hub_entries \
             WHERE origin = $1 AND seq >= $2 AND seq < $3 {condition} ORDER BY seq"
        )))
        .bind(origin)
        .bind(from)
        .bind(to)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(entry_from_row).collect()
    }

    /// A node's newest `limit` mirrored entries, newest first.
    pub async fn hub_recent_entries(
        &self,
        origin: &str,
        limit: i64,
    ) -> Result<Vec<HubEntryRow>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {ENTRY_COLUMNS} FROM hub_entries WHERE origin = $1 ORDER BY seq DESC LIMIT $2"
        )))
        .bind(origin)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(entry_from_row).collect()
    }

    /// How long the newest `limit` mirrored entries of a node took to reach the hub (fetched
    /// minus witnessed, ms), newest first.
    pub async fn hub_recent_lags(&self, origin: &str, limit: i64) -> Result<Vec<i64>, StoreError> {
        let rows = sqlx::query(
            "SELECT fetched_ms - at_ms AS lag FROM hub_entries WHERE origin = $1 \
             ORDER BY seq DESC LIMIT $2",
        )
        .bind(origin)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(|row| Ok(row.try_get("lag")?)).collect()
    }

    /// Mirrored entries of every node witnessed at or after `since_ms`: (fetched − witnessed) ms.
    pub async fn hub_lags_since(&self, since_ms: i64) -> Result<Vec<i64>, StoreError> {
        let rows =
            sqlx::query("SELECT fetched_ms - at_ms AS lag FROM hub_entries WHERE at_ms >= $1")
                .bind(since_ms)
                .fetch_all(self.pool())
                .await?;
        rows.iter().map(|row| Ok(row.try_get("lag")?)).collect()
    }

    /// Records proven misbehaviour; the node stays flagged with the first kind proven.
    pub async fn hub_flag(&self, flag: &HubFlagRow) -> Result<(), StoreError> {
        let mut tx = self.pool().begin().await?;
        sqlx::query(
            "INSERT INTO hub_flags (origin, detected_ms, kind, accepted, offending, detail) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (origin, detected_ms, kind) DO NOTHING",
        )
        .bind(&flag.origin)
        .bind(flag.detected_ms)
        .bind(&flag.kind)
        .bind(&flag.accepted)
        .bind(&flag.offending)
        .bind(&flag.detail)
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE hub_nodes SET flagged = $2 WHERE origin = $1 AND flagged = ''")
            .bind(&flag.origin)
            .bind(&flag.kind)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// A node's flags, newest first.
    pub async fn hub_flags(&self, origin: &str) -> Result<Vec<HubFlagRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT origin, detected_ms, kind, accepted, offending, detail FROM hub_flags \
             WHERE origin = $1 ORDER BY detected_ms DESC, kind",
        )
        .bind(origin)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(HubFlagRow {
                    origin: row.try_get("origin")?,
                    detected_ms: row.try_get("detected_ms")?,
                    kind: row.try_get("kind")?,
                    accepted: row.try_get("accepted")?,
                    offending: row.try_get("offending")?,
                    detail: row.try_get("detail")?,
                })
            })
            .collect()
    }
}

/// What a witness last cosigned for one log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WitnessStateRow {
    pub origin: String,
    pub size: i64,
    pub root: Vec<u8>,
    pub cosigned_ms: i64,
}

impl Store {
    /// The head this node last cosigned, as a witness, for `origin`.
    pub async fn witness_state(&self, origin: &str) -> Result<Option<WitnessStateRow>, StoreError> {
        let row = sqlx::query(
            "SELECT origin, size, root, cosigned_ms FROM witness_state WHERE origin = $1",
        )
        .bind(origin)
        .fetch_optional(self.pool())
        .await?;
        row.map(|row| {
            Ok(WitnessStateRow {
                origin: row.try_get("origin")?,
                size: row.try_get("size")?,
                root: row.try_get("root")?,
                cosigned_ms: row.try_get("cosigned_ms")?,
            })
        })
        .transpose()
    }

    /// Moves the witness's state for `origin` from `old_size` to a new head — only if it is still
    /// at `old_size` (two requests racing cannot both advance it): `false` when it was not.
    pub async fn advance_witness_state(
        &self,
        origin: &str,
        old_size: Option<i64>,
        size: i64,
        root: &[u8],
        at_ms: i64,
    ) -> Result<bool, StoreError> {
        let done = match old_size {
            None => {
                sqlx::query(
                    "INSERT INTO witness_state (origin, size, root, cosigned_ms) \
                 VALUES ($1, $2, $3, $4) ON CONFLICT (origin) DO NOTHING",
                )
                .bind(origin)
                .bind(size)
                .bind(root)
                .bind(at_ms)
                .execute(self.pool())
                .await?
            }
            Some(old) => {
                sqlx::query(
                    "UPDATE witness_state SET size = $3, root = $4, cosigned_ms = $5 \
                 WHERE origin = $1 AND size = $2",
                )
                .bind(origin)
                .bind(old)
                .bind(size)
                .bind(root)
                .bind(at_ms)
                .execute(self.pool())
                .await?
            }
        };
        Ok(done.rows_affected() == 1)
    }

    /// Keeps a witness's cosignature line on this node's checkpoint of `size`.
    pub async fn add_cosignature(
        &self,
        size: i64,
        witness: &str,
        line: &str,
        at_ms: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO checkpoint_cosignatures (size, witness, line, received_ms) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (size, witness) DO NOTHING",
        )
        .bind(size)
        .bind(witness)
        .bind(line)
        .bind(at_ms)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Each witness's newest cosignature: (witness, size, line, received_ms).
    pub async fn latest_cosignatures(&self) -> Result<Vec<(String, i64, String, i64)>, StoreError> {
        let rows = sqlx::query(
            "SELECT c.witness, c.size, c.line, c.received_ms FROM checkpoint_cosignatures c \
             WHERE c.size = (SELECT MAX(d.size) FROM checkpoint_cosignatures d \
                             WHERE d.witness = c.witness) ORDER BY c.witness",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok((
                    row.try_get("witness")?,
                    row.try_get("size")?,
                    row.try_get("line")?,
                    row.try_get("received_ms")?,
                ))
            })
            .collect()
    }

    /// The cosignature lines on this node's checkpoint of `size`: (witness, line).
    pub async fn cosignatures_at(&self, size: i64) -> Result<Vec<(String, String)>, StoreError> {
        let rows = sqlx::query(
            "SELECT witness, line FROM checkpoint_cosignatures WHERE size = $1 ORDER BY witness",
        )
        .bind(size)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| Ok((row.try_get("witness")?, row.try_get("line")?)))
            .collect()
    }

    /// The sizes with at least `quorum` cosignatures, newest first (at most `limit`).
    pub async fn cosigned_sizes(&self, quorum: i64, limit: i64) -> Result<Vec<i64>, StoreError> {
        let rows = sqlx::query(
            "SELECT size FROM checkpoint_cosignatures GROUP BY size HAVING COUNT(*) >= $1 \
             ORDER BY size DESC LIMIT $2",
        )
        .bind(quorum)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(|row| Ok(row.try_get("size")?)).collect()
    }
}

impl Store {
    /// How far a followed log's entries have been relayed into this node's ledger.
    pub async fn relay_cursor(&self, origin: &str) -> Result<i64, StoreError> {
        let row = sqlx::query("SELECT relayed_size FROM hub_nodes WHERE origin = $1")
            .bind(origin)
            .fetch_optional(self.pool())
            .await?;
        Ok(match row {
            Some(row) => row.try_get::<i64, _>(0)?,
            None => 0,
        })
    }

    /// Moves the relay cursor forward (never back).
    pub async fn advance_relay_cursor(&self, origin: &str, to: i64) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE hub_nodes SET relayed_size = $2 WHERE origin = $1 AND relayed_size < $2",
        )
        .bind(origin)
        .bind(to)
        .execute(self.pool())
        .await?;
        Ok(())
    }
}

impl crate::WriteTx<'_> {
    /// Whether the entry `origin`#`seq` was already relayed into this ledger.
    pub async fn relayed(&mut self, origin: &str, seq: i64) -> Result<bool, StoreError> {
        let row = sqlx::query("SELECT local_seq FROM relays WHERE origin = $1 AND seq = $2")
            .bind(origin)
            .bind(seq)
            .fetch_optional(self.conn())
            .await?;
        Ok(row.is_some())
    }

    /// Records that `origin`#`seq` became the entry `local_seq` here.
    pub async fn record_relay(
        &mut self,
        origin: &str,
        seq: i64,
        local_seq: i64,
    ) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO relays (origin, seq, local_seq) VALUES ($1, $2, $3)")
            .bind(origin)
            .bind(seq)
            .bind(local_seq)
            .execute(self.conn())
            .await?;
        Ok(())
    }
}
