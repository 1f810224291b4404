//! Persistence: one implementation in portable SQL that runs on SQLite and PostgreSQL alike.
//!
//! Architecture invariant: only this crate knows SQL. It stores the witness ledger (entries,
//! Merkle nodes, signed heads), the read tables (projections), secrets kept outside the ledger
//! (password hashes, sessions, API tokens) and the blob store. The SQL follows the conventions of
//! `stack.md`: BIGINT ids and unix-ms instants, TEXT JSON, BYTEA binary, `$N` placeholders.

mod blobs;
mod documents;
mod error;
mod federation;
mod ledger_rows;
mod projections;
mod reference;
mod secrets;
pub mod testing;
mod write;

use std::path::Path;
use std::time::Duration;

use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{AnyPool, Row};
use tokio::sync::Mutex;

pub use blobs::{BlobUpload, PART_SIZE};
pub use documents::{AnnouncementRow, DocumentFilter, DocumentRow};
pub use error::StoreError;
pub use federation::{HubEntryRow, HubFlagRow, HubNodeRow, WitnessStateRow};
pub use ledger_rows::{EntryRow, HeadRow};
pub use projections::{AccountRow, EntityRow, Page};
pub use reference::ReferenceRow;
pub use secrets::{SessionRow, TokenRow};
pub use write::WriteTx;

/// Which database engine a store runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The store: a connection pool plus the in-process writer lock.
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    writer: Mutex<()>,
    /// On SQLite, streamed blobs are files in `blobs/` beside the database file (so a large
    /// upload never contends for the database's one write lock); on PostgreSQL they are rows,
    /// which every node sees.
    blob_dir: Option<std::path::PathBuf>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Store({:?})", self.backend)
    }
}

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

impl Store {
    /// The SQLite URL of the database file in a data directory.
    pub fn sqlite_url(data_dir: &Path) -> String {
        format!("sqlite://{}?mode=rwc", data_dir.join("ggzy.db").display())
    }

    /// Connects, switches SQLite to WAL, and runs the migrations.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Backend::Postgres
        } else {
            return Err(StoreError::Config(format!(
                "unsupported database URL scheme (expected sqlite: or postgres:): {}",
                url.split(':').next().unwrap_or("")
            )));
        };
        let max_connections = match backend {
            Backend::Sqlite => 4,
            Backend::Postgres => 10,
        };
        let pool = AnyPoolOptions::new()
            .max_connections(max_connections)
            .acquire_timeout(Duration::from_secs(30))
            .connect(url)
            .await?;
        if backend == Backend::Sqlite {
            // WAL is a property of the file: set once, before any concurrent use. `synchronous`
            // stays at SQLite's default FULL, so a commit is on disk before it returns.
            let mut conn = pool.acquire().await?;
            sqlx::query("PRAGMA journal_mode = WAL")
                .fetch_all(&mut *conn)
                .await?;
        }
        MIGRATOR.run(&pool).await?;
        if backend == Backend::Postgres {
            // Blob bytes (sealed bids are ciphertext) do not compress: store them out of line
            // without trying, which saves PostgreSQL a compression pass over every byte. A
            // storage setting, not a schema change, so it stays out of the portable migrations.
            for table in ["blobs", "blob_parts"] {
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "ALTER TABLE {table} ALTER COLUMN content SET STORAGE EXTERNAL"
                )))
                .execute(&pool)
                .await?;
            }
        }
        let blob_dir = match backend {
            Backend::Sqlite => sqlite_file(url).and_then(|file| {
                let dir = Path::new(&file).parent()?.join("blobs");
                std::fs::create_dir_all(&dir).ok()?;
                Some(dir)
            }),
            Backend::Postgres => None,
        };
        Ok(Self {
            pool,
            backend,
            writer: Mutex::new(()),
            blob_dir,
        })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Starts the one write transaction that may run at a time: it holds the writer lock in this
    /// process and the `ledger_tip` row lock in the database, so every node appends in one order.
    pub async fn begin(&self) -> Result<WriteTx<'_>, StoreError> {
        let guard = self.writer.lock().await;
        WriteTx::begin(&self.pool, guard).await
    }

    /// The number of entries in the ledger.
    pub async fn ledger_size(&self) -> Result<u64, StoreError> {
        let row = sqlx::query("SELECT size FROM ledger_tip WHERE id = 1")
            .fetch_one(&self.pool)
            .await?;
        Ok(row.try_get::<i64, _>("size")? as u64)
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }

    pub(crate) fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub(crate) fn blob_dir(&self) -> Option<&Path> {
        self.blob_dir.as_deref()
    }
}

/// The database file of a `sqlite://PATH?…` URL.
fn sqlite_file(url: &str) -> Option<String> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next()?;
    (!path.is_empty() && path != ":memory:").then(|| path.to_string())
}
