//! The write transaction: ledger appends and projection updates commit together or not at all.

use sqlx::{Any, AnyPool, Row, Transaction};
use tokio::sync::MutexGuard;

use crate::ledger_rows::entry_from_row;
use crate::{AccountRow, EntityRow, EntryRow, HeadRow, StoreError};

/// A write transaction holding the writer locks. Dropping it without `commit` rolls back.
pub struct WriteTx<'a> {
    tx: Transaction<'static, Any>,
    size: u64,
    /// The size of the last head signed: the ledger size when the transaction began (every
    /// transaction that appends signs a head), then each head this transaction signs.
    last_head_size: u64,
    _guard: MutexGuard<'a, ()>,
}

impl std::fmt::Debug for WriteTx<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "WriteTx(size {})", self.size)
    }
}

impl<'a> WriteTx<'a> {
    pub(crate) async fn begin(
        pool: &AnyPool,
        guard: MutexGuard<'a, ()>,
    ) -> Result<Self, StoreError> {
        let mut tx = pool.begin().await?;
        // Writing the tip row first takes the database's write lock on SQLite and a row lock on
        // PostgreSQL, so writers on other nodes wait here and `seq` stays gap-free.
        sqlx::query("UPDATE ledger_tip SET locked_at_ms = locked_at_ms + 1 WHERE id = 1")
            .execute(&mut *tx)
            .await?;
        let size = sqlx::query("SELECT size FROM ledger_tip WHERE id = 1")
            .fetch_one(&mut *tx)
            .await?
            .try_get::<i64, _>("size")? as u64;
        Ok(Self {
            tx,
            size,
            last_head_size: size,
            _guard: guard,
        })
    }

    /// The transaction's connection, for the other modules' writes.
    pub(crate) fn conn(&mut self) -> &mut sqlx::AnyConnection {
        &mut self.tx
    }

    /// The ledger size including what this transaction appended so far.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The entries of one stream, as committed before this transaction.
    pub async fn stream_entries(&mut self, stream: &str) -> Result<Vec<EntryRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT seq, stream, kind, visibility, actor, at_ms, payload, salt, leaf_hash \
             FROM ledger_entries WHERE stream = $1 AND seq >= 0 AND seq < $2 ORDER BY seq",
        )
        .bind(stream)
        .bind(self.size as i64)
        .fetch_all(&mut *self.tx)
        .await?;
        rows.iter().map(entry_from_row).collect()
    }

    /// Stored Merkle nodes among `keys`.
    pub async fn nodes(
        &mut self,
        keys: &[(u32, u64)],
    ) -> Result<Vec<(u32, u64, Vec<u8>)>, StoreError> {
        let mut out = Vec::with_capacity(keys.len());
        for chunk in keys.chunks(200) {
            let (sql, binds) = crate::ledger_rows::nodes_query(chunk);
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            for (level, index) in binds {
                query = query.bind(level).bind(index);
            }
            for row in query.fetch_all(&mut *self.tx).await? {
                out.push(crate::ledger_rows::node_from_row(&row)?);
            }
        }
        Ok(out)
    }

    /// Appends one entry; its `seq` must be the current size.
    pub async fn insert_entry(&mut self, entry: &EntryRow) -> Result<(), StoreError> {
        if entry.seq as u64 != self.size {
            return Err(StoreError::Conflict(format!(
                "entry seq {} is not the next sequence number {}",
                entry.seq, self.size
            )));
        }
        sqlx::query(
            "INSERT INTO ledger_entries (seq, stream, kind, visibility, actor, at_ms, payload, salt, leaf_hash) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(entry.seq)
        .bind(&entry.stream)
        .bind(&entry.kind)
        .bind(&entry.visibility)
        .bind(&entry.actor)
        .bind(entry.at_ms)
        .bind(&entry.payload)
        .bind(&entry.salt)
        .bind(&entry.leaf_hash)
        .execute(&mut *self.tx)
        .await?;
        self.size += 1;
        Ok(())
    }

    /// Appends entries in order (multi-row statements); the first `seq` must be the current size
    /// and the rest consecutive.
    pub async fn insert_entries(&mut self, entries: &[EntryRow]) -> Result<(), StoreError> {
        for (n, entry) in entries.iter().enumerate() {
            if entry.seq as u64 != self.size + n as u64 {
                return Err(StoreError::Conflict(format!(
                    "entry seq {} is not the next sequence number {}",
                    entry.seq,
                    self.size + n as u64
                )));
            }
        }
        // 9 values a row. Chunks stay small: sqlx's SQLite driver finds each `$N` by name among
        // all of a statement's parameters, so binding costs grow with the square of their number.
        for chunk in entries.chunks(64) {
            let rows: Vec<String> = (0..chunk.len())
                .map(|r| {
                    let b = r * 9;
                    format!(
                        "(${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${})",
                        b + 1,
                        b + 2,
                        b + 3,
                        b + 4,
                        b + 5,
                        b + 6,
                        b + 7,
                        b + 8,
                        b + 9
                    )
                })
                .collect();
            let sql = format!(
                "INSERT INTO ledger_entries (seq, stream, kind, visibility, actor, at_ms, payload, salt, leaf_hash) VALUES {}",
                rows.join(", ")
            );
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            for entry in chunk {
                query = query
                    .bind(entry.seq)
                    .bind(&entry.stream)
                    .bind(&entry.kind)
                    .bind(&entry.visibility)
                    .bind(&entry.actor)
                    .bind(entry.at_ms)
                    .bind(&entry.payload)
                    .bind(&entry.salt)
                    .bind(&entry.leaf_hash);
            }
            query.execute(&mut *self.tx).await?;
            self.size += chunk.len() as u64;
        }
        Ok(())
    }

    /// Stores Merkle nodes (multi-row statements).
    pub async fn insert_nodes(&mut self, nodes: &[(u32, u64, [u8; 32])]) -> Result<(), StoreError> {
        for chunk in nodes.chunks(200) {
            let rows: Vec<String> = (0..chunk.len())
                .map(|r| format!("(${}, ${}, ${})", r * 3 + 1, r * 3 + 2, r * 3 + 3))
                .collect();
            let sql = format!(
                "INSERT INTO ledger_nodes (level, idx, hash) VALUES {}",
                rows.join(", ")
            );
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            for (level, index, hash) in chunk {
                query = query
                    .bind(*level as i32)
                    .bind(*index as i64)
                    .bind(hash.to_vec());
            }
            query.execute(&mut *self.tx).await?;
        }
        Ok(())
    }

    pub async fn insert_node(
        &mut self,
        level: u32,
        index: u64,
        hash: &[u8],
    ) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO ledger_nodes (level, idx, hash) VALUES ($1, $2, $3)")
            .bind(level as i32)
            .bind(index as i64)
            .bind(hash)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    pub async fn insert_head(&mut self, head: &HeadRow) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO ledger_heads (size, root, at_ms, signature, prev_size) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(head.size)
        .bind(&head.root)
        .bind(head.at_ms)
        .bind(&head.signature)
        .bind(self.last_head_size as i64)
        .execute(&mut *self.tx)
        .await?;
        self.last_head_size = head.size as u64;
        Ok(())
    }

    pub async fn upsert_entity(&mut self, row: &EntityRow) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO entities (id, kind, code, name, region, legal_representative, address, \
             contact_name, contact_phone, contact_email, roles, status, reject_reason, \
             registered_at_ms, reviewed_at_ms, reviewed_by, last_seq, qualifications, bank_account, \
             restriction_reason, restricted_until, certificates, controller, home) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24) \
             ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, code = excluded.code, \
             name = excluded.name, region = excluded.region, \
             legal_representative = excluded.legal_representative, address = excluded.address, \
             contact_name = excluded.contact_name, contact_phone = excluded.contact_phone, \
             contact_email = excluded.contact_email, roles = excluded.roles, \
             status = excluded.status, reject_reason = excluded.reject_reason, \
             registered_at_ms = excluded.registered_at_ms, reviewed_at_ms = excluded.reviewed_at_ms, \
             reviewed_by = excluded.reviewed_by, last_seq = excluded.last_seq, \
             qualifications = excluded.qualifications, bank_account = excluded.bank_account, \
             restriction_reason = excluded.restriction_reason, restricted_until = excluded.restricted_until, \
             certificates = excluded.certificates, controller = excluded.controller, \
             home = excluded.home",
        )
        .bind(&row.id)
        .bind(&row.kind)
        .bind(&row.code)
        .bind(&row.name)
        .bind(&row.region)
        .bind(&row.legal_representative)
        .bind(&row.address)
        .bind(&row.contact_name)
        .bind(&row.contact_phone)
        .bind(&row.contact_email)
        .bind(&row.roles)
        .bind(&row.status)
        .bind(&row.reject_reason)
        .bind(row.registered_at_ms)
        .bind(row.reviewed_at_ms)
        .bind(&row.reviewed_by)
        .bind(row.last_seq)
        .bind(&row.qualifications)
        .bind(&row.bank_account)
        .bind(&row.restriction_reason)
        .bind(&row.restricted_until)
        .bind(&row.certificates)
        .bind(&row.controller)
        .bind(&row.home)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    pub async fn upsert_account(&mut self, row: &AccountRow) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO accounts (username, display_name, entity_id, roles, status, created_at_ms, last_seq) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (username) DO UPDATE SET display_name = excluded.display_name, \
             entity_id = excluded.entity_id, roles = excluded.roles, status = excluded.status, \
             created_at_ms = excluded.created_at_ms, last_seq = excluded.last_seq",
        )
        .bind(&row.username)
        .bind(&row.display_name)
        .bind(&row.entity_id)
        .bind(&row.roles)
        .bind(&row.status)
        .bind(row.created_at_ms)
        .bind(row.last_seq)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    /// Sets a password hash, in the same transaction as the account's creation.
    pub async fn put_credential(
        &mut self,
        username: &str,
        password_hash: &str,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO credentials (username, password_hash, updated_at_ms) VALUES ($1, $2, $3) \
             ON CONFLICT (username) DO UPDATE SET password_hash = excluded.password_hash, \
             updated_at_ms = excluded.updated_at_ms",
        )
        .bind(username)
        .bind(password_hash)
        .bind(now_ms)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    /// Commits: the entries, nodes, head and projection rows become durable together.
    pub async fn commit(mut self) -> Result<(), StoreError> {
        sqlx::query("UPDATE ledger_tip SET size = $1 WHERE id = 1")
            .bind(self.size as i64)
            .execute(&mut *self.tx)
            .await?;
        self.tx.commit().await?;
        Ok(())
    }
}
