//! The blob store: documents addressed by the SM3 hash of their bytes, kept in the database so
//! that every node sees the same blobs when the platform runs on PostgreSQL. Small blobs are one
//! row; large ones (sealed bids) are streamed in parts of `PART_SIZE` bytes, so neither writing
//! nor reading ever holds more than a part in memory.

use crypto::Sm3Hasher;
use rand::RngExt;
use sqlx::Row;

use crate::{Store, StoreError};

/// The size of one stored part of a streamed blob.
pub const PART_SIZE: usize = 1 << 20;

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
        let row = sqlx::query("SELECT content, parts, upload, keyed FROM blobs WHERE hash = $1")
            .bind(hash)
            .fetch_optional(self.pool())
            .await?;
        let Some(row) = row else { return Ok(None) };
        let parts: i64 = row.try_get("parts")?;
        let upload: String = row.try_get("upload")?;
        let content: Vec<u8> = if parts == FILE_PARTS {
            let dir = self.blob_dir().ok_or_else(|| {
                StoreError::Corrupt(format!(
                    "blob {hash} is a file, but there is no blob directory"
                ))
            })?;
            tokio::fs::read(dir.join(&upload))
                .await
                .map_err(|e| StoreError::Corrupt(format!("blob file {upload}: {e}")))?
        } else if parts == 0 {
            row.try_get("content")?
        } else {
            let mut content = Vec::new();
            for part in 0..parts {
                content.extend_from_slice(&self.blob_part(&upload, part).await?);
            }
            content
        };
        let keyed: i64 = row.try_get("keyed")?;
        if keyed == 0 && crypto::sm3(&content).to_hex() != hash {
            return Err(StoreError::Corrupt(format!(
                "blob {hash} does not match its hash"
            )));
        }
        Ok(Some(content))
    }

    /// The size of the blob with this hash, if stored.
    pub async fn blob_size(&self, hash: &str) -> Result<Option<u64>, StoreError> {
        let row = sqlx::query("SELECT size FROM blobs WHERE hash = $1")
            .bind(hash)
            .fetch_optional(self.pool())
            .await?;
        Ok(row
            .map(|row| row.try_get::<i64, _>("size"))
            .transpose()?
            .map(|size| size as u64))
    }

    async fn blob_part(&self, upload: &str, part: i64) -> Result<Vec<u8>, StoreError> {
        let row = sqlx::query("SELECT content FROM blob_parts WHERE upload = $1 AND part = $2")
            .bind(upload)
            .bind(part)
            .fetch_optional(self.pool())
            .await?
            .ok_or_else(|| StoreError::Corrupt(format!("blob part {upload}/{part} is missing")))?;
        Ok(row.try_get("content")?)
    }

    /// Starts a streamed upload. On SQLite the bytes go to a temporary file in the blob
    /// directory, on PostgreSQL to `blob_parts` rows as parts fill; `finish` files the blob under
    /// its hash, and `abort` removes what was written.
    pub fn blob_upload(&self) -> BlobUpload<'_> {
        let id: [u8; 16] = rand::rng().random();
        BlobUpload {
            store: self,
            upload: hex::encode(id),
            part: 0,
            size: 0,
            hasher: Some(Sm3Hasher::new()),
            buffer: Vec::with_capacity(PART_SIZE),
            file: None,
        }
    }

    /// A streamed upload that its owner files under a key it computes and checks itself
    /// (`finish_keyed`): the store does not hash the bytes, and `blob` does not check them.
    pub fn blob_upload_keyed(&self) -> BlobUpload<'_> {
        BlobUpload {
            hasher: None,
            ..self.blob_upload()
        }
    }
}

/// A streamed file is synced every this many parts while it arrives.
const SYNC_EVERY_PARTS: i64 = 8;

/// `parts` of a blob kept as a file in the blob directory.
const FILE_PARTS: i64 = -1;

/// A blob being streamed into the store.
#[derive(Debug)]
pub struct BlobUpload<'a> {
    store: &'a Store,
    upload: String,
    part: i64,
    size: u64,
    hasher: Option<Sm3Hasher>,
    buffer: Vec<u8>,
    file: Option<tokio::fs::File>,
}

impl BlobUpload<'_> {
    /// Bytes written so far.
    pub fn size(&self) -> u64 {
        self.size
    }

    fn temp_path(&self) -> Option<std::path::PathBuf> {
        Some(self.store.blob_dir()?.join(format!("{}.part", self.upload)))
    }

    /// Appends bytes, writing whenever a part is full.
    pub async fn write(&mut self, mut bytes: &[u8]) -> Result<(), StoreError> {
        if let Some(hasher) = self.hasher.as_mut() {
            hasher.update(bytes);
        }
        self.size += bytes.len() as u64;
        while !bytes.is_empty() {
            let room = PART_SIZE - self.buffer.len();
            let take = room.min(bytes.len());
            self.buffer.extend_from_slice(&bytes[..take]);
            bytes = &bytes[take..];
            if self.buffer.len() == PART_SIZE {
                self.flush().await?;
            }
        }
        Ok(())
    }

    async fn flush(&mut self) -> Result<(), StoreError> {
        use tokio::io::AsyncWriteExt;
        if self.buffer.is_empty() {
            return Ok(());
        }
        if let Some(path) = self.temp_path() {
            if self.file.is_none() {
                self.file = Some(tokio::fs::File::create(&path).await.map_err(io)?);
            }
            if let Some(file) = self.file.as_mut() {
                file.write_all(&self.buffer).await.map_err(io)?;
                // Sync as the upload goes, so little is left to sync when it ends and the
                // receipt follows the last byte quickly.
                if (self.part + 1) % SYNC_EVERY_PARTS == 0 {
                    file.sync_data().await.map_err(io)?;
                }
            }
        } else {
            // Parts commit without waiting for the WAL flush; the blob's own row commits
            // synchronously in `finish`, and PostgreSQL flushes the WAL in order, so every part
            // is durable before the blob exists.
            let mut tx = self.store.pool().begin().await?;
            sqlx::query("SET LOCAL synchronous_commit = off")
                .execute(&mut *tx)
                .await?;
            sqlx::query("INSERT INTO blob_parts (upload, part, content) VALUES ($1, $2, $3)")
                .bind(&self.upload)
                .bind(self.part)
                .bind(&self.buffer)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
        }
        self.part += 1;
        self.buffer.clear();
        Ok(())
    }

    /// Writes the rest, makes it durable and files the blob under its SM3 hash; returns
    /// (hash hex, size). If the same bytes were stored before, the new copy is dropped.
    pub async fn finish(self, now_ms: i64) -> Result<(String, u64), StoreError> {
        let hash = self
            .hasher
            .clone()
            .ok_or_else(|| {
                StoreError::Conflict("a keyed upload is finished with finish_keyed".into())
            })?
            .finish()
            .to_hex();
        self.file_under(hash, false, now_ms).await
    }

    /// Files a keyed upload under `key` (hex, at least 4 characters).
    pub async fn finish_keyed(self, key: &str, now_ms: i64) -> Result<(String, u64), StoreError> {
        if key.len() < 4 || !key.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(StoreError::Conflict("a blob key is hex".into()));
        }
        self.file_under(key.to_ascii_lowercase(), true, now_ms)
            .await
    }

    async fn file_under(
        mut self,
        hash: String,
        keyed: bool,
        now_ms: i64,
    ) -> Result<(String, u64), StoreError> {
        self.flush().await?;
        let (parts, location) = match (self.temp_path(), self.file.take()) {
            (Some(temp), Some(file)) => {
                // The bytes are on disk before the row that names them commits.
                file.sync_all().await.map_err(io)?;
                drop(file);
                let name = format!("{}/{}", &hash[..2], &hash[2..]);
                let dir = self.store.blob_dir().expect("a temp path means a blob dir");
                let target = dir.join(&name);
                if let Some(parent) = target.parent()
                    && tokio::fs::metadata(parent).await.is_err()
                {
                    tokio::fs::create_dir_all(parent).await.map_err(io)?;
                    // The new directory's entry must be durable too.
                    sync_dir(dir).await?;
                }
                tokio::fs::rename(&temp, &target).await.map_err(io)?;
                if let Some(parent) = target.parent() {
                    sync_dir(parent).await?;
                }
                (FILE_PARTS, name)
            }
            (Some(_), None) => {
                // Nothing was written (an empty blob): keep it as an empty row.
                (0, String::new())
            }
            (None, _) => (self.part, self.upload.clone()),
        };
        let inserted = sqlx::query(
            "INSERT INTO blobs (hash, size, content, created_at_ms, parts, upload, keyed) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (hash) DO NOTHING",
        )
        .bind(&hash)
        .bind(self.size as i64)
        .bind(Vec::<u8>::new())
        .bind(now_ms)
        .bind(parts)
        .bind(&location)
        .bind(i64::from(keyed))
        .execute(self.store.pool())
        .await?
        .rows_affected();
        if inserted == 0 && parts != FILE_PARTS {
            self.abort().await?;
        }
        Ok((hash, self.size))
    }

    /// Removes what was written so far.
    pub async fn abort(&self) -> Result<(), StoreError> {
        if let Some(path) = self.temp_path() {
            match tokio::fs::remove_file(&path).await {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(io(e)),
            }
            return Ok(());
        }
        sqlx::query("DELETE FROM blob_parts WHERE upload = $1")
            .bind(&self.upload)
            .execute(self.store.pool())
            .await?;
        Ok(())
    }
}

fn io(error: std::io::Error) -> StoreError {
    StoreError::Corrupt(format!("blob file: {error}"))
}

/// Makes a rename in `dir` durable.
async fn sync_dir(dir: &std::path::Path) -> Result<(), StoreError> {
    let dir = dir.to_path_buf();
    tokio::task::spawn_blocking(move || std::fs::File::open(&dir).and_then(|d| d.sync_all()))
        .await
        .map_err(|e| StoreError::Corrupt(format!("blob directory sync: {e}")))?
        .map_err(io)
}
