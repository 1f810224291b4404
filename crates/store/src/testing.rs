//! Fresh databases for tests: a SQLite file in a temporary directory always, and a new
//! PostgreSQL database when `GGZY_TEST_DATABASE_URL` points at a server.

use sqlx::any::{AnyPoolOptions, install_default_drivers};

use crate::{Store, StoreError};

/// A database made for one test. Keep it alive as long as the test uses the URL.
#[derive(Debug)]
pub struct TestDatabase {
    pub name: &'static str,
    pub url: String,
    _dir: Option<tempfile::TempDir>,
}

impl TestDatabase {
    pub async fn open(&self) -> Result<Store, StoreError> {
        Store::open(&self.url).await
    }
}

/// A fresh SQLite database in its own temporary directory.
pub fn fresh_sqlite() -> TestDatabase {
    let dir = tempfile::tempdir().expect("temporary directory");
    TestDatabase {
        name: "sqlite",
        url: Store::sqlite_url(dir.path()),
        _dir: Some(dir),
    }
}

/// A fresh PostgreSQL database on the server of `GGZY_TEST_DATABASE_URL`, if it is set.
pub async fn fresh_postgres() -> Option<TestDatabase> {
    let base = std::env::var("GGZY_TEST_DATABASE_URL").ok()?;
    install_default_drivers();
    let admin = AnyPoolOptions::new()
        .max_connections(1)
        .connect(&base)
        .await
        .expect("GGZY_TEST_DATABASE_URL is set but the server cannot be reached");
    let name = format!("ggzy_test_{:016x}", rand::random::<u64>());
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&admin)
        .await
        .expect("create test database");
    admin.close().await;
    let url = with_database(&base, &name);
    Some(TestDatabase {
        name: "postgres",
        url,
        _dir: None,
    })
}

/// Creates database `name` on the PostgreSQL server of `base` (a URL naming any database there)
/// and returns the new database's URL. For tools that need a database of their own.
pub async fn create_postgres_database(base: &str, name: &str) -> Result<String, StoreError> {
    install_default_drivers();
    let admin = AnyPoolOptions::new()
        .max_connections(1)
        .connect(base)
        .await?;
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&admin)
        .await?;
    admin.close().await;
    Ok(with_database(base, name))
}

/// SQLite always, PostgreSQL too when configured: the backends every conformance test runs on.
pub async fn fresh_databases() -> Vec<TestDatabase> {
    let mut out = vec![fresh_sqlite()];
    if let Some(pg) = fresh_postgres().await {
        out.push(pg);
    }
    out
}

/// `base` with its database name replaced by `name`, keeping any `?query`.
fn with_database(base: &str, name: &str) -> String {
    let (without_query, query) = match base.find('?') {
        Some(idx) => base.split_at(idx),
        None => (base, ""),
    };
    let authority_start = without_query.find("://").map_or(0, |idx| idx + 3);
    let server = match without_query[authority_start..].find('/') {
        Some(idx) => &without_query[..authority_start + idx],
        None => without_query,
    };
    format!("{server}/{name}{query}")
}
